//! The scheduling framework's vocabulary, after kube-scheduler's `framework/interface.go` and
//! `cycle_state.go`: status codes and statuses, the filter and score plugin interfaces, and the
//! per-cycle state a plugin's PreFilter/PreScore hands to its Filter/Score.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

use serde::Serialize;

use super::plugins::{inter_pod_affinity, pod_topology_spread, taint_toleration};
use super::snapshot::{NodeInfo, PodInfo, Snapshot};

/// `framework.MaxNodeScore`: every score plugin's normalised score is in `0..=100`.
pub const MAX_NODE_SCORE: i64 = 100;
/// `framework.MinNodeScore`.
pub const MIN_NODE_SCORE: i64 = 0;

/// `framework.Code`, serialised with the names `Code.String()` gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Code {
    Success,
    Error,
    /// The node does not fit now, but preemption might make room.
    Unschedulable,
    /// The node does not fit and preemption cannot change that.
    UnschedulableAndUnresolvable,
    /// The plugin has nothing to do for this pod in this cycle.
    Skip,
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Success => "Success",
            Code::Error => "Error",
            Code::Unschedulable => "Unschedulable",
            Code::UnschedulableAndUnresolvable => "UnschedulableAndUnresolvable",
            Code::Skip => "Skip",
        }
    }
}

/// `framework.Status`: a code and the reasons behind it. Reasons are `&'static str` wherever the
/// real ones are constants, so the hot path allocates nothing for nodes that fit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    code: Code,
    reasons: Vec<Cow<'static, str>>,
}

impl Status {
    /// A nil `*Status`: success.
    pub const fn success() -> Status {
        Status {
            code: Code::Success,
            reasons: Vec::new(),
        }
    }

    pub const fn skip() -> Status {
        Status {
            code: Code::Skip,
            reasons: Vec::new(),
        }
    }

    /// `framework.NewStatus(code, reason)`.
    pub fn new(code: Code, reason: impl Into<Cow<'static, str>>) -> Status {
        Status {
            code,
            reasons: vec![reason.into()],
        }
    }

    /// `framework.NewStatus(code, reasons...)`.
    pub fn with_reasons(code: Code, reasons: Vec<Cow<'static, str>>) -> Status {
        Status { code, reasons }
    }

    pub fn code(&self) -> Code {
        self.code
    }

    pub fn reasons(&self) -> &[Cow<'static, str>] {
        &self.reasons
    }

    /// `Status.Message()`: the reasons joined by `, `.
    pub fn message(&self) -> String {
        self.reasons.join(", ")
    }

    pub fn is_success(&self) -> bool {
        self.code == Code::Success
    }

    pub fn is_skip(&self) -> bool {
        self.code == Code::Skip
    }

    /// `Status.IsRejected()`: Unschedulable or UnschedulableAndUnresolvable.
    pub fn is_rejected(&self) -> bool {
        matches!(
            self.code,
            Code::Unschedulable | Code::UnschedulableAndUnresolvable
        )
    }
}

/// What a PreFilter returns: its status and, like `framework.PreFilterResult`, optionally the
/// only nodes worth filtering (NodeAffinity's `metadata.name` terms, as DaemonSet pods use).
#[derive(Debug)]
pub struct PreFilterResult<'a> {
    pub status: Status,
    pub node_names: Option<BTreeSet<&'a str>>,
}

impl<'a> PreFilterResult<'a> {
    pub fn status(status: Status) -> PreFilterResult<'a> {
        PreFilterResult {
            status,
            node_names: None,
        }
    }

    pub fn success() -> PreFilterResult<'a> {
        PreFilterResult::status(Status::success())
    }

    pub fn skip() -> PreFilterResult<'a> {
        PreFilterResult::status(Status::skip())
    }
}

/// A plugin at the PreFilter and Filter extension points (`framework.PreFilterPlugin` and
/// `framework.FilterPlugin` in one: every default filter plugin that has a PreFilter has a
/// Filter). A PreFilter that returns Skip turns the Filter off for the whole cycle.
pub trait FilterPlugin: Send + Sync {
    fn name(&self) -> &'static str;

    fn pre_filter<'a>(
        &self,
        _state: &mut CycleState<'a>,
        _pod: &'a PodInfo,
        _snapshot: &'a Snapshot,
    ) -> PreFilterResult<'a> {
        PreFilterResult::success()
    }

    fn filter(&self, state: &CycleState<'_>, pod: &PodInfo, node: &NodeInfo) -> Status;
}

