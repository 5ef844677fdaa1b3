//! Field selectors as kube-apiserver serves them: `fields.ParseSelector` (`a=b`, `a==b`, `a!=b`,
//! comma-joined, `\,` `\=` `\\` escapes in values), the per-kind field label conversions that
//! decide which fields a `?fieldSelector=` may name (and the exact error when it may not), and
//! each kind's selectable fields (`ToSelectableFields` in `pkg/registry/*/strategy.go`) that a
//! selector is matched against. Calls `api::kinds` to know whether a kind is namespaced.
//!
//! The real per-kind sets are narrower than one might guess: Nodes and Namespaces do not accept
//! `metadata.namespace`, and ReplicaSets do not accept `status.replicas` (their strategy lists it,
//! but no conversion is registered for `apps/v1`, so a real server answers
//! `"status.replicas" is not a known field selector: only "metadata.name", "metadata.namespace"`).

use crate::api::kinds;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;

/// `=`/`==` (the same term) or `!=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldOperator {
    Equals,
    NotEquals,
}

/// One `field op value` term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldRequirement {
    pub field: String,
    pub operator: FieldOperator,
    /// The value, unescaped.
    pub value: String,
}

/// A parsed field selector: the AND of its terms, in the sorted order the real parser keeps.
/// No terms selects everything.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FieldSelector {
    requirements: Vec<FieldRequirement>,
}

/// `fields.ParseSelector`.
pub fn parse(selector: &str) -> Result<FieldSelector, String> {
    FieldSelector::parse(selector)
}

/// Splits on commas that are not escaped; escapes stay in the terms.
fn split_terms(selector: &str) -> Vec<&str> {
    if selector.is_empty() {
        return Vec::new();
    }
    let mut terms = Vec::new();
    let mut start = 0;
    let mut in_slash = false;
    for (i, c) in selector.char_indices() {
        if in_slash {
            in_slash = false;
        } else if c == '\\' {
            in_slash = true;
        } else if c == ',' {
            terms.push(&selector[start..i]);
            start = i + 1;
        }
    }
    terms.push(&selector[start..]);
    terms
}

/// The first operator in the term splits it; `!=` and `==` are tried before `=` at each place.
fn split_term(term: &str) -> Option<(&str, FieldOperator, &str)> {
    for (i, _) in term.char_indices() {
        let rest = &term[i..];
        for (op, operator) in [
            ("!=", FieldOperator::NotEquals),
            ("==", FieldOperator::Equals),
            ("=", FieldOperator::Equals),
        ] {
            if let Some(value) = rest.strip_prefix(op) {
                return Some((&term[..i], operator, value));
            }
        }
    }
    None
}

/// `fields.UnescapeValue`, with its error words (Go prints the rune as its code point).
fn unescape_value(s: &str) -> Result<String, String> {
    let mut out = String::with_capacity(s.len());
    let mut in_slash = false;
    for c in s.chars() {
        if in_slash {
            match c {
                '\\' | ',' | '=' => out.push(c),
                _ => {
                    return Err(format!(
                        "invalid field selector: invalid escape sequence: \\{c}"
                    ));
                }
            }
            in_slash = false;
            continue;
        }
        match c {
            '\\' => in_slash = true,
            ',' | '=' => {
                return Err(format!(
                    "invalid field selector: unescaped character in value: {}",
                    c as u32
                ));
            }
            _ => out.push(c),
        }
    }
    if in_slash {
        return Err("invalid field selector: invalid escape sequence: \\".to_string());
    }
    Ok(out)
}

/// `fields.EscapeValue`.
pub fn escape_value(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace(',', "\\,")
        .replace('=', "\\=")
}

impl FieldSelector {
    /// `fields.ParseSelector`: errors read `invalid selector: 'a'; can't understand 'a'`.
    pub fn parse(selector: &str) -> Result<FieldSelector, String> {
        let mut parts = split_terms(selector);
        parts.sort_unstable();
        let mut requirements = Vec::new();
        for part in parts {
            if part.is_empty() {
                continue;
            }
            let Some((field, operator, raw)) = split_term(part) else {
                return Err(format!(
                    "invalid selector: '{selector}'; can't understand '{part}'"
                ));
            };
            let value = unescape_value(raw)?;
            requirements.push(FieldRequirement {
                field: field.to_string(),
                operator,
                value,
            });
        }
        Ok(FieldSelector { requirements })
    }

