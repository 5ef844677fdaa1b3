//! The generic registry store: how kube-apiserver keeps objects in etcd. Objects are stored as
//! JSON under `/registry/<resource>/<namespace>/<name>` without their resourceVersion, which is
//! the key's mod_revision and is filled in on every read. Creates, updates and deletes are
//! transactions that compare mod_revision, so concurrent writers get 409s, never lost updates.

use crate::api::kinds::ResourceType;
use crate::api::status::ApiError;
use crate::store::{
    Backend, Compare, KeyValue, Op, OpResult, RangeRequest, Revision, StoreError, Txn,
};
use bytes::Bytes;
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub struct ObjectStore {
    backend: Arc<dyn Backend>,
    /// Objects read through [`ObjectStore::get_shared`], parsed, with the mod_revision they were
    /// parsed at. The store stays the truth: an entry is used only while its key is still at
    /// that revision (a revision names one write, so the bytes are the same).
    parsed: Mutex<HashMap<String, (Revision, Arc<Value>)>>,
}

/// How many parsed objects [`ObjectStore::get_shared`] keeps (it serves few, hot keys).
const PARSED_CAPACITY: usize = 256;

/// One page of a list.
pub struct Page {
    pub items: Vec<Value>,
    /// The revision the list was read at: the list's resourceVersion.
    pub revision: Revision,
    /// The key to resume from, when there is more.
    pub next_key: Option<String>,
    /// How many keys remained after this page (for `remainingItemCount`).
    pub remaining: usize,
}

pub fn store_error(e: StoreError) -> ApiError {
    match e {
        StoreError::Compacted { .. } => {
            ApiError::expired("The resourceVersion for the provided list is too old.")
        }
        StoreError::FutureRevision => ApiError::timeout("Too large resource version"),
        StoreError::Unavailable(msg) => ApiError::service_unavailable(format!("etcdserver: {msg}")),
    }
}

/// Parses a stored value and sets its resourceVersion from the key's mod_revision.
pub fn decode(kv: &KeyValue) -> Result<Value, ApiError> {
    let mut object: Value = serde_json::from_slice(&kv.value)
        .map_err(|e| ApiError::internal(format!("decoding {}: {e}", kv.key)))?;
    set_resource_version(&mut object, kv.mod_revision);
    Ok(object)
}

pub fn set_resource_version(object: &mut Value, revision: Revision) {
    if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.insert(
            "resourceVersion".to_string(),
            Value::String(revision.to_string()),
        );
    }
}

/// The stored form: the object's JSON without `metadata.resourceVersion`. It is written into a
/// buffer kept for the next write and copied out at its exact size: the store keeps every
/// value, and a vector grown by doubling would hold up to twice the bytes.
fn encode(object: &Value) -> Bytes {
    thread_local! {
        static BUFFER: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    }
    BUFFER.with_borrow_mut(|buffer| {
        buffer.clear();
        if serde_json::to_writer(&mut *buffer, &WithoutResourceVersion(object)).is_err() {
            buffer.clear();
        }
        let bytes = Bytes::copy_from_slice(buffer);
        // One huge object should not pin its buffer for the life of the thread.
        if buffer.capacity() > MAX_KEPT_BUFFER {
            *buffer = Vec::new();
        }
        bytes
    })
}

/// The largest encoding buffer kept between writes.
const MAX_KEPT_BUFFER: usize = 1 << 20;

/// Serializes an object exactly as `serde_json` would after removing
/// `metadata.resourceVersion`, without copying it to remove the field.
struct WithoutResourceVersion<'a>(&'a Value);

impl Serialize for WithoutResourceVersion<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Value::Object(object) = self.0 else {
            return self.0.serialize(serializer);
        };
        let mut map = serializer.serialize_map(Some(object.len()))?;
        for (key, value) in object {
            match value {
                Value::Object(meta) if key == "metadata" => {
                    map.serialize_entry(key, &WithoutKey(meta, "resourceVersion"))?;
                }
                _ => map.serialize_entry(key, value)?,
            }
        }
        map.end()
    }
}

struct WithoutKey<'a>(&'a Map<String, Value>, &'static str);

impl Serialize for WithoutKey<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let WithoutKey(map, skipped) = *self;
        let len = map.len() - usize::from(map.contains_key(skipped));
        let mut out = serializer.serialize_map(Some(len))?;
        for (key, value) in map.iter().filter(|(key, _)| *key != skipped) {
            out.serialize_entry(key, value)?;
        }
        out.end()
    }
}

