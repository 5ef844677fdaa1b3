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
pub mod cache;
pub mod discovery;
pub mod handlers;
pub mod managed_fields;
pub mod negotiation;
pub mod openapi;
pub mod patch;
pub mod pki;
pub mod rbac;
pub mod request;
pub mod request_info;
pub mod storage;
pub mod table;
pub mod transport;
pub mod watch_cache;

use crate::api::status::ApiError;
use crate::clock::Clock;
use crate::flow::{Detail, Flow, Hop, HopKind, ObjectRef};
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
    cache: cache::Cache,
    /// Serves the pod watches, indexed by `spec.nodeName` (one per kubelet).
    pod_watch_cache: watch_cache::WatchCache,
    /// The RBAC index and the cache generations it was built from.
    rbac: Mutex<([u64; 4], Arc<rbac::RbacIndex>)>,
    flow: Arc<Flow>,
    clock: Arc<Clock>,
    authn: Authenticator,
    rng: Mutex<ChaCha8Rng>,
    /// `host:port` clients reach the server at, for discovery's serverAddressByClientCIDRs.
    address: Mutex<String>,
    /// How the apiserver reaches each node's kubelet (for `pods/log`), by node name.
    kubelets: std::sync::RwLock<std::collections::BTreeMap<String, Arc<dyn KubeletConnection>>>,
}

/// What the apiserver asks of a kubelet (`/containerLogs` on a real one).
pub trait KubeletConnection: Send + Sync {
    /// The log of a pod's container, one line a string; `previous` asks for the instance
    /// before the current one. None when the kubelet knows no such container.
    fn container_log(
        &self,
        pod_uid: &str,
        container: &str,
        previous: bool,
    ) -> Option<Vec<LogEntry>>;
}

