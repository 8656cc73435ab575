use crate::error::ApiError;
use crate::model::user::Me;
use leptos::prelude::*;

/// The signed-in user, or `None` for a visitor.
#[server(prefix = "/fn", endpoint = "me")]
pub async fn get_me() -> Result<Option<Me>, ApiError> {
    super::ctx::respond(async move {
        use super::ctx;
        match ctx::signed_in().await {
            Ok((_, actor)) => Ok(Some(actor.user)),
            Err(e) if e.code == crate::error::ErrorCode::Unauthorized => Ok(None),
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
        use crate::backend::{is_secure, session_cookie};
        let backend = ctx::backend()?;
        let parts = ctx::parts()?;
        let session = backend.sign_in(&login, &password).await?;
        let response = expect_context::<leptos_axum::ResponseOptions>();
        let cookie = session_cookie(Some(&session), is_secure(&parts.headers, &parts.uri));
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
        use crate::backend::{is_secure, session_cookie, session_from_headers};
        let backend = ctx::backend()?;
        let parts = ctx::parts()?;
        if let Some(secret) = session_from_headers(&parts.headers) {
            backend.sign_out(&secret).await?;
        }
        let response = expect_context::<leptos_axum::ResponseOptions>();
        let cookie = session_cookie(None, is_secure(&parts.headers, &parts.uri));
        response.append_header(
            http::header::SET_COOKIE,
            http::HeaderValue::from_str(&cookie).map_err(|_| ApiError::internal())?,
        );
        leptos_axum::redirect("/login");
        Ok(())
    })
    .await
}
