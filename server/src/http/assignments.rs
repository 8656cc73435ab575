//! `/api/environments/{id}/connections`: which connections an environment holds.

use super::error::ApiResult;
use super::extract::{Caller, JsonBody, PathId, QueryParams};
use super::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use model::assignment::{
    AssignmentPatch, AssignmentQuery, AssignmentResult, Transfer, TransferResult,
};
use model::connection::ConnectionPage;
use model::error::ApiError;
use model::list::RawListQuery;
use uuid::Uuid;

/// The two ids of a `/{id}/.../{second}` path; an error names the one at fault.
pub(super) fn id_pair(raw: &(String, String), second: &str) -> Result<(Uuid, Uuid), ApiError> {
    let parse = |v: &str, name: &str| {
        Uuid::parse_str(v)
            .map_err(|_| ApiError::parameter(name, format!("'{v}' is not a valid id (a UUID)")))
    };
    Ok((parse(&raw.0, "id")?, parse(&raw.1, second)?))
}

fn ids(raw: &(String, String)) -> Result<(Uuid, Uuid), ApiError> {
    id_pair(raw, "connectionID")
}

/// The environment's connections; with `filter {"assigned": false}`, the organization's
/// connections that are not in it.
#[utoipa::path(get, path = "/api/environments/{id}/connections", tag = "assignments",
    params(("id" = Uuid, Path), RawListQuery),
    responses((status = 200, body = ConnectionPage), (status = 400, body = ApiError), (status = 404, body = ApiError)),
    security(("bearer" = [])))]
pub async fn list(
    State(s): State<AppState>,
    Caller(actor): Caller,
    PathId(id): PathId,
    QueryParams(raw): QueryParams<RawListQuery>,
) -> ApiResult<Json<ConnectionPage>> {
    let q = AssignmentQuery::parse(&raw)?;
    Ok(Json(
        s.service
            .list_environment_connections(&actor, id, &q)
            .await?,
    ))
}

/// Add one connection: 201 when new, 200 when it was already there.
#[utoipa::path(post, path = "/api/environments/{id}/connections/{connectionID}", tag = "assignments",
    params(("id" = Uuid, Path), ("connectionID" = Uuid, Path)),
    responses((status = 201), (status = 200, description = "Already assigned"), (status = 400, body = ApiError), (status = 404, body = ApiError)),
    security(("bearer" = [])))]
pub async fn add(
    State(s): State<AppState>,
    Caller(actor): Caller,
    Path(raw): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let (env, conn) = ids(&raw)?;
    let created = s.service.assign_connection(&actor, env, conn).await?;
    Ok(if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    })
}

/// Remove one connection from the environment; the connection and its credential stay.
#[utoipa::path(delete, path = "/api/environments/{id}/connections/{connectionID}", tag = "assignments",
    params(("id" = Uuid, Path), ("connectionID" = Uuid, Path)),
    responses((status = 204), (status = 400, body = ApiError), (status = 404, body = ApiError)),
    security(("bearer" = [])))]
pub async fn remove(
    State(s): State<AppState>,
    Caller(actor): Caller,
    Path(raw): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let (env, conn) = ids(&raw)?;
    s.service.unassign_connection(&actor, env, conn).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Add and remove many connections in one transaction: all or nothing. An unknown id fails the
/// whole batch, named in `field` (e.g. `add[3]`).
#[utoipa::path(patch, path = "/api/environments/{id}/connections", tag = "assignments",
    params(("id" = Uuid, Path)), request_body = AssignmentPatch,
    responses((status = 200, body = AssignmentResult), (status = 400, body = ApiError), (status = 404, body = ApiError)),
    security(("bearer" = [])))]
pub async fn patch(
    State(s): State<AppState>,
    Caller(actor): Caller,
    PathId(id): PathId,
    JsonBody(patch): JsonBody<AssignmentPatch>,
) -> ApiResult<Json<AssignmentResult>> {
    Ok(Json(
        s.service
            .patch_environment_connections(&actor, id, &patch)
            .await?,
    ))
}

/// Move connections from this environment to another, atomically.
#[utoipa::path(post, path = "/api/environments/{id}/connections/transfer", tag = "assignments",
    params(("id" = Uuid, Path)), request_body = Transfer,
    responses((status = 200, body = TransferResult), (status = 400, body = ApiError), (status = 404, body = ApiError)),
    security(("bearer" = [])))]
pub async fn transfer(
    State(s): State<AppState>,
    Caller(actor): Caller,
    PathId(id): PathId,
    JsonBody(t): JsonBody<Transfer>,
) -> ApiResult<Json<TransferResult>> {
    Ok(Json(s.service.transfer_connections(&actor, id, &t).await?))
}
