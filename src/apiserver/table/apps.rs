//! Printers of the `apps/v1` kinds: deployments (READY as ready/desired, UP-TO-DATE, AVAILABLE)
//! and replica sets (DESIRED, CURRENT, READY), each with the wide CONTAINERS, IMAGES and SELECTOR.

use super::{
    AGE_COLUMN, CONTAINERS_DESCRIPTION, Column, IMAGES_DESCRIPTION, NAME_COLUMN, Row, array_at,
    int_at, layout_container_cells, name,
};
use crate::api::label_selector::{LabelSelector, format_label_selector};
use serde_json::{Value, json};

pub(super) const DEPLOYMENT_COLUMNS: &[Column] = &[
    NAME_COLUMN,
    Column {
        name: "Ready",
        type_: "string",
        format: "",
        description: "Number of the pod with ready state",
        priority: 0,
    },
    Column {
        name: "Up-to-date",
        type_: "string",
        format: "",
        description: "Total number of non-terminated pods targeted by this deployment that have the desired template spec.",
        priority: 0,
    },
    Column {
        name: "Available",
        type_: "string",
        format: "",
        description: "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.",
        priority: 0,
    },
    AGE_COLUMN,
    Column {
        name: "Containers",
        type_: "string",
        format: "",
        description: CONTAINERS_DESCRIPTION,
        priority: 1,
    },
    Column {
        name: "Images",
        type_: "string",
        format: "",
        description: IMAGES_DESCRIPTION,
        priority: 1,
    },
    Column {
        name: "Selector",
        type_: "string",
        format: "",
        description: "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.",
        priority: 1,
    },
];

pub(super) const REPLICA_SET_COLUMNS: &[Column] = &[
    NAME_COLUMN,
    Column {
        name: "Desired",
        type_: "integer",
        format: "",
        description: "Replicas is the number of desired replicas. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller",
        priority: 0,
    },
    Column {
        name: "Current",
        type_: "integer",
        format: "",
        description: "Replicas is the most recently observed number of replicas. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller",
        priority: 0,
    },
    Column {
        name: "Ready",
        type_: "integer",
        format: "",
        description: "readyReplicas is the number of pods targeted by this ReplicaSet with a Ready Condition.",
        priority: 0,
    },
    AGE_COLUMN,
    Column {
        name: "Containers",
        type_: "string",
        format: "",
        description: CONTAINERS_DESCRIPTION,
        priority: 1,
    },
    Column {
        name: "Images",
        type_: "string",
        format: "",
        description: IMAGES_DESCRIPTION,
        priority: 1,
    },
    Column {
        name: "Selector",
        type_: "string",
        format: "",
        description: "Selector is a label query over pods that should match the replica count. If the selector is empty, it is defaulted to the labels present on the pod template. Label keys and values that must match in order to be controlled by this replica set. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors",
        priority: 1,
    },
];

fn selector(object: &Value) -> &Value {
    object.pointer("/spec/selector").unwrap_or(&Value::Null)
}

pub(super) fn print_deployment(deployment: &Value, now_ms: i64) -> Row {
    // An absent spec.replicas is 0 once converted to the internal type.
    let desired = int_at(deployment, "/spec/replicas");
    let ready = int_at(deployment, "/status/readyReplicas");
    let (containers, images) =
        layout_container_cells(array_at(deployment, "/spec/template/spec/containers"));
    // printDeployment prints the selector itself: "" for none, "<invalid>" when it cannot parse.
    let selector = match LabelSelector::from_label_selector(selector(deployment)) {
        Ok(s) => s.to_string(),
        Err(_) => "<invalid>".to_string(),
    };
    Row::new(vec![
        json!(name(deployment)),
        json!(format!("{ready}/{desired}")),
        json!(int_at(deployment, "/status/updatedReplicas")),
        json!(int_at(deployment, "/status/availableReplicas")),
        json!(super::age(deployment, now_ms)),
        json!(containers),
        json!(images),
        json!(selector),
    ])
}

pub(super) fn print_replica_set(replica_set: &Value, now_ms: i64) -> Row {
    let (containers, images) =
        layout_container_cells(array_at(replica_set, "/spec/template/spec/containers"));
    Row::new(vec![
        json!(name(replica_set)),
        json!(int_at(replica_set, "/spec/replicas")),
        json!(int_at(replica_set, "/status/replicas")),
        json!(int_at(replica_set, "/status/readyReplicas")),
        json!(super::age(replica_set, now_ms)),
        json!(containers),
        json!(images),
        json!(format_label_selector(selector(replica_set))),
    ])
}

