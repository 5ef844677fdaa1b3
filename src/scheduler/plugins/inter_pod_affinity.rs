//! The InterPodAffinity plugin. PreFilter counts, per topology pair (`key=value` of a node
//! label), the existing pods matching the incoming pod's required (anti-)affinity terms and the
//! existing pods whose required anti-affinity matches the incoming pod; Filter then only looks
//! the node's pairs up. Score (weight 2): preferred terms both ways, plus existing pods'
//! required affinity (hardPodAffinityWeight 1), summed per topology pair.

use crate::scheduler::framework::{
    Code, CycleState, FastMap, FilterPlugin, MAX_NODE_SCORE, PreFilterResult, ScorePlugin, Status,
};
use crate::scheduler::snapshot::{NodeInfo, PodInfo, Snapshot};

pub const NAME: &str = "InterPodAffinity";
/// `ErrReasonExistingAntiAffinityRulesNotMatch`.
pub const ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH: &str =
    "node(s) didn't satisfy existing pods anti-affinity rules";
/// `ErrReasonAffinityRulesNotMatch`.
pub const ERR_REASON_AFFINITY_RULES_NOT_MATCH: &str = "node(s) didn't match pod affinity rules";
/// `ErrReasonAntiAffinityRulesNotMatch`.
pub const ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH: &str =
    "node(s) didn't match pod anti-affinity rules";

/// `InterPodAffinityArgs.HardPodAffinityWeight` default.
const HARD_POD_AFFINITY_WEIGHT: i64 = 1;

/// `topologyToMatchedTermCount`: counts by (topology key, node label value).
type PairCounts<'a> = FastMap<(&'a str, &'a str), i64>;

/// `topologyToMatchedTermCount.update`: counts the node's pair for `key`, if it has the label.
fn add_pair<'a>(counts: &mut PairCounts<'a>, node: &'a NodeInfo, key: &'a str, value: i64) {
    if let Some(v) = node.label(key) {
        *counts.entry((key, v)).or_insert(0) += value;
    }
}

/// `preFilterState`.
pub struct PreFilterState<'a> {
    existing_anti_affinity_counts: PairCounts<'a>,
    affinity_counts: PairCounts<'a>,
    anti_affinity_counts: PairCounts<'a>,
    pod: &'a PodInfo,
    /// Whether the pod matches all of its own required affinity terms (the first pod of a
    /// group that wants to be together may go anywhere those terms' keys exist).
    matches_own_affinity: bool,
}

impl PreFilterState<'_> {
    /// `satisfyPodAffinity`.
    fn satisfies_pod_affinity(&self, node: &NodeInfo) -> bool {
        let mut pods_exist = true;
        for term in &self.pod.required_affinity_terms {
            let Some(value) = node.label(&term.topology_key) else {
                // All topology labels must exist on the node.
                return false;
            };
            let count = self
                .affinity_counts
                .get(&(term.topology_key.as_str(), value))
                .copied()
                .unwrap_or(0);
            if count <= 0 {
                pods_exist = false;
            }
        }
        pods_exist || (self.affinity_counts.is_empty() && self.matches_own_affinity)
    }

    /// `satisfyPodAntiAffinity`.
    fn satisfies_pod_anti_affinity(&self, node: &NodeInfo) -> bool {
        if self.anti_affinity_counts.is_empty() {
            return true;
        }
        !self.pod.required_anti_affinity_terms.iter().any(|term| {
            node.label(&term.topology_key).is_some_and(|value| {
                self.anti_affinity_counts
                    .get(&(term.topology_key.as_str(), value))
                    .is_some_and(|c| *c > 0)
            })
        })
    }

    /// `satisfyExistingPodsAntiAffinity`: no pair of the node's labels may be one that an
    /// existing pod's anti-affinity term claimed. Walks whichever side is smaller.
    fn satisfies_existing_pods_anti_affinity(&self, node: &NodeInfo) -> bool {
        let counts = &self.existing_anti_affinity_counts;
        if counts.is_empty() {
            return true;
        }
        if counts.len() <= node.labels().len() {
            !counts
                .iter()
                .any(|((k, v), c)| *c > 0 && node.label(k) == Some(*v))
        } else {
            !node.labels().iter().any(|(k, v)| {
                v.as_str()
                    .and_then(|v| counts.get(&(k.as_str(), v)))
                    .is_some_and(|c| *c > 0)
            })
        }
    }
}

