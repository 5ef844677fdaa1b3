//! The conductor's console: one command a line, for `podflow serve` before a screen exists
//! (and for tests that drive the conductor from outside):
//!
//! ```text
//! step [N]           release the next N hops (default 1); an idle step jumps the clock
//! next COMPONENT     run to the next hop from or to COMPONENT (scheduler, kubelet, …)
//! until running      run until a pod is reported Running (or ready: Ready)
//! mode live|auto|step
//! speed X            auto-play speed, 0.25 to 16
//! pause | resume     auto-play
//! waiting            the hops held right now
//! echo TEXT          print TEXT back (a marker for scripts)
//! help
//! ```
//!
//! Each released hop is printed as one line.

use super::{Detail, Flow, Hop, HopKind, Mode, Step};
use serde_json::json;
use std::sync::Arc;

/// The most hops one `next` or `until` runs through before giving up.
const RUN_LIMIT: usize = 10_000;

/// Runs one command; returns what to print.
pub async fn command(flow: &Arc<Flow>, origin_ms: i64, line: &str) -> Vec<String> {
    let mut words = line.split_whitespace();
    let Some(verb) = words.next() else {
        return Vec::new();
    };
    let arg = words.next();
    let conductor = flow.conductor();
    let show = |step: &Step| match step {
        Step::Released(hop) => format!("released: {}", line_of(hop, origin_ms)),
        Step::Jumped(to) => format!("clock: jumped to +{}", super::format_span(to - origin_ms)),
        Step::Idle => "idle: no hop waits and no timer is set".to_string(),
    };
    match verb {
        "step" | "s" => {
            let n = match arg.map(str::parse::<usize>) {
                None => 1,
                Some(Ok(n)) if n > 0 => n,
                _ => {
                    return vec![format!(
                        "step takes a count of hops, got {:?}",
                        arg.unwrap_or("")
                    )];
                }
            };
            if conductor.mode() == Mode::Live {
                return vec!["live mode holds no hop: `mode step` first".to_string()];
            }
            let mut out = Vec::new();
            for _ in 0..n {
                let step = flow.step().await;
                out.push(show(&step));
                if matches!(step, Step::Idle) {
                    break;
                }
            }
            out
        }
        "next" | "until" => {
            if conductor.mode() == Mode::Live {
                return vec!["live mode holds no hop: `mode step` first".to_string()];
            }
            let Some(target) = arg else {
                return vec![format!("{verb} needs a target (see help)")];
            };
            let matches: Box<dyn Fn(&Hop) -> bool + Send + Sync> = match (verb, target) {
                ("next", component) => {
                    let component = component.to_string();
                    Box::new(move |h: &Hop| h.from == component || h.to == component)
                }
                ("until", "running") => {
                    Box::new(|h: &Hop| status_reported(h, "/phase") == Some(&json!("Running")))
                }
                ("until", "ready") => {
                    Box::new(|h: &Hop| status_reported(h, "/ready") == Some(&json!(true)))
                }
                _ => return vec![format!("until takes running or ready, got {target:?}")],
            };
            let (mut out, mut idle) = (Vec::new(), false);
            let reached = flow
                .run_until(RUN_LIMIT, matches, |step| {
                    idle = matches!(step, Step::Idle);
                    out.push(show(step));
                })
                .await;
            if !reached && !idle {
                out.push(format!("stopped after {RUN_LIMIT} hops"));
            }
            out
        }
        "mode" => match arg {
            Some("live") => set(flow, Mode::Live),
            Some("auto") => set(flow, Mode::Auto),
            Some("step") => set(flow, Mode::Step),
            _ => vec!["mode takes live, auto or step".to_string()],
        },
        "speed" => match arg.and_then(|a| a.trim_end_matches('x').parse::<f64>().ok()) {
            Some(speed) => {
                conductor.set_auto_speed(speed);
                vec![format!("auto-play at {}×", conductor.auto_speed())]
            }
            None => vec!["speed takes a number, 0.25 to 16".to_string()],
        },
        "pause" => {
            conductor.set_auto_paused(true);
            vec!["auto-play paused".to_string()]
        }
        "resume" => {
            conductor.set_auto_paused(false);
            vec!["auto-play resumed".to_string()]
        }
        "waiting" => {
            let waiting = conductor.waiting();
            if waiting.is_empty() {
                return vec!["nothing waits".to_string()];
            }
            waiting
                .iter()
                .map(|h| format!("waiting: {}", line_of(h, origin_ms)))
                .collect()
        }
        "help" | "?" => HELP.lines().map(str::to_string).collect(),
        // Prints its text back: a marker for whoever scripts the console.
        "echo" => vec![
            line.trim_start()
                .trim_start_matches("echo")
                .trim()
                .to_string(),
        ],
        other => vec![format!("unknown command {other:?} (try help)")],
    }
}

fn set(flow: &Arc<Flow>, mode: Mode) -> Vec<String> {
    flow.conductor().set_mode(mode);
    vec![format!("mode: {}", mode.as_str())]
}

/// What a kubelet's `status_patched` hop reported, at `pointer` of its detail
/// (`/phase`, `/ready`).
fn status_reported<'h>(hop: &'h Hop, pointer: &str) -> Option<&'h serde_json::Value> {
    match (&hop.kind, &hop.detail) {
        (HopKind::StatusPatched, Detail::Json(detail)) => detail.pointer(pointer),
        _ => None,
    }
}

/// A hop as one line (a held hop has no number or time yet).
fn line_of(hop: &Hop, origin_ms: i64) -> String {
    let seq = if hop.seq == 0 {
        String::new()
    } else {
        format!("#{} ", hop.seq)
    };
    let t = if hop.t_ms == 0 {
        String::new()
    } else {
        format!("+{} ", super::format_span(hop.t_ms - origin_ms))
    };
    format!(
        "{seq}{t}{} → {}  [{}] {}",
        hop.label(&hop.from),
        hop.label(&hop.to),
        hop.kind.as_str(),
        hop.summary
    )
}

const HELP: &str =
    "step [N]           release the next N hops (an idle step jumps the clock to the next timer)
next COMPONENT     run to the next hop from or to COMPONENT (kubectl, scheduler, kubelet, …)
until running      run until a pod is reported Running (until ready: Ready)
mode live|auto|step
speed X            auto-play speed, 0.25 to 16
pause | resume     auto-play
waiting            the hops held right now
echo TEXT          print TEXT (a marker for scripts)";
