use leptos::prelude::*;
use model::error::ApiError;
use model::user::Me;
#[cfg(feature = "ssr")]
use service::actor::Operation;

/// The signed-in user, or `None` for a visitor.
#[server(prefix = "/fn", endpoint = "me")]
pub async fn get_me() -> Result<Option<Me>, ApiError> {
    super::ctx::respond(async move {
        use super::ctx;
        match ctx::actor_for(Operation::WhoAmI).await {
            Ok((_, actor)) => Ok(Some(actor.user)),
            Err(e) if e.code == model::error::ErrorCode::Unauthorized => Ok(None),
            Err(e) => Err(e),
        }
    })
    .await
}

/// Signs in and sets the session cookie, then sends the browser on to `next` (a local path).
#[server(prefix = "/fn", endpoint = "sign_in")]
pub async fn sign_in(
    login: String,
    password: String,
    next: Option<String>,
) -> Result<(), ApiError> {
    super::ctx::respond(async move {
        use super::ctx;
        use service::cookie::session_cookie;
        let service = ctx::service()?;
        let client = ctx::client();
        let session = service.sign_in(&login, &password, &client).await?;
        let response = expect_context::<leptos_axum::ResponseOptions>();
        let cookie = session_cookie(Some(&session), client.secure);
        response.append_header(
            http::header::SET_COOKIE,
            http::HeaderValue::from_str(&cookie).map_err(|_| ApiError::internal())?,
        );
        leptos_axum::redirect(&crate::pages::safe_next(next.as_deref()));
        Ok(())
    })
    .await
}

#[server(prefix = "/fn", endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), ApiError> {
    super::ctx::respond(async move {
        use super::ctx;
        use service::cookie::{session_cookie, session_from_headers};
        let service = ctx::service()?;
        let parts = ctx::parts()?;
        let client = ctx::client();
        // A session opened through an identity provider that offers a logout ends there too.
        let mut next = None;
        if let Some(secret) = session_from_headers(&parts.headers, client.secure) {
            next = service.sign_out(&secret).await?;
        }
        let response = expect_context::<leptos_axum::ResponseOptions>();
        let cookie = session_cookie(None, client.secure);
        response.append_header(
            http::header::SET_COOKIE,
            http::HeaderValue::from_str(&cookie).map_err(|_| ApiError::internal())?,
        );
        leptos_axum::redirect(next.as_deref().unwrap_or("/login"));
        Ok(())
    })
    .await
}

/// How people may sign in: the identity providers to offer, and whether the password form is on.
#[server(prefix = "/fn", endpoint = "sign_in_options")]
pub async fn sign_in_options() -> Result<model::sso::SignInOptions, ApiError> {
    super::ctx::respond(async move { Ok(super::ctx::service()?.sign_in_options()) }).await
}

/// The signed-in user's sessions, this one marked `current`.
#[server(prefix = "/fn", endpoint = "sessions/list")]
pub async fn list_sessions() -> Result<Vec<model::user::SessionInfo>, ApiError> {
    super::ctx::respond(async move {
        let (service, actor) = super::ctx::actor_for(Operation::OwnSessions).await?;
        service.list_sessions(&actor).await
    })
    .await
}

/// Ends one session of the signed-in user (another browser, say).
#[server(prefix = "/fn", endpoint = "sessions/end")]
pub async fn end_session(id: String) -> Result<(), ApiError> {
    super::ctx::respond(async move {
        let (service, actor) = super::ctx::actor_for(Operation::OwnSessions).await?;
        service.end_session(&actor, &id).await
    })
    .await
}

/// Ends every session of the signed-in user, this one too, and sends the browser to sign in.
#[server(prefix = "/fn", endpoint = "sessions/end_all")]
pub async fn end_all_sessions() -> Result<(), ApiError> {
    super::ctx::respond(async move {
        use service::cookie::session_cookie;
        let (service, actor) = super::ctx::actor_for(Operation::OwnSessions).await?;
        service.end_all_sessions(&actor).await?;
        let response = expect_context::<leptos_axum::ResponseOptions>();
        let cookie = session_cookie(None, super::ctx::client().secure);
        response.append_header(
            http::header::SET_COOKIE,
            http::HeaderValue::from_str(&cookie).map_err(|_| ApiError::internal())?,
        );
        Ok(())
    })
    .await
}
