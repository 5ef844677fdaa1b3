//! `podflow trace`: golden traces, compared byte for byte, and the order of a single pod's
//! flow.
//!
//! To refresh the golden files after a deliberate change of the flow:
//!
//! ```sh
//! PODFLOW_BLESS=1 cargo test --test trace
//! ```
//!
//! then read the diff (`git diff tests/golden`) before committing it.

use podflow::trace::{Format, Output, TraceOptions, Until};
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Buffer {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).expect("UTF-8")
    }
    fn output(&self) -> Output {
        Arc::new(Mutex::new(Box::new(self.clone())))
    }
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs a trace from the repository root (paths in the output are relative, as a user types
/// them); returns (exit code, stdout, stderr).
fn trace(files: &[&str], format: Format, until: Until) -> (i32, String, String) {
    let (out, err) = (Buffer::default(), Buffer::default());
    let options = TraceOptions {
        files: files.iter().map(PathBuf::from).collect(),
        scenario: None,
        format,
        until,
        timeout_s: 600,
        seed: 1,
        nodes: 3,
    };
    let cwd = std::env::current_dir().expect("cwd");
    assert_eq!(
        cwd,
        root(),
        "cargo runs integration tests from the crate root"
    );
    let code = podflow::trace::run(options, out.output(), err.output()).expect("trace runs");
    (code, out.text(), err.text())
}

fn golden(name: &str, actual: &str) {
    let path = root().join("tests/golden").join(name);
    if std::env::var_os("PODFLOW_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "{} is missing: run PODFLOW_BLESS=1 cargo test --test trace",
            path.display()
        )
    });
    if expected != actual {
        let line = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(expected.lines().count().min(actual.lines().count()));
        panic!(
            "{name} differs from the golden trace at line {}:\n  golden: {:?}\n  actual: {:?}\n(refresh with PODFLOW_BLESS=1 cargo test --test trace, then read the diff)",
            line + 1,
            expected.lines().nth(line),
            actual.lines().nth(line)
        );
    }
}

#[test]
fn the_pod_trace_is_golden() {
    let (code, out, err) = trace(&["manifests/pod.yaml"], Format::Text, Until::Ready);
    assert_eq!(code, 0, "{err}");
    assert!(err.starts_with("pod/web created\n"), "{err}");
    assert!(
        err.ends_with("hops over 2.5s of sim time, none dropped\n"),
        "{err}"
    );
    golden("pod.txt", &out);
}

#[test]
fn the_deployment_trace_is_golden_and_the_same_every_run() {
    let (code, first, err) = trace(&["manifests/deployment.yaml"], Format::Text, Until::Ready);
    assert_eq!(code, 0, "{err}");
    let (_, second, _) = trace(&["manifests/deployment.yaml"], Format::Text, Until::Ready);
    assert!(first == second, "two runs under one seed differ");
    golden("deployment.txt", &first);
}

#[test]
fn a_single_pod_flows_in_the_order_a_teacher_draws_it() {
    let (code, out, err) = trace(&["manifests/pod.yaml"], Format::Json, Until::Ready);
    assert_eq!(code, 0, "{err}");
    let hops: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object a line"))
        .collect();
    for hop in &hops {
        for key in [
            "seq", "t_ms", "from", "to", "node", "kind", "object", "rev", "summary",
        ] {
            assert!(hop.get(key).is_some(), "{key} in {hop}");
        }
    }
    // Each stop of the flow, found after the one before it.
    let kind = |k: &'static str| move |h: &Value| h["kind"] == k;
    type Stop<'a> = (&'a str, Box<dyn Fn(&Value) -> bool>);
    let stops: Vec<Stop> = vec![
        ("kubectl", Box::new(kind("manifest_parsed"))),
        (
            "POST to the apiserver",
            Box::new(|h: &Value| {
                h["kind"] == "request_received"
                    && h["from"] == "kubectl"
                    && h["detail"]["verb"] == "POST"
            }),
        ),
        ("authn", Box::new(kind("authenticated"))),
        ("authz", Box::new(kind("authorized"))),
        ("admission", Box::new(kind("admission_mutating"))),
        (
            "etcd",
            Box::new(|h: &Value| h["kind"] == "stored" && h["to"] == "etcd"),
        ),
        ("scheduler", Box::new(kind("scored"))),
        (
            "bind",
            Box::new(|h: &Value| {
                h["kind"] == "request_received"
                    && h["summary"].as_str().unwrap_or("").ends_with("/binding")
            }),
        ),
        ("bound", Box::new(kind("bound"))),
        ("kubelet", Box::new(kind("pod_admitted"))),
        ("cri", Box::new(kind("sandbox_created"))),
        ("cni", Box::new(kind("ip_assigned"))),
        ("container started", Box::new(kind("container_started"))),
        (
            "status Running",
            Box::new(|h: &Value| {
                h["kind"] == "status_patched" && h["detail"]["phase"] == "Running"
            }),
        ),
        (
            "Ready",
            Box::new(|h: &Value| h["kind"] == "status_patched" && h["detail"]["ready"] == true),
        ),
    ];
    let mut at = 0;
    let mut kubelet_hop = None;
    for (what, test) in &stops {
        let found = hops[at..]
            .iter()
            .position(test)
            .unwrap_or_else(|| panic!("no {what} hop after hop {}", at + 1));
        at += found;
        if *what == "kubelet" {
            kubelet_hop = Some(&hops[at]);
        }
        // The status that says Running may say Ready too.
        if *what != "status Running" {
            at += 1;
        }
    }
    let on_node = kubelet_hop.expect("the kubelet's hop");
    assert!(on_node["node"].as_str().unwrap().starts_with("node-"));
    // Sequence numbers count from 1, with no gap; time never goes back.
    let seqs: Vec<u64> = hops.iter().map(|h| h["seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs, (1..=hops.len() as u64).collect::<Vec<_>>());
    let times: Vec<i64> = hops.iter().map(|h| h["t_ms"].as_i64().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]));
}

