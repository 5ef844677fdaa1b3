//! Message → JSON: walks a message's fields with the schema and builds the object Go's JSON
//! encoder would write for the same Go struct. Field names are the `.proto` names (they are
//! the JSON names in Kubernetes); the types whose JSON is not their message shape get their
//! JSON forms: Quantity, IntOrString, Time, MicroTime, Duration, RawExtension, FieldsV1, the
//! string-list wrappers, and the structs Go embeds with `json:",inline"`.
//!
//! gogo-protobuf writes every non-pointer field, even at its zero value, and the proto does
//! not say which fields were pointers. So: empty singular strings and bytes are left out (Go's
//! `omitempty` would drop them); numbers and booleans are kept, even 0 and false, since a
//! pointer such as `replicas: 0` must survive, except the non-pointer `omitempty` fields
//! listed in [`OMIT_ZERO`]; nested messages are kept, even empty, as Go writes non-pointer
//! structs (`spec: {}`), except an empty Time, which is `null`.

use base64::Engine;
use serde_json::{Map, Number, Value};

use super::proto_schema::{Field, FieldType, Label, Scalar, Schema};
use super::wire::{self, Payload, Reader};
use super::{MAGIC, MAX_DEPTH, ProtobufError};

const META_V1: &str = "k8s.io.apimachinery.pkg.apis.meta.v1";
const QUANTITY: &str = "k8s.io.apimachinery.pkg.api.resource.Quantity";
const INT_OR_STRING: &str = "k8s.io.apimachinery.pkg.util.intstr.IntOrString";
const TIME: &str = "k8s.io.apimachinery.pkg.apis.meta.v1.Time";
const MICRO_TIME: &str = "k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime";
const DURATION: &str = "k8s.io.apimachinery.pkg.apis.meta.v1.Duration";
const FIELDS_V1: &str = "k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1";
const VERBS: &str = "k8s.io.apimachinery.pkg.apis.meta.v1.Verbs";
const EXTRA_VALUE: &str = "k8s.io.api.authorization.v1.ExtraValue";
const RAW_EXTENSION: &str = "k8s.io.apimachinery.pkg.runtime.RawExtension";

/// Fields Go embeds with `json:",inline"`: in JSON their message's fields sit in the parent.
const INLINE: &[(&str, &str)] = &[
    (
        "k8s.io.api.core.v1.ConfigMapEnvSource",
        "localObjectReference",
    ),
    (
        "k8s.io.api.core.v1.ConfigMapKeySelector",
        "localObjectReference",
    ),
    (
        "k8s.io.api.core.v1.ConfigMapProjection",
        "localObjectReference",
    ),
    (
        "k8s.io.api.core.v1.ConfigMapVolumeSource",
        "localObjectReference",
    ),
    ("k8s.io.api.core.v1.SecretEnvSource", "localObjectReference"),
    (
        "k8s.io.api.core.v1.SecretKeySelector",
        "localObjectReference",
    ),
    (
        "k8s.io.api.core.v1.SecretProjection",
        "localObjectReference",
    ),
    (
        "k8s.io.api.core.v1.EphemeralContainer",
        "ephemeralContainerCommon",
    ),
    ("k8s.io.api.core.v1.Probe", "handler"),
    (
        "k8s.io.api.core.v1.PersistentVolumeSpec",
        "persistentVolumeSource",
    ),
    ("k8s.io.api.core.v1.Volume", "volumeSource"),
];

