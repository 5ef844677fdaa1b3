//! The PodTopologySpread plugin and the pod's `topologySpreadConstraints`. Filter (PreFilter
//! counts matching pods per topology domain once per cycle): a `DoNotSchedule` constraint fails
//! a node when placing the pod there would make its domain exceed the global minimum by more
//! than `maxSkew`. Score (weight 2): `ScheduleAnyway` constraints — or, for pods without any,
//! the system defaults (hostname maxSkew 3, zone maxSkew 5) — favour emptier domains.

use serde_json::{Map, Value};

use crate::api::label_selector::LabelSelector;
use crate::scheduler::framework::{
    Code, CycleState, FastMap, FilterPlugin, MAX_NODE_SCORE, PreFilterResult, ScorePlugin, Status,
};
use crate::scheduler::plugins::taint_toleration::find_untolerated_do_not_schedule_taint;
use crate::scheduler::snapshot::{NodeInfo, PodInfo, SetEntry, Snapshot, tracked_key};

pub const NAME: &str = "PodTopologySpread";
/// `ErrReasonConstraintsNotMatch`.
pub const ERR_REASON_CONSTRAINTS_NOT_MATCH: &str =
    "node(s) didn't match pod topology spread constraints";
/// `ErrReasonNodeLabelNotMatch`: the node lacks a constraint's topology key.
pub const ERR_REASON_NODE_LABEL_NOT_MATCH: &str =
    "node(s) didn't match pod topology spread constraints (missing required label)";

/// `v1.LabelHostname`.
pub const LABEL_HOSTNAME: &str = "kubernetes.io/hostname";
/// `v1.LabelTopologyZone`.
pub const LABEL_TOPOLOGY_ZONE: &str = "topology.kubernetes.io/zone";

