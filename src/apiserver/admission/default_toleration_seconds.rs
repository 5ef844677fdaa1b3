//! DefaultTolerationSeconds: every pod tolerates a NotReady or unreachable node for 300 s
//! before the taint manager evicts it — unless it says otherwise.

use super::{Attributes, Operation, Verdict};
use crate::api::pointer::At;
use serde_json::{Value, json};

/// `--default-not-ready-toleration-seconds` and `--default-unreachable-toleration-seconds`.
pub const DEFAULT_TOLERATION_SECONDS: i64 = 300;
const TAINTS: [&str; 2] = [
    "node.kubernetes.io/not-ready",
    "node.kubernetes.io/unreachable",
];

pub fn admit(attributes: &Attributes<'_>, pod: &Value) -> Option<Verdict> {
    if !(attributes.is_pod_write() && attributes.operation == Operation::Create) {
        return None;
    }
    let tolerations = pod.at("/spec/tolerations").and_then(Value::as_array);
    let tolerates = |key: &str| {
        tolerations.into_iter().flatten().any(|t| {
            let effect = t.get("effect").and_then(Value::as_str).unwrap_or("");
            let matches_key = match t.get("key").and_then(Value::as_str) {
                None | Some("") => t.get("operator").and_then(Value::as_str) == Some("Exists"),
                Some(k) => k == key,
            };
            matches_key && (effect.is_empty() || effect == "NoExecute")
        })
    };
    let mut patch = Vec::new();
    if tolerations.is_none() {
        patch.push(json!({"op": "add", "path": "/spec/tolerations", "value": []}));
    }
    let mut added = Vec::new();
    for key in TAINTS {
        if !tolerates(key) {
            patch.push(json!({"op": "add", "path": "/spec/tolerations/-", "value": {
                "key": key, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": DEFAULT_TOLERATION_SECONDS,
            }}));
            added.push(key);
        }
    }
    if added.is_empty() {
        return Some(Verdict::Skipped(
            "the pod already tolerates not-ready and unreachable nodes".to_string(),
        ));
    }
    Some(Verdict::patched(
        format!(
            "tolerate {} for {DEFAULT_TOLERATION_SECONDS}s",
            added.join(" and ")
        ),
        Value::Array(patch),
    ))
}
