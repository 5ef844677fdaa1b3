//! How a trace prints hops: `text` (one readable line a hop), `json` (one object a line) or
//! `mermaid` (a `sequenceDiagram` for slides and docs, a participant per component and per
//! node's kubelet, CRI and CNI).

use super::Output;
use crate::flow::{Hop, NODE_COMPONENTS, format_clock, runs_on_node};
use serde_json::{Value, json};
use std::io::Write;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Mermaid,
}

impl Format {
    pub fn parse(text: &str) -> Result<Format, String> {
        match text {
            "text" => Ok(Format::Text),
            "json" => Ok(Format::Json),
            "mermaid" => Ok(Format::Mermaid),
            _ => Err(format!(
                "unknown format {text:?}: expected text, json or mermaid"
            )),
        }
    }
}

/// The components, in the order the diagram lays them out (the flow's order).
const COMPONENTS: [&str; 11] = [
    "kubectl",
    "apiserver",
    "authn",
    "authz",
    "admission",
    "etcd",
    "controller-manager",
    "deployment-controller",
    "replicaset-controller",
    "scheduler",
    "garbage-collector",
];
const LAST: [&str; 3] = ["node-lifecycle-controller", "clock", "podflow"];

pub struct Printer {
    format: Format,
    base_seq: u64,
    origin_ms: i64,
    out: Output,
}

impl Printer {
    pub fn new(format: Format, base_seq: u64, origin_ms: i64, out: Output) -> Printer {
        Printer {
            format,
            base_seq,
            origin_ms,
            out,
        }
    }

    fn write(&self, line: &str) {
        let mut out = self.out.lock().unwrap_or_else(|e| e.into_inner());
        let _ = writeln!(out, "{line}");
    }

    pub fn header(&mut self, nodes: &[String], title: Option<&str>) {
        match self.format {
            Format::Mermaid => {
                self.write("sequenceDiagram");
                if let Some(title) = title {
                    self.write(&format!("    title {}", escape(title)));
                }
                for component in COMPONENTS {
                    self.write(&format!("    participant {} as {component}", id(component)));
                }
                for node in nodes {
                    for component in NODE_COMPONENTS {
                        let name = format!("{component} ({node})");
                        self.write(&format!(
                            "    participant {} as {name}",
                            id(&format!("{component}_{node}"))
                        ));
                    }
                }
                for component in LAST {
                    self.write(&format!("    participant {} as {component}", id(component)));
                }
            }
            Format::Text => {
                if let Some(title) = title {
                    self.write(&format!("# {title}"));
                }
            }
            Format::Json => {}
        }
    }

    /// A scenario's narration between hops.
    pub fn note(&mut self, text: &str) {
        match self.format {
            Format::Text => self.write(&format!("# {text}")),
            Format::Json => self.write(&json!({"note": text}).to_string()),
            Format::Mermaid => self.write(&format!(
                "    Note over {},{}: {}",
                id("kubectl"),
                id("etcd"),
                escape(text)
            )),
        }
    }

    pub fn hop(&mut self, hop: &Hop) {
        let seq = hop.seq.saturating_sub(self.base_seq);
        let t = hop.t_ms - self.origin_ms;
        let line = match self.format {
            Format::Text => text_line(hop, seq, t),
            Format::Json => json_line(hop, seq, t),
            Format::Mermaid => {
                let from = participant(&hop.from, hop.node.as_deref());
                let to = participant(&hop.to, hop.node.as_deref());
                format!(
                    "    {from}->>{to}: {} {}",
                    hop.kind.as_str(),
                    escape(&hop.summary)
                )
            }
        };
        self.write(&line);
    }
}

fn text_line(hop: &Hop, seq: u64, t: i64) -> String {
    let mut line = format!(
        "#{seq} +{} {} → {}  [{}] {}",
        format_clock(t),
        hop.label(&hop.from),
        hop.label(&hop.to),
        hop.kind.as_str(),
        hop.summary
    );
    if let Some(rev) = hop.rev {
        line.push_str(&format!("  (rev {rev})"));
    }
    line
}

fn json_line(hop: &Hop, seq: u64, t: i64) -> String {
    let mut value = serde_json::to_value(hop).unwrap_or(Value::Null);
    if let Some(map) = value.as_object_mut() {
        map.insert("seq".into(), json!(seq));
        map.insert("t_ms".into(), json!(t));
        for key in ["node", "object", "rev"] {
            map.entry(key).or_insert(Value::Null);
        }
    }
    value.to_string()
}

fn participant(component: &str, node: Option<&str>) -> String {
    match node {
        Some(node) if runs_on_node(component) => id(&format!("{component}_{node}")),
        _ => id(component),
    }
}

/// A Mermaid participant id: letters, digits and underscores.
fn id(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// Message text Mermaid reads literally: `;` ends a statement and `#` starts an entity.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '#' => out.push_str("#35;"),
            ';' => out.push_str("#59;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flow::HopKind;

    #[test]
    fn lines_read_as_documented() {
        let mut hop = Hop::new(
            "kubelet",
            "cri",
            HopKind::SandboxCreated,
            "RunPodSandbox a; b #1",
        )
        .on_node("node-2")
        .rev(7);
        hop.seq = 15;
        hop.t_ms = 1_300;
        assert_eq!(
            text_line(&hop, 5, 1_300),
            "#5 +00:01.300 kubelet(node-2) → cri(node-2)  [sandbox_created] RunPodSandbox a; b #1  (rev 7)"
        );
        let json: Value = serde_json::from_str(&json_line(&hop, 5, 1_300)).unwrap();
        assert_eq!(json["seq"], 5);
        assert_eq!(json["t_ms"], 1_300);
        assert_eq!(json["node"], "node-2");
        assert_eq!(json["object"], Value::Null);
        assert_eq!(json["kind"], "sandbox_created");
        assert_eq!(participant("cri", Some("node-2")), "cri_node_2");
        assert_eq!(escape("a; b #1"), "a#59; b #35;1");
    }
}
