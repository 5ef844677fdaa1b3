//! `cluster`: the composition root. Builds the clock, the flow, the store and the apiserver,
//! creates the system namespaces the way kube-apiserver's bootstrap does (through the
//! pipeline), and serves HTTPS with a kubeconfig for the real kubectl. Components (scheduler,
//! controllers, kubelets) join here as they are built.

use crate::apiserver::authn::UserInfo;
use crate::apiserver::pki::Pki;
use crate::apiserver::{ApiServer, Config, transport};
use crate::client::Client;
use crate::clock::Clock;
use crate::controllers::service_account::ServiceAccountController;
use crate::flow::{Flow, Hop, HopKind};
use crate::store::{Backend, MemoryBackend};
use anyhow::Result;
use serde_json::json;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The namespaces every cluster has.
pub const SYSTEM_NAMESPACES: &[&str] =
    &["default", "kube-system", "kube-public", "kube-node-lease"];

/// How to start a cluster.
#[derive(Debug, Clone)]
pub struct ClusterConfig {
    pub port: u16,
    pub state_dir: PathBuf,
    pub seed: u64,
    pub speed: f64,
    pub nodes: usize,
}

/// A running control plane.
pub struct Cluster {
    pub api: Arc<ApiServer>,
    pub flow: Arc<Flow>,
    pub clock: Arc<Clock>,
    pub store: Arc<MemoryBackend>,
    /// Where HTTPS is served, once `serve` ran.
    pub address: Option<SocketAddr>,
    pub kubeconfig: Option<PathBuf>,
    /// The certificates it serves and trusts, once `start` made or loaded them (podflow's own
    /// kubectl connects with the admin's).
    pub pki: Option<Arc<Pki>>,
    server_task: Option<tokio::task::JoinHandle<()>>,
    background: Vec<tokio::task::JoinHandle<()>>,
    /// The scheduler's decision records (what the TUI's scheduler pane draws).
    pub decisions: crate::scheduler::run::SharedDecisions,
    /// Each node's network to the apiserver, by node name.
    links: std::collections::BTreeMap<String, crate::client::link::Link>,
}

/// How nodes are listed: the control plane's first, then workers in number order (`node-2`
/// before `node-10`).
pub fn node_order(name: &str) -> (bool, usize, String) {
    (name != "control-plane", name.len(), name.to_string())
}

/// Task switches without a hop before the cluster counts as settled. A controller still
/// gathering a burst of changes (it waits up to 256 quiet switches) may sync after the clock
/// moved on: that only moves its sync later in sim time, as a busy controller-manager would.
const SETTLE_QUIET_YIELDS: usize = 64;

/// How often kube-apiserver compacts etcd (`--etcd-compaction-interval`).
pub const COMPACTION_INTERVAL: std::time::Duration = std::time::Duration::from_secs(300);

/// Compacts the store every interval to the revision seen one interval earlier, as
/// kube-apiserver does: history stays watchable for at least one interval.
async fn compact_periodically(store: Arc<MemoryBackend>, flow: Arc<Flow>) {
    let mut previous = None;
    loop {
        flow.clock().clone().sleep(COMPACTION_INTERVAL).await;
        if let Some(revision) = previous
            && store.compact(revision).is_ok()
        {
            flow.record(
                crate::flow::Hop::new(
                    "apiserver",
                    "etcd",
                    crate::flow::HopKind::Compacted,
                    format!("compact history before revision {revision}"),
                )
                .rev(revision),
            );
        }
        previous = Some(store.revision());
    }
}

/// kube-scheduler's identity (its client certificate's CN).
pub fn scheduler_identity() -> UserInfo {
    UserInfo::new("system:kube-scheduler", &["system:authenticated"])
}

/// kube-controller-manager's identity.
pub fn controller_manager_identity() -> UserInfo {
    UserInfo::new("system:kube-controller-manager", &["system:authenticated"])
}

/// A kubelet's identity: `system:node:<name>` in group `system:nodes`.
pub fn node_identity(node: &str) -> UserInfo {
    UserInfo::new(
        &format!("system:node:{node}"),
        &["system:nodes", "system:authenticated"],
    )
}

