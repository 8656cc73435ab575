//! Rendering `ApiError` as an HTTP response: its status and `{"error", "code", "field"}`.

use app::error::{ApiError, ErrorCode};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

/// `ApiError` as an axum response (a local type, since both the trait and the error are foreign).
#[derive(Debug)]
pub struct HttpError(pub ApiError);

impl From<ApiError> for HttpError {
    fn from(e: ApiError) -> Self {
        HttpError(e)
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let retry = self.0.retry_after;
        let mut res = (status, Json(self.0)).into_response();
        if let Some(secs) = retry {
            res.headers_mut()
                .insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        if status == StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer realm=\"meshenv\""),
            );
        }
        res
    }
}

pub type ApiResult<T> = Result<T, HttpError>;

/// The JSON 404 for paths under /api that match no endpoint.
pub async fn api_not_found() -> HttpError {
    HttpError(ApiError::new(
        ErrorCode::NotFound,
        "no such API endpoint; see /api/openapi.json",
    ))
}

pub async fn method_not_allowed() -> Response {
    let e = ApiError::new(
        ErrorCode::InvalidParameter,
        "method not allowed on this endpoint",
    );
    (StatusCode::METHOD_NOT_ALLOWED, Json(e)).into_response()
}
