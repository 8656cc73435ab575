//! Putting connections into environments: one at a time, in batches, or moved between two.

use super::connection::{ConnectionSort, ConnectionStatus};
use super::list::{filter_bool, parse_filter_object, ListQuery, RawListQuery};
use crate::error::ApiError;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The most ids one batch may carry.
pub const BATCH_MAX: usize = 50_000;

/// `GET /api/environments/{id}/connections`: the environment's connections, or with
/// `filter {"assigned": false}` the organization's connections that are not in it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignmentQuery {
    pub list: ListQuery<ConnectionSort>,
    pub unassigned: bool,
    pub status: Option<ConnectionStatus>,
    /// `deleted_at`: see [`super::connection::ConnectionFilter::deleted`].
    pub deleted: Option<bool>,
}

impl AssignmentQuery {
    pub fn parse(raw: &RawListQuery) -> Result<Self, ApiError> {
        let mut q = AssignmentQuery {
            list: ListQuery::parse(raw)?,
            unassigned: false,
            status: None,
            deleted: None,
        };
        if let Some(map) = parse_filter_object(raw.filter.as_deref())? {
            for (key, value) in map {
                match key.as_str() {
                    "assigned" => q.unassigned = !filter_bool(&key, &value)?,
                    "deleted_at" => q.deleted = Some(filter_bool(&key, &value)?),
                    "status" => {
                        q.status = Some(
                            value
                                .as_str()
                                .and_then(ConnectionStatus::parse)
                                .ok_or_else(|| {
                                    ApiError::parameter(
                                        "filter.status",
                                        "filter.status must be a connection status",
                                    )
                                })?,
                        )
                    }
                    other => {
                        return Err(ApiError::parameter(
                            &format!("filter.{other}"),
                            format!(
                                "unknown filter key '{other}'; use assigned, status or deleted_at"
                            ),
                        ))
                    }
                }
            }
        }
        Ok(q)
    }

    pub fn to_raw(&self) -> RawListQuery {
        let mut raw = self.list.to_raw();
        let mut m = serde_json::Map::new();
        if self.unassigned {
            m.insert("assigned".into(), false.into());
        }
        if let Some(s) = self.status {
            m.insert("status".into(), s.as_str().into());
        }
        if let Some(d) = self.deleted {
            m.insert("deleted_at".into(), d.into());
        }
        raw.filter = (!m.is_empty()).then(|| serde_json::Value::Object(m).to_string());
        raw
    }
}

/// `PATCH /api/environments/{id}/connections`: applied whole or not at all.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AssignmentPatch {
    #[serde(default)]
    pub add: Vec<Uuid>,
    #[serde(default)]
    pub remove: Vec<Uuid>,
}

/// The ids in their first order, each once.
fn unique(ids: &[Uuid]) -> Vec<Uuid> {
    let mut seen = std::collections::HashSet::with_capacity(ids.len());
    ids.iter().copied().filter(|id| seen.insert(*id)).collect()
}

fn batch_limit(field: &str, count: usize) -> Result<(), ApiError> {
    if count > BATCH_MAX {
        return Err(ApiError::validation(
            field,
            format!("at most {BATCH_MAX} ids in one request"),
        ));
    }
    Ok(())
}

impl AssignmentPatch {
    /// De-duplicates each list and refuses an id in both, or batches over the limit. `noun`
    /// names what the ids are ("connection", "environment").
    pub fn check(&self, noun: &str) -> Result<(Vec<Uuid>, Vec<Uuid>), ApiError> {
        let (add, remove) = (unique(&self.add), unique(&self.remove));
        batch_limit("add", add.len() + remove.len())?;
        let removing: std::collections::HashSet<_> = remove.iter().collect();
        if let Some(both) = add.iter().find(|id| removing.contains(id)) {
            return Err(ApiError::validation(
                "remove",
                format!("{noun} {both} is both added and removed"),
            ));
        }
        Ok((add, remove))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AssignmentResult {
    /// Mappings created (ids already assigned are not counted).
    pub added: u64,
    /// Mappings removed (ids not assigned are not counted).
    pub removed: u64,
    /// The environment's connections after the change.
    pub connection_count: u64,
}

/// `POST /api/environments/{id}/connections/transfer`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Transfer {
    #[serde(default)]
    pub connection_ids: Vec<Uuid>,
    pub to: Option<Uuid>,
}

impl Transfer {
    /// The destination and the ids to move (each once) out of environment `from`.
    pub fn check(&self, from: Uuid) -> Result<(Uuid, Vec<Uuid>), ApiError> {
        let to = self.to.ok_or_else(|| {
            ApiError::validation("to", "name the environment to move the connections to")
        })?;
        if to == from {
            return Err(ApiError::validation(
                "to",
                "connections are already in this environment",
            ));
        }
        let ids = unique(&self.connection_ids);
        batch_limit("connection_ids", ids.len())?;
        if ids.is_empty() {
            return Err(ApiError::validation(
                "connection_ids",
                "name at least one connection to move",
            ));
        }
        Ok((to, ids))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TransferResult {
    pub moved: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patch_deduplicates_and_refuses_overlap() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let p = AssignmentPatch {
            add: vec![a, a],
            remove: vec![b],
        };
        assert_eq!(p.check("connection").unwrap(), (vec![a], vec![b]));
        let p = AssignmentPatch {
            add: vec![a],
            remove: vec![a],
        };
        let e = p.check("environment").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("remove"));
        assert!(e.error.starts_with("environment "), "{}", e.error);
    }

    #[test]
    fn transfer_names_its_own_fields() {
        let (from, to) = (Uuid::now_v7(), Uuid::now_v7());
        let field = |t: Transfer| t.check(from).unwrap_err().field;
        let too_many = Transfer {
            connection_ids: (0..=BATCH_MAX).map(|_| Uuid::now_v7()).collect(),
            to: Some(to),
        };
        assert_eq!(field(too_many).as_deref(), Some("connection_ids"));
        let none = Transfer {
            connection_ids: vec![],
            to: Some(to),
        };
        assert_eq!(field(none).as_deref(), Some("connection_ids"));
        let home = Transfer {
            connection_ids: vec![to],
            to: Some(from),
        };
        assert_eq!(field(home).as_deref(), Some("to"));
        let a = Uuid::now_v7();
        let twice = Transfer {
            connection_ids: vec![a, a],
            to: Some(to),
        };
        assert_eq!(twice.check(from).unwrap(), (to, vec![a]));
    }

    #[test]
    fn assigned_filter_defaults_to_true() {
        let q = AssignmentQuery::parse(&RawListQuery::default()).unwrap();
        assert!(!q.unassigned);
        let raw = RawListQuery {
            filter: Some(r#"{"assigned": false}"#.into()),
            ..Default::default()
        };
        assert!(AssignmentQuery::parse(&raw).unwrap().unassigned);
        let raw = RawListQuery {
            filter: Some(r#"{"assigned": "no"}"#.into()),
            ..Default::default()
        };
        assert_eq!(
            AssignmentQuery::parse(&raw).unwrap_err().field.as_deref(),
            Some("filter.assigned")
        );
    }
}