/// The identity kube-apiserver uses for its own bootstrap writes.
pub fn apiserver_identity() -> UserInfo {
    UserInfo::new(
        "system:apiserver",
        &["system:masters", "system:authenticated"],
    )
}

impl Cluster {
    /// A control plane with no network and no components: the apiserver alone, reachable
    /// in-process (the pipeline benchmark, API tests).
    pub async fn embedded(seed: u64, speed: f64) -> Result<Cluster> {
        Self::build(seed, speed, None, Vec::new()).await
    }

    /// A whole cluster with no network: the apiserver plus `nodes` workers (and the control
    /// plane's own node), the scheduler and the controllers, on `clock` (tests pass a paused
    /// one and move it themselves).
    pub async fn embedded_with_nodes(seed: u64, nodes: usize, clock: Clock) -> Result<Cluster> {
        let mut cluster = Self::build_on(seed, Arc::new(clock), None, Vec::new()).await?;
        cluster.start_components(seed, nodes);
        Ok(cluster)
    }

    /// [`Cluster::embedded_with_nodes`] whose apiserver trusts `pki`'s CA, so a client holding
    /// its admin certificate can reach it over HTTPS (see `kubectl::transport::Https`).
    pub async fn embedded_with_pki(
        seed: u64,
        nodes: usize,
        clock: Clock,
        pki: &Pki,
    ) -> Result<Cluster> {
        let mut cluster = Self::build_on(
            seed,
            Arc::new(clock),
            Some(pki.ca_pem.clone()),
            pki.tokens(),
        )
        .await?;
        cluster.start_components(seed, nodes);
        Ok(cluster)
    }

    async fn build(
        seed: u64,
        speed: f64,
        ca_pem: Option<String>,
        tokens: Vec<(String, String, Vec<String>)>,
    ) -> Result<Cluster> {
        Self::build_on(seed, Arc::new(Clock::new(speed)), ca_pem, tokens).await
    }

    async fn build_on(
        seed: u64,
        clock: Arc<Clock>,
        ca_pem: Option<String>,
        tokens: Vec<(String, String, Vec<String>)>,
    ) -> Result<Cluster> {
        let ca_pem_for_pods = ca_pem.clone();
        let flow = Arc::new(Flow::new(clock.clone()));
        let store = Arc::new(MemoryBackend::new());
        let api = Arc::new(ApiServer::new(
            store.clone(),
            flow.clone(),
            Config {
                seed,
                client_ca_pem: ca_pem,
                tokens,
            },
        ));
        let driver = tokio::spawn(clock.clone().drive());
        let compactor = tokio::spawn(compact_periodically(store.clone(), flow.clone()));
        let auto_play = tokio::spawn(flow.clone().auto_play());
        let mut cluster = Cluster {
            api,
            flow,
            clock,
            store,
            address: None,
            kubeconfig: None,
            pki: None,
            server_task: None,
            background: vec![driver, compactor, auto_play],
            decisions: Default::default(),
            links: Default::default(),
        };
        cluster.bootstrap().await?;
        let accounts = ServiceAccountController::new(
            cluster.client(
                controller_manager_identity(),
                "kube-controller-manager/v1.32.4",
            ),
            ca_pem_for_pods,
        );
        // The system namespaces are ready before anyone else may create pods in them.
        for namespace in SYSTEM_NAMESPACES {
            accounts.reconcile(namespace).await.map_err(|e| {
                anyhow::anyhow!(
                    "creating the default service account in {namespace}: {}",
                    e.message
                )
            })?;
        }
        cluster.background.push(tokio::spawn(accounts.run()));
        Ok(cluster)
    }

