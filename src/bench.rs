//! `podflow bench`: the figures the issues ask for, one a line as `METRIC VALUE UNIT`. Each is
//! the median of several runs (machines are shared and noisy). Benchmarks are not tests: they
//! never fail because the machine was slow.

use crate::cluster::Cluster;
use crate::store::{Backend, MemoryBackend, Op, Txn};
use anyhow::Result;
use bytes::Bytes;
use serde_json::json;
use std::time::Instant;

/// Runs `which` (store, pipeline or all), each figure the median of `runs` runs.
pub fn run(which: Option<&str>, runs: usize) -> Result<()> {
    let runs = runs.max(1);
    let all = which.is_none() || which == Some("all");
    let mut ran = false;
    if all || which == Some("store") {
        print(
            "store_writes_per_s",
            median(runs, store_writes_per_s),
            "writes/s",
        );
        ran = true;
    }
    if all || which == Some("pipeline") {
        // One client per core is the server's throughput; one client alone its latency bound.
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1);
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(cores)
            .enable_all()
            .build()?;
        for (metric, clients) in [
            ("pipeline_creates_per_s", cores),
            ("pipeline_creates_per_s_one_client", 1),
        ] {
            let mut rates = Vec::new();
            for _ in 0..runs {
                rates.push(rt.block_on(pipeline_creates_per_s(clients))?);
            }
            print(metric, median_of(rates), "creates/s");
        }
        ran = true;
    }
    if all || which == Some("scheduler") {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?;
        // With the flow recording every hop (as always) and with recording off, runs in
        // pairs that take turns at going first. The machine drifts by more than the cost
        // measured (±15 % from one pair to the next), so the cost is the median of each pair's
        // own difference — the noise of a moment falls on both of a pair alike. The conductor
        // in live mode must not cost the scheduler more than 10 %.
        let (mut rates, mut unrecorded, mut costs) = (Vec::new(), Vec::new(), Vec::new());
        let verbose = std::env::var_os("PODFLOW_BENCH_VERBOSE").is_some();
        for run in 0..runs {
            let (mut on, mut off) = (0.0, 0.0);
            for recording in [run % 2 == 0, run % 2 == 1] {
                let rate = rt.block_on(scheduler_pods_per_s(10_000, 1_000, recording))?;
                if verbose {
                    eprintln!("pair {run}: recording {recording}: {rate:.0} pods/s");
                }
                if recording { on = rate } else { off = rate }
            }
            rates.push(on);
            unrecorded.push(off);
            costs.push((1.0 - on / f64::max(off, 1.0)) * 100.0);
        }
        print("scheduler_pods_per_s", median_of(rates), "pods/s");
        print(
            "scheduler_pods_per_s_unrecorded",
            median_of(unrecorded),
            "pods/s",
        );
        println!(
            "scheduler_recording_cost_pct {:.1} % (median of {runs} pairs)",
            median_of(costs)
        );
        ran = true;
    }
    if all || which == Some("e2e") {
        let mut seconds = Vec::new();
        let mut rss = Vec::new();
        for _ in 0..runs {
            let (s, peak) = e2e_pods_ready(E2E_REPLICAS, E2E_NODES)?;
            seconds.push(s);
            rss.push(peak);
        }
        print("e2e_10k_pods_ready_s", median_of(seconds), "s");
        print("e2e_10k_peak_rss_mib", median_of(rss), "MiB");
        ran = true;
    }
    if all || which == Some("render") {
        print("render_p99_us", render_p99_us(), "µs");
        let mut startups = Vec::new();
        for _ in 0..runs {
            match startup_first_frame_ms() {
                Ok(ms) => startups.push(ms),
                Err(e) => {
                    eprintln!("startup_first_frame_ms skipped: {e:#}");
                    break;
                }
            }
        }
        if !startups.is_empty() {
            print("startup_first_frame_ms", median_of(startups), "ms");
        }
        ran = true;
    }
    if !ran {
        anyhow::bail!(
            "unknown benchmark {:?}: choose store, pipeline, scheduler, e2e, render or all",
            which.unwrap_or("")
        );
    }
    Ok(())
}

fn print(metric: &str, value: f64, unit: &str) {
    println!("{metric} {value:.0} {unit}");
}

fn median(runs: usize, f: impl Fn() -> f64) -> f64 {
    median_of((0..runs).map(|_| f()).collect())
}

fn median_of(mut values: Vec<f64>) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    values.get(values.len() / 2).copied().unwrap_or(0.0)
}

