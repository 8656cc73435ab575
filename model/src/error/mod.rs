//! The one error type of meshenv. It crosses every boundary unchanged: the service layer returns
//! it, the REST API renders it as `{"error", "code", "field"}` with the status its code implies,
//! and server functions carry it to the browser so forms can show it on the field at fault.

use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};
use std::fmt;

#[cfg(feature = "ssr")]
mod database;
#[cfg(feature = "ssr")]
mod response;
#[cfg(feature = "ssr")]
pub use database::{is_integrity_violation, is_unique_violation};

/// Stable, machine-readable error codes. Scripts match on these, so never rename one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// A field of the request body breaks a rule.
    ValidationFailed,
    /// A query or path parameter is malformed.
    InvalidParameter,
    /// The request body is not the JSON the endpoint expects.
    InvalidBody,
    /// No credentials, or credentials that are wrong or expired.
    Unauthorized,
    /// Signed in, but not allowed to do this.
    Forbidden,
    /// Signed in with a one-time password that must be changed before anything else.
    PasswordChangeRequired,
    /// The object does not exist, or the caller may not know that it does.
    NotFound,
    /// The name is already taken in this organization.
    NameTaken,
    /// The request conflicts with the object's current state.
    Conflict,
    /// The request body is larger than the server accepts.
    PayloadTooLarge,
    /// A cross-site request carrying a session cookie.
    CsrfRejected,
    /// Something failed on the server; the details are in its log, never in the response.
    Internal,
    /// The server is overloaded (every database connection busy): retry after `Retry-After`.
    Unavailable,
    /// Too many attempts (failed sign-ins, or sign-ins at once): retry after `Retry-After`.
    TooManyRequests,
    /// The request body is not in a format the endpoint reads (JSON bodies need
    /// `Content-Type: application/json`).
    UnsupportedMediaType,
}

impl ErrorCode {
    /// The HTTP status this code is answered with.
    pub fn status(self) -> u16 {
        match self {
            ErrorCode::ValidationFailed | ErrorCode::InvalidParameter | ErrorCode::InvalidBody => {
                400
            }
            ErrorCode::Unauthorized => 401,
            ErrorCode::Forbidden | ErrorCode::CsrfRejected | ErrorCode::PasswordChangeRequired => {
                403
            }
            ErrorCode::NotFound => 404,
            ErrorCode::NameTaken | ErrorCode::Conflict => 409,
            ErrorCode::PayloadTooLarge => 413,
            ErrorCode::UnsupportedMediaType => 415,
            ErrorCode::TooManyRequests => 429,
            ErrorCode::Internal => 500,
            ErrorCode::Unavailable => 503,
        }
    }
}

/// What a 503 (`Unavailable`) asks the client to wait before retrying, in seconds, as the
/// `Retry-After` header says it: a busy pool frees up within moments.
pub const RETRY_AFTER_SECS: &str = "1";

/// The JSON body of every error: `{"error": "...", "code": "...", "field": "..."}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ApiError {
    /// A sentence for a person: what is wrong and how to fix it.
    pub error: String,
    pub code: ErrorCode,
    /// The body field or parameter at fault, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Seconds to wait before trying again (429 and 503), as the `Retry-After` header says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        let retry_after = match code {
            ErrorCode::Unavailable => RETRY_AFTER_SECS.parse().ok(),
            _ => None,
        };
        ApiError {
            error: message.into(),
            code,
            field: None,
            retry_after,
        }
    }

    /// A 429 that asks the caller to wait `secs` seconds.
    pub fn too_many(message: impl Into<String>, secs: u64) -> Self {
        ApiError {
            retry_after: Some(secs.max(1)),
            ..Self::new(ErrorCode::TooManyRequests, message)
        }
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    pub fn validation(field: &str, message: impl Into<String>) -> Self {
        Self::new(ErrorCode::ValidationFailed, message).with_field(field)
    }

    pub fn parameter(name: &str, message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidParameter, message).with_field(name)
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(ErrorCode::NotFound, format!("{what} not found"))
    }

    pub fn unauthorized() -> Self {
        Self::new(
            ErrorCode::Unauthorized,
            "sign in, or send a valid API token as 'Authorization: Bearer <token>'",
        )
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Forbidden, message)
    }

    pub fn internal() -> Self {
        Self::new(
            ErrorCode::Internal,
            "internal error; the server log has the details",
        )
    }

    pub fn status(&self) -> u16 {
        self.code.status()
    }

    /// The message to show next to `field`, if this error is about that field.
    pub fn for_field(&self, field: &str) -> Option<String> {
        (self.field.as_deref() == Some(field)).then(|| self.error.clone())
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.error)
    }
}

impl std::error::Error for ApiError {}

impl FromServerFnError for ApiError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(m) | ServerFnErrorErr::Deserialization(m) => {
                ApiError::new(ErrorCode::InvalidBody, m)
            }
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => ApiError::new(
                ErrorCode::Internal,
                "could not reach the server; check your connection and try again",
            ),
            _ => ApiError::internal(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialize_as_stable_snake_case() {
        let e = ApiError::validation("name", "name is required");
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"error": "name is required", "code": "validation_failed", "field": "name"})
        );
        let no_field = serde_json::to_value(ApiError::not_found("environment")).unwrap();
        assert_eq!(no_field.get("field"), None);
        assert_eq!(no_field["code"], "not_found");
    }

    #[test]
    fn statuses_follow_codes() {
        assert_eq!(ErrorCode::NameTaken.status(), 409);
        assert_eq!(ErrorCode::InvalidParameter.status(), 400);
        assert_eq!(ErrorCode::Unauthorized.status(), 401);
        assert_eq!(ErrorCode::NotFound.status(), 404);
    }
}
