//! ServiceAccount: every pod runs as a service account — `default` unless it names one, which
//! must exist — and (unless it opts out) gets the projected `kube-api-access-…` volume with
//! the account's token, the cluster CA and its namespace, mounted at
//! `/var/run/secrets/kubernetes.io/serviceaccount` in every container.

use super::{Attributes, Operation, Verdict, add_op, display_name};
use crate::api::kinds::SERVICE_ACCOUNTS;
use crate::api::pointer::At;
use crate::api::status::ApiError;
use crate::apiserver::Ctx;
use serde_json::{Value, json};

pub const DEFAULT_SERVICE_ACCOUNT: &str = "default";
pub const TOKEN_MOUNT_PATH: &str = "/var/run/secrets/kubernetes.io/serviceaccount";

pub fn admit(ctx: &Ctx<'_>, attributes: &Attributes<'_>, pod: &Value) -> Option<Verdict> {
    if !(attributes.is_pod_write() && attributes.operation == Operation::Create) {
        return None;
    }
    let namespace = attributes.namespace.unwrap_or("default");
    let named = pod
        .at("/spec/serviceAccountName")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty());
    let account_name = named.unwrap_or(DEFAULT_SERVICE_ACCOUNT);
    let Some(account) = ctx
        .server
        .cache()
        .get(&SERVICE_ACCOUNTS, Some(namespace), account_name)
    else {
        return Some(Verdict::Denied(
            ApiError::forbidden(format!(
                "pods \"{}\" is forbidden: error looking up service account {namespace}/{account_name}: serviceaccount \"{account_name}\" not found",
                display_name(attributes, pod)
            ))
            .with_details(json!({"name": display_name(attributes, pod), "kind": "pods"})),
        ));
    };
    let mut patch = Vec::new();
    let mut did = Vec::new();
    if named.is_none() {
        patch.push(add_op(
            "/spec/serviceAccountName",
            Value::from(account_name),
        ));
        did.push(format!("serviceAccountName: {account_name}"));
    }
    // The deprecated field mirrors the real one, as the v1 conversion writes it.
    if pod.at("/spec/serviceAccount").and_then(Value::as_str) != Some(account_name) {
        patch.push(add_op("/spec/serviceAccount", Value::from(account_name)));
    }
    let automount = pod
        .at("/spec/automountServiceAccountToken")
        .and_then(Value::as_bool)
        .or_else(|| {
            account
                .get("automountServiceAccountToken")
                .and_then(Value::as_bool)
        })
        .unwrap_or(true);
    let already_mounted = super::containers(pod).any(|c| {
        c.get("volumeMounts")
            .and_then(Value::as_array)
            .is_some_and(|ms| {
                ms.iter()
                    .any(|m| m.get("mountPath").and_then(Value::as_str) == Some(TOKEN_MOUNT_PATH))
            })
    });
    if automount && !already_mounted {
        let volume = format!("kube-api-access-{}", ctx.server.name_suffix());
        if pod.at("/spec/volumes").is_none_or(Value::is_null) {
            patch.push(add_op("/spec/volumes", Value::Array(Vec::new())));
        }
        patch.push(add_op("/spec/volumes/-", token_volume(&volume)));
        for list in ["initContainers", "containers"] {
            let Some(containers) = pod
                .get("spec")
                .and_then(|spec| spec.get(list))
                .and_then(Value::as_array)
            else {
                continue;
            };
            for (i, container) in containers.iter().enumerate() {
                if container.get("volumeMounts").is_none_or(Value::is_null) {
                    patch.push(add_op(
                        format!("/spec/{list}/{i}/volumeMounts"),
                        Value::Array(Vec::new()),
                    ));
                }
                patch.push(add_op(
                    format!("/spec/{list}/{i}/volumeMounts/-"),
                    json!({"name": volume, "mountPath": TOKEN_MOUNT_PATH, "readOnly": true}),
                ));
            }
        }
        did.push(format!(
            "token volume {volume} mounted at {TOKEN_MOUNT_PATH}"
        ));
    }
    if patch.is_empty() {
        return Some(Verdict::Allowed(format!(
            "runs as service account {account_name}"
        )));
    }
    if did.is_empty() {
        did.push(format!("runs as service account {account_name}"));
    }
    Some(Verdict::patched(did.join("; "), Value::Array(patch)))
}

/// The projected volume kube-apiserver adds (BoundServiceAccountTokenVolume).
fn token_volume(name: &str) -> Value {
    // Built once; each pod gets a copy with its own name.
    static TEMPLATE: std::sync::LazyLock<Value> = std::sync::LazyLock::new(|| {
        json!({
            "name": "",
            "projected": {
                "defaultMode": 420,
                "sources": [
                    {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                    {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
                    {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}},
                ],
            },
        })
    });
    let mut volume = TEMPLATE.clone();
    volume["name"] = Value::from(name);
    volume
}
