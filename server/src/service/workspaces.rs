//! Workspaces: teams, the environments assigned to them, their members, and what those
//! members may reach. Every check goes through the access table.

use super::access::{authorize, org_standing, permit};
use super::{db_err, record, resolve_org, Change, Service};
use crate::db::{from_micros, now_micros};
use crate::store::assignments::{self as links, WORKSPACE_ENVIRONMENTS as LINK};
use crate::store::connections::Scope as ConnectionScope;
use crate::store::environments::{self as environments, Scope as EnvironmentScope};
use crate::store::{users, workspaces as store};
use app::backend::{Actor, WorkspaceService};
use app::error::ApiError;
use app::model::access::{Op, Standing};
use app::model::assignment::AssignmentPatch;
use app::model::connection::{ConnectionPage, ConnectionQuery};
use app::model::environment::{EnvironmentPage, EnvironmentQuery};
use app::model::list::Recheck;
use app::model::workspace::{
    parse_role, MemberList, NewMember, NewWorkspace, RoleUpdate, Workspace,
    WorkspaceAssignmentResult, WorkspaceEnvironmentQuery, WorkspaceFields, WorkspaceMember,
    WorkspacePage, WorkspaceQuery, WorkspaceUpdate,
};
use async_trait::async_trait;
use serde::Serialize;
use sqlx::AnyConnection;
use uuid::Uuid;

/// A write error naming the taken name.
fn write_err(name: &str) -> impl Fn(sqlx::Error) -> ApiError + '_ {
    super::write_err("a workspace", name)
}

/// Which environments an assignment change added and removed, for the audit log.
#[derive(Serialize)]
struct EnvironmentMapping<'a> {
    added_environments: &'a [Uuid],
    removed_environments: &'a [Uuid],
}

impl Service {
    /// The workspace, if the caller may see it (not-found otherwise) and may do `op` to it.
    async fn workspace_for(
        &self,
        db: &mut AnyConnection,
        actor: &Actor,
        id: Uuid,
        op: Op,
        doing: &str,
    ) -> Result<(Workspace, Standing), ApiError> {
        let ws = store::get(db, id)
            .await
            .map_err(db_err)?
            .ok_or_else(|| ApiError::not_found("workspace"))?;
        let standing = actor
            .user
            .workspace_standing(ws.organization_id, id)
            .ok_or_else(|| ApiError::not_found("workspace"))?;
        authorize(standing, Op::ViewWorkspace, op, "workspace", doing)?;
        Ok((ws, standing))
    }

    async fn require_environments(
        &self,
        db: &mut AnyConnection,
        org: Uuid,
        ids: &[Uuid],
        field: &str,
    ) -> Result<(), ApiError> {
        super::assignments::require_children(db, &LINK, org, ids, field, "environment").await
    }

    /// Adds and removes environments and records what changed, in the caller's transaction.
    async fn change_environments(
        &self,
        tx: &mut AnyConnection,
        actor: &Actor,
        ws: &Workspace,
        add: &[Uuid],
        remove: &[Uuid],
    ) -> Result<(u64, u64), ApiError> {
        let added = links::add(tx, &LINK, ws.id, add).await.map_err(db_err)?;
        let removed = links::remove(tx, &LINK, ws.id, remove)
            .await
            .map_err(db_err)?;
        if added + removed > 0 {
            store::touch(tx, ws.id).await.map_err(db_err)?;
            let verb = match (added, removed) {
                (_, 0) => "assign",
                (0, _) => "unassign",
                _ => "assignments",
            };
            let mapping = EnvironmentMapping {
                added_environments: add,
                removed_environments: remove,
            };
            let change = Change::other(
                Some(ws.organization_id),
                verb,
                "workspace",
                ws.id,
                &ws.name,
                None,
                Some(&mapping),
            );
            record(tx, actor, change).await?;
        }
        Ok((added, removed))
    }

    /// The user a membership request names, who must belong to the workspace's organization.
    async fn member_user(
        &self,
        db: &mut AnyConnection,
        org: Uuid,
        input: &NewMember,
    ) -> Result<Uuid, ApiError> {
        let (user, field) = match (input.user_id, input.email.as_deref().map(str::trim)) {
            (Some(id), _) => (Some(id), "user_id"),
            (None, Some(email)) if !email.is_empty() => (
                users::find_by_email(db, email).await.map_err(db_err)?,
                "email",
            ),
            _ => {
                return Err(ApiError::validation(
                    "user_id",
                    "say who to add: user_id (or email)",
                ))
            }
        };
        match user {
            Some(u) if users::org_role(db, org, u).await.map_err(db_err)?.is_some() => Ok(u),
            _ => Err(ApiError::validation(
                field,
                "no such user in this organization; an organization admin adds people first",
            )),
        }
    }

