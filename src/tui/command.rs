//! The `:` command line: what can be typed, parsed into a `Command` (or the error a user
//! should read), and Tab completion of command names, file paths and node names.

use crate::api::kinds::{self, ResourceType};
use crate::flow::Mode;
use std::path::{Path, PathBuf};

/// What the command line (or the picker, or the fault palette) asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Apply(PathBuf),
    DeleteFile(PathBuf),
    Delete {
        rt: &'static ResourceType,
        name: String,
    },
    Scale {
        rt: &'static ResourceType,
        name: String,
        replicas: u64,
    },
    Scenario(PathBuf),
    /// Take a node off the network (`up: false`) or bring it back.
    Node {
        name: String,
        up: bool,
    },
    Mode(Mode),
    Speed(f64),
}

pub const NAMES: [&str; 7] = [
    "apply", "delete", "scale", "scenario", "fault", "mode", "speed",
];
pub const FAULTS: [&str; 2] = ["node-down", "node-up"];
const USAGE: &str = "commands: apply FILE · delete KIND NAME · delete -f FILE · scale deploy NAME N · scenario NAME|FILE · fault node-down|node-up NODE · mode step|auto|live · speed X";

/// Where podflow's shipped manifests are: `./manifests` when run from a checkout, else the
/// ones beside the sources it was built from.
pub fn manifests_dir() -> PathBuf {
    let here = PathBuf::from("manifests");
    if here.is_dir() {
        here
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("manifests")
    }
}

/// A scenario by name (`single-pod`) or path.
pub fn scenario_path(name: &str) -> PathBuf {
    let path = PathBuf::from(name);
    if path.exists() || name.contains('/') || name.ends_with(".yaml") {
        return path;
    }
    manifests_dir()
        .join("scenarios")
        .join(format!("{name}.yaml"))
}

/// A resource as kubectl names it on the command line: plural, singular, short name or
/// kind, optionally with its group (`deployments.apps`).
pub fn resource(name: &str) -> Option<&'static ResourceType> {
    let lower = name.to_ascii_lowercase();
    let (name, group) = match lower.split_once('.') {
        Some((n, g)) => (n.to_string(), Some(g.to_string())),
        None => (lower, None),
    };
    kinds::ALL.iter().find(|rt| {
        (rt.plural == name
            || rt.singular == name
            || rt.kind.eq_ignore_ascii_case(&name)
            || rt.short_names.contains(&name.as_str()))
            && group.as_deref().is_none_or(|g| g == rt.group)
            && !rt.storage.is_empty()
    })
}

