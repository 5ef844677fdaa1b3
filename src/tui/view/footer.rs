//! The bottom line: the keys, and the latest message.

use crate::tui::app::App;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub const KEYS: &str = "space step · p play · +/- speed · m mode · : command · a apply · f fault · tab focus · z zoom · g glossary · ? help · q quit";

/// The keys that matter most, for a narrow screen (the rest are in `?`).
pub const KEYS_SHORT: &str =
    "space step · p play · m mode · : command · a apply · f fault · ? help · q quit";

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let keys = if area.width as usize >= KEYS.chars().count() {
        KEYS
    } else {
        KEYS_SHORT
    };
    let mut spans = vec![Span::styled(keys, app.theme.dim())];
    if let Some(message) = &app.message {
        let style = if app.failed {
            app.theme.error()
        } else {
            app.theme.mode()
        };
        spans.insert(0, Span::styled(format!("{message} │ "), style));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
