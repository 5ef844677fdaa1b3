//! Printers of the core (`v1`) kinds besides pods: nodes (STATUS from the Ready condition and
//! cordoning, ROLES from `node-role.kubernetes.io/*` labels), namespaces, events (LAST SEEN with
//! its fallbacks, OBJECT as `pod/web`), config maps and service accounts.

use super::{
    AGE_COLUMN, Column, NAME_COLUMN, Row, array_at, int_at, len_at, name, since, str_at, time_at,
};
use crate::api::time::ZERO_TIME_MS;
use serde_json::{Value, json};
use std::collections::BTreeSet;

const NODE_ADDRESSES_DESCRIPTION: &str = "List of addresses reachable to the node. Queried from cloud provider, if available. More info: https://kubernetes.io/docs/reference/node/node-status/#addresses Note: This field is declared as mergeable, but the merge key is not sufficiently unique, which can cause data corruption when it is merged. Callers should instead use a full-replacement patch. See https://pr.k8s.io/79391 for an example. Consumers should assume that addresses can change during the lifetime of a Node. However, there are some exceptions where this may not be possible, such as Pods that inherit a Node's address in its own status or consumers of the downward API (status.hostIP).";

pub(super) const NODE_COLUMNS: &[Column] = &[
    NAME_COLUMN,
    Column {
        name: "Status",
        type_: "string",
        format: "",
        description: "The status of the node",
        priority: 0,
    },
    Column {
        name: "Roles",
        type_: "string",
        format: "",
        description: "The roles of the node",
        priority: 0,
    },
    AGE_COLUMN,
    Column {
        name: "Version",
        type_: "string",
        format: "",
        description: "Kubelet Version reported by the node.",
        priority: 0,
    },
    Column {
        name: "Internal-IP",
        type_: "string",
        format: "",
        description: NODE_ADDRESSES_DESCRIPTION,
        priority: 1,
    },
    Column {
        name: "External-IP",
        type_: "string",
        format: "",
        description: NODE_ADDRESSES_DESCRIPTION,
        priority: 1,
    },
    Column {
        name: "OS-Image",
        type_: "string",
        format: "",
        description: "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).",
        priority: 1,
    },
    Column {
        name: "Kernel-Version",
        type_: "string",
        format: "",
        description: "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).",
        priority: 1,
    },
    Column {
        name: "Container-Runtime",
        type_: "string",
        format: "",
        description: "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).",
        priority: 1,
    },
];

pub(super) const NAMESPACE_COLUMNS: &[Column] = &[
    NAME_COLUMN,
    Column {
        name: "Status",
        type_: "string",
        format: "",
        description: "The status of the namespace",
        priority: 0,
    },
    AGE_COLUMN,
];

pub(super) const EVENT_COLUMNS: &[Column] = &[
    Column {
        name: "Last Seen",
        type_: "string",
        format: "",
        description: "The time at which the most recent occurrence of this event was recorded.",
        priority: 0,
    },
    Column {
        name: "Type",
        type_: "string",
        format: "",
        description: "Type of this event (Normal, Warning), new types could be added in the future",
        priority: 0,
    },
    Column {
        name: "Reason",
        type_: "string",
        format: "",
        description: "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
        priority: 0,
    },
    Column {
        name: "Object",
        type_: "string",
        format: "",
        description: "The object that this event is about.",
        priority: 0,
    },
    Column {
        name: "Subobject",
        type_: "string",
        format: "",
        description: "If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2]. For example, if the object reference is to a container within a pod, this would take on a value like: \"spec.containers{name}\" (where \"name\" refers to the name of the container that triggered the event) or if no container name is specified \"spec.containers[2]\" (container with index 2 in this pod). This syntax is chosen only to have some well-defined way of referencing a part of an object.",
        priority: 1,
    },
    Column {
        name: "Source",
        type_: "string",
        format: "",
        description: "The component reporting this event. Should be a short machine understandable string.",
        priority: 1,
    },
    Column {
        name: "Message",
        type_: "string",
        format: "",
        description: "A human-readable description of the status of this operation.",
        priority: 0,
    },
    Column {
        name: "First Seen",
        type_: "string",
        format: "",
        description: "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)",
        priority: 1,
    },
    Column {
        name: "Count",
        type_: "string",
        format: "",
        description: "The number of times this event has occurred.",
        priority: 1,
    },
    Column {
        priority: 1,
        ..NAME_COLUMN
    },
];

