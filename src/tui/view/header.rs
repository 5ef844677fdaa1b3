//! The top line: mode, auto-play speed, sim time, what waits, and where kubectl can connect.

use crate::flow::Mode;
use crate::flow::format_clock;
use crate::tui::app::{App, speed_text};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let theme = &app.theme;
    // While the cluster boots (live), the header already names the mode the lesson starts in.
    let mode = app.booting.unwrap_or_else(|| app.conductor.mode());
    let mut spans = vec![
        Span::styled(" podflow ", theme.title()),
        Span::raw("· "),
        Span::styled(mode.as_str(), theme.mode()),
    ];
    if mode == Mode::Auto {
        let paused = if app.conductor.auto_paused() {
            " (paused)"
        } else {
            ""
        };
        spans.push(Span::raw(format!(
            " {}{paused}",
            speed_text(app.conductor.auto_speed())
        )));
    }
    spans.push(Span::raw(format!(
        " · t={}",
        format_clock(app.clock.now_ms() - app.origin_ms)
    )));
    if app.booting.is_some() {
        spans.push(Span::styled(" · booting", theme.mode()));
    } else if mode != Mode::Live {
        let waiting = app.conductor.waiting_count();
        spans.push(Span::raw(format!(" · {waiting} waiting")));
    }
    if !app.endpoint.api.is_empty() {
        spans.push(Span::raw(format!(" · api {}", app.endpoint.api)));
    }
    if !app.endpoint.kubeconfig.is_empty() {
        spans.push(Span::styled(
            format!(" · export KUBECONFIG={}", app.endpoint.kubeconfig),
            theme.dim(),
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
