//! Who is signed in, and what they belong to.

use super::access::Standing;
use crate::error::ApiError;
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

/// A workspace the user belongs to, and their role in it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct WorkspaceMembership {
    pub id: Uuid,
    pub name: String,
    pub role: Role,
    pub organization_id: Uuid,
}

/// The signed-in user as the UI and `GET /api/me` see them. Loaded afresh for every request,
/// so a changed role or a removed membership counts from the next request on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Me {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub organizations: Vec<OrgMembership>,
    #[serde(default)]
    pub workspaces: Vec<WorkspaceMembership>,
    /// Set for a password an admin handed out: it must be changed before anything else.
    #[serde(default)]
    pub must_change_password: bool,
}

impl Me {
    pub fn membership(&self, org: Uuid) -> Option<&OrgMembership> {
        self.organizations.iter().find(|m| m.id == org)
    }

    /// The organization a request or a page acts in: the one named, which the user must
    /// belong to (not found otherwise), or their only one; someone in several must name one.
    pub fn org_in(&self, org: Option<Uuid>) -> Result<&OrgMembership, ApiError> {
        match org {
            Some(id) => self
                .membership(id)
                .ok_or_else(|| ApiError::not_found("organization")),
            None => match self.organizations.as_slice() {
                [only] => Ok(only),
                [] => Err(ApiError::forbidden("you do not belong to any organization")),
                many => Err(ApiError::parameter(
                    "orgID",
                    format!(
                        "you belong to {} organizations: say which one with orgID",
                        many.len()
                    ),
                )),
            },
        }
    }

    /// Whether the user administers any organization (the UI's admin-only pages).
    pub fn is_any_org_admin(&self) -> bool {
        self.organizations.iter().any(|m| m.role == Role::Admin)
    }

    /// How the user stands towards a workspace of `org`: `None` when they are not in `org`.
    pub fn workspace_standing(&self, org: Uuid, workspace: Uuid) -> Option<Standing> {
        let org_role = self.membership(org)?.role;
        if org_role == Role::Admin {
            return Some(Standing::OrgAdmin);
        }
        let role = self
            .workspaces
            .iter()
            .find(|w| w.id == workspace)
            .map(|w| w.role);
        Some(Standing::in_workspace(role))
    }

    /// The strongest standing the user holds anywhere in an organization: for what belongs to
    /// the organization rather than to a workspace (its teams). `None` outside it.
    pub fn standing_in_org(&self, org: Uuid) -> Option<Standing> {
        let role = self.membership(org)?.role;
        if role == Role::Admin {
            return Some(Standing::OrgAdmin);
        }
        Some(
            self.workspaces
                .iter()
                .filter(|w| w.organization_id == org)
                .fold(Standing::OrgMember, |best, w| {
                    best.max(Standing::in_workspace(Some(w.role)))
                }),
        )
    }

    /// How the user stands in an organization before any object is in play.
    pub fn org_standing(&self, org: Uuid) -> Option<Standing> {
        self.membership(org).map(|m| Standing::in_org(m.role))
    }
}

/// A user as an organization's admins see them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct OrgUser {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub role: Role,
    /// Still on the one-time password they were given.
    pub must_change_password: bool,
    pub created_at: DateTime<Utc>,
    /// In a list: their first teams in the organization (at most
    /// `connection::EMBEDDED_MAX`, by id) of `team_count`; each team's page lists its members.
    #[serde(default)]
    pub teams: Vec<crate::list::Named>,
    #[serde(default)]
    pub team_count: u64,
    /// In a list: where their workspace access comes from, one entry per way in (their own
    /// membership, or a team's), at most `connection::EMBEDDED_MAX` of `access_count`.
    #[serde(default)]
    pub access: Vec<WorkspaceAccess>,
    #[serde(default)]
    pub access_count: u64,
}

/// One way a person reaches a workspace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct WorkspaceAccess {
    pub workspace: crate::list::Named,
    pub role: Role,
    /// The team that gives it; absent for their own membership.
    pub via_team: Option<crate::list::Named>,
}

/// The body of `POST /api/users`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewUser {
    #[cfg_attr(
        feature = "ssr",
        schema(
            required = true,
            pattern = r"^\s*[^\s\u0000-\u001f\u007f@](?:[^\u0000-\u001f\u007f@]{0,98}[^\s\u0000-\u001f\u007f@])?\s*$"
        )
    )]
    pub name: Option<String>,
    #[cfg_attr(feature = "ssr", schema(required = true))]
    pub email: Option<String>,
    /// `admin` or `member` (default).
    #[serde(default)]
    pub role: Option<String>,
    #[serde(default, alias = "organizationId")]
    pub organization_id: Option<Uuid>,
}

/// A user just created, with the one-time password to hand them: shown once, never stored in
/// plain text, and to be changed at their first sign-in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CreatedUser {
    pub user: OrgUser,
    pub one_time_password: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UserPage {
    pub page: u32,
    pub page_size: u32,
    pub total_count: u64,
    pub users: Vec<OrgUser>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum UserSort {
    Name,
    Email,
    CreatedAt,
}

impl super::list::SortField for UserSort {
    const ALL: &'static [(Self, &'static str)] = &[
        (UserSort::Name, "name"),
        (UserSort::Email, "email"),
        (UserSort::CreatedAt, "created_at"),
    ];
    const DEFAULT: (Self, super::list::Direction) = (UserSort::Name, super::list::Direction::Asc);
}

/// `GET /api/users`: search matches name or email.
pub type UserQuery = super::list::ListQuery<UserSort>;

