//! Connections: the infrastructure teams use, and the lifecycle of their status.

use super::list::{
    filter_bool, parse_filter_object, Direction, ListQuery, RawListQuery, SortField,
};
use crate::error::ApiError;
pub use crate::health::{ConnectionHealth, HealthCounts, HealthState};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

pub const CONNECTION_NAME_MAX: usize = 255;
pub const KIND_MAX: usize = 64;
pub const URL_MAX: usize = 2048;
pub const METADATA_MAX: usize = 64 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum ConnectionStatus {
    #[serde(rename = "discovered")]
    Discovered,
    #[serde(rename = "registered")]
    Registered,
    #[serde(rename = "connected")]
    Connected,
    #[serde(rename = "disconnected")]
    Disconnected,
    #[serde(rename = "maintenance")]
    Maintenance,
    #[serde(rename = "ignored")]
    Ignored,
    #[serde(rename = "deleted")]
    Deleted,
    #[serde(rename = "not found")]
    NotFound,
}

impl ConnectionStatus {
    pub const ALL: [ConnectionStatus; 8] = [
        ConnectionStatus::Discovered,
        ConnectionStatus::Registered,
        ConnectionStatus::Connected,
        ConnectionStatus::Disconnected,
        ConnectionStatus::Maintenance,
        ConnectionStatus::Ignored,
        ConnectionStatus::Deleted,
        ConnectionStatus::NotFound,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ConnectionStatus::Discovered => "discovered",
            ConnectionStatus::Registered => "registered",
            ConnectionStatus::Connected => "connected",
            ConnectionStatus::Disconnected => "disconnected",
            ConnectionStatus::Maintenance => "maintenance",
            ConnectionStatus::Ignored => "ignored",
            ConnectionStatus::Deleted => "deleted",
            ConnectionStatus::NotFound => "not found",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim().to_ascii_lowercase().replace('_', " ");
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// The statuses a connection may move to from this one, as in Meshery.
    pub fn next(self) -> &'static [ConnectionStatus] {
        use ConnectionStatus::*;
        match self {
            Discovered => &[Registered],
            Registered => &[Connected, Ignored],
            Connected => &[Disconnected, Maintenance, Deleted, NotFound],
            Disconnected => &[Connected, Deleted],
            Maintenance => &[Registered, Connected, Ignored, NotFound],
            Ignored => &[Deleted, NotFound],
            NotFound => &[Discovered],
            Deleted => &[],
        }
    }

    pub fn can_move_to(self, to: ConnectionStatus) -> bool {
        self.next().contains(&to)
    }

    /// Whether a connection may be registered with this status: as found (`discovered`), as
    /// `registered`, or one step on from registered (`connected`, `ignored`), which is how
    /// Meshery's documentation registers them. `connected` is the registrant's word: a probed
    /// kind is due for a health check at once, and a failed probe moves it to `disconnected`.
    /// The rest are only reached through the transitions.
    pub fn can_start_as(self) -> bool {
        self == ConnectionStatus::Registered
            || self == ConnectionStatus::Discovered
            || ConnectionStatus::Registered.can_move_to(self)
    }
}

/// How many related objects an answer embeds: a connection shows its first environments (oldest
/// first) and how many there are in all; the full list is its own paged endpoint
/// (`GET /api/connections/{id}/environments`). An answer's size so never grows with how widely
/// its rows are shared.
pub const EMBEDDED_MAX: usize = 10;

/// An environment a connection is in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct EnvironmentRef {
    pub id: Uuid,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(from = "ConnectionWire")]
pub struct Connection {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub name: String,
    pub kind: String,
    #[serde(rename = "type")]
    pub kind_type: String,
    pub sub_type: String,
    pub url: String,
    pub status: ConnectionStatus,
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub metadata: serde_json::Map<String, serde_json::Value>,
    pub credential_id: Option<Uuid>,
    /// The credential's name, for display.
    #[serde(default)]
    pub credential_name: Option<String>,
    /// The oldest environments (at most `EMBEDDED_MAX`, by name) of `environment_count`; the
    /// whole list is `GET /api/connections/{id}/environments`.
    pub environments: Vec<EnvironmentRef>,
    /// How many environments the connection is in (those the caller reaches).
    #[serde(default)]
    pub environment_count: u64,
    pub owner: Uuid,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Its health, apart from its lifecycle status: what the probes found, since when, in words.
    #[serde(default)]
    pub health: ConnectionHealth,
    /// The last probe's outcome as it was recorded (`last_checked_at`, `latency_ms`, and in
    /// `last_error` the raw cause behind `health.message`).
    #[serde(flatten, default)]
    pub last_probe: Health,
}

