//! `client`: the in-process API client of podflow's own components (and of the benchmarks and
//! tests). Every call builds an `ApiRequest` and runs the very pipeline an HTTPS request runs,
//! under the caller's own identity, so authn, authz and admission apply and every write is a
//! hop.

use crate::api::status::ApiError;
use crate::apiserver::ApiServer;
use crate::apiserver::authn::UserInfo;
use crate::apiserver::request::{ApiRequest, ApiResponse, Chunk, Credentials};
use bytes::Bytes;
use serde_json::Value;
use std::sync::Arc;

pub mod events;
pub mod informer;
pub mod link;

#[derive(Clone)]
pub struct Client {
    api: Arc<ApiServer>,
    user: UserInfo,
    user_agent: String,
    /// The network to the apiserver, when it can fail (a node's).
    link: Option<link::Link>,
}

impl Client {
    /// A client acting as `user`; `user_agent` names the component (`kube-scheduler/v1.32.4`).
    pub fn new(api: Arc<ApiServer>, user: UserInfo, user_agent: &str) -> Client {
        Client {
            api,
            user,
            user_agent: user_agent.to_string(),
            link: None,
        }
    }

    /// The same client, reaching the apiserver over `link`.
    pub fn over(mut self, link: link::Link) -> Client {
        self.link = Some(link);
        self
    }

    pub fn user(&self) -> &UserInfo {
        &self.user
    }

    /// The cluster's clock: components wait on it and stamp their writes with it.
    pub fn clock(&self) -> &Arc<crate::clock::Clock> {
        self.api.clock()
    }

    /// Sends one request and returns the raw response.
    pub async fn send(
        &self,
        method: http::Method,
        path: &str,
        content_type: &str,
        body: Bytes,
    ) -> ApiResponse {
        if let Some(link) = &self.link
            && !link.is_up()
        {
            // The request never leaves the machine: no hop, a client-side error.
            let address = self.api.address();
            return crate::apiserver::error_response(&ApiError::new(
                503,
                "ServiceUnavailable",
                format!("dial tcp {address}: connect: no route to host"),
            ));
        }
        let mut request = ApiRequest::new(method, path);
        request.accept = "application/json".to_string();
        request.content_type = content_type.to_string();
        request.user_agent = self.user_agent.clone();
        request.body = body;
        request.credentials = Credentials::InProcess(self.user.clone());
        self.api.handle(request).await
    }

    async fn call(
        &self,
        method: http::Method,
        path: &str,
        content_type: &str,
        body: Option<&Value>,
    ) -> Result<Value, ApiError> {
        let bytes = body
            .map(|b| Bytes::from(serde_json::to_vec(b).unwrap_or_default()))
            .unwrap_or_default();
        let response = self.send(method, path, content_type, bytes).await;
        let status = response.status();
        let value = response.into_value();
        if status >= 400 {
            return Err(status_error(status, &value));
        }
        Ok(value)
    }

    pub async fn get(&self, path: &str) -> Result<Value, ApiError> {
        self.call(http::Method::GET, path, "", None).await
    }

    pub async fn create(&self, path: &str, object: &Value) -> Result<Value, ApiError> {
        self.call(http::Method::POST, path, "application/json", Some(object))
            .await
    }

    pub async fn update(&self, path: &str, object: &Value) -> Result<Value, ApiError> {
        self.call(http::Method::PUT, path, "application/json", Some(object))
            .await
    }

    /// `content_type` names the patch type (`application/merge-patch+json`, …).
    pub async fn patch(
        &self,
        path: &str,
        content_type: &str,
        patch: &Value,
    ) -> Result<Value, ApiError> {
        self.call(http::Method::PATCH, path, content_type, Some(patch))
            .await
    }

    pub async fn delete(&self, path: &str) -> Result<Value, ApiError> {
        self.call(http::Method::DELETE, path, "", None).await
    }
}

/// One event of a watch.
#[derive(Debug, Clone, PartialEq)]
pub struct WatchEvent {
    /// ADDED, MODIFIED, DELETED, BOOKMARK or ERROR.
    pub kind: String,
    pub object: Arc<Value>,
}

/// A live watch: events in order until the server ends it.
pub struct WatchStream {
    chunks: tokio::sync::mpsc::Receiver<Chunk>,
    buffer: Vec<u8>,
    /// The watch ends when this link goes down.
    link: Option<link::Link>,
}

impl WatchStream {
    /// The next event, or None when the watch ended.
    pub async fn next(&mut self) -> Option<WatchEvent> {
        loop {
            if let Some(end) = self.buffer.iter().position(|b| *b == b'\n') {
                let line: Vec<u8> = self.buffer.drain(..=end).collect();
                let Ok(mut value) = serde_json::from_slice::<Value>(&line) else {
                    continue;
                };
                let kind = value
                    .get("type")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                let object = value
                    .get_mut("object")
                    .map(Value::take)
                    .unwrap_or(Value::Null);
                return Some(WatchEvent {
                    kind,
                    object: Arc::new(object),
                });
            }
            let chunk = match &self.link {
                Some(link) => tokio::select! {
                    biased;
                    _ = link.down() => return None,
                    chunk = self.chunks.recv() => chunk?,
                },
                None => self.chunks.recv().await?,
            };
            match chunk {
                // In process, the server hands the event over as it is.
                Chunk::Event { kind, object } => {
                    if self.buffer.is_empty() {
                        return Some(WatchEvent {
                            kind: kind.to_string(),
                            object,
                        });
                    }
                    let chunk = Chunk::Event { kind, object };
                    self.buffer.extend_from_slice(&chunk.into_bytes());
                }
                Chunk::Bytes(bytes) => self.buffer.extend_from_slice(&bytes),
            }
        }
    }
}

impl Client {
    /// Starts a watch (`path` without `watch=true`; the query may carry resourceVersion,
    /// selectors…).
    pub async fn watch(&self, path: &str) -> Result<WatchStream, ApiError> {
        let separator = if path.contains('?') { '&' } else { '?' };
        let response = self
            .send(
                http::Method::GET,
                &format!("{path}{separator}watch=true"),
                "",
                Bytes::new(),
            )
            .await;
        match response {
            ApiResponse::Stream { chunks, .. } => Ok(WatchStream {
                chunks,
                buffer: Vec::new(),
                link: self.link.clone(),
            }),
            full => {
                let status = full.status();
                Err(status_error(status, &full.into_value()))
            }
        }
    }
}

/// The error a `Status` reply stands for.
pub(crate) fn status_error(code: u16, status: &Value) -> ApiError {
    let text = |field: &str, default: &str| {
        status
            .get(field)
            .and_then(Value::as_str)
            .unwrap_or(default)
            .to_string()
    };
    ApiError {
        code,
        reason: text("reason", "Unknown"),
        message: text("message", ""),
        details: status.get("details").cloned(),
    }
}
