//! Workspaces on the wire: a team, the environments assigned to it and its members. The forms
//! run these checks as the user types; the service layer runs them before every write.

use super::environment::EnvironmentSort;
use super::list::{parse_filter_object, Direction, ListQuery, RawListQuery, SortField};
use super::user::Role;
use crate::error::ApiError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const NAME_MAX: usize = 255;
pub const DESCRIPTION_MAX: usize = 5000;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Workspace {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub name: String,
    pub description: String,
    /// The id of the user who created it.
    pub owner: Uuid,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub environment_count: u64,
    pub member_count: u64,
    /// The connections its environments bring, counted by health (each connection once).
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(value_type = std::collections::BTreeMap<String, u64>))]
    pub health_summary: crate::health::HealthCounts,
}

/// The body of `POST /api/workspaces`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewWorkspace {
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

/// The body of `PUT /api/workspaces/{id}`. Fields left out keep their value.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct WorkspaceUpdate {
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
    /// Must be left out or equal the workspace's own.
    #[serde(default, alias = "organizationId")]
    pub organization_id: Option<Uuid>,
}

pub fn check_name(raw: &str) -> Result<String, String> {
    super::text::name(raw, NAME_MAX)
}

pub fn check_description(raw: &str) -> Result<String, String> {
    super::text::description(raw, DESCRIPTION_MAX)
}

/// A workspace's name and description after validation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkspaceFields {
    pub name: String,
    pub description: String,
}

impl WorkspaceFields {
    pub fn check(name: &str, description: &str) -> Result<Self, ApiError> {
        Ok(WorkspaceFields {
            name: check_name(name).map_err(|m| ApiError::validation("name", m))?,
            description: check_description(description)
                .map_err(|m| ApiError::validation("description", m))?,
        })
    }
}

impl NewWorkspace {
    pub fn check(&self) -> Result<WorkspaceFields, ApiError> {
        WorkspaceFields::check(
            self.name.as_deref().unwrap_or(""),
            self.description.as_deref().unwrap_or(""),
        )
    }
}

impl WorkspaceUpdate {
    pub fn apply(&self, current: &Workspace) -> Result<WorkspaceFields, ApiError> {
        if self
            .organization_id
            .is_some_and(|o| o != current.organization_id)
        {
            return Err(ApiError::validation(
                "organization_id",
                "a workspace cannot move to another organization",
            ));
        }
        WorkspaceFields::check(
            self.name.as_deref().unwrap_or(&current.name),
            self.description.as_deref().unwrap_or(&current.description),
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum WorkspaceSort {
    Name,
    CreatedAt,
    UpdatedAt,
}

impl SortField for WorkspaceSort {
    const ALL: &'static [(Self, &'static str)] = &[
        (WorkspaceSort::Name, "name"),
        (WorkspaceSort::CreatedAt, "created_at"),
        (WorkspaceSort::UpdatedAt, "updated_at"),
    ];
    const DEFAULT: (Self, Direction) = (WorkspaceSort::Name, Direction::Asc);
}

/// Refuses any filter: the list has none.
pub(crate) fn no_filter(raw: &RawListQuery, what: &str) -> Result<(), ApiError> {
    if let Some(map) = parse_filter_object(raw.filter.as_deref())? {
        if let Some(key) = map.keys().next() {
            return Err(ApiError::parameter(
                &format!("filter.{key}"),
                format!("unknown filter key '{key}'; {what} take no filter"),
            ));
        }
    }
    Ok(())
}

pub type WorkspaceQuery = ListQuery<WorkspaceSort>;

pub fn parse_workspace_query(raw: &RawListQuery) -> Result<WorkspaceQuery, ApiError> {
    no_filter(raw, "workspaces")?;
    ListQuery::parse(raw)
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct WorkspacePage {
    pub page: u32,
    pub page_size: u32,
    pub total_count: u64,
    pub workspaces: Vec<Workspace>,
}

/// One side of a workspace's assignment: what it holds, or with `filter {"assigned": false}`
/// what the organization has that it does not hold (the other pane of a transfer list).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SideQuery<S> {
    pub list: ListQuery<S>,
    pub unassigned: bool,
}

/// `GET /api/workspaces/{id}/environments`.
pub type WorkspaceEnvironmentQuery = SideQuery<EnvironmentSort>;
/// `GET /api/workspaces/{id}/teams`.
pub type WorkspaceTeamQuery = SideQuery<crate::team::TeamSort>;

impl<S: SortField> Default for SideQuery<S> {
    fn default() -> Self {
        SideQuery {
            list: ListQuery::default(),
            unassigned: false,
        }
    }
}

impl<S: SortField> SideQuery<S> {
    pub fn parse(raw: &RawListQuery) -> Result<Self, ApiError> {
        let mut q = SideQuery {
            list: ListQuery::parse(raw)?,
            unassigned: false,
        };
        if let Some(map) = parse_filter_object(raw.filter.as_deref())? {
            for (key, value) in map {
                match key.as_str() {
                    "assigned" => {
                        q.unassigned = !value.as_bool().ok_or_else(|| {
                            ApiError::parameter(
                                "filter.assigned",
                                "filter.assigned must be true or false",
                            )
                        })?
                    }
                    other => {
                        return Err(ApiError::parameter(
                            &format!("filter.{other}"),
                            format!("unknown filter key '{other}'; use assigned"),
                        ))
                    }
                }
            }
        }
        Ok(q)
    }

