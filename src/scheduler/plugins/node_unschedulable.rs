//! The NodeUnschedulable plugin. Filter: a cordoned node (`spec.unschedulable`) takes only pods
//! that tolerate the `node.kubernetes.io/unschedulable:NoSchedule` taint.

use crate::scheduler::framework::{Code, CycleState, FilterPlugin, Status};
use crate::scheduler::plugins::taint_toleration::{Taint, TaintEffect, tolerations_tolerate_taint};
use crate::scheduler::snapshot::{NodeInfo, PodInfo};

pub const NAME: &str = "NodeUnschedulable";
/// `ErrReasonUnschedulable`.
pub const ERR_REASON_UNSCHEDULABLE: &str = "node(s) were unschedulable";
/// `v1.TaintNodeUnschedulable`.
pub const TAINT_NODE_UNSCHEDULABLE: &str = "node.kubernetes.io/unschedulable";

pub struct NodeUnschedulable;

impl FilterPlugin for NodeUnschedulable {
    fn name(&self) -> &'static str {
        NAME
    }

    fn filter(&self, _state: &CycleState<'_>, pod: &PodInfo, node: &NodeInfo) -> Status {
        if !node.unschedulable {
            return Status::success();
        }
        // A pod that tolerates the unschedulable taint also tolerates spec.unschedulable
        // (DaemonSet pods carry that toleration).
        let taint = Taint {
            key: TAINT_NODE_UNSCHEDULABLE.to_string(),
            value: String::new(),
            effect: TaintEffect::NoSchedule,
        };
        if tolerations_tolerate_taint(&pod.tolerations, &taint) {
            Status::success()
        } else {
            Status::new(Code::UnschedulableAndUnresolvable, ERR_REASON_UNSCHEDULABLE)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn pod(tolerations: Value) -> PodInfo {
        PodInfo::from_pod(&json!({
            "metadata": {"name": "p", "namespace": "default"},
            "spec": {"containers": [{"name": "c", "image": "nginx"}], "tolerations": tolerations}
        }))
    }

    #[test]
    fn cordoned_node_rejects_unless_tolerated() {
        let cordoned = NodeInfo::from_node(&json!({
            "metadata": {"name": "n1"}, "spec": {"unschedulable": true},
            "status": {"allocatable": {"cpu": "2", "memory": "4Gi", "pods": "110"}}
        }));
        let state = CycleState::default();
        let s = NodeUnschedulable.filter(&state, &pod(json!([])), &cordoned);
        assert_eq!(s.code(), Code::UnschedulableAndUnresolvable);
        assert_eq!(s.message(), ERR_REASON_UNSCHEDULABLE);
        let ds = pod(
            json!([{"key": TAINT_NODE_UNSCHEDULABLE, "operator": "Exists",
                             "effect": "NoSchedule"}]),
        );
        assert!(
            NodeUnschedulable
                .filter(&state, &ds, &cordoned)
                .is_success()
        );
        let open = NodeInfo::from_node(&json!({"metadata": {"name": "n2"}}));
        assert!(
            NodeUnschedulable
                .filter(&state, &pod(json!([])), &open)
                .is_success()
        );
    }
}
