//! `apiserver`: the one request pipeline of kube-apiserver — authentication → authorization →
//! mutating admission → validation → validating admission → etcd — shared by HTTPS requests
//! from a real kubectl and in-process calls from podflow's own components. Each stage reports a
//! hop to `flow`. Only this module touches the store, as in Kubernetes.
//!
//! Files: `transport` (TLS + HTTP shell), `request`/`request_info` (what was asked),
//! `authn`/`authz` (who, and may they), `admission/` (the plugins), `body` (decoding with field
//! validation and defaults), `storage` (objects in etcd), `handlers/` (one file per verb
//! family), `discovery`, `openapi`, `table/`, `patch/`, `managed_fields`, `pki`.

pub mod admission;
pub mod authn;
pub mod authz;
pub mod body;
pub mod discovery;
pub mod handlers;
pub mod managed_fields;
pub mod negotiation;
pub mod openapi;
pub mod patch;
pub mod pki;
pub mod request;
pub mod request_info;
pub mod storage;
pub mod table;
pub mod transport;

use crate::api::status::ApiError;
use crate::clock::Clock;
use crate::flow::{Flow, Hop, HopKind, ObjectRef};
use crate::store::Backend;
use authn::{Authenticated, Authenticator, UserInfo};
use futures_util::FutureExt;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use request::{ApiRequest, ApiResponse, Credentials};
use request_info::RequestInfo;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};
use storage::ObjectStore;

/// The largest request body kube-apiserver accepts (3 MiB).
pub const MAX_BODY_BYTES: usize = 3 * 1024 * 1024;

/// What the apiserver is built from.
pub struct Config {
    pub seed: u64,
    /// The CA that signs client certificates (PEM); None accepts no certificates.
    pub client_ca_pem: Option<String>,
    /// Bearer tokens: (token, user, groups).
    pub tokens: Vec<(String, String, Vec<String>)>,
}

pub struct ApiServer {
    objects: ObjectStore,
    flow: Arc<Flow>,
    clock: Arc<Clock>,
    authn: Authenticator,
    rng: Mutex<ChaCha8Rng>,
    /// `host:port` clients reach the server at, for discovery's serverAddressByClientCIDRs.
    address: Mutex<String>,
}

/// What every stage of one request knows.
pub struct Ctx<'a> {
    pub server: &'a ApiServer,
    pub req: &'a ApiRequest,
    pub info: &'a RequestInfo,
    pub user: &'a UserInfo,
    /// The client's name in the flow (`kubectl`, `scheduler`, …).
    pub client: &'a str,
}

impl Ctx<'_> {
    pub async fn hop(
        &self,
        from: &str,
        to: &str,
        kind: HopKind,
        summary: String,
        object: Option<ObjectRef>,
    ) {
        self.server
            .flow
            .pass(Hop::new(from.to_string(), to.to_string(), kind, summary).object(object))
            .await;
    }

    pub async fn hop_with(&self, hop: Hop) {
        self.server.flow.pass(hop).await;
    }

    /// The object the request names, for hops.
    pub fn object_ref(&self, kind: &str, name: &str, uid: Option<&str>) -> ObjectRef {
        ObjectRef {
            kind: kind.to_string(),
            namespace: self.info.namespace.clone(),
            name: name.to_string(),
            uid: uid.map(str::to_string),
        }
    }
}

impl ApiServer {
    pub fn new(backend: Arc<dyn Backend>, flow: Arc<Flow>, config: Config) -> ApiServer {
        ApiServer {
            objects: ObjectStore::new(backend),
            clock: flow.clock().clone(),
            flow,
            authn: Authenticator::new(config.client_ca_pem.as_deref(), config.tokens),
            rng: Mutex::new(ChaCha8Rng::seed_from_u64(config.seed)),
            address: Mutex::new("127.0.0.1:6443".to_string()),
        }
    }

    pub fn objects(&self) -> &ObjectStore {
        &self.objects
    }

    pub fn flow(&self) -> &Arc<Flow> {
        &self.flow
    }

    pub fn clock(&self) -> &Arc<Clock> {
        &self.clock
    }

    pub fn set_address(&self, address: &str) {
        *self.address.lock().unwrap_or_else(|e| e.into_inner()) = address.to_string();
    }

