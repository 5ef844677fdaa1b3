//! How podflow's kubectl reaches the API server: over HTTPS, as kubectl does — a TLS
//! handshake that presents the admin client certificate, then HTTP/1.1 — through an
//! in-memory pipe to the same connection handler that serves real clients (no socket, so a
//! trace stays reproducible).

use crate::api::status::ApiError;
use crate::apiserver::ApiServer;
use crate::apiserver::pki::Pki;
use crate::apiserver::transport;
use anyhow::{Context, Result};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use serde_json::Value;
use std::sync::Arc;

/// One HTTPS connection to the apiserver.
pub struct Https {
    sender: tokio::sync::Mutex<SendRequest<Full<Bytes>>>,
}

impl Https {
    /// Connects to `api` through an in-memory pipe: the server side is the apiserver's own
    /// connection handler with the serving certificate of `pki`; the client trusts `pki`'s CA
    /// and presents its admin certificate (user `admin`, group `system:masters`).
    pub async fn connect(api: Arc<ApiServer>, pki: &Pki) -> Result<Https> {
        let server_tls = transport::tls_config(&pki.server_cert_pem, &pki.server_key_pem)?;
        let (client_io, server_io) = tokio::io::duplex(64 * 1024);
        tokio::spawn(transport::serve_connection(
            tokio_rustls::TlsAcceptor::from(server_tls),
            server_io,
            api,
        ));
        let mut roots = rustls::RootCertStore::empty();
        for cert in rustls_pemfile::certs(&mut pki.ca_pem.as_bytes()) {
            roots.add(cert?)?;
        }
        let certs = rustls_pemfile::certs(&mut pki.admin_cert_pem.as_bytes())
            .collect::<Result<Vec<_>, _>>()?;
        let key = rustls_pemfile::private_key(&mut pki.admin_key_pem.as_bytes())?
            .context("no private key in the admin PEM")?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_root_certificates(roots)
            .with_client_auth_cert(certs, key)?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
        let name = rustls::pki_types::ServerName::try_from("localhost")?;
        let tls = connector
            .connect(name, client_io)
            .await
            .context("TLS handshake with the apiserver")?;
        let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(tls))
            .await
            .context("HTTP/1.1 with the apiserver")?;
        tokio::spawn(connection);
        Ok(Https {
            sender: tokio::sync::Mutex::new(sender),
        })
    }

    pub async fn get(&self, path: &str) -> Result<Value, ApiError> {
        self.send(http::Method::GET, path, "", Bytes::new()).await
    }

    pub async fn send_json(
        &self,
        method: http::Method,
        path: &str,
        content_type: &str,
        body: &Value,
    ) -> Result<Value, ApiError> {
        let bytes = Bytes::from(serde_json::to_vec(body).unwrap_or_default());
        self.send(method, path, content_type, bytes).await
    }

    async fn send(
        &self,
        method: http::Method,
        path: &str,
        content_type: &str,
        body: Bytes,
    ) -> Result<Value, ApiError> {
        let lost = |e: &dyn std::fmt::Display| {
            ApiError::internal(format!("the connection to the server was lost: {e}"))
        };
        let mut request = http::Request::builder()
            .method(method)
            .uri(path)
            .header(http::header::HOST, "localhost")
            .header(http::header::USER_AGENT, super::USER_AGENT)
            .header(http::header::ACCEPT, "application/json");
        if !content_type.is_empty() {
            request = request.header(http::header::CONTENT_TYPE, content_type);
        }
        let request = request.body(Full::new(body)).map_err(|e| lost(&e))?;
        let mut sender = self.sender.lock().await;
        sender.ready().await.map_err(|e| lost(&e))?;
        let response = sender.send_request(request).await.map_err(|e| lost(&e))?;
        let status = response.status().as_u16();
        let bytes = response
            .into_body()
            .collect()
            .await
            .map_err(|e| lost(&e))?
            .to_bytes();
        let value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        if status >= 400 {
            return Err(crate::client::status_error(status, &value));
        }
        Ok(value)
    }
}
