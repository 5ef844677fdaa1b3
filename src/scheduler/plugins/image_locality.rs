//! The ImageLocality plugin. Score (weight 1): nodes that already have the pod's images score
//! higher, each image counting its size scaled by the share of nodes that have it (so an image
//! everywhere does not pull pods together), between 23 MB and 1000 MB per container.

use crate::scheduler::framework::{CycleState, MAX_NODE_SCORE, ScorePlugin, Status};
use crate::scheduler::snapshot::{NodeInfo, PodInfo, Snapshot};

pub const NAME: &str = "ImageLocality";

const MB: i64 = 1024 * 1024;
/// Below this the sum of image scores counts as nothing (`minThreshold`).
const MIN_THRESHOLD: i64 = 23 * MB;
/// Per container, above this the sum counts as full (`maxContainerThreshold`).
const MAX_CONTAINER_THRESHOLD: i64 = 1000 * MB;

/// `normalizedImageName`: an image without a tag means `:latest`.
pub fn normalized_image_name(name: &str) -> String {
    let colon = name.rfind(':').map_or(-1, |i| i as i64);
    let slash = name.rfind('/').map_or(-1, |i| i as i64);
    if colon <= slash {
        format!("{name}:latest")
    } else {
        name.to_string()
    }
}

/// `calculatePriority`.
fn calculate_priority(sum_scores: i64, num_containers: usize) -> i64 {
    let max_threshold = MAX_CONTAINER_THRESHOLD * num_containers as i64;
    let sum = if sum_scores < MIN_THRESHOLD {
        MIN_THRESHOLD
    } else if sum_scores > max_threshold {
        max_threshold
    } else {
        sum_scores
    };
    MAX_NODE_SCORE * (sum - MIN_THRESHOLD) / (max_threshold - MIN_THRESHOLD)
}

pub struct ImageLocality;

impl ScorePlugin for ImageLocality {
    fn name(&self) -> &'static str {
        NAME
    }

    /// `sumImageScores` for every feasible node at once, from the snapshot's image index:
    /// each of the pod's images adds its scaled size to the nodes that have it.
    fn pre_score<'a>(
        &self,
        state: &mut CycleState<'a>,
        pod: &'a PodInfo,
        snapshot: &'a Snapshot,
        nodes: &[usize],
    ) -> Status {
        let mut by_node = vec![0i64; snapshot.num_nodes()];
        for image in &pod.images {
            if let Some(state) = snapshot.image(image) {
                let scaled = scaled_image_score(state.size, state.nodes.len(), snapshot);
                for &n in &state.nodes {
                    if let Some(sum) = by_node.get_mut(n as usize) {
                        *sum += scaled;
                    }
                }
            }
        }
        state.image_locality = Some(nodes.iter().map(|&i| by_node[i]).collect());
        Status::success()
    }

    fn score(
        &self,
        state: &CycleState<'_>,
        pod: &PodInfo,
        snapshot: &Snapshot,
        pos: usize,
        node: &NodeInfo,
    ) -> i64 {
        let sum = match &state.image_locality {
            Some(sums) => sums[pos],
            // Without PreScore: the node's own images.
            None => pod
                .images
                .iter()
                .filter_map(|image| {
                    node.image_size(image)?;
                    let s = snapshot.image(image)?;
                    Some(scaled_image_score(s.size, s.nodes.len(), snapshot))
                })
                .sum(),
        };
        calculate_priority(sum, pod.num_containers)
    }
}

/// `scaledImageScore`: the image's size times the share of all nodes that have it.
fn scaled_image_score(size: i64, num_nodes: usize, snapshot: &Snapshot) -> i64 {
    let spread = num_nodes as f64 / snapshot.num_nodes() as f64;
    (size as f64 * spread) as i64
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn image_names_are_normalised() {
        assert_eq!(normalized_image_name("nginx"), "nginx:latest");
        assert_eq!(normalized_image_name("nginx:1.27"), "nginx:1.27");
        assert_eq!(
            normalized_image_name("localhost:5000/app"),
            "localhost:5000/app:latest"
        );
    }

    #[test]
    fn nodes_with_the_image_score_higher_scaled_by_spread() {
        let mut snapshot = Snapshot::new();
        let node = |name: &str, images: serde_json::Value| {
            json!({"metadata": {"name": name},
                   "status": {"allocatable": {"pods": "110"}, "images": images}})
        };
        let big = json!([{"names": ["registry.k8s.io/big:1.0"], "sizeBytes": 500 * MB}]);
        snapshot.upsert_node(&node("n1", big.clone()));
        snapshot.upsert_node(&node("n2", big));
        snapshot.upsert_node(&node("n3", json!([])));
        snapshot.upsert_node(&node("n4", json!([])));
        let pod = PodInfo::from_pod(&json!({
            "metadata": {"name": "p", "namespace": "default"},
            "spec": {"containers": [{"name": "c", "image": "registry.k8s.io/big:1.0"}]}
        }));
        let state = CycleState::default();
        let score = |name: &str| {
            let n = snapshot.node(name).expect("node");
            ImageLocality.score(&state, &pod, &snapshot, 0, n)
        };
        // 500 MB × 2/4 nodes = 250 MB: 100 × (250 − 23) / (1000 − 23) = 23.
        assert_eq!(score("n1"), 23);
        assert_eq!(score("n3"), 0);
        // The same through PreScore, as a cycle runs it.
        let feasible = snapshot.node_order().to_vec();
        let mut state = CycleState::default();
        assert!(
            ImageLocality
                .pre_score(&mut state, &pod, &snapshot, &feasible)
                .is_success()
        );
        let scores: Vec<(&str, i64)> = feasible
            .iter()
            .enumerate()
            .map(|(pos, &i)| {
                let n = &snapshot.nodes[i];
                (
                    n.name(),
                    ImageLocality.score(&state, &pod, &snapshot, pos, n),
                )
            })
            .collect();
        assert_eq!(scores, [("n1", 23), ("n2", 23), ("n3", 0), ("n4", 0)]);
    }
}
