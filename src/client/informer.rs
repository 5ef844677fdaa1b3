//! Informers: a component's always-current local copy of one resource, kept by list-then-watch
//! through the API (as client-go's reflector does), and a feed of what changed. States, as in
//! kube-rs's watcher: `Listing` (a fresh LIST, its resourceVersion remembered) → `Watching`
//! (a WATCH from that resourceVersion) → back to `Listing` when the watch ends with an error
//! (410 Gone after a compaction) or the server closes it.
//!
//! Readers get a cheap [`Store`] handle; the component's loop receives [`Change`]s in order.

use super::Client;
use crate::api::status::ApiError;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::sync::mpsc;

/// What happened to one object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    Added,
    Modified,
    Deleted,
}

/// One change, with the object before it when the informer had one.
#[derive(Debug, Clone)]
pub struct Change {
    pub kind: ChangeKind,
    pub object: Arc<Value>,
    pub old: Option<Arc<Value>>,
}

/// The informer's cache, by `namespace/name` (or `name` for cluster-scoped objects).
#[derive(Clone, Default)]
pub struct Store {
    objects: Arc<RwLock<BTreeMap<String, Arc<Value>>>>,
    synced: Arc<std::sync::atomic::AtomicBool>,
}

impl Store {
    pub fn get(&self, key: &str) -> Option<Arc<Value>> {
        self.read().get(key).cloned()
    }

    /// Every cached object, in key order.
    pub fn list(&self) -> Vec<Arc<Value>> {
        self.read().values().cloned().collect()
    }

    /// The objects of one namespace, in name order.
    pub fn list_namespace(&self, namespace: &str) -> Vec<Arc<Value>> {
        let prefix = format!("{namespace}/");
        self.read()
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .map(|(_, v)| v.clone())
            .collect()
    }

