//! Credentials: the secrets that open connections. The plaintext goes in (create, update) and
//! never comes out: responses list the secret's field names with masked values.

use super::list::{parse_filter_object, Direction, ListQuery, RawListQuery, SortField};
use super::scope::CredentialScope;
use crate::error::ApiError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

pub const CREDENTIAL_NAME_MAX: usize = 255;
/// What a secret value is shown as.
pub const MASK: &str = "********";
pub const SECRET_VALUE_MAX: usize = 64 * 1024;
pub const SECRET_FIELDS_MAX: usize = 32;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum CredentialType {
    Token,
    Basic,
    Kubernetes,
    Aws,
    Custom,
}

/// A secret field of a credential type, for forms.
pub struct SecretField {
    pub name: &'static str,
    pub label: &'static str,
    pub required: bool,
    /// Multi-line (certificates, keys).
    pub multiline: bool,
}

const fn f(
    name: &'static str,
    label: &'static str,
    required: bool,
    multiline: bool,
) -> SecretField {
    SecretField {
        name,
        label,
        required,
        multiline,
    }
}

impl CredentialType {
    pub const ALL: [CredentialType; 5] = [
        CredentialType::Token,
        CredentialType::Basic,
        CredentialType::Kubernetes,
        CredentialType::Aws,
        CredentialType::Custom,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CredentialType::Token => "token",
            CredentialType::Basic => "basic",
            CredentialType::Kubernetes => "kubernetes",
            CredentialType::Aws => "aws",
            CredentialType::Custom => "custom",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// The secret fields this type takes. Kubernetes needs a token, or a client certificate and
    /// its key; `custom` takes any fields.
    pub fn fields(self) -> &'static [SecretField] {
        match self {
            CredentialType::Token => TOKEN_FIELDS,
            CredentialType::Basic => BASIC_FIELDS,
            CredentialType::Kubernetes => KUBERNETES_FIELDS,
            CredentialType::Aws => AWS_FIELDS,
            CredentialType::Custom => &[],
        }
    }
}

const TOKEN_FIELDS: &[SecretField] = &[f("token", "Token", true, false)];
const BASIC_FIELDS: &[SecretField] = &[
    f("username", "Username", true, false),
    f("password", "Password", true, false),
];
const KUBERNETES_FIELDS: &[SecretField] = &[
    f("token", "Bearer token", false, false),
    f(
        "client_certificate",
        "Client certificate (PEM)",
        false,
        true,
    ),
    f("client_key", "Client key (PEM)", false, true),
    f(
        "certificate_authority",
        "Certificate authority (PEM)",
        false,
        true,
    ),
];
const AWS_FIELDS: &[SecretField] = &[
    f("access_key_id", "Access key id", true, false),
    f("secret_access_key", "Secret access key", true, false),
    f("region", "Region", false, false),
];

pub type Secret = BTreeMap<String, String>;

fn field_name_ok(k: &str) -> bool {
    !k.is_empty()
        && k.len() <= 64
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Checks a secret against its type; empty values count as absent and are dropped.
/// Errors name the field as `secret.<name>`.
pub fn check_secret(kind: CredentialType, raw: &Secret) -> Result<Secret, ApiError> {
    let secret: Secret = raw
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| (k.trim().to_string(), v.clone()))
        .collect();
    let err = |field: &str, m: String| ApiError::validation(&format!("secret.{field}"), m);
    for (k, v) in &secret {
        if v.len() > SECRET_VALUE_MAX {
            return Err(err(
                k,
                format!("{k} is longer than {SECRET_VALUE_MAX} bytes"),
            ));
        }
        if kind == CredentialType::Custom {
            if !field_name_ok(k) {
                return Err(err(
                    k,
                    format!("'{k}' is not a field name: use letters, digits, '_' and '-'"),
                ));
            }
        } else if !kind.fields().iter().any(|f| f.name == k) {
            let known: Vec<&str> = kind.fields().iter().map(|f| f.name).collect();
            return Err(err(
                k,
                format!(
                    "a {} credential has no field '{k}' (it takes: {})",
                    kind.as_str(),
                    known.join(", ")
                ),
            ));
        }
    }
    if secret.len() > SECRET_FIELDS_MAX {
        return Err(ApiError::validation(
            "secret",
            format!("at most {SECRET_FIELDS_MAX} secret fields"),
        ));
    }
    for field in kind.fields().iter().filter(|f| f.required) {
        if !secret.contains_key(field.name) {
            return Err(err(
                field.name,
                format!(
                    "{} is required for a {} credential",
                    field.name,
                    kind.as_str()
                ),
            ));
        }
    }
    match kind {
        CredentialType::Kubernetes => {
            let cert = secret.contains_key("client_certificate");
            let key = secret.contains_key("client_key");
            if cert != key {
                let missing = if cert {
                    "client_key"
                } else {
                    "client_certificate"
                };
                return Err(err(
                    missing,
                    "a client certificate and its key go together".into(),
                ));
            }
            if !cert && !secret.contains_key("token") {
                return Err(err(
                    "token",
                    "a kubernetes credential needs a token, or a client certificate and key".into(),
                ));
            }
        }
        CredentialType::Custom if secret.is_empty() => {
            return Err(ApiError::validation(
                "secret",
                "a custom credential needs at least one field",
            ));
        }
        _ => {}
    }
    Ok(secret)
}

