//! The UI's state and its update: what is shown (the timeline of hops, the hop in view, the
//! focused pane, overlays) and how each `Action` changes it. Drawing is in `view`; talking to
//! the cluster is the event loop's job — `update` only says what to do (`Effect`), so the UI
//! never waits on the cluster.

use super::action::Action;
use super::command::{self, Command};
use super::narration::Narration;
use super::operator::Report;
use super::snapshot::ClusterSnapshot;
use super::theme::Theme;
use crate::clock::Clock;
use crate::flow::{AUTO_SPEEDS, Conductor, Detail, Hop, HopKind, Mode};
use std::collections::VecDeque;
use std::sync::Arc;

/// How many hops the timeline keeps (older ones are dropped and counted).
pub const TIMELINE: usize = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pane {
    Flow,
    Narration,
    Scheduler,
    Cluster,
    Events,
    Etcd,
    Object,
    Timeline,
}

impl Pane {
    const ORDER: [Pane; 8] = [
        Pane::Flow,
        Pane::Narration,
        Pane::Scheduler,
        Pane::Cluster,
        Pane::Events,
        Pane::Etcd,
        Pane::Object,
        Pane::Timeline,
    ];

    /// The panes that take turns in the lower-left slot (the focused one shows).
    pub const LOWER: [Pane; 4] = [Pane::Scheduler, Pane::Cluster, Pane::Events, Pane::Etcd];

    fn next(self, by: isize) -> Pane {
        let at = Pane::ORDER.iter().position(|p| *p == self).unwrap_or(0) as isize;
        let n = Pane::ORDER.len() as isize;
        Pane::ORDER[((at + by).rem_euclid(n)) as usize]
    }
}

/// What the event loop must do for an action.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    None,
    /// Release the next hop (`Flow::step`), off the UI's task.
    Step,
    /// Carry out a command against the cluster (`operator`), off the UI's task.
    Run(Command),
    Quit,
}

/// What is drawn over the panes; it takes the keys while open.
#[derive(Debug, Clone, PartialEq)]
pub enum Overlay {
    Help,
    Glossary { scroll: usize },
    Picker(Picker),
    CommandLine(CommandLine),
}

/// A list to choose from: the shipped manifests and scenarios (`a`), the faults (`f`).
#[derive(Debug, Clone, PartialEq)]
pub struct Picker {
    pub title: String,
    pub entries: Vec<(String, Command)>,
    pub at: usize,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct CommandLine {
    pub text: String,
    /// What Tab found when several fit.
    pub choices: Vec<String>,
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
    /// Which of [`Pane::LOWER`] the lower-left slot shows.
    pub lower: Pane,
    pub zoom: bool,
    pub overlay: Option<Overlay>,
    /// A one-line message (an error, a mode change, kubectl's answer) for the bottom bar.
    pub message: Option<String>,
    /// The message is an error (drawn as one).
    pub failed: bool,
    /// The lesson's latest note (a scenario's narration).
    pub note: Option<String>,
    /// The store as the cluster, events and etcd panes show it.
    pub cluster: Option<Arc<ClusterSnapshot>>,
    /// How far the cluster, events and etcd panes are scrolled.
    pub scroll: std::collections::HashMap<Pane, usize>,
    /// The terminal's size at the last draw (for the mouse).
    pub screen: ratatui::layout::Rect,
    /// The object pane's last highlighted revision.
    pub highlighted: super::highlight::Cache,
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
            lower: Pane::Scheduler,
            zoom: false,
            overlay: None,
            message: None,
            failed: false,
            note: None,
            cluster: None,
            scroll: Default::default(),
            screen: Default::default(),
            highlighted: Default::default(),
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
        if self.overlay.is_some() {
            return self.update_overlay(action);
        }
        if self.booting.is_some()
            && matches!(
                action,
                Action::Step
                    | Action::TogglePlay
                    | Action::CycleMode
                    | Action::Faster
                    | Action::Slower
                    | Action::CommandLine
                    | Action::Picker
                    | Action::Faults
            )
        {
            self.say("the cluster is still booting: its nodes are registering");
            return Effect::None;
        }
        match action {
            Action::Quit => return Effect::Quit,
            Action::Help => self.overlay = Some(Overlay::Help),
            Action::Glossary => self.overlay = Some(Overlay::Glossary { scroll: 0 }),
            Action::CommandLine => {
                self.overlay = Some(Overlay::CommandLine(CommandLine::default()));
            }
            Action::Picker => self.overlay = Some(Overlay::Picker(shipped_picker())),
            Action::Faults => self.overlay = Some(Overlay::Picker(self.fault_palette())),
            Action::Back => {
                if self.zoom {
                    self.zoom = false;
                } else {
                    self.selected = None;
                }
            }
            Action::Step => {
                if self.conductor.mode() == Mode::Live {
                    self.conductor.set_mode(Mode::Step);
                    self.say("step mode: each hop now waits for a step");
                }
                self.selected = None;
                return Effect::Step;
            }
            Action::TogglePlay => match self.conductor.mode() {
                Mode::Auto => {
                    let paused = !self.conductor.auto_paused();
                    self.conductor.set_auto_paused(paused);
                    self.say(if paused {
                        "auto-play paused"
                    } else {
                        "auto-play"
                    });
                }
                _ => {
                    self.conductor.set_auto_paused(false);
                    self.conductor.set_mode(Mode::Auto);
                    self.selected = None;
                    self.say("auto-play");
                }
            },
            Action::Faster | Action::Slower => {
                let factor = if action == Action::Faster { 2.0 } else { 0.5 };
                let speed =
                    (self.conductor.auto_speed() * factor).clamp(AUTO_SPEEDS.0, AUTO_SPEEDS.1);
                return self.run(Command::Speed(speed));
            }
            Action::CycleMode => {
                let next = match self.conductor.mode() {
                    Mode::Step => Mode::Auto,
                    Mode::Auto => Mode::Live,
                    Mode::Live => Mode::Step,
                };
                return self.run(Command::Mode(next));
            }
            Action::FocusNext => self.focus_on(self.focus.next(1)),
            Action::FocusPrevious => self.focus_on(self.focus.next(-1)),
            Action::Up => self.move_in_focus(-1),
            Action::Down => self.move_in_focus(1),
            Action::PageUp => self.move_in_focus(-10),
            Action::PageDown => self.move_in_focus(10),
            Action::Follow => self.selected = None,
            Action::Zoom => self.zoom = !self.zoom,
            Action::Submit => {
                // Enter in the timeline holds the hop in view while the flow goes on.
                if self.focus == Pane::Timeline {
                    self.selected = self.current_index();
                }
            }
            Action::Click(x, y) => {
                if let Some(pane) = self.pane_at(x, y) {
                    self.focus_on(pane);
                }
            }
            Action::Wheel(x, y, up) => {
                if let Some(pane) = self.pane_at(x, y) {
                    self.focus_on(pane);
                    self.move_in_focus(if up { -3 } else { 3 });
                }
            }
            Action::Input(_) | Action::Erase | Action::Complete => {}
        }
        Effect::None
    }

