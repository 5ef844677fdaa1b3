//! The watch cache of one resource, with an indexed trigger — kube-apiserver's `Cacher` in
//! small. kube-apiserver does not open one etcd watch per client watch: one watch per resource
//! feeds a cache, which decodes each change once and fans it out to the client watches. For
//! pods it keeps the client watches **indexed by `spec.nodeName`** (the pod registry's trigger
//! function), so a change to a pod on node-7 wakes node-7's kubelet and the unfiltered watches
//! (scheduler, controllers) — not the kubelets of a thousand other nodes.
//!
//! A client watch from a revision the cache still holds is replayed from its buffer of recent
//! changes; one from an older revision is replayed from the store's own history (or refused,
//! when that is compacted, as etcd does).

use crate::apiserver::storage::decode;
use crate::store::{Backend, Event, EventType, Revision, StoreError, WatchResponse};
use serde_json::Value;
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use tokio::sync::mpsc;

/// How many recent revisions of the resource the cache keeps for watches that start behind.
const BUFFER: usize = 8192;

/// The field whose value indexes client watches, as a JSON pointer, and the field selector
/// that asks for it.
#[derive(Debug, Clone, Copy)]
pub struct Trigger {
    pub field: &'static str,
    pub pointer: &'static str,
}

pub const POD_NODE_NAME: Trigger = Trigger {
    field: "spec.nodeName",
    pointer: "/spec/nodeName",
};

impl Trigger {
    fn value_in<'v>(&self, object: &'v Value) -> Option<&'v str> {
        object
            .pointer(self.pointer)
            .and_then(Value::as_str)
            .filter(|v| !v.is_empty())
    }
}

/// One change of one object, decoded once and shared by every watch that sees it.
#[derive(Debug, Clone)]
pub struct Change {
    pub kind: EventType,
    pub key: Arc<str>,
    /// The revision of the change (for a delete, the deletion's).
    pub revision: Revision,
    /// A put's object as written, with its resourceVersion (None if it did not decode).
    pub object: Option<Arc<Value>>,
    /// The object before the change, if it existed.
    pub previous: Option<Arc<Value>>,
}

/// The changes one revision made that a watch should see: a revision is never split.
#[derive(Debug, Clone)]
pub struct Changes {
    pub revision: Revision,
    pub changes: Vec<Change>,
}

impl Change {
    /// One store event, decoded; `known` is the object as last decoded, used as the previous
    /// version when it is the one the event replaced.
    fn of(event: &Event, known: Option<Arc<Value>>) -> Change {
        let previous = event.prev_kv.as_ref().and_then(|kv| {
            known
                .filter(|o| {
                    o.pointer("/metadata/resourceVersion")
                        .and_then(Value::as_str)
                        .and_then(|rv| rv.parse().ok())
                        == Some(kv.mod_revision)
                })
                .or_else(|| decode(kv).ok().map(Arc::new))
        });
        Change {
            kind: event.kind,
            key: Arc::from(event.kv.key.as_str()),
            revision: event.kv.mod_revision,
            object: (event.kind == EventType::Put)
                .then(|| decode(&event.kv).ok().map(Arc::new))
                .flatten(),
            previous,
        }
    }
}

impl Changes {
    /// A store response, decoded (for watches the cache does not serve, and replays).
    pub fn decoded(response: &WatchResponse) -> Changes {
        Changes {
            revision: response.revision,
            changes: response
                .events
                .iter()
                .map(|e| Change::of(e, None))
                .collect(),
        }
    }
}

/// Where a client watch gets its changes: the cache, or the store for the rest.
pub enum ChangeSource {
    Cache(mpsc::UnboundedReceiver<Changes>),
    Store(crate::store::Watcher),
}

impl ChangeSource {
    pub async fn next(&mut self) -> Option<Changes> {
        match self {
            ChangeSource::Cache(rx) => rx.recv().await,
            ChangeSource::Store(watcher) => watcher
                .events
                .recv()
                .await
                .map(|response| Changes::decoded(&response)),
        }
    }
}

/// One client watch fed by the cache.
struct Subscriber {
    prefix: String,
    start_revision: Revision,
    trigger_value: Option<String>,
    sender: mpsc::UnboundedSender<Changes>,
}

