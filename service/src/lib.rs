//! The service layer and the storage under it: the one place that owns meshenv's rules
//! (validation, permissions, lifecycle, audit) and the SQL that keeps its data. REST handlers
//! (server crate), server functions (app crate, under `ssr`), the CLI and background jobs all
//! call `Service`'s methods; none holds a rule of its own.
//!
//! A method takes one connection or one transaction from `db::Db` and passes it down to the
//! `store` functions, which never take a pool.

pub mod actor;
pub mod client;
pub mod cookie;
pub mod db;
pub mod egress;
pub mod metrics;
pub mod probe;
pub mod secrets;
pub mod sso;
pub mod store;

mod access;
mod admin;
mod assignments;
mod audit;
mod auth;
mod connections;
mod credentials;
mod demo;
mod environments;
mod health;
mod kubeconfig;
mod links;
mod passwords;
mod teams;
mod throttle;
mod tokens;
mod users;
mod workspace_teams;
mod workspaces;

pub use admin::FirstAdmin;
pub use demo::DemoSummary;
pub use health::HealthSettings;
pub use passwords::{generate_password, peak_hashes, slot_count, warm_up as warm_up_passwords};
pub use throttle::{AuthSettings, ThrottleSettings};

use crate::actor::Actor;
use crate::db::Db;
use crate::secrets::Keyring;
use model::error::{ApiError, ErrorCode};
use model::user::Role;
use uuid::Uuid;

/// How the HTTP layer tells who a client is.
#[derive(Clone, Debug, Default)]
pub struct HttpSettings {
    /// Peers whose X-Forwarded-For and X-Forwarded-Proto are believed.
    pub trusted_proxies: crate::client::TrustedProxies,
}

pub struct Service {
    pub db: Db,
    /// Seals and opens credential secrets.
    pub keys: Keyring,
    pub health: HealthSettings,
    pub auth: AuthSettings,
    pub http: HttpSettings,
    /// Names this process's health-check leases.
    pub instance: String,
    /// How long audit events are kept (None: forever).
    pub audit_retention: Option<std::time::Duration>,
    /// Single sign-on's providers and what is known of them.
    pub sso: std::sync::Arc<sso::Sso>,
}

impl Service {
    pub fn new(db: Db, keys: Keyring) -> Self {
        Service {
            db,
            keys,
            health: HealthSettings::default(),
            auth: AuthSettings::default(),
            http: HttpSettings::default(),
            instance: Uuid::now_v7().to_string(),
            audit_retention: None,
            sso: Default::default(),
        }
    }

    pub fn with_sso(mut self, settings: sso::SsoSettings) -> Self {
        self.sso = std::sync::Arc::new(sso::Sso::new(settings));
        self
    }

    pub fn with_audit_retention(mut self, keep: Option<std::time::Duration>) -> Self {
        self.audit_retention = keep;
        self
    }

    pub fn with_health(mut self, health: HealthSettings) -> Self {
        self.health = health;
        self
    }

    pub fn with_http(mut self, http: HttpSettings) -> Self {
        self.http = http;
        self
    }

    pub fn with_auth(mut self, auth: AuthSettings) -> Self {
        self.auth = auth;
        self
    }
}

/// A name already used by another object of the same kind in the organization: a 409 on the
/// name field.
pub(crate) fn name_taken(noun: &str, name: &str) -> ApiError {
    ApiError::new(
        ErrorCode::NameTaken,
        format!("{noun} named '{name}' already exists in this organization"),
    )
    .with_field("name")
}

/// A write error: a unique violation on the name becomes `name_taken`, anything else `ApiError::from`.
pub(crate) fn write_err<'a>(noun: &'a str, name: &'a str) -> impl Fn(sqlx::Error) -> ApiError + 'a {
    move |e| {
        if model::error::is_unique_violation(&e) {
            name_taken(noun, name)
        } else {
            ApiError::from(e)
        }
    }
}

/// The organization a request acts in: the one named, which the caller must belong to, or the
/// caller's only one. An organization the caller is not in is reported as not found.
pub(crate) fn resolve_org(actor: &Actor, org: Option<Uuid>) -> Result<(Uuid, Role), ApiError> {
    actor.user.org_in(org).map(|m| (m.id, m.role))
}

/// In a request body the organization is the `organization_id` field, not the `orgID` parameter.
pub(crate) fn body_org_field(e: ApiError) -> ApiError {
    if e.field.as_deref() == Some("orgID") {
        e.with_field("organization_id")
    } else {
        e
    }
}

/// The caller's role in an organization, or not-found when they have none there: objects of
/// other organizations must be indistinguishable from objects that do not exist.
pub(crate) fn role_in(actor: &Actor, org: Uuid, what: &str) -> Result<Role, ApiError> {
    actor
        .user
        .membership(org)
        .map(|m| m.role)
        .ok_or_else(|| ApiError::not_found(what))
}

/// Shorthand for writing an audit record inside a service transaction.
pub(crate) use audit::{record, Change};