#[cfg(test)]
mod tests {
    use super::super::tests::{ago, cells, column_shapes};
    use serde_json::json;

    #[test]
    fn deployment_columns_and_cells() {
        assert_eq!(
            column_shapes("apps", "Deployment"),
            vec![
                ("Name", "string", "name", 0),
                ("Ready", "string", "", 0),
                ("Up-to-date", "string", "", 0),
                ("Available", "string", "", 0),
                ("Age", "string", "", 0),
                ("Containers", "string", "", 1),
                ("Images", "string", "", 1),
                ("Selector", "string", "", 1),
            ]
        );
        let d = json!({
            "metadata": {"name": "web", "creationTimestamp": ago(2 * 86400 + 3 * 3600)},
            "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
                     "template": {"spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}, {"name": "log", "image": "busybox"}]}}},
            "status": {"replicas": 3, "updatedReplicas": 2, "readyReplicas": 1, "availableReplicas": 1}
        });
        assert_eq!(
            cells("apps", "Deployment", d),
            vec![
                json!("web"),
                json!("1/3"),
                json!(2),
                json!(1),
                json!("2d3h"),
                json!("nginx,log"),
                json!("nginx:1.27,busybox"),
                json!("app=web"),
            ]
        );
        // Freshly created: no status yet, and selectors of every shape.
        let cases = [
            (
                json!({"matchLabels": {"app": "web"}, "matchExpressions": [{"key": "tier", "operator": "In", "values": ["b", "a"]}]}),
                "app=web,tier in (a,b)",
            ),
            (json!({}), ""),
            (json!(null), ""),
            (
                json!({"matchExpressions": [{"key": "x", "operator": "Sometimes"}]}),
                "<invalid>",
            ),
        ];
        for (selector, want) in cases {
            let d =
                json!({"metadata": {"name": "d"}, "spec": {"replicas": 1, "selector": selector}});
            let c = cells("apps", "Deployment", d);
            assert_eq!(
                (&c[1], &c[2], &c[3], &c[7]),
                (&json!("0/1"), &json!(0), &json!(0), &json!(want))
            );
        }
    }

    #[test]
    fn replica_set_columns_and_cells() {
        assert_eq!(
            column_shapes("apps", "ReplicaSet"),
            vec![
                ("Name", "string", "name", 0),
                ("Desired", "integer", "", 0),
                ("Current", "integer", "", 0),
                ("Ready", "integer", "", 0),
                ("Age", "string", "", 0),
                ("Containers", "string", "", 1),
                ("Images", "string", "", 1),
                ("Selector", "string", "", 1),
            ]
        );
        let rs = json!({
            "metadata": {"name": "web-7d4b9c", "creationTimestamp": ago(45)},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web", "pod-template-hash": "7d4b9c"}},
                     "template": {"spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}]}}},
            "status": {"replicas": 2, "readyReplicas": 1}
        });
        assert_eq!(
            cells("apps", "ReplicaSet", rs),
            vec![
                json!("web-7d4b9c"),
                json!(2),
                json!(2),
                json!(1),
                json!("45s"),
                json!("nginx"),
                json!("nginx:1.27"),
                json!("app=web,pod-template-hash=7d4b9c"),
            ]
        );
        for (selector, want) in [
            (json!({}), "<none>"),
            (json!(null), "<none>"),
            (
                json!({"matchExpressions": [{"operator": "Nope"}]}),
                "<error>",
            ),
        ] {
            let rs = json!({"metadata": {"name": "r"}, "spec": {"selector": selector}});
            assert_eq!(cells("apps", "ReplicaSet", rs)[7], json!(want));
        }
        let scaled_to_zero = json!({"metadata": {"name": "old"}, "spec": {"replicas": 0}, "status": {"replicas": 0}});
        let c = cells("apps", "ReplicaSet", scaled_to_zero);
        assert_eq!(
            (&c[1], &c[2], &c[3], &c[5], &c[6]),
            (&json!(0), &json!(0), &json!(0), &json!(""), &json!(""))
        );
    }
}
