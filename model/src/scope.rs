//! Where a credential's secret may be sent: a list of host patterns and whether plain `http`
//! is allowed. The scope is set together with the secret, so nobody can widen where an existing
//! secret goes without knowing it; every use of the secret checks the address against it.
//!
//! Patterns: `api.example.com` (that host), `*.example.com` (any host below example.com, not
//! example.com itself), an IPv4 address, or an IPv6 address in brackets; each optionally with
//! `:port`. Without a port, any port of the host matches.

use serde::{Deserialize, Serialize};

/// Most host patterns a credential may list.
pub const HOSTS_MAX: usize = 32;
const HOST_MAX: usize = 253;

/// One parsed host pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostPattern {
    /// `*.` prefix: any host strictly below `host`.
    pub wildcard: bool,
    /// Lower-case; IPv6 addresses keep their brackets, as URLs write them.
    pub host: String,
    pub port: Option<u16>,
}

impl HostPattern {
    pub fn parse(raw: &str) -> Result<HostPattern, String> {
        let s = raw.trim().to_ascii_lowercase();
        if s.is_empty() {
            return Err("a host pattern cannot be empty".into());
        }
        if s.contains("://") || s.contains('/') || s.contains('@') {
            return Err(format!(
                "'{raw}' is not a host: write only the host and optional port, e.g. k8s.example.com:6443"
            ));
        }
        let (host, port) = split_port(&s)
            .ok_or_else(|| format!("'{raw}' has a port that is not a number from 1 to 65535"))?;
        let (wildcard, name) = match host.strip_prefix("*.") {
            Some(rest) => (true, rest),
            None => (false, host),
        };
        let ok = if let Some(inner) = name.strip_prefix('[').and_then(|n| n.strip_suffix(']')) {
            !wildcard && inner.parse::<std::net::Ipv6Addr>().is_ok()
        } else {
            is_dns_name(name) && !(wildcard && name.parse::<std::net::Ipv4Addr>().is_ok())
        };
        if !ok {
            return Err(format!(
                "'{raw}' is not a host name, *.domain wildcard, IPv4 address or [IPv6] address"
            ));
        }
        Ok(HostPattern {
            wildcard,
            host: name.to_string(),
            port,
        })
    }

    /// Whether a URL's host (as `url::Url::host_str` writes it: lower case, IPv6 in brackets)
    /// and effective port fall under this pattern.
    pub fn matches(&self, host: &str, port: Option<u16>) -> bool {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        let host_ok = if self.wildcard {
            host.len() > self.host.len() + 1
                && host.ends_with(&self.host)
                && host.as_bytes()[host.len() - self.host.len() - 1] == b'.'
        } else {
            host == self.host
        };
        host_ok && self.port.is_none_or(|p| Some(p) == port)
    }
}

impl std::fmt::Display for HostPattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.wildcard {
            f.write_str("*.")?;
        }
        f.write_str(&self.host)?;
        if let Some(p) = self.port {
            write!(f, ":{p}")?;
        }
        Ok(())
    }
}

/// Splits `host[:port]` (IPv6 in brackets); `None` for a port that is not 1-65535.
fn split_port(s: &str) -> Option<(&str, Option<u16>)> {
    let (host, port) = if s.starts_with('[') {
        match s.find(']') {
            Some(end) => match &s[end + 1..] {
                "" => (s, None),
                rest => (&s[..=end], Some(rest.strip_prefix(':')?)),
            },
            None => (s, None),
        }
    } else {
        match s.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (s, None),
        }
    };
    match port {
        None => Some((host, None)),
        Some(p) => match p.parse::<u16>() {
            Ok(n) if n > 0 && p.chars().all(|c| c.is_ascii_digit()) => Some((host, Some(n))),
            _ => None,
        },
    }
}

fn is_dns_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= HOST_MAX
        && s.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
}

/// Checks and normalises a list of host patterns; errors name `allowed_hosts[i]`.
pub fn check_hosts(raw: &[String]) -> Result<Vec<String>, (String, String)> {
    if raw.len() > HOSTS_MAX {
        return Err((
            "allowed_hosts".into(),
            format!("at most {HOSTS_MAX} allowed hosts"),
        ));
    }
    let mut out: Vec<String> = Vec::with_capacity(raw.len());
    for (i, r) in raw.iter().enumerate() {
        let p = HostPattern::parse(r).map_err(|m| (format!("allowed_hosts[{i}]"), m))?;
        let p = p.to_string();
        if !out.contains(&p) {
            out.push(p);
        }
    }
    if out.is_empty() {
        return Err((
            "allowed_hosts".into(),
            "say where this secret may be sent: at least one host, e.g. k8s.example.com:6443 or *.example.com".into(),
        ));
    }
    Ok(out)
}