pub(super) const CONFIG_MAP_COLUMNS: &[Column] = &[
    NAME_COLUMN,
    Column {
        name: "Data",
        type_: "string",
        format: "",
        description: "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process.",
        priority: 0,
    },
    AGE_COLUMN,
];

pub(super) const SERVICE_ACCOUNT_COLUMNS: &[Column] = &[
    NAME_COLUMN,
    Column {
        name: "Secrets",
        type_: "string",
        format: "",
        description: "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use. Pods are only limited to this list if this service account has a \"kubernetes.io/enforce-mountable-secrets\" annotation set to \"true\". The \"kubernetes.io/enforce-mountable-secrets\" annotation is deprecated since v1.32. Prefer separate namespaces to isolate access to mounted secrets. This field should not be used to find auto-generated service account token secrets for use outside of pods. Instead, tokens can be requested directly using the TokenRequest API, or service account token secrets can be manually created. More info: https://kubernetes.io/docs/concepts/configuration/secret",
        priority: 0,
    },
    AGE_COLUMN,
];

const LABEL_NODE_ROLE_PREFIX: &str = "node-role.kubernetes.io/";
const NODE_LABEL_ROLE: &str = "kubernetes.io/role";

/// `findNodeRoles`: `node-role.kubernetes.io/<role>` keys and `kubernetes.io/role=<role>`, sorted.
fn find_node_roles(node: &Value) -> Vec<String> {
    let mut roles = BTreeSet::new();
    if let Some(labels) = node.pointer("/metadata/labels").and_then(Value::as_object) {
        for (k, v) in labels {
            let role = match k.strip_prefix(LABEL_NODE_ROLE_PREFIX) {
                Some(role) => role,
                None if k == NODE_LABEL_ROLE => v.as_str().unwrap_or_default(),
                None => continue,
            };
            if !role.is_empty() {
                roles.insert(role.to_string());
            }
        }
    }
    roles.into_iter().collect()
}

/// The first address of a type (`InternalIP`, `ExternalIP`), or `<none>`.
fn node_address(node: &Value, address_type: &str) -> String {
    array_at(node, "/status/addresses")
        .iter()
        .find(|a| str_at(a, "/type") == address_type)
        .map(|a| str_at(a, "/address").to_string())
        .unwrap_or_else(|| "<none>".to_string())
}

pub(super) fn print_node(node: &Value, now_ms: i64) -> Row {
    // Only the Ready condition speaks; the last one listed wins, as the real map does.
    let ready = array_at(node, "/status/conditions")
        .iter()
        .rev()
        .find(|c| str_at(c, "/type") == "Ready");
    let mut status = vec![match ready {
        Some(c) if str_at(c, "/status") == "True" => "Ready",
        Some(_) => "NotReady",
        None => "Unknown",
    }];
    if node.pointer("/spec/unschedulable").and_then(Value::as_bool) == Some(true) {
        status.push("SchedulingDisabled");
    }
    let roles = find_node_roles(node);
    let roles = if roles.is_empty() {
        "<none>".to_string()
    } else {
        roles.join(",")
    };
    let or_unknown = |s: &str| {
        if s.is_empty() {
            "<unknown>".to_string()
        } else {
            s.to_string()
        }
    };
    Row::new(vec![
        json!(name(node)),
        json!(status.join(",")),
        json!(roles),
        json!(super::age(node, now_ms)),
        json!(str_at(node, "/status/nodeInfo/kubeletVersion")),
        json!(node_address(node, "InternalIP")),
        json!(node_address(node, "ExternalIP")),
        json!(or_unknown(str_at(node, "/status/nodeInfo/osImage"))),
        json!(or_unknown(str_at(node, "/status/nodeInfo/kernelVersion"))),
        json!(or_unknown(str_at(
            node,
            "/status/nodeInfo/containerRuntimeVersion"
        ))),
    ])
}

pub(super) fn print_namespace(namespace: &Value, now_ms: i64) -> Row {
    Row::new(vec![
        json!(name(namespace)),
        json!(str_at(namespace, "/status/phase")),
        json!(super::age(namespace, now_ms)),
    ])
}

