//! The access reviews of `authorization.k8s.io/v1` (what `kubectl auth can-i` posts):
//! SelfSubjectAccessReview, SelfSubjectRulesReview, SubjectAccessReview and
//! LocalSubjectAccessReview. Nothing is stored; the reply is the request with its `status`
//! filled in by the authorizer.

use crate::api::kinds::ResourceType;
use crate::api::status::ApiError;
use crate::apiserver::Ctx;
use crate::apiserver::request::ApiResponse;

pub async fn create(ctx: &Ctx<'_>, rt: &'static ResourceType) -> Result<ApiResponse, ApiError> {
    Err(ApiError::method_not_supported(
        rt.group,
        rt.plural,
        &ctx.info.verb,
    ))
}
