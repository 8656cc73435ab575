//! `/api/events`: the audit log, as pages of JSON or exported whole as CSV or JSON lines.

use super::error::ApiResult;
use super::extract::{parse_query, Caller};
use super::AppState;
use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures::StreamExt;
use model::audit::{EventPage, EventQuery, ExportFormat};
use model::error::ApiError;
use model::list::RawListQuery;

/// The organization's audit log, newest first: everything for org admins, what their
/// workspaces reach for anyone else. `filter`: `{"entity_type", "entity_id", "actor_id",
/// "actor" (name or email), "action" (an action, or the start of one or of a word of one:
/// "assign" finds environment.assignments), "since", "until"}` (times in RFC 3339).
///
/// `format=csv` or `format=jsonl` (or `Accept: text/csv` / `application/x-ndjson`) exports every
/// matching event in the given order, not one page, streamed as it is read.
#[utoipa::path(get, path = "/api/events", tag = "audit",
    params(RawListQuery, ("format" = Option<String>, Query, description = "csv or jsonl: the whole filtered log as a download")),
    responses((status = 200, description = "A page of events, or with `format` the whole filtered log as CSV or JSON lines",
            content((EventPage = "application/json"), (String = "text/csv"), (String = "application/x-ndjson"))),
        (status = 400, body = ApiError), (status = 401, body = ApiError),
        (status = 403, description = "Not an organization admin", body = ApiError)),
    security(("bearer" = [])))]
pub async fn list(
    State(s): State<AppState>,
    Caller(actor): Caller,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let (format, rest) = take_format(raw.as_deref().unwrap_or(""))?;
    let q = EventQuery::parse(&parse_query::<RawListQuery>(&rest)?)?;
    let Some(format) = format.or_else(|| accepted(&headers)) else {
        return Ok(Json(s.service.list_events(&actor, &q).await?).into_response());
    };
    let stream = s.service.export_events(&actor, &q, format)?;
    // An error after the first byte can only cut the download short: it is logged, and the
    // client sees a body that ends early rather than a complete-looking file.
    let body = Body::from_stream(stream.map(|slice| {
        slice.map_err(|e| {
            tracing::warn!(error = %e.error, "audit export stopped");
            std::io::Error::other(e.error)
        })
    }));
    let name = format!(
        "attachment; filename=\"meshenv-audit-{}.{}\"",
        chrono::Utc::now().format("%Y-%m-%d"),
        format.extension()
    );
    let mut response = body.into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(v) = HeaderValue::from_str(&name) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}

/// Splits `format` out of a query string; the rest is the list's parameters.
fn take_format(query: &str) -> Result<(Option<ExportFormat>, String), ApiError> {
    let mut format = None;
    let mut rest = form_urlencoded::Serializer::new(String::new());
    for (k, v) in form_urlencoded::parse(query.as_bytes()) {
        if k == "format" {
            if format.is_some() {
                return Err(ApiError::parameter(
                    "format",
                    "query parameter 'format' is given twice",
                ));
            }
            format = Some(ExportFormat::parse(&v)?);
        } else {
            rest.append_pair(&k, &v);
        }
    }
    Ok((format, rest.finish()))
}

/// An export asked for by `Accept` alone (`text/csv`, `application/x-ndjson`,
/// `application/jsonl`), unless JSON is listed too.
fn accepted(headers: &HeaderMap) -> Option<ExportFormat> {
    let accept = headers
        .get(header::ACCEPT)?
        .to_str()
        .ok()?
        .to_ascii_lowercase();
    let types: Vec<&str> = accept
        .split(',')
        .map(|t| t.split(';').next().unwrap_or("").trim())
        .collect();
    if types.contains(&"application/json") {
        return None;
    }
    if types.contains(&"text/csv") {
        Some(ExportFormat::Csv)
    } else if types.iter().any(|t| {
        matches!(
            *t,
            "application/x-ndjson" | "application/jsonl" | "application/jsonlines"
        )
    }) {
        Some(ExportFormat::JsonLines)
    } else {
        None
    }
}
