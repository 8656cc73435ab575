//! Teams on the wire: named groups of an organization's people, which workspaces take as
//! members with a role. A team filled from an identity provider's group says so (`provider`)
//! and its members are not edited by hand.

use super::list::{Direction, ListQuery, RawListQuery, SortField};
use super::user::Role;
use super::workspace::{no_filter, WorkspaceFields};
use crate::error::ApiError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Team {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub name: String,
    pub description: String,
    /// The identity provider whose group fills the team; absent for a team kept by hand.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// That provider's group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_group: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub member_count: u64,
    pub workspace_count: u64,
    /// In a workspace's list of teams: the team's role there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
}

/// The body of `POST /api/teams`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewTeam {
    #[cfg_attr(
        feature = "ssr",
        schema(
            required = true,
            pattern = r"^\s*[^\s\u0000-\u001f\u007f](?:[^\u0000-\u001f\u007f]{0,253}[^\s\u0000-\u001f\u007f])?\s*$"
        )
    )]
    pub name: Option<String>,
    #[serde(default)]
    #[cfg_attr(
        feature = "ssr",
        schema(
            pattern = r"^\s*(?:[^\s\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f](?:[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]{0,4998}[^\s\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f])?)?\s*$"
        )
    )]
    pub description: Option<String>,
    /// Optional when the caller belongs to exactly one organization.
    #[serde(default, alias = "organizationId")]
    pub organization_id: Option<Uuid>,
}

/// The body of `PUT /api/teams/{id}`. Fields left out keep their value.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TeamUpdate {
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
        schema(
            pattern = r"^\s*(?:[^\s\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f](?:[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]{0,4998}[^\s\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f])?)?\s*$"
        )
    )]
    pub description: Option<String>,
    /// Must be left out or equal the team's own.
    #[serde(default, alias = "organizationId")]
    pub organization_id: Option<Uuid>,
}

/// A team's name and description follow a workspace's rules (the same lengths and characters).
impl NewTeam {
    pub fn check(&self) -> Result<WorkspaceFields, ApiError> {
        WorkspaceFields::check(
            self.name.as_deref().unwrap_or(""),
            self.description.as_deref().unwrap_or(""),
        )
    }
}

impl TeamUpdate {
    pub fn apply(&self, current: &Team) -> Result<WorkspaceFields, ApiError> {
        if self
            .organization_id
            .is_some_and(|o| o != current.organization_id)
        {
            return Err(ApiError::validation(
                "organization_id",
                "a team cannot move to another organization",
            ));
        }
        let fields = WorkspaceFields::check(
            self.name.as_deref().unwrap_or(&current.name),
            self.description.as_deref().unwrap_or(&current.description),
        )?;
        if current.provider.is_some() && fields.name != current.name {
            return Err(ApiError::validation(
                "name",
                "this team is named after its identity provider's group; rename the group there",
            ));
        }
        Ok(fields)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TeamSort {
    Name,
    CreatedAt,
    UpdatedAt,
}

impl SortField for TeamSort {
    const ALL: &'static [(Self, &'static str)] = &[
        (TeamSort::Name, "name"),
        (TeamSort::CreatedAt, "created_at"),
        (TeamSort::UpdatedAt, "updated_at"),
    ];
    const DEFAULT: (Self, Direction) = (TeamSort::Name, Direction::Asc);
}

pub type TeamQuery = ListQuery<TeamSort>;

pub fn parse_team_query(raw: &RawListQuery) -> Result<TeamQuery, ApiError> {
    no_filter(raw, "teams")?;
    ListQuery::parse(raw)
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TeamPage {
    pub page: u32,
    pub page_size: u32,
    pub total_count: u64,
    pub teams: Vec<Team>,
}

/// A member of a team.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TeamMember {
    pub user_id: Uuid,
    pub name: String,
    pub email: String,
    pub added_at: DateTime<Utc>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TeamMemberSort {
    Name,
    Email,
    AddedAt,
}

impl SortField for TeamMemberSort {
    const ALL: &'static [(Self, &'static str)] = &[
        (TeamMemberSort::Name, "name"),
        (TeamMemberSort::Email, "email"),
        (TeamMemberSort::AddedAt, "added_at"),
    ];
    const DEFAULT: (Self, Direction) = (TeamMemberSort::Name, Direction::Asc);
}