pub fn parse(line: &str, nodes: &[String]) -> Result<Command, String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let Some((&verb, args)) = words.split_first() else {
        return Err(USAGE.into());
    };
    let wrong = |what: &str| Err(format!("error: {what} (usage: {})", usage_of(verb)));
    match verb {
        "apply" => match args {
            ["-f", file] | [file] => Ok(Command::Apply(PathBuf::from(file))),
            [] => wrong("must specify a file"),
            _ => wrong("one file at a time"),
        },
        "delete" => match args {
            ["-f", file] => Ok(Command::DeleteFile(PathBuf::from(file))),
            [kind, name] => {
                let (kind, name) = (*kind, *name);
                let rt = resource(kind).ok_or_else(|| {
                    format!("error: the server doesn't have a resource type \"{kind}\"")
                })?;
                Ok(Command::Delete {
                    rt,
                    name: name.to_string(),
                })
            }
            [one] if one.contains('/') => {
                let (kind, name) = one.split_once('/').unwrap_or_default();
                parse(&format!("delete {kind} {name}"), nodes)
            }
            _ => wrong("say what to delete"),
        },
        "scale" => {
            let (kind, name, replicas) = match args {
                [kind, name, n] => (*kind, *name, *n),
                [one, n] if one.contains('/') => {
                    let (kind, name) = one.split_once('/').unwrap_or_default();
                    (kind, name, *n)
                }
                _ => return wrong("say what to scale and to how many"),
            };
            let rt = resource(kind).ok_or_else(|| {
                format!("error: the server doesn't have a resource type \"{kind}\"")
            })?;
            if rt.subresource("scale").is_none() {
                return Err(format!("error: {} cannot be scaled", rt.plural));
            }
            let replicas = replicas
                .trim_start_matches("--replicas=")
                .parse::<u64>()
                .map_err(|_| {
                    format!("error: invalid replicas {replicas:?}: a whole number, 0 or more")
                })?;
            Ok(Command::Scale {
                rt,
                name: name.to_string(),
                replicas,
            })
        }
        "scenario" => match args {
            [name] => Ok(Command::Scenario(scenario_path(name))),
            _ => wrong("name one scenario"),
        },
        "fault" => match args {
            [fault, node] if FAULTS.contains(fault) => {
                if !nodes.iter().any(|n| n == node) {
                    return Err(format!(
                        "error: no node {node:?} (nodes: {})",
                        nodes.join(", ")
                    ));
                }
                Ok(Command::Node {
                    name: node.to_string(),
                    up: *fault == "node-up",
                })
            }
            [fault, ..] if !FAULTS.contains(fault) => Err(format!(
                "error: unknown fault {fault:?} (faults: {})",
                FAULTS.join(", ")
            )),
            _ => wrong("name the fault and the node"),
        },
        "mode" => match args {
            ["step"] => Ok(Command::Mode(Mode::Step)),
            ["auto"] => Ok(Command::Mode(Mode::Auto)),
            ["live"] => Ok(Command::Mode(Mode::Live)),
            _ => wrong("step, auto or live"),
        },
        "speed" => match args {
            [x] => {
                let speed = x
                    .trim_end_matches(['x', '×'])
                    .parse::<f64>()
                    .ok()
                    .filter(|s| s.is_finite() && *s > 0.0)
                    .ok_or_else(|| format!("error: invalid speed {x:?}"))?;
                let (low, high) = crate::flow::AUTO_SPEEDS;
                if !(low..=high).contains(&speed) {
                    return Err(format!("error: speed {x} is outside {low}× to {high}×"));
                }
                Ok(Command::Speed(speed))
            }
            _ => wrong("one speed"),
        },
        _ => Err(format!("error: unknown command {verb:?}; {USAGE}")),
    }
}

fn usage_of(verb: &str) -> &'static str {
    match verb {
        "apply" => "apply FILE",
        "delete" => "delete KIND NAME, or delete -f FILE",
        "scale" => "scale deploy NAME N",
        "scenario" => "scenario NAME|FILE",
        "fault" => "fault node-down|node-up NODE",
        "mode" => "mode step|auto|live",
        "speed" => "speed X (0.25 to 16)",
        _ => USAGE,
    }
}

/// Completes the last word of `line`: the command's name, a file path (apply, delete -f,
/// scenario), a fault or a node. Returns the new line and, when several fit, the choices.
pub fn complete(line: &str, nodes: &[String]) -> (String, Vec<String>) {
    let words: Vec<&str> = line.split_whitespace().collect();
    let ends_in_space = line.is_empty() || line.ends_with(' ');
    let (done, last): (Vec<&str>, &str) = if ends_in_space {
        (words.clone(), "")
    } else {
        let (last, done) = words.split_last().map_or(("", &[][..]), |(l, d)| (*l, d));
        (done.to_vec(), last)
    };
    let candidates: Vec<String> = match done.as_slice() {
        [] => NAMES.iter().map(|s| s.to_string()).collect(),
        ["fault"] => FAULTS.iter().map(|s| s.to_string()).collect(),
        ["fault", _] => nodes.to_vec(),
        ["mode"] => ["step", "auto", "live"].map(String::from).to_vec(),
        ["apply"] | ["apply", "-f"] | ["delete", "-f"] | ["scenario"] => paths(last),
        _ => Vec::new(),
    };
    let fitting: Vec<String> = candidates
        .into_iter()
        .filter(|c| c.starts_with(last))
        .collect();
    let Some(first) = fitting.first() else {
        return (line.to_string(), Vec::new());
    };
    let common = fitting.iter().fold(first.clone(), |prefix, c| {
        prefix
            .chars()
            .zip(c.chars())
            .take_while(|(a, b)| a == b)
            .map(|(a, _)| a)
            .collect()
    });
    let mut completed = done.join(" ");
    if !completed.is_empty() {
        completed.push(' ');
    }
    completed.push_str(&common);
    if fitting.len() == 1 && !common.ends_with('/') {
        completed.push(' ');
        return (completed, Vec::new());
    }
    (
        completed,
        if fitting.len() > 1 {
            fitting
        } else {
            Vec::new()
        },
    )
}

