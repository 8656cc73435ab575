//! Cross-site request forgery protection and security headers.

use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use model::error::{ApiError, ErrorCode};

/// A state-changing request from a browser must come from our own pages: the browser's
/// `Sec-Fetch-Site` must say same-origin, or `Origin` must match `Host`. That holds without a
/// session cookie too, so another site cannot sign a visitor in to an account of its choosing
/// (login CSRF). Requests with a Bearer token carry no ambient authority and are not checked;
/// neither are those without either header (scripts, not browsers).
pub fn cross_site(method: &Method, headers: &HeaderMap) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return false;
    }
    if headers.contains_key(header::AUTHORIZATION) {
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
        return ApiError::new(
            ErrorCode::CsrfRejected,
            "cross-site request refused: send changes from meshenv's own pages, or use an API token",
        )
        .into_response();
    }
    next.run(req).await
}

/// The Content-Security-Policy: only our own scripts (plus the WebAssembly they compile), styles
/// and connections, and never inside a frame. A page's inline scripts (hydration, resources)
/// run only with that page's `nonce`; there is no 'unsafe-inline' for scripts. Development
/// builds also allow cargo-leptos's reload websocket on `reload_port`.
pub fn csp(nonce: Option<&str>, reload_port: Option<u32>) -> String {
    let nonce = nonce.map(|n| format!(" 'nonce-{n}'")).unwrap_or_default();
    let reload = match reload_port {
        Some(p) if cfg!(debug_assertions) => format!(" ws://127.0.0.1:{p} ws://localhost:{p}"),
        _ => String::new(),
    };
    format!(
        "default-src 'self'; script-src 'self'{nonce} 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'{reload}; \
         frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"
    )
}

/// HSTS for a year, sent only over TLS (browsers ignore it on plain http anyway).
const HSTS: &str = "max-age=31536000; includeSubDomains";

pub async fn headers(req: Request, next: Next) -> Response {
    let secure = req
        .extensions()
        .get::<service::client::ClientInfo>()
        .is_some_and(|c| c.secure);
    let asset = req.uri().path().starts_with("/pkg/") || req.uri().path() == "/favicon.ico";
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    // Pages set their own, with their nonce.
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        if let Ok(v) = HeaderValue::from_str(&csp(None, None)) {
            h.insert(header::CONTENT_SECURITY_POLICY, v);
        }
    }
    if secure {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    // Pages and API answers are one user's data, and some carry a one-time password or a
    // new token: no cache keeps them. Only the built assets may be cached.
    if !asset && !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
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
        // a cross-site sign-in form post is refused too (login CSRF)
        assert!(cross_site(
            &Method::POST,
            &h(&[("sec-fetch-site", "cross-site")])
        ));
        // reads and token callers are not at risk
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
        assert!(!cross_site(&Method::POST, &h(&[])));
    }

    #[test]
    fn scripts_need_the_nonce() {
        let c = csp(Some("abc"), Some(3001));
        assert!(c.contains("script-src 'self' 'nonce-abc' 'wasm-unsafe-eval';"));
        assert!(!c.contains("unsafe-inline' 'wasm"));
        let script_src = c.split(';').find(|d| d.contains("script-src")).unwrap();
        assert!(!script_src.contains("unsafe-inline"));
        assert_eq!(
            c.contains("ws://127.0.0.1:3001"),
            cfg!(debug_assertions),
            "the reload socket is for development builds only"
        );
    }
}
