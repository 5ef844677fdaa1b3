//! Field validation as kube-apiserver's JSON decoder does it: decoding a body into the kind's Go
//! struct (sigs.k8s.io/json, case-sensitive) finds unknown and duplicate fields — the "strict
//! errors" that `fieldValidation=Strict` turns into a 400 and `Warn` into `Warning:` headers — and
//! wrong JSON types, which fail the request whatever `fieldValidation` says.
//!
//! The walk follows the real 1.32 OpenAPI schemas (`api::schema`) instead of Go structs: a schema
//! with `properties` is a struct (only those keys are known), `additionalProperties` a map (any
//! key, duplicates still reported), `items` a list; IntOrString, Quantity, Time, MicroTime,
//! RawExtension and FieldsV1 are decoded by their own unmarshallers, as in Go.
//!
//! Messages are the real ones, so kubectl prints what it prints against a real cluster:
//! - strict: `unknown field "spec.containers[0].imagePullPolcy"`, `duplicate field "metadata.name"`
//!   (map keys join with `.`, list items as `[i]`), in document order, deduplicated, at most 100;
//!   all of them joined after `strict decoding error: `.
//! - types: `json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of
//!   type int32` (Go's error context: the innermost struct and the struct fields walked, without
//!   list indices or map keys); only the first one is reported, as Go does.
//! - either is wrapped by [`decode_error_message`]: `Deployment in version "v1" cannot be handled
//!   as a Deployment: …`.
//!
//! [`decode_report`] reads the raw JSON bytes, so its order is the document's and number texts are
//! exact. The `&Value` functions serve bodies already parsed (YAML, in-process objects); a
//! `serde_json::Map` is sorted by key, which is also the order of the JSON kubectl sends (Go's
//! `json.Marshal` sorts map keys), so their order matches for kubectl's requests.
//!
//! Uses only `api::schema`; no I/O.

use crate::api::schema::{NodeTable, Schema};
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::HashSet;
use std::fmt::{self, Write as _};
use std::sync::OnceLock;

/// sigs.k8s.io/json keeps at most this many strict errors.
const MAX_STRICT_ERRORS: usize = 100;
/// Deeper documents are refused rather than risking the stack (serde_json stops at 128; real
/// objects stay under 30).
const MAX_DEPTH: usize = 256;

const INT_OR_STRING: &str = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
const QUANTITY: &str = "io.k8s.apimachinery.pkg.api.resource.Quantity";
const TIME: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.Time";
const MICRO_TIME: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime";
const RAW_EXTENSION: &str = "io.k8s.apimachinery.pkg.runtime.RawExtension";
const FIELDS_V1: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1";
const OBJECT_META: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";

/// One strict decoding error: a field the kind does not have, or a key given twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StrictError {
    Unknown(String),
    Duplicate(String),
}

impl StrictError {
    /// The field path (`spec.template.spec.containers[0].imagePullPolcy`).
    pub fn path(&self) -> &str {
        match self {
            StrictError::Unknown(path) | StrictError::Duplicate(path) => path,
        }
    }
}

impl fmt::Display for StrictError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StrictError::Unknown(path) => write!(f, "unknown field {}", go_quote(path)),
            StrictError::Duplicate(path) => write!(f, "duplicate field {}", go_quote(path)),
        }
    }
}

/// The body is not JSON (or nests deeper than [`MAX_DEPTH`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid JSON at byte {offset}: {reason}")]
pub struct SyntaxError {
    pub offset: usize,
    pub reason: &'static str,
}

/// What decoding one body into its kind reports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DecodeReport {
    /// The error that fails the decode whatever `fieldValidation` says (a wrong JSON type, a bad
    /// quantity, time or base64 value): the text after `… cannot be handled as a Kind: `.
    pub error: Option<String>,
    /// Unknown and duplicate fields, in document order, deduplicated, at most 100.
    pub strict: Vec<StrictError>,
}

/// Decodes raw JSON against the kind's schema (`Schema::for_kind(..).1`) as kube-apiserver's
/// strict decoder does. `kind` names the top-level Go struct in type errors (`Deployment`).
pub fn decode_report(raw: &[u8], schema: &Value, kind: &str) -> Result<DecodeReport, SyntaxError> {
    let mut walker = Walker::new(raw, kind);
    walker.skip_ws();
    if walker.peek() != Some(b'{') {
        return Err(walker.syntax("the body is not a JSON object"));
    }
    walker.value(Target::Schema {
        raw: schema,
        named: None,
    })?;
    walker.skip_ws();
    if walker.pos != raw.len() {
        return Err(walker.syntax("invalid character after top-level value"));
    }
    Ok(DecodeReport {
        error: walker.aborted.or(walker.saved),
        strict: walker.strict,
    })
}

/// The unknown field paths of an object, in its map order (see the module comment).
pub fn unknown_fields(obj: &Value, schema: &Value) -> Vec<String> {
    report_of_value(obj, schema, "")
        .strict
        .into_iter()
        .filter_map(|e| match e {
            StrictError::Unknown(path) => Some(path),
            StrictError::Duplicate(_) => None,
        })
        .collect()
}

/// What decoding reports for a wrong JSON type (`replicas: "3"`) and other values the Go types
/// refuse. At most one message: Go stops at the first. Wrap it with [`decode_error_message`].
pub fn type_errors(obj: &Value, schema: &Value, kind: &str) -> Vec<String> {
    report_of_value(obj, schema, kind)
        .error
        .into_iter()
        .collect()
}

/// [`decode_report`] of an already parsed value (YAML bodies, patched objects).
pub fn report_of_value(obj: &Value, schema: &Value, kind: &str) -> DecodeReport {
    let mut obj = obj.clone();
    integral_floats_as_integers(&mut obj, 0);
    // Serializing keeps one walker for both inputs; it cannot fail for a `Value`.
    serde_json::to_vec(&obj)
        .ok()
        .and_then(|bytes| decode_report(&bytes, schema, kind).ok())
        .unwrap_or_default()
}

/// Writes integral floats (`3.0` parsed from YAML) as integers, as Go's YAML-to-JSON conversion
/// does before decoding, so `replicas: 3.0` decodes into an int32 there as here.
pub fn integral_floats_as_integers(value: &mut Value, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    match value {
        Value::Number(n) => {
            if let Some(f) = n
                .as_f64()
                .filter(|f| n.is_f64() && f.fract() == 0.0 && f.abs() < 9e18)
            {
                *value = Value::from(f as i64);
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|v| integral_floats_as_integers(v, depth + 1)),
        Value::Object(map) => map
            .values_mut()
            .for_each(|v| integral_floats_as_integers(v, depth + 1)),
        _ => {}
    }
}

/// Duplicate keys of every object in raw JSON, by path (`metadata.labels.app`), in document
/// order, without a schema: keys the schema does not know are reported too (the schema-aware
/// [`decode_report`] reports those only as unknown, like the real decoder). Invalid JSON yields
/// the duplicates found before the error.
pub fn duplicate_fields(raw: &[u8]) -> Vec<String> {
    let mut walker = Walker::new(raw, "");
    // A syntax error only ends the scan; what was found stands.
    let _ = walker.value(Target::Untyped);
    walker
        .strict
        .into_iter()
        .map(|e| e.path().to_string())
        .collect()
}

/// Removes, in place, every field the schema does not know — what a typed decode drops.
pub fn prune_unknown_fields(obj: &mut Value, schema: &Value) {
    prune(Schema::get(), obj, schema, true, 0);
}

fn prune(schema: &Schema, value: &mut Value, raw: &Value, top: bool, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    let (shape, _) = shape_of(schema, raw);
    match (shape, value) {
        (Shape::Struct { properties }, Value::Object(map)) => {
            map.retain(|key, _| field_schema(schema, properties, key, top).is_some());
            for (key, child) in map.iter_mut() {
                if let Some(child_schema) = field_schema(schema, properties, key, top) {
                    prune(schema, child, child_schema, false, depth + 1);
                }
            }
        }
        (Shape::Map { values }, Value::Object(map)) => {
            for child in map.values_mut() {
                prune(schema, child, values, false, depth + 1);
            }
        }
        (Shape::List { items: Some(items) }, Value::Array(list)) => {
            for child in list {
                prune(schema, child, items, false, depth + 1);
            }
        }
        _ => {}
    }
}

/// `strict decoding error: unknown field "spec.foo", duplicate field "metadata.name"`. The real
/// decoder lists both kinds interleaved in document order; from two lists this merges them in
/// path order (the document order of key-sorted JSON, which kubectl sends). Duplicates of
/// unknown fields, or inside them, are dropped: the real decoder only reports those as unknown.
pub fn strict_error_message(unknown: &[String], duplicates: &[String]) -> String {
    strict_message(&merge(unknown, duplicates))
}

/// `strict decoding error: ` and the errors joined by `, ` (runtime.strictDecodingError).
pub fn strict_message(errors: &[StrictError]) -> String {
    let joined: Vec<String> = errors.iter().map(ToString::to_string).collect();
    format!("strict decoding error: {}", joined.join(", "))
}

/// The `Warning:` texts of `fieldValidation=Warn`, one per error (`unknown field "spec.foo"`),
/// in the order of [`strict_error_message`].
pub fn warnings(unknown: &[String], duplicates: &[String]) -> Vec<String> {
    merge(unknown, duplicates)
        .iter()
        .map(ToString::to_string)
        .collect()
}

/// The 400 message of a body that does not decode (handlers.transformDecodeError):
/// `Deployment in version "v1" cannot be handled as a Deployment: <detail>`. `detail` is a type
/// error or, for `fieldValidation=Strict`, the [`strict_error_message`].
pub fn decode_error_message(kind: &str, version: &str, detail: &str) -> String {
    format!(
        "{kind} in version {} cannot be handled as a {kind}: {detail}",
        go_quote(version)
    )
}

fn merge(unknown: &[String], duplicates: &[String]) -> Vec<StrictError> {
    let under_unknown = |path: &str| {
        unknown.iter().any(|u| {
            path.strip_prefix(u.as_str()).is_some_and(|rest| {
                rest.is_empty() || rest.starts_with('.') || rest.starts_with('[')
            })
        })
    };
    let mut errors: Vec<StrictError> = unknown.iter().cloned().map(StrictError::Unknown).collect();
    let before = errors.len();
    errors.extend(
        duplicates
            .iter()
            .filter(|d| !under_unknown(d))
            .cloned()
            .map(StrictError::Duplicate),
    );
    if errors.len() > before {
        // Stable: equal paths keep their list order.
        errors.sort_by(|a, b| path_order(a.path(), b.path()));
    }
    let mut seen = HashSet::new();
    errors.retain(|e| seen.insert(e.to_string()));
    errors.truncate(MAX_STRICT_ERRORS);
    errors
}

/// Orders paths as their fields appear in key-sorted JSON: segment by segment, keys bytewise,
/// list indices numerically, a parent before its children.
fn path_order(a: &str, b: &str) -> Ordering {
    let (a, b) = (segments(a), segments(b));
    for (x, y) in a.iter().zip(&b) {
        let order = match (x, y) {
            (Segment::Key(x), Segment::Key(y)) => x.as_bytes().cmp(y.as_bytes()),
            (Segment::Index(x), Segment::Index(y)) => x.cmp(y),
            (Segment::Key(_), Segment::Index(_)) => Ordering::Less,
            (Segment::Index(_), Segment::Key(_)) => Ordering::Greater,
        };
        if order != Ordering::Equal {
            return order;
        }
    }
    a.len().cmp(&b.len())
}

enum Segment<'a> {
    Key(&'a str),
    Index(usize),
}

fn segments(path: &str) -> Vec<Segment<'_>> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let (key, mut rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        out.push(Segment::Key(key));
        while let Some(inner) = rest.strip_prefix('[') {
            let Some(end) = inner.find(']') else { break };
            match inner[..end].parse() {
                Ok(index) => out.push(Segment::Index(index)),
                Err(_) => out.push(Segment::Key(&inner[..end])),
            }
            rest = &inner[end + 1..];
        }
    }
    out
}

