//! Property tests of the in-memory etcd against a model simple enough to trust: the model keeps
//! a full snapshot of the key space and the list of events for every revision. Random
//! transactions (puts, deletes, reads, compare-and-swap on mod_revision with right and wrong
//! expectations) and compactions run on both; then every retained revision is ranged, and a
//! watch from every revision is checked first for its replay and then for live events.

use std::collections::BTreeMap;
use std::sync::Arc;

use bytes::Bytes;
use podflow::store::{
    Backend, Compare, Event, EventType, KeyValue, MemoryBackend, Op, OpResult, RangeRequest,
    Revision, StoreError, Txn, TxnResponse, WatchResponse, Watcher,
};
use proptest::collection::vec;
use proptest::prelude::*;

/// Nested and look-alike keys, so prefix matching is exercised: `/a/` must not see `/a2/1`.
const KEYS: [&str; 5] = ["/a/1", "/a/2", "/a2/1", "/b/1", "/a/1/x"];
const PREFIXES: [&str; 5] = ["", "/", "/a/", "/a2/", "/a/1"];

#[derive(Debug, Clone)]
enum Expect {
    /// The key's current mod_revision: the compare holds.
    Current,
    /// "The key does not exist".
    Absent,
    /// Some revision, usually stale or never the key's.
    Exactly(Revision),
}

#[derive(Debug, Clone)]
enum OpSpec {
    Put(usize, u8),
    Delete(usize),
    Get(usize),
}

#[derive(Debug, Clone)]
struct TxnSpec {
    compare: Vec<(usize, Expect)>,
    success: Vec<OpSpec>,
    failure: Vec<OpSpec>,
}

#[derive(Debug, Clone)]
enum Step {
    Txn(TxnSpec),
    /// Picks a target around the valid window, so errors are tried too.
    Compact(u16),
}

fn op_spec() -> impl Strategy<Value = OpSpec> {
    prop_oneof![
        3 => (0..KEYS.len(), 0..4u8).prop_map(|(key, value)| OpSpec::Put(key, value)),
        1 => (0..KEYS.len()).prop_map(OpSpec::Delete),
        1 => (0..KEYS.len()).prop_map(OpSpec::Get),
    ]
}

fn expect() -> impl Strategy<Value = Expect> {
    prop_oneof![
        2 => Just(Expect::Current),
        1 => Just(Expect::Absent),
        1 => (1..30i64).prop_map(Expect::Exactly),
    ]
}

fn txn_spec() -> impl Strategy<Value = TxnSpec> {
    (
        vec((0..KEYS.len(), expect()), 0..3),
        vec(op_spec(), 0..4),
        vec(op_spec(), 0..3),
    )
        .prop_map(|(compare, success, failure)| TxnSpec {
            compare,
            success,
            failure,
        })
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        8 => txn_spec().prop_map(Step::Txn),
        1 => any::<u16>().prop_map(Step::Compact),
    ]
}

/// etcd as a list of snapshots: revision r is `snapshots[r - 1]`, its events `history[r - 1]`.
struct Model {
    snapshots: Vec<BTreeMap<String, KeyValue>>,
    history: Vec<Vec<Event>>,
    compacted: Revision,
}

impl Model {
    fn new() -> Self {
        Model {
            snapshots: vec![BTreeMap::new()],
            history: vec![Vec::new()],
            compacted: 0,
        }
    }

    fn revision(&self) -> Revision {
        self.snapshots.len() as Revision
    }

    fn latest(&self) -> &BTreeMap<String, KeyValue> {
        &self.snapshots[self.snapshots.len() - 1]
    }

    fn snapshot(&self, revision: Revision) -> &BTreeMap<String, KeyValue> {
        &self.snapshots[(revision - 1) as usize]
    }

    /// Builds the transaction a spec describes, resolving `Expect::Current` now.
    fn txn(&self, spec: &TxnSpec) -> Txn {
        let ops = |specs: &[OpSpec]| -> Vec<Op> {
            specs
                .iter()
                .map(|op| match *op {
                    OpSpec::Put(key, value) => Op::Put {
                        key: KEYS[key].to_owned(),
                        value: Bytes::from(vec![value]),
                    },
                    OpSpec::Delete(key) => Op::Delete {
                        key: KEYS[key].to_owned(),
                    },
                    OpSpec::Get(key) => Op::Get {
                        key: KEYS[key].to_owned(),
                    },
                })
                .collect()
        };
        let compare = spec
            .compare
            .iter()
            .map(|(key, expect)| Compare::ModRevision {
                key: KEYS[*key].to_owned(),
                revision: match expect {
                    Expect::Current => self
                        .latest()
                        .get(KEYS[*key])
                        .map_or(0, |kv| kv.mod_revision),
                    Expect::Absent => 0,
                    Expect::Exactly(revision) => *revision,
                },
            })
            .collect();
        Txn {
            compare,
            success: ops(&spec.success),
            failure: ops(&spec.failure),
        }
    }

