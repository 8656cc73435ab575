//! Which connections an environment holds: single changes, atomic batches, transfers.

use super::links::{Parent, ENVIRONMENT_CONNECTIONS as LINK};
use super::Service;
use crate::actor::Actor;
use crate::store::connections::{self as connections, Scope};
use model::access::{Op, Standing};
use model::assignment::{
    AssignmentPatch, AssignmentQuery, AssignmentResult, Transfer, TransferResult,
};
use model::connection::{ConnectionFilter, ConnectionPage};
use model::environment::Environment;
use model::error::ApiError;
use model::list::Recheck;
use sqlx::AnyConnection;
use uuid::Uuid;

/// An environment as the parent of an assignment change.
fn parent(env: &Environment) -> Parent<'_> {
    Parent {
        organization_id: env.organization_id,
        id: env.id,
        name: &env.name,
    }
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
            super::access::member_filter(actor, Standing::in_org(role)),
        ))
    }
}

impl Service {
    pub async fn list_environment_connections(
        &self,
        actor: &Actor,
        environment: Uuid,
        query: &AssignmentQuery,
    ) -> Result<ConnectionPage, ApiError> {
        let query = &query.rechecked()?;
        let mut db = self.db.read().await?;
        let side = self.side_of(&mut db, actor, environment, query).await?;
        self.connection_page(&mut db, &side_scope(&side, environment, query), &query.list)
            .await
    }

    /// The id and name of every connection on one side (assigned or not) matching the query's search,
    /// for moving a whole filtered side at once.
    pub async fn environment_connection_ids(
        &self,
        actor: &Actor,
        environment: Uuid,
        query: &AssignmentQuery,
    ) -> Result<Vec<model::list::Named>, ApiError> {
        let query = &query.rechecked()?;
        let mut db = self.db.read().await?;
        let side = self.side_of(&mut db, actor, environment, query).await?;
        let scope = side_scope(&side, environment, query);
        connections::ids(&mut db, &scope, model::assignment::BATCH_MAX)
            .await
            .map_err(ApiError::from)
    }

    /// Returns whether the mapping is new; adding one that exists is not an error.
    pub async fn assign_connection(
        &self,
        actor: &Actor,
        environment: Uuid,
        connection: Uuid,
    ) -> Result<bool, ApiError> {
        let mut tx = self.db.begin().await?;
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
        let (added, _) = LINK
            .apply(&mut tx, actor, &parent(&env), &[connection], &[])
            .await?;
        tx.commit().await?;
        Ok(added > 0)
    }

    pub async fn unassign_connection(
        &self,
        actor: &Actor,
        environment: Uuid,
        connection: Uuid,
    ) -> Result<(), ApiError> {
        let mut tx = self.db.begin().await?;
        let env = self
            .writable_environment(&mut tx, actor, environment)
            .await?;
        LINK.apply(&mut tx, actor, &parent(&env), &[], &[connection])
            .await?;
        tx.commit().await.map_err(ApiError::from)
    }

    /// All of it in one transaction, or nothing.
    pub async fn patch_environment_connections(
        &self,
        actor: &Actor,
        environment: Uuid,
        patch: &AssignmentPatch,
    ) -> Result<AssignmentResult, ApiError> {
        let (add, remove) = patch.check(LINK.child)?;
        let mut tx = self.db.begin().await?;
        let env = self
            .writable_environment(&mut tx, actor, environment)
            .await?;
        if add.is_empty() {
            super::environments::in_use(&env)?;
        } else {
            super::environments::takes_connections(&env)?;
        }
        LINK.require_children(&mut tx, env.organization_id, &add, "add")
            .await?;
        LINK.require_children(&mut tx, env.organization_id, &remove, "remove")
            .await?;
        let (added, removed) = LINK
            .apply(&mut tx, actor, &parent(&env), &add, &remove)
            .await?;
        let connection_count = LINK.count(&mut tx, environment).await?;
        tx.commit().await?;
        Ok(AssignmentResult {
            added,
            removed,
            connection_count,
        })
    }

    pub async fn transfer_connections(
        &self,
        actor: &Actor,
        environment: Uuid,
        transfer: &Transfer,
    ) -> Result<TransferResult, ApiError> {
        let (to, ids) = transfer.check(environment)?;
        let mut tx = self.db.begin().await?;
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
        let moved = LINK
            .transfer(
                &mut tx,
                actor,
                &parent(&from_env),
                &parent(&to_env),
                &ids,
                "connection_ids",
            )
            .await?;
        tx.commit().await?;
        Ok(TransferResult { moved })
    }
}