/// What the Go decoder would decode a value into, read from the schema.
#[derive(Clone, Copy)]
enum Shape<'s> {
    /// A struct: its `properties` are the only known fields.
    Struct {
        properties: &'s Map<String, Value>,
    },
    /// `map[string]X`: any key.
    Map {
        values: &'s Value,
    },
    List {
        items: Option<&'s Value>,
    },
    String,
    /// `[]byte`: a base64 string.
    Bytes,
    Bool,
    Int32,
    Int64,
    Float64,
    IntOrString,
    Quantity,
    Time,
    MicroTime,
    /// Kept as raw JSON by its unmarshaller (RawExtension, FieldsV1, preserve-unknown-fields):
    /// nothing below is checked.
    Opaque,
}

/// Follows `$ref` and single-element `allOf` to a concrete schema, remembering the last
/// definition named on the way (the Go type).
fn resolve<'s>(schema: &'s Schema, mut node: &'s Value) -> (Option<&'s str>, &'s Value) {
    let mut def = None;
    for _ in 0..32 {
        if let Some(name) = Schema::ref_name(node) {
            match schema.definition(name) {
                Some(next) => {
                    def = Some(name);
                    node = next;
                    continue;
                }
                None => break,
            }
        }
        match node
            .get("allOf")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
        {
            Some([only]) => node = only,
            _ => break,
        }
    }
    (def, node)
}

fn shape_of<'s>(schema: &'s Schema, raw: &'s Value) -> (Shape<'s>, Option<&'s str>) {
    // The embedded schema's nodes are read on every request: their shapes are derived once.
    static SHAPES: OnceLock<NodeTable<(Shape<'static>, Option<&'static str>)>> = OnceLock::new();
    if std::ptr::eq(schema, Schema::get()) {
        let shapes =
            SHAPES.get_or_init(|| NodeTable::build(|raw| derive_shape(Schema::get(), raw)));
        if let Some(shape) = shapes.get(raw) {
            return *shape;
        }
    }
    derive_shape(schema, raw)
}

fn derive_shape<'s>(schema: &'s Schema, raw: &'s Value) -> (Shape<'s>, Option<&'s str>) {
    let (def, node) = resolve(schema, raw);
    let special = match def {
        Some(INT_OR_STRING) => Some(Shape::IntOrString),
        Some(QUANTITY) => Some(Shape::Quantity),
        Some(TIME) => Some(Shape::Time),
        Some(MICRO_TIME) => Some(Shape::MicroTime),
        Some(RAW_EXTENSION | FIELDS_V1) => Some(Shape::Opaque),
        _ => None,
    };
    if let Some(shape) = special {
        return (shape, def);
    }
    let preserve =
        |n: &Value| n.get("x-kubernetes-preserve-unknown-fields") == Some(&Value::Bool(true));
    if preserve(raw) || preserve(node) {
        return (Shape::Opaque, def);
    }
    let format = node.get("format").and_then(Value::as_str);
    let shape = match node.get("type").and_then(Value::as_str) {
        Some("object") | None => {
            if let Some(Value::Object(properties)) = node.get("properties") {
                Shape::Struct { properties }
            } else if let Some(values @ Value::Object(_)) = node.get("additionalProperties") {
                Shape::Map { values }
            } else {
                Shape::Opaque
            }
        }
        Some("array") => Shape::List {
            items: node.get("items"),
        },
        Some("string") if format == Some("byte") => Shape::Bytes,
        Some("string") => Shape::String,
        Some("integer") if format == Some("int32") => Shape::Int32,
        Some("integer") => Shape::Int64,
        Some("number") => Shape::Float64,
        Some("boolean") => Shape::Bool,
        Some(_) => Shape::Opaque,
    };
    (shape, def)
}

/// The schema of field `key` of a struct; at the top level `apiVersion`, `kind` and `metadata`
/// are known even if a schema forgot them.
fn field_schema<'s>(
    schema: &'s Schema,
    properties: &'s Map<String, Value>,
    key: &str,
    top: bool,
) -> Option<&'s Value> {
    // A schema that names no type reads as opaque: accepted, not checked.
    static UNCHECKED: Value = Value::Null;
    properties.get(key).or_else(|| match key {
        "apiVersion" | "kind" if top => Some(&UNCHECKED),
        "metadata" if top => schema.definition(OBJECT_META),
        _ => None,
    })
}

/// `v1.PodSpec` from `io.k8s.api.core.v1.PodSpec`: Go's `reflect.Type.String()`.
fn go_type_name(def: &str) -> String {
    let mut parts = def.rsplit('.');
    match (parts.next(), parts.next()) {
        (Some(name), Some(package)) => format!("{package}.{name}"),
        _ => def.to_string(),
    }
}

/// `PodSpec` from `io.k8s.api.core.v1.PodSpec`: Go's `reflect.Type.Name()`.
fn go_struct_name(def: &str) -> &str {
    def.rsplit('.').next().unwrap_or(def)
}

/// The Go type of a schema node as a type error names it.
fn go_type(schema: &Schema, raw: &Value, depth: usize) -> String {
    let (shape, def) = shape_of(schema, raw);
    let element = |node: Option<&Value>| match node {
        Some(node) if depth < 16 => go_type(schema, node, depth + 1),
        _ => "interface {}".to_string(),
    };
    match shape {
        Shape::Struct { .. } | Shape::Opaque => {
            def.map_or_else(|| "interface {}".to_string(), go_type_name)
        }
        Shape::Map { values } => format!("map[string]{}", element(Some(values))),
        Shape::List { items } => format!("[]{}", element(items)),
        Shape::String => "string".into(),
        Shape::Bytes => "[]uint8".into(),
        Shape::Bool => "bool".into(),
        Shape::Int32 => "int32".into(),
        Shape::Int64 => "int64".into(),
        Shape::Float64 => "float64".into(),
        Shape::IntOrString => "intstr.IntOrString".into(),
        Shape::Quantity => "resource.Quantity".into(),
        Shape::Time => "v1.Time".into(),
        Shape::MicroTime => "v1.MicroTime".into(),
    }
}

