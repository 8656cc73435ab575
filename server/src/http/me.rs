//! `/api/me`: who the credentials belong to, and their sessions.

use super::error::ApiResult;
use super::extract::Caller;
use super::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use model::error::ApiError;
use model::user::{Me, SessionInfo};

/// The caller, with their organizations.
#[utoipa::path(
    get, path = "/api/me", tag = "identity",
    responses((status = 200, body = Me), (status = 401, body = ApiError)),
    security(("bearer" = []))
)]
pub async fn me(Caller(actor): Caller) -> ApiResult<Json<Me>> {
    Ok(Json(actor.user))
}

/// The caller's signed-in sessions (the one this request used, if any, is `current`).
#[utoipa::path(
    get, path = "/api/me/sessions", tag = "identity",
    responses((status = 200, body = Vec<SessionInfo>), (status = 401, body = ApiError)),
    security(("bearer" = []))
)]
pub async fn sessions(
    State(state): State<AppState>,
    Caller(actor): Caller,
) -> ApiResult<Json<Vec<SessionInfo>>> {
    Ok(Json(state.service.list_sessions(&actor).await?))
}

/// Signs one of the caller's sessions out.
#[utoipa::path(
    delete, path = "/api/me/sessions/{id}", tag = "identity",
    params(("id" = String, Path, description = "The session's id, from the list")),
    responses((status = 204), (status = 401, body = ApiError), (status = 404, body = ApiError)),
    security(("bearer" = []))
)]
pub async fn end_session(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state.service.end_session(&actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Signs the caller out everywhere: every session ends (API tokens keep working; revoke them
/// in Settings).
#[utoipa::path(
    delete, path = "/api/me/sessions", tag = "identity",
    responses((status = 204), (status = 401, body = ApiError)),
    security(("bearer" = []))
)]
pub async fn end_all_sessions(
    State(state): State<AppState>,
    Caller(actor): Caller,
) -> ApiResult<StatusCode> {
    state.service.end_all_sessions(&actor).await?;
    Ok(StatusCode::NO_CONTENT)
}
