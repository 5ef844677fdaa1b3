//! The pod's journey driven by the real kubectl 1.32 against `podflow serve --speed 20`:
//! rollouts, scheduling decisions, logs, scaling, rolling updates, cordon and drain, cascade
//! deletion. Waits are kubectl's own (`rollout status`, `wait`), each with a generous bound.

mod common;

use common::{Lines, Server, manifest};
use serde_json::Value;
use std::collections::BTreeSet;
use std::time::Duration;

fn start() -> Option<Server> {
    Server::start_with(&["--speed", "20"])
}

fn json(server: &Server, args: &[&str]) -> Value {
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["-o", "json"]);
    serde_json::from_str(&server.ok(&all)).expect("kubectl prints JSON")
}

fn pods(server: &Server, selector: &str) -> Vec<Value> {
    json(server, &["get", "pods", "-l", selector])["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn text<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

#[test]
fn a_deployment_rolls_out_updates_scales_drains_and_cascades() {
    let Some(server) = start() else {
        return;
    };
    server.ok(&["apply", "-f", &manifest("deployment.yaml")]);
    let status = server.ok(&["rollout", "status", "deployment/web", "--timeout=120s"]);
    assert!(status.contains("successfully rolled out"), "{status}");
    let running = pods(&server, "app=web");
    assert_eq!(running.len(), 3);
    let mut nodes = BTreeSet::new();
    let mut ips = BTreeSet::new();
    for pod in &running {
        assert_eq!(text(pod, "/status/phase"), "Running");
        let node = text(pod, "/spec/nodeName");
        assert_ne!(node, "control-plane");
        let ip = text(pod, "/status/podIP");
        let index = node.trim_start_matches("node-");
        assert!(
            ip.starts_with(&format!("10.244.{index}.")),
            "{ip} on {node}"
        );
        assert!(ips.insert(ip.to_string()));
        nodes.insert(node.to_string());
    }
    assert!(nodes.len() >= 2, "{nodes:?}");
    // The events of one pod, in the order they happened.
    let name = text(&running[0], "/metadata/name").to_string();
    let events = json(
        &server,
        &[
            "get",
            "events",
            "--field-selector",
            &format!("involvedObject.name={name}"),
            "--sort-by=.metadata.name",
        ],
    );
    let reasons: Vec<&str> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| text(e, "/reason"))
        .collect();
    assert_eq!(
        reasons,
        ["Scheduled", "Pulling", "Pulled", "Created", "Started"]
    );
    let scheduled = events["items"][0]["message"].as_str().unwrap_or("");
    assert!(
        scheduled.starts_with(&format!("Successfully assigned default/{name} to node-")),
        "{scheduled}"
    );
    // Logs come from the node's runtime.
    let logs = server.ok(&["logs", &name]);
    assert!(logs.contains("/docker-entrypoint.sh"), "{logs}");
    assert_eq!(
        server.ok(&["logs", &name, "--tail", "1"]).lines().count(),
        1
    );
    // `logs -f` streams what there is, and stays open for more.
    let mut follow = server.command();
    follow.args(["logs", "-f", &name]);
    let following = Lines::spawn(follow);
    assert!(
        following
            .wait_for(&["start worker process"], Duration::from_secs(60))
            .is_ok()
    );
    drop(following);

    // A rolling update to a new image.
    server.ok(&["set", "image", "deployment/web", "nginx=nginx:1.28"]);
    let status = server.ok(&["rollout", "status", "deployment/web", "--timeout=120s"]);
    assert!(status.contains("successfully rolled out"), "{status}");
    let images: BTreeSet<String> = pods(&server, "app=web")
        .iter()
        .filter(|p| p.pointer("/metadata/deletionTimestamp").is_none())
        .map(|p| text(p, "/spec/containers/0/image").to_string())
        .collect();
    assert_eq!(images, BTreeSet::from(["nginx:1.28".to_string()]));
    let replica_sets = json(&server, &["get", "rs", "-l", "app=web"]);
    assert_eq!(replica_sets["items"].as_array().unwrap().len(), 2);

    // Scale, then cordon and drain a node: its pods come back elsewhere.
    server.ok(&["scale", "deployment/web", "--replicas=4"]);
    server.ok(&["rollout", "status", "deployment/web", "--timeout=120s"]);
    assert_eq!(
        server.ok(&["cordon", "node-1"]).trim(),
        "node/node-1 cordoned"
    );
    let drained = server.ok(&["drain", "node-2", "--ignore-daemonsets", "--timeout=120s"]);
    assert!(drained.contains("node/node-2 drained"), "{drained}");
    server.ok(&["rollout", "status", "deployment/web", "--timeout=120s"]);
    for pod in pods(&server, "app=web") {
        if pod.pointer("/metadata/deletionTimestamp").is_none() {
            let node = text(&pod, "/spec/nodeName");
            assert_ne!(node, "node-2", "drained");
        }
    }
    // Deleting the Deployment takes its ReplicaSets and pods with it.
    server.ok(&["delete", "deployment", "web"]);
    server.ok(&[
        "wait",
        "--for=delete",
        "pod",
        "-l",
        "app=web",
        "--timeout=120s",
    ]);
    let left = json(&server, &["get", "rs"]);
    assert!(left["items"].as_array().unwrap().is_empty(), "{left}");
}

#[test]
fn scheduling_honours_resources_selectors_taints_and_anti_affinity() {
    let Some(server) = start() else {
        return;
    };
    server.ok(&[
        "wait",
        "--for=condition=Ready",
        "node",
        "--all",
        "--timeout=60s",
    ]);
    server.ok(&["apply", "-f", &manifest("unschedulable.yaml")]);
    server.ok(&[
        "wait",
        "--for=condition=PodScheduled=false",
        "pod/too-big",
        "--timeout=60s",
    ]);
    let described = server.ok(&["describe", "pod", "too-big"]);
    assert!(
        described.contains("0/4 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 3 Insufficient cpu. preemption: 0/4 nodes are available: 1 Preemption is not helpful for scheduling, 3 No preemption victims found for incoming pod."),
        "{described}"
    );
    assert!(described.contains("FailedScheduling"), "{described}");

    server.ok(&["apply", "-f", &manifest("node-selector.yaml")]);
    server.ok(&[
        "wait",
        "--for=condition=Ready",
        "pod/zone-b-only",
        "--timeout=60s",
    ]);
    let node = server.ok(&[
        "get",
        "pod",
        "zone-b-only",
        "-o",
        "jsonpath={.spec.nodeName}",
    ]);
    let zone = server.ok(&[
        "get",
        "node",
        &node,
        "-o",
        "jsonpath={.metadata.labels.topology\\.kubernetes\\.io/zone}",
    ]);
    assert_eq!(zone, "zone-b");

    server.ok(&["apply", "-f", &manifest("tolerations.yaml")]);
    server.ok(&[
        "wait",
        "--for=condition=Ready",
        "pod/on-control-plane",
        "--timeout=60s",
    ]);
    assert_eq!(
        server.ok(&[
            "get",
            "pod",
            "on-control-plane",
            "-o",
            "jsonpath={.spec.nodeName}"
        ]),
        "control-plane"
    );

    server.ok(&["apply", "-f", &manifest("anti-affinity.yaml")]);
    server.ok(&["rollout", "status", "deployment/spread", "--timeout=120s"]);
    let nodes: BTreeSet<String> = pods(&server, "app=spread")
        .iter()
        .map(|p| text(p, "/spec/nodeName").to_string())
        .collect();
    assert_eq!(nodes.len(), 3, "one replica a node: {nodes:?}");
}