    /// `fields.Everything()`.
    pub fn everything() -> FieldSelector {
        FieldSelector::default()
    }

    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }

    pub fn requirements(&self) -> &[FieldRequirement] {
        &self.requirements
    }

    /// `RequiresExactMatch`: the value an `=` term demands of a field (`spec.nodeName` for a
    /// kubelet's watch, `metadata.name` for a single-object watch).
    pub fn requires_exact_match(&self, field: &str) -> Option<&str> {
        self.requirements
            .iter()
            .find(|r| r.field == field && r.operator == FieldOperator::Equals)
            .map(|r| r.value.as_str())
    }

    /// What kube-apiserver does before listing: runs every term through the kind's field label
    /// conversion. The first field the kind does not support fails the request (400 BadRequest,
    /// with this message); `spec.host` on pods becomes `spec.nodeName`.
    pub fn convert(&self, group: &str, kind: &str) -> Result<FieldSelector, String> {
        let requirements = self
            .requirements
            .iter()
            .map(|r| {
                convert_field_label(group, kind, &r.field).map(|field| FieldRequirement {
                    field: field.to_string(),
                    ..r.clone()
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(FieldSelector { requirements })
    }

    /// Whether an object's selectable fields satisfy every term. A field the kind does not
    /// select reads as empty, as `fields.Set.Get` does; run [`convert`](Self::convert) first to
    /// reject such fields the way the server does.
    pub fn matches(&self, group: &str, kind: &str, object: &Value) -> bool {
        if self.requirements.is_empty() {
            return true;
        }
        let fields = selectable_fields(group, kind, object);
        self.requirements.iter().all(|r| {
            let have = fields
                .get(r.field.as_str())
                .map(String::as_str)
                .unwrap_or_default();
            match r.operator {
                FieldOperator::Equals => have == r.value,
                FieldOperator::NotEquals => have != r.value,
            }
        })
    }
}

impl fmt::Display for FieldSelector {
    /// `Selector.String()`: `field=value` / `field!=value` joined by `,`, values escaped.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, r) in self.requirements.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            let op = match r.operator {
                FieldOperator::Equals => "=",
                FieldOperator::NotEquals => "!=",
            };
            write!(f, "{}{op}{}", r.field, escape_value(&r.value))?;
        }
        Ok(())
    }
}

const POD_FIELDS: &[&str] = &[
    "metadata.name",
    "metadata.namespace",
    "spec.nodeName",
    "spec.restartPolicy",
    "spec.schedulerName",
    "spec.serviceAccountName",
    "spec.hostNetwork",
    "status.phase",
    "status.podIP",
    "status.podIPs",
    "status.nominatedNodeName",
];
const NODE_FIELDS: &[&str] = &["metadata.name", "spec.unschedulable"];
const EVENT_FIELDS: &[&str] = &[
    "involvedObject.kind",
    "involvedObject.namespace",
    "involvedObject.name",
    "involvedObject.uid",
    "involvedObject.apiVersion",
    "involvedObject.resourceVersion",
    "involvedObject.fieldPath",
    "reason",
    "reportingComponent",
    "source",
    "type",
    "metadata.namespace",
    "metadata.name",
];
const NAMESPACE_FIELDS: &[&str] = &["status.phase", "metadata.name"];
const SECRET_FIELDS: &[&str] = &["type", "metadata.namespace", "metadata.name"];
const SERVICE_FIELDS: &[&str] = &[
    "metadata.namespace",
    "metadata.name",
    "spec.clusterIP",
    "spec.type",
];
const REPLICATION_CONTROLLER_FIELDS: &[&str] =
    &["metadata.name", "metadata.namespace", "status.replicas"];
const DEFAULT_FIELDS: &[&str] = &["metadata.name", "metadata.namespace"];