    /// The workspace, whose members the caller may manage, and one of its members.
    async fn member_for(
        &self,
        db: &mut AnyConnection,
        actor: &Actor,
        id: Uuid,
        user: Uuid,
    ) -> Result<(Workspace, WorkspaceMember), ApiError> {
        let (ws, _) = self
            .workspace_for(
                db,
                actor,
                id,
                Op::ManageWorkspaceMembers,
                "manage a workspace's members",
            )
            .await?;
        let member = store::get_member(db, id, user)
            .await
            .map_err(db_err)?
            .ok_or_else(|| ApiError::not_found("member"))?;
        Ok((ws, member))
    }

    async fn record_member(
        &self,
        db: &mut AnyConnection,
        actor: &Actor,
        ws: &Workspace,
        verb: &str,
        before: Option<&WorkspaceMember>,
        after: Option<&WorkspaceMember>,
    ) -> Result<(), ApiError> {
        let change = Change::other(
            Some(ws.organization_id),
            verb,
            "workspace",
            ws.id,
            &ws.name,
            before,
            after,
        );
        record(db, actor, change).await
    }
}

#[async_trait]
impl WorkspaceService for Service {
    async fn list_workspaces(
        &self,
        actor: &Actor,
        query: &WorkspaceQuery,
    ) -> Result<WorkspacePage, ApiError> {
        let query = &query.rechecked()?;
        let (org, role) = resolve_org(actor, query.org_id)?;
        let member = super::access::member_filter(actor, role);
        let (workspaces, total_count) = store::list(
            &mut *self.db.read().await.map_err(db_err)?,
            org,
            member,
            query,
        )
        .await
        .map_err(db_err)?;
        Ok(WorkspacePage {
            page: query.page,
            page_size: query.page_size,
            total_count,
            workspaces,
        })
    }

    async fn get_workspace(&self, actor: &Actor, id: Uuid) -> Result<Workspace, ApiError> {
        let mut conn = self.db.read().await.map_err(db_err)?;
        Ok(self
            .workspace_for(&mut conn, actor, id, Op::ViewWorkspace, "")
            .await?
            .0)
    }

    async fn create_workspace(
        &self,
        actor: &Actor,
        input: &NewWorkspace,
    ) -> Result<Workspace, ApiError> {
        let (org, role) =
            resolve_org(actor, input.organization_id).map_err(super::body_org_field)?;
        permit(org_standing(role), Op::CreateWorkspace, "create workspaces")?;
        let WorkspaceFields { name, description } = input.check()?;
        let now = from_micros(now_micros());
        let ws = Workspace {
            id: Uuid::now_v7(),
            organization_id: org,
            name,
            description,
            owner: actor.user.id,
            created_at: now,
            updated_at: now,
            environment_count: 0,
            member_count: 0,
        };
        let mut tx = self.db.begin().await.map_err(db_err)?;
        store::insert(&mut tx, &ws)
            .await
            .map_err(write_err(&ws.name))?;
        record(
            &mut tx,
            actor,
            Change::created(Some(org), "workspace", ws.id, &ws.name, &ws),
        )
        .await?;
        tx.commit().await.map_err(write_err(&ws.name))?;
        Ok(ws)
    }

    async fn update_workspace(
        &self,
        actor: &Actor,
        id: Uuid,
        input: &WorkspaceUpdate,
    ) -> Result<Workspace, ApiError> {
        let mut tx = self.db.begin().await.map_err(db_err)?;
        let (before, _) = self
            .workspace_for(&mut tx, actor, id, Op::EditWorkspace, "rename workspaces")
            .await?;
        let fields = input.apply(&before)?;
        let after = Workspace {
            name: fields.name,
            description: fields.description,
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
            Change::updated(org, "workspace", id, &after.name, &before, &after),
        )
        .await?;
        tx.commit().await.map_err(write_err(&after.name))?;
        Ok(after)
    }