/// `formatEventSource`: component (or reporting controller), then host (or reporting instance).
fn format_event_source(event: &Value) -> String {
    let first_non_empty = |a: &str, b: &str| {
        if a.is_empty() {
            b.to_string()
        } else {
            a.to_string()
        }
    };
    let component = first_non_empty(
        str_at(event, "/source/component"),
        str_at(event, "/reportingComponent"),
    );
    let instance = first_non_empty(
        str_at(event, "/source/host"),
        str_at(event, "/reportingInstance"),
    );
    if instance.is_empty() {
        component
    } else {
        format!("{component}, {instance}")
    }
}

pub(super) fn print_event(event: &Value, now_ms: i64) -> Row {
    let first_timestamp = time_at(event, "/firstTimestamp");
    let first_seen = if first_timestamp == ZERO_TIME_MS {
        since(time_at(event, "/eventTime"), now_ms)
    } else {
        since(first_timestamp, now_ms)
    };
    let last_timestamp = time_at(event, "/lastTimestamp");
    let mut last_seen = if last_timestamp == ZERO_TIME_MS {
        first_seen.clone()
    } else {
        since(last_timestamp, now_ms)
    };
    let mut count = int_at(event, "/count");
    match event.get("series").filter(|s| !s.is_null()) {
        Some(series) => {
            last_seen = since(time_at(series, "/lastObservedTime"), now_ms);
            count = int_at(series, "/count");
        }
        // Singleton events of the events.k8s.io API carry no count.
        None if count == 0 => count = 1,
        None => {}
    }
    let kind = str_at(event, "/involvedObject/kind").to_lowercase();
    let involved_name = str_at(event, "/involvedObject/name");
    let target = if involved_name.is_empty() {
        kind
    } else {
        format!("{kind}/{involved_name}")
    };
    Row::new(vec![
        json!(last_seen),
        json!(str_at(event, "/type")),
        json!(str_at(event, "/reason")),
        json!(target),
        json!(str_at(event, "/involvedObject/fieldPath")),
        json!(format_event_source(event)),
        json!(str_at(event, "/message").trim()),
        json!(first_seen),
        json!(count),
        json!(name(event)),
    ])
}

pub(super) fn print_config_map(config_map: &Value, now_ms: i64) -> Row {
    Row::new(vec![
        json!(name(config_map)),
        json!(len_at(config_map, "/data") + len_at(config_map, "/binaryData")),
        json!(super::age(config_map, now_ms)),
    ])
}

pub(super) fn print_service_account(service_account: &Value, now_ms: i64) -> Row {
    Row::new(vec![
        json!(name(service_account)),
        json!(len_at(service_account, "/secrets")),
        json!(super::age(service_account, now_ms)),
    ])
}

#[cfg(test)]
mod tests {
    use super::super::tests::{NOW, ago, cells, column_shapes};
    use crate::api::time::format_micro_time;
    use serde_json::{Value, json};

    fn node(labels: Value, unschedulable: bool, conditions: Value) -> Value {
        json!({
            "metadata": {"name": "node-1", "creationTimestamp": ago(11 * 86400), "labels": labels},
            "spec": {"unschedulable": unschedulable},
            "status": {
                "conditions": conditions,
                "addresses": [{"type": "Hostname", "address": "node-1"}, {"type": "InternalIP", "address": "10.0.0.11"}],
                "nodeInfo": {"kubeletVersion": "v1.32.4", "osImage": "Debian GNU/Linux 12 (bookworm)",
                             "kernelVersion": "6.1.0-podflow", "containerRuntimeVersion": "containerd://1.7.24"}
            }
        })
    }

