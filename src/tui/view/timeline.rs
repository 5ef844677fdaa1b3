//! Every hop, newest last: time, who to whom, summary. The hop in view is highlighted; the
//! list follows the newest hop unless one is selected.

use crate::flow::format_clock;
use crate::tui::app::App;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn title(app: &App) -> String {
    let mut title = format!(" Timeline · {} hops", app.timeline.len());
    if app.dropped > 0 {
        title.push_str(&format!(" ({} older not kept)", app.dropped));
    }
    if app.selected.is_some() {
        title.push_str(" · history (End follows)");
    }
    title.push(' ');
    title
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let theme = &app.theme;
    let height = area.height as usize;
    if height == 0 || app.timeline.is_empty() {
        return;
    }
    let at = app.current_index().unwrap_or(0);
    // Keep the hop in view on screen, as low as it can be.
    let start = (at + 1).saturating_sub(height);
    let end = (start + height).min(app.timeline.len());
    let lines: Vec<Line> = (start..end)
        .filter_map(|i| app.timeline.get(i).map(|hop| (i, hop)))
        .map(|(i, hop)| {
            let text = format!(
                "{} {} → {}  {}",
                format_clock(hop.t_ms - app.origin_ms),
                hop.label(&hop.from),
                hop.label(&hop.to),
                hop.summary
            );
            if i == at {
                Line::from(Span::styled(text, theme.selected()))
            } else {
                Line::raw(text)
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), area);
}
