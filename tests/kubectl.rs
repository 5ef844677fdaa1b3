//! The real kubectl 1.32 against `podflow serve`: everyday commands, their output, and the
//! errors a Kubernetes user expects.

mod common;

use common::{Lines, Server, manifest};
use std::time::Duration;

const BOUND: Duration = Duration::from_secs(60);

#[test]
fn version_reports_1_32() {
    let Some(server) = Server::start() else {
        return;
    };
    let out = server.ok(&["version", "-o", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["serverVersion"]["major"], "1");
    assert_eq!(v["serverVersion"]["minor"], "32");
}

#[test]
fn api_resources_lists_what_is_served() {
    let Some(server) = Server::start() else {
        return;
    };
    let out = server.ok(&["api-resources"]);
    for needle in [
        "pods",
        "po",
        "deployments",
        "deploy",
        "apps/v1",
        "replicasets",
        "rs",
        "leases",
        "coordination.k8s.io/v1",
        "namespaces",
        "ns",
        "nodes",
        "no",
        "events",
        "ev",
        "configmaps",
        "cm",
        "serviceaccounts",
        "sa",
    ] {
        assert!(
            out.split_whitespace().any(|w| w == needle),
            "api-resources lacks {needle}:\n{out}"
        );
    }
    let namespaced = server.ok(&["api-resources", "--namespaced=false", "-o", "name"]);
    assert!(namespaced.lines().any(|l| l == "nodes"));
    assert!(!namespaced.lines().any(|l| l == "pods"));
}

#[test]
fn system_namespaces_exist() {
    let Some(server) = Server::start() else {
        return;
    };
    let out = server.ok(&["get", "ns"]);
    assert!(out.starts_with("NAME"), "{out}");
    for ns in ["default", "kube-system", "kube-public", "kube-node-lease"] {
        assert!(
            out.lines()
                .any(|l| l.starts_with(ns) && l.contains("Active")),
            "{ns} missing:\n{out}"
        );
    }
}

#[test]
fn create_then_create_again_is_already_exists() {
    let Some(server) = Server::start() else {
        return;
    };
    let out = server.ok(&["create", "-f", &manifest("pod.yaml")]);
    assert_eq!(out.trim(), "pod/web created");
    let err = server.fails(&["create", "-f", &manifest("pod.yaml")]);
    assert!(
        err.contains("Error from server (AlreadyExists)")
            && err.contains("pods \"web\" already exists"),
        "{err}"
    );
    let pods = server.ok(&["get", "pods"]);
    assert!(
        pods.contains("NAME")
            && pods.contains("READY")
            && pods.contains("STATUS")
            && pods.contains("RESTARTS"),
        "{pods}"
    );
    // Scheduled and started by now, or on its way.
    assert!(
        pods.lines().any(|l| l.starts_with("web ")
            && l.contains("/1")
            && ["Pending", "ContainerCreating", "Running"]
                .iter()
                .any(|s| l.contains(s))),
        "{pods}"
    );
}

#[test]
fn apply_creates_then_is_unchanged_then_configured() {
    let Some(server) = Server::start() else {
        return;
    };
    let out = server.ok(&["apply", "-f", &manifest("deployment.yaml")]);
    assert_eq!(out.trim(), "deployment.apps/web created");
    let out = server.ok(&["apply", "-f", &manifest("deployment.yaml")]);
    assert_eq!(out.trim(), "deployment.apps/web unchanged");
    let changed = std::fs::read_to_string(manifest("deployment.yaml"))
        .unwrap()
        .replace("nginx:1.27", "nginx:1.28");
    let out = server.ok_stdin(&["apply", "-f", "-"], &changed);
    assert_eq!(out.trim(), "deployment.apps/web configured");
    let image = server.ok(&[
        "get",
        "deploy",
        "web",
        "-o",
        "jsonpath={.spec.template.spec.containers[0].image}",
    ]);
    assert_eq!(image, "nginx:1.28");
    // Other fields are kept: ports, resources, replicas, the defaults.
    let json: serde_json::Value =
        serde_json::from_str(&server.ok(&["get", "deploy", "web", "-o", "json"])).unwrap();
    assert_eq!(json["spec"]["replicas"], 3);
    let container = &json["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(container["ports"][0]["containerPort"], 80);
    assert_eq!(container["resources"]["limits"]["cpu"], "200m");
    assert_eq!(container["imagePullPolicy"], "IfNotPresent");
    assert_eq!(json["spec"]["strategy"]["rollingUpdate"]["maxSurge"], "25%");
    assert_eq!(json["metadata"]["generation"], 2);
    assert!(
        json["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"]
            .as_str()
            .unwrap()
            .contains("nginx:1.28")
    );
}

#[test]
fn server_side_apply_creates_and_reports_conflicts() {
    let Some(server) = Server::start() else {
        return;
    };
    let out = server.ok(&["apply", "--server-side", "-f", &manifest("deployment.yaml")]);
    assert_eq!(out.trim(), "deployment.apps/web serverside-applied");
    let managers = server.ok(&[
        "get",
        "deploy",
        "web",
        "--show-managed-fields",
        "-o",
        "jsonpath={.metadata.managedFields[*].manager}",
    ]);
    assert!(managers.contains("kubectl"), "{managers}");
    // Another manager takes spec.replicas; applying a different value again conflicts.
    server.ok(&["scale", "deploy", "web", "--replicas=5"]);
    let changed = std::fs::read_to_string(manifest("deployment.yaml"))
        .unwrap()
        .replace("replicas: 3", "replicas: 4");
    let err = server.fails_stdin(&["apply", "--server-side", "-f", "-"], &changed);
    assert!(
        err.contains("conflict") && err.contains(".spec.replicas"),
        "{err}"
    );
    let out = server.ok_stdin(
        &["apply", "--server-side", "--force-conflicts", "-f", "-"],
        &changed,
    );
    assert!(out.contains("serverside-applied"), "{out}");
    assert_eq!(
        server.ok(&["get", "deploy", "web", "-o", "jsonpath={.spec.replicas}"]),
        "4"
    );
}

#[test]
fn run_and_the_forms_of_get() {
    let Some(server) = Server::start() else {
        return;
    };
    assert_eq!(
        server.ok(&["run", "nginx", "--image=nginx:1.27"]).trim(),
        "pod/nginx created"
    );
    server.ok(&["create", "-f", &manifest("pod.yaml")]);
    let wide = server.ok(&["get", "pods", "-o", "wide"]);
    let header = wide.lines().next().unwrap();
    for column in [
        "NAME",
        "READY",
        "STATUS",
        "RESTARTS",
        "AGE",
        "IP",
        "NODE",
        "NOMINATED NODE",
        "READINESS GATES",
    ] {
        assert!(header.contains(column), "{header}");
    }
    assert!(
        wide.lines()
            .any(|l| l.starts_with("nginx") && l.contains("<none>")),
        "{wide}"
    );
    let yaml = server.ok(&["get", "pod", "nginx", "-o", "yaml"]);
    assert!(
        yaml.contains("apiVersion: v1")
            && yaml.contains("kind: Pod")
            && yaml.contains("run: nginx"),
        "{yaml}"
    );
    assert!(
        yaml.contains("restartPolicy: Always") && yaml.contains("dnsPolicy: ClusterFirst"),
        "{yaml}"
    );
    let jsonpath = server.ok(&["get", "pods", "-o", "jsonpath={.items[*].metadata.name}"]);
    assert_eq!(jsonpath, "nginx web");
    let all = server.ok(&["get", "pods", "-A"]);
    assert!(
        all.lines().next().unwrap().starts_with("NAMESPACE"),
        "{all}"
    );
    assert!(
        all.lines()
            .any(|l| l.starts_with("default") && l.contains("web")),
        "{all}"
    );
    let labels = server.ok(&["get", "pods", "--show-labels"]);
    assert!(
        labels
            .lines()
            .any(|l| l.starts_with("nginx") && l.contains("run=nginx")),
        "{labels}"
    );
    let selected = server.ok(&["get", "pods", "-l", "app=web", "-o", "name"]);
    assert_eq!(selected.trim(), "pod/web");
    let none = server.ok(&["get", "pods", "-l", "app in (nothing)", "-o", "name"]);
    assert_eq!(none.trim(), "");
    let names = server.ok(&[
        "get",
        "pods",
        "--field-selector",
        "metadata.name=nginx",
        "-o",
        "name",
    ]);
    assert_eq!(names.trim(), "pod/nginx");
    let err = server.fails(&["get", "pods", "--field-selector", "spec.bogus=x"]);
    assert!(
        err.contains("field label not supported: spec.bogus"),
        "{err}"
    );
    let chunked = server.ok(&["get", "pods", "--chunk-size=1", "-o", "name"]);
    assert_eq!(chunked.trim(), "pod/nginx\npod/web");
}

#[test]
fn get_watch_sees_a_new_pod() {
    let Some(server) = Server::start() else {
        return;
    };
    let mut cmd = server.command();
    cmd.args(["get", "pods", "-w"]);
    let watch = Lines::spawn(cmd);
    // The watch is established once the empty list has been read; creating afterwards must be
    // seen either way (an ADDED event or the initial list).
    server.ok(&["create", "-f", &manifest("pod.yaml")]);
    // Its first status depends on how far the kubelet got: Pending, ContainerCreating, Running.
    let seen = watch.wait_for(&["web "], BOUND);
    assert!(seen.is_ok(), "get -w never showed the pod: {:?}", seen);
    server.ok(&["label", "pod", "web", "tier=frontend"]);
    server.ok(&["delete", "pod", "web"]);
    let mut cmd = server.command();
    cmd.args(["get", "pods", "-w", "--output-watch-events"]);
    let watch = Lines::spawn(cmd);
    server.ok(&["run", "late", "--image=nginx"]);
    let seen = watch.wait_for(&["ADDED", "late"], BOUND);
    assert!(
        seen.is_ok(),
        "get -w --output-watch-events never showed ADDED late: {:?}",
        seen
    );
}

#[test]
fn describe_shows_events() {
    let Some(server) = Server::start() else {
        return;
    };
    server.ok(&["create", "-f", &manifest("pod.yaml")]);
    let uid = server.ok(&["get", "pod", "web", "-o", "jsonpath={.metadata.uid}"]);
    let event = format!(
        "apiVersion: v1\nkind: Event\nmetadata:\n  name: web.demo\ninvolvedObject:\n  apiVersion: v1\n  kind: Pod\n  name: web\n  namespace: default\n  uid: {uid}\nreason: Scheduled\nmessage: Successfully assigned default/web to node-2\ntype: Normal\nsource:\n  component: default-scheduler\nfirstTimestamp: \"2026-01-01T00:00:00Z\"\nlastTimestamp: \"2026-01-01T00:00:00Z\"\ncount: 1\n"
    );
    server.ok_stdin(&["create", "-f", "-"], &event);
    let out = server.ok(&["describe", "pod", "web"]);
    assert!(
        out.contains("Name:")
            && out.contains("web")
            && out.contains("Containers:")
            && out.contains("nginx:1.27"),
        "{out}"
    );
    assert!(out.contains("Events:"), "{out}");
    assert!(
        out.contains("Scheduled") && out.contains("Successfully assigned default/web to node-2"),
        "{out}"
    );
    let events = server.ok(&["get", "events"]);
    let header = events.lines().next().unwrap();
    for column in ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"] {
        assert!(header.contains(column), "{header}");
    }
    assert!(
        events.contains("pod/web") && events.contains("Scheduled"),
        "{events}"
    );
}

#[test]
fn patch_in_all_three_types_and_label() {
    let Some(server) = Server::start() else {
        return;
    };
    server.ok(&["create", "-f", &manifest("deployment.yaml")]);
    server.ok(&[
        "patch",
        "deploy",
        "web",
        "-p",
        r#"{"spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.26"}]}}}}"#,
    ]);
    let json: serde_json::Value =
        serde_json::from_str(&server.ok(&["get", "deploy", "web", "-o", "json"])).unwrap();
    let container = &json["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(container["image"], "nginx:1.26");
    assert_eq!(
        container["ports"][0]["containerPort"], 80,
        "strategic merge keeps the other fields of the container"
    );
    server.ok(&[
        "patch",
        "deploy",
        "web",
        "--type=merge",
        "-p",
        r#"{"metadata":{"labels":{"team":"blue"}}}"#,
    ]);
    assert_eq!(
        server.ok(&[
            "get",
            "deploy",
            "web",
            "-o",
            "jsonpath={.metadata.labels.team}"
        ]),
        "blue"
    );
    server.ok(&[
        "patch",
        "deploy",
        "web",
        "--type=json",
        "-p",
        r#"[{"op":"replace","path":"/spec/replicas","value":2}]"#,
    ]);
    assert_eq!(
        server.ok(&["get", "deploy", "web", "-o", "jsonpath={.spec.replicas}"]),
        "2"
    );
    let err = server.fails(&[
        "patch",
        "deploy",
        "web",
        "--type=json",
        "-p",
        r#"[{"op":"test","path":"/spec/replicas","value":9}]"#,
    ]);
    assert!(
        err.contains("The request is invalid") && err.contains("/spec/replicas"),
        "{err}"
    );
    server.ok(&["label", "deploy", "web", "tier=frontend"]);
    assert_eq!(
        server
            .ok(&["get", "deploy", "-l", "tier=frontend", "-o", "name"])
            .trim(),
        "deployment.apps/web"
    );
    let err = server.fails(&["label", "deploy", "web", "tier=backend"]);
    assert!(err.contains("already has a value"), "{err}");
    server.ok(&["label", "deploy", "web", "tier-"]);
    assert_eq!(
        server
            .ok(&["get", "deploy", "-l", "tier", "-o", "name"])
            .trim(),
        ""
    );
}

#[test]
fn edit_with_a_sed_editor() {
    let Some(server) = Server::start() else {
        return;
    };
    server.ok(&["create", "-f", &manifest("deployment.yaml")]);
    let out = server
        .command()
        .args(["edit", "deploy", "web"])
        .env("EDITOR", "sed -i s/nginx:1.27/nginx:1.25/")
        .env("KUBE_EDITOR", "sed -i s/nginx:1.27/nginx:1.25/")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "deployment.apps/web edited"
    );
    assert_eq!(
        server.ok(&[
            "get",
            "deploy",
            "web",
            "-o",
            "jsonpath={.spec.template.spec.containers[0].image}"
        ]),
        "nginx:1.25"
    );
}

#[test]
fn replace_and_a_stale_replace_conflicts() {
    let Some(server) = Server::start() else {
        return;
    };
    // A ConfigMap: no controller writes it between our reads (a Deployment's controller
    // would, and a real cluster would then refuse the replace just the same).
    server.ok(&[
        "create",
        "configmap",
        "settings",
        "--from-literal=replicas=3",
    ]);
    let current = server.ok(&["get", "configmap", "settings", "-o", "yaml"]);
    let replaced = current.replace("replicas: \"3\"", "replicas: \"1\"");
    assert_eq!(
        server.ok_stdin(&["replace", "-f", "-"], &replaced).trim(),
        "configmap/settings replaced"
    );
    assert_eq!(
        server.ok(&[
            "get",
            "configmap",
            "settings",
            "-o",
            "jsonpath={.data.replicas}"
        ]),
        "1"
    );
    // `current` still carries the old resourceVersion: the server must refuse it.
    let stale = current.replace("replicas: \"3\"", "replicas: \"2\"");
    let err = server.fails_stdin(&["replace", "-f", "-"], &stale);
    assert!(
        err.contains("Error from server (Conflict)")
            && err.contains("the object has been modified; please apply your changes to the latest version and try again"),
        "{err}"
    );
}

#[test]
fn scale_and_delete() {
    let Some(server) = Server::start() else {
        return;
    };
    server.ok(&["create", "-f", &manifest("deployment.yaml")]);
    assert_eq!(
        server
            .ok(&["scale", "deploy", "web", "--replicas=5"])
            .trim(),
        "deployment.apps/web scaled"
    );
    assert_eq!(
        server.ok(&["get", "deploy", "web", "-o", "jsonpath={.spec.replicas}"]),
        "5"
    );
    let err = server.fails(&[
        "scale",
        "deploy",
        "web",
        "--replicas=2",
        "--current-replicas=3",
    ]);
    assert!(
        err.contains("Expected replicas to be 3, was 5") || err.contains("precondition"),
        "{err}"
    );
    assert_eq!(
        server.ok(&["delete", "deploy", "web"]).trim(),
        "deployment.apps \"web\" deleted"
    );
    let err = server.fails(&["get", "deploy", "web"]);
    assert!(
        err.contains("Error from server (NotFound): deployments.apps \"web\" not found"),
        "{err}"
    );
    server.ok(&["create", "-f", &manifest("pod.yaml")]);
    assert_eq!(
        server.ok(&["delete", "-f", &manifest("pod.yaml")]).trim(),
        "pod \"web\" deleted"
    );
    server.ok(&["create", "namespace", "scratch"]);
    server.ok(&["run", "x", "--image=nginx", "-n", "scratch"]);
    assert_eq!(
        server.ok(&["delete", "namespace", "scratch"]).trim(),
        "namespace \"scratch\" deleted"
    );
    let err = server.fails(&["get", "pods", "-n", "scratch", "x"]);
    assert!(err.contains("NotFound"), "{err}");
    let err = server.fails(&["run", "y", "--image=nginx", "-n", "scratch"]);
    assert!(err.contains("namespaces \"scratch\" not found"), "{err}");
    let err = server.fails(&["delete", "namespace", "default"]);
    assert!(err.contains("this namespace may not be deleted"), "{err}");
}

#[test]
fn invalid_manifest_is_422_with_the_field() {
    let Some(server) = Server::start() else {
        return;
    };
    let err = server.fails(&["create", "-f", &manifest("invalid.yaml")]);
    assert!(
        err.contains("The Pod \"invalid\" is invalid: spec.containers[0].image: Required value"),
        "{err}"
    );
    let bad_name = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n";
    let err = server.fails_stdin(&["create", "-f", "-"], bad_name);
    assert!(
        err.contains("metadata.name: Invalid value: \"Bad_Name\""),
        "{err}"
    );
}

#[test]
fn unknown_field_is_refused_under_strict_validation() {
    let Some(server) = Server::start() else {
        return;
    };
    let err = server.fails(&["create", "-f", &manifest("unknown-field.yaml")]);
    assert!(
        err.contains("strict decoding error: unknown field \"spec.containers[0].imagePullPolcy\""),
        "{err}"
    );
    // With --validate=warn the server drops the field and warns.
    let out = server
        .command()
        .args([
            "create",
            "--validate=warn",
            "-f",
            &manifest("unknown-field.yaml"),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("unknown field \"spec.containers[0].imagePullPolcy\"")
    );
}

#[test]
fn bad_token_is_401_and_another_ca_is_401() {
    let Some(server) = Server::start() else {
        return;
    };
    let err = server.fails(&[
        "--context",
        "podflow-student",
        "--token",
        "not-a-real-token",
        "get",
        "pods",
    ]);
    assert!(
        err.contains("You must be logged in to the server") || err.contains("Unauthorized"),
        "{err}"
    );
    // The student's token is valid: the student is who RBAC then judges (a reader in default).
    server.ok(&["--context", "podflow-student", "get", "pods"]);
    // A client certificate from another cluster's CA is refused by authentication.
    let Some(other) = Server::start() else { return };
    let ours = std::fs::read_to_string(&server.kubeconfig).unwrap();
    let theirs = std::fs::read_to_string(&other.kubeconfig).unwrap();
    let line_of = |text: &str, key: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(key))
            .unwrap()
            .to_string()
    };
    let mixed = ours
        .replace(
            &line_of(&ours, "client-certificate-data:"),
            &line_of(&theirs, "client-certificate-data:"),
        )
        .replace(
            &line_of(&ours, "client-key-data:"),
            &line_of(&theirs, "client-key-data:"),
        );
    let mixed_path = server.cache.path().join("other-ca-kubeconfig");
    std::fs::write(&mixed_path, mixed).unwrap();
    let out = server
        .command()
        .arg("--kubeconfig")
        .arg(&mixed_path)
        .args(["get", "pods"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("You must be logged in to the server") || err.contains("Unauthorized"),
        "{err}"
    );
}

#[test]
fn secrets_are_written_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let Some(server) = Server::start() else {
        return;
    };
    for file in [
        "kubeconfig",
        "ca.key",
        "admin.key",
        "apiserver.key",
        "tokens.csv",
    ] {
        let mode = std::fs::metadata(server.state.path().join(file))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600, "{file} has mode {mode:o}");
    }
    let kubeconfig = std::fs::read_to_string(&server.kubeconfig).unwrap();
    assert!(
        kubeconfig.contains("current-context: podflow")
            && kubeconfig.contains("name: podflow-student")
    );
}

