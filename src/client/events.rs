//! The event recorder: how components tell users what they did (`Scheduled`, `Pulling`,
//! `ScalingReplicaSet`…). Each event is a core/v1 Event written through the API like any other
//! object, named `<object>.<time in hex nanoseconds>` as client-go's recorder names them, so
//! `kubectl describe` and `kubectl get events` show them.

use super::Client;
use crate::api::status::ApiError;
use crate::api::time::format_time;
use serde_json::{Value, json};

#[derive(Clone)]
pub struct EventRecorder {
    client: Client,
    /// `source.component` / `reportingComponent`: `default-scheduler`, `kubelet`, …
    component: &'static str,
    /// `source.host` for kubelets.
    host: Option<String>,
}

/// Normal or Warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    Normal,
    Warning,
}

impl EventType {
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Normal => "Normal",
            EventType::Warning => "Warning",
        }
    }
}

impl EventRecorder {
    pub fn new(client: Client, component: &'static str, host: Option<String>) -> EventRecorder {
        EventRecorder {
            client,
            component,
            host,
        }
    }

    /// Records an event about `regarding` (any object as the API returned it). `field_path`
    /// names a container (`spec.containers{nginx}`) for kubelet events.
    pub async fn record(
        &self,
        regarding: &Value,
        field_path: Option<&str>,
        kind: EventType,
        reason: &str,
        message: &str,
    ) -> Result<Value, ApiError> {
        let event = self.event(regarding, field_path, kind, reason, message);
        let namespace = event
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .unwrap_or("default")
            .to_string();
        self.client
            .create(&format!("/api/v1/namespaces/{namespace}/events"), &event)
            .await
    }

    /// The Event object `record` writes.
    pub fn event(
        &self,
        regarding: &Value,
        field_path: Option<&str>,
        kind: EventType,
        reason: &str,
        message: &str,
    ) -> Value {
        let now = self.client.clock().now_ms();
        // `regarding` is an object as the API returns it, or already an object reference
        // (apiVersion, kind, namespace, name, uid, resourceVersion at the top).
        let meta = match regarding.get("metadata") {
            Some(meta) => meta.clone(),
            None => {
                let mut meta = regarding.clone();
                if let Value::Object(m) = &mut meta {
                    m.remove("kind");
                    m.remove("apiVersion");
                }
                meta
            }
        };
        let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        let name = text(&meta, "name");
        // Events about cluster-scoped objects (nodes) live in `default`, as client-go puts them.
        let namespace = match text(&meta, "namespace") {
            ns if ns.is_empty() => "default".to_string(),
            ns => ns,
        };
        let mut involved = json!({
            "kind": text(regarding, "kind"),
            "name": name,
            "uid": text(&meta, "uid"),
            "apiVersion": text(regarding, "apiVersion"),
            "resourceVersion": text(&meta, "resourceVersion"),
        });
        if let Some(ns) = meta.get("namespace").and_then(Value::as_str) {
            involved["namespace"] = json!(ns);
        }
        if let Some(path) = field_path {
            involved["fieldPath"] = json!(path);
        }
        let mut source = json!({"component": self.component});
        if let Some(host) = &self.host {
            source["host"] = json!(host);
        }
        let nanos = self.client.clock().unique_ns();
        json!({
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {"name": format!("{name}.{nanos:x}"), "namespace": namespace},
            "involvedObject": involved,
            "reason": reason,
            "message": message,
            "source": source,
            "firstTimestamp": format_time(now),
            "lastTimestamp": format_time(now),
            "count": 1,
            "type": kind.as_str(),
            "eventTime": Value::Null,
            "reportingComponent": self.component,
            "reportingInstance": self.host.clone().unwrap_or_default(),
        })
    }
}
