//! `/api/workspaces`: thin handlers over the service layer.

use super::assignments::id_pair;
use super::error::ApiResult;
use super::extract::{Caller, JsonBody, PathId, QueryParams};
use super::AppState;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use model::assignment::AssignmentPatch;
use model::connection::{ConnectionPage, ConnectionQuery};
use model::environment::EnvironmentPage;
use model::error::ApiError;
use model::list::RawListQuery;
use model::workspace::{
    parse_workspace_member_query, parse_workspace_query, MemberPage, NewMember, NewWorkspace,
    RoleUpdate, Workspace, WorkspaceAssignmentResult, WorkspaceEnvironmentQuery, WorkspaceMember,
    WorkspacePage, WorkspaceUpdate,
};

/// The workspaces of an organization: all of them for its admins, else the caller's own.
#[utoipa::path(get, path = "/api/workspaces", tag = "workspaces", params(RawListQuery),
    responses((status = 200, body = WorkspacePage), (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 404, body = ApiError)),
    security(("bearer" = [])))]
pub async fn list(
    State(s): State<AppState>,
    Caller(actor): Caller,
    QueryParams(raw): QueryParams<RawListQuery>,
) -> ApiResult<Json<WorkspacePage>> {
    let q = parse_workspace_query(&raw)?;
    Ok(Json(s.service.list_workspaces(&actor, &q).await?))
}

/// Create a workspace (organization admins).
#[utoipa::path(post, path = "/api/workspaces", tag = "workspaces", request_body = NewWorkspace,
    responses((status = 201, body = Workspace), (status = 400, body = ApiError), (status = 403, body = ApiError), (status = 409, body = ApiError)),
    security(("bearer" = [])))]
pub async fn create(
    State(s): State<AppState>,
    Caller(actor): Caller,
    JsonBody(input): JsonBody<NewWorkspace>,
) -> ApiResult<impl IntoResponse> {
    let ws = s.service.create_workspace(&actor, &input).await?;
    let location = format!("/api/workspaces/{}", ws.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(ws),
    ))
}

#[utoipa::path(get, path = "/api/workspaces/{id}", tag = "workspaces", params(("id" = Uuid, Path)),
    responses((status = 200, body = Workspace), (status = 404, body = ApiError)),
    security(("bearer" = [])))]
pub async fn get(
    State(s): State<AppState>,
    Caller(actor): Caller,
    PathId(id): PathId,
) -> ApiResult<Json<Workspace>> {
    Ok(Json(s.service.get_workspace(&actor, id).await?))
}

/// Rename or describe a workspace (organization admins and the workspace's admins).
#[utoipa::path(put, path = "/api/workspaces/{id}", tag = "workspaces", params(("id" = Uuid, Path)),
    request_body = WorkspaceUpdate,
    responses((status = 200, body = Workspace), (status = 400, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 409, body = ApiError)),
    security(("bearer" = [])))]
pub async fn update(
    State(s): State<AppState>,
    Caller(actor): Caller,
    PathId(id): PathId,
    JsonBody(input): JsonBody<WorkspaceUpdate>,
) -> ApiResult<Json<Workspace>> {
    Ok(Json(s.service.update_workspace(&actor, id, &input).await?))
}

/// Delete a workspace; its environments and members' accounts stay.
#[utoipa::path(delete, path = "/api/workspaces/{id}", tag = "workspaces", params(("id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = ApiError), (status = 404, body = ApiError)),
    security(("bearer" = [])))]
pub async fn delete(
    State(s): State<AppState>,
    Caller(actor): Caller,
    PathId(id): PathId,
) -> Result<StatusCode, ApiError> {
    s.service.delete_workspace(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The workspace's environments; with `filter {"assigned": false}` (organization admins) the
/// organization's environments not in it.
#[utoipa::path(get, path = "/api/workspaces/{id}/environments", tag = "workspaces",
    params(("id" = Uuid, Path), RawListQuery),
    responses((status = 200, body = EnvironmentPage), (status = 400, body = ApiError), (status = 404, body = ApiError)),
    security(("bearer" = [])))]
pub async fn environments(
    State(s): State<AppState>,
    Caller(actor): Caller,
    PathId(id): PathId,
    QueryParams(raw): QueryParams<RawListQuery>,
) -> ApiResult<Json<EnvironmentPage>> {
    let q = WorkspaceEnvironmentQuery::parse(&raw)?;
    Ok(Json(
        s.service
            .list_workspace_environments(&actor, id, &q)
            .await?,
    ))
}

/// Assign one environment: 201 when new, 200 when it was already assigned.
#[utoipa::path(post, path = "/api/workspaces/{id}/environments/{environmentID}", tag = "workspaces",
    params(("id" = Uuid, Path), ("environmentID" = Uuid, Path)),
    responses((status = 201), (status = 200), (status = 403, body = ApiError), (status = 404, body = ApiError)),
    security(("bearer" = [])))]
pub async fn add_environment(
    State(s): State<AppState>,
    Caller(actor): Caller,
    Path(raw): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let (ws, env) = id_pair(&raw, "environmentID")?;
    let created = s.service.assign_environment(&actor, ws, env).await?;
    Ok(if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    })
}

