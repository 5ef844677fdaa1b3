//! `cri`: the container runtime of one simulated node, standing in for containerd's CRI
//! plugin. Owns the node's image store (the pause image preloaded), pod sandboxes, containers
//! and what they logged, with containerd's ids, states and error texts. Pure and
//! deterministic: time comes in as `now_ms`, ids and pull jitter come from a ChaCha8 generator
//! seeded by the caller, and a pull is two calls (`begin_pull`, then `finish_pull` once the
//! kubelet's virtual timer for the returned duration fires).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::images::{self, ImageFacts, ImageRef, PAUSE_IMAGE, PullError};
pub use super::logs::{LogLine, Stream};

/// A container's state as the CRI reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContainerStatus {
    Created,
    Running,
    Exited,
}

impl ContainerStatus {
    /// The CRI enum name (`crictl ps -a` shows these without the prefix).
    pub fn as_cri(self) -> &'static str {
        match self {
            ContainerStatus::Created => "CONTAINER_CREATED",
            ContainerStatus::Running => "CONTAINER_RUNNING",
            ContainerStatus::Exited => "CONTAINER_EXITED",
        }
    }
}

/// What `ContainerStatus` returns for one container: what the kubelet turns into
/// `status.containerStatuses[]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerState {
    /// 64 hex; `containerID` is `containerd://<id>`.
    pub id: String,
    /// The container's name in the pod spec.
    pub name: String,
    /// The image as the pod spec asked for it.
    pub image: String,
    /// `docker.io/library/nginx@sha256:…`: the `imageID` of the container status.
    pub image_ref: String,
    pub state: ContainerStatus,
    pub created_at_ms: i64,
    pub started_at_ms: Option<i64>,
    pub finished_at_ms: Option<i64>,
    pub exit_code: Option<i32>,
    /// `Completed`, `Error`, `OOMKilled`, `StartError`.
    pub reason: Option<String>,
    /// Why a start failed, when it did (`lastState.terminated.message`).
    pub message: Option<String>,
    /// The sandbox the container lives in.
    pub sandbox_id: String,
    /// 0 for the first container of this name in the sandbox, then 1, 2, …: the kubelet's
    /// `restartCount` for the container.
    pub attempt: u32,
}

/// A pod sandbox's state as the CRI reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SandboxStatus {
    Ready,
    NotReady,
}

impl SandboxStatus {
    pub fn as_cri(self) -> &'static str {
        match self {
            SandboxStatus::Ready => "SANDBOX_READY",
            SandboxStatus::NotReady => "SANDBOX_NOTREADY",
        }
    }
}

/// A pod sandbox: the pause container holding the pod's namespaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxState {
    /// 64 hex, the id CNI is called with.
    pub id: String,
    pub pod_uid: String,
    pub namespace: String,
    /// The pod's name.
    pub name: String,
    pub state: SandboxStatus,
    pub created_at_ms: i64,
    /// The network namespace containerd made for it: `/var/run/netns/cni-<uuid>`.
    pub netns: String,
}

/// A CRI call that failed. `Display` is the error's message as the kubelet puts it in events
/// (`Error: <message>`, the gRPC status message); `rpc_message` adds the gRPC wrapping the
/// kubelet's logs show.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CriError {
    /// CreateContainer in a sandbox the runtime does not have.
    #[error("failed to find sandbox id {0:?}: not found")]
    SandboxNotFound(String),
    /// Start (or any call) for a container the runtime does not have.
    #[error("an error occurred when try to find container {0:?}: not found")]
    ContainerNotFound(String),
    /// CreateContainer with an image that was never pulled.
    #[error("failed to resolve image {0:?}: not found")]
    ImageNotFound(String),
    /// StartContainer on a container that is not `CONTAINER_CREATED`.
    #[error("failed to set starting state for container {id:?}: container is in {state} state")]
    NotCreated { id: String, state: &'static str },
    /// StartContainer in a sandbox that was stopped.
    #[error("sandbox container {0:?} is not running")]
    SandboxNotReady(String),
}

