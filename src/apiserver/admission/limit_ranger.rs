//! LimitRanger: the LimitRange objects of a namespace give containers default requests and
//! limits (mutating, recorded in the `kubernetes.io/limit-ranger` annotation) and bound them
//! with min, max and maxLimitRequestRatio (validating), per Container and per Pod.

use super::{Attributes, Operation, Verdict, display_name};
use crate::api::kinds::LIMIT_RANGES;
use crate::api::pointer::At;
use crate::api::quantity::Quantity;
use crate::api::status::ApiError;
use crate::apiserver::Ctx;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

const ANNOTATION: &str = "kubernetes.io/limit-ranger";

/// The default limits and requests of the namespace's Container items. LimitRange objects are
/// defaulted when stored (`SetDefaults_LimitRangeItem` in `defaults.rs`: default from max,
/// defaultRequest from default, then min), so `default` and `defaultRequest` are complete.
fn container_defaults(items: &[Value]) -> (BTreeMap<String, Value>, BTreeMap<String, Value>) {
    let mut limits = BTreeMap::new();
    let mut requests = BTreeMap::new();
    let containers = items
        .iter()
        .filter(|i| i.get("type").and_then(Value::as_str) == Some("Container"));
    for item in containers {
        for (field, into) in [("default", &mut limits), ("defaultRequest", &mut requests)] {
            for (resource, value) in item
                .get(field)
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                into.entry(resource.clone())
                    .or_insert_with(|| value.clone());
            }
        }
    }
    (limits, requests)
}

fn limit_range_items(ctx: &Ctx<'_>, namespace: &str) -> Vec<Value> {
    ctx.server
        .cache()
        .list(&LIMIT_RANGES, Some(namespace))
        .iter()
        .flat_map(|lr| {
            lr.at("/spec/limits")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
        })
        .collect()
}

pub fn admit(ctx: &Ctx<'_>, attributes: &Attributes<'_>, pod: &Value) -> Option<Verdict> {
    if !(attributes.is_pod_write() && attributes.operation == Operation::Create) {
        return None;
    }
    let namespace = attributes.namespace.unwrap_or("default");
    let items = limit_range_items(ctx, namespace);
    if items.is_empty() {
        return Some(Verdict::Skipped(format!(
            "no LimitRange in namespace {namespace}"
        )));
    }
    let (default_limits, default_requests) = container_defaults(&items);
    let mut patch = Vec::new();
    let mut notes = Vec::new();
    for (list, container_type) in [
        ("initContainers", "init container"),
        ("containers", "container"),
    ] {
        let Some(containers) = pod.at(&format!("/spec/{list}")).and_then(Value::as_array) else {
            continue;
        };
        for (i, container) in containers.iter().enumerate() {
            let name = container.get("name").and_then(Value::as_str).unwrap_or("");
            let resources = container
                .get("resources")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            let mut set_requests = Vec::new();
            let mut set_limits = Vec::new();
            let mut merged = resources.clone();
            for (field, defaults, set) in [
                ("limits", &default_limits, &mut set_limits),
                ("requests", &default_requests, &mut set_requests),
            ] {
                let mut values = merged
                    .get(field)
                    .and_then(Value::as_object)
                    .cloned()
                    .unwrap_or_default();
                for (resource, value) in defaults {
                    if !values.contains_key(resource) {
                        values.insert(resource.clone(), value.clone());
                        set.push(resource.clone());
                    }
                }
                if !values.is_empty() {
                    merged.insert(field.to_string(), Value::Object(values));
                }
            }
            if set_requests.is_empty() && set_limits.is_empty() {
                continue;
            }
            patch.push(super::add_op(
                format!("/spec/{list}/{i}/resources"),
                Value::Object(merged),
            ));
            if !set_requests.is_empty() {
                set_requests.sort();
                notes.push(format!(
                    "{} request for {container_type} {name}",
                    set_requests.join(", ")
                ));
            }
            if !set_limits.is_empty() {
                set_limits.sort();
                notes.push(format!(
                    "{} limit for {container_type} {name}",
                    set_limits.join(", ")
                ));
            }
        }
    }
    if patch.is_empty() {
        return Some(Verdict::Allowed(
            "every container already states its requests and limits".to_string(),
        ));
    }
    let annotation = format!("LimitRanger plugin set: {}", notes.join("; "));
    if pod.at("/metadata/annotations").is_none_or(Value::is_null) {
        patch.push(json!({"op": "add", "path": "/metadata/annotations", "value": {}}));
    }
    let path = format!("/metadata/annotations/{}", ANNOTATION.replace('/', "~1"));
    patch.push(json!({"op": "add", "path": path, "value": annotation}));
    Some(Verdict::patched(annotation, Value::Array(patch)))
}

fn quantity(value: Option<&Value>) -> Option<Quantity> {
    value.and_then(|v| Quantity::from_json(v).ok())
}

