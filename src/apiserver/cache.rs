//! The apiserver's shared informers: an always-current, decoded copy of the few resources its
//! own plugins read on every request (namespaces, service accounts, limit ranges, quotas and
//! the RBAC objects). kube-apiserver's admission plugins and authorizer read listers fed by
//! watches in the same way. Here each shelf watches its etcd prefix and applies the pending
//! events before every read; the store delivers a write's events before the write returns, so
//! a read always sees every write that finished before it (no informer lag to explain away).

use crate::api::kinds::ResourceType;
use crate::apiserver::storage::decode;
use crate::store::{Backend, EventType, RangeRequest, Watcher};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// The cached copy of one resource.
struct Shelf {
    rt: &'static ResourceType,
    watcher: Option<Watcher>,
    /// etcd key → the decoded object.
    objects: BTreeMap<String, Arc<Value>>,
    /// Bumped on every change, so derived indexes (RBAC) know when to rebuild.
    generation: u64,
}

pub struct Cache {
    backend: Arc<dyn Backend>,
    shelves: Vec<(&'static ResourceType, Mutex<Shelf>)>,
}

impl Cache {
    /// Starts caching `resources`: lists each one, then follows it from the next revision.
    pub fn new(backend: Arc<dyn Backend>, resources: &[&'static ResourceType]) -> Cache {
        let shelves = resources
            .iter()
            .map(|rt| {
                let mut shelf = Shelf {
                    rt,
                    watcher: None,
                    objects: BTreeMap::new(),
                    generation: 0,
                };
                shelf.relist(backend.as_ref());
                (*rt, Mutex::new(shelf))
            })
            .collect();
        Cache { backend, shelves }
    }

    fn shelf(&self, rt: &ResourceType) -> Option<std::sync::MutexGuard<'_, Shelf>> {
        let (_, shelf) = self
            .shelves
            .iter()
            .find(|(r, _)| r.group == rt.group && r.plural == rt.plural)?;
        let mut shelf = shelf.lock().unwrap_or_else(|e| e.into_inner());
        shelf.sync(self.backend.as_ref());
        Some(shelf)
    }

    /// One cached object.
    pub fn get(
        &self,
        rt: &ResourceType,
        namespace: Option<&str>,
        name: &str,
    ) -> Option<Arc<Value>> {
        self.shelf(rt)?
            .objects
            .get(&rt.key(namespace, name))
            .cloned()
    }

    /// The cached objects of one namespace (or all, for `None` or cluster-scoped kinds).
    pub fn list(&self, rt: &ResourceType, namespace: Option<&str>) -> Vec<Arc<Value>> {
        let Some(shelf) = self.shelf(rt) else {
            return Vec::new();
        };
        let prefix = rt.prefix(namespace);
        shelf
            .objects
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// Changes every time the cached copy of `rt` changes.
    pub fn generation(&self, rt: &ResourceType) -> u64 {
        self.shelf(rt).map(|s| s.generation).unwrap_or(0)
    }
}

impl Shelf {
    /// Reads everything afresh and follows changes from there.
    fn relist(&mut self, backend: &dyn Backend) {
        self.objects.clear();
        self.watcher = None;
        let request = RangeRequest {
            key: self.rt.prefix(None),
            prefix: true,
            ..Default::default()
        };
        let Ok(response) = backend.range(&request) else {
            return;
        };
        for kv in &response.kvs {
            if let Ok(object) = decode(kv) {
                self.objects.insert(kv.key.clone(), Arc::new(object));
            }
        }
        self.generation += 1;
        self.watcher = backend
            .watch(&self.rt.prefix(None), response.revision + 1)
            .ok();
    }

    /// Applies the events that arrived since the last read.
    fn sync(&mut self, backend: &dyn Backend) {
        let Some(watcher) = self.watcher.as_mut() else {
            // The store was unavailable when we last tried: try again now.
            self.relist(backend);
            return;
        };
        let mut changed = false;
        loop {
            match watcher.events.try_recv() {
                Ok(response) => {
                    for event in response.events {
                        match event.kind {
                            EventType::Put => {
                                if let Ok(object) = decode(&event.kv) {
                                    self.objects.insert(event.kv.key.clone(), Arc::new(object));
                                }
                            }
                            EventType::Delete => {
                                self.objects.remove(&event.kv.key);
                            }
                        }
                        changed = true;
                    }
                }
                Err(tokio::sync::mpsc::error::TryRecvError::Empty) => break,
                Err(tokio::sync::mpsc::error::TryRecvError::Disconnected) => {
                    self.relist(backend);
                    return;
                }
            }
        }
        if changed {
            self.generation += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::kinds::NAMESPACES;
    use crate::store::{MemoryBackend, Op, Txn};

    fn put(store: &MemoryBackend, key: &str, value: &str) {
        let txn = Txn {
            success: vec![Op::Put {
                key: key.to_string(),
                value: bytes::Bytes::from(value.to_string()),
            }],
            ..Default::default()
        };
        store.txn(txn).unwrap();
    }

    #[test]
    fn reads_see_every_finished_write() {
        let store = Arc::new(MemoryBackend::new());
        put(
            &store,
            "/registry/namespaces/a",
            r#"{"metadata":{"name":"a"}}"#,
        );
        let cache = Cache::new(store.clone(), &[&NAMESPACES]);
        assert!(cache.get(&NAMESPACES, None, "a").is_some());
        let before = cache.generation(&NAMESPACES);
        put(
            &store,
            "/registry/namespaces/b",
            r#"{"metadata":{"name":"b"}}"#,
        );
        assert_eq!(
            cache.get(&NAMESPACES, None, "b").unwrap()["metadata"]["resourceVersion"],
            "3"
        );
        assert!(cache.generation(&NAMESPACES) > before);
        store
            .txn(Txn {
                success: vec![Op::Delete {
                    key: "/registry/namespaces/a".to_string(),
                }],
                ..Default::default()
            })
            .unwrap();
        assert!(cache.get(&NAMESPACES, None, "a").is_none());
        assert_eq!(cache.list(&NAMESPACES, None).len(), 1);
    }
}
