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
                "action" => f.action = Some(text.ok_or_else(|| bad(&key, "a string"))?.to_string()),
                "entity_id" => f.entity_id = Some(id().ok_or_else(|| bad(&key, "a UUID"))?),
                "actor_id" => f.actor_id = Some(id().ok_or_else(|| bad(&key, "a UUID"))?),
                "since" => f.since = Some(time().ok_or_else(|| bad(&key, "an RFC 3339 time"))?),
                "until" => f.until = Some(time().ok_or_else(|| bad(&key, "an RFC 3339 time"))?),
                other => {
                    return Err(ApiError::parameter(
                        &format!("filter.{other}"),
                        format!(
                            "unknown filter key '{other}'; events filter on: entity_type, entity_id, actor_id, action, since, until"
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

#[cfg(test)]
mod tests {
    use super::*;

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
