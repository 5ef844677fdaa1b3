//! The serviceaccount controller and the root-CA publisher: every namespace gets a `default`
//! ServiceAccount (pods run as it unless they name another) and the `kube-root-ca.crt`
//! ConfigMap (what a pod's projected token volume mounts to trust the apiserver).

use crate::api::status::ApiError;
use crate::client::Client;
use serde_json::{Value, json};

const ROOT_CA_CONFIG_MAP: &str = "kube-root-ca.crt";
const ROOT_CA_DESCRIPTION: &str = "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.";

pub struct ServiceAccountController {
    client: Client,
    /// The cluster CA (PEM) to publish; None publishes nothing.
    ca_pem: Option<String>,
}

impl ServiceAccountController {
    pub fn new(client: Client, ca_pem: Option<String>) -> ServiceAccountController {
        ServiceAccountController { client, ca_pem }
    }

    /// Makes sure `namespace` has its default ServiceAccount and root CA ConfigMap.
    pub async fn reconcile(&self, namespace: &str) -> Result<(), ApiError> {
        let account =
            json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default"}});
        ignore_exists(
            self.client
                .create(
                    &format!("/api/v1/namespaces/{namespace}/serviceaccounts"),
                    &account,
                )
                .await,
        )?;
        if let Some(ca) = &self.ca_pem {
            let config_map = json!({
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": ROOT_CA_CONFIG_MAP, "annotations": {"kubernetes.io/description": ROOT_CA_DESCRIPTION}},
                "data": {"ca.crt": ca},
            });
            ignore_exists(
                self.client
                    .create(
                        &format!("/api/v1/namespaces/{namespace}/configmaps"),
                        &config_map,
                    )
                    .await,
            )?;
        }
        Ok(())
    }

    /// Reconciles every namespace, then each one that appears, until the watch ends for good.
    pub async fn run(self) {
        loop {
            let Ok(list) = self.client.get("/api/v1/namespaces").await else {
                return;
            };
            let revision = list
                .pointer("/metadata/resourceVersion")
                .and_then(Value::as_str)
                .unwrap_or("0")
                .to_string();
            for ns in list
                .get("items")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                self.reconcile_object(ns).await;
            }
            let Ok(mut watch) = self
                .client
                .watch(&format!(
                    "/api/v1/namespaces?resourceVersion={revision}&allowWatchBookmarks=true"
                ))
                .await
            else {
                return;
            };
            while let Some(event) = watch.next().await {
                match event.kind.as_str() {
                    "ADDED" | "MODIFIED" => self.reconcile_object(&event.object).await,
                    // The history we watched from is gone: list again.
                    "ERROR" => break,
                    _ => {}
                }
            }
        }
    }

    async fn reconcile_object(&self, namespace: &Value) {
        let terminating = namespace
            .pointer("/metadata/deletionTimestamp")
            .is_some_and(|t| !t.is_null());
        if let (Some(name), false) = (
            namespace.pointer("/metadata/name").and_then(Value::as_str),
            terminating,
        ) {
            // A failure (the namespace went away meanwhile) is retried by the next event.
            let _ = self.reconcile(name).await;
        }
    }
}

fn ignore_exists(result: Result<Value, ApiError>) -> Result<(), ApiError> {
    match result {
        Ok(_) => Ok(()),
        Err(e) if e.reason == "AlreadyExists" => Ok(()),
        Err(e) => Err(e),
    }
}