/// Files and directories that begin with `partial` (directories end in `/`).
fn paths(partial: &str) -> Vec<String> {
    let (dir, shown_dir) = match partial.rfind('/') {
        Some(i) => (PathBuf::from(&partial[..=i]), &partial[..=i]),
        None => (PathBuf::from("."), ""),
    };
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut found: Vec<String> = entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().to_string();
            if name.starts_with('.') {
                return None;
            }
            let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
            Some(format!(
                "{shown_dir}{name}{}",
                if is_dir { "/" } else { "" }
            ))
        })
        .collect();
    found.sort();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nodes() -> Vec<String> {
        vec!["control-plane".into(), "node-1".into(), "node-2".into()]
    }

    #[test]
    fn commands_parse_as_kubectl_names_things() {
        assert_eq!(
            parse("apply manifests/pod.yaml", &nodes()),
            Ok(Command::Apply("manifests/pod.yaml".into()))
        );
        let Ok(Command::Scale { rt, name, replicas }) = parse("scale deploy web 5", &nodes())
        else {
            panic!("scale parses");
        };
        assert_eq!(
            (rt.plural, name.as_str(), replicas),
            ("deployments", "web", 5)
        );
        let Ok(Command::Delete { rt, name }) = parse("delete po/web", &nodes()) else {
            panic!("delete parses");
        };
        assert_eq!((rt.plural, name.as_str()), ("pods", "web"));
        assert_eq!(
            parse("fault node-down node-2", &nodes()),
            Ok(Command::Node {
                name: "node-2".into(),
                up: false
            })
        );
        assert_eq!(parse("speed 2x", &nodes()), Ok(Command::Speed(2.0)));
        assert_eq!(parse("mode live", &nodes()), Ok(Command::Mode(Mode::Live)));
    }

    #[test]
    fn bad_commands_say_what_is_wrong() {
        let error = |line: &str| parse(line, &nodes()).unwrap_err();
        assert_eq!(
            error("delete widgets x"),
            "error: the server doesn't have a resource type \"widgets\""
        );
        assert!(error("fault meteor node-1").contains("unknown fault \"meteor\""));
        assert!(error("fault node-down node-9").contains("no node \"node-9\""));
        assert!(error("speed 99").contains("outside"));
        assert!(error("scale deploy web many").contains("invalid replicas"));
        assert!(error("scale pods web 3").contains("cannot be scaled"));
        assert!(error("launch").contains("unknown command"));
        assert!(error("").starts_with("commands:"));
    }

    #[test]
    fn tab_completes_names_paths_and_nodes() {
        assert_eq!(complete("ap", &nodes()).0, "apply ");
        let (line, choices) = complete("s", &nodes());
        assert_eq!(line, "s");
        assert_eq!(choices, ["scale", "scenario", "speed"]);
        assert_eq!(complete("fault node-d", &nodes()).0, "fault node-down ");
        assert_eq!(
            complete("fault node-down node-", &nodes()).1,
            ["node-1", "node-2"]
        );
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("web.yaml"), "").expect("write");
        let typed = format!("apply {}/w", dir.path().display());
        assert_eq!(
            complete(&typed, &nodes()).0,
            format!("apply {}/web.yaml ", dir.path().display())
        );
    }
}
