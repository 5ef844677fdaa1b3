//! Deployment and ReplicaSet validation (`pkg/apis/apps/validation/validation.go`), with the
//! selector immutability that the apps/v1 registry strategies add on update
//! (`pkg/registry/apps/deployment/strategy.go`, `…/replicaset/strategy.go`).

use serde_json::Value;

use super::meta::{
    self, NameRule, Selector, label_selector_as_selector, validate_label_selector,
    validate_nonnegative,
};
use super::pod::validate_pod_template_spec;
use super::{
    Path, field, get, go_int_or_string, go_label_selector, go_string_map, int_of, map_of, metadata,
    semantic_eq, str_of, string_map,
};
use crate::api::field_error::{FieldError, FieldErrorKind};

/// `ValidateDeployment`
pub(crate) fn validate_deployment(obj: &Value) -> Vec<FieldError> {
    let mut errs = meta::validate_object_meta(obj, true, NameRule::DnsSubdomain, true);
    errs.extend(validate_deployment_spec(
        field(obj, "spec"),
        &Path::new("spec"),
    ));
    errs
}

/// `ValidateDeploymentUpdate` plus the strategy's selector check.
pub(crate) fn validate_deployment_update(new: &Value, old: &Value) -> Vec<FieldError> {
    let mut errs = meta::validate_object_meta_update(new, old, true);
    errs.extend(validate_deployment_spec(
        field(new, "spec"),
        &Path::new("spec"),
    ));
    errs.extend(validate_selector_unchanged(new, old));
    errs
}

/// `ValidateDeploymentStatusUpdate`
pub(crate) fn validate_deployment_status_update(new: &Value, old: &Value) -> Vec<FieldError> {
    let mut errs = meta::validate_object_meta_update(new, old, true);
    let status = field(new, "status");
    let path = Path::new("status");
    for key in [
        "observedGeneration",
        "replicas",
        "updatedReplicas",
        "readyReplicas",
        "availableReplicas",
        "unavailableReplicas",
    ] {
        errs.extend(validate_nonnegative(
            int_of(status, key).unwrap_or(0),
            &path.child(key),
        ));
    }
    if let Some(count) = int_of(status, "collisionCount") {
        errs.extend(validate_nonnegative(count, &path.child("collisionCount")));
    }
    errs.extend(replica_counts_within(
        status,
        &["updatedReplicas", "readyReplicas", "availableReplicas"],
        &path,
    ));
    errs.extend(collision_count_not_decremented(
        status,
        field(old, "status"),
        &path,
    ));
    errs
}

/// `ValidateReplicaSet`
pub(crate) fn validate_replicaset(obj: &Value) -> Vec<FieldError> {
    let mut errs = meta::validate_object_meta(obj, true, NameRule::DnsSubdomain, true);
    errs.extend(validate_replicaset_spec(
        field(obj, "spec"),
        &Path::new("spec"),
    ));
    errs
}

/// `ValidateReplicaSetUpdate` plus the strategy's selector check.
pub(crate) fn validate_replicaset_update(new: &Value, old: &Value) -> Vec<FieldError> {
    let mut errs = meta::validate_object_meta_update(new, old, true);
    errs.extend(validate_replicaset_spec(
        field(new, "spec"),
        &Path::new("spec"),
    ));
    errs.extend(validate_selector_unchanged(new, old));
    errs
}

/// `ValidateReplicaSetStatusUpdate`
pub(crate) fn validate_replicaset_status_update(new: &Value, old: &Value) -> Vec<FieldError> {
    let mut errs = meta::validate_object_meta_update(new, old, true);
    let status = field(new, "status");
    let path = Path::new("status");
    for key in [
        "replicas",
        "fullyLabeledReplicas",
        "readyReplicas",
        "availableReplicas",
        "observedGeneration",
    ] {
        errs.extend(validate_nonnegative(
            int_of(status, key).unwrap_or(0),
            &path.child(key),
        ));
    }
    errs.extend(replica_counts_within(
        status,
        &["fullyLabeledReplicas", "readyReplicas", "availableReplicas"],
        &path,
    ));
    errs
}

