//! Test harness: starts `podflow serve --port 0` in a fresh state dir and runs the real kubectl
//! (`$KUBECTL`, default kubectl 1.32) against it with a fresh `--cache-dir`.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub const DEFAULT_KUBECTL: &str = "/usr/lib/google-cloud-sdk/bin/kubectl.1.32";

/// The kubectl to judge the server with. Without one, tests are skipped locally and fail
/// under CI=true, saying why.
pub fn kubectl_binary() -> Option<PathBuf> {
    let path = std::env::var_os("KUBECTL")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(DEFAULT_KUBECTL));
    if path.exists() {
        return Some(path);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!(
            "kubectl not found at {} (set $KUBECTL): the end-to-end tests need the real kubectl 1.32",
            path.display()
        );
    }
    eprintln!(
        "skipping: kubectl not found at {} (set $KUBECTL)",
        path.display()
    );
    None
}

pub struct Server {
    child: Child,
    pub api: String,
    pub kubeconfig: PathBuf,
    pub state: tempfile::TempDir,
    pub cache: tempfile::TempDir,
    pub kubectl: PathBuf,
    pub stderr: std::sync::Arc<std::sync::Mutex<String>>,
    /// The server's console (its stdin) and what it prints after startup.
    console: std::sync::Mutex<Option<std::process::ChildStdin>>,
    lines: std::sync::Mutex<mpsc::Receiver<String>>,
}

impl Server {
    /// Starts a server, or None when kubectl is missing (local runs only).
    pub fn start() -> Option<Server> {
        Self::start_with(&[])
    }

    pub fn start_with(extra: &[&str]) -> Option<Server> {
        let kubectl = kubectl_binary()?;
        let state = tempfile::tempdir().expect("tempdir");
        let cache = tempfile::tempdir().expect("tempdir");
        let mut child = Command::new(env!("CARGO_BIN_EXE_podflow"))
            .args(["serve", "--port", "0", "--state-dir"])
            .arg(state.path())
            .args(extra)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn podflow serve");
        let console = child.stdin.take();
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        let stderr_text = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let mut stderr = child.stderr.take().expect("stderr");
        let sink = stderr_text.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stderr.read(&mut buf) {
                if n == 0 {
                    return;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let (mut api, mut kubeconfig) = (None, None);
        while api.is_none() || kubeconfig.is_none() {
            let line = rx
                .recv_timeout(Duration::from_secs(60))
                .unwrap_or_else(|_| {
                    panic!(
                        "podflow serve did not print its address; stderr: {}",
                        stderr_text.lock().unwrap()
                    )
                });
            if let Some(a) = line.strip_prefix("api: ") {
                api = Some(a.to_string());
            } else if let Some(k) = line.strip_prefix("kubeconfig: ") {
                kubeconfig = Some(PathBuf::from(k));
            }
        }
        Some(Server {
            child,
            api: api.unwrap(),
            kubeconfig: kubeconfig.unwrap(),
            state,
            cache,
            kubectl,
            stderr: stderr_text,
            console: std::sync::Mutex::new(console),
            lines: std::sync::Mutex::new(rx),
        })
    }

    /// Sends one command to the server's conductor console and returns its reply (the lines
    /// it printed before the `echo` marker that follows the command), within `bound`.
    pub fn console(&self, command: &str, bound: Duration) -> Vec<String> {
        use std::sync::atomic::{AtomicU64, Ordering};
        static MARK: AtomicU64 = AtomicU64::new(0);
        let mark = format!("--end-{}--", MARK.fetch_add(1, Ordering::Relaxed));
        {
            let mut console = self.console.lock().unwrap();
            let stdin = console.as_mut().expect("the console is open");
            writeln!(stdin, "{command}\necho {mark}").expect("write to the console");
            stdin.flush().expect("flush the console");
        }
        let lines = self.lines.lock().unwrap();
        let deadline = Instant::now() + bound;
        let mut reply = Vec::new();
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match lines.recv_timeout(left) {
                Ok(line) if line == mark => return reply,
                Ok(line) => reply.push(line),
                Err(_) => break,
            }
        }
        panic!("no reply to {command:?} within {bound:?}; got {reply:?}");
    }

    pub fn command(&self) -> Command {
        let mut cmd = Command::new(&self.kubectl);
        cmd.arg("--kubeconfig")
            .arg(&self.kubeconfig)
            .arg("--cache-dir")
            .arg(self.cache.path());
        cmd.env("HOME", self.cache.path());
        cmd.env_remove("KUBECONFIG");
        cmd
    }

    /// Runs kubectl with these arguments.
    pub fn kubectl(&self, args: &[&str]) -> Output {
        self.command().args(args).output().expect("run kubectl")
    }

    /// Runs kubectl with `stdin` as its standard input.
    pub fn kubectl_stdin(&self, args: &[&str], stdin: &str) -> Output {
        let mut child = self
            .command()
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run kubectl");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().expect("kubectl output")
    }

    /// kubectl must succeed; returns its stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.kubectl(args);
        assert!(
            out.status.success(),
            "kubectl {} failed:\nstdout: {}\nstderr: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// kubectl must fail; returns its stderr.
    pub fn fails(&self, args: &[&str]) -> String {
        let out = self.kubectl(args);
        assert!(
            !out.status.success(),
            "kubectl {} should have failed but printed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8_lossy(&out.stderr).into_owned()
    }

    pub fn ok_stdin(&self, args: &[&str], stdin: &str) -> String {
        let out = self.kubectl_stdin(args, stdin);
        assert!(
            out.status.success(),
            "kubectl {} failed:\nstdout: {}\nstderr: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn fails_stdin(&self, args: &[&str], stdin: &str) -> String {
        let out = self.kubectl_stdin(args, stdin);
        assert!(
            !out.status.success(),
            "kubectl {} should have failed",
            args.join(" ")
        );
        String::from_utf8_lossy(&out.stderr).into_owned()
    }

    /// The CA certificate of this server (PEM), to talk to it with other clients.
    pub fn ca_path(&self) -> PathBuf {
        self.state.path().join("ca.crt")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The repository's manifests folder.
pub fn manifest(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("manifests")
        .join(name)
        .display()
        .to_string()
}

/// A child process whose stdout is read line by line until a line matches, with a bound.
pub struct Lines {
    pub child: Child,
    rx: mpsc::Receiver<String>,
}

impl Lines {
    pub fn spawn(mut cmd: Command) -> Lines {
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        Lines { child, rx }
    }

    /// Waits (at most `bound`) for a line containing all of `needles`; returns every line read.
    pub fn wait_for(&self, needles: &[&str], bound: Duration) -> Result<Vec<String>, Vec<String>> {
        let deadline = Instant::now() + bound;
        let mut seen = Vec::new();
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.rx.recv_timeout(left) {
                Ok(line) => {
                    let hit = needles.iter().all(|n| line.contains(n));
                    seen.push(line);
                    if hit {
                        return Ok(seen);
                    }
                }
                Err(_) => break,
            }
        }
        Err(seen)
    }
}

impl Drop for Lines {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
