//! The NodeResourcesFit plugin. Filter: the pod's requests (computed once, as the real
//! `computePodResourceRequest`) must fit in the node's allocatable minus what its pods already
//! request, and the node must have room for one more pod. Score (weight 1): the
//! `LeastAllocated` strategy on cpu and memory (weight 1 each), on non-zero requests.

use std::borrow::Cow;

use crate::scheduler::framework::{
    Code, CycleState, FilterPlugin, MAX_NODE_SCORE, ScorePlugin, Status,
};
use crate::scheduler::snapshot::{NodeInfo, PodInfo, Snapshot};

pub const NAME: &str = "NodeResourcesFit";

/// `fitsRequest`: the reasons the pod does not fit, in the real order (pods, cpu, memory,
/// ephemeral-storage, then extended resources by name).
pub fn insufficient_resources(pod: &PodInfo, node: &NodeInfo) -> Vec<Cow<'static, str>> {
    let mut reasons = Vec::new();
    let (req, alloc, used) = (&pod.requests, &node.allocatable, &node.requested);
    if node.pods().len() as i64 + 1 > alloc.allowed_pod_number {
        reasons.push("Too many pods".into());
    }
    if req.milli_cpu > 0 && req.milli_cpu > alloc.milli_cpu - used.milli_cpu {
        reasons.push("Insufficient cpu".into());
    }
    if req.memory > 0 && req.memory > alloc.memory - used.memory {
        reasons.push("Insufficient memory".into());
    }
    if req.ephemeral_storage > 0
        && req.ephemeral_storage > alloc.ephemeral_storage - used.ephemeral_storage
    {
        reasons.push("Insufficient ephemeral-storage".into());
    }
    for (name, quantity) in &req.scalar {
        if *quantity > 0 && *quantity > alloc.scalar(name) - used.scalar(name) {
            reasons.push(format!("Insufficient {name}").into());
        }
    }
    reasons
}

/// `resourceAllocationScorer.calculateResourceAllocatableRequest` for cpu and memory with
/// `useRequested: false`: (allocatable, non-zero requested including this pod) per resource.
pub fn allocatable_and_requested(pod: &PodInfo, node: &NodeInfo) -> [(i64, i64); 2] {
    [
        (
            node.allocatable.milli_cpu,
            node.non_zero_requested.milli_cpu + pod.non_zero_milli_cpu,
        ),
        (
            node.allocatable.memory,
            node.non_zero_requested.memory + pod.non_zero_memory,
        ),
    ]
}

/// `leastRequestedScore`: the free share of the resource after placing the pod, 0..=100.
fn least_requested_score(requested: i64, capacity: i64) -> i64 {
    if capacity == 0 || requested > capacity {
        return 0;
    }
    (capacity - requested) * MAX_NODE_SCORE / capacity
}

pub struct NodeResourcesFit;

impl FilterPlugin for NodeResourcesFit {
    fn name(&self) -> &'static str {
        NAME
    }

    fn filter(&self, _state: &CycleState<'_>, pod: &PodInfo, node: &NodeInfo) -> Status {
        let reasons = insufficient_resources(pod, node);
        if reasons.is_empty() {
            Status::success()
        } else {
            // Every shortage is kept; each counts in the FailedScheduling message.
            Status::with_reasons(Code::Unschedulable, reasons)
        }
    }
}

impl ScorePlugin for NodeResourcesFit {
    fn name(&self) -> &'static str {
        NAME
    }

    /// `leastResourceScorer` with weight 1 for cpu and memory; resources the node has none of
    /// are left out.
    fn score(
        &self,
        _state: &CycleState<'_>,
        pod: &PodInfo,
        _snapshot: &Snapshot,
        _pos: usize,
        node: &NodeInfo,
    ) -> i64 {
        let (mut node_score, mut weight_sum) = (0, 0);
        for (allocatable, requested) in allocatable_and_requested(pod, node) {
            if allocatable == 0 {
                continue;
            }
            node_score += least_requested_score(requested, allocatable);
            weight_sum += 1;
        }
        if weight_sum == 0 {
            0
        } else {
            node_score / weight_sum
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};
    use std::sync::Arc;

    fn node(cpu: &str, memory: &str, pods: &str) -> NodeInfo {
        NodeInfo::from_node(&json!({
            "metadata": {"name": "n1"},
            "status": {"allocatable": {"cpu": cpu, "memory": memory, "pods": pods}}
        }))
    }

    fn pod(name: &str, requests: Value) -> PodInfo {
        PodInfo::from_pod(&json!({
            "metadata": {"name": name, "namespace": "default"},
            "spec": {"nodeName": "n1", "containers": [{"name": "c", "image": "nginx",
                     "resources": {"requests": requests}}]}
        }))
    }

    #[test]
    fn filter_reports_every_shortage() {
        let mut n = node("1", "1Gi", "1");
        n.add_pod(Arc::new(pod(
            "old",
            json!({"cpu": "600m", "memory": "512Mi"}),
        )));
        let big = pod("new", json!({"cpu": "500m", "memory": "768Mi"}));
        let s = NodeResourcesFit.filter(&CycleState::default(), &big, &n);
        assert_eq!(s.code(), Code::Unschedulable);
        assert_eq!(
            s.message(),
            "Too many pods, Insufficient cpu, Insufficient memory"
        );
        let roomy = node("2", "2Gi", "10");
        assert!(
            NodeResourcesFit
                .filter(&CycleState::default(), &big, &roomy)
                .is_success()
        );
        let gpu = pod("gpu", json!({"nvidia.com/gpu": "1"}));
        let s = NodeResourcesFit.filter(&CycleState::default(), &gpu, &roomy);
        assert_eq!(s.message(), "Insufficient nvidia.com/gpu");
    }

    #[test]
    fn least_allocated_uses_non_zero_requests() {
        let snapshot = Snapshot::new();
        let state = CycleState::default();
        let n = node("4", "8Gi", "110");
        // 1 cpu of 4 and 2Gi of 8Gi: (75 + 75) / 2.
        let p = pod("a", json!({"cpu": "1", "memory": "2Gi"}));
        assert_eq!(NodeResourcesFit.score(&state, &p, &snapshot, 0, &n), 75);
        // No requests count as 100m and 200Mi: (97 + 97) / 2.
        let best_effort = pod("b", json!({}));
        assert_eq!(
            NodeResourcesFit.score(&state, &best_effort, &snapshot, 0, &n),
            97
        );
    }
}
