//! The kubelet of one simulated node. It registers its Node through the API, renews its Lease
//! every 10 s (its heartbeat), watches the pods bound to it, and runs one pod worker per pod:
//! sandbox (CRI) → network (CNI) → image pulls → containers created and started → status
//! patched through `pods/status` — and, when a pod is deleted, the reverse, ending with the
//! final delete (grace 0). It acts as `system:node:<name>`, so the Node authorizer and
//! NodeRestriction apply, and every step is a hop on its node.

use super::cni::{self, Ipam};
use super::cri::{self, Runtime};
use super::images;
use super::logs;
use super::node_object::{self, Machine};
use super::pod_status;
use crate::api::pointer::str_at;
use crate::api::time::format_time;
use crate::client::Client;
use crate::client::events::{EventRecorder, EventType};
use crate::client::informer::{self, ChangeKind};
use crate::flow::{Flow, Hop, HopKind, ObjectRef};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;

/// `--node-lease-duration-seconds` and the renew interval (a quarter of it).
pub const LEASE_DURATION_SECONDS: i64 = 40;
pub const LEASE_RENEW_INTERVAL: Duration = Duration::from_secs(10);
/// Image pull back-off: 10 s doubling to 300 s.
const BACKOFF_INITIAL: Duration = Duration::from_secs(10);
const BACKOFF_MAX: Duration = Duration::from_secs(300);
/// How long RunPodSandbox takes (containerd starting the pause container and its netns).
const SANDBOX_START: Duration = Duration::from_millis(300);
/// How long a container takes to stop on SIGTERM when it honours it (nginx does at once).
const STOP_TIME: Duration = Duration::from_millis(300);

/// What every pod worker of a node shares.
pub struct Node {
    pub machine: Machine,
    client: Client,
    events: EventRecorder,
    flow: Arc<Flow>,
    runtime: Mutex<Runtime>,
    ipam: Mutex<Ipam>,
}

impl Node {
    pub fn new(machine: Machine, client: Client, flow: Arc<Flow>, seed: u64) -> Arc<Node> {
        let events = EventRecorder::new(client.clone(), "kubelet", Some(machine.name.clone()));
        let runtime = Runtime::new(&machine.name, seed ^ machine.index as u64);
        // The CIDR is built here from the node's index, so it always parses.
        let ipam = Ipam::new(&machine.pod_cidr())
            .unwrap_or_else(|_| Ipam::new("10.244.0.0/24").expect("a constant CIDR parses"));
        Arc::new(Node {
            machine,
            client,
            events,
            flow,
            runtime: Mutex::new(runtime),
            ipam: Mutex::new(ipam),
        })
    }

    fn now(&self) -> i64 {
        self.client.clock().now_ms()
    }

    fn runtime(&self) -> std::sync::MutexGuard<'_, Runtime> {
        self.runtime.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn ipam(&self) -> std::sync::MutexGuard<'_, Ipam> {
        self.ipam.lock().unwrap_or_else(|e| e.into_inner())
    }

    async fn hop(
        &self,
        from: &'static str,
        to: &'static str,
        kind: HopKind,
        pod: &Value,
        summary: String,
    ) {
        self.flow
            .pass(
                Hop::new(from, to, kind, summary)
                    .on_node(self.machine.name.clone())
                    .object(Some(ObjectRef::of(pod))),
            )
            .await;
    }

    async fn event(
        &self,
        pod: &Value,
        field: Option<&str>,
        kind: EventType,
        reason: &str,
        message: &str,
    ) {
        // An event that cannot be written (etcd down) is dropped, as client-go's recorder
        // drops them after its retries.
        let _ = self.events.record(pod, field, kind, reason, message).await;
    }

    /// `status.images` for the Node object.
    fn images(&self) -> Value {
        let list: Vec<Value> = self
            .runtime()
            .images()
            .into_iter()
            .map(|(names, size)| json!({"names": names, "sizeBytes": size}))
            .collect();
        Value::Array(list)
    }
}

