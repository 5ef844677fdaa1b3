//! The pod printer (`printPod`): READY, the STATUS that sums up phase, init containers and
//! container states (`Init:0/1`, `PodInitializing`, `ContainerCreating`, `CrashLoopBackOff`,
//! `Completed`, `Error`, `OOMKilled`, `Terminating`, `Unknown`…), RESTARTS with the time of the
//! last one, and the wide IP / NODE / NOMINATED NODE / READINESS GATES columns.

use super::{AGE_COLUMN, Column, NAME_COLUMN, Row, array_at, int_at, name, since, str_at, time_at};
use crate::api::field_selector::pod_ip;
use crate::api::time::ZERO_TIME_MS;
use serde_json::{Value, json};

pub(super) const COLUMNS: &[Column] = &[
    NAME_COLUMN,
    Column {
        name: "Ready",
        type_: "string",
        format: "",
        description: "The aggregate readiness state of this pod for accepting traffic.",
        priority: 0,
    },
    Column {
        name: "Status",
        type_: "string",
        format: "",
        description: "The aggregate status of the containers in this pod.",
        priority: 0,
    },
    Column {
        name: "Restarts",
        type_: "string",
        format: "",
        description: "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.",
        priority: 0,
    },
    AGE_COLUMN,
    Column {
        name: "IP",
        type_: "string",
        format: "",
        description: "podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.",
        priority: 1,
    },
    Column {
        name: "Node",
        type_: "string",
        format: "",
        description: "NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName. Once this field is set, the kubelet for this node becomes responsible for the lifecycle of this pod. This field should not be used to express a desire for the pod to be scheduled on a specific node. https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#nodename",
        priority: 1,
    },
    Column {
        name: "Nominated Node",
        type_: "string",
        format: "",
        description: "nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods. This field does not guarantee that the pod will be scheduled on this node. Scheduler may decide to place the pod elsewhere if other nodes become available sooner. Scheduler may also decide to give the resources on this node to a higher priority pod that is created after preemption. As a result, this field may be different than PodSpec.nodeName when the pod is scheduled.",
        priority: 1,
    },
    Column {
        name: "Readiness Gates",
        type_: "string",
        format: "",
        description: "If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are ready AND all conditions specified in the readiness gates have status equal to \"True\" More info: https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates",
        priority: 1,
    },
];

/// `node.NodeUnreachablePodReason`: set by the node lifecycle controller on pods of a lost node.
const NODE_UNREACHABLE_POD_REASON: &str = "NodeLost";

/// A sidecar: an init container with `restartPolicy: Always` (`IsRestartableInitContainer`).
fn is_restartable_init_container(container: Option<&Value>) -> bool {
    container.is_some_and(|c| str_at(c, "/restartPolicy") == "Always")
}

/// The finish time of a container's last termination, or the zero time.
fn last_termination(status: &Value) -> Option<i64> {
    status
        .pointer("/lastState/terminated")
        .filter(|t| t.is_object())
        .map(|t| time_at(t, "/finishedAt"))
}

/// A container state (`waiting`, `running`, `terminated`) when set.
fn state<'a>(status: &'a Value, which: &str) -> Option<&'a Value> {
    status
        .get("state")
        .and_then(|s| s.get(which))
        .filter(|v| v.is_object())
}

fn has_condition_true(pod: &Value, condition_type: &str) -> bool {
    array_at(pod, "/status/conditions")
        .iter()
        .find(|c| str_at(c, "/type") == condition_type)
        .is_some_and(|c| str_at(c, "/status") == "True")
}

/// `hasPodReadyCondition`: any Ready condition that is True.
fn has_pod_ready_condition(pod: &Value) -> bool {
    array_at(pod, "/status/conditions")
        .iter()
        .any(|c| str_at(c, "/type") == "Ready" && str_at(c, "/status") == "True")
}

/// The reason a terminated container gives: its reason, else `Signal:N` / `ExitCode:N`.
fn terminated_reason(terminated: &Value, prefix: &str) -> String {
    let reason = str_at(terminated, "/reason");
    if !reason.is_empty() {
        return format!("{prefix}{reason}");
    }
    let signal = int_at(terminated, "/signal");
    if signal != 0 {
        return format!("{prefix}Signal:{signal}");
    }
    format!("{prefix}ExitCode:{}", int_at(terminated, "/exitCode"))
}

