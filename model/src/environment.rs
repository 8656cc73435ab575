//! Environments on the wire, and the rules their fields obey. The create and edit forms run
//! these same functions as the user types; the service layer runs them before every write.

use super::list::{
    filter_bool, parse_filter_object, Direction, ListQuery, RawListQuery, SortField,
};
use crate::error::ApiError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const NAME_MAX: usize = 100;
pub const DESCRIPTION_MAX: usize = 1000;
pub const TAGS_MAX: usize = 20;
pub const TAG_MAX: usize = 50;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Environment {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub organization_id: Uuid,
    /// The id of the user who created it.
    pub owner: Uuid,
    pub tags: Vec<String>,
    /// How many connections it holds.
    #[serde(default)]
    pub connection_count: u64,
    /// How many workspaces it is assigned to.
    #[serde(default)]
    pub workspace_count: u64,
    /// Its connections counted by status: its health at a glance.
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(value_type = std::collections::BTreeMap<String, u64>))]
    pub status_summary: std::collections::BTreeMap<String, u64>,
    /// Its connections counted by health (`unreachable`, `failing`, …).
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(value_type = std::collections::BTreeMap<String, u64>))]
    pub health_summary: crate::health::HealthCounts,
    #[serde(default)]
    pub state: EnvironmentState,
    #[serde(default)]
    pub archived_at: Option<DateTime<Utc>>,
    /// When it went to the trash.
    #[serde(default)]
    pub deleted_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Where an environment is in its lifecycle. `active` and `empty` follow from its connections;
/// `archived` and `deleted` are set by hand (and undone by unarchive and restore).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum EnvironmentState {
    Active,
    #[default]
    Empty,
    Archived,
    Deleted,
}

impl EnvironmentState {
    /// Whether connections may be added to (or moved into) an environment in this state:
    /// not when archived or in the trash.
    pub fn takes_connections(self) -> bool {
        matches!(self, EnvironmentState::Active | EnvironmentState::Empty)
    }

    /// The lifecycle move an environment in this state offers beside Edit and Delete (or, in
    /// the trash, beside Purge).
    pub fn next_action(self) -> LifecycleAction {
        match self {
            EnvironmentState::Deleted => LifecycleAction::Restore,
            EnvironmentState::Archived => LifecycleAction::Unarchive,
            EnvironmentState::Active | EnvironmentState::Empty => LifecycleAction::Archive,
        }
    }

    pub fn of(connections: u64, archived: bool, deleted: bool) -> Self {
        match (deleted, archived, connections) {
            (true, _, _) => EnvironmentState::Deleted,
            (false, true, _) => EnvironmentState::Archived,
            (false, false, 0) => EnvironmentState::Empty,
            _ => EnvironmentState::Active,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            EnvironmentState::Active => "active",
            EnvironmentState::Empty => "empty",
            EnvironmentState::Archived => "archived",
            EnvironmentState::Deleted => "deleted",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            EnvironmentState::Active,
            EnvironmentState::Empty,
            EnvironmentState::Archived,
            EnvironmentState::Deleted,
        ]
        .into_iter()
        .find(|st| st.as_str() == s)
    }
}

/// What `POST /api/environments/bulk` can do to many environments at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum LifecycleAction {
    Archive,
    Unarchive,
    Delete,
    Restore,
}

