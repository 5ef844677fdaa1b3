//! The access reviews of `authorization.k8s.io/v1` (what `kubectl auth can-i` posts, as
//! protobuf): SelfSubjectAccessReview and SelfSubjectRulesReview ask about the caller,
//! SubjectAccessReview and LocalSubjectAccessReview about anyone (admins only, by RBAC).
//! Nothing is stored; the reply is the request with its `status` filled in by the same
//! authorizer chain every request goes through.

use crate::api::kinds::ResourceType;
use crate::api::status::ApiError;
use crate::apiserver::Ctx;
use crate::apiserver::body;
use crate::apiserver::rbac::review;
use crate::apiserver::request::ApiResponse;
use crate::flow::{Hop, HopKind};
use serde_json::{Value, json};

pub async fn create(ctx: &Ctx<'_>, rt: &'static ResourceType) -> Result<ApiResponse, ApiError> {
    let mut request = body::parse(&ctx.req.body, &ctx.req.content_type, rt.kind)?;
    body::check_kind(&mut request, rt.group, rt.version, rt.kind)?;
    let spec = request.get("spec").cloned().unwrap_or_else(|| json!({}));
    let status = match rt.kind {
        "SelfSubjectRulesReview" => {
            let namespace = spec.get("namespace").and_then(Value::as_str).unwrap_or("");
            if namespace.is_empty() {
                return Err(ApiError::bad_request("no namespace on request"));
            }
            ctx.server.rbac_index().rules_review(ctx.user, namespace)
        }
        "SelfSubjectAccessReview" => decide(ctx, ctx.user, &spec, rt)?,
        _ => {
            let mut user = review::user_from_subject_access_review_spec(&spec);
            if user.name.is_empty() && user.groups.is_empty() {
                return Err(invalid(
                    rt,
                    "spec.user",
                    "at least one of user or group must be specified",
                ));
            }
            if rt.kind == "LocalSubjectAccessReview" {
                let namespace = ctx.info.namespace.as_deref().unwrap_or("");
                let asked = spec
                    .pointer("/resourceAttributes/namespace")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                if asked != namespace {
                    return Err(invalid(
                        rt,
                        "spec.resourceAttributes.namespace",
                        "must match metadata.namespace",
                    ));
                }
            }
            user.uid = spec
                .get("uid")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            decide(ctx, &user, &spec, rt)?
        }
    };
    let allowed = status.get("allowed").and_then(Value::as_bool);
    let summary = match allowed {
        Some(answer) => format!("{}: {}", rt.kind, if answer { "yes" } else { "no" }),
        None => format!("{}: rules listed", rt.kind),
    };
    ctx.hop_with(
        Hop::new("apiserver", "authz", HopKind::Authorized, summary)
            .detail(json!({"review": rt.kind, "status": status})),
    )
    .await;
    request["status"] = status;
    if request.get("metadata").is_none_or(Value::is_null) {
        request["metadata"] = json!({});
    }
    request["metadata"]["creationTimestamp"] = Value::Null;
    Ok(ApiResponse::json(201, &request))
}

fn invalid(rt: &ResourceType, field: &str, detail: &str) -> ApiError {
    ApiError::new(422, "Invalid", format!("{}.{} \"\" is invalid: {field}: Invalid value: \"\": {detail}", rt.kind, rt.group))
        .with_details(json!({"group": rt.group, "kind": rt.kind, "causes": [{"reason": "FieldValueInvalid", "message": format!("Invalid value: \"\": {detail}"), "field": field}]}))
}

fn decide(
    ctx: &Ctx<'_>,
    user: &crate::apiserver::authn::UserInfo,
    spec: &Value,
    rt: &ResourceType,
) -> Result<Value, ApiError> {
    let attributes = review::attributes_from_review_spec(spec).ok_or_else(|| {
        invalid(
            rt,
            "spec",
            "exactly one of nonResourceAttributes or resourceAttributes must be specified",
        )
    })?;
    let verdict = ctx.server.authorize_attributes(user, &attributes);
    Ok(review::access_review_status(&verdict.decision))
}
