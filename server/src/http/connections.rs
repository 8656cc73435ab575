//! `/api/connections`: thin handlers over the service layer.

use super::error::ApiResult;
use super::extract::{Caller, JsonBody, PathId, QueryParams, YamlBody};
use super::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use model::connection::{
    Connection, ConnectionInput, ConnectionPage, ConnectionQuery, KubeconfigImport, StatusChange,
};
use model::environment::{EnvironmentPage, EnvironmentQuery};
use model::error::ApiError;
use model::list::RawListQuery;
use serde::Deserialize;

/// List connections with counts by status over the whole filtered set.
/// `filter`: `{"kind", "status", "credential_id", "environment_id"}`.
#[utoipa::path(get, path = "/api/connections", tag = "connections", params(RawListQuery),
    responses((status = 200, body = ConnectionPage), (status = 400, body = ApiError), (status = 401, body = ApiError)),
    security(("bearer" = [])))]
pub async fn list(
    State(s): State<AppState>,
    Caller(actor): Caller,
    QueryParams(raw): QueryParams<RawListQuery>,
) -> ApiResult<Json<ConnectionPage>> {
    let q = ConnectionQuery::parse(&raw)?;
    Ok(Json(s.service.list_connections(&actor, &q).await?))
}

/// Register a connection (status `registered` unless given).
#[utoipa::path(post, path = "/api/connections", tag = "connections", request_body = ConnectionInput,
    responses((status = 201, body = Connection), (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 403, body = ApiError)),
    security(("bearer" = [])))]
pub async fn create(
    State(s): State<AppState>,
    Caller(actor): Caller,
    JsonBody(input): JsonBody<ConnectionInput>,
) -> ApiResult<impl IntoResponse> {
    let c = s.service.create_connection(&actor, &input).await?;
    let location = format!("/api/connections/{}", c.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(c)))
}

/// The environments holding a connection, paged like `/api/environments` (page, pagesize,
/// search, order, filter), archived ones included. A connection's own answer embeds only the
/// first few of them.
#[utoipa::path(get, path = "/api/connections/{id}/environments", tag = "connections",
    params(("id" = uuid::Uuid, Path), RawListQuery),
    responses((status = 200, body = EnvironmentPage), (status = 400, body = ApiError), (status = 401, body = ApiError),
        (status = 404, body = ApiError), (status = 503, description = "Every database connection busy; retry after `Retry-After`", body = ApiError)),
    security(("bearer" = [])))]
pub async fn environments(
    State(s): State<AppState>,
    Caller(actor): Caller,
    PathId(id): PathId,
    QueryParams(raw): QueryParams<RawListQuery>,
) -> ApiResult<Json<EnvironmentPage>> {
    let query = EnvironmentQuery::parse(&raw)?;
    Ok(Json(
        s.service
            .list_connection_environments(&actor, id, &query)
            .await?,
    ))
}

#[utoipa::path(get, path = "/api/connections/{id}", tag = "connections", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = Connection), (status = 400, body = ApiError), (status = 404, body = ApiError)),
    security(("bearer" = [])))]
pub async fn get(
    State(s): State<AppState>,
    Caller(actor): Caller,
    PathId(id): PathId,
) -> ApiResult<Json<Connection>> {
    Ok(Json(s.service.get_connection(&actor, id).await?))
}

/// Change a connection's fields; `"credential_id": null` detaches its credential.
#[utoipa::path(put, path = "/api/connections/{id}", tag = "connections", params(("id" = uuid::Uuid, Path)),
    request_body = ConnectionInput,
    responses((status = 200, body = Connection), (status = 400, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError)),
    security(("bearer" = [])))]
pub async fn update(
    State(s): State<AppState>,
    Caller(actor): Caller,
    PathId(id): PathId,
    JsonBody(input): JsonBody<ConnectionInput>,
) -> ApiResult<Json<Connection>> {
    Ok(Json(s.service.update_connection(&actor, id, &input).await?))
}

/// Move a connection to another status, along the allowed transitions.
#[utoipa::path(put, path = "/api/connections/{id}/status", tag = "connections", params(("id" = uuid::Uuid, Path)),
    request_body = StatusChange,
    responses((status = 200, body = Connection), (status = 400, body = ApiError), (status = 404, body = ApiError),
        (status = 409, description = "Not an allowed transition; the message lists the allowed targets", body = ApiError)),
    security(("bearer" = [])))]
pub async fn set_status(
    State(s): State<AppState>,
    Caller(actor): Caller,
    PathId(id): PathId,
    JsonBody(change): JsonBody<StatusChange>,
) -> ApiResult<Json<Connection>> {
    Ok(Json(
        s.service
            .set_connection_status(&actor, id, &change.status)
            .await?,
    ))
}

/// Delete a connection; it leaves every environment. Its credential stays.
#[utoipa::path(delete, path = "/api/connections/{id}", tag = "connections", params(("id" = uuid::Uuid, Path)),
    responses((status = 204), (status = 400, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError)),
    security(("bearer" = [])))]
pub async fn delete(
    State(s): State<AppState>,
    Caller(actor): Caller,
    PathId(id): PathId,
) -> Result<StatusCode, ApiError> {
    s.service.delete_connection(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ImportParams {
    /// The organization; optional when the caller belongs to exactly one.
    #[serde(rename = "orgID", alias = "orgId")]
    #[param(rename = "orgID")]
    org_id: Option<uuid::Uuid>,
    /// `true`: answer what the import would do (each context's connection name, whether it
    /// gets a credential, which were imported before) and keep nothing.
    #[serde(default)]
    dry_run: bool,
}

/// Import a kubeconfig (its YAML as the body): one kubernetes connection and credential per
/// context. Importing the same file again creates nothing new.
#[utoipa::path(post, path = "/api/connections/import/kubeconfig", tag = "connections", params(ImportParams),
    request_body(content = String, content_type = "application/yaml"),
    responses((status = 200, body = KubeconfigImport), (status = 400, body = ApiError), (status = 403, body = ApiError)),
    security(("bearer" = [])))]
pub async fn import_kubeconfig(
    State(s): State<AppState>,
    Caller(actor): Caller,
    QueryParams(params): QueryParams<ImportParams>,
    YamlBody(body): YamlBody,
) -> ApiResult<Json<KubeconfigImport>> {
    Ok(Json(
        s.service
            .import_kubeconfig(&actor, params.org_id, &body, params.dry_run)
            .await?,
    ))
}

/// Probe the connection's health now (kubernetes, prometheus, grafana and http connections);
/// answers with the connection, its status and `last_checked_at`, `last_error`, `latency_ms`.
#[utoipa::path(post, path = "/api/connections/{id}/check", tag = "connections",
    params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = Connection), (status = 403, body = ApiError), (status = 404, body = ApiError),
        (status = 409, description = "A kind that is not probed. A check already running is waited for, and its outcome answered", body = ApiError)),
    security(("bearer" = [])))]
pub async fn check(
    State(s): State<AppState>,
    Caller(actor): Caller,
    PathId(id): PathId,
) -> ApiResult<Json<Connection>> {
    Ok(Json(s.service.check_connection(&actor, id).await?))
}
