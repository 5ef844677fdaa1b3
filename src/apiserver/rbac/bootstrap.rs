//! The bootstrap RBAC policy kube-apiserver writes at start
//! (`plugin/pkg/auth/authorizer/rbac/bootstrappolicy`, as its testdata `cluster-roles.yaml`,
//! `cluster-role-bindings.yaml` and `namespace-roles.yaml` show it), limited to the roles a
//! podflow cluster has a use for, plus podflow's own `student-view` binding.
//!
//! Two deliberate differences, both because podflow runs no extra processes:
//! - `admin`, `edit` and `view` carry their `aggregationRule` *and* the rules the
//!   clusterrole-aggregation controller would have filled in (the `system:aggregate-to-*` rules,
//!   concatenated by role name as the controller does);
//! - podflow's controllers all call the API as `system:kube-controller-manager` (a real
//!   kube-controller-manager gives each controller its own service account and
//!   `system:controller:*` role), so that role is the real one plus the rules of the
//!   `system:controller:*` roles of the controllers podflow runs: deployment, replicaset,
//!   node (node lifecycle), taint-eviction, generic-garbage-collector, pod-garbage-collector,
//!   namespace, service-account and resourcequota.
//!
//! As in a real cluster, no binding gives `system:nodes` the `system:node` role: the
//! `system:node` ClusterRoleBinding exists with no subjects, and kubelets are authorized by the
//! Node authorizer, whose static rules are [`node_rules`].

use serde_json::{Value, json};

use super::RBAC_GROUP;
use super::rule::PolicyRule;

const READ: &[&str] = &["get", "list", "watch"];
const WRITE: &[&str] = &["create", "delete", "deletecollection", "patch", "update"];
const READ_WRITE: &[&str] = &[
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];
const EVENTS_WRITE: &[&str] = &["create", "patch", "update"];

fn strs(items: &[&str]) -> Vec<Value> {
    items.iter().map(|s| json!(s)).collect()
}

/// `NewRule(verbs...).Groups(groups...).Resources(resources...)`
fn rule(verbs: &[&str], groups: &[&str], resources: &[&str]) -> Value {
    json!({"apiGroups": strs(groups), "resources": strs(resources), "verbs": strs(verbs)})
}

/// A rule limited to named objects.
fn named(verbs: &[&str], groups: &[&str], resources: &[&str], names: &[&str]) -> Value {
    json!({"apiGroups": strs(groups), "resources": strs(resources), "resourceNames": strs(names), "verbs": strs(verbs)})
}

/// A non-resource rule.
fn urls(verbs: &[&str], paths: &[&str]) -> Value {
    json!({"nonResourceURLs": strs(paths), "verbs": strs(verbs)})
}

/// `eventsRule()`: what every component needs to record events.
fn events_rule() -> Value {
    rule(EVENTS_WRITE, &["", "events.k8s.io"], &["events"])
}

/// The metadata of every bootstrap object: the `rbac-defaults` label (plus `extra` labels) and
/// the auto-update annotation.
fn metadata(name: &str, namespace: Option<&str>, extra: &[(&str, &str)]) -> Value {
    let mut labels = json!({"kubernetes.io/bootstrapping": "rbac-defaults"});
    for (k, v) in extra {
        labels[*k] = json!(v);
    }
    let mut meta = json!({
        "name": name,
        "labels": labels,
        "annotations": {"rbac.authorization.kubernetes.io/autoupdate": "true"},
    });
    if let Some(ns) = namespace {
        meta["namespace"] = json!(ns);
    }
    meta
}

fn cluster_role(name: &str, labels: &[(&str, &str)], rules: Vec<Value>) -> Value {
    json!({
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRole",
        "metadata": metadata(name, None, labels),
        "rules": rules,
    })
}

/// A ClusterRole the aggregation controller fills: its own selector, and the rules it gathered.
fn aggregated(name: &str, labels: &[(&str, &str)], selector: &str, rules: Vec<Value>) -> Value {
    let mut role = cluster_role(name, labels, rules);
    role["aggregationRule"] =
        json!({"clusterRoleSelectors": [{"matchLabels": {selector: "true"}}]});
    role
}

fn subject(kind: &str, name: &str) -> Value {
    match kind {
        "ServiceAccount" => {
            let (ns, name) = name.split_once('/').unwrap_or(("", name));
            json!({"kind": kind, "name": name, "namespace": ns})
        }
        _ => json!({"apiGroup": RBAC_GROUP, "kind": kind, "name": name}),
    }
}

