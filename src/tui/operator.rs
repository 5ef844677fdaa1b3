//! Carries out what the command line, the picker and the fault palette ask for, as kubectl
//! would — over HTTPS to podflow's own API server, so every request is a hop on the screen and
//! waits for its step like any other — and reports back kubectl's own lines. Scenarios run
//! here too, step by step, at the pace of the conductor.

use super::command::Command;
use crate::cluster::Cluster;
use crate::kubectl::Kubectl;
use crate::kubectl::manifest::ManifestObject;
use crate::trace::scenario::{Scenario, StepAction};
use serde_json::json;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedSender;

/// A line for the UI: kubectl's output, an error as kubectl prints it, or a lesson's note.
#[derive(Debug, Clone, PartialEq)]
pub enum Report {
    Done(String),
    Failed(String),
    Note(String),
}

/// How often a scenario's `wait` looks at the store again (wall time).
const WAIT_POLL: Duration = Duration::from_millis(50);

pub async fn run(
    cluster: &Cluster,
    kubectl: Option<&Kubectl>,
    command: Command,
    report: UnboundedSender<Report>,
) {
    let say = |r: Report| {
        let _ = report.send(r);
    };
    let Some(kubectl) = kubectl else {
        say(Report::Failed(
            "error: podflow's kubectl has no credentials for this cluster".into(),
        ));
        return;
    };
    match command {
        Command::Scenario(path) => match Scenario::load(&path) {
            Ok(scenario) => play(cluster, kubectl, scenario, &say).await,
            Err(e) => say(Report::Failed(format!("error: {e}"))),
        },
        other => {
            let mut applied = Vec::new();
            match one(cluster, kubectl, other, &mut applied).await {
                Ok(lines) => say(Report::Done(lines.join("; "))),
                Err(e) => say(Report::Failed(e)),
            }
        }
    }
}

/// One command; kubectl's lines, or its error.
async fn one(
    cluster: &Cluster,
    kubectl: &Kubectl,
    command: Command,
    applied: &mut Vec<ManifestObject>,
) -> Result<Vec<String>, String> {
    match command {
        Command::Apply(path) => {
            let done = kubectl.apply_file(&path).await?;
            Ok(done
                .into_iter()
                .map(|a| {
                    let line = a.line();
                    applied.retain(|o| o.path() != a.object.path());
                    applied.push(a.object);
                    line
                })
                .collect())
        }
        Command::DeleteFile(path) => kubectl.delete_file(&path).await,
        Command::Delete { rt, name } => {
            let object = named(rt, &name);
            kubectl.delete(&object).await.map(|line| vec![line])
        }
        Command::Scale { rt, name, replicas } => {
            let object = applied
                .iter()
                .find(|o| o.rt == rt && o.name == name)
                .cloned()
                .unwrap_or_else(|| named(rt, &name));
            kubectl.scale(&object, replicas).await.map(|l| vec![l])
        }
        Command::Node { name, up } => {
            cluster
                .set_node_up(&name, up)
                .await
                .map_err(|e| format!("error: {e}"))?;
            Ok(vec![format!(
                "{name} {}",
                if up {
                    "is back on the network"
                } else {
                    "is down"
                }
            )])
        }
        Command::Scenario(_) | Command::Mode(_) | Command::Speed(_) => Ok(Vec::new()),
    }
}

/// An object named on the command line, in the default namespace.
fn named(rt: &'static crate::api::kinds::ResourceType, name: &str) -> ManifestObject {
    ManifestObject {
        object: json!({}),
        rt,
        namespace: rt.namespaced.then(|| "default".to_string()),
        name: name.to_string(),
    }
}

/// Plays a scenario: its notes go to the narration, its commands run as above, its waits
/// follow the cluster (in step mode they wait for the steps, and sim time, frozen, never runs
/// out).
async fn play(cluster: &Cluster, kubectl: &Kubectl, scenario: Scenario, say: &impl Fn(Report)) {
    say(Report::Note(scenario.title.clone()));
    let store = cluster.api.objects();
    let mut applied: Vec<ManifestObject> = Vec::new();
    let total = scenario.steps.len();
    for (i, step) in scenario.steps.into_iter().enumerate() {
        let command = match step {
            StepAction::Note(text) => {
                say(Report::Note(text));
                continue;
            }
            StepAction::Apply(path) => Command::Apply(path),
            StepAction::Delete(path) => Command::DeleteFile(path),
            StepAction::Scale {
                resource,
                name,
                replicas,
            } => match super::command::resource(&resource) {
                Some(rt) => Command::Scale { rt, name, replicas },
                None => {
                    say(Report::Failed(format!(
                        "error: the server doesn't have a resource type \"{resource}\""
                    )));
                    return;
                }
            },
            StepAction::Node { name, up } => Command::Node { name, up },
            StepAction::Sleep(seconds) => {
                cluster
                    .clock
                    .clone()
                    .sleep(Duration::from_secs(seconds))
                    .await;
                continue;
            }
            StepAction::Wait { until, timeout_s } => {
                let clock = &cluster.clock;
                let deadline = clock.now_ms() + 1000 * timeout_s.unwrap_or(600) as i64;
                while !crate::trace::until_met(store, &applied, until) {
                    if clock.now_ms() > deadline {
                        say(Report::Failed(format!(
                            "scenario {:?}: not {} in time (step {}/{total})",
                            scenario.title,
                            until.as_str(),
                            i + 1
                        )));
                        return;
                    }
                    crate::clock::wall_sleep(WAIT_POLL).await;
                }
                say(Report::Done(format!(
                    "{} ({}/{total})",
                    until.as_str(),
                    i + 1
                )));
                continue;
            }
        };
        match one(cluster, kubectl, command, &mut applied).await {
            Ok(lines) => say(Report::Done(format!(
                "{} ({}/{total})",
                lines.join("; "),
                i + 1
            ))),
            Err(e) => {
                say(Report::Failed(e));
                return;
            }
        }
    }
    say(Report::Note(format!(
        "{} — the lesson is over",
        scenario.title
    )));
}