impl LifecycleAction {
    /// A button's text.
    pub fn label(self) -> &'static str {
        match self {
            LifecycleAction::Archive => "Archive",
            LifecycleAction::Unarchive => "Unarchive",
            LifecycleAction::Delete => "Delete",
            LifecycleAction::Restore => "Restore",
        }
    }

    /// The button's words while the move runs.
    pub fn progress(self) -> &'static str {
        match self {
            LifecycleAction::Archive => "Archiving…",
            LifecycleAction::Unarchive => "Unarchiving…",
            LifecycleAction::Delete => "Deleting…",
            LifecycleAction::Restore => "Restoring…",
        }
    }

    /// What happened, in words, for the environment as it now is: "Restored 'payments' to
    /// Archived" (a restore puts it back where it was when deleted).
    pub fn done(self, env: &Environment) -> String {
        let name = &env.name;
        let state = match env.state {
            EnvironmentState::Active => "Active",
            EnvironmentState::Empty => "Active (it holds no connections)",
            EnvironmentState::Archived => "Archived",
            EnvironmentState::Deleted => "the trash",
        };
        match self {
            LifecycleAction::Archive => {
                format!("Archived '{name}': it reaches no workspace until unarchived")
            }
            LifecycleAction::Unarchive => format!("Unarchived '{name}': back in {state}"),
            LifecycleAction::Delete => format!("Moved '{name}' to the trash"),
            LifecycleAction::Restore => format!("Restored '{name}' to {state}"),
        }
    }

    /// What a bulk move did: "Archived 3 environments".
    pub fn done_many(self, n: u64) -> String {
        let what = if n == 1 {
            "1 environment".to_string()
        } else {
            format!("{n} environments")
        };
        match self {
            LifecycleAction::Archive => format!("Archived {what}"),
            LifecycleAction::Unarchive => format!("Unarchived {what}"),
            LifecycleAction::Delete => format!("Moved {what} to the trash"),
            LifecycleAction::Restore => format!("Restored {what}"),
        }
    }

    pub fn verb(self) -> &'static str {
        match self {
            LifecycleAction::Archive => "archive",
            LifecycleAction::Unarchive => "unarchive",
            LifecycleAction::Delete => "delete",
            LifecycleAction::Restore => "restore",
        }
    }
}

/// The body of `POST /api/environments/bulk`: all of it in one transaction, or nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BulkLifecycle {
    pub action: Option<LifecycleAction>,
    #[serde(default)]
    pub ids: Vec<Uuid>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BulkResult {
    /// Environments whose state changed (those already there are not counted).
    pub changed: u64,
}

/// The optional body of `POST /api/environments/{id}/restore`: a new name when the old one has
/// been taken meanwhile.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Restore {
    /// Empty or left out: the old name.
    #[serde(default)]
    #[cfg_attr(
        feature = "ssr",
        schema(
            pattern = r"^\s*(?:[^\s\u0000-\u001f\u007f](?:[^\u0000-\u001f\u007f]{0,98}[^\s\u0000-\u001f\u007f])?)?\s*$"
        )
    )]
    pub name: Option<String>,
}

/// Tags as the OpenAPI description states them: what [`check_tags`] accepts.
#[cfg(feature = "ssr")]
fn tags_schema() -> utoipa::openapi::Array {
    use utoipa::openapi::{ArrayBuilder, ObjectBuilder, Type};
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                // Bounded in the pattern, not maxLength: a tag is trimmed before it is counted.
                .pattern(Some(format!(r"^\s*[A-Za-z0-9._:-]{{1,{TAG_MAX}}}\s*$"))),
        )
        .max_items(Some(TAGS_MAX))
        // null means "no change" on update and "none" on create, as leaving it out does
        .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
            Type::Array,
            Type::Null,
        ]))
        .description(Some(
            "Letters, digits, '-', '_', '.' and ':'; compared without case",
        ))
        .build()
}

/// The body of `POST /api/environments`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewEnvironment {
    #[cfg_attr(
        feature = "ssr",
        schema(
            required = true,
            pattern = r"^\s*[^\s\u0000-\u001f\u007f](?:[^\u0000-\u001f\u007f]{0,98}[^\s\u0000-\u001f\u007f])?\s*$"
        )
    )]
    pub name: Option<String>,
    #[serde(default)]
    #[cfg_attr(
        feature = "ssr",
        schema(
            pattern = r"^\s*(?:[^\s\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f](?:[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]{0,998}[^\s\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f])?)?\s*$"
        )
    )]
    pub description: Option<String>,
    /// Optional when the caller belongs to exactly one organization. `organizationId` is accepted too.
    #[serde(default, alias = "organizationId")]
    pub organization_id: Option<Uuid>,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(schema_with = tags_schema))]
    pub tags: Option<Vec<String>>,
}