impl ObjectStore {
    pub fn new(backend: Arc<dyn Backend>) -> ObjectStore {
        ObjectStore {
            backend,
            parsed: Mutex::new(HashMap::new()),
        }
    }

    pub fn backend(&self) -> &Arc<dyn Backend> {
        &self.backend
    }

    /// The object, or None.
    pub fn get(
        &self,
        rt: &ResourceType,
        namespace: Option<&str>,
        name: &str,
    ) -> Result<Option<Value>, ApiError> {
        let request = RangeRequest {
            key: rt.key(namespace, name),
            ..Default::default()
        };
        let response = self.backend.range(&request).map_err(store_error)?;
        response.kvs.first().map(decode).transpose()
    }

    /// The object, or None, like [`ObjectStore::get`], for objects read far more often than
    /// written (namespaces, read by every create in them): the key is read from the store
    /// every time, but its value is parsed only when its revision changed.
    pub fn get_shared(
        &self,
        rt: &ResourceType,
        namespace: Option<&str>,
        name: &str,
    ) -> Result<Option<Arc<Value>>, ApiError> {
        let request = RangeRequest {
            key: rt.key(namespace, name),
            ..Default::default()
        };
        let response = self.backend.range(&request).map_err(store_error)?;
        let Some(kv) = response.kvs.first() else {
            return Ok(None);
        };
        let mut parsed = self.parsed.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((revision, object)) = parsed.get(&kv.key)
            && *revision == kv.mod_revision
        {
            return Ok(Some(object.clone()));
        }
        let object = Arc::new(decode(kv)?);
        if parsed.len() >= PARSED_CAPACITY && !parsed.contains_key(&kv.key) {
            parsed.clear();
        }
        parsed.insert(kv.key.clone(), (kv.mod_revision, object.clone()));
        Ok(Some(object))
    }

    /// The object, or 404 NotFound.
    pub fn get_existing(
        &self,
        rt: &ResourceType,
        namespace: Option<&str>,
        name: &str,
    ) -> Result<Value, ApiError> {
        self.get(rt, namespace, name)?
            .ok_or_else(|| ApiError::not_found(rt.group, rt.plural, name))
    }

    /// Creates the object if its key is free (409 AlreadyExists otherwise); returns it as
    /// stored, with its resourceVersion.
    pub fn create(
        &self,
        rt: &ResourceType,
        namespace: Option<&str>,
        name: &str,
        object: Value,
    ) -> Result<Value, ApiError> {
        let key = rt.key(namespace, name);
        let txn = Txn {
            compare: vec![Compare::ModRevision {
                key: key.clone(),
                revision: 0,
            }],
            success: vec![Op::Put {
                key,
                value: encode(&object),
            }],
            failure: vec![],
        };
        let response = self.backend.txn(txn).map_err(store_error)?;
        if !response.succeeded {
            return Err(ApiError::already_exists(rt.group, rt.plural, name));
        }
        let mut stored = object;
        set_resource_version(&mut stored, response.revision);
        Ok(stored)
    }

    /// Replaces the object if it is still at `expected` (409 Conflict, or 404 when gone).
    pub fn update(
        &self,
        rt: &ResourceType,
        namespace: Option<&str>,
        name: &str,
        object: &Value,
        expected: Revision,
    ) -> Result<Value, ApiError> {
        let key = rt.key(namespace, name);
        let txn = Txn {
            compare: vec![Compare::ModRevision {
                key: key.clone(),
                revision: expected,
            }],
            success: vec![Op::Put {
                key: key.clone(),
                value: encode(object),
            }],
            failure: vec![Op::Get { key }],
        };
        let response = self.backend.txn(txn).map_err(store_error)?;
        if !response.succeeded {
            return Err(match response.results.first() {
                Some(OpResult::Get(Some(_))) => ApiError::conflict(rt.group, rt.plural, name),
                _ => ApiError::not_found(rt.group, rt.plural, name),
            });
        }
        let mut stored = object.clone();
        set_resource_version(&mut stored, response.revision);
        Ok(stored)
    }

    /// Deletes the object if it is still at `expected`; returns it as it was, with the
    /// deletion's revision as its resourceVersion (what watchers see in DELETED).
    pub fn delete(
        &self,
        rt: &ResourceType,
        namespace: Option<&str>,
        name: &str,
        expected: Revision,
    ) -> Result<Value, ApiError> {
        let key = rt.key(namespace, name);
        let txn = Txn {
            compare: vec![Compare::ModRevision {
                key: key.clone(),
                revision: expected,
            }],
            success: vec![Op::Delete { key: key.clone() }],
            failure: vec![Op::Get { key }],
        };
        let response = self.backend.txn(txn).map_err(store_error)?;
        match (response.succeeded, response.results.first()) {
            (true, Some(OpResult::Delete(Some(prev)))) => {
                let mut object = decode(prev)?;
                set_resource_version(&mut object, response.revision);
                Ok(object)
            }
            (false, Some(OpResult::Get(Some(_)))) => {
                Err(ApiError::conflict(rt.group, rt.plural, name))
            }
            _ => Err(ApiError::not_found(rt.group, rt.plural, name)),
        }
    }

