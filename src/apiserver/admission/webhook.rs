//! Admission webhooks. Real clusters call them over HTTPS with an AdmissionReview; podflow's
//! two run in-process but keep a webhook's shape — a name, a failurePolicy, a timeout, a
//! namespace selector, the operations and resources it is registered for — so the flow shows
//! them as webhooks and faults can make one deny or time out.
//! - `sidecar-injector.podflow.io` (mutating) adds a `proxy` container to pods in namespaces
//!   labelled `podflow.io/sidecar-injection=enabled`, the way Istio injects its sidecar.
//! - `require-limits.podflow.io` (validating) refuses pods whose containers lack CPU or memory
//!   limits in namespaces labelled `podflow.io/require-limits=true`.

use super::{Attributes, Operation, Verdict};
use crate::api::kinds::NAMESPACES;
use crate::api::pointer::At;
use crate::api::status::ApiError;
use crate::apiserver::Ctx;
use serde_json::{Value, json};

#[derive(Debug)]
pub struct Webhook {
    pub name: &'static str,
    /// `Fail` or `Ignore`: what a failing call means.
    pub failure_policy: &'static str,
    pub timeout_seconds: u64,
    /// The namespace label (key, value) that opts a namespace in.
    pub namespace_label: (&'static str, &'static str),
    review: fn(&Value) -> Review,
}

/// What the webhook answered (the `response` of its AdmissionReview).
enum Review {
    Allowed(String),
    Patched(String, Value),
    Denied(String),
}

pub const SIDECAR_INJECTOR: Webhook = Webhook {
    name: "sidecar-injector.podflow.io",
    failure_policy: "Ignore",
    timeout_seconds: 10,
    namespace_label: ("podflow.io/sidecar-injection", "enabled"),
    review: inject_sidecar,
};

pub const REQUIRE_LIMITS: Webhook = Webhook {
    name: "require-limits.podflow.io",
    failure_policy: "Fail",
    timeout_seconds: 10,
    namespace_label: ("podflow.io/require-limits", "true"),
    review: require_limits,
};

/// The proxy's image: the one Istio injects.
pub const PROXY_IMAGE: &str = "docker.io/istio/proxyv2:1.24.1";

impl Webhook {
    /// Calls the webhook for a pod create; None when its rules do not match the request.
    pub fn call(&self, ctx: &Ctx<'_>, attributes: &Attributes<'_>, pod: &Value) -> Option<Verdict> {
        if !(attributes.is_pod_write() && attributes.operation == Operation::Create) {
            return None;
        }
        let namespace = attributes.namespace.unwrap_or("default");
        let (key, value) = self.namespace_label;
        let labelled = ctx
            .server
            .cache()
            .get(&NAMESPACES, None, namespace)
            .is_some_and(|ns| {
                ns.at("/metadata/labels")
                    .and_then(|l| l.get(key))
                    .and_then(Value::as_str)
                    == Some(value)
            });
        if !labelled {
            return Some(Verdict::Skipped(format!(
                "namespace {namespace} is not labelled {key}={value}"
            )));
        }
        Some(match (self.review)(pod) {
            Review::Allowed(why) => Verdict::Allowed(why),
            Review::Patched(why, patch) => Verdict::patched(why, patch),
            Review::Denied(message) => Verdict::Denied(
                ApiError::forbidden(format!(
                    "admission webhook \"{}\" denied the request: {message}",
                    self.name
                ))
                .with_details(json!({})),
            ),
        })
    }
}

fn inject_sidecar(pod: &Value) -> Review {
    if super::containers(pod).any(|c| c.get("name").and_then(Value::as_str) == Some("proxy")) {
        return Review::Allowed("the pod already has a proxy".to_string());
    }
    if pod
        .at("/metadata/annotations/sidecar.istio.io~1inject")
        .and_then(Value::as_str)
        == Some("false")
    {
        return Review::Allowed(
            "the pod opted out (sidecar.istio.io/inject: \"false\")".to_string(),
        );
    }
    let proxy = json!({
        "name": "proxy",
        "image": PROXY_IMAGE,
        "args": ["proxy", "sidecar"],
        "ports": [{"name": "http-envoy-prom", "containerPort": 15090, "protocol": "TCP"}],
        "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"cpu": "2", "memory": "1Gi"}},
    });
    let mut patch = Vec::new();
    if pod.at("/metadata/annotations").is_none_or(Value::is_null) {
        patch.push(json!({"op": "add", "path": "/metadata/annotations", "value": {}}));
    }
    patch.push(json!({"op": "add", "path": "/metadata/annotations/podflow.io~1sidecar-status", "value": "injected"}));
    patch.push(json!({"op": "add", "path": "/spec/containers/-", "value": proxy}));
    Review::Patched(
        format!("injected the proxy sidecar ({PROXY_IMAGE})"),
        Value::Array(patch),
    )
}

fn require_limits(pod: &Value) -> Review {
    for list in ["initContainers", "containers"] {
        for container in pod
            .at(&format!("/spec/{list}"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let name = container.get("name").and_then(Value::as_str).unwrap_or("");
            for resource in ["cpu", "memory"] {
                if container
                    .at(&format!("/resources/limits/{resource}"))
                    .is_none_or(Value::is_null)
                {
                    return Review::Denied(format!(
                        "container \"{name}\" has no resources.limits.{resource}"
                    ));
                }
            }
        }
    }
    Review::Allowed("every container has CPU and memory limits".to_string())
}