    async fn delete_workspace(&self, actor: &Actor, id: Uuid) -> Result<(), ApiError> {
        let mut tx = self.db.begin().await.map_err(db_err)?;
        let (before, _) = self
            .workspace_for(&mut tx, actor, id, Op::DeleteWorkspace, "delete workspaces")
            .await?;
        store::delete(&mut tx, id).await.map_err(db_err)?;
        let org = Some(before.organization_id);
        record(
            &mut tx,
            actor,
            Change::deleted(org, "workspace", id, &before.name, &before),
        )
        .await?;
        tx.commit().await.map_err(db_err)
    }

    async fn list_workspace_environments(
        &self,
        actor: &Actor,
        id: Uuid,
        query: &WorkspaceEnvironmentQuery,
    ) -> Result<EnvironmentPage, ApiError> {
        let query = &query.rechecked()?;
        let mut db = self.db.read().await.map_err(db_err)?;
        let scope = self.environment_side(&mut db, actor, id, query).await?;
        let q = EnvironmentQuery {
            list: query.list.clone(),
            filter: Default::default(),
        };
        super::environments::environment_page(&mut db, &scope, &q).await
    }

    async fn workspace_environment_ids(
        &self,
        actor: &Actor,
        id: Uuid,
        query: &WorkspaceEnvironmentQuery,
    ) -> Result<Vec<Uuid>, ApiError> {
        let query = &query.rechecked()?;
        let mut db = self.db.read().await.map_err(db_err)?;
        let scope = self.environment_side(&mut db, actor, id, query).await?;
        let q = EnvironmentQuery {
            list: query.list.clone(),
            filter: Default::default(),
        };
        environments::ids(&mut db, &scope, &q, app::model::assignment::BATCH_MAX)
            .await
            .map_err(db_err)
    }

    async fn assign_environment(
        &self,
        actor: &Actor,
        id: Uuid,
        environment: Uuid,
    ) -> Result<bool, ApiError> {
        let mut tx = self.db.begin().await.map_err(db_err)?;
        let (ws, _) = self
            .workspace_for(
                &mut tx,
                actor,
                id,
                Op::AddWorkspaceEnvironment,
                "assign environments to workspaces",
            )
            .await?;
        if links::existing(&mut tx, &LINK, ws.organization_id, &[environment])
            .await
            .map_err(db_err)?
            .is_empty()
        {
            return Err(ApiError::not_found("environment"));
        }
        let (added, _) = self
            .change_environments(&mut tx, actor, &ws, &[environment], &[])
            .await?;
        tx.commit().await.map_err(db_err)?;
        Ok(added > 0)
    }

    async fn unassign_environment(
        &self,
        actor: &Actor,
        id: Uuid,
        environment: Uuid,
    ) -> Result<(), ApiError> {
        let mut tx = self.db.begin().await.map_err(db_err)?;
        let (ws, _) = self
            .workspace_for(
                &mut tx,
                actor,
                id,
                Op::RemoveWorkspaceEnvironment,
                "remove environments from workspaces",
            )
            .await?;
        self.change_environments(&mut tx, actor, &ws, &[], &[environment])
            .await?;
        tx.commit().await.map_err(db_err)
    }

    async fn patch_workspace_environments(
        &self,
        actor: &Actor,
        id: Uuid,
        patch: &AssignmentPatch,
    ) -> Result<WorkspaceAssignmentResult, ApiError> {
        let (add, remove) = patch.check()?;
        let mut tx = self.db.begin().await.map_err(db_err)?;
        let (ws, standing) = self
            .workspace_for(
                &mut tx,
                actor,
                id,
                Op::ViewWorkspace,
                "change a workspace's environments",
            )
            .await?;
        if !add.is_empty() {
            permit(
                standing,
                Op::AddWorkspaceEnvironment,
                "assign environments to workspaces",
            )?;
        }
        if !remove.is_empty() {
            permit(
                standing,
                Op::RemoveWorkspaceEnvironment,
                "remove environments from workspaces",
            )?;
        }
        self.require_environments(&mut tx, ws.organization_id, &add, "add")
            .await?;
        self.require_environments(&mut tx, ws.organization_id, &remove, "remove")
            .await?;
        let (added, removed) = self
            .change_environments(&mut tx, actor, &ws, &add, &remove)
            .await?;
        let environment_count = links::count(&mut tx, &LINK, id).await.map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
        Ok(WorkspaceAssignmentResult {
            added,
            removed,
            environment_count,
        })
    }

