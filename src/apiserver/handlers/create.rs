//! `create` (POST): decode the body with field validation and defaults, then the write
//! pipeline. Replies 201 with the stored object.

use super::write::WriteOptions;
use super::{dry_run, field_manager, output, write};
use crate::api::kinds::ResourceType;
use crate::api::status::ApiError;
use crate::apiserver::Ctx;
use crate::apiserver::body::{self, FieldValidation};
use crate::apiserver::request::ApiResponse;

pub async fn create(ctx: &Ctx<'_>, rt: &'static ResourceType) -> Result<ApiResponse, ApiError> {
    let validation = FieldValidation::from_query(ctx.req.query("fieldValidation"))?;
    let options = WriteOptions {
        dry_run: dry_run(ctx)?,
        manager: field_manager(ctx)?,
        applied: false,
    };
    let decoded = body::decode_object(&ctx.req.body, &ctx.req.content_type, rt, validation)?;
    let stored = write::create(ctx, rt, decoded.object, &options).await?;
    Ok(output::object(ctx, rt, 201, stored).with_warnings(decoded.warnings))
}
