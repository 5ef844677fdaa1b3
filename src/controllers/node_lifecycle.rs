//! The node-lifecycle controller: every 5 s (`--node-monitor-period`) it compares each node's
//! Lease with the clock. A node whose kubelet has not renewed for 50 s
//! (`--node-monitor-grace-period`) becomes Ready=Unknown ("Kubelet stopped posting node
//! status."), gets the `node.kubernetes.io/unreachable` taints (NoSchedule and NoExecute) and
//! its pods are marked not Ready; pods that tolerate the NoExecute taint only for a while (300 s,
//! from DefaultTolerationSeconds) are evicted when that runs out (`TaintManagerEviction`). When
//! the lease is fresh again and the kubelet reports Ready, the taints come off.

use crate::api::pointer::str_at;
use crate::api::time::{format_time, parse_time};
use crate::client::Client;
use crate::client::events::{EventRecorder, EventType};
use crate::client::informer::{self, Store};
use crate::flow::{Flow, Hop, HopKind, ObjectRef};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

pub const NODE_MONITOR_PERIOD: Duration = Duration::from_secs(5);
pub const NODE_MONITOR_GRACE_MS: i64 = 50_000;
pub const UNREACHABLE_TAINT: &str = "node.kubernetes.io/unreachable";
pub const NOT_READY_TAINT: &str = "node.kubernetes.io/not-ready";

pub struct NodeLifecycleController {
    client: Client,
    flow: Arc<Flow>,
    events: EventRecorder,
    nodes: Store,
    leases: Store,
    pods: Store,
}

impl NodeLifecycleController {
    pub fn start(
        client: Client,
        flow: Arc<Flow>,
        informers: &informer::Informers,
    ) -> NodeLifecycleController {
        // It reads the caches on its own period: no change feeds to subscribe to.
        let nodes = informers.get("/api/v1/nodes").store();
        let leases = informers
            .get("/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases")
            .store();
        let pods = informers.get("/api/v1/pods").store();
        NodeLifecycleController {
            events: EventRecorder::new(client.clone(), "node-controller", None),
            client,
            flow,
            nodes,
            leases,
            pods,
        }
    }

    pub async fn run(self) {
        loop {
            self.client.clock().sleep(NODE_MONITOR_PERIOD).await;
            self.monitor().await;
        }
    }

    /// One pass over every node (`monitorNodeHealth`), then the taint eviction.
    pub async fn monitor(&self) {
        let now = self.client.clock().now_ms();
        for node in self.nodes.list() {
            let name = str_at(&node, "/metadata/name").to_string();
            let renewed = self
                .leases
                .get(&format!("kube-node-lease/{name}"))
                .and_then(|lease| parse_time(str_at(&lease, "/spec/renewTime")));
            let created = parse_time(str_at(&node, "/metadata/creationTimestamp")).unwrap_or(now);
            let last_heard = renewed.unwrap_or(created);
            let ready = condition_status(&node, "Ready");
            let silent = now - last_heard > NODE_MONITOR_GRACE_MS;
            if silent && ready != "Unknown" {
                self.mark_unknown(&node, now).await;
            } else if !silent && ready == "True" && has_taint(&node, UNREACHABLE_TAINT) {
                self.set_taints(&node, false).await;
                self.hop(
                    &node,
                    format!("node {name} is Ready again: unreachable taints removed"),
                )
                .await;
            }
        }
        self.evict(now).await;
    }

    async fn hop(&self, object: &Value, summary: String) {
        self.flow
            .pass(
                Hop::new(
                    "node-lifecycle-controller",
                    "apiserver",
                    HopKind::NodeHealthChanged,
                    summary,
                )
                .object(Some(ObjectRef::of(object))),
            )
            .await;
    }