pub(super) fn print_pod(pod: &Value, now_ms: i64) -> Row {
    let mut restarts = 0i64;
    let mut restartable_init_restarts = 0i64;
    let init_specs = array_at(pod, "/spec/initContainers");
    let mut total_containers = array_at(pod, "/spec/containers").len();
    let mut ready_containers = 0usize;
    let mut last_restart = ZERO_TIME_MS;
    let mut last_restartable_init_restart = ZERO_TIME_MS;

    let phase = str_at(pod, "/status/phase");
    let mut reason = phase.to_string();
    let status_reason = str_at(pod, "/status/reason");
    if !status_reason.is_empty() {
        reason = status_reason.to_string();
    }
    // A pod held back by scheduling gates says so.
    for condition in array_at(pod, "/status/conditions") {
        if str_at(condition, "/type") == "PodScheduled"
            && str_at(condition, "/reason") == "SchedulingGated"
        {
            reason = "SchedulingGated".to_string();
        }
    }

    let mut row = Row::default();
    match phase {
        "Succeeded" => row.conditions.push(json!({
            "type": "Completed", "status": "True", "reason": "Succeeded",
            "message": "The pod has completed successfully.",
        })),
        "Failed" => row.conditions.push(json!({
            "type": "Completed", "status": "True", "reason": "Failed", "message": "The pod failed.",
        })),
        _ => {}
    }

    let init_spec = |container_name: &str| {
        init_specs
            .iter()
            .find(|c| str_at(c, "/name") == container_name)
    };
    total_containers += init_specs
        .iter()
        .filter(|c| is_restartable_init_container(Some(c)))
        .count();

    let mut initializing = false;
    for (i, container) in array_at(pod, "/status/initContainerStatuses")
        .iter()
        .enumerate()
    {
        let restart_count = int_at(container, "/restartCount");
        restarts += restart_count;
        if let Some(finished) = last_termination(container) {
            last_restart = last_restart.max(finished);
        }
        let restartable = is_restartable_init_container(init_spec(str_at(container, "/name")));
        if restartable {
            restartable_init_restarts += restart_count;
            if let Some(finished) = last_termination(container) {
                last_restartable_init_restart = last_restartable_init_restart.max(finished);
            }
        }
        let terminated = state(container, "terminated");
        let waiting = state(container, "waiting");
        if terminated.is_some_and(|t| int_at(t, "/exitCode") == 0) {
            continue;
        }
        if restartable && container.get("started").and_then(Value::as_bool) == Some(true) {
            if container.get("ready").and_then(Value::as_bool) == Some(true) {
                ready_containers += 1;
            }
            continue;
        }
        if let Some(terminated) = terminated {
            // Initialization failed.
            reason = terminated_reason(terminated, "Init:");
        } else if let Some(waiting_reason) = waiting
            .map(|w| str_at(w, "/reason"))
            .filter(|r| !r.is_empty() && *r != "PodInitializing")
        {
            reason = format!("Init:{waiting_reason}");
        } else {
            reason = format!("Init:{i}/{}", init_specs.len());
        }
        initializing = true;
        break;
    }

    if !initializing || has_condition_true(pod, "Initialized") {
        restarts = restartable_init_restarts;
        last_restart = last_restartable_init_restart;
        let mut has_running = false;
        // Backwards, so the first container's state is the one that shows.
        for container in array_at(pod, "/status/containerStatuses").iter().rev() {
            restarts += int_at(container, "/restartCount");
            if let Some(finished) = last_termination(container) {
                last_restart = last_restart.max(finished);
            }
            let waiting_reason = state(container, "waiting")
                .map(|w| str_at(w, "/reason"))
                .unwrap_or_default();
            if !waiting_reason.is_empty() {
                reason = waiting_reason.to_string();
            } else if let Some(terminated) = state(container, "terminated") {
                reason = terminated_reason(terminated, "");
            } else if container.get("ready").and_then(Value::as_bool) == Some(true)
                && state(container, "running").is_some()
            {
                has_running = true;
                ready_containers += 1;
            }
        }
        // A pod whose main container finished but whose sidecars still run is not Completed.
        if reason == "Completed" && has_running {
            reason = if has_pod_ready_condition(pod) {
                "Running"
            } else {
                "NotReady"
            }
            .to_string();
        }
    }

    let deleting = pod
        .pointer("/metadata/deletionTimestamp")
        .is_some_and(|t| !t.is_null());
    if deleting && status_reason == NODE_UNREACHABLE_POD_REASON {
        reason = "Unknown".to_string();
    } else if deleting && phase != "Succeeded" && phase != "Failed" {
        reason = "Terminating".to_string();
    }

    let restarts_cell = if restarts != 0 && last_restart != ZERO_TIME_MS {
        format!("{restarts} ({} ago)", since(last_restart, now_ms))
    } else {
        restarts.to_string()
    };

    let or_none = |s: String| {
        if s.is_empty() {
            "<none>".to_string()
        } else {
            s
        }
    };
    let readiness_gates = array_at(pod, "/spec/readinessGates");
    let readiness_gates_cell = if readiness_gates.is_empty() {
        "<none>".to_string()
    } else {
        let conditions = array_at(pod, "/status/conditions");
        let true_conditions = readiness_gates
            .iter()
            .filter(|gate| {
                let wanted = str_at(gate, "/conditionType");
                conditions
                    .iter()
                    .find(|c| str_at(c, "/type") == wanted)
                    .is_some_and(|c| str_at(c, "/status") == "True")
            })
            .count();
        format!("{true_conditions}/{}", readiness_gates.len())
    };

    row.cells = vec![
        json!(name(pod)),
        json!(format!("{ready_containers}/{total_containers}")),
        json!(reason),
        json!(restarts_cell),
        json!(super::age(pod, now_ms)),
        json!(or_none(pod_ip(pod))),
        json!(or_none(str_at(pod, "/spec/nodeName").to_string())),
        json!(or_none(
            str_at(pod, "/status/nominatedNodeName").to_string()
        )),
        json!(readiness_gates_cell),
    ];
    row
}

