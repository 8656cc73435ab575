//! Environments: who may see and change them, the rules of their fields, and their audit trail.

use super::access::{authorize, member_filter, org_standing, permit};
use super::{db_err, record, resolve_org, Change, Service};
use crate::db::{from_micros, is_unique_violation, now_micros};
use crate::store::environments as store;
use crate::store::reach::Object;
use app::backend::{Actor, EnvironmentService};
use app::error::{ApiError, ErrorCode};
use app::model::access::Op;
use app::model::environment::{
    Environment, EnvironmentFields, EnvironmentPage, EnvironmentQuery, EnvironmentUpdate,
    NewEnvironment,
};
use async_trait::async_trait;
use sqlx::AnyConnection;
use uuid::Uuid;

fn name_taken(name: &str) -> ApiError {
    ApiError::new(
        ErrorCode::NameTaken,
        format!("an environment named '{name}' already exists in this organization"),
    )
    .with_field("name")
}

/// A write error: a unique violation on the name becomes a 409 on the name field.
fn write_err(name: &str) -> impl Fn(sqlx::Error) -> ApiError + '_ {
    move |e| {
        if is_unique_violation(&e) {
            name_taken(name)
        } else {
            db_err(e)
        }
    }
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
            .await
            .map_err(db_err)?
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

#[async_trait]
impl EnvironmentService for Service {
    async fn list_environments(
        &self,
        actor: &Actor,
        query: &EnvironmentQuery,
    ) -> Result<EnvironmentPage, ApiError> {
        let (org, role) = resolve_org(actor, query.list.org_id)?;
        let scope = store::Scope {
            org,
            member: member_filter(actor, role),
            ..Default::default()
        };
        let (environments, total_count) = store::list(&self.db.read, &scope, query)
            .await
            .map_err(db_err)?;
        Ok(EnvironmentPage {
            page: query.list.page,
            page_size: query.list.page_size,
            total_count,
            environments,
        })
    }

    async fn get_environment(&self, actor: &Actor, id: Uuid) -> Result<Environment, ApiError> {
        let mut conn = self.db.read.acquire().await.map_err(db_err)?;
        self.environment_for(&mut conn, actor, id, Op::ViewEnvironment, "")
            .await
    }

    async fn create_environment(
        &self,
        actor: &Actor,
        input: &NewEnvironment,
    ) -> Result<Environment, ApiError> {
        let (org, role) =
            resolve_org(actor, input.organization_id).map_err(super::body_org_field)?;
        permit(
            org_standing(role),
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
            created_at: now,
            updated_at: now,
        };
        let mut tx = self.db.write.begin().await.map_err(db_err)?;
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

    async fn update_environment(
        &self,
        actor: &Actor,
        id: Uuid,
        input: &EnvironmentUpdate,
    ) -> Result<Environment, ApiError> {
        let mut tx = self.db.write.begin().await.map_err(db_err)?;
        let before = self
            .environment_for(
                &mut tx,
                actor,
                id,
                Op::ManageEnvironment,
                "change environments",
            )
            .await?;
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

    async fn delete_environment(&self, actor: &Actor, id: Uuid) -> Result<(), ApiError> {
        let mut tx = self.db.write.begin().await.map_err(db_err)?;
        let before = self
            .environment_for(
                &mut tx,
                actor,
                id,
                Op::ManageEnvironment,
                "delete environments",
            )
            .await?;
        store::delete(&mut tx, id).await.map_err(db_err)?;
        let org = Some(before.organization_id);
        record(
            &mut tx,
            actor,
            Change::deleted(org, "environment", id, &before.name, &before),
        )
        .await?;
        tx.commit().await.map_err(db_err)
    }
}
