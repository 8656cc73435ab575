//! The audit log as the API shows it, and the rules of its filters.

use super::list::{parse_filter_object, Direction, ListQuery, RawListQuery, SortField};
use crate::error::ApiError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AuditActor {
    pub user_id: Option<Uuid>,
    /// The user's name when they still exist.
    pub user_name: Option<String>,
    /// The API token used, when the change came through one.
    pub token_id: Option<Uuid>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AuditEvent {
    pub id: Uuid,
    pub time: DateTime<Utc>,
    pub actor: AuditActor,
    pub organization_id: Option<Uuid>,
    /// `<entity_type>.<verb>`, e.g. `environment.update`.
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<Uuid>,
    pub entity_name: Option<String>,
    /// The object before the change (secrets are never in it).
    #[cfg_attr(feature = "ssr", schema(value_type = Option<Object>))]
    pub before: Option<serde_json::Value>,
    #[cfg_attr(feature = "ssr", schema(value_type = Option<Object>))]
    pub after: Option<serde_json::Value>,
    pub reason: Option<String>,
}

/// Events are listed by time only.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EventSort {
    Time,
}

impl SortField for EventSort {
    const ALL: &'static [(Self, &'static str)] = &[(EventSort::Time, "time")];
    const DEFAULT: (Self, Direction) = (EventSort::Time, Direction::Desc);
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventFilter {
    pub entity_type: Option<String>,
    pub entity_id: Option<Uuid>,
    pub actor_id: Option<Uuid>,
    /// Who, by name or email (any case); `actor_id` names one person exactly.
    pub actor: Option<String>,
    /// An action, or the start of one, or of any word in one: "assign" finds
    /// `environment.assignments`, "delete" finds `environment.delete` and `user.delete`.
    pub action: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

fn bad(key: &str, what: &str) -> ApiError {
    ApiError::parameter(
        &format!("filter.{key}"),
        format!("filter.{key} must be {what}"),
    )
}

impl EventFilter {
    pub fn to_param(&self) -> Option<String> {
        let mut m = serde_json::Map::new();
        let mut put = |k: &str, v: Option<String>| {
            if let Some(v) = v {
                m.insert(k.into(), v.into());
            }
        };
        put("entity_type", self.entity_type.clone());
        put("entity_id", self.entity_id.map(|u| u.to_string()));
        put("actor_id", self.actor_id.map(|u| u.to_string()));
        put("actor", self.actor.clone());
        put("action", self.action.clone());
        put("since", self.since.map(|t| t.to_rfc3339()));
        put("until", self.until.map(|t| t.to_rfc3339()));
        (!m.is_empty()).then(|| serde_json::Value::Object(m).to_string())
    }

    pub fn parse(raw: Option<&str>) -> Result<Self, ApiError> {
        let mut f = EventFilter::default();
        let Some(map) = parse_filter_object(raw)? else {
            return Ok(f);
        };
        for (key, value) in map {
            let text = value.as_str().map(str::trim).filter(|s| !s.is_empty());
            let id = || text.and_then(|s| Uuid::parse_str(s).ok());
            let time = || {
                text.and_then(|s| DateTime::parse_from_rfc3339(s).ok())
                    .map(|t| t.with_timezone(&Utc))
            };
            match key.as_str() {
                "entity_type" => f.entity_type = Some(text.ok_or_else(|| bad(&key, "a string"))?.to_string()),
                "action" => f.action = Some(check_action(text).ok_or_else(|| bad(&key, "an action or a word of one: letters, digits, '.' and '_'"))?),
                "actor" => f.actor = Some(text.filter(|t| t.chars().count() <= 255).ok_or_else(|| bad(&key, "a name or an email (at most 255 characters)"))?.to_lowercase()),
                "entity_id" => f.entity_id = Some(id().ok_or_else(|| bad(&key, "a UUID"))?),
                "actor_id" => f.actor_id = Some(id().ok_or_else(|| bad(&key, "a UUID"))?),
                "since" => f.since = Some(time().ok_or_else(|| bad(&key, "an RFC 3339 time"))?),
                "until" => f.until = Some(time().ok_or_else(|| bad(&key, "an RFC 3339 time"))?),
                other => {
                    return Err(ApiError::parameter(
                        &format!("filter.{other}"),
                        format!(
                            "unknown filter key '{other}'; events filter on: entity_type, entity_id, actor_id, actor, action, since, until"
                        ),
                    ))
                }
            }
        }
        if let (Some(s), Some(u)) = (f.since, f.until) {
            if s > u {
                return Err(ApiError::parameter(
                    "filter.since",
                    "filter.since is after filter.until",
                ));
            }
        }
        Ok(f)
    }
}

/// An action filter as stored and matched: lower case, of letters, digits, '.' and '_' only.
fn check_action(text: Option<&str>) -> Option<String> {
    let t = text?.to_lowercase();
    (t.len() <= 100
        && t.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_'))
    .then_some(t)
}

/// Whether an action matches an action filter: it starts with the filter, or one of its words
/// (after a '.' or '_') does. The store's SQL says the same.
pub fn action_matches(action: &str, needle: &str) -> bool {
    action.starts_with(needle)
        || action
            .match_indices(['.', '_'])
            .any(|(i, _)| action[i + 1..].starts_with(needle))
}

/// One field that a change changed, for a readable diff: its dotted path and its values before
/// and after (absent when the field did not exist), as short text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldChange {
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// Fields no person reads in a diff: they change with every write.
const NOISE: &[&str] = &["updated_at"];

/// The fields that differ between `before` and `after`, objects compared field by field (nested
/// objects by dotted path), anything else as a whole; the fields before had by name, then
/// the new ones.
pub fn diff(
    before: Option<&serde_json::Value>,
    after: Option<&serde_json::Value>,
) -> Vec<FieldChange> {
    let mut out = Vec::new();
    walk("", before, after, &mut out);
    out
}

fn walk(
    path: &str,
    before: Option<&serde_json::Value>,
    after: Option<&serde_json::Value>,
    out: &mut Vec<FieldChange>,
) {
    use serde_json::Value;
    let before = before.filter(|v| !v.is_null());
    let after = after.filter(|v| !v.is_null());
    if before == after || NOISE.contains(&path) {
        return;
    }
    match (before, after) {
        (Some(Value::Object(_)) | None, Some(Value::Object(_)) | None) => {
            let empty = serde_json::Map::new();
            let b = before.and_then(Value::as_object).unwrap_or(&empty);
            let a = after.and_then(Value::as_object).unwrap_or(&empty);
            let keys = b.keys().chain(a.keys().filter(|k| !b.contains_key(*k)));
            for key in keys {
                let sub = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                walk(&sub, b.get(key), a.get(key), out);
            }
        }
        _ => out.push(FieldChange {
            field: if path.is_empty() {
                "value".into()
            } else {
                path.into()
            },
            before: before.map(text),
            after: after.map(text),
        }),
    }
}

/// A value as a person reads it: strings without quotes, lists of named things by name.
fn text(v: &serde_json::Value) -> String {
    use serde_json::Value;
    match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .map(|i| match i.get("name").and_then(Value::as_str) {
                Some(name) => name.to_string(),
                None => text(i),
            })
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventQuery {
    pub list: ListQuery<EventSort>,
    pub filter: EventFilter,
}

impl EventQuery {
    pub fn to_raw(&self) -> RawListQuery {
        let mut raw = self.list.to_raw();
        raw.filter = self.filter.to_param();
        raw
    }

    pub fn parse(raw: &RawListQuery) -> Result<Self, ApiError> {
        Ok(EventQuery {
            list: ListQuery::parse(raw)?,
            filter: EventFilter::parse(raw.filter.as_deref())?,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct EventPage {
    pub page: u32,
    pub page_size: u32,
    pub total_count: u64,
    pub events: Vec<AuditEvent>,
}

/// How the log is exported: `GET /api/events?format=csv|jsonl`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    JsonLines,
}

impl ExportFormat {
    pub fn parse(raw: &str) -> Result<Self, ApiError> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "csv" => Ok(ExportFormat::Csv),
            "jsonl" | "ndjson" => Ok(ExportFormat::JsonLines),
            other => Err(ApiError::parameter(
                "format",
                format!("format must be csv or jsonl, not '{other}'"),
            )),
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            ExportFormat::Csv => "text/csv; charset=utf-8",
            ExportFormat::JsonLines => "application/x-ndjson",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::JsonLines => "jsonl",
        }
    }
}

/// The CSV export's columns, in order.
pub const CSV_HEADER: &str =
    "id,time,actor_id,actor_name,token_id,action,entity_type,entity_id,entity_name,reason,before,after\r\n";

/// One event as a CSV line (RFC 4180: fields with commas, quotes or line breaks quoted, quotes
/// doubled). A field starting with `=`, `+`, `-` or `@` gets a leading `'` so that spreadsheets
/// do not run it as a formula.
pub fn csv_line(e: &AuditEvent) -> String {
    let id = |u: Option<Uuid>| u.map(|u| u.to_string()).unwrap_or_default();
    let json =
        |v: &Option<serde_json::Value>| v.as_ref().map(|v| v.to_string()).unwrap_or_default();
    let fields = [
        e.id.to_string(),
        e.time.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        id(e.actor.user_id),
        e.actor.user_name.clone().unwrap_or_default(),
        id(e.actor.token_id),
        e.action.clone(),
        e.entity_type.clone(),
        id(e.entity_id),
        e.entity_name.clone().unwrap_or_default(),
        e.reason.clone().unwrap_or_default(),
        json(&e.before),
        json(&e.after),
    ];
    let mut line = fields
        .iter()
        .map(|f| csv_field(f))
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

fn csv_field(f: &str) -> String {
    let f = if f.starts_with(['=', '+', '-', '@']) {
        format!("'{f}")
    } else {
        f.to_string()
    };
    if f.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", f.replace('"', "\"\""))
    } else {
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_match_from_their_start_or_a_word() {
        for (action, needle, yes) in [
            ("environment.assignments", "assign", true),
            ("environment.assign", "environment.assign", true),
            ("environment.delete", "delete", true),
            ("user.password_reset", "reset", true),
            ("user.password_reset", "password", true),
            ("environment.archive", "arch", true),
            ("environment.unarchive", "archive", false),
            ("environment.delete", "lete", false),
            ("connection.update", "environment", false),
        ] {
            assert_eq!(action_matches(action, needle), yes, "{action} ~ {needle}");
        }
        assert_eq!(
            EventFilter::parse(Some(r#"{"action":"Env%"}"#))
                .unwrap_err()
                .field
                .as_deref(),
            Some("filter.action")
        );
        assert_eq!(
            EventFilter::parse(Some(r#"{"action":" Delete "}"#))
                .unwrap()
                .action
                .as_deref(),
            Some("delete")
        );
    }

    #[test]
    fn a_diff_names_the_changed_fields_only() {
        let before = serde_json::json!({"name": "a", "tags": ["x"], "updated_at": 1, "spec": {"url": "u1", "kind": "k"}, "gone": 1});
        let after = serde_json::json!({"name": "b", "tags": ["x"], "updated_at": 2, "spec": {"url": "u2", "kind": "k"}, "new": null, "added": [{"id": "1", "name": "web"}, {"id": "2", "name": "db"}]});
        let d = diff(Some(&before), Some(&after));
        let fields: Vec<_> = d
            .iter()
            .map(|c| (c.field.as_str(), c.before.as_deref(), c.after.as_deref()))
            .collect();
        assert_eq!(
            fields,
            vec![
                ("gone", Some("1"), None),
                ("name", Some("a"), Some("b")),
                ("spec.url", Some("u1"), Some("u2")),
                ("added", None, Some("web, db")),
            ]
        );
        assert_eq!(
            diff(None, Some(&serde_json::json!({"name": "n"})))[0]
                .after
                .as_deref(),
            Some("n")
        );
        assert!(diff(Some(&before), Some(&before)).is_empty());
    }

    #[test]
    fn csv_lines_quote_and_defuse() {
        let e = AuditEvent {
            id: Uuid::nil(),
            time: DateTime::parse_from_rfc3339("2026-01-02T03:04:05Z")
                .unwrap()
                .with_timezone(&Utc),
            actor: AuditActor {
                user_id: None,
                user_name: Some("=cmd()".into()),
                token_id: None,
            },
            organization_id: None,
            action: "environment.update".into(),
            entity_type: "environment".into(),
            entity_id: None,
            entity_name: Some("a, \"b\"\nc".into()),
            before: None,
            after: Some(serde_json::json!({"k": "v"})),
            reason: None,
        };
        assert_eq!(
            csv_line(&e),
            "00000000-0000-0000-0000-000000000000,2026-01-02T03:04:05.000000Z,,'=cmd(),,environment.update,environment,,\"a, \"\"b\"\"\nc\",,,\"{\"\"k\"\":\"\"v\"\"}\"\r\n"
        );
        assert_eq!(
            CSV_HEADER.split(',').count(),
            csv_line(&e).split(',').count() - 1
        );
    }

    #[test]
    fn filters_parse_and_name_bad_keys() {
        let id = Uuid::now_v7();
        let f = EventFilter::parse(Some(&format!(
            r#"{{"entity_type":"environment","entity_id":"{id}","since":"2026-01-01T00:00:00Z","until":"2026-12-31T00:00:00+02:00"}}"#
        )))
        .unwrap();
        assert_eq!(
            (f.entity_type.as_deref(), f.entity_id),
            (Some("environment"), Some(id))
        );
        assert_eq!(f.until.unwrap().to_rfc3339(), "2026-12-30T22:00:00+00:00");
        for (json, field) in [
            (r#"{"since":"yesterday"}"#, "filter.since"),
            (r#"{"actor_id":"me"}"#, "filter.actor_id"),
            (r#"{"who":"x"}"#, "filter.who"),
            (
                r#"{"since":"2026-02-01T00:00:00Z","until":"2026-01-01T00:00:00Z"}"#,
                "filter.since",
            ),
        ] {
            assert_eq!(
                EventFilter::parse(Some(json)).unwrap_err().field.as_deref(),
                Some(field),
                "{json}"
            );
        }
    }
}
