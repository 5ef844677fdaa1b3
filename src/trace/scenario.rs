//! Scenarios: a lesson as data. A title, then steps run in order — apply a file, wait for a
//! condition, scale, delete, and narration notes:
//!
//! ```yaml
//! title: A deployment of three
//! steps:
//!   - note: The Deployment object is stored first; nothing runs yet.
//!   - apply: ../deployment.yaml        # paths are relative to the scenario file
//!   - wait: ready                      # scheduled | running | ready | deleted
//!   - scale: {deployment: web, replicas: 5}
//!   - wait: {until: ready, timeout: 120}
//!   - delete: ../deployment.yaml
//!   - fault: {node-down: node-2}       # or {node-up: node-2}
//!   - sleep: 60                        # sim seconds
//! ```
//!
//! `podflow trace --scenario FILE` runs them headless; the TUI's auto-play runs the same.

use super::Until;
use serde_json::Value;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq)]
pub enum StepAction {
    Note(String),
    Apply(PathBuf),
    Delete(PathBuf),
    Wait {
        until: Until,
        timeout_s: Option<u64>,
    },
    Scale {
        resource: String,
        name: String,
        replicas: u64,
    },
    /// Let sim time pass (the cluster runs on).
    Sleep(u64),
    /// Take a node off the network (`up: false`) or bring it back.
    Node {
        name: String,
        up: bool,
    },
}

#[derive(Debug, Clone)]
pub struct Scenario {
    pub title: String,
    pub description: Option<String>,
    pub steps: Vec<StepAction>,
}

impl Scenario {
    pub fn load(path: &Path) -> Result<Scenario, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read scenario {}: {e}", path.display()))?;
        let base = path.parent().unwrap_or(Path::new("."));
        Scenario::parse(&text, base).map_err(|e| format!("scenario {}: {e}", path.display()))
    }

    /// Parses a scenario; relative file paths are taken from `base`.
    pub fn parse(text: &str, base: &Path) -> Result<Scenario, String> {
        let doc: Value = serde_yaml::from_str(text).map_err(|e| format!("not YAML: {e}"))?;
        let title = doc
            .get("title")
            .and_then(Value::as_str)
            .ok_or("a scenario needs a title")?
            .to_string();
        let description = doc
            .get("description")
            .and_then(Value::as_str)
            .map(str::to_string);
        let steps = doc
            .get("steps")
            .and_then(Value::as_array)
            .filter(|s| !s.is_empty())
            .ok_or("a scenario needs a list of steps")?
            .iter()
            .enumerate()
            .map(|(i, step)| step_of(step, base).map_err(|e| format!("step {}: {e}", i + 1)))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Scenario {
            title,
            description,
            steps,
        })
    }
}

fn step_of(step: &Value, base: &Path) -> Result<StepAction, String> {
    let map = step
        .as_object()
        .filter(|m| m.len() == 1)
        .ok_or("each step is one of note, apply, delete, wait, scale")?;
    let (verb, arg) = map.iter().next().ok_or("an empty step")?;
    let file = |arg: &Value| -> Result<PathBuf, String> {
        let name = arg.as_str().ok_or("a file path")?;
        Ok(base.join(name))
    };
    match verb.as_str() {
        "note" => Ok(StepAction::Note(
            arg.as_str().ok_or("note takes a text")?.to_string(),
        )),
        "apply" => Ok(StepAction::Apply(file(arg)?)),
        "delete" => Ok(StepAction::Delete(file(arg)?)),
        "wait" => match arg {
            Value::String(until) => Ok(StepAction::Wait {
                until: Until::parse(until)?,
                timeout_s: None,
            }),
            Value::Object(o) => Ok(StepAction::Wait {
                until: Until::parse(o.get("until").and_then(Value::as_str).unwrap_or("ready"))?,
                timeout_s: o.get("timeout").and_then(Value::as_u64),
            }),
            _ => Err("wait takes a condition or {until, timeout}".into()),
        },
        "scale" => {
            let o = arg
                .as_object()
                .ok_or("scale takes {<kind>: name, replicas: N}")?;
            let replicas = o
                .get("replicas")
                .and_then(Value::as_u64)
                .ok_or("scale needs replicas")?;
            let (resource, name) = o
                .iter()
                .find(|(k, _)| *k != "replicas")
                .and_then(|(k, v)| v.as_str().map(|n| (k.clone(), n.to_string())))
                .ok_or("scale names what to scale: {deployment: web, replicas: 5}")?;
            Ok(StepAction::Scale {
                resource,
                name,
                replicas,
            })
        }
        "sleep" => Ok(StepAction::Sleep(
            arg.as_u64().ok_or("sleep takes sim seconds")?,
        )),
        "fault" => {
            let o = arg
                .as_object()
                .filter(|o| o.len() == 1)
                .ok_or("fault takes {node-down: NODE} or {node-up: NODE}")?;
            let (what, node) = o.iter().next().ok_or("an empty fault")?;
            let name = node.as_str().ok_or("a node name")?.to_string();
            match what.as_str() {
                "node-down" => Ok(StepAction::Node { name, up: false }),
                "node-up" => Ok(StepAction::Node { name, up: true }),
                other => Err(format!(
                    "unknown fault {other:?}: expected node-down or node-up"
                )),
            }
        }
        other => Err(format!(
            "unknown step {other:?}: expected note, apply, delete, wait, scale, sleep or fault"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_parse_with_paths_from_the_scenario() {
        let s = Scenario::parse(
            "title: T\nsteps:\n- note: hi\n- apply: ../pod.yaml\n- wait: running\n- wait: {until: ready, timeout: 30}\n- scale: {deployment: web, replicas: 5}\n- delete: ../pod.yaml\n- fault: {node-down: node-2}\n- sleep: 60\n",
            Path::new("manifests/scenarios"),
        )
        .unwrap();
        assert_eq!(s.title, "T");
        assert_eq!(
            s.steps,
            vec![
                StepAction::Note("hi".into()),
                StepAction::Apply("manifests/scenarios/../pod.yaml".into()),
                StepAction::Wait {
                    until: Until::Running,
                    timeout_s: None
                },
                StepAction::Wait {
                    until: Until::Ready,
                    timeout_s: Some(30)
                },
                StepAction::Scale {
                    resource: "deployment".into(),
                    name: "web".into(),
                    replicas: 5
                },
                StepAction::Delete("manifests/scenarios/../pod.yaml".into()),
                StepAction::Node {
                    name: "node-2".into(),
                    up: false
                },
                StepAction::Sleep(60),
            ]
        );
    }

    #[test]
    fn mistakes_are_named() {
        let base = Path::new(".");
        assert!(
            Scenario::parse("steps: []", base)
                .unwrap_err()
                .contains("title")
        );
        let e = Scenario::parse("title: T\nsteps:\n- jump: x\n", base).unwrap_err();
        assert!(e.contains("step 1") && e.contains("unknown step"), "{e}");
        let e = Scenario::parse("title: T\nsteps:\n- wait: soon\n", base).unwrap_err();
        assert!(e.contains("unknown condition"), "{e}");
    }
}
