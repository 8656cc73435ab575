//! Where meshenv's own outbound requests (health probes) may go: an egress policy over the
//! address actually connected to, checked after DNS resolution so that a name cannot be
//! re-pointed between the check and the connection, and the URL parts a credential's scope is
//! judged on.

use ipnet::IpNet;
use model::credential::Credential;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// Cloud metadata services and link-local addresses: never a cluster, always a way to read a
/// cloud's instance credentials. Also the unspecified addresses, which reach the host itself.
pub const DEFAULT_DENY: &[&str] = &[
    "169.254.0.0/16",
    "fe80::/10",
    "fd00:ec2::254/128",
    "0.0.0.0/8",
    "::/128",
];

/// The policy: `deny` always wins; with an `allow` list, only its ranges are reachable;
/// without one, everything but the default deny list is (loopback and private ranges included,
/// since self-hosted clusters live there).
#[derive(Clone, Debug, Default)]
pub struct EgressPolicy {
    pub allow: Vec<IpNet>,
    pub deny: Vec<IpNet>,
}

/// Why a probe was not sent; its message is what `last_error` records.
#[derive(Debug)]
pub struct Blocked(pub String);

impl std::fmt::Display for Blocked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "blocked by the egress policy ({})", self.0)
    }
}

impl std::error::Error for Blocked {}

/// Parses a list of CIDR ranges or bare addresses, separated by commas or spaces.
pub fn parse_cidrs(text: &str) -> Result<Vec<IpNet>, String> {
    text.split([',', ' ', '\n', '\t'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<IpNet>()
                .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| {
                    format!("'{s}' is not an address range such as 10.0.0.0/8 or fd00::/8")
                })
        })
        .collect()
}

impl EgressPolicy {
    /// From MESHENV_PROBE_ALLOW and MESHENV_PROBE_DENY (either may be empty).
    pub fn from_lists(allow: &str, deny: &str) -> Result<EgressPolicy, String> {
        Ok(EgressPolicy {
            allow: parse_cidrs(allow).map_err(|e| format!("probe allow list: {e}"))?,
            deny: parse_cidrs(deny).map_err(|e| format!("probe deny list: {e}"))?,
        })
    }

    pub fn check(&self, ip: IpAddr) -> Result<(), Blocked> {
        // ::ffff:169.254.169.254 is 169.254.169.254.
        let ip = ip.to_canonical();
        if let Some(net) = self.deny.iter().find(|n| n.contains(&ip)) {
            return Err(Blocked(format!("{ip} is in the denied range {net}")));
        }
        if !self.allow.is_empty() {
            return match self.allow.iter().any(|n| n.contains(&ip)) {
                true => Ok(()),
                false => Err(Blocked(format!("{ip} is not in an allowed range"))),
            };
        }
        let default = DEFAULT_DENY
            .iter()
            .filter_map(|d| d.parse::<IpNet>().ok())
            .find(|n| n.contains(&ip));
        match default {
            Some(net) => Err(Blocked(format!(
                "{ip} is in {net}, denied unless MESHENV_PROBE_ALLOW names it"
            ))),
            None => Ok(()),
        }
    }

    /// The host of a URL, if it is an address rather than a name (names are checked by
    /// [`PolicyResolver`] when they resolve).
    pub fn check_url(&self, url: &reqwest::Url) -> Result<(), Blocked> {
        match url.host() {
            Some(url::Host::Ipv4(a)) => self.check(IpAddr::V4(a)),
            Some(url::Host::Ipv6(a)) => self.check(IpAddr::V6(a)),
            _ => Ok(()),
        }
    }
}

/// A DNS resolver that hands the HTTP client only the addresses the policy allows, so the
/// address checked is the address connected to.
pub struct PolicyResolver(pub Arc<EgressPolicy>);

