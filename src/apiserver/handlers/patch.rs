//! `patch` (PATCH) of an object or its `status`, in the four types kube-apiserver accepts:
//! JSON patch (RFC 6902), merge patch (RFC 7386), strategic merge patch (merge keys and
//! directives from the schema) and server-side apply (`application/apply-patch+yaml`, which
//! creates a missing object and answers field-manager conflicts with 409). The patched object
//! then goes through field validation and the write pipeline; a patch without a
//! resourceVersion precondition is retried on conflicts, as the real GuaranteedUpdate does.

use super::update::resource_version;
use super::write::{self, WriteOptions, schema_of};
use super::{dry_run, field_manager, name_of, output};
use crate::api::defaults;
use crate::api::kinds::ResourceType;
use crate::api::status::ApiError;
use crate::api::time;
use crate::apiserver::Ctx;
use crate::apiserver::body::{self, FieldValidation};
use crate::apiserver::patch::{apply, strategic};
use crate::apiserver::request::ApiResponse;
use serde_json::{Value, json};

const RETRIES: usize = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchType {
    Json,
    Merge,
    Strategic,
    Apply,
}

impl PatchType {
    pub fn from_content_type(content_type: &str) -> Result<PatchType, ApiError> {
        let mime = content_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        match mime.as_str() {
            "application/json-patch+json" => Ok(PatchType::Json),
            "application/merge-patch+json" => Ok(PatchType::Merge),
            "application/strategic-merge-patch+json" => Ok(PatchType::Strategic),
            "application/apply-patch+yaml" => Ok(PatchType::Apply),
            _ => Err(ApiError::new(
                415,
                "UnsupportedMediaType",
                format!(
                    "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json; got {content_type}"
                ),
            )),
        }
    }
}

/// Applies a patch document to `original` (a JSON value).
pub fn apply_patch(
    kind: PatchType,
    original: &Value,
    patch: &[u8],
    schema: &Value,
) -> Result<Value, ApiError> {
    let patch_value = |bytes: &[u8]| {
        serde_json::from_slice::<Value>(bytes)
            .map_err(|e| ApiError::bad_request(format!("error decoding patch: {e}")))
    };
    match kind {
        PatchType::Json => {
            let p: json_patch::Patch = serde_json::from_slice(patch)
                .map_err(|e| ApiError::bad_request(format!("error decoding patch: {e}")))?;
            let mut doc = original.clone();
            json_patch::patch(&mut doc, &p).map_err(|e| {
                ApiError::new(
                    422,
                    "Invalid",
                    format!("the server rejected our request due to an error in our request: {e}"),
                )
            })?;
            Ok(doc)
        }
        PatchType::Merge => {
            let p = patch_value(patch)?;
            let mut doc = original.clone();
            json_patch::merge(&mut doc, &p);
            Ok(doc)
        }
        PatchType::Strategic => {
            let p = patch_value(patch)?;
            if !p.is_object() {
                return Err(ApiError::bad_request(
                    "error decoding patch: a strategic merge patch must be a JSON object",
                ));
            }
            strategic::strategic_merge_patch(original, &p, schema).map_err(|e| {
                let code = e.http_status();
                let reason = match code {
                    400 => "BadRequest",
                    422 => "Invalid",
                    _ => "",
                };
                ApiError::new(code, reason, e.to_string())
            })
        }
        PatchType::Apply => Err(ApiError::internal(
            "apply patches are not applied as documents",
        )),
    }
}