/// A [`Connection`] as it is read: the same JSON, with the last probe's fields at the top
/// level. Reading them into `last_probe` through `#[serde(flatten)]` would buffer every field
/// of every connection in serde's generic `Content` tree first, code the browser would then
/// load and compile to show any page of connections; writing one flattened is cheap, so
/// `Serialize` keeps it.
#[derive(Deserialize)]
struct ConnectionWire {
    id: Uuid,
    organization_id: Uuid,
    name: String,
    kind: String,
    #[serde(rename = "type")]
    kind_type: String,
    sub_type: String,
    url: String,
    status: ConnectionStatus,
    metadata: serde_json::Map<String, serde_json::Value>,
    credential_id: Option<Uuid>,
    #[serde(default)]
    credential_name: Option<String>,
    environments: Vec<EnvironmentRef>,
    #[serde(default)]
    environment_count: u64,
    owner: Uuid,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    #[serde(default)]
    health: ConnectionHealth,
    #[serde(default)]
    last_checked_at: Option<DateTime<Utc>>,
    #[serde(default)]
    last_error: Option<String>,
    #[serde(default)]
    latency_ms: Option<u64>,
}

impl From<ConnectionWire> for Connection {
    fn from(w: ConnectionWire) -> Self {
        Connection {
            id: w.id,
            organization_id: w.organization_id,
            name: w.name,
            kind: w.kind,
            kind_type: w.kind_type,
            sub_type: w.sub_type,
            url: w.url,
            status: w.status,
            metadata: w.metadata,
            credential_id: w.credential_id,
            credential_name: w.credential_name,
            environments: w.environments,
            environment_count: w.environment_count,
            owner: w.owner,
            created_at: w.created_at,
            updated_at: w.updated_at,
            health: w.health,
            last_probe: Health {
                last_checked_at: w.last_checked_at,
                last_error: w.last_error,
                latency_ms: w.latency_ms,
            },
        }
    }
}

/// The outcome of a connection's last health probe.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Health {
    #[serde(default)]
    pub last_checked_at: Option<DateTime<Utc>>,
    /// Why the last probe failed; empty when it succeeded or none has run.
    #[serde(default)]
    pub last_error: Option<String>,
    #[serde(default)]
    pub latency_ms: Option<u64>,
}

/// The kinds the health checker knows how to probe; others are never probed.
pub const PROBED_KINDS: &[&str] = &["kubernetes", "prometheus", "grafana", "http"];

pub fn is_probed(kind: &str) -> bool {
    PROBED_KINDS.contains(&kind)
}

impl ConnectionHealth {
    /// Where a connection of this kind starts, or starts again once its address or credential
    /// changed: unchecked, or not probed at all.
    pub fn fresh(kind: &str, now: DateTime<Utc>) -> Self {
        ConnectionHealth {
            state: if is_probed(kind) {
                HealthState::Unchecked
            } else {
                HealthState::NotProbed
            },
            since: Some(now),
            ..Default::default()
        }
    }
}

/// The body of `POST /api/connections` (and of `PUT`, where fields left out keep their value;
/// send `"credential_id": null` to detach the credential).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ConnectionInput {
    #[serde(default)]
    #[cfg_attr(
        feature = "ssr",
        schema(
            pattern = r"^\s*[^\s\u0000-\u001f\u007f](?:[^\u0000-\u001f\u007f]{0,253}[^\s\u0000-\u001f\u007f])?\s*$"
        )
    )]
    pub name: Option<String>,
    #[serde(default)]
    #[cfg_attr(
        feature = "ssr",
        schema(pattern = r"^\s*[A-Za-z0-9._-]{1,64}\s*$", example = "kubernetes")
    )]
    pub kind: Option<String>,
    #[serde(default, rename = "type")]
    #[cfg_attr(
        feature = "ssr",
        schema(pattern = r"^\s*[A-Za-z0-9._-]{0,64}\s*$", example = "platform")
    )]
    pub kind_type: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(pattern = r"^\s*[A-Za-z0-9._-]{0,64}\s*$"))]
    pub sub_type: Option<String>,
    #[serde(default)]
    #[cfg_attr(
        feature = "ssr",
        schema(max_length = 2048, example = "https://kubernetes.example.com")
    )]
    pub url: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<Object>))]
    pub metadata: Option<serde_json::Map<String, serde_json::Value>>,
    /// Absent: unchanged; null: no credential.
    #[serde(default, with = "double_option")]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<Uuid>))]
    pub credential_id: Option<Option<Uuid>>,
    #[serde(default, alias = "organizationId")]
    pub organization_id: Option<Uuid>,
}