    pub fn to_raw(&self) -> RawListQuery {
        let mut raw = self.list.to_raw();
        raw.filter = self
            .unassigned
            .then(|| serde_json::json!({ "assigned": false }).to_string());
        raw
    }
}

impl<S: SortField> crate::list::Recheck for SideQuery<S> {
    fn rechecked(&self) -> Result<Self, ApiError> {
        Self::parse(&self.to_raw())
    }
}

/// What `PATCH /api/workspaces/{id}/environments` did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct WorkspaceAssignmentResult {
    pub added: u64,
    pub removed: u64,
    /// The workspace's environments after the change.
    pub environment_count: u64,
}

/// A member of a workspace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct WorkspaceMember {
    pub user_id: Uuid,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub added_at: DateTime<Utc>,
}

/// The body of `POST /api/workspaces/{id}/members`: the user by id, or by email.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewMember {
    #[serde(default)]
    pub user_id: Option<Uuid>,
    /// Another way to name the user, for people who know an address rather than an id.
    #[serde(default)]
    pub email: Option<String>,
    /// `admin` or `member` (default).
    #[serde(default)]
    pub role: Option<String>,
}

/// The body of `PUT /api/workspaces/{id}/members/{userID}` and `PUT /api/users/{id}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RoleUpdate {
    pub role: Option<String>,
}

/// `admin` or `member`, required when `required`, else `member` by default.
pub fn parse_role(raw: Option<&str>, required: bool) -> Result<Role, ApiError> {
    match raw.map(str::trim) {
        None | Some("") if !required => Ok(Role::Member),
        Some(r) => Role::parse(&r.to_ascii_lowercase())
            .ok_or_else(|| ApiError::validation("role", "role is 'admin' or 'member'")),
        None => Err(ApiError::validation("role", "role is 'admin' or 'member'")),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum WorkspaceMemberSort {
    Name,
    Email,
    Role,
    AddedAt,
}

impl SortField for WorkspaceMemberSort {
    const ALL: &'static [(Self, &'static str)] = &[
        (WorkspaceMemberSort::Name, "name"),
        (WorkspaceMemberSort::Email, "email"),
        (WorkspaceMemberSort::Role, "role"),
        (WorkspaceMemberSort::AddedAt, "added_at"),
    ];
    const DEFAULT: (Self, Direction) = (WorkspaceMemberSort::Name, Direction::Asc);
}

/// `GET /api/workspaces/{id}/members`: `search` matches a name or an email.
pub type WorkspaceMemberQuery = ListQuery<WorkspaceMemberSort>;

pub fn parse_workspace_member_query(raw: &RawListQuery) -> Result<WorkspaceMemberQuery, ApiError> {
    no_filter(raw, "workspace members")?;
    ListQuery::parse(raw)
}

/// One page of a workspace's members: paged like every list, so that its size is bounded by
/// the page size however many people a workspace holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MemberPage {
    pub page: u32,
    pub page_size: u32,
    pub total_count: u64,
    pub members: Vec<WorkspaceMember>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_descriptions_are_bounded() {
        assert_eq!(check_name("  Team A ").unwrap(), "Team A");
        assert!(check_name(" ").is_err());
        assert!(check_name(&"n".repeat(255)).is_ok());
        assert!(check_name(&"n".repeat(256)).is_err());
        assert!(check_description(&"d".repeat(5000)).is_ok());
        assert!(check_description(&"d".repeat(5001)).is_err());
        let e = NewWorkspace::default().check().unwrap_err();
        assert_eq!(e.field.as_deref(), Some("name"));
    }

    #[test]
    fn environment_query_reads_assigned() {
        let raw = |f: &str| RawListQuery {
            filter: Some(f.into()),
            ..Default::default()
        };
        assert!(
            WorkspaceEnvironmentQuery::parse(&raw(r#"{"assigned":false}"#))
                .unwrap()
                .unassigned
        );
        assert!(
            !WorkspaceEnvironmentQuery::parse(&raw(r#"{"assigned":true}"#))
                .unwrap()
                .unassigned
        );
        let e = WorkspaceEnvironmentQuery::parse(&raw(r#"{"assigned":"no"}"#)).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("filter.assigned"));
        let e = parse_workspace_query(&raw(r#"{"x":1}"#)).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("filter.x"));
    }

    #[test]
    fn roles_parse_with_a_default_only_when_optional() {
        assert_eq!(parse_role(None, false).unwrap(), Role::Member);
        assert_eq!(parse_role(Some("Admin"), true).unwrap(), Role::Admin);
        assert!(parse_role(None, true).is_err());
        assert_eq!(
            parse_role(Some("owner"), false)
                .unwrap_err()
                .field
                .as_deref(),
            Some("role")
        );
    }
}
