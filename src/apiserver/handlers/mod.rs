//! The handlers: one file per verb family, routed by `dispatch` from the request's
//! `RequestInfo`. Writes share `write` (admission → validation → admission → etcd); reads share
//! `selection` (namespace, label and field selectors) and `output` (JSON or Table).

mod access_review;
mod binding;
mod create;
mod delete;
mod eviction;
mod get;
mod list;
mod log;
mod non_resource;
mod output;
mod patch;
mod scale;
mod selection;
mod update;
mod watch;
pub mod write;

use crate::api::kinds::{self, ResourceType};
use crate::api::status::ApiError;
use crate::apiserver::request::ApiResponse;
use crate::apiserver::{Ctx, negotiation};

pub async fn dispatch(ctx: &Ctx<'_>) -> Result<ApiResponse, ApiError> {
    let info = ctx.info;
    if !info.is_resource_request {
        return non_resource::serve(ctx);
    }
    let rt = kinds::by_resource(&info.api_group, &info.api_version, &info.resource)
        .ok_or_else(ApiError::path_not_found)?;
    if !rt.namespaced && info.namespace.is_some() {
        return Err(ApiError::path_not_found());
    }
    let verb = info.verb.as_str();
    if rt.storage.is_empty() {
        // Access reviews: never stored, answered at once.
        check_verb(rt, rt.verbs, verb)?;
        return access_review::create(ctx, rt).await;
    }
    if matches!(verb, "get" | "list") {
        negotiation::include_object(ctx.req.query("includeObject"))?;
    }
    match info.subresource.as_deref() {
        None => {
            check_verb(rt, rt.verbs, verb)?;
            match verb {
                "get" => get::get(ctx, rt).await,
                "list" => list::list(ctx, rt).await,
                "watch" => watch::watch(ctx, rt),
                "create" if info.name.is_none() => create::create(ctx, rt).await,
                "update" => update::update(ctx, rt).await,
                "patch" => patch::patch(ctx, rt).await,
                "delete" => delete::delete(ctx, rt).await,
                "deletecollection" => delete::delete_collection(ctx, rt).await,
                _ => Err(ApiError::method_not_supported(
                    rt.group,
                    rt.plural,
                    ctx.req.method.as_ref(),
                )),
            }
        }
        Some(name) => {
            let sub = rt.subresource(name).ok_or_else(ApiError::path_not_found)?;
            check_verb(rt, sub.verbs, verb)?;
            match (name, verb) {
                ("status", "get") => get::get(ctx, rt).await,
                ("status", "update") => update::update(ctx, rt).await,
                ("status", "patch") => patch::patch(ctx, rt).await,
                ("scale", "get") => scale::get(ctx, rt),
                ("scale", "update" | "patch") => scale::write(ctx, rt).await,
                ("binding", "create") => binding::create(ctx, rt).await,
                ("eviction", "create") => eviction::create(ctx, rt).await,
                ("log", "get") => log::get(ctx, rt),
                ("finalize", "update") => update::update(ctx, rt).await,
                _ => Err(ApiError::method_not_supported(
                    rt.group,
                    &format!("{}/{name}", rt.plural),
                    ctx.req.method.as_ref(),
                )),
            }
        }
    }
}

fn check_verb(rt: &ResourceType, verbs: &[&str], verb: &str) -> Result<(), ApiError> {
    if verbs.contains(&verb) {
        Ok(())
    } else {
        Err(ApiError::method_not_supported(rt.group, rt.plural, verb))
    }
}

/// The name in the URL (every handler of a named path has one).
pub fn name_of<'a>(ctx: &'a Ctx<'_>) -> Result<&'a str, ApiError> {
    ctx.info
        .name
        .as_deref()
        .ok_or_else(ApiError::path_not_found)
}

/// `dryRun=All` (the only value kube-apiserver accepts).
pub fn dry_run(ctx: &Ctx<'_>) -> Result<bool, ApiError> {
    match ctx.req.query("dryRun") {
        None | Some("") => Ok(false),
        Some("All") => Ok(true),
        Some(other) => Err(ApiError::bad_request(format!(
            "Invalid dry run value \"{other}\": supported values: \"All\""
        ))),
    }
}

/// The field manager of a write: `?fieldManager=`, else derived from the User-Agent as
/// kube-apiserver does, else the in-process component's name.
pub fn field_manager(ctx: &Ctx<'_>) -> Result<String, ApiError> {
    if let Some(manager) = ctx.req.query("fieldManager") {
        if manager.len() > 128 {
            return Err(ApiError::bad_request(
                "fieldManager: Too long: may not be longer than 128 characters",
            ));
        }
        return Ok(manager.to_string());
    }
    let agent = ctx.req.user_agent.split('/').next().unwrap_or("").trim();
    if !agent.is_empty() {
        return Ok(agent.chars().take(128).collect());
    }
    Ok(match ctx.user.name.as_str() {
        "system:kube-scheduler" => "kube-scheduler".to_string(),
        "system:kube-controller-manager" => "kube-controller-manager".to_string(),
        name if name.starts_with("system:node:") => "kubelet".to_string(),
        name => name.to_string(),
    })
}
