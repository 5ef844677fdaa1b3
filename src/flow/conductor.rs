//! The conductor: who decides when a hop happens. Every hop of the cluster passes through
//! [`Conductor::gate`] before it is recorded (and before the component that makes it goes on):
//!
//! - **live**: nothing waits; sim time runs at the clock's speed.
//! - **step**: each hop waits until [`Conductor::step`] releases it; sim time stands still.
//!   A step with no hop waiting, once the cluster is idle, jumps the clock to the next timer
//!   (a lease renewal, a grace period) and says so with a `clock_advanced` hop.
//! - **auto**: step mode with a metronome: one step every interval (0.25×–16×), pausable.
//!
//! Waiting hops are released in the order they arrived. On the current-thread runtime that
//! `trace` and the tests use, that order is the tasks' order, which is reproducible. A request
//! from a real kubectl that is held simply waits inside the pipeline (kubectl has no request
//! timeout), and completes when its hops are released.

use super::{Hop, HopKind};
use crate::clock::Clock;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::{Notify, oneshot};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Live,
    Auto,
    Step,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Live => "LIVE",
            Mode::Auto => "AUTO",
            Mode::Step => "STEP",
        }
    }

    fn from_u8(v: u8) -> Mode {
        match v {
            1 => Mode::Auto,
            2 => Mode::Step,
            _ => Mode::Live,
        }
    }
}

/// The slowest and fastest auto-play.
pub const AUTO_SPEEDS: (f64, f64) = (0.25, 16.0);
/// At 1×, auto-play releases a hop every this long (wall time).
const AUTO_INTERVAL_AT_1X: Duration = Duration::from_millis(500);
/// Task switches without a new hop after which the cluster counts as idle.
const QUIET_YIELDS: u32 = 64;
/// And the wall time it must stay so, for runtimes whose other threads may still be busy.
const QUIET_WALL: Duration = Duration::from_millis(15);

/// What one step did.
#[derive(Debug, Clone)]
pub enum Step {
    /// A waiting hop went on (the hop as it will be recorded, without its number yet).
    Released(Box<Hop>),
    /// Nothing waited and the cluster was idle: the clock jumped to its next timer (Unix ms).
    Jumped(i64),
    /// Nothing waits and no timer is set: the cluster has nothing left to do.
    Idle,
}

struct Held {
    hop: Hop,
    release: oneshot::Sender<()>,
}

struct State {
    queue: VecDeque<Held>,
    auto_speed: f64,
    auto_paused: bool,
    /// The clock's running state before step/auto paused it.
    clock_was_running: bool,
}

impl State {
    /// The hops still waiting, oldest first (a hop whose waiter went away is not).
    fn waiting(&self) -> impl Iterator<Item = &Hop> {
        self.queue
            .iter()
            .filter(|h| !h.release.is_closed())
            .map(|h| &h.hop)
    }
}

pub struct Conductor {
    clock: Arc<Clock>,
    mode: AtomicU8,
    state: Mutex<State>,
    /// Wakes whoever waits for a hop to arrive (a step, the auto-player).
    arrived: Notify,
    /// Wakes the auto-player when its speed, pause or the mode changes.
    retuned: Notify,
}

impl Conductor {
    pub fn new(clock: Arc<Clock>) -> Conductor {
        Conductor {
            clock,
            mode: AtomicU8::new(0),
            state: Mutex::new(State {
                queue: VecDeque::new(),
                auto_speed: 1.0,
                auto_paused: false,
                clock_was_running: false,
            }),
            arrived: Notify::new(),
            retuned: Notify::new(),
        }
    }

    pub fn mode(&self) -> Mode {
        Mode::from_u8(self.mode.load(Ordering::Acquire))
    }

