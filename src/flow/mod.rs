//! `flow`: the hops. Every stage of every request, every watch event and every step of the
//! scheduler, controllers and kubelets becomes a `Hop` that passes through here. The
//! conductor decides when each happens (live, step, auto); the flow numbers the hops, stamps
//! them with sim time and hands each to subscribers (the `serve --trace` printer, the TUI,
//! each keeping what it shows) and sinks (the `trace` printer). The flow itself keeps no
//! history: a hop nobody watches costs its numbering and nothing more.

mod conductor;
pub mod console;
mod hop;

pub use conductor::{AUTO_SPEEDS, Conductor, Mode, Step};
pub use hop::{
    AdmissionDetail, Detail, Hop, HopKind, NODE_COMPONENTS, ObjectRef, SharedDetail, runs_on_node,
};

use crate::clock::Clock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::broadcast;

/// Something that sees every hop as it is recorded.
type Sink = Box<dyn FnMut(&Hop) + Send>;

pub struct Flow {
    clock: Arc<Clock>,
    seq: AtomicU64,
    subscribers: broadcast::Sender<Arc<Hop>>,
    conductor: Arc<Conductor>,
    /// Called with every hop as it is recorded, in order (the trace printer): nothing is
    /// dropped, whatever the pace.
    sinks: Mutex<Vec<Sink>>,
    /// Off: hops are numbered but not kept or sent (the benchmarks' baseline).
    recording: std::sync::atomic::AtomicBool,
}

impl Flow {
    pub fn new(clock: Arc<Clock>) -> Flow {
        let (subscribers, _) = broadcast::channel(4096);
        Flow {
            conductor: Arc::new(Conductor::new(clock.clone())),
            clock,
            seq: AtomicU64::new(0),
            subscribers,
            sinks: Mutex::new(Vec::new()),
            recording: std::sync::atomic::AtomicBool::new(true),
        }
    }

    /// The conductor every hop passes through (live / auto / step).
    pub fn conductor(&self) -> &Arc<Conductor> {
        &self.conductor
    }

    /// One step of the conductor; a jump of the clock is recorded as a `clock_advanced` hop.
    pub async fn step(&self) -> Step {
        let before = self.clock.now_ms();
        let step = self.conductor.step().await;
        if let Step::Jumped(to) = step {
            self.record(conductor::jump_hop(
                before,
                to,
                "nothing to do until the next timer",
            ));
        }
        step
    }

    /// Steps until a released hop satisfies `until` (true), the cluster goes idle, or
    /// `max_steps` pass; `each` sees every step. "Run to the next hop of the scheduler", "run
    /// until the pod is Running".
    pub async fn run_until(
        &self,
        max_steps: usize,
        until: impl Fn(&Hop) -> bool,
        mut each: impl FnMut(&Step),
    ) -> bool {
        for _ in 0..max_steps {
            let step = self.step().await;
            each(&step);
            match step {
                Step::Released(hop) if until(&hop) => return true,
                Step::Idle => return false,
                _ => {}
            }
        }
        false
    }

    /// Auto-play: while the conductor is in auto mode and not paused, one step per interval
    /// (jumps of the clock recorded as with [`Flow::step`]). Runs until the flow is dropped;
    /// the cluster spawns it.
    pub async fn auto_play(self: Arc<Self>) {
        let flow = Arc::downgrade(&self);
        drop(self);
        loop {
            let Some(this) = flow.upgrade() else { return };
            let conductor = this.conductor.clone();
            drop(this);
            let retuned = conductor.retuned();
            tokio::pin!(retuned);
            retuned.as_mut().enable();
            match conductor.auto_interval() {
                None => retuned.await,
                Some(interval) => {
                    tokio::select! {
                        biased;
                        _ = &mut retuned => {}
                        _ = crate::clock::wall_sleep(interval) => {
                            let Some(this) = flow.upgrade() else { return };
                            if this.conductor.mode() == Mode::Auto {
                                this.step().await;
                            }
                        }
                    }
                }
            }
        }
    }

    /// Adds a sink that sees every hop from now on, synchronously and in order.
    pub fn add_sink(&self, sink: impl FnMut(&Hop) + Send + 'static) {
        self.sinks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(Box::new(sink));
    }

    /// Turns keeping and sending hops off or on (numbering goes on).
    pub fn set_recording(&self, on: bool) {
        self.recording.store(on, Ordering::Relaxed);
    }

    pub fn clock(&self) -> &Arc<Clock> {
        &self.clock
    }

    /// Passes a hop through the conductor — in step or auto mode it waits until released —
    /// then records it.
    pub async fn pass(&self, hop: Hop) {
        let hop = self.conductor.gate(hop).await;
        self.record(hop);
    }

    /// Records a hop without holding it (for the few places that cannot wait: a clock jump,
    /// compaction, a write inside admission): numbers it, stamps it with sim time and tells
    /// sinks and subscribers.
    pub fn record(&self, mut hop: Hop) {
        hop.seq = self.seq.fetch_add(1, Ordering::Relaxed) + 1;
        if !self.recording.load(Ordering::Relaxed) {
            return;
        }
        hop.t_ms = self.clock.now_ms();
        {
            let mut sinks = self.sinks.lock().unwrap_or_else(|e| e.into_inner());
            for sink in sinks.iter_mut() {
                sink(&hop);
            }
        }
        // No subscriber is not an error: nobody is watching the flow right now.
        if self.subscribers.receiver_count() > 0 {
            let _ = self.subscribers.send(Arc::new(hop));
        }
    }

    /// A live feed of hops from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Hop>> {
        self.subscribers.subscribe()
    }

    /// How many hops have passed.
    pub fn count(&self) -> u64 {
        self.seq.load(Ordering::Relaxed)
    }
}

/// Sim time since an origin as a clock reads: `01:03.240` (minutes, seconds, milliseconds).
pub fn format_clock(ms: i64) -> String {
    let ms = ms.max(0);
    format!(
        "{:02}:{:02}.{:03}",
        ms / 60_000,
        (ms / 1000) % 60,
        ms % 1000
    )
}

/// A span of sim time as people say it: `300ms`, `40s`, `1m05s`, `2h03m`.
pub fn format_span(ms: i64) -> String {
    let ms = ms.max(0);
    if ms < 1000 {
        format!("{ms}ms")
    } else if ms < 60_000 {
        if ms % 1000 == 0 {
            format!("{}s", ms / 1000)
        } else {
            format!("{:.1}s", ms as f64 / 1000.0)
        }
    } else if ms < 3_600_000 {
        format!("{}m{:02}s", ms / 60_000, (ms / 1000) % 60)
    } else {
        format!("{}h{:02}m", ms / 3_600_000, (ms / 60_000) % 60)
    }
}
