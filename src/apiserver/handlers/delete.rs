//! `delete` and `deletecollection`. DeleteOptions come from the body (JSON; a protobuf body
//! from kubectl is ignored, as its fields are also in the query) or the query. Objects with
//! finalizers get a deletionTimestamp and stay until their finalizers are gone; a namespace is
//! marked Terminating, emptied and then removed; everything else goes at once (the kubelets'
//! graceful pod deletion comes with the kubelets).

use super::update::resource_version;
use super::write;
use super::{dry_run, name_of, output, selection::Selection};
use crate::api::kinds::{self, NAMESPACES, ResourceType};
use crate::api::status::ApiError;
use crate::api::time;
use crate::apiserver::Ctx;
use crate::apiserver::admission::{self, Attributes, Operation};
use crate::apiserver::request::ApiResponse;
use serde_json::{Value, json};

/// The DeleteOptions that matter here.
#[derive(Debug, Default)]
pub struct DeleteOptions {
    pub grace_period_seconds: Option<i64>,
    pub propagation_policy: Option<String>,
    pub precondition_uid: Option<String>,
    pub precondition_resource_version: Option<String>,
}

pub fn delete_options(ctx: &Ctx<'_>) -> Result<DeleteOptions, ApiError> {
    let mut options = DeleteOptions::default();
    // kubectl may send DeleteOptions as protobuf: what cannot be read as JSON is ignored.
    if let Ok(body) = serde_json::from_slice::<Value>(&ctx.req.body) {
        options.grace_period_seconds = body.get("gracePeriodSeconds").and_then(Value::as_i64);
        options.propagation_policy = body
            .get("propagationPolicy")
            .and_then(Value::as_str)
            .map(str::to_string);
        options.precondition_uid = body
            .pointer("/preconditions/uid")
            .and_then(Value::as_str)
            .map(str::to_string);
        options.precondition_resource_version = body
            .pointer("/preconditions/resourceVersion")
            .and_then(Value::as_str)
            .map(str::to_string);
    }
    if let Some(grace) = ctx.req.query("gracePeriodSeconds") {
        options.grace_period_seconds =
            Some(grace.parse().map_err(|_| {
                ApiError::bad_request(format!("invalid gracePeriodSeconds: {grace}"))
            })?);
    }
    if let Some(policy) = ctx.req.query("propagationPolicy") {
        options.propagation_policy = Some(policy.to_string());
    }
    match options.propagation_policy.as_deref() {
        None | Some("Background" | "Foreground" | "Orphan") => Ok(options),
        Some(other) => Err(ApiError::new(
            422,
            "Invalid",
            format!(
                "DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Unsupported value: \"{other}\": supported values: \"Foreground\", \"Background\", \"Orphan\", \"nil\""
            ),
        )),
    }
}

pub async fn delete(ctx: &Ctx<'_>, rt: &'static ResourceType) -> Result<ApiResponse, ApiError> {
    let name = name_of(ctx)?;
    let options = delete_options(ctx)?;
    let dry_run = dry_run(ctx)?;
    let namespace = ctx.info.namespace.clone();
    let deleted = delete_object(ctx, rt, namespace.as_deref(), name, &options, dry_run).await?;
    Ok(output::object(ctx, rt, 200, deleted))
}