fn replica_counts_within(status: &Value, keys: &[&str], path: &Path) -> Vec<FieldError> {
    let count = |key: &str| int_of(status, key).unwrap_or(0);
    let mut errs = Vec::new();
    for key in keys {
        if count(key) > count("replicas") {
            errs.push(FieldError::invalid(
                path.child(key),
                Value::from(count(key)),
                "cannot be greater than status.replicas",
            ));
        }
    }
    if count("availableReplicas") > count("readyReplicas") {
        errs.push(FieldError::invalid(
            path.child("availableReplicas"),
            Value::from(count("availableReplicas")),
            "cannot be greater than readyReplicas",
        ));
    }
    errs
}

/// `IsDecremented` on `status.collisionCount`.
fn collision_count_not_decremented(
    status: &Value,
    old_status: &Value,
    path: &Path,
) -> Vec<FieldError> {
    let (new, old) = (
        int_of(status, "collisionCount"),
        int_of(old_status, "collisionCount"),
    );
    let decremented = match (new, old) {
        (None, Some(_)) => true,
        (Some(new), Some(old)) => new < old,
        _ => false,
    };
    if decremented {
        vec![FieldError::invalid(
            path.child("collisionCount"),
            Value::from(new.unwrap_or(0)),
            "cannot be decremented",
        )]
    } else {
        Vec::new()
    }
}

/// The apps/v1 strategies forbid any change of `spec.selector`.
fn validate_selector_unchanged(new: &Value, old: &Value) -> Vec<FieldError> {
    let (new_selector, old_selector) = (
        get(field(new, "spec"), "selector"),
        get(field(old, "spec"), "selector"),
    );
    if semantic_eq(new_selector, old_selector) {
        return Vec::new();
    }
    let shown = match new_selector {
        Some(selector) => go_label_selector(selector),
        None => "\"null\"".to_string(),
    };
    vec![FieldError::with_shown_value(
        FieldErrorKind::Invalid,
        "spec.selector",
        shown,
        meta::FIELD_IMMUTABLE,
    )]
}

/// The selector checks shared by `ValidateDeploymentSpec` and `ValidateReplicaSetSpec`, then
/// the template against the selector.
fn validate_selector_and_template(spec: &Value, path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let selector = get(spec, "selector");
    match selector {
        None => errs.push(FieldError::required(path.child("selector"), "")),
        Some(selector) => {
            errs.extend(validate_label_selector(selector, &path.child("selector")));
            let empty = map_of(selector, "matchLabels").is_none_or(|m| m.is_empty())
                && selector
                    .get("matchExpressions")
                    .and_then(Value::as_array)
                    .is_none_or(|e| e.is_empty());
            if empty {
                errs.push(FieldError::with_shown_value(
                    FieldErrorKind::Invalid,
                    path.child("selector"),
                    go_label_selector(selector),
                    "empty selector is invalid for deployment",
                ));
            }
        }
    }
    match label_selector_as_selector(selector) {
        Err(()) => errs.push(FieldError::with_shown_value(
            FieldErrorKind::Invalid,
            path.child("selector"),
            selector.map(go_label_selector).unwrap_or_default(),
            "invalid label selector",
        )),
        Ok(selector) => errs.extend(validate_pod_template_for_replica_set(
            field(spec, "template"),
            &selector,
            &path.child("template"),
        )),
    }
    errs
}

/// `ValidatePodTemplateSpecForReplicaSet`
fn validate_pod_template_for_replica_set(
    template: &Value,
    selector: &Selector,
    path: &Path,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let template_meta = metadata(template);
    if !selector.is_empty() && !selector.matches(&string_map(template_meta, "labels")) {
        errs.push(FieldError::with_shown_value(
            FieldErrorKind::Invalid,
            path.child("metadata").child("labels"),
            go_string_map(map_of(template_meta, "labels")),
            "`selector` does not match template `labels`",
        ));
    }
    errs.extend(validate_pod_template_spec(template, path));
    let spec = field(template, "spec");
    let restart_policy = str_of(spec, "restartPolicy");
    if restart_policy != "Always" {
        errs.push(FieldError::not_supported(
            path.child("spec").child("restartPolicy"),
            Value::from(restart_policy),
            &["Always"],
        ));
    }
    if let Some(deadline) = get(spec, "activeDeadlineSeconds") {
        errs.push(FieldError::invalid(
            path.child("spec").child("activeDeadlineSeconds"),
            deadline.clone(),
            "activeDeadlineSeconds in ReplicaSet is not Supported",
        ));
    }
    errs
}

