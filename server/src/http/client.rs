//! Who is on the other end: the peer address, or, only when the peer is a trusted proxy
//! (MESHENV_TRUSTED_PROXIES), the client address it forwards and the scheme it says the client
//! used. Everything downstream (sign-in throttling, the session list, the cookie's `Secure`
//! and `__Host-` prefix, HSTS) reads the `ClientInfo` this puts on the request.

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, Uri};
use axum::middleware::Next;
use axum::response::Response;
use service::client::{ClientInfo, TrustedProxies};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// The client of a request that came from `peer`.
pub fn client_of(
    peer: Option<IpAddr>,
    headers: &HeaderMap,
    uri: &Uri,
    proxies: &TrustedProxies,
) -> ClientInfo {
    let via_proxy = peer.is_some_and(|p| proxies.trusts(p));
    let mut addr = peer.map(|p| p.to_canonical());
    if via_proxy {
        // The right-most address that is not one of our proxies is the one the outermost
        // trusted proxy saw; anything left of it the client could have written itself.
        let forwarded = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect::<Vec<_>>();
        if let Some(ip) = forwarded
            .iter()
            .rev()
            .filter_map(|s| s.parse::<IpAddr>().ok())
            .find(|ip| !proxies.trusts(*ip))
        {
            addr = Some(ip.to_canonical());
        }
    }
    let forwarded_https = via_proxy
        && headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"));
    ClientInfo {
        addr: addr.map(|a| a.to_string()),
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        secure: uri.scheme_str() == Some("https") || forwarded_https,
    }
}

pub async fn client_info(
    State(proxies): State<Arc<TrustedProxies>>,
    mut req: Request,
    next: Next,
) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let info = client_of(peer, req.headers(), req.uri(), &proxies);
    req.extensions_mut().insert(info);
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        h
    }

    #[test]
    fn forwarding_headers_count_only_from_trusted_proxies() {
        let proxies = TrustedProxies(service::egress::parse_cidrs("10.0.0.0/8").unwrap());
        let uri: Uri = "/".parse().unwrap();
        let h = headers(&[
            ("x-forwarded-for", "6.6.6.6, 203.0.113.9, 10.0.0.7"),
            ("x-forwarded-proto", "https"),
        ]);
        let via = client_of(Some("10.0.0.2".parse().unwrap()), &h, &uri, &proxies);
        assert_eq!(via.addr.as_deref(), Some("203.0.113.9"));
        assert!(via.secure);
        let direct = client_of(Some("198.51.100.4".parse().unwrap()), &h, &uri, &proxies);
        assert_eq!(direct.addr.as_deref(), Some("198.51.100.4"));
        assert!(!direct.secure);
        let none = client_of(None, &h, &uri, &TrustedProxies::default());
        assert_eq!((none.addr, none.secure), (None, false));
    }
}
