//! End-to-end tests: bodies encoded here the way kubectl's gogo-protobuf code writes them
//! (every non-pointer field, zero or not), plus a body captured from the real kubectl 1.32.

use serde_json::{Value, json};

use super::*;

/// A protobuf message under construction; fields are appended in call order.
#[derive(Clone, Default)]
struct Msg(Vec<u8>);

fn varint(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

impl Msg {
    fn new() -> Self {
        Self::default()
    }

    fn tag(mut self, field: u32, wire: u8) -> Self {
        varint(&mut self.0, u64::from(field) << 3 | u64::from(wire));
        self
    }

    fn uint(self, field: u32, v: u64) -> Self {
        let mut m = self.tag(field, 0);
        varint(&mut m.0, v);
        m
    }

    /// int32 and int64 alike: negatives become ten-byte sign-extended varints.
    fn int(self, field: u32, v: i64) -> Self {
        self.uint(field, v as u64)
    }

    fn boolean(self, field: u32, v: bool) -> Self {
        self.uint(field, u64::from(v))
    }

    fn bytes(self, field: u32, b: &[u8]) -> Self {
        let mut m = self.tag(field, 2);
        varint(&mut m.0, b.len() as u64);
        m.0.extend_from_slice(b);
        m
    }

    /// Bytes appended as they are (a payload after a hand-written tag).
    fn raw(mut self, b: &[u8]) -> Self {
        self.0.extend_from_slice(b);
        self
    }

    fn str(self, field: u32, s: &str) -> Self {
        self.bytes(field, s.as_bytes())
    }

    fn msg(self, field: u32, inner: Msg) -> Self {
        self.bytes(field, &inner.0)
    }

    fn entry(self, field: u32, key: &str, value: &str) -> Self {
        self.msg(field, Msg::new().str(1, key).str(2, value))
    }
}

/// `k8s\0` + `runtime.Unknown`, with the empty contentEncoding/contentType gogo always writes.
fn envelope(api_version: &str, kind: &str, raw: &Msg) -> Vec<u8> {
    let unknown = Msg::new()
        .msg(1, Msg::new().str(1, api_version).str(2, kind))
        .bytes(2, &raw.0)
        .str(3, "")
        .str(4, "");
    [MAGIC.as_slice(), &unknown.0].concat()
}

/// `ObjectMeta` as gogo writes it for a new object: every non-pointer field, the zero
/// `creationTimestamp` as an empty message.
fn object_meta(name: &str, namespace: &str) -> Msg {
    Msg::new()
        .str(1, name)
        .str(2, "")
        .str(3, namespace)
        .str(4, "")
        .str(5, "")
        .str(6, "")
        .int(7, 0)
        .msg(8, Msg::new())
}

fn quantity(s: &str) -> Msg {
    Msg::new().str(1, s)
}

fn int_or_string_int(v: i64) -> Msg {
    Msg::new().int(1, 0).int(2, v).str(3, "")
}

fn int_or_string_str(s: &str) -> Msg {
    Msg::new().int(1, 1).int(2, 0).str(3, s)
}

#[test]
fn namespace_as_kubectl_create_namespace_sends_it() {
    let ns = Msg::new()
        .msg(1, object_meta("scratch", ""))
        .msg(2, Msg::new())
        .msg(3, Msg::new().str(1, ""));
    let got = decode_body(&envelope("v1", "Namespace", &ns)).unwrap();
    assert_eq!(
        got,
        json!({
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": "scratch", "creationTimestamp": null},
            "spec": {},
            "status": {}
        })
    );
}

#[test]
fn configmap_data_and_binary_data() {
    let cm = Msg::new()
        .msg(1, object_meta("settings", "default"))
        .entry(2, "mode", "fast")
        .entry(2, "empty", "")
        .msg(3, Msg::new().str(1, "blob").bytes(2, &[0, 159, 146, 150]));
    let got = decode_body(&envelope("v1", "ConfigMap", &cm)).unwrap();
    assert_eq!(
        got,
        json!({
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "settings", "namespace": "default", "creationTimestamp": null},
            "data": {"mode": "fast", "empty": ""},
            "binaryData": {"blob": "AJ+Slg=="}
        })
    );
}

