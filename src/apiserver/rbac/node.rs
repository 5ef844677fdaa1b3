//! The Node authorizer (`plugin/pkg/auth/authorizer/node/node_authorizer.go`, 1.32 with its
//! default `AuthorizeNodeWithSelectors`) and the NodeRestriction admission checks
//! (`plugin/pkg/admission/noderestriction`) for kubelets, whose identity is
//! `system:node:<name>` in group `system:nodes`. Simplified where podflow serves no such
//! resource (volumes, CSI, DRA); where the real one walks its graph of pods, secrets and config
//! maps, this one asks the caller's [`NodeGraph`] about the stored objects.
//!
//! Runs before RBAC: a kubelet is allowed here or nowhere (no binding grants `system:nodes`).

use serde_json::Value;
use std::sync::OnceLock;

use super::rule::PolicyRule;
use super::{Attributes, Decision, bootstrap, exact_match};
use crate::api::validation::go_quote;
use crate::apiserver::authn::UserInfo;

/// `user.NodesGroup`
pub const NODES_GROUP: &str = "system:nodes";
const NODE_USER_PREFIX: &str = "system:node:";
/// `api.NamespaceNodeLease`
const NODE_LEASE_NAMESPACE: &str = "kube-node-lease";

/// What the Node authorizer needs to know of stored objects; the apiserver answers from its
/// store. A closure `Fn(namespace, name) -> Option<node name>` is a graph that knows pods only.
pub trait NodeGraph {
    /// `spec.nodeName` of the stored pod (None when the pod does not exist or is unbound).
    fn pod_node_name(&self, namespace: &str, name: &str) -> Option<String>;

    /// Whether a pod bound to `node` uses this object (`configmaps`, `secrets` or
    /// `serviceaccounts` in `namespace`): the graph edge node ← pod ← object.
    fn pod_uses(&self, node: &str, resource: &str, namespace: &str, name: &str) -> bool {
        let _ = (node, resource, namespace, name);
        false
    }
}

impl<F: Fn(&str, &str) -> Option<String>> NodeGraph for F {
    fn pod_node_name(&self, namespace: &str, name: &str) -> Option<String> {
        self(namespace, name)
    }
}

/// `NodeIdentity`: the node name of a kubelet's user (Some("") for `system:node:`), None for
/// anybody else. Both the name prefix and the `system:nodes` group are required.
pub fn node_identity(user: &UserInfo) -> Option<&str> {
    let name = user.name.strip_prefix(NODE_USER_PREFIX)?;
    user.in_group(NODES_GROUP).then_some(name)
}

fn no_opinion(reason: impl Into<String>) -> Decision {
    Decision {
        allowed: false,
        reason: reason.into(),
    }
}

fn allow() -> Decision {
    Decision {
        allowed: true,
        reason: String::new(),
    }
}

fn node_rules() -> &'static [PolicyRule] {
    static RULES: OnceLock<Vec<PolicyRule>> = OnceLock::new();
    RULES.get_or_init(bootstrap::node_rules)
}

/// `NodeAuthorizer.Authorize`. Not a node: no opinion, no reason. A node: its own Node object,
/// Lease and bound pods by the checks below, everything else by the static `system:node` rules.
pub fn authorize_node(user: &UserInfo, attrs: &Attributes, graph: &impl NodeGraph) -> Decision {
    let Some(node) = node_identity(user) else {
        return no_opinion("");
    };
    if node.is_empty() {
        return no_opinion(format!("unknown node for user {}", go_quote(&user.name)));
    }
    if attrs.is_resource_request {
        match (attrs.api_group, attrs.resource) {
            ("", "secrets" | "configmaps") => {
                return read_namespaced_object(node, attrs, graph);
            }
            ("", "serviceaccounts") => return create_token(node, attrs, graph),
            ("coordination.k8s.io", "leases") => return lease(node, attrs),
            ("", "nodes") => return node_object(node, attrs),
            ("", "pods") => return pod(node, attrs, graph),
            _ => {}
        }
    }
    if node_rules().iter().any(|r| r.allows(attrs)) {
        allow()
    } else {
        no_opinion("")
    }
}