    pub fn len(&self) -> usize {
        self.read().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the first LIST has landed.
    pub fn has_synced(&self) -> bool {
        self.synced.load(std::sync::atomic::Ordering::Acquire)
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, BTreeMap<String, Arc<Value>>> {
        self.objects.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, BTreeMap<String, Arc<Value>>> {
        self.objects.write().unwrap_or_else(|e| e.into_inner())
    }
}

/// The cache key of an object: `namespace/name`, or `name` when it has no namespace.
pub fn key_of(object: &Value) -> String {
    let meta = object.get("metadata");
    let name = meta
        .and_then(|m| m.get("name"))
        .and_then(Value::as_str)
        .unwrap_or("");
    match meta
        .and_then(|m| m.get("namespace"))
        .and_then(Value::as_str)
    {
        Some(ns) if !ns.is_empty() => format!("{ns}/{name}"),
        _ => name.to_string(),
    }
}

/// Starts an informer on `path` (a list path with any selectors, e.g.
/// `/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-1`). Returns its store and the feed of
/// changes; the informer stops when the feed's receiver is dropped.
pub fn start(client: Client, path: &str) -> (Store, mpsc::UnboundedReceiver<Change>) {
    let shared = start_shared(client, path);
    let feed = shared.subscribe();
    (shared.store(), feed)
}

/// An informer several components read (client-go's shared informers: one LIST and one WATCH
/// per resource for all of kube-controller-manager's controllers). It runs until every
/// subscriber has gone.
#[derive(Clone)]
pub struct Shared {
    store: Store,
    feed: Arc<FanOut>,
}

/// Starts a shared informer on `path`; subscribers come with [`Shared::subscribe`].
pub fn start_shared(client: Client, path: &str) -> Shared {
    let shared = Shared {
        store: Store::default(),
        feed: Arc::new(FanOut::default()),
    };
    tokio::spawn(run(
        client,
        path.to_string(),
        shared.store.clone(),
        shared.feed.clone(),
    ));
    shared
}

impl Shared {
    pub fn store(&self) -> Store {
        self.store.clone()
    }

    /// A new feed of changes. A late subscriber first gets what the cache already holds, as
    /// `Added`, like a new handler on a running client-go informer.
    pub fn subscribe(&self) -> mpsc::UnboundedReceiver<Change> {
        let (sender, receiver) = mpsc::unbounded_channel();
        let mut subscribers = self.feed.lock();
        for object in self.store.list() {
            let _ = sender.send(Change {
                kind: ChangeKind::Added,
                object,
                old: None,
            });
        }
        subscribers.push(sender);
        receiver
    }
}

/// The subscribers of one informer.
#[derive(Default)]
struct FanOut {
    subscribers: std::sync::Mutex<Vec<mpsc::UnboundedSender<Change>>>,
    had_any: std::sync::atomic::AtomicBool,
}

impl FanOut {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<mpsc::UnboundedSender<Change>>> {
        self.had_any
            .store(true, std::sync::atomic::Ordering::Relaxed);
        self.subscribers.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Sends to every live subscriber; false once all have gone.
    fn send(&self, change: Change) -> bool {
        let mut subscribers = self.subscribers.lock().unwrap_or_else(|e| e.into_inner());
        subscribers.retain(|s| s.send(change.clone()).is_ok());
        !subscribers.is_empty()
    }

    fn is_closed(&self) -> bool {
        self.had_any.load(std::sync::atomic::Ordering::Relaxed)
            && self
                .subscribers
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .iter()
                .all(|s| s.is_closed())
    }
}

enum State {
    Listing,
    Watching { resource_version: String },
}

async fn run(client: Client, path: String, store: Store, feed: Arc<FanOut>) {
    let mut state = State::Listing;
    let mut failures = 0u32;
    loop {
        if feed.is_closed() {
            return;
        }
        state = match state {
            State::Listing => match list(&client, &path, &store, &feed).await {
                Ok(resource_version) => {
                    failures = 0;
                    State::Watching { resource_version }
                }
                Err(_) => {
                    // The apiserver or etcd is down: retry with client-go's backoff
                    // (800 ms doubling, capped at 30 s) on the cluster's clock.
                    failures += 1;
                    let wait = 800u64.saturating_mul(1 << failures.min(6)).min(30_000);
                    client.clock().sleep(Duration::from_millis(wait)).await;
                    State::Listing
                }
            },
            State::Watching { resource_version } => {
                watch(&client, &path, &resource_version, &store, &feed).await
            }
        };
    }
}

/// LISTs afresh, replaces the cache, and reports the differences. Returns the list's
/// resourceVersion.
async fn list(
    client: &Client,
    path: &str,
    store: &Store,
    feed: &FanOut,
) -> Result<String, ApiError> {
    let mut list = client.get(path).await?;
    let resource_version = list
        .pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
        .unwrap_or("0")
        .to_string();
    let kind = list
        .get("kind")
        .and_then(Value::as_str)
        .and_then(|k| k.strip_suffix("List"))
        .unwrap_or("")
        .to_string();
    let api_version = list.get("apiVersion").cloned().unwrap_or(Value::Null);
    let mut fresh = BTreeMap::new();
    if let Some(Value::Array(items)) = list.get_mut("items").map(Value::take) {
        for mut item in items {
            // Items of a list carry no kind; the watch's objects do. Give them theirs.
            if let Value::Object(map) = &mut item {
                map.entry("kind")
                    .or_insert_with(|| Value::from(kind.as_str()));
                map.entry("apiVersion")
                    .or_insert_with(|| api_version.clone());
            }
            fresh.insert(key_of(&item), Arc::new(item));
        }
    }
    let mut changes = Vec::new();
    {
        let mut cache = store.write();
        for (key, old) in cache.iter() {
            if !fresh.contains_key(key) {
                changes.push(Change {
                    kind: ChangeKind::Deleted,
                    object: old.clone(),
                    old: Some(old.clone()),
                });
            }
        }
        for (key, object) in &fresh {
            match cache.get(key) {
                None => changes.push(Change {
                    kind: ChangeKind::Added,
                    object: object.clone(),
                    old: None,
                }),
                Some(old) if resource_version_of(old) != resource_version_of(object) => changes
                    .push(Change {
                        kind: ChangeKind::Modified,
                        object: object.clone(),
                        old: Some(old.clone()),
                    }),
                Some(_) => {}
            }
        }
        *cache = fresh;
    }
    store
        .synced
        .store(true, std::sync::atomic::Ordering::Release);
    for change in changes {
        let _ = feed.send(change);
    }
    Ok(resource_version)
}

/// WATCHes from `resource_version` until the watch ends; then the informer lists again.
async fn watch(
    client: &Client,
    path: &str,
    resource_version: &str,
    store: &Store,
    feed: &FanOut,
) -> State {
    let separator = if path.contains('?') { '&' } else { '?' };
    let watch_path =
        format!("{path}{separator}resourceVersion={resource_version}&allowWatchBookmarks=true");
    let Ok(mut stream) = client.watch(&watch_path).await else {
        return State::Listing;
    };
    let mut resource_version = resource_version.to_string();
    while let Some(event) = stream.next().await {
        let kind = match event.kind.as_str() {
            "ADDED" => ChangeKind::Added,
            "MODIFIED" => ChangeKind::Modified,
            "DELETED" => ChangeKind::Deleted,
            "BOOKMARK" => {
                if let Some(rv) = event.object.pointer("/metadata/resourceVersion") {
                    resource_version = rv.as_str().unwrap_or("0").to_string();
                }
                continue;
            }
            // ERROR: the history we watched from is gone (410): list again.
            _ => return State::Listing,
        };
        resource_version = resource_version_of(&event.object).to_string();
        let key = key_of(&event.object);
        let object = event.object;
        let old = {
            let mut cache = store.write();
            match kind {
                ChangeKind::Deleted => cache.remove(&key),
                _ => cache.insert(key, object.clone()),
            }
        };
        if !feed.send(Change { kind, object, old }) {
            return State::Listing;
        }
    }
    // The server ended the watch (its timeout): resume from where we were.
    State::Watching { resource_version }
}

fn resource_version_of(object: &Value) -> &str {
    object
        .pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// kube-controller-manager's informer factory: one shared informer per list path, created on
/// first use.
#[derive(Clone)]
pub struct Informers {
    client: Client,
    shared: Arc<std::sync::Mutex<BTreeMap<String, Shared>>>,
}

impl Informers {
    pub fn new(client: Client) -> Informers {
        Informers {
            client,
            shared: Arc::default(),
        }
    }

    /// The shared informer on `path`.
    pub fn get(&self, path: &str) -> Shared {
        let mut shared = self.shared.lock().unwrap_or_else(|e| e.into_inner());
        shared
            .entry(path.to_string())
            .or_insert_with(|| start_shared(self.client.clone(), path))
            .clone()
    }

    /// A store and a feed of `path`, shared with the other users of the factory.
    pub fn watch(&self, path: &str) -> (Store, mpsc::UnboundedReceiver<Change>) {
        let shared = self.get(path);
        (shared.store(), shared.subscribe())
    }
}

/// One feed of the changes of several informers, in the order they arrive.
pub fn merge(feeds: Vec<mpsc::UnboundedReceiver<Change>>) -> mpsc::UnboundedReceiver<Change> {
    let (merged, receiver) = mpsc::unbounded_channel();
    for mut feed in feeds {
        let merged = merged.clone();
        tokio::spawn(async move {
            while let Some(change) = feed.recv().await {
                if merged.send(change).is_err() {
                    return;
                }
            }
        });
    }
    receiver
}

/// Task switches without a change that end a burst, and the most a burst is waited for.
const QUIET_YIELDS: usize = 256;
const MAX_BURST_YIELDS: usize = 4_096;

/// Lets the other components run until `feed` has been quiet for a while, handing each change
/// that arrives meanwhile to `each`: a burst of changes (a thousand pods starting) then costs
/// a controller one pass, as a workqueue folds the events that arrive while a sync runs.
///
/// The component counts as busy meanwhile, so nobody fast-forwards the clock under it.
pub async fn gather_burst(
    clock: &crate::clock::Clock,
    feed: &mut mpsc::UnboundedReceiver<Change>,
    mut each: impl FnMut(Change),
) {
    let _busy = clock.busy();
    let mut quiet = 0;
    for _ in 0..MAX_BURST_YIELDS {
        tokio::task::yield_now().await;
        let mut any = false;
        while let Ok(change) = feed.try_recv() {
            each(change);
            any = true;
        }
        quiet = if any { 0 } else { quiet + 1 };
        if quiet >= QUIET_YIELDS {
            return;
        }
    }
}
