//! The transport-neutral request and response of the pipeline. An HTTPS request from kubectl
//! and an in-process call from a controller are both turned into an `ApiRequest`, and both get
//! an `ApiResponse` back: the transport is a thin shell around the one pipeline.

use crate::apiserver::authn::UserInfo;
use bytes::Bytes;
use std::borrow::Cow;
use std::collections::BTreeMap;
use tokio::sync::mpsc;

/// Who the caller says it is, before authentication.
#[derive(Debug, Clone, Default)]
pub enum Credentials {
    /// Nothing presented: anonymous.
    #[default]
    None,
    /// A TLS client certificate chain (DER, leaf first) and/or an `Authorization: Bearer` token.
    Presented {
        certificates: Vec<Vec<u8>>,
        bearer: Option<String>,
    },
    /// An in-process component: already known to the process, as a kubelet's or the
    /// scheduler's client certificate would be.
    InProcess(UserInfo),
}

#[derive(Debug, Clone)]
pub struct ApiRequest {
    pub method: http::Method,
    pub path: String,
    pub query: BTreeMap<String, String>,
    pub accept: String,
    pub content_type: String,
    pub user_agent: String,
    pub body: Bytes,
    pub credentials: Credentials,
    /// `Impersonate-User` / `Impersonate-Group` / `Impersonate-Uid` (`kubectl --as`).
    pub impersonate: Option<Impersonation>,
}

/// Whom the caller asks to act as.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Impersonation {
    pub user: Option<String>,
    pub uid: Option<String>,
    pub groups: Vec<String>,
}

impl ApiRequest {
    pub fn new(method: http::Method, path_and_query: &str) -> ApiRequest {
        let (path, query) = match path_and_query.split_once('?') {
            Some((p, q)) => (p, parse_query(q)),
            None => (path_and_query, BTreeMap::new()),
        };
        ApiRequest {
            method,
            path: path.to_string(),
            query,
            accept: String::new(),
            content_type: String::new(),
            user_agent: String::new(),
            body: Bytes::new(),
            credentials: Credentials::None,
            impersonate: None,
        }
    }

    pub fn query(&self, key: &str) -> Option<&str> {
        self.query.get(key).map(String::as_str)
    }

    /// The client, as the flow names it: `kubectl` for kubectl's User-Agent.
    pub fn client_name(&self) -> String {
        let agent = self.user_agent.split('/').next().unwrap_or("");
        if agent.starts_with("kubectl") {
            "kubectl".to_string()
        } else if let Credentials::InProcess(user) = &self.credentials {
            // podflow's components name themselves at the end of their User-Agent
            // (`kube-controller-manager/v1.32.4 (linux/amd64) kubernetes/podflow/replicaset-controller`).
            match self.user_agent.rsplit_once("kubernetes/podflow/") {
                Some((_, component)) if !component.is_empty() => component.to_string(),
                _ => user.component_name(),
            }
        } else if agent.is_empty() {
            "client".to_string()
        } else {
            agent.to_string()
        }
    }
}

/// Decodes a query string (`a=b&c=d%2Fe`). Repeated keys keep the last value.
pub fn parse_query(query: &str) -> BTreeMap<String, String> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) => (percent_decode(k), percent_decode(v)),
            None => (percent_decode(pair), String::new()),
        })
        .collect()
}

pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// What the pipeline answers.
pub enum ApiResponse {
    /// A whole body.
    Full {
        status: u16,
        content_type: &'static str,
        body: Body,
        warnings: Vec<String>,
    },
    /// A streamed body (watch, `logs -f`): chunks until the sender drops.
    Stream {
        status: u16,
        content_type: &'static str,
        chunks: mpsc::Receiver<Chunk>,
    },
}

/// One piece of a streamed body.
pub enum Chunk {
    Bytes(Bytes),
    /// A watch event: on the wire one JSON line, `{"type":…,"object":…}`; an in-process
    /// client takes the object as it is (as with [`Body::Json`]).
    Event {
        kind: &'static str,
        object: std::sync::Arc<serde_json::Value>,
    },
}

#[derive(serde::Serialize)]
struct WireEvent<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    object: &'a serde_json::Value,
}

impl Chunk {
    /// A watch event, kept as a value (see [`ApiResponse::json_value`]).
    pub fn event(kind: &'static str, object: std::sync::Arc<serde_json::Value>) -> Chunk {
        Chunk::Event { kind, object }
    }

    /// The bytes sent on the wire.
    pub fn into_bytes(self) -> Bytes {
        match self {
            Chunk::Bytes(bytes) => bytes,
            Chunk::Event { kind, object } => {
                let mut line = serde_json::to_vec(&WireEvent {
                    kind,
                    object: &object,
                })
                .unwrap_or_default();
                line.push(b'\n');
                Bytes::from(line)
            }
        }
    }
}

