//! Who is signed in, and what they belong to.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Member,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Member => "member",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "admin" => Some(Role::Admin),
            "member" => Some(Role::Member),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct OrgMembership {
    pub id: Uuid,
    pub name: String,
    pub role: Role,
}

/// The signed-in user as the UI and `GET /api/me` see them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Me {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub organizations: Vec<OrgMembership>,
}

impl Me {
    pub fn membership(&self, org: Uuid) -> Option<&OrgMembership> {
        self.organizations.iter().find(|m| m.id == org)
    }
}

/// A personal API token as listed; the secret itself is shown once, at creation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ApiToken {
    pub id: Uuid,
    pub name: String,
    /// The token's first characters, to tell tokens apart.
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// A token just created: the only time its secret is ever shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CreatedToken {
    pub token: ApiToken,
    pub secret: String,
}

pub const TOKEN_NAME_MAX: usize = 100;

pub fn check_token_name(raw: &str) -> Result<String, String> {
    let n = raw.trim();
    match n.chars().count() {
        0 => Err("a token needs a name, e.g. 'ci-deploy'".into()),
        l if l > TOKEN_NAME_MAX => {
            Err(format!("token name is at most {TOKEN_NAME_MAX} characters"))
        }
        _ => Ok(n.to_string()),
    }
}
