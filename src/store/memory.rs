//! `MemoryBackend`: etcd's MVCC store kept in memory behind one mutex. Owns every key's
//! history of revisions (etcd's key index), the change log that watches replay from, the live
//! watchers, compaction and the "etcd is down" fault switch. Calls nothing outside `store`.
//!
//! Layout, chosen so a put costs O(log keys) and no copy of the value:
//! - `keys`: key → its revisions, oldest first; a delete leaves a tombstone so a range at an
//!   older revision still sees what was there.
//! - `changes`: `(revision, key)` for each key a revision changed, in order. A watch replays it
//!   and rebuilds each event (and its prev_kv) from the key's revisions.
//! - Keys are `Arc<str>`, shared by the index and the log, so history costs no key copies.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt;
use std::ops::Bound;
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;
use tokio::sync::mpsc;

use super::{
    Backend, Compare, Event, EventType, KeyValue, Op, OpResult, RangeRequest, RangeResponse,
    Revision, StoreError, Txn, TxnResponse, WatchResponse, Watcher,
};

/// The in-memory etcd. Cheap to share behind an `Arc`; every call takes the one lock briefly.
pub struct MemoryBackend {
    state: Mutex<State>,
}

/// One revision of one key: what a put wrote, or the tombstone a delete left.
#[derive(Debug, Clone)]
struct KeyRevision {
    mod_revision: Revision,
    create_revision: Revision,
    version: i64,
    /// `None` is a tombstone: the key was deleted at `mod_revision`.
    value: Option<Bytes>,
}

impl KeyRevision {
    fn tombstone(revision: Revision) -> Self {
        KeyRevision {
            mod_revision: revision,
            create_revision: 0,
            version: 0,
            value: None,
        }
    }

    fn is_live(&self) -> bool {
        self.value.is_some()
    }

    /// The key as etcd reports it; a tombstone becomes etcd's delete-event kv (empty value,
    /// zero create_revision and version, the deletion's mod_revision).
    fn to_kv(&self, key: &str) -> KeyValue {
        KeyValue {
            key: key.to_owned(),
            value: self.value.clone().unwrap_or_default(),
            create_revision: self.create_revision,
            mod_revision: self.mod_revision,
            version: self.version,
        }
    }
}

/// A key's revisions, oldest first (etcd's keyIndex, flattened).
type KeyIndex = Vec<KeyRevision>;

/// The revision of `index` visible at `revision`, if the key existed then.
fn visible_at(index: &KeyIndex, revision: Revision) -> Option<&KeyRevision> {
    let after = index.partition_point(|r| r.mod_revision <= revision);
    index[..after].last().filter(|r| r.is_live())
}

struct WatcherEntry {
    prefix: String,
    /// Revisions below this were replayed at registration (or not asked for).
    start_revision: Revision,
    sender: mpsc::UnboundedSender<WatchResponse>,
}

struct State {
    /// The latest revision; 1 for an empty store, as in etcd.
    revision: Revision,
    /// 0 until the first compaction.
    compact_revision: Revision,
    keys: BTreeMap<Arc<str>, KeyIndex>,
    /// Every `(revision, key)` change at or after `compact_revision`, in revision order and,
    /// within a revision, in the order the transaction first touched each key.
    changes: VecDeque<(Revision, Arc<str>)>,
    watchers: Vec<WatcherEntry>,
    next_watch_id: u64,
    /// Keys live at the latest revision.
    live_keys: usize,
    /// Set by fault injection: every fallible call fails with this message.
    unavailable: Option<String>,
}

/// What one transaction has written so far, to be committed as one revision.
struct PendingRevision {
    revision: Revision,
    /// Keys in the order the transaction first changed them (may repeat; see `State::commit`).
    touched: Vec<Arc<str>>,
    /// A later op undid an earlier one on the same key, so some `touched` keys may have no net
    /// change.
    undone: bool,
}

impl State {
    fn new() -> Self {
        State {
            revision: 1,
            compact_revision: 0,
            keys: BTreeMap::new(),
            changes: VecDeque::new(),
            watchers: Vec::new(),
            next_watch_id: 1,
            live_keys: 0,
            unavailable: None,
        }
    }

    fn check_available(&self) -> Result<(), StoreError> {
        match &self.unavailable {
            Some(message) => Err(StoreError::Unavailable(message.clone())),
            None => Ok(()),
        }
    }

