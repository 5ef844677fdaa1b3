//! `store`: etcd's semantics, in memory. Owns revisions, per-key create/mod revision and
//! version, transactions that compare mod_revision (how resourceVersion conflicts are found),
//! ranges at a revision, watches from a revision, and compaction. Only the apiserver calls it,
//! as in Kubernetes. `Backend` is the seam where a real etcd could be plugged in later.

mod memory;

pub use memory::MemoryBackend;

use bytes::Bytes;
use tokio::sync::mpsc;

/// An etcd revision. The store starts at revision 1; every successful write transaction makes
/// exactly one new revision.
pub type Revision = i64;

/// A key with its value and etcd's per-key bookkeeping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyValue {
    pub key: String,
    pub value: Bytes,
    /// The revision that created the key (since its last deletion).
    pub create_revision: Revision,
    /// The revision of the last change: this is an object's resourceVersion.
    pub mod_revision: Revision,
    /// Number of changes since creation, starting at 1.
    pub version: i64,
}

/// A condition of a transaction, as kube-apiserver writes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Compare {
    /// The key's mod_revision equals this (0 means: the key does not exist).
    ModRevision { key: String, revision: Revision },
}

/// One operation of a transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    Put { key: String, value: Bytes },
    Delete { key: String },
    Get { key: String },
}

/// `if compare… then success… else failure…`, applied atomically.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Txn {
    pub compare: Vec<Compare>,
    pub success: Vec<Op>,
    pub failure: Vec<Op>,
}

/// The outcome of a transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxnResponse {
    /// Whether every comparison held (and so `success` ran).
    pub succeeded: bool,
    /// The store's revision after the transaction (unchanged when nothing was written).
    pub revision: Revision,
    /// One result per operation that ran, in order.
    pub results: Vec<OpResult>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpResult {
    /// A put: the key as written.
    Put(KeyValue),
    /// A delete: the key as it was before deletion, if it existed.
    Delete(Option<KeyValue>),
    /// A get: the key as it is, if it exists.
    Get(Option<KeyValue>),
}

/// A read of one key or a key range at a revision.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RangeRequest {
    /// Every key with this prefix (use the full key with `prefix: false` for one key).
    pub key: String,
    pub prefix: bool,
    /// The first key to read (inclusive, despite the name): how `continue` resumes. To go on
    /// after the last key returned, pass that key followed by `"\0"`. A start before `key`
    /// reads from `key`; with `prefix: false`, a start after `key` reads nothing.
    pub start_after: Option<String>,
    /// 0 (or less) reads the latest revision.
    pub revision: Revision,
    /// 0 means no limit.
    pub limit: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RangeResponse {
    /// In key order.
    pub kvs: Vec<KeyValue>,
    /// Whether more keys matched beyond `limit`.
    pub more: bool,
    /// How many keys matched from the start key on, beyond the limit too (etcd's count of the
    /// range it was asked for): `count - kvs.len()` is kube's `remainingItemCount`. Without
    /// `start_after` it is every key under the prefix.
    pub count: usize,
    /// The revision the range was read at.
    pub revision: Revision,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    Put,
    Delete,
}

/// One change seen by a watch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub kind: EventType,
    /// For a put, the key as written; for a delete, the key with an empty value and the
    /// deletion's mod_revision.
    pub kv: KeyValue,
    /// The key as it was before this change, if it existed.
    pub prev_kv: Option<KeyValue>,
}

/// All the events of one revision that match a watch: a revision is never split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchResponse {
    pub revision: Revision,
    pub events: Vec<Event>,
}

/// A live watch: responses arrive in revision order with no gaps. Dropping it cancels it.
pub struct Watcher {
    pub id: u64,
    pub events: mpsc::UnboundedReceiver<WatchResponse>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// `mvcc: required revision has been compacted`
    #[error("mvcc: required revision has been compacted")]
    Compacted { compact_revision: Revision },
    /// `mvcc: required revision is a future revision`
    #[error("mvcc: required revision is a future revision")]
    FutureRevision,
    /// The store is down (a fault, or the backend is unreachable).
    #[error("etcdserver: {0}")]
    Unavailable(String),
}

/// What the apiserver needs from etcd.
pub trait Backend: Send + Sync {
    fn txn(&self, txn: Txn) -> Result<TxnResponse, StoreError>;
    fn range(&self, request: &RangeRequest) -> Result<RangeResponse, StoreError>;
    /// Watch every key under `prefix` (a plain byte prefix) from `from_revision` (inclusive;
    /// 0 = from the next revision; a future revision waits for it). History is replayed first,
    /// then live changes follow. Fails with `Compacted` when `from_revision` is below the
    /// compacted revision, as etcd does: history before it is gone, so the watch could not be
    /// gapless.
    fn watch(&self, prefix: &str, from_revision: Revision) -> Result<Watcher, StoreError>;
    /// Forget history before `revision`; the latest value of each key stays. Until it is
    /// called, every revision of every value is kept. Fails with `FutureRevision` above the
    /// latest revision and with `Compacted` at or below the last compaction, as etcd does.
    fn compact(&self, revision: Revision) -> Result<(), StoreError>;
    /// The latest revision.
    fn revision(&self) -> Revision;
    /// The revision history was last compacted at (0 if never).
    fn compacted_revision(&self) -> Revision;
}