/// Labels that differ from pod to pod of one controller; they are left out when the pod's
/// labels stand in for its controller's selector.
const PER_POD_LABELS: [&str; 3] = [
    "statefulset.kubernetes.io/pod-name",
    "apps.kubernetes.io/pod-index",
    "controller-revision-hash",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhenUnsatisfiable {
    DoNotSchedule,
    ScheduleAnyway,
    Other,
}

/// One of the pod's `topologySpreadConstraints`, with its selector already merged with the
/// pod's values for `matchLabelKeys` (as kube-scheduler 1.32 does).
#[derive(Debug, Clone)]
pub struct TopologySpreadConstraint {
    pub max_skew: i64,
    pub topology_key: String,
    pub when_unsatisfiable: WhenUnsatisfiable,
    pub selector: Result<LabelSelector, String>,
    /// 1 when unset.
    pub min_domains: i64,
    /// `nodeAffinityPolicy`: Honor (the default) counts only nodes matching the pod's
    /// nodeSelector/required affinity.
    pub honor_node_affinity: bool,
    /// `nodeTaintsPolicy`: Ignore (the default) counts tainted nodes too.
    pub honor_node_taints: bool,
}

impl TopologySpreadConstraint {
    pub fn parse_list(spec: &Value, pod_labels: &Map<String, Value>) -> Vec<Self> {
        let Some(list) = spec
            .get("topologySpreadConstraints")
            .and_then(Value::as_array)
        else {
            return Vec::new();
        };
        list.iter()
            .map(|c| {
                let s = |k: &str| c.get(k).and_then(Value::as_str).unwrap_or("");
                TopologySpreadConstraint {
                    max_skew: c.get("maxSkew").and_then(Value::as_i64).unwrap_or(0),
                    topology_key: s("topologyKey").to_string(),
                    when_unsatisfiable: match s("whenUnsatisfiable") {
                        "DoNotSchedule" => WhenUnsatisfiable::DoNotSchedule,
                        "ScheduleAnyway" => WhenUnsatisfiable::ScheduleAnyway,
                        _ => WhenUnsatisfiable::Other,
                    },
                    selector: merged_selector(c, pod_labels),
                    min_domains: c.get("minDomains").and_then(Value::as_i64).unwrap_or(1),
                    honor_node_affinity: s("nodeAffinityPolicy") != "Ignore",
                    honor_node_taints: s("nodeTaintsPolicy") == "Honor",
                }
            })
            .collect()
    }
}

/// `LabelSelectorAsSelector(labelSelector)` plus, for each `matchLabelKeys` key the pod has,
/// `key in (value)` — `mergeLabelSetWithSelector`. A null selector with such keys selects by
/// those keys alone, as in Go.
fn merged_selector(c: &Value, pod_labels: &Map<String, Value>) -> Result<LabelSelector, String> {
    let selector = c.get("labelSelector").cloned().unwrap_or(Value::Null);
    let extra: Vec<Value> = c
        .get("matchLabelKeys")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice)
        .iter()
        .filter_map(Value::as_str)
        .filter_map(|k| {
            let v = pod_labels.get(k)?.as_str()?;
            Some(serde_json::json!({"key": k, "operator": "In", "values": [v]}))
        })
        .collect();
    if extra.is_empty() {
        return LabelSelector::from_label_selector(&selector);
    }
    let mut merged = match selector {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    let mut exprs = match merged.remove("matchExpressions") {
        Some(Value::Array(a)) => a,
        _ => Vec::new(),
    };
    exprs.extend(extra);
    merged.insert("matchExpressions".into(), Value::Array(exprs));
    LabelSelector::from_label_selector(&Value::Object(merged))
}

/// `helper.DefaultSelector`, approximated: podflow's scheduler does not watch Services,
/// ReplicaSets or StatefulSets, so for a pod controlled by a ReplicaSet, StatefulSet or
/// ReplicationController its own labels (less the per-pod ones) stand in for the controller's
/// selector. Other pods get no default spreading, as a pod no Service selects in a real cluster.
pub fn default_selector(meta: &Value, pod_labels: &Map<String, Value>) -> Option<LabelSelector> {
    let owners = meta.get("ownerReferences").and_then(Value::as_array)?;
    let controller = owners
        .iter()
        .find(|o| o.get("controller").and_then(Value::as_bool) == Some(true))?;
    let s = |k: &str| controller.get(k).and_then(Value::as_str).unwrap_or("");
    let known = matches!(
        (s("apiVersion"), s("kind")),
        ("v1", "ReplicationController") | ("apps/v1", "ReplicaSet" | "StatefulSet")
    );
    if !known {
        return None;
    }
    let mut set = pod_labels.clone();
    for k in PER_POD_LABELS {
        set.remove(k);
    }
    (!set.is_empty()).then(|| LabelSelector::from_set(&set))
}

/// A constraint as the plugin uses it in one cycle (`topologySpreadConstraint`).
#[derive(Debug)]
struct Constraint<'a> {
    max_skew: i64,
    topology_key: &'a str,
    selector: &'a LabelSelector,
    min_domains: i64,
    honor_node_affinity: bool,
    honor_node_taints: bool,
}

impl Constraint<'_> {
    /// Whether every node passes `includes` for this pod, so it need not be asked.
    fn includes_all(&self, pod: &PodInfo) -> bool {
        !self.honor_node_taints
            && (!self.honor_node_affinity || pod.required_node_affinity.is_unset())
    }

    /// `matchNodeInclusionPolicies`.
    fn includes(&self, pod: &PodInfo, node: &NodeInfo) -> bool {
        if self.honor_node_affinity && !pod.required_node_affinity.matches(node) {
            return false;
        }
        !(self.honor_node_taints
            && find_untolerated_do_not_schedule_taint(&node.taints, &pod.tolerations).is_some())
    }
}