/// `ValidateDeploymentSpec`
fn validate_deployment_spec(spec: &Value, path: &Path) -> Vec<FieldError> {
    let mut errs = validate_nonnegative(
        int_of(spec, "replicas").unwrap_or(0),
        &path.child("replicas"),
    );
    errs.extend(validate_selector_and_template(spec, path));
    errs.extend(validate_deployment_strategy(
        field(spec, "strategy"),
        &path.child("strategy"),
    ));
    let min_ready = int_of(spec, "minReadySeconds").unwrap_or(0);
    errs.extend(validate_nonnegative(
        min_ready,
        &path.child("minReadySeconds"),
    ));
    if let Some(limit) = int_of(spec, "revisionHistoryLimit") {
        errs.extend(validate_nonnegative(
            limit,
            &path.child("revisionHistoryLimit"),
        ));
    }
    if let Some(deadline) = int_of(spec, "progressDeadlineSeconds") {
        errs.extend(validate_nonnegative(
            deadline,
            &path.child("progressDeadlineSeconds"),
        ));
        if deadline <= min_ready {
            errs.push(FieldError::invalid(
                path.child("progressDeadlineSeconds"),
                Value::from(deadline),
                "must be greater than minReadySeconds",
            ));
        }
    }
    errs
}

/// `ValidateReplicaSetSpec`
fn validate_replicaset_spec(spec: &Value, path: &Path) -> Vec<FieldError> {
    let mut errs = validate_nonnegative(
        int_of(spec, "replicas").unwrap_or(0),
        &path.child("replicas"),
    );
    errs.extend(validate_nonnegative(
        int_of(spec, "minReadySeconds").unwrap_or(0),
        &path.child("minReadySeconds"),
    ));
    errs.extend(validate_selector_and_template(spec, path));
    errs
}

/// `ValidateDeploymentStrategy`
fn validate_deployment_strategy(strategy: &Value, path: &Path) -> Vec<FieldError> {
    let rolling_update = get(strategy, "rollingUpdate");
    match str_of(strategy, "type") {
        "Recreate" => match rolling_update {
            Some(_) => vec![FieldError::forbidden(
                path.child("rollingUpdate"),
                "may not be specified when strategy `type` is 'Recreate'",
            )],
            None => Vec::new(),
        },
        "RollingUpdate" => match rolling_update {
            None => vec![FieldError::required(
                path.child("rollingUpdate"),
                "this should be defaulted and never be nil",
            )],
            Some(rolling) => {
                validate_rolling_update_deployment(rolling, &path.child("rollingUpdate"))
            }
        },
        kind => {
            let pointer = if rolling_update.is_some() {
                "(0xc000010000)"
            } else {
                "(nil)"
            };
            vec![FieldError::with_shown_value(
                FieldErrorKind::NotSupported,
                path,
                format!(
                    "apps.DeploymentStrategy{{Type:{}, RollingUpdate:(*apps.RollingUpdateDeployment){pointer}}}",
                    super::go_quote(kind)
                ),
                "supported values: \"Recreate\", \"RollingUpdate\"",
            )]
        }
    }
}

/// `ValidateRollingUpdateDeployment`
fn validate_rolling_update_deployment(rolling: &Value, path: &Path) -> Vec<FieldError> {
    let zero = Value::from(0);
    let max_unavailable = get(rolling, "maxUnavailable").unwrap_or(&zero);
    let max_surge = get(rolling, "maxSurge").unwrap_or(&zero);
    let mut errs = validate_positive_int_or_percent(max_unavailable, &path.child("maxUnavailable"));
    errs.extend(validate_positive_int_or_percent(
        max_surge,
        &path.child("maxSurge"),
    ));
    if int_or_percent_value(max_unavailable) == 0 && int_or_percent_value(max_surge) == 0 {
        errs.push(FieldError::with_shown_value(
            FieldErrorKind::Invalid,
            path.child("maxUnavailable"),
            go_int_or_string(max_unavailable),
            "may not be 0 when `maxSurge` is 0",
        ));
    }
    if percent_value(max_unavailable).is_some_and(|p| p > 100) {
        errs.push(FieldError::with_shown_value(
            FieldErrorKind::Invalid,
            path.child("maxUnavailable"),
            go_int_or_string(max_unavailable),
            "must not be greater than 100%",
        ));
    }
    errs
}

