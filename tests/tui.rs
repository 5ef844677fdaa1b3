//! The terminal UI without a terminal: whole screens drawn into ratatui's `TestBackend` at
//! known moments of the single-pod flow under a fixed seed (insta snapshots, 80×24 and
//! 160×48), app-level behaviour (a step advances exactly one hop), and random keys and sizes
//! that must never panic.
//!
//! To accept changed screens after a deliberate change: `INSTA_UPDATE=always cargo test --test
//! tui`, then read the diff of `tests/snapshots/`.

use podflow::apiserver::pki::Pki;
use podflow::clock::Clock;
use podflow::cluster::Cluster;
use podflow::flow::{Hop, HopKind, Mode, Step};
use podflow::kubectl::{Https, Kubectl};
use podflow::tui::action::Action;
use podflow::tui::app::{App, Effect, Endpoint};
use podflow::tui::theme::{Theme, ThemeName};
use podflow::tui::view;
use proptest::prelude::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast;

struct Harness {
    cluster: Cluster,
    app: App,
    hops: broadcast::Receiver<Arc<Hop>>,
}

impl Harness {
    /// A booted cluster in step mode, and the UI on it with nothing shown yet.
    async fn new() -> Harness {
        let pki = Pki::ephemeral().expect("pki");
        let cluster = Cluster::embedded_with_pki(
            1,
            3,
            Clock::paused_at(podflow::trace::TRACE_START_MS),
            &pki,
        )
        .await
        .expect("cluster");
        let store = cluster.api.objects();
        let booted = cluster
            .run_until(Duration::from_secs(120), || async {
                podflow::trace::nodes_ready(store) == 4
            })
            .await;
        assert!(booted);
        cluster.settle().await;
        let transport = Https::connect(cluster.api.clone(), &pki)
            .await
            .expect("https");
        let kubectl = Kubectl::new(transport, cluster.flow.clone());
        let hops = cluster.flow.subscribe();
        cluster.flow.conductor().set_mode(Mode::Step);
        let theme = Theme {
            color: false,
            name: ThemeName::Dark,
            ascii: false,
        };
        let mut app = App::new(
            cluster.flow.conductor().clone(),
            cluster.clock.clone(),
            Endpoint {
                api: "https://127.0.0.1:6443".into(),
                kubeconfig: "/home/you/.local/state/podflow/kubeconfig".into(),
            },
            theme,
        );
        app.nodes = cluster.node_names();
        app.objects = Some(Arc::new(podflow::tui::objects::StoreObjects(
            cluster.api.clone(),
        )));
        tokio::spawn(async move {
            let path = std::path::Path::new("manifests/pod.yaml");
            let _ = kubectl.apply_file(path).await;
        });
        for _ in 0..100 {
            tokio::task::yield_now().await;
        }
        Harness { cluster, app, hops }
    }

    fn pump(&mut self) {
        while let Ok(hop) = self.hops.try_recv() {
            self.app.push(hop);
        }
    }

    /// Steps (as the space key does) until a hop matching `until` is on screen.
    async fn step_until(&mut self, until: impl Fn(&Hop) -> bool) {
        for _ in 0..2_000 {
            if self.app.current().is_some_and(|h| until(h)) {
                return;
            }
            assert_eq!(self.app.update(Action::Step), Effect::Step);
            let step = self.cluster.flow.step().await;
            assert!(!matches!(step, Step::Idle), "the flow stopped early");
            for _ in 0..20 {
                tokio::task::yield_now().await;
            }
            self.pump();
        }
        panic!("never reached the moment");
    }

    fn screen(&self, width: u16, height: u16) -> String {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
        terminal
            .draw(|frame| view::draw(frame, &self.app))
            .expect("draw");
        terminal.backend().to_string()
    }
}

