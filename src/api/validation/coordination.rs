//! Lease validation (`pkg/apis/coordination/validation/validation.go`): the node heartbeats of
//! `kube-node-lease` and leader-election locks.

use serde_json::Value;

use super::meta::{self, NameRule, is_qualified_name};
use super::{Path, field, get, int_of, str_of};
use crate::api::field_error::FieldError;

/// The coordinated leader-election strategies Kubernetes defines.
const LEASE_STRATEGIES: [&str; 1] = ["OldestEmulationVersion"];

/// `ValidateLease`: apimachinery's ObjectMeta checks (no standard-finalizer rule), then the spec.
pub(crate) fn validate_lease(lease: &Value) -> Vec<FieldError> {
    let mut errs = meta::validate_object_meta(lease, true, NameRule::DnsSubdomain, false);
    errs.extend(validate_lease_spec(
        field(lease, "spec"),
        &Path::new("spec"),
    ));
    errs
}

/// `ValidateLeaseUpdate`
pub(crate) fn validate_lease_update(new: &Value, old: &Value) -> Vec<FieldError> {
    let mut errs = meta::validate_object_meta_update(new, old, false);
    errs.extend(validate_lease_spec(field(new, "spec"), &Path::new("spec")));
    errs
}

/// `ValidateLeaseSpec`
fn validate_lease_spec(spec: &Value, path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if let Some(duration) = int_of(spec, "leaseDurationSeconds").filter(|d| *d <= 0) {
        errs.push(FieldError::invalid(
            path.child("leaseDurationSeconds"),
            Value::from(duration),
            "must be greater than 0",
        ));
    }
    if let Some(transitions) = int_of(spec, "leaseTransitions").filter(|t| *t < 0) {
        errs.push(FieldError::invalid(
            path.child("leaseTransitions"),
            Value::from(transitions),
            "must be greater than or equal to 0",
        ));
    }
    if get(spec, "strategy").is_some() {
        // `ValidateCoordinatedLeaseStrategy` is handed `spec.strategy` and adds `.strategy` again.
        let strategy = str_of(spec, "strategy");
        let strategy_path = path.child("strategy").child("strategy");
        if !strategy.contains('/') {
            if !LEASE_STRATEGIES.contains(&strategy) {
                errs.push(FieldError::not_supported(
                    strategy_path,
                    Value::from(strategy),
                    &LEASE_STRATEGIES,
                ));
            }
        } else {
            for msg in is_qualified_name(strategy) {
                errs.push(FieldError::invalid(
                    &strategy_path,
                    Value::from(strategy),
                    msg,
                ));
            }
        }
    }
    if !str_of(spec, "preferredHolder").is_empty() && str_of(spec, "strategy").is_empty() {
        errs.push(FieldError::forbidden(
            path.child("preferredHolder"),
            "may only be specified if `strategy` is defined",
        ));
    }
    errs
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn messages(errs: &[FieldError]) -> Vec<String> {
        errs.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn a_node_lease_is_valid() {
        let lease = json!({"metadata": {"name": "node-1", "namespace": "kube-node-lease"},
            "spec": {"holderIdentity": "node-1", "leaseDurationSeconds": 40, "renewTime": "2024-05-01T10:00:00.000000Z"}});
        assert!(validate_lease(&lease).is_empty());
    }

    #[test]
    fn durations_and_strategies() {
        let lease = json!({"metadata": {"name": "l", "namespace": "d"},
            "spec": {"leaseDurationSeconds": 0, "leaseTransitions": -1, "strategy": "Newest", "preferredHolder": "a"}});
        assert_eq!(
            messages(&validate_lease(&lease)),
            [
                "spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0",
                "spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0",
                "spec.strategy.strategy: Unsupported value: \"Newest\": supported values: \"OldestEmulationVersion\"",
            ]
        );
        let lease =
            json!({"metadata": {"name": "l", "namespace": "d"}, "spec": {"preferredHolder": "a"}});
        assert_eq!(
            messages(&validate_lease(&lease)),
            ["spec.preferredHolder: Forbidden: may only be specified if `strategy` is defined"]
        );
    }

    #[test]
    fn lease_finalizers_need_not_be_standard() {
        let lease = json!({"metadata": {"name": "l", "namespace": "d", "finalizers": ["custom"]}});
        assert!(validate_lease(&lease).is_empty());
    }
}
