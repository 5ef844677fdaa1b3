//! The TaintToleration plugin, and the taint and toleration types with the matching rules of
//! `v1.Toleration.ToleratesTaint`. Filter: a node's NoSchedule/NoExecute taints must all be
//! tolerated. Score: fewer untolerated PreferNoSchedule taints is better (weight 3).

use serde_json::Value;

use crate::scheduler::framework::{
    Code, CycleState, FilterPlugin, MAX_NODE_SCORE, ScorePlugin, Status, default_normalize_score,
};
use crate::scheduler::snapshot::{NodeInfo, PodInfo, Snapshot};

pub const NAME: &str = "TaintToleration";

/// `v1.TaintEffect`. Unknown effects are kept apart so that no toleration with an effect
/// matches them by accident.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaintEffect {
    NoSchedule,
    PreferNoSchedule,
    NoExecute,
    Other,
}

impl TaintEffect {
    fn parse(s: &str) -> TaintEffect {
        match s {
            "NoSchedule" => TaintEffect::NoSchedule,
            "PreferNoSchedule" => TaintEffect::PreferNoSchedule,
            "NoExecute" => TaintEffect::NoExecute,
            _ => TaintEffect::Other,
        }
    }
}

/// `v1.Taint` (the scheduler ignores `timeAdded`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taint {
    pub key: String,
    pub value: String,
    pub effect: TaintEffect,
}

impl Taint {
    /// A node's `spec.taints`.
    pub fn parse_list(taints: Option<&Value>) -> Vec<Taint> {
        let Some(list) = taints.and_then(Value::as_array) else {
            return Vec::new();
        };
        list.iter()
            .map(|t| Taint {
                key: str_field(t, "key").to_string(),
                value: str_field(t, "value").to_string(),
                effect: TaintEffect::parse(str_field(t, "effect")),
            })
            .collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Operator {
    /// `Equal`, also the meaning of an empty operator.
    Equal,
    Exists,
    /// Anything else tolerates nothing.
    Invalid,
}

/// `v1.Toleration` (the scheduler ignores `tolerationSeconds`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toleration {
    pub key: String,
    operator: Operator,
    pub value: String,
    /// `None` is the empty effect, which matches every effect.
    pub effect: Option<TaintEffect>,
}

impl Toleration {
    /// A pod's `spec.tolerations`.
    pub fn parse_list(tolerations: Option<&Value>) -> Vec<Toleration> {
        let Some(list) = tolerations.and_then(Value::as_array) else {
            return Vec::new();
        };
        list.iter()
            .map(|t| Toleration {
                key: str_field(t, "key").to_string(),
                operator: match str_field(t, "operator") {
                    "" | "Equal" => Operator::Equal,
                    "Exists" => Operator::Exists,
                    _ => Operator::Invalid,
                },
                value: str_field(t, "value").to_string(),
                effect: match str_field(t, "effect") {
                    "" => None,
                    e => Some(TaintEffect::parse(e)),
                },
            })
            .collect()
    }

    /// `Toleration.ToleratesTaint`: the effect (if set) and key (if set) must be the taint's,
    /// and `Exists` tolerates any value where `Equal` needs the same one. An empty key with
    /// `Exists` therefore tolerates everything.
    pub fn tolerates(&self, taint: &Taint) -> bool {
        if self.effect.is_some_and(|e| e != taint.effect) {
            return false;
        }
        if !self.key.is_empty() && self.key != taint.key {
            return false;
        }
        match self.operator {
            Operator::Equal => self.value == taint.value,
            Operator::Exists => true,
            Operator::Invalid => false,
        }
    }
}

fn str_field<'v>(v: &'v Value, key: &str) -> &'v str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// `v1helper.TolerationsTolerateTaint`.
pub fn tolerations_tolerate_taint<'t>(
    tolerations: impl IntoIterator<Item = &'t Toleration>,
    taint: &Taint,
) -> bool {
    tolerations.into_iter().any(|t| t.tolerates(taint))
}

/// `v1helper.FindMatchingUntoleratedTaint` with `helper.DoNotScheduleTaintsFilterFunc`: the
/// first NoSchedule or NoExecute taint no toleration tolerates.
pub fn find_untolerated_do_not_schedule_taint<'n>(
    taints: &'n [Taint],
    tolerations: &[Toleration],
) -> Option<&'n Taint> {
    taints.iter().find(|taint| {
        matches!(
            taint.effect,
            TaintEffect::NoSchedule | TaintEffect::NoExecute
        ) && !tolerations_tolerate_taint(tolerations, taint)
    })
}

/// The pod's tolerations that can tolerate a PreferNoSchedule taint (its effect, or empty).
pub struct PreScoreState<'a> {
    tolerations_prefer_no_schedule: Vec<&'a Toleration>,
}

pub struct TaintToleration;