/// `preScoreState`: the summed weights by topology key and value.
pub struct PreScoreState<'a> {
    topology_score: FastMap<&'a str, FastMap<&'a str, i64>>,
}

impl<'a> PreScoreState<'a> {
    /// `scoreMap.processTerm` for a term already known to match: adds `weight` to the node's
    /// value of the term's key.
    fn add(&mut self, node: &'a NodeInfo, key: &'a str, weight: i64) {
        if let Some(v) = node.label(key) {
            *self
                .topology_score
                .entry(key)
                .or_default()
                .entry(v)
                .or_insert(0) += weight;
        }
    }
}

pub struct InterPodAffinity;

impl FilterPlugin for InterPodAffinity {
    fn name(&self) -> &'static str {
        NAME
    }

    fn pre_filter<'a>(
        &self,
        state: &mut CycleState<'a>,
        pod: &'a PodInfo,
        snapshot: &'a Snapshot,
    ) -> PreFilterResult<'a> {
        if let Some(e) = &pod.affinity_error {
            return PreFilterResult::status(Status::new(
                Code::UnschedulableAndUnresolvable,
                format!("parsing pod: {e}"),
            ));
        }
        let affinity = &pod.required_affinity_terms;
        let anti = &pod.required_anti_affinity_terms;
        let mut existing = PairCounts::default();
        let mut affinity_counts = PairCounts::default();
        let mut anti_affinity_counts = PairCounts::default();
        // Existing pods whose required anti-affinity matches the incoming pod.
        if snapshot.has_pods_with_required_anti_affinity() {
            for node in &snapshot.nodes {
                for other in node.pods_with_required_anti_affinity() {
                    for term in &other.required_anti_affinity_terms {
                        if term.matches(&pod.labels) {
                            add_pair(&mut existing, node, &term.topology_key, 1);
                        }
                    }
                }
            }
        }
        // Existing pods (terminating ones too) matching all the incoming pod's affinity terms,
        // found through the first term's selector.
        if let Some(first) = affinity.first() {
            let sets = snapshot.matching_sets(&first.selector, |set| {
                affinity.iter().all(|t| t.matches(set))
            });
            for on in sets.iter().flat_map(|e| &e.nodes) {
                let node = &snapshot.nodes[on.node as usize];
                for t in affinity {
                    add_pair(&mut affinity_counts, node, &t.topology_key, on.all().into());
                }
            }
        }
        // Existing pods matching each anti-affinity term.
        for t in anti {
            for e in snapshot.matching_sets(&t.selector, |set| t.matches(set)) {
                for on in &e.nodes {
                    let node = &snapshot.nodes[on.node as usize];
                    add_pair(
                        &mut anti_affinity_counts,
                        node,
                        &t.topology_key,
                        on.all().into(),
                    );
                }
            }
        }
        if existing.is_empty() && affinity.is_empty() && anti.is_empty() {
            return PreFilterResult::skip();
        }
        state.inter_pod_affinity_filter = Some(PreFilterState {
            existing_anti_affinity_counts: existing,
            affinity_counts,
            anti_affinity_counts,
            pod,
            matches_own_affinity: !affinity.is_empty()
                && affinity.iter().all(|t| t.matches(&pod.labels)),
        });
        PreFilterResult::success()
    }

    fn filter(&self, state: &CycleState<'_>, _pod: &PodInfo, node: &NodeInfo) -> Status {
        let Some(s) = &state.inter_pod_affinity_filter else {
            return Status::success();
        };
        if !s.satisfies_pod_affinity(node) {
            return Status::new(
                Code::UnschedulableAndUnresolvable,
                ERR_REASON_AFFINITY_RULES_NOT_MATCH,
            );
        }
        if !s.satisfies_pod_anti_affinity(node) {
            return Status::new(
                Code::Unschedulable,
                ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH,
            );
        }
        if !s.satisfies_existing_pods_anti_affinity(node) {
            return Status::new(
                Code::Unschedulable,
                ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH,
            );
        }
        Status::success()
    }
}

