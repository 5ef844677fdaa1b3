//! Authorization as kube-apiserver 1.32 runs it with `--authorization-mode=Node,RBAC`: the
//! privileged-group authorizer (`system:masters`), then the [`node`] authorizer for kubelets,
//! then RBAC over Roles, ClusterRoles and their bindings ([`RbacIndex`], built from the stored
//! objects and indexed by subject so a decision never scans every binding). Also owns what the
//! RBAC registry and the authorization API add around it: escalation prevention
//! ([`escalation`]), the NodeRestriction checks, access and rules reviews ([`review`]) and the
//! bootstrap policy ([`bootstrap`]). Pure: callers pass the objects; no I/O, no clock.

pub mod bootstrap;
pub mod escalation;
mod index;
pub mod node;
pub mod review;
pub mod rule;

use std::hash::{BuildHasherDefault, Hasher};

use serde_json::{Map, Value};

use crate::api::status::{ApiError, qualified_resource};
use crate::apiserver::authn::UserInfo;
pub use crate::apiserver::authz::Decision;
use crate::apiserver::request_info::RequestInfo;
pub use index::RbacIndex;
pub use node::{NodeGraph, authorize_node, node_restriction};
pub use rule::PolicyRule;

/// `rbac.authorization.k8s.io`
pub const RBAC_GROUP: &str = "rbac.authorization.k8s.io";
/// `user.SystemPrivilegedGroup`: every request of its members is allowed before any policy.
pub const SYSTEM_MASTERS: &str = "system:masters";
/// `serviceaccount.ServiceAccountUsernamePrefix`
pub const SERVICE_ACCOUNT_PREFIX: &str = "system:serviceaccount:";

/// `authorizer.Attributes`: what a request asks, in RBAC's words. Borrowed, so building one per
/// request costs nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Attributes<'a> {
    /// get, list, watch, create, update, patch, delete, deletecollection, or any other word
    /// (`escalate`, `bind`, `impersonate`); for paths the lowercased HTTP method.
    pub verb: &'a str,
    pub is_resource_request: bool,
    /// None (or empty) at the cluster scope.
    pub namespace: Option<&'a str>,
    pub api_group: &'a str,
    pub resource: &'a str,
    pub subresource: Option<&'a str>,
    pub name: Option<&'a str>,
    /// The URL path of a non-resource request (`/healthz`).
    pub path: &'a str,
    /// The raw `fieldSelector` of a list or watch: the Node authorizer lets a kubelet list pods
    /// only with `spec.nodeName=<itself>`.
    pub field_selector: Option<&'a str>,
}

impl<'a> Attributes<'a> {
    /// A resource request.
    pub fn resource(
        verb: &'a str,
        namespace: Option<&'a str>,
        api_group: &'a str,
        resource: &'a str,
    ) -> Attributes<'a> {
        Attributes {
            verb,
            is_resource_request: true,
            namespace,
            api_group,
            resource,
            ..Attributes::default()
        }
    }

    /// A non-resource request (`get` of `/version`).
    pub fn non_resource(verb: &'a str, path: &'a str) -> Attributes<'a> {
        Attributes {
            verb,
            path,
            ..Attributes::default()
        }
    }

    /// The attributes of a parsed request. As `RequestInfoFactory` does, a request on the
    /// `namespaces` resource by name is scoped to that namespace (`get namespaces/dev` is a
    /// request *in* `dev`, which a RoleBinding there can grant).
    pub fn from_request_info(info: &'a RequestInfo) -> Attributes<'a> {
        let mut namespace = info.namespace.as_deref();
        if info.is_resource_request
            && info.resource == "namespaces"
            && info.api_group.is_empty()
            && namespace.is_none()
        {
            namespace = info.name.as_deref();
        }
        Attributes {
            verb: &info.verb,
            is_resource_request: info.is_resource_request,
            namespace,
            api_group: &info.api_group,
            resource: &info.resource,
            subresource: info.subresource.as_deref(),
            name: info.name.as_deref(),
            path: &info.path,
            field_selector: None,
        }
    }

    /// Adds the request's `fieldSelector`. As `RequestInfoFactory` does, a list or watch that
    /// selects one object by `metadata.name` is a request for that name (a kubelet watching its
    /// own Node, a rule limited by resourceNames).
    pub fn with_field_selector(mut self, selector: Option<&'a str>) -> Attributes<'a> {
        self.field_selector = selector;
        if self.name.is_none() && matches!(self.verb, "list" | "watch") {
            self.name = selector.and_then(|s| exact_match(s, "metadata.name"));
        }
        self
    }

    /// The namespace, "" at the cluster scope (Go's `GetNamespace()`).
    pub fn namespace_or_empty(&self) -> &'a str {
        self.namespace.unwrap_or_default()
    }
}

