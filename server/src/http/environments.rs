//! `/api/environments`: thin handlers over the service layer.

use super::error::ApiResult;
use super::extract::{flag, Caller, JsonBody, OptionalJsonBody, PathId, QueryParams};
use super::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use model::environment::{
    BulkLifecycle, BulkResult, Environment, EnvironmentPage, EnvironmentQuery, EnvironmentUpdate,
    LifecycleAction, NewEnvironment, Restore,
};
use model::error::ApiError;
use model::list::RawListQuery;

/// List the environments of an organization.
#[utoipa::path(
    get, path = "/api/environments", tag = "environments",
    params(RawListQuery),
    responses(
        (status = 200, body = EnvironmentPage),
        (status = 400, description = "A malformed parameter, named in `field`", body = ApiError),
        (status = 401, body = ApiError),
        (status = 404, description = "An organization the caller is not in", body = ApiError),
    ),
    security(("bearer" = []))
)]
pub async fn list(
    State(s): State<AppState>,
    Caller(actor): Caller,
    QueryParams(raw): QueryParams<RawListQuery>,
) -> ApiResult<Json<EnvironmentPage>> {
    let query = EnvironmentQuery::parse(&raw)?;
    Ok(Json(s.service.list_environments(&actor, &query).await?))
}

/// Create an environment.
#[utoipa::path(
    post, path = "/api/environments", tag = "environments",
    request_body = NewEnvironment,
    responses(
        (status = 201, body = Environment, headers(("Location" = String, description = "The new environment's URL"))),
        (status = 400, description = "A field breaks a rule, named in `field`", body = ApiError),
        (status = 401, body = ApiError),
        (status = 403, description = "Not an organization admin", body = ApiError),
        (status = 409, description = "The name is taken (code `name_taken`)", body = ApiError),
    ),
    security(("bearer" = []))
)]
pub async fn create(
    State(s): State<AppState>,
    Caller(actor): Caller,
    JsonBody(input): JsonBody<NewEnvironment>,
) -> ApiResult<impl IntoResponse> {
    let env = s.service.create_environment(&actor, &input).await?;
    let location = format!("/api/environments/{}", env.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(env),
    ))
}

/// Get one environment.
#[utoipa::path(
    get, path = "/api/environments/{id}", tag = "environments",
    params(("id" = uuid::Uuid, Path)),
    responses(
        (status = 200, body = Environment),
        (status = 400, description = "A malformed id", body = ApiError),
        (status = 401, body = ApiError),
        (status = 404, body = ApiError),
    ),
    security(("bearer" = []))
)]
pub async fn get(
    State(s): State<AppState>,
    Caller(actor): Caller,
    PathId(id): PathId,
) -> ApiResult<Json<Environment>> {
    Ok(Json(s.service.get_environment(&actor, id).await?))
}

/// Change an environment's name, description or tags. Fields left out keep their value.
#[utoipa::path(
    put, path = "/api/environments/{id}", tag = "environments",
    params(("id" = uuid::Uuid, Path)),
    request_body = EnvironmentUpdate,
    responses(
        (status = 200, body = Environment),
        (status = 400, description = "A field breaks a rule, or the organization would change", body = ApiError),
        (status = 401, body = ApiError),
        (status = 403, body = ApiError),
        (status = 404, body = ApiError),
        (status = 409, description = "The name is taken", body = ApiError),
    ),
    security(("bearer" = []))
)]
pub async fn update(
    State(s): State<AppState>,
    Caller(actor): Caller,
    PathId(id): PathId,
    JsonBody(input): JsonBody<EnvironmentUpdate>,
) -> ApiResult<Json<Environment>> {
    Ok(Json(
        s.service.update_environment(&actor, id, &input).await?,
    ))
}

/// `?purge=true` on `DELETE`.
#[derive(serde::Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct PurgeParam {
    #[serde(default)]
    purge: Option<String>,
}

