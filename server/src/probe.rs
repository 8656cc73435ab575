//! Health probes: one HTTP request per connection, shaped by its kind, authenticated with its
//! credential. Nothing here touches the database; `service::health` records the outcome.

use app::model::credential::Secret;
use std::time::{Duration, Instant};

/// What a probe needs to know about a connection.
pub struct Target<'a> {
    pub kind: &'a str,
    pub url: &'a str,
    /// The opened secret of its credential, if it has one.
    pub secret: Option<&'a Secret>,
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

/// The probe's result: its latency, and the reason it failed if it did.
pub struct Probed {
    pub latency_ms: i64,
    pub error: Option<String>,
}

/// Probes once. Timeouts, refused connections, TLS failures and non-2xx answers are failures
/// with a message a person can act on; none of them is an error of the caller's.
pub async fn probe(target: &Target<'_>, timeout: Duration) -> Probed {
    let started = Instant::now();
    let error = run(target, timeout).await.err();
    Probed {
        latency_ms: started.elapsed().as_millis().min(i64::MAX as u128) as i64,
        error,
    }
}

async fn run(target: &Target<'_>, timeout: Duration) -> Result<(), String> {
    let url = probe_url(target.kind, target.url)
        .ok_or_else(|| format!("connections of kind '{}' are not probed", target.kind))?;
    let field = |name: &str| target.secret.and_then(|s| s.get(name)).map(String::as_str);
    let mut client = reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .redirect(reqwest::redirect::Policy::limited(3));
    if let Some(ca) = field("certificate_authority") {
        let cert = reqwest::Certificate::from_pem(ca.as_bytes())
            .map_err(|e| format!("the credential's certificate authority is not PEM: {e}"))?;
        client = client.add_root_certificate(cert);
    }
    if let (Some(cert), Some(key)) = (field("client_certificate"), field("client_key")) {
        let pem = format!("{cert}\n{key}");
        let identity = reqwest::Identity::from_pem(pem.as_bytes())
            .map_err(|e| format!("the credential's client certificate or key is not PEM: {e}"))?;
        client = client.identity(identity);
    }
    let client = client
        .build()
        .map_err(|e| format!("cannot build the probe client: {}", chain(&e)))?;
    let mut request = client.get(&url);
    if let Some(token) = field("token") {
        request = request.bearer_auth(token);
    } else if let Some(user) = field("username") {
        request = request.basic_auth(user, field("password"));
    }
    let response = request.send().await.map_err(|e| {
        if e.is_timeout() {
            format!("no answer within {} s from {url}", timeout.as_secs())
        } else {
            format!("cannot reach {url}: {}", chain(&e))
        }
    })?;
    let status = response.status();
    if status.is_success() {
        Ok(())
    } else {
        Err(format!("{url} answered {status}"))
    }
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