/// Numbers and booleans Go declares as non-pointer `omitempty` fields, in the kinds kubectl
/// creates: gogo writes them even at 0 or false, Go's JSON leaves them out, and so does this
/// decoder (`stdin: false` on every container would be noise). Pointers are never listed here.
const OMIT_ZERO: &[(&str, &[&str])] = &[
    (
        "k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta",
        &["generation"],
    ),
    (
        "k8s.io.api.core.v1.Container",
        &["stdin", "stdinOnce", "tty"],
    ),
    (
        "k8s.io.api.core.v1.EphemeralContainerCommon",
        &["stdin", "stdinOnce", "tty"],
    ),
    ("k8s.io.api.core.v1.ContainerPort", &["hostPort"]),
    (
        "k8s.io.api.core.v1.PodSpec",
        &["hostNetwork", "hostPID", "hostIPC"],
    ),
    ("k8s.io.api.core.v1.PodStatus", &["observedGeneration"]),
    (
        "k8s.io.api.core.v1.Probe",
        &[
            "initialDelaySeconds",
            "timeoutSeconds",
            "periodSeconds",
            "successThreshold",
            "failureThreshold",
        ],
    ),
    ("k8s.io.api.core.v1.VolumeMount", &["readOnly"]),
    (
        "k8s.io.api.core.v1.PersistentVolumeClaimVolumeSource",
        &["readOnly"],
    ),
    ("k8s.io.api.core.v1.ServicePort", &["nodePort"]),
    (
        "k8s.io.api.core.v1.ServiceSpec",
        &["healthCheckNodePort", "publishNotReadyAddresses"],
    ),
    (
        "k8s.io.api.apps.v1.DeploymentSpec",
        &["minReadySeconds", "paused"],
    ),
    (
        "k8s.io.api.apps.v1.DeploymentStatus",
        &[
            "observedGeneration",
            "replicas",
            "updatedReplicas",
            "readyReplicas",
            "availableReplicas",
            "unavailableReplicas",
        ],
    ),
    ("k8s.io.api.apps.v1.ReplicaSetSpec", &["minReadySeconds"]),
    (
        "k8s.io.api.apps.v1.ReplicaSetStatus",
        &[
            "fullyLabeledReplicas",
            "readyReplicas",
            "availableReplicas",
            "observedGeneration",
        ],
    ),
    (
        "k8s.io.api.authorization.v1.SubjectAccessReviewStatus",
        &["denied"],
    ),
];

fn omit_zero(message: &str, field: &str, value: &Value) -> bool {
    let zero = value.as_i64() == Some(0) || value.as_bool() == Some(false);
    zero && OMIT_ZERO
        .iter()
        .any(|(m, fields)| *m == message && fields.contains(&field))
}

/// The kinds `metav1.AddToGroupVersion` registers in every group version.
const META_KINDS_IN_EVERY_VERSION: &[&str] = &[
    "CreateOptions",
    "DeleteOptions",
    "GetOptions",
    "ListOptions",
    "PatchOptions",
    "Status",
    "UpdateOptions",
    "WatchEvent",
];

/// `time.Unix` of Go's zero `time.Time`, which `metav1.Time` writes as `null`.
const ZERO_TIME_SECONDS: i64 = -62_135_596_800;
/// The last second of year 9999, the end of RFC 3339.
const MAX_TIME_SECONDS: i64 = 253_402_300_799;

/// The message for `kind` in `apiVersion`: the group's package (`rbac.authorization.k8s.io`
/// → `k8s.io.api.rbac.v1`), else meta/v1 for the option kinds every version serves.
pub(crate) fn message_type_for(schema: &Schema, api_version: &str, kind: &str) -> Option<String> {
    let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
    if version.is_empty() || kind.is_empty() || kind.contains('.') || version.contains('/') {
        return None;
    }
    let package = match group {
        "" => format!("k8s.io.api.core.{version}"),
        "meta.k8s.io" => META_V1.to_string(),
        _ => format!("k8s.io.api.{}.{version}", group.split('.').next()?),
    };
    let own = format!("{package}.{kind}");
    if schema.message(&own).is_some() {
        return Some(own);
    }
    let meta = format!("{META_V1}.{kind}");
    (META_KINDS_IN_EVERY_VERSION.contains(&kind) && schema.message(&meta).is_some()).then_some(meta)
}