/// Fields whose Go type is a named type the schema cannot tell (`imagePullPolicy` is a
/// `v1.PullPolicy`, not a plain string), keyed by struct name and JSON field name.
fn named_type(struct_name: &str, field: &str) -> Option<&'static str> {
    Some(match (struct_name, field) {
        ("Container" | "EphemeralContainer", "imagePullPolicy") => "v1.PullPolicy",
        ("Container" | "EphemeralContainer", "terminationMessagePolicy") => {
            "v1.TerminationMessagePolicy"
        }
        ("Container" | "EphemeralContainer", "restartPolicy") => "v1.ContainerRestartPolicy",
        ("ImageVolumeSource", "pullPolicy") => "v1.PullPolicy",
        ("ContainerPort", "protocol") => "v1.Protocol",
        ("ContainerResizePolicy", "resourceName") => "v1.ResourceName",
        ("ContainerResizePolicy", "restartPolicy") => "v1.ResourceResizeRestartPolicy",
        ("ResourceRequirements" | "VolumeResourceRequirements", "limits" | "requests") => {
            "v1.ResourceList"
        }
        ("PodSpec", "overhead") => "v1.ResourceList",
        ("PodSpec", "restartPolicy") => "v1.RestartPolicy",
        ("PodSpec", "dnsPolicy") => "v1.DNSPolicy",
        ("PodSpec", "preemptionPolicy") => "v1.PreemptionPolicy",
        ("PodStatus", "phase") => "v1.PodPhase",
        ("PodStatus", "qosClass") => "v1.PodQOSClass",
        ("PodStatus", "resize") => "v1.PodResizeStatus",
        ("PodCondition", "type") => "v1.PodConditionType",
        ("ContainerStatus", "allocatedResources") => "v1.ResourceList",
        ("Toleration", "operator") => "v1.TolerationOperator",
        ("Toleration" | "Taint", "effect") => "v1.TaintEffect",
        ("NodeCondition", "type") => "v1.NodeConditionType",
        ("NodeAddress", "type") => "v1.NodeAddressType",
        ("NodeStatus", "capacity" | "allocatable") => "v1.ResourceList",
        ("NodeStatus", "phase") => "v1.NodePhase",
        ("NamespaceSpec", "finalizers") => "[]v1.FinalizerName",
        ("NamespaceStatus", "phase") => "v1.NamespacePhase",
        ("NamespaceCondition", "type") => "v1.NamespaceConditionType",
        (
            "PodCondition"
            | "NodeCondition"
            | "NamespaceCondition"
            | "DeploymentCondition"
            | "ReplicaSetCondition"
            | "Condition",
            "status",
        ) => "v1.ConditionStatus",
        ("NodeSelectorRequirement", "operator") => "v1.NodeSelectorOperator",
        ("LabelSelectorRequirement", "operator") => "v1.LabelSelectorOperator",
        ("Capabilities", "add" | "drop") => "[]v1.Capability",
        ("SeccompProfile", "type") => "v1.SeccompProfileType",
        ("AppArmorProfile", "type") => "v1.AppArmorProfileType",
        ("HostPathVolumeSource", "type") => "v1.HostPathType",
        ("EmptyDirVolumeSource", "medium") => "v1.StorageMedium",
        ("HTTPGetAction", "scheme") => "v1.URIScheme",
        ("TopologySpreadConstraint", "whenUnsatisfiable") => "v1.UnsatisfiableConstraintAction",
        ("TopologySpreadConstraint", "nodeAffinityPolicy" | "nodeTaintsPolicy") => {
            "v1.NodeInclusionPolicy"
        }
        ("PodSecurityContext", "fsGroupChangePolicy") => "v1.PodFSGroupChangePolicy",
        ("PodSecurityContext", "supplementalGroupsPolicy") => "v1.SupplementalGroupsPolicy",
        ("PodSecurityContext", "seLinuxChangePolicy") => "v1.PodSELinuxChangePolicy",
        ("SecurityContext", "procMount") => "v1.ProcMountType",
        ("PodOS", "name") => "v1.OSName",
        ("VolumeMount", "mountPropagation") => "v1.MountPropagationMode",
        ("VolumeMount", "recursiveReadOnly") => "v1.RecursiveReadOnlyMode",
        ("PersistentVolumeClaimSpec", "accessModes") => "[]v1.PersistentVolumeAccessMode",
        ("PersistentVolumeClaimSpec", "volumeMode") => "v1.PersistentVolumeMode",
        ("ObjectMeta" | "OwnerReference" | "ObjectReference", "uid") => "types.UID",
        ("ManagedFieldsEntry", "operation") => "v1.ManagedFieldsOperationType",
        ("DeleteOptions", "propagationPolicy") => "v1.DeletionPropagation",
        ("DeploymentStrategy", "type") => "v1.DeploymentStrategyType",
        ("DeploymentCondition", "type") => "v1.DeploymentConditionType",
        ("ReplicaSetCondition", "type") => "v1.ReplicaSetConditionType",
        ("LeaseSpec", "strategy") => "v1.CoordinatedLeaseStrategy",
        _ => return None,
    })
}

#[derive(Clone, Copy)]
enum Target<'s> {
    /// A value described by a schema node; `named` is the field's Go type when it is a named
    /// type (`v1.PullPolicy`).
    Schema {
        raw: &'s Value,
        named: Option<&'static str>,
    },
    /// Read and discard (an unknown field's value, raw JSON).
    Skip,
    /// Schema-less duplicate scan.
    Untyped,
}

/// One pass over the JSON text, recursive descent, carrying the schema along.
struct Walker<'a, 's> {
    src: &'a [u8],
    pos: usize,
    schema: &'s Schema,
    depth: usize,
    /// The Go type name of the top-level struct (`Deployment`).
    top_name: String,
    /// The strict-error path of the value being read: `spec.containers[0]`.
    path: String,
    /// Go's error context: the struct fields walked (`spec.template.spec.containers`) …
    go_fields: String,
    /// … and the innermost struct (None: the top-level one).
    go_struct: Option<&'s str>,
    strict: Vec<StrictError>,
    seen_strict: HashSet<String>,
    /// The first type error (Go saves it and goes on).
    saved: Option<String>,
    /// An error that stops Go's decoding (from a custom unmarshaller); it wins over `saved`.
    aborted: Option<String>,
}

impl<'a, 's> Walker<'a, 's> {
    fn new(src: &'a [u8], kind: &str) -> Walker<'a, 's> {
        Walker {
            src,
            pos: 0,
            schema: Schema::get(),
            depth: 0,
            top_name: kind.to_string(),
            path: String::new(),
            go_fields: String::new(),
            go_struct: None,
            strict: Vec::new(),
            seen_strict: HashSet::new(),
            saved: None,
            aborted: None,
        }
    }

    fn syntax(&self, reason: &'static str) -> SyntaxError {
        SyntaxError {
            offset: self.pos,
            reason,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.src.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn expect(&mut self, byte: u8) -> Result<(), SyntaxError> {
        self.skip_ws();
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.syntax("unexpected character"))
        }
    }

    fn record(&mut self, error: StrictError) {
        if self.strict.len() >= MAX_STRICT_ERRORS {
            return;
        }
        if self.seen_strict.insert(error.to_string()) {
            self.strict.push(error);
        }
    }