impl ScorePlugin for InterPodAffinity {
    fn name(&self) -> &'static str {
        NAME
    }

    fn pre_score<'a>(
        &self,
        state: &mut CycleState<'a>,
        pod: &'a PodInfo,
        snapshot: &'a Snapshot,
        nodes: &[usize],
    ) -> Status {
        if nodes.is_empty() {
            return Status::skip();
        }
        let preferred = &pod.preferred_affinity_terms;
        let preferred_anti = &pod.preferred_anti_affinity_terms;
        // Unless the pod has preferred terms itself, only pods with affinity matter.
        let has_constraints = !preferred.is_empty() || !preferred_anti.is_empty();
        let mut s = PreScoreState {
            topology_score: FastMap::default(),
        };
        // The incoming pod's preferred terms, against every existing pod they match.
        if has_constraints {
            let terms = preferred
                .iter()
                .map(|w| (w, 1))
                .chain(preferred_anti.iter().map(|w| (w, -1)));
            for (w, sign) in terms {
                for e in snapshot.matching_sets(&w.term.selector, |set| w.term.matches(set)) {
                    for on in &e.nodes {
                        let node = &snapshot.nodes[on.node as usize];
                        if !node.labels().is_empty() {
                            let weight = sign * w.weight * i64::from(on.all());
                            s.add(node, &w.term.topology_key, weight);
                        }
                    }
                }
            }
        }
        // The existing pods' own terms, matched against the incoming pod.
        let with_affinity = snapshot.has_pods_with_affinity();
        for node in snapshot.nodes.iter().filter(|_| with_affinity) {
            if node.labels().is_empty() {
                continue;
            }
            for other in node.pods_with_affinity() {
                for t in &other.required_affinity_terms {
                    if t.matches(&pod.labels) {
                        s.add(node, &t.topology_key, HARD_POD_AFFINITY_WEIGHT);
                    }
                }
                for w in &other.preferred_affinity_terms {
                    if w.term.matches(&pod.labels) {
                        s.add(node, &w.term.topology_key, w.weight);
                    }
                }
                for w in &other.preferred_anti_affinity_terms {
                    if w.term.matches(&pod.labels) {
                        s.add(node, &w.term.topology_key, -w.weight);
                    }
                }
            }
        }
        if s.topology_score.is_empty() {
            return Status::skip();
        }
        state.inter_pod_affinity_score = Some(s);
        Status::success()
    }

    fn score(
        &self,
        state: &CycleState<'_>,
        _pod: &PodInfo,
        _snapshot: &Snapshot,
        _pos: usize,
        node: &NodeInfo,
    ) -> i64 {
        let Some(s) = &state.inter_pod_affinity_score else {
            return 0;
        };
        s.topology_score
            .iter()
            .filter_map(|(key, values)| values.get(node.label(key)?).copied())
            .sum()
    }

    /// Min-max scaling into 0..=100 (scores may be negative from anti-affinity).
    fn normalize(&self, state: &CycleState<'_>, scores: &mut [i64]) {
        if state
            .inter_pod_affinity_score
            .as_ref()
            .is_none_or(|s| s.topology_score.is_empty())
        {
            return;
        }
        let min = scores.iter().copied().min().unwrap_or(0);
        let max = scores.iter().copied().max().unwrap_or(0);
        let diff = max - min;
        for score in scores.iter_mut() {
            *score = if diff > 0 {
                (MAX_NODE_SCORE as f64 * ((*score - min) as f64 / diff as f64)) as i64
            } else {
                0
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn node(name: &str, zone: &str) -> Value {
        json!({
            "metadata": {"name": name, "labels": {
                "kubernetes.io/hostname": name, "topology.kubernetes.io/zone": zone}},
            "status": {"allocatable": {"cpu": "8", "memory": "16Gi", "pods": "110"}}
        })
    }

    fn pod(name: &str, app: &str, node_name: &str, affinity: Value) -> Value {
        json!({
            "metadata": {"name": name, "namespace": "default", "labels": {"app": app}},
            "spec": {"nodeName": node_name, "affinity": affinity,
                     "containers": [{"name": "c", "image": "nginx"}]}
        })
    }

    fn term(app: &str, key: &str) -> Value {
        json!({"labelSelector": {"matchLabels": {"app": app}}, "topologyKey": key})
    }

    fn verdicts(snap: &Snapshot, incoming: &PodInfo) -> Vec<(String, Status)> {
        let mut state = CycleState::default();
        let r = InterPodAffinity.pre_filter(&mut state, incoming, snap);
        assert!(r.status.is_success(), "{:?}", r.status);
        snap.node_order()
            .iter()
            .map(|&i| {
                let n = &snap.nodes[i];
                (
                    n.name().to_string(),
                    InterPodAffinity.filter(&state, incoming, n),
                )
            })
            .collect()
    }

    #[test]
    fn required_affinity_and_anti_affinity() {
        let mut snap = Snapshot::new();
        for (n, z) in [("a1", "a"), ("a2", "a"), ("b1", "b")] {
            snap.upsert_node(&node(n, z));
        }
        snap.add_pod(&pod("db", "db", "a1", json!(null)));

        let near_db = PodInfo::from_pod(&pod(
            "web",
            "web",
            "",
            json!({"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
                term("db", "topology.kubernetes.io/zone")]}}),
        ));
        for (name, s) in verdicts(&snap, &near_db) {
            if name == "b1" {
                assert_eq!(s.code(), Code::UnschedulableAndUnresolvable);
                assert_eq!(s.message(), ERR_REASON_AFFINITY_RULES_NOT_MATCH);
            } else {
                assert!(s.is_success(), "{name}");
            }
        }

        let away_from_db = PodInfo::from_pod(&pod(
            "cache",
            "cache",
            "",
            json!({"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
                term("db", "kubernetes.io/hostname")]}}),
        ));
        for (name, s) in verdicts(&snap, &away_from_db) {
            if name == "a1" {
                assert_eq!(s.code(), Code::Unschedulable);
                assert_eq!(s.message(), ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH);
            } else {
                assert!(s.is_success(), "{name}");
            }
        }
    }

    #[test]
    fn existing_pods_anti_affinity_and_first_pod_of_a_group() {
        let mut snap = Snapshot::new();
        for (n, z) in [("a1", "a"), ("b1", "b")] {
            snap.upsert_node(&node(n, z));
        }
        // An existing pod that keeps "batch" pods out of its zone.
        snap.add_pod(&pod(
            "loner",
            "loner",
            "a1",
            json!({"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
                term("batch", "topology.kubernetes.io/zone")]}}),
        ));
        let batch = PodInfo::from_pod(&pod("b", "batch", "", json!(null)));
        for (name, s) in verdicts(&snap, &batch) {
            if name == "a1" {
                assert_eq!(
                    s.message(),
                    ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH
                );
            } else {
                assert!(s.is_success());
            }
        }
        // Affinity to its own kind with none running yet: allowed anywhere.
        let first = PodInfo::from_pod(&pod(
            "g0",
            "group",
            "",
            json!({"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
                term("group", "kubernetes.io/hostname")]}}),
        ));
        assert!(verdicts(&snap, &first).iter().all(|(_, s)| s.is_success()));
    }

    #[test]
    fn preferred_terms_score_by_topology() {
        let mut snap = Snapshot::new();
        for (n, z) in [("a1", "a"), ("a2", "a"), ("b1", "b")] {
            snap.upsert_node(&node(n, z));
        }
        snap.add_pod(&pod("db", "db", "a1", json!(null)));
        let incoming = PodInfo::from_pod(&pod(
            "web",
            "web",
            "",
            json!({"podAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
                {"weight": 50, "podAffinityTerm": term("db", "topology.kubernetes.io/zone")}]}}),
        ));
        let feasible = snap.node_order().to_vec();
        let mut state = CycleState::default();
        assert!(
            InterPodAffinity
                .pre_score(&mut state, &incoming, &snap, &feasible)
                .is_success()
        );
        let mut scores: Vec<i64> = feasible
            .iter()
            .enumerate()
            .map(|(pos, &i)| InterPodAffinity.score(&state, &incoming, &snap, pos, &snap.nodes[i]))
            .collect();
        InterPodAffinity.normalize(&state, &mut scores);
        for (&i, s) in feasible.iter().zip(&scores) {
            let want = if snap.nodes[i].name() == "b1" { 0 } else { 100 };
            assert_eq!(*s, want, "{}", snap.nodes[i].name());
        }
        // Nobody has affinity and the pod has no preferences: skipped.
        let plain = PodInfo::from_pod(&pod("x", "x", "", json!(null)));
        assert!(
            InterPodAffinity
                .pre_score(&mut state, &plain, &snap, &feasible)
                .is_skip()
        );
    }
}
