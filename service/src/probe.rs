//! Health probes: one HTTP request per connection, shaped by its kind, authenticated with its
//! credential. Nothing here touches the database; `crate::health` records the outcome.
//!
//! Two checks stand between a probe and the network, both at the moment of sending: the
//! credential's scope (its secret goes only to the hosts it names, over https unless it allows
//! http) and the egress policy (on the address actually connected to). A probe that carries a
//! secret never follows a redirect; one without follows at most `redirects` hops, each checked.

use crate::egress::{Blocked, EgressPolicy, PolicyResolver};
use model::credential::Secret;
use model::health::HealthState;
use model::scope::CredentialScope;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What a probe needs to know about a connection.
pub struct Target<'a> {
    pub kind: &'a str,
    pub url: &'a str,
    /// The opened secret of its credential and where that secret may go, if it has one.
    pub secret: Option<(&'a Secret, &'a CredentialScope)>,
}

/// How probes are sent.
#[derive(Clone, Debug)]
pub struct ProbeSettings {
    pub timeout: Duration,
    pub egress: Arc<EgressPolicy>,
    /// Redirect hops a probe without a secret may follow (0: none).
    pub redirects: usize,
}

/// The request a kind is probed with, or `None` for kinds the checker does not know.
pub fn probe_url(kind: &str, url: &str) -> Option<String> {
    let base = url.trim().trim_end_matches('/');
    if base.is_empty() {
        return None;
    }
    Some(match kind {
        "kubernetes" => format!("{base}/version"),
        "prometheus" => format!("{base}/-/healthy"),
        "grafana" => format!("{base}/api/health"),
        "http" => url.trim().to_string(),
        _ => return None,
    })
}

/// The probe's result: its latency, why it failed if it did, and what it learned.
pub struct Probed {
    pub latency_ms: i64,
    pub failure: Option<Failure>,
    /// A Kubernetes API server's `gitVersion`, from the `/version` the probe asked for.
    pub version: Option<String>,
}

/// Why a probe failed: the health state it puts the connection in, one line a person can act
/// on, and the raw cause (the error chain) behind it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub state: HealthState,
    pub message: String,
    pub cause: String,
}

impl Failure {
    /// The probe was not sent: the credential's scope or the egress policy kept it back.
    fn not_sent(cause: String) -> Self {
        Failure {
            state: HealthState::Failing,
            message: format!("Not sent: {cause}"),
            cause,
        }
    }

    /// A failure whose message says all there is.
    fn failing(message: impl Into<String>) -> Self {
        let message = message.into();
        Failure {
            state: HealthState::Failing,
            cause: message.clone(),
            message,
        }
    }
}

/// The most of a probe's answer that is read (a `/version` document is a few hundred bytes).
const BODY_MAX: usize = 64 * 1024;

/// Probes once. Timeouts, refused connections, TLS failures and non-2xx answers are failures
/// with a message a person can act on; none of them is an error of the caller's.
pub async fn probe(target: &Target<'_>, settings: &ProbeSettings) -> Probed {
    let started = Instant::now();
    let (version, failure) = match run(target, settings).await {
        Ok(version) => (version, None),
        Err(f) => (None, Some(f)),
    };
    Probed {
        latency_ms: started.elapsed().as_millis().min(i64::MAX as u128) as i64,
        failure,
        version,
    }
}