/// The body: magic, `runtime.Unknown`, then the object its `raw` holds.
pub(crate) fn body(schema: &Schema, bytes: &[u8], depth: usize) -> Result<Value, ProtobufError> {
    if bytes.is_empty() {
        return Err(ProtobufError::EmptyData);
    }
    let Some(data) = bytes.strip_prefix(MAGIC.as_slice()) else {
        return Err(ProtobufError::NoMagic);
    };
    if data.is_empty() {
        return Err(ProtobufError::EmptyBody);
    }
    let envelope = Envelope::parse(data)?;
    if envelope.kind.is_empty() {
        return Err(ProtobufError::MissingKind(envelope.go_type_meta()));
    }
    let wrap = |source: ProtobufError| ProtobufError::Object {
        api_version: envelope.api_version.clone(),
        kind: envelope.kind.clone(),
        source: Box::new(source),
    };
    if envelope.api_version.is_empty() {
        return Err(wrap(ProtobufError::MissingVersion(envelope.go_type_meta())));
    }
    let type_name =
        message_type_for(schema, &envelope.api_version, &envelope.kind).ok_or_else(|| {
            wrap(ProtobufError::NotRegistered {
                api_version: envelope.api_version.clone(),
                kind: envelope.kind.clone(),
            })
        })?;
    let mut object = message(schema, &type_name, envelope.raw, depth).map_err(wrap)?;
    if let Value::Object(fields) = &mut object {
        fields.insert(
            "apiVersion".into(),
            Value::String(envelope.api_version.clone()),
        );
        fields.insert("kind".into(), Value::String(envelope.kind.clone()));
    }
    Ok(object)
}

/// `runtime.Unknown`: {1: TypeMeta {1: apiVersion, 2: kind}, 2: raw, 3: contentEncoding,
/// 4: contentType}. The serializer ignores the last two, and so does podflow.
struct Envelope<'a> {
    api_version: String,
    kind: String,
    raw: &'a [u8],
}

impl<'a> Envelope<'a> {
    fn parse(data: &'a [u8]) -> Result<Self, ProtobufError> {
        let mut envelope = Envelope {
            api_version: String::new(),
            kind: String::new(),
            raw: &[],
        };
        for item in wire::fields(data) {
            match item? {
                (1, Payload::Bytes(type_meta)) => {
                    for item in wire::fields(type_meta) {
                        match item? {
                            (1, Payload::Bytes(s)) => envelope.api_version = lossy(s),
                            (2, Payload::Bytes(s)) => envelope.kind = lossy(s),
                            (1, p) => return Err(wrong_wire("APIVersion", &p)),
                            (2, p) => return Err(wrong_wire("Kind", &p)),
                            _ => {}
                        }
                    }
                }
                (2, Payload::Bytes(raw)) => envelope.raw = raw,
                (3 | 4, Payload::Bytes(_)) => {}
                (1, p) => return Err(wrong_wire("TypeMeta", &p)),
                (2, p) => return Err(wrong_wire("Raw", &p)),
                (3, p) => return Err(wrong_wire("ContentEncoding", &p)),
                (4, p) => return Err(wrong_wire("ContentType", &p)),
                _ => {}
            }
        }
        Ok(envelope)
    }