fn relationship(node: &str, related: bool) -> Decision {
    if related {
        allow()
    } else {
        no_opinion(format!(
            "no relationship found between node '{node}' and this object"
        ))
    }
}

/// `authorizeReadNamespacedObject`: get/list/watch of one object a bound pod uses.
fn read_namespaced_object(node: &str, attrs: &Attributes, graph: &impl NodeGraph) -> Decision {
    if !matches!(attrs.verb, "get" | "list" | "watch") {
        return no_opinion("can only read resources of this type");
    }
    if attrs.subresource.is_some_and(|s| !s.is_empty()) {
        return no_opinion("cannot read subresource");
    }
    let namespace = attrs.namespace_or_empty();
    if namespace.is_empty() {
        return no_opinion("can only read namespaced object of this type");
    }
    let Some(name) = attrs.name.filter(|n| !n.is_empty()) else {
        return no_opinion("No Object name found");
    };
    relationship(node, graph.pod_uses(node, attrs.resource, namespace, name))
}

/// `authorizeCreateToken`: a token for a service account a bound pod runs as.
fn create_token(node: &str, attrs: &Attributes, graph: &impl NodeGraph) -> Decision {
    let name = attrs.name.unwrap_or_default();
    if attrs.verb != "create" || name.is_empty() {
        return no_opinion("can only create tokens for individual service accounts");
    }
    if attrs.subresource != Some("token") {
        return no_opinion("can only create token subresource of serviceaccount");
    }
    relationship(
        node,
        graph.pod_uses(node, "serviceaccounts", attrs.namespace_or_empty(), name),
    )
}

/// `authorizeLease`: the node's own Lease in `kube-node-lease` (on create the name is not known
/// yet; NodeRestriction checks it then).
fn lease(node: &str, attrs: &Attributes) -> Decision {
    if !matches!(attrs.verb, "get" | "create" | "update" | "patch" | "delete") {
        return no_opinion("can only get, create, update, patch, or delete a node lease");
    }
    if attrs.namespace_or_empty() != NODE_LEASE_NAMESPACE {
        return no_opinion(format!(
            "can only access leases in the {NODE_LEASE_NAMESPACE:?} system namespace"
        ));
    }
    if attrs.verb != "create" && attrs.name.unwrap_or_default() != node {
        return no_opinion("can only access node lease with the same name as the requesting node");
    }
    allow()
}

/// `authorizeNode`: read only its own Node; write any (NodeRestriction limits it to its own).
fn node_object(node: &str, attrs: &Attributes) -> Decision {
    match (attrs.subresource.unwrap_or_default(), attrs.verb) {
        ("", "create" | "update" | "patch") | ("status", "update" | "patch") => allow(),
        ("", "get" | "list" | "watch") => match attrs.name.unwrap_or_default() {
            "" => no_opinion(format!(
                "node '{node}' cannot read all nodes, only its own Node object"
            )),
            name if name == node => allow(),
            name => no_opinion(format!(
                "node '{node}' cannot read '{name}', only its own Node object"
            )),
        },
        _ => no_opinion(""),
    }
}

/// `authorizePod`: get a pod bound to it; list/watch with `spec.nodeName=<node>`; create and
/// delete (mirror pods), status and eviction (NodeRestriction then checks the binding).
fn pod(node: &str, attrs: &Attributes, graph: &impl NodeGraph) -> Decision {
    let bound = |name: &str| {
        let namespace = attrs.namespace_or_empty();
        relationship(
            node,
            graph.pod_node_name(namespace, name).as_deref() == Some(node),
        )
    };
    match (attrs.subresource.unwrap_or_default(), attrs.verb) {
        ("", "get") => match attrs.name.filter(|n| !n.is_empty()) {
            Some(name) => bound(name),
            None => no_opinion("No Object name found"),
        },
        ("", "list" | "watch") => {
            if selects_node(attrs.field_selector.unwrap_or_default(), node) {
                return allow();
            }
            match attrs.name.filter(|n| !n.is_empty()) {
                Some(name) => bound(name),
                None => no_opinion("can only list/watch pods with spec.nodeName field selector"),
            }
        }
        ("", "create" | "delete") | ("status", "update" | "patch") | ("eviction", "create") => {
            allow()
        }
        _ => no_opinion(""),
    }
}

