//! `/api/teams` and `/api/workspaces/{id}/teams`: thin handlers over the service layer.

use super::assignments::id_pair;
use super::error::ApiResult;
use super::extract::{Caller, JsonBody, PathId, QueryParams};
use super::AppState;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use model::error::ApiError;
use model::list::RawListQuery;
use model::team::{
    parse_team_member_query, parse_team_query, NewTeam, NewTeamMember, NewWorkspaceTeam, Team,
    TeamMember, TeamMemberPage, TeamPage, TeamUpdate, WorkspaceTeamPatch, WorkspaceTeamResult,
};
use model::workspace::{RoleUpdate, WorkspaceTeamQuery};

/// 201 for something new, 200 for what was already there.
fn created_or_ok(created: bool) -> StatusCode {
    if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    }
}

/// The organization's teams (organization admins, and workspace admins, who give their
/// workspace to teams). `search` matches the name or description.
#[utoipa::path(get, path = "/api/teams", tag = "teams", params(RawListQuery),
    responses((status = 200, body = TeamPage), (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError)),
    security(("bearer" = [])))]
pub async fn list(
    State(s): State<AppState>,
    Caller(actor): Caller,
    QueryParams(raw): QueryParams<RawListQuery>,
) -> ApiResult<Json<TeamPage>> {
    let q = parse_team_query(&raw)?;
    Ok(Json(s.service.list_teams(&actor, &q).await?))
}

/// Create a team (organization admins).
#[utoipa::path(post, path = "/api/teams", tag = "teams", request_body = NewTeam,
    responses((status = 201, body = Team), (status = 400, body = ApiError), (status = 403, body = ApiError), (status = 409, body = ApiError)),
    security(("bearer" = [])))]
pub async fn create(
    State(s): State<AppState>,
    Caller(actor): Caller,
    JsonBody(input): JsonBody<NewTeam>,
) -> ApiResult<impl IntoResponse> {
    let team = s.service.create_team(&actor, &input).await?;
    let location = format!("/api/teams/{}", team.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(team),
    ))
}

#[utoipa::path(get, path = "/api/teams/{id}", tag = "teams", params(("id" = Uuid, Path)),
    responses((status = 200, body = Team), (status = 404, body = ApiError)),
    security(("bearer" = [])))]
pub async fn get(
    State(s): State<AppState>,
    Caller(actor): Caller,
    PathId(id): PathId,
) -> ApiResult<Json<Team>> {
    Ok(Json(s.service.get_team(&actor, id).await?))
}

/// Rename or describe a team (organization admins; a team filled by an identity provider keeps
/// its group's name).
#[utoipa::path(put, path = "/api/teams/{id}", tag = "teams", params(("id" = Uuid, Path)),
    request_body = TeamUpdate,
    responses((status = 200, body = Team), (status = 400, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 409, body = ApiError)),
    security(("bearer" = [])))]
pub async fn update(
    State(s): State<AppState>,
    Caller(actor): Caller,
    PathId(id): PathId,
    JsonBody(input): JsonBody<TeamUpdate>,
) -> ApiResult<Json<Team>> {
    Ok(Json(s.service.update_team(&actor, id, &input).await?))
}

/// Delete a team: its members keep their accounts and their own memberships.
#[utoipa::path(delete, path = "/api/teams/{id}", tag = "teams", params(("id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = ApiError), (status = 404, body = ApiError)),
    security(("bearer" = [])))]
pub async fn delete(
    State(s): State<AppState>,
    Caller(actor): Caller,
    PathId(id): PathId,
) -> Result<StatusCode, ApiError> {
    s.service.delete_team(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The team's members, paged; `search` matches a name or an email.
#[utoipa::path(get, path = "/api/teams/{id}/members", tag = "teams",
    params(("id" = Uuid, Path), RawListQuery),
    responses((status = 200, body = TeamMemberPage), (status = 400, body = ApiError), (status = 404, body = ApiError)),
    security(("bearer" = [])))]
pub async fn members(
    State(s): State<AppState>,
    Caller(actor): Caller,
    PathId(id): PathId,
    QueryParams(raw): QueryParams<RawListQuery>,
) -> ApiResult<Json<TeamMemberPage>> {
    let q = parse_team_member_query(&raw)?;
    Ok(Json(s.service.list_team_members(&actor, id, &q).await?))
}

/// Add a person of the organization (by `user_id` or `email`): 201 when new, 200 when they
/// already were a member. A team filled by an identity provider answers 409.
#[utoipa::path(post, path = "/api/teams/{id}/members", tag = "teams",
    params(("id" = Uuid, Path)), request_body = NewTeamMember,
    responses((status = 201, body = TeamMember), (status = 200, body = TeamMember), (status = 400, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 409, body = ApiError)),
    security(("bearer" = [])))]