fn container(name: &str, image: &str) -> Msg {
    let resources = Msg::new()
        .msg(1, Msg::new().str(1, "cpu").msg(2, quantity("500m")))
        .msg(1, Msg::new().str(1, "memory").msg(2, quantity("128Mi")))
        .msg(2, Msg::new().str(1, "cpu").msg(2, quantity("250m")));
    let port = Msg::new()
        .str(1, "")
        .int(2, 0)
        .int(3, 8080)
        .str(4, "TCP")
        .str(5, "");
    Msg::new()
        .str(1, name)
        .str(2, image)
        .str(5, "")
        .msg(6, port)
        .msg(8, resources)
        .str(13, "")
        .str(14, "")
        .boolean(16, false)
        .boolean(17, false)
        .boolean(18, false)
        .str(20, "")
}

#[test]
fn deployment_with_pod_template_keeps_replicas_zero() {
    let labels = Msg::new().str(1, "app").str(2, "web");
    let template_meta = object_meta("", "").msg(11, labels.clone());
    let pod_spec = Msg::new()
        .msg(2, container("nginx", "nginx:1.27"))
        .str(3, "")
        .str(6, "")
        .str(8, "")
        .str(9, "")
        .str(10, "")
        .boolean(11, false)
        .boolean(12, false)
        .boolean(13, false)
        .msg(14, Msg::new())
        .str(16, "")
        .str(17, "")
        .str(19, "");
    let strategy = Msg::new().str(1, "RollingUpdate").msg(
        2,
        Msg::new()
            .msg(1, int_or_string_int(1))
            .msg(2, int_or_string_str("25%")),
    );
    let spec = Msg::new()
        .int(1, 0)
        .msg(2, Msg::new().msg(1, labels.clone()))
        .msg(3, Msg::new().msg(1, template_meta).msg(2, pod_spec))
        .msg(4, strategy)
        .int(5, 0)
        .boolean(7, false);
    let status = Msg::new()
        .int(1, 0)
        .int(2, 0)
        .int(3, 0)
        .int(4, 0)
        .int(5, 0)
        .int(7, 0);
    let deploy = Msg::new()
        .msg(1, object_meta("web", "default").msg(11, labels))
        .msg(2, spec)
        .msg(3, status);
    let got = decode_body(&envelope("apps/v1", "Deployment", &deploy)).unwrap();
    assert_eq!(
        got,
        json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {
                "name": "web",
                "namespace": "default",
                "labels": {"app": "web"},
                "creationTimestamp": null
            },
            "spec": {
                "replicas": 0,
                "selector": {"matchLabels": {"app": "web"}},
                "template": {
                    "metadata": {"labels": {"app": "web"}, "creationTimestamp": null},
                    "spec": {
                        "containers": [{
                            "name": "nginx",
                            "image": "nginx:1.27",
                            "ports": [{"containerPort": 8080, "protocol": "TCP"}],
                            "resources": {
                                "limits": {"cpu": "500m", "memory": "128Mi"},
                                "requests": {"cpu": "250m"}
                            }
                        }],
                        "securityContext": {}
                    }
                },
                "strategy": {
                    "type": "RollingUpdate",
                    "rollingUpdate": {"maxUnavailable": 1, "maxSurge": "25%"}
                }
            },
            "status": {}
        })
    );
}

#[test]
fn eviction_with_delete_options() {
    let eviction = Msg::new()
        .msg(1, object_meta("web-7d4b9", "default"))
        .msg(2, Msg::new().int(1, 0).str(4, "Background").str(5, "All"));
    let got = decode_body(&envelope("policy/v1", "Eviction", &eviction)).unwrap();
    assert_eq!(
        got,
        json!({
            "apiVersion": "policy/v1",
            "kind": "Eviction",
            "metadata": {"name": "web-7d4b9", "namespace": "default", "creationTimestamp": null},
            "deleteOptions": {
                "gracePeriodSeconds": 0,
                "propagationPolicy": "Background",
                "dryRun": ["All"]
            }
        })
    );
}

