//! The NodeName plugin. Filter: a pod that already names a node (`spec.nodeName`) fits only
//! that node.

use crate::scheduler::framework::{Code, CycleState, FilterPlugin, Status};
use crate::scheduler::snapshot::{NodeInfo, PodInfo};

pub const NAME: &str = "NodeName";
/// `ErrReason`.
pub const ERR_REASON: &str = "node(s) didn't match the requested node name";

pub struct NodeName;

impl FilterPlugin for NodeName {
    fn name(&self) -> &'static str {
        NAME
    }

    fn filter(&self, _state: &CycleState<'_>, pod: &PodInfo, node: &NodeInfo) -> Status {
        if pod.node_name.is_empty() || pod.node_name == node.name() {
            Status::success()
        } else {
            Status::new(Code::UnschedulableAndUnresolvable, ERR_REASON)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_the_named_node_fits() {
        let pod = PodInfo::from_pod(&json!({
            "metadata": {"name": "p", "namespace": "default"},
            "spec": {"nodeName": "n2", "containers": [{"name": "c", "image": "nginx"}]}
        }));
        let state = CycleState::default();
        let n1 = NodeInfo::from_node(&json!({"metadata": {"name": "n1"}}));
        let n2 = NodeInfo::from_node(&json!({"metadata": {"name": "n2"}}));
        let s = NodeName.filter(&state, &pod, &n1);
        assert_eq!(s.code(), Code::UnschedulableAndUnresolvable);
        assert_eq!(s.message(), ERR_REASON);
        assert!(NodeName.filter(&state, &pod, &n2).is_success());
    }
}
