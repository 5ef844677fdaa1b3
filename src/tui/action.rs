//! Every user intent, as data: keys map to these (see `keymap`), and `App::update` applies
//! them — so the UI can be tested without a terminal.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
}
