//! `get`: one object by name (also `…/status`, which reads the whole object).

use super::{name_of, output};
use crate::api::kinds::ResourceType;
use crate::api::status::ApiError;
use crate::apiserver::Ctx;
use crate::apiserver::request::ApiResponse;
use crate::flow::HopKind;

pub async fn get(ctx: &Ctx<'_>, rt: &'static ResourceType) -> Result<ApiResponse, ApiError> {
    let name = name_of(ctx)?;
    let found = ctx
        .server
        .objects()
        .get(rt, ctx.info.namespace.as_deref(), name)?;
    read_hop(ctx, rt, name, found.as_ref()).await;
    let object = found.ok_or_else(|| ApiError::not_found(rt.group, rt.plural, name))?;
    Ok(output::object(ctx, rt, 200, object))
}

/// Reads are hops too: in step mode a read waits for its step like any other hop.
async fn read_hop(
    ctx: &Ctx<'_>,
    rt: &ResourceType,
    name: &str,
    object: Option<&serde_json::Value>,
) {
    let rev = object
        .and_then(|o| o.pointer("/metadata/resourceVersion"))
        .and_then(|v| v.as_str())
        .and_then(|v| v.parse().ok());
    let uid = object
        .and_then(|o| o.pointer("/metadata/uid"))
        .and_then(|v| v.as_str());
    let key = rt.key(ctx.info.namespace.as_deref(), name);
    let summary = match object {
        Some(_) => format!("range {key}"),
        None => format!("range {key} → not found"),
    };
    let mut hop = crate::flow::Hop::new("apiserver", "etcd", HopKind::Read, summary)
        .object(Some(ctx.object_ref(rt.kind, name, uid)));
    if let Some(rev) = rev {
        hop = hop.rev(rev);
    }
    ctx.server.flow().pass(hop).await;
}