    /// Runs the ops one after another on a copy of the latest snapshot; the revision's events
    /// are the net change of each key, in the order the ops first wrote it.
    fn apply(&mut self, txn: &Txn) -> TxnResponse {
        let before = self.latest().clone();
        let succeeded = txn.compare.iter().all(|compare| match compare {
            Compare::ModRevision { key, revision } => {
                before.get(key).map_or(0, |kv| kv.mod_revision) == *revision
            }
        });
        let ops = if succeeded {
            &txn.success
        } else {
            &txn.failure
        };
        let revision = self.revision() + 1;
        let mut after = before.clone();
        let mut written: Vec<String> = Vec::new();
        let mut results = Vec::new();
        for op in ops {
            match op {
                Op::Put { key, value } => {
                    let prev = after.get(key);
                    let kv = KeyValue {
                        key: key.clone(),
                        value: value.clone(),
                        create_revision: prev.map_or(revision, |kv| kv.create_revision),
                        mod_revision: revision,
                        version: prev.map_or(1, |kv| kv.version + 1),
                    };
                    after.insert(key.clone(), kv.clone());
                    if !written.contains(key) {
                        written.push(key.clone());
                    }
                    results.push(OpResult::Put(kv));
                }
                Op::Delete { key } => {
                    let removed = after.remove(key);
                    if removed.is_some() && !written.contains(key) {
                        written.push(key.clone());
                    }
                    results.push(OpResult::Delete(removed));
                }
                Op::Get { key } => results.push(OpResult::Get(after.get(key).cloned())),
            }
        }
        let events: Vec<Event> = written
            .iter()
            .filter_map(|key| match (before.get(key), after.get(key)) {
                (prev, Some(kv)) => Some(Event {
                    kind: EventType::Put,
                    kv: kv.clone(),
                    prev_kv: prev.cloned(),
                }),
                (Some(prev), None) => Some(Event {
                    kind: EventType::Delete,
                    kv: KeyValue {
                        key: key.clone(),
                        value: Bytes::new(),
                        create_revision: 0,
                        mod_revision: revision,
                        version: 0,
                    },
                    prev_kv: Some(prev.clone()),
                }),
                (None, None) => None,
            })
            .collect();
        if !events.is_empty() {
            self.snapshots.push(after);
            self.history.push(events);
        }
        TxnResponse {
            succeeded,
            revision: self.revision(),
            results,
        }
    }

    fn compact(&mut self, revision: Revision) -> Result<(), StoreError> {
        if revision > self.revision() {
            return Err(StoreError::FutureRevision);
        }
        if revision <= self.compacted {
            return Err(StoreError::Compacted {
                compact_revision: self.compacted,
            });
        }
        self.compacted = revision;
        Ok(())
    }

    /// What a watch on `prefix` from `from` must deliver for revisions `from..=until`.
    fn watch(&self, prefix: &str, from: Revision, until: Revision) -> Vec<WatchResponse> {
        (from.max(1)..=until)
            .filter_map(|revision| {
                let events: Vec<Event> = self.history[(revision - 1) as usize]
                    .iter()
                    .filter(|event| event.kv.key.starts_with(prefix))
                    .cloned()
                    .collect();
                (!events.is_empty()).then_some(WatchResponse { revision, events })
            })
            .collect()
    }
}

fn drain(watcher: &mut Watcher) -> Vec<WatchResponse> {
    std::iter::from_fn(|| watcher.events.try_recv().ok()).collect()
}

fn range(
    store: &MemoryBackend,
    prefix: &str,
    revision: Revision,
    start_after: Option<String>,
    limit: usize,
) -> Result<podflow::store::RangeResponse, StoreError> {
    store.range(&RangeRequest {
        key: prefix.to_owned(),
        prefix: true,
        start_after,
        revision,
        limit,
    })
}