/// Deletes one object (or starts its deletion) and returns it as it now is.
pub async fn delete_object(
    ctx: &Ctx<'_>,
    rt: &'static ResourceType,
    namespace: Option<&str>,
    name: &str,
    options: &DeleteOptions,
    dry_run: bool,
) -> Result<Value, ApiError> {
    let namespace = namespace.filter(|_| rt.namespaced);
    let object = ctx.server.objects().get_existing(rt, namespace, name)?;
    let uid = object
        .pointer("/metadata/uid")
        .and_then(Value::as_str)
        .unwrap_or("");
    if let Some(expected) = &options.precondition_uid
        && expected != uid
    {
        return Err(ApiError::conflict_because(
            rt.group,
            rt.plural,
            name,
            &format!(
                "Precondition failed: UID in precondition: {expected}, UID in object meta: {uid}"
            ),
        ));
    }
    let current = resource_version(&object).unwrap_or(0);
    if let Some(expected) = &options.precondition_resource_version
        && expected != &current.to_string()
    {
        return Err(ApiError::conflict_because(
            rt.group,
            rt.plural,
            name,
            &format!(
                "Precondition failed: ResourceVersion in precondition: {expected}, ResourceVersion in object meta: {current}"
            ),
        ));
    }
    let attributes = Attributes {
        operation: Operation::Delete,
        group: rt.group,
        kind: rt.kind,
        resource: rt.plural,
        subresource: None,
        namespace,
        name,
        object: None,
        old_object: Some(&object),
        dry_run,
    };
    let mut scratch = object.clone();
    admission::mutate(ctx, &attributes, &mut scratch).await?;
    admission::validate(ctx, &attributes).await?;
    if dry_run {
        return Ok(object);
    }
    let being_deleted = object
        .pointer("/metadata/deletionTimestamp")
        .is_some_and(|t| !t.is_null());
    let has_finalizers = object
        .pointer("/metadata/finalizers")
        .and_then(Value::as_array)
        .is_some_and(|f| !f.is_empty());
    if rt.kind == "Namespace" {
        return delete_namespace(ctx, name, object).await;
    }
    // Foreground and Orphan deletion: the garbage collector finishes them, guided by a
    // finalizer, while the object waits with a deletionTimestamp.
    let policy_finalizer = match options.propagation_policy.as_deref() {
        Some("Foreground") => Some("foregroundDeletion"),
        Some("Orphan") => Some("orphan"),
        _ => None,
    };
    if let Some(finalizer) = policy_finalizer
        && !being_deleted
    {
        let mut marked = object.clone();
        let finalizers = marked["metadata"]
            .as_object_mut()
            .map(|m| m.entry("finalizers").or_insert_with(|| json!([])));
        if let Some(Value::Array(list)) = finalizers
            && !list.iter().any(|f| f.as_str() == Some(finalizer))
        {
            list.push(json!(finalizer));
        }
        marked["metadata"]["deletionTimestamp"] =
            json!(time::format_time(ctx.server.clock().now_ms()));
        marked["metadata"]["deletionGracePeriodSeconds"] = json!(0);
        return write::store_update(ctx, rt, &marked, current).await;
    }
    if rt.group.is_empty() && rt.kind == "Pod" {
        let grace = pod_grace_period(&object, options);
        // Grace 0 on a pod with nothing to wait for is an ordinary delete, below.
        if grace > 0 || (being_deleted && has_finalizers) {
            return delete_pod_gracefully(ctx, rt, object, grace, current).await;
        }
    }
    if has_finalizers {
        if being_deleted {
            return Ok(object);
        }
        let mut marked = object.clone();
        marked["metadata"]["deletionTimestamp"] =
            json!(time::format_time(ctx.server.clock().now_ms()));
        marked["metadata"]["deletionGracePeriodSeconds"] = json!(0);
        return write::store_update(ctx, rt, &marked, current).await;
    }
    let result = ctx.server.objects().delete(rt, namespace, name, current);
    write::store_hop(ctx, rt, &object, "delete", &result).await;
    result
}

/// How long a pod may take to stop: the request's grace period, else the pod's own
/// (`terminationGracePeriodSeconds`, 30 s by default) — but none for a pod no kubelet runs
/// (never scheduled) or whose containers are done, as the pod strategy decides.
fn pod_grace_period(pod: &Value, options: &DeleteOptions) -> i64 {
    let scheduled = pod
        .pointer("/spec/nodeName")
        .and_then(Value::as_str)
        .is_some_and(|n| !n.is_empty());
    let finished = matches!(
        pod.pointer("/status/phase").and_then(Value::as_str),
        Some("Succeeded" | "Failed")
    );
    if !scheduled || finished {
        return 0;
    }
    options
        .grace_period_seconds
        .or_else(|| {
            pod.pointer("/spec/terminationGracePeriodSeconds")
                .and_then(Value::as_i64)
        })
        .unwrap_or(30)
        .max(0)
}