/// The body of `PUT /api/environments/{id}`. Fields left out keep their value.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct EnvironmentUpdate {
    #[serde(default)]
    #[cfg_attr(
        feature = "ssr",
        schema(
            pattern = r"^\s*[^\s\u0000-\u001f\u007f](?:[^\u0000-\u001f\u007f]{0,98}[^\s\u0000-\u001f\u007f])?\s*$"
        )
    )]
    pub name: Option<String>,
    #[serde(default)]
    #[cfg_attr(
        feature = "ssr",
        schema(
            pattern = r"^\s*(?:[^\s\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f](?:[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]{0,998}[^\s\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f])?)?\s*$"
        )
    )]
    pub description: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(schema_with = tags_schema))]
    pub tags: Option<Vec<String>>,
    /// Must be left out or equal the environment's own: an environment never changes organization.
    #[serde(default, alias = "organizationId")]
    pub organization_id: Option<Uuid>,
}

/// The fields of an environment after validation and normalisation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvironmentFields {
    pub name: String,
    pub description: String,
    pub tags: Vec<String>,
}

/// Trims the name and checks its length. Returns the message to show, or the clean name.
pub fn check_name(raw: &str) -> Result<String, String> {
    super::text::name(raw, NAME_MAX)
}

pub fn check_description(raw: &str) -> Result<String, String> {
    super::text::description(raw, DESCRIPTION_MAX)
}

fn tag_char_ok(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':')
}

/// Lower-cases and de-duplicates tags (keeping first-seen order) and checks each of them.
pub fn check_tags<S: AsRef<str>>(raw: &[S]) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for t in raw {
        let t = t.as_ref().trim();
        let len = t.chars().count();
        if len == 0 || len > TAG_MAX {
            return Err(format!("each tag is 1 to {TAG_MAX} characters"));
        }
        if let Some(bad) = t.chars().find(|c| !tag_char_ok(*c)) {
            return Err(format!(
                "tag '{t}' has '{bad}': tags use letters, digits, '-', '_', '.' and ':'"
            ));
        }
        let t = t.to_ascii_lowercase();
        if !out.contains(&t) {
            out.push(t);
        }
    }
    if out.len() > TAGS_MAX {
        return Err(format!("at most {TAGS_MAX} tags ({} given)", out.len()));
    }
    Ok(out)
}