/// Every retained revision reads as the model's snapshot, whole, paged and key by key; reads
/// outside the retained window fail as etcd's do.
fn check_ranges(store: &MemoryBackend, model: &Model) {
    assert_eq!(store.revision(), model.revision());
    assert_eq!(store.compacted_revision(), model.compacted);
    for revision in model.compacted.max(1)..=model.revision() {
        let snapshot = model.snapshot(revision);
        for prefix in PREFIXES {
            let expected: Vec<KeyValue> = snapshot
                .values()
                .filter(|kv| kv.key.starts_with(prefix))
                .cloned()
                .collect();
            let whole = range(store, prefix, revision, None, 0).expect("range");
            assert_eq!(whole.kvs, expected, "prefix {prefix:?} at {revision}");
            assert_eq!((whole.count, whole.more), (expected.len(), false));
            assert_eq!(whole.revision, revision);

            let mut paged = Vec::new();
            let mut start_after = None;
            loop {
                let page = range(store, prefix, revision, start_after, 2).expect("range");
                assert_eq!(page.count, expected.len() - paged.len());
                assert_eq!(page.more, page.count > page.kvs.len());
                paged.extend(page.kvs);
                if !page.more {
                    break;
                }
                start_after = paged.last().map(|kv: &KeyValue| format!("{}\0", kv.key));
            }
            assert_eq!(paged, expected, "paged prefix {prefix:?} at {revision}");
        }
        for key in KEYS {
            let one = store
                .range(&RangeRequest {
                    key: key.to_owned(),
                    revision,
                    ..RangeRequest::default()
                })
                .expect("range");
            assert_eq!(one.kvs.first(), snapshot.get(key), "{key} at {revision}");
        }
    }
    let future = range(store, "", model.revision() + 1, None, 0);
    assert_eq!(future.map(|_| ()), Err(StoreError::FutureRevision));
    if model.compacted > 1 {
        let compacted = range(store, "", model.compacted - 1, None, 0);
        assert_eq!(
            compacted.map(|_| ()),
            Err(StoreError::Compacted {
                compact_revision: model.compacted
            })
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn memory_backend_matches_the_model(
        steps in vec(step(), 1..40),
        later in vec(txn_spec(), 1..8),
    ) {
        let store = MemoryBackend::new();
        let mut model = Model::new();
        for step in &steps {
            match step {
                Step::Txn(spec) => {
                    let txn = model.txn(spec);
                    let expected = model.apply(&txn);
                    assert_eq!(store.txn(txn).expect("txn"), expected, "{spec:?}");
                }
                Step::Compact(pick) => {
                    check_ranges(&store, &model);
                    let span = model.revision() - model.compacted + 3;
                    let target = model.compacted - 1 + Revision::from(*pick) % span;
                    assert_eq!(store.compact(target), model.compact(target), "compact {target}");
                }
            }
        }
        check_ranges(&store, &model);

        // A watch from every revision the store still has, and from the future.
        let current = model.revision();
        let mut watches = Vec::new();
        for prefix in PREFIXES {
            for from in model.compacted.max(1)..=current + 2 {
                let mut watcher = store.watch(prefix, from).expect("watch");
                assert_eq!(drain(&mut watcher), model.watch(prefix, from, current),
                    "replay of {prefix:?} from {from}");
                watches.push((prefix, from, watcher));
            }
            let mut future_only = store.watch(prefix, 0).expect("watch");
            assert!(drain(&mut future_only).is_empty());
            watches.push((prefix, current + 1, future_only));
            if model.compacted > 1 {
                let refused = store.watch(prefix, model.compacted - 1).map(|w| w.id);
                assert_eq!(refused, Err(StoreError::Compacted { compact_revision: model.compacted }));
            }
        }

        for spec in &later {
            let txn = model.txn(spec);
            let expected = model.apply(&txn);
            assert_eq!(store.txn(txn).expect("txn"), expected);
        }
        for (prefix, from, watcher) in &mut watches {
            let live = model.watch(prefix, (*from).max(current + 1), model.revision());
            assert_eq!(drain(watcher), live, "live events of {prefix:?} from {from}");
        }
        check_ranges(&store, &model);
    }
}

/// A watch opened while another thread writes sees every revision from its start exactly once,
/// in order: replay and registration cannot be split by a write.
#[test]
fn a_watch_opened_during_writes_is_gapless() {
    let store = Arc::new(MemoryBackend::new());
    let writes: Revision = 20_000;
    let writer = {
        let store = Arc::clone(&store);
        std::thread::spawn(move || {
            for i in 0..writes {
                let txn = Txn {
                    success: vec![Op::Put {
                        key: format!("/k/{}", i % 97),
                        value: Bytes::from(i.to_string()),
                    }],
                    ..Txn::default()
                };
                store.txn(txn).expect("txn");
            }
        })
    };
    let mut watches = Vec::new();
    while !writer.is_finished() && watches.len() < 50 {
        let from = (store.revision() - 5).max(1);
        watches.push((from, store.watch("/k/", from).expect("watch")));
        std::thread::yield_now();
    }
    writer.join().expect("writer thread");
    for (from, mut watcher) in watches {
        let revisions: Vec<Revision> = drain(&mut watcher)
            .iter()
            .map(|response| response.revision)
            .collect();
        let expected: Vec<Revision> = (from.max(2)..=writes + 1).collect();
        assert_eq!(revisions, expected, "watch from {from}");
    }
}