impl CriError {
    /// The gRPC code containerd answers with: errors wrapping `errdefs.ErrNotFound` are
    /// `NotFound`, the rest `Unknown`.
    pub fn code(&self) -> &'static str {
        match self {
            CriError::SandboxNotFound(_)
            | CriError::ContainerNotFound(_)
            | CriError::ImageNotFound(_) => "NotFound",
            CriError::NotCreated { .. } | CriError::SandboxNotReady(_) => "Unknown",
        }
    }

    /// `rpc error: code = NotFound desc = …`, as the kubelet logs it.
    pub fn rpc_message(&self) -> String {
        format!("rpc error: code = {} desc = {self}", self.code())
    }
}

/// Exit code and reason containerd records when a start fails after the container was made.
const START_ERROR_EXIT_CODE: i32 = 128;
const START_ERROR_REASON: &str = "StartError";
/// A container still running when its sandbox is stopped is killed: SIGKILL, 128 + 9.
const KILLED_EXIT_CODE: i32 = 137;

/// The runtime of one node.
#[derive(Debug, Clone)]
pub struct Runtime {
    node: String,
    rng: ChaCha8Rng,
    /// Normalized reference → facts.
    images: BTreeMap<String, ImageFacts>,
    sandboxes: BTreeMap<String, SandboxState>,
    containers: BTreeMap<String, ContainerState>,
    logs: BTreeMap<String, Vec<LogLine>>,
    /// (sandbox id, container name) → attempts made so far.
    attempts: BTreeMap<(String, String), u32>,
    pull_failure: bool,
    /// The latest time any call carried: the clock for calls that take none (a sandbox stop
    /// that has to kill containers still running).
    last_now_ms: i64,
}

impl Runtime {
    /// The runtime of `node`, its randomness seeded with `seed`: the same seed and the same
    /// calls give the same ids.
    pub fn new(node: &str, seed: u64) -> Runtime {
        let mut images = BTreeMap::new();
        images.insert(images::normalize(PAUSE_IMAGE), images::facts(PAUSE_IMAGE));
        Runtime {
            node: node.to_string(),
            rng: ChaCha8Rng::seed_from_u64(seed),
            images,
            sandboxes: BTreeMap::new(),
            containers: BTreeMap::new(),
            logs: BTreeMap::new(),
            attempts: BTreeMap::new(),
            pull_failure: false,
            last_now_ms: i64::MIN,
        }
    }

    pub fn node(&self) -> &str {
        &self.node
    }

    /// Whether the image is in the node's store (what `imagePullPolicy: IfNotPresent` asks).
    pub fn image_present(&self, image: &str) -> bool {
        self.lookup_image(image).is_some()
    }

    /// The facts of a present image.
    pub fn image(&self, image: &str) -> Option<&ImageFacts> {
        self.lookup_image(image).map(|(_, facts)| facts)
    }

    /// `node.status.images`: for each image its names (the digest reference first, then the
    /// tag, as the kubelet lists them) and size, largest first.
    pub fn images(&self) -> Vec<(Vec<String>, u64)> {
        // Tags that resolve to the same digest are one image with several names.
        let mut by_digest: BTreeMap<(String, &str), (Vec<String>, u64)> = BTreeMap::new();
        for (reference, facts) in &self.images {
            let repository = ImageRef::parse(reference).repository();
            let digest_ref = format!("{repository}@{}", facts.digest);
            let entry = by_digest
                .entry((repository, facts.digest.as_str()))
                .or_insert_with(|| (vec![digest_ref.clone()], facts.size_bytes));
            if *reference != digest_ref {
                entry.0.push(reference.clone());
            }
        }
        let mut out: Vec<(Vec<String>, u64)> = by_digest.into_values().collect();
        out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        out
    }

    /// Starts pulling `image`: `Ok(duration_ms)` for the kubelet to wait on its clock before
    /// calling `finish_pull`, or the error the pull fails with (an unpullable reference, or
    /// the registry-down fault). An image already present is only re-resolved, which costs the
    /// registry round trips. Durations vary by −15%…+25% around the model in `images`.
    pub fn begin_pull(&mut self, image: &str) -> Result<i64, PullError> {
        if self.pull_failure {
            return Err(images::registry_unavailable(image));
        }
        if let Some(err) = images::pull_error(image) {
            return Err(err);
        }
        let base = if self.image_present(image) {
            images::REGISTRY_ROUND_TRIPS_MS
        } else {
            images::pull_duration_ms(images::facts(image).size_bytes)
        };
        let permille = self.rng.random_range(850_i64..1250);
        Ok(i64::try_from(i128::from(base) * i128::from(permille) / 1000).unwrap_or(i64::MAX))
    }

