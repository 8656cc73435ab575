//! Which connections an environment holds: single changes, atomic batches, transfers.

use super::{db_err, record, Change, Service};
use crate::store::assignments::{self as store, ENVIRONMENT_CONNECTIONS as LINK};
use crate::store::connections::{self as connections, Scope};
use app::backend::{Actor, AssignmentService};
use app::error::ApiError;
use app::model::access::Op;
use app::model::assignment::{
    AssignmentPatch, AssignmentQuery, AssignmentResult, Transfer, TransferResult,
};
use app::model::connection::{ConnectionFilter, ConnectionPage};
use app::model::environment::Environment;
use app::model::list::Recheck;
use async_trait::async_trait;
use serde::Serialize;
use sqlx::AnyConnection;
use uuid::Uuid;

/// What an assignment change did, for the audit log.
#[derive(Serialize)]
struct Mapping<'a> {
    added: &'a [Uuid],
    removed: &'a [Uuid],
    #[serde(skip_serializing_if = "Option::is_none")]
    to_environment: Option<Uuid>,
}

/// The connections on one side of an environment: in it, or (unassigned) not in it.
fn side_scope<'a>(
    (org, filter, member): &'a (Uuid, ConnectionFilter, Option<Uuid>),
    environment: Uuid,
    query: &'a AssignmentQuery,
) -> Scope<'a> {
    Scope {
        org: *org,
        member: *member,
        workspace: None,
        filter,
        not_in_environment: query.unassigned.then_some(environment),
        search: query.list.search.as_deref(),
    }
}

impl Service {
    /// The environment, visible and changeable by the caller.
    async fn writable_environment(
        &self,
        db: &mut AnyConnection,
        actor: &Actor,
        id: Uuid,
    ) -> Result<Environment, ApiError> {
        self.environment_for(
            db,
            actor,
            id,
            Op::ManageEnvironment,
            "change which connections an environment holds",
        )
        .await
    }

    /// The organization of a visible environment, the filter selecting one side of it, and
    /// the member whose reach bounds the environments shown. The side of connections not in it
    /// is the assignment screen's, for those who may change the environment.
    async fn side_of(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        environment: Uuid,
        query: &AssignmentQuery,
    ) -> Result<(Uuid, ConnectionFilter, Option<Uuid>), ApiError> {
        let op = if query.unassigned {
            Op::ManageEnvironment
        } else {
            Op::ViewEnvironment
        };
        let env = self
            .environment_for(
                conn,
                actor,
                environment,
                op,
                "list the connections an environment does not hold",
            )
            .await?;
        let role = super::role_in(actor, env.organization_id, "environment")?;
        let filter = ConnectionFilter {
            environment_id: (!query.unassigned).then_some(environment),
            status: query.status,
            deleted: query.deleted,
            ..Default::default()
        };
        super::connections::may_see_deleted(&filter, role)?;
        Ok((
            env.organization_id,
            filter,
            super::access::member_filter(actor, role),
        ))
    }

    /// Fails, naming the first id that is not a connection of the organization.
    async fn require_connections(
        &self,
        db: &mut AnyConnection,
        org: Uuid,
        ids: &[Uuid],
        field: &str,
    ) -> Result<(), ApiError> {
        require_children(db, &LINK, org, ids, field, "connection").await
    }

    async fn record_mapping(
        &self,
        db: &mut AnyConnection,
        actor: &Actor,
        env: &Environment,
        verb: &str,
        mapping: &Mapping<'_>,
    ) -> Result<(), ApiError> {
        let change = Change::other(
            Some(env.organization_id),
            verb,
            "environment",
            env.id,
            &env.name,
            None,
            Some(mapping),
        );
        record(db, actor, change).await
    }
}

#[async_trait]
impl AssignmentService for Service {
    async fn list_environment_connections(
        &self,
        actor: &Actor,
        environment: Uuid,
        query: &AssignmentQuery,
    ) -> Result<ConnectionPage, ApiError> {
        let query = &query.rechecked()?;
        let mut db = self.db.read().await.map_err(db_err)?;
        let side = self.side_of(&mut db, actor, environment, query).await?;
        self.connection_page(&mut db, &side_scope(&side, environment, query), &query.list)
            .await
    }

    async fn environment_connection_ids(
        &self,
        actor: &Actor,
        environment: Uuid,
        query: &AssignmentQuery,
    ) -> Result<Vec<Uuid>, ApiError> {
        let query = &query.rechecked()?;
        let mut db = self.db.read().await.map_err(db_err)?;
        let side = self.side_of(&mut db, actor, environment, query).await?;
        let scope = side_scope(&side, environment, query);
        connections::ids(&mut db, &scope, app::model::assignment::BATCH_MAX)
            .await
            .map_err(db_err)
    }

    async fn assign_connection(
        &self,
        actor: &Actor,
        environment: Uuid,
        connection: Uuid,
    ) -> Result<bool, ApiError> {
        let mut tx = self.db.begin().await.map_err(db_err)?;
        let env = self
            .writable_environment(&mut tx, actor, environment)
            .await?;
        super::environments::takes_connections(&env)?;
        let (c, _) = self
            .connection_for(&mut tx, actor, connection, Op::ViewConnection, "")
            .await?;
        if c.organization_id != env.organization_id {
            return Err(ApiError::not_found("connection"));
        }
        let added = store::add(&mut tx, &LINK, environment, &[connection])
            .await
            .map_err(db_err)?;
        if added > 0 {
            let mapping = Mapping {
                added: &[connection],
                removed: &[],
                to_environment: None,
            };
            self.record_mapping(&mut tx, actor, &env, "assign", &mapping)
                .await?;
        }
        tx.commit().await.map_err(db_err)?;
        Ok(added > 0)
    }