    fn latest(&self, key: &str) -> Option<&KeyRevision> {
        self.keys.get(key)?.last().filter(|r| r.is_live())
    }

    fn compare_holds(&self, compare: &Compare) -> bool {
        match compare {
            Compare::ModRevision { key, revision } => {
                let current = self.latest(key).map_or(0, |r| r.mod_revision);
                current == *revision
            }
        }
    }

    /// The key's shared name and index, if the key has any retained revision.
    fn find_mut(&mut self, key: &str) -> Option<(&Arc<str>, &mut KeyIndex)> {
        // `range_mut` finds the stored `Arc` without allocating one to look it up.
        let exact = (Bound::Included(key), Bound::Included(key));
        self.keys.range_mut::<str, _>(exact).next()
    }

    /// The key's shared name and index, creating an empty index for a new key.
    fn index_mut(&mut self, key: &str) -> (Arc<str>, &mut KeyIndex) {
        // Reuse the stored `Arc`: an existing key costs no allocation.
        let name = match self.keys.get_key_value(key) {
            Some((name, _)) => name.clone(),
            None => Arc::from(key),
        };
        let index = self.keys.entry(name.clone()).or_default();
        (name, index)
    }

    fn put(&mut self, key: String, value: Bytes, pending: &mut PendingRevision) -> KeyValue {
        let revision = pending.revision;
        let (name, index) = self.index_mut(&key);
        let mut created = true;
        let mut entry = KeyRevision {
            mod_revision: revision,
            create_revision: revision,
            version: 1,
            value: Some(value),
        };
        if let Some(last) = index.last()
            && last.is_live()
        {
            created = false;
            entry.create_revision = last.create_revision;
            entry.version = last.version + 1;
        }
        let kv = KeyValue {
            key,
            value: entry.value.clone().unwrap_or_default(),
            create_revision: entry.create_revision,
            mod_revision: entry.mod_revision,
            version: entry.version,
        };
        match index.last_mut() {
            // An earlier op of this transaction wrote the key: one revision keeps one entry.
            Some(last) if last.mod_revision == revision => *last = entry,
            _ => {
                index.push(entry);
                pending.touched.push(name);
            }
        }
        if created {
            self.live_keys += 1;
        }
        kv
    }

    fn delete(&mut self, key: &str, pending: &mut PendingRevision) -> Option<KeyValue> {
        let revision = pending.revision;
        let (name, index) = self.find_mut(key)?;
        let last = index.last().filter(|r| r.is_live())?;
        let prev = last.to_kv(key);
        let len = index.len();
        if last.mod_revision == revision {
            // An earlier op of this transaction wrote the key: go back to how the key was
            // before the transaction, or leave a tombstone if it existed then.
            let existed_before = len >= 2 && index[len - 2].is_live();
            if existed_before {
                index[len - 1] = KeyRevision::tombstone(revision);
            } else {
                index.pop();
                pending.undone = true;
                if index.is_empty() {
                    self.keys.remove(key);
                }
            }
        } else {
            index.push(KeyRevision::tombstone(revision));
            pending.touched.push(name.clone());
        }
        self.live_keys -= 1;
        Some(prev)
    }

    fn get(&self, key: &str) -> Option<KeyValue> {
        self.latest(key).map(|r| r.to_kv(key))
    }

    /// Makes the transaction's writes one new revision, logs them and tells the watchers. A
    /// transaction that changed nothing leaves the revision as it was.
    fn commit(&mut self, pending: PendingRevision) {
        let PendingRevision {
            revision,
            mut touched,
            undone,
        } = pending;
        if touched.len() > 1 {
            // etcd refuses a transaction that writes one key twice; here the later op wins
            // and the key gets one event, at its first place.
            let mut seen = BTreeSet::new();
            touched.retain(|key| seen.insert(key.clone()));
        }
        if undone {
            touched.retain(|key| {
                self.keys
                    .get(key)
                    .and_then(|index| index.last())
                    .is_some_and(|r| r.mod_revision == revision)
            });
        }
        if touched.is_empty() {
            return;
        }
        self.revision = revision;
        if !self.watchers.is_empty() {
            let events = self.events(revision, &touched);
            self.notify(revision, &events);
        }
        self.changes
            .extend(touched.into_iter().map(|key| (revision, key)));
    }

    /// The events `revision` made on `keys`, rebuilt from the keys' indexes.
    fn events(&self, revision: Revision, keys: &[Arc<str>]) -> Vec<Event> {
        keys.iter()
            .filter_map(|key| self.event(revision, key))
            .collect()
    }