    #[test]
    fn node_columns_and_cells() {
        assert_eq!(
            column_shapes("", "Node"),
            vec![
                ("Name", "string", "name", 0),
                ("Status", "string", "", 0),
                ("Roles", "string", "", 0),
                ("Age", "string", "", 0),
                ("Version", "string", "", 0),
                ("Internal-IP", "string", "", 1),
                ("External-IP", "string", "", 1),
                ("OS-Image", "string", "", 1),
                ("Kernel-Version", "string", "", 1),
                ("Container-Runtime", "string", "", 1),
            ]
        );
        let n = node(
            json!({"node-role.kubernetes.io/control-plane": ""}),
            false,
            json!([{"type": "Ready", "status": "True"}]),
        );
        assert_eq!(
            cells("", "Node", n),
            vec![
                json!("node-1"),
                json!("Ready"),
                json!("control-plane"),
                json!("11d"),
                json!("v1.32.4"),
                json!("10.0.0.11"),
                json!("<none>"),
                json!("Debian GNU/Linux 12 (bookworm)"),
                json!("6.1.0-podflow"),
                json!("containerd://1.7.24"),
            ]
        );
    }

    #[test]
    fn node_status_and_roles() {
        let ready = json!([{"type": "MemoryPressure", "status": "False"}, {"type": "Ready", "status": "True"}]);
        let cases = [
            (json!({}), false, ready.clone(), "Ready", "<none>"),
            (
                json!({}),
                true,
                ready.clone(),
                "Ready,SchedulingDisabled",
                "<none>",
            ),
            (
                json!({}),
                false,
                json!([{"type": "Ready", "status": "False"}]),
                "NotReady",
                "<none>",
            ),
            (
                json!({}),
                false,
                json!([{"type": "Ready", "status": "Unknown"}]),
                "NotReady",
                "<none>",
            ),
            (
                json!({}),
                true,
                json!([]),
                "Unknown,SchedulingDisabled",
                "<none>",
            ),
            (
                json!({}),
                false,
                json!([{"type": "MemoryPressure", "status": "True"}]),
                "Unknown",
                "<none>",
            ),
            (
                json!({"node-role.kubernetes.io/worker": "", "node-role.kubernetes.io/control-plane": "true", "kubernetes.io/role": "master"}),
                false,
                ready.clone(),
                "Ready",
                "control-plane,master,worker",
            ),
            (
                json!({"node-role.kubernetes.io/": "x", "kubernetes.io/role": ""}),
                false,
                ready.clone(),
                "Ready",
                "<none>",
            ),
            (
                json!({"kubernetes.io/role": "node"}),
                false,
                ready,
                "Ready",
                "node",
            ),
        ];
        for (labels, unschedulable, conditions, status, roles) in cases {
            let c = cells("", "Node", node(labels.clone(), unschedulable, conditions));
            assert_eq!(
                (c[1].as_str(), c[2].as_str()),
                (Some(status), Some(roles)),
                "{labels}"
            );
        }
        let bare = cells("", "Node", json!({"metadata": {"name": "n"}}));
        assert_eq!(
            bare,
            vec![
                json!("n"),
                json!("Unknown"),
                json!("<none>"),
                json!("<unknown>"),
                json!(""),
                json!("<none>"),
                json!("<none>"),
                json!("<unknown>"),
                json!("<unknown>"),
                json!("<unknown>"),
            ]
        );
    }

    #[test]
    fn namespace_cells() {
        assert_eq!(
            column_shapes("", "Namespace"),
            vec![
                ("Name", "string", "name", 0),
                ("Status", "string", "", 0),
                ("Age", "string", "", 0)
            ]
        );
        let ns = json!({"metadata": {"name": "team-a", "creationTimestamp": ago(3 * 3600 + 15 * 60),
                         "deletionTimestamp": ago(1)}, "status": {"phase": "Terminating"}});
        assert_eq!(
            cells("", "Namespace", ns),
            vec![json!("team-a"), json!("Terminating"), json!("3h15m")]
        );
    }

    #[test]
    fn event_columns() {
        assert_eq!(
            column_shapes("", "Event"),
            vec![
                ("Last Seen", "string", "", 0),
                ("Type", "string", "", 0),
                ("Reason", "string", "", 0),
                ("Object", "string", "", 0),
                ("Subobject", "string", "", 1),
                ("Source", "string", "", 1),
                ("Message", "string", "", 0),
                ("First Seen", "string", "", 1),
                ("Count", "string", "", 1),
                ("Name", "string", "name", 1),
            ]
        );
    }

