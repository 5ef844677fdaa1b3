//! Non-resource paths: health checks, `/version`, discovery and OpenAPI.

use crate::api::status::ApiError;
use crate::apiserver::request::{ApiResponse, Body};
use crate::apiserver::{Ctx, discovery, negotiation, openapi};
use bytes::Bytes;

pub fn serve(ctx: &Ctx<'_>) -> Result<ApiResponse, ApiError> {
    if ctx.req.method != http::Method::GET && ctx.req.method != http::Method::HEAD {
        return Err(ApiError::new(
            405,
            "MethodNotAllowed",
            "the server does not allow this method on the requested resource",
        ));
    }
    let path = ctx.info.path.trim_end_matches('/');
    let parts: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let accept = ctx.req.accept.as_str();
    match parts.as_slice() {
        ["healthz" | "livez" | "readyz", ..] => Ok(text(200, "ok")),
        ["version"] => Ok(ApiResponse::json(200, &discovery::version())),
        ["api"] if negotiation::wants_aggregated_discovery(accept) => {
            Ok(aggregated(discovery::aggregated(true)))
        }
        ["api"] => Ok(ApiResponse::json(
            200,
            &discovery::api_versions(&ctx.server.address()),
        )),
        ["apis"] if negotiation::wants_aggregated_discovery(accept) => {
            Ok(aggregated(discovery::aggregated(false)))
        }
        ["apis"] => Ok(ApiResponse::json(200, &discovery::api_group_list())),
        ["apis", group] => discovery::api_group(group)
            .map(|g| ApiResponse::json(200, &g))
            .ok_or_else(ApiError::path_not_found),
        ["api", version] => json_or_404(discovery::api_resource_list("", version)),
        ["apis", group, version] => json_or_404(discovery::api_resource_list(group, version)),
        ["openapi", "v3"] => Ok(ApiResponse::json(200, &openapi::v3_root())),
        ["openapi", "v3", rest @ ..] => {
            let (bytes, _hash) =
                openapi::v3_document_bytes(&rest.join("/")).ok_or_else(ApiError::path_not_found)?;
            Ok(ApiResponse::Full {
                status: 200,
                content_type: "application/json",
                body: Body::Bytes(Bytes::from_static(bytes)),
                warnings: Vec::new(),
            })
        }
        [] => Ok(ApiResponse::json(
            200,
            &serde_json::json!({"paths": ["/api", "/api/v1", "/apis", "/healthz", "/livez", "/openapi/v3", "/readyz", "/version"]}),
        )),
        _ => Err(ApiError::path_not_found()),
    }
}

fn json_or_404(value: Option<serde_json::Value>) -> Result<ApiResponse, ApiError> {
    value
        .map(|v| ApiResponse::json(200, &v))
        .ok_or_else(ApiError::path_not_found)
}

fn aggregated(value: serde_json::Value) -> ApiResponse {
    ApiResponse::Full {
        status: 200,
        content_type: negotiation::AGGREGATED_DISCOVERY,
        body: Body::Bytes(Bytes::from(serde_json::to_vec(&value).unwrap_or_default())),
        warnings: Vec::new(),
    }
}

fn text(status: u16, body: &'static str) -> ApiResponse {
    ApiResponse::Full {
        status,
        content_type: "text/plain; charset=utf-8",
        body: Body::Bytes(Bytes::from_static(body.as_bytes())),
        warnings: Vec::new(),
    }
}
