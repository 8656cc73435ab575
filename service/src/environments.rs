//! Environments: who may see and change them, the rules of their fields, and their audit trail.

use super::access::{authorize, member_filter, permit};
use super::{record, resolve_org, Change, Service};
use crate::actor::Actor;
use crate::db::{from_micros, now_micros};
use crate::store::environments as store;
use crate::store::reach::Object;
use model::access::{Op, Standing};
use model::environment::{
    check_name, BulkLifecycle, BulkResult, Environment, EnvironmentFields, EnvironmentPage,
    EnvironmentQuery, EnvironmentState, EnvironmentUpdate, LifecycleAction, NewEnvironment,
    Restore,
};
use model::error::{ApiError, ErrorCode};
use model::list::Recheck;
use sqlx::AnyConnection;
use uuid::Uuid;

/// One page of the environments in scope, with the size of the whole filtered set.
pub(crate) async fn environment_page(
    db: &mut AnyConnection,
    scope: &store::Scope,
    query: &EnvironmentQuery,
) -> Result<EnvironmentPage, ApiError> {
    let (environments, total_count) = store::list(db, scope, query).await?;
    Ok(EnvironmentPage {
        page: query.list.page,
        page_size: query.list.page_size,
        total_count,
        environments,
    })
}

/// A write error naming the taken name.
fn write_err(name: &str) -> impl Fn(sqlx::Error) -> ApiError + '_ {
    super::write_err("an environment", name)
}

impl Service {
    /// The environment, if the caller may see it (not-found otherwise, whatever the reason)
    /// and may do `op` to it (forbidden otherwise).
    pub(crate) async fn environment_for(
        &self,
        db: &mut AnyConnection,
        actor: &Actor,
        id: Uuid,
        op: Op,
        doing: &str,
    ) -> Result<Environment, ApiError> {
        let env = store::get(db, id)
            .await?
            .ok_or_else(|| ApiError::not_found("environment"))?;
        let standing = self
            .standing(
                db,
                actor,
                env.organization_id,
                Object::Environment,
                id,
                "environment",
            )
            .await?;
        authorize(standing, Op::ViewEnvironment, op, "environment", doing)?;
        Ok(env)
    }
}

impl Service {
    pub async fn list_environments(
        &self,
        actor: &Actor,
        query: &EnvironmentQuery,
    ) -> Result<EnvironmentPage, ApiError> {
        let query = &query.rechecked()?;
        let (org, role) = resolve_org(actor, query.list.org_id)?;
        if query.filter.deleted {
            permit(
                Standing::in_org(role),
                Op::ManageEnvironment,
                "see the trash",
            )?;
        }
        let scope = store::Scope {
            org,
            member: member_filter(actor, Standing::in_org(role)),
            ..Default::default()
        };
        let mut db = self.db.read().await?;
        environment_page(&mut db, &scope, query).await
    }

    pub async fn get_environment(&self, actor: &Actor, id: Uuid) -> Result<Environment, ApiError> {
        let mut conn = self.db.read().await?;
        let mut env = self
            .environment_for(&mut conn, actor, id, Op::ViewEnvironment, "")
            .await?;
        store::attach_status_summaries(&mut conn, std::slice::from_mut(&mut env)).await?;
        Ok(env)
    }

    pub async fn create_environment(
        &self,
        actor: &Actor,
        input: &NewEnvironment,
    ) -> Result<Environment, ApiError> {
        let (org, role) =
            resolve_org(actor, input.organization_id).map_err(super::body_org_field)?;
        permit(
            Standing::in_org(role),
            Op::ManageEnvironment,
            "create environments",
        )?;
        let EnvironmentFields {
            name,
            description,
            tags,
        } = input.check()?;
        let now = from_micros(now_micros());
        let env = Environment {
            id: Uuid::now_v7(),
            name,
            description,
            organization_id: org,
            owner: actor.user.id,
            tags,
            connection_count: 0,
            workspace_count: 0,
            status_summary: Default::default(),
            health_summary: Default::default(),
            state: EnvironmentState::Empty,
            archived_at: None,
            deleted_at: None,
            created_at: now,
            updated_at: now,
        };
        let mut tx = self.db.begin().await?;
        store::insert(&mut tx, &env)
            .await
            .map_err(write_err(&env.name))?;
        record(
            &mut tx,
            actor,
            Change::created(Some(org), "environment", env.id, &env.name, &env),
        )
        .await?;
        tx.commit().await.map_err(write_err(&env.name))?;
        Ok(env)
    }