impl FilterPlugin for TaintToleration {
    fn name(&self) -> &'static str {
        NAME
    }

    fn filter(&self, _state: &CycleState<'_>, pod: &PodInfo, node: &NodeInfo) -> Status {
        match find_untolerated_do_not_schedule_taint(&node.taints, &pod.tolerations) {
            None => Status::success(),
            // Built only for the failing node; the key and value are what learners need to see.
            Some(taint) => Status::new(
                Code::UnschedulableAndUnresolvable,
                format!(
                    "node(s) had untolerated taint {{{}: {}}}",
                    taint.key, taint.value
                ),
            ),
        }
    }
}

impl ScorePlugin for TaintToleration {
    fn name(&self) -> &'static str {
        NAME
    }

    fn pre_score<'a>(
        &self,
        state: &mut CycleState<'a>,
        pod: &'a PodInfo,
        _snapshot: &'a Snapshot,
        _nodes: &[usize],
    ) -> Status {
        state.taint_toleration = Some(PreScoreState {
            tolerations_prefer_no_schedule: pod
                .tolerations
                .iter()
                .filter(|t| t.effect.is_none_or(|e| e == TaintEffect::PreferNoSchedule))
                .collect(),
        });
        Status::success()
    }

    /// The number of PreferNoSchedule taints the pod does not tolerate.
    fn score(
        &self,
        state: &CycleState<'_>,
        _pod: &PodInfo,
        _snapshot: &Snapshot,
        _pos: usize,
        node: &NodeInfo,
    ) -> i64 {
        let Some(s) = &state.taint_toleration else {
            return 0;
        };
        node.taints
            .iter()
            .filter(|taint| {
                taint.effect == TaintEffect::PreferNoSchedule
                    && !tolerations_tolerate_taint(
                        s.tolerations_prefer_no_schedule.iter().copied(),
                        taint,
                    )
            })
            .count() as i64
    }

    /// Reversed: the node with the most untolerated taints gets 0, one with none gets 100.
    fn normalize(&self, _state: &CycleState<'_>, scores: &mut [i64]) {
        default_normalize_score(MAX_NODE_SCORE, true, scores);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn node(taints: Value) -> NodeInfo {
        NodeInfo::from_node(&json!({
            "metadata": {"name": "n1", "labels": {"kubernetes.io/hostname": "n1"}},
            "spec": {"taints": taints},
            "status": {"allocatable": {"cpu": "4", "memory": "8Gi", "pods": "110"}}
        }))
    }

    fn pod(tolerations: Value) -> PodInfo {
        PodInfo::from_pod(&json!({
            "metadata": {"name": "p", "namespace": "default"},
            "spec": {"containers": [{"name": "c", "image": "nginx"}], "tolerations": tolerations}
        }))
    }

    #[test]
    fn control_plane_taint_is_reported_with_key_and_empty_value() {
        let n =
            node(json!([{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]));
        let s = TaintToleration.filter(&CycleState::default(), &pod(json!([])), &n);
        assert_eq!(s.code(), Code::UnschedulableAndUnresolvable);
        assert_eq!(
            s.message(),
            "node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }"
        );
        let tolerant = pod(json!([{"key": "node-role.kubernetes.io/control-plane",
                                    "operator": "Exists", "effect": "NoSchedule"}]));
        assert!(
            TaintToleration
                .filter(&CycleState::default(), &tolerant, &n)
                .is_success()
        );
    }

    #[test]
    fn prefer_no_schedule_does_not_filter_but_scores() {
        let n = node(json!([{"key": "spot", "value": "true", "effect": "PreferNoSchedule"}]));
        let p = pod(json!([]));
        let mut state = CycleState::default();
        assert!(TaintToleration.filter(&state, &p, &n).is_success());
        let snapshot = Snapshot::new();
        assert!(
            TaintToleration
                .pre_score(&mut state, &p, &snapshot, &[])
                .is_success()
        );
        let clean = node(json!([]));
        let mut scores = [
            TaintToleration.score(&state, &p, &snapshot, 0, &n),
            TaintToleration.score(&state, &p, &snapshot, 1, &clean),
        ];
        assert_eq!(scores, [1, 0]);
        TaintToleration.normalize(&state, &mut scores);
        assert_eq!(scores, [0, 100]);
    }

    #[test]
    fn toleration_matching_rules() {
        let taint = Taint {
            key: "k".into(),
            value: "v".into(),
            effect: TaintEffect::NoExecute,
        };
        let t = |v: Value| Toleration::parse_list(Some(&json!([v]))).remove(0);
        assert!(t(json!({"operator": "Exists"})).tolerates(&taint));
        assert!(t(json!({"key": "k", "value": "v"})).tolerates(&taint));
        assert!(!t(json!({"key": "k", "value": "w"})).tolerates(&taint));
        assert!(
            !t(json!({"key": "k", "operator": "Exists", "effect": "NoSchedule"})).tolerates(&taint)
        );
        assert!(!t(json!({"key": "k", "operator": "Bogus"})).tolerates(&taint));
    }
}
