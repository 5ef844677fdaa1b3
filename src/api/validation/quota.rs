//! LimitRange and ResourceQuota validation (`ValidateLimitRange`, `ValidateResourceQuota` of
//! `pkg/apis/core/validation/validation.go`): item types, the order min ≤ defaultRequest ≤
//! default ≤ max, and non-negative hard limits.

use super::Path;
use crate::api::field_error::FieldError;
use crate::api::pointer::At;
use crate::api::quantity::Quantity;
use serde_json::{Map, Value, json};

const LIMIT_TYPES: [&str; 3] = ["Pod", "Container", "PersistentVolumeClaim"];

fn resources<'a>(item: &'a Value, field: &str) -> Option<&'a Map<String, Value>> {
    item.get(field).and_then(Value::as_object)
}

fn quantity(value: &Value) -> Option<Quantity> {
    Quantity::from_json(value).ok()
}

pub fn validate_limit_range(obj: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let limits = Path::new("spec").child("limits");
    for (i, item) in obj
        .at("/spec/limits")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let path = limits.index(i);
        let kind = item.get("type").and_then(Value::as_str).unwrap_or("");
        if !LIMIT_TYPES.contains(&kind) {
            errs.push(FieldError::not_supported(
                path.child("type"),
                json!(kind),
                &LIMIT_TYPES,
            ));
        }
        if kind == "Pod" {
            for field in ["default", "defaultRequest"] {
                if resources(item, field).is_some_and(|r| !r.is_empty()) {
                    errs.push(FieldError::forbidden(
                        path.child(field),
                        "may not be specified when `type` is 'Pod'",
                    ));
                }
            }
        }
        // Each pair must be ordered; the message names both values, as the real one does.
        let order: [(&str, &str, &str); 6] = [
            ("min", "max", "min value %a is greater than max value %b"),
            (
                "defaultRequest",
                "default",
                "default request value %a is greater than default limit value %b",
            ),
            (
                "min",
                "defaultRequest",
                "min value %a is greater than default request value %b",
            ),
            (
                "defaultRequest",
                "max",
                "default request value %a is greater than max value %b",
            ),
            (
                "min",
                "default",
                "min value %a is greater than default value %b",
            ),
            (
                "default",
                "max",
                "default value %a is greater than max value %b",
            ),
        ];
        for (low, high, words) in order {
            let (Some(lows), Some(highs)) = (resources(item, low), resources(item, high)) else {
                continue;
            };
            for (resource, low_value) in lows {
                let (Some(a), Some(b)) =
                    (quantity(low_value), highs.get(resource).and_then(quantity))
                else {
                    continue;
                };
                if a > b {
                    let detail = words
                        .replace("%a", &a.to_string())
                        .replace("%b", &b.to_string());
                    errs.push(FieldError::invalid(
                        path.child(low).key(resource),
                        json!(a.to_string()),
                        detail,
                    ));
                }
            }
        }
    }
    errs
}

pub fn validate_resource_quota(obj: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for field in ["hard"] {
        let path = Path::new("spec").child(field);
        for (resource, value) in obj
            .at(&format!("/spec/{field}"))
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if let Some(q) = quantity(value)
                && q.sign() < 0
            {
                errs.push(FieldError::invalid(
                    path.key(resource),
                    json!(q.to_string()),
                    "must be greater than or equal to 0",
                ));
            }
        }
    }
    errs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_ranges_must_be_ordered() {
        let lr = json!({"spec": {"limits": [{"type": "Container", "min": {"cpu": "2"}, "max": {"cpu": "1"}}]}});
        let errs = validate_limit_range(&lr);
        assert_eq!(
            errs[0].to_string(),
            "spec.limits[0].min[cpu]: Invalid value: \"2\": min value 2 is greater than max value 1"
        );
        let lr = json!({"spec": {"limits": [{"type": "Node"}]}});
        assert!(
            validate_limit_range(&lr)[0]
                .to_string()
                .contains("Unsupported value: \"Node\"")
        );
        let lr = json!({"spec": {"limits": [{"type": "Container", "default": {"cpu": "500m"}, "max": {"cpu": "1"}}]}});
        assert!(validate_limit_range(&lr).is_empty());
    }

    #[test]
    fn quota_hard_limits_are_not_negative() {
        let q = json!({"spec": {"hard": {"pods": "-1", "cpu": "2"}}});
        let errs = validate_resource_quota(&q);
        assert_eq!(errs.len(), 1);
        assert_eq!(
            errs[0].to_string(),
            "spec.hard[pods]: Invalid value: \"-1\": must be greater than or equal to 0"
        );
    }
}
