//! Validation: the checks kube-apiserver runs on an object after defaulting and admission, with
//! the messages of the real `field.ErrorList` (they become the causes of a 422 Invalid Status).
//! One file per area, each a port of the Go functions it names:
//! - `meta`: names, labels, annotations, finalizers, owner references, label selectors
//!   (`apimachinery/pkg/api/validation/objectmeta.go`, `util/validation/validation.go`);
//! - `pod`: Pod and PodTemplateSpec (`pkg/apis/core/validation/validation.go`);
//! - `apps`: Deployment and ReplicaSet (`pkg/apis/apps/validation`);
//! - `core`: Namespace, Node, Event, ServiceAccount, ConfigMap;
//! - `coordination`: Lease;
//! - `quota`: LimitRange and ResourceQuota.
//!
//! Entry points run what `rest.BeforeCreate` / `rest.BeforeUpdate` run: the kind's validation
//! plus the generic object-meta checks. Inputs are JSON as stored; a field of the wrong type
//! reads as its zero value. Pure; uses `field_error` and `quantity`.

mod apps;
mod coordination;
mod core;
pub mod meta;
mod pod;
mod quota;
pub mod rbac;

use serde_json::{Map, Value};

use crate::api::field_error::FieldError;

/// `strategy.Validate` for a create, then (when that passes) the generic ObjectMeta checks.
pub fn validate_create(group: &str, kind: &str, obj: &Value) -> Vec<FieldError> {
    let mut errs = match (group, kind) {
        ("", "Pod") => pod::validate_pod_create(obj),
        ("", "Namespace") => core::validate_namespace(obj),
        ("", "Node") => core::validate_node(obj),
        ("", "Event") => core::validate_event(obj),
        ("", "ServiceAccount") => core::validate_service_account(obj),
        ("", "ConfigMap") => core::validate_config_map(obj),
        ("apps", "Deployment") => apps::validate_deployment(obj),
        ("apps", "ReplicaSet") => apps::validate_replicaset(obj),
        ("coordination.k8s.io", "Lease") => coordination::validate_lease(obj),
        ("", "LimitRange") => quota::validate_limit_range(obj),
        ("", "ResourceQuota") => quota::validate_resource_quota(obj),
        ("rbac.authorization.k8s.io", k) => rbac::validate_rbac(k, obj),
        _ => Vec::new(),
    };
    // rest.BeforeCreate: "Do this *after* custom validation so that specific error messages are
    // shown whenever possible".
    if errs.is_empty() {
        errs = meta::validate_generic_object_meta(obj, is_namespaced(group, kind));
    }
    errs
}

/// `rest.BeforeUpdate`: the common ObjectMeta checks, then `strategy.ValidateUpdate`.
pub fn validate_update(group: &str, kind: &str, new: &Value, old: &Value) -> Vec<FieldError> {
    let mut errs = common_update_errors(group, kind, new, old);
    errs.extend(match (group, kind) {
        ("", "Pod") => pod::validate_pod_update(new, old),
        ("", "Namespace") => meta::validate_object_meta_update(new, old, true),
        ("", "Node") => core::validate_node_update(new, old),
        ("", "Event") => core::validate_event(new),
        ("", "ServiceAccount") => core::validate_service_account_update(new, old),
        ("", "ConfigMap") => core::validate_config_map_update(new, old),
        ("apps", "Deployment") => apps::validate_deployment_update(new, old),
        ("apps", "ReplicaSet") => apps::validate_replicaset_update(new, old),
        ("coordination.k8s.io", "Lease") => coordination::validate_lease_update(new, old),
        ("", "LimitRange") => quota::validate_limit_range(new),
        ("", "ResourceQuota") => quota::validate_resource_quota(new),
        ("rbac.authorization.k8s.io", k) => rbac::validate_rbac_update(k, new, old),
        _ => Vec::new(),
    });
    errs
}

