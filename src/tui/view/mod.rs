//! Drawing: pure functions of `&App` into a frame, one file a pane. The full layout needs
//! 120×35; from 80×24 a compact one still shows the flow, the narration and the timeline;
//! below that, a notice says the terminal is too small (never a panic, down to 1×1).

mod ascii;
mod cluster;
mod etcd;
mod events;
mod flow;
mod footer;
mod header;
mod help;
mod narration;
mod object;
mod overlay;
mod scheduler;
mod timeline;

use super::app::{App, Overlay, Pane};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph, Wrap};

pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;
const FULL: (u16, u16) = (120, 35);

pub fn draw(frame: &mut Frame, app: &App) {
    let area = frame.area();
    if let Some([top, body, bottom]) = rows(area) {
        header::draw(frame, top, app);
        footer::draw(frame, bottom, app);
        for (pane, rect) in panes(area, app) {
            draw_pane(frame, rect, app, pane);
        }
        match &app.overlay {
            Some(Overlay::Help) => help::draw(frame, body, app),
            Some(Overlay::Glossary { scroll }) => overlay::glossary(frame, body, app, *scroll),
            Some(Overlay::Picker(picker)) => overlay::picker(frame, body, app, picker),
            Some(Overlay::CommandLine(line)) => overlay::command_line(frame, bottom, app, line),
            None => {}
        }
    } else {
        too_small(frame, area);
    }
    if app.theme.ascii {
        ascii::asciify(frame.buffer_mut());
    }
}

/// The header line, the body and the bottom bar; None when the terminal is too small.
fn rows(area: Rect) -> Option<[Rect; 3]> {
    (area.width >= MIN_WIDTH && area.height >= MIN_HEIGHT).then(|| {
        Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(0),
            Constraint::Length(1),
        ])
        .areas(area)
    })
}

/// Where each pane goes on a screen of `area`: the full layout from 120×35, the compact one
/// from 80×24, one zoomed pane, or none when the terminal is too small.
pub fn panes(area: Rect, app: &App) -> Vec<(Pane, Rect)> {
    let Some([_, body, _]) = rows(area) else {
        return Vec::new();
    };
    if app.zoom {
        return vec![(app.focus, body)];
    }
    if area.width >= FULL.0 && area.height >= FULL.1 {
        let [flow, rest] =
            Layout::vertical([Constraint::Length(7), Constraint::Min(0)]).areas(body);
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
                .areas(rest);
        let [narration, lower] =
            Layout::vertical([Constraint::Length(12), Constraint::Min(4)]).areas(left);
        let [object, timeline] =
            Layout::vertical([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(right);
        vec![
            (Pane::Flow, flow),
            (Pane::Narration, narration),
            (app.lower, lower),
            (Pane::Object, object),
            (Pane::Timeline, timeline),
        ]
    } else {
        let [flow, narration, timeline] = Layout::vertical([
            Constraint::Length(6),
            Constraint::Length(9),
            Constraint::Min(3),
        ])
        .areas(body);
        // Compact: the pane with the focus takes the narration's place (flow and timeline
        // always show).
        let middle = match app.focus {
            Pane::Flow | Pane::Timeline => Pane::Narration,
            other => other,
        };
        vec![
            (Pane::Flow, flow),
            (middle, narration),
            (Pane::Timeline, timeline),
        ]
    }
}

fn draw_pane(frame: &mut Frame, area: Rect, app: &App, pane: Pane) {
    let title = match pane {
        Pane::Flow => " Flow ".to_string(),
        Pane::Narration => " What is happening ".to_string(),
        Pane::Scheduler | Pane::Cluster | Pane::Events | Pane::Etcd => lower_title(app, pane),
        Pane::Object => object::title(app),
        Pane::Timeline => timeline::title(app),
    };
    let border = if app.focus == pane {
        app.theme.focused_border()
    } else {
        app.theme.dim()
    };
    let block = Block::bordered()
        .border_style(border)
        .title(Line::styled(title, app.theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    match pane {
        Pane::Flow => flow::draw(frame, inner, app),
        Pane::Narration => narration::draw(frame, inner, app),
        Pane::Scheduler => scheduler::draw(frame, inner, app),
        Pane::Cluster => cluster::draw(frame, inner, app),
        Pane::Events => events::draw(frame, inner, app),
        Pane::Etcd => etcd::draw(frame, inner, app),
        Pane::Object => object::draw(frame, inner, app),
        Pane::Timeline => timeline::draw(frame, inner, app),
    }
}

/// The lower panes' title: each one's name, the one shown marked (tab reaches the others).
fn lower_title(app: &App, shown: Pane) -> String {
    let name = |pane: Pane| match pane {
        Pane::Scheduler => "Scheduler: filter ▸ score",
        Pane::Cluster => "Cluster",
        Pane::Events => "Events",
        _ => "etcd",
    };
    let mut title = format!(" {} ", name(shown));
    if !app.zoom {
        let others: Vec<&str> = Pane::LOWER
            .iter()
            .filter(|p| **p != shown)
            .map(|p| name(*p).split(':').next().unwrap_or_default())
            .collect();
        title.push_str(&format!("· tab: {} ", others.join(", ")));
    }
    title
}

/// How far a scrolled pane is scrolled, kept inside its `rows`.
fn scrolled(app: &App, pane: Pane, rows: usize, height: usize) -> usize {
    app.scroll
        .get(&pane)
        .copied()
        .unwrap_or(0)
        .min(rows.saturating_sub(height))
}

/// What an empty pane says it will show.
fn placeholder(frame: &mut Frame, area: Rect, app: &App, text: &str) {
    frame.render_widget(
        Paragraph::new(Line::styled(text.to_string(), app.theme.dim())).wrap(Wrap { trim: true }),
        area,
    );
}

fn too_small(frame: &mut Frame, area: Rect) {
    let text = format!(
        "terminal too small: podflow needs {MIN_WIDTH}×{MIN_HEIGHT}, this one is {}×{} (q quits)",
        area.width, area.height
    );
    frame.render_widget(
        Paragraph::new(text)
            .style(Style::default())
            .wrap(Wrap { trim: true }),
        area,
    );
}