    fn child_path(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    fn type_error(&self, value: &str, go_type: &str) -> String {
        if self.go_fields.is_empty() {
            format!("json: cannot unmarshal {value} into Go value of type {go_type}")
        } else {
            let struct_name = self.go_struct.unwrap_or(&self.top_name);
            format!(
                "json: cannot unmarshal {value} into Go struct field {struct_name}.{} of type {go_type}",
                self.go_fields
            )
        }
    }

    fn save(&mut self, message: String) {
        if self.saved.is_none() {
            self.saved = Some(message);
        }
    }

    fn abort(&mut self, message: String) {
        if self.aborted.is_none() {
            self.aborted = Some(message);
        }
    }

    fn value(&mut self, target: Target<'s>) -> Result<(), SyntaxError> {
        if self.depth >= MAX_DEPTH {
            return Err(self.syntax("exceeded max depth"));
        }
        self.depth += 1;
        let result = self.value_inner(target);
        self.depth -= 1;
        result
    }

    fn value_inner(&mut self, target: Target<'s>) -> Result<(), SyntaxError> {
        self.skip_ws();
        let first = self
            .peek()
            .ok_or_else(|| self.syntax("unexpected end of JSON input"))?;
        let (raw, named) = match target {
            Target::Skip => return self.skip_value(),
            Target::Untyped => return self.untyped(first),
            Target::Schema { raw, named } => (raw, named),
        };
        if first == b'n' {
            // null decodes into every Go type without error.
            return self.literal(b"null");
        }
        let (shape, def) = shape_of(self.schema, raw);
        let field_type = || named.map_or_else(|| go_type(self.schema, raw, 0), str::to_string);
        match (shape, first) {
            (Shape::Opaque, _) => self.skip_value(),
            (Shape::Struct { properties }, b'{') => self.object_struct(properties, def),
            (Shape::Map { values }, b'{') => self.object_map(values, named),
            (Shape::List { items }, b'[') => self.array(items, named),
            (Shape::String, b'"') => self.skip_value(),
            (Shape::Bytes, b'"') => {
                let text = self.string()?;
                if let Err(offset) = base64_check(text.as_bytes()) {
                    self.save(format!("illegal base64 data at input byte {offset}"));
                }
                Ok(())
            }
            (Shape::Bytes, b'[') => self.byte_array(),
            (Shape::Bool, b't' | b'f') => self.skip_value(),
            (Shape::Int32 | Shape::Int64 | Shape::Float64, b'-' | b'0'..=b'9') => {
                let number = self.number()?;
                if !number_fits(shape, number) {
                    let go_type = field_type();
                    let message = self.type_error(&format!("number {number}"), &go_type);
                    self.save(message);
                }
                Ok(())
            }
            (Shape::IntOrString, _) => self.int_or_string(first),
            (Shape::Quantity, _) => {
                let start = self.pos;
                self.skip_value()?;
                let text = quantity_text(&self.src[start..self.pos]);
                if let Err(message) = parse_quantity(&text) {
                    self.abort(message.to_string());
                }
                Ok(())
            }
            (Shape::Time | Shape::MicroTime, b'"') => {
                let text = self.string()?;
                if let Err(message) = parse_time(&text, matches!(shape, Shape::MicroTime)) {
                    self.abort(message);
                }
                Ok(())
            }
            (Shape::Time | Shape::MicroTime, _) => {
                // metav1.Time unmarshals into a string first.
                self.skip_value()?;
                let message = self.type_error(json_kind(first), "string");
                self.abort(message);
                Ok(())
            }
            _ => {
                self.skip_value()?;
                let go_type = field_type();
                let message = self.type_error(json_kind(first), &go_type);
                self.save(message);
                Ok(())
            }
        }
    }

    /// intstr.IntOrString.UnmarshalJSON: a string, or else json.Unmarshal into an int32.
    fn int_or_string(&mut self, first: u8) -> Result<(), SyntaxError> {
        let value = match first {
            b'"' => return self.skip_value(),
            b'-' | b'0'..=b'9' => {
                let number = self.number()?;
                if number_fits(Shape::Int32, number) {
                    return Ok(());
                }
                format!("number {number}")
            }
            _ => {
                self.skip_value()?;
                json_kind(first).to_string()
            }
        };
        let message = self.type_error(&value, "int32");
        self.abort(message);
        Ok(())
    }

    fn object_struct(
        &mut self,
        properties: &'s Map<String, Value>,
        def: Option<&'s str>,
    ) -> Result<(), SyntaxError> {
        let top = self.depth == 1 && def.is_none();
        let struct_name = def.map(go_struct_name);
        self.expect(b'{')?;
        let mut seen = SeenKeys::default();
        if self.object_empty()? {
            return Ok(());
        }
        loop {
            let key = self.string()?;
            self.expect(b':')?;
            match field_schema(self.schema, properties, &key, top) {
                Some(field) => {
                    if !seen.insert(key.clone()) {
                        let path = self.child_path(&key);
                        self.record(StrictError::Duplicate(path));
                    }
                    let named = match struct_name {
                        Some(name) => named_type(name, &key),
                        None => named_type(&self.top_name, &key),
                    };
                    let (path_len, fields_len, outer) =
                        (self.path.len(), self.go_fields.len(), self.go_struct);
                    push_segment(&mut self.path, &key);
                    push_segment(&mut self.go_fields, &key);
                    self.go_struct = struct_name;
                    let result = self.value(Target::Schema { raw: field, named });
                    self.path.truncate(path_len);
                    self.go_fields.truncate(fields_len);
                    self.go_struct = outer;
                    result?;
                }
                None => {
                    let path = self.child_path(&key);
                    self.record(StrictError::Unknown(path));
                    self.value(Target::Skip)?;
                }
            }
            if self.object_next()? {
                return Ok(());
            }
        }
    }

    fn object_map(
        &mut self,
        values: &'s Value,
        named: Option<&'static str>,
    ) -> Result<(), SyntaxError> {
        let element = named.and_then(|n| n.strip_prefix("map[string]"));
        self.expect(b'{')?;
        let mut seen = SeenKeys::default();
        if self.object_empty()? {
            return Ok(());
        }
        loop {
            let key = self.string()?;
            self.expect(b':')?;
            if !seen.insert(key.clone()) {
                let path = self.child_path(&key);
                self.record(StrictError::Duplicate(path));
            }
            let path_len = self.path.len();
            push_segment(&mut self.path, &key);
            let result = self.value(Target::Schema {
                raw: values,
                named: element,
            });
            self.path.truncate(path_len);
            result?;
            if self.object_next()? {
                return Ok(());
            }
        }
    }

    fn array(
        &mut self,
        items: Option<&'s Value>,
        named: Option<&'static str>,
    ) -> Result<(), SyntaxError> {
        let element = named.and_then(|n| n.strip_prefix("[]"));
        let target = match items {
            Some(raw) => Target::Schema {
                raw,
                named: element,
            },
            None => Target::Skip,
        };
        self.elements(target)
    }

    fn elements(&mut self, target: Target<'s>) -> Result<(), SyntaxError> {
        self.expect(b'[')?;
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(());
        }
        let mut index = 0usize;
        loop {
            let path_len = self.path.len();
            let _ = write!(self.path, "[{index}]");
            let result = self.value(target);
            self.path.truncate(path_len);
            result?;
            index += 1;
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(());
                }
                _ => return Err(self.syntax("expected ',' or ']' in array")),
            }
        }
    }

    /// A JSON array into `[]byte`: Go decodes it element by element as `uint8`.
    fn byte_array(&mut self) -> Result<(), SyntaxError> {
        self.expect(b'[')?;
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(());
        }
        loop {
            self.skip_ws();
            let first = self
                .peek()
                .ok_or_else(|| self.syntax("unexpected end of JSON input"))?;
            match first {
                b'n' => self.literal(b"null")?,
                b'-' | b'0'..=b'9' => {
                    let number = self.number()?;
                    if number.parse::<u8>().is_err() {
                        let message = self.type_error(&format!("number {number}"), "uint8");
                        self.save(message);
                    }
                }
                _ => {
                    self.skip_value()?;
                    let message = self.type_error(json_kind(first), "uint8");
                    self.save(message);
                }
            }
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(());
                }
                _ => return Err(self.syntax("expected ',' or ']' in array")),
            }
        }
    }

    /// Schema-less: every object a map, duplicates reported at any depth.
    fn untyped(&mut self, first: u8) -> Result<(), SyntaxError> {
        match first {
            b'{' => {
                self.expect(b'{')?;
                let mut seen = SeenKeys::default();
                if self.object_empty()? {
                    return Ok(());
                }
                loop {
                    let key = self.string()?;
                    self.expect(b':')?;
                    if !seen.insert(key.clone()) {
                        let path = self.child_path(&key);
                        self.record(StrictError::Duplicate(path));
                    }
                    let path_len = self.path.len();
                    push_segment(&mut self.path, &key);
                    let result = self.value(Target::Untyped);
                    self.path.truncate(path_len);
                    result?;
                    if self.object_next()? {
                        return Ok(());
                    }
                }
            }
            b'[' => self.elements(Target::Untyped),
            _ => self.skip_value(),
        }
    }

    /// After `{`: true (and consumed) if the object is empty.
    fn object_empty(&mut self) -> Result<bool, SyntaxError> {
        self.skip_ws();
        match self.peek() {
            Some(b'}') => {
                self.pos += 1;
                Ok(true)
            }
            Some(b'"') => Ok(false),
            _ => Err(self.syntax("expected a key or '}'")),
        }
    }

    /// After a member: true (and consumed) at `}`, false after `,`.
    fn object_next(&mut self) -> Result<bool, SyntaxError> {
        self.skip_ws();
        match self.peek() {
            Some(b',') => {
                self.pos += 1;
                self.skip_ws();
                if self.peek() == Some(b'"') {
                    Ok(false)
                } else {
                    Err(self.syntax("expected a key"))
                }
            }
            Some(b'}') => {
                self.pos += 1;
                Ok(true)
            }
            _ => Err(self.syntax("expected ',' or '}' in object")),
        }
    }

    /// Reads and validates any value, checking nothing against a schema.
    fn skip_value(&mut self) -> Result<(), SyntaxError> {
        if self.depth >= MAX_DEPTH {
            return Err(self.syntax("exceeded max depth"));
        }
        self.skip_ws();
        match self.peek() {
            Some(b'{') => {
                self.pos += 1;
                if self.object_empty()? {
                    return Ok(());
                }
                self.depth += 1;
                let result = (|| loop {
                    self.string()?;
                    self.expect(b':')?;
                    self.skip_value()?;
                    if self.object_next()? {
                        return Ok(());
                    }
                })();
                self.depth -= 1;
                result
            }
            Some(b'[') => {
                self.depth += 1;
                let result = self.elements(Target::Skip);
                self.depth -= 1;
                result
            }
            Some(b'"') => self.string().map(drop),
            Some(b't') => self.literal(b"true"),
            Some(b'f') => self.literal(b"false"),
            Some(b'n') => self.literal(b"null"),
            Some(b'-' | b'0'..=b'9') => self.number().map(drop),
            Some(_) => Err(self.syntax("invalid character looking for beginning of value")),
            None => Err(self.syntax("unexpected end of JSON input")),
        }
    }

    fn literal(&mut self, word: &[u8]) -> Result<(), SyntaxError> {
        if self.src[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(())
        } else {
            Err(self.syntax("invalid literal"))
        }
    }

    /// A JSON number's text, validated against the JSON grammar.
    fn number(&mut self) -> Result<&'a str, SyntaxError> {
        let src = self.src;
        let start = self.pos;
        let digits = |pos: &mut usize| {
            let from = *pos;
            while src.get(*pos).is_some_and(u8::is_ascii_digit) {
                *pos += 1;
            }
            *pos > from
        };
        let mut pos = start;
        if src.get(pos) == Some(&b'-') {
            pos += 1;
        }
        match src.get(pos) {
            Some(b'0') => pos += 1,
            Some(b'1'..=b'9') => {
                digits(&mut pos);
            }
            _ => {
                return Err(SyntaxError {
                    offset: pos,
                    reason: "invalid number",
                });
            }
        }
        if src.get(pos) == Some(&b'.') {
            pos += 1;
            if !digits(&mut pos) {
                return Err(SyntaxError {
                    offset: pos,
                    reason: "invalid number",
                });
            }
        }
        if let Some(b'e' | b'E') = src.get(pos) {
            pos += 1;
            if let Some(b'+' | b'-') = src.get(pos) {
                pos += 1;
            }
            if !digits(&mut pos) {
                return Err(SyntaxError {
                    offset: pos,
                    reason: "invalid number",
                });
            }
        }
        self.pos = pos;
        // The grammar above admits ASCII only.
        std::str::from_utf8(&src[start..pos]).map_err(|_| SyntaxError {
            offset: start,
            reason: "invalid number",
        })
    }

    /// A JSON string, unescaped. Invalid UTF-8 and lone surrogates become U+FFFD, as in Go.
    fn string(&mut self) -> Result<Cow<'a, str>, SyntaxError> {
        self.skip_ws();
        if self.peek() != Some(b'"') {
            return Err(self.syntax("expected a string"));
        }
        let start = self.pos + 1;
        let mut pos = start;
        let mut escaped = false;
        loop {
            match self.src.get(pos) {
                None => {
                    return Err(SyntaxError {
                        offset: pos,
                        reason: "unexpected end of string",
                    });
                }
                Some(b'"') => break,
                Some(b'\\') => {
                    escaped = true;
                    pos += 2;
                }
                Some(&c) if c < 0x20 => {
                    return Err(SyntaxError {
                        offset: pos,
                        reason: "invalid character in string literal",
                    });
                }
                Some(_) => pos += 1,
            }
        }
        let raw = self
            .src
            .get(start..pos)
            .ok_or_else(|| self.syntax("unexpected end of string"))?;
        self.pos = pos + 1;
        if !escaped {
            // Valid UTF-8 (nearly always) is checked by the fast validator; only invalid text
            // goes through the lossy conversion.
            return Ok(match std::str::from_utf8(raw) {
                Ok(text) => Cow::Borrowed(text),
                Err(_) => String::from_utf8_lossy(raw),
            });
        }
        unescape(raw).map(Cow::Owned).ok_or(SyntaxError {
            offset: start,
            reason: "invalid escape in string",
        })
    }
}

