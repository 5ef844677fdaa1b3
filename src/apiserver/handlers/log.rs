//! `pods/log` (GET): a container's output, as `kubectl logs` reads it. The apiserver checks
//! the pod and container and asks the pod's node for the log. A pod on no node has an empty
//! log; a container that has not started gets kube-apiserver's 400.

use super::name_of;
use crate::api::kinds::ResourceType;
use crate::api::status::ApiError;
use crate::apiserver::Ctx;
use crate::apiserver::request::{ApiResponse, Chunk};
use serde_json::Value;

pub fn get(ctx: &Ctx<'_>, rt: &'static ResourceType) -> Result<ApiResponse, ApiError> {
    let name = name_of(ctx)?;
    let pod = ctx
        .server
        .objects()
        .get_existing(rt, ctx.info.namespace.as_deref(), name)?;
    let containers: Vec<String> = pod
        .pointer("/spec/containers")
        .and_then(Value::as_array)
        .map(|cs| {
            cs.iter()
                .filter_map(|c| c.get("name").and_then(Value::as_str).map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let container = match ctx.req.query("container").filter(|c| !c.is_empty()) {
        Some(c) if containers.iter().any(|name| name == c) => c.to_string(),
        Some(c) => {
            return Err(ApiError::bad_request(format!(
                "container {c} is not valid for pod {name}"
            )));
        }
        None if containers.len() == 1 => containers[0].clone(),
        None => {
            return Err(ApiError::bad_request(format!(
                "a container name must be specified for pod {name}, choose one of: [{}]",
                containers.join(" ")
            )));
        }
    };
    // Not on a node yet: there is no kubelet to ask, and kube-apiserver answers with an empty
    // log (its LocationStreamer's "null reader").
    if pod
        .pointer("/spec/nodeName")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        return Ok(ApiResponse::Full {
            status: 200,
            content_type: "text/plain",
            body: crate::apiserver::request::Body::Bytes(bytes::Bytes::new()),
            warnings: Vec::new(),
        });
    }
    let status = pod
        .pointer("/status/containerStatuses")
        .and_then(Value::as_array)
        .and_then(|statuses| {
            statuses
                .iter()
                .find(|s| s.get("name").and_then(Value::as_str) == Some(container.as_str()))
        });
    let waiting = status
        .and_then(|s| s.pointer("/state/waiting/reason"))
        .and_then(Value::as_str)
        .unwrap_or("ContainerCreating");
    let started = status.is_some_and(|s| {
        s.pointer("/state/running").is_some() || s.pointer("/state/terminated").is_some()
    });
    if !started {
        return Err(ApiError::bad_request(format!(
            "container \"{container}\" in pod \"{name}\" is waiting to start: {waiting}"
        )));
    }
    let node = pod
        .pointer("/spec/nodeName")
        .and_then(Value::as_str)
        .unwrap_or("");
    let uid = pod
        .pointer("/metadata/uid")
        .and_then(Value::as_str)
        .unwrap_or("");
    let previous = ctx.req.query("previous") == Some("true");
    let Some(kubelet) = ctx.server.kubelet(node) else {
        return Err(ApiError::service_unavailable(format!(
            "the kubelet on node {node} for pod {name} is not reachable"
        )));
    };
    let Some(lines) = kubelet.container_log(uid, &container, previous) else {
        return Err(ApiError::bad_request(if previous {
            format!("previous terminated container \"{container}\" in pod \"{name}\" not found")
        } else {
            format!("container \"{container}\" in pod \"{name}\" is not available")
        }));
    };
    let now = ctx.server.clock().now_ms();
    let since_ms = ctx
        .req
        .query("sinceSeconds")
        .and_then(|s| s.parse::<i64>().ok())
        .map(|s| now - s * 1000);
    let total = lines.len();
    let mut lines: Vec<&crate::apiserver::LogEntry> = lines
        .iter()
        .filter(|l| since_ms.is_none_or(|since| l.time_ms >= since))
        .collect();
    if let Some(tail) = ctx
        .req
        .query("tailLines")
        .and_then(|t| t.parse::<usize>().ok())
    {
        let skip = lines.len().saturating_sub(tail);
        lines.drain(..skip);
    }
    let timestamps = ctx.req.query("timestamps") == Some("true");
    let body = render(lines.iter().copied(), timestamps);
    if ctx.req.query("follow") == Some("true") && !previous {
        return Ok(follow(
            ctx, kubelet, uid, &container, body, timestamps, total,
        ));
    }
    Ok(ApiResponse::Full {
        status: 200,
        content_type: "text/plain",
        body: crate::apiserver::request::Body::Bytes(bytes::Bytes::from(body)),
        warnings: Vec::new(),
    })
}

/// Log lines as the kubelet writes them: one a line, optionally stamped.
fn render<'a>(
    lines: impl Iterator<Item = &'a crate::apiserver::LogEntry>,
    timestamps: bool,
) -> String {
    let mut body = String::new();
    for line in lines {
        if timestamps {
            body.push_str(&crate::api::time::format_rfc3339_nano(line.time_ms));
            body.push(' ');
        }
        body.push_str(&line.text);
        body.push('\n');
    }
    body
}

/// `kubectl logs -f`: what there is now, then each new line as the container writes it (the
/// kubelet is asked again every sim second), until the client hangs up or the container goes.
fn follow(
    ctx: &Ctx<'_>,
    kubelet: std::sync::Arc<dyn crate::apiserver::KubeletConnection>,
    uid: &str,
    container: &str,
    first: String,
    timestamps: bool,
    seen: usize,
) -> ApiResponse {
    let (tx, rx) = tokio::sync::mpsc::channel(16);
    let clock = ctx.server.clock().clone();
    let (uid, container) = (uid.to_string(), container.to_string());
    tokio::spawn(async move {
        if tx
            .send(Chunk::Bytes(bytes::Bytes::from(first)))
            .await
            .is_err()
        {
            return;
        }
        let mut seen = seen;
        loop {
            clock.sleep(std::time::Duration::from_secs(1)).await;
            let Some(lines) = kubelet.container_log(&uid, &container, false) else {
                return;
            };
            if lines.len() > seen {
                let body = render(lines[seen..].iter(), timestamps);
                seen = lines.len();
                if tx
                    .send(Chunk::Bytes(bytes::Bytes::from(body)))
                    .await
                    .is_err()
                {
                    return;
                }
            } else if tx.is_closed() {
                return;
            }
        }
    });
    ApiResponse::Stream {
        status: 200,
        content_type: "text/plain",
        chunks: rx,
    }
}
