//! What reads answer with: the object as JSON (with its `kind` and `apiVersion`), a list
//! (`PodList` with `metadata.resourceVersion` and `continue`), or the `Table` kubectl's `get`
//! asked for.

use crate::api::kinds::ResourceType;
use crate::apiserver::Ctx;
use crate::apiserver::negotiation;
use crate::apiserver::request::ApiResponse;
use crate::apiserver::table::{self, IncludeObject};
use serde_json::{Value, json};

/// The object as a single-object reply: a Table row when asked for one.
pub fn object(ctx: &Ctx<'_>, rt: &ResourceType, status: u16, object: Value) -> ApiResponse {
    match negotiation::wants_table(&ctx.req.accept) {
        Some(table_version) => {
            let rv = object
                .pointer("/metadata/resourceVersion")
                .cloned()
                .unwrap_or(Value::Null);
            let mut table = make_table(ctx, rt, std::slice::from_ref(&object), table_version);
            table["metadata"] = json!({"resourceVersion": rv});
            ApiResponse::json(status, &table)
        }
        None => ApiResponse::json_value(status, object),
    }
}

pub fn make_table(
    ctx: &Ctx<'_>,
    rt: &ResourceType,
    objects: &[Value],
    table_version: &str,
) -> Value {
    // The value was checked when the request was routed.
    let include = negotiation::include_object(ctx.req.query("includeObject"))
        .unwrap_or(IncludeObject::Metadata);
    let mut table = table::table(
        rt.group,
        rt.kind,
        objects,
        ctx.server.clock().now_ms(),
        include,
    );
    table["apiVersion"] = json!(table_version);
    table
}

/// A list reply, or a Table of the items.
pub fn list(
    ctx: &Ctx<'_>,
    rt: &ResourceType,
    mut items: Vec<Value>,
    resource_version: i64,
    next: Option<String>,
    remaining: usize,
) -> ApiResponse {
    let mut metadata = json!({"resourceVersion": resource_version.to_string()});
    if let Some(token) = next {
        metadata["continue"] = json!(token);
        if remaining > 0 {
            metadata["remainingItemCount"] = json!(remaining);
        }
    }
    if let Some(table_version) = negotiation::wants_table(&ctx.req.accept) {
        let mut table = make_table(ctx, rt, &items, table_version);
        table["metadata"] = metadata;
        return ApiResponse::json(200, &table);
    }
    // Items of a typed list carry no kind/apiVersion of their own.
    for item in &mut items {
        if let Some(map) = item.as_object_mut() {
            map.remove("kind");
            map.remove("apiVersion");
        }
    }
    ApiResponse::json(
        200,
        &json!({"kind": rt.list_kind, "apiVersion": rt.api_version(), "metadata": metadata, "items": items}),
    )
}