fn cluster_role_binding(name: &str, subjects: &[(&str, &str)]) -> Value {
    let mut binding = json!({
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRoleBinding",
        "metadata": metadata(name, None, &[]),
        "roleRef": {"apiGroup": RBAC_GROUP, "kind": "ClusterRole", "name": name},
    });
    if !subjects.is_empty() {
        binding["subjects"] = Value::Array(subjects.iter().map(|(k, n)| subject(k, n)).collect());
    }
    binding
}

fn aggregate_to_view() -> Vec<Value> {
    vec![
        rule(
            READ,
            &[""],
            &[
                "configmaps",
                "endpoints",
                "persistentvolumeclaims",
                "persistentvolumeclaims/status",
                "pods",
                "replicationcontrollers",
                "replicationcontrollers/scale",
                "serviceaccounts",
                "services",
                "services/status",
            ],
        ),
        rule(
            READ,
            &[""],
            &[
                "bindings",
                "events",
                "limitranges",
                "namespaces/status",
                "pods/log",
                "pods/status",
                "replicationcontrollers/status",
                "resourcequotas",
                "resourcequotas/status",
            ],
        ),
        rule(READ, &[""], &["namespaces"]),
        rule(READ, &["discovery.k8s.io"], &["endpointslices"]),
        rule(
            READ,
            &["apps"],
            &[
                "controllerrevisions",
                "daemonsets",
                "daemonsets/status",
                "deployments",
                "deployments/scale",
                "deployments/status",
                "replicasets",
                "replicasets/scale",
                "replicasets/status",
                "statefulsets",
                "statefulsets/scale",
                "statefulsets/status",
            ],
        ),
        rule(
            READ,
            &["autoscaling"],
            &[
                "horizontalpodautoscalers",
                "horizontalpodautoscalers/status",
            ],
        ),
        rule(
            READ,
            &["batch"],
            &["cronjobs", "cronjobs/status", "jobs", "jobs/status"],
        ),
        rule(
            READ,
            &["extensions"],
            &[
                "daemonsets",
                "daemonsets/status",
                "deployments",
                "deployments/scale",
                "deployments/status",
                "ingresses",
                "ingresses/status",
                "networkpolicies",
                "replicasets",
                "replicasets/scale",
                "replicasets/status",
                "replicationcontrollers/scale",
            ],
        ),
        rule(
            READ,
            &["policy"],
            &["poddisruptionbudgets", "poddisruptionbudgets/status"],
        ),
        rule(
            READ,
            &["networking.k8s.io"],
            &["ingresses", "ingresses/status", "networkpolicies"],
        ),
    ]
}

fn aggregate_to_edit() -> Vec<Value> {
    vec![
        rule(
            READ,
            &[""],
            &[
                "pods/attach",
                "pods/exec",
                "pods/portforward",
                "pods/proxy",
                "secrets",
                "services/proxy",
            ],
        ),
        rule(&["impersonate"], &[""], &["serviceaccounts"]),
        rule(
            WRITE,
            &[""],
            &[
                "pods",
                "pods/attach",
                "pods/exec",
                "pods/portforward",
                "pods/proxy",
            ],
        ),
        rule(&["create"], &[""], &["pods/eviction"]),
        rule(
            WRITE,
            &[""],
            &[
                "configmaps",
                "events",
                "persistentvolumeclaims",
                "replicationcontrollers",
                "replicationcontrollers/scale",
                "secrets",
                "serviceaccounts",
                "services",
                "services/proxy",
            ],
        ),
        rule(&["create"], &[""], &["serviceaccounts/token"]),
        rule(
            WRITE,
            &["apps"],
            &[
                "daemonsets",
                "deployments",
                "deployments/rollback",
                "deployments/scale",
                "replicasets",
                "replicasets/scale",
                "statefulsets",
                "statefulsets/scale",
            ],
        ),
        rule(WRITE, &["autoscaling"], &["horizontalpodautoscalers"]),
        rule(WRITE, &["batch"], &["cronjobs", "jobs"]),
        rule(
            WRITE,
            &["extensions"],
            &[
                "daemonsets",
                "deployments",
                "deployments/rollback",
                "deployments/scale",
                "ingresses",
                "networkpolicies",
                "replicasets",
                "replicasets/scale",
                "replicationcontrollers/scale",
            ],
        ),
        rule(WRITE, &["policy"], &["poddisruptionbudgets"]),
        rule(
            WRITE,
            &["networking.k8s.io"],
            &["ingresses", "networkpolicies"],
        ),
        rule(READ_WRITE, &["coordination.k8s.io"], &["leases"]),
    ]
}