    /// Keys while an overlay is open go to it.
    fn update_overlay(&mut self, action: Action) -> Effect {
        if action == Action::Quit {
            return Effect::Quit;
        }
        let Some(overlay) = self.overlay.as_mut() else {
            return Effect::None;
        };
        match overlay {
            Overlay::Help => {
                if matches!(action, Action::Help | Action::Back) {
                    self.overlay = None;
                }
            }
            Overlay::Glossary { scroll } => match action {
                Action::Up => *scroll = scroll.saturating_sub(1),
                Action::Down => *scroll += 1,
                Action::PageUp => *scroll = scroll.saturating_sub(10),
                Action::PageDown => *scroll += 10,
                Action::Glossary | Action::Back => self.overlay = None,
                _ => {}
            },
            Overlay::Picker(picker) => match action {
                Action::Up => picker.at = picker.at.saturating_sub(1),
                Action::Down => {
                    picker.at = (picker.at + 1).min(picker.entries.len().saturating_sub(1))
                }
                Action::Submit => {
                    let chosen = picker.entries.get(picker.at).map(|(_, c)| c.clone());
                    self.overlay = None;
                    if let Some(command) = chosen {
                        return self.run(command);
                    }
                }
                Action::Back | Action::Picker | Action::Faults => self.overlay = None,
                _ => {}
            },
            Overlay::CommandLine(line) => match action {
                Action::Input(c) => {
                    line.text.push(c);
                    line.choices.clear();
                }
                Action::Erase => {
                    line.text.pop();
                    line.choices.clear();
                }
                Action::Complete => {
                    let (text, choices) = command::complete(&line.text, &self.nodes);
                    line.text = text;
                    line.choices = choices;
                }
                Action::Submit => {
                    let text = line.text.clone();
                    self.overlay = None;
                    if text.trim().is_empty() {
                        return Effect::None;
                    }
                    return match command::parse(&text, &self.nodes) {
                        Ok(command) => self.run(command),
                        Err(error) => {
                            self.fail(error);
                            Effect::None
                        }
                    };
                }
                Action::Back => self.overlay = None,
                _ => {}
            },
        }
        Effect::None
    }

