//! The session cookie: its name (with the `__Host-` prefix under TLS), reading it from a
//! request and writing the `Set-Cookie` that opens or clears it. REST and server functions share it.

use crate::actor::NewSession;

/// The session cookie's name over plain http.
pub const SESSION_COOKIE: &str = "meshenv_session";
/// Its name under TLS: the `__Host-` prefix makes the browser refuse it unless it is Secure,
/// for this host only and for the whole site, so a sibling domain cannot plant one.
pub const SECURE_SESSION_COOKIE: &str = "__Host-meshenv_session";

pub fn session_cookie_name(secure: bool) -> &'static str {
    if secure {
        SECURE_SESSION_COOKIE
    } else {
        SESSION_COOKIE
    }
}

/// Reads the session cookie (the name that fits the connection) out of a request's headers.
pub fn session_from_headers(headers: &http::HeaderMap, secure: bool) -> Option<String> {
    cookie_from_headers(headers, session_cookie_name(secure))
}

/// Reads a cookie's value out of a request's headers; an empty one counts as absent.
pub fn cookie_from_headers(headers: &http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
        .filter(|v| !v.is_empty())
}

/// The Set-Cookie value that opens (or, with `None`, clears) a session.
pub fn session_cookie(session: Option<&NewSession>, secure: bool) -> String {
    let (value, max_age) = match session {
        Some(s) => (s.secret.as_str(), s.max_age_secs),
        None => ("", 0),
    };
    let name = session_cookie_name(secure);
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_session_cookie_among_others() {
        let mut h = http::HeaderMap::new();
        h.insert(
            http::header::COOKIE,
            "a=1; meshenv_session=abc; b=2".parse().unwrap(),
        );
        assert_eq!(session_from_headers(&h, false).as_deref(), Some("abc"));
        // under TLS only the __Host- cookie counts
        assert_eq!(session_from_headers(&h, true), None);
        h.insert(
            http::header::COOKIE,
            "__Host-meshenv_session=xyz".parse().unwrap(),
        );
        assert_eq!(session_from_headers(&h, true).as_deref(), Some("xyz"));
        h.insert(http::header::COOKIE, "meshenv_session=".parse().unwrap());
        assert_eq!(session_from_headers(&h, false), None);
    }

    #[test]
    fn cookie_is_httponly_lax_and_secure_under_tls() {
        let s = NewSession {
            secret: "x".into(),
            max_age_secs: 60,
        };
        let c = session_cookie(Some(&s), true);
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && c.ends_with("Secure"));
        assert!(c.starts_with("__Host-meshenv_session=x; Path=/;"));
        assert!(!session_cookie(Some(&s), false).contains("Secure"));
        assert!(session_cookie(None, false).contains("Max-Age=0"));
    }
}
