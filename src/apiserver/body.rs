//! Request bodies: size limit, JSON or YAML decoding with the parser's position in errors,
//! the kind check against the endpoint, field validation (`fieldValidation=Strict|Warn|Ignore`,
//! against the real OpenAPI schemas: unknown and duplicate fields, wrong JSON types) and
//! defaulting — the "decode" step of kube-apiserver, before admission.

use crate::api::kinds::{ResourceType, split_api_version};
use crate::api::schema::Schema;
use crate::api::status::ApiError;
use crate::api::{defaults, fields, protobuf};
use crate::apiserver::MAX_BODY_BYTES;
use serde_json::Value;

/// How unknown fields are treated (`?fieldValidation=`). The server's default is Warn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldValidation {
    Strict,
    Warn,
    Ignore,
}

impl FieldValidation {
    pub fn from_query(value: Option<&str>) -> Result<FieldValidation, ApiError> {
        match value {
            None | Some("") | Some("Warn") => Ok(FieldValidation::Warn),
            Some("Strict") => Ok(FieldValidation::Strict),
            Some("Ignore") => Ok(FieldValidation::Ignore),
            Some(other) => Err(ApiError::bad_request(format!(
                "fieldValidation parameter unsupported: {other}. Supported values: Ignore, Warn, Strict"
            ))),
        }
    }
}

/// A decoded body, with the warnings to send back.
pub struct Decoded {
    pub object: Value,
    pub warnings: Vec<String>,
}

/// Parses JSON or YAML bytes into a value. Errors carry the parser's position.
/// `expected_kind` names the endpoint's kind in protobuf decode errors.
pub fn parse(bytes: &[u8], content_type: &str, expected_kind: &str) -> Result<Value, ApiError> {
    if bytes.len() > MAX_BODY_BYTES {
        return Err(too_large());
    }
    let mime = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if mime == protobuf::CONTENT_TYPE {
        // kubectl's typed clients (`create namespace`, `create deployment`, `auth can-i`…)
        // send protobuf: it becomes the same JSON object the rest of the pipeline reads.
        return protobuf::decode_body(bytes)
            .map_err(|e| ApiError::bad_request(e.bad_request_message(expected_kind, bytes)));
    }
    if !mime.is_empty() && !mime.contains("json") && !mime.contains("yaml") && !mime.contains("yml")
    {
        return Err(ApiError::unsupported_media_type(content_type));
    }
    let is_yaml = mime.ends_with("yaml") || mime.ends_with("yml");
    if is_yaml {
        // YAML becomes JSON the way Go's YAML library writes it: `3.0` is the number 3.
        let mut value = serde_yaml::from_slice::<Value>(bytes).map_err(|e| {
            ApiError::bad_request(format!("error converting YAML to JSON: yaml: {e}"))
        })?;
        fields::integral_floats_as_integers(&mut value, 0);
        Ok(value)
    } else {
        serde_json::from_slice::<Value>(bytes).map_err(|e| {
            ApiError::bad_request(format!("couldn't get version/kind; json parse error: {e}"))
        })
    }
}

pub fn too_large() -> ApiError {
    ApiError::request_entity_too_large(format!(
        "Request entity too large: limit is {MAX_BODY_BYTES}"
    ))
}

/// Decodes the body of a create or update of `rt`: parse, check `apiVersion`/`kind`, validate
/// fields against the schema, prune what the schema does not know (a typed decoder would drop
/// it), and apply defaults.
pub fn decode_object(
    bytes: &[u8],
    content_type: &str,
    rt: &ResourceType,
    validation: FieldValidation,
) -> Result<Decoded, ApiError> {
    let mut object = parse(bytes, content_type, rt.kind)?;
    if !object.is_object() {
        return Err(ApiError::bad_request(format!(
            "couldn't get version/kind; json parse error: json: cannot unmarshal {} into Go value of type struct {{ APIVersion string \"json:\\\"apiVersion,omitempty\\\"\"; Kind string \"json:\\\"kind,omitempty\\\"\" }}",
            json_type(&object)
        )));
    }
    check_kind(&mut object, rt.group, rt.version, rt.kind)?;
    let warnings = validate_fields(
        &mut object,
        bytes,
        content_type,
        rt.kind,
        rt.version,
        (rt.group, rt.version, rt.kind),
        validation,
    )?;
    defaults::apply_defaults(rt.group, rt.kind, &mut object);
    Ok(Decoded { object, warnings })
}

/// The body's apiVersion/kind must name the endpoint's kind; missing ones are filled in.
pub fn check_kind(
    object: &mut Value,
    group: &str,
    version: &str,
    kind: &str,
) -> Result<(), ApiError> {
    let expected_version = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    let api_version = object
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let body_kind = object
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if !api_version.is_empty() && api_version != expected_version {
        let (body_group, _) = split_api_version(&api_version);
        if body_group != group || !body_kind.is_empty() && body_kind != kind {
            return Err(ApiError::bad_request(format!(
                "the API version in the data ({api_version}) does not match the expected API version ({expected_version})"
            )));
        }
    }
    if !body_kind.is_empty() && body_kind != kind {
        return Err(ApiError::bad_request(format!(
            "the kind in the data ({body_kind}) does not match the expected kind ({kind})"
        )));
    }
    object["apiVersion"] = Value::String(expected_version);
    object["kind"] = Value::String(kind.to_string());
    Ok(())
}

/// Field validation of one decoded object against its kind's schema, in one walk: a wrong
/// JSON type (or bad quantity, time) fails whatever the mode; unknown and duplicate fields fail
/// under Strict and become warnings under Warn. Unknown fields are pruned in every mode (they
/// would not survive a typed decode on a real server). `raw` is the JSON the object was parsed
/// from, when there is one: its document order and duplicate keys are what the real decoder
/// reports.
pub fn validate_fields(
    object: &mut Value,
    raw: &[u8],
    content_type: &str,
    kind: &str,
    version: &str,
    gvk: (&str, &str, &str),
    validation: FieldValidation,
) -> Result<Vec<String>, ApiError> {
    let Some((_, schema)) = Schema::get().for_kind(gvk.0, gvk.1, gvk.2) else {
        return Ok(Vec::new());
    };
    let is_json = !raw.is_empty() && (content_type.is_empty() || content_type.contains("json"));
    let report = if is_json {
        fields::decode_report(raw, schema, kind)
            .unwrap_or_else(|_| fields::report_of_value(object, schema, kind))
    } else {
        fields::report_of_value(object, schema, kind)
    };
    if let Some(error) = &report.error {
        return Err(ApiError::bad_request(fields::decode_error_message(
            kind, version, error,
        )));
    }
    if report.strict.is_empty() {
        return Ok(Vec::new());
    }
    if validation == FieldValidation::Strict {
        let strict = fields::strict_message(&report.strict);
        return Err(ApiError::bad_request(fields::decode_error_message(
            kind, version, &strict,
        )));
    }
    if report
        .strict
        .iter()
        .any(|e| matches!(e, fields::StrictError::Unknown(_)))
    {
        fields::prune_unknown_fields(object, schema);
    }
    if validation == FieldValidation::Ignore {
        return Ok(Vec::new());
    }
    Ok(report.strict.iter().map(ToString::to_string).collect())
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}