    fn event(&self, revision: Revision, key: &str) -> Option<Event> {
        let index = self.keys.get(key)?;
        let at = index.partition_point(|r| r.mod_revision < revision);
        let entry = index.get(at).filter(|r| r.mod_revision == revision)?;
        let prev_kv = at
            .checked_sub(1)
            .and_then(|before| index.get(before))
            .filter(|r| r.is_live())
            .map(|r| r.to_kv(key));
        let kind = if entry.is_live() {
            EventType::Put
        } else {
            EventType::Delete
        };
        Some(Event {
            kind,
            kv: entry.to_kv(key),
            prev_kv,
        })
    }

    /// Sends the watchers their share of one revision, and forgets watchers whose receiver
    /// was dropped.
    fn notify(&mut self, revision: Revision, events: &[Event]) {
        self.watchers.retain(|watcher| {
            let matching: Vec<Event> = if revision < watcher.start_revision {
                Vec::new()
            } else {
                events
                    .iter()
                    .filter(|event| event.kv.key.starts_with(&watcher.prefix))
                    .cloned()
                    .collect()
            };
            if matching.is_empty() {
                return !watcher.sender.is_closed();
            }
            let response = WatchResponse {
                revision,
                events: matching,
            };
            watcher.sender.send(response).is_ok()
        });
    }

    /// Replays the logged changes from `from` on into `sender`, one response per revision.
    fn replay(&self, prefix: &str, from: Revision, sender: &mpsc::UnboundedSender<WatchResponse>) {
        let mut at = self
            .changes
            .partition_point(|(revision, _)| *revision < from);
        while let Some((revision, _)) = self.changes.get(at) {
            let revision = *revision;
            let mut events = Vec::new();
            while let Some((_, key)) = self.changes.get(at).filter(|(r, _)| *r == revision) {
                if key.starts_with(prefix)
                    && let Some(event) = self.event(revision, key)
                {
                    events.push(event);
                }
                at += 1;
            }
            if !events.is_empty() {
                // The receiver is still in our hands, so this cannot fail.
                let _ = sender.send(WatchResponse { revision, events });
            }
        }
    }

    fn range(&self, request: &RangeRequest) -> Result<RangeResponse, StoreError> {
        // etcd reads the latest revision for any revision <= 0.
        let revision = if request.revision <= 0 {
            self.revision
        } else {
            request.revision
        };
        if revision > self.revision {
            return Err(StoreError::FutureRevision);
        }
        if revision < self.compact_revision {
            return Err(StoreError::Compacted {
                compact_revision: self.compact_revision,
            });
        }
        let start = match &request.start_after {
            Some(start) if start.as_str() > request.key.as_str() => start.as_str(),
            _ => request.key.as_str(),
        };
        let mut kvs = Vec::new();
        let mut count = 0;
        if request.prefix {
            let from = (Bound::Included(start), Bound::Unbounded);
            for (key, index) in self.keys.range::<str, _>(from) {
                // Keys under one prefix are contiguous in byte order.
                if !key.starts_with(request.key.as_str()) {
                    break;
                }
                if let Some(entry) = visible_at(index, revision) {
                    count += 1;
                    if request.limit == 0 || kvs.len() < request.limit {
                        kvs.push(entry.to_kv(key));
                    }
                }
            }
        } else if start == request.key
            && let Some(entry) = self
                .keys
                .get(request.key.as_str())
                .and_then(|index| visible_at(index, revision))
        {
            count = 1;
            kvs.push(entry.to_kv(&request.key));
        }
        Ok(RangeResponse {
            more: count > kvs.len(),
            kvs,
            count,
            revision,
        })
    }

    fn compact(&mut self, revision: Revision) -> Result<(), StoreError> {
        if revision > self.revision {
            return Err(StoreError::FutureRevision);
        }
        if revision <= self.compact_revision {
            return Err(StoreError::Compacted {
                compact_revision: self.compact_revision,
            });
        }
        self.keys.retain(|_, index| {
            // Keep every revision from `revision` on, and the one before it if the key was
            // live then: it is the value a range at `revision` sees, and the prev_kv of an
            // event at `revision` that a watch from `revision` replays.
            let from = index.partition_point(|r| r.mod_revision < revision);
            let keep_from = match from.checked_sub(1) {
                Some(before) if index[before].is_live() => before,
                _ => from,
            };
            index.drain(..keep_from);
            !index.is_empty()
        });
        let stale = self.changes.partition_point(|(r, _)| *r < revision);
        self.changes.drain(..stale);
        self.compact_revision = revision;
        Ok(())
    }
}

