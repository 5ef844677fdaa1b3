//! `kubectl`, as podflow's own client: what kubectl does on its side of `apply -f` and
//! `delete -f`, each step a hop, then the same requests kubectl sends. `trace` and the TUI use
//! it to apply manifests; a real kubectl's requests show as from `kubectl` too (by User-Agent).
//!
//! Client-side apply, as kubectl 1.32 does it: read the file (YAML → JSON), map each kind to
//! its resource and check it in the server's OpenAPI (which says the server validates fields
//! itself: `fieldValidation=Strict`), record the applied configuration in the
//! `kubectl.kubernetes.io/last-applied-configuration` annotation, `GET` the object, then
//! `POST` it (404) or send a strategic merge `PATCH` computed from the last applied, the new
//! and the live configuration.

pub mod manifest;
mod three_way;
pub mod transport;

use crate::api::status::ApiError;
use crate::flow::{Flow, Hop, HopKind, ObjectRef};
use manifest::ManifestObject;
use serde_json::{Value, json};
use std::path::Path;
use std::sync::Arc;
pub use transport::Https;

pub const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";
/// The User-Agent podflow's kubectl sends (the flow names the client `kubectl` from it).
pub const USER_AGENT: &str = "kubectl/v1.32.4 (linux/amd64) kubernetes/podflow";
const FIELD_MANAGER: &str = "kubectl-client-side-apply";

/// What applying one object did.
#[derive(Debug, Clone)]
pub struct Applied {
    pub object: ManifestObject,
    /// `created`, `configured` or `unchanged` (kubectl's words).
    pub outcome: &'static str,
    /// The object as the server returned it.
    pub live: Value,
}

impl Applied {
    /// kubectl's line: `pod/web created`.
    pub fn line(&self) -> String {
        format!("{} {}", self.object.display(), self.outcome)
    }
}

pub struct Kubectl {
    transport: Https,
    flow: Arc<Flow>,
}

impl Kubectl {
    pub fn new(transport: Https, flow: Arc<Flow>) -> Kubectl {
        Kubectl { transport, flow }
    }

    async fn hop(
        &self,
        kind: HopKind,
        object: Option<&ManifestObject>,
        summary: String,
        detail: Value,
    ) {
        let hop = Hop::new("kubectl", "kubectl", kind, summary)
            .object(object.map(object_ref))
            .detail(detail);
        self.flow.pass(hop).await;
    }

    /// Reads a manifest file and shows it read: the objects it holds.
    pub async fn read(&self, path: &Path) -> Result<Vec<ManifestObject>, String> {
        let objects = manifest::read(path)?;
        let names: Vec<String> = objects.iter().map(ManifestObject::describe).collect();
        self.hop(
            HopKind::ManifestParsed,
            objects.first(),
            format!(
                "read {}: {} (YAML → JSON)",
                path.display(),
                names.join(", ")
            ),
            json!({"file": path.display().to_string(), "objects": names}),
        )
        .await;
        Ok(objects)
    }

    /// `kubectl apply -f FILE`: every object of the file, in order. Stops at the first the
    /// server refuses, with kubectl's message.
    pub async fn apply_file(&self, path: &Path) -> Result<Vec<Applied>, String> {
        let objects = self.read(path).await?;
        let mut applied = Vec::new();
        for object in objects {
            applied.push(self.apply(object, &path.display().to_string()).await?);
        }
        Ok(applied)
    }

    /// Applies one object (client-side apply).
    pub async fn apply(&self, mut object: ManifestObject, source: &str) -> Result<Applied, String> {
        self.validate(&object).await;
        let configuration = last_applied_configuration(&object.object);
        annotate(&mut object.object, &configuration);
        let query = format!("fieldManager={FIELD_MANAGER}&fieldValidation=Strict");
        let current = self.transport.get(&object.path()).await;
        match current {
            Err(e) if e.code == 404 => {
                let created = self
                    .transport
                    .send_json(
                        http::Method::POST,
                        &format!("{}?{query}", object.collection_path()),
                        "application/json",
                        &object.object,
                    )
                    .await
                    .map_err(|e| {
                        error_from_server(
                            &e,
                            format!("error when creating \"{source}\": {}", e.message),
                        )
                    })?;
                Ok(Applied {
                    object,
                    outcome: "created",
                    live: created,
                })
            }
            Err(e) => Err(error_from_server(
                &e,
                manifest::retrieving(
                    object.rt,
                    &object.name,
                    object.namespace.as_deref(),
                    source,
                    &e.message,
                ),
            )),
            Ok(live) => {
                let original = live
                    .pointer("/metadata/annotations")
                    .and_then(|a| a.get(LAST_APPLIED))
                    .and_then(Value::as_str)
                    .and_then(|text| serde_json::from_str::<Value>(text).ok())
                    .unwrap_or(Value::Null);
                let patch = three_way::patch(&original, &object.object, &live);
                if patch.as_object().is_none_or(|p| p.is_empty()) {
                    return Ok(Applied {
                        object,
                        outcome: "unchanged",
                        live,
                    });
                }
                let patched = self
                    .transport
                    .send_json(
                        http::Method::PATCH,
                        &format!("{}?{query}", object.path()),
                        "application/strategic-merge-patch+json",
                        &patch,
                    )
                    .await
                    .map_err(|e| {
                        error_from_server(
                            &e,
                            format!("error when patching \"{source}\": {}", e.message),
                        )
                    })?;
                Ok(Applied {
                    object,
                    outcome: "configured",
                    live: patched,
                })
            }
        }
    }