fn aggregate_to_admin() -> Vec<Value> {
    vec![
        rule(
            &["create"],
            &["authorization.k8s.io"],
            &["localsubjectaccessreviews"],
        ),
        rule(READ_WRITE, &[RBAC_GROUP], &["rolebindings", "roles"]),
    ]
}

/// The rules of `system:node`: what the Node authorizer grants a kubelet outside the resources it
/// checks object by object.
fn system_node() -> Vec<Value> {
    vec![
        rule(&["create"], &["authentication.k8s.io"], &["tokenreviews"]),
        rule(
            &["create"],
            &["authorization.k8s.io"],
            &["localsubjectaccessreviews", "subjectaccessreviews"],
        ),
        rule(READ, &[""], &["services"]),
        rule(&["create", "get", "list", "watch"], &[""], &["nodes"]),
        rule(&["patch", "update"], &[""], &["nodes/status"]),
        rule(&["patch", "update"], &[""], &["nodes"]),
        rule(EVENTS_WRITE, &[""], &["events"]),
        rule(READ, &[""], &["pods"]),
        rule(&["create", "delete"], &[""], &["pods"]),
        rule(&["patch", "update"], &[""], &["pods/status"]),
        rule(&["create"], &[""], &["pods/eviction"]),
        rule(READ, &[""], &["configmaps", "secrets"]),
        rule(
            &["get"],
            &[""],
            &["persistentvolumeclaims", "persistentvolumes"],
        ),
        rule(&["get"], &[""], &["endpoints"]),
        rule(
            &["create", "get", "list", "watch"],
            &["certificates.k8s.io"],
            &["certificatesigningrequests"],
        ),
        rule(
            &["create", "delete", "get", "patch", "update"],
            &["coordination.k8s.io"],
            &["leases"],
        ),
        rule(&["get"], &["storage.k8s.io"], &["volumeattachments"]),
        rule(&["create"], &[""], &["serviceaccounts/token"]),
        rule(
            &["get", "patch", "update"],
            &[""],
            &["persistentvolumeclaims/status"],
        ),
        rule(READ, &["storage.k8s.io"], &["csidrivers"]),
        rule(
            &["create", "delete", "get", "patch", "update"],
            &["storage.k8s.io"],
            &["csinodes"],
        ),
        rule(READ, &["node.k8s.io"], &["runtimeclasses"]),
    ]
}

fn system_kube_scheduler() -> Vec<Value> {
    vec![
        events_rule(),
        rule(&["create"], &["coordination.k8s.io"], &["leases"]),
        named(
            &["get", "update"],
            &["coordination.k8s.io"],
            &["leases"],
            &["kube-scheduler"],
        ),
        rule(READ, &[""], &["nodes"]),
        rule(&["delete", "get", "list", "watch"], &[""], &["pods"]),
        rule(&["create"], &[""], &["bindings", "pods/binding"]),
        rule(&["patch", "update"], &[""], &["pods/status"]),
        rule(READ, &[""], &["replicationcontrollers", "services"]),
        rule(READ, &["apps", "extensions"], &["replicasets"]),
        rule(READ, &["apps"], &["statefulsets"]),
        rule(READ, &["policy"], &["poddisruptionbudgets"]),
        rule(
            READ,
            &[""],
            &["persistentvolumeclaims", "persistentvolumes"],
        ),
        rule(&["create"], &["authentication.k8s.io"], &["tokenreviews"]),
        rule(
            &["create"],
            &["authorization.k8s.io"],
            &["subjectaccessreviews"],
        ),
        rule(READ, &["storage.k8s.io"], &["csinodes"]),
        rule(READ, &[""], &["namespaces"]),
        rule(READ, &["storage.k8s.io"], &["csidrivers"]),
        rule(READ, &["storage.k8s.io"], &["csistoragecapacities"]),
    ]
}

