//! One scheduling cycle, after kube-scheduler's `schedule_one.go`: PreFilter, then Filter over
//! nodes from where the last cycle stopped until enough feasible ones are found (the adaptive
//! `percentageOfNodesToScore`), then PreScore, Score, NormalizeScore and the plugin weights,
//! and the highest total wins. When no node fits, the FailedScheduling message is built as
//! `FitError.Error()` builds it, with the preemption post-filter's verdict.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};

use super::decision::{DecisionRecord, FilterVerdict, NodeDecision, ScoreEntry};
use super::framework::{
    Code, CycleState, FilterPlugin, MAX_NODE_SCORE, MIN_NODE_SCORE, ScorePlugin, Status,
};
use super::plugins;
use super::snapshot::{PodInfo, Snapshot};

/// `minFeasibleNodesToFind`: below this many nodes every node is searched.
pub const MIN_FEASIBLE_NODES_TO_FIND: usize = 100;
/// `minFeasibleNodesPercentageToFind`: the floor of the adaptive percentage.
pub const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND: usize = 5;
/// `ErrNoNodesAvailable`.
pub const ERR_NO_NODES_AVAILABLE: &str = "no nodes available to schedule pods";

/// What a node's failed status contributes to the FailedScheduling message.
const PREEMPTION_NOT_HELPFUL: &str = "Preemption is not helpful for scheduling";
const NO_PREEMPTION_VICTIMS: &str = "No preemption victims found for incoming pod";

/// The default profile (`default-scheduler`): its filter and score plugins in the real order,
/// with the real weights, and the search state carried from cycle to cycle.
pub struct Scheduler {
    filters: Vec<Box<dyn FilterPlugin>>,
    scorers: Vec<(Box<dyn ScorePlugin>, i64)>,
    /// Where the next cycle's search starts, so every node gets its turn.
    next_start_node_index: usize,
    /// `percentageOfNodesToScore`; `None` (0 in the real config) is adaptive.
    pub percentage_of_nodes_to_score: Option<u32>,
}

impl Default for Scheduler {
    fn default() -> Scheduler {
        Scheduler::new()
    }
}

/// The counts that the FailedScheduling message is made of.
struct Diagnosis<'r> {
    /// Reason → number of nodes that gave it.
    reasons: HashMap<Cow<'r, str>, usize>,
    /// Nodes failed with UnschedulableAndUnresolvable (or never considered).
    unresolvable: usize,
    /// Nodes failed with Unschedulable: preemption could have helped there.
    unschedulable: usize,
}

impl Scheduler {
    pub fn new() -> Scheduler {
        Scheduler {
            filters: plugins::default_filter_plugins(),
            scorers: plugins::default_score_plugins(),
            next_start_node_index: 0,
            percentage_of_nodes_to_score: None,
        }
    }

    pub fn next_start_node_index(&self) -> usize {
        self.next_start_node_index
    }

    /// `numFeasibleNodesToFind`: all nodes below 100; else the configured percentage, or
    /// `50 − nodes/125` percent (at least 5%) when adaptive — but never fewer than 100 nodes.
    pub fn num_feasible_nodes_to_find(&self, num_all_nodes: usize) -> usize {
        if num_all_nodes < MIN_FEASIBLE_NODES_TO_FIND {
            return num_all_nodes;
        }
        let percentage = match self.percentage_of_nodes_to_score {
            Some(p) if p > 0 => (p as usize).min(100),
            _ => 50usize
                .saturating_sub(num_all_nodes / 125)
                .max(MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND),
        };
        (num_all_nodes * percentage / 100).max(MIN_FEASIBLE_NODES_TO_FIND)
    }

