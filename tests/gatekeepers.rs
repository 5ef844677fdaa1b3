//! The apiserver's gatekeepers with the real kubectl: RBAC, anonymous access, `auth can-i`,
//! and the admission chain.

mod common;

use common::{Server, manifest};

fn student<'a>(args: &[&'a str]) -> Vec<&'a str> {
    let mut all = vec!["--context", "podflow-student"];
    all.extend_from_slice(args);
    all
}

#[test]
fn student_may_read_but_not_delete_until_granted() {
    let Some(server) = Server::start() else {
        return;
    };
    server.ok(&["create", "-f", &manifest("pod.yaml")]);
    let pods = server.ok(&student(&["get", "pods"]));
    assert!(pods.contains("web"), "{pods}");
    let err = server.fails(&student(&["delete", "pod", "web"]));
    assert!(
        err.contains("Error from server (Forbidden): pods \"web\" is forbidden: User \"student\" cannot delete resource \"pods\" in API group \"\" in the namespace \"default\""),
        "{err}"
    );
    let err = server.fails(&student(&["get", "pods", "-n", "kube-system"]));
    assert!(
        err.contains(
            "cannot list resource \"pods\" in API group \"\" in the namespace \"kube-system\""
        ),
        "{err}"
    );
    // An admin grants delete with a Role and a RoleBinding; now the student may.
    server.ok(&[
        "create",
        "role",
        "pod-deleter",
        "--verb=delete",
        "--resource=pods",
    ]);
    server.ok(&[
        "create",
        "rolebinding",
        "student-deletes",
        "--role=pod-deleter",
        "--user=student",
    ]);
    assert_eq!(
        server.ok(&student(&["delete", "pod", "web"])).trim(),
        "pod \"web\" deleted"
    );
    let roles = server.ok(&["get", "clusterroles"]);
    assert!(
        roles.starts_with("NAME")
            && roles.contains("CREATED AT")
            && roles.contains("cluster-admin"),
        "{roles}"
    );
    let bindings = server.ok(&["get", "rolebindings", "-o", "wide"]);
    assert!(
        bindings.contains("student-deletes")
            && bindings.contains("Role/pod-deleter")
            && bindings.contains("student"),
        "{bindings}"
    );
}