impl crate::apiserver::KubeletConnection for Node {
    fn container_log(
        &self,
        pod_uid: &str,
        container: &str,
        previous: bool,
    ) -> Option<Vec<crate::apiserver::LogEntry>> {
        let runtime = self.runtime();
        let sandboxes: Vec<String> = runtime
            .sandboxes()
            .filter(|s| s.pod_uid == pod_uid)
            .map(|s| s.id.clone())
            .collect();
        // Instances of the container, oldest first (restarts make new ones).
        let mut instances: Vec<&cri::ContainerState> = sandboxes
            .iter()
            .flat_map(|s| runtime.containers_in(s))
            .filter(|c| c.name == container)
            .collect();
        instances.sort_by_key(|c| (c.created_at_ms, c.attempt));
        let chosen = if previous {
            instances.iter().rev().nth(1)
        } else {
            instances.last()
        }?;
        Some(
            runtime
                .logs(&chosen.id)
                .into_iter()
                .map(|l| crate::apiserver::LogEntry {
                    time_ms: l.time_ms,
                    text: l.text,
                })
                .collect(),
        )
    }
}

/// Runs a kubelet until its task is aborted: registers, then heartbeats and runs pods.
pub async fn run(node: Arc<Node>) {
    register(&node).await;
    tokio::spawn(renew_lease(node.clone()));
    let name = node.machine.name.clone();
    let (_store, mut changes) = informer::start(
        node.client.clone(),
        &format!("/api/v1/pods?fieldSelector=spec.nodeName%3D{name}"),
    );
    let mut workers: BTreeMap<String, watch::Sender<Arc<Value>>> = BTreeMap::new();
    while let Some(change) = changes.recv().await {
        let uid = change
            .object
            .pointer("/metadata/uid")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        match change.kind {
            ChangeKind::Added | ChangeKind::Modified => match workers.get(&uid) {
                Some(worker) => {
                    let _ = worker.send(change.object.clone());
                }
                None => {
                    let (sender, receiver) = watch::channel(change.object.clone());
                    workers.insert(uid, sender);
                    tokio::spawn(pod_worker(node.clone(), receiver));
                }
            },
            ChangeKind::Deleted => {
                // The worker sees its sender dropped and tears the pod down if it still runs.
                workers.remove(&uid);
            }
        }
    }
}

/// Creates the Node object (or finds it, after a restart), retrying while the API is away.
async fn register(node: &Node) {
    let mut wait = Duration::from_millis(100);
    loop {
        let now = format_time(node.now());
        let object = node_object::node(&node.machine, &now, node.images());
        match node.client.create("/api/v1/nodes", &object).await {
            Ok(created) => {
                node.flow
                    .pass(
                        Hop::new(
                            "kubelet",
                            "apiserver",
                            HopKind::NodeRegistered,
                            format!("registered node {}", node.machine.name),
                        )
                        .on_node(node.machine.name.clone())
                        .object(Some(ObjectRef::of(&created))),
                    )
                    .await;
                let _ = node
                    .events
                    .record(
                        &created,
                        None,
                        EventType::Normal,
                        "RegisteredNode",
                        &format!(
                            "Node {} event: Registered Node {} in Controller",
                            node.machine.name, node.machine.name
                        ),
                    )
                    .await;
                return;
            }
            Err(e) if e.reason == "AlreadyExists" => return,
            Err(_) => {
                node.client.clock().sleep(wait).await;
                wait = (wait * 2).min(Duration::from_secs(7));
            }
        }
    }
}