/// Whether a field selector requires `spec.nodeName` to equal `node` (`=` or `==`).
fn selects_node(selector: &str, node: &str) -> bool {
    exact_match(selector, "spec.nodeName") == Some(node)
}

/// The NodeRestriction admission plugin, for the operations it handles (create, update,
/// delete): a kubelet may only touch its own Node, its own Lease and pods bound to it.
/// `object` is the incoming object (create, update), `old` the stored one (update, delete,
/// eviction: the pod). The error is what follows `<resource> "<name>" is forbidden: ` — build
/// the 403 with [`super::forbidden_error`].
pub fn node_restriction(
    user: &UserInfo,
    attrs: &Attributes,
    object: Option<&Value>,
    old: Option<&Value>,
) -> Result<(), String> {
    let Some(node) = node_identity(user) else {
        return Ok(());
    };
    if node.is_empty() {
        return Err(format!(
            "could not determine node from user {}",
            go_quote(&user.name)
        ));
    }
    let operation = match attrs.verb {
        "create" => "CREATE",
        "update" | "patch" => "UPDATE",
        "delete" | "deletecollection" => "DELETE",
        _ => return Ok(()),
    };
    match (attrs.api_group, attrs.resource) {
        ("", "pods") => admit_pod(node, attrs, operation, object, old),
        ("", "nodes") => admit_node(node, attrs, operation, object, old),
        ("coordination.k8s.io", "leases") => admit_lease(node, attrs, operation, object),
        _ => Ok(()),
    }
}

fn node_name_of(pod: Option<&Value>) -> &str {
    pod.and_then(|p| p.pointer("/spec/nodeName"))
        .and_then(Value::as_str)
        .unwrap_or_default()
}

fn name_of(object: Option<&Value>) -> &str {
    object
        .and_then(|o| o.pointer("/metadata/name"))
        .and_then(Value::as_str)
        .unwrap_or_default()
}

fn admit_pod(
    node: &str,
    attrs: &Attributes,
    operation: &str,
    object: Option<&Value>,
    old: Option<&Value>,
) -> Result<(), String> {
    match attrs.subresource.unwrap_or_default() {
        "" => match operation {
            "CREATE" => admit_mirror_pod(node, object),
            // A pod that is already gone 404s later; only a bound one may be deleted.
            "DELETE" if old.is_some() && node_name_of(old) != node => Err(format!(
                "node {node:?} can only delete pods with spec.nodeName set to itself"
            )),
            "DELETE" => Ok(()),
            _ => Err(format!(
                "unexpected operation {operation:?}, node {node:?} can only create and delete mirror pods"
            )),
        },
        "status" => {
            if operation != "UPDATE" {
                return Err(format!("unexpected operation {operation:?}"));
            }
            if node_name_of(old) != node {
                return Err(format!(
                    "node {node:?} can only update pod status for pods with spec.nodeName set to itself"
                ));
            }
            let labels = |o: Option<&Value>| {
                o.and_then(|o| o.pointer("/metadata/labels"))
                    .filter(|l| l.as_object().is_some_and(|m| !m.is_empty()))
                    .cloned()
            };
            if labels(old) != labels(object) {
                return Err(format!(
                    "node {node:?} cannot update labels through pod status"
                ));
            }
            Ok(())
        }
        "eviction" => {
            if operation != "CREATE" {
                return Err(format!("unexpected operation {operation}"));
            }
            if old.is_some() && node_name_of(old) != node {
                return Err(format!(
                    "node {node} can only evict pods with spec.nodeName set to itself"
                ));
            }
            Ok(())
        }
        other => Err(format!(
            "unexpected pod subresource {other:?}, only 'status' and 'eviction' are allowed"
        )),
    }
}

