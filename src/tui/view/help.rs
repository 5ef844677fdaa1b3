//! The `?` overlay: every key, and a few words of the glossary. Esc closes it.

use crate::tui::app::App;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

const KEYS: [(&str, &str); 19] = [
    (
        "space, →",
        "release the next hop (step mode); with none waiting, jump to the next timer",
    ),
    ("p", "auto-play, or pause it"),
    ("+ / -", "auto-play faster / slower (0.25× to 16×)"),
    ("m", "mode: step → auto → live"),
    (
        ":",
        "command: apply FILE · delete KIND NAME · scale deploy NAME N · scenario NAME · fault node-down NODE · mode M · speed X (Tab completes)",
    ),
    (
        "a",
        "pick a shipped manifest to apply or a scenario to play",
    ),
    ("f", "faults: take a node down, bring it back"),
    ("g", "glossary"),
    (
        "tab, shift-tab",
        "focus the next / previous pane (scheduler, cluster, events, etcd share a slot); click focuses too",
    ),
    (
        "j/k, ↑/↓",
        "move in the timeline (← / → too, when it has the focus), or scroll the focused pane; wheel too",
    ),
    ("PgUp / PgDn", "ten at a time"),
    ("Enter", "in the timeline: hold the hop in view"),
    ("End, G", "follow the newest hop again"),
    ("z", "zoom the focused pane"),
    ("?", "this help"),
    ("Esc", "close, unzoom, or stop looking at history"),
    ("q, Ctrl-C", "quit (the terminal is restored)"),
    (
        "kubectl",
        "in another terminal, with the KUBECONFIG of the header: its requests appear here",
    ),
    ("--ascii", "plain ASCII screen; NO_COLOR turns colour off"),
];

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let theme = &app.theme;
    let [_, middle, _] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length((KEYS.len() as u16 + 12).min(area.height)),
        Constraint::Fill(1),
    ])
    .areas(area);
    let [_, box_area, _] = Layout::horizontal([
        Constraint::Fill(1),
        Constraint::Length(100.min(area.width)),
        Constraint::Fill(1),
    ])
    .areas(middle);
    frame.render_widget(Clear, box_area);
    let mut lines: Vec<Line> = KEYS
        .iter()
        .map(|(key, what)| {
            Line::from(vec![
                Span::styled(format!("{key:>15}  "), theme.title()),
                Span::raw(*what),
            ])
        })
        .collect();
    if let Some(term) = app.narration.glossary.first() {
        lines.push(Line::raw(""));
        lines.push(Line::from(vec![
            Span::styled(format!("{}: ", term.term), theme.title()),
            Span::raw(term.meaning.as_str()),
        ]));
    }
    let block = Block::bordered()
        .border_style(theme.focused_border())
        .title(Line::styled(" Keys · Esc closes ", theme.title()));
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        box_area,
    );
}