/// Remove one environment from the workspace (idempotent).
#[utoipa::path(delete, path = "/api/workspaces/{id}/environments/{environmentID}", tag = "workspaces",
    params(("id" = Uuid, Path), ("environmentID" = Uuid, Path)),
    responses((status = 204), (status = 403, body = ApiError), (status = 404, body = ApiError)),
    security(("bearer" = [])))]
pub async fn remove_environment(
    State(s): State<AppState>,
    Caller(actor): Caller,
    Path(raw): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let (ws, env) = id_pair(&raw, "environmentID")?;
    s.service.unassign_environment(&actor, ws, env).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Add and remove environments in one transaction: all or nothing.
#[utoipa::path(patch, path = "/api/workspaces/{id}/environments", tag = "workspaces",
    params(("id" = Uuid, Path)), request_body = AssignmentPatch,
    responses((status = 200, body = WorkspaceAssignmentResult), (status = 400, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError)),
    security(("bearer" = [])))]
pub async fn patch_environments(
    State(s): State<AppState>,
    Caller(actor): Caller,
    PathId(id): PathId,
    JsonBody(patch): JsonBody<AssignmentPatch>,
) -> ApiResult<Json<WorkspaceAssignmentResult>> {
    Ok(Json(
        s.service
            .patch_workspace_environments(&actor, id, &patch)
            .await?,
    ))
}

/// The workspace's effective connections: the distinct connections of its environments, each
/// listing the workspace's environments that bring it. Filters as `GET /api/connections`.
#[utoipa::path(get, path = "/api/workspaces/{id}/connections", tag = "workspaces",
    params(("id" = Uuid, Path), RawListQuery),
    responses((status = 200, body = ConnectionPage), (status = 400, body = ApiError), (status = 404, body = ApiError)),
    security(("bearer" = [])))]
pub async fn connections(
    State(s): State<AppState>,
    Caller(actor): Caller,
    PathId(id): PathId,
    QueryParams(raw): QueryParams<RawListQuery>,
) -> ApiResult<Json<ConnectionPage>> {
    let q = ConnectionQuery::parse(&raw)?;
    Ok(Json(
        s.service.list_workspace_connections(&actor, id, &q).await?,
    ))
}

/// The workspace's own members (not those who come through a team), paged; `search` matches a
/// name or an email.
#[utoipa::path(get, path = "/api/workspaces/{id}/members", tag = "workspaces",
    params(("id" = Uuid, Path), RawListQuery),
    responses((status = 200, body = MemberPage), (status = 400, body = ApiError), (status = 404, body = ApiError)),
    security(("bearer" = [])))]
pub async fn members(
    State(s): State<AppState>,
    Caller(actor): Caller,
    PathId(id): PathId,
    QueryParams(raw): QueryParams<RawListQuery>,
) -> ApiResult<Json<MemberPage>> {
    let q = parse_workspace_member_query(&raw)?;
    Ok(Json(s.service.list_members(&actor, id, &q).await?))
}

/// Add a member of the organization to the workspace (or change their role if they are in it).
#[utoipa::path(post, path = "/api/workspaces/{id}/members", tag = "workspaces",
    params(("id" = Uuid, Path)), request_body = NewMember,
    responses((status = 201, body = WorkspaceMember), (status = 400, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError)),
    security(("bearer" = [])))]
pub async fn add_member(
    State(s): State<AppState>,
    Caller(actor): Caller,
    PathId(id): PathId,
    JsonBody(input): JsonBody<NewMember>,
) -> ApiResult<impl IntoResponse> {
    let m = s.service.add_member(&actor, id, &input).await?;
    Ok((StatusCode::CREATED, Json(m)))
}

#[utoipa::path(put, path = "/api/workspaces/{id}/members/{userID}", tag = "workspaces",
    params(("id" = Uuid, Path), ("userID" = Uuid, Path)), request_body = RoleUpdate,
    responses((status = 200, body = WorkspaceMember), (status = 400, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError)),
    security(("bearer" = [])))]
pub async fn update_member(
    State(s): State<AppState>,
    Caller(actor): Caller,
    Path(raw): Path<(String, String)>,
    JsonBody(input): JsonBody<RoleUpdate>,
) -> ApiResult<Json<WorkspaceMember>> {
    let (ws, user) = id_pair(&raw, "userID")?;
    Ok(Json(
        s.service.update_member(&actor, ws, user, &input).await?,
    ))
}

#[utoipa::path(delete, path = "/api/workspaces/{id}/members/{userID}", tag = "workspaces",
    params(("id" = Uuid, Path), ("userID" = Uuid, Path)),
    responses((status = 204), (status = 403, body = ApiError), (status = 404, body = ApiError)),
    security(("bearer" = [])))]
pub async fn remove_member(
    State(s): State<AppState>,
    Caller(actor): Caller,
    Path(raw): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let (ws, user) = id_pair(&raw, "userID")?;
    s.service.remove_member(&actor, ws, user).await?;
    Ok(StatusCode::NO_CONTENT)
}