#[test]
fn auth_can_i_for_admin_and_student() {
    let Some(server) = Server::start() else {
        return;
    };
    assert_eq!(
        server.ok(&["auth", "can-i", "create", "pods"]).trim(),
        "yes"
    );
    assert_eq!(
        server
            .ok(&student(&["auth", "can-i", "list", "pods"]))
            .trim(),
        "yes"
    );
    let out = server.kubectl(&student(&["auth", "can-i", "delete", "pods"]));
    assert!(!out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "no");
    // An admin asks on the student's behalf (SubjectAccessReview through impersonation).
    let out = server.kubectl(&["auth", "can-i", "delete", "pods", "--as", "student"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "no",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let list = server.ok(&student(&["auth", "can-i", "--list"]));
    assert!(
        list.contains("Resources") && list.contains("Verbs"),
        "{list}"
    );
    assert!(
        list.lines()
            .any(|l| l.starts_with("pods ") && l.contains("[get list watch]")),
        "{list}"
    );
    let err = server.fails(&student(&[
        "create",
        "role",
        "sneaky",
        "--verb=delete",
        "--resource=pods",
    ]));
    assert!(err.contains("Forbidden"), "{err}");
}

/// kubectl always presents credentials (it prompts for a user name when it has none), so the
/// anonymous client here is curl, trusting the cluster CA and sending nothing else.
#[test]
fn anonymous_may_read_the_version_only() {
    let Some(server) = Server::start() else {
        return;
    };
    let anonymous = |path: &str| {
        let out = std::process::Command::new("curl")
            .args(["-s", "--cacert"])
            .arg(server.ca_path())
            .arg(format!("{}{path}", server.api))
            .output()
            .expect("curl is installed");
        serde_json::from_slice::<serde_json::Value>(&out.stdout).expect("a JSON reply")
    };
    assert_eq!(anonymous("/version")["minor"], "32");
    let status = anonymous("/api/v1/namespaces/default/pods");
    assert_eq!(status["code"], 403);
    assert_eq!(
        status["message"],
        "pods is forbidden: User \"system:anonymous\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\""
    );
    assert_eq!(anonymous("/api")["code"], 403);
}

#[test]
fn admission_sets_service_account_tolerations_and_limit_range_defaults() {
    let Some(server) = Server::start() else {
        return;
    };
    let limits = "apiVersion: v1\nkind: LimitRange\nmetadata:\n  name: defaults\nspec:\n  limits:\n  - type: Container\n    default:\n      cpu: 500m\n      memory: 256Mi\n    defaultRequest:\n      cpu: 250m\n      memory: 128Mi\n";
    server.ok_stdin(&["create", "-f", "-"], limits);
    server.ok(&["run", "plain", "--image=nginx:1.27"]);
    let pod: serde_json::Value =
        serde_json::from_str(&server.ok(&["get", "pod", "plain", "-o", "json"])).unwrap();
    assert_eq!(pod["spec"]["serviceAccountName"], "default");
    let tolerations = pod["spec"]["tolerations"].as_array().unwrap();
    for key in [
        "node.kubernetes.io/not-ready",
        "node.kubernetes.io/unreachable",
    ] {
        assert!(
            tolerations.iter().any(|t| t["key"] == key
                && t["tolerationSeconds"] == 300
                && t["effect"] == "NoExecute"),
            "{tolerations:?}"
        );
    }
    let container = &pod["spec"]["containers"][0];
    assert_eq!(container["resources"]["limits"]["cpu"], "500m");
    assert_eq!(container["resources"]["requests"]["memory"], "128Mi");
    assert!(
        pod["metadata"]["annotations"]["kubernetes.io/limit-ranger"]
            .as_str()
            .unwrap()
            .starts_with("LimitRanger plugin set: cpu, memory request for container plain")
    );
    assert!(
        container["volumeMounts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["mountPath"] == "/var/run/secrets/kubernetes.io/serviceaccount")
    );
    let err = server.fails(&["run", "x", "--image=nginx", "-n", "missing"]);
    assert!(err.contains("namespaces \"missing\" not found"), "{err}");
}

#[test]
fn webhooks_inject_a_sidecar_and_require_limits() {
    let Some(server) = Server::start() else {
        return;
    };
    server.ok(&["create", "namespace", "mesh"]);
    server.ok(&[
        "label",
        "namespace",
        "mesh",
        "podflow.io/sidecar-injection=enabled",
    ]);
    server.ok(&["run", "web", "--image=nginx:1.27", "-n", "mesh"]);
    let yaml = server.ok(&["get", "pod", "web", "-n", "mesh", "-o", "yaml"]);
    assert!(
        yaml.contains("name: proxy") && yaml.contains("istio/proxyv2"),
        "{yaml}"
    );
    server.ok(&["create", "namespace", "strict"]);
    server.ok(&[
        "label",
        "namespace",
        "strict",
        "podflow.io/require-limits=true",
    ]);
    let err = server.fails(&["apply", "-n", "strict", "-f", &manifest("no-limits.yaml")]);
    assert!(err.contains("admission webhook \"require-limits.podflow.io\" denied the request: container \"app\" has no resources.limits.cpu"), "{err}");
    let out = server.ok(&["apply", "-n", "strict", "-f", &manifest("pod.yaml")]);
    assert_eq!(out.trim(), "pod/web created");
}

#[test]
fn quota_is_enforced() {
    let Some(server) = Server::start() else {
        return;
    };
    server.ok(&["create", "quota", "two-pods", "--hard=pods=2"]);
    server.ok(&["run", "a", "--image=nginx"]);
    server.ok(&["run", "b", "--image=nginx"]);
    let err = server.fails(&["run", "c", "--image=nginx"]);
    assert!(err.contains("pods \"c\" is forbidden: exceeded quota: two-pods, requested: pods=1, used: pods=2, limited: pods=2"), "{err}");
    let quota = server.ok(&[
        "get",
        "quota",
        "two-pods",
        "-o",
        "jsonpath={.status.used.pods}",
    ]);
    assert_eq!(quota, "2");
    server.ok(&["create", "quota", "compute", "--hard=limits.cpu=1"]);
    let err = server.fails(&["run", "d", "--image=nginx"]);
    assert!(
        err.contains("failed quota: compute: must specify limits.cpu for: d"),
        "{err}"
    );
}

#[test]
fn nobody_grants_rights_they_do_not_hold() {
    let Some(server) = Server::start() else {
        return;
    };
    // The student may now create roles, but only with rights the student already holds.
    server.ok(&[
        "create",
        "role",
        "role-maker",
        "--verb=create",
        "--resource=roles.rbac.authorization.k8s.io",
    ]);
    server.ok(&[
        "create",
        "rolebinding",
        "student-makes-roles",
        "--role=role-maker",
        "--user=student",
    ]);
    let err = server.fails(&student(&[
        "create",
        "role",
        "sneaky",
        "--verb=delete",
        "--resource=pods",
    ]));
    assert!(
        err.contains("roles.rbac.authorization.k8s.io \"sneaky\" is forbidden: user \"student\" (groups=[\"podflow:students\" \"system:authenticated\"]) is attempting to grant RBAC permissions not currently held:")
            && err.contains("{APIGroups:[\"\"], Resources:[\"pods\"], Verbs:[\"delete\"]}"),
        "{err}"
    );
    assert_eq!(
        server
            .ok(&student(&[
                "create",
                "role",
                "reader",
                "--verb=get",
                "--resource=pods"
            ]))
            .trim(),
        "role.rbac.authorization.k8s.io/reader created"
    );
    // A binding to a role that does not exist is accepted and grants nothing.
    server.ok(&[
        "create",
        "rolebinding",
        "ghost",
        "--role=nope",
        "--user=student",
    ]);
    let err = server.fails(&student(&["delete", "pod", "x"]));
    assert!(
        err.contains("cannot delete resource \"pods\"")
            && err.contains("role.rbac.authorization.k8s.io \"nope\" not found"),
        "{err}"
    );
    // A role with a verb Kubernetes has never heard of is stored as given and grants just that.
    server.ok(&[
        "create",
        "role",
        "odd",
        "--verb=frobnicate",
        "--resource=pods",
    ]);
}
