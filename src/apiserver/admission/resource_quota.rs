//! ResourceQuota: a namespace's ResourceQuota objects cap what may exist in it — how many pods
//! or configmaps, how much CPU and memory pods request or are limited to. A create that would
//! go over is refused with `exceeded quota`; when a quota bounds CPU or memory, each container
//! must state it (`must specify`). When the create is admitted, the quota's `status.used` is
//! brought up to date, as kube-apiserver's quota admission does.

use super::{Attributes, Operation, Verdict, display_name};
use crate::api::kinds::{self, PODS, RESOURCE_QUOTAS};
use crate::api::pointer::At;
use crate::api::quantity::Quantity;
use crate::api::status::{ApiError, qualified_resource};
use crate::apiserver::Ctx;
use crate::apiserver::storage::set_resource_version;
use crate::flow::{Hop, HopKind};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// The compute resources that oblige every container to state them.
const COMPUTE: [&str; 6] = [
    "cpu",
    "memory",
    "requests.cpu",
    "requests.memory",
    "limits.cpu",
    "limits.memory",
];

fn is_terminal(pod: &Value) -> bool {
    matches!(
        pod.at("/status/phase").and_then(Value::as_str),
        Some("Succeeded" | "Failed")
    )
}

fn zero() -> Quantity {
    Quantity::new(0, crate::api::quantity::Format::DecimalSI)
}

/// What one pod counts for, for each compute resource (init containers count by their max, as
/// the pod evaluator does).
fn pod_usage(pod: &Value) -> BTreeMap<String, Quantity> {
    let mut usage = BTreeMap::new();
    for (class, field) in [("requests", "requests"), ("limits", "limits")] {
        for resource in ["cpu", "memory"] {
            let sum_of = |list: &str, max: bool| {
                let mut total = zero();
                for c in pod
                    .at(&format!("/spec/{list}"))
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    if let Some(q) = c
                        .at(&format!("/resources/{field}/{resource}"))
                        .and_then(|v| Quantity::from_json(v).ok())
                    {
                        total = if max {
                            if q > total { q } else { total }
                        } else {
                            total.add(&q)
                        };
                    }
                }
                total
            };
            let containers = sum_of("containers", false);
            let init = sum_of("initContainers", true);
            let value = if init > containers { init } else { containers };
            usage.insert(format!("{class}.{resource}"), value.clone());
            if class == "requests" {
                usage.insert(resource.to_string(), value);
            }
        }
    }
    usage.insert(
        "pods".to_string(),
        Quantity::new(1, crate::api::quantity::Format::DecimalSI),
    );
    usage.insert(
        "count/pods".to_string(),
        Quantity::new(1, crate::api::quantity::Format::DecimalSI),
    );
    usage
}

/// What creating one object of `resource` adds, by quota resource name.
fn delta(attributes: &Attributes<'_>, object: &Value) -> BTreeMap<String, Quantity> {
    if attributes.resource == "pods" && attributes.group.is_empty() {
        return pod_usage(object);
    }
    let one = Quantity::new(1, crate::api::quantity::Format::DecimalSI);
    let mut delta = BTreeMap::new();
    let counted = if attributes.group.is_empty() {
        attributes.resource.to_string()
    } else {
        format!("{}.{}", attributes.resource, attributes.group)
    };
    delta.insert(format!("count/{counted}"), one.clone());
    if attributes.group.is_empty()
        && matches!(
            attributes.resource,
            "configmaps"
                | "secrets"
                | "services"
                | "resourcequotas"
                | "persistentvolumeclaims"
                | "replicationcontrollers"
        )
    {
        delta.insert(attributes.resource.to_string(), one);
    }
    delta
}

/// The current usage in `namespace` of each resource a quota names.
fn usage(
    ctx: &Ctx<'_>,
    namespace: &str,
    resources: &BTreeSet<String>,
) -> BTreeMap<String, Quantity> {
    let mut used: BTreeMap<String, Quantity> =
        resources.iter().map(|r| (r.clone(), zero())).collect();
    let wants_pods = resources
        .iter()
        .any(|r| COMPUTE.contains(&r.as_str()) || r == "pods" || r == "count/pods");
    if wants_pods
        && let Ok(page) =
            ctx.server
                .objects()
                .list(&PODS.prefix(Some(namespace)), 0, None, 0, &|p| {
                    !is_terminal(p)
                })
    {
        for pod in &page.items {
            for (resource, q) in pod_usage(pod) {
                if let Some(total) = used.get_mut(&resource) {
                    *total = total.add(&q);
                }
            }
        }
    }
    for resource in resources {
        let counted = resource.strip_prefix("count/").unwrap_or(resource);
        if counted == "pods" {
            continue;
        }
        let (plural, group) = counted.split_once('.').unwrap_or((counted, ""));
        let rt = kinds::ALL.iter().find(|rt| {
            rt.plural == plural && rt.group == group && rt.namespaced && !rt.storage.is_empty()
        });
        let Some(rt) = rt else { continue };
        if let Ok(page) =
            ctx.server
                .objects()
                .list(&rt.prefix(Some(namespace)), 0, None, 0, &|_| true)
        {
            used.insert(
                resource.clone(),
                Quantity::new(
                    page.items.len() as i64,
                    crate::api::quantity::Format::DecimalSI,
                ),
            );
        }
    }
    used
}