#[test]
fn mermaid_declares_every_participant_it_uses() {
    let (code, out, _) = trace(&["manifests/pod.yaml"], Format::Mermaid, Until::Running);
    assert_eq!(code, 0);
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some("sequenceDiagram"));
    let declared: Vec<&str> = out
        .lines()
        .filter_map(|l| l.trim().strip_prefix("participant "))
        .filter_map(|l| l.split(' ').next())
        .collect();
    for message in out.lines().filter(|l| l.contains("->>")) {
        let (from, rest) = message.trim().split_once("->>").unwrap();
        let to = rest.split(':').next().unwrap();
        assert!(declared.contains(&from), "{from} undeclared");
        assert!(declared.contains(&to), "{to} undeclared");
    }
}

#[test]
fn a_refused_manifest_exits_1_with_kubectls_message() {
    let (code, out, err) = trace(&["manifests/invalid.yaml"], Format::Text, Until::Ready);
    assert_eq!(code, 1);
    assert!(
        err.starts_with(
            "The Pod \"invalid\" is invalid: spec.containers[0].image: Required value\n"
        ),
        "{err}"
    );
    assert!(out.contains("[invalid]"), "the refusal is a hop: {out}");
}

#[test]
fn an_unschedulable_pod_is_not_ready_by_the_timeout() {
    let (out, err) = (Buffer::default(), Buffer::default());
    let options = TraceOptions {
        files: vec![PathBuf::from("manifests/unschedulable.yaml")],
        scenario: None,
        format: Format::Text,
        until: Until::Scheduled,
        timeout_s: 30,
        seed: 1,
        nodes: 3,
    };
    let code = podflow::trace::run(options, out.output(), err.output()).unwrap();
    assert_eq!(code, 1);
    assert!(
        err.text().contains("not scheduled within 30 s"),
        "{}",
        err.text()
    );
    assert!(
        out.text().contains("0/4 nodes are available"),
        "FailedScheduling is in the trace"
    );
}

fn scenario(name: &str) -> (i32, String, String) {
    let (out, err) = (Buffer::default(), Buffer::default());
    let options = TraceOptions {
        files: Vec::new(),
        scenario: Some(PathBuf::from(format!("manifests/scenarios/{name}.yaml"))),
        format: Format::Text,
        until: Until::Ready,
        timeout_s: 600,
        seed: 1,
        nodes: 3,
    };
    let code = podflow::trace::run(options, out.output(), err.output()).expect("trace runs");
    (code, out.text(), err.text())
}

#[test]
fn every_shipped_scenario_runs_to_its_end() {
    let shipped: Vec<String> = std::fs::read_dir(root().join("manifests/scenarios"))
        .expect("the scenarios folder")
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().to_string();
            name.strip_suffix(".yaml").map(str::to_string)
        })
        .collect();
    for name in [
        "single-pod",
        "deployment-of-three",
        "unschedulable",
        "node-dies",
    ] {
        assert!(shipped.iter().any(|s| s == name), "{name} is shipped");
    }
    for name in shipped.iter().filter(|n| *n != "node-dies") {
        let (code, out, err) = scenario(name);
        assert_eq!(code, 0, "{name}: {err}");
        assert!(out.starts_with("# "), "{name} starts with its title");
    }
}

#[test]
fn a_dead_node_is_noticed_tainted_and_its_pods_replaced() {
    let (code, out, err) = scenario("node-dies");
    assert_eq!(code, 0, "{err}");
    let position = |needle: &str| {
        out.lines()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("{needle} in the trace"))
    };
    let down = position("[fault_injected] node-2 goes down");
    let unknown = position("[node_health_changed] node node-2");
    let evicted = position("[pod_evicted]");
    let replaced = out
        .lines()
        .enumerate()
        .skip(evicted)
        .position(|(_, l)| l.contains("[reconciled] ReplicaSet") && l.contains("create pod ×1"))
        .expect("the ReplicaSet replaces the evicted pod");
    assert!(
        down < unknown && unknown < evicted,
        "{down} {unknown} {evicted}"
    );
    assert!(replaced > 0);
    // Cut off, node-2's kubelet is heard no more.
    let after: Vec<&str> = out.lines().skip(down + 1).collect();
    assert!(
        !after.iter().any(|l| l.contains("kubelet(node-2) →")),
        "node-2 spoke after it went down"
    );
    // The grace period and the toleration, in sim time: Unknown after 50 s, eviction after
    // 300 s more.
    let time_of = |line: usize| -> i64 {
        let t = out.lines().nth(line).unwrap().split(' ').nth(1).unwrap();
        let (m, s) = t.trim_start_matches('+').split_once(':').unwrap();
        m.parse::<i64>().unwrap() * 60_000 + (s.parse::<f64>().unwrap() * 1000.0) as i64
    };
    let grace = time_of(unknown) - time_of(down);
    assert!(
        (50_000..=60_000).contains(&grace),
        "Unknown after {grace} ms"
    );
    let toleration = time_of(evicted) - time_of(unknown);
    assert!(
        (300_000..=310_000).contains(&toleration),
        "evicted after {toleration} ms"
    );
}
