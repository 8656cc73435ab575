//! What wraps every request: the watch for a unit of work holding two database connections at
//! once, and the request metrics, labelled by route template (never the raw path).

use super::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::time::Instant;

pub async fn observe(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string());
    // A REST call or a server-function call is one unit of work, watched as one. A page render
    // is not: it runs its resources' server functions side by side in one task, each its own
    // unit holding its own connection, which would look like one task holding two.
    let path = req.uri().path();
    let res = if path.starts_with("/api/") || path.starts_with("/fn/") {
        service::db::watch_holds(next.run(req)).await
    } else {
        next.run(req).await
    };
    // Unmatched paths (static files, 404s) share one label so that probing cannot grow the
    // number of series.
    let route = route.as_deref().unwrap_or("unmatched");
    service::metrics::request(
        method.as_str(),
        route,
        res.status().as_u16(),
        started.elapsed(),
    );
    res
}

/// `GET /metrics`: the Prometheus text exposition format. No session: Prometheus scrapes it.
pub async fn metrics(State(s): State<AppState>) -> Response {
    (
        [(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        service::metrics::render(&s.service.db),
    )
        .into_response()
}