#[test]
fn self_subject_access_review_as_auth_can_i_sends_it() {
    let attributes = Msg::new()
        .str(1, "default")
        .str(2, "create")
        .str(3, "")
        .str(4, "")
        .str(5, "pods")
        .str(6, "")
        .str(7, "");
    let review = Msg::new()
        .msg(1, object_meta("", ""))
        .msg(2, Msg::new().msg(1, attributes))
        .msg(
            3,
            Msg::new()
                .boolean(1, false)
                .str(2, "")
                .str(3, "")
                .boolean(4, false),
        );
    let got = decode_body(&envelope(
        "authorization.k8s.io/v1",
        "SelfSubjectAccessReview",
        &review,
    ))
    .unwrap();
    assert_eq!(
        got,
        json!({
            "apiVersion": "authorization.k8s.io/v1",
            "kind": "SelfSubjectAccessReview",
            "metadata": {"creationTimestamp": null},
            "spec": {"resourceAttributes": {
                "namespace": "default", "verb": "create", "resource": "pods"
            }},
            "status": {"allowed": false}
        })
    );
}

#[test]
fn subject_access_review_extra_values_are_lists() {
    let spec = Msg::new().str(3, "alice").str(4, "dev").str(4, "ops").msg(
        5,
        Msg::new()
            .str(1, "scopes")
            .msg(2, Msg::new().str(1, "a").str(1, "b")),
    );
    let got = decode_message(
        "k8s.io.api.authorization.v1.SubjectAccessReviewSpec",
        &spec.0,
    )
    .unwrap();
    assert_eq!(
        got,
        json!({"user": "alice", "groups": ["dev", "ops"], "extra": {"scopes": ["a", "b"]}})
    );
}

#[test]
fn rbac_role_binding_and_cluster_role() {
    let binding = Msg::new()
        .msg(1, object_meta("read-pods", "default"))
        .msg(
            2,
            Msg::new()
                .str(1, "User")
                .str(2, "rbac.authorization.k8s.io")
                .str(3, "student")
                .str(4, ""),
        )
        .msg(
            3,
            Msg::new()
                .str(1, "rbac.authorization.k8s.io")
                .str(2, "Role")
                .str(3, "pod-reader"),
        );
    let got = decode_body(&envelope(
        "rbac.authorization.k8s.io/v1",
        "RoleBinding",
        &binding,
    ))
    .unwrap();
    assert_eq!(
        got["subjects"],
        json!([{"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": "student"}])
    );
    assert_eq!(got["roleRef"]["name"], "pod-reader");

    let rule = Msg::new()
        .str(1, "get")
        .str(1, "list")
        .str(2, "")
        .str(3, "pods");
    let role = Msg::new().msg(1, object_meta("reader", "")).msg(2, rule);
    let got = decode_body(&envelope(
        "rbac.authorization.k8s.io/v1",
        "ClusterRole",
        &role,
    ))
    .unwrap();
    assert_eq!(
        got["rules"],
        json!([{"verbs": ["get", "list"], "apiGroups": [""], "resources": ["pods"]}])
    );
}

#[test]
fn int_or_string_both_forms_and_negative_int32() {
    let name = "k8s.io.apimachinery.pkg.util.intstr.IntOrString";
    assert_eq!(
        decode_message(name, &int_or_string_int(8080).0).unwrap(),
        json!(8080)
    );
    assert_eq!(
        decode_message(name, &int_or_string_str("http").0).unwrap(),
        json!("http")
    );
    assert_eq!(
        decode_message(name, &int_or_string_int(-1).0).unwrap(),
        json!(-1)
    );
    assert_eq!(decode_message(name, &[]).unwrap(), json!(0));
    let err = decode_message(name, &Msg::new().int(1, 7).0).unwrap_err();
    assert_eq!(err.to_string(), "impossible IntOrString.Type");
}

#[test]
fn quantities_are_their_strings() {
    let name = "k8s.io.apimachinery.pkg.api.resource.Quantity";
    assert_eq!(
        decode_message(name, &quantity("1536Mi").0).unwrap(),
        json!("1536Mi")
    );
    assert_eq!(decode_message(name, &[]).unwrap(), json!("0"));
}

