//! What the cluster, events and etcd panes draw: a picture of the store at one revision,
//! read as an observer (no request, no hop) and rebuilt by the event loop when the store has
//! moved on — never while drawing.

use crate::api::kinds;
use crate::apiserver::ApiServer;
use crate::apiserver::storage::decode;
use crate::scheduler::snapshot::{NodeInfo, PodInfo};
use crate::store::RangeRequest;
use serde_json::Value;

/// How many events and etcd keys the panes keep (the newest events, the first keys).
pub const EVENTS: usize = 200;
pub const KEYS: usize = 500;

#[derive(Debug, Clone, Default)]
pub struct ClusterSnapshot {
    /// The store revision it was read at.
    pub revision: i64,
    pub nodes: Vec<NodeRow>,
    /// Pods no node runs yet (Pending, unscheduled).
    pub unscheduled: Vec<PodRow>,
    /// Oldest first, like `kubectl get events` sorted by time.
    pub events: Vec<EventRow>,
    pub keys: Vec<KeyRow>,
    /// Every key under `/registry/`, beyond the ones kept.
    pub keys_total: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NodeRow {
    pub name: String,
    /// The node's Ready condition is True.
    pub ready: bool,
    /// `spec.unschedulable` (cordoned).
    pub unschedulable: bool,
    pub cpu_requested_milli: i64,
    pub cpu_allocatable_milli: i64,
    pub memory_requested: i64,
    pub memory_allocatable: i64,
    pub pods: Vec<PodRow>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PodRow {
    pub namespace: String,
    pub name: String,
    /// `status.phase`, or `Terminating` once deletion started.
    pub phase: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EventRow {
    /// Sim time of the last occurrence (ms since the epoch).
    pub last_ms: i64,
    pub kind: String,
    pub reason: String,
    /// `pod/web`.
    pub object: String,
    pub message: String,
    pub count: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct KeyRow {
    pub key: String,
    pub create_revision: i64,
    pub mod_revision: i64,
    pub version: i64,
}

impl ClusterSnapshot {
    /// Reads the store as it is now.
    pub fn read(api: &ApiServer) -> ClusterSnapshot {
        let backend = api.objects().backend();
        let revision = backend.revision();
        let list = |rt: &kinds::ResourceType| -> Vec<Value> {
            backend
                .range(&RangeRequest {
                    key: rt.prefix(None),
                    prefix: true,
                    revision,
                    ..Default::default()
                })
                .map(|r| r.kvs.iter().filter_map(|kv| decode(kv).ok()).collect())
                .unwrap_or_default()
        };
        let mut snapshot = ClusterSnapshot {
            revision,
            ..Default::default()
        };
        for node in list(&kinds::NODES) {
            let info = NodeInfo::from_node(&node);
            snapshot.nodes.push(NodeRow {
                name: info.name().to_string(),
                ready: condition_true(&node, "Ready"),
                unschedulable: node
                    .pointer("/spec/unschedulable")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
                cpu_requested_milli: 0,
                cpu_allocatable_milli: info.allocatable.milli_cpu,
                memory_requested: 0,
                memory_allocatable: info.allocatable.memory,
                pods: Vec::new(),
            });
        }
        sort_nodes(&mut snapshot.nodes);
        for pod in list(&kinds::PODS) {
            let phase = if pod.pointer("/metadata/deletionTimestamp").is_some() {
                "Terminating"
            } else {
                str_at(&pod, "/status/phase").unwrap_or("Pending")
            };
            let row = PodRow {
                namespace: str_at(&pod, "/metadata/namespace")
                    .unwrap_or_default()
                    .to_string(),
                name: str_at(&pod, "/metadata/name")
                    .unwrap_or_default()
                    .to_string(),
                phase: phase.to_string(),
            };
            let node = str_at(&pod, "/spec/nodeName")
                .and_then(|name| snapshot.nodes.iter_mut().find(|n| n.name == name));
            match node {
                Some(node) => {
                    // What the scheduler counts: pods that have not finished.
                    if !matches!(phase, "Succeeded" | "Failed") {
                        let requests = PodInfo::from_pod(&pod).requests;
                        node.cpu_requested_milli += requests.milli_cpu;
                        node.memory_requested += requests.memory;
                    }
                    node.pods.push(row);
                }
                None => snapshot.unscheduled.push(row),
            }
        }
        let mut events: Vec<EventRow> = list(&kinds::EVENTS).iter().map(event_row).collect();
        events.sort_by_key(|e| e.last_ms);
        let skip = events.len().saturating_sub(EVENTS);
        snapshot.events = events.split_off(skip);
        if let Ok(keys) = backend.range(&RangeRequest {
            key: "/registry/".into(),
            prefix: true,
            revision,
            limit: KEYS,
            ..Default::default()
        }) {
            snapshot.keys_total = keys.count;
            snapshot.keys = keys
                .kvs
                .into_iter()
                .map(|kv| KeyRow {
                    key: kv.key,
                    create_revision: kv.create_revision,
                    mod_revision: kv.mod_revision,
                    version: kv.version,
                })
                .collect();
        }
        snapshot
    }
}

/// The control plane's node first, then workers in number order.
fn sort_nodes(nodes: &mut [NodeRow]) {
    nodes.sort_by_key(|n| crate::cluster::node_order(&n.name));
}

fn str_at<'a>(value: &'a Value, pointer: &str) -> Option<&'a str> {
    value.pointer(pointer).and_then(Value::as_str)
}

fn condition_true(node: &Value, kind: &str) -> bool {
    node.pointer("/status/conditions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|c| str_at(c, "/type") == Some(kind) && str_at(c, "/status") == Some("True"))
}

fn event_row(event: &Value) -> EventRow {
    let time = [
        "/lastTimestamp",
        "/eventTime",
        "/metadata/creationTimestamp",
    ]
    .iter()
    .find_map(|p| str_at(event, p))
    .and_then(crate::api::time::parse_time)
    .unwrap_or(0);
    let involved = event.get("involvedObject").unwrap_or(&Value::Null);
    EventRow {
        last_ms: time,
        kind: str_at(event, "/type").unwrap_or("Normal").to_string(),
        reason: str_at(event, "/reason").unwrap_or_default().to_string(),
        object: format!(
            "{}/{}",
            str_at(involved, "/kind")
                .unwrap_or_default()
                .to_ascii_lowercase(),
            str_at(involved, "/name").unwrap_or_default()
        ),
        message: str_at(event, "/message").unwrap_or_default().to_string(),
        count: event.get("count").and_then(Value::as_i64).unwrap_or(1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_event_reads_as_kubectl_get_events_shows_it() {
        let row = event_row(&json!({
            "type": "Warning", "reason": "FailedScheduling", "count": 3,
            "lastTimestamp": "2026-01-01T00:00:05Z",
            "involvedObject": {"kind": "Pod", "name": "web"},
            "message": "0/4 nodes are available",
        }));
        assert_eq!(row.object, "pod/web");
        assert_eq!(row.kind, "Warning");
        assert_eq!(row.count, 3);
        assert_eq!(row.last_ms, 1_767_225_605_000);
    }

    #[test]
    fn nodes_sort_control_plane_first_then_by_number() {
        let node = |name: &str| NodeRow {
            name: name.into(),
            ready: true,
            unschedulable: false,
            cpu_requested_milli: 0,
            cpu_allocatable_milli: 0,
            memory_requested: 0,
            memory_allocatable: 0,
            pods: vec![],
        };
        let mut nodes = vec![node("node-10"), node("node-2"), node("control-plane")];
        sort_nodes(&mut nodes);
        let names: Vec<&str> = nodes.iter().map(|n| n.name.as_str()).collect();
        assert_eq!(names, ["control-plane", "node-2", "node-10"]);
    }
}
