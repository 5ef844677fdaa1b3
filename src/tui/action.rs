//! Every user intent, as data: keys map to these (see `keymap`), and `App::update` applies
//! them — so the UI can be tested without a terminal.

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Action {
    /// Release the next hop (in live mode: switch to step first).
    Step,
    /// Auto-play on, or pause/resume it.
    TogglePlay,
    Faster,
    Slower,
    /// step → auto → live → step.
    CycleMode,
    FocusNext,
    FocusPrevious,
    /// Move the selection in the focused pane (timeline: older/newer hop).
    Up,
    Down,
    PageUp,
    PageDown,
    /// Back to following the newest hop.
    Follow,
    /// Zoom the focused pane to the whole screen, or back.
    Zoom,
    Help,
    /// Close the overlay, or stop looking at history.
    Back,
    Quit,
    /// Open the `:` command line.
    CommandLine,
    /// The picker of shipped manifests and scenarios (`a`).
    Picker,
    /// The fault palette (`f`).
    Faults,
    /// The glossary overlay (`g`).
    Glossary,
    /// Typing in the command line.
    Input(char),
    Erase,
    /// Tab in the command line.
    Complete,
    /// Enter: run the command line or the picked entry; in the timeline, hold the hop in view.
    Submit,
    /// A mouse click at (column, row): focus the pane there.
    Click(u16, u16),
    /// The mouse wheel at (column, row): scroll the pane there (up: true).
    Wheel(u16, u16, bool),
}
