//! The `scale` subresource of Deployments and ReplicaSets, in `autoscaling/v1` Scale form:
//! what `kubectl scale` patches. Writing it changes the owner's `spec.replicas` through the
//! ordinary update pipeline (so validation and conflicts apply).

use super::patch::{PatchType, apply_patch};
use super::update::resource_version;
use super::write::{self, WriteOptions};
use super::{dry_run, field_manager, name_of};
use crate::api::kinds::ResourceType;
use crate::api::label_selector::LabelSelector;
use crate::api::schema::Schema;
use crate::api::status::ApiError;
use crate::apiserver::Ctx;
use crate::apiserver::body;
use crate::apiserver::request::ApiResponse;
use serde_json::{Value, json};

/// The Scale view of a Deployment or ReplicaSet.
pub fn scale_of(object: &Value) -> Value {
    let meta = |field: &str| {
        object
            .pointer(&format!("/metadata/{field}"))
            .cloned()
            .unwrap_or(Value::Null)
    };
    let selector = object
        .pointer("/spec/selector")
        .and_then(|s| LabelSelector::from_label_selector(s).ok())
        .map(|s| s.to_string())
        .unwrap_or_default();
    json!({
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {
            "name": meta("name"),
            "namespace": meta("namespace"),
            "uid": meta("uid"),
            "resourceVersion": meta("resourceVersion"),
            "creationTimestamp": meta("creationTimestamp"),
        },
        "spec": {"replicas": object.pointer("/spec/replicas").cloned().unwrap_or(json!(1))},
        "status": {
            "replicas": object.pointer("/status/replicas").cloned().unwrap_or(json!(0)),
            "selector": selector,
        },
    })
}

pub fn get(ctx: &Ctx<'_>, rt: &'static ResourceType) -> Result<ApiResponse, ApiError> {
    let name = name_of(ctx)?;
    let object = ctx
        .server
        .objects()
        .get_existing(rt, ctx.info.namespace.as_deref(), name)?;
    Ok(ApiResponse::json(200, &scale_of(&object)))
}

pub async fn write(ctx: &Ctx<'_>, rt: &'static ResourceType) -> Result<ApiResponse, ApiError> {
    let name = name_of(ctx)?;
    let options = WriteOptions {
        dry_run: dry_run(ctx)?,
        manager: field_manager(ctx)?,
        applied: false,
    };
    let old = ctx
        .server
        .objects()
        .get_existing(rt, ctx.info.namespace.as_deref(), name)?;
    let current = resource_version(&old).unwrap_or(0);
    let scale = scale_of(&old);
    let mut new_scale = if ctx.req.method == http::Method::PATCH {
        let kind = PatchType::from_content_type(&ctx.req.content_type)?;
        if kind == PatchType::Apply {
            return Err(ApiError::new(
                415,
                "UnsupportedMediaType",
                "apply patches are not supported on the scale subresource",
            ));
        }
        let schema = Schema::get()
            .for_kind("autoscaling", "v1", "Scale")
            .map(|(_, s)| s)
            .unwrap_or(&Value::Null);
        apply_patch(kind, &scale, &ctx.req.body, schema)?
    } else {
        body::parse(&ctx.req.body, &ctx.req.content_type, "Scale")?
    };
    body::check_kind(&mut new_scale, "autoscaling", "v1", "Scale")?;
    if let Some(rv) = new_scale
        .pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
        .filter(|rv| !rv.is_empty())
        && rv != current.to_string()
    {
        return Err(ApiError::conflict(rt.group, rt.plural, name));
    }
    let replicas = new_scale
        .pointer("/spec/replicas")
        .cloned()
        .unwrap_or(json!(0));
    if !replicas.is_i64() {
        return Err(ApiError::new(
            422,
            "Invalid",
            format!(
                "Scale.autoscaling \"{name}\" is invalid: spec.replicas: Invalid value: {replicas}: must be an integer"
            ),
        ));
    }
    if replicas.as_i64().is_some_and(|r| r < 0) {
        return Err(ApiError::new(
            422,
            "Invalid",
            format!(
                "Scale.autoscaling \"{name}\" is invalid: spec.replicas: Invalid value: {replicas}: must be greater than or equal to 0"
            ),
        ));
    }
    let mut new = old.clone();
    new["spec"]["replicas"] = replicas;
    let stored = write::update(ctx, rt, Some("scale"), &old, new, current, &options).await?;
    Ok(ApiResponse::json(200, &scale_of(&stored)))
}