struct State {
    /// The cache's own watch on the store.
    source: Option<mpsc::UnboundedReceiver<WatchResponse>>,
    /// Every change from this revision on is in `buffer`.
    buffer_start: Revision,
    /// Recent store responses, as stored (decoded again only for a replay).
    buffer: VecDeque<WatchResponse>,
    /// The latest decoded object of each key, while any watch is open: the next change's
    /// "previous" without decoding it again. The same values the informers hold.
    current: HashMap<Arc<str>, Arc<Value>>,
    /// Watches that asked for one trigger value, by that value.
    indexed: HashMap<String, Vec<Subscriber>>,
    /// Watches that see every change under their prefix.
    unindexed: Vec<Subscriber>,
}

pub struct WatchCache {
    backend: Arc<dyn Backend>,
    prefix: String,
    trigger: Trigger,
    state: Arc<Mutex<State>>,
    dispatching: AtomicBool,
}

impl WatchCache {
    /// A cache of every key under `prefix`, following the store from its next revision.
    pub fn new(backend: Arc<dyn Backend>, prefix: &str, trigger: Trigger) -> WatchCache {
        let revision = backend.revision();
        let source = backend.watch(prefix, revision + 1).ok().map(|w| w.events);
        let cache = WatchCache {
            backend,
            prefix: prefix.to_string(),
            trigger,
            state: Arc::new(Mutex::new(State {
                source,
                buffer_start: revision + 1,
                buffer: VecDeque::new(),
                current: HashMap::new(),
                indexed: HashMap::new(),
                unindexed: Vec::new(),
            })),
            dispatching: AtomicBool::new(false),
        };
        cache.ensure_dispatching();
        cache
    }

    pub fn trigger(&self) -> Trigger {
        self.trigger
    }

    /// Watches `prefix` (this cache's prefix or a namespace under it) from `from` (inclusive;
    /// 0 = from the next change). With `trigger_value`, only changes whose object has (or
    /// had) that value arrive — the caller still applies its full selector.
    pub fn watch(
        &self,
        prefix: &str,
        from: Revision,
        trigger_value: Option<&str>,
    ) -> Result<ChangeSource, StoreError> {
        let from_store = || self.backend.watch(prefix, from).map(ChangeSource::Store);
        if !prefix.starts_with(&self.prefix)
            || (from > 0 && from < self.backend.compacted_revision())
        {
            return from_store();
        }
        self.ensure_dispatching();
        let mut state = self.lock();
        // Catch up with the store first: what it has committed is in the source already.
        state.drain(&self.trigger);
        let start_revision = if from <= 0 {
            self.backend.revision() + 1
        } else {
            from
        };
        if state.source.is_none() || start_revision < state.buffer_start {
            drop(state);
            return from_store();
        }
        let (sender, events) = mpsc::unbounded_channel();
        let subscriber = Subscriber {
            prefix: prefix.to_string(),
            start_revision,
            trigger_value: trigger_value.map(str::to_string),
            sender,
        };
        let first = state
            .buffer
            .partition_point(|r| r.revision < start_revision);
        for response in state.buffer.range(first..) {
            let changes = Changes::decoded(response);
            if let Some(share) = subscriber.share(&changes, &self.trigger) {
                let _ = subscriber.sender.send(share);
            }
        }
        match trigger_value {
            Some(value) => state
                .indexed
                .entry(value.to_string())
                .or_default()
                .push(subscriber),
            None => state.unindexed.push(subscriber),
        }
        Ok(ChangeSource::Cache(events))
    }

