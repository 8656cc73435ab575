//! Server functions answer their errors with the status the error's code implies. The service
//! errors already do (`ctx::respond`); this catches the ones raised before a server function's
//! body runs, such as a body that does not decode, which the server_fn crate answers 500.

use axum::body::Body;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use model::error::{ApiError, ErrorCode};

/// Error bodies are a sentence and a code; anything longer is not one of ours.
const ERROR_BODY_MAX: usize = 64 * 1024;

pub async fn error_status(req: Request, next: Next) -> Response {
    // Server functions are routed by leptos under /fn/ one by one; only they are rewritten.
    if !req.uri().path().starts_with("/fn/") {
        return next.run(req).await;
    }
    let res = next.run(req).await;
    if res.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let bytes = match axum::body::to_bytes(body, ERROR_BODY_MAX).await {
        Ok(b) => b,
        Err(_) => {
            let e = ApiError::internal();
            let json = serde_json::to_vec(&e).unwrap_or_default();
            return Response::from_parts(parts, Body::from(json));
        }
    };
    if let Ok(e) = serde_json::from_slice::<ApiError>(&bytes) {
        if e.code != ErrorCode::Internal {
            if let Ok(status) = StatusCode::from_u16(e.status()) {
                parts.status = status;
            }
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}