/// The field labels a kind's registered conversion accepts (`pkg/apis/core/v1/conversion.go`);
/// `None` for kinds that fall back to `runtime.DefaultMetaV1FieldSelectorConversion`.
fn registered_fields(group: &str, kind: &str) -> Option<&'static [&'static str]> {
    match (group, kind) {
        ("", "Pod") => Some(POD_FIELDS),
        ("", "Node") => Some(NODE_FIELDS),
        ("", "Event") => Some(EVENT_FIELDS),
        ("", "Namespace") => Some(NAMESPACE_FIELDS),
        ("", "Secret") => Some(SECRET_FIELDS),
        ("", "Service") => Some(SERVICE_FIELDS),
        ("", "ReplicationController") => Some(REPLICATION_CONTROLLER_FIELDS),
        _ => None,
    }
}

/// `Scheme.ConvertFieldLabel`: the field a label names for this kind, or the error a real
/// kube-apiserver gives (`field label not supported: spec.foo` for kinds with a registered
/// conversion, `"spec.foo" is not a known field selector: only "metadata.name", "metadata.namespace"`
/// for the rest).
pub fn convert_field_label<'a>(group: &str, kind: &str, label: &'a str) -> Result<&'a str, String> {
    match registered_fields(group, kind) {
        Some(fields) if fields.contains(&label) => Ok(label),
        // Old v1 clients send spec.host.
        Some(_) if (group, kind, label) == ("", "Pod", "spec.host") => Ok("spec.nodeName"),
        Some(_) => Err(format!("field label not supported: {label}")),
        None if DEFAULT_FIELDS.contains(&label) => Ok(label),
        None => Err(format!(
            "{label:?} is not a known field selector: only \"metadata.name\", \"metadata.namespace\""
        )),
    }
}

/// Whether `?fieldSelector=` may name this field for this kind.
pub fn supported(group: &str, kind: &str, field: &str) -> bool {
    convert_field_label(group, kind, field).is_ok()
}

