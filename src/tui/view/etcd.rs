//! The keys under `/registry/` as etcd holds them, with each key's create revision, mod
//! revision (an object's resourceVersion) and version (changes since it was created).

use crate::tui::app::{App, Pane};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let theme = &app.theme;
    let Some(snapshot) = &app.cluster else {
        return super::placeholder(frame, area, app, "etcd's keys appear here.");
    };
    let mut lines = vec![Line::styled(
        format!(
            "{:>7} {:>7} {:>4}  KEY  (revision {}, {} keys)",
            "CREATE", "MOD", "VER", snapshot.revision, snapshot.keys_total
        ),
        theme.title(),
    )];
    for key in &snapshot.keys {
        lines.push(Line::raw(format!(
            "{:>7} {:>7} {:>4}  {}",
            key.create_revision, key.mod_revision, key.version, key.key
        )));
    }
    if snapshot.keys_total > snapshot.keys.len() {
        lines.push(Line::styled(
            format!("… and {} more", snapshot.keys_total - snapshot.keys.len()),
            theme.dim(),
        ));
    }
    let top = super::scrolled(app, Pane::Etcd, lines.len(), area.height as usize);
    frame.render_widget(Paragraph::new(lines).scroll((top as u16, 0)), area);
}
