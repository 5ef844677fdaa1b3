//! The terminal UI: the flow of hops, the words that explain them, and the keys that drive
//! the conductor. `app` is the state and its update (testable without a terminal), `view`
//! draws it, `keymap` turns keys into `Action`s; this file runs the loop — terminal events,
//! new hops and a slow tick in one `select!`, then one draw — so the UI never waits on the
//! cluster and sits idle when nothing changes. The terminal is restored on quit, Ctrl-C,
//! SIGTERM and panic.

pub mod action;
pub mod app;
pub mod command;
pub mod highlight;
pub mod keymap;
pub mod narration;
pub mod objects;
pub mod operator;
pub mod snapshot;
pub mod theme;
pub mod view;

use crate::cluster::Cluster;
use crate::flow::{Hop, Mode};
use crate::kubectl;
use anyhow::Result;
use app::{App, Effect, Endpoint};
use crossterm::event::{Event, EventStream};
use futures_util::StreamExt;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast;

/// How often the screen refreshes with nothing new (the sim clock in the header moves).
const TICK: Duration = Duration::from_millis(250);

pub struct Options {
    pub mode: Mode,
    pub theme: theme::ThemeName,
    /// No box drawing or arrows beyond ASCII.
    pub ascii: bool,
    /// A scenario to play once the boot is over (a name from `manifests/scenarios`, or a file).
    pub scenario: Option<String>,
}

/// Fails unless stdin and stdout are a terminal: checked before anything starts.
pub fn require_terminal() -> Result<()> {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        anyhow::bail!(
            "podflow's screen needs a terminal; for the control plane alone, run `podflow serve`"
        );
    }
    Ok(())
}

/// Runs the UI on `cluster` until the user quits.
pub async fn run(cluster: &Cluster, endpoint: Endpoint, options: Options) -> Result<()> {
    let mut theme = theme::Theme::new(options.theme);
    theme.ascii = options.ascii;
    let mut app = App::new(
        cluster.flow.conductor().clone(),
        cluster.clock.clone(),
        endpoint,
        theme,
    );
    app.nodes = cluster.node_names();
    app.objects = Some(Arc::new(objects::StoreObjects(cluster.api.clone())));
    // The cluster boots in live mode while the first frame shows; the lesson (its timeline,
    // its mode) starts once the boot is over.
    app.booting = Some(options.mode);
    cluster.flow.conductor().set_mode(Mode::Live);
    let mut hops = cluster.flow.subscribe();
    // ratatui::init installs a panic hook that restores the terminal first; the mouse is
    // released there too.
    let mut terminal = ratatui::init();
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        release_mouse();
        hook(info)
    }));
    let _ = crossterm::execute!(std::io::stdout(), crossterm::event::EnableMouseCapture);
    let boot = async {
        let booted = wait_for_boot(cluster, BOOT_BOUND).await;
        // podflow's own kubectl: the admin's certificate, over HTTPS to this API server.
        let kubectl = match &cluster.pki {
            Some(pki) => kubectl::Https::connect(cluster.api.clone(), pki)
                .await
                .ok()
                .map(|https| kubectl::Kubectl::new(https, cluster.flow.clone())),
            None => None,
        };
        (booted, kubectl)
    };
    let start = options
        .scenario
        .map(|s| command::Command::Scenario(command::scenario_path(&s)));
    let result = event_loop(&mut terminal, &mut app, cluster, &mut hops, boot, start).await;
    release_mouse();
    ratatui::restore();
    result
}

fn release_mouse() {
    let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableMouseCapture);
}

/// How long the UI waits for the boot before starting the lesson anyway.
const BOOT_BOUND: Duration = Duration::from_secs(30);
/// How often the cluster, events and etcd panes read the store again, at most.
const SNAPSHOT_EVERY: Duration = Duration::from_millis(500);

async fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    app: &mut App,
    cluster: &Cluster,
    hops: &mut broadcast::Receiver<Arc<Hop>>,
    boot: impl std::future::Future<Output = (bool, Option<kubectl::Kubectl>)>,
    mut start: Option<command::Command>,
) -> Result<()> {
    tokio::pin!(boot);
    let flow = &cluster.flow;
    // Set once, when the boot is over; commands running meanwhile borrow it.
    let kubectl: std::cell::OnceCell<kubectl::Kubectl> = std::cell::OnceCell::new();
    let (report, mut reports) = tokio::sync::mpsc::unbounded_channel();
    let mut running = futures_util::stream::FuturesUnordered::new();
    let mut events = EventStream::new();
    let mut tick = crate::clock::wall_ticker(TICK);
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    let mut snapshot_at: Option<std::time::Instant> = None;
    app.screen = terminal.get_frame().area();
    terminal.draw(|frame| view::draw(frame, app))?;
    report_first_frame();
    loop {
        let mut effect = Effect::None;
        tokio::select! {
            biased;
            _ = terminate.recv() => return Ok(()),
            event = events.next() => match event {
                Some(Ok(Event::Key(key))) => {
                    let typing = matches!(app.overlay, Some(app::Overlay::CommandLine(_)));
                    if let Some(action) = keymap::action_for(key, app.focus, typing) {
                        effect = app.update(action);
                    }
                }
                Some(Ok(Event::Mouse(mouse))) => {
                    if let Some(action) = keymap::action_for_mouse(mouse) {
                        effect = app.update(action);
                    }
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(e.into()),
                None => return Ok(()),
            },
            hop = hops.recv() => match hop {
                Ok(hop) => {
                    app.push(hop);
                    // Take what else arrived, then draw once.
                    loop {
                        match hops.try_recv() {
                            Ok(hop) => app.push(hop),
                            Err(broadcast::error::TryRecvError::Lagged(n)) => app.missed(n),
                            Err(_) => break,
                        }
                    }
                }
                Err(broadcast::error::RecvError::Lagged(n)) => app.missed(n),
                Err(broadcast::error::RecvError::Closed) => return Ok(()),
            },
            Some(done) = reports.recv() => app.report(done),
            Some(()) = running.next(), if !running.is_empty() => {}
            (booted, connected) = &mut boot, if app.booting.is_some() => {
                if !booted {
                    app.message = Some("the nodes did not all become Ready".into());
                }
                if let Some(connected) = connected {
                    let _ = kubectl.set(connected);
                }
                app.booted();
                if let Some(command) = start.take() {
                    effect = Effect::Run(command);
                }
            }
            _ = tick.tick() => {}
        }
        match effect {
            Effect::Quit => return Ok(()),
            Effect::Step => {
                let flow = flow.clone();
                tokio::spawn(async move { flow.step().await });
            }
            Effect::Run(command) => {
                let report = report.clone();
                let kubectl = kubectl.get();
                running.push(operator::run(cluster, kubectl, command, report));
            }
            Effect::None => {}
        }
        // The cluster, events and etcd panes read the store now and then, when it moved.
        let due = snapshot_at.is_none_or(|at| at.elapsed() >= SNAPSHOT_EVERY);
        let moved = app.cluster.as_ref().map(|c| c.revision)
            != Some(cluster.api.objects().backend().revision());
        if due && moved && app.shows_cluster() {
            app.cluster = Some(Arc::new(snapshot::ClusterSnapshot::read(&cluster.api)));
            snapshot_at = Some(std::time::Instant::now());
        }
        app.screen = terminal.get_frame().area();
        terminal.draw(|frame| view::draw(frame, app))?;
    }
}

/// When the process started, as near as the binary can tell (`main` sets it first thing).
pub static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

/// `podflow bench render` measures startup: with `PODFLOW_FIRST_FRAME_FILE` set, the
/// milliseconds from start to the first frame are written there.
fn report_first_frame() {
    if let (Some(path), Some(started)) =
        (std::env::var_os("PODFLOW_FIRST_FRAME_FILE"), STARTED.get())
    {
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        let _ = std::fs::write(path, format!("{ms:.1}"));
    }
}

/// Waits (at most `bound` of wall time) until the boot is over: every node of `cluster`
/// reports Ready and the flow has gone quiet (what the nodes' registration set off, such as
/// their status patches and events, is done), so the lesson starts on a settled cluster, with
/// nothing of the boot left waiting whatever the mode.
pub async fn wait_for_boot(cluster: &Cluster, bound: Duration) -> bool {
    let want = cluster.node_names().len();
    let store = cluster.api.objects();
    let mut hops = cluster.flow.subscribe();
    let deadline = std::time::Instant::now() + bound;
    while crate::trace::nodes_ready(store) < want {
        if std::time::Instant::now() >= deadline {
            return false;
        }
        crate::clock::wall_sleep(Duration::from_millis(10)).await;
    }
    // The nodes are Ready: wait for quiet, but not forever (a busy flow starts anyway).
    let deadline = std::time::Instant::now() + BOOT_QUIET_BOUND;
    loop {
        let quiet = tokio::select! {
            biased;
            hop = hops.recv() => matches!(hop, Err(broadcast::error::RecvError::Closed)),
            _ = crate::clock::wall_sleep(BOOT_QUIET) => true,
        };
        if quiet || std::time::Instant::now() >= deadline {
            return true;
        }
    }
}

/// How long the flow stays without a hop before the boot counts as over, and how long the
/// UI waits for that quiet once the nodes are Ready.
const BOOT_QUIET: Duration = Duration::from_millis(150);
const BOOT_QUIET_BOUND: Duration = Duration::from_secs(3);

/// Endpoint text for the header.
pub fn endpoint(cluster: &Cluster) -> Endpoint {
    Endpoint {
        api: cluster
            .address
            .map(|a| format!("https://{a}"))
            .unwrap_or_default(),
        kubeconfig: cluster
            .kubeconfig
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default(),
    }
}