/// The heartbeat: the node's Lease in `kube-node-lease`, renewed every 10 s.
async fn renew_lease(node: Arc<Node>) {
    let name = node.machine.name.clone();
    let path = format!("/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/{name}");
    loop {
        let now = crate::api::time::format_micro_time(node.now());
        let renewed = match node.client.get(&path).await {
            Ok(mut lease) => {
                lease["spec"]["renewTime"] = json!(now);
                node.client.update(&path, &lease).await
            }
            Err(e) if e.code == 404 => {
                let lease = json!({
                    "apiVersion": "coordination.k8s.io/v1",
                    "kind": "Lease",
                    "metadata": {"name": name, "namespace": "kube-node-lease"},
                    "spec": {"holderIdentity": name, "leaseDurationSeconds": LEASE_DURATION_SECONDS, "renewTime": now},
                });
                node.client
                    .create(
                        "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases",
                        &lease,
                    )
                    .await
            }
            Err(e) => Err(e),
        };
        if let Ok(lease) = renewed {
            node.flow
                .pass(
                    Hop::new(
                        "kubelet",
                        "apiserver",
                        HopKind::LeaseRenewed,
                        format!("lease {name} renewed"),
                    )
                    .on_node(name.clone())
                    .object(Some(ObjectRef::of(&lease))),
                )
                .await;
        }
        sync_node_status(&node).await;
        node.client.clock().sleep(LEASE_RENEW_INTERVAL).await;
    }
}

/// The kubelet's node status update (every 10 s): when what the Node says differs from what
/// the kubelet knows — conditions the node controller set to Unknown while it was away, new
/// images — it patches `nodes/status`.
async fn sync_node_status(node: &Node) {
    let name = &node.machine.name;
    let Ok(current) = node.client.get(&format!("/api/v1/nodes/{name}")).await else {
        return;
    };
    let healthy = current
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .is_some_and(|cs| {
            cs.iter().all(|c| {
                let want = if c.get("type").and_then(Value::as_str) == Some("Ready") {
                    "True"
                } else {
                    "False"
                };
                c.get("status").and_then(Value::as_str) == Some(want)
            })
        });
    let images = node.images();
    if healthy && current.pointer("/status/images") == Some(&images) {
        return;
    }
    let now = format_time(node.now());
    let _ = node
        .client
        .patch(
            &format!("/api/v1/nodes/{name}/status"),
            "application/strategic-merge-patch+json",
            &json!({"status": {"conditions": node_object::healthy_conditions(&now), "images": images}}),
        )
        .await;
}

fn is_terminating(pod: &Value) -> bool {
    pod.pointer("/metadata/deletionTimestamp")
        .is_some_and(|t| !t.is_null())
}

/// What one pod worker knows of its pod's containers.
struct Running {
    sandbox: String,
    ip: String,
    /// container name → runtime id.
    containers: BTreeMap<String, String>,
    status: pod_status::Observed,
}

/// Runs one pod from admission to removal.
async fn pod_worker(node: Arc<Node>, mut updates: watch::Receiver<Arc<Value>>) {
    let pod = updates.borrow().clone();
    let key = format!(
        "{}/{}",
        str_at(&pod, "/metadata/namespace"),
        str_at(&pod, "/metadata/name")
    );
    if is_terminating(&pod) {
        finish_deletion(&node, &pod, None).await;
        return;
    }
    node.hop(
        "kubelet",
        "kubelet",
        HopKind::PodAdmitted,
        &pod,
        format!("pod {key} admitted: a worker starts it"),
    )
    .await;
    let mut running = Running {
        sandbox: String::new(),
        ip: String::new(),
        containers: BTreeMap::new(),
        status: pod_status::Observed::new(node.now()),
    };
    // A start cut short by a deletion ends in the loop below, like a pod that ran.
    start_pod(&node, &pod, &mut running, &mut updates).await;
    // Wait until the pod is deleted (or its object goes away).
    loop {
        let current = updates.borrow().clone();
        if is_terminating(&current) {
            finish_deletion(&node, &current, Some(&running)).await;
            return;
        }
        if updates.changed().await.is_err() {
            // The object is gone (deleted with grace 0 by someone else): clean up locally.
            tear_down(&node, &current, &running).await;
            return;
        }
    }
}

