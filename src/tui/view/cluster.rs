//! The cluster at a glance: each node with its cpu and memory requested against allocatable
//! as bars, NotReady and cordoned nodes marked, and its pods coloured by phase; then the pods
//! no node runs yet.

use crate::tui::app::{App, Pane};
use crate::tui::snapshot::{NodeRow, PodRow};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

const BAR: usize = 12;

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let Some(snapshot) = &app.cluster else {
        return super::placeholder(
            frame,
            area,
            app,
            "The nodes, what their pods request of them, and the pods on each appear here.",
        );
    };
    let theme = &app.theme;
    let mut lines = Vec::new();
    for node in &snapshot.nodes {
        lines.push(node_line(app, node));
        lines.push(pods_line(app, "  ", &node.pods));
    }
    if !snapshot.unscheduled.is_empty() {
        lines.push(Line::styled("not scheduled yet", theme.title()));
        lines.push(pods_line(app, "  ", &snapshot.unscheduled));
    }
    let top = super::scrolled(app, Pane::Cluster, lines.len(), area.height as usize);
    frame.render_widget(Paragraph::new(lines).scroll((top as u16, 0)), area);
}

fn node_line<'a>(app: &App, node: &'a NodeRow) -> Line<'a> {
    let theme = &app.theme;
    let state = if !node.ready {
        Span::styled("NotReady", theme.error())
    } else if node.unschedulable {
        Span::styled("Ready,SchedulingDisabled", theme.mode())
    } else {
        Span::styled("Ready", theme.ok())
    };
    Line::from(vec![
        Span::styled(format!("{:<14}", node.name), theme.title()),
        state,
        Span::raw("  cpu "),
        bar(app, node.cpu_requested_milli, node.cpu_allocatable_milli),
        Span::raw(format!(
            " {}m/{}m  mem ",
            node.cpu_requested_milli, node.cpu_allocatable_milli
        )),
        bar(app, node.memory_requested, node.memory_allocatable),
        Span::raw(format!(
            " {}/{}",
            mebibytes(node.memory_requested),
            mebibytes(node.memory_allocatable)
        )),
    ])
}

fn bar(app: &App, used: i64, total: i64) -> Span<'static> {
    let filled = if total > 0 {
        ((used.max(0) as f64 / total as f64) * BAR as f64).ceil() as usize
    } else {
        0
    }
    .min(BAR);
    let style = if filled * 10 >= BAR * 9 {
        app.theme.error()
    } else {
        app.theme.ok()
    };
    Span::styled(
        format!("{}{}", "█".repeat(filled), "░".repeat(BAR - filled)),
        style,
    )
}

fn mebibytes(bytes: i64) -> String {
    format!("{}Mi", bytes / (1024 * 1024))
}

fn pods_line<'a>(app: &App, indent: &'a str, pods: &'a [PodRow]) -> Line<'a> {
    if pods.is_empty() {
        return Line::styled(format!("{indent}no pods"), app.theme.dim());
    }
    let mut spans = vec![Span::raw(indent)];
    for pod in pods {
        let style: Style = app.theme.phase(&pod.phase);
        spans.push(Span::styled(format!("● {} ", pod.name), style));
    }
    Line::from(spans)
}