/// Graceful pod deletion: the pod gets `deletionTimestamp` = now + grace and stays
/// (`Terminating`) until its kubelet has stopped it and deletes it with grace 0. A shorter
/// grace period on a second delete brings the deadline forward.
async fn delete_pod_gracefully(
    ctx: &Ctx<'_>,
    rt: &'static ResourceType,
    pod: Value,
    grace: i64,
    current: i64,
) -> Result<Value, ApiError> {
    let existing = pod
        .pointer("/metadata/deletionGracePeriodSeconds")
        .and_then(Value::as_i64);
    if existing.is_some_and(|g| g <= grace) {
        return Ok(pod);
    }
    let now = ctx.server.clock().now_ms();
    let mut marked = pod.clone();
    marked["metadata"]["deletionTimestamp"] = json!(time::format_time(now + grace * 1000));
    marked["metadata"]["deletionGracePeriodSeconds"] = json!(grace);
    write::store_update(ctx, rt, &marked, current).await
}

/// Marks the namespace Terminating, deletes what it holds, then the namespace itself — what
/// the namespace controller does, done at once here.
async fn delete_namespace(ctx: &Ctx<'_>, name: &str, namespace: Value) -> Result<Value, ApiError> {
    let current = resource_version(&namespace).unwrap_or(0);
    let mut terminating = namespace;
    if terminating
        .pointer("/metadata/deletionTimestamp")
        .is_none_or(Value::is_null)
    {
        terminating["metadata"]["deletionTimestamp"] =
            json!(time::format_time(ctx.server.clock().now_ms()));
        terminating["metadata"]["deletionGracePeriodSeconds"] = json!(0);
        terminating["status"] = json!({"phase": "Terminating"});
        terminating = write::store_update(ctx, &NAMESPACES, &terminating, current).await?;
    }
    let objects = ctx.server.objects();
    for rt in kinds::ALL.iter().filter(|rt| rt.namespaced) {
        let page = objects.list(&rt.prefix(Some(name)), 0, None, 0, &|_| true)?;
        for item in page.items {
            let item_name = item
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or("");
            let rv = resource_version(&item).unwrap_or(0);
            // Someone else may have removed it meanwhile: that is fine.
            let _ = objects.delete(rt, Some(name), item_name, rv);
        }
    }
    let rv = resource_version(&terminating).unwrap_or(0);
    let result = objects.delete(&NAMESPACES, None, name, rv);
    write::store_hop(ctx, &NAMESPACES, &terminating, "delete", &result).await;
    result
}

pub async fn delete_collection(
    ctx: &Ctx<'_>,
    rt: &'static ResourceType,
) -> Result<ApiResponse, ApiError> {
    let selection = Selection::from_query(ctx, rt)?;
    let options = delete_options(ctx)?;
    let dry_run = dry_run(ctx)?;
    let page = ctx.server.objects().list(
        &rt.prefix(ctx.info.namespace.as_deref()),
        0,
        None,
        0,
        &|o| selection.matches(o),
    )?;
    let mut deleted = Vec::new();
    for item in page.items {
        let name = item
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let namespace = item
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .map(str::to_string);
        match delete_object(ctx, rt, namespace.as_deref(), &name, &options, dry_run).await {
            Ok(object) => deleted.push(object),
            Err(e) if e.code == 404 => {}
            Err(e) => return Err(e),
        }
    }
    Ok(output::list(
        ctx,
        rt,
        deleted,
        ctx.server.objects().backend().revision(),
        None,
        0,
    ))
}