/// The real `system:kube-controller-manager` rules, then those of the `system:controller:*`
/// roles of the controllers podflow runs under this one identity (duplicates dropped).
fn system_kube_controller_manager() -> Vec<Value> {
    let own = vec![
        events_rule(),
        rule(&["create"], &["coordination.k8s.io"], &["leases"]),
        named(
            &["get", "update"],
            &["coordination.k8s.io"],
            &["leases"],
            &["kube-controller-manager"],
        ),
        rule(&["create"], &[""], &["secrets", "serviceaccounts"]),
        rule(&["delete"], &[""], &["secrets"]),
        rule(
            &["get"],
            &[""],
            &["configmaps", "namespaces", "secrets", "serviceaccounts"],
        ),
        rule(&["update"], &[""], &["secrets", "serviceaccounts"]),
        rule(&["create"], &["authentication.k8s.io"], &["tokenreviews"]),
        rule(
            &["create"],
            &["authorization.k8s.io"],
            &["subjectaccessreviews"],
        ),
        rule(&["list", "watch"], &["*"], &["*"]),
        rule(&["create"], &[""], &["serviceaccounts/token"]),
    ];
    let controllers = [
        // deployment-controller
        rule(
            &["get", "list", "update", "watch"],
            &["apps", "extensions"],
            &["deployments"],
        ),
        rule(
            &["update"],
            &["apps", "extensions"],
            &["deployments/status"],
        ),
        rule(
            &["update"],
            &["apps", "extensions"],
            &["deployments/finalizers"],
        ),
        rule(
            &[
                "create", "delete", "get", "list", "patch", "update", "watch",
            ],
            &["apps", "extensions"],
            &["replicasets"],
        ),
        rule(&["get", "list", "update", "watch"], &[""], &["pods"]),
        events_rule(),
        // replicaset-controller
        rule(
            &["get", "list", "update", "watch"],
            &["apps", "extensions"],
            &["replicasets"],
        ),
        rule(
            &["update"],
            &["apps", "extensions"],
            &["replicasets/status"],
        ),
        rule(
            &["update"],
            &["apps", "extensions"],
            &["replicasets/finalizers"],
        ),
        rule(
            &["create", "delete", "list", "patch", "watch"],
            &[""],
            &["pods"],
        ),
        // node-controller (node lifecycle) and taint-eviction-controller
        rule(
            &["delete", "get", "list", "patch", "update", "watch"],
            &[""],
            &["nodes"],
        ),
        rule(&["patch", "update"], &[""], &["nodes/status"]),
        rule(&["patch", "update"], &[""], &["pods/status"]),
        rule(&["delete", "get", "list", "watch"], &[""], &["pods"]),
        // generic-garbage-collector
        rule(
            &["delete", "get", "list", "patch", "update", "watch"],
            &["*"],
            &["*"],
        ),
        // pod-garbage-collector
        rule(&["delete", "list", "watch"], &[""], &["pods"]),
        rule(READ, &[""], &["nodes"]),
        rule(&["patch"], &[""], &["pods/status"]),
        // namespace-controller
        rule(&["delete", "get", "list", "watch"], &[""], &["namespaces"]),
        rule(
            &["update"],
            &[""],
            &["namespaces/finalize", "namespaces/status"],
        ),
        rule(
            &["delete", "deletecollection", "get", "list", "watch"],
            &["*"],
            &["*"],
        ),
        // resourcequota-controller
        rule(&["update"], &[""], &["resourcequotas/status"]),
        // service-account-controller
        rule(&["create"], &[""], &["serviceaccounts"]),
        // root-ca-cert-publisher
        rule(&["create", "update"], &[""], &["configmaps"]),
    ];
    let mut rules = own;
    for r in controllers {
        if !rules.contains(&r) {
            rules.push(r);
        }
    }
    rules
}

/// The aggregation controller's result: the rules of the roles it selects, in name order,
/// without exact duplicates.
fn concat_unique(parts: &[Vec<Value>]) -> Vec<Value> {
    let mut rules: Vec<Value> = Vec::new();
    for part in parts {
        for r in part {
            if !rules.contains(r) {
                rules.push(r.clone());
            }
        }
    }
    rules
}

