//! The loops that run the replicaset and deployment controllers: informers feed a set of dirty
//! keys; each key is reconciled by the pure functions in `replicaset` and `deployment`, and
//! their actions are executed through the API as `system:kube-controller-manager` (events
//! included). Like client-go's workqueue with "expectations": an object is not synced again
//! until the writes of its last sync show in the informers, and a failed write retries with
//! back-off.

use super::deployment;
use super::replicaset::{self, Action, Event};
use crate::api::pointer::str_at;
use crate::api::time::format_time;
use crate::client::Client;
use crate::client::events::{EventRecorder, EventType};
use crate::client::informer::{self, Change, Store, key_of};
use crate::flow::{Flow, Hop, HopKind, ObjectRef};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use tokio::sync::mpsc::UnboundedReceiver;

/// Failed syncs retry after 1 s, doubling per failure up to 5 minutes.
const RETRY_MS: i64 = 1_000;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    ReplicaSets,
    Deployments,
}

struct Controller {
    kind: Kind,
    client: Client,
    flow: Arc<Flow>,
    events: EventRecorder,
    owners: Store,
    replica_sets: Store,
    pods: Store,
    dirty: BTreeSet<String>,
    /// Resyncs asked for at a time (availability, progress deadline, retries).
    timers: BTreeMap<String, i64>,
    /// Objects the last sync created (keys that must appear) or deleted (must vanish).
    expect_present: BTreeMap<String, BTreeSet<String>>,
    expect_absent: BTreeMap<String, BTreeSet<String>>,
    failures: BTreeMap<String, u32>,
}

/// The replicaset controller.
pub async fn run_replicasets(client: Client, flow: Arc<Flow>, informers: informer::Informers) {
    let (replica_sets, rs_feed) = informers.watch("/apis/apps/v1/replicasets");
    let (pods, pod_feed) = informers.watch("/api/v1/pods");
    let controller = Controller {
        kind: Kind::ReplicaSets,
        events: EventRecorder::new(client.clone(), "replicaset-controller", None),
        client,
        flow,
        owners: replica_sets.clone(),
        replica_sets,
        pods,
        dirty: BTreeSet::new(),
        timers: BTreeMap::new(),
        expect_present: BTreeMap::new(),
        expect_absent: BTreeMap::new(),
        failures: BTreeMap::new(),
    };
    controller.run(vec![rs_feed, pod_feed]).await;
}

/// The deployment controller.
pub async fn run_deployments(client: Client, flow: Arc<Flow>, informers: informer::Informers) {
    let (deployments, d_feed) = informers.watch("/apis/apps/v1/deployments");
    let (replica_sets, rs_feed) = informers.watch("/apis/apps/v1/replicasets");
    let (pods, pod_feed) = informers.watch("/api/v1/pods");
    let controller = Controller {
        kind: Kind::Deployments,
        events: EventRecorder::new(client.clone(), "deployment-controller", None),
        client,
        flow,
        owners: deployments,
        replica_sets,
        pods,
        dirty: BTreeSet::new(),
        timers: BTreeMap::new(),
        expect_present: BTreeMap::new(),
        expect_absent: BTreeMap::new(),
        failures: BTreeMap::new(),
    };
    controller.run(vec![d_feed, rs_feed, pod_feed]).await;
}

