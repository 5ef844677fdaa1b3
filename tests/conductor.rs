//! The conductor on an in-process cluster under a paused clock: step mode holds a request
//! inside the pipeline until it is stepped through, sim time stands still meanwhile, and
//! switching modes mid-flow loses and repeats no hop.

use podflow::clock::Clock;
use podflow::cluster::Cluster;
use podflow::flow::{Hop, HopKind, Mode, Step};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const START_MS: i64 = 1_790_000_000_000;

async fn registered_cluster() -> Cluster {
    let cluster = Cluster::embedded_with_nodes(3, 1, Clock::paused_at(START_MS))
        .await
        .expect("cluster starts");
    let admin = cluster.admin_client();
    let registered = cluster
        .run_until(Duration::from_secs(60), || async {
            admin
                .get("/api/v1/nodes")
                .await
                .ok()
                .and_then(|l| l["items"].as_array().map(Vec::len))
                == Some(2)
        })
        .await;
    assert!(registered, "the nodes register");
    cluster
}

/// Every hop the flow records from now on, as a sink sees them.
fn collect(cluster: &Cluster) -> Arc<Mutex<Vec<Hop>>> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    cluster
        .flow
        .add_sink(move |hop| sink.lock().unwrap().push(hop.clone()));
    seen
}

fn pod(name: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
           "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]}})
}

async fn yields(n: usize) {
    for _ in 0..n {
        tokio::task::yield_now().await;
    }
}

fn is_create_of(hop: &podflow::flow::Hop, name: &str) -> bool {
    let json = serde_json::to_value(hop).unwrap_or(Value::Null);
    hop.kind == HopKind::RequestReceived
        && json["detail"]["verb"] == "POST"
        && json["detail"]["path"] == "/api/v1/namespaces/default/pods"
        && hop
            .object
            .as_ref()
            .is_none_or(|o| o.name == name || o.name.is_empty())
}

#[tokio::test(flavor = "current_thread")]
async fn step_mode_holds_a_request_in_the_pipeline_until_stepped() {
    let cluster = registered_cluster().await;
    cluster.settle().await;
    let conductor = cluster.flow.conductor().clone();
    conductor.set_mode(Mode::Step);
    let frozen_at = cluster.clock.now_ms();

    let admin = cluster.admin_client();
    let create = tokio::spawn(async move {
        admin
            .create("/api/v1/namespaces/default/pods", &pod("held"))
            .await
    });
    yields(200).await;
    assert!(!create.is_finished(), "the client still waits");
    let waiting = conductor.waiting();
    assert_eq!(waiting.len(), 1, "one hop waits: {waiting:?}");
    assert!(is_create_of(&waiting[0], "held"), "{:?}", waiting[0]);

    let mut kinds = Vec::new();
    for _ in 0..100 {
        if create.is_finished() {
            break;
        }
        match cluster.flow.step().await {
            Step::Released(hop) => kinds.push(hop.kind),
            other => panic!("a hop should be waiting while the request runs: {other:?}"),
        }
        assert_eq!(cluster.clock.now_ms(), frozen_at, "sim time stands still");
        yields(20).await;
    }
    let created = create.await.expect("task").expect("created");
    assert_eq!(created["metadata"]["name"], "held");
    // The request went through the whole pipeline, one hop a step, in order.
    let position = |kind| kinds.iter().position(|k| *k == kind);
    let order = [
        HopKind::RequestReceived,
        HopKind::Authenticated,
        HopKind::Authorized,
        HopKind::AdmissionMutating,
        HopKind::Validated,
        HopKind::Stored,
        HopKind::Responded,
    ]
    .map(|k| position(k).unwrap_or_else(|| panic!("{k:?} in {kinds:?}")));
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{kinds:?}");
    assert_eq!(cluster.clock.now_ms(), frozen_at);
}