    /// Mode and speed change here; the rest goes to the event loop.
    fn run(&mut self, command: Command) -> Effect {
        match command {
            Command::Mode(mode) => {
                if mode == Mode::Auto {
                    self.conductor.set_auto_paused(false);
                }
                self.conductor.set_mode(mode);
                self.say(&format!("mode {}", mode.as_str()));
                Effect::None
            }
            Command::Speed(speed) => {
                self.conductor.set_auto_speed(speed);
                self.say(&format!(
                    "auto-play at {}",
                    speed_text(self.conductor.auto_speed())
                ));
                Effect::None
            }
            command => {
                let waits = if self.conductor.mode() == Mode::Live {
                    ""
                } else {
                    " (its requests wait for your steps)"
                };
                self.say(&format!("{}{waits}", describe(&command)));
                Effect::Run(command)
            }
        }
    }

    /// What came back from a command.
    pub fn report(&mut self, report: Report) {
        match report {
            Report::Done(text) => self.say(&text),
            Report::Failed(text) => self.fail(text),
            Report::Note(text) => self.note = Some(text),
        }
    }

    fn say(&mut self, text: &str) {
        self.message = Some(text.to_string());
        self.failed = false;
    }

    fn fail(&mut self, text: String) {
        self.message = Some(text);
        self.failed = true;
    }

    /// Whether a pane that reads the cluster's snapshot is on screen.
    pub fn shows_cluster(&self) -> bool {
        let lower = [Pane::Cluster, Pane::Events, Pane::Etcd];
        lower.contains(&self.lower) || lower.contains(&self.focus)
    }

    fn focus_on(&mut self, pane: Pane) {
        self.focus = pane;
        if Pane::LOWER.contains(&pane) {
            self.lower = pane;
        }
    }

    fn pane_at(&self, x: u16, y: u16) -> Option<Pane> {
        super::view::panes(self.screen, self)
            .into_iter()
            .find(|(_, r)| r.contains(ratatui::layout::Position::new(x, y)))
            .map(|(p, _)| p)
    }

    /// Up/down: scroll the cluster, events and etcd panes; elsewhere move in the timeline.
    fn move_in_focus(&mut self, by: isize) {
        match self.focus {
            Pane::Cluster | Pane::Events | Pane::Etcd => {
                let at = self.scroll.entry(self.focus).or_default();
                *at = (*at as isize + by).max(0) as usize;
            }
            _ => self.move_selection(by),
        }
    }