    /// One page of objects under a prefix, read at `revision` (0: latest), starting at
    /// `start_key`, keeping only objects `keep` accepts, up to `limit` of them (0: all).
    pub fn list(
        &self,
        prefix: &str,
        revision: Revision,
        start_key: Option<String>,
        limit: usize,
        keep: &dyn Fn(&Value) -> bool,
    ) -> Result<Page, ApiError> {
        let mut items = Vec::new();
        let mut start = start_key;
        let mut at = revision;
        loop {
            // Read in chunks so a selective filter still fills the page, as the real one does.
            let chunk = if limit == 0 {
                0
            } else {
                (limit - items.len()).max(64)
            };
            let request = RangeRequest {
                key: prefix.to_string(),
                prefix: true,
                start_after: start.clone(),
                revision: at,
                limit: chunk,
            };
            let response = self.backend.range(&request).map_err(store_error)?;
            at = response.revision;
            let mut last_key = None;
            for (i, kv) in response.kvs.iter().enumerate() {
                let object = decode(kv)?;
                if keep(&object) {
                    items.push(object);
                }
                last_key = Some(kv.key.clone());
                if limit != 0 && items.len() == limit {
                    let more = response.more || i + 1 < response.kvs.len();
                    let next_key = more.then(|| format!("{}\u{0}", kv.key));
                    let remaining = response.count.saturating_sub(response.kvs.len())
                        + response.kvs.len()
                        - i
                        - 1;
                    return Ok(Page {
                        items,
                        revision: at,
                        next_key,
                        remaining: if more { remaining } else { 0 },
                    });
                }
            }
            match (response.more, last_key) {
                (true, Some(last)) => start = Some(format!("{last}\u{0}")),
                _ => {
                    return Ok(Page {
                        items,
                        revision: at,
                        next_key: None,
                        remaining: 0,
                    });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn encoding_leaves_out_only_the_resource_version() {
        for object in [
            json!({"kind": "Pod", "metadata": {"name": "a", "resourceVersion": "7", "uid": "u"}, "spec": {"x": [1, {"resourceVersion": "8"}]}}),
            json!({"metadata": {"resourceVersion": "7"}}),
            json!({"metadata": {"name": "a"}, "status": {}}),
            json!({"metadata": "odd", "resourceVersion": "1"}),
            json!({}),
            json!([1, 2]),
        ] {
            let mut expected = object.clone();
            if let Some(meta) = expected.get_mut("metadata").and_then(Value::as_object_mut) {
                meta.remove("resourceVersion");
            }
            assert_eq!(
                encode(&object),
                Bytes::from(serde_json::to_vec(&expected).unwrap_or_default()),
                "{object}"
            );
        }
    }

    #[test]
    fn shared_reads_follow_the_store() {
        use crate::api::kinds::NAMESPACES;
        use crate::store::MemoryBackend;
        let objects = ObjectStore::new(Arc::new(MemoryBackend::new()));
        let read = || objects.get_shared(&NAMESPACES, None, "team").expect("read");
        assert!(read().is_none());
        let created = objects
            .create(
                &NAMESPACES,
                None,
                "team",
                json!({"metadata": {"name": "team"}}),
            )
            .expect("created");
        let first = read().expect("exists");
        assert_eq!(*first, created);
        assert!(Arc::ptr_eq(&first, &read().expect("exists")), "parsed once");
        let revision = objects.backend().revision();
        let updated = objects
            .update(
                &NAMESPACES,
                None,
                "team",
                &json!({"metadata": {"name": "team", "deletionTimestamp": "2026-01-01T00:00:00Z"}}),
                revision,
            )
            .expect("updated");
        assert_eq!(*read().expect("exists"), updated);
        objects
            .delete(&NAMESPACES, None, "team", objects.backend().revision())
            .expect("deleted");
        assert!(read().is_none());
        let again = objects
            .create(
                &NAMESPACES,
                None,
                "team",
                json!({"metadata": {"name": "team"}}),
            )
            .expect("created again");
        assert_eq!(*read().expect("exists"), again);
    }
}
