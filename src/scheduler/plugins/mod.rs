//! The in-tree plugins of kube-scheduler's default profile that podflow runs, one module each,
//! and that profile: filters and scorers in the real order with the real weights. (The volume
//! plugins, SchedulingGates, PrioritySort, DefaultPreemption and DefaultBinder are not here:
//! podflow has no volumes to check, the queue is not ours, and binding is the glue's.)

pub mod image_locality;
pub mod inter_pod_affinity;
pub mod node_affinity;
pub mod node_name;
pub mod node_ports;
pub mod node_resources_balanced_allocation;
pub mod node_resources_fit;
pub mod node_unschedulable;
pub mod pod_topology_spread;
pub mod taint_toleration;

use super::framework::{FilterPlugin, ScorePlugin};

/// The default profile's Filter plugins, in order.
pub fn default_filter_plugins() -> Vec<Box<dyn FilterPlugin>> {
    vec![
        Box::new(node_unschedulable::NodeUnschedulable),
        Box::new(node_name::NodeName),
        Box::new(taint_toleration::TaintToleration),
        Box::new(node_affinity::NodeAffinity),
        Box::new(node_ports::NodePorts),
        Box::new(node_resources_fit::NodeResourcesFit),
        Box::new(pod_topology_spread::PodTopologySpread),
        Box::new(inter_pod_affinity::InterPodAffinity),
    ]
}

/// The default profile's Score plugins, in order, with their weights.
pub fn default_score_plugins() -> Vec<(Box<dyn ScorePlugin>, i64)> {
    vec![
        (Box::new(taint_toleration::TaintToleration), 3),
        (Box::new(node_affinity::NodeAffinity), 2),
        (Box::new(node_resources_fit::NodeResourcesFit), 1),
        (Box::new(pod_topology_spread::PodTopologySpread), 2),
        (Box::new(inter_pod_affinity::InterPodAffinity), 2),
        (
            Box::new(node_resources_balanced_allocation::NodeResourcesBalancedAllocation),
            1,
        ),
        (Box::new(image_locality::ImageLocality), 1),
    ]
}