fn pretty(values: &BTreeMap<String, Quantity>) -> String {
    values
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

pub fn validate(ctx: &Ctx<'_>, attributes: &Attributes<'_>) -> Option<Verdict> {
    if attributes.operation != Operation::Create || attributes.subresource.is_some() {
        return None;
    }
    let namespace = attributes.namespace?;
    let object = attributes.object?;
    let quotas = ctx.server.cache().list(&RESOURCE_QUOTAS, Some(namespace));
    if quotas.is_empty() {
        return attributes
            .is_pod_write()
            .then(|| Verdict::Skipped(format!("no ResourceQuota in namespace {namespace}")));
    }
    let name = display_name(attributes, object).to_string();
    let forbidden = |message: String| {
        Verdict::Denied(
            ApiError::forbidden(format!(
                "{} \"{name}\" is forbidden: {message}",
                qualified_resource(attributes.group, attributes.resource)
            ))
            .with_details(
                json!({"name": name, "group": attributes.group, "kind": attributes.resource}),
            ),
        )
    };
    let delta = delta(attributes, object);
    let mut updates = Vec::new();
    for quota in &quotas {
        let quota_name = quota
            .at("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("");
        let hard: BTreeMap<String, Quantity> = quota
            .at("/spec/hard")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .filter_map(|(k, v)| Quantity::from_json(v).ok().map(|q| (k.clone(), q)))
            .collect();
        if !hard.keys().any(|k| delta.contains_key(k)) {
            continue;
        }
        if attributes.is_pod_write()
            && let Some(missing) = missing_compute(object, &hard)
        {
            return Some(forbidden(format!(
                "failed quota: {quota_name}: must specify {missing}"
            )));
        }
        let resources: BTreeSet<String> = hard.keys().cloned().collect();
        let used = usage(ctx, namespace, &resources);
        let (mut requested, mut failed_used, mut failed_hard) =
            (BTreeMap::new(), BTreeMap::new(), BTreeMap::new());
        for (resource, limit) in &hard {
            let Some(add) = delta.get(resource) else {
                continue;
            };
            let now = used.get(resource).cloned().unwrap_or_else(zero);
            if &now.add(add) > limit {
                requested.insert(resource.clone(), add.clone());
                failed_used.insert(resource.clone(), now);
                failed_hard.insert(resource.clone(), limit.clone());
            }
        }
        if !requested.is_empty() {
            return Some(forbidden(format!(
                "exceeded quota: {quota_name}, requested: {}, used: {}, limited: {}",
                pretty(&requested),
                pretty(&failed_used),
                pretty(&failed_hard)
            )));
        }
        let new_used: Map<String, Value> = hard
            .keys()
            .map(|r| {
                let mut value = used.get(r).cloned().unwrap_or_else(zero);
                if let Some(add) = delta.get(r) {
                    value = value.add(add);
                }
                (r.clone(), value.to_json())
            })
            .collect();
        updates.push((quota.clone(), new_used));
    }
    if updates.is_empty() {
        return attributes
            .is_pod_write()
            .then(|| Verdict::Skipped("no quota in this namespace counts it".to_string()));
    }
    let names: Vec<String> = updates
        .iter()
        .map(|(q, _)| {
            q.at("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        })
        .collect();
    if !attributes.dry_run {
        for (quota, used) in updates {
            record_usage(ctx, &quota, used);
        }
    }
    Some(Verdict::Allowed(format!(
        "within quota {}",
        names.join(", ")
    )))
}

/// `must specify limits.cpu for: nginx; requests.cpu for: nginx`, when a quota bounds a
/// compute resource some container does not state.
fn missing_compute(pod: &Value, hard: &BTreeMap<String, Quantity>) -> Option<String> {
    let mut missing: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for resource in COMPUTE.iter().filter(|r| hard.contains_key(**r)) {
        let (class, name) = match resource.split_once('.') {
            Some((class, name)) => (class, name),
            None => ("requests", *resource),
        };
        for c in pod
            .at("/spec/containers")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if c.at(&format!("/resources/{class}/{name}"))
                .is_none_or(Value::is_null)
            {
                missing.entry(resource).or_default().insert(
                    c.get("name")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string(),
                );
            }
        }
    }
    if missing.is_empty() {
        return None;
    }
    Some(
        missing
            .iter()
            .map(|(resource, containers)| {
                format!(
                    "{resource} for: {}",
                    containers.iter().cloned().collect::<Vec<_>>().join(",")
                )
            })
            .collect::<Vec<_>>()
            .join("; "),
    )
}

/// Writes the quota's new `status` (hard and used); a concurrent change simply wins.
fn record_usage(ctx: &Ctx<'_>, quota: &Value, used: Map<String, Value>) {
    let mut updated = quota.clone();
    let hard = quota.at("/spec/hard").cloned().unwrap_or_else(|| json!({}));
    updated["status"] = json!({"hard": hard, "used": used});
    let rv = quota
        .at("/metadata/resourceVersion")
        .and_then(Value::as_str)
        .and_then(|r| r.parse().ok())
        .unwrap_or(0);
    let namespace = quota.at("/metadata/namespace").and_then(Value::as_str);
    let name = quota
        .at("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("");
    if let Ok(mut stored) =
        ctx.server
            .objects()
            .update(&RESOURCE_QUOTAS, namespace, name, &updated, rv)
    {
        let rev = stored
            .at("/metadata/resourceVersion")
            .and_then(Value::as_str)
            .and_then(|r| r.parse().ok())
            .unwrap_or(rv);
        set_resource_version(&mut stored, rev);
        ctx.server.flow().record(
            Hop::new(
                "apiserver",
                "etcd",
                HopKind::Stored,
                format!(
                    "txn update {} (quota usage)",
                    RESOURCE_QUOTAS.key(namespace, name)
                ),
            )
            .rev(rev),
        );
    }
}
