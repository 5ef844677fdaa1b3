//! Admission: the plugins that may change (mutating) or refuse (validating) a write after it
//! is authorized, in kube-apiserver's order: every mutating plugin in turn (each sees what the
//! ones before it changed), then every validating one. Each plugin that applies to the request
//! is a hop saying what it decided: the JSON patch it applied, or why it refused or skipped.
//! Webhooks run in-process but are shown as webhooks, with their name and failurePolicy.

mod default_toleration_seconds;
mod limit_ranger;
mod namespace_lifecycle;
mod resource_quota;
mod service_account;
pub mod webhook;

use crate::api::pointer::At;
use crate::api::status::ApiError;
use crate::apiserver::Ctx;
use crate::flow::{AdmissionDetail, Hop, HopKind, ObjectRef};
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
    /// The new object (validating phase; the mutating phase gets it separately, mutable).
    pub object: Option<&'a Value>,
    pub old_object: Option<&'a Value>,
    pub dry_run: bool,
}

impl Attributes<'_> {
    /// A create or update of the pod resource itself (not a subresource).
    pub fn is_pod_write(&self) -> bool {
        self.group.is_empty()
            && self.resource == "pods"
            && self.subresource.is_none()
            && matches!(self.operation, Operation::Create | Operation::Update)
    }
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

impl Verdict {
    /// Allowed after applying `patch` (a list of JSON-patch operations).
    pub fn patched(why: impl Into<String>, patch: Value) -> Verdict {
        Verdict::Patched {
            why: why.into(),
            patch,
        }
    }
}

/// A JSON-patch `add` operation (built directly: `json!` would copy `value` once more).
pub fn add_op(path: impl Into<String>, value: Value) -> Value {
    let mut op = serde_json::Map::new();
    op.insert("op".to_string(), Value::String("add".to_string()));
    op.insert("path".to_string(), Value::String(path.into()));
    op.insert("value".to_string(), value);
    Value::Object(op)
}

