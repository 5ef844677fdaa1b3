//! The `podflow` command line: with no subcommand the terminal UI on an embedded cluster,
//! `serve` (the headless control plane), `trace` (the flow written down) and `bench` (the
//! figures the issues ask for).

use anyhow::Result;
use clap::{Args, Parser, Subcommand};
use podflow::cluster::{Cluster, ClusterConfig, default_state_dir};
use std::io::Write;
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "podflow",
    version,
    about = "Watch Kubernetes turn a manifest into running pods, hop by hop"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    cluster: ClusterArgs,
    /// Colours of the screen: dark or light (NO_COLOR turns colour off).
    #[arg(long, default_value = "dark", value_parser = parse_theme)]
    theme: podflow::tui::theme::ThemeName,
    /// The screen in plain ASCII: no box drawing, no arrows beyond `->`.
    #[arg(long)]
    ascii: bool,
    /// A scenario to play in the screen: a name from manifests/scenarios (single-pod,
    /// deployment-of-three, unschedulable, node-dies) or a file.
    #[arg(long, value_name = "NAME|FILE")]
    scenario: Option<String>,
}

fn parse_theme(text: &str) -> Result<podflow::tui::theme::ThemeName, String> {
    match text {
        "dark" => Ok(podflow::tui::theme::ThemeName::Dark),
        "light" => Ok(podflow::tui::theme::ThemeName::Light),
        _ => Err(format!("unknown theme {text:?}: expected dark or light")),
    }
}

#[derive(Subcommand)]
enum Command {
    /// Run the control plane headless: an HTTPS API server the real kubectl talks to.
    Serve {
        #[command(flatten)]
        cluster: ClusterArgs,
        /// Print every hop to stderr, one line each.
        #[arg(long)]
        trace: bool,
    },
    /// Apply manifests on an embedded cluster and print every hop until a condition holds.
    ///
    /// The cluster runs headless on sim time as fast as the machine allows; under a fixed
    /// --seed the trace is the same, byte for byte, on every run. Exit status: 0 when the
    /// condition holds, 1 when it does not by the timeout or the API refused a file, 2 for
    /// bad usage.
    Trace {
        /// Manifests to apply, in order.
        files: Vec<PathBuf>,
        /// Run a scenario (manifests/scenarios/*.yaml) instead of applying files.
        #[arg(long, conflicts_with = "files")]
        scenario: Option<PathBuf>,
        /// text (one line a hop), json (one object a line) or mermaid (a sequence diagram).
        #[arg(long, default_value = "text", value_parser = podflow::trace::Format::parse)]
        format: podflow::trace::Format,
        /// Stop when every pod the files create is scheduled, running, ready, or (after
        /// deleting the files' objects) deleted.
        #[arg(long, default_value = "ready", value_parser = podflow::trace::Until::parse)]
        until: podflow::trace::Until,
        /// Sim seconds the condition may take.
        #[arg(long, default_value_t = 600)]
        timeout: u64,
        /// Seed of every random choice (names, uids, tie-breaks).
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Worker nodes.
        #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..=1000))]
        nodes: u16,
    },
    /// Measure podflow and print one figure a line as `METRIC VALUE UNIT`.
    Bench {
        /// Which benchmark: store, pipeline (default: all).
        which: Option<String>,
        /// Runs per figure; the median is printed.
        #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..))]
        runs: u16,
    },
}

#[derive(Args, Clone)]
struct ClusterArgs {
    /// Port of the API server on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 6443)]
    port: u16,
    /// Where the PKI and the kubeconfig are kept (default $XDG_STATE_HOME/podflow or ~/.local/state/podflow).
    #[arg(long)]
    state_dir: Option<PathBuf>,
    /// Seed of every random choice (names, uids, tie-breaks).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Sim seconds per wall second.
    #[arg(long, default_value_t = 1.0)]
    speed: f64,
    /// Worker nodes.
    #[arg(long, default_value_t = 3)]
    nodes: usize,
    /// How hops go: live (never held), step (each waits for a step) or auto (one every
    /// interval). Default: step in the UI, live for `serve` (whose stdin takes `mode …`).
    #[arg(long, value_parser = parse_mode)]
    mode: Option<podflow::flow::Mode>,
}

fn parse_mode(text: &str) -> Result<podflow::flow::Mode, String> {
    match text {
        "live" => Ok(podflow::flow::Mode::Live),
        "auto" => Ok(podflow::flow::Mode::Auto),
        "step" => Ok(podflow::flow::Mode::Step),
        _ => Err(format!(
            "unknown mode {text:?}: expected live, auto or step"
        )),
    }
}

impl ClusterArgs {
    fn config(&self) -> Result<ClusterConfig> {
        if !(self.speed.is_finite() && self.speed > 0.0) {
            anyhow::bail!(
                "--speed must be a positive number of sim seconds per wall second, got {}",
                self.speed
            );
        }
        if self.nodes > 1000 {
            anyhow::bail!("--nodes must be at most 1000, got {}", self.nodes);
        }
        Ok(ClusterConfig {
            port: self.port,
            state_dir: self.state_dir.clone().unwrap_or_else(default_state_dir),
            seed: self.seed,
            speed: self.speed,
            nodes: self.nodes,
        })
    }
}

