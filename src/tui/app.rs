//! The UI's state and its update: what is shown (the timeline of hops, the hop in view, the
//! focused pane, overlays) and how each `Action` changes it. Drawing is in `view`; talking to
//! the cluster is the event loop's job — `update` only says what to do (`Effect`), so the UI
//! never waits on the cluster.

use super::action::Action;
use super::narration::Narration;
use super::theme::Theme;
use crate::clock::Clock;
use crate::flow::{AUTO_SPEEDS, Conductor, Detail, Hop, HopKind, Mode};
use std::collections::VecDeque;
use std::sync::Arc;

/// How many hops the timeline keeps (older ones are dropped and counted).
pub const TIMELINE: usize = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Flow,
    Narration,
    Scheduler,
    Object,
    Timeline,
}

impl Pane {
    const ORDER: [Pane; 5] = [
        Pane::Flow,
        Pane::Narration,
        Pane::Scheduler,
        Pane::Object,
        Pane::Timeline,
    ];

    fn next(self, by: isize) -> Pane {
        let at = Pane::ORDER.iter().position(|p| *p == self).unwrap_or(0) as isize;
        let n = Pane::ORDER.len() as isize;
        Pane::ORDER[((at + by).rem_euclid(n)) as usize]
    }
}

/// What the event loop must do for an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    None,
    /// Release the next hop (`Flow::step`), off the UI's task.
    Step,
    Quit,
}

/// Where the API server listens, for the header.
#[derive(Debug, Clone, Default)]
pub struct Endpoint {
    pub api: String,
    pub kubeconfig: String,
}

pub struct App {
    pub conductor: Arc<Conductor>,
    pub clock: Arc<Clock>,
    pub endpoint: Endpoint,
    /// The nodes, in order, for the flow's per-node stops.
    pub nodes: Vec<String>,
    pub narration: Narration,
    pub theme: Theme,
    /// Sim time the session started at (times are shown from it).
    pub origin_ms: i64,
    pub timeline: VecDeque<Arc<Hop>>,
    /// Hops that fell out of the timeline (or that the UI missed while busy).
    pub dropped: u64,
    /// The hop looked at in the timeline; None follows the newest.
    pub selected: Option<usize>,
    pub focus: Pane,
    pub zoom: bool,
    pub help: bool,
    /// A one-line message (an error, a mode change) for the bottom bar.
    pub message: Option<String>,
    /// Where the object pane reads objects (None: no cluster behind the UI).
    pub objects: Option<Arc<dyn super::objects::ObjectSource>>,
    /// The scheduler's recent decision records, by the seq of their hop (oldest first).
    decisions: VecDeque<(u64, Arc<serde_json::Value>)>,
    /// The mode the lesson starts in, while the cluster still boots (its nodes registering,
    /// in live mode); None once the lesson has started.
    pub booting: Option<Mode>,
}

/// How many decision records the UI keeps.
const DECISIONS: usize = 100;

impl App {
    pub fn new(
        conductor: Arc<Conductor>,
        clock: Arc<Clock>,
        endpoint: Endpoint,
        theme: Theme,
    ) -> App {
        App {
            origin_ms: clock.now_ms(),
            conductor,
            clock,
            endpoint,
            nodes: Vec::new(),
            narration: Narration::shipped(),
            theme,
            timeline: VecDeque::new(),
            dropped: 0,
            selected: None,
            focus: Pane::Flow,
            zoom: false,
            help: false,
            message: None,
            decisions: VecDeque::new(),
            objects: None,
            booting: None,
        }
    }

    /// The boot is over: the lesson starts now, in the mode it was to start in, with an empty
    /// timeline (the boot is not the lesson).
    pub fn booted(&mut self) {
        if let Some(mode) = self.booting.take() {
            self.timeline.clear();
            self.decisions.clear();
            self.dropped = 0;
            self.selected = None;
            self.origin_ms = self.clock.now_ms();
            self.conductor.set_mode(mode);
        }
    }

