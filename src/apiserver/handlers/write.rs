//! The write half of the pipeline, shared by create, update, patch and the subresources:
//! mutating admission → BeforeCreate/BeforeUpdate (strategy, metadata) → validation →
//! validating admission → managedFields → etcd. Each stage is a hop.

use crate::api::kinds::ResourceType;
use crate::api::schema::Schema;
use crate::api::status::ApiError;
use crate::api::{strategy, time, validation};
use crate::apiserver::Ctx;
use crate::apiserver::admission::{self, Attributes, Operation};
use crate::apiserver::managed_fields;
use crate::flow::{Hop, HopKind, ObjectRef};
use serde_json::{Value, json};

/// How a write records field ownership and whether it is stored at all.
pub struct WriteOptions {
    /// `dryRun=All`: everything but the store.
    pub dry_run: bool,
    /// The field manager of an Update operation.
    pub manager: String,
    /// Server-side apply already computed `metadata.managedFields`.
    pub applied: bool,
}

/// RBAC's own guard (the policy-based storage of roles and bindings): nobody may grant rights
/// they do not hold, or bind a role they could not grant, unless allowed to `escalate`/`bind`.
fn prevent_escalation(
    ctx: &Ctx<'_>,
    rt: &ResourceType,
    object: &Value,
    old: Option<&Value>,
) -> Result<(), ApiError> {
    use crate::apiserver::rbac::escalation::{self, Write};
    if rt.group != crate::apiserver::rbac::RBAC_GROUP || escalation::escalation_allowed(ctx.user) {
        return Ok(());
    }
    let index = ctx.server.rbac_index();
    let namespace = ctx.info.namespace.as_deref().filter(|_| rt.namespaced);
    let write = match old {
        Some(old) => Write::Update(old),
        None => Write::Create,
    };
    match rt.kind {
        "Role" | "ClusterRole" => escalation::authorize_role_write(
            &index,
            ctx.user,
            rt.kind,
            namespace,
            ctx.info.name.as_deref(),
            object,
            write,
        ),
        "RoleBinding" | "ClusterRoleBinding" => {
            escalation::authorize_binding_write(&index, ctx.user, rt.kind, namespace, object, write)
        }
        _ => Ok(()),
    }
}

/// How many times a generated name is retried when it collides.
const GENERATE_NAME_RETRIES: usize = 8;

fn meta_str<'a>(object: &'a Value, field: &str) -> Option<&'a str> {
    object.get("metadata")?.get(field)?.as_str()
}

fn metadata_mut(object: &mut Value) -> &mut serde_json::Map<String, Value> {
    if !object.get("metadata").is_some_and(Value::is_object) {
        object["metadata"] = json!({});
    }
    match object.get_mut("metadata") {
        Some(Value::Object(map)) => map,
        _ => unreachable!("metadata was just made an object"),
    }
}

fn object_ref(rt: &ResourceType, object: &Value) -> ObjectRef {
    ObjectRef {
        kind: rt.kind.to_string(),
        namespace: meta_str(object, "namespace").map(str::to_string),
        name: meta_str(object, "name")
            .or(meta_str(object, "generateName"))
            .unwrap_or("")
            .to_string(),
        uid: meta_str(object, "uid").map(str::to_string),
    }
}

pub fn schema_of(rt: &ResourceType) -> &'static Value {
    static NULL: Value = Value::Null;
    Schema::get()
        .for_kind(rt.group, rt.version, rt.kind)
        .map(|(_, s)| s)
        .unwrap_or(&NULL)
}

/// Creates `object` (already decoded and defaulted) as `rt` in the request's namespace.
pub async fn create(
    ctx: &Ctx<'_>,
    rt: &'static ResourceType,
    mut object: Value,
    options: &WriteOptions,
) -> Result<Value, ApiError> {
    let dry_run = options.dry_run;
    let namespace = ctx.info.namespace.clone();
    {
        let meta = metadata_mut(&mut object);
        if rt.namespaced {
            let ns = namespace.clone().unwrap_or_default();
            match meta.get("namespace").and_then(Value::as_str) {
                Some(body_ns) if !body_ns.is_empty() && body_ns != ns => {
                    return Err(ApiError::bad_request(
                        "the namespace of the provided object does not match the namespace sent on the request",
                    ));
                }
                _ => {}
            }
            meta.insert("namespace".to_string(), json!(ns));
        } else {
            meta.remove("namespace");
        }
    }
    let name = meta_str(&object, "name").unwrap_or("").to_string();
    prevent_escalation(ctx, rt, &object, None)?;
    let attributes = Attributes {
        operation: Operation::Create,
        group: rt.group,
        kind: rt.kind,
        resource: rt.plural,
        subresource: None,
        namespace: namespace.as_deref(),
        name: &name,
        object: None,
        old_object: None,
        dry_run,
    };
    // Ownership is recorded for what the client sent, before admission changes anything.
    if !options.applied {
        let now = time::format_time(ctx.server.clock().now_ms());
        managed_fields::record_update(
            None,
            &mut object,
            &options.manager,
            &rt.api_version(),
            None,
            &now,
            schema_of(rt),
        );
    }
    admission::mutate(ctx, &attributes, &mut object).await?;

    let generate =
        name.is_empty() && meta_str(&object, "generateName").is_some_and(|g| !g.is_empty());
    let attempts = if generate { GENERATE_NAME_RETRIES } else { 1 };
    let mut last_error = None;
    for attempt in 1..=attempts {
        // The last attempt takes the object; earlier ones (generated names) work on copies.
        let mut candidate = if attempt == attempts {
            std::mem::take(&mut object)
        } else {
            object.clone()
        };
        if generate {
            let base = meta_str(&candidate, "generateName")
                .unwrap_or("")
                .to_string();
            let base: String = base.chars().take(63 - 5).collect();
            metadata_mut(&mut candidate).insert(
                "name".to_string(),
                json!(format!("{base}{}", ctx.server.name_suffix())),
            );
        }
        match create_once(ctx, rt, candidate, options).await {
            Err(e) if generate && e.reason == "AlreadyExists" => last_error = Some(e),
            other => return other,
        }
    }
    Err(last_error.unwrap_or_else(|| ApiError::internal("could not generate a free name")))
}