/// `getConstraints` for one action: the pod's own constraints with that action, else the
/// system defaults with it (only ScheduleAnyway ones exist), selecting by the default selector.
fn constraints_for(
    pod: &PodInfo,
    action: WhenUnsatisfiable,
) -> Result<Vec<Constraint<'_>>, String> {
    if !pod.topology_spread_constraints.is_empty() {
        return pod
            .topology_spread_constraints
            .iter()
            .filter(|c| c.when_unsatisfiable == action)
            .map(|c| {
                Ok(Constraint {
                    max_skew: c.max_skew,
                    topology_key: &c.topology_key,
                    selector: c.selector.as_ref().map_err(Clone::clone)?,
                    min_domains: c.min_domains,
                    honor_node_affinity: c.honor_node_affinity,
                    honor_node_taints: c.honor_node_taints,
                })
            })
            .collect();
    }
    let Some(selector) = pod.default_spread_selector.as_ref() else {
        return Ok(Vec::new());
    };
    if action != WhenUnsatisfiable::ScheduleAnyway || selector.is_empty() {
        return Ok(Vec::new());
    }
    Ok([(LABEL_HOSTNAME, 3), (LABEL_TOPOLOGY_ZONE, 5)]
        .into_iter()
        .map(|(topology_key, max_skew)| Constraint {
            max_skew,
            topology_key,
            selector,
            min_domains: 1,
            honor_node_affinity: true,
            honor_node_taints: false,
        })
        .collect())
}

/// `nodeLabelsMatchSpreadConstraints`.
fn has_all_keys(node: &NodeInfo, constraints: &[Constraint<'_>]) -> bool {
    constraints
        .iter()
        .all(|c| node.label(c.topology_key).is_some())
}

/// The groups of constraints sharing one selector (the system defaults share theirs), with the
/// label sets of the pod's namespace that selector matches — `countPodsMatchSelector` done once
/// per label set instead of once per pod.
fn matching_by_selector<'s>(
    snapshot: &'s Snapshot,
    pod: &PodInfo,
    constraints: &[Constraint<'_>],
) -> Vec<(Vec<usize>, Vec<&'s SetEntry>)> {
    let mut groups: Vec<(Vec<usize>, Vec<&'s SetEntry>)> = Vec::new();
    for (i, c) in constraints.iter().enumerate() {
        if let Some((members, _)) = groups
            .iter_mut()
            .find(|(m, _)| std::ptr::eq(constraints[m[0]].selector, c.selector))
        {
            members.push(i);
            continue;
        }
        let sets = snapshot.matching_sets(c.selector, |set| {
            set.namespace == pod.namespace && c.selector.matches(&set.labels)
        });
        groups.push((vec![i], sets));
    }
    groups
}

const NO_DOMAIN: u32 = u32::MAX;

/// The topology domains (values of one key) a constraint counts in, numbered, with their
/// matching-pod counts. For the hostname and zone keys, nodes of the snapshot are looked up by
/// the snapshot's number for their value, so those keys cost no string work per node.
#[derive(Debug, Clone)]
struct DomainTable<'a> {
    key: &'a str,
    /// The key's place among the snapshot's tracked keys.
    tracked: Option<usize>,
    by_id: Vec<u32>,
    by_value: FastMap<&'a str, u32>,
    counts: Vec<i64>,
}

impl<'a> DomainTable<'a> {
    fn new(key: &'a str, snapshot: &Snapshot) -> DomainTable<'a> {
        let tracked = tracked_key(key);
        DomainTable {
            key,
            tracked,
            by_id: vec![NO_DOMAIN; tracked.map_or(0, |t| snapshot.topology_value_count(t))],
            by_value: FastMap::default(),
            counts: Vec::new(),
        }
    }

    fn add_value(&mut self, value: &'a str) -> u32 {
        let counts = &mut self.counts;
        *self.by_value.entry(value).or_insert_with(|| {
            counts.push(0);
            (counts.len() - 1) as u32
        })
    }

    /// Registers the domain of the snapshot's node `i`; `None` when it lacks the key.
    fn add(&mut self, snapshot: &'a Snapshot, i: usize) -> Option<u32> {
        let node = &snapshot.nodes[i];
        let Some(tracked) = self.tracked else {
            return Some(self.add_value(node.label(self.key)?));
        };
        let id = snapshot.topology_id(i, tracked)? as usize;
        if let Some(&d) = self.by_id.get(id)
            && d != NO_DOMAIN
        {
            return Some(d);
        }
        let d = self.add_value(node.label(self.key)?);
        if let Some(slot) = self.by_id.get_mut(id) {
            *slot = d;
        }
        Some(d)
    }

    /// The registered domain of the snapshot's node `i`.
    fn get_at(&self, snapshot: &Snapshot, i: usize) -> Option<u32> {
        match self.tracked {
            Some(tracked) => {
                let d = *self.by_id.get(snapshot.topology_id(i, tracked)? as usize)?;
                (d != NO_DOMAIN).then_some(d)
            }
            None => self.get(&snapshot.nodes[i]),
        }
    }

    /// The registered domain of a node, which may come from outside the snapshot.
    fn get(&self, node: &NodeInfo) -> Option<u32> {
        if let Some(id) = self.tracked.and_then(|t| node.topology_id(t)) {
            let d = *self.by_id.get(id? as usize)?;
            return (d != NO_DOMAIN).then_some(d);
        }
        self.by_value.get(node.label(self.key)?).copied()
    }

    fn len(&self) -> usize {
        self.counts.len()
    }
}

/// `preFilterState`: per constraint, matching pods per domain, and the global minimum
/// (`criticalPaths[0]`, with the minDomains rule applied).
pub struct PreFilterState<'a> {
    constraints: Vec<Constraint<'a>>,
    domains: Vec<DomainTable<'a>>,
    min_match_num: Vec<i64>,
    self_match: Vec<bool>,
}

/// `preScoreState`, with the per-node lookups Score would do already done.
pub struct PreScoreState<'a> {
    constraints: Vec<Constraint<'a>>,
    /// By feasible position: nodes missing a topology key of the pod's own constraints.
    ignored: Vec<bool>,
    normalizing_weight: Vec<f64>,
    /// By feasible position and constraint: the matching pods in the node's domain (on the
    /// node itself for hostname constraints, which the real plugin counts during Score), or
    /// -1 when the node lacks the constraint's key.
    node_counts: Vec<i64>,
}