    /// Runs one scheduling cycle for `pod` against `snapshot`. `tie_break` (from the cluster's
    /// seeded RNG) picks among nodes with the top score, in search order. Does not change the
    /// snapshot: the caller assumes the pod onto the winner.
    pub fn schedule_one(
        &mut self,
        snapshot: &Snapshot,
        pod: &PodInfo,
        tie_break: u64,
    ) -> DecisionRecord {
        let mut record = DecisionRecord {
            pod: pod.key(),
            nodes_total: snapshot.num_nodes(),
            nodes_evaluated: 0,
            nodes: Vec::new(),
            winner: None,
            message: None,
            unresolvable: false,
        };
        if snapshot.num_nodes() == 0 {
            record.message = Some(ERR_NO_NODES_AVAILABLE.to_string());
            record.unresolvable = true;
            return record;
        }
        let mut state = CycleState::default();
        self.cycle(&mut state, snapshot, pod, tie_break, &mut record);
        record
    }

    fn cycle<'a>(
        &mut self,
        state: &mut CycleState<'a>,
        snapshot: &'a Snapshot,
        pod: &'a PodInfo,
        tie_break: u64,
        record: &mut DecisionRecord,
    ) {
        let all_nodes = snapshot.node_order();

        // PreFilter: a plugin may switch its Filter off (Skip), reject the pod outright, or
        // name the only nodes worth looking at.
        let mut skip_filter = vec![false; self.filters.len()];
        let mut only: Option<BTreeSet<&'a str>> = None;
        let mut plugins_with_nodes: BTreeSet<&'static str> = BTreeSet::new();
        let mut rejected: Option<Status> = None;
        for (i, plugin) in self.filters.iter().enumerate() {
            let result = plugin.pre_filter(state, pod, snapshot);
            match result.status.code() {
                Code::Skip => {
                    skip_filter[i] = true;
                    continue;
                }
                Code::Success => {}
                Code::UnschedulableAndUnresolvable => {
                    return fail_at_pre_filter(record, &result.status, pod);
                }
                // Unschedulable lets the other PreFilters run, for preemption's sake.
                Code::Unschedulable => {
                    rejected = Some(result.status);
                    continue;
                }
                Code::Error => {
                    record.message = Some(format!(
                        "running PreFilter plugin {:?}: {}",
                        plugin.name(),
                        result.status.message()
                    ));
                    return;
                }
            }
            if let Some(names) = result.node_names {
                plugins_with_nodes.insert(plugin.name());
                let merged = match only.take() {
                    None => names,
                    Some(prev) => prev.intersection(&names).copied().collect(),
                };
                if merged.is_empty() {
                    let list: Vec<&str> = plugins_with_nodes.iter().copied().collect();
                    let message = if let [one] = list.as_slice() {
                        format!("node(s) didn't satisfy plugin {one}")
                    } else {
                        format!(
                            "node(s) didn't satisfy plugin(s) [{}] simultaneously",
                            list.join(" ")
                        )
                    };
                    let status = Status::new(Code::UnschedulableAndUnresolvable, message);
                    return fail_at_pre_filter(record, &status, pod);
                }
                only = Some(merged);
            }
        }
        if let Some(status) = rejected {
            return fail_at_pre_filter(record, &status, pod);
        }

        // The nodes to search: all, or those PreFilter named (that exist), in node-tree order.
        let restricted: Vec<usize>;
        let nodes: &[usize] = match &only {
            None => all_nodes,
            Some(names) => {
                restricted = all_nodes
                    .iter()
                    .copied()
                    .filter(|&i| names.contains(snapshot.nodes[i].name()))
                    .collect();
                &restricted
            }
        };

        // Filter, from where the last cycle stopped, until enough feasible nodes are found.
        // A passing node's verdicts are all Success (or Skip where PreFilter said so).
        let passed: Vec<(&'static str, Code)> = self
            .filters
            .iter()
            .zip(&skip_filter)
            .map(|(plugin, skip)| {
                (
                    plugin.name(),
                    if *skip { Code::Skip } else { Code::Success },
                )
            })
            .collect();
        // Built from scratch rather than cloned: cloning runs each element's Clone.
        let verdicts = |upto: usize| -> Vec<FilterVerdict> {
            passed[..upto]
                .iter()
                .map(|&(plugin, code)| FilterVerdict {
                    plugin,
                    code,
                    reasons: Vec::new(),
                })
                .collect()
        };
        // Most nodes pass every filter: they share one list of verdicts.
        let all_passed: std::sync::Arc<[FilterVerdict]> = verdicts(passed.len()).into();
        let num_to_find = self.num_feasible_nodes_to_find(nodes.len());
        let mut feasible: Vec<usize> = Vec::with_capacity(num_to_find);
        let mut feasible_records: Vec<usize> = Vec::with_capacity(num_to_find);
        record.nodes.reserve(num_to_find);
        let mut processed = 0;
        for i in 0..nodes.len() {
            let idx = nodes[(self.next_start_node_index + i) % nodes.len()];
            let node = &snapshot.nodes[idx];
            processed += 1;
            let failure = self
                .filters
                .iter()
                .enumerate()
                .filter(|(j, _)| !skip_filter[*j])
                .find_map(|(j, plugin)| {
                    let status = plugin.filter(state, pod, node);
                    (!status.is_success()).then_some((j, status))
                });
            let fits = failure.is_none();
            let filters: std::sync::Arc<[FilterVerdict]> = match failure {
                None => all_passed.clone(),
                Some((j, status)) => {
                    let code = if status.is_rejected() {
                        status.code()
                    } else {
                        // Filters may only succeed or reject; anything else aborts the cycle.
                        record.message = Some(format!(
                            "running {:?} filter plugin: {}",
                            passed[j].0,
                            status.message()
                        ));
                        Code::Error
                    };
                    let mut filters = verdicts(j);
                    filters.push(FilterVerdict {
                        plugin: passed[j].0,
                        code,
                        reasons: status.reasons().iter().map(|r| r.to_string()).collect(),
                    });
                    filters.into()
                }
            };
            record.nodes.push(NodeDecision {
                node: node.shared_name(),
                filters,
                feasible: fits,
                scores: Vec::new(),
                total: 0,
            });
            if record.message.is_some() {
                break;
            }
            if fits {
                feasible.push(idx);
                feasible_records.push(record.nodes.len() - 1);
                if feasible.len() >= num_to_find {
                    break;
                }
            }
        }
        // Always advance, so that every node gets searched across cycles.
        self.next_start_node_index = (self.next_start_node_index + processed) % all_nodes.len();
        record.nodes_evaluated = processed;
        if record.message.is_some() {
            return;
        }

        match feasible.as_slice() {
            [] => return fail_at_filter(record, pod, snapshot.num_nodes(), &plugins_with_nodes),
            // One feasible node: the real scheduler takes it without scoring.
            [only_node] => {
                record.winner = Some(snapshot.nodes[*only_node].name().to_string());
                return;
            }
            _ => {}
        }

        // PreScore, Score, NormalizeScore, weights.
        let mut skip_score = vec![false; self.scorers.len()];
        for (i, (plugin, _)) in self.scorers.iter().enumerate() {
            let status = plugin.pre_score(state, pod, snapshot, &feasible);
            if status.is_skip() {
                skip_score[i] = true;
            } else if !status.is_success() {
                record.message = Some(format!(
                    "running PreScore plugin {:?}: {}",
                    plugin.name(),
                    status.message()
                ));
                return;
            }
        }
        // Plugin by plugin (normalising needs all of a plugin's scores), into one table…
        let n = feasible.len();
        let mut table: Vec<(usize, i64, i64)> = Vec::with_capacity(n * self.scorers.len());
        let mut raw = vec![0i64; n];
        let mut normalized = vec![0i64; n];
        for (i, (plugin, _)) in self.scorers.iter().enumerate() {
            if skip_score[i] {
                continue;
            }
            for (pos, &idx) in feasible.iter().enumerate() {
                raw[pos] = plugin.score(state, pod, snapshot, pos, &snapshot.nodes[idx]);
            }
            normalized.copy_from_slice(&raw);
            plugin.normalize(state, &mut normalized);
            if let Some(bad) = normalized
                .iter()
                .find(|s| !(MIN_NODE_SCORE..=MAX_NODE_SCORE).contains(*s))
            {
                record.message = Some(format!(
                    "applying score defaultWeights on Score plugins: plugin {:?} returns an invalid score {bad}, it should in the range of [{MIN_NODE_SCORE}, {MAX_NODE_SCORE}] after normalizing",
                    plugin.name()
                ));
                return;
            }
            table.extend(raw.iter().zip(&normalized).map(|(r, s)| (i, *r, *s)));
        }
        // …then node by node into the record.
        let active = table.len() / n.max(1);
        let mut totals = vec![0i64; n];
        for (pos, &r) in feasible_records.iter().enumerate() {
            let scores: Vec<ScoreEntry> = (0..active)
                .map(|k| {
                    let (i, raw, normalized) = table[k * n + pos];
                    let (plugin, weight) = &self.scorers[i];
                    ScoreEntry {
                        plugin: plugin.name(),
                        raw,
                        normalized,
                        weight: *weight,
                        weighted: normalized * weight,
                    }
                })
                .collect();
            totals[pos] = scores.iter().map(|s| s.weighted).sum();
            record.nodes[r].total = totals[pos];
            record.nodes[r].scores = scores;
        }

        // The highest total wins; ties (in search order) are broken by the seeded RNG, as the
        // real scheduler picks uniformly among them.
        let best = totals.iter().copied().max().unwrap_or(0);
        let ties: Vec<usize> = (0..totals.len()).filter(|&p| totals[p] == best).collect();
        let pick = ties[(tie_break % ties.len() as u64) as usize];
        record.winner = Some(snapshot.nodes[feasible[pick]].name().to_string());
    }
}