pub fn validate(ctx: &Ctx<'_>, attributes: &Attributes<'_>) -> Option<Verdict> {
    if !(attributes.is_pod_write() && attributes.operation == Operation::Create) {
        return None;
    }
    let pod = attributes.object?;
    let namespace = attributes.namespace.unwrap_or("default");
    let items = limit_range_items(ctx, namespace);
    if items.is_empty() {
        return Some(Verdict::Skipped(format!(
            "no LimitRange in namespace {namespace}"
        )));
    }
    let mut errors = Vec::new();
    let containers: Vec<&Value> = ["initContainers", "containers"]
        .iter()
        .flat_map(|list| {
            pod.at(&format!("/spec/{list}"))
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
        })
        .collect();
    for item in &items {
        let kind = item.get("type").and_then(Value::as_str).unwrap_or("");
        let bounds = |field: &str| {
            item.get(field)
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default()
        };
        let (min, max, ratio) = (bounds("min"), bounds("max"), bounds("maxLimitRequestRatio"));
        match kind {
            "Container" => {
                for container in &containers {
                    let requests = container
                        .at("/resources/requests")
                        .and_then(Value::as_object)
                        .cloned()
                        .unwrap_or_default();
                    let limits = container
                        .at("/resources/limits")
                        .and_then(Value::as_object)
                        .cloned()
                        .unwrap_or_default();
                    check(kind, &min, &max, &ratio, &requests, &limits, &mut errors);
                }
            }
            "Pod" => {
                let sum = |field: &str| {
                    let mut total: BTreeMap<String, Quantity> = BTreeMap::new();
                    for container in &containers {
                        for (resource, value) in container
                            .at(&format!("/resources/{field}"))
                            .and_then(Value::as_object)
                            .into_iter()
                            .flatten()
                        {
                            if let Some(q) = quantity(Some(value)) {
                                let entry = total
                                    .entry(resource.clone())
                                    .or_insert_with(|| Quantity::zero(q.format()));
                                *entry = entry.add(&q);
                            }
                        }
                    }
                    total
                        .into_iter()
                        .map(|(k, v)| (k, v.to_json()))
                        .collect::<Map<String, Value>>()
                };
                check(
                    kind,
                    &min,
                    &max,
                    &ratio,
                    &sum("requests"),
                    &sum("limits"),
                    &mut errors,
                );
            }
            _ => {}
        }
    }
    if errors.is_empty() {
        return Some(Verdict::Allowed(
            "requests and limits are within the namespace's LimitRange".to_string(),
        ));
    }
    let joined = if errors.len() == 1 {
        errors.remove(0)
    } else {
        format!("[{}]", errors.join(", "))
    };
    Some(Verdict::Denied(
        ApiError::forbidden(format!(
            "pods \"{}\" is forbidden: {joined}",
            display_name(attributes, pod)
        ))
        .with_details(json!({"name": display_name(attributes, pod), "kind": "pods"})),
    ))
}

/// The min / max / ratio checks of one item against one set of requests and limits, with the
/// real wording.
fn check(
    kind: &str,
    min: &Map<String, Value>,
    max: &Map<String, Value>,
    ratio: &Map<String, Value>,
    requests: &Map<String, Value>,
    limits: &Map<String, Value>,
    errors: &mut Vec<String>,
) {
    for (resource, bound) in min {
        let Some(bound_q) = quantity(Some(bound)) else {
            continue;
        };
        match quantity(requests.get(resource)) {
            None => errors.push(format!(
                "minimum {resource} usage per {kind} is {bound_q}.  No request is specified"
            )),
            Some(request) if request < bound_q => errors.push(format!(
                "minimum {resource} usage per {kind} is {bound_q}, but request is {request}"
            )),
            _ => {}
        }
        if let Some(limit) = quantity(limits.get(resource))
            && limit < bound_q
        {
            errors.push(format!(
                "minimum {resource} usage per {kind} is {bound_q}, but limit is {limit}"
            ));
        }
    }
    for (resource, bound) in max {
        let Some(bound_q) = quantity(Some(bound)) else {
            continue;
        };
        match quantity(limits.get(resource)) {
            None => errors.push(format!(
                "maximum {resource} usage per {kind} is {bound_q}.  No limit is specified"
            )),
            Some(limit) if limit > bound_q => errors.push(format!(
                "maximum {resource} usage per {kind} is {bound_q}, but limit is {limit}"
            )),
            _ => {}
        }
    }
    for (resource, bound) in ratio {
        let Some(bound_q) = quantity(Some(bound)) else {
            continue;
        };
        let (Some(request), Some(limit)) = (
            quantity(requests.get(resource)),
            quantity(limits.get(resource)),
        ) else {
            continue;
        };
        let (request_m, limit_m) = (request.milli_value(), limit.milli_value());
        if request_m == 0 {
            continue;
        }
        let observed = limit_m as f64 / request_m as f64;
        let allowed = bound_q.milli_value() as f64 / 1000.0;
        if observed > allowed {
            errors.push(format!(
                "{resource} max limit to request ratio per {kind} is {bound_q}, but provided ratio is {observed:.6}"
            ));
        }
    }
}