    pub async fn update_environment(
        &self,
        actor: &Actor,
        id: Uuid,
        input: &EnvironmentUpdate,
    ) -> Result<Environment, ApiError> {
        let mut tx = self.db.begin().await?;
        let before = self
            .environment_for(
                &mut tx,
                actor,
                id,
                Op::ManageEnvironment,
                "change environments",
            )
            .await?;
        in_use(&before)?;
        let fields = input.apply(&before)?;
        let after = Environment {
            name: fields.name,
            description: fields.description,
            tags: fields.tags,
            updated_at: from_micros(now_micros()),
            ..before.clone()
        };
        store::update(&mut tx, &after)
            .await
            .map_err(write_err(&after.name))?;
        let org = Some(after.organization_id);
        record(
            &mut tx,
            actor,
            Change::updated(org, "environment", id, &after.name, &before, &after),
        )
        .await?;
        tx.commit().await.map_err(write_err(&after.name))?;
        Ok(after)
    }

    /// Sends the environment to the trash; with `purge`, removes one from the trash for good.
    pub async fn delete_environment(
        &self,
        actor: &Actor,
        id: Uuid,
        purge: bool,
    ) -> Result<(), ApiError> {
        let mut tx = self.db.begin().await?;
        let before = self
            .environment_for(
                &mut tx,
                actor,
                id,
                Op::ManageEnvironment,
                "delete environments",
            )
            .await?;
        if !purge {
            self.apply_lifecycle(&mut tx, actor, &before, LifecycleAction::Delete, None)
                .await?;
            return tx.commit().await.map_err(ApiError::from);
        }
        if before.deleted_at.is_none() {
            return Err(ApiError::new(
                ErrorCode::Conflict,
                "only an environment in the trash can be purged: delete it first",
            ));
        }
        store::delete(&mut tx, id).await?;
        let org = Some(before.organization_id);
        let change = Change::other(
            org,
            "purge",
            "environment",
            id,
            &before.name,
            Some(&before),
            None,
        );
        record(&mut tx, actor, change).await?;
        tx.commit().await.map_err(ApiError::from)
    }

    /// Archive, unarchive, delete or restore (optionally under a new name).
    pub async fn change_lifecycle(
        &self,
        actor: &Actor,
        id: Uuid,
        action: LifecycleAction,
        restore: &Restore,
    ) -> Result<Environment, ApiError> {
        let mut tx = self.db.begin().await?;
        let env = self
            .environment_for(
                &mut tx,
                actor,
                id,
                Op::ManageEnvironment,
                "archive, delete or restore environments",
            )
            .await?;
        self.apply_lifecycle(&mut tx, actor, &env, action, restore.name.as_deref())
            .await?;
        let after = store::get(&mut tx, id)
            .await?
            .ok_or_else(ApiError::internal)?;
        tx.commit().await.map_err(write_err(&after.name))?;
        Ok(after)
    }

    /// The tags in use in the organization, for suggestions (organization admins).
    pub async fn environment_tags(
        &self,
        actor: &Actor,
        org: Option<Uuid>,
    ) -> Result<Vec<String>, ApiError> {
        let (org, role) = resolve_org(actor, org)?;
        permit(
            Standing::in_org(role),
            Op::ManageEnvironment,
            "list the tags in use",
        )?;
        store::tags(&mut *self.db.read().await?, org)
            .await
            .map_err(ApiError::from)
    }