pub struct PodTopologySpread;

impl FilterPlugin for PodTopologySpread {
    fn name(&self) -> &'static str {
        NAME
    }

    fn pre_filter<'a>(
        &self,
        state: &mut CycleState<'a>,
        pod: &'a PodInfo,
        snapshot: &'a Snapshot,
    ) -> PreFilterResult<'a> {
        let constraints = match constraints_for(pod, WhenUnsatisfiable::DoNotSchedule) {
            Ok(c) => c,
            Err(e) => {
                return PreFilterResult::status(Status::new(
                    Code::Error,
                    format!("get constraints from pod: {e}"),
                ));
            }
        };
        if constraints.is_empty() {
            return PreFilterResult::skip();
        }
        // Every eligible node makes its domain exist, with or without matching pods.
        let mut domains: Vec<DomainTable<'a>> = constraints
            .iter()
            .map(|c| DomainTable::new(c.topology_key, snapshot))
            .collect();
        for (idx, node) in snapshot.nodes.iter().enumerate() {
            if !has_all_keys(node, &constraints) {
                continue;
            }
            for (c, table) in constraints.iter().zip(domains.iter_mut()) {
                if c.includes(pod, node) {
                    table.add(snapshot, idx);
                }
            }
        }
        for (members, sets) in matching_by_selector(snapshot, pod, &constraints) {
            for on in sets.iter().flat_map(|e| &e.nodes) {
                let idx = on.node as usize;
                let node = &snapshot.nodes[idx];
                if on.live == 0 || !has_all_keys(node, &constraints) {
                    continue;
                }
                for &i in &members {
                    if constraints[i].includes(pod, node)
                        && let Some(d) = domains[i].get_at(snapshot, idx)
                    {
                        domains[i].counts[d as usize] += i64::from(on.live);
                    }
                }
            }
        }
        let min_match_num = constraints
            .iter()
            .zip(&domains)
            .map(|(c, table)| {
                // No domain keeps criticalPaths' MaxInt32; too few make the minimum 0.
                let min = table
                    .counts
                    .iter()
                    .copied()
                    .min()
                    .unwrap_or(i64::from(i32::MAX));
                if (table.len() as i64) < c.min_domains {
                    0
                } else {
                    min
                }
            })
            .collect();
        let self_match = constraints
            .iter()
            .map(|c| c.selector.matches(&pod.labels.labels))
            .collect();
        state.pod_topology_spread_filter = Some(PreFilterState {
            constraints,
            domains,
            min_match_num,
            self_match,
        });
        PreFilterResult::success()
    }

    fn filter(&self, state: &CycleState<'_>, _pod: &PodInfo, node: &NodeInfo) -> Status {
        let Some(s) = &state.pod_topology_spread_filter else {
            return Status::success();
        };
        for (i, c) in s.constraints.iter().enumerate() {
            if node.label(c.topology_key).is_none() {
                return Status::new(
                    Code::UnschedulableAndUnresolvable,
                    ERR_REASON_NODE_LABEL_NOT_MATCH,
                );
            }
            let table = &s.domains[i];
            let match_num = table.get(node).map_or(0, |d| table.counts[d as usize]);
            // 'existing matching num' + 'if self-match (1 or 0)' - 'global minimum' <= 'maxSkew'
            let skew = match_num + i64::from(s.self_match[i]) - s.min_match_num[i];
            if skew > c.max_skew {
                return Status::new(Code::Unschedulable, ERR_REASON_CONSTRAINTS_NOT_MATCH);
            }
        }
        Status::success()
    }
}