impl Controller {
    fn name(&self) -> &'static str {
        match self.kind {
            Kind::ReplicaSets => "replicaset-controller",
            Kind::Deployments => "deployment-controller",
        }
    }

    async fn run(mut self, feeds: Vec<UnboundedReceiver<Change>>) {
        let mut changes = informer::merge(feeds);
        let clock = self.client.clock().clone();
        loop {
            while let Ok(change) = changes.try_recv() {
                self.changed(&change);
            }
            let now = self.client.clock().now_ms();
            let due: Vec<String> = self
                .timers
                .iter()
                .filter(|(_, t)| **t <= now)
                .map(|(k, _)| k.clone())
                .collect();
            for key in due {
                self.timers.remove(&key);
                self.dirty.insert(key);
            }
            // A burst of changes is one sync (see `gather_burst`).
            if !self.dirty.is_empty() {
                informer::gather_burst(&clock, &mut changes, |change| self.changed(&change)).await;
            }
            if let Some(key) = self.next_ready() {
                self.dirty.remove(&key);
                self.sync(&key).await;
                // Let the informers deliver what this sync wrote before the next one.
                tokio::task::yield_now().await;
                continue;
            }
            let next = self.timers.values().min().copied();
            let clock = self.client.clock().clone();
            tokio::select! {
                biased;
                change = changes.recv() => match change {
                    Some(change) => self.changed(&change),
                    None => return,
                },
                _ = async { match next {
                    Some(t) => clock.sleep_until(t).await,
                    None => std::future::pending().await,
                } } => {}
            }
        }
    }

    /// The first dirty key whose last writes have all landed in the informers.
    fn next_ready(&mut self) -> Option<String> {
        let pods = &self.pods;
        let rss = &self.replica_sets;
        let present = |k: &String| pods.get(k).is_some() || rss.get(k).is_some();
        for (_, keys) in self.expect_present.iter_mut() {
            keys.retain(|k| !present(k));
        }
        for (_, keys) in self.expect_absent.iter_mut() {
            keys.retain(|k| present(k));
        }
        self.expect_present.retain(|_, keys| !keys.is_empty());
        self.expect_absent.retain(|_, keys| !keys.is_empty());
        self.dirty
            .iter()
            .find(|k| !self.expect_present.contains_key(*k) && !self.expect_absent.contains_key(*k))
            .cloned()
    }

    /// Marks the owners a change concerns.
    fn changed(&mut self, change: &Change) {
        let object = &change.object;
        let kind = object.get("kind").and_then(Value::as_str).unwrap_or("");
        let namespace = str_at(object, "/metadata/namespace").to_string();
        let own_kind = match self.kind {
            Kind::ReplicaSets => "ReplicaSet",
            Kind::Deployments => "Deployment",
        };
        if kind == own_kind {
            self.dirty.insert(key_of(object));
            return;
        }
        // A pod or ReplicaSet: its controller (or, for the deployment controller, its
        // ReplicaSet's controller); an orphan concerns every owner in its namespace (adoption).
        let mut owners = controller_refs(object);
        if self.kind == Kind::Deployments && kind == "Pod" {
            owners = owners
                .into_iter()
                .filter_map(|(k, name)| {
                    (k == "ReplicaSet")
                        .then(|| self.replica_sets.get(&format!("{namespace}/{name}")))
                        .flatten()
                })
                .flat_map(|rs| controller_refs(&rs))
                .collect();
        }
        let wanted = owners.iter().filter(|(k, _)| k == own_kind);
        let mut any = false;
        for (_, name) in wanted {
            self.dirty.insert(format!("{namespace}/{name}"));
            any = true;
        }
        if !any && object.pointer("/metadata/ownerReferences").is_none() {
            for owner in self.owners.list_namespace(&namespace) {
                self.dirty.insert(key_of(&owner));
            }
        }
    }

    async fn sync(&mut self, key: &str) {
        let Some(owner) = self.owners.get(key) else {
            self.timers.remove(key);
            return;
        };
        let namespace = str_at(&owner, "/metadata/namespace").to_string();
        let now_ms = self.client.clock().now_ms();
        let now = format_time(now_ms);
        let pods = self.pods.list_namespace(&namespace);
        let pod_refs: Vec<&Value> = pods.iter().map(|p| p.as_ref()).collect();
        let (actions, next) = match self.kind {
            Kind::ReplicaSets => (
                replicaset::reconcile_replicaset(&owner, &pod_refs, &now),
                replicaset::next_availability_check(&owner, &pod_refs, now_ms),
            ),
            Kind::Deployments => {
                let rss = self.replica_sets.list_namespace(&namespace);
                let rs_refs: Vec<&Value> = rss.iter().map(|r| r.as_ref()).collect();
                (
                    deployment::reconcile_deployment(&owner, &rs_refs, &pod_refs, &now),
                    deployment::next_progress_check(&owner, now_ms),
                )
            }
        };
        if let Some(t) = next {
            self.timers.insert(key.to_string(), t.max(now_ms + 1));
        }
        if actions.is_empty() {
            return;
        }
        self.flow
            .pass(
                Hop::new(
                    self.name(),
                    "apiserver",
                    HopKind::Reconciled,
                    format!(
                        "{} {}: {}",
                        str_at(&owner, "/kind"),
                        str_at(&owner, "/metadata/name"),
                        describe(&actions)
                    ),
                )
                .object(Some(ObjectRef::of(&owner))),
            )
            .await;
        match self.execute(key, actions).await {
            Ok(()) => {
                self.failures.remove(key);
            }
            Err(Retry::Conflict) => {
                self.dirty.insert(key.to_string());
            }
            Err(Retry::Failed(error)) => {
                let failures = self.failures.entry(key.to_string()).or_default();
                *failures += 1;
                let wait = (RETRY_MS << (*failures).min(10)).min(300_000);
                self.timers.insert(key.to_string(), now_ms + wait);
                let status = match self.kind {
                    Kind::ReplicaSets => {
                        replicaset::status_after_failure(&owner, &pod_refs, &error, &now)
                    }
                    Kind::Deployments => {
                        deployment::status_after_create_failure(&owner, "", &error, &now)
                    }
                };
                if let Some(Action::UpdateStatus { path, object }) = status {
                    let _ = self.client.update(&path, &object).await;
                }
            }
        }
    }

    async fn execute(&mut self, key: &str, actions: Vec<Action>) -> Result<(), Retry> {
        for action in actions {
            match action {
                Action::Create {
                    path,
                    object,
                    on_success,
                    on_failure,
                } => match self.client.create(&path, &object).await {
                    Ok(created) => {
                        let name = str_at(&created, "/metadata/name").to_string();
                        self.expect(key, &created, true);
                        self.record_all(&on_success, Some(&name), None).await;
                    }
                    Err(e) if e.code == 409 => return Err(Retry::Conflict),
                    Err(e) => {
                        if let Some(event) = on_failure {
                            self.record(&event.completed(None, Some(&e.message))).await;
                        }
                        return Err(Retry::Failed(e.message));
                    }
                },
                Action::Update {
                    path,
                    object,
                    on_success,
                } => match self.client.update(&path, &object).await {
                    Ok(_) => self.record_all(&on_success, None, None).await,
                    Err(e) if e.code == 409 => return Err(Retry::Conflict),
                    Err(e) => return Err(Retry::Failed(e.message)),
                },
                Action::UpdateStatus { path, object } => {
                    match self.client.update(&path, &object).await {
                        Ok(_) => {}
                        Err(e) if e.code == 409 => return Err(Retry::Conflict),
                        Err(e) => return Err(Retry::Failed(e.message)),
                    }
                }
                Action::Delete {
                    path,
                    on_success,
                    on_failure,
                } => match self.client.delete(&path).await {
                    Ok(deleted) => {
                        self.expect(key, &deleted, false);
                        self.record_all(&on_success, None, None).await;
                    }
                    Err(e) if e.code == 404 => {}
                    Err(e) if e.code == 409 => return Err(Retry::Conflict),
                    Err(e) => {
                        if let Some(event) = on_failure {
                            self.record(&event.completed(None, Some(&e.message))).await;
                        }
                        return Err(Retry::Failed(e.message));
                    }
                },
                Action::Event(event) => self.record(&event).await,
            }
        }
        Ok(())
    }

    /// Remembers a write the informers must show before `key` is synced again. A graceful
    /// pod deletion leaves the pod (Terminating) in place: only real removals are awaited.
    fn expect(&mut self, key: &str, object: &Value, created: bool) {
        let written = key_of(object);
        if created {
            self.expect_present
                .entry(key.to_string())
                .or_default()
                .insert(written);
        } else if object
            .pointer("/metadata/deletionTimestamp")
            .is_none_or(Value::is_null)
        {
            self.expect_absent
                .entry(key.to_string())
                .or_default()
                .insert(written);
        }
    }

    async fn record_all(&self, events: &[Event], name: Option<&str>, error: Option<&str>) {
        for event in events {
            self.record(&event.completed(name, error)).await;
        }
    }

    async fn record(&self, event: &Event) {
        let kind = if event.event_type == "Warning" {
            EventType::Warning
        } else {
            EventType::Normal
        };
        let _ = self
            .events
            .record(&event.regarding, None, kind, event.reason, &event.message)
            .await;
    }
}

enum Retry {
    Conflict,
    Failed(String),
}

/// What a sync is about to do, in a few words for the hop.
fn describe(actions: &[Action]) -> String {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for action in actions {
        let what = match action {
            Action::Create { path, .. } if path.ends_with("/pods") => "create pod",
            Action::Create { .. } => "create replicaset",
            Action::Update { .. } => "update",
            Action::UpdateStatus { .. } => "update status",
            Action::Delete { path, .. } if path.contains("/pods/") => "delete pod",
            Action::Delete { .. } => "delete replicaset",
            Action::Event(_) => "event",
        };
        *counts.entry(what).or_default() += 1;
    }
    counts
        .iter()
        .map(|(what, n)| format!("{what} ×{n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// (kind, name) of an object's controller references.
fn controller_refs(object: &Value) -> Vec<(String, String)> {
    object
        .pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|r| r.get("controller").and_then(Value::as_bool) == Some(true))
        .map(|r| {
            (
                str_at(r, "/kind").to_string(),
                str_at(r, "/name").to_string(),
            )
        })
        .collect()
}
