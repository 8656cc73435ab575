//! A database failure as an `ApiError`, so `?` works on sqlx results in the service.

use super::{ApiError, ErrorCode};

/// A broken constraint means something changed at the same time (the service checked before
/// writing): a 409 to retry. A pool that stayed busy is overload: a 503. Anything else is logged
/// in full and answered with an opaque 500.
impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        if matches!(e, sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed) {
            // Every connection stayed busy for the whole acquire timeout: overload, not a fault.
            tracing::warn!(error = %e, "no database connection free in time");
            return ApiError::new(
                ErrorCode::Unavailable,
                "the server is busy; try again in a moment",
            );
        }
        if is_integrity_violation(&e) {
            tracing::info!(error = %e, "write refused by a constraint: a concurrent change");
            return ApiError::new(
                ErrorCode::Conflict,
                "something this change depends on was changed or removed at the same time; reload and try again",
            );
        }
        if is_unstorable_text(&e) {
            // The service checks the text it knows of; this catches any it does not, so that a
            // NUL byte in some field is the caller's error to fix, not an opaque 500.
            tracing::info!(error = %e, "text the database cannot store");
            return ApiError::new(
                ErrorCode::InvalidBody,
                "the request holds text the database cannot store (a NUL byte, or a character \
                 outside UTF-8); remove it and try again",
            );
        }
        tracing::error!(error = %e, "database error");
        ApiError::internal()
    }
}

/// True when a write broke a foreign key, unique, check or not-null constraint: with the service's
/// checks done first, only a concurrent change gets here (a row deleted or added meanwhile).
pub fn is_integrity_violation(e: &sqlx::Error) -> bool {
    use sqlx::error::ErrorKind;
    match e {
        sqlx::Error::Database(d) => {
            matches!(
                d.kind(),
                ErrorKind::UniqueViolation
                    | ErrorKind::ForeignKeyViolation
                    | ErrorKind::CheckViolation
                    | ErrorKind::NotNullViolation
            ) || d.code().as_deref().is_some_and(|c| c.starts_with("23"))
                || d.message().contains("constraint failed")
        }
        _ => false,
    }
}

/// True when PostgreSQL refused text it cannot hold: `22021` (a NUL byte, or a byte sequence
/// invalid in the database's encoding) or `22P05` (a character it cannot translate). SQLite
/// stores such text as given.
pub fn is_unstorable_text(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(d) => matches!(d.code().as_deref(), Some("22021" | "22P05")),
        _ => false,
    }
}

/// True when a database error is a unique-constraint violation.
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(d) => {
            matches!(d.kind(), sqlx::error::ErrorKind::UniqueViolation)
                || d.code().as_deref() == Some("23505")
                || d.message().contains("UNIQUE constraint failed")
        }
        _ => false,
    }
}
