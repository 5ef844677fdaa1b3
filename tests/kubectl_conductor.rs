//! The conductor from outside: `podflow serve` in step mode holds the real kubectl's request
//! inside the pipeline — kubectl simply waits — until the console steps it through, hop by
//! hop; then kubectl prints what it always prints.

mod common;

use common::{Lines, Server, manifest};
use std::time::Duration;

const BOUND: Duration = Duration::from_secs(60);

#[test]
fn a_held_kubectl_request_completes_when_stepped_through() {
    let Some(server) = Server::start() else {
        return;
    };
    server.ok(&[
        "wait",
        "--for=condition=Ready",
        "nodes",
        "--all",
        "--timeout=60s",
    ]);
    assert_eq!(server.console("mode step", BOUND), ["mode: STEP"]);

    let mut kubectl = Lines::spawn({
        let mut cmd = server.command();
        cmd.args(["create", "-f", &manifest("pod.yaml")]);
        cmd
    });
    // kubectl's first request arrives and is held: it waits inside the pipeline.
    let deadline = std::time::Instant::now() + BOUND;
    loop {
        let waiting = server.console("waiting", BOUND);
        if waiting
            .iter()
            .any(|l| l.contains("kubectl → apiserver") && l.contains("[request_received]"))
        {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "kubectl's request never arrived: {waiting:?}"
        );
    }
    assert!(
        kubectl.child.try_wait().expect("kubectl").is_none(),
        "kubectl finished while its request was held"
    );

    // Step until kubectl is done; every step releases one hop.
    let mut released = Vec::new();
    for _ in 0..500 {
        if kubectl.child.try_wait().expect("kubectl").is_some() {
            break;
        }
        let reply = server.console("step 5", BOUND);
        assert!(
            reply
                .iter()
                .all(|l| l.starts_with("released: ") || l.starts_with("clock: ")),
            "{reply:?}"
        );
        released.extend(reply);
    }
    let status = kubectl.child.wait().expect("kubectl exits");
    assert!(status.success(), "kubectl failed");
    let printed = kubectl
        .wait_for(&["pod/web created"], BOUND)
        .unwrap_or_else(|seen| panic!("kubectl printed {seen:?}"));
    assert!(printed.iter().any(|l| l == "pod/web created"));
    // The create went through the pipeline one hop a step, in order.
    let at = |needle: &str| {
        released
            .iter()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("{needle} in {released:#?}"))
    };
    let post = at("kubectl → apiserver  [request_received] POST /api/v1/namespaces/default/pods");
    let authn = post
        + at_after(
            &released,
            post,
            "[authenticated] x509 client certificate: user admin",
        );
    let stored = post
        + at_after(
            &released,
            post,
            "[stored] txn create /registry/pods/default/web",
        );
    let answered = post + at_after(&released, post, "apiserver → kubectl  [responded] 201");
    assert!(post < authn && authn < stored && stored < answered);

    assert_eq!(server.console("mode live", BOUND), ["mode: LIVE"]);
}

fn at_after(lines: &[String], from: usize, needle: &str) -> usize {
    lines[from..]
        .iter()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle} after line {from} in {lines:#?}"))
}