pub async fn patch(ctx: &Ctx<'_>, rt: &'static ResourceType) -> Result<ApiResponse, ApiError> {
    let name = name_of(ctx)?;
    let kind = PatchType::from_content_type(&ctx.req.content_type)?;
    let validation = FieldValidation::from_query(ctx.req.query("fieldValidation"))?;
    let force = match ctx.req.query("force") {
        None => false,
        Some(_) if kind != PatchType::Apply => {
            return Err(ApiError::new(
                422,
                "Invalid",
                "force: Forbidden: may not be specified for non-apply patch",
            ));
        }
        Some(value) => value == "true",
    };
    if ctx.req.body.len() > crate::apiserver::MAX_BODY_BYTES {
        return Err(body::too_large());
    }
    if kind == PatchType::Apply && ctx.req.query("fieldManager").is_none_or(str::is_empty) {
        return Err(ApiError::bad_request("PATCH requests must include fieldManager for server-side apply").with_details(json!({
            "causes": [{"reason": "FieldValueRequired", "message": "Required value: is required for apply patch", "field": "fieldManager"}]
        })));
    }
    let options = WriteOptions {
        dry_run: dry_run(ctx)?,
        manager: field_manager(ctx)?,
        applied: kind == PatchType::Apply,
    };
    let subresource = ctx.info.subresource.as_deref().filter(|s| *s == "status");
    let schema = schema_of(rt);
    let mut warnings = Vec::new();

    let mut attempt = 0;
    loop {
        attempt += 1;
        let existing = ctx
            .server
            .objects()
            .get(rt, ctx.info.namespace.as_deref(), name)?;
        let (old, mut new) = match (kind, existing) {
            (PatchType::Apply, existing) => {
                let applied = decode_apply(ctx, rt, validation, &mut warnings)?;
                let now = time::format_time(ctx.server.clock().now_ms());
                let result = apply::server_side_apply(
                    existing.as_ref(),
                    &applied,
                    &options.manager,
                    force,
                    &now,
                    schema,
                );
                let new = match result {
                    Ok(new) => new,
                    Err(apply::ApplyError::Conflicts(conflicts)) => {
                        return Err(ApiError::new(409, "Conflict", apply::conflict_message(&conflicts))
                            .with_details(json!({"name": name, "group": rt.group, "kind": rt.plural, "causes": apply::conflict_causes(&conflicts)})));
                    }
                    Err(apply::ApplyError::Invalid(message)) => {
                        return Err(ApiError::bad_request(message));
                    }
                };
                match existing {
                    // Nothing changed: kube-apiserver does not write, the resourceVersion stays.
                    Some(old) if old == new => {
                        return Ok(output::object(ctx, rt, 200, old).with_warnings(warnings));
                    }
                    Some(old) => (old, new),
                    None => {
                        let mut new = new;
                        defaults::apply_defaults(rt.group, rt.kind, &mut new);
                        let stored = write::create(ctx, rt, new, &options).await?;
                        return Ok(output::object(ctx, rt, 201, stored).with_warnings(warnings));
                    }
                }
            }
            (_, None) => return Err(ApiError::not_found(rt.group, rt.plural, name)),
            (_, Some(old)) => {
                let patched = apply_patch(kind, &old, &ctx.req.body, schema)?;
                (old, patched)
            }
        };
        let current = resource_version(&old).unwrap_or(0);
        let precondition = new
            .pointer("/metadata/resourceVersion")
            .and_then(Value::as_str)
            .filter(|rv| !rv.is_empty())
            .map(|rv| rv.parse::<i64>().unwrap_or(-1))
            .filter(|rv| *rv != current);
        if precondition.is_some() {
            return Err(ApiError::conflict(rt.group, rt.plural, name));
        }
        if kind != PatchType::Apply {
            body::check_kind(&mut new, rt.group, rt.version, rt.kind)?;
            // The patched object is checked, not the patch: a strategic patch carries
            // directives (`$setElementOrder/…`) that are no fields of the kind.
            let found = body::validate_fields(
                &mut new,
                &[],
                "application/json",
                rt.kind,
                rt.version,
                (rt.group, rt.version, rt.kind),
                validation,
            )?;
            if attempt == 1 {
                warnings.extend(found);
            }
        }
        defaults::apply_defaults(rt.group, rt.kind, &mut new);
        match write::update(ctx, rt, subresource, &old, new, current, &options).await {
            Err(e) if e.reason == "Conflict" && attempt < RETRIES => continue,
            Err(e) => return Err(e),
            Ok(stored) => return Ok(output::object(ctx, rt, 200, stored).with_warnings(warnings)),
        }
    }
}

/// The applied configuration of a server-side apply: YAML (or JSON) with field validation.
fn decode_apply(
    ctx: &Ctx<'_>,
    rt: &'static ResourceType,
    validation: FieldValidation,
    warnings: &mut Vec<String>,
) -> Result<Value, ApiError> {
    let mut applied = body::parse(&ctx.req.body, "application/yaml", rt.kind)?;
    if !applied.is_object() {
        return Err(ApiError::bad_request(
            "error decoding YAML: the applied configuration is not an object",
        ));
    }
    body::check_kind(&mut applied, rt.group, rt.version, rt.kind)?;
    if let Some(name) = ctx.info.name.as_deref() {
        match applied.pointer("/metadata/name").and_then(Value::as_str) {
            Some(body_name) if body_name != name => {
                return Err(ApiError::bad_request(format!(
                    "the name of the object ({body_name}) does not match the name on the URL ({name})"
                )));
            }
            _ => {}
        }
    }
    let found = body::validate_fields(
        &mut applied,
        &[],
        "application/yaml",
        rt.kind,
        rt.version,
        (rt.group, rt.version, rt.kind),
        validation,
    )?;
    warnings.extend(found);
    Ok(applied)
}