async fn run(target: &Target<'_>, settings: &ProbeSettings) -> Result<Option<String>, Failure> {
    let timeout = settings.timeout;
    let url = probe_url(target.kind, target.url).ok_or_else(|| {
        Failure::failing(format!(
            "connections of kind '{}' are not probed",
            target.kind
        ))
    })?;
    let parsed = reqwest::Url::parse(&url)
        .map_err(|e| Failure::failing(format!("'{url}' is not a URL the probe can use: {e}")))?;
    if let Some((_, scope)) = target.secret {
        let host = parsed.host_str().unwrap_or("");
        scope
            .permits(parsed.scheme(), host, parsed.port_or_known_default())
            .map_err(Failure::not_sent)?;
    }
    settings
        .egress
        .check_url(&parsed)
        .map_err(|b| Failure::not_sent(b.to_string()))?;
    let field = |name: &str| {
        target
            .secret
            .and_then(|(s, _)| s.get(name))
            .map(String::as_str)
    };
    let redirects = if target.secret.is_some() {
        reqwest::redirect::Policy::none()
    } else {
        hops(settings.egress.clone(), settings.redirects)
    };
    let mut client = reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        // Straight to the address the policy checked: no proxy from the environment.
        .no_proxy()
        .dns_resolver(Arc::new(PolicyResolver(settings.egress.clone())))
        .redirect(redirects);
    if let Some(ca) = field("certificate_authority") {
        let cert = reqwest::Certificate::from_pem(ca.as_bytes()).map_err(|e| {
            Failure::failing(format!(
                "The credential's certificate authority is not PEM: {e}"
            ))
        })?;
        client = client.add_root_certificate(cert);
    }
    if let (Some(cert), Some(key)) = (field("client_certificate"), field("client_key")) {
        let pem = format!("{cert}\n{key}");
        let identity = reqwest::Identity::from_pem(pem.as_bytes()).map_err(|e| {
            Failure::failing(format!(
                "The credential's client certificate or key is not PEM: {e}"
            ))
        })?;
        client = client.identity(identity);
    }
    let client = client
        .build()
        .map_err(|e| Failure::failing(format!("Cannot build the probe client: {}", chain(&e))))?;
    let mut request = client.get(&url);
    if let Some(token) = field("token") {
        request = request.bearer_auth(token);
    } else if let Some(user) = field("username") {
        request = request.basic_auth(user, field("password"));
    }
    let response = request.send().await.map_err(|e| {
        if let Some(b) = blocked(&e) {
            Failure::not_sent(b.to_string())
        } else {
            let cause = if e.is_timeout() {
                format!("no answer within {} s from {url}", timeout.as_secs())
            } else {
                format!("cannot reach {url}: {}", chain(&e))
            };
            let (state, message) = explain(&cause, e.is_timeout(), &parsed, timeout);
            Failure {
                state,
                message,
                cause,
            }
        }
    })?;
    let status = response.status();
    if status.is_success() {
        Ok(if target.kind == "kubernetes" {
            git_version(response).await
        } else {
            None
        })
    } else {
        let cause = if status.is_redirection() {
            format!(
                "{url} answered {status}; redirects are not followed{}",
                if target.secret.is_some() {
                    " by probes that carry a secret"
                } else {
                    ""
                }
            )
        } else {
            format!("{url} answered {status}")
        };
        let message = match status.as_u16() {
            401 | 403 => {
                format!("Authentication failed: the server refused the credentials (HTTP {status})")
            }
            300..=399 => {
                format!("It answered with a redirect (HTTP {status}), which is not followed")
            }
            _ => format!("It answered with an error: HTTP {status}"),
        };
        Err(Failure {
            state: HealthState::Failing,
            message,
            cause,
        })
    }
}

/// A failed request in words, and whether it means no answer at all (unreachable) or an answer
/// the probe cannot accept (failing: a certificate it does not trust, a TLS failure). `cause`
/// is the error chain, which is where the connection and TLS layers say what went wrong.
fn explain(
    cause: &str,
    timed_out: bool,
    url: &reqwest::Url,
    timeout: Duration,
) -> (HealthState, String) {
    let host = url.host_str().unwrap_or("");
    let port = url.port_or_known_default().unwrap_or(0);
    let lower = cause.to_ascii_lowercase();
    if timed_out {
        return (
            HealthState::Unreachable,
            format!(
                "No answer from {host}:{port} within {} s",
                timeout.as_secs()
            ),
        );
    }
    if lower.contains("certificate") || lower.contains("unknownissuer") {
        let why = if lower.contains("expired") {
            "has expired"
        } else if lower.contains("notvalidforname") || lower.contains("not valid for name") {
            "is not valid for this host name"
        } else {
            "is not signed by an authority the credential or the system trusts"
        };
        return (
            HealthState::Failing,
            format!("TLS: the server's certificate {why}"),
        );
    }
    if lower.contains("dns error") || lower.contains("failed to lookup address") {
        return (
            HealthState::Unreachable,
            format!("The host name {host} does not resolve"),
        );
    }
    if lower.contains("connection refused") {
        return (
            HealthState::Unreachable,
            format!("{host}:{port} refused the connection (nothing listens there)"),
        );
    }
    if lower.contains("tls") || lower.contains("handshake") {
        return (
            HealthState::Failing,
            format!("The TLS handshake with {host}:{port} failed"),
        );
    }
    if lower.contains("reset") || lower.contains("closed") || lower.contains("incomplete") {
        return (
            HealthState::Unreachable,
            format!("{host}:{port} closed the connection without answering"),
        );
    }
    (
        HealthState::Unreachable,
        format!("Cannot reach {host}:{port}"),
    )
}

