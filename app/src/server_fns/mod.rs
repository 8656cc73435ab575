//! Server functions: the browser's calls into the service layer. Each one is thin: it finds out
//! who is asking (the session cookie) and calls the service layer, which holds every rule. They live under `/fn/`,
//! apart from the REST API under `/api/`.

pub mod assignments;
pub mod audit;
pub mod auth;
pub mod connections;
pub mod environments;
pub mod teams;
pub mod tokens;
pub mod users;
pub mod workspaces;

#[cfg(feature = "ssr")]
pub(crate) mod ctx {
    use leptos::prelude::use_context;
    use model::error::ApiError;
    use service::actor::{Actor, Operation};
    use service::cookie::session_from_headers;
    use service::Service;
    use std::sync::Arc;

    /// The service layer, which the server puts in every server function's context.
    pub fn service() -> Result<Arc<Service>, ApiError> {
        use_context::<Arc<Service>>().ok_or_else(ApiError::internal)
    }

    pub fn parts() -> Result<http::request::Parts, ApiError> {
        use_context::<http::request::Parts>().ok_or_else(ApiError::internal)
    }

    /// The client as the server's HTTP layer established it (address, TLS).
    pub fn client() -> service::client::ClientInfo {
        parts()
            .ok()
            .and_then(|p| p.extensions.get::<service::client::ClientInfo>().cloned())
            .unwrap_or_default()
    }

    /// The service and the signed-in caller; 401 without a valid session, 403 while they are
    /// still on a one-time password.
    pub async fn actor() -> Result<(Arc<Service>, Actor), ApiError> {
        actor_for(Operation::Other).await
    }

    /// As `actor`, for an operation that someone on a one-time password may be allowed
    /// (`Actor::may` decides).
    pub async fn actor_for(operation: Operation) -> Result<(Arc<Service>, Actor), ApiError> {
        let service = service()?;
        let secret = session_from_headers(&parts()?.headers, client().secure)
            .ok_or_else(ApiError::unauthorized)?;
        let actor = service.actor_from_session(&secret).await?;
        actor.may(operation)?;
        Ok((service, actor))
    }

    /// As `actor`, with the reason the form gave for the change (kept in the audit log).
    pub async fn actor_with_reason(
        reason: Option<String>,
    ) -> Result<(Arc<Service>, Actor), ApiError> {
        let (service, actor) = actor().await?;
        Ok((service, actor.with_reason(reason.as_deref())))
    }

    /// Runs a server function's body and answers a failure with the status its code implies
    /// (a taken name is a 409, not a 500). Plain form posts keep the redirect back to the form,
    /// which carries the error in its URL.
    pub async fn respond<T>(
        body: impl std::future::Future<Output = Result<T, ApiError>>,
    ) -> Result<T, ApiError> {
        let result = body.await;
        if let Err(e) = &result {
            if !is_form_post() {
                if let (Some(res), Ok(status)) = (
                    use_context::<leptos_axum::ResponseOptions>(),
                    http::StatusCode::from_u16(e.status()),
                ) {
                    res.set_status(status);
                    if let Some(secs) = e.retry_after {
                        res.insert_header(http::header::RETRY_AFTER, secs.into());
                    }
                }
            }
        }
        result
    }

    /// True for a plain HTML form post (no JavaScript yet): such callers get a redirect to a
    /// page instead of data.
    pub fn is_form_post() -> bool {
        parts()
            .ok()
            .and_then(|p| {
                p.headers
                    .get(http::header::ACCEPT)
                    .and_then(|v| v.to_str().ok())
                    .map(|v| v.contains("text/html"))
            })
            .unwrap_or(false)
    }
}