    /// Switches mode. Into step or auto, the clock stops; back to live, every waiting hop goes
    /// on (in order) and the clock runs again if it ran before.
    pub fn set_mode(&self, mode: Mode) {
        let mut state = self.lock();
        let before = self.mode();
        if before == mode {
            return;
        }
        self.mode.store(mode as u8, Ordering::Release);
        match (before, mode) {
            (Mode::Live, _) => {
                state.clock_was_running = !self.clock.is_paused();
                self.clock.pause();
            }
            (_, Mode::Live) => {
                for held in state.queue.drain(..) {
                    let _ = held.release.send(());
                }
                if state.clock_was_running {
                    self.clock.resume();
                }
            }
            _ => {}
        }
        drop(state);
        self.retuned.notify_waiters();
    }

    /// Auto-play's speed, clamped to 0.25×–16×.
    pub fn set_auto_speed(&self, speed: f64) {
        let speed = if speed.is_finite() { speed } else { 1.0 };
        self.lock().auto_speed = speed.clamp(AUTO_SPEEDS.0, AUTO_SPEEDS.1);
        self.retuned.notify_waiters();
    }

    pub fn auto_speed(&self) -> f64 {
        self.lock().auto_speed
    }

    pub fn set_auto_paused(&self, paused: bool) {
        self.lock().auto_paused = paused;
        self.retuned.notify_waiters();
    }

    pub fn auto_paused(&self) -> bool {
        self.lock().auto_paused
    }

    /// The hops waiting to go on, oldest first.
    pub fn waiting(&self) -> Vec<Hop> {
        self.lock().waiting().cloned().collect()
    }

    /// How many hops wait to go on.
    pub fn waiting_count(&self) -> usize {
        self.lock().waiting().count()
    }

    /// The hop the next step lets through.
    pub fn next_waiting(&self) -> Option<Hop> {
        self.lock().waiting().next().cloned()
    }

    /// Lets `hop` happen: at once in live mode, else when a step releases it. The hop comes
    /// back to be recorded.
    pub async fn gate(&self, hop: Hop) -> Hop {
        if self.mode() == Mode::Live {
            return hop;
        }
        let waiting = {
            let mut state = self.lock();
            // The mode may have changed back to live meanwhile (the lock orders the two).
            if self.mode() == Mode::Live {
                None
            } else {
                let (release, waiting) = oneshot::channel();
                state.queue.push_back(Held {
                    hop: hop.clone(),
                    release,
                });
                Some(waiting)
            }
        };
        if let Some(waiting) = waiting {
            self.arrived.notify_waiters();
            // Dropped only with the conductor: then go on.
            let _ = waiting.await;
        }
        hop
    }

    /// Releases the oldest waiting hop, if any (skipping hops whose waiter went away).
    fn release_next(&self) -> Option<Hop> {
        let mut state = self.lock();
        while let Some(held) = state.queue.pop_front() {
            if held.release.send(()).is_ok() {
                return Some(held.hop);
            }
        }
        None
    }

    /// One step: release the next waiting hop; with none waiting, let the cluster settle and,
    /// if still none arrives, jump the clock to the next timer.
    pub async fn step(&self) -> Step {
        loop {
            if let Some(hop) = self.release_next() {
                return Step::Released(Box::new(hop));
            }
            if self.wait_for_arrival().await {
                continue;
            }
            return match self.clock.jump_to_next_timer() {
                Some(to) => Step::Jumped(to),
                None => Step::Idle,
            };
        }
    }

    /// Auto-play's interval right now: None unless in auto mode and not paused.
    pub fn auto_interval(&self) -> Option<Duration> {
        let state = self.lock();
        (self.mode() == Mode::Auto && !state.auto_paused)
            .then(|| AUTO_INTERVAL_AT_1X.div_f64(state.auto_speed))
    }