impl ScorePlugin for PodTopologySpread {
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
        let constraints = match constraints_for(pod, WhenUnsatisfiable::ScheduleAnyway) {
            Ok(c) => c,
            Err(e) => {
                return Status::new(
                    Code::Error,
                    format!(
                        "calculating preScoreState: obtaining pod's soft topology spread constraints: {e}"
                    ),
                );
            }
        };
        if constraints.is_empty() || snapshot.nodes.is_empty() {
            return Status::skip();
        }
        let n = constraints.len();
        // Only the pod's own constraints need every key: nodes without a zone label still get
        // hostname spreading from the system defaults.
        let require_all = !pod.topology_spread_constraints.is_empty();
        let mut ignored = vec![false; nodes.len()];
        // The feasible nodes' domains; hostname constraints are counted per node instead.
        let mut domains: Vec<DomainTable<'a>> = constraints
            .iter()
            .map(|c| DomainTable::new(c.topology_key, snapshot))
            .collect();
        // By feasible position and constraint: the node's domain, if it has the key.
        let mut node_domain: Vec<Option<u32>> = vec![None; nodes.len() * n];
        for (pos, &idx) in nodes.iter().enumerate() {
            let node = &snapshot.nodes[idx];
            if require_all && !has_all_keys(node, &constraints) {
                ignored[pos] = true;
                continue;
            }
            for (i, c) in constraints.iter().enumerate() {
                if c.topology_key == LABEL_HOSTNAME {
                    continue;
                }
                node_domain[pos * n + i] = domains[i].add(snapshot, idx);
                if node_domain[pos * n + i].is_none() {
                    // As in Go, a node without the key makes a domain of "": it only counts
                    // towards the normalising weight.
                    domains[i].add_value("");
                }
            }
        }
        let scored = ignored.iter().filter(|i| !**i).count();
        let normalizing_weight = constraints
            .iter()
            .zip(&domains)
            .map(|(c, table)| {
                let size = if c.topology_key == LABEL_HOSTNAME {
                    scored
                } else {
                    table.len()
                };
                // topologyNormalizingWeight: small topologies are not watered down by big ones.
                ((size + 2) as f64).ln()
            })
            .collect();

        // Matching pods: per domain of the feasible nodes, and per node for hostname.
        let mut per_node: Vec<Vec<i64>> = vec![Vec::new(); n];
        for (i, c) in constraints.iter().enumerate() {
            if c.topology_key == LABEL_HOSTNAME {
                per_node[i] = vec![0; snapshot.nodes.len()];
            }
        }
        // Whether a node must be looked at to know if it counts (the common case needs not).
        let check_nodes = require_all || constraints.iter().any(|c| !c.includes_all(pod));
        for (members, sets) in matching_by_selector(snapshot, pod, &constraints) {
            for on in sets.iter().flat_map(|e| &e.nodes) {
                if on.live == 0 {
                    continue;
                }
                let idx = on.node as usize;
                let node = check_nodes.then(|| &snapshot.nodes[idx]);
                let eligible = node.is_none_or(|n| !require_all || has_all_keys(n, &constraints));
                for &i in &members {
                    let c = &constraints[i];
                    if c.topology_key == LABEL_HOSTNAME {
                        per_node[i][idx] += i64::from(on.live);
                    } else if eligible
                        && node.is_none_or(|n| c.includes(pod, n))
                        && let Some(d) = domains[i].get_at(snapshot, idx)
                    {
                        domains[i].counts[d as usize] += i64::from(on.live);
                    }
                }
            }
        }