/// The keys of one JSON object read so far, to find duplicates: a short list for the small
/// objects of most bodies, a hash set once there are many.
#[derive(Default)]
struct SeenKeys<'a> {
    few: Vec<Cow<'a, str>>,
    many: Option<HashSet<Cow<'a, str>>>,
}

impl<'a> SeenKeys<'a> {
    const FEW: usize = 16;

    /// False when `key` was seen before.
    fn insert(&mut self, key: Cow<'a, str>) -> bool {
        let many = match &mut self.many {
            Some(many) => many,
            None => {
                if self.few.contains(&key) {
                    return false;
                }
                if self.few.len() < Self::FEW {
                    self.few.push(key);
                    return true;
                }
                self.many.insert(self.few.drain(..).collect())
            }
        };
        many.insert(key)
    }
}

fn push_segment(path: &mut String, key: &str) {
    if !path.is_empty() {
        path.push('.');
    }
    path.push_str(key);
}

fn json_kind(first: u8) -> &'static str {
    match first {
        b'{' => "object",
        b'[' => "array",
        b'"' => "string",
        b't' | b'f' => "bool",
        _ => "number",
    }
}

/// Whether a JSON number decodes into the Go number type (strconv.ParseInt / ParseFloat).
fn number_fits(shape: Shape<'_>, number: &str) -> bool {
    match shape {
        Shape::Int32 => number
            .parse::<i64>()
            .is_ok_and(|n| i32::try_from(n).is_ok()),
        Shape::Int64 => number.parse::<i64>().is_ok(),
        _ => number.parse::<f64>().is_ok_and(f64::is_finite),
    }
}

fn unescape(raw: &[u8]) -> Option<String> {
    let mut out: Vec<u8> = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let c = raw[i];
        if c != b'\\' {
            out.push(c);
            i += 1;
            continue;
        }
        let escape = *raw.get(i + 1)?;
        i += 2;
        let simple = match escape {
            b'"' => Some(b'"'),
            b'\\' => Some(b'\\'),
            b'/' => Some(b'/'),
            b'b' => Some(0x08),
            b'f' => Some(0x0c),
            b'n' => Some(b'\n'),
            b'r' => Some(b'\r'),
            b't' => Some(b'\t'),
            b'u' => None,
            _ => return None,
        };
        if let Some(byte) = simple {
            out.push(byte);
            continue;
        }
        let unit = hex4(raw.get(i..i + 4)?)?;
        i += 4;
        let ch = if (0xD800..0xDC00).contains(&unit) {
            // A high surrogate must be followed by `\uDC00`–`\uDFFF`.
            let low = (raw.get(i..i + 2) == Some(b"\\u"))
                .then(|| raw.get(i + 2..i + 6).and_then(hex4))
                .flatten()
                .filter(|low| (0xDC00..0xE000).contains(low));
            match low {
                Some(low) => {
                    i += 6;
                    char::from_u32(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
                }
                None => None,
            }
        } else {
            char::from_u32(unit)
        };
        let mut buf = [0u8; 4];
        out.extend_from_slice(ch.unwrap_or('\u{FFFD}').encode_utf8(&mut buf).as_bytes());
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}

fn hex4(bytes: &[u8]) -> Option<u32> {
    let text = std::str::from_utf8(bytes).ok()?;
    if text.len() != 4 {
        return None;
    }
    u32::from_str_radix(text, 16).ok()
}

/// Go's `strconv.Quote`, as `%q` prints field paths.
fn go_quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for ch in text.chars() {
        match ch {
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
            c if c.is_control() => {
                if (c as u32) < 0x10000 {
                    out.push_str(&format!("\\u{:04x}", c as u32));
                } else {
                    out.push_str(&format!("\\U{:08x}", c as u32));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The bytes resource.Quantity.UnmarshalJSON parses: the raw JSON without its quotes (escapes
/// are not decoded), trimmed.
fn quantity_text(raw: &[u8]) -> String {
    let inner = match raw {
        [b'"', inner @ .., b'"'] => inner,
        other => other,
    };
    String::from_utf8_lossy(inner).trim().to_string()
}

const QUANTITY_FORMAT_WRONG: &str =
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const QUANTITY_NUMERIC: &str = "unable to parse numeric part of quantity";
const QUANTITY_SUFFIX: &str = "unable to parse quantity's suffix";

/// resource.ParseQuantity's verdict, with its error texts.
fn parse_quantity(text: &str) -> Result<(), &'static str> {
    if text.is_empty() {
        return Err(QUANTITY_FORMAT_WRONG);
    }
    if text == "0" {
        return Ok(());
    }
    let parts = parse_quantity_string(text.as_bytes())?;
    let (binary, exponent) = quantity_suffix(parts.suffix).ok_or(QUANTITY_SUFFIX)?;
    let digits = parts.num.len() + parts.denom.len();
    let (precision, mut scale, mantissa_shift) = if binary {
        if exponent >= 0 && parts.denom.is_empty() {
            let precision = 15 - parts.num.len() as i64 - (exponent as f32 * 3.0 / 10.0) as i64 - 1;
            (precision, 0, exponent)
        } else {
            (-1, 0, 0)
        }
    } else {
        (18 - digits as i64, exponent, 0)
    };
    if precision >= 0 {
        scale -= parts.denom.len() as i64;
        if scale >= -9 {
            let shifted = [parts.num, parts.denom].concat();
            let value = std::str::from_utf8(&shifted)
                .ok()
                .and_then(|s| s.parse::<i64>().ok())
                .ok_or(QUANTITY_NUMERIC)?;
            if value
                .checked_mul(1i64.checked_shl(mantissa_shift as u32).unwrap_or(0))
                .is_some()
            {
                return Ok(());
            }
        }
    }
    // The slow path parses the numeric part as an inf.Dec: it needs a digit.
    if parts.value.iter().any(u8::is_ascii_digit) {
        Ok(())
    } else {
        Err(QUANTITY_NUMERIC)
    }
}

struct QuantityParts<'a> {
    value: &'a [u8],
    num: &'a [u8],
    denom: &'a [u8],
    suffix: &'a [u8],
}

/// resource.parseQuantityString.
fn parse_quantity_string(s: &[u8]) -> Result<QuantityParts<'_>, &'static str> {
    const ZERO: &[u8] = b"0";
    let end = s.len();
    let mut pos = 0;
    if let Some(b'-' | b'+') = s.first() {
        pos += 1;
    }
    while pos < end && s[pos] == b'0' {
        pos += 1;
    }
    if pos >= end {
        return Ok(QuantityParts {
            value: ZERO,
            num: ZERO,
            denom: b"",
            suffix: b"",
        });
    }
    let num_start = pos;
    while pos < end && s[pos].is_ascii_digit() {
        pos += 1;
    }
    if pos >= end {
        return Ok(QuantityParts {
            value: s,
            num: &s[num_start..],
            denom: b"",
            suffix: b"",
        });
    }
    let num = if pos == num_start {
        ZERO
    } else {
        &s[num_start..pos]
    };
    let mut denom: &[u8] = b"";
    if s[pos] == b'.' {
        pos += 1;
        let denom_start = pos;
        while pos < end && s[pos].is_ascii_digit() {
            pos += 1;
        }
        if pos >= end {
            return Ok(QuantityParts {
                value: s,
                num,
                denom: &s[denom_start..],
                suffix: b"",
            });
        }
        denom = &s[denom_start..pos];
    }
    let value = &s[..pos];
    let suffix_start = pos;
    while pos < end && b"eEinumkKMGTP".contains(&s[pos]) {
        pos += 1;
    }
    if pos < end && (s[pos] == b'-' || s[pos] == b'+') {
        pos += 1;
    }
    while pos < end && s[pos].is_ascii_digit() {
        pos += 1;
    }
    if pos < end {
        return Err(QUANTITY_FORMAT_WRONG);
    }
    Ok(QuantityParts {
        value,
        num,
        denom,
        suffix: &s[suffix_start..],
    })
}

/// The suffix's base (binary?) and exponent, or None (ErrSuffix).
fn quantity_suffix(suffix: &[u8]) -> Option<(bool, i64)> {
    let decimal = match suffix {
        b"n" => Some(-9),
        b"u" => Some(-6),
        b"m" => Some(-3),
        b"" => Some(0),
        b"k" => Some(3),
        b"M" => Some(6),
        b"G" => Some(9),
        b"T" => Some(12),
        b"P" => Some(15),
        b"E" => Some(18),
        _ => None,
    };
    if let Some(exponent) = decimal {
        return Some((false, exponent));
    }
    let binary = match suffix {
        b"Ki" => Some(10),
        b"Mi" => Some(20),
        b"Gi" => Some(30),
        b"Ti" => Some(40),
        b"Pi" => Some(50),
        b"Ei" => Some(60),
        _ => None,
    };
    if let Some(exponent) = binary {
        return Some((true, exponent));
    }
    match suffix {
        [b'e' | b'E', rest @ ..] if !rest.is_empty() => {
            // int32(parsed) in Go: the exponent wraps.
            let parsed = std::str::from_utf8(rest).ok()?.parse::<i64>().ok()?;
            Some((false, i64::from(parsed as i32)))
        }
        _ => None,
    }
}

/// Go's `time.Parse` with `time.RFC3339` (or `RFC3339Micro` for MicroTime), as
/// metav1.Time.UnmarshalJSON calls it, with Go's error texts.
fn parse_time(value: &str, micro: bool) -> Result<(), String> {
    #[derive(Clone, Copy, PartialEq)]
    enum Std {
        Year,
        Month,
        Day,
        Hour,
        Minute,
        Second,
        Micros,
        Zone,
    }
    const RFC3339: &[(&str, Std, &str)] = &[
        ("", Std::Year, "2006"),
        ("-", Std::Month, "01"),
        ("-", Std::Day, "02"),
        ("T", Std::Hour, "15"),
        (":", Std::Minute, "04"),
        (":", Std::Second, "05"),
        ("", Std::Zone, "Z07:00"),
    ];
    const RFC3339_MICRO: &[(&str, Std, &str)] = &[
        ("", Std::Year, "2006"),
        ("-", Std::Month, "01"),
        ("-", Std::Day, "02"),
        ("T", Std::Hour, "15"),
        (":", Std::Minute, "04"),
        (":", Std::Second, "05"),
        ("", Std::Micros, ".000000"),
        ("", Std::Zone, "Z07:00"),
    ];
    let (layout, chunks) = if micro {
        ("2006-01-02T15:04:05.000000Z07:00", RFC3339_MICRO)
    } else {
        ("2006-01-02T15:04:05Z07:00", RFC3339)
    };
    let cannot_parse = |rest: &[u8], element: &str| {
        format!(
            "parsing time {} as {}: cannot parse {} as {}",
            time_quote(value.as_bytes()),
            time_quote(layout.as_bytes()),
            time_quote(rest),
            time_quote(element.as_bytes())
        )
    };
    let out_of_range = |what: &str| {
        format!(
            "parsing time {}: {what} out of range",
            time_quote(value.as_bytes())
        )
    };
    let mut rest = value.as_bytes();
    let (mut year, mut month, mut day) = (0i64, 1i64, 1i64);
    for (index, &(prefix, std, element)) in chunks.iter().enumerate() {
        for &expected in prefix.as_bytes() {
            match rest.split_first() {
                Some((&c, tail)) if c == expected => rest = tail,
                _ => return Err(cannot_parse(rest, prefix)),
            }
        }
        let hold = rest;
        let mut range: Option<&str> = None;
        let mut bad = false;
        match std {
            Std::Year => {
                if rest.len() < 4 || !rest[0].is_ascii_digit() {
                    bad = true;
                } else {
                    match go_atoi(&rest[..4]) {
                        Some(y) => year = y,
                        None => bad = true,
                    }
                    rest = &rest[4..];
                }
            }
            Std::Month | Std::Day | Std::Hour | Std::Minute | Std::Second => {
                match get_num(rest, std != Std::Hour) {
                    Some((n, tail)) => {
                        rest = tail;
                        match std {
                            Std::Month => {
                                month = n;
                                if !(1..=12).contains(&n) {
                                    range = Some("month");
                                }
                            }
                            Std::Day => day = n,
                            Std::Hour if n >= 24 => range = Some("hour"),
                            Std::Minute if n >= 60 => range = Some("minute"),
                            Std::Second if n >= 60 => range = Some("second"),
                            _ => {}
                        }
                    }
                    None => bad = true,
                }
                // A fractional second the layout does not name is accepted after the seconds.
                let next_is_micros = chunks.get(index + 1).is_some_and(|c| c.1 == Std::Micros);
                if std == Std::Second
                    && !bad
                    && range.is_none()
                    && !next_is_micros
                    && let [b'.' | b',', d, ..] = rest
                    && d.is_ascii_digit()
                {
                    let digits = rest[1..].iter().take_while(|c| c.is_ascii_digit()).count();
                    rest = &rest[1 + digits..];
                }
            }
            Std::Micros => {
                if rest.len() < 7 || !matches!(rest[0], b'.' | b',') {
                    bad = true;
                } else {
                    match go_atoi(&rest[1..7]) {
                        Some(ns) if ns < 0 => range = Some("fractional second"),
                        Some(_) => {}
                        None => bad = true,
                    }
                    rest = &rest[7..];
                }
            }
            Std::Zone => {
                if rest.first() == Some(&b'Z') {
                    rest = &rest[1..];
                } else if rest.len() < 6 || rest[3] != b':' {
                    bad = true;
                } else {
                    let (sign, hours, minutes) = (rest[0], &rest[1..3], &rest[4..6]);
                    rest = &rest[6..];
                    match (get_num(hours, true), get_num(minutes, true)) {
                        (Some((h, _)), Some((m, _))) => {
                            if h > 24 {
                                range = Some("time zone offset hour");
                            }
                            if m > 60 {
                                range = Some("time zone offset minute");
                            }
                            if sign != b'+' && sign != b'-' {
                                bad = true;
                            }
                        }
                        _ => bad = true,
                    }
                }
            }
        }
        if let Some(what) = range {
            return Err(out_of_range(what));
        }
        if bad {
            return Err(cannot_parse(hold, element));
        }
    }
    if !rest.is_empty() {
        return Err(format!(
            "parsing time {}: extra text: {}",
            time_quote(value.as_bytes()),
            time_quote(rest)
        ));
    }
    if day < 1 || day > days_in(month, year) {
        return Err(out_of_range("day"));
    }
    Ok(())
}

/// Go time's getnum: one or two digits (two if `fixed`).
fn get_num(s: &[u8], fixed: bool) -> Option<(i64, &[u8])> {
    let first = *s.first().filter(|c| c.is_ascii_digit())?;
    match s.get(1).filter(|c| c.is_ascii_digit()) {
        Some(second) => Some((
            i64::from(first - b'0') * 10 + i64::from(second - b'0'),
            &s[2..],
        )),
        None if fixed => None,
        None => Some((i64::from(first - b'0'), &s[1..])),
    }
}

/// Go time's atoi: an optional sign, then only digits.
fn go_atoi(s: &[u8]) -> Option<i64> {
    let (negative, digits) = match s.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, s),
    };
    let mut value: i64 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return None;
        }
        value = value.checked_mul(10)?.checked_add(i64::from(c - b'0'))?;
    }
    Some(if negative { -value } else { value })
}