#[test]
fn times_micro_times_and_durations() {
    let time = "k8s.io.apimachinery.pkg.apis.meta.v1.Time";
    let micro = "k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime";
    let at = |s: i64, n: i64| Msg::new().int(1, s).int(2, n).0;
    assert_eq!(
        decode_message(time, &at(1_795_394_599, 0)).unwrap(),
        json!("2026-11-23T00:43:19Z")
    );
    // metav1.Time keeps whole seconds only.
    assert_eq!(
        decode_message(time, &at(1_709_251_199, 999_000_000)).unwrap(),
        json!("2024-02-29T23:59:59Z")
    );
    assert_eq!(
        decode_message(time, &at(-14_182_940, 0)).unwrap(),
        json!("1969-07-20T20:17:40Z")
    );
    assert_eq!(decode_message(time, &[]).unwrap(), Value::Null);
    assert_eq!(
        decode_message(micro, &at(1_795_394_599, 123_456_789)).unwrap(),
        json!("2026-11-23T00:43:19.123456Z")
    );
    assert_eq!(
        decode_message(micro, &at(1_795_394_599, 0)).unwrap(),
        json!("2026-11-23T00:43:19.000000Z")
    );
    assert!(matches!(
        decode_message(time, &at(i64::MAX, 0)),
        Err(ProtobufError::InvalidValue(_))
    ));
    let duration = "k8s.io.apimachinery.pkg.apis.meta.v1.Duration";
    assert_eq!(
        decode_message(duration, &Msg::new().int(1, 90_000_000_000).0).unwrap(),
        json!("1m30s")
    );
}

#[test]
fn lease_micro_times_decode_inside_objects() {
    let spec = Msg::new()
        .str(1, "node-1")
        .int(2, 40)
        .msg(4, Msg::new().int(1, 1_795_394_599).int(2, 500_000_000));
    let lease = Msg::new()
        .msg(1, object_meta("node-1", "kube-node-lease"))
        .msg(2, spec);
    let got = decode_body(&envelope("coordination.k8s.io/v1", "Lease", &lease)).unwrap();
    assert_eq!(
        got["spec"],
        json!({
            "holderIdentity": "node-1",
            "leaseDurationSeconds": 40,
            "renewTime": "2026-11-23T00:43:19.500000Z"
        })
    );
}

#[test]
fn secret_bytes_are_base64() {
    let secret = Msg::new()
        .msg(1, object_meta("creds", "default"))
        .msg(2, Msg::new().str(1, "password").bytes(2, b"s3cr3t"))
        .str(3, "Opaque");
    let got = decode_body(&envelope("v1", "Secret", &secret)).unwrap();
    assert_eq!(got["data"], json!({"password": "czNjcjN0"}));
    assert_eq!(got["type"], "Opaque");
}

#[test]
fn inline_structs_sit_in_their_parent() {
    let volume = Msg::new()
        .str(1, "cache")
        .msg(2, Msg::new().msg(2, Msg::new().str(1, "Memory")));
    assert_eq!(
        decode_message("k8s.io.api.core.v1.Volume", &volume.0).unwrap(),
        json!({"name": "cache", "emptyDir": {"medium": "Memory"}})
    );
    let env = Msg::new().str(1, "MODE").str(2, "").msg(
        3,
        Msg::new().msg(
            3,
            Msg::new()
                .msg(1, Msg::new().str(1, "settings"))
                .str(2, "mode"),
        ),
    );
    assert_eq!(
        decode_message("k8s.io.api.core.v1.EnvVar", &env.0).unwrap(),
        json!({"name": "MODE", "valueFrom": {"configMapKeyRef": {"name": "settings", "key": "mode"}}})
    );
    let probe = Msg::new()
        .msg(
            1,
            Msg::new().msg(
                2,
                Msg::new()
                    .str(1, "/healthz")
                    .msg(2, int_or_string_int(8080)),
            ),
        )
        .int(2, 0)
        .int(3, 1)
        .int(4, 10);
    assert_eq!(
        decode_message("k8s.io.api.core.v1.Probe", &probe.0).unwrap(),
        json!({"httpGet": {"path": "/healthz", "port": 8080}, "timeoutSeconds": 1, "periodSeconds": 10})
    );
}

