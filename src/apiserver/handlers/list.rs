//! `list`: a consistent page of objects. `limit`/`continue` paginate at one revision (the
//! continue token carries it, as kube-apiserver's does), `resourceVersion` and
//! `resourceVersionMatch` choose the revision, and the selectors filter.

use super::output;
use super::selection::Selection;
use crate::api::kinds::ResourceType;
use crate::api::status::ApiError;
use crate::apiserver::Ctx;
use crate::apiserver::request::ApiResponse;
use crate::flow::{Hop, HopKind};
use base64::Engine;
use serde_json::{Value, json};

const TOO_OLD_CONTINUE: &str = "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.";

pub async fn list(ctx: &Ctx<'_>, rt: &'static ResourceType) -> Result<ApiResponse, ApiError> {
    let selection = Selection::from_query(ctx, rt)?;
    let prefix = rt.prefix(ctx.info.namespace.as_deref());
    let limit = ctx
        .req
        .query("limit")
        .and_then(|l| l.parse::<i64>().ok())
        .unwrap_or(0)
        .max(0) as usize;
    let current = ctx.server.objects().backend().revision();

    let (revision, start_key) = match ctx.req.query("continue").filter(|c| !c.is_empty()) {
        Some(token) => {
            let (rv, start) = decode_continue(token)?;
            (rv, Some(format!("{prefix}{start}")))
        }
        None => (requested_revision(ctx, current)?, None),
    };

    let page = ctx
        .server
        .objects()
        .list(&prefix, revision, start_key, limit, &|o| {
            selection.matches(o)
        });
    let page = match page {
        Err(e) if e.code == 410 && ctx.req.query("continue").is_some() => {
            return Err(ApiError::expired(TOO_OLD_CONTINUE));
        }
        other => other?,
    };
    let next = page
        .next_key
        .as_ref()
        .map(|key| encode_continue(page.revision, key.strip_prefix(&prefix).unwrap_or(key)));
    ctx.server
        .flow()
        .pass(
            Hop::new(
                "apiserver",
                "etcd",
                HopKind::Read,
                format!("range {prefix} → {} {}", page.items.len(), rt.plural),
            )
            .rev(page.revision),
        )
        .await;
    Ok(output::list(
        ctx,
        rt,
        page.items,
        page.revision,
        next,
        page.remaining,
    ))
}

/// The revision a list without `continue` reads at.
fn requested_revision(ctx: &Ctx<'_>, current: i64) -> Result<i64, ApiError> {
    let rv = match ctx.req.query("resourceVersion").filter(|s| !s.is_empty()) {
        None => return Ok(0),
        Some(rv) => rv,
    };
    let requested: i64 = rv.parse().map_err(|_| {
        ApiError::bad_request(format!(
            "Invalid value: \"{rv}\": resourceVersion: Invalid value"
        ))
    })?;
    if requested == 0 {
        return Ok(0);
    }
    if requested > current {
        return Err(ApiError::timeout(format!("Too large resource version: {requested}, current: {current}"))
            .with_details(json!({"causes": [{"reason": "ResourceVersionTooLarge", "message": "Too large resource version"}], "retryAfterSeconds": 1})));
    }
    match ctx.req.query("resourceVersionMatch") {
        Some("Exact") => Ok(requested),
        _ => Ok(0),
    }
}

/// The continue token: base64url of `{"v":"meta.k8s.io/v1","rv":N,"start":"<key past the prefix>"}`.
pub fn encode_continue(revision: i64, start: &str) -> String {
    let token = json!({"v": "meta.k8s.io/v1", "rv": revision, "start": start});
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(token.to_string())
}

fn decode_continue(token: &str) -> Result<(i64, String), ApiError> {
    let invalid = |why: &str| ApiError::bad_request(format!("continue key is not valid: {why}"));
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token.trim_end_matches('='))
        .map_err(|_| invalid("illegal base64 data"))?;
    let value: Value = serde_json::from_slice(&bytes)
        .map_err(|_| invalid("incorrect encoded start resourceVersion (version meta.k8s.io/v1)"))?;
    if value.get("v").and_then(Value::as_str) != Some("meta.k8s.io/v1") {
        return Err(invalid("server does not recognize this encoded key"));
    }
    let rv = value
        .get("rv")
        .and_then(Value::as_i64)
        .filter(|rv| *rv > 0)
        .ok_or_else(|| {
            invalid("incorrect encoded start resourceVersion (version meta.k8s.io/v1)")
        })?;
    let start = value.get("start").and_then(Value::as_str).unwrap_or("");
    if start.is_empty() || start.contains("..") {
        return Err(invalid("path traversal attempt"));
    }
    Ok((rv, start.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continue_tokens_round_trip_and_reject_garbage() {
        let token = encode_continue(42, "default/web\u{0}");
        assert_eq!(
            decode_continue(&token).unwrap(),
            (42, "default/web\u{0}".to_string())
        );
        assert!(decode_continue("!!!").is_err());
        let traversal = encode_continue(4, "../secrets");
        assert!(decode_continue(&traversal).is_err());
    }
}
