//! The HTTPS shell around the pipeline: a tokio-rustls accept loop (ring provider, HTTP/2 and
//! HTTP/1.1 by ALPN) that *requests* a client certificate and hands whatever the client sent to
//! authentication, where the chain is checked — a certificate from another CA is a 401, as in
//! kube-apiserver, not a failed handshake. Bodies over 3 MiB are refused with 413.

use crate::apiserver::request::{ApiRequest, ApiResponse, Credentials};
use crate::apiserver::{ApiServer, MAX_BODY_BYTES, body, error_response};
use anyhow::{Context, Result};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited, StreamBody, combinators::BoxBody};
use hyper::body::{Frame, Incoming};
use hyper_util::rt::{TokioExecutor, TokioIo};
use rustls::DistinguishedName;
use rustls::client::danger::HandshakeSignatureValid;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{DigitallySignedStruct, SignatureScheme};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

type ResponseBody = BoxBody<Bytes, Infallible>;

/// Accepts any client certificate at the TLS layer but still checks the handshake signature
/// (proof that the client holds the key); the chain itself is judged by authn.
#[derive(Debug)]
struct RequestClientCert {
    schemes: Vec<SignatureScheme>,
    provider: Arc<rustls::crypto::CryptoProvider>,
}

impl ClientCertVerifier for RequestClientCert {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        false
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        Ok(ClientCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.schemes.clone()
    }
}

/// The TLS configuration for a serving certificate and key (PEM).
pub fn tls_config(cert_pem: &str, key_pem: &str) -> Result<Arc<rustls::ServerConfig>> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let certs: Vec<CertificateDer<'static>> =
        rustls_pemfile::certs(&mut cert_pem.as_bytes()).collect::<Result<_, _>>()?;
    let key: PrivateKeyDer<'static> =
        rustls_pemfile::private_key(&mut key_pem.as_bytes())?.context("no private key in PEM")?;
    let verifier = Arc::new(RequestClientCert {
        schemes: provider
            .signature_verification_algorithms
            .supported_schemes(),
        provider: provider.clone(),
    });
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_client_cert_verifier(verifier)
        .with_single_cert(certs, key)?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// Binds `127.0.0.1:port` (0 picks a free port). A busy port is a clear error.
pub async fn bind(port: u16) -> Result<TcpListener> {
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    TcpListener::bind(address).await.map_err(|e| {
        if e.kind() == std::io::ErrorKind::AddrInUse {
            anyhow::anyhow!(
                "cannot listen on 127.0.0.1:{port}: the port is already in use (is another podflow or kube-apiserver running?). Pick another with --port, or --port 0 for any free port"
            )
        } else {
            anyhow::anyhow!("cannot listen on 127.0.0.1:{port}: {e}")
        }
    })
}

/// Serves HTTPS on `listener` until the task is dropped.
pub async fn serve(listener: TcpListener, tls: Arc<rustls::ServerConfig>, server: Arc<ApiServer>) {
    let acceptor = TlsAcceptor::from(tls);
    loop {
        let (tcp, _peer) = match listener.accept().await {
            Ok(conn) => conn,
            // Out of file descriptors and the like: keep serving the others.
            Err(_) => continue,
        };
        tokio::spawn(serve_connection(acceptor.clone(), tcp, server.clone()));
    }
}

/// Serves one connection: the TLS handshake, then HTTP/2 or HTTP/1.1 until the client
/// closes it. Any byte stream will do — a TCP socket, or an in-memory pipe (podflow's own
/// kubectl in `trace` and the TUI, so that its requests really cross TLS and HTTP).
pub async fn serve_connection<IO>(acceptor: TlsAcceptor, io: IO, server: Arc<ApiServer>)
where
    IO: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let Ok(tls_stream) = acceptor.accept(io).await else {
        return;
    };
    let certificates: Vec<Vec<u8>> = tls_stream
        .get_ref()
        .1
        .peer_certificates()
        .map(|chain| chain.iter().map(|c| c.as_ref().to_vec()).collect())
        .unwrap_or_default();
    let service = hyper::service::service_fn(move |request| {
        let server = server.clone();
        let certificates = certificates.clone();
        async move { Ok::<_, Infallible>(handle(&server, request, certificates).await) }
    });
    let builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    let _ = builder
        .serve_connection(TokioIo::new(tls_stream), service)
        .await;
}

async fn handle(
    server: &ApiServer,
    request: http::Request<Incoming>,
    certificates: Vec<Vec<u8>>,
) -> http::Response<ResponseBody> {
    let (parts, incoming) = request.into_parts();
    let header = |name: http::header::HeaderName| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let bearer = parts
        .headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").map(|t| t.trim().to_string()));
    let path_and_query = parts
        .uri
        .path_and_query()
        .map(|pq| pq.as_str())
        .unwrap_or("/");
    let mut api_request = ApiRequest::new(parts.method.clone(), path_and_query);
    api_request.accept = header(http::header::ACCEPT);
    api_request.content_type = header(http::header::CONTENT_TYPE);
    api_request.user_agent = header(http::header::USER_AGENT);
    let all = |name: &str| -> Vec<String> {
        parts
            .headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::to_string)
            .collect()
    };
    let impersonation = crate::apiserver::request::Impersonation {
        user: all("impersonate-user").into_iter().next(),
        uid: all("impersonate-uid").into_iter().next(),
        groups: all("impersonate-group"),
    };
    if impersonation != crate::apiserver::request::Impersonation::default() {
        api_request.impersonate = Some(impersonation);
    }
    api_request.credentials = if certificates.is_empty() && bearer.is_none() {
        Credentials::None
    } else {
        Credentials::Presented {
            certificates,
            bearer,
        }
    };
    api_request.body = match Limited::new(incoming, MAX_BODY_BYTES).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e)
            if e.downcast_ref::<http_body_util::LengthLimitError>()
                .is_some() =>
        {
            return to_http(error_response(&body::too_large()));
        }
        Err(_) => {
            return to_http(error_response(&crate::api::status::ApiError::bad_request(
                "error reading the request body",
            )));
        }
    };
    to_http(server.handle(api_request).await)
}

fn to_http(response: ApiResponse) -> http::Response<ResponseBody> {
    match response {
        ApiResponse::Full {
            status,
            content_type,
            body,
            warnings,
        } => {
            let mut builder = http::Response::builder()
                .status(status)
                .header(http::header::CONTENT_TYPE, content_type);
            for warning in warnings {
                // RFC 7234 warning: code 299, agent "-", quoted text.
                let text = format!(
                    "299 - \"{}\"",
                    warning.replace('\\', "\\\\").replace('"', "\\\"")
                );
                builder = builder.header("Warning", text);
            }
            builder
                .body(Full::new(body.into_bytes()).boxed())
                .unwrap_or_else(|_| http::Response::new(Full::new(Bytes::new()).boxed()))
        }
        ApiResponse::Stream {
            status,
            content_type,
            chunks,
        } => {
            let stream = futures_util::stream::unfold(chunks, |mut rx| async move {
                rx.recv()
                    .await
                    .map(|chunk| (Ok::<_, Infallible>(Frame::data(chunk.into_bytes())), rx))
            });
            http::Response::builder()
                .status(status)
                .header(http::header::CONTENT_TYPE, content_type)
                .body(BodyExt::boxed(StreamBody::new(stream)))
                .unwrap_or_else(|_| http::Response::new(Full::new(Bytes::new()).boxed()))
        }
    }
}