/// Puts of ~2 KiB values into the in-memory store, one writer, over 10,000 keys. Each put
/// carries a freshly allocated value, as an encoded object would be.
fn store_writes_per_s() -> f64 {
    const WRITES: usize = 200_000;
    let store = MemoryBackend::new();
    let template = vec![b'x'; 2048];
    let keys: Vec<String> = (0..10_000)
        .map(|i| format!("/registry/pods/default/pod-{i:05}"))
        .collect();
    let start = Instant::now();
    for i in 0..WRITES {
        let key = keys[i % keys.len()].clone();
        let _ = store.txn(Txn {
            compare: vec![],
            success: vec![Op::Put {
                key,
                value: Bytes::copy_from_slice(&template),
            }],
            failure: vec![],
        });
    }
    WRITES as f64 / start.elapsed().as_secs_f64()
}

/// Pod creates through the whole in-process pipeline: authn, authz, admission, field
/// validation, defaulting, validation, managedFields and the store — from `clients`
/// concurrent clients (each its own task, as kubectl sessions and controllers are).
async fn pipeline_creates_per_s(clients: usize) -> Result<f64> {
    const CREATES: usize = 6_000;
    let cluster = Cluster::embedded(1, 1.0).await?;
    let pod = |i: usize| {
        json!({
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": format!("web-{i}"), "labels": {"app": "web"}},
            "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27", "ports": [{"containerPort": 80}],
                      "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}, "limits": {"cpu": "200m", "memory": "128Mi"}}}]},
        })
    };
    let clients = clients.max(1);
    let batches: Vec<Vec<serde_json::Value>> = (0..clients)
        .map(|c| {
            (0..CREATES / clients)
                .map(|i| pod(c * CREATES + i))
                .collect()
        })
        .collect();
    let start = Instant::now();
    let mut tasks = Vec::new();
    for batch in batches {
        let client = cluster.admin_client();
        tasks.push(tokio::spawn(async move {
            for body in &batch {
                client
                    .create(
                        "/api/v1/namespaces/default/pods?fieldValidation=Strict",
                        body,
                    )
                    .await
                    .map_err(|e| anyhow::anyhow!("create failed: {}", e.message))?;
            }
            Ok::<usize, anyhow::Error>(batch.len())
        }));
    }
    let mut created = 0;
    for task in tasks {
        created += task.await??;
    }
    Ok(created as f64 / start.elapsed().as_secs_f64())
}