pub fn check_credential_name(raw: &str) -> Result<String, String> {
    super::text::name(raw, CREDENTIAL_NAME_MAX)
}

/// A credential as the API shows it: secret values masked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Credential {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: CredentialType,
    /// Field names with masked values.
    #[cfg_attr(feature = "ssr", schema(value_type = std::collections::BTreeMap<String, String>))]
    pub secret: Secret,
    /// Where the secret may be sent: host patterns (`k8s.example.com:6443`, `*.example.com`).
    pub allowed_hosts: Vec<String>,
    /// Whether the secret may travel over plain `http`.
    pub allow_http: bool,
    pub owner: Uuid,
    pub connection_count: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Credential {
    pub fn mask(fields: impl IntoIterator<Item = String>) -> Secret {
        fields.into_iter().map(|k| (k, MASK.to_string())).collect()
    }

    pub fn scope(&self) -> CredentialScope {
        CredentialScope {
            allowed_hosts: self.allowed_hosts.clone(),
            allow_http: self.allow_http,
        }
    }
}

/// A scope may change only together with the secret: nobody widens where a secret goes
/// without knowing it. `secret_given` says whether the change carries the secret again.
pub fn check_scope_change(
    before: &CredentialScope,
    after: &CredentialScope,
    secret_given: bool,
) -> Result<(), ApiError> {
    if before != after && !secret_given {
        return Err(ApiError::validation(
            "secret",
            "changing where the secret may be sent needs the secret again: enter it with the new allowed hosts",
        ));
    }
    Ok(())
}

/// Checks the scope a body gives; errors name `allowed_hosts[i]`.
pub fn check_scope(hosts: &[String], allow_http: bool) -> Result<CredentialScope, ApiError> {
    let allowed_hosts =
        super::scope::check_hosts(hosts).map_err(|(field, m)| ApiError::validation(&field, m))?;
    Ok(CredentialScope {
        allowed_hosts,
        allow_http,
    })
}

/// The body of `POST /api/credentials`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewCredential {
    #[cfg_attr(
        feature = "ssr",
        schema(
            required = true,
            pattern = r"^\s*[^\s\u0000-\u001f\u007f](?:[^\u0000-\u001f\u007f]{0,253}[^\s\u0000-\u001f\u007f])?\s*$"
        )
    )]
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<std::collections::BTreeMap<String, String>>))]
    pub secret: Option<Secret>,
    /// Where the secret may be sent; at least one host.
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(max_items = 32))]
    pub allowed_hosts: Option<Vec<String>>,
    /// Whether plain `http` is allowed (default false).
    #[serde(default)]
    pub allow_http: Option<bool>,
    #[serde(default, alias = "organizationId")]
    pub organization_id: Option<Uuid>,
}

/// The body of `PUT /api/credentials/{id}`. A new secret replaces the old one whole; without
/// one the secret is kept. A type change, and any change of where the secret may be sent
/// (`allowed_hosts`, `allow_http`), needs the secret again.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CredentialUpdate {
    #[serde(default)]
    #[cfg_attr(
        feature = "ssr",
        schema(
            pattern = r"^\s*[^\s\u0000-\u001f\u007f](?:[^\u0000-\u001f\u007f]{0,253}[^\s\u0000-\u001f\u007f])?\s*$"
        )
    )]
    pub name: Option<String>,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<std::collections::BTreeMap<String, String>>))]
    pub secret: Option<Secret>,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(max_items = 32))]
    pub allowed_hosts: Option<Vec<String>>,
    #[serde(default)]
    pub allow_http: Option<bool>,
}