fn main() {
    let _ = podflow::tui::STARTED.set(std::time::Instant::now());
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::Serve { cluster, trace }) => run_serve(cluster, trace),
        Some(Command::Bench { which, runs }) => {
            podflow::bench::run(which.as_deref(), runs as usize)
        }
        Some(Command::Trace {
            files,
            scenario,
            format,
            until,
            timeout,
            seed,
            nodes,
        }) => {
            if files.is_empty() && scenario.is_none() {
                eprintln!("error: podflow trace needs manifest files or --scenario FILE");
                std::process::exit(2);
            }
            // A file that is not there is a mistake in the command, not the cluster's answer.
            for file in files.iter().chain(scenario.iter()) {
                if !file.is_file() {
                    eprintln!("error: the path \"{}\" does not exist", file.display());
                    std::process::exit(2);
                }
            }
            let options = podflow::trace::TraceOptions {
                files,
                scenario,
                format,
                until,
                timeout_s: timeout,
                seed,
                nodes: nodes as usize,
            };
            let out: podflow::trace::Output = std::sync::Arc::new(std::sync::Mutex::new(Box::new(
                std::io::BufWriter::new(std::io::stdout()),
            )));
            let err: podflow::trace::Output =
                std::sync::Arc::new(std::sync::Mutex::new(Box::new(std::io::stderr())));
            match podflow::trace::run(options, out, err) {
                Ok(code) => std::process::exit(code),
                Err(e) => {
                    eprintln!("error: {e:#}");
                    std::process::exit(2);
                }
            }
        }
        None => run_tui(
            cli.cluster,
            podflow::tui::Options {
                mode: podflow::flow::Mode::Step,
                theme: cli.theme,
                ascii: cli.ascii,
                scenario: cli.scenario,
            },
        ),
    };
    if let Err(e) = result {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

fn run_tui(args: ClusterArgs, mut options: podflow::tui::Options) -> Result<()> {
    if let Some(name) = &options.scenario {
        let path = podflow::tui::command::scenario_path(name);
        podflow::trace::scenario::Scenario::load(&path).map_err(|e| anyhow::anyhow!(e))?;
    }
    podflow::tui::require_terminal()?;
    let rt = runtime()?;
    let result = rt.block_on(async {
        let config = args.config()?;
        let mut cluster = Cluster::start(&config).await?;
        let endpoint = podflow::tui::endpoint(&cluster);
        options.mode = args.mode.unwrap_or(podflow::flow::Mode::Step);
        let result = podflow::tui::run(&cluster, endpoint, options).await;
        cluster.shutdown();
        result
    });
    rt.shutdown_timeout(std::time::Duration::from_millis(100));
    result
}

fn run_serve(args: ClusterArgs, trace: bool) -> Result<()> {
    let rt = runtime()?;
    let result = rt.block_on(serve(args, trace));
    // Open watches and background loops end with the process; do not wait for them.
    rt.shutdown_timeout(std::time::Duration::from_millis(100));
    result
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?)
}

async fn serve(args: ClusterArgs, trace: bool) -> Result<()> {
    let config = args.config()?;
    let mut cluster = Cluster::start(&config).await?;
    let origin = cluster.clock.now_ms();
    if trace {
        let mut hops = cluster.flow.subscribe();
        tokio::spawn(async move {
            let mut stderr = std::io::stderr();
            loop {
                match hops.recv().await {
                    Ok(hop) => {
                        let _ = writeln!(stderr, "{}", hop.line(origin));
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                        let _ = writeln!(
                            stderr,
                            "… {n} hops not shown (the trace printer fell behind)"
                        );
                    }
                    Err(_) => return,
                }
            }
        });
    }
    cluster
        .flow
        .conductor()
        .set_mode(args.mode.unwrap_or(podflow::flow::Mode::Live));
    // The conductor's console: commands on stdin, one a line (see `help`).
    {
        let flow = cluster.flow.clone();
        tokio::spawn(async move {
            use tokio::io::AsyncBufReadExt;
            let mut lines = tokio::io::BufReader::new(tokio::io::stdin()).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                let reply = podflow::flow::console::command(&flow, origin, &line).await;
                let mut stdout = std::io::stdout().lock();
                for text in reply {
                    let _ = writeln!(stdout, "{text}");
                }
                let _ = stdout.flush();
            }
        });
    }
    let mut stdout = std::io::stdout();
    if let (Some(address), Some(kubeconfig)) = (cluster.address, &cluster.kubeconfig) {
        writeln!(stdout, "api: https://{address}")?;
        writeln!(stdout, "kubeconfig: {}", kubeconfig.display())?;
        stdout.flush()?;
    }
    shutdown_signal().await;
    cluster.shutdown();
    Ok(())
}

async fn shutdown_signal() {
    let mut terminate =
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(signal) => signal,
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
                return;
            }
        };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate.recv() => {}
    }
}

// The API server allocates many small JSON values per request; mimalloc handles that far
// better than the system allocator (measured by `podflow bench pipeline`).
#[cfg(not(feature = "system-alloc"))]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
