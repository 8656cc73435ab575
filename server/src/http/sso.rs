//! Single sign-on's two browser stops: `/auth/oidc/{provider}/start` sends the browser to the
//! provider, `/auth/oidc/{provider}/callback` takes it back, opens the session and lands on the
//! page it set out for. A refusal lands on the sign-in page, which says why.

use super::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use model::sso::Refusal;
use service::client::ClientInfo;
use service::cookie::{cookie_from_headers, session_cookie};
use service::sso::{Callback, FLOW_COOKIE, FLOW_TTL};
use std::collections::HashMap;

/// `See Other` to `location`, with these cookies.
fn see_other(location: &str, cookies: &[String]) -> Response {
    let mut r = StatusCode::SEE_OTHER.into_response();
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(location) {
        h.insert(header::LOCATION, v);
    }
    for c in cookies {
        if let Ok(v) = HeaderValue::from_str(c) {
            h.append(header::SET_COOKIE, v);
        }
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// The flow cookie: the state of the sign-in this browser started, for the callback only.
fn flow_cookie(provider: &str, state: Option<&str>, secure: bool) -> String {
    let (value, age) = match state {
        Some(s) => (s, FLOW_TTL.as_secs()),
        None => ("", 0),
    };
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{FLOW_COOKIE}={value}; Path=/auth/oidc/{provider}/callback; HttpOnly; SameSite=Lax; Max-Age={age}{secure}"
    )
}

fn refused(r: Refusal, provider: &str, cookies: &[String]) -> Response {
    // The provider's name comes from the path: encoded, whatever it holds.
    let provider: String = url::form_urlencoded::byte_serialize(provider.as_bytes()).collect();
    see_other(
        &format!("/login?sso_error={}&provider={provider}", r.code()),
        cookies,
    )
}

pub async fn start(
    State(state): State<AppState>,
    Path(provider): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    Extension(client): Extension<ClientInfo>,
) -> Response {
    match state
        .service
        .start_sign_in(&provider, q.get("next").map(String::as_str), &client)
        .await
    {
        Ok(started) => see_other(
            &started.redirect,
            &[flow_cookie(&provider, Some(&started.state), client.secure)],
        ),
        Err(e) => {
            tracing::warn!(provider, refusal = e.refusal.code(), detail = %e.detail, "single sign-on could not start");
            refused(e.refusal, &provider, &[])
        }
    }
}

pub async fn callback(
    State(state): State<AppState>,
    Path(provider): Path<String>,
    Query(q): Query<Callback>,
    headers: HeaderMap,
    Extension(client): Extension<ClientInfo>,
) -> Response {
    let browser_state = cookie_from_headers(&headers, FLOW_COOKIE);
    // The flow cookie has done its work once its state came back (whatever the outcome); a
    // callback with another state leaves it for the real one.
    let clear: Vec<String> = if browser_state.is_some() && browser_state == q.state {
        vec![flow_cookie(&provider, None, client.secure)]
    } else {
        Vec::new()
    };
    match state
        .service
        .finish_sign_in(&provider, &q, browser_state.as_deref(), &client)
        .await
    {
        Ok(done) => {
            let mut cookies = clear;
            cookies.push(session_cookie(Some(&done.session), client.secure));
            see_other(&done.next, &cookies)
        }
        Err(e) => refused(e.refusal, &provider, &clear),
    }
}