    /// Completes a pull: the image is now in the store.
    pub fn finish_pull(&mut self, image: &str) -> ImageFacts {
        let facts = images::facts(image);
        self.images.insert(images::normalize(image), facts.clone());
        facts
    }

    /// The fault "registry unreachable": while on, every pull fails with a 503 from the
    /// registry.
    pub fn set_pull_failure(&mut self, fail: bool) {
        self.pull_failure = fail;
    }

    /// RunPodSandbox: the pause container and a fresh network namespace for the pod. Its
    /// network is set up separately (`cni::Ipam::add` with the returned id and its `netns`).
    pub fn run_pod_sandbox(
        &mut self,
        pod_uid: &str,
        namespace: &str,
        name: &str,
        now_ms: i64,
    ) -> String {
        self.saw(now_ms);
        let id = self.new_id();
        let netns = format!("/var/run/netns/cni-{}", self.new_uuid());
        self.sandboxes.insert(
            id.clone(),
            SandboxState {
                id: id.clone(),
                pod_uid: pod_uid.to_string(),
                namespace: namespace.to_string(),
                name: name.to_string(),
                state: SandboxStatus::Ready,
                created_at_ms: now_ms,
                netns,
            },
        );
        id
    }

    pub fn sandbox(&self, sandbox_id: &str) -> Option<&SandboxState> {
        self.sandboxes.get(sandbox_id)
    }

    /// Every sandbox on the node, by id.
    pub fn sandboxes(&self) -> impl Iterator<Item = &SandboxState> {
        self.sandboxes.values()
    }

    /// StopPodSandbox: the sandbox stops being ready; containers still running in it are
    /// killed (exit 137). The kubelet stops containers first, with their grace period, so
    /// normally none are left. Unknown ids are fine: the call is idempotent.
    pub fn stop_pod_sandbox(&mut self, sandbox_id: &str) {
        let Some(sandbox) = self.sandboxes.get_mut(sandbox_id) else {
            return;
        };
        sandbox.state = SandboxStatus::NotReady;
        let now_ms = self.last_now_ms;
        for container in self.containers.values_mut() {
            if container.sandbox_id == sandbox_id && container.state == ContainerStatus::Running {
                exit(container, KILLED_EXIT_CODE, "Error", now_ms);
            }
        }
    }

    /// RemovePodSandbox: stops it if needed, then removes it with its containers and their
    /// logs. Idempotent.
    pub fn remove_pod_sandbox(&mut self, sandbox_id: &str) {
        self.stop_pod_sandbox(sandbox_id);
        if self.sandboxes.remove(sandbox_id).is_none() {
            return;
        }
        let ids: Vec<String> = self
            .containers
            .values()
            .filter(|c| c.sandbox_id == sandbox_id)
            .map(|c| c.id.clone())
            .collect();
        for id in ids {
            self.containers.remove(&id);
            self.logs.remove(&id);
        }
        self.attempts
            .retain(|(sandbox, _), _| sandbox != sandbox_id);
    }