impl reqwest::dns::Resolve for PolicyResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let policy = self.0.clone();
        let host = name.as_str().to_string();
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let mut refused = None;
            let allowed: Vec<SocketAddr> = found
                .into_iter()
                .filter(|a| match policy.check(a.ip()) {
                    Ok(()) => true,
                    Err(b) => {
                        refused.get_or_insert(b);
                        false
                    }
                })
                .collect();
            if allowed.is_empty() {
                let why = refused.unwrap_or_else(|| Blocked(format!("{host} has no address")));
                return Err(Box::new(Blocked(format!("{host}: {}", why.0))) as _);
            }
            Ok(Box::new(allowed.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// A URL's scheme, host (lower case, IPv6 in brackets) and effective port, as the HTTP client
/// will see them: the client's own parser, so the check and the request cannot disagree.
pub fn url_parts(url: &str) -> Result<(String, String, Option<u16>), String> {
    let u = reqwest::Url::parse(url.trim()).map_err(|e| format!("'{url}' is not a URL: {e}"))?;
    let host = u
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or_else(|| format!("'{url}' names no host"))?;
    Ok((
        u.scheme().to_string(),
        host.to_string(),
        u.port_or_known_default(),
    ))
}

/// Whether a credential may be sent to `url`; an empty URL sends it nowhere.
pub fn credential_allows(c: &Credential, url: &str) -> Result<(), String> {
    if url.trim().is_empty() {
        return Ok(());
    }
    let (scheme, host, port) = url_parts(url)?;
    c.scope().permits(&scheme, &host, port)
}

/// The scope that covers exactly these URLs: each one's host and port, and plain http if any
/// of them speaks it. For credentials made before scopes existed.
pub fn scope_of_urls<'a>(urls: impl Iterator<Item = &'a str>) -> (Vec<String>, bool) {
    let mut hosts: Vec<String> = Vec::new();
    let mut http = false;
    for u in urls {
        let Ok((scheme, host, port)) = url_parts(u) else {
            continue;
        };
        http |= scheme == "http";
        let pattern = match port {
            Some(p) => format!("{host}:{p}"),
            None => host,
        };
        if !hosts.contains(&pattern) {
            hosts.push(pattern);
        }
    }
    (hosts, http)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn metadata_and_link_local_are_denied_by_default() {
        let p = EgressPolicy::default();
        for bad in [
            "169.254.169.254",
            "fe80::1",
            "fd00:ec2::254",
            "0.0.0.0",
            "::",
            "::ffff:169.254.169.254",
        ] {
            let e = p.check(ip(bad)).unwrap_err().to_string();
            assert!(e.starts_with("blocked by the egress policy ("), "{e}");
        }
        for ok in [
            "127.0.0.1",
            "10.1.2.3",
            "192.168.0.10",
            "::1",
            "203.0.113.7",
        ] {
            assert!(p.check(ip(ok)).is_ok(), "{ok}");
        }
    }

    #[test]
    fn deny_wins_and_allow_narrows() {
        let p = EgressPolicy::from_lists("10.0.0.0/8, 169.254.169.254", "10.9.0.0/16").unwrap();
        assert!(p.check(ip("10.1.0.1")).is_ok());
        assert!(p.check(ip("10.9.0.1")).is_err());
        assert!(p.check(ip("127.0.0.1")).is_err());
        // named in the allow list, so the default deny gives way
        assert!(p.check(ip("169.254.169.254")).is_ok());
        assert!(EgressPolicy::from_lists("", "nonsense").is_err());
        let d = EgressPolicy::from_lists("", "127.0.0.2/32").unwrap();
        assert!(d.check(ip("127.0.0.2")).is_err());
        assert!(d.check(ip("127.0.0.1")).is_ok());
    }

    #[test]
    fn address_urls_are_checked_before_any_lookup() {
        let p = EgressPolicy::default();
        let u = |s: &str| reqwest::Url::parse(s).unwrap();
        assert!(p.check_url(&u("http://169.254.169.254/latest")).is_err());
        assert!(p.check_url(&u("http://[fe80::1]:80/")).is_err());
        assert!(p.check_url(&u("http://metadata.internal/")).is_ok());
    }

    #[test]
    fn old_credentials_get_the_hosts_they_use() {
        let (hosts, http) = scope_of_urls(
            [
                "https://K8S.example.com:6443",
                "https://k8s.example.com:6443/x",
                "http://10.0.0.1",
                "not a url",
            ]
            .into_iter(),
        );
        assert_eq!(hosts, ["k8s.example.com:6443", "10.0.0.1:80"]);
        assert!(http);
    }
}