/// `fields.Selector.RequiresExactMatch`: the value a selector requires `field` to equal
/// (`field=value` or `field==value` among its comma-separated terms).
pub(crate) fn exact_match<'a>(selector: &'a str, field: &str) -> Option<&'a str> {
    selector.split(',').find_map(|term| {
        let rest = term.trim().strip_prefix(field)?;
        let value = rest.strip_prefix("==").or_else(|| rest.strip_prefix('='))?;
        Some(value.trim())
    })
}

/// Which of kube-apiserver's authorizers decided a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Authorizer {
    /// `system:masters`: allowed before any policy is read.
    PrivilegedGroup,
    Node,
    Rbac,
}

impl Authorizer {
    pub fn name(self) -> &'static str {
        match self {
            Authorizer::PrivilegedGroup => "system:masters",
            Authorizer::Node => "Node",
            Authorizer::Rbac => "RBAC",
        }
    }
}

/// The chain's answer: the decision (its `reason` is what a SubjectAccessReview reports and a 403
/// appends) and who allowed it (None when nobody did).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub decision: Decision,
    pub decided_by: Option<Authorizer>,
}

/// The union authorizer of kube-apiserver: `system:masters` first, then Node, then RBAC. The first
/// allow wins with its own reason; a denial joins every non-empty reason with newlines.
/// `graph` answers the Node authorizer's questions about stored objects (a pod's node).
pub fn authorize(
    index: &RbacIndex,
    user: &UserInfo,
    attrs: &Attributes,
    graph: &impl NodeGraph,
) -> Verdict {
    if user.in_group(SYSTEM_MASTERS) {
        return Verdict {
            decision: Decision {
                allowed: true,
                reason: String::new(),
            },
            decided_by: Some(Authorizer::PrivilegedGroup),
        };
    }
    let node = authorize_node(user, attrs, graph);
    if node.allowed {
        return Verdict {
            decision: node,
            decided_by: Some(Authorizer::Node),
        };
    }
    let rbac = index.authorize(user, attrs);
    if rbac.allowed {
        return Verdict {
            decision: rbac,
            decided_by: Some(Authorizer::Rbac),
        };
    }
    let reasons: Vec<&str> = [node.reason.as_str(), rbac.reason.as_str()]
        .into_iter()
        .filter(|r| !r.is_empty())
        .collect();
    Verdict {
        decision: Decision {
            allowed: false,
            reason: reasons.join("\n"),
        },
        decided_by: None,
    }
}

/// `apierrors.NewForbidden`: `roles.rbac.authorization.k8s.io "x" is forbidden: <why>` (no name:
/// `pods is forbidden: …`). Details leave out empty fields as the real ones do.
pub fn forbidden_error(group: &str, resource: &str, name: &str, why: &str) -> ApiError {
    let qualified = qualified_resource(group, resource);
    let message = if name.is_empty() {
        format!("{qualified} is forbidden: {why}")
    } else {
        format!("{qualified} \"{name}\" is forbidden: {why}")
    };
    let mut details = Map::new();
    for (key, value) in [("name", name), ("group", group), ("kind", resource)] {
        if !value.is_empty() {
            details.insert(key.to_string(), Value::String(value.to_string()));
        }
    }
    ApiError::forbidden(message).with_details(Value::Object(details))
}

/// The user name of a service account: `system:serviceaccount:<ns>:<name>`.
pub fn service_account_username(namespace: &str, name: &str) -> String {
    format!("{SERVICE_ACCOUNT_PREFIX}{namespace}:{name}")
}

/// The identity the service-account token authenticator gives: the user name and the groups
/// `system:serviceaccounts`, `system:serviceaccounts:<ns>`, `system:authenticated`. RBAC reads
/// groups only from the identity, so the authenticator (and impersonation of a service account)
/// must add them, as kube-apiserver's do.
pub fn service_account_user(namespace: &str, name: &str) -> UserInfo {
    UserInfo {
        name: service_account_username(namespace, name),
        uid: String::new(),
        groups: vec![
            "system:serviceaccounts".to_string(),
            format!("system:serviceaccounts:{namespace}"),
            "system:authenticated".to_string(),
        ],
    }
}

/// FxHash (rustc's): the index's keys are short names that callers cannot choose to collide, so a
/// fast non-cryptographic hash keeps lookups a few nanoseconds.
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher {
    hash: u64,
}

const FX_SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(FX_SEED);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        self.hash
    }
}