#[tokio::test(flavor = "current_thread")]
async fn screens_at_known_moments_of_the_single_pod_flow() {
    let mut h = Harness::new().await;
    h.pump();
    insta::assert_snapshot!("start_80x24", h.screen(80, 24));
    h.step_until(|hop| {
        hop.kind == HopKind::Authorized && hop.summary.starts_with("admin may create pods")
    })
    .await;
    insta::assert_snapshot!("after_authz_80x24", h.screen(80, 24));
    insta::assert_snapshot!("after_authz_160x48", h.screen(160, 48));
    h.step_until(|hop| hop.kind == HopKind::Scored).await;
    insta::assert_snapshot!("scheduler_decision_160x48", h.screen(160, 48));
    h.step_until(|hop| hop.kind == HopKind::StatusPatched && hop.summary.contains(": Running"))
        .await;
    insta::assert_snapshot!("running_80x24", h.screen(80, 24));
    insta::assert_snapshot!("running_160x48", h.screen(160, 48));
    // History: the hop that stored the new pod shows the pod as it was then.
    let created = h
        .app
        .timeline
        .iter()
        .position(|hop| {
            hop.kind == HopKind::Stored
                && hop
                    .summary
                    .contains("txn create /registry/pods/default/web")
        })
        .expect("the create was stored");
    while h.app.current_index() != Some(created) {
        h.app.update(Action::Up);
    }
    let screen = h.screen(160, 48);
    assert!(screen.contains("Object · Pod default/web"), "{screen}");
    assert!(
        !screen.contains("phase: Running"),
        "the pod as it was when created:\n{screen}"
    );
    insta::assert_snapshot!("history_created_160x48", screen);
    h.app.update(Action::Follow);
    let screen = h.screen(160, 48);
    assert!(
        screen.contains("changed since the previous revision"),
        "{screen}"
    );
    assert!(
        screen.contains("+ "),
        "the kubelet's changes are marked: {screen}"
    );
    // The cluster, its events and etcd, as the store has them now.
    h.app.cluster = Some(Arc::new(podflow::tui::snapshot::ClusterSnapshot::read(
        &h.cluster.api,
    )));
    for _ in 0..3 {
        h.app.update(Action::FocusNext);
    }
    let screen = h.screen(160, 48);
    assert!(screen.contains("● web"), "the pod on its node: {screen}");
    insta::assert_snapshot!("cluster_160x48", screen);
    h.app.update(Action::FocusNext);
    let screen = h.screen(160, 48);
    assert!(
        screen.contains("Scheduled"),
        "the scheduler's event: {screen}"
    );
    insta::assert_snapshot!("events_160x48", screen);
    h.app.update(Action::FocusNext);
    let screen = h.screen(160, 48);
    assert!(screen.contains("/registry/pods/default/web"), "{screen}");
    insta::assert_snapshot!("etcd_160x48", screen);
    // A command the API would not understand: the error, and nothing else changes.
    h.app.update(Action::CommandLine);
    for c in "delete widgets web".chars() {
        h.app.update(Action::Input(c));
    }
    insta::assert_snapshot!("command_line_80x24", h.screen(80, 24));
    assert_eq!(h.app.update(Action::Submit), Effect::None);
    let screen = h.screen(80, 24);
    assert!(
        screen.contains("the server doesn't have a resource type \"widgets\""),
        "{screen}"
    );
    h.app.update(Action::Glossary);
    insta::assert_snapshot!("glossary_80x24", h.screen(80, 24));
    h.app.update(Action::Back);
    h.app.theme.ascii = true;
    let screen = h.screen(80, 24);
    assert!(screen.is_ascii(), "{screen}");
    insta::assert_snapshot!("ascii_80x24", screen);
    h.app.theme.ascii = false;
    h.app.update(Action::Help);
    insta::assert_snapshot!("help_80x24", h.screen(80, 24));
    insta::assert_snapshot!("too_small_60x10", h.screen(60, 10));
}