    fn fault_palette(&self) -> Picker {
        let mut entries = Vec::new();
        for node in self.nodes.iter().filter(|n| *n != "control-plane") {
            entries.push((
                format!("node-down {node}: take {node} off the network (its kubelet goes silent)"),
                Command::Node {
                    name: node.clone(),
                    up: false,
                },
            ));
            entries.push((
                format!("node-up {node}: bring {node} back"),
                Command::Node {
                    name: node.clone(),
                    up: true,
                },
            ));
        }
        Picker {
            title: " Faults · Enter injects · Esc closes ".into(),
            entries,
            at: 0,
        }
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

/// The shipped manifests (apply) and scenarios (play), for the picker.
pub fn shipped_picker() -> Picker {
    let dir = command::manifests_dir();
    let yaml_in = |dir: &std::path::Path| -> Vec<std::path::PathBuf> {
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
            .collect();
        files.sort();
        files
    };
    let mut entries = Vec::new();
    for path in yaml_in(&dir.join("scenarios")) {
        let title = crate::trace::scenario::Scenario::load(&path)
            .map(|s| s.title)
            .unwrap_or_else(|e| e);
        entries.push((
            format!("scenario  {title}"),
            Command::Scenario(path.clone()),
        ));
    }
    for path in yaml_in(&dir) {
        entries.push((
            format!("apply     {}", path.display()),
            Command::Apply(path.clone()),
        ));
    }
    Picker {
        title: " Manifests and scenarios · Enter runs · Esc closes ".into(),
        entries,
        at: 0,
    }
}

/// What a command is about to do, for the bottom bar.
fn describe(command: &Command) -> String {
    match command {
        Command::Apply(path) => format!("kubectl apply -f {}", path.display()),
        Command::DeleteFile(path) => format!("kubectl delete -f {}", path.display()),
        Command::Delete { rt, name } => format!("kubectl delete {} {name}", rt.singular),
        Command::Scale { rt, name, replicas } => {
            format!("kubectl scale {}/{name} --replicas={replicas}", rt.singular)
        }
        Command::Scenario(path) => format!("scenario {}", path.display()),
        Command::Node { name, up: false } => format!("fault: {name} goes down"),
        Command::Node { name, up: true } => format!("fault cleared: {name} comes back"),
        Command::Mode(mode) => format!("mode {}", mode.as_str()),
        Command::Speed(speed) => format!("speed {}", speed_text(*speed)),
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
        assert_eq!(app.overlay, Some(Overlay::Help));
        assert_eq!(app.update(Action::Step), Effect::None);
        app.update(Action::Back);
        assert_eq!(app.overlay, None);
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

    fn type_line(app: &mut App, text: &str) -> Effect {
        app.update(Action::CommandLine);
        for c in text.chars() {
            app.update(Action::Input(c));
        }
        app.update(Action::Submit)
    }

    #[test]
    fn the_command_line_runs_commands_and_says_what_is_wrong() {
        let mut app = app();
        app.nodes = vec!["control-plane".into(), "node-1".into()];
        assert_eq!(type_line(&mut app, "mode auto"), Effect::None);
        assert_eq!(app.conductor.mode(), Mode::Auto);
        assert_eq!(type_line(&mut app, "speed 4"), Effect::None);
        assert_eq!(app.conductor.auto_speed(), 4.0);
        assert_eq!(
            type_line(&mut app, "apply manifests/pod.yaml"),
            Effect::Run(Command::Apply("manifests/pod.yaml".into()))
        );
        assert!(!app.failed);
        assert_eq!(type_line(&mut app, "fault meteor node-1"), Effect::None);
        assert!(app.failed);
        assert!(app.message.as_deref().unwrap().contains("unknown fault"));
        assert_eq!(app.overlay, None, "the line closes");
        assert_eq!(app.conductor.mode(), Mode::Auto, "nothing else changed");
        // Keys type while the line is open: q is a letter, not quit.
        app.update(Action::CommandLine);
        assert_eq!(app.update(Action::Input('q')), Effect::None);
        app.update(Action::Back);
        assert_eq!(app.overlay, None);
        app.report(Report::Failed(
            "Error from server (NotFound): pods \"x\" not found".into(),
        ));
        assert!(app.failed);
    }

    #[test]
    fn the_pickers_run_what_is_chosen() {
        let mut app = app();
        app.nodes = vec!["control-plane".into(), "node-1".into(), "node-2".into()];
        app.update(Action::Faults);
        app.update(Action::Down);
        app.update(Action::Down);
        assert_eq!(
            app.update(Action::Submit),
            Effect::Run(Command::Node {
                name: "node-2".into(),
                up: false
            })
        );
        app.update(Action::Picker);
        let Some(Overlay::Picker(picker)) = &app.overlay else {
            panic!("the picker is open");
        };
        assert!(
            picker
                .entries
                .iter()
                .any(|(_, c)| matches!(c, Command::Scenario(_)))
        );
        assert!(
            picker
                .entries
                .iter()
                .any(|(_, c)| matches!(c, Command::Apply(_)))
        );
        app.update(Action::Back);
        assert_eq!(app.overlay, None);
    }

    #[test]
    fn focus_shows_a_lower_pane_and_its_keys_scroll_it() {
        let mut app = app();
        for _ in 0..3 {
            app.update(Action::FocusNext);
        }
        assert_eq!(app.focus, Pane::Cluster);
        assert_eq!(app.lower, Pane::Cluster);
        app.update(Action::Down);
        app.update(Action::Down);
        assert_eq!(app.scroll[&Pane::Cluster], 2);
        app.update(Action::FocusNext);
        assert_eq!(app.lower, Pane::Events);
    }

    #[test]
    fn a_click_focuses_the_pane_under_it_and_zoom_fills_the_screen_with_it() {
        let mut app = app();
        app.screen = ratatui::layout::Rect::new(0, 0, 160, 48);
        // The full layout: the timeline is at the bottom right.
        app.update(Action::Click(120, 45));
        assert_eq!(app.focus, Pane::Timeline);
        app.update(Action::Click(10, 30));
        assert_eq!(app.focus, Pane::Scheduler);
        app.update(Action::Zoom);
        let panes = crate::tui::view::panes(app.screen, &app);
        assert_eq!(panes.len(), 1);
        assert_eq!(panes[0].0, Pane::Scheduler);
        app.update(Action::Back);
        assert!(!app.zoom);
        // Outside every pane (the header), nothing changes.
        app.update(Action::Click(5, 0));
        assert_eq!(app.focus, Pane::Scheduler);
    }

    #[test]
    fn texts() {
        assert_eq!(speed_text(1.0), "1×");
        assert_eq!(speed_text(0.25), "0.25×");
        assert_eq!(speed_text(16.0), "16×");
        assert_eq!(crate::flow::format_clock(63_240), "01:03.240");
    }
}