/// `rest.BeforeUpdate` with the status strategy (the `/status` subresource).
pub fn validate_status_update(
    group: &str,
    kind: &str,
    new: &Value,
    old: &Value,
) -> Vec<FieldError> {
    let mut errs = common_update_errors(group, kind, new, old);
    errs.extend(match (group, kind) {
        ("", "Pod") => pod::validate_pod_status_update(new, old),
        ("", "Namespace") => core::validate_namespace_status_update(new, old),
        ("", "Node") => core::validate_node_update(new, old),
        ("apps", "Deployment") => apps::validate_deployment_status_update(new, old),
        ("apps", "ReplicaSet") => apps::validate_replicaset_status_update(new, old),
        _ => meta::validate_object_meta_update(new, old, true),
    });
    errs
}

fn common_update_errors(group: &str, kind: &str, new: &Value, old: &Value) -> Vec<FieldError> {
    let mut errs = meta::validate_generic_object_meta(new, is_namespaced(group, kind));
    errs.extend(meta::validate_object_meta_update(new, old, false));
    errs
}

fn is_namespaced(group: &str, kind: &str) -> bool {
    !matches!(
        (group, kind),
        ("", "Namespace" | "Node" | "PersistentVolume")
            | (
                "rbac.authorization.k8s.io",
                "ClusterRole" | "ClusterRoleBinding"
            )
    )
}

/// `field.Path`: `spec.containers[0].ports[1].name`, `metadata.labels[app]`. A path is built
/// for every field validated but read only for errors, so a short one is kept inline, without
/// an allocation.
#[derive(Clone)]
pub(crate) struct Path(PathText);

/// How many bytes of a path are kept inline.
const INLINE_PATH: usize = 62;

#[derive(Clone)]
enum PathText {
    Inline { len: u8, bytes: [u8; INLINE_PATH] },
    Heap(String),
}

impl Path {
    pub(crate) fn new(root: &str) -> Path {
        Path::from_parts(b"", &[root])
    }

    pub(crate) fn child(&self, name: &str) -> Path {
        if self.bytes().is_empty() {
            Path::new(name)
        } else {
            self.joined(&[".", name])
        }
    }

    pub(crate) fn index(&self, i: usize) -> Path {
        let mut digits = itoa_buffer();
        self.joined(&["[", format_usize(i, &mut digits), "]"])
    }

    pub(crate) fn key(&self, key: &str) -> Path {
        self.joined(&["[", key, "]"])
    }

    fn bytes(&self) -> &[u8] {
        match &self.0 {
            PathText::Inline { len, bytes } => &bytes[..usize::from(*len)],
            PathText::Heap(text) => text.as_bytes(),
        }
    }

    pub(crate) fn as_str(&self) -> &str {
        // Only whole `&str`s are ever copied in, so the bytes are UTF-8.
        std::str::from_utf8(self.bytes()).unwrap_or_default()
    }

    fn joined(&self, parts: &[&str]) -> Path {
        Path::from_parts(self.bytes(), parts)
    }

    fn from_parts(head: &[u8], parts: &[&str]) -> Path {
        let len = head.len() + parts.iter().map(|p| p.len()).sum::<usize>();
        if len <= INLINE_PATH {
            let mut bytes = [0u8; INLINE_PATH];
            bytes[..head.len()].copy_from_slice(head);
            let mut at = head.len();
            for part in parts {
                bytes[at..at + part.len()].copy_from_slice(part.as_bytes());
                at += part.len();
            }
            // `len` fits: INLINE_PATH is below 256.
            return Path(PathText::Inline {
                len: len as u8,
                bytes,
            });
        }
        let mut text = String::with_capacity(len);
        text.push_str(std::str::from_utf8(head).unwrap_or_default());
        for part in parts {
            text.push_str(part);
        }
        Path(PathText::Heap(text))
    }
}

impl PartialEq for Path {
    fn eq(&self, other: &Path) -> bool {
        self.bytes() == other.bytes()
    }
}

impl Eq for Path {}

impl std::fmt::Debug for Path {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Path").field(&self.as_str()).finish()
    }
}

fn itoa_buffer() -> [u8; 20] {
    [0; 20]
}

/// `i` in decimal, written at the end of `buffer`.
fn format_usize(mut i: usize, buffer: &mut [u8; 20]) -> &str {
    let mut at = buffer.len();
    loop {
        at -= 1;
        buffer[at] = b'0' + (i % 10) as u8;
        i /= 10;
        if i == 0 {
            break;
        }
    }
    std::str::from_utf8(&buffer[at..]).unwrap_or_default()
}