    /// Resolves when the mode, auto speed or pause changes (register before looking).
    pub fn retuned(&self) -> tokio::sync::futures::Notified<'_> {
        self.retuned.notified()
    }

    /// Waits for a hop to arrive while the cluster works; false once it is idle without one.
    async fn wait_for_arrival(&self) -> bool {
        let has_waiting = || self.lock().waiting().next().is_some();
        let mut quiet = 0;
        while quiet < QUIET_YIELDS {
            tokio::task::yield_now().await;
            if has_waiting() {
                return true;
            }
            quiet = if self.clock.is_busy() { 0 } else { quiet + 1 };
        }
        let arrived = self.arrived.notified();
        tokio::pin!(arrived);
        arrived.as_mut().enable();
        if has_waiting() {
            return true;
        }
        tokio::select! {
            biased;
            _ = &mut arrived => true,
            _ = crate::clock::wall_sleep(QUIET_WALL) => has_waiting(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The hop a jump of the clock is recorded as.
pub fn jump_hop(from_ms: i64, to_ms: i64, what: &str) -> Hop {
    let by = (to_ms - from_ms).max(0);
    Hop::new(
        "clock",
        "clock",
        HopKind::ClockAdvanced,
        format!("+{}: {what}", crate::flow::format_span(by)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hop(n: u32) -> Hop {
        Hop::new("a", "b", HopKind::Read, format!("hop {n}"))
    }

    #[tokio::test(flavor = "current_thread")]
    async fn live_mode_never_holds() {
        let conductor = Conductor::new(Arc::new(Clock::paused_at(0)));
        let passed = conductor.gate(hop(1)).await;
        assert_eq!(passed.summary, "hop 1");
        assert!(conductor.waiting().is_empty());
    }

    #[tokio::test(flavor = "current_thread")]
    async fn step_mode_releases_one_hop_per_step_in_arrival_order() {
        let clock = Arc::new(Clock::paused_at(0));
        let conductor = Arc::new(Conductor::new(clock.clone()));
        conductor.set_mode(Mode::Step);
        let done = Arc::new(Mutex::new(Vec::new()));
        for n in 1..=3 {
            let (conductor, done) = (conductor.clone(), done.clone());
            tokio::spawn(async move {
                let hop = conductor.gate(hop(n)).await;
                done.lock().unwrap().push(hop.summary);
            });
        }
        for _ in 0..10 {
            tokio::task::yield_now().await;
        }
        assert_eq!(conductor.waiting().len(), 3);
        assert!(done.lock().unwrap().is_empty());
        let Step::Released(first) = conductor.step().await else {
            panic!("a hop waits")
        };
        assert_eq!(first.summary, "hop 1");
        tokio::task::yield_now().await;
        assert_eq!(*done.lock().unwrap(), vec!["hop 1".to_string()]);
        // Back to live: the rest go on, in order.
        conductor.set_mode(Mode::Live);
        for _ in 0..10 {
            tokio::task::yield_now().await;
        }
        assert_eq!(done.lock().unwrap().len(), 3);
        assert_eq!(done.lock().unwrap()[1], "hop 2");
    }

    #[tokio::test(flavor = "current_thread")]
    async fn an_idle_step_jumps_the_clock_to_the_next_timer() {
        let clock = Arc::new(Clock::paused_at(1_000));
        let conductor = Conductor::new(clock.clone());
        conductor.set_mode(Mode::Step);
        let sleeper = {
            let clock = clock.clone();
            tokio::spawn(async move { clock.sleep(Duration::from_secs(40)).await })
        };
        tokio::task::yield_now().await;
        assert!(matches!(conductor.step().await, Step::Jumped(41_000)));
        assert_eq!(clock.now_ms(), 41_000);
        sleeper.await.unwrap();
        assert!(matches!(conductor.step().await, Step::Idle));
    }

    #[test]
    fn auto_speed_is_clamped() {
        let conductor = Conductor::new(Arc::new(Clock::paused_at(0)));
        conductor.set_auto_speed(100.0);
        assert_eq!(conductor.auto_speed(), 16.0);
        conductor.set_auto_speed(0.0);
        assert_eq!(conductor.auto_speed(), 0.25);
    }
}
