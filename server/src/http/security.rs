//! Cross-site request forgery protection and security headers.

use app::backend::session_from_headers;
use app::error::{ApiError, ErrorCode};
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::HttpError;

/// A state-changing request that rides on the session cookie must come from our own pages:
/// the browser's `Sec-Fetch-Site` must say same-origin, or `Origin` must match `Host`.
/// Requests with a Bearer token carry no ambient authority and are not checked.
pub fn cross_site(method: &Method, headers: &HeaderMap) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return false;
    }
    if headers.contains_key(header::AUTHORIZATION) || session_from_headers(headers).is_none() {
        return false;
    }
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return !matches!(site, "same-origin" | "none");
    }
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let host = headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let origin_host = origin.split_once("://").map(|(_, h)| h).unwrap_or("");
        return origin == "null" || !origin_host.eq_ignore_ascii_case(host);
    }
    false
}

pub async fn csrf(req: Request, next: Next) -> Response {
    if cross_site(req.method(), req.headers()) {
        tracing::warn!(path = %req.uri().path(), "cross-site request with a session cookie refused");
        return HttpError(ApiError::new(
            ErrorCode::CsrfRejected,
            "cross-site request refused: send changes from meshenv's own pages, or use an API token",
        ))
        .into_response();
    }
    next.run(req).await
}

/// The Content-Security-Policy: only our own scripts (plus the WebAssembly they compile), styles
/// and connections, and never inside a frame.
pub const CSP: &str = "default-src 'self'; script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'; \
style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self' ws://127.0.0.1:3001 ws://localhost:3001; \
frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";

pub async fn headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut m = HeaderMap::new();
        for (k, v) in pairs {
            m.insert(
                axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        m
    }

    #[test]
    fn cookie_posts_from_other_sites_are_refused() {
        let cookie = ("cookie", "meshenv_session=abc");
        assert!(cross_site(
            &Method::POST,
            &h(&[cookie, ("sec-fetch-site", "cross-site")])
        ));
        assert!(cross_site(
            &Method::POST,
            &h(&[
                cookie,
                ("origin", "https://evil.example"),
                ("host", "meshenv:3000")
            ])
        ));
        assert!(!cross_site(
            &Method::POST,
            &h(&[cookie, ("sec-fetch-site", "same-origin")])
        ));
        assert!(!cross_site(
            &Method::POST,
            &h(&[
                cookie,
                ("origin", "http://meshenv:3000"),
                ("host", "meshenv:3000")
            ])
        ));
        // reads, token callers and cookie-less requests are not at risk
        assert!(!cross_site(
            &Method::GET,
            &h(&[cookie, ("sec-fetch-site", "cross-site")])
        ));
        assert!(!cross_site(
            &Method::POST,
            &h(&[
                cookie,
                ("authorization", "Bearer x"),
                ("sec-fetch-site", "cross-site")
            ])
        ));
        assert!(!cross_site(
            &Method::POST,
            &h(&[("sec-fetch-site", "cross-site")])
        ));
    }
}
