//! The NodeAffinity plugin, and the node selector types of component-helpers' `nodeaffinity`
//! package. Filter: the node must match `spec.nodeSelector` and the required node affinity
//! (PreFilter narrows the search to the nodes named by `metadata.name` match fields, as
//! DaemonSet pods use). Score: the summed weights of matching preferred terms (weight 2).

use std::collections::BTreeSet;

use serde_json::Value;

use crate::api::label_selector::{LabelSelector, Operator, Requirement};
use crate::scheduler::framework::{
    Code, CycleState, FilterPlugin, MAX_NODE_SCORE, PreFilterResult, ScorePlugin, Status,
    default_normalize_score,
};
use crate::scheduler::snapshot::{NodeInfo, PodInfo, Snapshot};

pub const NAME: &str = "NodeAffinity";
/// `ErrReasonPod`.
pub const ERR_REASON_POD: &str = "node(s) didn't match Pod's node affinity/selector";
/// `errReasonConflict`: every term names nodes, and no node is in all of them.
pub const ERR_REASON_CONFLICT: &str = "pod affinity terms conflict";

/// The only node field a node selector may match.
const OBJECT_NAME_FIELD: &str = "metadata.name";

#[derive(Debug, Clone)]
struct FieldRequirement {
    key: String,
    equal: bool,
    value: String,
}

/// One `v1.NodeSelectorTerm`, parsed: its match expressions (labels) and match fields ANDed. A
/// term that failed to parse matches nothing, like the real `LazyErrorNodeSelector`.
#[derive(Debug, Clone)]
pub struct NodeSelectorTerm {
    match_labels: Option<Vec<Requirement>>,
    match_fields: Option<Vec<FieldRequirement>>,
    parse_error: Option<String>,
}

impl NodeSelectorTerm {
    /// `isEmptyNodeSelectorTerm`: no expressions and no fields selects no objects.
    fn is_empty(term: &Value) -> bool {
        let empty = |k: &str| {
            term.get(k)
                .and_then(Value::as_array)
                .is_none_or(Vec::is_empty)
        };
        empty("matchExpressions") && empty("matchFields")
    }

    fn parse(term: &Value) -> NodeSelectorTerm {
        let mut errors = Vec::new();
        let exprs = term.get("matchExpressions").and_then(Value::as_array);
        let match_labels = exprs.filter(|e| !e.is_empty()).map(|exprs| {
            exprs
                .iter()
                .filter_map(|e| match label_requirement(e) {
                    Ok(r) => Some(r),
                    Err(err) => {
                        errors.push(err);
                        None
                    }
                })
                .collect()
        });
        let fields = term.get("matchFields").and_then(Value::as_array);
        let match_fields = fields.filter(|f| !f.is_empty()).map(|fields| {
            fields
                .iter()
                .filter_map(|f| match field_requirement(f) {
                    Ok(r) => Some(r),
                    Err(err) => {
                        errors.push(err);
                        None
                    }
                })
                .collect()
        });
        NodeSelectorTerm {
            match_labels,
            match_fields,
            parse_error: (!errors.is_empty()).then(|| errors.join("; ")),
        }
    }

    /// `nodeSelectorTerm.match`; `None` when the term did not parse.
    fn matches(&self, node: &NodeInfo) -> Option<bool> {
        if self.parse_error.is_some() {
            return None;
        }
        if let Some(reqs) = &self.match_labels
            && !reqs.iter().all(|r| r.matches(node.labels()))
        {
            return Some(false);
        }
        if let Some(fields) = &self.match_fields {
            let ok = fields.iter().all(|f| {
                let have = if f.key == OBJECT_NAME_FIELD {
                    node.name()
                } else {
                    ""
                };
                (have == f.value) == f.equal
            });
            if !ok {
                return Some(false);
            }
        }
        Some(true)
    }
}