/// The bootstrap ClusterRoles, by name.
pub fn cluster_roles() -> Vec<Value> {
    let view = aggregate_to_view();
    let edit = concat_unique(&[aggregate_to_edit(), view.clone()]);
    let admin = concat_unique(&[edit.clone(), aggregate_to_admin()]);
    vec![
        aggregated(
            "admin",
            &[],
            "rbac.authorization.k8s.io/aggregate-to-admin",
            admin,
        ),
        cluster_role(
            "cluster-admin",
            &[],
            vec![rule(&["*"], &["*"], &["*"]), urls(&["*"], &["*"])],
        ),
        aggregated(
            "edit",
            &[("rbac.authorization.k8s.io/aggregate-to-admin", "true")],
            "rbac.authorization.k8s.io/aggregate-to-edit",
            edit,
        ),
        cluster_role(
            "system:aggregate-to-admin",
            &[("rbac.authorization.k8s.io/aggregate-to-admin", "true")],
            aggregate_to_admin(),
        ),
        cluster_role(
            "system:aggregate-to-edit",
            &[("rbac.authorization.k8s.io/aggregate-to-edit", "true")],
            aggregate_to_edit(),
        ),
        cluster_role(
            "system:aggregate-to-view",
            &[("rbac.authorization.k8s.io/aggregate-to-view", "true")],
            aggregate_to_view(),
        ),
        cluster_role(
            "system:basic-user",
            &[],
            vec![
                rule(
                    &["create"],
                    &["authorization.k8s.io"],
                    &["selfsubjectaccessreviews", "selfsubjectrulesreviews"],
                ),
                rule(
                    &["create"],
                    &["authentication.k8s.io"],
                    &["selfsubjectreviews"],
                ),
            ],
        ),
        cluster_role(
            "system:discovery",
            &[],
            vec![urls(
                &["get"],
                &[
                    "/api",
                    "/api/*",
                    "/apis",
                    "/apis/*",
                    "/healthz",
                    "/livez",
                    "/openapi",
                    "/openapi/*",
                    "/readyz",
                    "/version",
                    "/version/",
                ],
            )],
        ),
        cluster_role(
            "system:kube-controller-manager",
            &[],
            system_kube_controller_manager(),
        ),
        cluster_role("system:kube-scheduler", &[], system_kube_scheduler()),
        cluster_role(
            "system:monitoring",
            &[],
            vec![urls(
                &["get"],
                &[
                    "/healthz",
                    "/healthz/*",
                    "/livez",
                    "/livez/*",
                    "/metrics",
                    "/metrics/slis",
                    "/readyz",
                    "/readyz/*",
                ],
            )],
        ),
        cluster_role("system:node", &[], system_node()),
        cluster_role(
            "system:public-info-viewer",
            &[],
            vec![urls(
                &["get"],
                &["/healthz", "/livez", "/readyz", "/version", "/version/"],
            )],
        ),
        cluster_role(
            "system:service-account-issuer-discovery",
            &[],
            vec![urls(
                &["get"],
                &["/.well-known/openid-configuration", "/openid/v1/jwks"],
            )],
        ),
        cluster_role(
            "system:volume-scheduler",
            &[],
            vec![
                rule(
                    &["get", "list", "patch", "update", "watch"],
                    &[""],
                    &["persistentvolumes"],
                ),
                rule(READ, &["storage.k8s.io"], &["storageclasses"]),
                rule(
                    &["get", "list", "patch", "update", "watch"],
                    &[""],
                    &["persistentvolumeclaims"],
                ),
            ],
        ),
        view_role(view),
    ]
}

fn view_role(rules: Vec<Value>) -> Value {
    aggregated(
        "view",
        &[("rbac.authorization.k8s.io/aggregate-to-edit", "true")],
        "rbac.authorization.k8s.io/aggregate-to-view",
        rules,
    )
}

/// The bootstrap ClusterRoleBindings, by name.
pub fn cluster_role_bindings() -> Vec<Value> {
    vec![
        cluster_role_binding("cluster-admin", &[("Group", "system:masters")]),
        cluster_role_binding("system:basic-user", &[("Group", "system:authenticated")]),
        cluster_role_binding("system:discovery", &[("Group", "system:authenticated")]),
        cluster_role_binding(
            "system:kube-controller-manager",
            &[("User", "system:kube-controller-manager")],
        ),
        cluster_role_binding(
            "system:kube-scheduler",
            &[("User", "system:kube-scheduler")],
        ),
        cluster_role_binding("system:monitoring", &[("Group", "system:monitoring")]),
        // Kept without subjects since the Node authorizer (1.8), as in a real cluster.
        cluster_role_binding("system:node", &[]),
        cluster_role_binding(
            "system:public-info-viewer",
            &[
                ("Group", "system:authenticated"),
                ("Group", "system:unauthenticated"),
            ],
        ),
        cluster_role_binding(
            "system:service-account-issuer-discovery",
            &[("Group", "system:serviceaccounts")],
        ),
        cluster_role_binding(
            "system:volume-scheduler",
            &[("User", "system:kube-scheduler")],
        ),
    ]
}

