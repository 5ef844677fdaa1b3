//! The object the hop in view touched, as YAML at that hop's revision: lines that changed
//! since the object's previous revision are marked `+`, and `managedFields` is folded into
//! one line (it is bookkeeping for server-side apply, long and rarely the lesson).

use crate::tui::app::App;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use serde_json::Value;
use std::collections::BTreeSet;

/// The YAML of an object with `managedFields` folded.
pub fn yaml(object: &Value) -> Vec<String> {
    let mut object = object.clone();
    let managers = object
        .pointer_mut("/metadata")
        .and_then(Value::as_object_mut)
        .and_then(|m| m.remove("managedFields"))
        .and_then(|f| f.as_array().map(Vec::len));
    let text = serde_yaml::to_string(&object).unwrap_or_default();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    if let Some(n) = managers {
        let at = lines
            .iter()
            .position(|l| l == "metadata:")
            .map_or(0, |i| i + 1);
        lines.insert(at, format!("  managedFields: … ({n} managers, folded)"));
    }
    lines
}

pub fn title(app: &App) -> String {
    match app.current().and_then(|h| h.object.as_ref()) {
        Some(object) => format!(" Object · {object} "),
        None => " Object ".to_string(),
    }
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let theme = &app.theme;
    let shown = app.current().and_then(|hop| {
        let object = hop.object.as_ref()?;
        let source = app.objects.as_ref()?;
        source.at(object, hop.rev)
    });
    let Some(revisions) = shown else {
        return super::placeholder(
            frame,
            area,
            app,
            "The object the hop touched appears here, as it was at that revision.",
        );
    };
    let before: BTreeSet<String> = revisions
        .previous
        .as_ref()
        .map(|p| yaml(p).into_iter().collect())
        .unwrap_or_default();
    let mut lines = vec![Line::styled(
        format!(
            "# resourceVersion {}{}",
            revisions.revision,
            if revisions.previous.is_some() {
                " · + changed since the previous revision"
            } else {
                " · new"
            }
        ),
        theme.dim(),
    )];
    let current = yaml(&revisions.current);
    // Colour the YAML lines on screen, unless colour is off.
    let dark = theme.name == crate::tui::theme::ThemeName::Dark;
    let changed = |line: &String| revisions.previous.is_some() && !before.contains(line);
    // Open the view at the first change that says something (every write changes
    // resourceVersion and the managers), with a little context above it.
    let room = (area.height as usize).saturating_sub(1);
    let telling = |line: &String| {
        changed(line)
            && !line.starts_with("  resourceVersion:")
            && !line.starts_with("  managedFields:")
    };
    let first = current.iter().position(telling).unwrap_or(0);
    let start = first
        .saturating_sub(3)
        .min(current.len().saturating_sub(room));
    if start > 0 {
        lines.push(Line::styled(
            format!("  … {start} lines above"),
            theme.dim(),
        ));
    }
    for line in current
        .iter()
        .skip(start)
        .take(room.saturating_sub(usize::from(start > 0)))
    {
        let mut spans = vec![if changed(line) {
            Span::styled("+ ", theme.to())
        } else {
            Span::raw("  ")
        }];
        if theme.color {
            let pieces = app.highlighted.line(line, dark);
            spans.extend(
                pieces
                    .iter()
                    .map(|(style, text)| Span::styled(text.clone(), *style)),
            );
        } else {
            spans.push(Span::raw(line.clone()));
        }
        lines.push(Line::from(spans));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn managed_fields_fold_into_one_line() {
        let pod = json!({"metadata": {"name": "web", "managedFields": [{}, {}]}, "spec": {}});
        let lines = yaml(&pod);
        assert_eq!(lines[0], "metadata:");
        assert_eq!(lines[1], "  managedFields: … (2 managers, folded)");
        assert!(lines.iter().all(|l| !l.contains("manager:")));
    }
}