/// One line of a container's log.
#[derive(Debug, Clone)]
pub struct LogEntry {
    pub time_ms: i64,
    pub text: String,
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
        use crate::api::kinds;
        let cached = [
            &kinds::NAMESPACES,
            &kinds::SERVICE_ACCOUNTS,
            &kinds::LIMIT_RANGES,
            &kinds::RESOURCE_QUOTAS,
            &kinds::ROLES,
            &kinds::ROLE_BINDINGS,
            &kinds::CLUSTER_ROLES,
            &kinds::CLUSTER_ROLE_BINDINGS,
        ];
        ApiServer {
            cache: cache::Cache::new(backend.clone(), &cached),
            pod_watch_cache: watch_cache::WatchCache::new(
                backend.clone(),
                &kinds::PODS.prefix(None),
                watch_cache::POD_NODE_NAME,
            ),
            rbac: Mutex::new((
                [u64::MAX; 4],
                Arc::new(rbac::RbacIndex::build(&[], &[], &[], &[])),
            )),
            objects: ObjectStore::new(backend),
            clock: flow.clock().clone(),
            flow,
            authn: Authenticator::new(config.client_ca_pem.as_deref(), config.tokens),
            rng: Mutex::new(ChaCha8Rng::seed_from_u64(config.seed)),
            address: Mutex::new("127.0.0.1:6443".to_string()),
            kubelets: Default::default(),
        }
    }

    pub fn objects(&self) -> &ObjectStore {
        &self.objects
    }

    /// The watch cache serving a resource's watches, for the resources that have one.
    pub fn watch_cache(
        &self,
        rt: &crate::api::kinds::ResourceType,
    ) -> Option<&watch_cache::WatchCache> {
        (rt.group.is_empty() && rt.plural == "pods").then_some(&self.pod_watch_cache)
    }

    /// The shared informers of the apiserver's own plugins.
    pub fn cache(&self) -> &cache::Cache {
        &self.cache
    }

    pub fn flow(&self) -> &Arc<Flow> {
        &self.flow
    }

    pub fn clock(&self) -> &Arc<Clock> {
        &self.clock
    }

    /// Makes a node's kubelet reachable (it registers as it starts).
    pub fn connect_kubelet(&self, node: &str, connection: Arc<dyn KubeletConnection>) {
        self.kubelets
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(node.to_string(), connection);
    }

    pub fn kubelet(&self, node: &str) -> Option<Arc<dyn KubeletConnection>> {
        self.kubelets
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(node)
            .cloned()
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
        let mut received = Hop::new(
            client.clone(),
            "apiserver",
            HopKind::RequestReceived,
            summary,
        );
        // A kubelet's requests come from its node (and its answers go back there).
        let node = match &req.credentials {
            Credentials::InProcess(user) => rbac::node::node_identity(user),
            _ => None,
        };
        if let Some(node) = node {
            received = received.on_node(node);
        }
        self.flow
            .pass(received.object(object.clone()).detail(Detail::Request {
                verb: method_name(&req.method),
                path: req.path.clone(),
                user_agent: req.user_agent.clone(),
            }))
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
                            Detail::Authenticated {
                                user: user.name.clone(),
                                groups: user.groups.clone(),
                                method,
                            },
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
                    .respond(&client, node, error_response(&ApiError::unauthorized()))
                    .await;
            }
        };

        let user = match &req.impersonate {
            None => user,
            Some(asked) => match self.impersonate(&user, asked) {
                Ok(impersonated) => {
                    self.flow
                        .pass(Hop::new(
                            "apiserver",
                            "authz",
                            HopKind::Authenticated,
                            format!(
                                "{} impersonates {} groups [{}]",
                                user.name,
                                impersonated.name,
                                impersonated.groups.join(", ")
                            ),
                        ))
                        .await;
                    impersonated
                }
                Err(error) => {
                    self.flow
                        .pass(Hop::new(
                            "apiserver",
                            "authz",
                            HopKind::Forbidden,
                            error.message.clone(),
                        ))
                        .await;
                    return self.respond(&client, node, error_response(&error)).await;
                }
            },
        };
        let verdict = self.authorize(&user, &info, req.query("fieldSelector"));
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
        let detail = Detail::Authorized {
            user: user.name.clone(),
            verb: info.verb.clone(),
            authorizer: verdict.decided_by.map(|a| a.name()),
            reason: verdict.decision.reason.clone(),
        };
        if !verdict.decision.allowed {
            let why = if verdict.decision.reason.is_empty() {
                "no RBAC rule allows it".to_string()
            } else {
                verdict.decision.reason.clone()
            };
            self.flow
                .pass(
                    Hop::new(
                        "apiserver",
                        "authz",
                        HopKind::Forbidden,
                        format!("{} may not {action}: {why}", user.name),
                    )
                    .object(object)
                    .detail(detail),
                )
                .await;
            let error = authz::forbidden(&user, &info, &verdict.decision.reason);
            return self.respond(&client, node, error_response(&error)).await;
        }
        let why = match verdict.decided_by {
            Some(rbac::Authorizer::PrivilegedGroup) => {
                "group system:masters is a superuser".to_string()
            }
            // The Node authorizer allows without a reason: say what it checked.
            Some(rbac::Authorizer::Node) if verdict.decision.reason.is_empty() => {
                "Node authorizer: a kubelet may do this for its own node and the pods bound to it"
                    .to_string()
            }
            _ => verdict.decision.reason.clone(),
        };
        self.flow
            .pass(
                Hop::new(
                    "apiserver",
                    "authz",
                    HopKind::Authorized,
                    format!("{} may {action}: {why}", user.name),
                )
                .object(object)
                .detail(detail),
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
        self.respond(&client, node, response).await
    }

    /// The impersonation filter: the caller needs the `impersonate` verb on each identity it
    /// asks for (users, groups, service accounts, uids); the request then runs as that user.
    fn impersonate(
        &self,
        requester: &UserInfo,
        asked: &request::Impersonation,
    ) -> Result<UserInfo, ApiError> {
        let check = |resource: &str,
                     group: &str,
                     namespace: Option<&str>,
                     name: &str|
         -> Result<(), ApiError> {
            // The question, as a request would ask it: the 403 then words itself the same way.
            let info = RequestInfo {
                is_resource_request: true,
                verb: "impersonate".to_string(),
                path: String::new(),
                api_group: group.to_string(),
                api_version: "v1".to_string(),
                namespace: namespace.map(str::to_string),
                resource: resource.to_string(),
                subresource: None,
                name: Some(name.to_string()),
            };
            let verdict = self.authorize(requester, &info, None);
            if verdict.decision.allowed {
                return Ok(());
            }
            Err(authz::forbidden(requester, &info, &verdict.decision.reason))
        };
        let Some(name) = asked.user.as_deref() else {
            return Err(ApiError::internal(
                "requested impersonation of groups without a user",
            ));
        };
        let mut user = match name
            .strip_prefix(rbac::SERVICE_ACCOUNT_PREFIX)
            .and_then(|rest| rest.split_once(':'))
        {
            Some((namespace, account)) => {
                check("serviceaccounts", "", Some(namespace), account)?;
                rbac::service_account_user(namespace, account)
            }
            None => {
                check("users", "", None, name)?;
                UserInfo {
                    name: name.to_string(),
                    uid: String::new(),
                    groups: Vec::new(),
                }
            }
        };
        for group in &asked.groups {
            check("groups", "", None, group)?;
            if !user.in_group(group) {
                user.groups.push(group.clone());
            }
        }
        if let Some(uid) = &asked.uid {
            check("uids", "authentication.k8s.io", None, uid)?;
            user.uid = uid.clone();
        }
        if user.name != "system:anonymous" && !user.in_group("system:authenticated") {
            user.groups.push("system:authenticated".to_string());
        }
        Ok(user)
    }

    /// The current RBAC index, rebuilt when any Role, ClusterRole or binding changed.
    pub fn rbac_index(&self) -> Arc<rbac::RbacIndex> {
        use crate::api::kinds::{CLUSTER_ROLE_BINDINGS, CLUSTER_ROLES, ROLE_BINDINGS, ROLES};
        let kinds = [
            &ROLES,
            &CLUSTER_ROLES,
            &ROLE_BINDINGS,
            &CLUSTER_ROLE_BINDINGS,
        ];
        let generations = kinds.map(|rt| self.cache.generation(rt));
        let mut slot = self.rbac.lock().unwrap_or_else(|e| e.into_inner());
        if slot.0 != generations {
            let objects = kinds.map(|rt| {
                self.cache
                    .list(rt, None)
                    .iter()
                    .map(|o| o.as_ref().clone())
                    .collect::<Vec<_>>()
            });
            let index = rbac::RbacIndex::build(&objects[0], &objects[1], &objects[2], &objects[3]);
            *slot = (generations, Arc::new(index));
        }
        slot.1.clone()
    }

    /// kube-apiserver's authorizer chain (`system:masters`, Node, RBAC) for one request.
    pub fn authorize(
        &self,
        user: &UserInfo,
        info: &RequestInfo,
        field_selector: Option<&str>,
    ) -> rbac::Verdict {
        let attributes =
            rbac::Attributes::from_request_info(info).with_field_selector(field_selector);
        self.authorize_attributes(user, &attributes)
    }

    pub fn authorize_attributes(
        &self,
        user: &UserInfo,
        attributes: &rbac::Attributes<'_>,
    ) -> rbac::Verdict {
        if user.in_group(rbac::SYSTEM_MASTERS) {
            // Decided before any policy is read: no index needed.
            return rbac::Verdict {
                decision: authz::Decision {
                    allowed: true,
                    reason: String::new(),
                },
                decided_by: Some(rbac::Authorizer::PrivilegedGroup),
            };
        }
        let index = self.rbac_index();
        let graph = |namespace: &str, name: &str| {
            let pod = self
                .objects
                .get(&crate::api::kinds::PODS, Some(namespace), name)
                .ok()??;
            pod.pointer("/spec/nodeName")
                .and_then(|n| n.as_str())
                .filter(|n| !n.is_empty())
                .map(str::to_string)
        };
        rbac::authorize(&index, user, attributes, &graph)
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

    async fn respond(
        &self,
        client: &str,
        node: Option<&str>,
        response: ApiResponse,
    ) -> ApiResponse {
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
        let mut hop = Hop::new("apiserver", client.to_string(), HopKind::Responded, summary);
        if let Some(node) = node {
            hop = hop.on_node(node);
        }
        self.flow.pass(hop).await;
        response
    }
}

/// An HTTP method's name, for hops (methods kubectl never sends show as `OTHER`).
fn method_name(method: &http::Method) -> &'static str {
    match *method {
        http::Method::GET => "GET",
        http::Method::POST => "POST",
        http::Method::PUT => "PUT",
        http::Method::PATCH => "PATCH",
        http::Method::DELETE => "DELETE",
        http::Method::HEAD => "HEAD",
        http::Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

/// A Status reply for an error.
pub fn error_response(error: &ApiError) -> ApiResponse {
    ApiResponse::json(error.code, &error.to_status())
}