    /// A hop was recorded.
    pub fn push(&mut self, hop: Arc<Hop>) {
        if self.booting.is_some() {
            return;
        }
        if matches!(hop.kind, HopKind::Scored | HopKind::Unschedulable)
            && let Detail::Shared(record) = &hop.detail
            && let Some(record) = record.upgrade()
        {
            if self.decisions.len() == DECISIONS {
                self.decisions.pop_front();
            }
            self.decisions
                .push_back((hop.seq, Arc::new(record.to_json())));
        }
        if self.timeline.len() == TIMELINE {
            self.timeline.pop_front();
            self.dropped += 1;
            if let Some(at) = self.selected.as_mut() {
                *at = at.saturating_sub(1);
            }
        }
        self.timeline.push_back(hop);
    }

    /// The UI fell behind the flow by `n` hops.
    pub fn missed(&mut self, n: u64) {
        self.dropped += n;
    }

    /// The hop in view: the selected one, else the newest.
    pub fn current(&self) -> Option<&Arc<Hop>> {
        match self.selected {
            Some(at) => self.timeline.get(at),
            None => self.timeline.back(),
        }
    }

    /// The scheduler's latest decision at or before the hop in view.
    pub fn decision(&self) -> Option<Arc<serde_json::Value>> {
        let upto = self.current().map_or(u64::MAX, |h| h.seq);
        self.decisions
            .iter()
            .rev()
            .find(|(seq, _)| *seq <= upto)
            .map(|(_, record)| record.clone())
    }

    /// The index of the hop in view.
    pub fn current_index(&self) -> Option<usize> {
        self.selected.or_else(|| self.timeline.len().checked_sub(1))
    }

    pub fn update(&mut self, action: Action) -> Effect {
        if self.help && !matches!(action, Action::Help | Action::Back | Action::Quit) {
            // The overlay is modal: close it first.
            return Effect::None;
        }
        if self.booting.is_some()
            && matches!(
                action,
                Action::Step
                    | Action::TogglePlay
                    | Action::CycleMode
                    | Action::Faster
                    | Action::Slower
            )
        {
            self.message = Some("the cluster is still booting: its nodes are registering".into());
            return Effect::None;
        }
        match action {
            Action::Quit => return Effect::Quit,
            Action::Help => self.help = !self.help,
            Action::Back => {
                if self.help {
                    self.help = false;
                } else if self.zoom {
                    self.zoom = false;
                } else {
                    self.selected = None;
                }
            }
            Action::Step => {
                if self.conductor.mode() == Mode::Live {
                    self.conductor.set_mode(Mode::Step);
                    self.message = Some("step mode: each hop now waits for a step".into());
                }
                self.selected = None;
                return Effect::Step;
            }
            Action::TogglePlay => match self.conductor.mode() {
                Mode::Auto => {
                    let paused = !self.conductor.auto_paused();
                    self.conductor.set_auto_paused(paused);
                    self.message = Some(if paused {
                        "auto-play paused".into()
                    } else {
                        "auto-play".into()
                    });
                }
                _ => {
                    self.conductor.set_auto_paused(false);
                    self.conductor.set_mode(Mode::Auto);
                    self.selected = None;
                    self.message = Some("auto-play".into());
                }
            },
            Action::Faster | Action::Slower => {
                let factor = if action == Action::Faster { 2.0 } else { 0.5 };
                let speed =
                    (self.conductor.auto_speed() * factor).clamp(AUTO_SPEEDS.0, AUTO_SPEEDS.1);
                self.conductor.set_auto_speed(speed);
                self.message = Some(format!("auto-play at {}", speed_text(speed)));
            }
            Action::CycleMode => {
                let next = match self.conductor.mode() {
                    Mode::Step => Mode::Auto,
                    Mode::Auto => Mode::Live,
                    Mode::Live => Mode::Step,
                };
                if next == Mode::Auto {
                    self.conductor.set_auto_paused(false);
                }
                self.conductor.set_mode(next);
                self.message = Some(format!("mode {}", next.as_str()));
            }
            Action::FocusNext => self.focus = self.focus.next(1),
            Action::FocusPrevious => self.focus = self.focus.next(-1),
            Action::Up => self.move_selection(-1),
            Action::Down => self.move_selection(1),
            Action::PageUp => self.move_selection(-10),
            Action::PageDown => self.move_selection(10),
            Action::Follow => self.selected = None,
            Action::Zoom => self.zoom = !self.zoom,
        }
        Effect::None
    }

