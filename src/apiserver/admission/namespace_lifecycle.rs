//! NamespaceLifecycle: no new objects in a namespace that does not exist or is being deleted,
//! and the system namespaces cannot be deleted.

use super::{Attributes, Operation, Verdict};
use crate::api::kinds::NAMESPACES;
use crate::api::status::ApiError;
use crate::apiserver::Ctx;

/// Namespaces that always exist.
pub const IMMORTAL: &[&str] = &["default", "kube-system", "kube-public"];

pub fn admit(ctx: &Ctx<'_>, attributes: &Attributes<'_>) -> Verdict {
    if attributes.kind == "Namespace" && attributes.operation == Operation::Delete {
        if IMMORTAL.contains(&attributes.name) {
            return Verdict::Denied(
                ApiError::forbidden(format!(
                    "namespaces \"{}\" is forbidden: this namespace may not be deleted",
                    attributes.name
                ))
                .with_details(serde_json::json!({"name": attributes.name, "kind": "namespaces"})),
            );
        }
        return Verdict::Allowed("namespace may be deleted".to_string());
    }
    let Some(namespace) = attributes.namespace else {
        return Verdict::Skipped("cluster-scoped object".to_string());
    };
    if attributes.operation != Operation::Create {
        return Verdict::Skipped(format!("{} is not a create", attributes.operation.as_str()));
    }
    match ctx.server.objects().get_shared(&NAMESPACES, None, namespace) {
        Ok(Some(ns)) if ns.get("metadata").and_then(|m| m.get("deletionTimestamp")).is_some_and(|t| !t.is_null()) => {
            Verdict::Denied(
                ApiError::forbidden(format!(
                    "{} \"{}\" is forbidden: unable to create new content in namespace {namespace} because it is being terminated",
                    attributes.resource, attributes.name
                ))
                .with_details(serde_json::json!({"name": attributes.name, "group": attributes.group, "kind": attributes.resource, "causes": [{"reason": "NamespaceTerminating", "message": format!("namespace {namespace} is being terminated"), "field": "metadata.namespace"}]})),
            )
        }
        Ok(Some(_)) => Verdict::Allowed(format!("namespace {namespace} is active")),
        Ok(None) => Verdict::Denied(ApiError::not_found("", "namespaces", namespace)),
        Err(e) => Verdict::Denied(e),
    }
}