#[tokio::test(flavor = "current_thread")]
async fn switching_modes_mid_flow_loses_and_repeats_no_hop() {
    let cluster = registered_cluster().await;
    cluster.settle().await;
    let seen = collect(&cluster);
    let first_seq = cluster.flow.count() + 1;
    let conductor = cluster.flow.conductor().clone();
    conductor.set_mode(Mode::Step);
    let admin = cluster.admin_client();
    let create = {
        let admin = admin.clone();
        tokio::spawn(async move {
            admin
                .create("/api/v1/namespaces/default/pods", &pod("switch"))
                .await
        })
    };
    yields(50).await;
    for _ in 0..5 {
        assert!(matches!(cluster.flow.step().await, Step::Released(_)));
    }
    conductor.set_mode(Mode::Auto);
    conductor.set_auto_paused(true);
    for _ in 0..5 {
        assert!(matches!(cluster.flow.step().await, Step::Released(_)));
    }
    conductor.set_mode(Mode::Live);
    create.await.expect("task").expect("created");
    let running = cluster
        .run_until(Duration::from_secs(120), || async {
            admin
                .get("/api/v1/namespaces/default/pods/switch")
                .await
                .ok()
                .and_then(|p| p.pointer("/status/phase").cloned())
                == Some(json!("Running"))
        })
        .await;
    assert!(running, "the pod runs");
    let hops: Vec<Hop> = seen
        .lock()
        .unwrap()
        .iter()
        .filter(|h| h.seq >= first_seq)
        .cloned()
        .collect();
    let seqs: Vec<u64> = hops.iter().map(|h| h.seq).collect();
    let expected: Vec<u64> = (first_seq..first_seq + seqs.len() as u64).collect();
    assert_eq!(seqs, expected, "every hop numbered once, in order");
    let creates = hops.iter().filter(|h| is_create_of(h, "switch")).count();
    assert_eq!(creates, 1, "the create arrived once");
    let stored_pod = hops
        .iter()
        .filter(|h| {
            h.kind == HopKind::Stored
                && h.object.as_ref().is_some_and(|o| o.name == "switch")
                && h.summary.contains("create")
        })
        .count();
    assert_eq!(stored_pod, 1, "stored once");
    assert!(
        hops.iter()
            .any(|h| h.kind == HopKind::StatusPatched && h.summary.contains("switch: Running")),
        "the kubelet reported Running"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn an_idle_step_jumps_to_the_next_timer_and_says_so() {
    let cluster = registered_cluster().await;
    cluster.settle().await;
    cluster.flow.conductor().set_mode(Mode::Step);
    let seen = collect(&cluster);
    let before = cluster.clock.now_ms();
    // Release whatever is in flight until the cluster has nothing to do but wait.
    let mut jumped = None;
    for _ in 0..500 {
        if let Step::Jumped(to) = cluster.flow.step().await {
            jumped = Some(to);
            break;
        }
    }
    let to = jumped.expect("the clock jumps once the cluster is idle");
    assert!(to > before);
    assert_eq!(cluster.clock.now_ms(), to);
    let last = seen.lock().unwrap().pop().expect("a hop");
    assert_eq!(last.kind, HopKind::ClockAdvanced);
    assert!(last.summary.starts_with('+'), "{}", last.summary);
}

#[tokio::test(flavor = "current_thread")]
async fn auto_mode_plays_the_flow_by_itself() {
    let cluster = registered_cluster().await;
    cluster.settle().await;
    let conductor = cluster.flow.conductor().clone();
    conductor.set_mode(Mode::Auto);
    conductor.set_auto_speed(16.0);
    let admin = cluster.admin_client();
    let created = tokio::time::timeout(
        Duration::from_secs(120),
        admin.create("/api/v1/namespaces/default/pods", &pod("auto")),
    )
    .await
    .expect("auto-play releases the request's hops, one an interval");
    assert_eq!(created.expect("created")["metadata"]["name"], "auto");
    // Paused, it holds the next hop.
    conductor.set_auto_paused(true);
    let next = tokio::spawn({
        let admin = admin.clone();
        async move { admin.get("/api/v1/namespaces/default/pods/auto").await }
    });
    yields(200).await;
    assert!(!next.is_finished(), "a paused auto-play holds hops");
    conductor.set_mode(Mode::Live);
    next.await.expect("task").expect("read");
}