impl std::fmt::Display for Path {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<&Path> for String {
    fn from(path: &Path) -> String {
        path.as_str().to_string()
    }
}

impl From<Path> for String {
    fn from(path: Path) -> String {
        match path.0 {
            PathText::Heap(text) => text,
            PathText::Inline { .. } => path.as_str().to_string(),
        }
    }
}

/// The value under `key`, None when missing or null.
pub(crate) fn get<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.get(key).filter(|v| !v.is_null())
}

/// A string field; "" when missing or not a string (Go's zero value).
pub(crate) fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// An integer field; None when missing, null or not an integer.
pub(crate) fn int_of(v: &Value, key: &str) -> Option<i64> {
    let n = v.get(key)?;
    n.as_i64().or_else(|| {
        n.as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() < 9.2e18)
            .map(|f| f as i64)
    })
}

pub(crate) fn bool_of(v: &Value, key: &str) -> bool {
    v.get(key).and_then(Value::as_bool).unwrap_or(false)
}

/// The elements of a list field; empty when missing or not a list.
pub(crate) fn list_of<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// An object field; None when missing or not an object.
pub(crate) fn map_of<'a>(v: &'a Value, key: &str) -> Option<&'a Map<String, Value>> {
    v.get(key).and_then(Value::as_object)
}

/// The entries of a `map[string]string` field, sorted by key.
pub(crate) fn string_map(v: &Value, key: &str) -> Vec<(String, String)> {
    map_of(v, key)
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect()
        })
        .unwrap_or_default()
}

/// The strings of a `[]string` field.
pub(crate) fn string_list(v: &Value, key: &str) -> Vec<String> {
    list_of(v, key)
        .iter()
        .map(|s| s.as_str().unwrap_or_default().to_string())
        .collect()
}

static EMPTY: Value = Value::Null;

/// The metadata of an object (null when absent, which reads as empty).
pub(crate) fn metadata(obj: &Value) -> &Value {
    obj.get("metadata").unwrap_or(&EMPTY)
}

/// A field as an object to read from; null when absent.
pub(crate) fn field<'a>(v: &'a Value, key: &str) -> &'a Value {
    v.get(key).unwrap_or(&EMPTY)
}

/// `apiequality.Semantic.DeepEqual` on JSON: unset, null, empty lists and maps, "", 0 and false
/// are the same (Go decodes them all to zero values; the forked DeepEqual treats nil and empty
/// slices and maps alike).
pub(crate) fn semantic_eq(a: Option<&Value>, b: Option<&Value>) -> bool {
    normalize(a) == normalize(b)
}

/// The value with every zero value dropped (None when nothing is left).
pub(crate) fn normalize(v: Option<&Value>) -> Option<Value> {
    match v? {
        Value::Null => None,
        Value::Bool(false) => None,
        Value::String(s) if s.is_empty() => None,
        Value::Number(n) if n.as_f64() == Some(0.0) => None,
        Value::Array(items) if items.is_empty() => None,
        Value::Array(items) => Some(Value::Array(
            items
                .iter()
                .map(|i| normalize(Some(i)).unwrap_or(Value::Null))
                .collect(),
        )),
        Value::Object(map) => {
            let kept: Map<String, Value> = map
                .iter()
                .filter_map(|(k, v)| normalize(Some(v)).map(|v| (k.clone(), v)))
                .collect();
            (!kept.is_empty()).then_some(Value::Object(kept))
        }
        other => Some(other.clone()),
    }
}

