//! The `coordination.k8s.io/v1` Lease printer: HOLDER is `spec.holderIdentity` (a node's name for
//! the kubelet heartbeats in `kube-node-lease`, the leader for an election lease).

use super::{AGE_COLUMN, Column, NAME_COLUMN, Row, name, str_at};
use serde_json::{Value, json};

pub(super) const LEASE_COLUMNS: &[Column] = &[
    NAME_COLUMN,
    Column {
        name: "Holder",
        type_: "string",
        format: "",
        description: "holderIdentity contains the identity of the holder of a current lease. If Coordinated Leader Election is used, the holder identity must be equal to the elected LeaseCandidate.metadata.name field.",
        priority: 0,
    },
    AGE_COLUMN,
];

pub(super) fn print_lease(lease: &Value, now_ms: i64) -> Row {
    Row::new(vec![
        json!(name(lease)),
        json!(str_at(lease, "/spec/holderIdentity")),
        json!(super::age(lease, now_ms)),
    ])
}

#[cfg(test)]
mod tests {
    use super::super::tests::{ago, cells, column_shapes};
    use serde_json::json;

    #[test]
    fn lease_columns_and_cells() {
        assert_eq!(
            column_shapes("coordination.k8s.io", "Lease"),
            vec![
                ("Name", "string", "name", 0),
                ("Holder", "string", "", 0),
                ("Age", "string", "", 0)
            ]
        );
        let lease = json!({
            "metadata": {"name": "node-1", "namespace": "kube-node-lease", "creationTimestamp": ago(8 * 3600 + 59 * 60)},
            "spec": {"holderIdentity": "node-1", "leaseDurationSeconds": 40}
        });
        assert_eq!(
            cells("coordination.k8s.io", "Lease", lease),
            vec![json!("node-1"), json!("node-1"), json!("8h")]
        );
        let unheld = json!({"metadata": {"name": "kube-scheduler", "creationTimestamp": ago(400 * 86400)}, "spec": {}});
        assert_eq!(
            cells("coordination.k8s.io", "Lease", unheld),
            vec![json!("kube-scheduler"), json!(""), json!("400d")]
        );
    }
}
