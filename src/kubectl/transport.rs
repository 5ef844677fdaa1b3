//! How podflow's kubectl reaches the API server.

use crate::api::status::ApiError;
use crate::client::Client;
use serde_json::Value;

pub enum Transport {
    /// The in-process client (the same pipeline, without TLS).
    InProcess(Client),
}

impl Transport {
    pub async fn get(&self, path: &str) -> Result<Value, ApiError> {
        match self {
            Transport::InProcess(client) => client.get(path).await,
        }
    }

    pub async fn send_json(
        &self,
        method: http::Method,
        path: &str,
        content_type: &str,
        body: &Value,
    ) -> Result<Value, ApiError> {
        match self {
            Transport::InProcess(client) => {
                client.call(method, path, content_type, Some(body)).await
            }
        }
    }
}