#[cfg(test)]
mod tests {
    use super::super::tests::{NOW, ago, cells, column_shapes};
    use super::super::{IncludeObject, table};
    use serde_json::{Value, json};

    fn pod(spec: Value, status: Value) -> Value {
        json!({
            "metadata": {"name": "web", "namespace": "default", "creationTimestamp": ago(300)},
            "spec": spec,
            "status": status,
        })
    }

    fn one_container() -> Value {
        json!({"containers": [{"name": "app", "image": "nginx:1.27"}]})
    }

    fn with_init() -> Value {
        json!({"initContainers": [{"name": "init", "image": "busybox"}], "containers": [{"name": "app", "image": "nginx"}]})
    }

    /// READY, STATUS and RESTARTS of a pod.
    fn summary(p: Value) -> (String, String, String) {
        let c = cells("", "Pod", p);
        let s = |i: usize| {
            c.get(i)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        (s(1), s(2), s(3))
    }

    #[test]
    fn columns_are_the_real_pod_columns() {
        assert_eq!(
            column_shapes("", "Pod"),
            vec![
                ("Name", "string", "name", 0),
                ("Ready", "string", "", 0),
                ("Status", "string", "", 0),
                ("Restarts", "string", "", 0),
                ("Age", "string", "", 0),
                ("IP", "string", "", 1),
                ("Node", "string", "", 1),
                ("Nominated Node", "string", "", 1),
                ("Readiness Gates", "string", "", 1),
            ]
        );
    }

    #[test]
    fn running_pod_prints_every_cell() {
        let p = json!({
            "metadata": {"name": "web-7d4b9c-x2x7q", "creationTimestamp": ago(190)},
            "spec": {"nodeName": "node-2", "containers": [{"name": "app"}],
                     "readinessGates": [{"conditionType": "example.com/lb"}, {"conditionType": "example.com/dns"}]},
            "status": {"phase": "Running", "podIP": "10.244.1.5", "podIPs": [{"ip": "10.244.1.5"}],
                       "conditions": [{"type": "Ready", "status": "True"}, {"type": "example.com/lb", "status": "True"},
                                      {"type": "example.com/dns", "status": "False"}],
                       "containerStatuses": [{"name": "app", "ready": true, "restartCount": 0,
                                              "state": {"running": {"startedAt": ago(180)}}}]}
        });
        assert_eq!(
            cells("", "Pod", p),
            vec![
                json!("web-7d4b9c-x2x7q"),
                json!("1/1"),
                json!("Running"),
                json!("0"),
                json!("3m10s"),
                json!("10.244.1.5"),
                json!("node-2"),
                json!("<none>"),
                json!("1/2"),
            ]
        );
    }

    #[test]
    fn status_branches_match_print_pod() {
        let running = json!({"running": {"startedAt": ago(60)}});
        let cases: Vec<(&str, Value, (&str, &str, &str))> = vec![
            (
                "pending, unscheduled",
                pod(one_container(), json!({"phase": "Pending"})),
                ("0/1", "Pending", "0"),
            ),
            (
                "scheduling gated",
                pod(
                    one_container(),
                    json!({"phase": "Pending", "conditions": [{"type": "PodScheduled", "status": "False", "reason": "SchedulingGated"}]}),
                ),
                ("0/1", "SchedulingGated", "0"),
            ),
            (
                "container creating",
                pod(
                    one_container(),
                    json!({"phase": "Pending", "containerStatuses": [{"name": "app", "ready": false, "restartCount": 0, "state": {"waiting": {"reason": "ContainerCreating"}}}]}),
                ),
                ("0/1", "ContainerCreating", "0"),
            ),
            (
                "err image pull",
                pod(
                    one_container(),
                    json!({"phase": "Pending", "containerStatuses": [{"name": "app", "state": {"waiting": {"reason": "ErrImagePull", "message": "pull failed"}}}]}),
                ),
                ("0/1", "ErrImagePull", "0"),
            ),
            (
                "image pull back-off",
                pod(
                    one_container(),
                    json!({"phase": "Pending", "containerStatuses": [{"name": "app", "state": {"waiting": {"reason": "ImagePullBackOff"}}}]}),
                ),
                ("0/1", "ImagePullBackOff", "0"),
            ),
            (
                "crash loop",
                pod(
                    one_container(),
                    json!({"phase": "Running", "containerStatuses": [{"name": "app", "restartCount": 4,
                    "lastState": {"terminated": {"exitCode": 1, "reason": "Error", "finishedAt": ago(125)}},
                    "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]}),
                ),
                ("0/1", "CrashLoopBackOff", "4 (2m5s ago)"),
            ),
            (
                "completed",
                pod(
                    json!({"containers": [{"name": "app"}], "restartPolicy": "Never"}),
                    json!({"phase": "Succeeded", "containerStatuses": [{"name": "app", "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}]}),
                ),
                ("0/1", "Completed", "0"),
            ),
            (
                "error",
                pod(
                    one_container(),
                    json!({"phase": "Failed", "containerStatuses": [{"name": "app", "state": {"terminated": {"exitCode": 1, "reason": "Error"}}}]}),
                ),
                ("0/1", "Error", "0"),
            ),
            (
                "oom killed",
                pod(
                    one_container(),
                    json!({"phase": "Running", "containerStatuses": [{"name": "app", "restartCount": 1,
                    "lastState": {"terminated": {"exitCode": 137, "reason": "OOMKilled", "finishedAt": ago(30)}},
                    "state": {"terminated": {"exitCode": 137, "reason": "OOMKilled"}}}]}),
                ),
                ("0/1", "OOMKilled", "1 (30s ago)"),
            ),
            (
                "terminated without reason, by signal",
                pod(
                    one_container(),
                    json!({"phase": "Running", "containerStatuses": [{"name": "app", "state": {"terminated": {"exitCode": 0, "signal": 9}}}]}),
                ),
                ("0/1", "Signal:9", "0"),
            ),
            (
                "terminated without reason, exit code",
                pod(
                    one_container(),
                    json!({"phase": "Running", "containerStatuses": [{"name": "app", "state": {"terminated": {"exitCode": 2}}}]}),
                ),
                ("0/1", "ExitCode:2", "0"),
            ),
            (
                "running but not ready",
                pod(
                    one_container(),
                    json!({"phase": "Running", "containerStatuses": [{"name": "app", "ready": false, "state": running}]}),
                ),
                ("0/1", "Running", "0"),
            ),
            (
                "init 0/1",
                pod(
                    with_init(),
                    json!({"phase": "Pending", "initContainerStatuses": [{"name": "init", "state": {"running": {}}}],
                    "containerStatuses": [{"name": "app", "state": {"waiting": {"reason": "PodInitializing"}}}]}),
                ),
                ("0/1", "Init:0/1", "0"),
            ),
            (
                "init waiting PodInitializing counts as a step",
                pod(
                    with_init(),
                    json!({"phase": "Pending", "initContainerStatuses": [{"name": "init", "state": {"waiting": {"reason": "PodInitializing"}}}]}),
                ),
                ("0/1", "Init:0/1", "0"),
            ),
            (
                "init image pull back-off",
                pod(
                    with_init(),
                    json!({"phase": "Pending", "initContainerStatuses": [{"name": "init", "state": {"waiting": {"reason": "ImagePullBackOff"}}}]}),
                ),
                ("0/1", "Init:ImagePullBackOff", "0"),
            ),
            (
                "init crash loop",
                pod(
                    with_init(),
                    json!({"phase": "Pending", "initContainerStatuses": [{"name": "init", "restartCount": 3,
                    "lastState": {"terminated": {"exitCode": 1, "finishedAt": ago(50)}},
                    "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]}),
                ),
                ("0/1", "Init:CrashLoopBackOff", "3 (50s ago)"),
            ),
            (
                "init error",
                pod(
                    with_init(),
                    json!({"phase": "Failed", "initContainerStatuses": [{"name": "init", "state": {"terminated": {"exitCode": 1, "reason": "Error"}}}]}),
                ),
                ("0/1", "Init:Error", "0"),
            ),
            (
                "init exit code",
                pod(
                    with_init(),
                    json!({"phase": "Pending", "initContainerStatuses": [{"name": "init", "state": {"terminated": {"exitCode": 3}}}]}),
                ),
                ("0/1", "Init:ExitCode:3", "0"),
            ),
            (
                "init killed by a signal",
                pod(
                    with_init(),
                    json!({"phase": "Pending", "initContainerStatuses": [{"name": "init", "state": {"terminated": {"exitCode": 137, "signal": 9}}}]}),
                ),
                ("0/1", "Init:Signal:9", "0"),
            ),
            (
                "init exit code 0 counts as done, whatever the signal",
                pod(
                    with_init(),
                    json!({"phase": "Pending", "initContainerStatuses": [{"name": "init", "state": {"terminated": {"exitCode": 0, "signal": 15, "reason": ""}}}]}),
                ),
                ("0/1", "Pending", "0"),
            ),
            (
                "init done, main container initializing",
                pod(
                    with_init(),
                    json!({"phase": "Pending", "initContainerStatuses": [{"name": "init", "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}],
                    "containerStatuses": [{"name": "app", "state": {"waiting": {"reason": "PodInitializing"}}}]}),
                ),
                ("0/1", "PodInitializing", "0"),
            ),
            (
                "init done, running",
                pod(
                    with_init(),
                    json!({"phase": "Running", "initContainerStatuses": [{"name": "init", "restartCount": 2, "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}],
                    "containerStatuses": [{"name": "app", "ready": true, "state": running}]}),
                ),
                ("1/1", "Running", "0"),
            ),
            (
                "second of two init containers",
                pod(
                    json!({"initContainers": [{"name": "a"}, {"name": "b"}], "containers": [{"name": "app"}]}),
                    json!({"phase": "Pending", "initContainerStatuses": [
                        {"name": "a", "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}},
                        {"name": "b", "state": {"running": {}}}]}),
                ),
                ("0/1", "Init:1/2", "0"),
            ),
            (
                "terminating",
                {
                    let mut p = pod(
                        one_container(),
                        json!({"phase": "Running", "containerStatuses": [{"name": "app", "ready": true, "state": running}]}),
                    );
                    p["metadata"]["deletionTimestamp"] = json!(ago(5));
                    p
                },
                ("1/1", "Terminating", "0"),
            ),
            (
                "terminating after success stays Completed",
                {
                    let mut p = pod(
                        one_container(),
                        json!({"phase": "Succeeded", "containerStatuses": [{"name": "app", "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}]}),
                    );
                    p["metadata"]["deletionTimestamp"] = json!(ago(5));
                    p
                },
                ("0/1", "Completed", "0"),
            ),
            (
                "node lost",
                {
                    let mut p = pod(
                        one_container(),
                        json!({"phase": "Running", "reason": "NodeLost", "containerStatuses": [{"name": "app", "ready": true, "state": running}]}),
                    );
                    p["metadata"]["deletionTimestamp"] = json!(ago(5));
                    p
                },
                ("1/1", "Unknown", "0"),
            ),
            (
                "evicted",
                pod(
                    one_container(),
                    json!({"phase": "Failed", "reason": "Evicted", "message": "The node was low on resource: memory."}),
                ),
                ("0/1", "Evicted", "0"),
            ),
            (
                "restarts without a finish time show no age",
                pod(
                    one_container(),
                    json!({"phase": "Running", "containerStatuses": [{"name": "app", "restartCount": 2, "ready": true, "state": running}]}),
                ),
                ("1/1", "Running", "2"),
            ),
        ];
        for (what, p, (ready, status, restarts)) in cases {
            assert_eq!(
                summary(p),
                (ready.to_string(), status.to_string(), restarts.to_string()),
                "{what}"
            );
        }
    }

    #[test]
    fn multi_container_status_is_the_first_container_with_a_state() {
        let p = pod(
            json!({"containers": [{"name": "a"}, {"name": "b"}]}),
            json!({"phase": "Running", "containerStatuses": [
                {"name": "a", "ready": true, "restartCount": 1, "lastState": {"terminated": {"finishedAt": ago(7200)}}, "state": {"running": {}}},
                {"name": "b", "ready": false, "restartCount": 2, "lastState": {"terminated": {"finishedAt": ago(600)}}, "state": {"waiting": {"reason": "CrashLoopBackOff"}}}
            ]}),
        );
        assert_eq!(
            summary(p),
            (
                "1/2".to_string(),
                "CrashLoopBackOff".to_string(),
                "3 (10m ago)".to_string()
            )
        );
    }

    #[test]
    fn sidecars_count_towards_ready_and_keep_a_completed_pod_running() {
        let spec = json!({
            "initContainers": [{"name": "proxy", "restartPolicy": "Always"}],
            "containers": [{"name": "app"}]
        });
        // Sidecar started and ready, main container running.
        let p = pod(
            spec.clone(),
            json!({"phase": "Running", "conditions": [{"type": "Initialized", "status": "True"}, {"type": "Ready", "status": "True"}],
                "initContainerStatuses": [{"name": "proxy", "started": true, "ready": true, "restartCount": 1,
                    "lastState": {"terminated": {"finishedAt": ago(40)}}, "state": {"running": {}}}],
                "containerStatuses": [{"name": "app", "ready": true, "state": {"running": {}}}]}),
        );
        assert_eq!(
            summary(p),
            (
                "2/2".to_string(),
                "Running".to_string(),
                "1 (40s ago)".to_string()
            )
        );
        // Sidecar not started yet: the pod is still initializing.
        let p = pod(
            spec.clone(),
            json!({"phase": "Pending", "initContainerStatuses": [{"name": "proxy", "started": false, "state": {"running": {}}}]}),
        );
        assert_eq!(
            summary(p),
            ("0/2".to_string(), "Init:0/1".to_string(), "0".to_string())
        );
        // Main container completed while the sidecar runs: Running if the pod is Ready, else NotReady.
        let status = |ready: &str| {
            json!({"phase": "Running", "conditions": [{"type": "Ready", "status": ready}],
            "initContainerStatuses": [{"name": "proxy", "started": true, "ready": true, "state": {"running": {}}}],
            "containerStatuses": [
                {"name": "app", "ready": false, "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}},
                {"name": "log", "ready": true, "state": {"running": {}}}
            ]})
        };
        let spec2 = json!({"initContainers": [{"name": "proxy", "restartPolicy": "Always"}], "containers": [{"name": "app"}, {"name": "log"}]});
        assert_eq!(summary(pod(spec2.clone(), status("True"))).1, "Running");
        assert_eq!(summary(pod(spec2, status("False"))).1, "NotReady");
    }

    #[test]
    fn finished_pods_carry_row_conditions() {
        let done = pod(one_container(), json!({"phase": "Succeeded"}));
        let t = table("", "Pod", &[done], NOW, IncludeObject::None);
        assert_eq!(
            t.pointer("/rows/0/conditions"),
            Some(
                &json!([{"type": "Completed", "status": "True", "reason": "Succeeded", "message": "The pod has completed successfully."}])
            )
        );
        let failed = pod(one_container(), json!({"phase": "Failed"}));
        let t = table("", "Pod", &[failed], NOW, IncludeObject::None);
        assert_eq!(
            t.pointer("/rows/0/conditions/0/message"),
            Some(&json!("The pod failed."))
        );
        let running = pod(one_container(), json!({"phase": "Running"}));
        let t = table("", "Pod", &[running], NOW, IncludeObject::None);
        assert_eq!(t.pointer("/rows/0/conditions"), None);
    }

    #[test]
    fn wide_cells_fall_back_to_none() {
        let c = cells("", "Pod", pod(one_container(), json!({"phase": "Pending"})));
        assert_eq!(
            &c[5..],
            &[
                json!("<none>"),
                json!("<none>"),
                json!("<none>"),
                json!("<none>")
            ]
        );
        let c = cells(
            "",
            "Pod",
            pod(
                json!({"nodeName": "n1"}),
                json!({"podIPs": [{"ip": "fd00::5"}, {"ip": "10.0.0.5"}], "nominatedNodeName": "n2"}),
            ),
        );
        assert_eq!(&c[5..8], &[json!("fd00::5"), json!("n1"), json!("n2")]);
    }
}
