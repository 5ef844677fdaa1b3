//! Keys to actions. `→` steps, except in the timeline, where `←`/`→` move in history. While
//! the command line is open, keys type into it.

use super::action::Action;
use super::app::Pane;
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEvent, MouseEventKind};

pub fn action_for(key: KeyEvent, focus: Pane, typing: bool) -> Option<Action> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if typing {
        return Some(match key.code {
            KeyCode::Char('c') if ctrl => Action::Quit,
            KeyCode::Char(c) => Action::Input(c),
            KeyCode::Backspace => Action::Erase,
            KeyCode::Tab => Action::Complete,
            KeyCode::Enter => Action::Submit,
            KeyCode::Esc => Action::Back,
            _ => return None,
        });
    }
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
        KeyCode::Enter => Action::Submit,
        KeyCode::Char(':') => Action::CommandLine,
        KeyCode::Char('a') => Action::Picker,
        KeyCode::Char('f') => Action::Faults,
        KeyCode::Char('g') => Action::Glossary,
        _ => return None,
    })
}

/// Click to focus, wheel to scroll.
pub fn action_for_mouse(mouse: MouseEvent) -> Option<Action> {
    let (x, y) = (mouse.column, mouse.row);
    match mouse.kind {
        MouseEventKind::Down(_) => Some(Action::Click(x, y)),
        MouseEventKind::ScrollUp => Some(Action::Wheel(x, y, true)),
        MouseEventKind::ScrollDown => Some(Action::Wheel(x, y, false)),
        _ => None,
    }
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
            action_for(key(KeyCode::Right), Pane::Flow, false),
            Some(Action::Step)
        );
        assert_eq!(
            action_for(key(KeyCode::Right), Pane::Timeline, false),
            Some(Action::Down)
        );
        assert_eq!(
            action_for(key(KeyCode::Char(' ')), Pane::Timeline, false),
            Some(Action::Step)
        );
        assert_eq!(
            action_for(
                KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL),
                Pane::Flow,
                false
            ),
            Some(Action::Quit)
        );
        assert_eq!(action_for(key(KeyCode::Char('x')), Pane::Flow, false), None);
        assert_eq!(
            action_for(key(KeyCode::Char('q')), Pane::Flow, true),
            Some(Action::Input('q')),
            "the command line types q"
        );
    }
}
