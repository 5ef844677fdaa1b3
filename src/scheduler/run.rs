//! The scheduler as a component: informers on nodes and pods feed the snapshot and the queue;
//! one loop takes the next pod, runs a scheduling cycle (filter, score, pick), assumes the pod
//! onto the winner and binds it through `pods/binding` as `system:kube-scheduler` — or, when no
//! node fits, writes `FailedScheduling` and PodScheduled=False and parks the pod until the
//! cluster changes. Every decision record is kept for the screen.

use super::decision::DecisionRecord;
use super::queue::Queue;
use super::schedule::Scheduler;
use super::snapshot::{PodInfo, Snapshot};
use crate::client::Client;
use crate::client::events::{EventRecorder, EventType};
use crate::client::informer::{self, Change, ChangeKind, key_of};
use crate::flow::{Detail, Flow, Hop, HopKind, ObjectRef, SharedDetail};
use rand::{RngCore, SeedableRng};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc::UnboundedReceiver;

pub const SCHEDULER_NAME: &str = "default-scheduler";
/// How many decision records are kept (the most recent): one for a 1,000-node cluster is
/// ~300 KB.
const KEEP_DECISIONS: usize = 100;

/// The decision records, by pod (`namespace/name`), newest kept.
#[derive(Default)]
pub struct Decisions {
    by_pod: BTreeMap<String, Arc<DecisionRecord>>,
    order: std::collections::VecDeque<String>,
    latest: Option<Arc<DecisionRecord>>,
    /// How many pods were bound since the scheduler started.
    bound: u64,
}

impl Decisions {
    pub fn get(&self, pod: &str) -> Option<Arc<DecisionRecord>> {
        self.by_pod.get(pod).cloned()
    }

    pub fn latest(&self) -> Option<Arc<DecisionRecord>> {
        self.latest.clone()
    }

    pub fn bound(&self) -> u64 {
        self.bound
    }

    fn keep(&mut self, record: Arc<DecisionRecord>) {
        if self
            .by_pod
            .insert(record.pod.clone(), record.clone())
            .is_none()
        {
            self.order.push_back(record.pod.clone());
        }
        while self.order.len() > KEEP_DECISIONS {
            if let Some(old) = self.order.pop_front() {
                self.by_pod.remove(&old);
            }
        }
        self.latest = Some(record);
    }
}

pub type SharedDecisions = Arc<Mutex<Decisions>>;

impl SharedDetail for DecisionRecord {
    fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

struct Loop {
    client: Client,
    flow: Arc<Flow>,
    events: EventRecorder,
    snapshot: Snapshot,
    queue: Queue,
    /// Pending pods by key, as last seen.
    pending: BTreeMap<String, Arc<Value>>,
    framework: Scheduler,
    rng: rand_chacha::ChaCha8Rng,
    decisions: SharedDecisions,
    /// Binding cycles report back here: (pod key, the pod, whether it was bound).
    bindings: tokio::sync::mpsc::UnboundedSender<(String, Arc<Value>, bool)>,
}

/// Runs the scheduler until its task is aborted.
pub async fn run(client: Client, flow: Arc<Flow>, seed: u64, decisions: SharedDecisions) {
    let (_nodes, mut node_changes) = informer::start(client.clone(), "/api/v1/nodes");
    let (_pods, mut pod_changes) = informer::start(client.clone(), "/api/v1/pods");
    let (bindings, mut bound) = tokio::sync::mpsc::unbounded_channel();
    let mut this = Loop {
        bindings,
        events: EventRecorder::new(client.clone(), SCHEDULER_NAME, None),
        client,
        flow,
        snapshot: Snapshot::new(),
        queue: Queue::new(),
        pending: BTreeMap::new(),
        framework: Scheduler::new(),
        rng: rand_chacha::ChaCha8Rng::seed_from_u64(seed ^ 0x5c4e_d01e),
        decisions,
    };
    loop {
        // Take in everything that happened before choosing the next pod.
        if !this.drain(&mut node_changes, &mut pod_changes) {
            return;
        }
        while let Ok((key, pod, ok)) = bound.try_recv() {
            this.binding_done(&key, pod, ok);
        }
        let now = this.client.clock().now_ms();
        if let Some(key) = this.queue.pop(now) {
            this.schedule(&key).await;
            continue;
        }
        let wakeup = this.queue.next_wakeup();
        let clock = this.client.clock().clone();
        tokio::select! {
            biased;
            result = bound.recv() => {
                if let Some((key, pod, ok)) = result {
                    this.binding_done(&key, pod, ok);
                }
            }
            change = node_changes.recv() => match change {
                Some(change) => this.node_changed(change),
                None => return,
            },
            change = pod_changes.recv() => match change {
                Some(change) => this.pod_changed(change),
                None => return,
            },
            _ = async { match wakeup {
                Some(t) => clock.sleep_until(t).await,
                None => std::future::pending().await,
            } } => {}
        }
    }
}

impl Loop {
    /// Applies every change already delivered; false when an informer has stopped.
    fn drain(
        &mut self,
        nodes: &mut UnboundedReceiver<Change>,
        pods: &mut UnboundedReceiver<Change>,
    ) -> bool {
        loop {
            match nodes.try_recv() {
                Ok(change) => self.node_changed(change),
                Err(tokio::sync::mpsc::error::TryRecvError::Empty) => break,
                Err(_) => return false,
            }
        }
        loop {
            match pods.try_recv() {
                Ok(change) => self.pod_changed(change),
                Err(tokio::sync::mpsc::error::TryRecvError::Empty) => return true,
                Err(_) => return false,
            }
        }
    }