/// Sandbox, network, images, containers, status. Returns false if a deletion cut it short.
async fn start_pod(
    node: &Arc<Node>,
    pod: &Arc<Value>,
    running: &mut Running,
    updates: &mut watch::Receiver<Arc<Value>>,
) -> bool {
    let key = format!(
        "{}/{}",
        str_at(pod, "/metadata/namespace"),
        str_at(pod, "/metadata/name")
    );
    let uid = str_at(pod, "/metadata/uid").to_string();
    // Pending, containers creating: the kubelet's first status.
    patch_status(node, pod, running).await;
    // Sandbox and network, retried while the CNI refuses.
    let mut backoff = BACKOFF_INITIAL;
    loop {
        // RunPodSandbox takes a moment on a real node: the pause container, the network
        // namespace.
        if wait_or_deleted(node, updates, SANDBOX_START).await {
            return false;
        }
        let sandbox = node.runtime().run_pod_sandbox(
            &uid,
            str_at(pod, "/metadata/namespace"),
            str_at(pod, "/metadata/name"),
            node.now(),
        );
        node.hop(
            "kubelet",
            "cri",
            HopKind::SandboxCreated,
            pod,
            format!(
                "RunPodSandbox {key}: sandbox {} (pause container, network namespace)",
                short(&sandbox)
            ),
        )
        .await;
        let netns = node
            .runtime()
            .sandbox(&sandbox)
            .map(|s| s.netns.clone())
            .unwrap_or_default();
        let attached = node.ipam().add(&sandbox, &netns);
        match attached {
            Ok(attachment) => {
                node.hop(
                    "cri",
                    "cni",
                    HopKind::IpAssigned,
                    pod,
                    format!(
                        "ADD {}: {} → eth0 {}/{} via {} (gateway {})",
                        short(&sandbox),
                        attachment.host_veth,
                        attachment.ip,
                        attachment.prefix_len,
                        "cni0",
                        attachment.gateway
                    ),
                )
                .await;
                running.sandbox = sandbox;
                running.ip = attachment.ip.to_string();
                break;
            }
            Err(error) => {
                node.runtime().stop_pod_sandbox(&sandbox);
                node.runtime().remove_pod_sandbox(&sandbox);
                let message = cni::sandbox_network_error(&sandbox, &error);
                node.hop(
                    "cri",
                    "cni",
                    HopKind::NetworkFailed,
                    pod,
                    format!("ADD {}: {error}", short(&sandbox)),
                )
                .await;
                node.event(
                    pod,
                    None,
                    EventType::Warning,
                    "FailedCreatePodSandBox",
                    &message,
                )
                .await;
                if wait_or_deleted(node, updates, backoff).await {
                    return false;
                }
                backoff = (backoff * 2).min(BACKOFF_MAX);
            }
        }
    }
    running.status.sandbox_ready(node.now(), &running.ip);
    patch_status(node, pod, running).await;
    // Init containers run to completion first, then the app containers start.
    let init: Vec<Value> = pod
        .pointer("/spec/initContainers")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for container in &init {
        if !run_container(node, pod, container, running, updates).await {
            return false;
        }
        let name = str_at(container, "/name").to_string();
        if let Some(id) = running.containers.get(&name).cloned() {
            node.client.clock().sleep(STOP_TIME).await;
            node.runtime()
                .stop_container(&id, 0, "Completed", node.now());
            running.status.init_completed(&name, node.now());
            node.hop(
                "cri",
                "kubelet",
                HopKind::ContainerStopped,
                pod,
                format!("init container {name} completed (exit 0)"),
            )
            .await;
            patch_status(node, pod, running).await;
        }
    }
    running.status.initialized(node.now());
    let containers: Vec<Value> = pod
        .pointer("/spec/containers")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for container in &containers {
        if !run_container(node, pod, container, running, updates).await {
            return false;
        }
    }
    // Readiness: a container with a readinessProbe is not Ready until its first probe passes,
    // after initialDelaySeconds (the simulated application answers every probe).
    let probe_delay = containers
        .iter()
        .filter_map(|c| c.get("readinessProbe"))
        .map(|p| {
            p.get("initialDelaySeconds")
                .and_then(Value::as_i64)
                .unwrap_or(0)
        })
        .max();
    match probe_delay {
        None => running.status.all_started(node.now()),
        Some(delay) => {
            patch_status(node, pod, running).await;
            if wait_or_deleted(node, updates, Duration::from_secs(delay.max(0) as u64)).await {
                return false;
            }
            running.status.set_ready(true, node.now());
            node.hop(
                "kubelet",
                "kubelet",
                HopKind::ProbeResult,
                pod,
                format!("readiness probe of {key} succeeded: the pod is Ready"),
            )
            .await;
        }
    }
    patch_status(node, pod, running).await;
    true
}