pub fn parse_type(raw: Option<&str>, field: &str) -> Result<CredentialType, ApiError> {
    let raw = raw.map(str::trim).unwrap_or("");
    CredentialType::parse(&raw.to_ascii_lowercase()).ok_or_else(|| {
        ApiError::validation(
            field,
            format!("type must be one of token, basic, kubernetes, aws, custom (not '{raw}')"),
        )
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CredentialSort {
    Name,
    Type,
    CreatedAt,
    UpdatedAt,
}

impl SortField for CredentialSort {
    const ALL: &'static [(Self, &'static str)] = &[
        (CredentialSort::Name, "name"),
        (CredentialSort::Type, "type"),
        (CredentialSort::CreatedAt, "created_at"),
        (CredentialSort::UpdatedAt, "updated_at"),
    ];
    const DEFAULT: (Self, Direction) = (CredentialSort::UpdatedAt, Direction::Desc);
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialQuery {
    pub list: ListQuery<CredentialSort>,
    pub kind: Option<CredentialType>,
}

impl CredentialQuery {
    pub fn to_raw(&self) -> RawListQuery {
        let mut raw = self.list.to_raw();
        raw.filter = self
            .kind
            .map(|k| serde_json::json!({ "type": k.as_str() }).to_string());
        raw
    }

    pub fn parse(raw: &RawListQuery) -> Result<Self, ApiError> {
        let mut q = CredentialQuery {
            list: ListQuery::parse(raw)?,
            kind: None,
        };
        if let Some(map) = parse_filter_object(raw.filter.as_deref())? {
            for (key, value) in map {
                match key.as_str() {
                    "type" => {
                        let s = value.as_str().ok_or_else(|| {
                            ApiError::parameter("filter.type", "filter.type must be a string")
                        })?;
                        q.kind =
                            Some(parse_type(Some(s), "filter.type").map_err(|e| ApiError {
                                code: crate::error::ErrorCode::InvalidParameter,
                                ..e
                            })?);
                    }
                    other => {
                        return Err(ApiError::parameter(
                            &format!("filter.{other}"),
                            format!("unknown filter key '{other}'; credentials filter on: type"),
                        ))
                    }
                }
            }
        }
        Ok(q)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CredentialPage {
    pub page: u32,
    pub page_size: u32,
    pub total_count: u64,
    pub credentials: Vec<Credential>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(pairs: &[(&str, &str)]) -> Secret {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn query_round_trips_through_the_url() {
        let raw = RawListQuery {
            search: Some("prod".into()),
            page: Some("2".into()),
            filter: Some(r#"{"type":"aws"}"#.into()),
            ..Default::default()
        };
        let q = CredentialQuery::parse(&raw).unwrap();
        assert_eq!(CredentialQuery::parse(&q.to_raw()).unwrap(), q);
    }

    #[test]
    fn required_fields_are_named() {
        let e = check_secret(CredentialType::Basic, &s(&[("username", "u")])).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("secret.password"));
        let e = check_secret(
            CredentialType::Aws,
            &s(&[("access_key_id", "a"), ("secret_access_key", " ")]),
        )
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("secret.secret_access_key"));
        assert!(check_secret(CredentialType::Token, &s(&[("token", "t")])).is_ok());
    }

    #[test]
    fn kubernetes_takes_a_token_or_a_certificate_pair() {
        assert!(check_secret(CredentialType::Kubernetes, &s(&[("token", "t")])).is_ok());
        assert!(check_secret(
            CredentialType::Kubernetes,
            &s(&[("client_certificate", "c"), ("client_key", "k")])
        )
        .is_ok());
        let e = check_secret(
            CredentialType::Kubernetes,
            &s(&[("client_certificate", "c")]),
        )
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("secret.client_key"));
        let e = check_secret(
            CredentialType::Kubernetes,
            &s(&[("certificate_authority", "ca")]),
        )
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("secret.token"));
    }

    #[test]
    fn unknown_fields_are_refused_except_for_custom() {
        let e =
            check_secret(CredentialType::Token, &s(&[("token", "t"), ("extra", "x")])).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("secret.extra"));
        assert!(check_secret(CredentialType::Custom, &s(&[("api_key", "x")])).is_ok());
        assert!(check_secret(CredentialType::Custom, &s(&[])).is_err());
        assert!(check_secret(CredentialType::Custom, &s(&[("bad name", "x")])).is_err());
    }
}