/// The admission plugins podflow runs, in kube-apiserver's order.
#[derive(Debug, Clone, Copy)]
enum Plugin {
    NamespaceLifecycle,
    LimitRanger,
    ServiceAccount,
    NodeRestriction,
    DefaultTolerationSeconds,
    MutatingWebhook(&'static webhook::Webhook),
    ValidatingWebhook(&'static webhook::Webhook),
    ResourceQuota,
}

const MUTATING: &[Plugin] = &[
    Plugin::NamespaceLifecycle,
    Plugin::LimitRanger,
    Plugin::ServiceAccount,
    Plugin::NodeRestriction,
    Plugin::DefaultTolerationSeconds,
    Plugin::MutatingWebhook(&webhook::SIDECAR_INJECTOR),
];

const VALIDATING: &[Plugin] = &[
    Plugin::LimitRanger,
    Plugin::ValidatingWebhook(&webhook::REQUIRE_LIMITS),
    Plugin::ResourceQuota,
];

impl Plugin {
    fn name(self) -> &'static str {
        match self {
            Plugin::NamespaceLifecycle => "NamespaceLifecycle",
            Plugin::LimitRanger => "LimitRanger",
            Plugin::ServiceAccount => "ServiceAccount",
            Plugin::NodeRestriction => "NodeRestriction",
            Plugin::DefaultTolerationSeconds => "DefaultTolerationSeconds",
            Plugin::MutatingWebhook(_) => "MutatingAdmissionWebhook",
            Plugin::ValidatingWebhook(_) => "ValidatingAdmissionWebhook",
            Plugin::ResourceQuota => "ResourceQuota",
        }
    }
}

/// Runs the mutating plugins in order on `object`.
pub async fn mutate(
    ctx: &Ctx<'_>,
    attributes: &Attributes<'_>,
    object: &mut Value,
) -> Result<(), ApiError> {
    for plugin in MUTATING {
        let verdict = match plugin {
            Plugin::NamespaceLifecycle => namespace_lifecycle::admit(ctx, attributes),
            Plugin::LimitRanger => limit_ranger::admit(ctx, attributes, object),
            Plugin::ServiceAccount => service_account::admit(ctx, attributes, object),
            Plugin::NodeRestriction => node_restriction(ctx, attributes, object),
            Plugin::DefaultTolerationSeconds => {
                default_toleration_seconds::admit(attributes, object)
            }
            Plugin::MutatingWebhook(hook) => hook.call(ctx, attributes, object),
            _ => None,
        };
        let Some(verdict) = verdict else { continue };
        if let Verdict::Patched { patch, .. } = &verdict {
            apply_patch(plugin.name(), object, patch)?;
            // A webhook's patched object is decoded again, so its additions get defaults.
            if matches!(plugin, Plugin::MutatingWebhook(_)) {
                crate::api::defaults::apply_defaults(attributes.group, attributes.kind, object);
            }
        }
        if let Some(error) = report(
            ctx,
            attributes,
            *plugin,
            HopKind::AdmissionMutating,
            verdict,
        )
        .await
        {
            return Err(error);
        }
    }
    Ok(())
}

/// Runs the validating plugins in order; the first refusal fails the request.
pub async fn validate(ctx: &Ctx<'_>, attributes: &Attributes<'_>) -> Result<(), ApiError> {
    for plugin in VALIDATING {
        let verdict = match plugin {
            Plugin::LimitRanger => limit_ranger::validate(ctx, attributes),
            Plugin::ValidatingWebhook(hook) => {
                hook.call(ctx, attributes, attributes.object.unwrap_or(&Value::Null))
            }
            Plugin::ResourceQuota => resource_quota::validate(ctx, attributes),
            _ => None,
        };
        let Some(verdict) = verdict else { continue };
        if let Some(error) = report(
            ctx,
            attributes,
            *plugin,
            HopKind::AdmissionValidating,
            verdict,
        )
        .await
        {
            return Err(error);
        }
    }
    Ok(())
}

/// NodeRestriction: a kubelet may only write its own Node and Lease and the pods bound to it.
/// Only kubelets' requests are its business.
fn node_restriction(ctx: &Ctx<'_>, attributes: &Attributes<'_>, object: &Value) -> Option<Verdict> {
    use crate::apiserver::rbac;
    rbac::node::node_identity(ctx.user)?;
    let request = rbac::Attributes::from_request_info(ctx.info);
    let new = (!object.is_null()).then_some(object);
    Some(
        match rbac::node_restriction(ctx.user, &request, new, attributes.old_object) {
            Ok(()) => Verdict::Allowed(format!("{} may write this", ctx.user.name)),
            Err(why) => Verdict::Denied(rbac::forbidden_error(
                attributes.group,
                attributes.resource,
                attributes.name,
                &why,
            )),
        },
    )
}

/// Applies a plugin's JSON patch. Plugins write `add` operations; those are applied in place
/// (the patch stays intact for the hop), anything else goes through the json-patch crate.
fn apply_patch(plugin: &str, object: &mut Value, patch: &Value) -> Result<(), ApiError> {
    let bad = |why: String| {
        ApiError::internal(format!(
            "admission plugin {plugin} produced a bad patch: {why}"
        ))
    };
    let ops = patch
        .as_array()
        .ok_or_else(|| bad("not a list of operations".to_string()))?;
    if !ops
        .iter()
        .all(|op| op.get("op").and_then(Value::as_str) == Some("add"))
    {
        let parsed: json_patch::Patch =
            serde_json::from_value(patch.clone()).map_err(|e| bad(e.to_string()))?;
        return json_patch::patch(object, &parsed).map_err(|e| bad(e.to_string()));
    }
    for op in ops {
        let path = op.get("path").and_then(Value::as_str).unwrap_or("");
        let value = op.get("value").cloned().unwrap_or(Value::Null);
        add(object, path, value).map_err(|why| bad(format!("{path}: {why}")))?;
    }
    Ok(())
}

/// RFC 6902 `add` at a JSON pointer.
fn add(document: &mut Value, pointer: &str, value: Value) -> Result<(), &'static str> {
    let Some(rest) = pointer.strip_prefix('/') else {
        *document = value;
        return Ok(());
    };
    let unescape = |t: &str| -> String {
        if t.contains('~') {
            t.replace("~1", "/").replace("~0", "~")
        } else {
            t.to_string()
        }
    };
    let (parents, last) = match rest.rsplit_once('/') {
        Some((parents, last)) => (Some(parents), last),
        None => (None, rest),
    };
    let mut target = document;
    for token in parents.into_iter().flat_map(|p| p.split('/')) {
        target = match target {
            Value::Object(map) => {
                let key = if token.contains('~') {
                    std::borrow::Cow::Owned(unescape(token))
                } else {
                    std::borrow::Cow::Borrowed(token)
                };
                map.get_mut(key.as_ref()).ok_or("missing parent")?
            }
            Value::Array(list) => list
                .get_mut(token.parse::<usize>().map_err(|_| "bad index")?)
                .ok_or("index out of range")?,
            _ => return Err("parent is not a container"),
        };
    }
    match target {
        Value::Object(map) => {
            map.insert(unescape(last), value);
            Ok(())
        }
        Value::Array(list) if last == "-" => {
            list.push(value);
            Ok(())
        }
        Value::Array(list) => {
            let index = last.parse::<usize>().map_err(|_| "bad index")?;
            if index > list.len() {
                return Err("index out of range");
            }
            list.insert(index, value);
            Ok(())
        }
        _ => Err("parent is not a container"),
    }
}