    /// Ready=Unknown, unreachable taints, pods not Ready, events.
    async fn mark_unknown(&self, node: &Value, now: i64) {
        let name = str_at(node, "/metadata/name").to_string();
        let stamp = format_time(now);
        let conditions: Vec<Value> = node
            .pointer("/status/conditions")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|c| {
                let mut c = c.clone();
                c["status"] = json!("Unknown");
                c["reason"] = json!("NodeStatusUnknown");
                c["message"] = json!("Kubelet stopped posting node status.");
                c["lastTransitionTime"] = json!(stamp);
                c
            })
            .collect();
        let _ = self
            .client
            .patch(
                &format!("/api/v1/nodes/{name}/status"),
                "application/strategic-merge-patch+json",
                &json!({"status": {"conditions": conditions}}),
            )
            .await;
        self.set_taints(node, true).await;
        self.hop(
            node,
            format!("node {name}: no lease renewal for 50s → Ready=Unknown, tainted unreachable"),
        )
        .await;
        let _ = self
            .events
            .record(
                node,
                None,
                EventType::Normal,
                "NodeNotReady",
                &format!("Node {name} status is now: NodeNotReady"),
            )
            .await;
        for pod in self.pods_on(&name) {
            self.mark_pod_not_ready(&pod, &stamp).await;
        }
    }

    fn pods_on(&self, node: &str) -> Vec<Arc<Value>> {
        self.pods
            .list()
            .into_iter()
            .filter(|p| str_at(p, "/spec/nodeName") == node)
            .collect()
    }

    async fn mark_pod_not_ready(&self, pod: &Value, stamp: &str) {
        let ns = str_at(pod, "/metadata/namespace");
        let name = str_at(pod, "/metadata/name");
        let patch = json!({"status": {"conditions": [
            {"type": "Ready", "status": "False", "lastProbeTime": null, "lastTransitionTime": stamp},
        ]}});
        let _ = self
            .client
            .patch(
                &format!("/api/v1/namespaces/{ns}/pods/{name}/status"),
                "application/strategic-merge-patch+json",
                &patch,
            )
            .await;
        let _ = self
            .events
            .record(
                pod,
                None,
                EventType::Warning,
                "NodeNotReady",
                "Node is not ready",
            )
            .await;
    }

    /// Adds (or removes) the unreachable NoSchedule and NoExecute taints.
    async fn set_taints(&self, node: &Value, on: bool) {
        let name = str_at(node, "/metadata/name");
        let mut taints: Vec<Value> = node
            .pointer("/spec/taints")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|t| t.get("key").and_then(Value::as_str) != Some(UNREACHABLE_TAINT))
            .collect();
        if on {
            let now = format_time(self.client.clock().now_ms());
            taints
                .push(json!({"key": UNREACHABLE_TAINT, "effect": "NoSchedule", "timeAdded": now}));
            taints.push(json!({"key": UNREACHABLE_TAINT, "effect": "NoExecute", "timeAdded": now}));
        }
        let _ = self
            .client
            .patch(
                &format!("/api/v1/nodes/{name}"),
                "application/merge-patch+json",
                &json!({"spec": {"taints": taints}}),
            )
            .await;
    }

    /// Taint eviction: pods on nodes with a NoExecute taint they do not tolerate, or tolerate
    /// for fewer seconds than have passed since the taint was added.
    async fn evict(&self, now: i64) {
        for node in self.nodes.list() {
            let taints: Vec<Value> = node
                .pointer("/spec/taints")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter(|t| t.get("effect").and_then(Value::as_str) == Some("NoExecute"))
                .cloned()
                .collect();
            if taints.is_empty() {
                continue;
            }
            let name = str_at(&node, "/metadata/name").to_string();
            for pod in self.pods_on(&name) {
                if pod
                    .pointer("/metadata/deletionTimestamp")
                    .is_some_and(|t| !t.is_null())
                {
                    continue;
                }
                if taints.iter().any(|taint| evict_now(&pod, taint, now)) {
                    self.evict_pod(&pod).await;
                }
            }
        }
    }

    async fn evict_pod(&self, pod: &Value) {
        let ns = str_at(pod, "/metadata/namespace");
        let name = str_at(pod, "/metadata/name");
        let _ = self
            .events
            .record(
                pod,
                None,
                EventType::Normal,
                "TaintManagerEviction",
                &format!("Marking for deletion Pod {ns}/{name}"),
            )
            .await;
        let stamp = format_time(self.client.clock().now_ms());
        let _ = self
            .client
            .patch(
                &format!("/api/v1/namespaces/{ns}/pods/{name}/status"),
                "application/strategic-merge-patch+json",
                &json!({"status": {"conditions": [{"type": "DisruptionTarget", "status": "True",
                    "lastProbeTime": null, "lastTransitionTime": stamp, "reason": "DeletionByTaintManager",
                    "message": "Taint manager: deleting due to NoExecute taint"}]}}),
            )
            .await;
        let _ = self
            .client
            .delete(&format!("/api/v1/namespaces/{ns}/pods/{name}"))
            .await;
        self.flow
            .pass(
                Hop::new(
                    "node-lifecycle-controller",
                    "apiserver",
                    HopKind::PodEvicted,
                    format!("evict {ns}/{name}: its toleration of the NoExecute taint ran out"),
                )
                .object(Some(ObjectRef::of(pod))),
            )
            .await;
    }
}