#[test]
fn packed_and_unpacked_repeated_scalars() {
    let unpacked = Msg::new().int(4, 1000).int(4, 2000);
    let mut run = Vec::new();
    varint(&mut run, 1000);
    varint(&mut run, 2000);
    let packed = Msg::new().bytes(4, &run);
    for body in [unpacked, packed] {
        assert_eq!(
            decode_message("k8s.io.api.core.v1.PodSecurityContext", &body.0).unwrap(),
            json!({"supplementalGroups": [1000, 2000]})
        );
    }
}

#[test]
fn unknown_fields_are_skipped_and_repeated_messages_merge() {
    let meta = Msg::new()
        .str(1, "a")
        .uint(99, 5)
        .bytes(98, b"ignored")
        .tag(97, 5)
        .raw(&[1, 2, 3, 4])
        .tag(96, 1)
        .raw(&[0; 8])
        .msg(11, Msg::new().str(1, "x").str(2, "1"))
        .msg(11, Msg::new().str(1, "y").str(2, "2"))
        .str(1, "b");
    assert_eq!(
        decode_message("k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta", &meta.0).unwrap(),
        json!({"name": "b", "labels": {"x": "1", "y": "2"}})
    );
    let spec = Msg::new()
        .msg(2, Msg::new().msg(1, Msg::new().str(1, "a").str(2, "1")))
        .msg(2, Msg::new().msg(1, Msg::new().str(1, "b").str(2, "2")));
    assert_eq!(
        decode_message("k8s.io.api.apps.v1.DeploymentSpec", &spec.0).unwrap(),
        json!({"selector": {"matchLabels": {"a": "1", "b": "2"}}})
    );
}