/// `admitPodCreate`: a kubelet creates only mirror pods of its static pods.
fn admit_mirror_pod(node: &str, pod: Option<&Value>) -> Result<(), String> {
    let mirror = pod
        .and_then(|p| p.pointer("/metadata/annotations/kubernetes.io~1config.mirror"))
        .is_some();
    if !mirror {
        return Err(format!(
            "pod does not have \"kubernetes.io/config.mirror\" annotation, node {node:?} can only create mirror pods"
        ));
    }
    if node_name_of(pod) != node {
        return Err(format!(
            "node {node:?} can only create pods with spec.nodeName set to itself"
        ));
    }
    let owners = pod
        .and_then(|p| p.pointer("/metadata/ownerReferences"))
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    match owners {
        [] => Err(format!(
            "node {node:?} can only create pods with an owner reference set to itself"
        )),
        [owner] => {
            let field = |k: &str| owner.get(k).and_then(Value::as_str).unwrap_or_default();
            if field("apiVersion") != "v1" || field("kind") != "Node" || field("name") != node {
                return Err(format!(
                    "node {node:?} can only create pods with an owner reference set to itself"
                ));
            }
            if owner.get("controller").and_then(Value::as_bool) != Some(true) {
                return Err(format!(
                    "node {node:?} can only create pods with a controller owner reference set to itself"
                ));
            }
            if owner.get("blockOwnerDeletion").and_then(Value::as_bool) == Some(true) {
                return Err(format!(
                    "node {node:?} must not set blockOwnerDeletion on an owner reference"
                ));
            }
            Ok(())
        }
        _ => Err(format!(
            "node {node:?} can only create pods with a single owner reference set to itself"
        )),
    }
}

/// `admitNode`: its own Node only, and never its taints.
fn admit_node(
    node: &str,
    attrs: &Attributes,
    operation: &str,
    object: Option<&Value>,
    old: Option<&Value>,
) -> Result<(), String> {
    let requested = match attrs.name.filter(|n| !n.is_empty()) {
        Some(name) => name,
        None => name_of(object),
    };
    if requested != node {
        return Err(format!(
            "node {node:?} is not allowed to modify node {requested:?}"
        ));
    }
    if operation == "UPDATE" {
        let taints = |o: Option<&Value>| {
            o.and_then(|o| o.pointer("/spec/taints"))
                .filter(|t| t.as_array().is_some_and(|a| !a.is_empty()))
                .cloned()
        };
        if taints(object) != taints(old) {
            return Err(format!("node {node:?} is not allowed to modify taints"));
        }
    }
    Ok(())
}

