//! The UI in a real terminal: `tmux` runs `podflow`, `send-keys` drives it, `capture-pane`
//! reads the screen. A real kubectl's request appears live, held in step mode until `space`
//! lets it through; `q` quits and the shell's screen is back. Skipped when tmux or kubectl is
//! missing.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BOUND: Duration = Duration::from_secs(60);

struct Tmux {
    socket: String,
}

impl Tmux {
    fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).to_string()
    }

    fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "podflow"])
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "podflow"];
        args.extend(keys);
        self.run(&args);
    }

    /// Presses space (one step each) until `done` (bounded); `what` names it in the failure.
    fn step_until(&self, what: &str, mut done: impl FnMut() -> bool) {
        let deadline = Instant::now() + BOUND;
        while !done() {
            assert!(
                Instant::now() < deadline,
                "{what} never finished:\n{}",
                self.screen()
            );
            self.keys(&["Space"]);
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Types `line` into the `:` command line and runs it.
    fn command(&self, line: &str) {
        self.keys(&[":"]);
        self.wait_for("Tab completes");
        self.keys(&["-l", line]);
        self.keys(&["Enter"]);
    }

    /// Waits until the screen shows `needle` (bounded).
    fn wait_for(&self, needle: &str) -> String {
        let deadline = Instant::now() + BOUND;
        loop {
            let screen = self.screen();
            if screen.contains(needle) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "the screen never showed {needle:?}:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .stderr(Stdio::null())
            .status();
    }
}

#[test]
fn podflow_in_tmux_steps_a_real_kubectl_request_and_restores_the_screen() {
    let Some(kubectl) = common::kubectl_binary() else {
        return;
    };
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("skipping: tmux is not installed");
        return;
    }
    let state = tempfile::tempdir().expect("tempdir");
    let cache = tempfile::tempdir().expect("tempdir");
    let tmux = Tmux {
        socket: format!("podflow-test-{}", std::process::id()),
    };
    let command = format!(
        "{} --port 0 --state-dir {}; echo PODFLOW-EXITED; sleep 60",
        env!("CARGO_BIN_EXE_podflow"),
        state.path().display()
    );
    tmux.run(&[
        "new-session",
        "-d",
        "-s",
        "podflow",
        "-x",
        "120",
        "-y",
        "36",
        &command,
    ]);
    tmux.wait_for("export KUBECONFIG=");
    // The boot over, the lesson starts with nothing waiting (on a loaded machine, a late hop
    // of the boot may still wait: step it through).
    let deadline = Instant::now() + BOUND;
    let screen = loop {
        let screen = tmux.screen();
        if screen.contains(" 0 waiting") {
            break screen;
        }
        assert!(Instant::now() < deadline, "the boot never ended:\n{screen}");
        if !screen.contains("booting") && screen.contains(" waiting") {
            tmux.keys(&["Space"]);
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(screen.contains("podflow · STEP"), "{screen}");
    assert!(screen.contains("node-3: kubelet CRI CNI"), "{screen}");

    let mut run = Command::new(&kubectl)
        .arg("--kubeconfig")
        .arg(state.path().join("kubeconfig"))
        .arg("--cache-dir")
        .arg(cache.path())
        .args(["run", "web", "--image=nginx"])
        .env("HOME", cache.path())
        .env_remove("KUBECONFIG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kubectl runs");
    // Its first request arrives and waits at the door.
    let screen = tmux.wait_for("1 waiting");
    assert!(screen.contains("next ▸ kubectl → apiserver"), "{screen}");
    if run.try_wait().expect("kubectl").is_some() {
        let out = run.wait_with_output().expect("kubectl output");
        panic!(
            "kubectl was not held: {}{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
            tmux.screen()
        );
    }

    tmux.step_until("kubectl", || run.try_wait().expect("kubectl").is_some());
    let out = run.wait_with_output().expect("kubectl output");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "pod/web created"
    );
    // The screen shows the create and the apiserver's answer, hop by hop.
    let screen = tmux.wait_for("201 Created");
    assert!(screen.contains("Timeline"), "{screen}");

    // The command line applies a manifest as kubectl would: its requests wait for the steps.
    tmux.command("apply manifests/deployment.yaml");
    tmux.wait_for("kubectl apply -f manifests/deployment.yaml");
    tmux.step_until("the apply", || {
        tmux.screen().contains("deployment.apps/web created")
    });
    // A command podflow does not know: a clear error, nothing else.
    tmux.command("fault meteor node-1");
    tmux.wait_for("unknown fault \"meteor\"");

    // Help, then back; step → auto → live.
    tmux.keys(&["?"]);
    tmux.wait_for("Keys · Esc closes");
    // Escape alone (followed at once by a key, a terminal reads it as Alt+key).
    tmux.keys(&["Escape"]);
    let deadline = Instant::now() + BOUND;
    while tmux.screen().contains("Keys · Esc closes") {
        assert!(Instant::now() < deadline, "Esc never closed the help");
        std::thread::sleep(Duration::from_millis(50));
    }
    tmux.keys(&["m"]);
    tmux.wait_for("podflow · AUTO");
    tmux.keys(&["m"]);
    tmux.wait_for("podflow · LIVE");

    tmux.keys(&["q"]);
    let screen = tmux.wait_for("PODFLOW-EXITED");
    assert!(
        !screen.contains("podflow · LIVE"),
        "the UI's screen is gone: {screen}"
    );
}