#[test]
fn a_second_server_on_a_busy_port_fails_clearly() {
    let Some(server) = Server::start() else {
        return;
    };
    let port = server.api.rsplit(':').next().unwrap().to_string();
    let state = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_podflow"))
        .args(["serve", "--port", &port, "--state-dir"])
        .arg(state.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("already in use"), "{err}");
}

#[test]
fn typed_create_commands_send_protobuf_bodies() {
    let Some(server) = Server::start() else {
        return;
    };
    assert_eq!(
        server.ok(&["create", "namespace", "lesson"]).trim(),
        "namespace/lesson created"
    );
    assert_eq!(
        server
            .ok(&[
                "create",
                "deployment",
                "api",
                "--image=nginx:1.27",
                "--replicas=2",
                "-n",
                "lesson"
            ])
            .trim(),
        "deployment.apps/api created"
    );
    let json: serde_json::Value =
        serde_json::from_str(&server.ok(&["get", "deploy", "api", "-n", "lesson", "-o", "json"]))
            .unwrap();
    assert_eq!(json["spec"]["replicas"], 2);
    assert_eq!(json["spec"]["selector"]["matchLabels"]["app"], "api");
    assert_eq!(
        json["spec"]["template"]["spec"]["containers"][0]["image"],
        "nginx:1.27"
    );
    assert_eq!(
        server
            .ok(&[
                "create",
                "configmap",
                "settings",
                "--from-literal=mode=teach",
                "-n",
                "lesson"
            ])
            .trim(),
        "configmap/settings created"
    );
    assert_eq!(
        server.ok(&[
            "get",
            "cm",
            "settings",
            "-n",
            "lesson",
            "-o",
            "jsonpath={.data.mode}"
        ]),
        "teach"
    );
    assert_eq!(
        server
            .ok(&["create", "serviceaccount", "robot", "-n", "lesson"])
            .trim(),
        "serviceaccount/robot created"
    );
    let err = server.fails(&["create", "deployment", "Bad_Name", "--image=nginx"]);
    assert!(err.contains("Invalid value: \"Bad_Name\""), "{err}");
}
