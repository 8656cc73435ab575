//! `ApiError` as an HTTP response: the status its code implies and `{"error", "code", "field"}`.

use super::ApiError;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let retry = self.retry_after;
        let mut res = (status, Json(self)).into_response();
        if let Some(secs) = retry {
            res.headers_mut().insert(header::RETRY_AFTER, secs.into());
        }
        if status == StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"meshenv\""),
            );
        }
        res
    }
}