/// A plugin at the PreScore, Score and NormalizeScore extension points. `nodes` are the feasible
/// nodes (indexes into `Snapshot::nodes`); `pos` is a node's place among them, so PreScore can
/// leave per-node results in a plain vector. A PreScore that returns Skip turns Score off.
pub trait ScorePlugin: Send + Sync {
    fn name(&self) -> &'static str;

    fn pre_score<'a>(
        &self,
        _state: &mut CycleState<'a>,
        _pod: &'a PodInfo,
        _snapshot: &'a Snapshot,
        _nodes: &[usize],
    ) -> Status {
        Status::success()
    }

    fn score(
        &self,
        state: &CycleState<'_>,
        pod: &PodInfo,
        snapshot: &Snapshot,
        pos: usize,
        node: &NodeInfo,
    ) -> i64;

    /// `ScoreExtensions().NormalizeScore`; plugins without one keep their raw scores.
    fn normalize(&self, _state: &CycleState<'_>, _scores: &mut [i64]) {}
}

/// `framework.CycleState`. Go keeps plugin state in a map of `StateData` interfaces keyed by
/// strings; here each plugin that pre-computes something has a typed slot, which costs no
/// downcasts and lets the state borrow from the snapshot and the pod for the cycle.
#[derive(Default)]
pub struct CycleState<'a> {
    pub taint_toleration: Option<taint_toleration::PreScoreState<'a>>,
    pub pod_topology_spread_filter: Option<pod_topology_spread::PreFilterState<'a>>,
    pub pod_topology_spread_score: Option<pod_topology_spread::PreScoreState<'a>>,
    pub inter_pod_affinity_filter: Option<inter_pod_affinity::PreFilterState<'a>>,
    pub inter_pod_affinity_score: Option<inter_pod_affinity::PreScoreState<'a>>,
    /// ImageLocality's image score sums, by feasible position.
    pub image_locality: Option<Vec<i64>>,
}

/// A fast, non-cryptographic hasher (the rustc/Firefox "Fx" multiply-rotate) for the
/// scheduler's own maps, keyed by label values, image names and node names that come from the
/// cluster's own objects. SipHash's flood resistance is not needed there; its cost per lookup
/// shows on every node of every cycle.
#[derive(Debug, Default, Clone, Copy)]
pub struct FxHasher {
    hash: u64,
}

const FX_SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(FX_SEED);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.hash
    }
}

/// A `HashMap` with [`FxHasher`].
pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// `helper.DefaultNormalizeScore`: scales scores so the highest becomes `max_priority`;
/// `reverse` turns "more is worse" counts into scores.
pub fn default_normalize_score(max_priority: i64, reverse: bool, scores: &mut [i64]) {
    let max_count = scores.iter().copied().fold(0, i64::max);
    if max_count == 0 {
        if reverse {
            scores.iter_mut().for_each(|s| *s = max_priority);
        }
        return;
    }
    for score in scores.iter_mut() {
        let mut s = max_priority * *score / max_count;
        if reverse {
            s = max_priority - s;
        }
        *score = s;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_normalize_scales_and_reverses() {
        let mut scores = [0, 1, 2, 4];
        default_normalize_score(MAX_NODE_SCORE, false, &mut scores);
        assert_eq!(scores, [0, 25, 50, 100]);
        let mut scores = [0, 1, 2, 4];
        default_normalize_score(MAX_NODE_SCORE, true, &mut scores);
        assert_eq!(scores, [100, 75, 50, 0]);
        let mut zeros = [0, 0];
        default_normalize_score(MAX_NODE_SCORE, true, &mut zeros);
        assert_eq!(zeros, [100, 100]);
    }

    #[test]
    fn status_message_joins_reasons() {
        let s = Status::with_reasons(
            Code::Unschedulable,
            vec!["Insufficient cpu".into(), "Insufficient memory".into()],
        );
        assert_eq!(s.message(), "Insufficient cpu, Insufficient memory");
        assert!(s.is_rejected());
        assert!(Status::success().is_success());
        assert_eq!(
            serde_json::to_string(&Code::UnschedulableAndUnresolvable).ok(),
            Some("\"UnschedulableAndUnresolvable\"".to_string())
        );
    }
}
