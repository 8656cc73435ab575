//! Who is asking: the caller every service operation is given, as the HTTP layer or a server
//! function established it (a session or an API token), and the reason they gave.

use model::error::{ApiError, ErrorCode};
use model::user::Me;
use uuid::Uuid;

/// Who is asking, and how they proved it.
#[derive(Clone, Debug)]
pub struct Actor {
    pub user: Me,
    /// The API token used, when the request came with one rather than a session.
    pub token_id: Option<Uuid>,
    /// The public id of the session used, when the request came with one.
    pub session_id: Option<String>,
    /// Why the change is made, from `X-Meshenv-Reason`; kept with audit events.
    pub reason: Option<String>,
}

/// A new session: the cookie value to hand the browser and when it stops working.
#[derive(Clone, Debug)]
pub struct NewSession {
    pub secret: String,
    pub max_age_secs: i64,
}

/// The most characters of an `X-Meshenv-Reason` (or a form's reason) kept with audit events.
pub const REASON_MAX: usize = 500;

/// What a request asks of the service, as far as a one-time password is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    /// Who am I (`GET /api/me`, the UI's layout).
    WhoAmI,
    /// Changing one's own password.
    ChangePassword,
    /// Listing and ending one's own sessions.
    OwnSessions,
    /// Anything else.
    Other,
}

impl Operation {
    /// The operation of a REST path (with or without the `/api` prefix).
    pub fn of_path(path: &str) -> Operation {
        let path = path.strip_prefix("/api").unwrap_or(path);
        match path {
            "/me" => Operation::WhoAmI,
            "/me/password" => Operation::ChangePassword,
            "/me/sessions" => Operation::OwnSessions,
            p if p.starts_with("/me/sessions/") => Operation::OwnSessions,
            _ => Operation::Other,
        }
    }
}

impl Actor {
    /// Someone on a one-time password may do nothing but change it, see who they are and look
    /// after their own sessions: the one place that decides, for REST and server functions.
    pub fn may(&self, operation: Operation) -> Result<(), ApiError> {
        if self.user.must_change_password && operation == Operation::Other {
            return Err(ApiError::new(
                ErrorCode::PasswordChangeRequired,
                "change the one-time password you were given first (PUT /api/me/password, or the profile page)",
            ));
        }
        Ok(())
    }

    /// Keeps the reason given for a change (trimmed, at most `REASON_MAX` characters).
    pub fn with_reason(mut self, reason: Option<&str>) -> Actor {
        self.reason = reason
            .map(|r| r.trim().chars().take(REASON_MAX).collect::<String>())
            .filter(|r| !r.is_empty());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::Operation;

    #[test]
    fn self_service_paths_are_named() {
        assert_eq!(Operation::of_path("/api/me"), Operation::WhoAmI);
        assert_eq!(
            Operation::of_path("/me/password"),
            Operation::ChangePassword
        );
        assert_eq!(
            Operation::of_path("/api/me/sessions/abc"),
            Operation::OwnSessions
        );
        assert_eq!(Operation::of_path("/api/environments"), Operation::Other);
        assert_eq!(Operation::of_path("/api/users/me"), Operation::Other);
    }
}
