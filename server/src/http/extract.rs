//! Request extractors that fail with meshenv's JSON errors instead of axum's plain text.

use super::error::HttpError;
use super::AppState;
use app::backend::{session_from_headers, Actor, AuthService};
use app::error::{ApiError, ErrorCode};
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use uuid::Uuid;

const REASON_HEADER: &str = "x-meshenv-reason";
const REASON_MAX: usize = 500;

/// The authenticated caller: a Bearer token, or else the session cookie.
pub struct Caller(pub Actor);

impl FromRequestParts<AppState> for Caller {
    type Rejection = HttpError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let mut actor = if let Some(value) = parts.headers.get(AUTHORIZATION) {
            let token = value
                .to_str()
                .ok()
                .and_then(|v| {
                    v.strip_prefix("Bearer ")
                        .or_else(|| v.strip_prefix("bearer "))
                })
                .map(str::trim)
                .ok_or_else(ApiError::unauthorized)?;
            state.service.actor_from_token(token).await?
        } else if let Some(secret) = session_from_headers(
            &parts.headers,
            parts
                .extensions
                .get::<app::backend::ClientInfo>()
                .is_some_and(|c| c.secure),
        ) {
            state.service.actor_from_session(&secret).await?
        } else {
            return Err(ApiError::unauthorized().into());
        };
        actor.reason = parts
            .headers
            .get(REASON_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(|r| r.trim().chars().take(REASON_MAX).collect::<String>())
            .filter(|r| !r.is_empty());
        // On a one-time password, only "who am I" and "change my password" answer.
        let path = parts.uri.path();
        if !(path.ends_with("/me") || path.ends_with("/me/password")) {
            app::backend::require_password_changed(&actor)?;
        }
        Ok(Caller(actor))
    }
}

/// A JSON body whose errors name the field at fault.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = HttpError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = match axum::body::Bytes::from_request(req, state).await {
            Ok(b) => b,
            Err(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(
                    ApiError::new(ErrorCode::PayloadTooLarge, "request body is too large").into(),
                )
            }
            Err(_) => {
                return Err(ApiError::new(
                    ErrorCode::InvalidBody,
                    "could not read the request body",
                )
                .into())
            }
        };
        let de = &mut serde_json::Deserializer::from_slice(&bytes);
        serde_path_to_error::deserialize(de)
            .map(JsonBody)
            .map_err(|e| {
                let path = e.path().to_string();
                let mut err = ApiError::new(
                    ErrorCode::InvalidBody,
                    format!("invalid JSON body: {}", e.inner()),
                );
                if path != "." {
                    err = err.with_field(path);
                }
                err.into()
            })
    }
}

/// A query string, failing with a 400 that names the problem.
pub struct QueryParams<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for QueryParams<T> {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| QueryParams(q.0))
            .map_err(|e: QueryRejection| {
                ApiError::new(ErrorCode::InvalidParameter, e.body_text()).into()
            })
    }
}

/// A UUID path segment; anything else is a 400, not a 404.
pub struct PathId(pub Uuid);

impl<S: Send + Sync> FromRequestParts<S> for PathId {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(raw) =
            axum::extract::Path::<String>::from_request_parts(parts, state)
                .await
                .map_err(|_| ApiError::parameter("id", "missing id in the path"))?;
        Uuid::parse_str(&raw).map(PathId).map_err(|_| {
            ApiError::parameter("id", format!("'{raw}' is not a valid id (a UUID)")).into()
        })
    }
}
