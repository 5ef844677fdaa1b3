//! `protobuf`: request bodies in `application/vnd.kubernetes.protobuf`, turned into the JSON
//! object the rest of podflow works on. kubectl's typed clients (`create namespace`,
//! `create deployment`, `drain`'s Eviction, `auth can-i`'s SelfSubjectAccessReview, …) send
//! this encoding: the magic `k8s\0`, then a `runtime.Unknown` envelope whose `raw` bytes are the
//! object's message.
//!
//! Owns the wire reader ([`wire`]), a small `.proto` parser ([`proto_schema`]) over the real
//! `generated.proto` files embedded from `assets/proto/`, and the message → JSON mapping
//! ([`decode`]) with Kubernetes' special JSON forms (Quantity, IntOrString, Time, …). Calls
//! `api::time` for the calendar. Decoding only: podflow always answers in JSON.

mod decode;
mod proto_schema;
#[cfg(test)]
mod tests;
mod wire;

use std::sync::OnceLock;

use serde_json::Value;

use proto_schema::Schema;

/// The content type kubectl's typed clients send.
pub const CONTENT_TYPE: &str = "application/vnd.kubernetes.protobuf";

/// The four bytes every Kubernetes protobuf body starts with.
pub const MAGIC: &[u8; 4] = b"k8s\0";

/// Nesting deeper than this is refused; real objects stay far below it.
pub const MAX_DEPTH: usize = 64;

/// Why a protobuf body could not be decoded. The texts are the ones kube-apiserver's
/// serializer and gogo-protobuf's generated code produce, so the 400 reads like the real one;
/// [`ProtobufError::bad_request_message`] wraps them as the handler does.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProtobufError {
    #[error("empty data")]
    EmptyData,
    #[error(
        "provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]"
    )]
    NoMagic,
    #[error("empty body")]
    EmptyBody,
    #[error("unexpected EOF")]
    UnexpectedEof,
    #[error("proto: integer overflow")]
    IntegerOverflow,
    #[error("proto: negative length found during unmarshaling")]
    InvalidLength,
    #[error("{}", illegal_tag(*number, *wire))]
    IllegalTag { number: u64, wire: u8 },
    #[error("proto: wiretype {0} group for non-group")]
    Group(&'static str),
    #[error("proto: wrong wireType = {wire} for field {field}")]
    WrongWireType { field: String, wire: u8 },
    #[error("proto: nesting deeper than {MAX_DEPTH} levels")]
    TooDeep,
    #[error("{0}")]
    InvalidValue(String),
    #[error("Object 'Kind' is missing in '{0}'")]
    MissingKind(String),
    #[error("Object 'apiVersion' is missing in '{0}'")]
    MissingVersion(String),
    #[error("no kind \"{kind}\" is registered for version \"{api_version}\"")]
    NotRegistered { api_version: String, kind: String },
    #[error("no protobuf message type {0}")]
    UnknownType(String),
    /// The envelope named a kind, and the object's own bytes failed to decode.
    #[error("{source}")]
    Object {
        api_version: String,
        kind: String,
        source: Box<ProtobufError>,
    },
    /// The embedded `.proto` files did not parse: a podflow bug, not a client error.
    #[error("protobuf schema: {0}")]
    Schema(String),
}

fn illegal_tag(number: u64, wire: u8) -> String {
    if wire > 5 {
        format!("proto: illegal wireType {wire}")
    } else {
        format!("proto: illegal tag {number} (wire type {wire})")
    }
}

impl ProtobufError {
    /// The message of the 400 BadRequest Status, worded as kube-apiserver's
    /// `transformDecodeError`: `Deployment in version "v1" cannot be handled as a Deployment: …`
    /// once the envelope named a kind, else `the object provided is unrecognized (must be of
    /// type Deployment): … (<first 30 bytes in hex>)`. `expected_kind` is the endpoint's kind.
    pub fn bad_request_message(&self, expected_kind: &str, body: &[u8]) -> String {
        match self {
            Self::Object {
                api_version, kind, ..
            } => {
                let version = api_version.rsplit('/').next().unwrap_or(api_version);
                format!(
                    "{kind} in version \"{version}\" cannot be handled as a {expected_kind}: {self}"
                )
            }
            _ => format!(
                "the object provided is unrecognized (must be of type {expected_kind}): {self} ({})",
                summarize_data(body, 30)
            ),
        }
    }
}

/// `summarizeData` of the apiserver handlers: JSON-looking bodies verbatim, others in hex.
fn summarize_data(data: &[u8], max: usize) -> String {
    let (head, more) = if data.len() > max {
        (&data[..max], " ...")
    } else {
        (data, "")
    };
    match data.first() {
        None => "<empty>".to_string(),
        Some(b'{') => format!("{}{more}", String::from_utf8_lossy(head)),
        Some(_) => {
            let hex: String = head.iter().map(|b| format!("{b:02x}")).collect();
            format!("{hex}{more}")
        }
    }
}

/// The schema of every embedded `.proto` file, parsed once.
fn schema() -> Result<&'static Schema, ProtobufError> {
    static SCHEMA: OnceLock<Result<Schema, String>> = OnceLock::new();
    SCHEMA
        .get_or_init(|| Schema::parse(proto_schema::EMBEDDED))
        .as_ref()
        .map_err(|e| ProtobufError::Schema(e.clone()))
}

/// Decodes a whole request body (`k8s\0` + `runtime.Unknown`) into the object's JSON, with
/// `apiVersion` and `kind` taken from the envelope.
pub fn decode_body(bytes: &[u8]) -> Result<Value, ProtobufError> {
    decode::body(schema()?, bytes, 0)
}

/// Decodes one message of the named type (`k8s.io.api.core.v1.Pod`) into its JSON form.
pub fn decode_message(type_name: &str, bytes: &[u8]) -> Result<Value, ProtobufError> {
    let schema = schema()?;
    decode::message(schema, type_name.trim_start_matches('.'), bytes, 0)
}

/// The protobuf message type that carries `kind` in `apiVersion`
/// (`apps/v1`, `Deployment` → `k8s.io.api.apps.v1.Deployment`), if podflow has its schema.
/// The option kinds every group version serves (`DeleteOptions`, …) come from `meta/v1`.
pub fn message_type_for(api_version: &str, kind: &str) -> Option<String> {
    decode::message_type_for(schema().ok()?, api_version, kind)
}
