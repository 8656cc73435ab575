//! The command line. Every flag can also be set by the environment variable named beside it.

use clap::{Args, Parser, Subcommand, ValueEnum};
use service::secrets::KeySource;
use std::net::SocketAddr;

#[derive(Parser, Debug)]
#[command(
    name = "meshenv",
    version,
    about = "Group infrastructure connections into environments and share them with teams"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Args, Debug, Clone)]
pub struct Global {
    /// Database URL: sqlite://PATH (created if missing) or postgres://USER@HOST/DB.
    #[arg(
        long,
        env = "MESHENV_DATABASE_URL",
        default_value = "sqlite://data/meshenv.db",
        global = true
    )]
    pub database_url: String,
    /// The key that encrypts credential secrets (64 hex digits or base64 of 32 bytes). Takes
    /// precedence over the key file.
    #[arg(
        long,
        env = "MESHENV_SECRET_KEY",
        hide_env_values = true,
        global = true
    )]
    pub secret_key: Option<String>,
    /// File holding the secret key; created with a new key (mode 0600) when missing.
    #[arg(
        long,
        env = "MESHENV_SECRET_KEY_FILE",
        default_value = "data/meshenv.key",
        global = true
    )]
    pub secret_key_file: std::path::PathBuf,
    /// Database connections per pool: readers on SQLite (writes always go through one
    /// connection), the whole pool on PostgreSQL. Default: from the cores (SQLite 2 per core,
    /// 4 to 64; PostgreSQL 4 per core, 8 to 40).
    #[arg(long, env = "MESHENV_DB_MAX_CONNECTIONS", global = true, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub db_max_connections: Option<u32>,
    /// Seconds a request waits for a free database connection before it is answered 503
    /// with Retry-After.
    #[arg(
        long,
        env = "MESHENV_DB_ACQUIRE_TIMEOUT",
        default_value_t = 3,
        global = true,
        value_parser = clap::value_parser!(u64).range(1..=300)
    )]
    pub db_acquire_timeout: u64,
    /// Log filter, e.g. info, debug or meshenv=debug,tower_http=info.
    #[arg(long, env = "MESHENV_LOG", default_value = "info", global = true)]
    pub log: String,
    /// Seconds between two health probes of a connection (jittered by ±10%); 0 turns the
    /// background checker off ("Check now" still works).
    #[arg(
        long,
        env = "MESHENV_HEALTH_INTERVAL",
        default_value_t = 60,
        global = true
    )]
    pub health_interval: u64,
    /// Seconds a health probe may take before it counts as failed.
    #[arg(
        long,
        env = "MESHENV_HEALTH_TIMEOUT",
        default_value_t = 10,
        global = true
    )]
    pub health_timeout: u64,
    /// Address ranges probes may reach (CIDR, comma-separated). Unset: everything except the
    /// denied ranges. Naming a range here also lifts its default denial (say, 169.254.0.0/16).
    #[arg(long, env = "MESHENV_PROBE_ALLOW", default_value = "", global = true)]
    pub probe_allow: String,
    /// Address ranges probes never reach, checked on the resolved address, on top of the
    /// built-in link-local and cloud-metadata ranges (169.254.0.0/16, fe80::/10,
    /// fd00:ec2::254, 0.0.0.0/8, ::).
    #[arg(long, env = "MESHENV_PROBE_DENY", default_value = "", global = true)]
    pub probe_deny: String,
    /// Redirect hops a probe may follow, each checked against the policy; probes that carry a
    /// credential never follow one.
    #[arg(
        long,
        env = "MESHENV_PROBE_REDIRECTS",
        default_value_t = 0,
        global = true,
        value_parser = clap::value_parser!(u64).range(0..=10)
    )]
    pub probe_redirects: u64,
    /// Proxies (CIDR, comma-separated) whose X-Forwarded-For and X-Forwarded-Proto are
    /// believed: the client address for sign-in throttling and the session list, and whether
    /// the client used TLS (the __Host- cookie, HSTS). Unset: nobody's.
    #[arg(
        long,
        env = "MESHENV_TRUSTED_PROXIES",
        default_value = "",
        global = true
    )]
    pub trusted_proxies: String,
    /// A session unused this long ends: a number with s, m, h or d (12h, 30m).
    #[arg(long, env = "MESHENV_SESSION_IDLE", default_value = "12h", global = true, value_parser = parse_duration)]
    pub session_idle: std::time::Duration,
    /// How long audit events are kept: a duration (90d, 400d) or `forever`. Older ones are
    /// deleted hourly, and each pruning is itself recorded.
    #[arg(long, env = "MESHENV_AUDIT_RETENTION", default_value = "forever", global = true, value_parser = parse_retention)]
    pub audit_retention: Retention,
    /// The URL browsers reach meshenv at (https://meshenv.example.com): single sign-on's
    /// redirect URI is {this}/auth/oidc/{provider}/callback.
    #[arg(long, env = "MESHENV_PUBLIC_URL", global = true)]
    pub public_url: Option<url::Url>,
    /// OpenID Connect providers to offer on the sign-in page, comma-separated names; each is
    /// configured by MESHENV_OIDC_<NAME>_ISSUER, _CLIENT_ID, _CLIENT_SECRET (or
    /// _CLIENT_SECRET_FILE), _ORGANIZATION and optionally _LABEL, _SCOPES, _GROUPS_CLAIM,
    /// _ALLOWED_DOMAINS, _ROLE_MAP, _DEFAULT_ROLE and _TEAM_MAP (see the README).
    #[arg(
        long,
        env = "MESHENV_OIDC_PROVIDERS",
        default_value = "",
        global = true
    )]
    pub oidc_providers: String,
    /// Whether people may sign in with a password; false leaves the providers (and the
    /// break-glass admin, if named).
    #[arg(long, env = "MESHENV_PASSWORD_SIGN_IN", default_value_t = true, global = true, action = clap::ArgAction::Set)]
    pub password_sign_in: bool,
    /// The one user name or email that may still sign in with a password when password
    /// sign-in is off (for when the identity provider is down).
    #[arg(long, env = "MESHENV_BREAK_GLASS_ADMIN", global = true)]
    pub break_glass_admin: Option<String>,
}

