//! One operation for every many-to-many assignment: environment<->connection and
//! workspace<->environment and workspace<->team. Each is an
//! [`Assignment`]: the store's link table and the nouns its errors and audit events use. Adding,
//! removing, patching and moving ids all go through here, so every assignment checks its ids,
//! moves its parent's `updated_at` and records one audit event of one shape:
//! `{"parent", "child", "added", "removed", "to"}`, each child and the `to` parent as
//! `{"id", "name"}`: names as they were, so that a later rename or deletion loses nothing.
//!
//! The callers (`assignments`, `workspaces`) decide who may do it and in what state the parent
//! must be; this module does the rest, inside the caller's transaction.

use super::{record, Change};
use crate::actor::Actor;
use crate::store::assignments::{self as store, Link};
use model::error::ApiError;
use serde::Serialize;
use sqlx::AnyConnection;
use uuid::Uuid;

/// A many-to-many assignment as the service sees it.
pub(crate) struct Assignment {
    pub link: &'static Link,
    /// What holds (the audit event's entity type): "environment", "workspace".
    pub parent: &'static str,
    /// What is held: "connection", "environment".
    pub child: &'static str,
}

pub(crate) const ENVIRONMENT_CONNECTIONS: Assignment = Assignment {
    link: &store::ENVIRONMENT_CONNECTIONS,
    parent: "environment",
    child: "connection",
};

pub(crate) const WORKSPACE_ENVIRONMENTS: Assignment = Assignment {
    link: &store::WORKSPACE_ENVIRONMENTS,
    parent: "workspace",
    child: "environment",
};

pub(crate) const WORKSPACE_TEAMS: Assignment = Assignment {
    link: &store::WORKSPACE_TEAMS,
    parent: "workspace",
    child: "team",
};

/// The parent of a change, as the audit log names it.
pub(crate) struct Parent<'a> {
    pub organization_id: Uuid,
    pub id: Uuid,
    pub name: &'a str,
}

/// What one change did to one parent: the audit event's `after`.
#[derive(Serialize)]
struct Mapping {
    parent: &'static str,
    child: &'static str,
    added: Vec<Named>,
    removed: Vec<Named>,
    /// For a move: the parent the children went to.
    #[serde(skip_serializing_if = "Option::is_none")]
    to: Option<Named>,
}

/// An object in an audit event, by id and by its name at the time.
#[derive(Serialize)]
struct Named {
    id: Uuid,
    name: Option<String>,
}

/// The audit verb of a change that added `added` and removed `removed`.
fn verb(added: u64, removed: u64) -> &'static str {
    match (added, removed) {
        (_, 0) => "assign",
        (0, _) => "unassign",
        _ => "assignments",
    }
}

impl Assignment {
    /// Fails, naming the first of `ids` (at body field `field`) that is not a child of this kind
    /// in the organization: a batch is refused whole, saying which id is wrong.
    pub async fn require_children(
        &self,
        db: &mut AnyConnection,
        org: Uuid,
        ids: &[Uuid],
        field: &str,
    ) -> Result<(), ApiError> {
        let found = store::existing(db, self.link, org, ids).await?;
        match ids.iter().position(|id| !found.contains(id)) {
            None => Ok(()),
            Some(i) => Err(ApiError::validation(
                &format!("{field}[{i}]"),
                format!("no {} {} in this organization", self.child, ids[i]),
            )),
        }
    }

    /// Whether `id` is a child of this kind in the organization (one id named in a path).
    pub async fn child_exists(
        &self,
        db: &mut AnyConnection,
        org: Uuid,
        id: Uuid,
    ) -> Result<bool, ApiError> {
        Ok(!store::existing(db, self.link, org, &[id]).await?.is_empty())
    }

    /// Adds and removes children (ids already checked), and when anything changed, moves the
    /// parent's `updated_at` and records the change. Returns (added, removed).
    pub async fn apply(
        &self,
        db: &mut AnyConnection,
        actor: &Actor,
        parent: &Parent<'_>,
        add: &[Uuid],
        remove: &[Uuid],
    ) -> Result<(u64, u64), ApiError> {
        let added = store::add(db, self.link, parent.id, add).await?;
        let removed = store::remove(db, self.link, parent.id, remove).await?;
        if added + removed > 0 {
            store::touch(db, self.link, parent.id).await?;
            self.record(db, actor, parent, verb(added, removed), add, remove, None)
                .await?;
        }
        Ok((added, removed))
    }

    /// Moves children (ids checked, each once) from one parent to another of the same
    /// organization. Every id must be held by `from`, or nothing moves: the error names the
    /// first that is not, at `field[i]`. Both parents record the move.
    pub async fn transfer(
        &self,
        db: &mut AnyConnection,
        actor: &Actor,
        from: &Parent<'_>,
        to: &Parent<'_>,
        ids: &[Uuid],
        field: &str,
    ) -> Result<u64, ApiError> {
        let held = store::assigned(db, self.link, from.id, ids).await?;
        if let Some(i) = ids.iter().position(|id| !held.contains(id)) {
            return Err(ApiError::validation(
                &format!("{field}[{i}]"),
                format!(
                    "{} {} is not in {} '{}'",
                    self.child, ids[i], self.parent, from.name
                ),
            ));
        }
        store::remove(db, self.link, from.id, ids).await?;
        store::add(db, self.link, to.id, ids).await?;
        for parent in [from, to] {
            store::touch(db, self.link, parent.id).await?;
        }
        self.record(db, actor, from, "transfer", &[], ids, Some(to.id))
            .await?;
        self.record(db, actor, to, "transfer", ids, &[], None)
            .await?;
        Ok(ids.len() as u64)
    }

    /// How many children the parent holds.
    pub async fn count(&self, db: &mut AnyConnection, parent: Uuid) -> Result<u64, ApiError> {
        Ok(store::count(db, self.link, parent).await?)
    }

    #[allow(clippy::too_many_arguments)]
    async fn record(
        &self,
        db: &mut AnyConnection,
        actor: &Actor,
        parent: &Parent<'_>,
        verb: &str,
        added: &[Uuid],
        removed: &[Uuid],
        to: Option<Uuid>,
    ) -> Result<(), ApiError> {
        let all: Vec<Uuid> = added.iter().chain(removed).copied().collect();
        let names = crate::store::names(db, self.link.child_table, &all).await?;
        let named = |ids: &[Uuid]| {
            ids.iter()
                .map(|id| Named {
                    id: *id,
                    name: names.get(id).cloned(),
                })
                .collect()
        };
        let to = match to {
            Some(id) => Some(Named {
                id,
                name: crate::store::names(db, self.link.parent_table, &[id])
                    .await?
                    .remove(&id),
            }),
            None => None,
        };
        let mapping = Mapping {
            parent: self.parent,
            child: self.child,
            added: named(added),
            removed: named(removed),
            to,
        };
        let change = Change::other(
            Some(parent.organization_id),
            verb,
            self.parent,
            parent.id,
            parent.name,
            None,
            Some(&mapping),
        );
        record(db, actor, change).await
    }
}

#[cfg(test)]
mod tests {
    use super::verb;

    #[test]
    fn the_verb_follows_what_changed() {
        assert_eq!(verb(3, 0), "assign");
        assert_eq!(verb(0, 2), "unassign");
        assert_eq!(verb(1, 1), "assignments");
    }
}