/// Records the plugin's hop; a denial comes back as the error to answer with.
async fn report(
    ctx: &Ctx<'_>,
    attributes: &Attributes<'_>,
    plugin: Plugin,
    kind: HopKind,
    verdict: Verdict,
) -> Option<ApiError> {
    let object = Some(ObjectRef {
        kind: attributes.kind.to_string(),
        namespace: attributes.namespace.map(str::to_string),
        name: attributes.name.to_string(),
        uid: None,
    });
    let label = match plugin {
        Plugin::MutatingWebhook(hook) | Plugin::ValidatingWebhook(hook) => {
            format!("webhook {}", hook.name)
        }
        _ => plugin.name().to_string(),
    };
    let mut denied = None;
    let mut detail = AdmissionDetail {
        plugin: plugin.name(),
        webhook: None,
        failure_policy: None,
        timeout_seconds: None,
        decision: "",
        patch: None,
        message: None,
    };
    if let Plugin::MutatingWebhook(hook) | Plugin::ValidatingWebhook(hook) = plugin {
        detail.webhook = Some(hook.name);
        detail.failure_policy = Some(hook.failure_policy);
        detail.timeout_seconds = Some(hook.timeout_seconds);
    }
    let (kind, summary) = match verdict {
        Verdict::Skipped(why) => {
            detail.decision = "skipped";
            (kind, format!("{label}: skipped ({why})"))
        }
        Verdict::Allowed(why) => {
            detail.decision = "allowed";
            (kind, format!("{label}: allowed ({why})"))
        }
        Verdict::Patched { why, patch } => {
            detail.decision = "patched";
            detail.patch = Some(patch);
            (kind, format!("{label}: {why}"))
        }
        Verdict::Denied(e) => {
            detail.decision = "denied";
            let summary = format!("{label}: denied: {}", e.message);
            detail.message = Some(e.message.clone());
            denied = Some(e);
            (HopKind::AdmissionDenied, summary)
        }
    };
    ctx.hop_with(
        Hop::new("apiserver", "admission", kind, summary)
            .object(object)
            .detail(detail),
    )
    .await;
    denied
}

/// The containers of a pod (or nothing, for anything else).
pub(crate) fn containers(pod: &Value) -> impl Iterator<Item = &Value> {
    pod.at("/spec/containers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

/// The name a message uses for the object: its name, or its generateName while it has none.
pub(crate) fn display_name<'a>(attributes: &'a Attributes<'_>, object: &'a Value) -> &'a str {
    if !attributes.name.is_empty() {
        return attributes.name;
    }
    object
        .at("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn add_operations_apply_in_place_like_rfc_6902() {
        let mut pod = json!({"metadata": {}, "spec": {"containers": [{"name": "a"}]}});
        let patch = json!([
            {"op": "add", "path": "/metadata/annotations", "value": {}},
            {"op": "add", "path": "/metadata/annotations/podflow.io~1x", "value": "1"},
            {"op": "add", "path": "/spec/containers/-", "value": {"name": "b"}},
            {"op": "add", "path": "/spec/containers/0", "value": {"name": "first"}},
        ]);
        apply_patch("Test", &mut pod, &patch).unwrap();
        assert_eq!(pod["metadata"]["annotations"]["podflow.io/x"], "1");
        let names: Vec<&str> = pod["spec"]["containers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["first", "a", "b"]);
        assert!(
            apply_patch(
                "Test",
                &mut pod,
                &json!([{"op": "add", "path": "/nope/x", "value": 1}])
            )
            .is_err()
        );
        apply_patch(
            "Test",
            &mut pod,
            &json!([{"op": "remove", "path": "/metadata/annotations"}]),
        )
        .unwrap();
        assert!(pod["metadata"].get("annotations").is_none());
    }
}