/// Delete an environment: it goes to the trash (`filter {"deleted": true}`), whence `restore`
/// brings it back; `?purge=true` removes one from the trash for good. Its connections and
/// credentials are never deleted.
#[utoipa::path(
    delete, path = "/api/environments/{id}", tag = "environments",
    params(("id" = uuid::Uuid, Path), ("purge" = Option<bool>, Query)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, body = ApiError),
        (status = 401, body = ApiError),
        (status = 403, body = ApiError),
        (status = 404, body = ApiError),
    ),
    security(("bearer" = []))
)]
pub async fn delete(
    State(s): State<AppState>,
    Caller(actor): Caller,
    PathId(id): PathId,
    QueryParams(p): QueryParams<PurgeParam>,
) -> Result<StatusCode, ApiError> {
    let purge = flag("purge", p.purge.as_deref())?;
    s.service.delete_environment(&actor, id, purge).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn lifecycle(
    s: &AppState,
    actor: &service::actor::Actor,
    id: uuid::Uuid,
    action: LifecycleAction,
    restore: &Restore,
) -> ApiResult<Json<Environment>> {
    Ok(Json(
        s.service
            .change_lifecycle(actor, id, action, restore)
            .await?,
    ))
}

/// Archive: its connections stop reaching workspaces, it takes no new ones, lists hide it.
#[utoipa::path(post, path = "/api/environments/{id}/archive", tag = "environments",
    params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = Environment), (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 409, body = ApiError)),
    security(("bearer" = [])))]
pub async fn archive(
    State(s): State<AppState>,
    Caller(actor): Caller,
    PathId(id): PathId,
) -> ApiResult<Json<Environment>> {
    lifecycle(
        &s,
        &actor,
        id,
        LifecycleAction::Archive,
        &Restore::default(),
    )
    .await
}

#[utoipa::path(post, path = "/api/environments/{id}/unarchive", tag = "environments",
    params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = Environment), (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 409, body = ApiError)),
    security(("bearer" = [])))]
pub async fn unarchive(
    State(s): State<AppState>,
    Caller(actor): Caller,
    PathId(id): PathId,
) -> ApiResult<Json<Environment>> {
    lifecycle(
        &s,
        &actor,
        id,
        LifecycleAction::Unarchive,
        &Restore::default(),
    )
    .await
}

/// Bring an environment back from the trash, with the connections and workspace assignments it
/// had. A body `{"name": ...}` restores it under a new name when its own is taken.
#[utoipa::path(post, path = "/api/environments/{id}/restore", tag = "environments",
    params(("id" = uuid::Uuid, Path)), request_body(content = Option<Restore>, description = "Optional: `{\"name\": ...}` restores under a new name"),
    responses((status = 200, body = Environment), (status = 404, body = ApiError), (status = 409, description = "The name is taken now", body = ApiError)),
    security(("bearer" = [])))]
pub async fn restore(
    State(s): State<AppState>,
    Caller(actor): Caller,
    PathId(id): PathId,
    OptionalJsonBody(input): OptionalJsonBody<Restore>,
) -> ApiResult<Json<Environment>> {
    // The body is optional: none restores under the old name.
    let input = input.unwrap_or_default();
    lifecycle(&s, &actor, id, LifecycleAction::Restore, &input).await
}

/// One action on many environments in one transaction: all or nothing.
#[utoipa::path(post, path = "/api/environments/bulk", tag = "environments",
    request_body = BulkLifecycle,
    responses((status = 200, body = BulkResult), (status = 400, body = ApiError), (status = 403, body = ApiError), (status = 409, body = ApiError)),
    security(("bearer" = [])))]
pub async fn bulk(
    State(s): State<AppState>,
    Caller(actor): Caller,
    JsonBody(input): JsonBody<BulkLifecycle>,
) -> ApiResult<Json<BulkResult>> {
    Ok(Json(s.service.bulk_lifecycle(&actor, &input).await?))
}