    /// Go's `%#v` of the TypeMeta, as the missing-kind errors quote it.
    fn go_type_meta(&self) -> String {
        format!(
            "runtime.TypeMeta{{APIVersion:{}, Kind:{}}}",
            Value::String(self.api_version.clone()),
            Value::String(self.kind.clone())
        )
    }
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn wrong_wire(field: &str, payload: &Payload<'_>) -> ProtobufError {
    ProtobufError::WrongWireType {
        field: field.to_string(),
        wire: payload.wire_type().number(),
    }
}

/// gogo names the Go field in its errors: the proto name with a capital first letter.
fn field_error(field: &Field, payload: &Payload<'_>) -> ProtobufError {
    let mut name = field.name.clone();
    if let Some(first) = name.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    wrong_wire(&name, payload)
}

/// One message of type `name` (fully qualified, no leading dot).
pub(crate) fn message(
    schema: &Schema,
    name: &str,
    bytes: &[u8],
    depth: usize,
) -> Result<Value, ProtobufError> {
    if depth > MAX_DEPTH {
        return Err(ProtobufError::TooDeep);
    }
    match name {
        QUANTITY => quantity(bytes),
        INT_OR_STRING => int_or_string(bytes),
        TIME => time(bytes, false),
        MICRO_TIME => time(bytes, true),
        DURATION => duration(bytes),
        RAW_EXTENSION => raw_extension(schema, bytes, depth),
        FIELDS_V1 => embedded_json(bytes, "FieldsV1"),
        VERBS | EXTRA_VALUE => string_list(bytes),
        _ => generic(schema, name, bytes, depth),
    }
}

fn generic(
    schema: &Schema,
    name: &str,
    bytes: &[u8],
    depth: usize,
) -> Result<Value, ProtobufError> {
    let descriptor = schema
        .message(name)
        .ok_or_else(|| ProtobufError::UnknownType(name.to_string()))?;
    let mut object = Map::new();
    for item in wire::fields(bytes) {
        let (number, payload) = item?;
        // Unknown field numbers are skipped: the reader already stepped over their payload.
        let Some(field) = descriptor.field(number) else {
            continue;
        };
        match &field.label {
            Label::Map(key) => {
                let (k, v) = map_entry(schema, field, *key, &payload, depth)?;
                let map = object
                    .entry(field.name.clone())
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(map) = map {
                    map.insert(k, v);
                }
            }
            Label::Repeated => {
                let values = repeated(schema, field, &payload, depth)?;
                let list = object
                    .entry(field.name.clone())
                    .or_insert_with(|| Value::Array(Vec::new()));
                if let Value::Array(list) = list {
                    list.extend(values);
                }
            }
            Label::Optional => {
                let value = single(schema, field, &payload, depth)?;
                let empty_text =
                    matches!(field.ty, FieldType::Scalar(Scalar::String | Scalar::Bytes))
                        && value.as_str() == Some("");
                if empty_text || omit_zero(name, &field.name, &value) {
                    object.remove(&field.name);
                } else if INLINE.contains(&(name, field.name.as_str())) {
                    if let Value::Object(inner) = value {
                        merge_into(&mut object, inner);
                    }
                } else {
                    set_or_merge(&mut object, &field.name, value);
                }
            }
        }
    }
    Ok(Value::Object(object))
}

/// Protobuf merge semantics for a singular field seen twice: messages merge, the rest is
/// replaced by the later value.
fn set_or_merge(object: &mut Map<String, Value>, key: &str, value: Value) {
    match (object.get_mut(key), value) {
        (Some(Value::Object(old)), Value::Object(new)) => merge_into(old, new),
        (_, value) => {
            object.insert(key.to_string(), value);
        }
    }
}

fn merge_into(target: &mut Map<String, Value>, source: Map<String, Value>) {
    for (key, value) in source {
        match (target.get_mut(&key), value) {
            (Some(Value::Object(old)), Value::Object(new)) => merge_into(old, new),
            (Some(Value::Array(old)), Value::Array(new)) => old.extend(new),
            (_, value) => {
                target.insert(key, value);
            }
        }
    }
}

fn single(
    schema: &Schema,
    field: &Field,
    payload: &Payload<'_>,
    depth: usize,
) -> Result<Value, ProtobufError> {
    match (&field.ty, payload) {
        (FieldType::Scalar(scalar), _) => scalar_value(*scalar, payload, field),
        (FieldType::Message(type_name), Payload::Bytes(bytes)) => {
            message(schema, type_name, bytes, depth + 1)
        }
        (FieldType::Message(_), _) => Err(field_error(field, payload)),
    }
}

/// One occurrence of a repeated field: one value, or a packed run of numbers.
fn repeated(
    schema: &Schema,
    field: &Field,
    payload: &Payload<'_>,
    depth: usize,
) -> Result<Vec<Value>, ProtobufError> {
    match (&field.ty, payload) {
        (FieldType::Scalar(scalar), Payload::Bytes(run)) if scalar.packable() => {
            let mut reader = Reader::new(run);
            let mut values = Vec::new();
            while !reader.is_empty() {
                let element = match scalar {
                    Scalar::Fixed32 | Scalar::Sfixed32 | Scalar::Float => {
                        Payload::Fixed32(reader.fixed32()?)
                    }
                    Scalar::Fixed64 | Scalar::Sfixed64 | Scalar::Double => {
                        Payload::Fixed64(reader.fixed64()?)
                    }
                    _ => Payload::Varint(reader.varint()?),
                };
                values.push(scalar_value(*scalar, &element, field)?);
            }
            Ok(values)
        }
        _ => Ok(vec![single(schema, field, payload, depth)?]),
    }
}

/// A `map<K, V>` entry: a message {1: key, 2: value}, either of which may be absent.
fn map_entry(
    schema: &Schema,
    field: &Field,
    key_type: Scalar,
    payload: &Payload<'_>,
    depth: usize,
) -> Result<(String, Value), ProtobufError> {
    let Payload::Bytes(entry) = payload else {
        return Err(field_error(field, payload));
    };
    let mut key = None;
    let mut value = None;
    for item in wire::fields(entry) {
        match item? {
            (1, p) => key = Some(scalar_value(key_type, &p, field)?),
            (2, p) => value = Some(single(schema, field, &p, depth)?),
            _ => {}
        }
    }
    // JSON object keys are strings: numeric and bool keys are written as Go's encoder does.
    let key = match key.unwrap_or_else(|| zero_scalar(key_type)) {
        Value::String(s) => s,
        other => other.to_string(),
    };
    let value = match (value, &field.ty) {
        (Some(v), _) => v,
        (None, FieldType::Scalar(scalar)) => zero_scalar(*scalar),
        (None, FieldType::Message(type_name)) => message(schema, type_name, &[], depth + 1)?,
    };
    Ok((key, value))
}

fn zero_scalar(scalar: Scalar) -> Value {
    match scalar {
        Scalar::String | Scalar::Bytes => Value::String(String::new()),
        Scalar::Bool => Value::Bool(false),
        Scalar::Double | Scalar::Float => Value::from(0.0),
        _ => Value::from(0),
    }
}

fn scalar_value(
    scalar: Scalar,
    payload: &Payload<'_>,
    field: &Field,
) -> Result<Value, ProtobufError> {
    Ok(match (scalar, *payload) {
        // int32 keeps the low 32 bits: negatives arrive as ten-byte sign-extended varints.
        (Scalar::Int32 | Scalar::Enum, Payload::Varint(v)) => Value::from(v as u32 as i32),
        (Scalar::Int64, Payload::Varint(v)) => Value::from(v as i64),
        (Scalar::Uint32, Payload::Varint(v)) => Value::from(v as u32),
        (Scalar::Uint64, Payload::Varint(v)) => Value::from(v),
        (Scalar::Sint32, Payload::Varint(v)) => {
            let v = v as u32;
            Value::from(((v >> 1) as i32) ^ -((v & 1) as i32))
        }
        (Scalar::Sint64, Payload::Varint(v)) => Value::from(((v >> 1) as i64) ^ -((v & 1) as i64)),
        (Scalar::Bool, Payload::Varint(v)) => Value::Bool(v != 0),
        (Scalar::Fixed32, Payload::Fixed32(v)) => Value::from(v),
        (Scalar::Sfixed32, Payload::Fixed32(v)) => Value::from(v as i32),
        (Scalar::Fixed64, Payload::Fixed64(v)) => Value::from(v),
        (Scalar::Sfixed64, Payload::Fixed64(v)) => Value::from(v as i64),
        // Go writes a float32 with 32-bit precision: 0.1, not 0.10000000149011612.
        (Scalar::Float, Payload::Fixed32(v)) => float(
            f32::from_bits(v).to_string().parse().unwrap_or(f64::NAN),
            field,
        )?,
        (Scalar::Double, Payload::Fixed64(v)) => float(f64::from_bits(v), field)?,
        (Scalar::String, Payload::Bytes(b)) => Value::String(lossy(b)),
        (Scalar::Bytes, Payload::Bytes(b)) => {
            Value::String(base64::engine::general_purpose::STANDARD.encode(b))
        }
        (_, p) => return Err(field_error(field, &p)),
    })
}

fn float(v: f64, field: &Field) -> Result<Value, ProtobufError> {
    Number::from_f64(v).map(Value::Number).ok_or_else(|| {
        ProtobufError::InvalidValue(format!(
            "json: unsupported value: {v} (field {})",
            field.name
        ))
    })
}

/// Reads the fields of a small message into a callback, checking nothing but the wire format.
fn each_field<'a>(
    bytes: &'a [u8],
    mut f: impl FnMut(u32, Payload<'a>) -> Result<(), ProtobufError>,
) -> Result<(), ProtobufError> {
    for item in wire::fields(bytes) {
        let (number, payload) = item?;
        f(number, payload)?;
    }
    Ok(())
}

fn expect_varint(field: &str, payload: Payload<'_>) -> Result<u64, ProtobufError> {
    match payload {
        Payload::Varint(v) => Ok(v),
        p => Err(wrong_wire(field, &p)),
    }
}

fn expect_bytes<'a>(field: &str, payload: Payload<'a>) -> Result<&'a [u8], ProtobufError> {
    match payload {
        Payload::Bytes(b) => Ok(b),
        p => Err(wrong_wire(field, &p)),
    }
}