/// `admitLease`: its own Lease in `kube-node-lease`.
fn admit_lease(
    node: &str,
    attrs: &Attributes,
    operation: &str,
    object: Option<&Value>,
) -> Result<(), String> {
    if attrs.namespace_or_empty() != NODE_LEASE_NAMESPACE {
        return Err(format!(
            "can only access leases in the {NODE_LEASE_NAMESPACE:?} system namespace"
        ));
    }
    let name = if operation == "CREATE" {
        name_of(object)
    } else {
        attrs.name.unwrap_or_default()
    };
    if name != node {
        return Err(
            "can only access node lease with the same name as the requesting node".to_string(),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::tests::attrs;
    use super::*;
    use serde_json::json;

    fn kubelet(name: &str) -> UserInfo {
        UserInfo::new(
            &format!("system:node:{name}"),
            &[NODES_GROUP, "system:authenticated"],
        )
    }

    /// Pods `web` on node-1 and `db` on node-2 in `default`.
    fn store(namespace: &str, name: &str) -> Option<String> {
        match (namespace, name) {
            ("default", "web") => Some("node-1".to_string()),
            ("default", "db") => Some("node-2".to_string()),
            _ => None,
        }
    }

    fn check(verb: &str, resource: &str, sub: Option<&str>, name: Option<&str>) -> Decision {
        let ns = if resource == "nodes" {
            None
        } else {
            Some("default")
        };
        authorize_node(
            &kubelet("node-1"),
            &attrs(verb, ns, "", resource, sub, name),
            &store,
        )
    }

    #[test]
    fn only_nodes_are_judged_here() {
        let user = UserInfo::new("system:node:node-1", &["system:authenticated"]);
        let get = attrs("get", Some("default"), "", "pods", None, Some("web"));
        assert_eq!(authorize_node(&user, &get, &store), no_opinion(""));
        let nameless = UserInfo::new("system:node:", &[NODES_GROUP]);
        assert_eq!(
            authorize_node(&nameless, &get, &store).reason,
            "unknown node for user \"system:node:\""
        );
    }

    #[test]
    fn its_own_node_object() {
        assert!(check("get", "nodes", None, Some("node-1")).allowed);
        assert!(check("update", "nodes", Some("status"), Some("node-1")).allowed);
        assert!(check("patch", "nodes", None, Some("node-1")).allowed);
        assert!(check("create", "nodes", None, None).allowed);
        assert_eq!(
            check("get", "nodes", None, Some("node-2")).reason,
            "node 'node-1' cannot read 'node-2', only its own Node object"
        );
        assert_eq!(
            check("list", "nodes", None, None).reason,
            "node 'node-1' cannot read all nodes, only its own Node object"
        );
        assert_eq!(
            check("delete", "nodes", None, Some("node-1")),
            no_opinion("")
        );
        // The kubelet's own-node watch selects it by name.
        let watch = Attributes::resource("watch", None, "", "nodes")
            .with_field_selector(Some("metadata.name=node-1"));
        assert!(authorize_node(&kubelet("node-1"), &watch, &store).allowed);
    }

    #[test]
    fn its_own_lease() {
        let lease = |verb: &'static str, ns: &'static str, name: Option<&'static str>| {
            authorize_node(
                &kubelet("node-1"),
                &attrs(verb, Some(ns), "coordination.k8s.io", "leases", None, name),
                &store,
            )
        };
        assert!(lease("create", "kube-node-lease", None).allowed);
        assert!(lease("get", "kube-node-lease", Some("node-1")).allowed);
        assert!(lease("update", "kube-node-lease", Some("node-1")).allowed);
        assert_eq!(
            lease("update", "kube-node-lease", Some("node-2")).reason,
            "can only access node lease with the same name as the requesting node"
        );
        assert_eq!(
            lease("get", "default", Some("node-1")).reason,
            "can only access leases in the \"kube-node-lease\" system namespace"
        );
        assert_eq!(
            lease("list", "kube-node-lease", None).reason,
            "can only get, create, update, patch, or delete a node lease"
        );
    }

    #[test]
    fn pods_bound_to_it() {
        assert!(check("get", "pods", None, Some("web")).allowed);
        assert_eq!(
            check("get", "pods", None, Some("db")).reason,
            "no relationship found between node 'node-1' and this object"
        );
        assert!(!check("get", "pods", None, Some("missing")).allowed);
        assert_eq!(
            check("list", "pods", None, None).reason,
            "can only list/watch pods with spec.nodeName field selector"
        );
        let watch = attrs("watch", None, "", "pods", None, None);
        for selector in [
            "spec.nodeName=node-1",
            "status.phase!=Failed,spec.nodeName==node-1",
        ] {
            let w = watch.with_field_selector(Some(selector));
            assert!(
                authorize_node(&kubelet("node-1"), &w, &store).allowed,
                "{selector}"
            );
        }
        let other = watch.with_field_selector(Some("spec.nodeName=node-2"));
        assert!(!authorize_node(&kubelet("node-1"), &other, &store).allowed);
        assert!(check("update", "pods", Some("status"), Some("web")).allowed);
        assert!(check("patch", "pods", Some("status"), Some("db")).allowed);
        assert!(check("delete", "pods", None, Some("web")).allowed);
        assert!(check("create", "pods", Some("eviction"), Some("web")).allowed);
        assert_eq!(check("update", "pods", None, Some("web")), no_opinion(""));
        assert_eq!(
            check("get", "pods", Some("log"), Some("web")),
            no_opinion("")
        );
    }

    #[test]
    fn everything_else_by_the_static_rules() {
        assert!(check("create", "events", None, None).allowed);
        assert!(check("patch", "events", None, Some("e")).allowed);
        assert!(check("list", "services", None, None).allowed);
        assert!(!check("delete", "events", None, Some("e")).allowed);
        assert!(!check("create", "namespaces", None, None).allowed);
        assert_eq!(
            check("get", "configmaps", None, Some("app")).reason,
            "no relationship found between node 'node-1' and this object"
        );
        assert_eq!(
            check("create", "configmaps", None, Some("app")).reason,
            "can only read resources of this type"
        );
        let path = Attributes::non_resource("get", "/healthz");
        assert!(!authorize_node(&kubelet("node-1"), &path, &store).allowed);
        struct Uses;
        impl NodeGraph for Uses {
            fn pod_node_name(&self, _: &str, _: &str) -> Option<String> {
                None
            }
            fn pod_uses(&self, node: &str, resource: &str, _: &str, name: &str) -> bool {
                (node, resource, name) == ("node-1", "configmaps", "app")
            }
        }
        let get = attrs("get", Some("default"), "", "configmaps", None, Some("app"));
        assert!(authorize_node(&kubelet("node-1"), &get, &Uses).allowed);
    }

    #[test]
    fn node_restriction_limits_writes_to_its_own_objects() {
        let k = kubelet("node-1");
        let web = json!({"metadata": {"name": "web", "labels": {"app": "web"}}, "spec": {"nodeName": "node-1"}});
        let db = json!({"metadata": {"name": "db"}, "spec": {"nodeName": "node-2"}});
        let delete = |name| attrs("delete", Some("default"), "", "pods", None, Some(name));
        assert_eq!(
            node_restriction(&k, &delete("web"), None, Some(&web)),
            Ok(())
        );
        assert_eq!(
            node_restriction(&k, &delete("db"), None, Some(&db)),
            Err("node \"node-1\" can only delete pods with spec.nodeName set to itself".into())
        );
        let status = |name| {
            attrs(
                "patch",
                Some("default"),
                "",
                "pods",
                Some("status"),
                Some(name),
            )
        };
        assert_eq!(
            node_restriction(&k, &status("web"), Some(&web), Some(&web)),
            Ok(())
        );
        assert_eq!(
            node_restriction(&k, &status("db"), Some(&db), Some(&db)),
            Err("node \"node-1\" can only update pod status for pods with spec.nodeName set to itself".into())
        );
        let relabelled = json!({"metadata": {"name": "web", "labels": {"app": "x"}}, "spec": {"nodeName": "node-1"}});
        assert_eq!(
            node_restriction(&k, &status("web"), Some(&relabelled), Some(&web)),
            Err("node \"node-1\" cannot update labels through pod status".into())
        );
        let evict = attrs(
            "create",
            Some("default"),
            "",
            "pods",
            Some("eviction"),
            Some("db"),
        );
        assert_eq!(
            node_restriction(&k, &evict, None, Some(&db)),
            Err("node node-1 can only evict pods with spec.nodeName set to itself".into())
        );
        let create = attrs("create", Some("default"), "", "pods", None, None);
        assert_eq!(
            node_restriction(&k, &create, Some(&web), None),
            Err("pod does not have \"kubernetes.io/config.mirror\" annotation, node \"node-1\" can only create mirror pods".into())
        );
        let node2 = attrs("patch", None, "", "nodes", Some("status"), Some("node-2"));
        assert_eq!(
            node_restriction(&k, &node2, None, None),
            Err("node \"node-1\" is not allowed to modify node \"node-2\"".into())
        );
        let own = json!({"metadata": {"name": "node-1"}, "spec": {"taints": [{"key": "k", "effect": "NoSchedule"}]}});
        let untainted = json!({"metadata": {"name": "node-1"}, "spec": {}});
        let node1 = attrs("update", None, "", "nodes", None, Some("node-1"));
        assert_eq!(
            node_restriction(&k, &node1, Some(&untainted), Some(&own)),
            Err("node \"node-1\" is not allowed to modify taints".into())
        );
        assert_eq!(node_restriction(&k, &node1, Some(&own), Some(&own)), Ok(()));
        let lease = attrs(
            "create",
            Some("kube-node-lease"),
            "coordination.k8s.io",
            "leases",
            None,
            None,
        );
        let other_lease = json!({"metadata": {"name": "node-2"}});
        assert_eq!(
            node_restriction(&k, &lease, Some(&other_lease), None),
            Err("can only access node lease with the same name as the requesting node".into())
        );
        // Others are not restricted here.
        let student = UserInfo::new("student", &["system:authenticated"]);
        assert_eq!(
            node_restriction(&student, &delete("db"), None, Some(&db)),
            Ok(())
        );
    }
}