    fn move_selection(&mut self, by: isize) {
        let Some(last) = self.timeline.len().checked_sub(1) else {
            return;
        };
        let at = self.current_index().unwrap_or(last) as isize;
        let to = (at + by).clamp(0, last as isize) as usize;
        // Moving onto the newest hop follows the flow again.
        self.selected = (to != last).then_some(to);
    }
}

/// `1×`, `0.5×`, `16×`.
pub fn speed_text(speed: f64) -> String {
    let text = format!("{speed:.2}");
    format!("{}×", text.trim_end_matches('0').trim_end_matches('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app() -> App {
        let clock = Arc::new(Clock::paused_at(0));
        App::new(
            Arc::new(Conductor::new(clock.clone())),
            clock,
            Endpoint::default(),
            Theme::new(super::super::theme::ThemeName::Dark),
        )
    }

    fn hop(n: u64) -> Arc<Hop> {
        let mut hop = Hop::new("a", "b", HopKind::Read, format!("hop {n}"));
        hop.seq = n;
        Arc::new(hop)
    }

    #[test]
    fn the_selection_moves_in_history_and_follows_at_the_end() {
        let mut app = app();
        for n in 1..=5 {
            app.push(hop(n));
        }
        assert_eq!(app.current().unwrap().seq, 5);
        app.update(Action::Up);
        app.update(Action::Up);
        assert_eq!(app.current().unwrap().seq, 3);
        app.push(hop(6));
        assert_eq!(app.current().unwrap().seq, 3, "history stays put");
        app.update(Action::PageDown);
        assert_eq!(app.selected, None);
        assert_eq!(app.current().unwrap().seq, 6);
    }

    #[test]
    fn step_switches_live_to_step_and_asks_for_a_step() {
        let mut app = app();
        assert_eq!(app.conductor.mode(), Mode::Live);
        assert_eq!(app.update(Action::Step), Effect::Step);
        assert_eq!(app.conductor.mode(), Mode::Step);
        assert_eq!(app.update(Action::CycleMode), Effect::None);
        assert_eq!(app.conductor.mode(), Mode::Auto);
        app.update(Action::Faster);
        assert_eq!(app.conductor.auto_speed(), 2.0);
        for _ in 0..10 {
            app.update(Action::Faster);
        }
        assert_eq!(app.conductor.auto_speed(), 16.0);
    }

    #[test]
    fn help_is_modal_and_escape_closes_it() {
        let mut app = app();
        app.update(Action::Help);
        assert!(app.help);
        assert_eq!(app.update(Action::Step), Effect::None);
        app.update(Action::Back);
        assert!(!app.help);
        assert_eq!(app.update(Action::Quit), Effect::Quit);
    }

    #[test]
    fn the_lesson_starts_after_the_boot_in_its_mode_with_an_empty_timeline() {
        let mut app = app();
        app.booting = Some(Mode::Step);
        app.push(hop(1));
        assert!(app.timeline.is_empty(), "boot hops are not the lesson");
        assert_eq!(app.update(Action::Step), Effect::None);
        assert_eq!(app.update(Action::CycleMode), Effect::None);
        assert_eq!(app.conductor.mode(), Mode::Live, "the boot runs live");
        assert!(app.message.as_deref().unwrap().contains("booting"));
        app.clock.advance(std::time::Duration::from_millis(40));
        app.booted();
        assert_eq!(app.conductor.mode(), Mode::Step);
        assert_eq!(app.origin_ms, 40);
        app.push(hop(2));
        assert_eq!(app.current().unwrap().seq, 2);
        assert_eq!(app.update(Action::Step), Effect::Step);
    }

    #[test]
    fn texts() {
        assert_eq!(speed_text(1.0), "1×");
        assert_eq!(speed_text(0.25), "0.25×");
        assert_eq!(speed_text(16.0), "16×");
        assert_eq!(crate::flow::format_clock(63_240), "01:03.240");
    }
}