    pub fn address(&self) -> String {
        self.address
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// A random UUID (v4 layout) from the seeded generator.
    pub fn new_uid(&self) -> String {
        let mut bytes: [u8; 16] = self.rng.lock().unwrap_or_else(|e| e.into_inner()).random();
        bytes[6] = (bytes[6] & 0x0f) | 0x40;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut uid = String::with_capacity(36);
        for (i, b) in bytes.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                uid.push('-');
            }
            uid.push(char::from(HEX[usize::from(b >> 4)]));
            uid.push(char::from(HEX[usize::from(b & 0x0f)]));
        }
        uid
    }

    /// The 5-character suffix of a generated name, from the alphabet kube-apiserver uses.
    pub fn name_suffix(&self) -> String {
        const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
        let mut rng = self.rng.lock().unwrap_or_else(|e| e.into_inner());
        (0..5)
            .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
            .collect()
    }

    /// Serves one request through the whole pipeline. Never panics: a bug becomes a 500.
    pub async fn handle(&self, req: ApiRequest) -> ApiResponse {
        match AssertUnwindSafe(self.serve(&req)).catch_unwind().await {
            Ok(response) => response,
            Err(_) => error_response(&ApiError::internal(
                "the server hit a bug while handling the request",
            )),
        }
    }

    async fn serve(&self, req: &ApiRequest) -> ApiResponse {
        let client = req.client_name();
        let watch = matches!(req.query("watch"), Some("true" | "1"));
        let info = RequestInfo::parse(&req.method, &req.path, watch);
        // `METHOD path?k=v&…`, joined by hand: every request builds it.
        let mut summary = String::with_capacity(
            req.method.as_str().len()
                + req.path.len()
                + req
                    .query
                    .iter()
                    .map(|(k, v)| k.len() + v.len() + 2)
                    .sum::<usize>()
                + 2,
        );
        summary.push_str(req.method.as_str());
        summary.push(' ');
        summary.push_str(&req.path);
        for (i, (k, v)) in req.query.iter().enumerate() {
            summary.push(if i == 0 { '?' } else { '&' });
            summary.push_str(k);
            summary.push('=');
            summary.push_str(v);
        }
        let object = info.name.as_ref().map(|name| ObjectRef {
            kind: info.resource.clone(),
            namespace: info.namespace.clone(),
            name: name.clone(),
            uid: None,
        });
        self.flow
            .pass(
                Hop::new(client.clone(), "apiserver", HopKind::RequestReceived, summary)
                    .object(object.clone())
                    .detail(serde_json::json!({"verb": req.method.as_str(), "path": req.path, "userAgent": req.user_agent})),
            )
            .await;

        let user = match self.authenticate(req) {
            Ok((user, method)) => {
                let summary = format!(
                    "{method}: user {} groups [{}]",
                    user.name,
                    user.groups.join(", ")
                );
                self.flow
                    .pass(
                        Hop::new("apiserver", "authn", HopKind::Authenticated, summary).detail(
                            serde_json::json!({
                                "user": user.name, "groups": user.groups, "method": method,
                            }),
                        ),
                    )
                    .await;
                user
            }
            Err(why) => {
                self.flow
                    .pass(Hop::new(
                        "apiserver",
                        "authn",
                        HopKind::AuthenticationFailed,
                        format!("401 Unauthorized: {why}"),
                    ))
                    .await;
                return self
                    .respond(&client, error_response(&ApiError::unauthorized()))
                    .await;
            }
        };

        let decision = authz::authorize(&user, &info);
        let action = if info.is_resource_request {
            let resource = match &info.subresource {
                Some(sub) => format!("{}/{sub}", info.resource),
                None => info.resource.clone(),
            };
            match &info.namespace {
                Some(ns) => format!("{} {resource} in {ns}", info.verb),
                None => format!("{} {resource}", info.verb),
            }
        } else {
            format!("{} {}", info.verb, info.path)
        };
        if !decision.allowed {
            self.flow
                .pass(
                    Hop::new(
                        "apiserver",
                        "authz",
                        HopKind::Forbidden,
                        format!("{} may not {action}: {}", user.name, decision.reason),
                    )
                    .object(object),
                )
                .await;
            return self
                .respond(&client, error_response(&authz::forbidden(&user, &info)))
                .await;
        }
        self.flow
            .pass(
                Hop::new(
                    "apiserver",
                    "authz",
                    HopKind::Authorized,
                    format!("{} may {action}: {}", user.name, decision.reason),
                )
                .object(object),
            )
            .await;

        let ctx = Ctx {
            server: self,
            req,
            info: &info,
            user: &user,
            client: &client,
        };
        let response = match handlers::dispatch(&ctx).await {
            Ok(response) => response,
            Err(e) => error_response(&e),
        };
        self.respond(&client, response).await
    }

    fn authenticate(&self, req: &ApiRequest) -> Result<(UserInfo, &'static str), String> {
        match &req.credentials {
            Credentials::InProcess(user) => Ok((user.clone(), "in-process component identity")),
            Credentials::None => Ok((UserInfo::anonymous(), "anonymous")),
            Credentials::Presented {
                certificates,
                bearer,
            } => match self.authn.authenticate(certificates, bearer.as_deref()) {
                Authenticated::User { user, method } => Ok((user, method)),
                Authenticated::Anonymous(user) => Ok((user, "anonymous")),
                Authenticated::Failed(why) => Err(why),
            },
        }
    }

    async fn respond(&self, client: &str, response: ApiResponse) -> ApiResponse {
        let status = response.status();
        let summary = match &response {
            ApiResponse::Stream { .. } => format!("{status} streaming"),
            ApiResponse::Full { body, .. } if status >= 400 => {
                let message = serde_json::from_slice::<serde_json::Value>(&body.to_bytes())
                    .ok()
                    .and_then(|v| {
                        v.get("message")
                            .and_then(|m| m.as_str())
                            .map(str::to_string)
                    })
                    .unwrap_or_default();
                format!("{status} {message}")
            }
            ApiResponse::Full { .. } => format!(
                "{status} {}",
                http::StatusCode::from_u16(status)
                    .map(|s| s.canonical_reason().unwrap_or(""))
                    .unwrap_or("")
            ),
        };
        self.flow
            .pass(Hop::new(
                "apiserver",
                client.to_string(),
                HopKind::Responded,
                summary,
            ))
            .await;
        response
    }
}

/// A Status reply for an error.
pub fn error_response(error: &ApiError) -> ApiResponse {
    ApiResponse::json(error.code, &error.to_status())
}