/// The scheduler as a component, live, with no simulated delays: `pods` pending pods (created
/// first through the API) and `nodes` nodes (registered as kubelets would, but with no kubelet
/// running); the clock starts when the scheduler does and stops when the last pod is bound
/// through `pods/binding`.
async fn scheduler_pods_per_s(pods: usize, nodes: usize, recording: bool) -> Result<f64> {
    let cluster = Cluster::embedded(1, 1.0).await?;
    let admin = cluster.admin_client();
    for i in 1..=nodes {
        let machine = crate::node::node_object::Machine::worker(i);
        let node = crate::node::node_object::node(&machine, "2026-01-01T00:00:00Z", json!([]));
        admin
            .create("/api/v1/nodes", &node)
            .await
            .map_err(|e| anyhow::anyhow!("creating node {i}: {}", e.message))?;
    }
    for i in 0..pods {
        let pod = json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": format!("pending-{i}"), "labels": {"app": "pending"}},
            "spec": {"containers": [{"name": "app", "image": "nginx:1.27",
                      "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}, "limits": {"cpu": "10m", "memory": "16Mi"}}}]},
        });
        admin
            .create("/api/v1/namespaces/default/pods", &pod)
            .await
            .map_err(|e| anyhow::anyhow!("creating pod {i}: {}", e.message))?;
    }
    let decisions = crate::scheduler::run::SharedDecisions::default();
    cluster.flow.set_recording(recording);
    let launched = Instant::now();
    let scheduler = tokio::spawn(crate::scheduler::run::run(
        cluster.client(
            crate::cluster::scheduler_identity(),
            "kube-scheduler/v1.32.4 kubernetes/podflow/scheduler",
        ),
        cluster.flow.clone(),
        1,
        decisions.clone(),
    ));
    // A benchmark may look at the wall: it polls the count every millisecond. Like
    // scheduler_perf's throughput, the clock runs from the first binding (the scheduler's
    // informers have listed everything by then) to the last.
    let bound = || decisions.lock().map(|d| d.bound()).unwrap_or(0);
    let deadline = launched + std::time::Duration::from_secs(600);
    let wait = |target: u64| async move {
        while bound() < target {
            if Instant::now() > deadline {
                anyhow::bail!("the scheduler did not bind {target} pods in 10 minutes");
            }
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
        Ok(())
    };
    wait(1).await?;
    let start = Instant::now();
    let first = bound();
    wait(pods as u64).await?;
    let rate = (pods as u64 - first) as f64 / start.elapsed().as_secs_f64();
    scheduler.abort();
    Ok(rate)
}

/// The e2e figure's size (`PODFLOW_E2E=replicas,nodes` scales it down to look at a trend).
const E2E_REPLICAS: usize = 10_000;
const E2E_NODES: usize = 1_000;

/// Wall seconds from applying a Deployment of `replicas` on `nodes` workers to all its pods
/// Ready, with no simulated delays — the whole cluster runs on a paused clock that jumps to
/// the next timer whenever every component is idle (image pulls and the like take no wall
/// time) — and the process's peak resident memory (MiB) at the end.
fn e2e_pods_ready(replicas: usize, nodes: usize) -> Result<(f64, f64)> {
    let (replicas, nodes) = match std::env::var("PODFLOW_E2E") {
        Ok(v) => {
            let mut parts = v.split(',').filter_map(|p| p.trim().parse::<usize>().ok());
            (
                parts.next().unwrap_or(replicas),
                parts.next().unwrap_or(nodes),
            )
        }
        Err(_) => (replicas, nodes),
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let clock = crate::clock::Clock::paused_at(crate::api::time::now_unix_ms());
        let cluster = Cluster::embedded_with_nodes(1, nodes, clock).await?;
        let admin = cluster.admin_client();
        let all_nodes = nodes + 1;
        // The waits read the store as an observer: no request of theirs adds to the work.
        let store = cluster.api.objects();
        let registered = cluster
            .run_until(std::time::Duration::from_secs(600), || async {
                crate::trace::nodes_ready(store) >= all_nodes
            })
            .await;
        anyhow::ensure!(registered, "the {all_nodes} nodes did not become Ready");
        let deployment = json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "e2e"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "e2e"}},
                     "template": {"metadata": {"labels": {"app": "e2e"}},
                                  "spec": {"containers": [{"name": "app", "image": "nginx:1.27",
                                           "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}}}]}}},
        });
        let start = Instant::now();
        admin
            .create("/apis/apps/v1/namespaces/default/deployments", &deployment)
            .await
            .map_err(|e| anyhow::anyhow!("creating the deployment: {}", e.message))?;
        let ready = cluster
            .run_until(std::time::Duration::from_secs(3_600), || async {
                store
                    .get(&crate::api::kinds::DEPLOYMENTS, Some("default"), "e2e")
                    .ok()
                    .flatten()
                    .and_then(|d| d.pointer("/status/readyReplicas").and_then(|n| n.as_u64()))
                    == Some(replicas as u64)
            })
            .await;
        anyhow::ensure!(ready, "the {replicas} pods did not all become Ready");
        let seconds = start.elapsed().as_secs_f64();
        Ok((seconds, peak_rss_mib()))
    })
}

/// The process's peak resident set (`VmHWM`), MiB.
fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

/// p99 of drawing the whole screen at 200×50 with 10,000 hops in the timeline (µs), over
/// 2,000 frames that move through the history (so the timeline's window moves too).
fn render_p99_us() -> f64 {
    use crate::flow::{Conductor, Detail, Hop, HopKind};
    use crate::tui::app::{App, Endpoint};
    use crate::tui::theme::{Theme, ThemeName};
    let clock = std::sync::Arc::new(crate::clock::Clock::paused_at(0));
    let mut app = App::new(
        std::sync::Arc::new(Conductor::new(clock.clone())),
        clock,
        Endpoint {
            api: "https://127.0.0.1:6443".into(),
            kubeconfig: "/home/you/.local/state/podflow/kubeconfig".into(),
        },
        Theme::new(ThemeName::Dark),
    );
    app.nodes = (0..4)
        .map(|i| {
            if i == 0 {
                "control-plane".to_string()
            } else {
                format!("node-{i}")
            }
        })
        .collect();
    for n in 0..10_000u64 {
        let kind = HopKind::ALL[(n as usize) % HopKind::ALL.len()];
        let mut hop = Hop::new(
            ["kubectl", "apiserver", "scheduler", "kubelet"][(n % 4) as usize],
            ["apiserver", "etcd", "cri", "authz"][(n % 4) as usize],
            kind,
            format!("POST /api/v1/namespaces/default/pods/web-{n}/binding: a hop of the flow with its summary"),
        )
        .on_node(format!("node-{}", n % 3 + 1))
        .object(Some(crate::flow::ObjectRef {
            kind: "Pod".into(),
            namespace: Some("default".into()),
            name: format!("web-{}", n % 50),
            uid: None,
        }))
        .rev(n as i64)
        .detail(Detail::Request {
            verb: "POST",
            path: format!("/api/v1/namespaces/default/pods/web-{n}"),
            user_agent: "kubectl/v1.32.4".into(),
        });
        hop.seq = n + 1;
        hop.t_ms = n as i64 * 3;
        app.push(std::sync::Arc::new(hop));
    }
    // The object pane shows a pod at each hop's revision (a different one every frame, so its
    // YAML is highlighted anew each time: the worst case).
    app.objects = Some(std::sync::Arc::new(BenchObjects));
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(200, 50))
        .expect("a test terminal");
    let mut times = Vec::with_capacity(2_000);
    for frame in 0..2_000usize {
        app.selected = Some(10_000 - 1 - (frame * 4) % 10_000);
        let start = Instant::now();
        let _ = terminal.draw(|f| crate::tui::view::draw(f, &app));
        times.push(start.elapsed().as_secs_f64() * 1e6);
    }
    times.sort_by(f64::total_cmp);
    times[(times.len() * 99) / 100]
}

