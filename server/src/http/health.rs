//! Probes for load balancers and orchestrators.

use super::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

/// The process is up.
pub async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

/// The process can reach its database.
pub async fn readyz(State(s): State<AppState>) -> (StatusCode, Json<Value>) {
    if s.service.db.ping().await {
        (StatusCode::OK, Json(json!({"status": "ready"})))
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "unavailable", "error": "database unreachable"})),
        )
    }
}