    fn node_changed(&mut self, change: Change) {
        match change.kind {
            ChangeKind::Deleted => {
                self.snapshot.remove_node(&key_of(&change.object));
            }
            _ => self.snapshot.upsert_node(&change.object),
        }
        let now = self.client.clock().now_ms();
        self.queue.cluster_changed(now);
    }

    fn pod_changed(&mut self, change: Change) {
        let pod = &change.object;
        let key = key_of(pod);
        let now = self.client.clock().now_ms();
        let bound = pod
            .pointer("/spec/nodeName")
            .and_then(Value::as_str)
            .is_some_and(|n| !n.is_empty());
        let finished = matches!(
            pod.pointer("/status/phase").and_then(Value::as_str),
            Some("Succeeded" | "Failed")
        );
        let terminating = pod
            .pointer("/metadata/deletionTimestamp")
            .is_some_and(|t| !t.is_null());
        if change.kind == ChangeKind::Deleted || finished {
            self.snapshot.remove_pod(pod);
            self.queue.delete(&key);
            self.pending.remove(&key);
            // Room was freed: pods waiting for it may fit now.
            self.queue.cluster_changed(now);
            return;
        }
        if bound {
            self.snapshot.add_pod(pod);
            self.queue.done(&key);
            self.pending.remove(&key);
            return;
        }
        let ours = pod
            .pointer("/spec/schedulerName")
            .and_then(Value::as_str)
            .is_none_or(|s| s == SCHEDULER_NAME);
        if ours && !terminating {
            self.pending.insert(key.clone(), pod.clone());
            self.queue.add(&key, now);
        } else {
            self.pending.remove(&key);
            self.queue.delete(&key);
        }
    }

    async fn hop(&self, kind: HopKind, pod: &Value, summary: String, detail: Detail) {
        self.flow
            .pass(
                Hop::new("scheduler", "scheduler", kind, summary)
                    .object(Some(ObjectRef::of(pod)))
                    .detail(detail),
            )
            .await;
    }