async fn create_once(
    ctx: &Ctx<'_>,
    rt: &'static ResourceType,
    mut object: Value,
    options: &WriteOptions,
) -> Result<Value, ApiError> {
    let dry_run = options.dry_run;
    let now = time::format_time(ctx.server.clock().now_ms());
    strategy::prepare_for_create(rt.group, rt.kind, &mut object);
    {
        let uid = ctx.server.new_uid();
        let meta = metadata_mut(&mut object);
        meta.insert("uid".to_string(), json!(uid));
        meta.insert("creationTimestamp".to_string(), json!(now));
        for field in [
            "resourceVersion",
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
            "selfLink",
        ] {
            meta.remove(field);
        }
    }
    let errors = validation::validate_create(rt.group, rt.kind, &object);
    let name = meta_str(&object, "name").unwrap_or("").to_string();
    if !errors.is_empty() {
        let error = ApiError::invalid(rt.group, rt.kind, &name, &errors);
        invalid_hop(ctx, rt, &object, &error).await;
        return Err(error);
    }
    ctx.hop_with(
        Hop::new(
            "apiserver",
            "apiserver",
            HopKind::Validated,
            format!("{} {name}: decoded, defaulted and validated", rt.kind),
        )
        .object(Some(object_ref(rt, &object))),
    )
    .await;
    let attributes = Attributes {
        operation: Operation::Create,
        group: rt.group,
        kind: rt.kind,
        resource: rt.plural,
        subresource: None,
        namespace: ctx.info.namespace.as_deref(),
        name: &name,
        object: Some(&object),
        old_object: None,
        dry_run,
    };
    admission::validate(ctx, &attributes).await?;
    if dry_run {
        return Ok(object);
    }
    let namespace = ctx.info.namespace.as_deref().filter(|_| rt.namespaced);
    // The stored object differs from `object` only by its resourceVersion, which neither the
    // key nor the hop's object reference includes.
    let key = rt.key(
        meta_str(&object, "namespace"),
        meta_str(&object, "name").unwrap_or(""),
    );
    let reference = object_ref(rt, &object);
    let result = ctx.server.objects().create(rt, namespace, &name, object);
    stored_hop(ctx, key, reference, "create", &result).await;
    result
}

/// Replaces `old` by `new` (already decoded): the main resource, or a subresource (`status`
/// keeps everything but status from `old`). `expected` is the resourceVersion to compare with.
pub async fn update(
    ctx: &Ctx<'_>,
    rt: &'static ResourceType,
    subresource: Option<&str>,
    old: &Value,
    mut new: Value,
    expected: i64,
    options: &WriteOptions,
) -> Result<Value, ApiError> {
    let dry_run = options.dry_run;
    let name = meta_str(old, "name").unwrap_or("").to_string();
    let now = time::format_time(ctx.server.clock().now_ms());
    {
        let old_meta = old.get("metadata").cloned().unwrap_or_else(|| json!({}));
        let meta = metadata_mut(&mut new);
        // What a client may not change: identity and the server's own bookkeeping.
        for field in [
            "name",
            "namespace",
            "uid",
            "creationTimestamp",
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
            "generation",
        ] {
            match old_meta.get(field) {
                Some(value) => meta.insert(field.to_string(), value.clone()),
                None => meta.remove(field),
            };
        }
        if !meta.contains_key("managedFields")
            && let Some(mf) = old_meta.get("managedFields")
        {
            meta.insert("managedFields".to_string(), mf.clone());
        }
        meta.remove("resourceVersion");
    }
    prevent_escalation(ctx, rt, &new, Some(old))?;
    let attributes = Attributes {
        operation: Operation::Update,
        group: rt.group,
        kind: rt.kind,
        resource: rt.plural,
        subresource,
        namespace: ctx.info.namespace.as_deref(),
        name: &name,
        object: None,
        old_object: Some(old),
        dry_run,
    };
    if !options.applied {
        managed_fields::record_update(
            Some(old),
            &mut new,
            &options.manager,
            &rt.api_version(),
            subresource,
            &now,
            schema_of(rt),
        );
    }
    admission::mutate(ctx, &attributes, &mut new).await?;
    let errors = match subresource {
        Some("status") => {
            strategy::prepare_for_status_update(rt.group, rt.kind, &mut new, old);
            validation::validate_status_update(rt.group, rt.kind, &new, old)
        }
        _ => {
            strategy::prepare_for_update(rt.group, rt.kind, &mut new, old);
            validation::validate_update(rt.group, rt.kind, &new, old)
        }
    };
    if !errors.is_empty() {
        let error = ApiError::invalid(rt.group, rt.kind, &name, &errors);
        invalid_hop(ctx, rt, &new, &error).await;
        return Err(error);
    }
    ctx.hop_with(
        Hop::new(
            "apiserver",
            "apiserver",
            HopKind::Validated,
            format!("{} {name}: update validated", rt.kind),
        )
        .object(Some(object_ref(rt, &new))),
    )
    .await;
    let attributes = Attributes {
        object: Some(&new),
        ..attributes
    };
    admission::validate(ctx, &attributes).await?;
    if dry_run {
        let mut shown = new;
        if let Some(rv) = old.pointer("/metadata/resourceVersion") {
            metadata_mut(&mut shown).insert("resourceVersion".to_string(), rv.clone());
        }
        return Ok(shown);
    }
    store_update(ctx, rt, &new, expected).await
}

