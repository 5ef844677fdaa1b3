//! The stops of the flow — the API path, the control loops, and each node's kubelet, CRI and
//! CNI — with the hop in view drawn from its source (yellow) to its destination (reversed
//! green), and the stops of the few hops before it still lit, fading into the dim rest.

use crate::flow::{Hop, runs_on_node};
use crate::tui::app::App;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// (component as hops name it, label on screen).
const API_PATH: [(&str, &str); 6] = [
    ("kubectl", "kubectl"),
    ("apiserver", "apiserver"),
    ("authn", "authn"),
    ("authz", "authz"),
    ("admission", "admission"),
    ("etcd", "etcd"),
];
const LOOPS: [(&str, &str); 6] = [
    ("controller-manager", "informers"),
    ("deployment-controller", "deploy-ctrl"),
    ("replicaset-controller", "rs-ctrl"),
    ("scheduler", "scheduler"),
    ("node-lifecycle-controller", "node-lifecycle"),
    ("garbage-collector", "gc"),
];
const ON_NODE: [(&str, &str); 3] = [("kubelet", "kubelet"), ("cri", "CRI"), ("cni", "CNI")];
/// How many hops before the one in view keep their stops lit.
const TRAIL: usize = 4;

/// A stop: a component, on a node for the kubelet, CRI and CNI.
#[derive(PartialEq, Eq)]
struct Stop<'a> {
    component: &'a str,
    node: Option<&'a str>,
}

fn ends(hop: &Hop) -> [Stop<'_>; 2] {
    let (from, to) = (hop.from.as_ref(), hop.to.as_ref());
    let (from_on, to_on) = (runs_on_node(from), runs_on_node(to));
    [
        Stop {
            component: from,
            node: if from_on { hop.node.as_deref() } else { None },
        },
        Stop {
            component: to,
            node: if to_on { hop.node.as_deref() } else { None },
        },
    ]
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let theme = &app.theme;
    let current = app.current();
    let at = app.current_index().unwrap_or(0);
    let trail: Vec<&Hop> = (at.saturating_sub(TRAIL)..at)
        .filter_map(|i| app.timeline.get(i).map(|h| h.as_ref()))
        .collect();
    let style_of = |component: &str, node: Option<&str>| -> Style {
        let here = Stop { component, node };
        if let Some(hop) = current {
            let [from, to] = ends(hop);
            if here == to {
                return theme.to();
            }
            if here == from {
                return theme.from();
            }
        }
        if trail.iter().any(|h| ends(h).contains(&here)) {
            theme.text()
        } else {
            theme.dim()
        }
    };
    let row = |stops: &[(&'static str, &'static str)],
               separator: &'static str,
               node: Option<&str>|
     -> Vec<Span<'static>> {
        let mut spans = Vec::new();
        for (i, (component, label)) in stops.iter().enumerate() {
            if i > 0 {
                spans.push(Span::styled(separator, theme.dim()));
            }
            spans.push(Span::styled(*label, style_of(component, node)));
        }
        spans
    };
    let mut lines = vec![
        Line::from(row(&API_PATH, " → ", None)),
        Line::from(row(&LOOPS, "  ", None)),
    ];
    let mut nodes = Vec::new();
    for node in &app.nodes {
        if !nodes.is_empty() {
            nodes.push(Span::raw("   "));
        }
        nodes.push(Span::styled(format!("{node}: "), theme.dim()));
        nodes.extend(row(&ON_NODE, " ", Some(node)));
    }
    lines.push(Line::from(nodes));
    if let Some(hop) = current {
        lines.push(Line::from(vec![
            Span::styled(hop.label(&hop.from), theme.from()),
            Span::styled(" ━━━▶ ", theme.arrow()),
            Span::styled(hop.label(&hop.to), theme.to()),
            Span::raw(format!("  [{}] {}", hop.kind.as_str(), hop.summary)),
        ]));
    } else if app.booting.is_some() {
        lines.push(Line::styled(
            "the cluster is booting: its nodes register with the API server…",
            theme.dim(),
        ));
    } else {
        lines.push(Line::styled(
            "nothing has happened yet: apply a manifest (kubectl apply -f …) and step",
            theme.dim(),
        ));
    }
    // What the next step lets through.
    if app.booting.is_none()
        && let Some(next) = app.conductor.next_waiting()
    {
        lines.push(Line::from(vec![
            Span::styled("next ▸ ", theme.dim()),
            Span::styled(next.label(&next.from), theme.text()),
            Span::styled(" → ", theme.dim()),
            Span::styled(next.label(&next.to), theme.text()),
            Span::styled(
                format!("  [{}] {}", next.kind.as_str(), next.summary),
                theme.dim(),
            ),
        ]));
    }
    frame.render_widget(Paragraph::new(lines), area);
}