/// The bootstrap Roles of `kube-system` that podflow's components need.
pub fn roles() -> Vec<Value> {
    vec![json!({
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "Role",
        "metadata": metadata("extension-apiserver-authentication-reader", Some("kube-system"), &[]),
        "rules": [named(READ, &[""], &["configmaps"], &["extension-apiserver-authentication"])],
    })]
}

/// The bootstrap RoleBindings of `kube-system` for [`roles`].
pub fn role_bindings() -> Vec<Value> {
    vec![json!({
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "RoleBinding",
        "metadata": metadata("system::extension-apiserver-authentication-reader", Some("kube-system"), &[]),
        "roleRef": {"apiGroup": RBAC_GROUP, "kind": "Role", "name": "extension-apiserver-authentication-reader"},
        "subjects": [subject("User", "system:kube-controller-manager"), subject("User", "system:kube-scheduler")],
    })]
}

/// podflow's student: `view` in `default` for the `podflow-student` kubeconfig user.
pub fn student_binding() -> Value {
    json!({
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "RoleBinding",
        "metadata": {"name": "student-view", "namespace": "default"},
        "roleRef": {"apiGroup": RBAC_GROUP, "kind": "ClusterRole", "name": "view"},
        "subjects": [subject("User", "student")],
    })
}

/// `bootstrappolicy.NodeRules()`: the static rules of the Node authorizer (those of
/// `system:node`).
pub fn node_rules() -> Vec<PolicyRule> {
    system_node().iter().map(PolicyRule::from_json).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::validation::rbac::validate_rbac;

    fn names(objects: &[Value]) -> Vec<&str> {
        objects
            .iter()
            .map(|o| o["metadata"]["name"].as_str().unwrap_or_default())
            .collect()
    }

    #[test]
    fn the_bootstrap_objects_are_there_and_labelled() {
        let roles = cluster_roles();
        for want in [
            "cluster-admin",
            "admin",
            "edit",
            "view",
            "system:public-info-viewer",
            "system:discovery",
            "system:basic-user",
            "system:kube-scheduler",
            "system:kube-controller-manager",
            "system:node",
        ] {
            assert!(names(&roles).contains(&want), "{want}");
        }
        let mut sorted = names(&roles);
        sorted.sort_unstable();
        assert_eq!(sorted, names(&roles), "listed by name");
        for object in roles
            .iter()
            .chain(&cluster_role_bindings())
            .chain(&roles_and_bindings())
        {
            assert_eq!(
                object["metadata"]["labels"]["kubernetes.io/bootstrapping"],
                "rbac-defaults"
            );
            assert_eq!(
                object["metadata"]["annotations"]["rbac.authorization.kubernetes.io/autoupdate"],
                "true"
            );
        }
        let node = cluster_role_bindings()
            .into_iter()
            .find(|b| b["metadata"]["name"] == "system:node");
        assert_eq!(node.map(|b| b.get("subjects").is_none()), Some(true));
    }

    fn roles_and_bindings() -> Vec<Value> {
        [roles(), role_bindings()].concat()
    }

    #[test]
    fn aggregated_roles_nest() {
        let roles = cluster_roles();
        let rules_of = |name: &str| {
            roles
                .iter()
                .find(|r| r["metadata"]["name"] == name)
                .map(PolicyRule::list_from_json)
                .unwrap_or_default()
        };
        let (view, edit, admin) = (rules_of("view"), rules_of("edit"), rules_of("admin"));
        assert_eq!(view.len(), 10);
        assert!(view.iter().all(|r| edit.contains(r)));
        assert!(edit.iter().all(|r| admin.contains(r)));
        assert_eq!(admin.len(), edit.len() + 2);
    }

    #[test]
    fn every_bootstrap_object_is_valid() {
        for (kind, objects) in [
            ("ClusterRole", cluster_roles()),
            ("ClusterRoleBinding", cluster_role_bindings()),
            ("Role", roles()),
            (
                "RoleBinding",
                [role_bindings(), vec![student_binding()]].concat(),
            ),
        ] {
            for object in &objects {
                assert_eq!(validate_rbac(kind, object), vec![], "{object}");
            }
        }
    }

    #[test]
    fn node_rules_are_system_node() {
        assert_eq!(node_rules().len(), 22);
        assert!(node_rules().iter().any(|r| r.resources == ["pods/status"]));
    }
}