/// Pulls (per imagePullPolicy), creates and starts one container. False if the pod was deleted
/// while it waited.
async fn run_container(
    node: &Arc<Node>,
    pod: &Arc<Value>,
    container: &Value,
    running: &mut Running,
    updates: &mut watch::Receiver<Arc<Value>>,
) -> bool {
    let name = str_at(container, "/name").to_string();
    let image = str_at(container, "/image").to_string();
    let field = format!("spec.containers{{{name}}}");
    let policy = match str_at(container, "/imagePullPolicy") {
        "" if image.ends_with(":latest") || !image.contains(':') => "Always",
        "" => "IfNotPresent",
        p => p,
    }
    .to_string();
    let mut backoff = BACKOFF_INITIAL;
    loop {
        let present = node.runtime().image_present(&image);
        if present && policy != "Always" {
            node.hop(
                "kubelet",
                "cri",
                HopKind::ImagePulled,
                pod,
                format!("image {image} already present"),
            )
            .await;
            node.event(
                pod,
                Some(&field),
                EventType::Normal,
                "Pulled",
                &format!("Container image \"{image}\" already present on machine"),
            )
            .await;
            break;
        }
        if !present && policy == "Never" {
            let message =
                format!("Container image \"{image}\" is not present with pull policy of Never");
            node.event(
                pod,
                Some(&field),
                EventType::Warning,
                "ErrImageNeverPull",
                &message,
            )
            .await;
            running
                .status
                .waiting(&name, &image, "ErrImageNeverPull", &message);
            patch_status(node, pod, running).await;
            if wait_or_deleted(node, updates, backoff).await {
                return false;
            }
            backoff = (backoff * 2).min(BACKOFF_MAX);
            continue;
        }
        node.hop(
            "kubelet",
            "cri",
            HopKind::ImagePulling,
            pod,
            format!("PullImage {image}"),
        )
        .await;
        node.event(
            pod,
            Some(&field),
            EventType::Normal,
            "Pulling",
            &format!("Pulling image \"{image}\""),
        )
        .await;
        let pull = node.runtime().begin_pull(&image);
        match pull {
            Ok(duration_ms) => {
                if wait_or_deleted(
                    node,
                    updates,
                    Duration::from_millis(duration_ms.max(0) as u64),
                )
                .await
                {
                    return false;
                }
                let facts = node.runtime().finish_pull(&image);
                let took = go_duration(duration_ms);
                node.hop(
                    "cri",
                    "kubelet",
                    HopKind::ImagePulled,
                    pod,
                    format!("pulled {image} ({} bytes) in {took}", facts.size_bytes),
                )
                .await;
                node.event(pod, Some(&field), EventType::Normal, "Pulled", &format!(
                    "Successfully pulled image \"{image}\" in {took} ({took} including waiting). Image size: {} bytes.",
                    facts.size_bytes)).await;
                break;
            }
            Err(error) => {
                node.hop(
                    "cri",
                    "kubelet",
                    HopKind::ImagePullFailed,
                    pod,
                    format!("PullImage {image}: {}", error.message),
                )
                .await;
                let message = format!("Failed to pull image \"{image}\": {}", error.message);
                node.event(pod, Some(&field), EventType::Warning, "Failed", &message)
                    .await;
                node.event(
                    pod,
                    Some(&field),
                    EventType::Warning,
                    "Failed",
                    "Error: ErrImagePull",
                )
                .await;
                running
                    .status
                    .waiting(&name, &image, "ErrImagePull", &message);
                patch_status(node, pod, running).await;
                // Back off, then say so, as the kubelet's image back-off does.
                node.event(
                    pod,
                    Some(&field),
                    EventType::Normal,
                    "BackOff",
                    &format!("Back-off pulling image \"{image}\""),
                )
                .await;
                node.event(
                    pod,
                    Some(&field),
                    EventType::Warning,
                    "Failed",
                    "Error: ImagePullBackOff",
                )
                .await;
                running.status.waiting(
                    &name,
                    &image,
                    "ImagePullBackOff",
                    &format!(
                        "Back-off pulling image \"{image}\": ErrImagePull: {}",
                        error.message
                    ),
                );
                patch_status(node, pod, running).await;
                if wait_or_deleted(node, updates, backoff).await {
                    return false;
                }
                backoff = (backoff * 2).min(BACKOFF_MAX);
            }
        }
    }
    let created = node
        .runtime()
        .create_container(&running.sandbox, &name, &image, node.now());
    let id = match created {
        Ok(id) => id,
        Err(error) => {
            let message = error.to_string();
            node.event(
                pod,
                Some(&field),
                EventType::Warning,
                "Failed",
                &format!("Error: {message}"),
            )
            .await;
            running
                .status
                .waiting(&name, &image, "CreateContainerError", &message);
            patch_status(node, pod, running).await;
            return !wait_or_deleted(node, updates, BACKOFF_INITIAL).await;
        }
    };
    node.hop(
        "kubelet",
        "cri",
        HopKind::ContainerCreated,
        pod,
        format!("CreateContainer {name}: {}", short(&id)),
    )
    .await;
    node.event(
        pod,
        Some(&field),
        EventType::Normal,
        "Created",
        &format!("Created container: {name}"),
    )
    .await;
    let _ = node.runtime().start_container(&id, node.now());
    for line in logs::startup_lines(&image, &name, &running.ip, node.now()) {
        node.runtime().append_log(&id, line);
    }
    node.hop(
        "kubelet",
        "cri",
        HopKind::ContainerStarted,
        pod,
        format!("StartContainer {name}"),
    )
    .await;
    node.event(
        pod,
        Some(&field),
        EventType::Normal,
        "Started",
        &format!("Started container {name}"),
    )
    .await;
    let image_ref = node
        .runtime()
        .container(&id)
        .map(|c| c.image_ref.clone())
        .unwrap_or_default();
    running.status.started(
        &name,
        &images::normalize(&image),
        &image_ref,
        &id,
        node.now(),
    );
    running.containers.insert(name, id);
    true
}

