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

/// The proxies whose forwarding headers are believed (MESHENV_TRUSTED_PROXIES).
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(pub Vec<IpNet>);

impl TrustedProxies {
    pub fn trusts(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|n| n.contains(&ip))
    }
}
