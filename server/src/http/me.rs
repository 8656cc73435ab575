//! `/api/me`: who the credentials belong to.

use super::error::ApiResult;
use super::extract::Caller;
use app::error::ApiError;
use app::model::user::Me;
use axum::Json;

/// The caller, with their organizations.
#[utoipa::path(
    get, path = "/api/me", tag = "identity",
    responses((status = 200, body = Me), (status = 401, body = ApiError)),
    security(("bearer" = []))
)]
pub async fn me(Caller(actor): Caller) -> ApiResult<Json<Me>> {
    Ok(Json(actor.user))
}