fn text(object: &Value, pointer: &str) -> String {
    object
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn flag(object: &Value, pointer: &str) -> String {
    object
        .pointer(pointer)
        .and_then(Value::as_bool)
        .unwrap_or(false)
        .to_string()
}

/// The pod's first IP, as the internal type holds it: `status.podIP` wins over `status.podIPs`.
pub fn pod_ip(pod: &Value) -> String {
    let ip = text(pod, "/status/podIP");
    if ip.is_empty() {
        text(pod, "/status/podIPs/0/ip")
    } else {
        ip
    }
}

/// `ToSelectableFields` of the kind: the field values a selector is matched against.
pub fn selectable_fields(
    group: &str,
    kind: &str,
    object: &Value,
) -> BTreeMap<&'static str, String> {
    let mut fields = BTreeMap::new();
    let namespaced = kinds::ALL
        .iter()
        .find(|r| r.group == group && r.kind == kind)
        .is_none_or(|r| r.namespaced);
    fields.insert("metadata.name", text(object, "/metadata/name"));
    if namespaced {
        fields.insert("metadata.namespace", text(object, "/metadata/namespace"));
    }
    match (group, kind) {
        ("", "Pod") => {
            fields.insert("spec.nodeName", text(object, "/spec/nodeName"));
            fields.insert("spec.restartPolicy", text(object, "/spec/restartPolicy"));
            fields.insert("spec.schedulerName", text(object, "/spec/schedulerName"));
            fields.insert(
                "spec.serviceAccountName",
                text(object, "/spec/serviceAccountName"),
            );
            fields.insert("spec.hostNetwork", flag(object, "/spec/hostNetwork"));
            fields.insert("status.phase", text(object, "/status/phase"));
            fields.insert("status.podIP", pod_ip(object));
            fields.insert(
                "status.nominatedNodeName",
                text(object, "/status/nominatedNodeName"),
            );
            // status.podIPs is accepted by the conversion but never set here, so it reads as "".
        }
        ("", "Node") => {
            fields.insert("spec.unschedulable", flag(object, "/spec/unschedulable"));
        }
        ("", "Namespace") => {
            fields.insert("status.phase", text(object, "/status/phase"));
            fields.insert("name", text(object, "/metadata/name"));
        }
        ("", "Event") => {
            for (field, pointer) in [
                ("involvedObject.kind", "/involvedObject/kind"),
                ("involvedObject.namespace", "/involvedObject/namespace"),
                ("involvedObject.name", "/involvedObject/name"),
                ("involvedObject.uid", "/involvedObject/uid"),
                ("involvedObject.apiVersion", "/involvedObject/apiVersion"),
                (
                    "involvedObject.resourceVersion",
                    "/involvedObject/resourceVersion",
                ),
                ("involvedObject.fieldPath", "/involvedObject/fieldPath"),
                ("reason", "/reason"),
                ("reportingComponent", "/reportingComponent"),
                ("type", "/type"),
            ] {
                fields.insert(field, text(object, pointer));
            }
            let mut source = text(object, "/source/component");
            if source.is_empty() {
                source = text(object, "/reportingComponent");
            }
            fields.insert("source", source);
        }
        ("", "Secret") => {
            fields.insert("type", text(object, "/type"));
        }
        ("", "ReplicationController") | ("apps", "ReplicaSet") => {
            let replicas = object
                .pointer("/status/replicas")
                .and_then(Value::as_i64)
                .unwrap_or(0);
            fields.insert("status.replicas", replicas.to_string());
        }
        _ => {}
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_like_fields_parse_selector() {
        // (input, canonical String()) — terms sorted as raw strings, `==` prints as `=`.
        let cases = [
            ("", ""),
            ("metadata.name=web", "metadata.name=web"),
            ("metadata.name==web", "metadata.name=web"),
            ("status.phase!=Running", "status.phase!=Running"),
            (
                "spec.nodeName=n1,status.phase=Running",
                "spec.nodeName=n1,status.phase=Running",
            ),
            (
                "status.phase=Running,spec.nodeName=n1",
                "spec.nodeName=n1,status.phase=Running",
            ),
            ("a=,b=c", "a=,b=c"),
            (",a=b,", "a=b"),
            ("a=x\\,y", "a=x\\,y"),
            ("a=x\\=y\\\\", "a=x\\=y\\\\"),
        ];
        for (input, want) in cases {
            let s = parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(s.to_string(), want, "{input}");
        }
        let s = parse("a=x\\,y").unwrap_or_default();
        assert_eq!(s.requirements()[0].value, "x,y");
        // The first operator splits: the rest is the value, which then may not hold a bare `=`.
        let s = parse("a!=b").unwrap_or_default();
        assert_eq!(s.requirements()[0].operator, FieldOperator::NotEquals);
        // Whitespace is kept, as the real parser keeps it.
        let s = parse("status.phase = Running").unwrap_or_default();
        assert_eq!(s.requirements()[0].field, "status.phase ");
        assert_eq!(s.requirements()[0].value, " Running");
    }

    #[test]
    fn reports_the_real_parse_errors() {
        let cases = [
            ("name", "invalid selector: 'name'; can't understand 'name'"),
            ("a=b,c", "invalid selector: 'a=b,c'; can't understand 'c'"),
            (
                "a=b=c",
                "invalid field selector: unescaped character in value: 61",
            ),
            ("a=b,c", "invalid selector: 'a=b,c'; can't understand 'c'"),
            (
                "a=x\\y",
                "invalid field selector: invalid escape sequence: \\y",
            ),
            (
                "a=x\\",
                "invalid field selector: invalid escape sequence: \\",
            ),
            (
                "a==b==c",
                "invalid field selector: unescaped character in value: 61",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(parse(input), Err(want.to_string()), "{input}");
        }
    }

    #[test]
    fn supported_fields_per_kind_follow_the_registered_conversions() {
        let cases = [
            ("", "Pod", "metadata.name", true),
            ("", "Pod", "metadata.namespace", true),
            ("", "Pod", "spec.nodeName", true),
            ("", "Pod", "spec.restartPolicy", true),
            ("", "Pod", "spec.schedulerName", true),
            ("", "Pod", "spec.serviceAccountName", true),
            ("", "Pod", "spec.hostNetwork", true),
            ("", "Pod", "status.phase", true),
            ("", "Pod", "status.podIP", true),
            ("", "Pod", "status.podIPs", true),
            ("", "Pod", "status.nominatedNodeName", true),
            ("", "Pod", "spec.host", true),
            ("", "Pod", "spec.foo", false),
            ("", "Event", "involvedObject.kind", true),
            ("", "Event", "involvedObject.namespace", true),
            ("", "Event", "involvedObject.name", true),
            ("", "Event", "involvedObject.uid", true),
            ("", "Event", "involvedObject.apiVersion", true),
            ("", "Event", "involvedObject.resourceVersion", true),
            ("", "Event", "involvedObject.fieldPath", true),
            ("", "Event", "reason", true),
            ("", "Event", "reportingComponent", true),
            ("", "Event", "source", true),
            ("", "Event", "type", true),
            ("", "Event", "metadata.name", true),
            ("", "Event", "message", false),
            ("", "Node", "metadata.name", true),
            ("", "Node", "spec.unschedulable", true),
            ("", "Node", "metadata.namespace", false),
            ("", "Namespace", "metadata.name", true),
            ("", "Namespace", "status.phase", true),
            ("", "Namespace", "metadata.namespace", false),
            ("apps", "ReplicaSet", "metadata.name", true),
            ("apps", "ReplicaSet", "metadata.namespace", true),
            ("apps", "ReplicaSet", "status.replicas", false),
            ("apps", "Deployment", "metadata.namespace", true),
            ("apps", "Deployment", "spec.replicas", false),
            ("", "ConfigMap", "metadata.name", true),
            ("", "ServiceAccount", "metadata.namespace", true),
            ("coordination.k8s.io", "Lease", "spec.holderIdentity", false),
        ];
        for (group, kind, field, want) in cases {
            assert_eq!(
                supported(group, kind, field),
                want,
                "{group}/{kind} {field}"
            );
        }
    }

    #[test]
    fn conversion_errors_read_as_kube_apiserver_words_them() {
        let cases = [
            (
                "",
                "Pod",
                "spec.foo=x",
                "field label not supported: spec.foo",
            ),
            (
                "",
                "Node",
                "metadata.namespace=x",
                "field label not supported: metadata.namespace",
            ),
            (
                "apps",
                "ReplicaSet",
                "status.replicas=0",
                "\"status.replicas\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"",
            ),
            (
                "",
                "ConfigMap",
                "data.x=1,metadata.name=a",
                "\"data.x\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"",
            ),
        ];
        for (group, kind, selector, want) in cases {
            let s = parse(selector).unwrap_or_default();
            assert_eq!(
                s.convert(group, kind),
                Err(want.to_string()),
                "{kind} {selector}"
            );
        }
        let s = parse("spec.host=n1").unwrap_or_default();
        assert_eq!(
            s.convert("", "Pod").map(|s| s.to_string()),
            Ok("spec.nodeName=n1".to_string())
        );
    }

    #[test]
    fn matches_pods_by_their_selectable_fields() {
        let pod = json!({
            "metadata": {"name": "web", "namespace": "default"},
            "spec": {"nodeName": "node-1", "restartPolicy": "Always", "schedulerName": "default-scheduler",
                     "serviceAccountName": "default"},
            "status": {"phase": "Running", "podIPs": [{"ip": "10.0.0.5"}]}
        });
        let cases = [
            ("", true),
            ("metadata.name=web", true),
            ("metadata.name=db", false),
            ("metadata.namespace=default", true),
            ("spec.nodeName=node-1", true),
            ("spec.nodeName=", false),
            ("spec.nodeName!=node-1", false),
            ("status.phase!=Running", false),
            ("status.phase=Running,spec.restartPolicy=Always", true),
            ("spec.hostNetwork=false", true),
            ("spec.schedulerName=default-scheduler", true),
            ("spec.serviceAccountName=default", true),
            ("status.podIP=10.0.0.5", true),
            ("status.podIPs=10.0.0.5", false),
            ("status.nominatedNodeName=", true),
        ];
        for (sel, want) in cases {
            let s = parse(sel)
                .and_then(|s| s.convert("", "Pod"))
                .unwrap_or_else(|e| panic!("{sel}: {e}"));
            assert_eq!(s.matches("", "Pod", &pod), want, "{sel}");
        }
        // An unscheduled pod has an empty spec.nodeName (how a scheduler lists its queue).
        let pending =
            json!({"metadata": {"name": "p"}, "spec": {}, "status": {"phase": "Pending"}});
        assert!(
            parse("spec.nodeName=")
                .unwrap_or_default()
                .matches("", "Pod", &pending)
        );
        // podIP wins over podIPs, as in the internal type.
        let both = json!({"status": {"podIP": "10.0.0.9", "podIPs": [{"ip": "10.0.0.5"}]}});
        assert_eq!(pod_ip(&both), "10.0.0.9");
    }

    #[test]
    fn matches_events_nodes_namespaces_and_replicasets() {
        let event = json!({
            "metadata": {"name": "web.1", "namespace": "default"},
            "involvedObject": {"kind": "Pod", "name": "web", "namespace": "default", "uid": "u-1"},
            "reason": "Scheduled", "type": "Normal", "reportingComponent": "default-scheduler", "source": {}
        });
        let sel = "involvedObject.name=web,involvedObject.namespace=default,involvedObject.uid=u-1";
        assert!(parse(sel).unwrap_or_default().matches("", "Event", &event));
        assert!(
            parse("source=default-scheduler")
                .unwrap_or_default()
                .matches("", "Event", &event)
        );
        assert!(
            !parse("involvedObject.kind=Node")
                .unwrap_or_default()
                .matches("", "Event", &event)
        );
        let kubelet_event = json!({"source": {"component": "kubelet", "host": "n1"}, "reportingComponent": "kubelet"});
        assert!(
            parse("source=kubelet")
                .unwrap_or_default()
                .matches("", "Event", &kubelet_event)
        );

        let node = json!({"metadata": {"name": "n1"}, "spec": {"unschedulable": true}});
        assert!(
            parse("spec.unschedulable=true")
                .unwrap_or_default()
                .matches("", "Node", &node)
        );
        assert!(
            parse("spec.unschedulable!=false")
                .unwrap_or_default()
                .matches("", "Node", &node)
        );
        let fields = selectable_fields("", "Node", &node);
        assert!(!fields.contains_key("metadata.namespace"));

        let ns = json!({"metadata": {"name": "kube-system"}, "status": {"phase": "Active"}});
        assert!(
            parse("status.phase=Active,metadata.name=kube-system")
                .unwrap_or_default()
                .matches("", "Namespace", &ns)
        );

        let rs = json!({"metadata": {"name": "web-1", "namespace": "default"}, "status": {"replicas": 3}});
        assert_eq!(
            selectable_fields("apps", "ReplicaSet", &rs)
                .get("status.replicas")
                .map(String::as_str),
            Some("3")
        );
    }

    #[test]
    fn exact_match_and_odd_objects() {
        let s = parse("spec.nodeName=n1,status.phase!=Failed").unwrap_or_default();
        assert_eq!(s.requires_exact_match("spec.nodeName"), Some("n1"));
        assert_eq!(s.requires_exact_match("status.phase"), None);
        for object in [
            json!(null),
            json!([]),
            json!("x"),
            json!({"metadata": 5, "spec": {"nodeName": 7}}),
        ] {
            assert!(!s.matches("", "Pod", &object));
            let _ = selectable_fields("", "Event", &object);
        }
        assert!(FieldSelector::everything().matches("", "Pod", &json!(null)));
    }

    #[test]
    fn arbitrary_strings_never_panic() {
        // A fixed pseudo-random walk over the characters the parser cares about, plus multibyte ones.
        let alphabet: Vec<char> = "ab=!(),<> \\\t.-/_:1Z+Té\u{0}ü".chars().collect();
        let mut seed: u64 = 0x5eed;
        for _ in 0..20_000 {
            let mut s = String::new();
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            for _ in 0..(seed >> 59) {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                s.push(alphabet[(seed >> 33) as usize % alphabet.len()]);
            }
            let _ = parse(&s).map(|f| f.to_string());
        }
    }
}