fn days_in(month: i64, year: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The time package's own quote: bytes outside printable ASCII as `\xNN`.
fn time_quote(bytes: &[u8]) -> String {
    let mut out = String::from("\"");
    for &b in bytes {
        match b {
            b'"' | b'\\' => {
                out.push('\\');
                out.push(b as char);
            }
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out.push('"');
    out
}

/// Go's `base64.StdEncoding.Decode` verdict: Err(offset) as in `illegal base64 data at input
/// byte N`. Newlines are skipped, padding is required.
fn base64_check(src: &[u8]) -> Result<(), usize> {
    let is_alphabet = |c: u8| c.is_ascii_alphanumeric() || c == b'+' || c == b'/';
    let is_newline = |c: u8| c == b'\n' || c == b'\r';
    let mut si = 0;
    while si < src.len() {
        let mut j = 0;
        while j < 4 {
            if si == src.len() {
                if j == 0 {
                    return Ok(());
                }
                return Err(si - j);
            }
            let c = src[si];
            si += 1;
            if is_alphabet(c) {
                j += 1;
                continue;
            }
            if is_newline(c) {
                continue;
            }
            if c != b'=' {
                return Err(si - 1);
            }
            match j {
                0 | 1 => return Err(si - 1),
                2 => {
                    while si < src.len() && is_newline(src[si]) {
                        si += 1;
                    }
                    if si == src.len() {
                        return Err(src.len());
                    }
                    if src[si] != b'=' {
                        return Err(si - 1);
                    }
                    si += 1;
                }
                _ => {}
            }
            while si < src.len() && is_newline(src[si]) {
                si += 1;
            }
            return if si < src.len() { Err(si) } else { Ok(()) };
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn kind_schema(group: &str, kind: &str) -> &'static Value {
        Schema::get().for_kind(group, "v1", kind).expect("schema").1
    }

    fn pod() -> &'static Value {
        kind_schema("", "Pod")
    }

    fn deployment() -> &'static Value {
        kind_schema("apps", "Deployment")
    }

    fn report(raw: &str, schema: &Value, kind: &str) -> DecodeReport {
        decode_report(raw.as_bytes(), schema, kind).expect("valid JSON")
    }

    fn deployment_with(spec_extra: Value, container_extra: Value) -> Value {
        let mut container = json!({"name": "web", "image": "nginx:1.27"});
        for (k, v) in container_extra.as_object().cloned().unwrap_or_default() {
            container[k] = v;
        }
        let mut spec = json!({
            "replicas": 2,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web", "app.kubernetes.io/name": "web"}},
                "spec": {"containers": [container]}
            }
        });
        for (k, v) in spec_extra.as_object().cloned().unwrap_or_default() {
            spec[k] = v;
        }
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": spec})
    }

    #[test]
    fn a_valid_deployment_has_no_findings() {
        let obj = deployment_with(json!({}), json!({}));
        assert!(unknown_fields(&obj, deployment()).is_empty());
        assert!(type_errors(&obj, deployment(), "Deployment").is_empty());
    }

    #[test]
    fn misspelt_fields_are_found_at_every_depth_with_real_paths() {
        let obj = json!({
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "web", "lables": {"a": "b"}},
            "spec": {
                "containers": [
                    {"name": "a", "image": "nginx"},
                    {
                        "name": "b",
                        "image": "nginx",
                        "imagePullPolcy": "Always",
                        "env": [{"name": "X", "vale": "1"}],
                        "resources": {"limits": {"cpu": "1"}, "requets": {"cpu": "1"}},
                        "ports": [{"containerPort": 80, "protocl": "TCP"}]
                    }
                ],
                "restartPolicy": "Always",
                "nodeSelectr": {"disk": "ssd"}
            }
        });
        assert_eq!(
            unknown_fields(&obj, pod()),
            vec![
                "metadata.lables",
                "spec.containers[1].env[0].vale",
                "spec.containers[1].imagePullPolcy",
                "spec.containers[1].ports[0].protocl",
                "spec.containers[1].resources.requets",
                "spec.nodeSelectr",
            ]
        );
    }

    #[test]
    fn template_metadata_and_status_are_walked() {
        let obj = deployment_with(json!({"paused": false}), json!({}));
        let mut obj = obj;
        obj["spec"]["template"]["metadata"]["labls"] = json!({"x": "y"});
        obj["status"] = json!({"replicas": 1, "conditions": [{"type": "Available", "status": "True", "reasn": "x"}]});
        assert_eq!(
            unknown_fields(&obj, deployment()),
            vec!["spec.template.metadata.labls", "status.conditions[0].reasn"]
        );
    }

    #[test]
    fn maps_accept_any_key_and_opaque_fields_accept_anything() {
        let obj = json!({
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "name": "web",
                "labels": {"anything/goes": "x", "app.kubernetes.io/name": "web"},
                "annotations": {"whatever": "y"},
                "managedFields": [{"manager": "kubectl", "fieldsV1": {"f:spec": {"f:anything": {}}}}]
            },
            "spec": {"containers": [{"name": "a", "image": "b"}], "nodeSelector": {"k": "v"}}
        });
        assert!(unknown_fields(&obj, pod()).is_empty());
    }

    #[test]
    fn int_or_string_and_quantities_accept_both_forms() {
        for surge in [json!(1), json!("25%")] {
            let obj = deployment_with(
                json!({"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": surge, "maxUnavailable": 0}}}),
                json!({"resources": {"limits": {"cpu": 0.5, "memory": "128Mi"}, "requests": {"cpu": "100m", "memory": 1e6}}}),
            );
            assert!(unknown_fields(&obj, deployment()).is_empty(), "{obj}");
            assert!(
                type_errors(&obj, deployment(), "Deployment").is_empty(),
                "{obj}"
            );
        }
    }

    #[test]
    fn nested_arrays_are_indexed() {
        let obj = json!({
            "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {
                "containers": [{"name": "a", "image": "b"}],
                "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
                    "nodeSelectorTerms": [
                        {"matchExpressions": [{"key": "k", "operator": "In", "values": ["a"]}]},
                        {"matchExpressions": [{"key": "k", "operator": "In", "valuez": ["a"]}]}
                    ]
                }}}
            }
        });
        assert_eq!(
            unknown_fields(&obj, pod()),
            vec![
                "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[1].matchExpressions[0].valuez"
            ]
        );
    }

    #[test]
    fn the_real_integration_test_body_gives_the_real_message() {
        // test/integration/apiserver/field_validation_test.go (invalidBodyJSON), and its expected
        // strict decoding error, verbatim.
        let body = r#"
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {
                "name": "dupename",
                "name": "test-deployment",
                "labels": {"app": "nginx"},
                "unknownMeta": "metaVal"
            },
            "spec": {
                "unknown1": "val1",
                "unknownDupe": "valDupe",
                "unknownDupe": "valDupe2",
                "paused": true,
                "paused": false,
                "selector": {"matchLabels": {"app": "nginx"}},
                "template": {
                    "metadata": {"labels": {"app": "nginx"}},
                    "spec": {
                        "containers": [{
                            "name":  "nginx",
                            "image": "nginx:latest",
                            "unknownNested": "val1",
                            "imagePullPolicy": "Always",
                            "imagePullPolicy": "Never"
                        }]
                    }
                }
            }
        }"#;
        let found = report(body, deployment(), "Deployment");
        assert_eq!(found.error, None);
        assert_eq!(
            strict_message(&found.strict),
            r#"strict decoding error: duplicate field "metadata.name", unknown field "metadata.unknownMeta", unknown field "spec.unknown1", unknown field "spec.unknownDupe", duplicate field "spec.paused", unknown field "spec.template.spec.containers[0].unknownNested", duplicate field "spec.template.spec.containers[0].imagePullPolicy""#
        );
        assert_eq!(
            found
                .strict
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()[..2],
            [
                r#"duplicate field "metadata.name""#,
                r#"unknown field "metadata.unknownMeta""#
            ]
        );
    }

    #[test]
    fn seen_keys_find_repeats_in_small_and_large_objects() {
        let mut seen = SeenKeys::default();
        let keys: Vec<String> = (0..40).map(|i| format!("k{i}")).collect();
        for (i, key) in keys.iter().enumerate() {
            assert!(seen.insert(Cow::Borrowed(key)), "{key}");
            assert!(!seen.insert(Cow::Borrowed(&keys[i / 2])), "{i}");
        }
    }

    #[test]
    fn duplicates_in_raw_json_are_found_in_maps_and_lists() {
        let raw = br#"{"metadata":{"name":"a","labels":{"app":"x","app":"y"}},
            "spec":{"containers":[{"name":"a"},{"name":"b","name":"c","env":[{"name":"X","value":"1","value":"2"}]}]},
            "metadata":{"name":"b"}}"#;
        assert_eq!(
            duplicate_fields(raw),
            vec![
                "metadata.labels.app",
                "spec.containers[1].name",
                "spec.containers[1].env[0].value",
                "metadata"
            ]
        );
        assert!(duplicate_fields(br#"{"a":{"b":1},"c":{"b":2}}"#).is_empty());
        // Broken JSON keeps what was found before the break.
        assert_eq!(duplicate_fields(br#"{"a":1,"a":2,"b":"#), vec!["a"]);
    }

    #[test]
    fn merged_message_drops_duplicates_of_unknown_fields_and_keeps_path_order() {
        let unknown = vec![
            "metadata.unknownMeta".to_string(),
            "spec.unknownDupe".to_string(),
        ];
        let duplicates = vec![
            "metadata.name".to_string(),
            "spec.unknownDupe".to_string(),
            "spec.paused".to_string(),
        ];
        assert_eq!(
            strict_error_message(&unknown, &duplicates),
            r#"strict decoding error: duplicate field "metadata.name", unknown field "metadata.unknownMeta", duplicate field "spec.paused", unknown field "spec.unknownDupe""#
        );
        assert_eq!(
            warnings(&["spec.foo".to_string()], &[]),
            vec![r#"unknown field "spec.foo""#.to_string()]
        );
        assert_eq!(
            strict_error_message(
                &[
                    "spec.containers[10].x".into(),
                    "spec.containers[9].x".into()
                ],
                &["spec.a".into()]
            ),
            r#"strict decoding error: duplicate field "spec.a", unknown field "spec.containers[9].x", unknown field "spec.containers[10].x""#
        );
    }

    #[test]
    fn type_errors_use_go_struct_context() {
        let mut obj = deployment_with(json!({}), json!({}));
        obj["spec"]["replicas"] = json!("3");
        let errors = type_errors(&obj, deployment(), "Deployment");
        assert_eq!(
            errors,
            vec![
                "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32"
            ]
        );
        assert_eq!(
            decode_error_message("Deployment", "v1", &errors[0]),
            r#"Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32"#
        );
    }

    #[test]
    fn type_error_paths_leave_out_indices_and_map_keys() {
        let cases = [
            (
                json!({"ports": [{"containerPort": "80"}]}),
                "string into Go struct field ContainerPort.spec.template.spec.containers.ports.containerPort of type int32",
            ),
            (
                json!({"command": "sh -c"}),
                "string into Go struct field Container.spec.template.spec.containers.command of type []string",
            ),
            (
                json!({"env": {"name": "X"}}),
                "object into Go struct field Container.spec.template.spec.containers.env of type []v1.EnvVar",
            ),
            (
                json!({"env": [{"name": "X", "value": 1}]}),
                "number into Go struct field EnvVar.spec.template.spec.containers.env.value of type string",
            ),
            (
                json!({"imagePullPolicy": 1}),
                "number into Go struct field Container.spec.template.spec.containers.imagePullPolicy of type v1.PullPolicy",
            ),
            (
                json!({"resources": {"limits": "1"}}),
                "string into Go struct field ResourceRequirements.spec.template.spec.containers.resources.limits of type v1.ResourceList",
            ),
            (
                json!({"ports": [{"containerPort": 99999999999i64}]}),
                "number 99999999999 into Go struct field ContainerPort.spec.template.spec.containers.ports.containerPort of type int32",
            ),
            (
                json!({"stdin": "yes"}),
                "string into Go struct field Container.spec.template.spec.containers.stdin of type bool",
            ),
            (
                json!({"securityContext": []}),
                "array into Go struct field Container.spec.template.spec.containers.securityContext of type v1.SecurityContext",
            ),
        ];
        for (container, expected) in cases {
            let obj = deployment_with(json!({}), container);
            assert_eq!(
                type_errors(&obj, deployment(), "Deployment"),
                vec![format!("json: cannot unmarshal {expected}")]
            );
        }
        let mut obj = deployment_with(json!({}), json!({}));
        obj["spec"]["template"]["metadata"]["labels"]["version"] = json!(1.5);
        assert_eq!(
            type_errors(&obj, deployment(), "Deployment"),
            vec![
                "json: cannot unmarshal number into Go struct field ObjectMeta.spec.template.metadata.labels of type string"
            ]
        );
        let obj = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": 5}});
        assert_eq!(
            type_errors(&obj, pod(), "Pod"),
            vec![
                "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.name of type string"
            ]
        );
    }

    #[test]
    fn custom_unmarshallers_report_their_own_errors() {
        let bad_surge = deployment_with(
            json!({"strategy": {"rollingUpdate": {"maxSurge": 1.5}}}),
            json!({}),
        );
        assert_eq!(
            type_errors(&bad_surge, deployment(), "Deployment"),
            vec![
                "json: cannot unmarshal number 1.5 into Go struct field RollingUpdateDeployment.spec.strategy.rollingUpdate.maxSurge of type int32"
            ]
        );
        let bool_surge = deployment_with(
            json!({"strategy": {"rollingUpdate": {"maxSurge": true}}}),
            json!({}),
        );
        assert_eq!(
            type_errors(&bool_surge, deployment(), "Deployment"),
            vec![
                "json: cannot unmarshal bool into Go struct field RollingUpdateDeployment.spec.strategy.rollingUpdate.maxSurge of type int32"
            ]
        );
        let bad_cpu = deployment_with(
            json!({}),
            json!({"resources": {"limits": {"cpu": "1 core"}}}),
        );
        assert_eq!(
            type_errors(&bad_cpu, deployment(), "Deployment"),
            vec![QUANTITY_FORMAT_WRONG]
        );
        let bad_suffix = deployment_with(
            json!({}),
            json!({"resources": {"limits": {"memory": "1KM"}}}),
        );
        assert_eq!(
            type_errors(&bad_suffix, deployment(), "Deployment"),
            vec![QUANTITY_SUFFIX]
        );
        let time = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "creationTimestamp": "yesterday"}});
        assert_eq!(
            type_errors(&time, pod(), "Pod"),
            vec![
                r#"parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as "2006""#
            ]
        );
        let time = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "creationTimestamp": 5}});
        assert_eq!(
            type_errors(&time, pod(), "Pod"),
            vec![
                "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.creationTimestamp of type string"
            ]
        );
    }

    #[test]
    fn integral_floats_from_yaml_decode_as_integers() {
        let three = deployment_with(json!({"replicas": 3.0}), json!({}));
        assert!(type_errors(&three, deployment(), "Deployment").is_empty());
        let half = deployment_with(json!({"replicas": 1.5}), json!({}));
        assert_eq!(
            type_errors(&half, deployment(), "Deployment"),
            vec![
                "json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32"
            ]
        );
    }

    #[test]
    fn an_aborting_error_wins_over_an_earlier_type_error() {
        let obj = deployment_with(
            json!({"replicas": "3"}),
            json!({"resources": {"limits": {"cpu": "x"}}}),
        );
        assert_eq!(
            type_errors(&obj, deployment(), "Deployment"),
            vec![QUANTITY_FORMAT_WRONG]
        );
    }

    #[test]
    fn raw_reports_keep_number_text_and_document_order() {
        let body =
            r#"{"apiVersion":"apps/v1","kind":"Deployment","spec":{"zz":1,"replicas":1e3,"aa":2}}"#;
        let found = report(body, deployment(), "Deployment");
        assert_eq!(
            found.error.as_deref(),
            Some(
                "json: cannot unmarshal number 1e3 into Go struct field DeploymentSpec.spec.replicas of type int32"
            )
        );
        assert_eq!(
            found.strict,
            vec![
                StrictError::Unknown("spec.zz".into()),
                StrictError::Unknown("spec.aa".into())
            ]
        );
        assert!(decode_report(b"[1]", deployment(), "Deployment").is_err());
        assert!(decode_report(b"{\"a\":", deployment(), "Deployment").is_err());
        assert!(decode_report(b"{} x", deployment(), "Deployment").is_err());
    }

    #[test]
    fn strict_errors_are_deduplicated_and_capped() {
        let mut members: Vec<String> = (0..150).map(|i| format!("\"f{i}\":1")).collect();
        members.push("\"f0\":2".into());
        let body = format!("{{\"spec\":{{{}}}}}", members.join(","));
        let found = report(&body, deployment(), "Deployment");
        assert_eq!(found.strict.len(), MAX_STRICT_ERRORS);
        assert_eq!(found.strict[0], StrictError::Unknown("spec.f0".into()));
    }

    #[test]
    fn escaped_keys_are_compared_unescaped_and_quoted_like_go() {
        let found = report(
            r#"{"spec":{"repl\u0069cas":1,"we\"ird":1}}"#,
            deployment(),
            "Deployment",
        );
        assert_eq!(
            found.strict,
            vec![StrictError::Unknown("spec.we\"ird".into())]
        );
        assert_eq!(
            found.strict[0].to_string(),
            r#"unknown field "spec.we\"ird""#
        );
    }

    #[test]
    fn pruning_removes_only_unknown_fields() {
        let mut obj = deployment_with(json!({"foo": 1}), json!({"imagePullPolcy": "Always"}));
        obj["metadata"]["labels"] = json!({"any": "key"});
        prune_unknown_fields(&mut obj, deployment());
        assert!(unknown_fields(&obj, deployment()).is_empty());
        assert_eq!(obj["metadata"]["labels"]["any"], "key");
        assert_eq!(obj["spec"]["replicas"], 2);
        assert!(
            obj["spec"]["template"]["spec"]["containers"][0]
                .get("imagePullPolcy")
                .is_none()
        );
    }

    #[test]
    fn other_served_kinds_validate() {
        let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"},
            "data": {"a": "b"}, "binaryData": {"x": "aGVsbG8="}, "dta": {}});
        assert_eq!(
            unknown_fields(&cm, kind_schema("", "ConfigMap")),
            vec!["dta"]
        );
        let bad = json!({"apiVersion": "v1", "kind": "ConfigMap", "binaryData": {"x": "aGVsbG8"}});
        assert_eq!(
            type_errors(&bad, kind_schema("", "ConfigMap"), "ConfigMap"),
            vec!["illegal base64 data at input byte 4"]
        );
        let lease = json!({"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": {"name": "n"},
            "spec": {"holderIdentity": "n", "renewTime": "2024-05-01T10:00:00.123456Z", "leaseDurationSeconds": 40}});
        let lease_schema = kind_schema("coordination.k8s.io", "Lease");
        assert!(unknown_fields(&lease, lease_schema).is_empty());
        assert!(type_errors(&lease, lease_schema, "Lease").is_empty());
        let mut short = lease.clone();
        short["spec"]["renewTime"] = json!("2024-05-01T10:00:00Z");
        assert_eq!(
            type_errors(&short, lease_schema, "Lease"),
            vec![
                r#"parsing time "2024-05-01T10:00:00Z" as "2006-01-02T15:04:05.000000Z07:00": cannot parse "Z" as ".000000""#
            ]
        );
    }

    #[test]
    fn quantities_parse_like_resource_parse_quantity() {
        for ok in [
            "1",
            "0",
            "100m",
            "1.5",
            "1.5Gi",
            "128Mi",
            "1e3",
            "1E-3",
            "+5",
            "-1",
            ".5",
            "5.",
            "1n",
            ".Gi",
            "12345678901234567890",
        ] {
            assert_eq!(parse_quantity(ok), Ok(()), "{ok}");
        }
        for (bad, expected) in [
            ("", QUANTITY_FORMAT_WRONG),
            ("abc", QUANTITY_FORMAT_WRONG),
            ("1.5.5", QUANTITY_FORMAT_WRONG),
            ("100Mb", QUANTITY_FORMAT_WRONG),
            ("1KM", QUANTITY_SUFFIX),
            ("1e", QUANTITY_SUFFIX),
            (".e-10", QUANTITY_NUMERIC),
        ] {
            assert_eq!(parse_quantity(bad), Err(expected), "{bad}");
        }
        assert_eq!(quantity_text(br#"" 2Gi ""#), "2Gi");
    }

    #[test]
    fn times_parse_like_go_rfc3339() {
        for ok in [
            "2024-02-29T23:59:59Z",
            "2024-01-01T00:00:00.5+02:00",
            "2024-01-01T1:00:00Z",
        ] {
            assert_eq!(parse_time(ok, false), Ok(()), "{ok}");
        }
        let cases = [
            (
                "2024-01-01",
                r#"parsing time "2024-01-01" as "2006-01-02T15:04:05Z07:00": cannot parse "" as "T""#,
            ),
            (
                "2024-13-01T00:00:00Z",
                r#"parsing time "2024-13-01T00:00:00Z": month out of range"#,
            ),
            (
                "2023-02-29T00:00:00Z",
                r#"parsing time "2023-02-29T00:00:00Z": day out of range"#,
            ),
            (
                "2024-01-01T00:00:00Zjunk",
                r#"parsing time "2024-01-01T00:00:00Zjunk": extra text: "junk""#,
            ),
            (
                "2024-01-01T00:00:00",
                r#"parsing time "2024-01-01T00:00:00" as "2006-01-02T15:04:05Z07:00": cannot parse "" as "Z07:00""#,
            ),
        ];
        for (value, expected) in cases {
            assert_eq!(parse_time(value, false), Err(expected.to_string()));
        }
    }

    #[test]
    fn base64_offsets_match_go() {
        assert_eq!(base64_check(b"aGVsbG8="), Ok(()));
        assert_eq!(base64_check(b"aGVs\nbG8="), Ok(()));
        assert_eq!(base64_check(b""), Ok(()));
        assert_eq!(base64_check(b"aGVsbG8"), Err(4));
        assert_eq!(base64_check(b"aGV!"), Err(3));
        assert_eq!(base64_check(b"aG=="), Ok(()));
        assert_eq!(base64_check(b"aG=x"), Err(2));
        assert_eq!(base64_check(b"aGk=aGk="), Err(4));
    }

    #[test]
    fn hostile_input_does_not_panic() {
        let deep = "[".repeat(10_000);
        assert!(
            decode_report(
                format!("{{\"spec\":{deep}").as_bytes(),
                deployment(),
                "Deployment"
            )
            .is_err()
        );
        assert!(duplicate_fields(deep.as_bytes()).is_empty());
        for raw in [
            &b"{\"a\":\"\\u12"[..],
            b"{\"a\":\"\\ud800\\u0041\"}",
            b"{\"a\":-}",
            b"{\"a\":tru}",
            b"\xff\xfe",
        ] {
            let _ = decode_report(raw, deployment(), "Deployment");
            let _ = duplicate_fields(raw);
        }
        assert_eq!(unescape(br"\ud800x").as_deref(), Some("\u{FFFD}x"));
    }
}
