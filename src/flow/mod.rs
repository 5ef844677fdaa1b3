//! `flow`: the hops. Every stage of every request, every watch event and (later) every step of
//! the scheduler and kubelets becomes a `Hop` that passes through here. The flow numbers the
//! hops, keeps the recent ones for the screen, and hands each to subscribers (the
//! `serve --trace` printer, the TUI). The conductor's step/auto modes will hold hops here.

mod hop;

pub use hop::{AdmissionDetail, Detail, Hop, HopKind, ObjectRef, SharedDetail};

use crate::clock::Clock;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::broadcast;

/// How many hops the flow remembers for late viewers.
const HISTORY: usize = 10_000;

pub struct Flow {
    clock: Arc<Clock>,
    seq: AtomicU64,
    history: Mutex<VecDeque<Arc<Hop>>>,
    subscribers: broadcast::Sender<Arc<Hop>>,
}

impl Flow {
    pub fn new(clock: Arc<Clock>) -> Flow {
        let (subscribers, _) = broadcast::channel(4096);
        Flow {
            clock,
            seq: AtomicU64::new(0),
            history: Mutex::new(VecDeque::new()),
            subscribers,
        }
    }

    pub fn clock(&self) -> &Arc<Clock> {
        &self.clock
    }

    /// Passes a hop through the conductor: records it and (in step or auto mode, later) waits
    /// until it is released.
    pub async fn pass(&self, hop: Hop) {
        self.record(hop);
    }

    /// Records a hop without holding it (reads, which change nothing): numbers it, stamps it
    /// with sim time, keeps it and tells subscribers.
    pub fn record(&self, mut hop: Hop) {
        hop.seq = self.seq.fetch_add(1, Ordering::Relaxed) + 1;
        hop.t_ms = self.clock.now_ms();
        let hop = Arc::new(hop);
        // The hop that falls out of the history is freed after the lock is released: other
        // requests' hops wait on this lock.
        let _evicted = {
            let mut history = self.history.lock().unwrap_or_else(|e| e.into_inner());
            let evicted = if history.len() == HISTORY {
                history.pop_front()
            } else {
                None
            };
            history.push_back(hop.clone());
            evicted
        };
        // No subscriber is not an error: nobody is watching the flow right now.
        let _ = self.subscribers.send(hop);
    }

    /// A live feed of hops from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Hop>> {
        self.subscribers.subscribe()
    }

    /// The most recent hops, oldest first.
    pub fn recent(&self) -> Vec<Arc<Hop>> {
        self.history
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .cloned()
            .collect()
    }

    /// How many hops have passed.
    pub fn count(&self) -> u64 {
        self.seq.load(Ordering::Relaxed)
    }
}
