//! `/api/credentials`: thin handlers over the service layer.

use super::error::ApiResult;
use super::extract::{flag, Caller, JsonBody, PathId, QueryParams};
use super::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use model::credential::{
    Credential, CredentialPage, CredentialQuery, CredentialUpdate, NewCredential,
};
use model::error::ApiError;
use model::list::RawListQuery;
use serde::Deserialize;

/// List credentials (secrets masked). `filter`: `{"type": "kubernetes"}`.
#[utoipa::path(get, path = "/api/credentials", tag = "credentials", params(RawListQuery),
    responses((status = 200, body = CredentialPage), (status = 400, body = ApiError), (status = 401, body = ApiError)),
    security(("bearer" = [])))]
pub async fn list(
    State(s): State<AppState>,
    Caller(actor): Caller,
    QueryParams(raw): QueryParams<RawListQuery>,
) -> ApiResult<Json<CredentialPage>> {
    let q = CredentialQuery::parse(&raw)?;
    Ok(Json(s.service.list_credentials(&actor, &q).await?))
}

/// Create a credential; its secret is encrypted at rest and never returned.
#[utoipa::path(post, path = "/api/credentials", tag = "credentials", request_body = NewCredential,
    responses((status = 201, body = Credential), (status = 400, description = "A missing or unknown secret field is named in `field` as secret.<name>", body = ApiError),
        (status = 401, body = ApiError), (status = 403, body = ApiError)),
    security(("bearer" = [])))]
pub async fn create(
    State(s): State<AppState>,
    Caller(actor): Caller,
    JsonBody(input): JsonBody<NewCredential>,
) -> ApiResult<impl IntoResponse> {
    let c = s.service.create_credential(&actor, &input).await?;
    let location = format!("/api/credentials/{}", c.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(c)))
}

#[utoipa::path(get, path = "/api/credentials/{id}", tag = "credentials", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = Credential), (status = 400, body = ApiError), (status = 404, body = ApiError)),
    security(("bearer" = [])))]
pub async fn get(
    State(s): State<AppState>,
    Caller(actor): Caller,
    PathId(id): PathId,
) -> ApiResult<Json<Credential>> {
    Ok(Json(s.service.get_credential(&actor, id).await?))
}

/// Change a credential: for every connection that uses it.
#[utoipa::path(put, path = "/api/credentials/{id}", tag = "credentials", params(("id" = uuid::Uuid, Path)),
    request_body = CredentialUpdate,
    responses((status = 200, body = Credential), (status = 400, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError)),
    security(("bearer" = [])))]
pub async fn update(
    State(s): State<AppState>,
    Caller(actor): Caller,
    PathId(id): PathId,
    JsonBody(input): JsonBody<CredentialUpdate>,
) -> ApiResult<Json<Credential>> {
    Ok(Json(s.service.update_credential(&actor, id, &input).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct Force {
    /// Detach the credential from the connections that use it, then delete it.
    #[param(value_type = Option<bool>)]
    force: Option<String>,
}

/// Delete a credential. One in use is a 409 naming its connections, unless `force=true`.
#[utoipa::path(delete, path = "/api/credentials/{id}", tag = "credentials", params(("id" = uuid::Uuid, Path), Force),
    responses((status = 204), (status = 400, body = ApiError), (status = 404, body = ApiError), (status = 409, description = "In use", body = ApiError)),
    security(("bearer" = [])))]
pub async fn delete(
    State(s): State<AppState>,
    Caller(actor): Caller,
    PathId(id): PathId,
    QueryParams(force): QueryParams<Force>,
) -> Result<StatusCode, ApiError> {
    let force = flag("force", force.force.as_deref())?;
    s.service.delete_credential(&actor, id, force).await?;
    Ok(StatusCode::NO_CONTENT)
}
