//! The overlays besides help: the glossary (`g`), a picker (`a` manifests and scenarios, `f`
//! faults) and the `:` command line over the bottom bar.

use crate::tui::app::{App, CommandLine, Picker};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

/// A box of `width` × `height` in the middle of `area`, cleared.
fn centered(frame: &mut Frame, area: Rect, width: u16, height: u16) -> Rect {
    let [_, middle, _] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(height.min(area.height)),
        Constraint::Fill(1),
    ])
    .areas(area);
    let [_, rect, _] = Layout::horizontal([
        Constraint::Fill(1),
        Constraint::Length(width.min(area.width)),
        Constraint::Fill(1),
    ])
    .areas(middle);
    frame.render_widget(Clear, rect);
    rect
}

pub fn glossary(frame: &mut Frame, area: Rect, app: &App, scroll: usize) {
    let theme = &app.theme;
    let rect = centered(frame, area, 110, area.height.saturating_sub(2));
    let lines: Vec<Line> = app
        .narration
        .glossary
        .iter()
        .map(|term| {
            Line::from(vec![
                Span::styled(format!("{}: ", term.term), theme.title()),
                Span::raw(term.meaning.as_str()),
            ])
        })
        .collect();
    let top = scroll.min(lines.len().saturating_sub(1));
    let block = Block::bordered()
        .border_style(theme.focused_border())
        .title(Line::styled(
            " Glossary · j/k scroll · Esc closes ",
            theme.title(),
        ));
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: true })
            .scroll((top as u16, 0)),
        rect,
    );
}

pub fn picker(frame: &mut Frame, area: Rect, app: &App, picker: &Picker) {
    let theme = &app.theme;
    let height = picker.entries.len() as u16 + 2;
    let rect = centered(frame, area, 100, height.max(3));
    let inner_height = rect.height.saturating_sub(2) as usize;
    let top = (picker.at + 1).saturating_sub(inner_height);
    let lines: Vec<Line> = if picker.entries.is_empty() {
        vec![Line::styled("nothing to choose from", theme.dim())]
    } else {
        picker
            .entries
            .iter()
            .enumerate()
            .skip(top)
            .map(|(i, (label, _))| {
                if i == picker.at {
                    Line::styled(format!("▸ {label}"), theme.selected())
                } else {
                    Line::raw(format!("  {label}"))
                }
            })
            .collect()
    };
    let block = Block::bordered()
        .border_style(theme.focused_border())
        .title(Line::styled(picker.title.as_str(), theme.title()));
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}

/// The line being typed, over the bottom bar; Tab's choices above it.
pub fn command_line(frame: &mut Frame, bottom: Rect, app: &App, line: &CommandLine) {
    let theme = &app.theme;
    frame.render_widget(Clear, bottom);
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(":", theme.mode()),
            Span::raw(line.text.as_str()),
            Span::styled("█", theme.dim()),
            Span::styled("   Tab completes · Enter runs · Esc cancels", theme.dim()),
        ])),
        bottom,
    );
    if !line.choices.is_empty() && bottom.y > 0 {
        let above = Rect::new(bottom.x, bottom.y - 1, bottom.width, 1);
        frame.render_widget(Clear, above);
        frame.render_widget(
            Paragraph::new(Line::styled(line.choices.join("  "), theme.title())),
            above,
        );
    }
}