/// Splits what a person types in the tag field ("prod, us-east eu") into tags.
pub fn split_tag_input(s: &str) -> Vec<String> {
    s.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

impl EnvironmentFields {
    /// Checks every field, reporting the first at fault by name.
    pub fn check(name: &str, description: &str, tags: &[String]) -> Result<Self, ApiError> {
        Ok(EnvironmentFields {
            name: check_name(name).map_err(|m| ApiError::validation("name", m))?,
            description: check_description(description)
                .map_err(|m| ApiError::validation("description", m))?,
            tags: check_tags(tags).map_err(|m| ApiError::validation("tags", m))?,
        })
    }
}

impl NewEnvironment {
    pub fn check(&self) -> Result<EnvironmentFields, ApiError> {
        EnvironmentFields::check(
            self.name.as_deref().unwrap_or(""),
            self.description.as_deref().unwrap_or(""),
            self.tags.as_deref().unwrap_or(&[]),
        )
    }
}

impl EnvironmentUpdate {
    /// Applies the update to `current` and checks the result.
    pub fn apply(&self, current: &Environment) -> Result<EnvironmentFields, ApiError> {
        if let Some(org) = self.organization_id {
            if org != current.organization_id {
                return Err(ApiError::validation(
                    "organization_id",
                    "an environment cannot move to another organization",
                ));
            }
        }
        EnvironmentFields::check(
            self.name.as_deref().unwrap_or(&current.name),
            self.description.as_deref().unwrap_or(&current.description),
            self.tags.as_deref().unwrap_or(&current.tags),
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EnvironmentSort {
    Name,
    CreatedAt,
    UpdatedAt,
}

impl SortField for EnvironmentSort {
    const ALL: &'static [(Self, &'static str)] = &[
        (EnvironmentSort::Name, "name"),
        (EnvironmentSort::CreatedAt, "created_at"),
        (EnvironmentSort::UpdatedAt, "updated_at"),
    ];
    const DEFAULT: (Self, Direction) = (EnvironmentSort::UpdatedAt, Direction::Desc);
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvironmentFilter {
    /// Environments carrying every one of these tags.
    pub tags: Vec<String>,
    /// Only this state (`active`, `empty`, `archived`); by default archived ones are hidden.
    pub state: Option<EnvironmentState>,
    /// The trash instead of the living.
    pub deleted: bool,
    /// Assigned to no workspace, or holding no connection.
    pub unused: bool,
}

impl EnvironmentFilter {
    pub fn parse(raw: Option<&str>) -> Result<Self, ApiError> {
        let mut filter = EnvironmentFilter::default();
        let Some(map) = parse_filter_object(raw)? else {
            return Ok(filter);
        };
        for (key, value) in map {
            match key.as_str() {
                "tags" => {
                    let tags: Vec<String> = serde_json::from_value(value).map_err(|_| {
                        ApiError::parameter(
                            "filter.tags",
                            "filter.tags must be an array of strings",
                        )
                    })?;
                    filter.tags =
                        check_tags(&tags).map_err(|m| ApiError::parameter("filter.tags", m))?;
                }
                "state" => {
                    filter.state = Some(
                        value
                            .as_str()
                            .and_then(EnvironmentState::parse)
                            .filter(|s| *s != EnvironmentState::Deleted)
                            .ok_or_else(|| {
                                ApiError::parameter(
                                    "filter.state",
                                    "filter.state is active, empty or archived (deleted ones: filter {\"deleted\": true})",
                                )
                            })?,
                    )
                }
                // `deleted_at` is Meshery's spelling: false the living, true the trash.
                "deleted" | "deleted_at" => filter.deleted = filter_bool(&key, &value)?,
                "unused" => filter.unused = filter_bool(&key, &value)?,
                other => {
                    return Err(ApiError::parameter(
                        &format!("filter.{other}"),
                        format!("unknown filter key '{other}'; environments filter on: tags, state, deleted (or deleted_at), unused"),
                    ))
                }
            }
        }
        Ok(filter)
    }

    pub fn to_param(&self) -> Option<String> {
        let mut m = serde_json::Map::new();
        if !self.tags.is_empty() {
            m.insert("tags".into(), serde_json::json!(self.tags));
        }
        if let Some(s) = self.state {
            m.insert("state".into(), s.as_str().into());
        }
        if self.deleted {
            m.insert("deleted".into(), true.into());
        }
        if self.unused {
            m.insert("unused".into(), true.into());
        }
        (!m.is_empty()).then(|| serde_json::Value::Object(m).to_string())
    }
}

/// A checked environment list query.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvironmentQuery {
    pub list: ListQuery<EnvironmentSort>,
    pub filter: EnvironmentFilter,
}

impl EnvironmentQuery {
    pub fn parse(raw: &RawListQuery) -> Result<Self, ApiError> {
        Ok(EnvironmentQuery {
            list: ListQuery::parse(raw)?,
            filter: EnvironmentFilter::parse(raw.filter.as_deref())?,
        })
    }

    pub fn to_raw(&self) -> RawListQuery {
        let mut raw = self.list.to_raw();
        raw.filter = self.filter.to_param();
        raw
    }
}

/// `GET /api/environments` answers with this.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct EnvironmentPage {
    pub page: u32,
    pub page_size: u32,
    pub total_count: u64,
    pub environments: Vec<Environment>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_is_trimmed_and_bounded() {
        assert_eq!(check_name("  prod  ").unwrap(), "prod");
        assert!(check_name("   ").is_err());
        assert!(check_name(&"x".repeat(100)).is_ok());
        assert!(check_name(&"x".repeat(101)).is_err());
        // characters, not bytes
        assert!(check_name(&"é".repeat(100)).is_ok());
    }

    #[test]
    fn description_is_bounded() {
        assert!(check_description(&"d".repeat(1000)).is_ok());
        assert!(check_description(&"d".repeat(1001)).is_err());
    }

    #[test]
    fn tags_are_lowercased_deduplicated_and_checked() {
        let t = check_tags(&["Prod", "prod", "us-east:1", "a_b.c"]).unwrap();
        assert_eq!(t, vec!["prod", "us-east:1", "a_b.c"]);
        assert!(check_tags(&["has space"]).is_err());
        assert!(check_tags(&[""]).is_err());
        assert!(check_tags(&["x".repeat(51)]).is_err());
        let many: Vec<String> = (0..21).map(|i| format!("t{i}")).collect();
        assert!(check_tags(&many).is_err());
        let twenty_dupes: Vec<String> = (0..40).map(|i| format!("t{}", i % 20)).collect();
        assert_eq!(check_tags(&twenty_dupes).unwrap().len(), 20);
    }

    #[test]
    fn check_reports_the_field() {
        let e = EnvironmentFields::check("ok", "", &["bad tag".into()]).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("tags"));
        let e = NewEnvironment::default().check().unwrap_err();
        assert_eq!(e.field.as_deref(), Some("name"));
    }

    #[test]
    fn filter_rejects_unknown_keys_and_types() {
        assert_eq!(
            EnvironmentFilter::parse(Some(r#"{"tags":["A"]}"#))
                .unwrap()
                .tags,
            vec!["a"]
        );
        let e = EnvironmentFilter::parse(Some(r#"{"owner":"x"}"#)).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("filter.owner"));
        let e = EnvironmentFilter::parse(Some(r#"{"tags":"prod"}"#)).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("filter.tags"));
    }

    #[test]
    fn state_follows_connections_unless_archived_or_deleted() {
        assert_eq!(
            EnvironmentState::of(0, false, false),
            EnvironmentState::Empty
        );
        assert_eq!(
            EnvironmentState::of(3, false, false),
            EnvironmentState::Active
        );
        assert_eq!(
            EnvironmentState::of(3, true, false),
            EnvironmentState::Archived
        );
        assert_eq!(
            EnvironmentState::of(0, true, true),
            EnvironmentState::Deleted
        );
        let f = EnvironmentFilter::parse(Some(r#"{"state":"archived","unused":true}"#)).unwrap();
        assert_eq!(
            (f.state, f.unused),
            (Some(EnvironmentState::Archived), true)
        );
        assert_eq!(
            EnvironmentFilter::parse(Some(&f.to_param().unwrap())).unwrap(),
            f
        );
        let e = EnvironmentFilter::parse(Some(r#"{"state":"deleted"}"#)).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("filter.state"));
        let e = EnvironmentFilter::parse(Some(r#"{"deleted":"yes"}"#)).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("filter.deleted"));
    }

    #[test]
    fn update_cannot_change_organization() {
        let env = Environment {
            id: Uuid::nil(),
            name: "a".into(),
            description: String::new(),
            organization_id: Uuid::nil(),
            owner: Uuid::nil(),
            tags: vec![],
            connection_count: 0,
            workspace_count: 0,
            status_summary: Default::default(),
            health_summary: Default::default(),
            state: EnvironmentState::Empty,
            archived_at: None,
            deleted_at: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        };
        let upd = EnvironmentUpdate {
            organization_id: Some(Uuid::now_v7()),
            ..Default::default()
        };
        assert_eq!(
            upd.apply(&env).unwrap_err().field.as_deref(),
            Some("organization_id")
        );
        let upd = EnvironmentUpdate {
            description: Some("new".into()),
            ..Default::default()
        };
        let f = upd.apply(&env).unwrap();
        assert_eq!((f.name.as_str(), f.description.as_str()), ("a", "new"));
    }
}