/// How long audit events are kept: `None` is forever.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Retention(pub Option<std::time::Duration>);

/// `forever` (or empty), or a duration of at least one day.
pub fn parse_retention(raw: &str) -> Result<Retention, String> {
    let s = raw.trim();
    if s.is_empty() || s.eq_ignore_ascii_case("forever") {
        return Ok(Retention(None));
    }
    let d = parse_duration(s)?;
    if d < std::time::Duration::from_secs(86_400) {
        return Err(format!(
            "'{raw}' is shorter than a day: keep audit events at least 1d, or 'forever'"
        ));
    }
    Ok(Retention(Some(d)))
}

/// `90s`, `30m`, `12h`, `7d`, or plain seconds.
pub fn parse_duration(raw: &str) -> Result<std::time::Duration, String> {
    let s = raw.trim();
    let (number, unit) = match s.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => s.split_at(i),
        None => (s, "s"),
    };
    let n: u64 = number
        .parse()
        .map_err(|_| format!("'{raw}' is not a duration such as 90s, 30m, 12h or 7d"))?;
    let secs = match unit.trim() {
        "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        "d" => n * 86_400,
        _ => {
            return Err(format!(
                "'{raw}' is not a duration such as 90s, 30m, 12h or 7d"
            ))
        }
    };
    if secs == 0 {
        return Err("a duration must be longer than zero".into());
    }
    Ok(std::time::Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    use super::parse_duration;
    use std::time::Duration;

    #[test]
    fn single_sign_on_reads_every_provider_and_refuses_what_cannot_work() {
        use clap::Parser;
        let vars = |k: &str| {
            let v = match k {
                "MESHENV_OIDC_KEYCLOAK_ISSUER" => "https://sso.example.com/realms/x",
                "MESHENV_OIDC_ENTRA_ISSUER" => "https://login.microsoftonline.com/t/v2.0",
                k if k.ends_with("_CLIENT_ID") => "meshenv",
                k if k.ends_with("_ORGANIZATION") => "platform",
                "MESHENV_OIDC_ENTRA_LABEL" => "Microsoft",
                _ => return None,
            };
            Some(v.to_string())
        };
        let cli = |args: &[&str]| {
            let mut all = vec!["meshenv"];
            all.extend_from_slice(args);
            super::Cli::try_parse_from(all).unwrap().global
        };
        let two = cli(&[
            "--oidc-providers",
            "keycloak, entra",
            "--public-url",
            "https://meshenv.example.com",
        ])
        .sso_settings_from(vars)
        .unwrap();
        let labels: Vec<_> = two.providers.iter().map(|p| p.label.as_str()).collect();
        assert_eq!(labels, ["keycloak", "Microsoft"]);
        assert!(two.password_sign_in);
        let e = cli(&["--oidc-providers", "keycloak"])
            .sso_settings_from(vars)
            .unwrap_err();
        assert!(e.to_string().contains("MESHENV_PUBLIC_URL"), "{e}");
        let e = cli(&["--password-sign-in", "false"])
            .sso_settings_from(vars)
            .unwrap_err();
        assert!(e.to_string().contains("nobody could sign in"), "{e}");
        let e = cli(&[
            "--oidc-providers",
            "okta",
            "--public-url",
            "https://m.example.com",
        ])
        .sso_settings_from(vars)
        .unwrap_err();
        assert!(
            e.to_string()
                .contains("MESHENV_OIDC_OKTA_ISSUER is required"),
            "{e}"
        );
    }

    #[test]
    fn durations_take_a_unit() {
        assert_eq!(parse_duration("12h").unwrap(), Duration::from_secs(43_200));
        assert_eq!(parse_duration("30m").unwrap(), Duration::from_secs(1800));
        assert_eq!(parse_duration("45").unwrap(), Duration::from_secs(45));
        assert_eq!(parse_duration("2d").unwrap(), Duration::from_secs(172_800));
        for bad in ["", "0s", "h", "12 hours", "-1m"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn retention_is_forever_or_at_least_a_day() {
        use super::{parse_retention, Retention};
        assert_eq!(parse_retention("forever").unwrap(), Retention(None));
        assert_eq!(parse_retention("").unwrap(), Retention(None));
        assert_eq!(
            parse_retention("90d").unwrap(),
            Retention(Some(Duration::from_secs(90 * 86_400)))
        );
        assert!(parse_retention("12h").is_err());
        assert!(parse_retention("always").is_err());
    }
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the web server (the default).
    Serve(Serve),
    /// Apply database migrations and exit.
    Migrate,
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Manage the key that encrypts credential secrets.
    #[command(subcommand)]
    Secrets(SecretsCommand),
    /// Import connections.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Load the example organization of the documentation: environments per stage, shared
    /// monitoring and regions, with their connections and three workspaces. Running it again
    /// changes nothing.
    Demo {
        /// Organization name or id (its first admin is recorded as the author).
        #[arg(long, default_value = "default")]
        org: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum SecretsCommand {
    /// Re-encrypt every secret under a new key. With a key file, the file is replaced (the old
    /// key is kept beside it as .old); with MESHENV_SECRET_KEY, the new key is printed and you
    /// set it before the next start.
    Rotate,
}

#[derive(Subcommand, Debug)]
pub enum ImportCommand {
    /// Register one kubernetes connection (with its credential) per context of a kubeconfig.
    Kubeconfig {
        /// The kubeconfig file.
        file: std::path::PathBuf,
        /// Organization name or id.
        #[arg(long)]
        org: String,
        /// The user recorded as owner and in the audit log (default: the organization's first admin).
        #[arg(long)]
        user: Option<String>,
    },
}

#[derive(Args, Debug, Clone)]
pub struct Serve {
    /// Address to listen on.
    #[arg(long, env = "MESHENV_LISTEN", default_value = "127.0.0.1:3000")]
    pub listen: SocketAddr,
    /// Password of the first admin, used only when the database has no users yet; generated and
    /// printed once if unset.
    #[arg(long, env = "MESHENV_ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: Option<String>,
    /// A second address that serves only /metrics (for example 0.0.0.0:9100, to keep scrapes
    /// off the public port). /metrics is on the main address either way.
    #[arg(long, env = "MESHENV_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,
    /// Folder of the built site (the wasm, JavaScript and CSS).
    #[arg(long, env = "MESHENV_SITE_ROOT", default_value = "target/site")]
    pub site_root: String,
}

impl Global {
    pub fn pool_settings(&self) -> service::db::PoolSettings {
        service::db::PoolSettings {
            max_connections: self.db_max_connections,
            acquire_timeout: std::time::Duration::from_secs(self.db_acquire_timeout),
        }
    }

    pub fn health_settings(&self) -> anyhow::Result<service::HealthSettings> {
        let egress = service::egress::EgressPolicy::from_lists(&self.probe_allow, &self.probe_deny)
            .map_err(anyhow::Error::msg)?;
        Ok(service::HealthSettings {
            interval: std::time::Duration::from_secs(self.health_interval),
            probe: service::probe::ProbeSettings {
                timeout: std::time::Duration::from_secs(self.health_timeout.max(1)),
                egress: std::sync::Arc::new(egress),
                redirects: self.probe_redirects as usize,
            },
        })
    }

    pub fn auth_settings(&self) -> service::AuthSettings {
        service::AuthSettings {
            session_idle: self.session_idle,
            ..Default::default()
        }
    }

    pub fn http_settings(&self) -> anyhow::Result<service::HttpSettings> {
        let proxies = service::egress::parse_cidrs(&self.trusted_proxies)
            .map_err(|e| anyhow::anyhow!("MESHENV_TRUSTED_PROXIES: {e}"))?;
        Ok(service::HttpSettings {
            trusted_proxies: service::client::TrustedProxies(proxies),
        })
    }

    /// Single sign-on's settings, each provider read from its MESHENV_OIDC_<NAME>_* variables.
    pub fn sso_settings(&self) -> anyhow::Result<service::sso::SsoSettings> {
        self.sso_settings_from(|k| std::env::var(k).ok())
    }

    pub fn sso_settings_from(
        &self,
        var: impl Fn(&str) -> Option<String>,
    ) -> anyhow::Result<service::sso::SsoSettings> {
        let providers = self
            .oidc_providers
            .split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(|n| service::sso::ProviderSettings::from_vars(n, &var))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| anyhow::anyhow!("MESHENV_OIDC_PROVIDERS: {e}"))?;
        if !providers.is_empty() && self.public_url.is_none() {
            anyhow::bail!(
                "MESHENV_OIDC_PROVIDERS needs MESHENV_PUBLIC_URL: the redirect URI registered with each provider is made from it"
            );
        }
        if !self.password_sign_in && providers.is_empty() {
            anyhow::bail!(
                "MESHENV_PASSWORD_SIGN_IN=false needs a provider in MESHENV_OIDC_PROVIDERS: nobody could sign in"
            );
        }
        Ok(service::sso::SsoSettings {
            public_url: self.public_url.clone(),
            providers,
            password_sign_in: self.password_sign_in,
            break_glass: self
                .break_glass_admin
                .clone()
                .filter(|b| !b.trim().is_empty()),
        })
    }

    pub fn key_source(&self) -> KeySource {
        match self.secret_key.as_deref().filter(|k| !k.trim().is_empty()) {
            Some(k) => KeySource::Inline(k.to_string()),
            None => KeySource::File(self.secret_key_file.clone()),
        }
    }
}

impl Default for Serve {
    fn default() -> Self {
        Serve::parse_from_env()
    }
}

impl Serve {
    /// The serve options from the environment alone (for `meshenv` with no subcommand).
    fn parse_from_env() -> Serve {
        #[derive(Parser)]
        struct Only {
            #[command(flatten)]
            serve: Serve,
        }
        Only::parse_from(["meshenv"]).serve
    }
}

#[derive(Copy, Clone, Debug, ValueEnum)]
pub enum RoleArg {
    Admin,
    Member,
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Create a user (and the organization, if it does not exist yet).
    Create {
        /// Organization name or id.
        #[arg(long)]
        org: String,
        #[arg(long)]
        email: String,
        /// User name for signing in; defaults to the part of the email before '@'.
        #[arg(long)]
        name: Option<String>,
        #[arg(long, value_enum, default_value = "member")]
        role: RoleArg,
        /// The password; generated and printed if unset.
        #[arg(long, env = "MESHENV_USER_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Create a personal API token and print it (only the token, on stdout).
    Create {
        /// User name or email.
        #[arg(long)]
        user: String,
        /// A label to recognise the token by.
        #[arg(long)]
        name: String,
    },
}
