//! Workspaces: the environments assigned to them, their members, and what those members may
//! reach. (The teams they take are in `workspace_teams`.) Every check goes through the access table.

use super::access::{authorize, permit};
use super::links::{Parent, WORKSPACE_ENVIRONMENTS as LINK};
use super::{record, resolve_org, Change, Service};
use crate::actor::Actor;
use crate::db::{from_micros, now_micros};
use crate::store::connections::Scope as ConnectionScope;
use crate::store::environments::{self as environments, Scope as EnvironmentScope};
use crate::store::{users, workspaces as store};
use model::access::{Op, Standing};
use model::assignment::AssignmentPatch;
use model::connection::{ConnectionPage, ConnectionQuery};
use model::environment::{EnvironmentPage, EnvironmentQuery};
use model::error::ApiError;
use model::list::Recheck;
use model::workspace::{
    parse_role, MemberPage, NewMember, NewWorkspace, RoleUpdate, Workspace,
    WorkspaceAssignmentResult, WorkspaceEnvironmentQuery, WorkspaceFields, WorkspaceMember,
    WorkspaceMemberQuery, WorkspacePage, WorkspaceQuery, WorkspaceUpdate,
};
use sqlx::AnyConnection;
use uuid::Uuid;

/// A write error naming the taken name.
fn write_err(name: &str) -> impl Fn(sqlx::Error) -> ApiError + '_ {
    super::write_err("a workspace", name)
}

/// A workspace as the parent of an assignment change.
pub(crate) fn parent(ws: &Workspace) -> Parent<'_> {
    Parent {
        organization_id: ws.organization_id,
        id: ws.id,
        name: &ws.name,
    }
}

impl Service {
    /// The workspace, if the caller may see it (not-found otherwise) and may do `op` to it.
    pub(crate) async fn workspace_for(
        &self,
        db: &mut AnyConnection,
        actor: &Actor,
        id: Uuid,
        op: Op,
        doing: &str,
    ) -> Result<(Workspace, Standing), ApiError> {
        let ws = store::get(db, id)
            .await?
            .ok_or_else(|| ApiError::not_found("workspace"))?;
        let standing = actor
            .user
            .workspace_standing(ws.organization_id, id)
            .ok_or_else(|| ApiError::not_found("workspace"))?;
        authorize(standing, Op::ViewWorkspace, op, "workspace", doing)?;
        Ok((ws, standing))
    }