/// Waits `how_long` on the cluster's clock; true if the pod was deleted meanwhile.
async fn wait_or_deleted(
    node: &Arc<Node>,
    updates: &mut watch::Receiver<Arc<Value>>,
    how_long: Duration,
) -> bool {
    let deadline = node.now() + how_long.as_millis() as i64;
    loop {
        if is_terminating(&updates.borrow()) {
            return true;
        }
        tokio::select! {
            biased;
            changed = updates.changed() => {
                if changed.is_err() {
                    return true;
                }
            }
            _ = node.client.clock().sleep_until(deadline) => return false,
        }
    }
}

/// Stops the containers (`Killing`), tears down the sandbox and its network, and removes the
/// pod object with grace 0.
async fn finish_deletion(node: &Arc<Node>, pod: &Value, running: Option<&Running>) {
    if let Some(running) = running {
        for (name, id) in &running.containers {
            let field = format!("spec.containers{{{name}}}");
            node.event(
                pod,
                Some(&field),
                EventType::Normal,
                "Killing",
                &format!("Stopping container {name}"),
            )
            .await;
            node.client.clock().sleep(STOP_TIME).await;
            node.runtime()
                .stop_container(id, 0, "Completed", node.now());
            node.hop(
                "kubelet",
                "cri",
                HopKind::ContainerStopped,
                pod,
                format!("StopContainer {name}: SIGTERM, exited 0"),
            )
            .await;
        }
        tear_down(node, pod, running).await;
    }
    let namespace = str_at(pod, "/metadata/namespace");
    let name = str_at(pod, "/metadata/name");
    let uid = str_at(pod, "/metadata/uid");
    let body = json!({"apiVersion": "v1", "kind": "DeleteOptions", "gracePeriodSeconds": 0,
                      "preconditions": {"uid": uid}});
    let _ = node
        .client
        .send(
            http::Method::DELETE,
            &format!("/api/v1/namespaces/{namespace}/pods/{name}"),
            "application/json",
            bytes::Bytes::from(serde_json::to_vec(&body).unwrap_or_default()),
        )
        .await;
}