    /// Starts a cluster served over HTTPS on 127.0.0.1 with its kubeconfig in the state dir.
    pub async fn start(config: &ClusterConfig) -> Result<Cluster> {
        let pki = Pki::load_or_create(&config.state_dir)?;
        let listener = transport::bind(config.port).await?;
        let tls = transport::tls_config(&pki.server_cert_pem, &pki.server_key_pem)?;
        let mut cluster = Self::build(
            config.seed,
            config.speed,
            Some(pki.ca_pem.clone()),
            pki.tokens(),
        )
        .await?;
        cluster.start_components(config.seed, config.nodes);
        let address = listener.local_addr()?;
        cluster.api.set_address(&address.to_string());
        let kubeconfig = pki.write_kubeconfig(&config.state_dir, &format!("https://{address}"))?;
        // The OpenAPI documents are large: build them now, not on kubectl's first request.
        tokio::task::spawn_blocking(crate::apiserver::openapi::v3_root);
        cluster.server_task = Some(tokio::spawn(transport::serve(
            listener,
            tls,
            cluster.api.clone(),
        )));
        cluster.address = Some(address);
        cluster.kubeconfig = Some(kubeconfig);
        cluster.pki = Some(Arc::new(pki));
        Ok(cluster)
    }

    /// Starts the components around the control plane, each with its own identity: a kubelet
    /// on the control-plane node and on `nodes` workers, the scheduler, and the
    /// controller-manager's controllers.
    fn start_components(&mut self, seed: u64, nodes: usize) {
        use crate::controllers::{
            garbage_collector::GarbageCollector, node_lifecycle::NodeLifecycleController, workloads,
        };
        use crate::node::{kubelet, node_object::Machine};
        let machines =
            std::iter::once(Machine::control_plane()).chain((1..=nodes).map(Machine::worker));
        for machine in machines {
            let link = crate::client::link::Link::new();
            let client = self
                .client(
                    node_identity(&machine.name),
                    "kubelet/v1.32.4 (linux/amd64) kubernetes/podflow",
                )
                .over(link.clone());
            let name = machine.name.clone();
            self.links.insert(name.clone(), link);
            let node = kubelet::Node::new(machine, client, self.flow.clone(), seed);
            self.api.connect_kubelet(&name, node.clone());
            self.background.push(tokio::spawn(kubelet::run(node)));
        }
        let scheduler = self.client(
            scheduler_identity(),
            "kube-scheduler/v1.32.4 (linux/amd64) kubernetes/podflow/scheduler",
        );
        self.background
            .push(tokio::spawn(crate::scheduler::run::run(
                scheduler,
                self.flow.clone(),
                seed,
                self.decisions.clone(),
            )));
        let api = self.api.clone();
        let controller = |name: &str| {
            Client::new(
                api.clone(),
                controller_manager_identity(),
                &format!("kube-controller-manager/v1.32.4 (linux/amd64) kubernetes/podflow/{name}"),
            )
        };
        // The controllers share their informers, as kube-controller-manager's do.
        let informers = crate::client::informer::Informers::new(controller("controller-manager"));
        let lifecycle = NodeLifecycleController::start(
            controller("node-lifecycle-controller"),
            self.flow.clone(),
            &informers,
        );
        self.background.push(tokio::spawn(lifecycle.run()));
        let (collector, feeds) = GarbageCollector::start(
            controller("garbage-collector"),
            self.flow.clone(),
            &informers,
        );
        self.background.push(tokio::spawn(collector.run(feeds)));
        self.background
            .push(tokio::spawn(workloads::run_replicasets(
                controller("replicaset-controller"),
                self.flow.clone(),
                informers.clone(),
            )));
        self.background
            .push(tokio::spawn(workloads::run_deployments(
                controller("deployment-controller"),
                self.flow.clone(),
                informers,
            )));
    }

    /// Lets every component run until none has anything left to do without time passing:
    /// the flow stops moving for a while of task switches. (On a paused clock this is when
    /// the next timer may be jumped to.)
    pub async fn settle(&self) {
        let mut quiet = 0;
        let mut last = self.flow.count();
        while quiet < SETTLE_QUIET_YIELDS {
            tokio::task::yield_now().await;
            let now = self.flow.count();
            if now == last && !self.clock.is_busy() {
                quiet += 1;
            } else {
                quiet = 0;
                last = now;
            }
        }
    }