/// The body of `PUT /api/me/password`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PasswordChange {
    pub current_password: Option<String>,
    #[cfg_attr(feature = "ssr", schema(min_length = 8, max_length = 1000))]
    pub new_password: Option<String>,
}

pub const PASSWORD_MIN: usize = 8;
pub const PASSWORD_MAX: usize = 1000;
pub const USER_NAME_MAX: usize = 100;

pub fn check_password(p: &str) -> Result<(), String> {
    match p.chars().count() {
        n if n < PASSWORD_MIN => Err(format!("passwords are at least {PASSWORD_MIN} characters")),
        n if n > PASSWORD_MAX => Err(format!("passwords are at most {PASSWORD_MAX} characters")),
        _ => Ok(()),
    }
}

pub fn check_email(raw: &str) -> Result<String, String> {
    let e = raw.trim();
    match e.split_once('@') {
        Some((local, domain))
            if !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && e.chars().count() <= 254
                && !e.contains(|c: char| c.is_whitespace() || c.is_control()) =>
        {
            Ok(e.to_string())
        }
        _ => Err(format!("'{e}' is not an email address")),
    }
}

/// A user name: what they sign in with besides their email.
pub fn check_user_name(raw: &str) -> Result<String, String> {
    let n = raw.trim();
    match n.chars().count() {
        0 => Err("name is required".into()),
        l if l > USER_NAME_MAX => Err(format!("name is at most {USER_NAME_MAX} characters")),
        _ if n.contains(|c: char| c.is_control() || c == '@') => {
            Err("a name cannot contain '@' or control characters".into())
        }
        _ => Ok(n.to_string()),
    }
}

impl NewUser {
    /// The checked name and email.
    pub fn check(&self) -> Result<(String, String), ApiError> {
        let email = check_email(self.email.as_deref().unwrap_or(""))
            .map_err(|m| ApiError::validation("email", m))?;
        // The name defaults to the address's local part, as most people expect.
        let name = match self.name.as_deref().map(str::trim) {
            Some(n) if !n.is_empty() => n.to_string(),
            _ => email.split('@').next().unwrap_or("").to_string(),
        };
        let name = check_user_name(&name).map_err(|m| ApiError::validation("name", m))?;
        Ok((name, email))
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
    /// When it stops working; never, without one.
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
}

/// The longest a token may be made to last, in days.
pub const TOKEN_DAYS_MAX: u32 = 3650;

/// Parses a form's or body's "expires in N days" (empty: never).
pub fn check_token_days(raw: Option<&str>) -> Result<Option<u32>, String> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => match s.parse::<u32>() {
            Ok(n) if (1..=TOKEN_DAYS_MAX).contains(&n) => Ok(Some(n)),
            _ => Err(format!(
                "expires_in_days is a whole number of days from 1 to {TOKEN_DAYS_MAX}, or empty for never"
            )),
        },
    }
}

/// One of the caller's signed-in sessions, as Settings lists them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SessionInfo {
    pub id: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// The client address it signed in from.
    pub client_addr: Option<String>,
    pub user_agent: Option<String>,
    /// The session this request came with.
    pub current: bool,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_and_passwords_are_checked() {
        assert_eq!(check_email(" a@b.c ").unwrap(), "a@b.c");
        for bad in ["", "a", "@b", "a@", "a b@c", "a@b@c"] {
            assert!(check_email(bad).is_err(), "{bad}");
        }
        assert!(check_password("1234567").is_err());
        assert!(check_password("12345678").is_ok());
        let u = NewUser {
            email: Some("dana@example.com".into()),
            ..Default::default()
        };
        assert_eq!(u.check().unwrap().0, "dana");
    }

    fn member_of(orgs: &[(Uuid, Role)]) -> Me {
        Me {
            id: Uuid::now_v7(),
            name: "u".into(),
            email: "u@x".into(),
            organizations: orgs
                .iter()
                .map(|(id, role)| OrgMembership {
                    id: *id,
                    name: "o".into(),
                    role: *role,
                })
                .collect(),
            workspaces: vec![],
            must_change_password: false,
        }
    }

    #[test]
    fn org_is_implied_only_for_a_single_membership() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        assert_eq!(member_of(&[(a, Role::Admin)]).org_in(None).unwrap().id, a);
        let two = member_of(&[(a, Role::Admin), (b, Role::Member)]);
        assert_eq!(two.org_in(None).unwrap_err().status(), 400);
        assert_eq!(two.org_in(Some(b)).unwrap().role, Role::Member);
        assert_eq!(two.org_in(Some(Uuid::now_v7())).unwrap_err().status(), 404);
        assert_eq!(member_of(&[]).org_in(None).unwrap_err().status(), 403);
    }

    #[test]
    fn standing_follows_org_then_workspace_role() {
        let (org, ws, other) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let mut me = Me {
            id: Uuid::now_v7(),
            name: "m".into(),
            email: "m@x".into(),
            organizations: vec![OrgMembership {
                id: org,
                name: "o".into(),
                role: Role::Member,
            }],
            workspaces: vec![WorkspaceMembership {
                id: ws,
                name: "w".into(),
                role: Role::Admin,
                organization_id: org,
            }],
            must_change_password: false,
        };
        assert_eq!(
            me.workspace_standing(org, ws),
            Some(Standing::WorkspaceAdmin)
        );
        assert_eq!(me.workspace_standing(org, other), Some(Standing::OrgMember));
        assert_eq!(me.workspace_standing(other, ws), None);
        me.organizations[0].role = Role::Admin;
        assert_eq!(me.workspace_standing(org, other), Some(Standing::OrgAdmin));
    }
}