fn values_of(expr: &Value) -> Vec<String> {
    expr.get("values")
        .and_then(Value::as_array)
        .map(|vs| {
            vs.iter()
                .map(|v| v.as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// `nodeSelectorRequirementsAsSelector` for one expression: the label operators, including
/// `Gt`/`Lt`, through `labels.NewRequirement` and its validation.
fn label_requirement(expr: &Value) -> Result<Requirement, String> {
    let key = expr.get("key").and_then(Value::as_str).unwrap_or_default();
    let op = expr
        .get("operator")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let operator = match op {
        "In" => Operator::In,
        "NotIn" => Operator::NotIn,
        "Exists" => Operator::Exists,
        "DoesNotExist" => Operator::DoesNotExist,
        "Gt" => Operator::GreaterThan,
        "Lt" => Operator::LessThan,
        other => return Err(format!("operator: Unsupported value: {other:?}")),
    };
    Requirement::new(key, operator, values_of(expr))
}

/// `nodeSelectorRequirementsAsFieldSelector` for one expression: `In`/`NotIn` with one value.
fn field_requirement(expr: &Value) -> Result<FieldRequirement, String> {
    let key = expr.get("key").and_then(Value::as_str).unwrap_or_default();
    let op = expr
        .get("operator")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let equal = match op {
        "In" => true,
        "NotIn" => false,
        other => return Err(format!("operator: Unsupported value: {other:?}")),
    };
    let mut values = values_of(expr);
    if values.len() != 1 {
        return Err("values: Invalid value: must have one element".to_string());
    }
    Ok(FieldRequirement {
        key: key.to_string(),
        equal,
        value: values.remove(0),
    })
}

/// `nodeaffinity.RequiredNodeAffinity`: `spec.nodeSelector` (all labels must match) AND the
/// required node affinity terms (any term must match).
#[derive(Debug, Clone, Default)]
pub struct RequiredNodeAffinity {
    /// From `spec.nodeSelector` when it has entries.
    label_selector: Option<LabelSelector>,
    /// From `requiredDuringSchedulingIgnoredDuringExecution` (non-empty terms only).
    terms: Option<Vec<NodeSelectorTerm>>,
    /// Whether `spec.nodeSelector` is set at all (even `{}`) — it keeps the filter on.
    node_selector_set: bool,
    /// What PreFilter returns: `Some` when every term names nodes by `metadata.name`.
    node_names: Option<BTreeSet<String>>,
}

impl RequiredNodeAffinity {
    /// `nodeaffinity.GetRequiredNodeAffinity` of a pod spec.
    pub fn from_spec(spec: &Value) -> RequiredNodeAffinity {
        let node_selector = spec.get("nodeSelector").filter(|v| !v.is_null());
        let label_selector = node_selector
            .and_then(Value::as_object)
            .filter(|m| !m.is_empty())
            .map(LabelSelector::from_set);
        let required = spec
            .pointer("/affinity/nodeAffinity/requiredDuringSchedulingIgnoredDuringExecution")
            .filter(|v| !v.is_null());
        let raw_terms: &[Value] = required
            .and_then(|r| r.get("nodeSelectorTerms"))
            .and_then(Value::as_array)
            .map_or(&[], Vec::as_slice);
        let terms = required.map(|_| {
            raw_terms
                .iter()
                .filter(|t| !NodeSelectorTerm::is_empty(t))
                .map(NodeSelectorTerm::parse)
                .collect()
        });
        RequiredNodeAffinity {
            label_selector,
            terms,
            node_selector_set: node_selector.is_some(),
            node_names: names_from_terms(raw_terms),
        }
    }

    /// True when neither a node selector nor required node affinity is set: PreFilter skips.
    pub fn is_unset(&self) -> bool {
        !self.node_selector_set && self.terms.is_none()
    }

    /// `RequiredNodeAffinity.Match`, parse errors counting as no match.
    pub fn matches(&self, node: &NodeInfo) -> bool {
        if let Some(sel) = &self.label_selector
            && !sel.matches(node.labels())
        {
            return false;
        }
        match &self.terms {
            None => true,
            Some(terms) => terms.iter().any(|t| t.matches(node) == Some(true)),
        }
    }
}

/// The node names PreFilter restricts the search to: within a term, the intersection of its
/// `metadata.name In` fields; across terms (ORed), the union — unless some term names no node,
/// which leaves every node eligible.
fn names_from_terms(terms: &[Value]) -> Option<BTreeSet<String>> {
    if terms.is_empty() {
        return None;
    }
    let mut union = BTreeSet::new();
    for term in terms {
        let mut names: Option<BTreeSet<String>> = None;
        for f in term
            .get("matchFields")
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice)
        {
            let is_name_in = f.get("key").and_then(Value::as_str) == Some(OBJECT_NAME_FIELD)
                && f.get("operator").and_then(Value::as_str) == Some("In");
            if !is_name_in {
                continue;
            }
            let set: BTreeSet<String> = values_of(f).into_iter().collect();
            names = Some(match names {
                None => set,
                Some(prev) => prev.intersection(&set).cloned().collect(),
            });
        }
        union.extend(names?);
    }
    Some(union)
}

/// `nodeaffinity.PreferredSchedulingTerms`: weighted terms; a node scores the sum of the
/// weights of the terms it matches.
#[derive(Debug, Clone, Default)]
pub struct PreferredSchedulingTerms {
    terms: Vec<(i64, NodeSelectorTerm)>,
}

impl PreferredSchedulingTerms {
    /// The pod's `preferredDuringSchedulingIgnoredDuringExecution`: `None` when absent, an error
    /// when a term does not parse (the real PreScore then fails the cycle).
    pub fn from_spec(spec: &Value) -> Option<Result<PreferredSchedulingTerms, String>> {
        let list = spec
            .pointer("/affinity/nodeAffinity/preferredDuringSchedulingIgnoredDuringExecution")
            .filter(|v| !v.is_null())?;
        let mut terms = Vec::new();
        let mut errors = Vec::new();
        for t in list.as_array().map_or(&[][..], Vec::as_slice) {
            let weight = t.get("weight").and_then(Value::as_i64).unwrap_or(0);
            let preference = t.get("preference").unwrap_or(&Value::Null);
            // Weight 0 and empty preferences never count.
            if weight == 0 || NodeSelectorTerm::is_empty(preference) {
                continue;
            }
            let term = NodeSelectorTerm::parse(preference);
            match &term.parse_error {
                Some(e) => errors.push(e.clone()),
                None => terms.push((weight, term)),
            }
        }
        Some(if errors.is_empty() {
            Ok(PreferredSchedulingTerms { terms })
        } else {
            Err(errors.join("; "))
        })
    }

    pub fn score(&self, node: &NodeInfo) -> i64 {
        self.terms
            .iter()
            .filter(|(_, t)| t.matches(node) == Some(true))
            .map(|(w, _)| w)
            .sum()
    }
}

pub struct NodeAffinity;

impl FilterPlugin for NodeAffinity {
    fn name(&self) -> &'static str {
        NAME
    }

    fn pre_filter<'a>(
        &self,
        _state: &mut CycleState<'a>,
        pod: &'a PodInfo,
        _snapshot: &'a Snapshot,
    ) -> PreFilterResult<'a> {
        let required = &pod.required_node_affinity;
        if required.is_unset() {
            return PreFilterResult::skip();
        }
        match &required.node_names {
            Some(names) if names.is_empty() => PreFilterResult::status(Status::new(
                Code::UnschedulableAndUnresolvable,
                ERR_REASON_CONFLICT,
            )),
            Some(names) => PreFilterResult {
                status: Status::success(),
                node_names: Some(names.iter().map(String::as_str).collect()),
            },
            None => PreFilterResult::success(),
        }
    }

    fn filter(&self, _state: &CycleState<'_>, pod: &PodInfo, node: &NodeInfo) -> Status {
        if pod.required_node_affinity.matches(node) {
            Status::success()
        } else {
            Status::new(Code::UnschedulableAndUnresolvable, ERR_REASON_POD)
        }
    }
}

