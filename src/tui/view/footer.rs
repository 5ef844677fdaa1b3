//! The bottom line: the keys, and the latest message.

use crate::tui::app::App;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub const KEYS: &str =
    "space step · p play · +/- speed · m mode · tab focus · j/k scroll · z zoom · ? help · q quit";

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let mut spans = vec![Span::styled(KEYS, app.theme.dim())];
    if let Some(message) = &app.message {
        spans.insert(0, Span::styled(format!("{message} │ "), app.theme.mode()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
