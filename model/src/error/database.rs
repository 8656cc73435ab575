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
