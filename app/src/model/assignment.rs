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

impl AssignmentPatch {
    /// De-duplicates each list and refuses an id in both, or batches over the limit.
    pub fn check(&self) -> Result<(Vec<Uuid>, Vec<Uuid>), ApiError> {
        let dedup = |v: &[Uuid]| {
            let mut seen = std::collections::HashSet::with_capacity(v.len());
            v.iter()
                .copied()
                .filter(|id| seen.insert(*id))
                .collect::<Vec<_>>()
        };
        let (add, remove) = (dedup(&self.add), dedup(&self.remove));
        if add.len() + remove.len() > BATCH_MAX {
            return Err(ApiError::validation(
                "add",
                format!("at most {BATCH_MAX} ids in one request"),
            ));
        }
        let removing: std::collections::HashSet<_> = remove.iter().collect();
        if let Some(both) = add.iter().find(|id| removing.contains(id)) {
            return Err(ApiError::validation(
                "remove",
                format!("connection {both} is both added and removed"),
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
        assert_eq!(p.check().unwrap(), (vec![a], vec![b]));
        let p = AssignmentPatch {
            add: vec![a],
            remove: vec![a],
        };
        assert_eq!(p.check().unwrap_err().field.as_deref(), Some("remove"));
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