    /// Starts the task that fans changes out as they happen, once there is a runtime.
    fn ensure_dispatching(&self) {
        if self.dispatching.load(Ordering::Acquire)
            || tokio::runtime::Handle::try_current().is_err()
            || self.dispatching.swap(true, Ordering::AcqRel)
        {
            return;
        }
        let state = Arc::downgrade(&self.state);
        let trigger = self.trigger;
        tokio::spawn(std::future::poll_fn(move |cx| match state.upgrade() {
            Some(state) => state
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .pump(cx, &trigger),
            None => Poll::Ready(()),
        }));
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl State {
    /// Dispatches every change the store has sent; Ready once the store's watch is gone.
    fn pump(&mut self, cx: &mut Context<'_>, trigger: &Trigger) -> Poll<()> {
        loop {
            let Some(source) = self.source.as_mut() else {
                return Poll::Ready(());
            };
            match source.poll_recv(cx) {
                Poll::Ready(Some(response)) => self.dispatch(response, trigger),
                Poll::Ready(None) => self.source = None,
                Poll::Pending => return Poll::Pending,
            }
        }
    }

    /// Dispatches what the store has sent so far, without waiting (and without taking the
    /// dispatching task's place as the one the channel wakes, as a poll would).
    fn drain(&mut self, trigger: &Trigger) {
        while let Some(source) = self.source.as_mut() {
            match source.try_recv() {
                Ok(response) => self.dispatch(response, trigger),
                Err(mpsc::error::TryRecvError::Empty) => return,
                Err(mpsc::error::TryRecvError::Disconnected) => self.source = None,
            }
        }
    }

    fn dispatch(&mut self, response: WatchResponse, trigger: &Trigger) {
        if self.unindexed.is_empty() && self.indexed.is_empty() {
            // Nobody to tell: skip the decoding, and forget what would go stale.
            self.current.clear();
        } else {
            let changes = self.decode(&response);
            let mut values: Vec<&str> = Vec::with_capacity(2);
            for change in &changes.changes {
                for object in [&change.object, &change.previous].into_iter().flatten() {
                    if let Some(value) = trigger.value_in(object)
                        && !values.contains(&value)
                    {
                        values.push(value);
                    }
                }
            }
            for value in values {
                let emptied = self.indexed.get_mut(value).is_some_and(|subscribers| {
                    subscribers.retain(|s| s.deliver(&changes, trigger));
                    subscribers.is_empty()
                });
                if emptied {
                    self.indexed.remove(value);
                }
            }
            self.unindexed.retain(|s| s.deliver(&changes, trigger));
        }
        self.buffer.push_back(response);
        while self.buffer.len() > BUFFER {
            if let Some(gone) = self.buffer.pop_front() {
                self.buffer_start = gone.revision + 1;
            }
        }
    }

    /// Decodes one response, taking each previous object from `current` when it is there.
    fn decode(&mut self, response: &WatchResponse) -> Changes {
        let changes = response
            .events
            .iter()
            .map(|event| {
                let change = Change::of(event, self.current.remove(event.kv.key.as_str()));
                if let Some(object) = &change.object {
                    self.current.insert(change.key.clone(), object.clone());
                }
                change
            })
            .collect();
        Changes {
            revision: response.revision,
            changes,
        }
    }
}

impl Subscriber {
    /// The part of `changes` this watch should see, if any.
    fn share(&self, changes: &Changes, trigger: &Trigger) -> Option<Changes> {
        if changes.revision < self.start_revision {
            return None;
        }
        let concerns = |change: &Change| {
            change.key.starts_with(&self.prefix)
                && self.trigger_value.as_deref().is_none_or(|value| {
                    [&change.object, &change.previous]
                        .into_iter()
                        .flatten()
                        .any(|o| trigger.value_in(o) == Some(value))
                })
        };
        let mine: Vec<Change> = changes
            .changes
            .iter()
            .filter(|c| concerns(c))
            .cloned()
            .collect();
        (!mine.is_empty()).then_some(Changes {
            revision: changes.revision,
            changes: mine,
        })
    }

    /// Sends this watch its share of `changes`; false once its receiver is gone.
    fn deliver(&self, changes: &Changes, trigger: &Trigger) -> bool {
        match self.share(changes, trigger) {
            Some(share) => self.sender.send(share).is_ok(),
            None => !self.sender.is_closed(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{MemoryBackend, Op, Txn};
    use bytes::Bytes;

    fn put(store: &MemoryBackend, key: &str, node: &str) -> Revision {
        let value = format!(r#"{{"metadata":{{"name":"p"}},"spec":{{"nodeName":"{node}"}}}}"#);
        store
            .txn(Txn {
                success: vec![Op::Put {
                    key: key.into(),
                    value: Bytes::from(value),
                }],
                ..Default::default()
            })
            .unwrap()
            .revision
    }

    fn drained(source: &mut ChangeSource) -> Vec<(Revision, String)> {
        let mut seen = Vec::new();
        loop {
            let next = match source {
                ChangeSource::Cache(rx) => rx.try_recv().ok(),
                ChangeSource::Store(w) => w.events.try_recv().ok().map(|r| Changes::decoded(&r)),
            };
            let Some(changes) = next else { return seen };
            for c in changes.changes {
                seen.push((changes.revision, c.key.to_string()));
            }
        }
    }

    #[test]
    fn indexed_watches_see_only_their_value_and_unindexed_see_all() {
        let store = Arc::new(MemoryBackend::new());
        let cache = WatchCache::new(store.clone(), "/registry/pods/", POD_NODE_NAME);
        let mut node1 = cache.watch("/registry/pods/", 0, Some("node-1")).unwrap();
        let mut all = cache.watch("/registry/pods/", 0, None).unwrap();
        let r1 = put(&store, "/registry/pods/default/a", "node-1");
        let r2 = put(&store, "/registry/pods/default/b", "node-2");
        put(&store, "/registry/nodes/x", "node-1");
        // Moving a pod off node-1 still tells node-1 (its watch sees it leave).
        let r3 = put(&store, "/registry/pods/default/a", "node-3");
        // A registration drains the source: everything committed is dispatched.
        let _late = cache.watch("/registry/pods/", 0, None).unwrap();
        assert_eq!(
            drained(&mut node1),
            vec![
                (r1, "/registry/pods/default/a".to_string()),
                (r3, "/registry/pods/default/a".to_string())
            ]
        );
        assert_eq!(
            drained(&mut all)
                .iter()
                .map(|(r, _)| *r)
                .collect::<Vec<_>>(),
            vec![r1, r2, r3]
        );
    }

    #[test]
    fn changes_carry_the_previous_object_decoded_once_and_shared() {
        let store = Arc::new(MemoryBackend::new());
        let cache = WatchCache::new(store.clone(), "/registry/pods/", POD_NODE_NAME);
        let ChangeSource::Cache(mut rx) = cache.watch("/registry/pods/", 0, None).unwrap() else {
            panic!("served by the cache")
        };
        let r1 = put(&store, "/registry/pods/default/a", "node-1");
        put(&store, "/registry/pods/default/a", "node-2");
        let _ = cache.watch("/registry/pods/", 0, None).unwrap();
        let first = rx.try_recv().unwrap().changes.remove(0);
        let second = rx.try_recv().unwrap().changes.remove(0);
        assert!(first.previous.is_none());
        let written = first.object.unwrap();
        assert_eq!(written["metadata"]["resourceVersion"], r1.to_string());
        assert!(Arc::ptr_eq(&written, second.previous.as_ref().unwrap()));
        assert_eq!(second.object.unwrap()["spec"]["nodeName"], "node-2");
    }

    #[test]
    fn a_watch_from_the_past_is_replayed_from_the_buffer_or_the_store() {
        let store = Arc::new(MemoryBackend::new());
        let before = put(&store, "/registry/pods/default/old", "node-1");
        let cache = WatchCache::new(store.clone(), "/registry/pods/", POD_NODE_NAME);
        let r1 = put(&store, "/registry/pods/default/a", "node-1");
        let r2 = put(&store, "/registry/pods/ns2/b", "node-1");
        let mut from_buffer = cache
            .watch("/registry/pods/default/", r1, Some("node-1"))
            .unwrap();
        assert!(matches!(from_buffer, ChangeSource::Cache(_)));
        assert_eq!(
            drained(&mut from_buffer),
            vec![(r1, "/registry/pods/default/a".into())]
        );
        // Older than the cache: the store replays its own history.
        let mut from_store = cache.watch("/registry/pods/", before, None).unwrap();
        assert!(matches!(from_store, ChangeSource::Store(_)));
        assert_eq!(
            drained(&mut from_store)
                .iter()
                .map(|(r, _)| *r)
                .collect::<Vec<_>>(),
            vec![before, r1, r2]
        );
        store.compact(r2).unwrap();
        assert!(matches!(
            cache.watch("/registry/pods/", before, None),
            Err(StoreError::Compacted { .. })
        ));
    }
}