    /// Fast-forwards the cluster (settle, jump the paused clock to the next timer, repeat)
    /// until `done` says so or `within` of sim time has passed. Returns whether `done` held.
    pub async fn run_until<F, Fut>(&self, within: std::time::Duration, mut done: F) -> bool
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        let deadline = self.clock.now_ms() + within.as_millis() as i64;
        loop {
            self.settle().await;
            if done().await {
                return true;
            }
            match self.clock.next_timer() {
                Some(t) if t <= deadline => {
                    self.clock.jump_to_next_timer();
                }
                _ => return done().await,
            }
        }
    }

    /// Takes a node off the network (`up: false`: it lost power or its cable) or brings it
    /// back. Cut off, its kubelet's requests never arrive — no lease renewal, no status —
    /// and its watches end; back, it renews its lease and lists again.
    pub async fn set_node_up(&self, node: &str, up: bool) -> Result<(), String> {
        let link = self
            .links
            .get(node)
            .ok_or_else(|| format!("no node {node:?} (nodes: {})", self.node_names().join(", ")))?;
        if link.is_up() == up {
            return Ok(());
        }
        link.set_up(up);
        let summary = if up {
            format!("{node} is back on the network: its kubelet reaches the apiserver again")
        } else {
            format!("{node} goes down: its kubelet can no longer reach the apiserver")
        };
        self.flow
            .pass(Hop::new("podflow", "kubelet", HopKind::FaultInjected, summary).on_node(node))
            .await;
        Ok(())
    }

    /// The nodes, in order.
    pub fn node_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.links.keys().cloned().collect();
        names.sort_by_key(|n| node_order(n));
        names
    }

    /// An in-process client acting as `user`.
    pub fn client(&self, user: UserInfo, user_agent: &str) -> Client {
        Client::new(self.api.clone(), user, user_agent)
    }

    /// An in-process client with cluster-admin rights.
    pub fn admin_client(&self) -> Client {
        self.client(
            UserInfo::new("admin", &["system:masters", "system:authenticated"]),
            "podflow",
        )
    }

    async fn bootstrap(&self) -> Result<()> {
        let client = self.client(apiserver_identity(), "kube-apiserver/v1.32.4");
        for name in SYSTEM_NAMESPACES {
            let namespace =
                json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}});
            match client.create("/api/v1/namespaces", &namespace).await {
                Ok(_) => {}
                Err(e) if e.reason == "AlreadyExists" => {}
                Err(e) => anyhow::bail!("creating namespace {name}: {}", e.message),
            }
        }
        // The bootstrap policy, as kube-apiserver's RBAC post-start hook writes it.
        use crate::apiserver::rbac::bootstrap;
        let objects = [
            (
                "/apis/rbac.authorization.k8s.io/v1/clusterroles",
                None,
                bootstrap::cluster_roles(),
            ),
            (
                "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
                None,
                bootstrap::cluster_role_bindings(),
            ),
            ("roles", Some(()), bootstrap::roles()),
            ("rolebindings", Some(()), bootstrap::role_bindings()),
            ("rolebindings", Some(()), vec![bootstrap::student_binding()]),
        ];
        for (path, namespaced, items) in objects {
            for item in items {
                let path = match namespaced {
                    Some(()) => {
                        let ns = item
                            .pointer("/metadata/namespace")
                            .and_then(|n| n.as_str())
                            .unwrap_or("default");
                        format!("/apis/rbac.authorization.k8s.io/v1/namespaces/{ns}/{path}")
                    }
                    None => path.to_string(),
                };
                match client.create(&path, &item).await {
                    Ok(_) => {}
                    Err(e) if e.reason == "AlreadyExists" => {}
                    Err(e) => {
                        anyhow::bail!("writing the bootstrap RBAC policy ({path}): {}", e.message)
                    }
                }
            }
        }
        Ok(())
    }

    /// Stops serving HTTPS.
    pub fn shutdown(&mut self) {
        if let Some(task) = self.server_task.take() {
            task.abort();
        }
        for task in self.background.drain(..) {
            task.abort();
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// `$XDG_STATE_HOME/podflow`, else `~/.local/state/podflow`.
pub fn default_state_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("XDG_STATE_HOME").filter(|d| !d.is_empty()) {
        return Path::new(&dir).join("podflow");
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."));
    home.join(".local").join("state").join("podflow")
}