    /// CreateContainer: a container of `image` in the sandbox, `CONTAINER_CREATED`. The image
    /// must have been pulled.
    pub fn create_container(
        &mut self,
        sandbox_id: &str,
        name: &str,
        image: &str,
        now_ms: i64,
    ) -> Result<String, CriError> {
        self.saw(now_ms);
        if !self.sandboxes.contains_key(sandbox_id) {
            return Err(CriError::SandboxNotFound(sandbox_id.to_string()));
        }
        let image_ref = match self.lookup_image(image) {
            Some((reference, facts)) => {
                format!(
                    "{}@{}",
                    ImageRef::parse(reference).repository(),
                    facts.digest
                )
            }
            None => return Err(CriError::ImageNotFound(image.to_string())),
        };
        let attempts = self
            .attempts
            .entry((sandbox_id.to_string(), name.to_string()))
            .or_insert(0);
        let attempt = *attempts;
        *attempts += 1;
        let id = self.new_id();
        self.containers.insert(
            id.clone(),
            ContainerState {
                id: id.clone(),
                name: name.to_string(),
                image: image.to_string(),
                image_ref,
                state: ContainerStatus::Created,
                created_at_ms: now_ms,
                started_at_ms: None,
                finished_at_ms: None,
                exit_code: None,
                reason: None,
                message: None,
                sandbox_id: sandbox_id.to_string(),
                attempt,
            },
        );
        self.logs.insert(id.clone(), Vec::new());
        Ok(id)
    }

    /// StartContainer: `CONTAINER_CREATED` → `CONTAINER_RUNNING`. In a stopped sandbox the
    /// start fails and, as in containerd, the container is left exited with 128/`StartError`.
    pub fn start_container(&mut self, id: &str, now_ms: i64) -> Result<(), CriError> {
        self.saw(now_ms);
        let container = self
            .containers
            .get_mut(id)
            .ok_or_else(|| CriError::ContainerNotFound(id.to_string()))?;
        if container.state != ContainerStatus::Created {
            return Err(CriError::NotCreated {
                id: id.to_string(),
                state: container.state.as_cri(),
            });
        }
        let ready = self
            .sandboxes
            .get(&container.sandbox_id)
            .is_some_and(|s| s.state == SandboxStatus::Ready);
        if !ready {
            let err = CriError::SandboxNotReady(container.sandbox_id.clone());
            exit(container, START_ERROR_EXIT_CODE, START_ERROR_REASON, now_ms);
            container.message = Some(err.to_string());
            return Err(err);
        }
        container.state = ContainerStatus::Running;
        container.started_at_ms = Some(now_ms);
        Ok(())
    }

    /// The container's process ended (it exited, was stopped, or was OOM killed):
    /// `CONTAINER_RUNNING` → `CONTAINER_EXITED` with `exit_code` and `reason` (`Completed`,
    /// `Error`, `OOMKilled`; empty picks `Completed` for 0 and `Error` otherwise, as
    /// containerd does). A container that is not running is left as it is, as containerd's
    /// StopContainer leaves it.
    pub fn stop_container(&mut self, id: &str, exit_code: i32, reason: &str, now_ms: i64) {
        self.saw(now_ms);
        if let Some(container) = self.containers.get_mut(id)
            && container.state == ContainerStatus::Running
        {
            exit(container, exit_code, reason, now_ms);
        }
    }

    /// RemoveContainer: gone with its logs (killed first if still running). Idempotent.
    pub fn remove_container(&mut self, id: &str) {
        self.containers.remove(id);
        self.logs.remove(id);
    }

    pub fn container(&self, id: &str) -> Option<&ContainerState> {
        self.containers.get(id)
    }

    /// The containers of a sandbox, oldest first.
    pub fn containers_in(&self, sandbox_id: &str) -> Vec<&ContainerState> {
        let mut out: Vec<&ContainerState> = self
            .containers
            .values()
            .filter(|c| c.sandbox_id == sandbox_id)
            .collect();
        out.sort_by_key(|c| (c.created_at_ms, c.attempt));
        out
    }

    /// Everything the container wrote so far, in order (empty for unknown ids).
    pub fn logs(&self, id: &str) -> Vec<LogLine> {
        self.logs.get(id).cloned().unwrap_or_default()
    }

    /// Records a line the container wrote. Lines for unknown containers are dropped, as a
    /// removed container's output goes nowhere.
    pub fn append_log(&mut self, id: &str, line: LogLine) {
        self.saw(line.time_ms);
        if let Some(lines) = self.logs.get_mut(id) {
            lines.push(line);
        }
    }