#[tokio::test(flavor = "current_thread")]
async fn a_step_advances_exactly_one_hop() {
    let mut h = Harness::new().await;
    h.cluster.settle().await;
    for _ in 0..5 {
        let before = h.cluster.flow.count();
        assert_eq!(h.app.update(Action::Step), Effect::Step);
        assert!(matches!(h.cluster.flow.step().await, Step::Released(_)));
        h.cluster.settle().await;
        assert_eq!(h.cluster.flow.count(), before + 1, "one step, one hop");
        h.pump();
        assert_eq!(h.app.current().map(|hop| hop.seq), Some(before + 1));
    }
    // History: the previous hop is shown, the next step follows the flow again.
    h.app.update(Action::Up);
    let shown = h.app.current().map(|hop| hop.seq);
    assert_eq!(shown, Some(h.cluster.flow.count() - 1));
    h.app.update(Action::Step);
    assert_eq!(h.app.selected, None);
}

fn synthetic_app() -> App {
    let clock = Arc::new(Clock::paused_at(0));
    let mut app = App::new(
        Arc::new(podflow::flow::Conductor::new(clock.clone())),
        clock,
        Endpoint::default(),
        Theme {
            color: true,
            name: ThemeName::Light,
            ascii: false,
        },
    );
    app.nodes = vec!["control-plane".into(), "node-1".into()];
    for n in 1..=30u64 {
        let mut hop = Hop::new(
            if n % 3 == 0 { "kubelet" } else { "kubectl" },
            if n % 2 == 0 { "apiserver" } else { "cri" },
            HopKind::ALL[(n as usize) % HopKind::ALL.len()],
            format!(
                "hop {n} with a long summary that will not fit the narrow panes {}",
                "x".repeat(n as usize)
            ),
        )
        .on_node("node-1");
        hop.seq = n;
        hop.t_ms = n as i64 * 7;
        app.push(Arc::new(hop));
    }
    use podflow::tui::snapshot::*;
    let pod = |name: &str, phase: &str| PodRow {
        namespace: "default".into(),
        name: name.into(),
        phase: phase.into(),
    };
    app.cluster = Some(Arc::new(ClusterSnapshot {
        revision: 42,
        nodes: vec![NodeRow {
            name: "node-1".into(),
            ready: false,
            unschedulable: false,
            cpu_requested_milli: 2500,
            cpu_allocatable_milli: 2000,
            memory_requested: 1 << 30,
            memory_allocatable: 4 << 30,
            pods: vec![pod("web", "Running"), pod("api", "Failed")],
        }],
        unscheduled: vec![pod("big", "Pending")],
        events: vec![EventRow {
            last_ms: -5,
            kind: "Warning".into(),
            reason: "FailedScheduling".into(),
            object: "pod/big".into(),
            message: "0/2 nodes are available".into(),
            count: 3,
        }],
        keys: vec![KeyRow {
            key: "/registry/pods/default/web".into(),
            create_revision: 7,
            mod_revision: 42,
            version: 5,
        }],
        keys_total: 90,
    }));
    app
}

const ACTIONS: [Action; 27] = [
    Action::Step,
    Action::TogglePlay,
    Action::Faster,
    Action::Slower,
    Action::CycleMode,
    Action::FocusNext,
    Action::FocusPrevious,
    Action::Up,
    Action::Down,
    Action::PageUp,
    Action::PageDown,
    Action::Follow,
    Action::Zoom,
    Action::Help,
    Action::Back,
    Action::Quit,
    Action::Step,
    Action::CommandLine,
    Action::Input('x'),
    Action::Complete,
    Action::Erase,
    Action::Submit,
    Action::Picker,
    Action::Faults,
    Action::Glossary,
    Action::Click(5, 5),
    Action::Wheel(90, 30, false),
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn random_keys_and_sizes_never_panic(
        steps in proptest::collection::vec((0usize..ACTIONS.len(), 1u16..220, 1u16..70), 1..40)
    ) {
        let mut app = synthetic_app();
        for (action, width, height) in steps {
            app.screen = ratatui::layout::Rect::new(0, 0, width, height);
            app.theme.ascii = width % 2 == 0;
            let _ = app.update(ACTIONS[action]);
            let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
            terminal.draw(|frame| view::draw(frame, &app)).unwrap();
        }
    }
}