/// The content of a whole body.
pub enum Body {
    Bytes(Bytes),
    /// A JSON value serialized only when the response leaves the process: an in-process
    /// client takes the value as it is (see [`ApiResponse::json_value`]).
    Json(serde_json::Value),
}

impl Body {
    /// The bytes sent on the wire.
    pub fn to_bytes(&self) -> Cow<'_, [u8]> {
        match self {
            Body::Bytes(bytes) => Cow::Borrowed(bytes),
            Body::Json(value) => Cow::Owned(serde_json::to_vec(value).unwrap_or_default()),
        }
    }

    pub fn into_bytes(self) -> Bytes {
        match self {
            Body::Bytes(bytes) => bytes,
            Body::Json(value) => Bytes::from(serde_json::to_vec(&value).unwrap_or_default()),
        }
    }

    /// The body as JSON (`Null` when it is not JSON).
    pub fn into_value(self) -> serde_json::Value {
        match self {
            Body::Bytes(bytes) => serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
            Body::Json(value) => value,
        }
    }
}

impl ApiResponse {
    pub fn json(status: u16, value: &serde_json::Value) -> ApiResponse {
        ApiResponse::Full {
            status,
            content_type: "application/json",
            body: Body::Bytes(Bytes::from(serde_json::to_vec(value).unwrap_or_default())),
            warnings: Vec::new(),
        }
    }

    /// [`ApiResponse::json`] of a value the response keeps, unserialized until it leaves the
    /// process, so an in-process client gets the value without a serialize-and-parse round
    /// trip. Every value reads back from serde_json's output exactly (floats too: the crate
    /// parses with `float_roundtrip`), so the client sees what a remote one would.
    pub fn json_value(status: u16, value: serde_json::Value) -> ApiResponse {
        ApiResponse::Full {
            status,
            content_type: "application/json",
            body: Body::Json(value),
            warnings: Vec::new(),
        }
    }

    /// The body as a JSON value (`Null` when it is not JSON).
    pub fn into_value(self) -> serde_json::Value {
        match self {
            ApiResponse::Full { body, .. } => body.into_value(),
            ApiResponse::Stream { .. } => serde_json::Value::Null,
        }
    }

    pub fn status(&self) -> u16 {
        match self {
            ApiResponse::Full { status, .. } | ApiResponse::Stream { status, .. } => *status,
        }
    }

    /// The body of a full response (empty for streams).
    pub fn body(&self) -> Cow<'_, [u8]> {
        match self {
            ApiResponse::Full { body, .. } => body.to_bytes(),
            ApiResponse::Stream { .. } => Cow::Borrowed(&[]),
        }
    }

    pub fn with_warnings(mut self, extra: Vec<String>) -> ApiResponse {
        if let ApiResponse::Full { warnings, .. } = &mut self {
            warnings.extend(extra);
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_values_are_what_the_body_parses_to() {
        for value in [
            serde_json::json!({"a": [1, -2, u64::MAX, "x\u{1}\"é", null, true], "b": {}}),
            serde_json::json!({"f": 0.1, "g": [1e-7, 2.2250738585072014e-308, 1.7976931348623157e308]}),
            serde_json::json!("text"),
        ] {
            let response = ApiResponse::json_value(201, value.clone());
            let parsed: serde_json::Value =
                serde_json::from_slice(&response.body()).expect("JSON body");
            assert_eq!(parsed, value);
            assert_eq!(*response.body(), serde_json::to_vec(&value).expect("JSON"));
            let kept = matches!(
                &response,
                ApiResponse::Full {
                    body: Body::Json(_),
                    ..
                }
            );
            assert!(kept);
            assert_eq!(response.into_value(), value);
        }
    }

    #[test]
    fn floats_read_back_exactly() {
        let mut bits: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..20_000 {
            bits ^= bits << 13;
            bits ^= bits >> 7;
            bits ^= bits << 17;
            let f = f64::from_bits(bits);
            if !f.is_finite() {
                continue;
            }
            let text = serde_json::to_string(&f).expect("finite");
            let back: f64 = serde_json::from_str(&text).expect("a number");
            assert_eq!(back.to_bits(), f.to_bits(), "{text}");
        }
    }

    #[test]
    fn query_is_decoded() {
        let q = parse_query("labelSelector=app%3Dweb%2Ctier+in+%28a%29&watch=1&x");
        assert_eq!(q["labelSelector"], "app=web,tier in (a)");
        assert_eq!(q["watch"], "1");
        assert_eq!(q["x"], "");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }
}
