//! Printers of the gatekeepers' kinds (`printers.go` of 1.32): RoleBinding and
//! ClusterRoleBinding (ROLE as `ClusterRole/view`; wide USERS, GROUPS, SERVICEACCOUNTS as
//! `rbac.SubjectsStrings` splits the subjects) and ResourceQuota (REQUEST and LIMIT as
//! `used/hard` per resource of `status.hard`, sorted, `limits.*` in LIMIT). Role, ClusterRole
//! and LimitRange have no printer in Kubernetes: they use the default Name / Created At table.

use super::{AGE_COLUMN, Column, NAME_COLUMN, Row, array_at, name, str_at};
use crate::api::quantity::Quantity;
use serde_json::{Value, json};

/// `rbacv1beta1.RoleBinding{}.SwaggerDoc()["roleRef"]`, as `printers.go` describes the column.
const ROLE_BINDING_ROLE_DESCRIPTION: &str = "RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error.";
/// `rbacv1beta1.ClusterRoleBinding{}.SwaggerDoc()["roleRef"]`
const CLUSTER_ROLE_BINDING_ROLE_DESCRIPTION: &str = "RoleRef can only reference a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error.";

const fn text_column(name: &'static str, description: &'static str, priority: u8) -> Column {
    Column {
        name,
        type_: "string",
        format: "",
        description,
        priority,
    }
}

pub(super) const ROLE_BINDING_COLUMNS: &[Column] = &[
    NAME_COLUMN,
    text_column("Role", ROLE_BINDING_ROLE_DESCRIPTION, 0),
    AGE_COLUMN,
    text_column("Users", "Users in the roleBinding", 1),
    text_column("Groups", "Groups in the roleBinding", 1),
    text_column("ServiceAccounts", "ServiceAccounts in the roleBinding", 1),
];

pub(super) const CLUSTER_ROLE_BINDING_COLUMNS: &[Column] = &[
    NAME_COLUMN,
    text_column("Role", CLUSTER_ROLE_BINDING_ROLE_DESCRIPTION, 0),
    AGE_COLUMN,
    text_column("Users", "Users in the clusterRoleBinding", 1),
    text_column("Groups", "Groups in the clusterRoleBinding", 1),
    text_column(
        "ServiceAccounts",
        "ServiceAccounts in the clusterRoleBinding",
        1,
    ),
];

pub(super) const RESOURCE_QUOTA_COLUMNS: &[Column] = &[
    NAME_COLUMN,
    text_column(
        "Request",
        "Request represents a minimum amount of cpu/memory that a container may consume.",
        0,
    ),
    text_column(
        "Limit",
        "Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.",
        0,
    ),
    AGE_COLUMN,
];

/// `printRoleBinding` / `printClusterRoleBinding` (the same cells).
pub(super) fn print_role_binding(binding: &Value, now_ms: i64) -> Row {
    let role = format!(
        "{}/{}",
        str_at(binding, "/roleRef/kind"),
        str_at(binding, "/roleRef/name")
    );
    let (mut users, mut groups, mut service_accounts) = (Vec::new(), Vec::new(), Vec::new());
    for subject in array_at(binding, "/subjects") {
        let subject_name = str_at(subject, "/name");
        match str_at(subject, "/kind") {
            "ServiceAccount" => {
                service_accounts.push(format!("{}/{subject_name}", str_at(subject, "/namespace")))
            }
            "User" => users.push(subject_name.to_string()),
            "Group" => groups.push(subject_name.to_string()),
            _ => {}
        }
    }
    Row::new(vec![
        json!(name(binding)),
        json!(role),
        json!(super::age(binding, now_ms)),
        json!(users.join(", ")),
        json!(groups.join(", ")),
        json!(service_accounts.join(", ")),
    ])
}

/// `printResourceQuota`: `pods: 1/2, requests.cpu: 100m/1` in REQUEST, `limits.*` in LIMIT.
pub(super) fn print_resource_quota(quota: &Value, now_ms: i64) -> Row {
    let hard = quota.pointer("/status/hard").and_then(Value::as_object);
    let mut resources: Vec<&String> = hard.map(|h| h.keys().collect()).unwrap_or_default();
    resources.sort();
    let quantity = |v: Option<&Value>| {
        v.and_then(|v| Quantity::from_json(v).ok())
            .map(|q| q.to_string())
            .unwrap_or_else(|| "0".to_string())
    };
    let (mut requests, mut limits) = (Vec::new(), Vec::new());
    for resource in resources {
        let used = quantity(quota.pointer("/status/used").and_then(|u| u.get(resource)));
        let limit = quantity(hard.and_then(|h| h.get(resource)));
        let cell = format!("{resource}: {used}/{limit}");
        let pieces: Vec<&str> = resource.split('.').collect();
        if pieces.len() > 1 && pieces[0] == "limits" {
            limits.push(cell);
        } else {
            requests.push(cell);
        }
    }
    Row::new(vec![
        json!(name(quota)),
        json!(requests.join(", ")),
        json!(limits.join(", ")),
        json!(super::age(quota, now_ms)),
    ])
}

