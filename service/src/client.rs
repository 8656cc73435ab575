//! Who is on the other end of a request, as the HTTP layer established it (peer address or a
//! trusted proxy's forwarded one, TLS); sign-in throttling and the session list read it.

use ipnet::IpNet;
use std::net::IpAddr;

/// Who is on the other end of a request, as the HTTP layer established it.
#[derive(Clone, Debug, Default)]
pub struct ClientInfo {
    /// The peer's address, or the forwarded client address when the peer is a trusted proxy.
    pub addr: Option<String>,
    pub user_agent: Option<String>,
    /// Reached over TLS, directly or through a trusted proxy that says so.
    pub secure: bool,
}

impl ClientInfo {
    /// The part of the client's address that sign-in throttles count by: an IPv4 address, or
    /// the /64 network of an IPv6 one. One host is handed a whole /64, so counting its
    /// addresses one by one would let it step around every limit.
    pub fn throttle_addr(&self) -> Option<String> {
        self.addr.as_deref().map(|a| match a.parse::<IpAddr>() {
            Ok(ip) => match ip.to_canonical() {
                IpAddr::V6(v6) => {
                    let net = std::net::Ipv6Addr::from(u128::from(v6) & !(u128::from(u64::MAX)));
                    format!("{net}/64")
                }
                v4 => v4.to_string(),
            },
            Err(_) => a.to_string(),
        })
    }
}

/// The proxies whose forwarding headers are believed (MESHENV_TRUSTED_PROXIES).
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(pub Vec<IpNet>);

impl TrustedProxies {
    pub fn trusts(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|n| n.contains(&ip))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(addr: &str) -> Option<String> {
        ClientInfo {
            addr: Some(addr.into()),
            ..Default::default()
        }
        .throttle_addr()
    }

    #[test]
    fn an_ipv6_host_is_counted_by_its_64() {
        assert_eq!(
            key("2001:db8:1:2:aaaa::1").as_deref(),
            Some("2001:db8:1:2::/64")
        );
        assert_eq!(
            key("2001:db8:1:2:ffff:ffff:ffff:ffff"),
            key("2001:db8:1:2::9")
        );
        assert_ne!(key("2001:db8:1:3::1"), key("2001:db8:1:2::1"));
        assert_eq!(key("203.0.113.7").as_deref(), Some("203.0.113.7"));
        // an IPv4 client seen through an IPv6 socket is still that IPv4 address
        assert_eq!(key("::ffff:203.0.113.7").as_deref(), Some("203.0.113.7"));
        assert_eq!(key("not an address").as_deref(), Some("not an address"));
        let none = ClientInfo::default();
        assert_eq!(none.throttle_addr(), None);
    }
}
