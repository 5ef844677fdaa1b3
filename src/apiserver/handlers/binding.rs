//! `pods/binding` (POST): how the scheduler assigns a pod to a node. The pod gets
//! `spec.nodeName` and the condition PodScheduled=True in one update; a pod already bound or
//! being deleted cannot be bound (409).

use super::name_of;
use super::update::resource_version;
use super::write;
use crate::api::kinds::{PODS, ResourceType};
use crate::api::status::{ApiError, success_status};
use crate::api::time;
use crate::apiserver::Ctx;
use crate::apiserver::admission::{self, Attributes, Operation};
use crate::apiserver::body;
use crate::apiserver::request::ApiResponse;
use serde_json::{Value, json};

const RETRIES: usize = 5;

pub async fn create(ctx: &Ctx<'_>, _rt: &'static ResourceType) -> Result<ApiResponse, ApiError> {
    let name = name_of(ctx)?;
    let mut binding = body::parse(&ctx.req.body, &ctx.req.content_type, "Binding")?;
    body::check_kind(&mut binding, "", "v1", "Binding")?;
    let node = binding
        .pointer("/target/name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if node.is_empty() {
        return Err(ApiError::new(
            422,
            "Invalid",
            format!("Binding \"{name}\" is invalid: target.name: Required value"),
        ));
    }
    let namespace = ctx.info.namespace.clone();
    let requested = binding.clone();
    let attributes = Attributes {
        operation: Operation::Create,
        group: "",
        kind: "Binding",
        resource: "pods",
        subresource: Some("binding"),
        namespace: namespace.as_deref(),
        name,
        object: Some(&requested),
        old_object: None,
        dry_run: false,
    };
    admission::mutate(ctx, &attributes, &mut binding).await?;
    admission::validate(ctx, &attributes).await?;
    for attempt in 1..=RETRIES {
        let pod = ctx
            .server
            .objects()
            .get_existing(&PODS, namespace.as_deref(), name)?;
        if pod
            .pointer("/metadata/deletionTimestamp")
            .is_some_and(|t| !t.is_null())
        {
            return Err(ApiError::conflict_because(
                "",
                "pods",
                name,
                &format!("pod {name} is being deleted, cannot be assigned to a host"),
            ));
        }
        if let Some(bound) = pod
            .pointer("/spec/nodeName")
            .and_then(Value::as_str)
            .filter(|n| !n.is_empty())
        {
            return Err(ApiError::conflict_because(
                "",
                "pods",
                name,
                &format!("pod {name} is already assigned to node \"{bound}\""),
            ));
        }
        let mut bound = pod.clone();
        bound["spec"]["nodeName"] = json!(node);
        set_scheduled(&mut bound, &time::format_time(ctx.server.clock().now_ms()));
        match write::store_update(ctx, &PODS, &bound, resource_version(&pod).unwrap_or(0)).await {
            Ok(_) => {
                return Ok(ApiResponse::json(201, &{
                    let mut status = success_status(None);
                    status["code"] = json!(201);
                    status
                }));
            }
            Err(e) if e.reason == "Conflict" && attempt < RETRIES => continue,
            Err(e) => return Err(e),
        }
    }
    Err(ApiError::conflict("", "pods", name))
}

/// Sets (or replaces) the PodScheduled=True condition.
fn set_scheduled(pod: &mut Value, now: &str) {
    if !pod.get("status").is_some_and(Value::is_object) {
        pod["status"] = json!({});
    }
    let condition = json!({"type": "PodScheduled", "status": "True", "lastProbeTime": null, "lastTransitionTime": now});
    let conditions = pod["status"]["conditions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut kept: Vec<Value> = conditions
        .into_iter()
        .filter(|c| c.get("type").and_then(Value::as_str) != Some("PodScheduled"))
        .collect();
    kept.insert(0, condition);
    pod["status"]["conditions"] = Value::Array(kept);
}
