//! The garbage collector: objects whose owners are all gone are deleted — the cascade that
//! makes `kubectl delete deployment web` take its ReplicaSets and their pods with it. It keeps
//! a graph of the owner references it sees (Deployments, ReplicaSets, Pods), and after each
//! batch of changes deletes (in the background) every dependent left with no live owner.
//! Foreground deletion: an owner marked with the `foregroundDeletion` finalizer has its
//! blocking dependents deleted first, then the finalizer is removed; `orphan`: its dependents
//! lose their owner reference instead.

use crate::api::pointer::str_at;
use crate::client::Client;
use crate::client::informer::{self, Change, Store};
use crate::flow::{Flow, Hop, HopKind, ObjectRef};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use tokio::sync::mpsc::UnboundedReceiver;

/// The resources the collector follows: (list path, item path prefix by namespace).
const RESOURCES: &[(&str, &str)] = &[
    (
        "/apis/apps/v1/deployments",
        "/apis/apps/v1/namespaces/{ns}/deployments",
    ),
    (
        "/apis/apps/v1/replicasets",
        "/apis/apps/v1/namespaces/{ns}/replicasets",
    ),
    ("/api/v1/pods", "/api/v1/namespaces/{ns}/pods"),
];

pub struct GarbageCollector {
    client: Client,
    flow: Arc<Flow>,
    stores: Vec<(Store, &'static str)>,
    /// Deletions already asked for, so one is not repeated while it completes.
    asked: BTreeSet<String>,
}

impl GarbageCollector {
    pub fn start(
        client: Client,
        flow: Arc<Flow>,
        informers: &informer::Informers,
    ) -> (GarbageCollector, Vec<UnboundedReceiver<Change>>) {
        let mut stores = Vec::new();
        let mut feeds = Vec::new();
        for (list, item) in RESOURCES {
            let (store, feed) = informers.watch(list);
            stores.push((store, *item));
            feeds.push(feed);
        }
        (
            GarbageCollector {
                client,
                flow,
                stores,
                asked: BTreeSet::new(),
            },
            feeds,
        )
    }

    pub async fn run(mut self, feeds: Vec<UnboundedReceiver<Change>>) {
        let mut changes = informer::merge(feeds);
        let clock = self.client.clock().clone();
        while changes.recv().await.is_some() {
            // A pass looks at every object: wait for a burst of changes to end first.
            informer::gather_burst(&clock, &mut changes, drop).await;
            self.collect().await;
        }
    }

    /// One pass over the graph.
    pub async fn collect(&mut self) {
        if !self.stores.iter().all(|(s, _)| s.has_synced()) {
            return;
        }
        let mut live: BTreeMap<String, Arc<Value>> = BTreeMap::new();
        let mut objects = Vec::new();
        for (store, item) in &self.stores {
            for object in store.list() {
                let uid = str_at(&object, "/metadata/uid").to_string();
                live.insert(uid, object.clone());
                objects.push((object, *item));
            }
        }
        self.asked.retain(|uid| live.contains_key(uid));
        for (object, item) in &objects {
            let owners: Vec<&Value> = object
                .pointer("/metadata/ownerReferences")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .collect();
            if owners.is_empty() {
                continue;
            }
            let uid = str_at(object, "/metadata/uid").to_string();
            let live_owners: Vec<&Arc<Value>> = owners
                .iter()
                .filter_map(|o| live.get(o.get("uid").and_then(Value::as_str).unwrap_or("")))
                .collect();
            let orphaning = live_owners.iter().any(|o| has_finalizer(o, "orphan"));
            let foreground = live_owners
                .iter()
                .any(|o| has_finalizer(o, "foregroundDeletion"));
            if live_owners.is_empty() || foreground {
                if self.asked.insert(uid) {
                    self.delete(object, item, foreground).await;
                }
            } else if orphaning {
                self.orphan(object, item, &live_owners).await;
            }
        }
        // Owners waiting on their dependents: release them when none is left.
        for (object, item) in &objects {
            for finalizer in ["foregroundDeletion", "orphan"] {
                if !has_finalizer(object, finalizer) {
                    continue;
                }
                let uid = str_at(object, "/metadata/uid");
                let waiting = objects.iter().any(|(o, _)| {
                    let blocks = finalizer == "foregroundDeletion";
                    o.pointer("/metadata/ownerReferences")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .any(|r| {
                            r.get("uid").and_then(Value::as_str) == Some(uid)
                                && (!blocks
                                    || r.get("blockOwnerDeletion").and_then(Value::as_bool)
                                        == Some(true))
                        })
                });
                if !waiting {
                    self.remove_finalizer(object, item, finalizer).await;
                }
            }
        }
    }

    async fn delete(&self, object: &Value, item: &str, foreground: bool) {
        let path = path_of(object, item);
        let policy = if foreground {
            "Foreground"
        } else {
            "Background"
        };
        self.flow
            .pass(
                Hop::new(
                    "garbage-collector",
                    "apiserver",
                    HopKind::Reconciled,
                    format!(
                        "{} {} has no live owner: delete ({policy})",
                        str_at(object, "/kind"),
                        str_at(object, "/metadata/name")
                    ),
                )
                .object(Some(ObjectRef::of(object))),
            )
            .await;
        let _ = self
            .client
            .delete(&format!("{path}?propagationPolicy={policy}"))
            .await;
    }

    async fn orphan(&self, object: &Value, item: &str, owners: &[&Arc<Value>]) {
        let orphaning: BTreeSet<&str> = owners
            .iter()
            .filter(|o| has_finalizer(o, "orphan"))
            .map(|o| str_at(o, "/metadata/uid"))
            .collect();
        let kept: Vec<Value> = object
            .pointer("/metadata/ownerReferences")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|r| !orphaning.contains(r.get("uid").and_then(Value::as_str).unwrap_or("")))
            .cloned()
            .collect();
        let _ = self
            .client
            .patch(
                &path_of(object, item),
                "application/merge-patch+json",
                &json!({"metadata": {"ownerReferences": if kept.is_empty() { Value::Null } else { Value::Array(kept) }}}),
            )
            .await;
    }

    async fn remove_finalizer(&self, object: &Value, item: &str, finalizer: &str) {
        let rest: Vec<Value> = object
            .pointer("/metadata/finalizers")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|f| f.as_str() != Some(finalizer))
            .cloned()
            .collect();
        let _ = self
            .client
            .patch(
                &path_of(object, item),
                "application/merge-patch+json",
                &json!({"metadata": {"finalizers": if rest.is_empty() { Value::Null } else { Value::Array(rest) },
                                     "resourceVersion": str_at(object, "/metadata/resourceVersion")}}),
            )
            .await;
    }
}

fn path_of(object: &Value, item: &str) -> String {
    format!(
        "{}/{}",
        item.replace("{ns}", str_at(object, "/metadata/namespace")),
        str_at(object, "/metadata/name")
    )
}

fn has_finalizer(object: &Value, name: &str) -> bool {
    object
        .pointer("/metadata/finalizers")
        .and_then(Value::as_array)
        .is_some_and(|f| f.iter().any(|x| x.as_str() == Some(name)))
        && object
            .pointer("/metadata/deletionTimestamp")
            .is_some_and(|t| !t.is_null())
}