/// The `gitVersion` of a Kubernetes `/version` answer, if it is one; a body that is too long,
/// not JSON or without a sensible version is no error (the server answered), just no version.
async fn git_version(mut response: reqwest::Response) -> Option<String> {
    let mut body = Vec::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        if body.len() + chunk.len() > BODY_MAX {
            return None;
        }
        body.extend_from_slice(&chunk);
    }
    parse_git_version(&body)
}

fn parse_git_version(body: &[u8]) -> Option<String> {
    let doc: serde_json::Value = serde_json::from_slice(body).ok()?;
    let v = doc.get("gitVersion")?.as_str()?.trim();
    let sensible = !v.is_empty()
        && v.len() <= 64
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+' | '_'));
    sensible.then(|| v.to_string())
}

/// Follows at most `max` redirect hops, each one to an address the policy allows (names are
/// checked again when they resolve).
fn hops(egress: Arc<EgressPolicy>, max: usize) -> reqwest::redirect::Policy {
    if max == 0 {
        return reqwest::redirect::Policy::none();
    }
    reqwest::redirect::Policy::custom(move |attempt| {
        if attempt.previous().len() > max {
            return attempt.stop();
        }
        match egress.check_url(attempt.url()) {
            Ok(()) => attempt.follow(),
            Err(b) => attempt.error(b),
        }
    })
}

/// The egress refusal behind a client error, if that is what it was.
fn blocked<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a Blocked> {
    let mut source: Option<&'a (dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        if let Some(b) = s.downcast_ref::<Blocked>() {
            return Some(b);
        }
        source = s.source();
    }
    None
}

/// An error with its causes, which is where TLS and connection failures say what went wrong.
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_git_version_of_a_version_answer() {
        let body =
            br#"{"major":"1","minor":"28","gitVersion":"v1.28.3+k3s1","platform":"linux/amd64"}"#;
        assert_eq!(parse_git_version(body).as_deref(), Some("v1.28.3+k3s1"));
        assert_eq!(parse_git_version(b"ok"), None);
        assert_eq!(parse_git_version(br#"{"gitVersion": 7}"#), None);
        assert_eq!(parse_git_version(br#"{"gitVersion": "<script>"}"#), None);
    }

    #[test]
    fn failures_are_put_in_words_and_classed() {
        let url = reqwest::Url::parse("https://k8s.internal:6443/version").unwrap();
        let t = Duration::from_secs(10);
        let (s, m) = explain("cannot reach x: error sending request: client error (Connect): tcp connect error: Connection refused (os error 111)", false, &url, t);
        assert_eq!(s, HealthState::Unreachable);
        assert_eq!(
            m,
            "k8s.internal:6443 refused the connection (nothing listens there)"
        );
        let (s, m) = explain("no answer within 10 s", true, &url, t);
        assert_eq!(
            (s, m.as_str()),
            (
                HealthState::Unreachable,
                "No answer from k8s.internal:6443 within 10 s"
            )
        );
        let (s, m) = explain("cannot reach x: client error (Connect): dns error: failed to lookup address information", false, &url, t);
        assert_eq!(
            (s, m.as_str()),
            (
                HealthState::Unreachable,
                "The host name k8s.internal does not resolve"
            )
        );
        let (s, m) = explain(
            "cannot reach x: client error (Connect): invalid peer certificate: UnknownIssuer",
            false,
            &url,
            t,
        );
        assert_eq!(s, HealthState::Failing);
        assert!(
            m.starts_with("TLS: the server's certificate is not signed"),
            "{m}"
        );
        let (s, m) = explain(
            "invalid peer certificate: certificate expired: verification time",
            false,
            &url,
            t,
        );
        assert_eq!(
            (s, m.as_str()),
            (
                HealthState::Failing,
                "TLS: the server's certificate has expired"
            )
        );
    }

    #[test]
    fn each_kind_has_its_health_path() {
        assert_eq!(
            probe_url("kubernetes", "https://k:6443/").unwrap(),
            "https://k:6443/version"
        );
        assert_eq!(
            probe_url("prometheus", "http://p:9090").unwrap(),
            "http://p:9090/-/healthy"
        );
        assert_eq!(
            probe_url("grafana", "http://g:3000").unwrap(),
            "http://g:3000/api/health"
        );
        assert_eq!(probe_url("http", "http://x/ping").unwrap(), "http://x/ping");
        assert!(probe_url("github", "https://api.github.com").is_none());
        assert!(probe_url("http", "").is_none());
    }
}