/// A running pod, as the store would give it, at any revision.
struct BenchObjects;

impl crate::tui::objects::ObjectSource for BenchObjects {
    fn at(
        &self,
        object: &crate::flow::ObjectRef,
        revision: Option<i64>,
    ) -> Option<crate::tui::objects::Revisions> {
        let revision = revision.unwrap_or(1);
        let pod = |rv: i64, phase: &str| {
            json!({
                "apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": object.name, "namespace": "default", "resourceVersion": rv.to_string(),
                             "labels": {"app": "web"}, "managedFields": [{"manager": "kubectl"}, {"manager": "kubelet"}]},
                "spec": {"nodeName": "node-1", "containers": [{"name": "nginx", "image": "nginx:1.27",
                         "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}}}]},
                "status": {"phase": phase, "podIP": "10.244.1.2", "conditions": [
                    {"type": "Ready", "status": "True", "lastTransitionTime": "2026-01-01T00:00:02Z"},
                    {"type": "PodScheduled", "status": "True", "lastTransitionTime": "2026-01-01T00:00:01Z"}]},
            })
        };
        Some(crate::tui::objects::Revisions {
            current: pod(revision, "Running"),
            previous: Some(pod(revision - 1, "Pending")),
            revision,
        })
    }
}

/// Milliseconds from `podflow` starting (release build, fresh state dir) to its first frame
/// drawn, in a real terminal (tmux): the UI writes the figure to the file named by
/// `PODFLOW_FIRST_FRAME_FILE` once it has drawn.
fn startup_first_frame_ms() -> Result<f64> {
    use std::process::Command;
    let state = tempfile_dir()?;
    let report = state.join("first-frame-ms");
    static RUN: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let socket = format!(
        "podflow-bench-{}-{}",
        std::process::id(),
        RUN.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    let exe = std::env::current_exe()?;
    let command = format!(
        "PODFLOW_FIRST_FRAME_FILE={} {} --port 0 --state-dir {}",
        report.display(),
        exe.display(),
        state.display()
    );
    let started = Command::new("tmux")
        .args([
            "-L",
            &socket,
            "new-session",
            "-d",
            "-x",
            "160",
            "-y",
            "48",
            &command,
        ])
        .status()?;
    anyhow::ensure!(started.success(), "tmux could not start podflow");
    let deadline = Instant::now() + std::time::Duration::from_secs(60);
    let ms = loop {
        if let Ok(text) = std::fs::read_to_string(&report)
            && let Ok(ms) = text.trim().parse::<f64>()
        {
            break Ok(ms);
        }
        if Instant::now() > deadline {
            break Err(anyhow::anyhow!("podflow drew no frame within 60 s"));
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    };
    let _ = Command::new("tmux")
        .args(["-L", &socket, "kill-server"])
        .status();
    let _ = std::fs::remove_dir_all(&state);
    ms
}

fn tempfile_dir() -> Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!(
        "podflow-bench-{}-{}",
        std::process::id(),
        Instant::now().elapsed().as_nanos()
    ));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