    /// The user a membership request names by `user_id` or `email`, who must belong to the
    /// organization (of the workspace or team they join).
    pub(crate) async fn member_user(
        &self,
        db: &mut AnyConnection,
        org: Uuid,
        user_id: Option<Uuid>,
        email: Option<&str>,
    ) -> Result<Uuid, ApiError> {
        let (user, field) = match (user_id, email.map(str::trim)) {
            (Some(id), _) => (Some(id), "user_id"),
            (None, Some(email)) if !email.is_empty() => {
                // Checked before it reaches the database, which refuses some text (NUL).
                let email = model::user::check_email(email)
                    .map_err(|why| ApiError::validation("email", why))?;
                (users::find_by_email(db, &email).await?, "email")
            }
            _ => {
                return Err(ApiError::validation(
                    "user_id",
                    "say who to add: user_id (or email)",
                ))
            }
        };
        match user {
            Some(u) if users::org_role(db, org, u).await?.is_some() => Ok(u),
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
            .await?
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

/// Workspaces, the environments assigned to them and their members.
impl Service {
    pub async fn list_workspaces(
        &self,
        actor: &Actor,
        query: &WorkspaceQuery,
    ) -> Result<WorkspacePage, ApiError> {
        let query = &query.rechecked()?;
        let (org, role) = resolve_org(actor, query.org_id)?;
        let member = super::access::member_filter(actor, Standing::in_org(role));
        let (workspaces, total_count) =
            store::list(&mut *self.db.read().await?, org, member, query).await?;
        Ok(WorkspacePage {
            page: query.page,
            page_size: query.page_size,
            total_count,
            workspaces,
        })
    }

    pub async fn get_workspace(&self, actor: &Actor, id: Uuid) -> Result<Workspace, ApiError> {
        let mut conn = self.db.read().await?;
        Ok(self
            .workspace_for(&mut conn, actor, id, Op::ViewWorkspace, "")
            .await?
            .0)
    }

    pub async fn create_workspace(
        &self,
        actor: &Actor,
        input: &NewWorkspace,
    ) -> Result<Workspace, ApiError> {
        let (org, role) =
            resolve_org(actor, input.organization_id).map_err(super::body_org_field)?;
        permit(
            Standing::in_org(role),
            Op::CreateWorkspace,
            "create workspaces",
        )?;
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
            health_summary: Default::default(),
        };
        let mut tx = self.db.begin().await?;
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

    pub async fn update_workspace(
        &self,
        actor: &Actor,
        id: Uuid,
        input: &WorkspaceUpdate,
    ) -> Result<Workspace, ApiError> {
        let mut tx = self.db.begin().await?;
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

    pub async fn delete_workspace(&self, actor: &Actor, id: Uuid) -> Result<(), ApiError> {
        let mut tx = self.db.begin().await?;
        let (before, _) = self
            .workspace_for(&mut tx, actor, id, Op::DeleteWorkspace, "delete workspaces")
            .await?;
        store::delete(&mut tx, id).await?;
        let org = Some(before.organization_id);
        record(
            &mut tx,
            actor,
            Change::deleted(org, "workspace", id, &before.name, &before),
        )
        .await?;
        tx.commit().await.map_err(ApiError::from)
    }

    pub async fn list_workspace_environments(
        &self,
        actor: &Actor,
        id: Uuid,
        query: &WorkspaceEnvironmentQuery,
    ) -> Result<EnvironmentPage, ApiError> {
        let query = &query.rechecked()?;
        let mut db = self.db.read().await?;
        let scope = self.environment_side(&mut db, actor, id, query).await?;
        let q = EnvironmentQuery {
            list: query.list.clone(),
            filter: Default::default(),
        };
        super::environments::environment_page(&mut db, &scope, &q).await
    }

    /// The id and name of every environment on one side matching the query's search.
    pub async fn workspace_environment_ids(
        &self,
        actor: &Actor,
        id: Uuid,
        query: &WorkspaceEnvironmentQuery,
    ) -> Result<Vec<model::list::Named>, ApiError> {
        let query = &query.rechecked()?;
        let mut db = self.db.read().await?;
        let scope = self.environment_side(&mut db, actor, id, query).await?;
        let q = EnvironmentQuery {
            list: query.list.clone(),
            filter: Default::default(),
        };
        environments::ids(&mut db, &scope, &q, model::assignment::BATCH_MAX)
            .await
            .map_err(ApiError::from)
    }

    /// Returns whether the assignment is new; assigning twice is not an error.
    pub async fn assign_environment(
        &self,
        actor: &Actor,
        id: Uuid,
        environment: Uuid,
    ) -> Result<bool, ApiError> {
        let mut tx = self.db.begin().await?;
        let (ws, _) = self
            .workspace_for(
                &mut tx,
                actor,
                id,
                Op::AddWorkspaceEnvironment,
                "assign environments to workspaces",
            )
            .await?;
        if !LINK
            .child_exists(&mut tx, ws.organization_id, environment)
            .await?
        {
            return Err(ApiError::not_found("environment"));
        }
        let (added, _) = LINK
            .apply(&mut tx, actor, &parent(&ws), &[environment], &[])
            .await?;
        tx.commit().await?;
        Ok(added > 0)
    }

    pub async fn unassign_environment(
        &self,
        actor: &Actor,
        id: Uuid,
        environment: Uuid,
    ) -> Result<(), ApiError> {
        let mut tx = self.db.begin().await?;
        let (ws, _) = self
            .workspace_for(
                &mut tx,
                actor,
                id,
                Op::RemoveWorkspaceEnvironment,
                "remove environments from workspaces",
            )
            .await?;
        LINK.apply(&mut tx, actor, &parent(&ws), &[], &[environment])
            .await?;
        tx.commit().await.map_err(ApiError::from)
    }

    /// All of it in one transaction, or nothing.
    pub async fn patch_workspace_environments(
        &self,
        actor: &Actor,
        id: Uuid,
        patch: &AssignmentPatch,
    ) -> Result<WorkspaceAssignmentResult, ApiError> {
        let (add, remove) = patch.check(LINK.child)?;
        let mut tx = self.db.begin().await?;
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
        LINK.require_children(&mut tx, ws.organization_id, &add, "add")
            .await?;
        LINK.require_children(&mut tx, ws.organization_id, &remove, "remove")
            .await?;
        let (added, removed) = LINK
            .apply(&mut tx, actor, &parent(&ws), &add, &remove)
            .await?;
        let environment_count = LINK.count(&mut tx, id).await?;
        tx.commit().await?;
        Ok(WorkspaceAssignmentResult {
            added,
            removed,
            environment_count,
        })
    }

    /// The distinct connections of the workspace's environments, each with the workspace's
    /// environments that bring it.
    pub async fn list_workspace_connections(
        &self,
        actor: &Actor,
        id: Uuid,
        query: &ConnectionQuery,
    ) -> Result<ConnectionPage, ApiError> {
        let query = &query.rechecked()?;
        let mut conn = self.db.read().await?;
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

    pub async fn list_members(
        &self,
        actor: &Actor,
        id: Uuid,
        query: &WorkspaceMemberQuery,
    ) -> Result<MemberPage, ApiError> {
        use model::list::Recheck;
        let query = &query.rechecked()?;
        let mut conn = self.db.read().await?;
        self.workspace_for(&mut conn, actor, id, Op::ViewWorkspace, "")
            .await?;
        let (members, total_count) = store::members(&mut conn, id, query).await?;
        Ok(MemberPage {
            page: query.page,
            page_size: query.page_size,
            total_count,
            members,
        })
    }

    /// Adds the member, or changes their role if they are one.
    pub async fn add_member(
        &self,
        actor: &Actor,
        id: Uuid,
        input: &NewMember,
    ) -> Result<WorkspaceMember, ApiError> {
        let role = parse_role(input.role.as_deref(), false)?;
        let mut tx = self.db.begin().await?;
        let (ws, _) = self
            .workspace_for(
                &mut tx,
                actor,
                id,
                Op::ManageWorkspaceMembers,
                "manage a workspace's members",
            )
            .await?;
        let user = self
            .member_user(
                &mut tx,
                ws.organization_id,
                input.user_id,
                input.email.as_deref(),
            )
            .await?;
        let before = store::get_member(&mut tx, id, user).await?;
        store::put_member(&mut tx, id, user, role).await?;
        let after = store::get_member(&mut tx, id, user)
            .await?
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
        tx.commit().await?;
        Ok(after)
    }

    pub async fn update_member(
        &self,
        actor: &Actor,
        id: Uuid,
        user: Uuid,
        input: &RoleUpdate,
    ) -> Result<WorkspaceMember, ApiError> {
        let role = parse_role(input.role.as_deref(), true)?;
        let mut tx = self.db.begin().await?;
        let (ws, before) = self.member_for(&mut tx, actor, id, user).await?;
        store::put_member(&mut tx, id, user, role).await?;
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
        tx.commit().await?;
        Ok(after)
    }

    pub async fn remove_member(&self, actor: &Actor, id: Uuid, user: Uuid) -> Result<(), ApiError> {
        let mut tx = self.db.begin().await?;
        let (ws, before) = self.member_for(&mut tx, actor, id, user).await?;
        store::delete_member(&mut tx, id, user).await?;
        self.record_member(&mut tx, actor, &ws, "member_remove", Some(&before), None)
            .await?;
        tx.commit().await.map_err(ApiError::from)
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
