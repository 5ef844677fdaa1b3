//! Where the object pane reads objects: straight from the store, as an observer (no request,
//! no hop) — at the revision a hop touched, so looking at an old hop shows the object as it
//! was then, while the cluster runs on.

use crate::api::kinds::{self, ResourceType};
use crate::apiserver::ApiServer;
use crate::apiserver::storage::decode;
use crate::flow::ObjectRef;
use crate::store::RangeRequest;
use serde_json::Value;
use std::sync::Arc;

/// An object at a revision, and its version before that.
pub struct Revisions {
    pub current: Value,
    pub previous: Option<Value>,
    /// The revision shown (the object's resourceVersion).
    pub revision: i64,
}

pub trait ObjectSource: Send + Sync {
    /// `object` as it was at `revision` (its latest when None or no longer kept).
    fn at(&self, object: &ObjectRef, revision: Option<i64>) -> Option<Revisions>;
}

/// The kind (`Pod`) or resource (`pods`) a hop names.
pub fn resource_of(object: &ObjectRef) -> Option<&'static ResourceType> {
    kinds::ALL
        .iter()
        .find(|rt| rt.kind == object.kind || rt.plural == object.kind)
}

pub struct StoreObjects(pub Arc<ApiServer>);

impl ObjectSource for StoreObjects {
    fn at(&self, object: &ObjectRef, revision: Option<i64>) -> Option<Revisions> {
        let rt = resource_of(object)?;
        if object.name.is_empty() {
            return None;
        }
        let backend = self.0.objects().backend();
        let key = rt.key(
            object.namespace.as_deref().filter(|_| rt.namespaced),
            &object.name,
        );
        let read = |revision: i64| {
            backend
                .range(&RangeRequest {
                    key: key.clone(),
                    revision,
                    ..Default::default()
                })
                .ok()
                .and_then(|r| r.kvs.into_iter().next())
        };
        let wanted = revision
            .filter(|r| *r > backend.compacted_revision())
            .unwrap_or(0);
        // A deleted object is gone at its latest revision: show it as it was just before.
        let kv = read(wanted).or_else(|| revision.and_then(|r| read(r - 1)))?;
        let previous = (kv.mod_revision > backend.compacted_revision() + 1)
            .then(|| read(kv.mod_revision - 1))
            .flatten()
            .and_then(|p| decode(&p).ok());
        Some(Revisions {
            current: decode(&kv).ok()?,
            previous,
            revision: kv.mod_revision,
        })
    }
}