        // What each feasible node's Score will read.
        let mut node_counts = vec![-1; nodes.len() * n];
        for (pos, &idx) in nodes.iter().enumerate() {
            if ignored[pos] {
                continue;
            }
            let node = &snapshot.nodes[idx];
            for (i, c) in constraints.iter().enumerate() {
                node_counts[pos * n + i] = if c.topology_key == LABEL_HOSTNAME {
                    if node.label(LABEL_HOSTNAME).is_some() {
                        per_node[i][idx]
                    } else {
                        -1
                    }
                } else {
                    match node_domain[pos * n + i] {
                        Some(d) => domains[i].counts[d as usize],
                        None => -1,
                    }
                };
            }
        }
        state.pod_topology_spread_score = Some(PreScoreState {
            constraints,
            ignored,
            normalizing_weight,
            node_counts,
        });
        Status::success()
    }

    /// The weighted matching-pod count of the node's domains: lower is better.
    fn score(
        &self,
        state: &CycleState<'_>,
        _pod: &PodInfo,
        _snapshot: &Snapshot,
        pos: usize,
        _node: &NodeInfo,
    ) -> i64 {
        let Some(s) = &state.pod_topology_spread_score else {
            return 0;
        };
        if s.ignored[pos] {
            return 0;
        }
        let n = s.constraints.len();
        let mut score = 0.0;
        for (i, c) in s.constraints.iter().enumerate() {
            let count = s.node_counts[pos * n + i];
            // -1: the node lacks this constraint's key.
            if count < 0 {
                continue;
            }
            // scoreForCount: maxSkew-1 waters down differences the skew tolerates.
            score += count as f64 * s.normalizing_weight[i] + (c.max_skew - 1) as f64;
        }
        score.round() as i64
    }

    /// Inverts into 0..=100: the node with the fewest matching pods gets 100; ignored nodes 0.
    fn normalize(&self, state: &CycleState<'_>, scores: &mut [i64]) {
        let Some(s) = &state.pod_topology_spread_score else {
            return;
        };
        let mut min_score = i64::MAX;
        let mut max_score = 0;
        for (pos, score) in scores.iter().enumerate() {
            if s.ignored[pos] {
                continue;
            }
            min_score = min_score.min(*score);
            max_score = max_score.max(*score);
        }
        for (pos, score) in scores.iter_mut().enumerate() {
            *score = if s.ignored[pos] {
                0
            } else if max_score == 0 {
                MAX_NODE_SCORE
            } else {
                MAX_NODE_SCORE * (max_score + min_score - *score) / max_score
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::collections::HashMap;

    fn node(name: &str, zone: &str) -> Value {
        json!({
            "metadata": {"name": name, "labels": {
                "kubernetes.io/hostname": name, "topology.kubernetes.io/zone": zone}},
            "status": {"allocatable": {"cpu": "8", "memory": "16Gi", "pods": "110"}}
        })
    }

    fn pod(name: &str, node_name: &str, spread: Value) -> Value {
        json!({
            "metadata": {"name": name, "namespace": "default", "labels": {"app": "web"},
                         "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet",
                                              "name": "web-1", "uid": "u", "controller": true}]},
            "spec": {"nodeName": node_name, "topologySpreadConstraints": spread,
                     "containers": [{"name": "c", "image": "nginx"}]}
        })
    }

    fn snapshot() -> Snapshot {
        let mut s = Snapshot::new();
        for (n, z) in [("a1", "a"), ("a2", "a"), ("b1", "b")] {
            s.upsert_node(&node(n, z));
        }
        // Two web pods in zone a, none in zone b.
        s.add_pod(&pod("w1", "a1", json!(null)));
        s.add_pod(&pod("w2", "a2", json!(null)));
        s
    }

    #[test]
    fn do_not_schedule_zone_constraint_filters_the_crowded_zone() {
        let snap = snapshot();
        let incoming = PodInfo::from_pod(&pod(
            "w3",
            "",
            json!([{"maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone",
                    "whenUnsatisfiable": "DoNotSchedule",
                    "labelSelector": {"matchLabels": {"app": "web"}}}]),
        ));
        let mut state = CycleState::default();
        let r = PodTopologySpread.pre_filter(&mut state, &incoming, &snap);
        assert!(r.status.is_success());
        let verdict = |name: &str| {
            let node = snap.node(name).expect("node");
            PodTopologySpread.filter(&state, &incoming, node)
        };
        // zone a: 2 + 1 - 0 > 1; zone b: 0 + 1 - 0 <= 1.
        let a = verdict("a1");
        assert_eq!(a.code(), Code::Unschedulable);
        assert_eq!(a.message(), ERR_REASON_CONSTRAINTS_NOT_MATCH);
        assert!(verdict("b1").is_success());

        let mut unlabeled = Snapshot::new();
        unlabeled.upsert_node(&json!({"metadata": {"name": "bare"},
            "status": {"allocatable": {"pods": "110"}}}));
        let mut state = CycleState::default();
        assert!(
            PodTopologySpread
                .pre_filter(&mut state, &incoming, &unlabeled)
                .status
                .is_success()
        );
        let s = PodTopologySpread.filter(&state, &incoming, &unlabeled.nodes[0]);
        assert_eq!(s.code(), Code::UnschedulableAndUnresolvable);
        assert_eq!(s.message(), ERR_REASON_NODE_LABEL_NOT_MATCH);
    }

    #[test]
    fn hostname_max_skew_one_keeps_replicas_level() {
        let snap = snapshot();
        let incoming = PodInfo::from_pod(&pod(
            "w3",
            "",
            json!([{"maxSkew": 1, "topologyKey": "kubernetes.io/hostname",
                    "whenUnsatisfiable": "DoNotSchedule",
                    "labelSelector": {"matchLabels": {"app": "web"}}}]),
        ));
        let mut state = CycleState::default();
        assert!(
            PodTopologySpread
                .pre_filter(&mut state, &incoming, &snap)
                .status
                .is_success()
        );
        // a1 and a2 hold one each, b1 none: only b1 keeps the skew at 1.
        for (name, fits) in [("a1", false), ("a2", false), ("b1", true)] {
            let node = snap.node(name).expect("node");
            let s = PodTopologySpread.filter(&state, &incoming, node);
            assert_eq!(s.is_success(), fits, "{name}: {s:?}");
        }
    }

    #[test]
    fn system_default_spreading_prefers_the_empty_zone() {
        let snap = snapshot();
        // No constraints: the ReplicaSet owner brings the system defaults.
        let incoming = PodInfo::from_pod(&pod("w3", "", json!(null)));
        let mut state = CycleState::default();
        assert!(
            PodTopologySpread
                .pre_filter(&mut state, &incoming, &snap)
                .status
                .is_skip()
        );
        let feasible: Vec<usize> = snap.node_order().to_vec();
        assert!(
            PodTopologySpread
                .pre_score(&mut state, &incoming, &snap, &feasible)
                .is_success()
        );
        let mut scores: Vec<i64> = feasible
            .iter()
            .enumerate()
            .map(|(pos, &i)| PodTopologySpread.score(&state, &incoming, &snap, pos, &snap.nodes[i]))
            .collect();
        PodTopologySpread.normalize(&state, &mut scores);
        let by_name: HashMap<&str, i64> = feasible
            .iter()
            .map(|&i| snap.nodes[i].name())
            .zip(scores.iter().copied())
            .collect();
        assert_eq!(by_name["b1"], 100);
        assert!(by_name["a1"] < 100 && by_name["a1"] == by_name["a2"]);

        // A bare pod (no controller) gets no default spreading.
        let mut bare = pod("solo", "", json!(null));
        bare["metadata"]["ownerReferences"] = json!(null);
        let bare = PodInfo::from_pod(&bare);
        assert!(
            PodTopologySpread
                .pre_score(&mut state, &bare, &snap, &feasible)
                .is_skip()
        );
    }
}