    /// One action on many environments, in one transaction.
    pub async fn bulk_lifecycle(
        &self,
        actor: &Actor,
        bulk: &BulkLifecycle,
    ) -> Result<BulkResult, ApiError> {
        let action = bulk.action.ok_or_else(|| {
            ApiError::validation("action", "action is archive, unarchive, delete or restore")
        })?;
        if bulk.ids.is_empty() || bulk.ids.len() > model::assignment::BATCH_MAX {
            return Err(ApiError::validation(
                "ids",
                format!("give 1 to {} environment ids", model::assignment::BATCH_MAX),
            ));
        }
        let mut tx = self.db.begin().await?;
        let mut changed = 0;
        for (i, id) in bulk.ids.iter().enumerate() {
            let at = |e: ApiError| {
                if e.code == ErrorCode::NotFound {
                    ApiError::validation(&format!("ids[{i}]"), format!("no environment {id}"))
                } else {
                    e
                }
            };
            let env = self
                .environment_for(
                    &mut tx,
                    actor,
                    *id,
                    Op::ManageEnvironment,
                    "archive, delete or restore environments",
                )
                .await
                .map_err(at)?;
            if self
                .apply_lifecycle(&mut tx, actor, &env, action, None)
                .await?
            {
                changed += 1;
            }
        }
        tx.commit().await?;
        Ok(BulkResult { changed })
    }
}

/// Refuses to change an environment in the trash.
pub(crate) fn in_use(env: &Environment) -> Result<(), ApiError> {
    if env.deleted_at.is_some() {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            format!(
                "environment '{}' is in the trash: restore it first",
                env.name
            ),
        ));
    }
    Ok(())
}

/// Refuses new connections for an archived (or deleted) environment: the rule is
/// `EnvironmentState::takes_connections`, which the UI's "Move to" targets follow too; this
/// says why in words.
pub(crate) fn takes_connections(env: &Environment) -> Result<(), ApiError> {
    in_use(env)?;
    if !env.state.takes_connections() {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            format!(
                "environment '{}' is archived and takes no new connections: unarchive it first",
                env.name
            ),
        ));
    }
    Ok(())
}

impl Service {
    /// Moves one environment along its lifecycle and records it; returns whether anything
    /// changed (archiving an archived environment changes nothing and is not an error).
    async fn apply_lifecycle(
        &self,
        tx: &mut AnyConnection,
        actor: &Actor,
        env: &Environment,
        action: LifecycleAction,
        new_name: Option<&str>,
    ) -> Result<bool, ApiError> {
        let now = now_micros();
        let (column, value) = match action {
            LifecycleAction::Archive | LifecycleAction::Unarchive => {
                in_use(env)?;
                let archive = action == LifecycleAction::Archive;
                if env.archived_at.is_some() == archive {
                    return Ok(false);
                }
                ("archived_at", archive.then_some(now))
            }
            LifecycleAction::Delete => {
                if env.deleted_at.is_some() {
                    return Ok(false);
                }
                ("deleted_at", Some(now))
            }
            LifecycleAction::Restore => {
                // A name that breaks the rules is refused whether or not it would be used.
                let new_name = match new_name.map(str::trim).filter(|n| !n.is_empty()) {
                    Some(n) => Some(check_name(n).map_err(|m| ApiError::validation("name", m))?),
                    None => None,
                };
                if env.deleted_at.is_none() {
                    return Ok(false);
                }
                let name = new_name.unwrap_or_else(|| env.name.clone());
                if store::live_name_taken(tx, env.organization_id, &name, env.id).await? {
                    return Err(ApiError::new(
                        ErrorCode::NameTaken,
                        format!(
                            "an environment named '{name}' exists now: restore this one under another name"
                        ),
                    )
                    .with_field("name"));
                }
                if name != env.name {
                    let renamed = Environment {
                        name: name.clone(),
                        ..env.clone()
                    };
                    store::rename(tx, &renamed)
                        .await
                        .map_err(write_err(&name))?;
                }
                ("deleted_at", None)
            }
        };
        store::set_lifecycle(tx, env.id, column, value, now)
            .await
            .map_err(write_err(&env.name))?;
        let after = store::get(tx, env.id)
            .await?
            .ok_or_else(ApiError::internal)?;
        let change = Change::other(
            Some(env.organization_id),
            action.verb(),
            "environment",
            env.id,
            &after.name,
            Some(env),
            Some(&after),
        );
        record(tx, actor, change).await?;
        Ok(true)
    }
}