pub(crate) type FxHashMap<K, V> = std::collections::HashMap<K, V, BuildHasherDefault<FxHasher>>;

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use http::Method;

    struct NoPods;
    impl NodeGraph for NoPods {
        fn pod_node_name(&self, _: &str, _: &str) -> Option<String> {
            None
        }
    }

    /// The index of the bootstrap policy and the student's binding.
    pub(crate) fn bootstrap_index() -> RbacIndex {
        RbacIndex::build(
            &bootstrap::roles(),
            &bootstrap::cluster_roles(),
            &[
                bootstrap::role_bindings(),
                vec![bootstrap::student_binding()],
            ]
            .concat(),
            &bootstrap::cluster_role_bindings(),
        )
    }

    /// A resource request with its subresource and name.
    pub(crate) fn attrs<'a>(
        verb: &'a str,
        namespace: Option<&'a str>,
        group: &'a str,
        resource: &'a str,
        subresource: Option<&'a str>,
        name: Option<&'a str>,
    ) -> Attributes<'a> {
        Attributes {
            subresource,
            name,
            ..Attributes::resource(verb, namespace, group, resource)
        }
    }

    #[test]
    fn masters_are_allowed_by_the_privileged_group_first() {
        let index = RbacIndex::build(&[], &[], &[], &[]);
        let admin = UserInfo::new("admin", &[SYSTEM_MASTERS, "system:authenticated"]);
        let attrs = Attributes::resource("delete", Some("default"), "", "pods");
        let verdict = authorize(&index, &admin, &attrs, &NoPods);
        assert!(verdict.decision.allowed);
        assert_eq!(verdict.decision.reason, "");
        assert_eq!(verdict.decided_by, Some(Authorizer::PrivilegedGroup));
    }

    #[test]
    fn the_chain_tries_node_then_rbac_and_joins_denial_reasons() {
        let index = bootstrap_index();
        let kubelet = UserInfo::new(
            "system:node:node-1",
            &["system:nodes", "system:authenticated"],
        );
        let lease = Attributes {
            name: Some("node-1"),
            ..Attributes::resource(
                "update",
                Some("kube-node-lease"),
                "coordination.k8s.io",
                "leases",
            )
        };
        let verdict = authorize(&index, &kubelet, &lease, &NoPods);
        assert_eq!(verdict.decided_by, Some(Authorizer::Node));
        let other = Attributes {
            name: Some("node-2"),
            ..lease
        };
        let verdict = authorize(&index, &kubelet, &other, &NoPods);
        assert!(!verdict.decision.allowed);
        assert_eq!(
            verdict.decision.reason,
            "can only access node lease with the same name as the requesting node"
        );
        let student = UserInfo::new("student", &["system:authenticated"]);
        let get = Attributes::resource("get", Some("default"), "", "pods");
        let verdict = authorize(&index, &student, &get, &NoPods);
        assert_eq!(verdict.decided_by, Some(Authorizer::Rbac));
        assert_eq!(
            verdict.decision.reason,
            "RBAC: allowed by RoleBinding \"student-view/default\" of ClusterRole \"view\" to User \"student\""
        );
    }

    #[test]
    fn attributes_from_request_info() {
        let info = RequestInfo::parse(&Method::GET, "/api/v1/namespaces/dev", false);
        let attrs = Attributes::from_request_info(&info);
        assert_eq!(
            (attrs.namespace, attrs.resource, attrs.name),
            (Some("dev"), "namespaces", Some("dev"))
        );
        let info = RequestInfo::parse(&Method::GET, "/api/v1/namespaces/dev/pods/web/log", false);
        let attrs = Attributes::from_request_info(&info);
        assert_eq!(
            (attrs.verb, attrs.namespace, attrs.subresource, attrs.name),
            ("get", Some("dev"), Some("log"), Some("web"))
        );
        let info = RequestInfo::parse(&Method::GET, "/api/v1/nodes", true);
        let attrs =
            Attributes::from_request_info(&info).with_field_selector(Some("metadata.name=node-1"));
        assert_eq!((attrs.verb, attrs.name), ("watch", Some("node-1")));
        let attrs = Attributes::from_request_info(&info)
            .with_field_selector(Some("spec.unschedulable=false"));
        assert_eq!(attrs.name, None);
        assert_eq!(
            exact_match("a=1, metadata.name==x", "metadata.name"),
            Some("x")
        );
        assert_eq!(exact_match("metadata.name!=x", "metadata.name"), None);
        assert_eq!(exact_match("metadata.namespace=x", "metadata.name"), None);
        let info = RequestInfo::parse(&Method::GET, "/healthz", false);
        let attrs = Attributes::from_request_info(&info);
        assert!(!attrs.is_resource_request);
        assert_eq!((attrs.verb, attrs.path), ("get", "/healthz"));
    }

    #[test]
    fn forbidden_errors_read_like_the_real_ones() {
        let err = forbidden_error(RBAC_GROUP, "roles", "x", "because");
        assert_eq!(err.code, 403);
        assert_eq!(
            err.message,
            "roles.rbac.authorization.k8s.io \"x\" is forbidden: because"
        );
        assert_eq!(
            err.details,
            Some(serde_json::json!({"name": "x", "group": RBAC_GROUP, "kind": "roles"}))
        );
        let err = forbidden_error("", "pods", "", "no");
        assert_eq!(err.message, "pods is forbidden: no");
        assert_eq!(err.details, Some(serde_json::json!({"kind": "pods"})));
    }

    #[test]
    fn service_account_identity() {
        let sa = service_account_user("dev", "builder");
        assert_eq!(sa.name, "system:serviceaccount:dev:builder");
        assert_eq!(
            sa.groups,
            vec![
                "system:serviceaccounts",
                "system:serviceaccounts:dev",
                "system:authenticated"
            ]
        );
    }
}