    /// One scheduling cycle and, on success, the binding cycle.
    async fn schedule(&mut self, key: &str) {
        let Some(pod) = self.pending.get(key).cloned() else {
            self.queue.delete(key);
            return;
        };
        let (active, backoff, unschedulable) = self.queue.sizes();
        self.hop(
            HopKind::Dequeued,
            &pod,
            format!("pod {key} taken from the active queue ({active} active, {backoff} backing off, {unschedulable} unschedulable)"),
            Detail::None,
        )
        .await;
        let info = PodInfo::from_pod(&pod);
        let tie_break = self.rng.next_u64();
        let record = Arc::new(
            self.framework
                .schedule_one(&self.snapshot, &info, tie_break),
        );
        self.decisions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .keep(record.clone());
        let feasible = record.nodes.iter().filter(|n| n.feasible).count();
        self.hop(
            HopKind::Filtered,
            &pod,
            format!(
                "filter: {feasible} of {} nodes feasible ({} evaluated)",
                record.nodes_total, record.nodes_evaluated
            ),
            Detail::None,
        )
        .await;
        let now = self.client.clock().now_ms();
        let Some(node) = record.winner.clone() else {
            let message = record.message.clone().unwrap_or_default();
            self.hop(
                HopKind::Unschedulable,
                &pod,
                record.summary(),
                Detail::Shared(Arc::downgrade(&record) as std::sync::Weak<dyn SharedDetail>),
            )
            .await;
            let _ = self
                .events
                .record(&pod, None, EventType::Warning, "FailedScheduling", &message)
                .await;
            self.set_unschedulable(&pod, &message).await;
            self.queue.unschedulable(key, now);
            return;
        };
        self.hop(
            HopKind::Scored,
            &pod,
            record.summary(),
            Detail::Shared(Arc::downgrade(&record) as std::sync::Weak<dyn SharedDetail>),
        )
        .await;
        // Assume: the next cycle counts this pod on its node before the binding lands. The
        // binding cycle then runs on its own, as kube-scheduler's does, while the next pod is
        // scheduled.
        self.snapshot.assume_pod(&info, &node);
        self.queue.done(key);
        self.pending.remove(key);
        let client = self.client.clone();
        let events = self.events.clone();
        let report = self.bindings.clone();
        let flow = self.flow.clone();
        let key = key.to_string();
        tokio::spawn(async move {
            let ok = bind(&client, &pod, &node).await.is_ok();
            if ok {
                flow.pass(
                    Hop::new(
                        "scheduler",
                        "apiserver",
                        HopKind::Bound,
                        format!("bound {key} to {node}: the binding cycle is done"),
                    )
                    .object(Some(ObjectRef::of(&pod)))
                    .detail(serde_json::json!({"node": node})),
                )
                .await;
                let message = format!("Successfully assigned {key} to {node}");
                let _ = events
                    .record(&pod, None, EventType::Normal, "Scheduled", &message)
                    .await;
            }
            let _ = report.send((key, pod, ok));
        });
    }

    /// A binding cycle ended: count it, or forget the assumption and try the pod again.
    fn binding_done(&mut self, key: &str, pod: Arc<Value>, ok: bool) {
        if ok {
            self.decisions
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .bound += 1;
            return;
        }
        let now = self.client.clock().now_ms();
        self.snapshot.remove_pod_key(key);
        self.pending.insert(key.to_string(), pod);
        self.queue.add(key, now);
        self.queue.retry(key, now);
    }
}

/// The binding cycle: `POST pods/<name>/binding` naming the node.
async fn bind(
    client: &Client,
    pod: &Value,
    node: &str,
) -> Result<(), crate::api::status::ApiError> {
    {
        let meta = |k: &str| {
            pod.pointer(&format!("/metadata/{k}"))
                .cloned()
                .unwrap_or(Value::Null)
        };
        let namespace = meta("namespace");
        let name = meta("name");
        let binding = json!({
            "apiVersion": "v1",
            "kind": "Binding",
            "metadata": {"name": name, "namespace": namespace, "uid": meta("uid")},
            "target": {"apiVersion": "v1", "kind": "Node", "name": node},
        });
        client
            .create(
                &format!(
                    "/api/v1/namespaces/{}/pods/{}/binding",
                    namespace.as_str().unwrap_or(""),
                    name.as_str().unwrap_or("")
                ),
                &binding,
            )
            .await
            .map(|_| ())
    }
}

impl Loop {
    /// PodScheduled=False, reason Unschedulable, with the message — what `kubectl describe`
    /// shows under Conditions.
    async fn set_unschedulable(&self, pod: &Value, message: &str) {
        let now = crate::api::time::format_time(self.client.clock().now_ms());
        let namespace = pod
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .unwrap_or("");
        let name = pod
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("");
        let patch = json!({"status": {"conditions": [{
            "type": "PodScheduled", "status": "False", "lastProbeTime": null,
            "lastTransitionTime": now, "reason": "Unschedulable", "message": message,
        }]}});
        let _ = self
            .client
            .patch(
                &format!("/api/v1/namespaces/{namespace}/pods/{name}/status"),
                "application/strategic-merge-patch+json",
                &patch,
            )
            .await;
    }
}