/// `resource.Quantity` {1: string} → the string; Go writes the zero Quantity as `"0"`.
fn quantity(bytes: &[u8]) -> Result<Value, ProtobufError> {
    let mut text = String::new();
    each_field(bytes, |number, payload| {
        if number == 1 {
            text = lossy(expect_bytes("String_", payload)?);
        }
        Ok(())
    })?;
    if text.is_empty() {
        text.push('0');
    }
    Ok(Value::String(text))
}

/// `intstr.IntOrString` {1: type, 2: intVal, 3: strVal} → a number or a string.
fn int_or_string(bytes: &[u8]) -> Result<Value, ProtobufError> {
    let (mut kind, mut int_val, mut str_val) = (0i64, 0i32, String::new());
    each_field(bytes, |number, payload| {
        match number {
            1 => kind = expect_varint("Type", payload)? as i64,
            2 => int_val = expect_varint("IntVal", payload)? as u32 as i32,
            3 => str_val = lossy(expect_bytes("StrVal", payload)?),
            _ => {}
        }
        Ok(())
    })?;
    match kind {
        0 => Ok(Value::from(int_val)),
        1 => Ok(Value::String(str_val)),
        _ => Err(ProtobufError::InvalidValue(
            "impossible IntOrString.Type".to_string(),
        )),
    }
}