impl MemoryBackend {
    /// An empty store at revision 1.
    pub fn new() -> Self {
        MemoryBackend {
            state: Mutex::new(State::new()),
        }
    }

    /// Fault injection: while set, every call that can fail returns
    /// `StoreError::Unavailable(message)`; `None` brings the store back. Open watches stay
    /// open (no write can succeed meanwhile, so they simply see nothing).
    pub fn set_unavailable(&self, message: Option<String>) {
        self.lock().unavailable = message;
    }

    /// How many keys exist at the latest revision.
    pub fn len(&self) -> usize {
        self.lock().live_keys
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many watches are open (dropped ones are forgotten first).
    pub fn watcher_count(&self) -> usize {
        let mut state = self.lock();
        state.watchers.retain(|w| !w.sender.is_closed());
        state.watchers.len()
    }

    /// Nothing here is expected to panic under the lock; if something did, serving the
    /// state as it is beats failing every later call of the whole control plane.
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Default for MemoryBackend {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for MemoryBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.lock();
        f.debug_struct("MemoryBackend")
            .field("revision", &state.revision)
            .field("compact_revision", &state.compact_revision)
            .field("keys", &state.live_keys)
            .field("watchers", &state.watchers.len())
            .field("unavailable", &state.unavailable)
            .finish()
    }
}

impl Backend for MemoryBackend {
    fn txn(&self, txn: Txn) -> Result<TxnResponse, StoreError> {
        let mut state = self.lock();
        state.check_available()?;
        let succeeded = txn.compare.iter().all(|c| state.compare_holds(c));
        let ops = if succeeded { txn.success } else { txn.failure };
        let mut pending = PendingRevision {
            revision: state.revision + 1,
            touched: Vec::new(),
            undone: false,
        };
        let mut results = Vec::with_capacity(ops.len());
        for op in ops {
            results.push(match op {
                Op::Put { key, value } => OpResult::Put(state.put(key, value, &mut pending)),
                Op::Delete { key } => OpResult::Delete(state.delete(&key, &mut pending)),
                Op::Get { key } => OpResult::Get(state.get(&key)),
            });
        }
        state.commit(pending);
        Ok(TxnResponse {
            succeeded,
            revision: state.revision,
            results,
        })
    }

    fn range(&self, request: &RangeRequest) -> Result<RangeResponse, StoreError> {
        let state = self.lock();
        state.check_available()?;
        state.range(request)
    }

    fn watch(&self, prefix: &str, from_revision: Revision) -> Result<Watcher, StoreError> {
        let mut state = self.lock();
        state.check_available()?;
        if from_revision > 0 && from_revision < state.compact_revision {
            return Err(StoreError::Compacted {
                compact_revision: state.compact_revision,
            });
        }
        let start_revision = if from_revision <= 0 {
            state.revision + 1
        } else {
            from_revision
        };
        let (sender, events) = mpsc::unbounded_channel();
        // Replay and registration under one lock: no write can slip between them, so the
        // watch sees every revision from `start_revision` exactly once.
        state.replay(prefix, start_revision, &sender);
        let id = state.next_watch_id;
        state.next_watch_id += 1;
        state.watchers.retain(|w| !w.sender.is_closed());
        state.watchers.push(WatcherEntry {
            prefix: prefix.to_owned(),
            start_revision,
            sender,
        });
        Ok(Watcher { id, events })
    }

    fn compact(&self, revision: Revision) -> Result<(), StoreError> {
        let mut state = self.lock();
        state.check_available()?;
        state.compact(revision)
    }

    fn revision(&self) -> Revision {
        self.lock().revision
    }