pub async fn add_member(
    State(s): State<AppState>,
    Caller(actor): Caller,
    PathId(id): PathId,
    JsonBody(input): JsonBody<NewTeamMember>,
) -> ApiResult<impl IntoResponse> {
    let (member, created) = s.service.add_team_member(&actor, id, &input).await?;
    Ok((created_or_ok(created), Json(member)))
}

#[utoipa::path(delete, path = "/api/teams/{id}/members/{userID}", tag = "teams",
    params(("id" = Uuid, Path), ("userID" = Uuid, Path)),
    responses((status = 204), (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 409, body = ApiError)),
    security(("bearer" = [])))]
pub async fn remove_member(
    State(s): State<AppState>,
    Caller(actor): Caller,
    Path(raw): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let (team, user) = id_pair(&raw, "userID")?;
    s.service.remove_team_member(&actor, team, user).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The workspace's teams, each with its `role`; with `filter {"assigned": false}` (those who
/// manage its members) the organization's teams it does not have.
#[utoipa::path(get, path = "/api/workspaces/{id}/teams", tag = "workspaces",
    params(("id" = Uuid, Path), RawListQuery),
    responses((status = 200, body = TeamPage), (status = 400, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError)),
    security(("bearer" = [])))]
pub async fn workspace_teams(
    State(s): State<AppState>,
    Caller(actor): Caller,
    PathId(id): PathId,
    QueryParams(raw): QueryParams<RawListQuery>,
) -> ApiResult<Json<TeamPage>> {
    let q = WorkspaceTeamQuery::parse(&raw)?;
    Ok(Json(s.service.list_workspace_teams(&actor, id, &q).await?))
}

/// Give the workspace to a team with a role (default `member`): 201 when new, 200 when the
/// workspace had it (its role is then changed).
#[utoipa::path(post, path = "/api/workspaces/{id}/teams", tag = "workspaces",
    params(("id" = Uuid, Path)), request_body = NewWorkspaceTeam,
    responses((status = 201, body = Team), (status = 200, body = Team), (status = 400, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError)),
    security(("bearer" = [])))]
pub async fn add_workspace_team(
    State(s): State<AppState>,
    Caller(actor): Caller,
    PathId(id): PathId,
    JsonBody(input): JsonBody<NewWorkspaceTeam>,
) -> ApiResult<impl IntoResponse> {
    let (team, created) = s.service.add_workspace_team(&actor, id, &input).await?;
    Ok((created_or_ok(created), Json(team)))
}

/// Add teams (all with `role`) and remove teams in one transaction: all or nothing.
#[utoipa::path(patch, path = "/api/workspaces/{id}/teams", tag = "workspaces",
    params(("id" = Uuid, Path)), request_body = WorkspaceTeamPatch,
    responses((status = 200, body = WorkspaceTeamResult), (status = 400, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError)),
    security(("bearer" = [])))]
pub async fn patch_workspace_teams(
    State(s): State<AppState>,
    Caller(actor): Caller,
    PathId(id): PathId,
    JsonBody(patch): JsonBody<WorkspaceTeamPatch>,
) -> ApiResult<Json<WorkspaceTeamResult>> {
    Ok(Json(
        s.service.patch_workspace_teams(&actor, id, &patch).await?,
    ))
}

#[utoipa::path(put, path = "/api/workspaces/{id}/teams/{teamID}", tag = "workspaces",
    params(("id" = Uuid, Path), ("teamID" = Uuid, Path)), request_body = RoleUpdate,
    responses((status = 200, body = Team), (status = 400, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError)),
    security(("bearer" = [])))]
pub async fn update_workspace_team(
    State(s): State<AppState>,
    Caller(actor): Caller,
    Path(raw): Path<(String, String)>,
    JsonBody(input): JsonBody<RoleUpdate>,
) -> ApiResult<Json<Team>> {
    let (ws, team) = id_pair(&raw, "teamID")?;
    Ok(Json(
        s.service
            .update_workspace_team(&actor, ws, team, &input)
            .await?,
    ))
}

#[utoipa::path(delete, path = "/api/workspaces/{id}/teams/{teamID}", tag = "workspaces",
    params(("id" = Uuid, Path), ("teamID" = Uuid, Path)),
    responses((status = 204), (status = 403, body = ApiError), (status = 404, body = ApiError)),
    security(("bearer" = [])))]
pub async fn remove_workspace_team(
    State(s): State<AppState>,
    Caller(actor): Caller,
    Path(raw): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let (ws, team) = id_pair(&raw, "teamID")?;
    s.service.remove_workspace_team(&actor, ws, team).await?;
    Ok(StatusCode::NO_CONTENT)
}