/// `FitError.Error()` after a PreFilter rejected the pod: its message, then what preemption
/// made of every node carrying that status.
fn fail_at_pre_filter(record: &mut DecisionRecord, status: &Status, pod: &PodInfo) {
    let n = record.nodes_total;
    let unresolvable = status.code() == Code::UnschedulableAndUnresolvable;
    let (u_and_u, u) = if unresolvable { (n, 0) } else { (0, n) };
    record.message = Some(format!(
        "0/{n} nodes are available: {}. {}",
        status.message(),
        preemption_message(pod, n, u_and_u, u)
    ));
    record.unresolvable = unresolvable;
}

/// `FitError.Error()` after no node passed the filters: `0/N nodes are available:` with each
/// reason prefixed by the number of nodes that gave it, sorted as strings
/// (`sortReasonsHistogram`), then the preemption post-filter's message.
fn fail_at_filter(
    record: &mut DecisionRecord,
    pod: &PodInfo,
    num_all_nodes: usize,
    plugins_with_nodes: &BTreeSet<&'static str>,
) {
    let mut d = Diagnosis {
        reasons: HashMap::new(),
        unresolvable: 0,
        unschedulable: 0,
    };
    for node in &record.nodes {
        let Some(verdict) = node.filters.last() else {
            continue;
        };
        for reason in &verdict.reasons {
            *d.reasons.entry(Cow::Borrowed(reason.as_str())).or_insert(0) += 1;
        }
        if verdict.code == Code::Unschedulable {
            d.unschedulable += 1;
        } else {
            d.unresolvable += 1;
        }
    }
    // Nodes PreFilter ruled out carry the absent-nodes status.
    let absent = num_all_nodes.saturating_sub(record.nodes.len());
    if absent > 0 {
        let list: Vec<&str> = plugins_with_nodes.iter().copied().collect();
        let reason = format!("node(s) didn't satisfy plugin(s) [{}]", list.join(" "));
        *d.reasons.entry(Cow::Owned(reason)).or_insert(0) += absent;
        d.unresolvable += absent;
    }
    let mut histogram: Vec<String> = d
        .reasons
        .iter()
        .map(|(reason, count)| format!("{count} {reason}"))
        .collect();
    histogram.sort();
    let mut message = format!("0/{num_all_nodes} nodes are available:");
    if !histogram.is_empty() {
        message.push_str(&format!(" {}.", histogram.join(", ")));
    }
    message.push(' ');
    message.push_str(&preemption_message(
        pod,
        num_all_nodes,
        d.unresolvable,
        d.unschedulable,
    ));
    record.message = Some(message);
    record.unresolvable = d.unschedulable == 0;
}