#[test]
fn raw_extensions_and_fields_v1_hold_json() {
    let revision = Msg::new()
        .msg(1, object_meta("web-1", "default"))
        .msg(2, Msg::new().bytes(1, br#"{"spec":{"replicas":2}}"#))
        .int(3, 1);
    let got = decode_body(&envelope("apps/v1", "ControllerRevision", &revision)).unwrap();
    assert_eq!(got["data"], json!({"spec": {"replicas": 2}}));
    assert_eq!(got["revision"], 1);

    let entry = Msg::new()
        .str(1, "kubectl")
        .str(2, "Update")
        .msg(7, Msg::new().bytes(1, br#"{"f:data":{}}"#));
    assert_eq!(
        decode_message(
            "k8s.io.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry",
            &entry.0
        )
        .unwrap(),
        json!({"manager": "kubectl", "operation": "Update", "fieldsV1": {"f:data": {}}})
    );
    let bad = Msg::new().msg(2, Msg::new().bytes(1, b"{not json"));
    assert!(matches!(
        decode_message("k8s.io.api.apps.v1.ControllerRevision", &bad.0),
        Err(ProtobufError::InvalidValue(_))
    ));
}

#[test]
fn option_kinds_come_from_meta_v1_in_any_version() {
    let options = Msg::new().int(1, 30).str(4, "Foreground");
    let got = decode_body(&envelope("v1", "DeleteOptions", &options)).unwrap();
    assert_eq!(
        got,
        json!({
            "apiVersion": "v1", "kind": "DeleteOptions",
            "gracePeriodSeconds": 30, "propagationPolicy": "Foreground"
        })
    );
    assert_eq!(
        message_type_for("rbac.authorization.k8s.io/v1", "ClusterRole").as_deref(),
        Some("k8s.io.api.rbac.v1.ClusterRole")
    );
    assert_eq!(
        message_type_for("meta.k8s.io/v1", "DeleteOptions").as_deref(),
        Some("k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions")
    );
    assert_eq!(message_type_for("v1", "Pod.Spec"), None);
    assert_eq!(message_type_for("batch/v1", "Job"), None);
}

#[test]
fn malformed_bodies_are_errors_with_the_real_texts() {
    let body = envelope("v1", "Namespace", &Msg::new().msg(1, object_meta("x", "")));
    assert_eq!(decode_body(&[]), Err(ProtobufError::EmptyData));
    assert_eq!(decode_body(MAGIC), Err(ProtobufError::EmptyBody));
    assert_eq!(
        decode_body(b"{\"kind\":\"Namespace\"}"),
        Err(ProtobufError::NoMagic)
    );
    assert_eq!(
        decode_body(&body[..body.len() - 3]),
        Err(ProtobufError::UnexpectedEof)
    );
    let err = decode_body(&envelope("v1", "Namespace", &Msg::new().uint(1, 7))).unwrap_err();
    assert_eq!(
        err.bad_request_message("Namespace", b""),
        "Namespace in version \"v1\" cannot be handled as a Namespace: proto: wrong wireType = 0 for field Metadata"
    );
    let err = decode_body(b"k8s\0\xff\xff").unwrap_err();
    assert_eq!(
        err.bad_request_message("Namespace", b"k8s\0\xff\xff"),
        "the object provided is unrecognized (must be of type Namespace): unexpected EOF (6b387300ffff)"
    );
    let err = decode_body(&envelope("v1", "", &Msg::new())).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Object 'Kind' is missing in 'runtime.TypeMeta{APIVersion:\"v1\", Kind:\"\"}'"
    );
    let err = decode_body(&envelope("batch/v1", "Job", &Msg::new())).unwrap_err();
    assert_eq!(
        err.to_string(),
        "no kind \"Job\" is registered for version \"batch/v1\""
    );
    assert_eq!(
        decode_message("k8s.io.api.core.v1.Nope", &[]),
        Err(ProtobufError::UnknownType("k8s.io.api.core.v1.Nope".into()))
    );
}

#[test]
fn nesting_is_bounded() {
    // A ControllerRevision whose data is a protobuf ControllerRevision, and so on.
    let mut body = envelope("apps/v1", "ControllerRevision", &Msg::new());
    for _ in 0..MAX_DEPTH {
        let revision = Msg::new().msg(2, Msg::new().bytes(1, &body));
        body = envelope("apps/v1", "ControllerRevision", &revision);
    }
    let err = decode_body(&body).unwrap_err();
    assert!(err.to_string().contains("nesting deeper than"), "{err}");
}

#[test]
fn hostile_bytes_never_panic() {
    let deployment = {
        let spec = Msg::new()
            .int(1, 3)
            .msg(3, Msg::new().msg(2, Msg::new().msg(2, container("a", "b"))));
        envelope("apps/v1", "Deployment", &Msg::new().msg(2, spec))
    };
    for end in 0..deployment.len() {
        let _ = decode_body(&deployment[..end]);
    }
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    for round in 0..2_000 {
        let mut body = deployment.clone();
        for _ in 0..(round % 7 + 1) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let at = (state % body.len() as u64) as usize;
            body[at] = (state >> 32) as u8;
        }
        let _ = decode_body(&body);
        let _ = decode_message("k8s.io.api.core.v1.Pod", &body[4..]);
    }
}

/// Bodies the real kubectl 1.32 sent, and the JSON kubectl itself prints for the same object
/// (`--dry-run=client -o json`); see tests/fixtures/protobuf/README.md.
#[test]
fn real_kubectl_bodies_decode_to_what_kubectl_prints() {
    macro_rules! fixture {
        ($name:literal) => {
            (
                $name,
                include_bytes!(concat!("../../../tests/fixtures/protobuf/", $name, ".pb"))
                    .as_slice(),
                include_str!(concat!("../../../tests/fixtures/protobuf/", $name, ".json")),
            )
        };
    }
    for (name, body, want) in [
        fixture!("create-namespace-scratch"),
        fixture!("create-configmap-settings"),
        fixture!("create-deployment-web"),
        fixture!("create-serviceaccount-robot"),
        fixture!("create-rolebinding-rb"),
        fixture!("create-clusterrole-cr"),
        fixture!("create-secret-creds"),
        fixture!("auth-can-i-create-pods"),
        fixture!("auth-can-i-list"),
    ] {
        let want: Value = serde_json::from_str(want).unwrap();
        assert_eq!(decode_body(body).unwrap(), want, "{name}");
    }
}
