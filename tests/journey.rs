//! The pod's journey on an in-process cluster under a paused clock: the tests move time
//! themselves (settle, jump to the next timer) and wait on conditions, never on the wall.

use podflow::client::Client;
use podflow::clock::Clock;
use podflow::cluster::Cluster;
use serde_json::{Value, json};
use std::time::Duration;

const START_MS: i64 = 1_790_000_000_000;

async fn cluster(nodes: usize) -> Cluster {
    Cluster::embedded_with_nodes(7, nodes, Clock::paused_at(START_MS))
        .await
        .expect("cluster starts")
}

fn manifest(name: &str) -> Value {
    let path = format!("{}/manifests/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("manifest exists");
    serde_yaml::from_str(&text).expect("manifest parses")
}

async fn items(client: &Client, path: &str) -> Vec<Value> {
    client
        .get(path)
        .await
        .ok()
        .and_then(|list| list.get("items").and_then(Value::as_array).cloned())
        .unwrap_or_default()
}

fn text<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

async fn running_pods(client: &Client, selector: &str) -> Vec<Value> {
    items(
        client,
        &format!("/api/v1/namespaces/default/pods?labelSelector={selector}"),
    )
    .await
    .into_iter()
    .filter(|p| {
        text(p, "/status/phase") == "Running"
            && p.pointer("/status/containerStatuses/0/ready") == Some(&json!(true))
    })
    .collect()
}

async fn events_for(client: &Client, name: &str) -> Vec<(String, String)> {
    items(client, "/api/v1/namespaces/default/events")
        .await
        .into_iter()
        .filter(|e| text(e, "/involvedObject/name") == name)
        .map(|e| {
            (
                text(&e, "/reason").to_string(),
                text(&e, "/message").to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn nodes_register_and_renew_their_leases() {
    let cluster = cluster(3).await;
    let admin = cluster.admin_client();
    let ready = cluster
        .run_until(Duration::from_secs(60), || async {
            items(&admin, "/api/v1/nodes").await.len() == 4
        })
        .await;
    assert!(ready, "four nodes register");
    let nodes = items(&admin, "/api/v1/nodes").await;
    let names: Vec<&str> = nodes.iter().map(|n| text(n, "/metadata/name")).collect();
    assert_eq!(names, ["control-plane", "node-1", "node-2", "node-3"]);
    assert_eq!(
        nodes[0]["spec"]["taints"][0]["key"],
        "node-role.kubernetes.io/control-plane"
    );
    assert_eq!(text(&nodes[2], "/spec/podCIDR"), "10.244.2.0/24");
    let lease_path = "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/node-1";
    let first = admin.get(lease_path).await.expect("lease exists");
    cluster
        .run_until(Duration::from_secs(11), || async { false })
        .await;
    let later = admin.get(lease_path).await.expect("lease exists");
    assert_ne!(
        first["spec"]["renewTime"], later["spec"]["renewTime"],
        "renewed every 10 s"
    );
}

#[tokio::test]
async fn a_deployment_ends_with_running_pods_spread_over_workers() {
    let cluster = cluster(3).await;
    let admin = cluster.admin_client();
    admin
        .create(
            "/apis/apps/v1/namespaces/default/deployments",
            &manifest("deployment.yaml"),
        )
        .await
        .expect("deployment created");
    // What `kubectl rollout status` waits for: the Deployment counts three available.
    let done = cluster
        .run_until(Duration::from_secs(120), || async {
            running_pods(&admin, "app%3Dweb").await.len() == 3
                && admin
                    .get("/apis/apps/v1/namespaces/default/deployments/web")
                    .await
                    .is_ok_and(|d| d["status"]["availableReplicas"] == 3)
        })
        .await;
    assert!(done, "three pods Running and Ready");
    let pods = running_pods(&admin, "app%3Dweb").await;
    let nodes: std::collections::BTreeSet<&str> =
        pods.iter().map(|p| text(p, "/spec/nodeName")).collect();
    assert!(nodes.len() >= 2, "spread over nodes: {nodes:?}");
    assert!(!nodes.contains("control-plane"));
    // A condition that turned True keeps no reason or message from when it was False.
    for pod in &pods {
        for condition in pod["status"]["conditions"].as_array().expect("conditions") {
            assert_eq!(condition["status"], "True", "{condition}");
            assert!(condition.get("reason").is_none(), "{condition}");
            assert!(condition.get("message").is_none(), "{condition}");
        }
    }
    let mut ips = std::collections::BTreeSet::new();
    for pod in &pods {
        let ip = text(pod, "/status/podIP");
        let node = text(pod, "/spec/nodeName");
        let index = node.trim_start_matches("node-");
        assert!(
            ip.starts_with(&format!("10.244.{index}.")),
            "{ip} in {node}'s podCIDR"
        );
        assert!(ips.insert(ip.to_string()), "unique IP {ip}");
        let name = text(pod, "/metadata/name");
        let reasons: Vec<String> = events_for(&admin, name)
            .await
            .into_iter()
            .map(|e| e.0)
            .collect();
        assert_eq!(
            reasons,
            ["Scheduled", "Pulling", "Pulled", "Created", "Started"],
            "{name}"
        );
    }
    let deployment = admin
        .get("/apis/apps/v1/namespaces/default/deployments/web")
        .await
        .expect("deployment");
    assert_eq!(deployment["status"]["availableReplicas"], 3);
    let rs = items(&admin, "/apis/apps/v1/namespaces/default/replicasets").await;
    assert_eq!(rs.len(), 1);
    let rs_name = text(&rs[0], "/metadata/name").to_string();
    let scaled = events_for(&admin, "web").await;

    assert!(
        scaled.iter().any(|(r, m)| r == "ScalingReplicaSet"
            && m == &format!("Scaled up replica set {rs_name} from 0 to 3")),
        "{scaled:?}"
    );
    let created = events_for(&admin, &rs_name).await;
    assert_eq!(
        created
            .iter()
            .filter(|(r, _)| r == "SuccessfulCreate")
            .count(),
        3
    );
}

#[tokio::test]
async fn a_pod_too_big_for_any_node_fails_scheduling_with_the_real_message() {
    let cluster = cluster(3).await;
    let admin = cluster.admin_client();
    cluster
        .run_until(Duration::from_secs(30), || async {
            items(&admin, "/api/v1/nodes").await.len() == 4
        })
        .await;
    admin
        .create(
            "/api/v1/namespaces/default/pods",
            &manifest("unschedulable.yaml"),
        )
        .await
        .expect("pod created");
    let failed = cluster
        .run_until(Duration::from_secs(30), || async {
            events_for(&admin, "too-big")
                .await
                .iter()
                .any(|(r, _)| r == "FailedScheduling")
        })
        .await;
    assert!(failed);
    let events = events_for(&admin, "too-big").await;
    let message = &events
        .iter()
        .find(|(r, _)| r == "FailedScheduling")
        .unwrap()
        .1;
    assert_eq!(
        message,
        "0/4 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 3 Insufficient cpu. preemption: 0/4 nodes are available: 1 Preemption is not helpful for scheduling, 3 No preemption victims found for incoming pod."
    );
    let pod = admin
        .get("/api/v1/namespaces/default/pods/too-big")
        .await
        .unwrap();
    assert_eq!(text(&pod, "/status/phase"), "Pending");
    let scheduled = pod["status"]["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "PodScheduled")
        .cloned()
        .unwrap();
    assert_eq!(scheduled["status"], "False");
    assert_eq!(scheduled["reason"], "Unschedulable");
    assert!(
        cluster
            .decisions
            .lock()
            .unwrap()
            .get("default/too-big")
            .is_some()
    );
}

#[tokio::test]
async fn a_bad_image_backs_off() {
    let cluster = cluster(1).await;
    let admin = cluster.admin_client();
    admin
        .create(
            "/api/v1/namespaces/default/pods",
            &manifest("bad-image.yaml"),
        )
        .await
        .expect("pod created");
    let backing_off = cluster
        .run_until(Duration::from_secs(60), || async {
            admin
                .get("/api/v1/namespaces/default/pods/bad-image")
                .await
                .map(|p| {
                    text(&p, "/status/containerStatuses/0/state/waiting/reason")
                        == "ImagePullBackOff"
                })
                .unwrap_or(false)
        })
        .await;
    assert!(
        backing_off,
        "{:?}",
        admin
            .get("/api/v1/namespaces/default/pods/bad-image")
            .await
            .map(|p| p["status"].clone())
    );
    let events = events_for(&admin, "bad-image").await;
    assert!(
        events
            .iter()
            .any(|(r, m)| r == "Failed" && m == "Error: ErrImagePull"),
        "{events:?}"
    );
    assert!(
        events.iter().any(|(r, m)| r == "Failed"
            && m.starts_with("Failed to pull image \"nginx:does-not-exist\": "))
    );
}

#[tokio::test]
async fn a_deleted_pod_is_stopped_by_its_kubelet_then_removed() {
    let cluster = cluster(1).await;
    let admin = cluster.admin_client();
    admin
        .create("/api/v1/namespaces/default/pods", &manifest("pod.yaml"))
        .await
        .expect("pod created");
    assert!(
        cluster
            .run_until(Duration::from_secs(60), || async {
                running_pods(&admin, "app%3Dweb").await.len() == 1
            })
            .await
    );
    let deleted = admin
        .delete("/api/v1/namespaces/default/pods/web")
        .await
        .expect("delete");
    assert!(
        deleted["metadata"]["deletionTimestamp"].is_string(),
        "Terminating first"
    );
    assert_eq!(deleted["metadata"]["deletionGracePeriodSeconds"], 30);
    let gone = cluster
        .run_until(Duration::from_secs(60), || async {
            admin
                .get("/api/v1/namespaces/default/pods/web")
                .await
                .is_err()
        })
        .await;
    assert!(gone);
    let events = events_for(&admin, "web").await;
    assert!(
        events
            .iter()
            .any(|(r, m)| r == "Killing" && m == "Stopping container nginx"),
        "{events:?}"
    );
}

#[tokio::test]
async fn deleting_a_deployment_cascades_to_its_replicaset_and_pods() {
    let cluster = cluster(2).await;
    let admin = cluster.admin_client();
    admin
        .create(
            "/apis/apps/v1/namespaces/default/deployments",
            &manifest("deployment.yaml"),
        )
        .await
        .expect("deployment created");
    assert!(
        cluster
            .run_until(Duration::from_secs(120), || async {
                running_pods(&admin, "app%3Dweb").await.len() == 3
            })
            .await
    );
    admin
        .delete("/apis/apps/v1/namespaces/default/deployments/web")
        .await
        .expect("delete");
    let empty = cluster
        .run_until(Duration::from_secs(120), || async {
            items(&admin, "/apis/apps/v1/namespaces/default/replicasets")
                .await
                .is_empty()
                && items(&admin, "/api/v1/namespaces/default/pods")
                    .await
                    .is_empty()
        })
        .await;
    assert!(empty);
}

#[tokio::test]
async fn a_readiness_probe_holds_the_pod_not_ready_until_it_passes() {
    let cluster = cluster(1).await;
    let admin = cluster.admin_client();
    let mut pod = manifest("pod.yaml");
    pod["spec"]["containers"][0]["readinessProbe"] =
        json!({"httpGet": {"path": "/", "port": 80}, "initialDelaySeconds": 15});
    admin
        .create("/api/v1/namespaces/default/pods", &pod)
        .await
        .expect("pod created");
    let read = || async {
        admin
            .get("/api/v1/namespaces/default/pods/web")
            .await
            .unwrap_or(Value::Null)
    };
    let started = cluster
        .run_until(Duration::from_secs(10), || async {
            text(&read().await, "/status/phase") == "Running"
        })
        .await;
    assert!(started);
    let running = read().await;
    assert_eq!(running["status"]["containerStatuses"][0]["ready"], false);
    let ready = cluster
        .run_until(Duration::from_secs(30), || async {
            read().await["status"]["containerStatuses"][0]["ready"] == json!(true)
        })
        .await;
    assert!(ready);
}