/// Tells an absent field (`None`) from an explicit null (`Some(None)`).
mod double_option {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer, T: Serialize>(
        v: &Option<Option<T>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match v {
            Some(inner) => inner.serialize(s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
        d: D,
    ) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(d).map(Some)
    }
}

/// Where the product documentation's JSON puts a kind's address inside `metadata`: a
/// Kubernetes connection names its API server `server`, the HTTP-speaking kinds `url`. The
/// address is read from either spelling, stored once (the `url` column) and answered in both.
pub fn address_key(kind: &str) -> Option<&'static str> {
    match kind.trim().to_ascii_lowercase().as_str() {
        "kubernetes" => Some("server"),
        "prometheus" | "grafana" | "jaeger" | "http" => Some("url"),
        _ => None,
    }
}

/// Takes the address out of `metadata` (the kind's key) and reconciles it with the top-level
/// url: either may be given, and when both are they must name the same address.
fn take_address(
    kind: &str,
    url: &str,
    metadata: &mut serde_json::Map<String, serde_json::Value>,
) -> Result<String, ApiError> {
    let Some(key) = address_key(kind) else {
        return Ok(url.to_string());
    };
    let field = format!("metadata.{key}");
    let inner = match metadata.remove(key) {
        None | Some(serde_json::Value::Null) => return Ok(url.to_string()),
        Some(serde_json::Value::String(s)) => s,
        Some(_) => {
            return Err(ApiError::validation(
                &field,
                format!("{field} must be a string: the connection's address"),
            ))
        }
    };
    let (inner, top) = (inner.trim(), url.trim());
    if top.is_empty() || inner.is_empty() {
        return Ok(if top.is_empty() { inner } else { top }.to_string());
    }
    if inner.trim_end_matches('/') != top.trim_end_matches('/') {
        return Err(ApiError::validation(
            &field,
            format!(
                "{field} ('{inner}') and url ('{top}') name different addresses; send one of them, or the same in both"
            ),
        ));
    }
    Ok(top.to_string())
}

impl Connection {
    /// The metadata as stored: without the copy of the address under the kind's key.
    pub fn stored_metadata(&self) -> serde_json::Map<String, serde_json::Value> {
        let mut m = self.metadata.clone();
        if let Some(key) = address_key(&self.kind) {
            m.remove(key);
        }
        m
    }

    /// Copies the address into `metadata` under the kind's key, so that answers carry it in
    /// both spellings the documentation uses.
    pub fn with_address_in_metadata(mut self) -> Self {
        if let Some(key) = address_key(&self.kind) {
            if !self.url.is_empty() {
                self.metadata.insert(key.into(), self.url.clone().into());
            }
        }
        self
    }
}

impl ConnectionInput {
    /// The url and metadata an update is checked with: what was sent replaces what was there.
    /// The old metadata's copy of the address is left out, so that sending only a new url, or
    /// only metadata carrying the new address, is not read as a contradiction.
    pub fn address_over(
        &self,
        before: &Connection,
    ) -> (String, serde_json::Map<String, serde_json::Value>) {
        let metadata = self
            .metadata
            .clone()
            .unwrap_or_else(|| before.stored_metadata());
        let kind = self.kind.as_deref().unwrap_or(&before.kind);
        let url = match &self.url {
            Some(u) => u.clone(),
            None if address_key(kind)
                .is_some_and(|k| metadata.get(k).is_some_and(|v| !v.is_null())) =>
            {
                String::new()
            }
            None => before.url.clone(),
        };
        (url, metadata)
    }
}

/// Kinds whose connection is reached at a URL, which they therefore need.
pub fn kind_needs_url(kind: &str) -> bool {
    matches!(
        kind,
        "kubernetes" | "prometheus" | "grafana" | "http" | "jaeger"
    )
}