    async fn list_workspace_connections(
        &self,
        actor: &Actor,
        id: Uuid,
        query: &ConnectionQuery,
    ) -> Result<ConnectionPage, ApiError> {
        let query = &query.rechecked()?;
        let mut conn = self.db.read().await.map_err(db_err)?;
        let (ws, _) = self
            .workspace_for(&mut conn, actor, id, Op::ViewWorkspace, "")
            .await?;
        let role = super::role_in(actor, ws.organization_id, "workspace")?;
        super::connections::may_see_deleted(&query.filter, role)?;
        let scope = ConnectionScope {
            org: ws.organization_id,
            member: None,
            workspace: Some(id),
            filter: &query.filter,
            not_in_environment: None,
            search: query.list.search.as_deref(),
        };
        self.connection_page(&mut conn, &scope, &query.list).await
    }

    async fn list_members(&self, actor: &Actor, id: Uuid) -> Result<MemberList, ApiError> {
        let mut conn = self.db.read().await.map_err(db_err)?;
        self.workspace_for(&mut conn, actor, id, Op::ViewWorkspace, "")
            .await?;
        let members = store::members(&mut conn, id).await.map_err(db_err)?;
        Ok(MemberList {
            total_count: members.len() as u64,
            members,
        })
    }

    async fn add_member(
        &self,
        actor: &Actor,
        id: Uuid,
        input: &NewMember,
    ) -> Result<WorkspaceMember, ApiError> {
        let role = parse_role(input.role.as_deref(), false)?;
        let mut tx = self.db.begin().await.map_err(db_err)?;
        let (ws, _) = self
            .workspace_for(
                &mut tx,
                actor,
                id,
                Op::ManageWorkspaceMembers,
                "manage a workspace's members",
            )
            .await?;
        let user = self.member_user(&mut tx, ws.organization_id, input).await?;
        let before = store::get_member(&mut tx, id, user).await.map_err(db_err)?;
        store::put_member(&mut tx, id, user, role)
            .await
            .map_err(db_err)?;
        let after = store::get_member(&mut tx, id, user)
            .await
            .map_err(db_err)?
            .ok_or_else(ApiError::internal)?;
        if before.as_ref() != Some(&after) {
            let verb = if before.is_some() {
                "member_role"
            } else {
                "member_add"
            };
            self.record_member(&mut tx, actor, &ws, verb, before.as_ref(), Some(&after))
                .await?;
        }
        tx.commit().await.map_err(db_err)?;
        Ok(after)
    }

    async fn update_member(
        &self,
        actor: &Actor,
        id: Uuid,
        user: Uuid,
        input: &RoleUpdate,
    ) -> Result<WorkspaceMember, ApiError> {
        let role = parse_role(input.role.as_deref(), true)?;
        let mut tx = self.db.begin().await.map_err(db_err)?;
        let (ws, before) = self.member_for(&mut tx, actor, id, user).await?;
        store::put_member(&mut tx, id, user, role)
            .await
            .map_err(db_err)?;
        let after = WorkspaceMember {
            role,
            ..before.clone()
        };
        if before != after {
            self.record_member(
                &mut tx,
                actor,
                &ws,
                "member_role",
                Some(&before),
                Some(&after),
            )
            .await?;
        }
        tx.commit().await.map_err(db_err)?;
        Ok(after)
    }

    async fn remove_member(&self, actor: &Actor, id: Uuid, user: Uuid) -> Result<(), ApiError> {
        let mut tx = self.db.begin().await.map_err(db_err)?;
        let (ws, before) = self.member_for(&mut tx, actor, id, user).await?;
        store::delete_member(&mut tx, id, user)
            .await
            .map_err(db_err)?;
        self.record_member(&mut tx, actor, &ws, "member_remove", Some(&before), None)
            .await?;
        tx.commit().await.map_err(db_err)
    }
}

impl Service {
    /// The environments on one side of a workspace: in it, or (for organization admins, who
    /// assign them) not in it.
    async fn environment_side(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        id: Uuid,
        query: &WorkspaceEnvironmentQuery,
    ) -> Result<EnvironmentScope, ApiError> {
        let op = if query.unassigned {
            Op::ViewUnassignedEnvironments
        } else {
            Op::ViewWorkspace
        };
        let (ws, _) = self
            .workspace_for(
                conn,
                actor,
                id,
                op,
                "list the environments a workspace does not hold",
            )
            .await?;
        Ok(EnvironmentScope {
            org: ws.organization_id,
            member: None,
            in_workspace: (!query.unassigned).then_some(id),
            not_in_workspace: query.unassigned.then_some(id),
            ..Default::default()
        })
    }
}