impl ScorePlugin for NodeAffinity {
    fn name(&self) -> &'static str {
        NAME
    }

    fn pre_score<'a>(
        &self,
        _state: &mut CycleState<'a>,
        pod: &'a PodInfo,
        _snapshot: &'a Snapshot,
        _nodes: &[usize],
    ) -> Status {
        match &pod.preferred_node_affinity {
            None => Status::skip(),
            Some(Ok(_)) => Status::success(),
            Some(Err(e)) => Status::new(Code::Error, e.clone()),
        }
    }

    fn score(
        &self,
        _state: &CycleState<'_>,
        pod: &PodInfo,
        _snapshot: &Snapshot,
        _pos: usize,
        node: &NodeInfo,
    ) -> i64 {
        match &pod.preferred_node_affinity {
            Some(Ok(terms)) => terms.score(node),
            _ => 0,
        }
    }

    fn normalize(&self, _state: &CycleState<'_>, scores: &mut [i64]) {
        default_normalize_score(MAX_NODE_SCORE, false, scores);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn node(name: &str, labels: Value) -> NodeInfo {
        NodeInfo::from_node(&json!({
            "metadata": {"name": name, "labels": labels},
            "status": {"allocatable": {"cpu": "4", "memory": "8Gi", "pods": "110"}}
        }))
    }

    fn pod(spec_extra: Value) -> PodInfo {
        let mut spec = json!({"containers": [{"name": "c", "image": "nginx"}]});
        if let (Some(s), Some(extra)) = (spec.as_object_mut(), spec_extra.as_object()) {
            s.extend(extra.clone());
        }
        PodInfo::from_pod(&json!({"metadata": {"name": "p", "namespace": "default"}, "spec": spec}))
    }

    #[test]
    fn node_selector_and_required_terms_filter() {
        let ssd = node("n1", json!({"disktype": "ssd", "cores": "16"}));
        let hdd = node("n2", json!({"disktype": "hdd", "cores": "4"}));
        let p = pod(json!({"nodeSelector": {"disktype": "ssd"}}));
        let state = CycleState::default();
        assert!(NodeAffinity.filter(&state, &p, &ssd).is_success());
        let s = NodeAffinity.filter(&state, &p, &hdd);
        assert_eq!(s.code(), Code::UnschedulableAndUnresolvable);
        assert_eq!(s.message(), ERR_REASON_POD);

        let gt = pod(
            json!({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [{"matchExpressions": [{"key": "cores", "operator": "Gt", "values": ["8"]}]}]}}}}),
        );
        assert!(NodeAffinity.filter(&state, &gt, &ssd).is_success());
        assert!(!NodeAffinity.filter(&state, &gt, &hdd).is_success());
    }

    #[test]
    fn prefilter_skips_without_affinity_and_narrows_to_named_nodes() {
        let snapshot = Snapshot::new();
        let mut state = CycleState::default();
        let plain = pod(json!({}));
        assert!(
            NodeAffinity
                .pre_filter(&mut state, &plain, &snapshot)
                .status
                .is_skip()
        );
        let ds = pod(
            json!({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [{"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["n2"]}]}]}}}}),
        );
        let r = NodeAffinity.pre_filter(&mut state, &ds, &snapshot);
        assert!(r.status.is_success());
        assert_eq!(r.node_names, Some(["n2"].into_iter().collect()));
        assert!(
            NodeAffinity
                .filter(&state, &ds, &node("n2", json!({})))
                .is_success()
        );
        assert!(
            !NodeAffinity
                .filter(&state, &ds, &node("n1", json!({})))
                .is_success()
        );
    }

    #[test]
    fn preferred_terms_score_their_weights() {
        let p = pod(
            json!({"affinity": {"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
            {"weight": 80, "preference": {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]}]}},
            {"weight": 20, "preference": {"matchExpressions": [{"key": "gpu", "operator": "Exists"}]}}]}}}),
        );
        let snapshot = Snapshot::new();
        let mut state = CycleState::default();
        assert!(
            NodeAffinity
                .pre_score(&mut state, &p, &snapshot, &[])
                .is_success()
        );
        let nodes = [
            node("a", json!({"zone": "a", "gpu": "1"})),
            node("b", json!({"zone": "a"})),
            node("c", json!({"zone": "b"})),
        ];
        let mut scores: Vec<i64> = nodes
            .iter()
            .enumerate()
            .map(|(i, n)| NodeAffinity.score(&state, &p, &snapshot, i, n))
            .collect();
        assert_eq!(scores, [100, 80, 0]);
        NodeAffinity.normalize(&state, &mut scores);
        assert_eq!(scores, [100, 80, 0]);
        assert!(
            NodeAffinity
                .pre_score(&mut state, &pod(json!({})), &snapshot, &[])
                .is_skip()
        );
    }
}
