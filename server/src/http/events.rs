//! `/api/events`: the audit log.

use super::error::ApiResult;
use super::extract::{Caller, QueryParams};
use super::AppState;
use axum::extract::State;
use axum::Json;
use model::audit::{EventPage, EventQuery};
use model::error::ApiError;
use model::list::RawListQuery;

/// The organization's audit log, newest first (org admins). `filter`: `{"entity_type",
/// "entity_id", "actor_id", "action", "since", "until"}` (times in RFC 3339).
#[utoipa::path(get, path = "/api/events", tag = "audit", params(RawListQuery),
    responses((status = 200, body = EventPage), (status = 400, body = ApiError), (status = 401, body = ApiError),
        (status = 403, description = "Not an organization admin", body = ApiError)),
    security(("bearer" = [])))]
pub async fn list(
    State(s): State<AppState>,
    Caller(actor): Caller,
    QueryParams(raw): QueryParams<RawListQuery>,
) -> ApiResult<Json<EventPage>> {
    let q = EventQuery::parse(&raw)?;
    Ok(Json(s.service.list_events(&actor, &q).await?))
}
