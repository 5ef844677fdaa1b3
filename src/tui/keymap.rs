//! Keys to actions. `→` steps, except in the timeline, where `←`/`→` move in history.

use super::action::Action;
use super::app::Pane;
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

pub fn action_for(key: KeyEvent, focus: Pane) -> Option<Action> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    Some(match key.code {
        KeyCode::Char('c') if ctrl => Action::Quit,
        KeyCode::Char('q') => Action::Quit,
        KeyCode::Char(' ') => Action::Step,
        KeyCode::Right if focus == Pane::Timeline => Action::Down,
        KeyCode::Left if focus == Pane::Timeline => Action::Up,
        KeyCode::Right => Action::Step,
        KeyCode::Char('p') => Action::TogglePlay,
        KeyCode::Char('+') | KeyCode::Char('=') => Action::Faster,
        KeyCode::Char('-') => Action::Slower,
        KeyCode::Char('m') => Action::CycleMode,
        KeyCode::Tab => Action::FocusNext,
        KeyCode::BackTab => Action::FocusPrevious,
        KeyCode::Up | KeyCode::Char('k') => Action::Up,
        KeyCode::Down | KeyCode::Char('j') => Action::Down,
        KeyCode::PageUp => Action::PageUp,
        KeyCode::PageDown => Action::PageDown,
        KeyCode::End | KeyCode::Char('G') => Action::Follow,
        KeyCode::Char('z') => Action::Zoom,
        KeyCode::Char('?') => Action::Help,
        KeyCode::Esc => Action::Back,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn arrows_step_or_move_in_history() {
        assert_eq!(
            action_for(key(KeyCode::Right), Pane::Flow),
            Some(Action::Step)
        );
        assert_eq!(
            action_for(key(KeyCode::Right), Pane::Timeline),
            Some(Action::Down)
        );
        assert_eq!(
            action_for(key(KeyCode::Char(' ')), Pane::Timeline),
            Some(Action::Step)
        );
        assert_eq!(
            action_for(
                KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL),
                Pane::Flow
            ),
            Some(Action::Quit)
        );
        assert_eq!(action_for(key(KeyCode::Char('x')), Pane::Flow), None);
    }
}
