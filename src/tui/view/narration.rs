//! The hop in view, explained: *What happens*, *Why it matters*, *Under the hood* (from the
//! narration file), then the hop itself — number, time, who to whom, and its summary.

use crate::flow::Detail;
use crate::flow::format_clock;
use crate::tui::app::App;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let theme = &app.theme;
    let lesson = app.note.as_ref().map(|note| {
        Line::from(vec![
            Span::styled("Lesson  ", theme.mode()),
            Span::styled(note.as_str(), theme.mode()),
        ])
    });
    let Some(hop) = app.current() else {
        if let Some(lesson) = lesson {
            return frame.render_widget(Paragraph::new(lesson).wrap(Wrap { trim: true }), area);
        }
        return super::placeholder(
            frame,
            area,
            app,
            "Each step of the cluster appears here as a hop: who talked to whom, about which object, and why.",
        );
    };
    let mut lines: Vec<Line> = lesson.into_iter().collect();
    if let Some(entry) = app.narration.hop(hop.kind.as_str()) {
        for (label, text) in [
            ("What happens  ", &entry.what),
            ("Why it matters  ", &entry.why),
            ("Under the hood  ", &entry.under),
        ] {
            lines.push(Line::from(vec![
                Span::styled(label, theme.title()),
                Span::raw(text.as_str()),
            ]));
        }
    }
    let mut this = format!(
        "#{} {} {} → {}: {}",
        hop.seq,
        format_clock(hop.t_ms - app.origin_ms),
        hop.from,
        hop.to,
        hop.summary
    );
    if let Some(rev) = hop.rev {
        this.push_str(&format!(" (rev {rev})"));
    }
    lines.push(Line::from(vec![
        Span::styled("This hop  ", theme.title()),
        Span::raw(this),
    ]));
    match &hop.detail {
        Detail::Request {
            verb,
            path,
            user_agent,
        } => lines.push(Line::styled(
            format!("{verb} {path}  ({user_agent})"),
            theme.dim(),
        )),
        Detail::Authenticated {
            user,
            groups,
            method,
        } => lines.push(Line::styled(
            format!("{method}: {user} [{}]", groups.join(", ")),
            theme.dim(),
        )),
        _ => {}
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), area);
}