/// `metav1.Time` / `metav1.MicroTime` {1: seconds, 2: nanos} → RFC 3339 in UTC. An empty
/// message is Go's zero time, written `null`. Time drops the nanoseconds (as its
/// `Unmarshal` does); MicroTime keeps six fraction digits.
fn time(bytes: &[u8], micro: bool) -> Result<Value, ProtobufError> {
    if bytes.is_empty() {
        return Ok(Value::Null);
    }
    let (mut seconds, mut nanos) = (0i64, 0i64);
    each_field(bytes, |number, payload| {
        match number {
            1 => seconds = expect_varint("Seconds", payload)? as i64,
            2 => nanos = i64::from(expect_varint("Nanos", payload)? as u32 as i32),
            _ => {}
        }
        Ok(())
    })?;
    if !micro {
        nanos = 0;
    }
    // Go's time.Unix carries nanoseconds outside [0, 1e9) into the seconds.
    let seconds = seconds.checked_add(nanos.div_euclid(1_000_000_000));
    let nanos = nanos.rem_euclid(1_000_000_000);
    let Some(seconds) = seconds.filter(|s| (ZERO_TIME_SECONDS..=MAX_TIME_SECONDS).contains(s))
    else {
        return Err(ProtobufError::InvalidValue(
            "Time.MarshalJSON: year outside of range [0,9999]".to_string(),
        ));
    };
    if seconds == ZERO_TIME_SECONDS && nanos == 0 {
        return Ok(Value::Null);
    }
    let whole = crate::api::time::format_time(seconds * 1_000);
    Ok(Value::String(if micro {
        let stem = whole.trim_end_matches('Z');
        format!("{stem}.{:06}Z", nanos / 1_000)
    } else {
        whole
    }))
}

/// `metav1.Duration` {1: nanoseconds} → Go's `time.Duration.String()` (`1m30s`).
fn duration(bytes: &[u8]) -> Result<Value, ProtobufError> {
    let mut nanos = 0i64;
    each_field(bytes, |number, payload| {
        if number == 1 {
            nanos = expect_varint("Duration", payload)? as i64;
        }
        Ok(())
    })?;
    Ok(Value::String(go_duration(nanos)))
}