#[cfg(test)]
mod tests {
    use super::super::tests::{ago, cells, column_shapes};
    use super::super::{IncludeObject, column_definitions, table};
    use serde_json::{Value, json};

    const RBAC: &str = "rbac.authorization.k8s.io";

    #[test]
    fn binding_columns_and_cells() {
        for kind in ["RoleBinding", "ClusterRoleBinding"] {
            assert_eq!(
                column_shapes(RBAC, kind),
                vec![
                    ("Name", "string", "name", 0),
                    ("Role", "string", "", 0),
                    ("Age", "string", "", 0),
                    ("Users", "string", "", 1),
                    ("Groups", "string", "", 1),
                    ("ServiceAccounts", "string", "", 1),
                ]
            );
        }
        assert_eq!(
            column_definitions(RBAC, "ClusterRoleBinding")[3].description,
            "Users in the clusterRoleBinding"
        );
        let binding = json!({
            "metadata": {"name": "student-view", "namespace": "default", "creationTimestamp": ago(3 * 60)},
            "roleRef": {"apiGroup": RBAC, "kind": "ClusterRole", "name": "view"},
            "subjects": [
                {"kind": "User", "name": "student", "apiGroup": RBAC},
                {"kind": "User", "name": "teacher", "apiGroup": RBAC},
                {"kind": "Group", "name": "podflow:students", "apiGroup": RBAC},
                {"kind": "ServiceAccount", "name": "builder", "namespace": "ci"},
                {"kind": "Robot", "name": "r"}
            ]
        });
        assert_eq!(
            cells(RBAC, "RoleBinding", binding),
            vec![
                json!("student-view"),
                json!("ClusterRole/view"),
                json!("3m"),
                json!("student, teacher"),
                json!("podflow:students"),
                json!("ci/builder"),
            ]
        );
        let bare = json!({"metadata": {"name": "system:node", "creationTimestamp": ago(40 * 86400)},
                          "roleRef": {"kind": "ClusterRole", "name": "system:node"}});
        assert_eq!(
            cells(RBAC, "ClusterRoleBinding", bare),
            vec![
                json!("system:node"),
                json!("ClusterRole/system:node"),
                json!("40d"),
                json!(""),
                json!(""),
                json!("")
            ]
        );
    }

    #[test]
    fn roles_and_limit_ranges_use_the_default_table() {
        for (group, kind) in [(RBAC, "Role"), (RBAC, "ClusterRole"), ("", "LimitRange")] {
            assert_eq!(
                column_shapes(group, kind),
                vec![("Name", "string", "name", 0), ("Created At", "date", "", 0)]
            );
        }
        let role = json!({"metadata": {"name": "cluster-admin", "creationTimestamp": "2026-11-20T08:00:00Z"}});
        assert_eq!(
            cells(RBAC, "ClusterRole", role),
            vec![json!("cluster-admin"), json!("2026-11-20T08:00:00Z")]
        );
    }

    #[test]
    fn resource_quota_columns_and_cells() {
        assert_eq!(
            column_shapes("", "ResourceQuota"),
            vec![
                ("Name", "string", "name", 0),
                ("Request", "string", "", 0),
                ("Limit", "string", "", 0),
                ("Age", "string", "", 0),
            ]
        );
        let quota = json!({
            "metadata": {"name": "compute", "namespace": "default", "creationTimestamp": ago(90)},
            "spec": {"hard": {"pods": "2", "requests.cpu": "1", "limits.memory": "1Gi", "cpu": "2"}},
            "status": {
                "hard": {"pods": "2", "requests.cpu": "1000m", "limits.memory": "1Gi", "limits.cpu": "2", "cpu": "2"},
                "used": {"pods": "1", "requests.cpu": "100m", "limits.memory": "512Mi"}
            }
        });
        assert_eq!(
            cells("", "ResourceQuota", quota),
            vec![
                json!("compute"),
                json!("cpu: 0/2, pods: 1/2, requests.cpu: 100m/1"),
                json!("limits.cpu: 0/2, limits.memory: 512Mi/1Gi"),
                json!("90s"),
            ]
        );
        // Before the quota controller fills the status, both columns are empty.
        let fresh = json!({"metadata": {"name": "q"}, "spec": {"hard": {"pods": "2"}}});
        assert_eq!(
            cells("", "ResourceQuota", fresh),
            vec![json!("q"), json!(""), json!(""), json!("<unknown>")]
        );
    }

    #[test]
    fn printers_survive_junk() {
        let junk = [
            json!(null),
            json!({"roleRef": 5, "subjects": [null, 1, {"kind": 3}]}),
            json!({"status": {"hard": {"pods": 7, "cpu": "x"}, "used": []}}),
        ];
        for kind in [
            (RBAC, "RoleBinding"),
            (RBAC, "ClusterRoleBinding"),
            ("", "ResourceQuota"),
        ] {
            for object in &junk {
                let t = table(
                    kind.0,
                    kind.1,
                    std::slice::from_ref(object),
                    0,
                    IncludeObject::None,
                );
                assert_eq!(
                    t.pointer("/rows/0/cells")
                        .and_then(Value::as_array)
                        .map(Vec::len),
                    Some(column_definitions(kind.0, kind.1).len())
                );
            }
        }
    }
}
