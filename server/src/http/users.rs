//! `/api/users` (an organization's people, for its admins) and `/api/me/password`.

use super::error::ApiResult;
use super::extract::{Caller, JsonBody, PathId, QueryParams};
use super::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use model::error::ApiError;
use model::list::{ListQuery, RawListQuery};
use model::user::{CreatedUser, NewUser, OrgUser, PasswordChange, UserPage};
use model::workspace::RoleUpdate;
use serde::Deserialize;
use uuid::Uuid;

/// `?orgID=` on a single user's endpoints; optional for callers in one organization.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct OrgParam {
    #[serde(rename = "orgID", alias = "orgId", default)]
    org_id: Option<String>,
}

impl OrgParam {
    fn parse(&self) -> Result<Option<Uuid>, ApiError> {
        match self.org_id.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(v) => Uuid::parse_str(v).map(Some).map_err(|_| {
                ApiError::parameter("orgID", format!("'{v}' is not a valid id (a UUID)"))
            }),
        }
    }
}

/// The organization's members (admins only). `search` matches name or email.
#[utoipa::path(get, path = "/api/users", tag = "users", params(RawListQuery),
    responses((status = 200, body = UserPage), (status = 400, body = ApiError), (status = 403, body = ApiError)),
    security(("bearer" = [])))]
pub async fn list(
    State(s): State<AppState>,
    Caller(actor): Caller,
    QueryParams(raw): QueryParams<RawListQuery>,
) -> ApiResult<Json<UserPage>> {
    let q = ListQuery::parse(&raw)?;
    Ok(Json(s.service.list_users(&actor, &q).await?))
}

/// Add someone to the organization. The answer carries a one-time password, shown only here,
/// which they must change at their first sign-in.
#[utoipa::path(post, path = "/api/users", tag = "users", request_body = NewUser,
    responses((status = 201, body = CreatedUser), (status = 400, body = ApiError), (status = 403, body = ApiError), (status = 409, body = ApiError), (status = 429, description = "Every password-hashing slot stayed busy: retry after `Retry-After` seconds", body = ApiError)),
    security(("bearer" = [])))]
pub async fn create(
    State(s): State<AppState>,
    Caller(actor): Caller,
    JsonBody(input): JsonBody<NewUser>,
) -> ApiResult<impl IntoResponse> {
    let created = s.service.create_user(&actor, &input).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Change someone's role in the organization. The last admin cannot stop being one.
#[utoipa::path(put, path = "/api/users/{id}", tag = "users", params(("id" = Uuid, Path)),
    request_body = RoleUpdate,
    responses((status = 200, body = OrgUser), (status = 400, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 409, body = ApiError)),
    security(("bearer" = [])))]
pub async fn update(
    State(s): State<AppState>,
    Caller(actor): Caller,
    PathId(id): PathId,
    QueryParams(org): QueryParams<OrgParam>,
    JsonBody(input): JsonBody<RoleUpdate>,
) -> ApiResult<Json<OrgUser>> {
    Ok(Json(
        s.service
            .update_user_role(&actor, org.parse()?, id, &input)
            .await?,
    ))
}

/// Take someone out of the organization and its workspaces.
#[utoipa::path(delete, path = "/api/users/{id}", tag = "users", params(("id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 409, body = ApiError)),
    security(("bearer" = [])))]
pub async fn delete(
    State(s): State<AppState>,
    Caller(actor): Caller,
    PathId(id): PathId,
    QueryParams(org): QueryParams<OrgParam>,
) -> Result<StatusCode, ApiError> {
    s.service.remove_user(&actor, org.parse()?, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Give someone a new one-time password, shown once in the answer; every session of theirs
/// ends. Refused for someone who also belongs to an organization the caller does not administer.
#[utoipa::path(post, path = "/api/users/{id}/password", tag = "users", params(("id" = Uuid, Path)),
    responses((status = 200, body = CreatedUser), (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 409, body = ApiError), (status = 429, description = "Every password-hashing slot stayed busy: retry after `Retry-After` seconds", body = ApiError)),
    security(("bearer" = [])))]
pub async fn reset_password(
    State(s): State<AppState>,
    Caller(actor): Caller,
    PathId(id): PathId,
    QueryParams(org): QueryParams<OrgParam>,
) -> ApiResult<Json<CreatedUser>> {
    Ok(Json(
        s.service.reset_password(&actor, org.parse()?, id).await?,
    ))
}

/// Change your own password (the current one is required).
#[utoipa::path(put, path = "/api/me/password", tag = "identity", request_body = PasswordChange,
    responses((status = 204), (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 429, description = "Every password-hashing slot stayed busy: retry after `Retry-After` seconds", body = ApiError)),
    security(("bearer" = [])))]
pub async fn change_password(
    State(s): State<AppState>,
    Caller(actor): Caller,
    JsonBody(input): JsonBody<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    s.service.change_password(&actor, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}