    fn compacted_revision(&self) -> Revision {
        self.lock().compact_revision
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put(key: &str, value: &str) -> Op {
        Op::Put {
            key: key.to_owned(),
            value: Bytes::from(value.to_owned()),
        }
    }

    fn delete(key: &str) -> Op {
        Op::Delete {
            key: key.to_owned(),
        }
    }

    fn txn(store: &MemoryBackend, ops: Vec<Op>) -> TxnResponse {
        let txn = Txn {
            success: ops,
            ..Txn::default()
        };
        store.txn(txn).expect("store is available")
    }

    /// The kube-apiserver update: put if the key's mod_revision is still `expected`, else read it.
    fn cas(store: &MemoryBackend, key: &str, expected: Revision, value: &str) -> TxnResponse {
        let txn = Txn {
            compare: vec![Compare::ModRevision {
                key: key.to_owned(),
                revision: expected,
            }],
            success: vec![put(key, value)],
            failure: vec![Op::Get {
                key: key.to_owned(),
            }],
        };
        store.txn(txn).expect("store is available")
    }

    fn list(store: &MemoryBackend, prefix: &str, revision: Revision) -> Vec<(String, String)> {
        let request = RangeRequest {
            key: prefix.to_owned(),
            prefix: true,
            revision,
            ..RangeRequest::default()
        };
        let response = store.range(&request).expect("range");
        response
            .kvs
            .into_iter()
            .map(|kv| (kv.key, String::from_utf8_lossy(&kv.value).into_owned()))
            .collect()
    }

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn drain(watcher: &mut Watcher) -> Vec<WatchResponse> {
        std::iter::from_fn(|| watcher.events.try_recv().ok()).collect()
    }

    fn put_kv(response: &TxnResponse) -> &KeyValue {
        match response.results.first() {
            Some(OpResult::Put(kv)) => kv,
            other => panic!("expected a put result, got {other:?}"),
        }
    }

    #[test]
    fn empty_store_is_at_revision_one() {
        let store = MemoryBackend::new();
        assert_eq!(store.revision(), 1);
        assert_eq!(store.compacted_revision(), 0);
        assert!(store.is_empty());
        let response = store.range(&RangeRequest::default()).expect("range");
        assert_eq!(response.revision, 1);
        assert_eq!(response.count, 0);
    }

    #[test]
    fn each_writing_txn_makes_one_revision() {
        let store = MemoryBackend::new();
        let first = txn(&store, vec![put("/a", "1")]);
        assert_eq!(first.revision, 2);
        assert_eq!(
            put_kv(&first),
            &KeyValue {
                key: "/a".into(),
                value: Bytes::from("1"),
                create_revision: 2,
                mod_revision: 2,
                version: 1,
            }
        );
        let second = txn(&store, vec![put("/a", "2")]);
        let kv = put_kv(&second);
        assert_eq!((kv.create_revision, kv.mod_revision, kv.version), (2, 3, 2));
        // Two puts in one transaction share one revision.
        let both = txn(&store, vec![put("/b", "1"), put("/c", "1")]);
        assert_eq!(both.revision, 4);
        assert!(
            both.results
                .iter()
                .all(|r| matches!(r, OpResult::Put(kv) if kv.mod_revision == 4))
        );
        assert_eq!(store.len(), 3);
    }

    #[test]
    fn reads_and_no_op_deletes_do_not_bump_the_revision() {
        let store = MemoryBackend::new();
        txn(&store, vec![put("/a", "1")]);
        let read = txn(&store, vec![Op::Get { key: "/a".into() }]);
        assert_eq!(read.revision, 2);
        let missing = txn(&store, vec![delete("/missing")]);
        assert_eq!(missing.revision, 2);
        assert_eq!(missing.results, vec![OpResult::Delete(None)]);
        let empty = txn(&store, vec![]);
        assert_eq!(empty.revision, 2);
        assert_eq!(store.revision(), 2);
    }

    #[test]
    fn compare_on_mod_revision_is_optimistic_concurrency() {
        let store = MemoryBackend::new();
        // Create if absent: a missing key has mod_revision 0.
        let created = cas(&store, "/pods/web", 0, "v1");
        assert!(created.succeeded);
        assert_eq!(created.revision, 2);
        let again = cas(&store, "/pods/web", 0, "v1-again");
        assert!(!again.succeeded);
        assert_eq!(again.revision, 2);
        let Some(OpResult::Get(Some(current))) = again.results.first() else {
            panic!("the failure branch reads the key: {again:?}");
        };
        assert_eq!(current.value, Bytes::from("v1"));
        // Update at the right resourceVersion, then a stale writer loses.
        assert!(cas(&store, "/pods/web", 2, "v2").succeeded);
        let stale = cas(&store, "/pods/web", 2, "v2-stale");
        assert!(!stale.succeeded);
        assert_eq!(store.revision(), 3);
        assert_eq!(list(&store, "/pods/", 0), pairs(&[("/pods/web", "v2")]));
    }

    #[test]
    fn re_creation_after_delete_starts_a_new_life() {
        let store = MemoryBackend::new();
        txn(&store, vec![put("/a", "1")]);
        txn(&store, vec![put("/a", "2")]);
        let deleted = txn(&store, vec![delete("/a")]);
        assert_eq!(deleted.revision, 4);
        let Some(OpResult::Delete(Some(prev))) = deleted.results.first() else {
            panic!("delete returns the previous kv: {deleted:?}");
        };
        assert_eq!((prev.value.clone(), prev.version), (Bytes::from("2"), 2));
        assert!(store.is_empty());
        // A compare against the deleted key sees mod_revision 0 again.
        assert!(cas(&store, "/a", 0, "3").succeeded);
        let Some(OpResult::Get(Some(kv))) = txn(&store, vec![Op::Get { key: "/a".into() }])
            .results
            .first()
            .cloned()
        else {
            panic!("the key exists again");
        };
        assert_eq!((kv.create_revision, kv.mod_revision, kv.version), (5, 5, 1));
    }

    #[test]
    fn range_reads_any_retained_revision() {
        let store = MemoryBackend::new();
        txn(&store, vec![put("/a", "1")]); // 2
        txn(&store, vec![put("/b", "1")]); // 3
        txn(&store, vec![put("/a", "2")]); // 4
        txn(&store, vec![delete("/b")]); // 5
        assert_eq!(list(&store, "/", 1), pairs(&[]));
        assert_eq!(list(&store, "/", 2), pairs(&[("/a", "1")]));
        assert_eq!(list(&store, "/", 3), pairs(&[("/a", "1"), ("/b", "1")]));
        assert_eq!(list(&store, "/", 4), pairs(&[("/a", "2"), ("/b", "1")]));
        assert_eq!(list(&store, "/", 5), pairs(&[("/a", "2")]));
        assert_eq!(list(&store, "/", 0), list(&store, "/", 5));
        let single = RangeRequest {
            key: "/b".into(),
            revision: 3,
            ..RangeRequest::default()
        };
        let response = store.range(&single).expect("range");
        assert_eq!((response.count, response.revision), (1, 3));
        let future = RangeRequest {
            revision: 6,
            ..RangeRequest::default()
        };
        assert_eq!(store.range(&future), Err(StoreError::FutureRevision));
    }

    #[test]
    fn limit_and_continue_page_through_a_prefix() {
        let store = MemoryBackend::new();
        for name in ["a", "b", "c", "d", "e"] {
            txn(&store, vec![put(&format!("/pods/{name}"), name)]);
        }
        let mut request = RangeRequest {
            key: "/pods/".into(),
            prefix: true,
            limit: 2,
            ..RangeRequest::default()
        };
        let first = store.range(&request).expect("range");
        let keys: Vec<_> = first.kvs.iter().map(|kv| kv.key.as_str()).collect();
        assert_eq!(keys, ["/pods/a", "/pods/b"]);
        assert!(first.more);
        assert_eq!(first.count, 5);
        // `continue` resumes at the key after the last one returned (inclusive start).
        request.start_after = Some("/pods/b\0".into());
        request.revision = first.revision;
        let second = store.range(&request).expect("range");
        let keys: Vec<_> = second.kvs.iter().map(|kv| kv.key.as_str()).collect();
        assert_eq!(keys, ["/pods/c", "/pods/d"]);
        assert!(second.more);
        // Like etcd, count covers the keys from the start key on: kube-apiserver's
        // remainingItemCount is count - kvs.len().
        assert_eq!(second.count, 3);
        request.start_after = Some("/pods/e".into());
        let last = store.range(&request).expect("range");
        assert_eq!((last.kvs.len(), last.more, last.count), (1, false, 1));
        // A start key before the prefix starts at the prefix.
        request.start_after = Some("/".into());
        request.limit = 0;
        assert_eq!(store.range(&request).expect("range").count, 5);
    }

    #[test]
    fn a_prefix_is_a_plain_byte_prefix() {
        let store = MemoryBackend::new();
        txn(&store, vec![put("/registry/pods/default/web", "1")]);
        txn(&store, vec![put("/registry/pods/default2/web", "2")]);
        txn(&store, vec![put("/registry/pods/defaulu/web", "3")]);
        assert_eq!(
            list(&store, "/registry/pods/default/", 0),
            pairs(&[("/registry/pods/default/web", "1")])
        );
        assert_eq!(list(&store, "/registry/pods/", 0).len(), 3);
        let mut watcher = store.watch("/registry/pods/default/", 1).expect("watch");
        let replayed = drain(&mut watcher);
        assert_eq!(replayed.len(), 1);
        assert_eq!(replayed[0].revision, 2);
        txn(&store, vec![put("/registry/pods/default2/db", "4")]);
        assert!(drain(&mut watcher).is_empty());
    }

    #[test]
    fn watch_replays_history_then_streams_live_events() {
        let store = MemoryBackend::new();
        txn(&store, vec![put("/a/1", "x")]); // 2
        txn(&store, vec![put("/b/1", "y")]); // 3
        txn(&store, vec![put("/a/1", "x2"), put("/a/2", "z")]); // 4
        txn(&store, vec![delete("/a/1")]); // 5
        let mut watcher = store.watch("/a/", 3).expect("watch");
        let replayed = drain(&mut watcher);
        // Revision 3 touched only /b/, so it is skipped; revision 4 arrives whole.
        let revisions: Vec<_> = replayed.iter().map(|r| r.revision).collect();
        assert_eq!(revisions, [4, 5]);
        let update = &replayed[0].events;
        assert_eq!(update.len(), 2);
        assert_eq!(update[0].kind, EventType::Put);
        assert_eq!(update[0].kv.value, Bytes::from("x2"));
        assert_eq!(
            update[0].prev_kv.as_ref().map(|kv| kv.value.clone()),
            Some(Bytes::from("x"))
        );
        assert_eq!(update[1].prev_kv, None);
        let removal = &replayed[1].events[0];
        assert_eq!(removal.kind, EventType::Delete);
        assert_eq!(
            removal.kv,
            KeyValue {
                key: "/a/1".into(),
                value: Bytes::new(),
                create_revision: 0,
                mod_revision: 5,
                version: 0,
            }
        );
        assert_eq!(
            removal
                .prev_kv
                .as_ref()
                .map(|kv| (kv.mod_revision, kv.version)),
            Some((4, 2))
        );

        txn(&store, vec![put("/b/2", "ignored")]); // 6
        txn(&store, vec![put("/a/3", "live")]); // 7
        let live = drain(&mut watcher);
        assert_eq!(live.len(), 1);
        assert_eq!(live[0].revision, 7);
        assert_eq!(live[0].events[0].kv.key, "/a/3");
    }

    #[test]
    fn watch_from_zero_sees_only_future_changes() {
        let store = MemoryBackend::new();
        txn(&store, vec![put("/a", "1")]);
        let mut watcher = store.watch("/", 0).expect("watch");
        assert!(drain(&mut watcher).is_empty());
        txn(&store, vec![put("/a", "2")]);
        let live = drain(&mut watcher);
        assert_eq!(live.len(), 1);
        assert_eq!(live[0].revision, 3);
    }

    #[test]
    fn watch_from_a_future_revision_waits_for_it() {
        let store = MemoryBackend::new();
        let mut watcher = store.watch("/", 4).expect("watch");
        txn(&store, vec![put("/a", "1")]); // 2
        txn(&store, vec![put("/a", "2")]); // 3
        txn(&store, vec![put("/a", "3")]); // 4
        let revisions: Vec<_> = drain(&mut watcher).iter().map(|r| r.revision).collect();
        assert_eq!(revisions, [4]);
    }

    #[test]
    fn compaction_forgets_old_revisions_only() {
        let store = MemoryBackend::new();
        txn(&store, vec![put("/a", "1")]); // 2
        txn(&store, vec![put("/b", "1")]); // 3
        txn(&store, vec![delete("/b")]); // 4
        txn(&store, vec![put("/a", "2")]); // 5
        txn(&store, vec![put("/c", "1")]); // 6
        assert_eq!(store.compact(7), Err(StoreError::FutureRevision));
        store.compact(5).expect("compact");
        assert_eq!(store.compacted_revision(), 5);
        let compacted = Err(StoreError::Compacted {
            compact_revision: 5,
        });
        assert_eq!(store.compact(5), compacted);
        assert_eq!(store.compact(3), compacted);
        let old = RangeRequest {
            key: "/".into(),
            prefix: true,
            revision: 4,
            ..RangeRequest::default()
        };
        assert_eq!(store.range(&old).map(|_| ()), compacted);
        assert_eq!(store.watch("/", 4).map(|w| w.id), compacted.map(|()| 0));
        assert_eq!(list(&store, "/", 5), pairs(&[("/a", "2")]));
        assert_eq!(list(&store, "/", 6), pairs(&[("/a", "2"), ("/c", "1")]));
        // Watching from the compact revision is still gapless, prev_kv included.
        let mut watcher = store.watch("/", 5).expect("watch");
        let replayed = drain(&mut watcher);
        let revisions: Vec<_> = replayed.iter().map(|r| r.revision).collect();
        assert_eq!(revisions, [5, 6]);
        assert_eq!(
            replayed[0].events[0]
                .prev_kv
                .as_ref()
                .map(|kv| kv.value.clone()),
            Some(Bytes::from("1"))
        );
        // A key re-created after compaction starts afresh.
        assert!(cas(&store, "/b", 0, "2").succeeded);
        store.compact(store.revision()).expect("compact to latest");
        assert_eq!(list(&store, "/", 0).len(), 3);
    }

    #[test]
    fn an_unavailable_store_fails_every_call() {
        let store = MemoryBackend::new();
        txn(&store, vec![put("/a", "1")]);
        let down: Result<(), StoreError> = Err(StoreError::Unavailable("leader changed".into()));
        store.set_unavailable(Some("leader changed".into()));
        assert_eq!(store.txn(Txn::default()).map(|_| ()), down);
        assert_eq!(store.range(&RangeRequest::default()).map(|_| ()), down);
        assert_eq!(store.watch("/", 0).map(|_| ()), down);
        assert_eq!(store.compact(2), down);
        assert_eq!(store.revision(), 2);
        store.set_unavailable(None);
        assert_eq!(list(&store, "/", 0), pairs(&[("/a", "1")]));
    }

    #[test]
    fn dropped_watches_are_forgotten() {
        let store = MemoryBackend::new();
        let kept = store.watch("/", 0).expect("watch");
        let dropped = store.watch("/", 0).expect("watch");
        assert_ne!(kept.id, dropped.id);
        assert_eq!(store.watcher_count(), 2);
        drop(dropped);
        txn(&store, vec![put("/a", "1")]);
        assert_eq!(store.watcher_count(), 1);
    }

    #[test]
    fn one_key_written_twice_in_a_txn_keeps_the_net_change() {
        let store = MemoryBackend::new();
        let mut watcher = store.watch("/", 0).expect("watch");
        // Created and deleted in one transaction: nothing happened.
        let net_nothing = txn(&store, vec![put("/a", "1"), delete("/a")]);
        assert_eq!(net_nothing.revision, 1);
        assert!(store.is_empty());
        // Put twice: one revision, one event, the later value, version counts both puts.
        let twice = txn(&store, vec![put("/a", "1"), put("/a", "2")]);
        assert_eq!(twice.revision, 2);
        let events = drain(&mut watcher);
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].events.len(), 1);
        assert_eq!(events[0].events[0].kv.value, Bytes::from("2"));
        assert_eq!(events[0].events[0].kv.version, 2);
        assert_eq!(store.len(), 1);
    }