    fn lookup_image(&self, image: &str) -> Option<(&String, &ImageFacts)> {
        let normalized = images::normalize(image);
        if let Some(found) = self.images.get_key_value(&normalized) {
            return Some(found);
        }
        // `nginx@sha256:…` names an image pulled by tag when the digests match.
        let wanted = ImageRef::parse(image);
        let digest = wanted.digest.as_deref()?;
        let repository = wanted.repository();
        self.images.iter().find(|(reference, facts)| {
            facts.digest == digest && ImageRef::parse(reference).repository() == repository
        })
    }

    fn saw(&mut self, now_ms: i64) {
        self.last_now_ms = self.last_now_ms.max(now_ms);
    }

    /// A containerd id: 32 random bytes in hex.
    fn new_id(&mut self) -> String {
        let mut bytes = [0u8; 32];
        self.rng.fill(&mut bytes);
        hex(&bytes)
    }

    /// A version 4 UUID, as containerd names network namespaces.
    fn new_uuid(&mut self) -> String {
        let mut b = [0u8; 16];
        self.rng.fill(&mut b);
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        format!(
            "{}-{}-{}-{}-{}",
            hex(&b[0..4]),
            hex(&b[4..6]),
            hex(&b[6..8]),
            hex(&b[8..10]),
            hex(&b[10..16])
        )
    }
}