/// What the URL field is called for a kind, for forms.
pub fn url_label(kind: &str) -> &'static str {
    match kind {
        "kubernetes" => "API server URL",
        "prometheus" => "Prometheus URL",
        "grafana" => "Grafana URL",
        "github" => "GitHub API URL",
        "postgres" => "Database URL",
        _ => "URL",
    }
}

/// The type a kind has unless told otherwise.
pub fn default_type(kind: &str) -> &'static str {
    match kind {
        "kubernetes" => "platform",
        "prometheus" | "grafana" | "jaeger" => "observability",
        "github" | "gitlab" => "source-control",
        "postgres" | "mysql" | "redis" => "database",
        "slack" => "collaboration",
        _ => "",
    }
}

pub fn check_connection_name(raw: &str) -> Result<String, String> {
    super::text::name(raw, CONNECTION_NAME_MAX)
}

/// kind and type are short lower-case words: letters, digits, '-', '_', '.'.
pub fn check_word(raw: &str, what: &str, required: bool) -> Result<String, String> {
    let w = raw.trim().to_ascii_lowercase();
    if w.is_empty() {
        return if required {
            Err(format!("{what} is required, e.g. kubernetes or prometheus"))
        } else {
            Ok(w)
        };
    }
    if w.len() > KIND_MAX
        || !w
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err(format!(
            "{what} is up to {KIND_MAX} letters, digits, '-', '_' or '.'"
        ));
    }
    Ok(w)
}

pub fn check_url(raw: &str, kind: &str) -> Result<String, String> {
    let u = raw.trim();
    if u.is_empty() {
        return if kind_needs_url(kind) {
            Err(match address_key(kind) {
                Some(key) => format!(
                    "a {kind} connection needs its {} (url, or metadata.{key})",
                    url_label(kind)
                ),
                None => format!("a {kind} connection needs its {}", url_label(kind)),
            })
        } else {
            Ok(String::new())
        };
    }
    if u.len() > URL_MAX {
        return Err(format!("url is at most {URL_MAX} characters"));
    }
    if u.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err("url cannot contain spaces or control characters".into());
    }
    // Databases are addressed in their own scheme; everything else speaks HTTP.
    let schemes: &[&str] = match kind {
        "postgres" => &["postgres://", "postgresql://"],
        "mysql" => &["mysql://"],
        "redis" => &["redis://", "rediss://"],
        "mongodb" => &["mongodb://", "mongodb+srv://"],
        _ => &[],
    };
    let rest = u
        .strip_prefix("https://")
        .or_else(|| u.strip_prefix("http://"))
        .or_else(|| schemes.iter().find_map(|s| u.strip_prefix(s)));
    // The host comes after any user@ part.
    let host = rest.map(|r| {
        let authority = r.split(['/', '?', '#']).next().unwrap_or("");
        authority.rsplit('@').next().unwrap_or("")
    });
    match host {
        Some(h) if !h.is_empty() && !h.contains(char::is_whitespace) => Ok(u.to_string()),
        _ if !schemes.is_empty() => Err(format!(
            "url must be a {} or http(s):// address",
            schemes.join(" or ")
        )),
        _ => Err(
            "url must be an http:// or https:// address, e.g. https://prometheus.example:9090"
                .into(),
        ),
    }
}

#[cfg(test)]
mod url_tests {
    use super::check_url;

    #[test]
    fn databases_use_their_own_schemes() {
        assert!(check_url("postgres://db.internal:5432/app", "postgres").is_ok());
        assert!(check_url("postgres://db.internal:5432/app", "http").is_err());
        assert!(check_url("mysql://", "mysql").is_err());
        assert!(check_url("https://x", "postgres").is_ok());
        assert!(check_url("ftp://x", "postgres")
            .unwrap_err()
            .contains("postgres://"));
    }
}

/// The checked fields of a connection.
#[derive(Clone, Debug, PartialEq)]
pub struct ConnectionFields {
    pub name: String,
    pub kind: String,
    pub kind_type: String,
    pub sub_type: String,
    pub url: String,
    pub metadata: serde_json::Map<String, serde_json::Value>,
}