/// Go's `time.Duration.String()`: `0s`, `1.5µs`, `500ms`, `1m30s`, `1h0m0s`, `-2s`.
fn go_duration(nanos: i64) -> String {
    let u = nanos.unsigned_abs();
    let sign = if nanos < 0 { "-" } else { "" };
    if u == 0 {
        return "0s".to_string();
    }
    if u < 1_000_000_000 {
        let (unit, precision) = match u {
            0..1_000 => ("ns", 0),
            1_000..1_000_000 => ("µs", 3),
            _ => ("ms", 6),
        };
        let (whole, fraction) = split_fraction(u, precision);
        return format!("{sign}{whole}{fraction}{unit}");
    }
    let (seconds, fraction) = split_fraction(u, 9);
    let minutes = seconds / 60;
    let mut out = String::from(sign);
    if minutes > 0 {
        let hours = minutes / 60;
        if hours > 0 {
            out.push_str(&format!("{hours}h"));
        }
        out.push_str(&format!("{}m", minutes % 60));
    }
    out.push_str(&format!("{}{fraction}s", seconds % 60));
    out
}

/// `v / 10^precision` and its fraction as `.5` (trailing zeros and an empty fraction omitted).
fn split_fraction(v: u64, precision: u32) -> (u64, String) {
    let scale = 10u64.pow(precision);
    let fraction = v % scale;
    if fraction == 0 {
        return (v / scale, String::new());
    }
    let digits = format!("{fraction:0width$}", width = precision as usize);
    (v / scale, format!(".{}", digits.trim_end_matches('0')))
}

/// `runtime.RawExtension` {1: raw} → the embedded object: JSON as written, or a nested
/// protobuf body (`k8s\0…`) decoded the same way.
fn raw_extension(schema: &Schema, bytes: &[u8], depth: usize) -> Result<Value, ProtobufError> {
    let mut raw: &[u8] = &[];
    each_field(bytes, |number, payload| {
        if number == 1 {
            raw = expect_bytes("Raw", payload)?;
        }
        Ok(())
    })?;
    if raw.starts_with(MAGIC) {
        return body(schema, raw, depth + 1);
    }
    parse_json(raw, "RawExtension")
}

/// A message {1: raw JSON bytes} (FieldsV1, RawExtension) → the JSON value; empty is `null`.
fn embedded_json(bytes: &[u8], what: &str) -> Result<Value, ProtobufError> {
    let mut raw: &[u8] = &[];
    each_field(bytes, |number, payload| {
        if number == 1 {
            raw = expect_bytes("Raw", payload)?;
        }
        Ok(())
    })?;
    parse_json(raw, what)
}

fn parse_json(raw: &[u8], what: &str) -> Result<Value, ProtobufError> {
    if raw.is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_slice(raw)
        .map_err(|e| ProtobufError::InvalidValue(format!("{what} is not valid JSON: {e}")))
}

/// `Verbs` / `ExtraValue` {1: repeated string items} → the list itself (Go's `[]string`).
fn string_list(bytes: &[u8]) -> Result<Value, ProtobufError> {
    let mut items = Vec::new();
    each_field(bytes, |number, payload| {
        if number == 1 {
            items.push(Value::String(lossy(expect_bytes("Items", payload)?)));
        }
        Ok(())
    })?;
    Ok(Value::Array(items))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_duration_strings() {
        for (nanos, want) in [
            (0, "0s"),
            (1, "1ns"),
            (1_100, "1.1µs"),
            (2_200_000, "2.2ms"),
            (1_500_000_000, "1.5s"),
            (90_000_000_000, "1m30s"),
            (3_600_000_000_000, "1h0m0s"),
            (4_000_000_000_000, "1h6m40s"),
            (-2_000_000_000, "-2s"),
            (i64::MIN, "-2562047h47m16.854775808s"),
        ] {
            assert_eq!(go_duration(nanos), want, "{nanos}");
        }
    }
}