    /// kubectl's check before sending: the kind is in the server's OpenAPI, whose PATCH takes
    /// `fieldValidation` — so kubectl leaves field validation to the server (Strict).
    async fn validate(&self, object: &ManifestObject) {
        let rt = object.rt;
        let known = crate::api::schema::Schema::get()
            .for_kind(rt.group, rt.version, rt.kind)
            .is_some();
        let summary = if known {
            format!(
                "{}: {} {} is in the server's OpenAPI and takes fieldValidation: the server checks the fields (Strict)",
                object.describe(),
                rt.api_version(),
                rt.kind
            )
        } else {
            format!(
                "{}: no schema for {} {}: sent as it is",
                object.describe(),
                rt.api_version(),
                rt.kind
            )
        };
        self.hop(
            HopKind::ClientValidated,
            Some(object),
            summary,
            json!({"gvk": manifest::gvk(rt), "fieldValidation": "Strict", "schema": known}),
        )
        .await;
    }

    /// `kubectl delete -f FILE` (background propagation, as kubectl's default): every object
    /// of the file; one already gone is reported as kubectl does and the rest go on.
    pub async fn delete_file(&self, path: &Path) -> Result<Vec<String>, String> {
        let objects = self.read(path).await?;
        let mut lines = Vec::new();
        let mut failures = Vec::new();
        for object in objects {
            match self.delete(&object).await {
                Ok(line) => lines.push(line),
                Err(message) => failures.push(message),
            }
        }
        if failures.is_empty() {
            Ok(lines)
        } else {
            Err(failures.join("\n"))
        }
    }
}

impl Kubectl {
    /// `kubectl delete KIND NAME` (background propagation): kubectl's line
    /// (`pod "web" deleted`) or its error (`Error from server (NotFound): …`).
    pub async fn delete(&self, object: &ManifestObject) -> Result<String, String> {
        self.transport
            .send_json(
                http::Method::DELETE,
                &object.path(),
                "application/json",
                &json!({"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Background"}),
            )
            .await
            .map(|_| format!("{} \"{}\" deleted", kind_display(object), object.name))
            .map_err(|e| error_from_server(&e, e.message.clone()))
    }

    /// `kubectl scale deployment/web --replicas=N`: a merge patch of the object's `scale`
    /// subresource. Returns kubectl's line (`deployment.apps/web scaled`).
    pub async fn scale(&self, object: &ManifestObject, replicas: u64) -> Result<String, String> {
        self.transport
            .send_json(
                http::Method::PATCH,
                &format!("{}/scale", object.path()),
                "application/merge-patch+json",
                &json!({"spec": {"replicas": replicas}}),
            )
            .await
            .map(|_| format!("{} scaled", object.display()))
            .map_err(|e| error_from_server(&e, e.message.clone()))
    }
}

/// `pod` or `deployment.apps`, as kubectl's delete prints it.
fn kind_display(object: &ManifestObject) -> String {
    if object.rt.group.is_empty() {
        object.rt.singular.to_string()
    } else {
        format!("{}.{}", object.rt.singular, object.rt.group)
    }
}

fn object_ref(object: &ManifestObject) -> ObjectRef {
    ObjectRef {
        kind: object.rt.kind.to_string(),
        namespace: object.namespace.clone(),
        name: object.name.clone(),
        uid: None,
    }
}

/// The configuration kubectl records: the object as applied, without the annotation itself,
/// as compact JSON with a trailing newline.
fn last_applied_configuration(object: &Value) -> String {
    let mut config = object.clone();
    if let Some(annotations) = config
        .pointer_mut("/metadata/annotations")
        .and_then(Value::as_object_mut)
    {
        annotations.remove(LAST_APPLIED);
        if annotations.is_empty()
            && let Some(meta) = config.get_mut("metadata").and_then(Value::as_object_mut)
        {
            meta.remove("annotations");
        }
    }
    let mut text = serde_json::to_string(&config).unwrap_or_default();
    text.push('\n');
    text
}

fn annotate(object: &mut Value, configuration: &str) {
    let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) else {
        return;
    };
    let annotations = meta
        .entry("annotations")
        .or_insert_with(|| Value::Object(Default::default()));
    if let Some(map) = annotations.as_object_mut() {
        map.insert(
            LAST_APPLIED.to_string(),
            Value::String(configuration.to_string()),
        );
    }
}

/// kubectl's words for a refusal: `The Pod "web" is invalid: spec.containers[0].image:
/// Required value` for an invalid object (its causes, one a line when there are several),
/// else `Error from server (Forbidden): ` and `message` (what kubectl was doing, and the
/// server's text).
fn error_from_server(e: &ApiError, message: String) -> String {
    if e.reason == "Invalid"
        && let Some(details) = &e.details
    {
        let field = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        let causes: Vec<String> = details
            .get("causes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|c| format!("{}: {}", field(c, "field"), field(c, "message")))
            .collect();
        let head = format!(
            "The {} \"{}\" is invalid",
            field(details, "kind"),
            field(details, "name")
        );
        return match causes.as_slice() {
            [] => head,
            [one] => format!("{head}: {one}"),
            many => format!("{head}: \n* {}", many.join("\n* ")),
        };
    }
    let reason = if e.reason.is_empty() {
        "InternalError"
    } else {
        e.reason.as_str()
    };
    format!("Error from server ({reason}): {message}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_applied_configuration_leaves_itself_out() {
        let mut object = json!({"apiVersion": "v1", "kind": "Pod",
                                "metadata": {"name": "a", "annotations": {LAST_APPLIED: "old"}}});
        let config = last_applied_configuration(&object);
        assert_eq!(
            config,
            "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"a\"}}\n"
        );
        annotate(&mut object, &config);
        assert_eq!(object["metadata"]["annotations"][LAST_APPLIED], config);
    }
}