/// `GET /api/teams/{id}/members`: `search` matches a name or an email.
pub type TeamMemberQuery = ListQuery<TeamMemberSort>;

pub fn parse_team_member_query(raw: &RawListQuery) -> Result<TeamMemberQuery, ApiError> {
    no_filter(raw, "team members")?;
    ListQuery::parse(raw)
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TeamMemberPage {
    pub page: u32,
    pub page_size: u32,
    pub total_count: u64,
    pub members: Vec<TeamMember>,
}

/// The body of `POST /api/teams/{id}/members`: the user by id, or by email.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewTeamMember {
    #[serde(default)]
    pub user_id: Option<Uuid>,
    #[serde(default)]
    pub email: Option<String>,
}

/// The body of `POST /api/workspaces/{id}/teams`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewWorkspaceTeam {
    pub team_id: Option<Uuid>,
    /// `admin` or `member` (default).
    #[serde(default)]
    pub role: Option<String>,
}

/// The body of `PATCH /api/workspaces/{id}/teams`: teams to add (with `role`, default
/// `member`; a team already there takes that role) and teams to remove, all or nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct WorkspaceTeamPatch {
    #[serde(default)]
    pub add: Vec<Uuid>,
    #[serde(default)]
    pub remove: Vec<Uuid>,
    #[serde(default)]
    pub role: Option<String>,
}

impl WorkspaceTeamPatch {
    /// The ids as an assignment change (its checks: no id twice, within the batch limit).
    pub fn ids(&self) -> crate::assignment::AssignmentPatch {
        crate::assignment::AssignmentPatch {
            add: self.add.clone(),
            remove: self.remove.clone(),
        }
    }
}

/// What `PATCH /api/workspaces/{id}/teams` did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct WorkspaceTeamResult {
    pub added: u64,
    pub removed: u64,
    /// Teams already in the workspace whose role changed to `role`.
    pub role_changed: u64,
    /// The workspace's teams after the change.
    pub team_count: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn team(provider: Option<&str>) -> Team {
        Team {
            id: Uuid::nil(),
            organization_id: Uuid::nil(),
            name: "ops".into(),
            description: String::new(),
            provider: provider.map(Into::into),
            provider_group: provider.map(|_| "ops".into()),
            created_at: DateTime::UNIX_EPOCH,
            updated_at: DateTime::UNIX_EPOCH,
            member_count: 0,
            workspace_count: 0,
            role: None,
        }
    }

    #[test]
    fn a_provider_team_keeps_its_group_name() {
        let rename = TeamUpdate {
            name: Some("other".into()),
            ..Default::default()
        };
        assert_eq!(rename.apply(&team(None)).unwrap().name, "other");
        let e = rename.apply(&team(Some("keycloak"))).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("name"));
        let describe = TeamUpdate {
            description: Some("on call".into()),
            ..Default::default()
        };
        assert!(describe.apply(&team(Some("keycloak"))).is_ok());
    }

    #[test]
    fn queries_take_no_filter_and_know_their_orders() {
        let raw = |order: &str, filter: Option<&str>| RawListQuery {
            order: Some(order.into()),
            filter: filter.map(Into::into),
            ..Default::default()
        };
        assert!(parse_team_query(&raw("name desc", None)).is_ok());
        assert!(parse_team_member_query(&raw("added_at", None)).is_ok());
        let e = parse_team_member_query(&raw("role", None)).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("order"));
        let e = parse_team_query(&raw("name", Some(r#"{"x":1}"#))).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("filter.x"));
    }
}
