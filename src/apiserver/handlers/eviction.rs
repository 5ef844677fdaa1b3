//! `pods/eviction` (POST, policy/v1 Eviction): what `kubectl drain` uses. With no
//! PodDisruptionBudgets served, every eviction is allowed and deletes the pod with the
//! eviction's DeleteOptions. Replies 201 with a success Status.

use super::delete::{DeleteOptions, delete_object};
use super::name_of;
use crate::api::kinds::ResourceType;
use crate::api::status::{ApiError, success_status};
use crate::apiserver::Ctx;
use crate::apiserver::body;
use crate::apiserver::request::ApiResponse;
use serde_json::{Value, json};

pub async fn create(ctx: &Ctx<'_>, rt: &'static ResourceType) -> Result<ApiResponse, ApiError> {
    let name = name_of(ctx)?;
    let mut eviction = body::parse(&ctx.req.body, &ctx.req.content_type, "Eviction")?;
    body::check_kind(&mut eviction, "policy", "v1", "Eviction")?;
    if let Some(body_name) = eviction.pointer("/metadata/name").and_then(Value::as_str)
        && body_name != name
    {
        return Err(ApiError::bad_request(
            "name in URL does not match name in Eviction object",
        ));
    }
    let options = DeleteOptions {
        grace_period_seconds: eviction
            .pointer("/deleteOptions/gracePeriodSeconds")
            .and_then(Value::as_i64),
        propagation_policy: eviction
            .pointer("/deleteOptions/propagationPolicy")
            .and_then(Value::as_str)
            .map(str::to_string),
        precondition_uid: eviction
            .pointer("/deleteOptions/preconditions/uid")
            .and_then(Value::as_str)
            .map(str::to_string),
        precondition_resource_version: eviction
            .pointer("/deleteOptions/preconditions/resourceVersion")
            .and_then(Value::as_str)
            .map(str::to_string),
    };
    let dry_run = eviction
        .pointer("/deleteOptions/dryRun")
        .and_then(Value::as_array)
        .is_some_and(|d| !d.is_empty());
    let namespace = ctx.info.namespace.clone();
    delete_object(ctx, rt, namespace.as_deref(), name, &options, dry_run).await?;
    let mut status = success_status(None);
    status["code"] = json!(201);
    Ok(ApiResponse::json(201, &status))
}
