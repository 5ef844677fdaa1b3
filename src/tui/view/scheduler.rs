//! The scheduler's latest decision (at or before the hop in view): for every node it looked
//! at, each filter's verdict — the first failure with its reason — then each score plugin's
//! weighted score and the total; the winner starred.

use crate::tui::app::App;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use serde_json::Value;

/// Score plugins' names, short enough for a column.
fn short(plugin: &str) -> &str {
    match plugin {
        "TaintToleration" => "Taint",
        "NodeAffinity" => "Affin",
        "PodTopologySpread" => "Spread",
        "InterPodAffinity" => "PodAff",
        "NodeResourcesFit" => "Fit",
        "NodeResourcesBalancedAllocation" => "Balance",
        "ImageLocality" => "Image",
        other => other,
    }
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let theme = &app.theme;
    let Some(record) = app.decision() else {
        return super::placeholder(
            frame,
            area,
            app,
            "No scheduling decision yet: the scheduler's filters and scores appear here.",
        );
    };
    let nodes = record
        .get("nodes")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let plugins: Vec<String> = nodes
        .iter()
        .filter_map(|n| n.get("scores").and_then(Value::as_array))
        .find(|s| !s.is_empty())
        .map(|scores| {
            scores
                .iter()
                .map(|s| text(s, "plugin").to_string())
                .collect()
        })
        .unwrap_or_default();
    let winner = text(&record, "winner");
    let mut lines = vec![Line::from(vec![
        Span::styled(format!("pod {} ", text(&record, "pod")), theme.title()),
        Span::raw(match record.get("winner").and_then(Value::as_str) {
            Some(w) => format!("→ {w}"),
            None => "→ no node".to_string(),
        }),
        Span::styled(
            format!(
                "   ({} of {} nodes evaluated)",
                record
                    .get("nodesEvaluated")
                    .and_then(Value::as_u64)
                    .unwrap_or(0),
                record
                    .get("nodesTotal")
                    .and_then(Value::as_u64)
                    .unwrap_or(0)
            ),
            theme.dim(),
        ),
    ])];
    let mut header = format!("{:<16}{:<9}", "node", "filters");
    for plugin in &plugins {
        header.push_str(&format!("{:>8}", short(plugin)));
    }
    header.push_str(&format!("{:>8}", "total"));
    lines.push(Line::styled(header, theme.dim()));
    for node in &nodes {
        let name = text(node, "node");
        let star = if name == winner { " ★" } else { "" };
        let feasible = node.get("feasible").and_then(Value::as_bool) == Some(true);
        let mut row = format!("{:<16}", format!("{name}{star}"));
        if feasible {
            row.push_str(&format!("{:<9}", "✓ all"));
            let scores = node.get("scores").and_then(Value::as_array);
            for plugin in &plugins {
                let weighted = scores
                    .into_iter()
                    .flatten()
                    .find(|s| text(s, "plugin") == plugin)
                    .and_then(|s| s.get("weighted").and_then(Value::as_i64));
                row.push_str(&match weighted {
                    Some(w) => format!("{w:>8}"),
                    None => format!("{:>8}", "·"),
                });
            }
            row.push_str(&format!(
                "{:>8}",
                node.get("total").and_then(Value::as_i64).unwrap_or(0)
            ));
            let style = if name == winner {
                theme.to()
            } else {
                theme.text()
            };
            lines.push(Line::styled(row, style));
        } else {
            let failed = node
                .get("filters")
                .and_then(Value::as_array)
                .and_then(|f| f.last())
                .map(|f| {
                    let reasons: Vec<&str> = f
                        .get("reasons")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .collect();
                    format!("✗ {}: {}", text(f, "plugin"), reasons.join("; "))
                })
                .unwrap_or_else(|| "✗".to_string());
            row.push_str(&failed);
            lines.push(Line::styled(row, theme.error()));
        }
    }
    if let Some(message) = record.get("message").and_then(Value::as_str) {
        lines.push(Line::styled(message.to_string(), theme.error()));
    }
    frame.render_widget(Paragraph::new(lines), area);
}