/// Go's `strconv.Quote`, which `%q` and `%#v` use for strings.
pub(crate) fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if c.is_control() && (c as u32) < 0x10000 => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c if c.is_control() => out.push_str(&format!("\\U{:08x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `%#v` of a `map[string]string`: `map[string]string{"app":"web"}`, or `(nil)` when unset.
pub(crate) fn go_string_map(map: Option<&Map<String, Value>>) -> String {
    match map {
        None => "map[string]string(nil)".to_string(),
        Some(map) => {
            let entries: Vec<String> = map
                .iter()
                .map(|(k, v)| {
                    format!(
                        "{}:{}",
                        go_quote(k),
                        go_quote(v.as_str().unwrap_or_default())
                    )
                })
                .collect();
            format!("map[string]string{{{}}}", entries.join(", "))
        }
    }
}

/// `%#v` of a `[]string`.
pub(crate) fn go_string_slice(items: Option<&Vec<Value>>) -> String {
    match items {
        None => "[]string(nil)".to_string(),
        Some(items) => {
            let quoted: Vec<String> = items
                .iter()
                .map(|s| go_quote(s.as_str().unwrap_or_default()))
                .collect();
            format!("[]string{{{}}}", quoted.join(", "))
        }
    }
}

/// `%#v` of a `metav1.LabelSelector` (what "field is immutable" prints for `spec.selector`).
pub(crate) fn go_label_selector(selector: &Value) -> String {
    let expressions = match selector.get("matchExpressions").and_then(Value::as_array) {
        None => "[]v1.LabelSelectorRequirement(nil)".to_string(),
        Some(items) => {
            let shown: Vec<String> = items
                .iter()
                .map(|r| {
                    format!(
                        "v1.LabelSelectorRequirement{{Key:{}, Operator:{}, Values:{}}}",
                        go_quote(str_of(r, "key")),
                        go_quote(str_of(r, "operator")),
                        go_string_slice(r.get("values").and_then(Value::as_array)),
                    )
                })
                .collect();
            format!("[]v1.LabelSelectorRequirement{{{}}}", shown.join(", "))
        }
    };
    format!(
        "v1.LabelSelector{{MatchLabels:{}, MatchExpressions:{}}}",
        go_string_map(map_of(selector, "matchLabels")),
        expressions
    )
}

/// `%#v` of an `intstr.IntOrString`.
pub(crate) fn go_int_or_string(value: &Value) -> String {
    match value {
        Value::String(s) => format!(
            "intstr.IntOrString{{Type:1, IntVal:0, StrVal:{}}}",
            go_quote(s)
        ),
        other => format!(
            "intstr.IntOrString{{Type:0, IntVal:{}, StrVal:\"\"}}",
            other.as_i64().unwrap_or(0)
        ),
    }
}

/// How `time.Time.String()` prints an RFC 3339 timestamp: `2024-05-01 10:00:00 +0000 UTC`.
pub(crate) fn go_time(value: Option<&Value>) -> String {
    let Some(text) = value.and_then(Value::as_str) else {
        return "0001-01-01 00:00:00 +0000 UTC".to_string();
    };
    let Some((date, rest)) = text.split_once('T') else {
        return text.to_string();
    };
    let (clock, zone) = if let Some(clock) = rest.strip_suffix('Z') {
        (clock, "+0000 UTC".to_string())
    } else if let Some(pos) = rest.rfind(['+', '-']) {
        let offset = rest[pos..].replace(':', "");
        (&rest[..pos], format!("{offset} {offset}"))
    } else {
        return text.to_string();
    };
    let clock = match clock.split_once('.') {
        Some((whole, frac)) if frac.trim_end_matches('0').is_empty() => whole.to_string(),
        Some((whole, frac)) => format!("{whole}.{}", frac.trim_end_matches('0')),
        None => clock.to_string(),
    };
    format!("{date} {clock} {zone}")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::api::defaults::apply_defaults;
    use crate::api::strategy::prepare_for_create;

    #[test]
    fn paths_read_like_field_paths() {
        let spec = Path::new("spec");
        assert_eq!(Path::new("").child("spec").to_string(), "spec");
        assert_eq!(
            spec.child("containers")
                .index(0)
                .child("ports")
                .index(12)
                .to_string(),
            "spec.containers[0].ports[12]"
        );
        assert_eq!(
            Path::new("metadata").child("labels").key("a/b").to_string(),
            "metadata.labels[a/b]"
        );
        assert_eq!(
            spec.index(usize::MAX).to_string(),
            format!("spec[{}]", usize::MAX)
        );
        let long = "x".repeat(40);
        let deep = spec.child(&long).child(&long).index(3);
        assert_eq!(String::from(&deep), format!("spec.{long}.{long}[3]"));
        assert_eq!(deep.child("é").as_str(), format!("spec.{long}.{long}[3].é"));
        let full = Path::new(&long[..38]).child(&long[..23]);
        assert_eq!(full.as_str().len(), INLINE_PATH);
        assert_eq!(String::from(full.key("")).len(), INLINE_PATH + 2);
        assert_eq!(spec.child("a"), Path::new("spec.a"));
    }

    fn messages(errs: &[FieldError]) -> Vec<String> {
        errs.iter().map(ToString::to_string).collect()
    }

    /// What the create pipeline runs: defaulting, the strategy, then validation.
    fn created(group: &str, kind: &str, mut obj: Value) -> (Value, Vec<String>) {
        apply_defaults(group, kind, &mut obj);
        prepare_for_create(group, kind, &mut obj);
        let errs = messages(&validate_create(group, kind, &obj));
        (obj, errs)
    }

    #[test]
    fn everyday_objects_pass_the_create_pipeline() {
        let template = json!({"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}]}});
        let table = [
            (
                "",
                "Pod",
                json!({"metadata": {"name": "web", "namespace": "default", "labels": {"run": "web"}},
                "spec": {"containers": [{"name": "web", "image": "nginx", "ports": [{"containerPort": 80}],
                    "resources": {"limits": {"cpu": "500m", "memory": "128Mi"}},
                    "readinessProbe": {"httpGet": {"port": 80}}}]}}),
            ),
            (
                "apps",
                "Deployment",
                json!({"metadata": {"name": "web", "namespace": "default"},
                "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}}, "template": template.clone()}}),
            ),
            (
                "apps",
                "ReplicaSet",
                json!({"metadata": {"name": "web-7d4b9c", "namespace": "default"},
                "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": template}}),
            ),
            ("", "Namespace", json!({"metadata": {"name": "team-a"}})),
            (
                "",
                "Node",
                json!({"metadata": {"name": "node-1", "labels": {"kubernetes.io/hostname": "node-1"}},
                "spec": {"podCIDR": "10.244.1.0/24", "podCIDRs": ["10.244.1.0/24"]},
                "status": {"capacity": {"cpu": "4", "memory": "8Gi", "pods": "110"}}}),
            ),
            (
                "",
                "Event",
                json!({"metadata": {"name": "web.17c1", "namespace": "default"}, "reason": "Scheduled",
                "involvedObject": {"kind": "Pod", "name": "web", "namespace": "default"}, "type": "Normal"}),
            ),
            (
                "",
                "ServiceAccount",
                json!({"metadata": {"name": "default", "namespace": "default"}}),
            ),
            (
                "",
                "ConfigMap",
                json!({"metadata": {"name": "kube-root-ca.crt", "namespace": "default"}, "data": {"ca.crt": "x"}}),
            ),
            (
                "coordination.k8s.io",
                "Lease",
                json!({"metadata": {"name": "node-1", "namespace": "kube-node-lease"},
                "spec": {"holderIdentity": "node-1", "leaseDurationSeconds": 40}}),
            ),
        ];
        for (group, kind, obj) in table {
            let (_, errs) = created(group, kind, obj);
            assert!(errs.is_empty(), "{kind}: {errs:#?}");
        }
    }

    #[test]
    fn the_generic_name_check_runs_when_the_kind_has_none() {
        let (_, errs) = created(
            "",
            "Event",
            json!({"metadata": {"name": "a/b", "namespace": "default"}, "involvedObject": {"namespace": "default"}}),
        );
        assert_eq!(
            errs,
            ["metadata.name: Invalid value: \"a/b\": may not contain '/'"]
        );
        let (_, errs) = created(
            "example.com",
            "Widget",
            json!({"metadata": {"namespace": "default"}}),
        );
        assert_eq!(
            errs,
            ["metadata.name: Required value: name or generateName is required"]
        );
    }

    #[test]
    fn updates_run_the_common_checks_first() {
        let (old, _) = created(
            "",
            "ConfigMap",
            json!({"metadata": {"name": "c", "namespace": "d", "resourceVersion": "4", "uid": "u1"}}),
        );
        let mut new = old.clone();
        new["metadata"]["uid"] = json!("u2");
        // Both rest.BeforeUpdate and ValidateConfigMapUpdate check it, as in the real server.
        assert_eq!(
            messages(&validate_update("", "ConfigMap", &new, &old)),
            [
                "metadata.uid: Invalid value: \"u2\": field is immutable",
                "metadata.uid: Invalid value: \"u2\": field is immutable",
            ]
        );
        assert!(validate_update("", "ConfigMap", &old, &old).is_empty());
    }

    #[test]
    fn status_updates_validate_status() {
        let (mut old, _) = created(
            "apps",
            "ReplicaSet",
            json!({"metadata": {"name": "r", "namespace": "d"},
            "spec": {"selector": {"matchLabels": {"a": "b"}}, "template": {"metadata": {"labels": {"a": "b"}}, "spec": {"containers": [{"name": "c", "image": "i"}]}}}}),
        );
        old["metadata"]["resourceVersion"] = json!("1");
        let mut new = old.clone();
        new["status"] = json!({"replicas": 1, "readyReplicas": 2, "availableReplicas": 1});
        assert_eq!(
            messages(&validate_status_update("apps", "ReplicaSet", &new, &old)),
            ["status.readyReplicas: Invalid value: 2: cannot be greater than status.replicas"]
        );
    }

    /// Replaces one random subtree of `v` with a random value (a tiny deterministic fuzzer).
    fn mutate(v: &mut Value, seed: &mut u64) {
        let mut next = || {
            *seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (*seed >> 33) as usize
        };
        let mut node = v;
        loop {
            let children = match node {
                Value::Object(m) => m.len(),
                Value::Array(a) => a.len(),
                _ => 0,
            };
            if children == 0 || next() % 3 == 0 {
                break;
            }
            let pick = next() % children;
            node = match node {
                Value::Object(m) => m.values_mut().nth(pick).unwrap(),
                Value::Array(a) => &mut a[pick],
                _ => unreachable!(),
            };
        }
        *node = match next() % 9 {
            0 => Value::Null,
            1 => json!(-1),
            2 => json!(1e300),
            3 => json!("é-../%"),
            4 => json!([null, 1, "x"]),
            5 => json!({"": {}}),
            6 => json!(true),
            7 => json!("1.5Gi"),
            _ => json!(""),
        };
    }

    #[test]
    fn arbitrary_json_never_panics() {
        let seeds = [
            (
                "",
                "Pod",
                json!({"metadata": {"name": "p", "namespace": "d", "labels": {"a": "b"}, "annotations": {"controller.kubernetes.io/pod-deletion-cost": "1"}},
                "spec": {"containers": [{"name": "c", "image": "i", "ports": [{"containerPort": 80, "hostPort": 80}], "env": [{"name": "A", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}],
                    "resources": {"limits": {"cpu": "1", "hugepages-2Mi": "2Mi"}}, "volumeMounts": [{"name": "v", "mountPath": "/v", "subPath": "x"}],
                    "livenessProbe": {"httpGet": {"port": "http"}}, "lifecycle": {"preStop": {"sleep": {"seconds": 5}}}}],
                    "initContainers": [{"name": "i", "image": "i", "restartPolicy": "Always"}],
                    "volumes": [{"name": "v", "projected": {"sources": [{"serviceAccountToken": {"path": "t"}}]}}],
                    "tolerations": [{"key": "k", "operator": "Exists"}], "dnsConfig": {"nameservers": ["1.1.1.1"], "searches": ["a.b"]},
                    "schedulingGates": [{"name": "g"}], "securityContext": {"sysctls": [{"name": "x"}]}},
                "status": {"qosClass": "Burstable", "containerStatuses": [{"name": "c", "state": {"terminated": {"exitCode": 1}}}], "podIPs": [{"ip": "1.2.3.4"}], "hostIPs": [{"ip": "1.2.3.4"}]}}),
            ),
            (
                "apps",
                "Deployment",
                json!({"metadata": {"name": "d", "namespace": "n", "generation": 2},
                "spec": {"selector": {"matchLabels": {"a": "b"}, "matchExpressions": [{"key": "x", "operator": "In", "values": ["y"]}]},
                    "strategy": {"rollingUpdate": {"maxSurge": "10%"}}, "template": {"metadata": {"labels": {"a": "b", "x": "y"}}, "spec": {"containers": [{"name": "c", "image": "i"}]}}},
                "status": {"replicas": 1, "collisionCount": 1}}),
            ),
            (
                "",
                "Node",
                json!({"metadata": {"name": "n"}, "spec": {"taints": [{"key": "k", "effect": "NoSchedule"}], "podCIDRs": ["10.0.0.0/24"]},
                "status": {"capacity": {"cpu": "1"}, "addresses": [{"type": "InternalIP", "address": "1.2.3.4"}]}}),
            ),
            (
                "",
                "Event",
                json!({"metadata": {"name": "e", "namespace": "d"}, "involvedObject": {"namespace": "d"}, "eventTime": "2024-01-01T00:00:00Z"}),
            ),
            (
                "",
                "ConfigMap",
                json!({"metadata": {"name": "c", "namespace": "d"}, "immutable": true, "data": {"a": "b"}, "binaryData": {"b": "AA=="}}),
            ),
            (
                "",
                "Namespace",
                json!({"metadata": {"name": "n", "finalizers": ["a/b"], "deletionTimestamp": "2024-01-01T00:00:00Z"}, "spec": {"finalizers": ["kubernetes"]}}),
            ),
            (
                "coordination.k8s.io",
                "Lease",
                json!({"metadata": {"name": "l", "namespace": "d"}, "spec": {"strategy": "a/b", "preferredHolder": "x"}}),
            ),
            (
                "",
                "ServiceAccount",
                json!({"metadata": {"name": "s", "namespace": "d", "ownerReferences": [{"kind": "Event", "apiVersion": "v1", "controller": true}]}, "secrets": [{"name": "x"}]}),
            ),
        ];
        let mut seed = 7u64;
        for (group, kind, base) in seeds {
            for _ in 0..400 {
                let mut obj = base.clone();
                mutate(&mut obj, &mut seed);
                mutate(&mut obj, &mut seed);
                let old = base.clone();
                let mut created = obj.clone();
                apply_defaults(group, kind, &mut created);
                prepare_for_create(group, kind, &mut created);
                validate_create(group, kind, &created);
                validate_create(group, kind, &obj);
                let mut updated = obj.clone();
                crate::api::strategy::prepare_for_update(group, kind, &mut updated, &old);
                validate_update(group, kind, &updated, &old);
                validate_update(group, kind, &old, &updated);
                let mut status = obj.clone();
                crate::api::strategy::prepare_for_status_update(group, kind, &mut status, &old);
                validate_status_update(group, kind, &status, &old);
                validate_status_update(group, kind, &old, &obj);
            }
        }
    }

    #[test]
    fn semantic_equality_ignores_zero_values() {
        assert!(semantic_eq(
            Some(&json!({"a": [], "b": {}, "c": "", "d": null, "e": 0, "f": false})),
            None
        ));
        assert!(semantic_eq(
            Some(&json!({"x": [1, {"y": ""}]})),
            Some(&json!({"x": [1, {}]}))
        ));
        assert!(!semantic_eq(Some(&json!({"x": 1})), Some(&json!({"x": 2}))));
    }

    #[test]
    fn go_formatting() {
        assert_eq!(go_quote("a\"b\n\u{1}"), "\"a\\\"b\\n\\x01\"");
        assert_eq!(
            go_string_map(json!({"b": "2", "a": "1"}).as_object()),
            "map[string]string{\"a\":\"1\", \"b\":\"2\"}"
        );
        assert_eq!(
            go_label_selector(
                &json!({"matchExpressions": [{"key": "tier", "operator": "In", "values": ["web"]}]})
            ),
            "v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:\"tier\", Operator:\"In\", Values:[]string{\"web\"}}}}"
        );
        assert_eq!(
            go_time(Some(&json!("2024-05-01T10:00:00.500Z"))),
            "2024-05-01 10:00:00.5 +0000 UTC"
        );
        assert_eq!(
            go_time(Some(&json!("2024-05-01T10:00:00+02:00"))),
            "2024-05-01 10:00:00 +0200 +0200"
        );
        assert_eq!(go_time(None), "0001-01-01 00:00:00 +0000 UTC");
        assert_eq!(
            Path::new("spec")
                .child("containers")
                .index(0)
                .child("resources")
                .child("limits")
                .key("cpu")
                .to_string(),
            "spec.containers[0].resources.limits[cpu]"
        );
    }
}
