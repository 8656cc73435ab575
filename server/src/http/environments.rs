//! `/api/environments`: thin handlers over the service layer.

use super::error::{ApiResult, HttpError};
use super::extract::{Caller, JsonBody, PathId, QueryParams};
use super::AppState;
use app::backend::EnvironmentService;
use app::error::ApiError;
use app::model::environment::{
    Environment, EnvironmentPage, EnvironmentQuery, EnvironmentUpdate, NewEnvironment,
};
use app::model::list::RawListQuery;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;

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

/// Delete an environment. Its connections and credentials are not deleted.
#[utoipa::path(
    delete, path = "/api/environments/{id}", tag = "environments",
    params(("id" = uuid::Uuid, Path)),
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
) -> Result<StatusCode, HttpError> {
    s.service.delete_environment(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
