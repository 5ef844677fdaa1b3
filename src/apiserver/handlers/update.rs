//! `update` (PUT) of an object or its `status`: optimistic concurrency on the body's
//! resourceVersion (a stale one is a 409 Conflict with the real message; none means
//! "whatever is there now"), then the write pipeline.

use super::write::WriteOptions;
use super::{dry_run, field_manager, name_of, output, write};
use crate::api::kinds::ResourceType;
use crate::api::status::ApiError;
use crate::apiserver::Ctx;
use crate::apiserver::body::{self, FieldValidation};
use crate::apiserver::request::ApiResponse;
use serde_json::Value;

pub async fn update(ctx: &Ctx<'_>, rt: &'static ResourceType) -> Result<ApiResponse, ApiError> {
    let name = name_of(ctx)?;
    let validation = FieldValidation::from_query(ctx.req.query("fieldValidation"))?;
    let options = WriteOptions {
        dry_run: dry_run(ctx)?,
        manager: field_manager(ctx)?,
        applied: false,
    };
    let decoded = body::decode_object(&ctx.req.body, &ctx.req.content_type, rt, validation)?;
    let new = decoded.object;
    match new.pointer("/metadata/name").and_then(Value::as_str) {
        Some(body_name) if body_name != name => {
            return Err(ApiError::bad_request(format!(
                "the name of the object ({body_name}) does not match the name on the URL ({name})"
            )));
        }
        _ => {}
    }
    if rt.namespaced
        && let Some(body_ns) = new.pointer("/metadata/namespace").and_then(Value::as_str)
        && Some(body_ns) != ctx.info.namespace.as_deref()
        && !body_ns.is_empty()
    {
        return Err(ApiError::bad_request(
            "the namespace of the provided object does not match the namespace sent on the request",
        ));
    }
    let old = ctx
        .server
        .objects()
        .get_existing(rt, ctx.info.namespace.as_deref(), name)?;
    let current: i64 = resource_version(&old).unwrap_or(0);
    let expected = match new
        .pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
        .filter(|rv| !rv.is_empty())
    {
        Some(rv) => rv.parse::<i64>().map_err(|_| {
            ApiError::bad_request(format!(
                "metadata.resourceVersion: Invalid value: \"{rv}\": must be a non-negative integer"
            ))
        })?,
        None => current,
    };
    if expected != current {
        return Err(ApiError::conflict(rt.group, rt.plural, name));
    }
    let subresource = ctx.info.subresource.as_deref().filter(|s| *s == "status");
    let stored = write::update(ctx, rt, subresource, &old, new, expected, &options).await?;
    Ok(output::object(ctx, rt, 200, stored).with_warnings(decoded.warnings))
}

pub fn resource_version(object: &Value) -> Option<i64> {
    object
        .pointer("/metadata/resourceVersion")?
        .as_str()?
        .parse()
        .ok()
}