impl ConnectionFields {
    /// The fields checked; the first problem found (the API answers one at a time).
    pub fn check(
        name: &str,
        kind: &str,
        kind_type: &str,
        sub_type: &str,
        url: &str,
        metadata: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<Self, ApiError> {
        Self::check_all(name, kind, kind_type, sub_type, url, metadata).map_err(|mut e| e.remove(0))
    }

    /// The fields checked, or every problem at once (a form shows each on its field). The
    /// address is checked against the kind as typed even when the kind itself is refused.
    pub fn check_all(
        name: &str,
        kind: &str,
        kind_type: &str,
        sub_type: &str,
        url: &str,
        metadata: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<Self, Vec<ApiError>> {
        fn v(field: &'static str) -> impl Fn(String) -> ApiError {
            move |m| ApiError::validation(field, m)
        }
        let checked_kind = check_word(kind, "kind", true).map_err(v("kind"));
        let kind_for_url = checked_kind
            .clone()
            .unwrap_or_else(|_| kind.trim().to_ascii_lowercase());
        let mut metadata = metadata.clone();
        let address = take_address(&kind_for_url, url, &mut metadata);
        let kind_type = check_word(kind_type, "type", false)
            .map_err(v("type"))
            .map(|t| {
                if t.is_empty() {
                    default_type(&kind_for_url).to_string()
                } else {
                    t
                }
            });
        let metadata_size = serde_json::to_string(&metadata)
            .map(|s| s.len())
            .unwrap_or(0);
        let metadata = if metadata_size > METADATA_MAX {
            Err(ApiError::validation(
                "metadata",
                format!("metadata is at most {METADATA_MAX} bytes of JSON"),
            ))
        } else {
            Ok(metadata)
        };
        let name = check_connection_name(name).map_err(v("name"));
        let sub_type = check_word(sub_type, "sub_type", false).map_err(v("sub_type"));
        let url = address.and_then(|u| check_url(&u, &kind_for_url).map_err(v("url")));
        match (checked_kind, kind_type, metadata, name, sub_type, url) {
            (Ok(kind), Ok(kind_type), Ok(metadata), Ok(name), Ok(sub_type), Ok(url)) => {
                Ok(ConnectionFields {
                    name,
                    sub_type,
                    url,
                    kind,
                    kind_type,
                    metadata,
                })
            }
            (kind, kind_type, metadata, name, sub_type, url) => Err([
                kind.err(),
                url.as_ref()
                    .err()
                    .filter(|e| e.field.as_deref() != Some("url"))
                    .cloned(),
                kind_type.err(),
                metadata.err(),
                name.err(),
                sub_type.err(),
                url.err().filter(|e| e.field.as_deref() == Some("url")),
            ]
            .into_iter()
            .flatten()
            .collect()),
        }
    }
}

pub fn parse_status(raw: &str, field: &str) -> Result<ConnectionStatus, ApiError> {
    ConnectionStatus::parse(raw).ok_or_else(|| {
        let all: Vec<&str> = ConnectionStatus::ALL.iter().map(|s| s.as_str()).collect();
        ApiError::validation(
            field,
            format!("'{raw}' is not a status; use one of: {}", all.join(", ")),
        )
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConnectionSort {
    Name,
    Kind,
    Status,
    CreatedAt,
    UpdatedAt,
    /// The unhealthy first (unreachable, failing, unchecked, healthy, not probed), then by name
    /// in the order's direction.
    Health,
}

impl SortField for ConnectionSort {
    const ALL: &'static [(Self, &'static str)] = &[
        (ConnectionSort::Name, "name"),
        (ConnectionSort::Kind, "kind"),
        (ConnectionSort::Status, "status"),
        (ConnectionSort::CreatedAt, "created_at"),
        (ConnectionSort::UpdatedAt, "updated_at"),
        (ConnectionSort::Health, "health"),
    ];
    const DEFAULT: (Self, Direction) = (ConnectionSort::UpdatedAt, Direction::Desc);
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionFilter {
    pub kind: Option<String>,
    pub status: Option<ConnectionStatus>,
    pub credential_id: Option<Uuid>,
    pub environment_id: Option<Uuid>,
    /// Meshery's `deleted_at`: `false` leaves out connections whose status is `deleted` (its
    /// soft delete), `true` lists only those (organization admins only).
    pub deleted: Option<bool>,
    /// Only connections in this health state.
    pub health: Option<HealthState>,
}

fn filter_err(key: &str, what: &str) -> ApiError {
    ApiError::parameter(
        &format!("filter.{key}"),
        format!("filter.{key} must be {what}"),
    )
}

impl ConnectionFilter {
    pub fn parse(raw: Option<&str>) -> Result<Self, ApiError> {
        let mut f = ConnectionFilter::default();
        let Some(map) = parse_filter_object(raw)? else {
            return Ok(f);
        };
        for (key, value) in map {
            let text = || value.as_str().map(str::to_string);
            let id = || text().and_then(|s| Uuid::parse_str(&s).ok());
            match key.as_str() {
                "kind" => f.kind = Some(text().ok_or_else(|| filter_err("kind", "a string"))?.to_ascii_lowercase()),
                "status" => {
                    f.status = Some(text().and_then(|s| ConnectionStatus::parse(&s)).ok_or_else(|| filter_err("status", "a connection status"))?)
                }
                "health" => {
                    f.health = Some(text().and_then(|s| HealthState::parse(&s)).ok_or_else(|| {
                        filter_err("health", "one of healthy, unreachable, failing, unchecked, not_probed")
                    })?)
                }
                "credential_id" => f.credential_id = Some(id().ok_or_else(|| filter_err("credential_id", "a UUID"))?),
                "environment_id" => f.environment_id = Some(id().ok_or_else(|| filter_err("environment_id", "a UUID"))?),
                "deleted_at" => f.deleted = Some(filter_bool(&key, &value)?),
                other => {
                    return Err(ApiError::parameter(
                        &format!("filter.{other}"),
                        format!("unknown filter key '{other}'; connections filter on: kind, status, health, credential_id, environment_id, deleted_at"),
                    ))
                }
            }
        }
        Ok(f)
    }

    pub fn to_param(&self) -> Option<String> {
        let mut m = serde_json::Map::new();
        if let Some(k) = &self.kind {
            m.insert("kind".into(), k.clone().into());
        }
        if let Some(s) = self.status {
            m.insert("status".into(), s.as_str().into());
        }
        if let Some(h) = self.health {
            m.insert("health".into(), h.as_str().into());
        }
        if let Some(c) = self.credential_id {
            m.insert("credential_id".into(), c.to_string().into());
        }
        if let Some(e) = self.environment_id {
            m.insert("environment_id".into(), e.to_string().into());
        }
        if let Some(d) = self.deleted {
            m.insert("deleted_at".into(), d.into());
        }
        (!m.is_empty()).then(|| serde_json::Value::Object(m).to_string())
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionQuery {
    pub list: ListQuery<ConnectionSort>,
    pub filter: ConnectionFilter,
}

impl ConnectionQuery {
    pub fn parse(raw: &RawListQuery) -> Result<Self, ApiError> {
        Ok(ConnectionQuery {
            list: ListQuery::parse(raw)?,
            filter: ConnectionFilter::parse(raw.filter.as_deref())?,
        })
    }

    pub fn to_raw(&self) -> RawListQuery {
        let mut raw = self.list.to_raw();
        raw.filter = self.filter.to_param();
        raw
    }
}

pub type StatusSummary = BTreeMap<String, u64>;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ConnectionPage {
    pub page: u32,
    pub page_size: u32,
    pub total_count: u64,
    /// Counts by status over the whole filtered set, not only this page.
    #[cfg_attr(feature = "ssr", schema(value_type = std::collections::BTreeMap<String, u64>))]
    pub status_summary: StatusSummary,
    /// Counts by health over the whole filtered set.
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(value_type = std::collections::BTreeMap<String, u64>))]
    pub health_summary: HealthCounts,
    pub connections: Vec<Connection>,
}

/// One context of an imported kubeconfig.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ImportedConnection {
    pub id: Uuid,
    pub name: String,
    /// The context whose cluster it points at.
    #[serde(default)]
    pub context: String,
    /// The cluster's API server.
    #[serde(default)]
    pub url: String,
    pub credential_id: Option<Uuid>,
    /// False when an earlier import already made it.
    pub created: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct KubeconfigImport {
    pub connections: Vec<ImportedConnection>,
}

/// `PUT /api/connections/{id}/status`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StatusChange {
    pub status: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use ConnectionStatus::*;

    #[test]
    fn transitions_follow_meshery() {
        assert!(Discovered.can_move_to(Registered));
        assert!(!Discovered.can_move_to(Connected));
        assert!(Registered.can_move_to(Connected) && Registered.can_move_to(Ignored));
        assert!(Connected.can_move_to(NotFound) && !Connected.can_move_to(Registered));
        assert!(Maintenance.can_move_to(Registered));
        assert!(NotFound.can_move_to(Discovered) && !NotFound.can_move_to(Connected));
        assert!(Deleted.next().is_empty());
        // every target is itself a status with its own rules
        for s in ConnectionStatus::ALL {
            assert!(!s.can_move_to(s), "{s:?} to itself");
        }
    }

    /// The probe's fields are written at the top level and read back into `last_probe`, and a
    /// connection without them (an older answer) still reads.
    #[test]
    fn a_connection_round_trips_with_its_probe_at_the_top_level() {
        let at = Utc::now();
        let c = Connection {
            id: Uuid::nil(),
            organization_id: Uuid::nil(),
            name: "prod".into(),
            kind: "kubernetes".into(),
            kind_type: "platform".into(),
            sub_type: String::new(),
            url: "https://k8s.example.com".into(),
            status: Connected,
            metadata: serde_json::Map::new(),
            credential_id: None,
            credential_name: Some("kube".into()),
            environments: vec![EnvironmentRef {
                id: Uuid::nil(),
                name: "production".into(),
            }],
            environment_count: 3,
            owner: Uuid::nil(),
            created_at: at,
            updated_at: at,
            health: ConnectionHealth::fresh("kubernetes", at),
            last_probe: Health {
                last_checked_at: Some(at),
                last_error: Some("connection refused".into()),
                latency_ms: Some(42),
            },
        };
        let json = serde_json::to_value(&c).unwrap();
        assert_eq!(json["last_error"], "connection refused");
        assert_eq!(json["latency_ms"], 42);
        assert!(json.get("last_probe").is_none(), "{json}");
        assert_eq!(
            serde_json::from_value::<Connection>(json.clone()).unwrap(),
            c
        );
        let mut old = json;
        for k in ["last_checked_at", "last_error", "latency_ms", "health"] {
            old.as_object_mut().unwrap().remove(k);
        }
        let read: Connection = serde_json::from_value(old).unwrap();
        assert_eq!(read.last_probe, Health::default());
        assert_eq!(read.health, ConnectionHealth::default());
    }

    #[test]
    fn statuses_round_trip_with_their_wire_names() {
        for s in ConnectionStatus::ALL {
            assert_eq!(ConnectionStatus::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        assert_eq!(ConnectionStatus::parse("NOT_FOUND"), Some(NotFound));
    }

    #[test]
    fn fields_follow_the_kind() {
        let none = serde_json::Map::new();
        let e = ConnectionFields::check("p", "prometheus", "", "", "", &none).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("url"));
        let f = ConnectionFields::check(" p ", "Prometheus", "", "", "http://prom:9090", &none)
            .unwrap();
        assert_eq!(
            (f.name.as_str(), f.kind.as_str(), f.kind_type.as_str()),
            ("p", "prometheus", "observability")
        );
        assert!(ConnectionFields::check("gh", "github", "", "", "", &none).is_ok());
        let e = ConnectionFields::check("x", "http", "", "", "ftp://x", &none).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("url"));
        let e = ConnectionFields::check("x", "has space", "", "", "", &none).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("kind"));
    }

    #[test]
    fn credential_id_tells_null_from_absent() {
        let absent: ConnectionInput = serde_json::from_str("{}").unwrap();
        assert_eq!(absent.credential_id, None);
        let null: ConnectionInput = serde_json::from_str(r#"{"credential_id": null}"#).unwrap();
        assert_eq!(null.credential_id, Some(None));
    }

    #[test]
    fn filter_parses_every_key() {
        let id = Uuid::now_v7();
        let f = ConnectionFilter::parse(Some(&format!(
            r#"{{"kind":"Kubernetes","status":"connected","environment_id":"{id}"}}"#
        )))
        .unwrap();
        assert_eq!(
            (f.kind.as_deref(), f.status, f.environment_id),
            (Some("kubernetes"), Some(Connected), Some(id))
        );
        assert_eq!(ConnectionFilter::parse(f.to_param().as_deref()).unwrap(), f);
        assert_eq!(
            ConnectionFilter::parse(Some(r#"{"status":"sleepy"}"#))
                .unwrap_err()
                .field
                .as_deref(),
            Some("filter.status")
        );
    }
}