/// The DefaultPreemption post-filter's message. podflow has no pod priorities, so no node
/// ever offers victims: nodes that failed with Unschedulable find none, and nodes that failed
/// with UnschedulableAndUnresolvable are not worth trying.
fn preemption_message(
    pod: &PodInfo,
    num_all_nodes: usize,
    unresolvable: usize,
    unschedulable: usize,
) -> String {
    if pod.preemption_never {
        return "preemption: not eligible due to preemptionPolicy=Never.".to_string();
    }
    let mut parts = Vec::new();
    if unresolvable > 0 {
        parts.push(format!("{unresolvable} {PREEMPTION_NOT_HELPFUL}"));
    }
    if unschedulable > 0 {
        parts.push(format!("{unschedulable} {NO_PREEMPTION_VICTIMS}"));
    }
    parts.sort();
    format!(
        "preemption: 0/{num_all_nodes} nodes are available: {}.",
        parts.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn node(name: &str, cpu: &str, labels: Value, taints: Value) -> Value {
        let mut labels = labels;
        labels["kubernetes.io/hostname"] = json!(name);
        json!({
            "metadata": {"name": name, "labels": labels},
            "spec": {"taints": taints},
            "status": {"allocatable": {"cpu": cpu, "memory": "8Gi", "pods": "110"}}
        })
    }

    fn pod(name: &str, cpu: &str, spec_extra: Value) -> Value {
        let mut p = json!({
            "metadata": {"name": name, "namespace": "default", "labels": {"app": name}},
            "spec": {"containers": [{"name": "c", "image": "nginx",
                     "resources": {"requests": {"cpu": cpu, "memory": "64Mi"}}}]}
        });
        if let (Some(spec), Some(extra)) = (p["spec"].as_object_mut(), spec_extra.as_object()) {
            spec.extend(extra.clone());
        }
        p
    }

    fn cluster() -> Snapshot {
        let mut s = Snapshot::new();
        s.upsert_node(&node(
            "control-plane",
            "4",
            json!({"node-role.kubernetes.io/control-plane": ""}),
            json!([{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]),
        ));
        for n in ["node-1", "node-2", "node-3"] {
            s.upsert_node(&node(n, "1", json!({}), json!([])));
        }
        s
    }

    #[test]
    fn control_plane_taint_and_insufficient_cpu_message() {
        let mut s = cluster();
        // Each worker already runs a 600m pod; the newcomer wants 500m.
        for n in ["node-1", "node-2", "node-3"] {
            let mut p = pod(&format!("busy-{n}"), "600m", json!({}));
            p["spec"]["nodeName"] = json!(n);
            s.add_pod(&p);
        }
        let incoming = PodInfo::from_pod(&pod("web", "500m", json!({})));
        let record = Scheduler::new().schedule_one(&s, &incoming, 0);
        assert_eq!(record.winner, None);
        assert_eq!(
            record.message.as_deref(),
            Some(
                "0/4 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 3 Insufficient cpu. preemption: 0/4 nodes are available: 1 Preemption is not helpful for scheduling, 3 No preemption victims found for incoming pod."
            )
        );
        assert!(!record.unresolvable);
        assert_eq!(record.nodes_evaluated, 4);
        assert_eq!(record.summary(), record.message.clone().unwrap_or_default());
        let cp = record.nodes.iter().find(|n| &*n.node == "control-plane");
        let cp = cp.map(|n| (n.filters.len(), n.filters[2].plugin, n.filters[2].code));
        assert_eq!(
            cp,
            Some((3, "TaintToleration", Code::UnschedulableAndUnresolvable))
        );
    }

    #[test]
    fn ties_are_broken_by_the_tie_break_in_search_order() {
        let s = cluster();
        let incoming = PodInfo::from_pod(&pod("web", "100m", json!({})));
        let mut winners = Vec::new();
        for tie_break in 0..3 {
            // A fresh scheduler each time, so the search starts at the same node.
            let record = Scheduler::new().schedule_one(&s, &incoming, tie_break);
            assert_eq!(record.feasible_count(), 3);
            let feasible: Vec<&str> = record
                .nodes
                .iter()
                .filter(|n| n.feasible)
                .map(|n| &*n.node)
                .collect();
            assert_eq!(record.winner.as_deref(), Some(feasible[tie_break as usize]));
            winners.push(record.winner.clone());
            // Same inputs, same answer.
            let again = Scheduler::new().schedule_one(&s, &incoming, tie_break);
            assert_eq!(again.winner, record.winner);
            let scored = record
                .nodes
                .iter()
                .find(|n| n.feasible)
                .map(|n| n.scores.len());
            // TaintToleration, NodeResourcesFit, BalancedAllocation, ImageLocality: the others
            // skip a pod without preferences or a controller.
            assert_eq!(scored, Some(4));
        }
        winners.dedup();
        assert_eq!(winners.len(), 3);
    }

    #[test]
    fn node_selector_picks_the_labelled_node() {
        let mut s = cluster();
        s.upsert_node(&node("node-4", "1", json!({"disktype": "ssd"}), json!([])));
        let incoming = PodInfo::from_pod(&pod(
            "db",
            "100m",
            json!({"nodeSelector": {"disktype": "ssd"}}),
        ));
        let record = Scheduler::new().schedule_one(&s, &incoming, 7);
        assert_eq!(record.winner.as_deref(), Some("node-4"));
        assert_eq!(
            record.summary(),
            "node-4 wins (the only feasible node, not scored) of 1 feasible / 5 nodes"
        );
        let rejected = record
            .nodes
            .iter()
            .filter(|n| n.filters.last().is_some_and(|f| f.plugin == "NodeAffinity"))
            .count();
        assert_eq!(rejected, 3);

        let nowhere = PodInfo::from_pod(&pod(
            "db",
            "100m",
            json!({"nodeSelector": {"disktype": "nvme"}}),
        ));
        let record = Scheduler::new().schedule_one(&s, &nowhere, 0);
        assert_eq!(
            record.message.as_deref(),
            Some(
                "0/5 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 4 node(s) didn't match Pod's node affinity/selector. preemption: 0/5 nodes are available: 5 Preemption is not helpful for scheduling."
            )
        );
        assert!(record.unresolvable);
    }

    #[test]
    fn anti_affinity_spreads_replicas_by_hostname() {
        let mut s = cluster();
        let mut scheduler = Scheduler::new();
        let anti = json!({"affinity": {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
            {"labelSelector": {"matchLabels": {"app": "cache"}}, "topologyKey": "kubernetes.io/hostname"}]}}});
        let mut placed = Vec::new();
        for i in 0..4 {
            let mut p = pod(&format!("cache-{i}"), "100m", anti.clone());
            p["metadata"]["labels"] = json!({"app": "cache"});
            let info = PodInfo::from_pod(&p);
            let record = scheduler.schedule_one(&s, &info, i);
            match record.winner.clone() {
                Some(node) => {
                    p["spec"]["nodeName"] = json!(node);
                    s.add_pod(&p);
                    placed.push(node);
                }
                None => {
                    assert_eq!(
                        record.message.as_deref(),
                        Some(
                            "0/4 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 3 node(s) didn't match pod anti-affinity rules. preemption: 0/4 nodes are available: 1 Preemption is not helpful for scheduling, 3 No preemption victims found for incoming pod."
                        )
                    );
                }
            }
        }
        placed.sort();
        assert_eq!(placed, ["node-1", "node-2", "node-3"]);
    }

    #[test]
    fn replica_set_pods_spread_over_zones_and_nodes() {
        let mut s = Snapshot::new();
        for (n, z) in [
            ("a1", "a"),
            ("a2", "a"),
            ("b1", "b"),
            ("b2", "b"),
            ("c1", "c"),
            ("c2", "c"),
        ] {
            s.upsert_node(&node(
                n,
                "4",
                json!({"topology.kubernetes.io/zone": z}),
                json!([]),
            ));
        }
        let mut scheduler = Scheduler::new();
        for i in 0..6 {
            let mut p = pod(&format!("web-{i}"), "100m", json!({}));
            p["metadata"]["labels"] = json!({"app": "web", "pod-template-hash": "abc"});
            p["metadata"]["ownerReferences"] = json!([{"apiVersion": "apps/v1",
                "kind": "ReplicaSet", "name": "web-abc", "uid": "u", "controller": true}]);
            let info = PodInfo::from_pod(&p);
            let record = scheduler.schedule_one(&s, &info, 0);
            let Some(winner) = record.winner.clone() else {
                panic!("{:?}", record.message)
            };
            s.assume_pod(&info, &winner);
        }
        let per_node: Vec<usize> = s.nodes.iter().map(|n| n.pods().len()).collect();
        assert_eq!(per_node, [1, 1, 1, 1, 1, 1]);
    }

    #[test]
    fn preemption_policy_never_is_reported() {
        let s = cluster();
        let incoming = PodInfo::from_pod(&pod("big", "2", json!({"preemptionPolicy": "Never"})));
        let record = Scheduler::new().schedule_one(&s, &incoming, 0);
        assert_eq!(
            record.message.as_deref(),
            Some(
                "0/4 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 3 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never."
            )
        );
    }

    #[test]
    fn the_glue_can_move_the_scheduler_into_a_task() {
        fn send<T: Send>() {}
        fn shared<T: Send + Sync>() {}
        send::<Scheduler>();
        send::<Snapshot>();
        shared::<DecisionRecord>();
    }

    #[test]
    fn adaptive_percentage_of_nodes_to_score() {
        let s = Scheduler::new();
        assert_eq!(s.num_feasible_nodes_to_find(50), 50);
        assert_eq!(s.num_feasible_nodes_to_find(150), 100);
        // 1000 nodes: 50 − 8 = 42%.
        assert_eq!(s.num_feasible_nodes_to_find(1000), 420);
        // 5000 nodes: 50 − 40 = 10%.
        assert_eq!(s.num_feasible_nodes_to_find(5000), 500);
        // 6000 nodes: 50 − 48 = 2%, floored at 5%.
        assert_eq!(s.num_feasible_nodes_to_find(6000), 300);
        let fixed = Scheduler {
            percentage_of_nodes_to_score: Some(100),
            ..Scheduler::new()
        };
        assert_eq!(fixed.num_feasible_nodes_to_find(1000), 1000);
    }

    #[test]
    fn search_rotates_and_stops_once_enough_nodes_fit() {
        let mut s = Snapshot::new();
        for i in 0..200 {
            s.upsert_node(&node(&format!("n{i:03}"), "2", json!({}), json!([])));
        }
        let incoming = PodInfo::from_pod(&pod("web", "100m", json!({})));
        let mut scheduler = Scheduler::new();
        let record = scheduler.schedule_one(&s, &incoming, 0);
        // 200 nodes: 50 − 1 = 49% is 98, below the floor of 100.
        assert_eq!(record.nodes_evaluated, 100);
        assert_eq!(record.feasible_count(), 100);
        assert_eq!(scheduler.next_start_node_index(), 100);
        let second = scheduler.schedule_one(&s, &incoming, 0);
        assert_eq!(&*second.nodes[0].node, "n100");
        assert_eq!(scheduler.next_start_node_index(), 0);
    }

    #[test]
    fn no_nodes_and_daemonset_style_node_name_affinity() {
        let incoming = PodInfo::from_pod(&pod("web", "100m", json!({})));
        let record = Scheduler::new().schedule_one(&Snapshot::new(), &incoming, 0);
        assert_eq!(record.message.as_deref(), Some(ERR_NO_NODES_AVAILABLE));

        let s = cluster();
        let pinned = json!({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [{"matchFields": [{"key": "metadata.name", "operator": "In",
                                                    "values": ["control-plane"]}]}]}}}});
        let ds = PodInfo::from_pod(&pod("ds", "100m", pinned));
        let record = Scheduler::new().schedule_one(&s, &ds, 0);
        assert_eq!(record.nodes_evaluated, 1);
        assert_eq!(
            record.message.as_deref(),
            Some(
                "0/4 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 3 node(s) didn't satisfy plugin(s) [NodeAffinity]. preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling."
            )
        );
    }
}