    async fn unassign_connection(
        &self,
        actor: &Actor,
        environment: Uuid,
        connection: Uuid,
    ) -> Result<(), ApiError> {
        let mut tx = self.db.begin().await.map_err(db_err)?;
        let env = self
            .writable_environment(&mut tx, actor, environment)
            .await?;
        let removed = store::remove(&mut tx, &LINK, environment, &[connection])
            .await
            .map_err(db_err)?;
        if removed > 0 {
            let mapping = Mapping {
                added: &[],
                removed: &[connection],
                to_environment: None,
            };
            self.record_mapping(&mut tx, actor, &env, "unassign", &mapping)
                .await?;
        }
        tx.commit().await.map_err(db_err)
    }

    async fn patch_environment_connections(
        &self,
        actor: &Actor,
        environment: Uuid,
        patch: &AssignmentPatch,
    ) -> Result<AssignmentResult, ApiError> {
        let (add, remove) = patch.check()?;
        let mut tx = self.db.begin().await.map_err(db_err)?;
        let env = self
            .writable_environment(&mut tx, actor, environment)
            .await?;
        if add.is_empty() {
            super::environments::in_use(&env)?;
        } else {
            super::environments::takes_connections(&env)?;
        }
        self.require_connections(&mut tx, env.organization_id, &add, "add")
            .await?;
        self.require_connections(&mut tx, env.organization_id, &remove, "remove")
            .await?;
        let added = store::add(&mut tx, &LINK, environment, &add)
            .await
            .map_err(db_err)?;
        let removed = store::remove(&mut tx, &LINK, environment, &remove)
            .await
            .map_err(db_err)?;
        if added + removed > 0 {
            let mapping = Mapping {
                added: &add,
                removed: &remove,
                to_environment: None,
            };
            self.record_mapping(&mut tx, actor, &env, "assignments", &mapping)
                .await?;
        }
        let connection_count = store::count(&mut tx, &LINK, environment)
            .await
            .map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
        Ok(AssignmentResult {
            added,
            removed,
            connection_count,
        })
    }

    async fn transfer_connections(
        &self,
        actor: &Actor,
        environment: Uuid,
        transfer: &Transfer,
    ) -> Result<TransferResult, ApiError> {
        let to = transfer.to.ok_or_else(|| {
            ApiError::validation("to", "name the environment to move the connections to")
        })?;
        if to == environment {
            return Err(ApiError::validation(
                "to",
                "connections are already in this environment",
            ));
        }
        let (ids, _) = AssignmentPatch {
            add: transfer.connection_ids.clone(),
            remove: Vec::new(),
        }
        .check()?;
        if ids.is_empty() {
            return Err(ApiError::validation(
                "connection_ids",
                "name at least one connection to move",
            ));
        }
        let mut tx = self.db.begin().await.map_err(db_err)?;
        let from_env = self
            .writable_environment(&mut tx, actor, environment)
            .await?;
        super::environments::in_use(&from_env)?;
        let to_env = self
            .writable_environment(&mut tx, actor, to)
            .await
            .map_err(|e| {
                if e.status() == 404 {
                    e.with_field("to")
                } else {
                    e
                }
            })?;
        if to_env.organization_id != from_env.organization_id {
            return Err(ApiError::not_found("environment").with_field("to"));
        }
        super::environments::takes_connections(&to_env).map_err(|e| e.with_field("to"))?;
        let held = store::assigned(&mut tx, &LINK, environment, &ids)
            .await
            .map_err(db_err)?;
        if let Some(i) = ids.iter().position(|id| !held.contains(id)) {
            return Err(ApiError::validation(
                &format!("connection_ids[{i}]"),
                format!(
                    "connection {} is not in environment '{}'",
                    ids[i], from_env.name
                ),
            ));
        }
        store::remove(&mut tx, &LINK, environment, &ids)
            .await
            .map_err(db_err)?;
        store::add(&mut tx, &LINK, to, &ids).await.map_err(db_err)?;
        let moved = Mapping {
            added: &[],
            removed: &ids,
            to_environment: Some(to),
        };
        self.record_mapping(&mut tx, actor, &from_env, "transfer", &moved)
            .await?;
        let arrived = Mapping {
            added: &ids,
            removed: &[],
            to_environment: None,
        };
        self.record_mapping(&mut tx, actor, &to_env, "transfer", &arrived)
            .await?;
        tx.commit().await.map_err(db_err)?;
        Ok(TransferResult {
            moved: ids.len() as u64,
        })
    }
}

/// Fails, naming the first of `ids` that is not a child of `link` (a connection, an
/// environment) in the organization: a batch is refused whole, saying which id is wrong.
pub(crate) async fn require_children(
    db: &mut AnyConnection,
    link: &store::Link,
    org: Uuid,
    ids: &[Uuid],
    field: &str,
    noun: &str,
) -> Result<(), ApiError> {
    let found = store::existing(db, link, org, ids).await.map_err(db_err)?;
    match ids.iter().position(|id| !found.contains(id)) {
        None => Ok(()),
        Some(i) => Err(ApiError::validation(
            &format!("{field}[{i}]"),
            format!("no {noun} {} in this organization", ids[i]),
        )),
    }
}
