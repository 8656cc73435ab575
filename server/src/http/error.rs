//! The REST handlers' result type and the JSON answers for paths and methods that match no
//! endpoint. `ApiError` renders itself as a response (in the `model` crate, under `ssr`).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use model::error::{ApiError, ErrorCode};

pub type ApiResult<T> = Result<T, ApiError>;

/// The JSON 404 for paths under /api that match no endpoint.
pub async fn api_not_found() -> ApiError {
    ApiError::new(
        ErrorCode::NotFound,
        "no such API endpoint; see /api/openapi.json",
    )
}

pub async fn method_not_allowed() -> Response {
    let e = ApiError::new(
        ErrorCode::InvalidParameter,
        "method not allowed on this endpoint",
    );
    (StatusCode::METHOD_NOT_ALLOWED, Json(e)).into_response()
}