/// Whether `taint` (NoExecute) evicts `pod` at `now`: no matching toleration, or one whose
/// tolerationSeconds have passed since the taint was added.
fn evict_now(pod: &Value, taint: &Value, now: i64) -> bool {
    let key = taint.get("key").and_then(Value::as_str).unwrap_or("");
    let value = taint.get("value").and_then(Value::as_str).unwrap_or("");
    let added = taint
        .get("timeAdded")
        .and_then(Value::as_str)
        .and_then(parse_time)
        .unwrap_or(now);
    let tolerations = pod
        .pointer("/spec/tolerations")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let matching: Vec<&Value> = tolerations
        .iter()
        .filter(|t| {
            let effect = t.get("effect").and_then(Value::as_str).unwrap_or("");
            let t_key = t.get("key").and_then(Value::as_str).unwrap_or("");
            let operator = t.get("operator").and_then(Value::as_str).unwrap_or("Equal");
            let key_ok = t_key.is_empty() && operator == "Exists" || t_key == key;
            let value_ok = operator == "Exists"
                || t.get("value").and_then(Value::as_str).unwrap_or("") == value;
            (effect.is_empty() || effect == "NoExecute") && key_ok && value_ok
        })
        .collect();
    if matching.is_empty() {
        return true;
    }
    // Tolerated forever unless every matching toleration is time-bound; the shortest wins.
    let seconds = matching
        .iter()
        .map(|t| t.get("tolerationSeconds").and_then(Value::as_i64))
        .try_fold(i64::MAX, |min, s| s.map(|s| min.min(s)));
    match seconds {
        Some(s) => now >= added + s.max(0) * 1000,
        None => false,
    }
}

fn condition_status<'a>(node: &'a Value, kind: &str) -> &'a str {
    node.pointer("/status/conditions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|c| c.get("type").and_then(Value::as_str) == Some(kind))
        .and_then(|c| c.get("status").and_then(Value::as_str))
        .unwrap_or("Unknown")
}

fn has_taint(node: &Value, key: &str) -> bool {
    node.pointer("/spec/taints")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|t| t.get("key").and_then(Value::as_str) == Some(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_toleration_runs_out_after_300_seconds() {
        let taint = json!({"key": UNREACHABLE_TAINT, "effect": "NoExecute", "timeAdded": "2026-01-01T00:00:00Z"});
        let added = parse_time("2026-01-01T00:00:00Z").unwrap();
        let pod = json!({"spec": {"tolerations": [
            {"key": UNREACHABLE_TAINT, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}]}});
        assert!(!evict_now(&pod, &taint, added + 299_000));
        assert!(evict_now(&pod, &taint, added + 300_000));
        let forever = json!({"spec": {"tolerations": [{"operator": "Exists"}]}});
        assert!(!evict_now(&forever, &taint, added + 10_000_000));
        let none = json!({"spec": {}});
        assert!(evict_now(&none, &taint, added));
    }
}