/// Stores an object the apiserver itself changed (binding, graceful deletion): no admission
/// beyond what the caller did, a compare on `expected`.
pub async fn store_update(
    ctx: &Ctx<'_>,
    rt: &'static ResourceType,
    object: &Value,
    expected: i64,
) -> Result<Value, ApiError> {
    let name = meta_str(object, "name").unwrap_or("").to_string();
    let namespace = meta_str(object, "namespace").filter(|_| rt.namespaced);
    if should_delete_during_update(rt, object) {
        let result = ctx.server.objects().delete(rt, namespace, &name, expected);
        store_hop(ctx, rt, object, "delete", &result).await;
        return result;
    }
    let result = ctx
        .server
        .objects()
        .update(rt, namespace, &name, object, expected);
    store_hop(ctx, rt, object, "update", &result).await;
    result
}

/// An object being deleted whose last finalizer was just removed goes away with this write
/// (`ShouldDeleteDuringUpdate`); a pod only once its grace period is over (0).
fn should_delete_during_update(rt: &ResourceType, object: &Value) -> bool {
    let meta = object.get("metadata");
    let deleting = meta
        .and_then(|m| m.get("deletionTimestamp"))
        .is_some_and(|t| !t.is_null());
    let finalized = meta
        .and_then(|m| m.get("finalizers"))
        .and_then(Value::as_array)
        .is_none_or(|f| f.is_empty());
    let grace_over = !(rt.group.is_empty() && rt.kind == "Pod")
        || meta
            .and_then(|m| m.get("deletionGracePeriodSeconds"))
            .and_then(Value::as_i64)
            == Some(0);
    deleting && finalized && grace_over && rt.kind != "Namespace"
}

async fn invalid_hop(ctx: &Ctx<'_>, rt: &ResourceType, object: &Value, error: &ApiError) {
    ctx.hop_with(
        Hop::new(
            "apiserver",
            "apiserver",
            HopKind::Invalid,
            format!("{} {}", error.code, error.message),
        )
        .object(Some(object_ref(rt, object)))
        .detail(error.to_status()),
    )
    .await;
}

pub async fn store_hop(
    ctx: &Ctx<'_>,
    rt: &ResourceType,
    object: &Value,
    what: &str,
    result: &Result<Value, ApiError>,
) {
    let key = rt.key(
        meta_str(object, "namespace"),
        meta_str(object, "name").unwrap_or(""),
    );
    let reference = match result {
        Ok(stored) => object_ref(rt, stored),
        Err(_) => object_ref(rt, object),
    };
    stored_hop(ctx, key, reference, what, result).await;
}

/// The store hop of a write to `key`; `reference` names the object written.
async fn stored_hop(
    ctx: &Ctx<'_>,
    key: String,
    reference: ObjectRef,
    what: &str,
    result: &Result<Value, ApiError>,
) {
    let hop = match result {
        Ok(stored) => {
            let rev = meta_str(stored, "resourceVersion")
                .and_then(|r| r.parse().ok())
                .unwrap_or(0);
            Hop::new(
                "apiserver",
                "etcd",
                HopKind::Stored,
                format!("txn {what} {key}"),
            )
            .object(Some(reference))
            .rev(rev)
        }
        Err(e) => Hop::new(
            "apiserver",
            "etcd",
            HopKind::StoreFailed,
            format!("txn {what} {key}: {}", e.message),
        )
        .object(Some(reference)),
    };
    ctx.hop_with(hop).await;
}