/// Splits the text of a form's "allowed hosts" box (commas, spaces or new lines) into patterns.
pub fn split_hosts(text: &str) -> Vec<String> {
    text.split([',', '\n', ' ', '\t', '\r'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

/// A credential's scope.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialScope {
    pub allowed_hosts: Vec<String>,
    pub allow_http: bool,
}

impl CredentialScope {
    /// Whether the secret may go to `scheme://host:port`; the error says why not. Schemes other
    /// than http and https (a database URL) are judged by their host alone: meshenv itself sends
    /// secrets only over HTTP(S).
    pub fn permits(&self, scheme: &str, host: &str, port: Option<u16>) -> Result<(), String> {
        if scheme.eq_ignore_ascii_case("http") && !self.allow_http {
            return Err(format!(
                "the credential may not be sent over plain http (to {host}); use https, or allow plain http on the credential"
            ));
        }
        let ok = self
            .allowed_hosts
            .iter()
            .filter_map(|p| HostPattern::parse(p).ok())
            .any(|p| p.matches(host, port));
        if ok {
            return Ok(());
        }
        let place = match port {
            Some(p) => format!("{host}:{p}"),
            None => host.to_string(),
        };
        if self.allowed_hosts.is_empty() {
            Err(format!(
                "the credential may not be sent to {place}: it has no allowed hosts yet (set them with its secret)"
            ))
        } else {
            Err(format!(
                "the credential may not be sent to {place}: it is allowed only for {}",
                self.allowed_hosts.join(", ")
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(hosts: &[&str], http: bool) -> CredentialScope {
        CredentialScope {
            allowed_hosts: hosts.iter().map(|h| h.to_string()).collect(),
            allow_http: http,
        }
    }

    #[test]
    fn patterns_parse_and_normalise() {
        let p = HostPattern::parse(" K8S.Example.com:6443 ").unwrap();
        assert_eq!(p.to_string(), "k8s.example.com:6443");
        assert!(HostPattern::parse("*.example.com").unwrap().wildcard);
        assert_eq!(HostPattern::parse("[::1]:8443").unwrap().port, Some(8443));
        assert_eq!(HostPattern::parse("10.0.0.5").unwrap().host, "10.0.0.5");
        for bad in [
            "",
            "https://x.example",
            "x.example/path",
            "*",
            "*.",
            "foo.*.com",
            "x:0",
            "x:99999",
            "x:+80",
            "user@x",
            "[::1",
            "*.[::1]",
            "*.10.0.0.1",
            "a b",
        ] {
            assert!(
                HostPattern::parse(bad).is_err(),
                "{bad:?} should be refused"
            );
        }
    }

    #[test]
    fn wildcards_cover_subdomains_only() {
        let p = HostPattern::parse("*.example.com").unwrap();
        assert!(p.matches("a.example.com", Some(443)));
        assert!(p.matches("a.b.example.com", Some(6443)));
        assert!(!p.matches("example.com", Some(443)));
        assert!(!p.matches("evilexample.com", Some(443)));
        assert!(!p.matches("example.com.evil.net", Some(443)));
    }

    #[test]
    fn ports_pin_when_given() {
        let s = scope(&["k8s.example.com:6443", "[::1]"], false);
        assert!(s.permits("https", "k8s.example.com", Some(6443)).is_ok());
        assert!(s.permits("https", "k8s.example.com", Some(443)).is_err());
        assert!(s.permits("https", "[::1]", Some(1)).is_ok());
        assert!(s.permits("https", "k8s.example.com.", Some(6443)).is_ok());
    }

    #[test]
    fn plain_http_needs_its_flag() {
        let s = scope(&["127.0.0.1"], false);
        let e = s.permits("http", "127.0.0.1", Some(80)).unwrap_err();
        assert!(e.contains("plain http"), "{e}");
        assert!(scope(&["127.0.0.1"], true)
            .permits("http", "127.0.0.1", Some(80))
            .is_ok());
        let e = s.permits("https", "10.0.0.9", Some(443)).unwrap_err();
        assert!(e.contains("allowed only for 127.0.0.1"), "{e}");
    }

    #[test]
    fn host_lists_are_checked_deduplicated_and_bounded() {
        let v = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            check_hosts(&v(&["A.example", "a.example", "b.example:1"])).unwrap(),
            ["a.example", "b.example:1"]
        );
        assert_eq!(check_hosts(&v(&[])).unwrap_err().0, "allowed_hosts");
        assert_eq!(
            check_hosts(&v(&["ok.example", "bad/x"])).unwrap_err().0,
            "allowed_hosts[1]"
        );
        let many: Vec<String> = (0..=HOSTS_MAX).map(|i| format!("h{i}.example")).collect();
        assert_eq!(check_hosts(&many).unwrap_err().0, "allowed_hosts");
        assert_eq!(
            split_hosts("a.example, b.example\n c:1"),
            v(&["a.example", "b.example", "c:1"])
        );
    }
}
