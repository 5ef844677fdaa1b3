//! NamespaceLifecycle: no new objects in a namespace that does not exist or is being deleted,
//! and the system namespaces cannot be deleted.

use super::{Attributes, Operation, Verdict};
use crate::api::kinds::NAMESPACES;
use crate::api::pointer::At;
use crate::api::status::ApiError;
use crate::apiserver::Ctx;
use serde_json::json;

/// Namespaces that always exist.
pub const IMMORTAL: &[&str] = &["default", "kube-system", "kube-public"];

pub fn admit(ctx: &Ctx<'_>, attributes: &Attributes<'_>) -> Option<Verdict> {
    if attributes.kind == "Namespace" && attributes.operation == Operation::Delete {
        if IMMORTAL.contains(&attributes.name) {
            return Some(Verdict::Denied(
                ApiError::forbidden(format!(
                    "namespaces \"{}\" is forbidden: this namespace may not be deleted",
                    attributes.name
                ))
                .with_details(json!({"name": attributes.name, "kind": "namespaces"})),
            ));
        }
        return Some(Verdict::Allowed("namespace may be deleted".to_string()));
    }
    // Only creates of namespaced objects are this plugin's business.
    let namespace = attributes.namespace?;
    if attributes.operation != Operation::Create {
        return None;
    }
    let verdict = match ctx.server.cache().get(&NAMESPACES, None, namespace) {
        Some(ns) if ns.at("/metadata/deletionTimestamp").is_some_and(|t| !t.is_null()) => {
            Verdict::Denied(
                ApiError::forbidden(format!(
                    "{} \"{}\" is forbidden: unable to create new content in namespace {namespace} because it is being terminated",
                    attributes.resource, attributes.name
                ))
                .with_details(json!({
                    "name": attributes.name,
                    "group": attributes.group,
                    "kind": attributes.resource,
                    "causes": [{
                        "reason": "NamespaceTerminating",
                        "message": format!("namespace {namespace} is being terminated"),
                        "field": "metadata.namespace",
                    }],
                })),
            )
        }
        Some(_) => Verdict::Allowed(format!("namespace {namespace} is active")),
        None => Verdict::Denied(ApiError::not_found("", "namespaces", namespace)),
    };
    Some(verdict)
}