    /// A quick throughput check: `cargo test --release -- --ignored --nocapture puts_per_second`.
    /// Each put carries a fresh 2 KiB value; a watch is open on another prefix and history
    /// is compacted as kube-apiserver would, so memory stays flat.
    #[test]
    #[ignore]
    fn puts_per_second() {
        let store = MemoryBackend::new();
        let _watcher = store.watch("/registry/nodes/", 0).expect("watch");
        let keys: Vec<String> = (0..10_000)
            .map(|i| format!("/registry/pods/default/pod-{i:05}"))
            .collect();
        let puts = 1_000_000;
        let started = std::time::Instant::now();
        for i in 0..puts {
            let value = Bytes::from(vec![b'x'; 2048]);
            let response = txn(&store, vec![put_value(&keys[i % keys.len()], &value)]);
            assert!(response.succeeded);
            if i % 50_000 == 49_999 {
                store.compact(store.revision()).expect("compact");
            }
        }
        let elapsed = started.elapsed();
        println!(
            "{puts} puts of 2 KiB in {elapsed:?}: {:.0} puts/s",
            puts as f64 / elapsed.as_secs_f64()
        );
    }

    fn put_value(key: &str, value: &Bytes) -> Op {
        Op::Put {
            key: key.to_owned(),
            value: value.clone(),
        }
    }
}
