//! The NodeResourcesBalancedAllocation plugin. Score (weight 1): nodes whose cpu and memory
//! would be used in similar proportions after placing the pod score higher — 100 × (1 − the
//! standard deviation of the requested fractions). Unlike NodeResourcesFit's scoring it counts
//! the actual requests (`useRequested`), not the non-zero defaults.

use crate::scheduler::framework::{CycleState, MAX_NODE_SCORE, ScorePlugin};
use crate::scheduler::snapshot::{NodeInfo, PodInfo, Snapshot};

pub const NAME: &str = "NodeResourcesBalancedAllocation";

/// `balancedResourceScorer`.
fn balanced_resource_score(resources: &[(i64, i64)]) -> i64 {
    // The used fractions of the resources the node has, capped at 1 (no allocation: this runs
    // on every feasible node).
    let fraction = |(allocatable, requested): &(i64, i64)| {
        (*allocatable != 0).then(|| (*requested as f64 / *allocatable as f64).min(1.0))
    };
    let count = resources.iter().filter_map(fraction).count();
    let std = match count {
        // The common cpu+memory case simplifies to half the difference.
        2 => {
            let mut f = resources.iter().filter_map(fraction);
            let (a, b) = (f.next().unwrap_or(0.0), f.next().unwrap_or(0.0));
            ((a - b) / 2.0).abs()
        }
        n if n > 2 => {
            let mean = resources.iter().filter_map(fraction).sum::<f64>() / n as f64;
            let variance = resources
                .iter()
                .filter_map(fraction)
                .map(|f| (f - mean) * (f - mean))
                .sum::<f64>()
                / n as f64;
            variance.sqrt()
        }
        _ => 0.0,
    };
    ((1.0 - std) * MAX_NODE_SCORE as f64) as i64
}

pub struct NodeResourcesBalancedAllocation;

impl ScorePlugin for NodeResourcesBalancedAllocation {
    fn name(&self) -> &'static str {
        NAME
    }

    fn score(
        &self,
        _state: &CycleState<'_>,
        pod: &PodInfo,
        _snapshot: &Snapshot,
        _pos: usize,
        node: &NodeInfo,
    ) -> i64 {
        balanced_resource_score(&[
            (
                node.allocatable.milli_cpu,
                node.requested.milli_cpu + pod.requests.milli_cpu,
            ),
            (
                node.allocatable.memory,
                node.requested.memory + pod.requests.memory,
            ),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn balanced_usage_scores_higher() {
        let node = NodeInfo::from_node(&json!({
            "metadata": {"name": "n1"},
            "status": {"allocatable": {"cpu": "4", "memory": "8Gi", "pods": "110"}}
        }));
        let pod = |cpu: &str, memory: &str| {
            PodInfo::from_pod(&json!({
                "metadata": {"name": "p", "namespace": "default"},
                "spec": {"containers": [{"name": "c", "image": "nginx",
                         "resources": {"requests": {"cpu": cpu, "memory": memory}}}]}
            }))
        };
        let (state, snapshot) = (CycleState::default(), Snapshot::new());
        let even =
            NodeResourcesBalancedAllocation.score(&state, &pod("2", "4Gi"), &snapshot, 0, &node);
        assert_eq!(even, 100);
        // cpu 100%, memory 12.5%: std 0.4375.
        let skewed =
            NodeResourcesBalancedAllocation.score(&state, &pod("4", "1Gi"), &snapshot, 0, &node);
        assert_eq!(skewed, 56);
        // No requests count as none here (not as 100m / 200Mi): perfectly balanced.
        let best_effort = PodInfo::from_pod(&json!({
            "metadata": {"name": "be", "namespace": "default"},
            "spec": {"containers": [{"name": "c", "image": "nginx"}]}
        }));
        assert_eq!(
            NodeResourcesBalancedAllocation.score(&state, &best_effort, &snapshot, 0, &node),
            100
        );
    }
}