fn exit(container: &mut ContainerState, exit_code: i32, reason: &str, now_ms: i64) {
    let reason = match reason {
        "" if exit_code == 0 => "Completed",
        "" => "Error",
        given => given,
    };
    container.state = ContainerStatus::Exited;
    container.finished_at_ms = Some(now_ms);
    container.exit_code = Some(exit_code);
    container.reason = Some(reason.to_string());
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

#[cfg(test)]
mod tests {
    use super::super::logs;
    use super::*;

    const NOW: i64 = 1_732_332_140_000;

    fn is_id(id: &str) -> bool {
        id.len() == 64
            && id
                .chars()
                .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
    }

    fn pulled(rt: &mut Runtime, image: &str) {
        rt.begin_pull(image).unwrap();
        rt.finish_pull(image);
    }

    #[test]
    fn pause_is_preloaded() {
        let rt = Runtime::new("node-1", 1);
        assert_eq!(rt.node(), "node-1");
        assert!(rt.image_present("registry.k8s.io/pause:3.10"));
        assert!(!rt.image_present("nginx"));
        assert_eq!(
            rt.images(),
            vec![(
                vec![
                    "registry.k8s.io/pause@sha256:ee6521f290b2168b6e0935a181d4cff9be1ac3f505666ef0e3c98fae8199917a".to_string(),
                    "registry.k8s.io/pause:3.10".to_string(),
                ],
                320_368
            )]
        );
    }

    #[test]
    fn pulls_take_the_modelled_time_then_the_image_is_present() {
        let mut rt = Runtime::new("node-1", 7);
        let model = images::pull_duration_ms(images::facts("nginx:1.27").size_bytes);
        let took = rt.begin_pull("nginx:1.27").unwrap();
        assert!(
            took >= model * 85 / 100 && took <= model * 125 / 100,
            "{took} vs {model}"
        );
        assert!(
            !rt.image_present("nginx:1.27"),
            "present only once the pull finishes"
        );
        let facts = rt.finish_pull("nginx:1.27");
        assert!(rt.image_present("nginx:1.27"));
        assert!(rt.image_present("docker.io/library/nginx:1.27"));
        assert!(rt.image_present(&format!("nginx@{}", facts.digest)));
        assert!(!rt.image_present("nginx:1.26"));
        assert_eq!(rt.image("nginx:1.27"), Some(&facts));
        // Largest first; the digest name before the tag.
        let listed = rt.images();
        assert_eq!(
            listed[0].0,
            vec![
                format!("docker.io/library/nginx@{}", facts.digest),
                "docker.io/library/nginx:1.27".to_string()
            ]
        );
        assert_eq!(listed[0].1, facts.size_bytes);
        // Pulling again (imagePullPolicy: Always) only re-resolves.
        let again = rt.begin_pull("nginx:1.27").unwrap();
        assert!(again < 400, "{again}");
    }

    #[test]
    fn pull_failures() {
        let mut rt = Runtime::new("node-1", 7);
        let err = rt.begin_pull("nginx:does-not-exist").unwrap_err();
        assert!(err.message.starts_with("rpc error: code = NotFound desc = failed to pull and unpack image \"docker.io/library/nginx:does-not-exist\""));
        rt.set_pull_failure(true);
        let err = rt.begin_pull("redis:7").unwrap_err();
        assert_eq!(
            err.message,
            "rpc error: code = Unknown desc = failed to pull and unpack image \"docker.io/library/redis:7\": failed to resolve reference \"docker.io/library/redis:7\": unexpected status from HEAD request to https://registry-1.docker.io/v2/library/redis/manifests/7: 503 Service Unavailable"
        );
        rt.set_pull_failure(false);
        assert!(rt.begin_pull("redis:7").is_ok());
    }

    #[test]
    fn sandbox_and_container_lifecycle() {
        let mut rt = Runtime::new("node-1", 42);
        let sb = rt.run_pod_sandbox("uid-1", "default", "web-1", NOW);
        assert!(is_id(&sb));
        let sandbox = rt.sandbox(&sb).unwrap();
        assert_eq!(sandbox.state, SandboxStatus::Ready);
        assert_eq!(
            (
                sandbox.pod_uid.as_str(),
                sandbox.namespace.as_str(),
                sandbox.name.as_str()
            ),
            ("uid-1", "default", "web-1")
        );
        assert!(sandbox.netns.starts_with("/var/run/netns/cni-"));
        assert_eq!(sandbox.netns.len(), "/var/run/netns/cni-".len() + 36);

        // Not pulled yet.
        let err = rt
            .create_container(&sb, "nginx", "nginx:1.27", NOW)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "failed to resolve image \"nginx:1.27\": not found"
        );
        assert_eq!(err.code(), "NotFound");
        pulled(&mut rt, "nginx:1.27");

        let id = rt
            .create_container(&sb, "nginx", "nginx:1.27", NOW + 10)
            .unwrap();
        assert!(is_id(&id));
        let c = rt.container(&id).unwrap();
        assert_eq!(c.state, ContainerStatus::Created);
        assert_eq!(c.name, "nginx");
        assert_eq!(c.image, "nginx:1.27");
        assert!(c.image_ref.starts_with("docker.io/library/nginx@sha256:"));
        assert_eq!((c.created_at_ms, c.attempt), (NOW + 10, 0));
        assert_eq!(c.sandbox_id, sb);

        rt.start_container(&id, NOW + 20).unwrap();
        let c = rt.container(&id).unwrap();
        assert_eq!(
            (c.state, c.started_at_ms),
            (ContainerStatus::Running, Some(NOW + 20))
        );
        let err = rt.start_container(&id, NOW + 21).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "failed to set starting state for container \"{id}\": container is in CONTAINER_RUNNING state"
            )
        );
        assert_eq!(
            err.rpc_message(),
            format!("rpc error: code = Unknown desc = {err}")
        );

        for line in logs::startup_lines("nginx:1.27", "nginx", "10.244.1.2", NOW + 20) {
            rt.append_log(&id, line);
        }
        assert!(
            rt.logs(&id)
                .iter()
                .any(|l| l.text.contains("start worker processes"))
        );

        rt.stop_container(&id, 0, "Completed", NOW + 30);
        let c = rt.container(&id).unwrap();
        assert_eq!(c.state, ContainerStatus::Exited);
        assert_eq!(
            (c.exit_code, c.reason.as_deref(), c.finished_at_ms),
            (Some(0), Some("Completed"), Some(NOW + 30))
        );
        // Stopping again changes nothing.
        rt.stop_container(&id, 1, "Error", NOW + 40);
        assert_eq!(rt.container(&id).unwrap().exit_code, Some(0));

        // The restart is a new container, attempt 1; its logs are its own.
        let second = rt
            .create_container(&sb, "nginx", "nginx:1.27", NOW + 50)
            .unwrap();
        assert_eq!(rt.container(&second).unwrap().attempt, 1);
        assert!(rt.logs(&second).is_empty());
        assert!(!rt.logs(&id).is_empty());
        rt.start_container(&second, NOW + 60).unwrap();
        assert_eq!(
            rt.containers_in(&sb)
                .iter()
                .map(|c| c.id.as_str())
                .collect::<Vec<_>>(),
            vec![id.as_str(), second.as_str()]
        );

        // Stopping the sandbox kills what still runs.
        rt.stop_pod_sandbox(&sb);
        assert_eq!(rt.sandbox(&sb).unwrap().state, SandboxStatus::NotReady);
        let c = rt.container(&second).unwrap();
        assert_eq!(
            (c.state, c.exit_code, c.reason.as_deref()),
            (ContainerStatus::Exited, Some(137), Some("Error"))
        );
        assert_eq!(c.finished_at_ms, Some(NOW + 60));

        rt.remove_pod_sandbox(&sb);
        assert!(rt.sandbox(&sb).is_none());
        assert!(rt.container(&id).is_none());
        assert!(rt.logs(&id).is_empty());
        rt.remove_pod_sandbox(&sb);
        rt.stop_pod_sandbox(&sb);
    }

    #[test]
    fn failures_name_the_ids() {
        let mut rt = Runtime::new("node-1", 3);
        assert_eq!(
            rt.create_container("abc", "c", "registry.k8s.io/pause:3.10", NOW)
                .unwrap_err(),
            CriError::SandboxNotFound("abc".to_string())
        );
        assert_eq!(
            CriError::SandboxNotFound("abc".to_string()).rpc_message(),
            "rpc error: code = NotFound desc = failed to find sandbox id \"abc\": not found"
        );
        assert_eq!(
            rt.start_container("nope", NOW).unwrap_err().to_string(),
            "an error occurred when try to find container \"nope\": not found"
        );

        // A container created before its sandbox was stopped cannot start.
        let sb = rt.run_pod_sandbox("uid", "default", "p", NOW);
        pulled(&mut rt, "busybox");
        let id = rt.create_container(&sb, "sh", "busybox", NOW).unwrap();
        rt.stop_pod_sandbox(&sb);
        let err = rt.start_container(&id, NOW + 5).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("sandbox container \"{sb}\" is not running")
        );
        let c = rt.container(&id).unwrap();
        assert_eq!(
            (c.state, c.exit_code, c.reason.as_deref()),
            (ContainerStatus::Exited, Some(128), Some("StartError"))
        );
        assert_eq!(c.message.as_deref(), Some(err.to_string().as_str()));
    }

    #[test]
    fn exit_reason_defaults() {
        let mut rt = Runtime::new("node-1", 3);
        let sb = rt.run_pod_sandbox("uid", "default", "p", NOW);
        pulled(&mut rt, "busybox");
        for (code, want) in [(0, "Completed"), (1, "Error")] {
            let id = rt.create_container(&sb, "sh", "busybox", NOW).unwrap();
            rt.start_container(&id, NOW).unwrap();
            rt.stop_container(&id, code, "", NOW + 1);
            assert_eq!(rt.container(&id).unwrap().reason.as_deref(), Some(want));
        }
        let id = rt.create_container(&sb, "sh", "busybox", NOW).unwrap();
        rt.start_container(&id, NOW).unwrap();
        rt.stop_container(&id, 137, "OOMKilled", NOW + 1);
        assert_eq!(
            rt.container(&id).unwrap().reason.as_deref(),
            Some("OOMKilled")
        );
        rt.remove_container(&id);
        assert!(rt.container(&id).is_none());
    }

    #[test]
    fn ids_are_deterministic_per_seed() {
        let run = |seed: u64| {
            let mut rt = Runtime::new("node-1", seed);
            let sb = rt.run_pod_sandbox("uid", "default", "p", NOW);
            let took = rt.begin_pull("nginx").unwrap();
            rt.finish_pull("nginx");
            let c = rt.create_container(&sb, "nginx", "nginx", NOW).unwrap();
            let netns = rt.sandbox(&sb).map(|s| s.netns.clone());
            (sb, netns, took, c)
        };
        assert_eq!(run(5), run(5));
        assert_ne!(run(5), run(6));
        let (sb, _, _, c) = run(5);
        assert_ne!(sb, c);
    }
}