/// StopPodSandbox, CNI DEL (the IP goes back to the pool), RemovePodSandbox.
async fn tear_down(node: &Arc<Node>, pod: &Value, running: &Running) {
    if running.sandbox.is_empty() {
        return;
    }
    for id in running.containers.values() {
        if node
            .runtime()
            .container(id)
            .is_some_and(|c| matches!(c.state, cri::ContainerStatus::Running))
        {
            node.runtime().stop_container(id, 137, "Error", node.now());
        }
    }
    node.runtime().stop_pod_sandbox(&running.sandbox);
    let released = node.ipam().del(&running.sandbox);
    node.runtime().remove_pod_sandbox(&running.sandbox);
    let ip = released.map(|ip| ip.to_string()).unwrap_or_default();
    node.hop(
        "cri",
        "cni",
        HopKind::SandboxRemoved,
        pod,
        format!(
            "StopPodSandbox {}; DEL released {ip}",
            short(&running.sandbox)
        ),
    )
    .await;
}

/// Sends the kubelet's view of the pod's status (a strategic merge patch on `pods/status`),
/// then says what it reported.
async fn patch_status(node: &Arc<Node>, pod: &Value, running: &Running) {
    let status = running.status.to_status(pod, &node.machine.internal_ip());
    let namespace = str_at(pod, "/metadata/namespace");
    let name = str_at(pod, "/metadata/name");
    let written = node
        .client
        .patch(
            &format!("/api/v1/namespaces/{namespace}/pods/{name}/status"),
            "application/strategic-merge-patch+json",
            &json!({"status": status}),
        )
        .await;
    let Ok(written) = written else {
        return;
    };
    let phase = str_at(&status, "/phase");
    let ready = status
        .get("conditions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|c| str_at(c, "/type") == "Ready" && str_at(c, "/status") == "True");
    let ip = str_at(&status, "/podIP");
    let mut summary = format!(
        "status of {namespace}/{name}: {phase}, {}",
        if ready { "Ready" } else { "not Ready" }
    );
    if !ip.is_empty() {
        summary.push_str(&format!(", IP {ip}"));
    }
    let rev = str_at(&written, "/metadata/resourceVersion")
        .parse()
        .unwrap_or(0);
    node.flow
        .pass(
            Hop::new("kubelet", "apiserver", HopKind::StatusPatched, summary)
                .on_node(node.machine.name.clone())
                .object(Some(ObjectRef::of(&written)))
                .rev(rev)
                .detail(json!({"phase": phase, "ready": ready, "podIP": ip})),
        )
        .await;
}

/// The first 13 characters of a runtime id, as crictl shows them.
fn short(id: &str) -> &str {
    &id[..id.len().min(13)]
}

/// A duration as Go prints a `time.Duration` truncated to milliseconds: `743ms`, `1.862s`,
/// `2.31s`, `1m4.5s` — how the kubelet words pull times.
fn go_duration(ms: i64) -> String {
    let ms = ms.max(0);
    if ms < 1000 {
        return format!("{ms}ms");
    }
    let seconds = |ms: i64| {
        let text = format!("{}.{:03}", ms / 1000, ms % 1000);
        text.trim_end_matches('0').trim_end_matches('.').to_string() + "s"
    };
    if ms < 60_000 {
        seconds(ms)
    } else if ms < 3_600_000 {
        format!("{}m{}", ms / 60_000, seconds(ms % 60_000))
    } else {
        format!(
            "{}h{}m{}",
            ms / 3_600_000,
            (ms / 60_000) % 60,
            seconds(ms % 60_000)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pull_times_read_like_go_durations() {
        assert_eq!(go_duration(743), "743ms");
        assert_eq!(go_duration(1_862), "1.862s");
        assert_eq!(go_duration(2_310), "2.31s");
        assert_eq!(go_duration(3_000), "3s");
        assert_eq!(go_duration(64_500), "1m4.5s");
    }
}
