//! Admission: the plugins that may change (mutating) or refuse (validating) a write after it
//! is authorized, in kube-apiserver's order. Each plugin that runs is a hop saying what it did:
//! the JSON patch it applied, or why it refused.

mod namespace_lifecycle;

use crate::api::status::ApiError;
use crate::apiserver::Ctx;
use crate::flow::{Hop, HopKind, ObjectRef};
use serde_json::Value;

/// The write being admitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Create,
    Update,
    Delete,
    Connect,
}

impl Operation {
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Create => "CREATE",
            Operation::Update => "UPDATE",
            Operation::Delete => "DELETE",
            Operation::Connect => "CONNECT",
        }
    }
}

/// What a plugin sees.
pub struct Attributes<'a> {
    pub operation: Operation,
    pub group: &'a str,
    pub kind: &'a str,
    pub resource: &'a str,
    pub subresource: Option<&'a str>,
    pub namespace: Option<&'a str>,
    pub name: &'a str,
    pub object: Option<&'a Value>,
    pub old_object: Option<&'a Value>,
    pub dry_run: bool,
}

/// A plugin's verdict.
pub enum Verdict {
    /// Not this plugin's business (the hop says why).
    Skipped(String),
    /// Allowed as is.
    Allowed(String),
    /// Allowed after changing the object (the hop carries the JSON patch).
    Patched {
        why: String,
        patch: Value,
    },
    Denied(ApiError),
}

/// Runs the mutating plugins in order on `object`.
pub async fn mutate(
    ctx: &Ctx<'_>,
    attributes: &Attributes<'_>,
    object: &mut Value,
) -> Result<(), ApiError> {
    let verdicts = [(
        "NamespaceLifecycle",
        namespace_lifecycle::admit(ctx, attributes),
    )];
    for (plugin, verdict) in verdicts {
        report(
            ctx,
            attributes,
            plugin,
            HopKind::AdmissionMutating,
            &verdict,
        )
        .await;
        match verdict {
            Verdict::Denied(e) => return Err(e),
            Verdict::Patched { patch, .. } => {
                if let Ok(p) = serde_json::from_value::<json_patch::Patch>(patch) {
                    json_patch::patch(object, &p).map_err(|e| {
                        ApiError::internal(format!(
                            "admission plugin {plugin} produced a bad patch: {e}"
                        ))
                    })?;
                }
            }
            Verdict::Skipped(_) | Verdict::Allowed(_) => {}
        }
    }
    Ok(())
}

/// Runs the validating plugins in order.
pub async fn validate(ctx: &Ctx<'_>, attributes: &Attributes<'_>) -> Result<(), ApiError> {
    let _ = (ctx, attributes);
    Ok(())
}

async fn report(
    ctx: &Ctx<'_>,
    attributes: &Attributes<'_>,
    plugin: &str,
    kind: HopKind,
    verdict: &Verdict,
) {
    let object = Some(ObjectRef {
        kind: attributes.kind.to_string(),
        namespace: attributes.namespace.map(str::to_string),
        name: attributes.name.to_string(),
        uid: None,
    });
    let (kind, summary, detail) = match verdict {
        Verdict::Skipped(why) => (
            kind,
            format!("{plugin}: skipped ({why})"),
            serde_json::json!({"plugin": plugin, "decision": "skipped"}),
        ),
        Verdict::Allowed(why) => (
            kind,
            format!("{plugin}: allowed ({why})"),
            serde_json::json!({"plugin": plugin, "decision": "allowed"}),
        ),
        Verdict::Patched { why, patch } => (
            kind,
            format!("{plugin}: {why}"),
            serde_json::json!({"plugin": plugin, "decision": "patched", "patch": patch}),
        ),
        Verdict::Denied(e) => (
            HopKind::AdmissionDenied,
            format!("{plugin}: denied: {}", e.message),
            serde_json::json!({"plugin": plugin, "decision": "denied", "message": e.message}),
        ),
    };
    ctx.hop_with(
        Hop::new("apiserver", "admission", kind, summary)
            .object(object)
            .detail(detail),
    )
    .await;
}