/// `ValidatePositiveIntOrPercent`
fn validate_positive_int_or_percent(value: &Value, path: &Path) -> Vec<FieldError> {
    match value {
        Value::String(s) => meta::is_valid_percent(s)
            .into_iter()
            .map(|m| {
                FieldError::with_shown_value(
                    FieldErrorKind::Invalid,
                    path,
                    go_int_or_string(value),
                    m,
                )
            })
            .collect(),
        other => validate_nonnegative(other.as_i64().unwrap_or(0), path),
    }
}

fn percent_value(value: &Value) -> Option<i64> {
    let s = value.as_str()?;
    meta::is_valid_percent(s)
        .is_empty()
        .then(|| s.trim_end_matches('%').parse().unwrap_or(0))
}

/// `getIntOrPercentValue`: a percent's number, else the int (a non-numeric string reads as 0).
fn int_or_percent_value(value: &Value) -> i64 {
    percent_value(value).unwrap_or_else(|| match value {
        Value::String(s) => s.parse().unwrap_or(0),
        other => other.as_i64().unwrap_or(0),
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::api::defaults::apply_defaults;

    fn deployment(spec: Value) -> Value {
        let mut d = json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "default"}, "spec": spec});
        apply_defaults("apps", "Deployment", &mut d);
        d
    }

    fn template(labels: Value) -> Value {
        json!({"metadata": {"labels": labels}, "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}})
    }

    fn messages(errs: &[FieldError]) -> Vec<String> {
        errs.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn a_defaulted_deployment_is_valid() {
        let d = deployment(
            json!({"selector": {"matchLabels": {"app": "x"}}, "template": template(json!({"app": "x"}))}),
        );
        assert!(
            validate_deployment(&d).is_empty(),
            "{:#?}",
            validate_deployment(&d)
        );
    }

    #[test]
    fn selector_must_match_template_labels() {
        let d = deployment(
            json!({"selector": {"matchLabels": {"app": "y"}}, "template": template(json!({"app": "x"}))}),
        );
        assert_eq!(
            messages(&validate_deployment(&d)),
            [
                "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"x\"}: `selector` does not match template `labels`"
            ]
        );
    }

    #[test]
    fn a_missing_selector_is_required_and_matches_nothing() {
        let d = deployment(json!({"template": template(json!({"app": "x"}))}));
        assert_eq!(
            messages(&validate_deployment(&d)),
            [
                "spec.selector: Required value",
                "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"x\"}: `selector` does not match template `labels`",
            ]
        );
    }

    #[test]
    fn an_empty_selector_is_invalid() {
        let d = deployment(json!({"selector": {}, "template": template(json!({"app": "x"}))}));
        assert_eq!(
            messages(&validate_deployment(&d)),
            [
                "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment"
            ]
        );
    }

    #[test]
    fn negative_replicas_and_bad_strategies() {
        let d = deployment(
            json!({"replicas": -1, "selector": {"matchLabels": {"app": "x"}}, "template": template(json!({"app": "x"})),
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": "0%"}}}),
        );
        assert_eq!(
            messages(&validate_deployment(&d)),
            [
                "spec.replicas: Invalid value: -1: must be greater than or equal to 0",
                "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}: may not be 0 when `maxSurge` is 0",
            ]
        );
        let d = deployment(
            json!({"selector": {"matchLabels": {"app": "x"}}, "template": template(json!({"app": "x"})),
            "strategy": {"type": "Rolling"}}),
        );
        assert_eq!(
            messages(&validate_deployment(&d)),
            [
                "spec.strategy: Unsupported value: apps.DeploymentStrategy{Type:\"Rolling\", RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}: supported values: \"Recreate\", \"RollingUpdate\""
            ]
        );
        let d = deployment(
            json!({"selector": {"matchLabels": {"app": "x"}}, "template": template(json!({"app": "x"})),
            "strategy": {"rollingUpdate": {"maxUnavailable": "150%", "maxSurge": "x"}}}),
        );
        assert_eq!(
            messages(&validate_deployment(&d)),
            [
                "spec.strategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:\"x\"}: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
                "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:\"150%\"}: must not be greater than 100%",
            ]
        );
    }

    #[test]
    fn templates_must_restart_always() {
        let mut t = template(json!({"app": "x"}));
        t["spec"]["restartPolicy"] = json!("Never");
        let d = deployment(json!({"selector": {"matchLabels": {"app": "x"}}, "template": t}));
        assert_eq!(
            messages(&validate_deployment(&d)),
            [
                "spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: \"Always\""
            ]
        );
    }

    #[test]
    fn template_containers_are_validated_under_the_template() {
        let d = deployment(json!({"selector": {"matchLabels": {"app": "x"}},
            "template": {"metadata": {"labels": {"app": "x"}}, "spec": {"containers": [{"name": "nginx"}]}}}));
        assert_eq!(
            messages(&validate_deployment(&d)),
            ["spec.template.spec.containers[0].image: Required value"]
        );
    }

    #[test]
    fn the_selector_is_immutable() {
        let mut old = deployment(
            json!({"selector": {"matchLabels": {"app": "x"}}, "template": template(json!({"app": "x", "v": "2"}))}),
        );
        old["metadata"]["resourceVersion"] = json!("3");
        let mut new = old.clone();
        new["spec"]["selector"] = json!({"matchLabels": {"app": "x", "v": "2"}});
        assert_eq!(
            messages(&validate_deployment_update(&new, &old)),
            [
                "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"x\", \"v\":\"2\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable"
            ]
        );
        let mut scaled = old.clone();
        scaled["spec"]["replicas"] = json!(5);
        assert!(validate_deployment_update(&scaled, &old).is_empty());
    }

    #[test]
    fn replicasets_share_the_rules() {
        let mut rs = json!({"metadata": {"name": "web-1", "namespace": "d"},
            "spec": {"replicas": -2, "selector": {"matchExpressions": [{"key": "app", "operator": "In", "values": ["x"]}]}, "template": template(json!({"app": "x"}))}});
        apply_defaults("apps", "ReplicaSet", &mut rs);
        assert_eq!(
            messages(&validate_replicaset(&rs)),
            ["spec.replicas: Invalid value: -2: must be greater than or equal to 0"]
        );
    }

    #[test]
    fn status_counts_stay_within_replicas() {
        let old = json!({"metadata": {"name": "w", "namespace": "d", "resourceVersion": "1"}, "status": {"collisionCount": 2}});
        let new = json!({"metadata": {"name": "w", "namespace": "d", "resourceVersion": "1"},
            "status": {"replicas": 1, "readyReplicas": 2, "availableReplicas": 3, "collisionCount": 1}});
        assert_eq!(
            messages(&validate_deployment_status_update(&new, &old)),
            [
                "status.readyReplicas: Invalid value: 2: cannot be greater than status.replicas",
                "status.availableReplicas: Invalid value: 3: cannot be greater than status.replicas",
                "status.availableReplicas: Invalid value: 3: cannot be greater than readyReplicas",
                "status.collisionCount: Invalid value: 1: cannot be decremented",
            ]
        );
        assert_eq!(
            messages(&validate_replicaset_status_update(
                &json!({"metadata": {"resourceVersion": "1"}, "status": {"replicas": -1}}),
                &json!({})
            )),
            [
                "status.replicas: Invalid value: -1: must be greater than or equal to 0",
                "status.fullyLabeledReplicas: Invalid value: 0: cannot be greater than status.replicas",
                "status.readyReplicas: Invalid value: 0: cannot be greater than status.replicas",
                "status.availableReplicas: Invalid value: 0: cannot be greater than status.replicas",
            ]
        );
    }
}
