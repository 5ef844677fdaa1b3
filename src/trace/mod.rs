//! `podflow trace`: boots an embedded cluster headless, applies manifests (or runs a
//! scenario) with podflow's kubectl, runs the cluster in live mode on sim time as fast as the
//! machine allows, and prints every hop — as text, JSON lines or a Mermaid sequence diagram.
//! Under a fixed `--seed` the output is byte-identical from run to run: the cluster runs on a
//! current-thread runtime with no real I/O, on a paused clock that starts at a fixed instant
//! and jumps to the next timer whenever every component is idle.

mod format;
pub mod scenario;
mod until;

pub use format::Format;
pub use until::{Until, met as until_met, nodes_ready};

use crate::clock::Clock;
use crate::cluster::Cluster;
use crate::kubectl::{self, Kubectl, manifest::ManifestObject};
use anyhow::Result;
use scenario::{Scenario, StepAction};
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Where sim time starts in a trace: 2026-01-01T00:00:00Z, so timestamps repeat exactly.
pub const TRACE_START_MS: i64 = 1_767_225_600_000;

pub struct TraceOptions {
    pub files: Vec<PathBuf>,
    pub scenario: Option<PathBuf>,
    pub format: Format,
    pub until: Until,
    /// Sim seconds the condition may take.
    pub timeout_s: u64,
    pub seed: u64,
    pub nodes: usize,
}

/// What the trace prints to: stdout, or a buffer in tests.
pub type Output = Arc<Mutex<Box<dyn Write + Send>>>;

/// Runs a trace; returns the exit code (0 met, 1 not met or refused). Hops go to `out`,
/// kubectl's own lines and errors to `err`.
pub fn run(options: TraceOptions, out: Output, err: Output) -> Result<i32> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let code = rt.block_on(trace(options, out.clone(), err.clone()));
    flush(&out);
    flush(&err);
    // Watches and component loops end with the runtime; do not wait for them.
    rt.shutdown_background();
    code
}

fn flush(output: &Output) {
    let _ = output.lock().unwrap_or_else(|e| e.into_inner()).flush();
}

fn say(output: &Output, line: &str) {
    let mut output = output.lock().unwrap_or_else(|e| e.into_inner());
    let _ = writeln!(output, "{line}");
}

async fn trace(options: TraceOptions, out: Output, err: Output) -> Result<i32> {
    let scenario = match &options.scenario {
        Some(path) => Some(Scenario::load(path).map_err(|e| anyhow::anyhow!(e))?),
        None => None,
    };
    let clock = Clock::paused_at(TRACE_START_MS);
    let pki = crate::apiserver::pki::Pki::ephemeral()?;
    let cluster = Cluster::embedded_with_pki(options.seed, options.nodes, clock, &pki).await?;
    let store = cluster.api.objects();
    let machines = options.nodes + 1;
    let booted = cluster
        .run_until(Duration::from_secs(120), || async {
            until::nodes_ready(store) >= machines
        })
        .await;
    anyhow::ensure!(booted, "the {machines} nodes did not become Ready");
    cluster.settle().await;

    // kubectl's connection (the TLS handshake) is made before the trace starts.
    let kubectl = Kubectl::new(
        kubectl::Https::connect(cluster.api.clone(), &pki).await?,
        cluster.flow.clone(),
    );
    // From here on every hop is printed, numbered from 1, timed from the first.
    let base_seq = cluster.flow.count();
    let origin = cluster.clock.now_ms();
    let nodes = cluster.node_names();
    let mut printer = format::Printer::new(options.format, base_seq, origin, out.clone());
    printer.header(&nodes, scenario.as_ref().map(|s| s.title.as_str()));
    let printer = Arc::new(Mutex::new(printer));
    {
        let printer = printer.clone();
        cluster.flow.add_sink(move |hop| {
            printer.lock().unwrap_or_else(|e| e.into_inner()).hop(hop);
        });
    }

    let steps = match scenario {
        Some(scenario) => scenario.steps,
        None => {
            let mut steps: Vec<StepAction> = options
                .files
                .iter()
                .map(|f| StepAction::Apply(f.clone()))
                .collect();
            if options.until == Until::Deleted {
                steps.push(StepAction::Wait {
                    until: Until::Ready,
                    timeout_s: None,
                });
                steps.extend(options.files.iter().map(|f| StepAction::Delete(f.clone())));
            }
            steps.push(StepAction::Wait {
                until: options.until,
                timeout_s: None,
            });
            steps
        }
    };

    let mut applied: Vec<ManifestObject> = Vec::new();
    let code = run_steps(
        &cluster,
        &kubectl,
        steps,
        &options,
        &printer,
        &err,
        &mut applied,
    )
    .await?;
    // The trace streams every hop as it happens and keeps none: its memory does not grow with
    // the run. Say how much there was.
    let hops = cluster.flow.count() - base_seq;
    say(
        &err,
        &format!(
            "podflow trace: {hops} hops over {} of sim time, none dropped",
            crate::flow::format_span(cluster.clock.now_ms() - origin)
        ),
    );
    Ok(code)
}

async fn run_steps(
    cluster: &Cluster,
    kubectl: &Kubectl,
    steps: Vec<StepAction>,
    options: &TraceOptions,
    printer: &Mutex<format::Printer>,
    err: &Output,
    applied: &mut Vec<ManifestObject>,
) -> Result<i32> {
    let store = cluster.api.objects();
    for step in steps {
        match step {
            StepAction::Note(text) => printer
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .note(&text),
            StepAction::Apply(path) => match kubectl.apply_file(&path).await {
                Ok(done) => {
                    for object in done {
                        say(err, &object.line());
                        applied.retain(|o| o.path() != object.object.path());
                        applied.push(object.object);
                    }
                }
                Err(message) => {
                    say(err, &message);
                    return Ok(1);
                }
            },
            StepAction::Delete(path) => match kubectl.delete_file(&path).await {
                Ok(lines) => {
                    for line in lines {
                        say(err, &line);
                    }
                }
                Err(message) => {
                    say(err, &message);
                    return Ok(1);
                }
            },
            StepAction::Scale {
                resource,
                name,
                replicas,
            } => {
                let Some(object) = applied.iter().find(|o| {
                    o.name == name && (o.rt.singular == resource || o.rt.plural == resource)
                }) else {
                    say(
                        err,
                        &format!(
                            "Error from server (NotFound): {resource} \"{name}\" not found (apply it first)"
                        ),
                    );
                    return Ok(1);
                };
                match kubectl.scale(object, replicas).await {
                    Ok(line) => say(err, &line),
                    Err(message) => {
                        say(err, &message);
                        return Ok(1);
                    }
                }
            }
            StepAction::Sleep(seconds) => {
                cluster
                    .run_until(Duration::from_secs(seconds), || async { false })
                    .await;
            }
            StepAction::Node { name, up } => {
                if let Err(message) = cluster.set_node_up(&name, up).await {
                    say(err, &format!("error: {message}"));
                    return Ok(1);
                }
            }
            StepAction::Wait { until, timeout_s } => {
                let within = Duration::from_secs(timeout_s.unwrap_or(options.timeout_s));
                let met = cluster
                    .run_until(within, || async { until::met(store, applied, until) })
                    .await;
                if !met {
                    say(
                        err,
                        &format!(
                            "podflow trace: not {} within {} s of sim time",
                            until.as_str(),
                            within.as_secs()
                        ),
                    );
                    return Ok(1);
                }
            }
        }
    }
    Ok(0)
}