    #[test]
    fn event_cells_with_their_timestamp_fallbacks() {
        let kubelet_event = json!({
            "metadata": {"name": "web.17f3a", "namespace": "default"},
            "involvedObject": {"kind": "Pod", "name": "web", "namespace": "default", "fieldPath": "spec.containers{nginx}"},
            "reason": "Pulling", "type": "Normal", "message": "Pulling image \"nginx:1.27\"\n",
            "source": {"component": "kubelet", "host": "node-2"},
            "firstTimestamp": ago(600), "lastTimestamp": ago(65), "count": 3
        });
        assert_eq!(
            cells("", "Event", kubelet_event),
            vec![
                json!("65s"),
                json!("Normal"),
                json!("Pulling"),
                json!("pod/web"),
                json!("spec.containers{nginx}"),
                json!("kubelet, node-2"),
                json!("Pulling image \"nginx:1.27\""),
                json!("10m"),
                json!(3),
                json!("web.17f3a"),
            ]
        );
        // events.k8s.io-style: eventTime only, no count, reporting controller as the source.
        let new_api = json!({
            "metadata": {"name": "web.1"},
            "involvedObject": {"kind": "Pod", "name": "web"},
            "reason": "Scheduled", "type": "Normal", "message": "Successfully assigned default/web to node-2",
            "eventTime": format_micro_time(NOW - 42_500), "reportingComponent": "default-scheduler",
            "reportingInstance": "default-scheduler-cp-1", "source": {}
        });
        let c = cells("", "Event", new_api);
        assert_eq!(
            (&c[0], &c[5], &c[7], &c[8]),
            (
                &json!("42s"),
                &json!("default-scheduler, default-scheduler-cp-1"),
                &json!("42s"),
                &json!(1)
            )
        );
        // A series overrides LAST SEEN and COUNT.
        let series = json!({
            "involvedObject": {"kind": "Pod", "name": "web"},
            "eventTime": format_micro_time(NOW - 3_600_000),
            "series": {"count": 7, "lastObservedTime": format_micro_time(NOW - 5_000)}
        });
        let c = cells("", "Event", series);
        assert_eq!(
            (&c[0], &c[7], &c[8]),
            (&json!("5s"), &json!("60m"), &json!(7))
        );
        // No timestamps at all, and an object without a name.
        let bare = json!({"involvedObject": {"kind": "Node"}, "count": 2});
        let c = cells("", "Event", bare);
        assert_eq!(
            (&c[0], &c[3], &c[7], &c[8]),
            (
                &json!("<unknown>"),
                &json!("node"),
                &json!("<unknown>"),
                &json!(2)
            )
        );
        // A missing lastTimestamp falls back to the first one.
        let first_only = json!({"involvedObject": {"kind": "Deployment", "name": "web"}, "firstTimestamp": ago(30)});
        let c = cells("", "Event", first_only);
        assert_eq!((&c[0], &c[3]), (&json!("30s"), &json!("deployment/web")));
    }

    #[test]
    fn config_map_and_service_account_cells() {
        assert_eq!(
            column_shapes("", "ConfigMap"),
            vec![
                ("Name", "string", "name", 0),
                ("Data", "string", "", 0),
                ("Age", "string", "", 0)
            ]
        );
        let cm = json!({"metadata": {"name": "kube-root-ca.crt", "creationTimestamp": ago(86400 * 3)},
                        "data": {"ca.crt": "x"}, "binaryData": {"a": "AA==", "b": "AA=="}});
        assert_eq!(
            cells("", "ConfigMap", cm),
            vec![json!("kube-root-ca.crt"), json!(3), json!("3d")]
        );
        assert_eq!(
            cells("", "ConfigMap", json!({"metadata": {"name": "e"}}))[1],
            json!(0)
        );

        assert_eq!(
            column_shapes("", "ServiceAccount"),
            vec![
                ("Name", "string", "name", 0),
                ("Secrets", "string", "", 0),
                ("Age", "string", "", 0)
            ]
        );
        let sa = json!({"metadata": {"name": "default", "creationTimestamp": ago(5)}});
        assert_eq!(
            cells("", "ServiceAccount", sa),
            vec![json!("default"), json!(0), json!("5s")]
        );
        let sa =
            json!({"metadata": {"name": "builder"}, "secrets": [{"name": "a"}, {"name": "b"}]});
        assert_eq!(cells("", "ServiceAccount", sa)[1], json!(2));
    }
}
