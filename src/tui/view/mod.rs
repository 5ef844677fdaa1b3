//! Drawing: pure functions of `&App` into a frame, one file a pane. The full layout needs
//! 120×35; from 80×24 a compact one still shows the flow, the narration and the timeline;
//! below that, a notice says the terminal is too small (never a panic, down to 1×1).

mod flow;
mod footer;
mod header;
mod help;
mod narration;
mod object;
mod scheduler;
mod timeline;

use super::app::{App, Pane};
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
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(frame, area);
        return;
    }
    let [top, body, bottom] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    header::draw(frame, top, app);
    footer::draw(frame, bottom, app);
    if app.zoom {
        draw_pane(frame, body, app, app.focus);
    } else if area.width >= FULL.0 && area.height >= FULL.1 {
        let [flow, rest] =
            Layout::vertical([Constraint::Length(7), Constraint::Min(0)]).areas(body);
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
                .areas(rest);
        let [narration, scheduler] =
            Layout::vertical([Constraint::Length(12), Constraint::Min(4)]).areas(left);
        let [object, timeline] =
            Layout::vertical([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(right);
        draw_pane(frame, flow, app, Pane::Flow);
        draw_pane(frame, narration, app, Pane::Narration);
        draw_pane(frame, scheduler, app, Pane::Scheduler);
        draw_pane(frame, object, app, Pane::Object);
        draw_pane(frame, timeline, app, Pane::Timeline);
    } else {
        let [flow, narration, timeline] = Layout::vertical([
            Constraint::Length(6),
            Constraint::Length(9),
            Constraint::Min(3),
        ])
        .areas(body);
        draw_pane(frame, flow, app, Pane::Flow);
        // Compact: the scheduler's table or the object takes the narration's place while it
        // has the focus.
        let middle = match app.focus {
            Pane::Scheduler | Pane::Object => app.focus,
            _ => Pane::Narration,
        };
        draw_pane(frame, narration, app, middle);
        draw_pane(frame, timeline, app, Pane::Timeline);
    }
    if app.help {
        help::draw(frame, body, app);
    }
}

fn draw_pane(frame: &mut Frame, area: Rect, app: &App, pane: Pane) {
    let title = match pane {
        Pane::Flow => " Flow ".to_string(),
        Pane::Narration => " What is happening ".to_string(),
        Pane::Scheduler => " Scheduler: filter ▸ score ".to_string(),
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
        Pane::Object => object::draw(frame, inner, app),
        Pane::Timeline => timeline::draw(frame, inner, app),
    }
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
