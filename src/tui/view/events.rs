//! Events as `kubectl get events` lists them — last seen, type, reason, object, message —
//! newest last.

use crate::flow::format_clock;
use crate::tui::app::{App, Pane};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let theme = &app.theme;
    let events = app
        .cluster
        .as_ref()
        .map(|c| c.events.as_slice())
        .unwrap_or(&[]);
    if events.is_empty() {
        return super::placeholder(
            frame,
            area,
            app,
            "No events yet: the scheduler, kubelets and controllers record what they did here.",
        );
    }
    let mut lines = vec![Line::styled(
        format!(
            "{:<10} {:<8} {:<18} {:<24} MESSAGE",
            "LAST SEEN", "TYPE", "REASON", "OBJECT"
        ),
        theme.title(),
    )];
    for event in events {
        let kind = if event.kind == "Warning" {
            theme.error()
        } else {
            theme.text()
        };
        let since = event.last_ms - app.origin_ms;
        let seen = if since < 0 {
            "boot".to_string()
        } else {
            format_clock(since)
        };
        let count = if event.count > 1 {
            format!(" (x{})", event.count)
        } else {
            String::new()
        };
        lines.push(Line::from(vec![
            Span::raw(format!("{seen:<10} ")),
            Span::styled(format!("{:<8} ", event.kind), kind),
            Span::raw(format!("{:<18} {:<24} ", event.reason, event.object)),
            Span::raw(format!("{}{count}", event.message)),
        ]));
    }
    // Newest last: start at the bottom unless scrolled up.
    let height = area.height as usize;
    let bottom = lines.len().saturating_sub(height);
    let back = app
        .scroll
        .get(&Pane::Events)
        .copied()
        .unwrap_or(0)
        .min(bottom);
    frame.render_widget(
        Paragraph::new(lines).scroll(((bottom - back) as u16, 0)),
        area,
    );
}
