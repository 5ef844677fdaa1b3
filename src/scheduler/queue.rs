//! The scheduling queue, in the real scheduler's three parts: `active` (pods to try now, oldest
//! first), `backoff` (pods that failed, waiting out 1 s doubling to 10 s per attempt) and
//! `unschedulable` (pods no node fit, parked until a cluster event — a node added or changed,
//! a pod deleted — might make room, or 5 minutes pass).

use std::collections::{BTreeMap, BTreeSet};

/// The initial and maximum back-off (`podInitialBackoffSeconds`, `podMaxBackoffSeconds`).
pub const INITIAL_BACKOFF_MS: i64 = 1_000;
pub const MAX_BACKOFF_MS: i64 = 10_000;
/// How long a pod may stay in `unschedulable` without an event (`podMaxInUnschedulablePodsDuration`).
pub const MAX_UNSCHEDULABLE_MS: i64 = 5 * 60 * 1_000;

#[derive(Debug, Clone)]
struct Entry {
    attempts: u32,
    /// When it entered the active queue (its order there).
    since: (i64, u64),
    /// When it failed last.
    failed_at: i64,
}

#[derive(Debug, Default)]
pub struct Queue {
    entries: BTreeMap<String, Entry>,
    active: BTreeSet<((i64, u64), String)>,
    backoff: BTreeSet<(i64, String)>,
    unschedulable: BTreeMap<String, i64>,
    seq: u64,
}

impl Queue {
    pub fn new() -> Queue {
        Queue::default()
    }

    /// A new pending pod (or one that changed): to the active queue unless it already waits.
    pub fn add(&mut self, key: &str, now: i64) {
        if self.entries.contains_key(key) {
            return;
        }
        self.seq += 1;
        let since = (now, self.seq);
        self.entries.insert(
            key.to_string(),
            Entry {
                attempts: 0,
                since,
                failed_at: now,
            },
        );
        self.active.insert((since, key.to_string()));
    }

    /// The pod went away or was bound by someone else.
    pub fn delete(&mut self, key: &str) {
        if let Some(entry) = self.entries.remove(key) {
            self.active.remove(&(entry.since, key.to_string()));
            self.backoff.retain(|(_, k)| k != key);
            self.unschedulable.remove(key);
        }
    }

    /// The next pod to schedule, if one is ready (backoffs that expired by `now` move first).
    pub fn pop(&mut self, now: i64) -> Option<String> {
        self.flush(now);
        let first = self.active.iter().next().cloned()?;
        self.active.remove(&first);
        Some(first.1)
    }

    /// A scheduling attempt failed: no node fit. The pod parks until an event.
    pub fn unschedulable(&mut self, key: &str, now: i64) {
        if let Some(entry) = self.entries.get_mut(key) {
            entry.attempts += 1;
            entry.failed_at = now;
            self.unschedulable.insert(key.to_string(), now);
        }
    }

    /// A scheduling attempt failed for another reason (a bind error): back off and retry.
    pub fn retry(&mut self, key: &str, now: i64) {
        if let Some(entry) = self.entries.get_mut(key) {
            entry.attempts += 1;
            entry.failed_at = now;
            let expiry = now + backoff_ms(entry.attempts);
            self.backoff.insert((expiry, key.to_string()));
        }
    }

    /// The pod was bound: it leaves the queue.
    pub fn done(&mut self, key: &str) {
        self.delete(key);
    }

    /// Something changed in the cluster that may make room: unschedulable pods go back to
    /// active (or to backoff if their back-off has not run out), as MoveAllToActiveOrBackoffQueue.
    pub fn cluster_changed(&mut self, now: i64) {
        let parked: Vec<String> = self.unschedulable.keys().cloned().collect();
        for key in parked {
            self.requeue(&key, now);
        }
    }

    /// The next moment something in the queue becomes ready without an event.
    pub fn next_wakeup(&self) -> Option<i64> {
        let backoff = self.backoff.iter().next().map(|(t, _)| *t);
        let parked = self
            .unschedulable
            .values()
            .min()
            .map(|t| t + MAX_UNSCHEDULABLE_MS);
        [backoff, parked].into_iter().flatten().min()
    }

    pub fn pending(&self) -> usize {
        self.entries.len()
    }

    /// How many pods wait in each part: active, backoff, unschedulable.
    pub fn sizes(&self) -> (usize, usize, usize) {
        (
            self.active.len(),
            self.backoff.len(),
            self.unschedulable.len(),
        )
    }

    fn requeue(&mut self, key: &str, now: i64) {
        self.unschedulable.remove(key);
        let Some(entry) = self.entries.get_mut(key) else {
            return;
        };
        let expiry = entry.failed_at + backoff_ms(entry.attempts);
        if expiry > now {
            self.backoff.insert((expiry, key.to_string()));
        } else {
            self.seq += 1;
            entry.since = (now, self.seq);
            self.active.insert((entry.since, key.to_string()));
        }
    }

    fn flush(&mut self, now: i64) {
        while let Some((expiry, key)) = self.backoff.iter().next().cloned() {
            if expiry > now {
                break;
            }
            self.backoff.remove(&(expiry, key.clone()));
            if let Some(entry) = self.entries.get_mut(&key) {
                self.seq += 1;
                entry.since = (now, self.seq);
                self.active.insert((entry.since, key));
            }
        }
        let stale: Vec<String> = self
            .unschedulable
            .iter()
            .filter(|(_, since)| **since + MAX_UNSCHEDULABLE_MS <= now)
            .map(|(k, _)| k.clone())
            .collect();
        for key in stale {
            self.requeue(&key, now);
        }
    }
}

/// 1 s doubling per attempt, at most 10 s.
pub fn backoff_ms(attempts: u32) -> i64 {
    let doublings = attempts.saturating_sub(1).min(10);
    (INITIAL_BACKOFF_MS << doublings).min(MAX_BACKOFF_MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oldest_first_then_backoff_doubles_to_ten_seconds() {
        let mut q = Queue::new();
        q.add("default/b", 10);
        q.add("default/a", 20);
        assert_eq!(q.pop(30).as_deref(), Some("default/b"));
        assert_eq!(q.pop(30).as_deref(), Some("default/a"));
        assert_eq!(q.pop(30), None);
        q.retry("default/a", 1_000);
        assert_eq!(q.pop(1_500), None);
        assert_eq!(q.next_wakeup(), Some(2_000));
        assert_eq!(q.pop(2_000).as_deref(), Some("default/a"));
        assert_eq!(
            (1..=6).map(backoff_ms).collect::<Vec<_>>(),
            [1_000, 2_000, 4_000, 8_000, 10_000, 10_000]
        );
    }

    #[test]
    fn unschedulable_pods_wait_for_a_cluster_event() {
        let mut q = Queue::new();
        q.add("default/big", 0);
        assert_eq!(q.pop(0).as_deref(), Some("default/big"));
        q.unschedulable("default/big", 0);
        assert_eq!(q.pop(5_000), None);
        assert_eq!(q.sizes(), (0, 0, 1));
        q.cluster_changed(5_000);
        assert_eq!(q.pop(5_000).as_deref(), Some("default/big"));
        q.unschedulable("default/big", 6_000);
        // Without an event, it is retried after five minutes.
        assert_eq!(q.next_wakeup(), Some(6_000 + MAX_UNSCHEDULABLE_MS));
        assert_eq!(
            q.pop(6_000 + MAX_UNSCHEDULABLE_MS).as_deref(),
            Some("default/big")
        );
        q.done("default/big");
        assert_eq!(q.pending(), 0);
    }
}
