//! The teams a workspace takes as members, each with a role: every member of the team stands in
//! the workspace with that role (or their own, if stronger). Adding and removing go through the
//! one assignment operation (`links::WORKSPACE_TEAMS`); roles are this module's.

use super::access::permit;
use super::links::WORKSPACE_TEAMS as LINK;
use super::workspaces::parent;
use super::{record, Change, Service};
use crate::actor::Actor;
use crate::store::teams::{self as store, Side};
use model::access::Op;
use model::error::ApiError;
use model::list::Named;
use model::team::{NewWorkspaceTeam, Team, TeamPage, WorkspaceTeamPatch, WorkspaceTeamResult};
use model::user::Role;
use model::workspace::{parse_role, RoleUpdate, Workspace, WorkspaceTeamQuery};
use serde::Serialize;
use sqlx::AnyConnection;
use uuid::Uuid;

const MANAGE: &str = "manage a workspace's members";

/// The audit event's `after` when teams' roles in a workspace change.
#[derive(Serialize)]
struct TeamRoles {
    role: Role,
    teams: Vec<Named>,
}

impl Service {
    /// Records that `teams` now have `role` in the workspace (nothing when none changed).
    async fn record_team_roles(
        &self,
        db: &mut AnyConnection,
        actor: &Actor,
        ws: &Workspace,
        role: Role,
        teams: &[Uuid],
    ) -> Result<(), ApiError> {
        if teams.is_empty() {
            return Ok(());
        }
        let names = crate::store::names(db, "teams", teams).await?;
        let after = TeamRoles {
            role,
            teams: teams
                .iter()
                .map(|id| Named {
                    id: *id,
                    name: names.get(id).cloned().unwrap_or_default(),
                })
                .collect(),
        };
        let change = Change::other(
            Some(ws.organization_id),
            "team_role",
            "workspace",
            ws.id,
            &ws.name,
            None,
            Some(&after),
        );
        record(db, actor, change).await
    }

    /// One side of the workspace's teams: those it has (for whoever sees the workspace), or
    /// those it does not (for whoever may add them).
    async fn team_side(
        &self,
        db: &mut AnyConnection,
        actor: &Actor,
        id: Uuid,
        query: &WorkspaceTeamQuery,
    ) -> Result<(Workspace, Side), ApiError> {
        let (op, side) = if query.unassigned {
            (Op::ManageWorkspaceMembers, Side::NotIn(id))
        } else {
            (Op::ViewWorkspace, Side::In(id))
        };
        let (ws, _) = self
            .workspace_for(
                db,
                actor,
                id,
                op,
                "list the teams a workspace does not have",
            )
            .await?;
        Ok((ws, side))
    }

    /// The team as the workspace has it (with its role there); not-found when it does not.
    async fn workspace_team(
        &self,
        db: &mut AnyConnection,
        ws: Uuid,
        team: Uuid,
    ) -> Result<Team, ApiError> {
        let role = store::workspace_role(db, ws, team).await?;
        let team = match role {
            Some(_) => store::get(db, team).await?,
            None => None,
        };
        team.map(|t| Team { role, ..t })
            .ok_or_else(|| ApiError::not_found("team"))
    }
}

/// A workspace's teams.
impl Service {
    /// The workspace's teams with their roles; with `unassigned`, the organization's teams it
    /// does not have (for those who may add them).
    pub async fn list_workspace_teams(
        &self,
        actor: &Actor,
        id: Uuid,
        query: &WorkspaceTeamQuery,
    ) -> Result<TeamPage, ApiError> {
        use model::list::Recheck;
        let query = &query.rechecked()?;
        let mut db = self.db.read().await?;
        let (ws, side) = self.team_side(&mut db, actor, id, query).await?;
        let (teams, total_count) =
            store::list(&mut db, ws.organization_id, side, &query.list).await?;
        Ok(TeamPage {
            page: query.list.page,
            page_size: query.list.page_size,
            total_count,
            teams,
        })
    }

    /// The id and name of every team on one side matching the query's search (at most a
    /// batch's worth): what a transfer list's "select all" takes.
    pub async fn workspace_team_ids(
        &self,
        actor: &Actor,
        id: Uuid,
        query: &WorkspaceTeamQuery,
    ) -> Result<Vec<Named>, ApiError> {
        use model::list::Recheck;
        let query = &query.rechecked()?;
        let mut db = self.db.read().await?;
        let (ws, side) = self.team_side(&mut db, actor, id, query).await?;
        store::ids(
            &mut db,
            ws.organization_id,
            side,
            &query.list,
            model::assignment::BATCH_MAX,
        )
        .await
        .map_err(ApiError::from)
    }

    /// Gives the workspace to a team with a role (or changes the role of a team it has).
    /// Returns the team with its role and whether it is new to the workspace.
    pub async fn add_workspace_team(
        &self,
        actor: &Actor,
        id: Uuid,
        input: &NewWorkspaceTeam,
    ) -> Result<(Team, bool), ApiError> {
        let role = parse_role(input.role.as_deref(), false)?;
        let team = input
            .team_id
            .ok_or_else(|| ApiError::validation("team_id", "say which team: team_id"))?;
        let mut tx = self.db.begin().await?;
        let (ws, _) = self
            .workspace_for(&mut tx, actor, id, Op::ManageWorkspaceMembers, MANAGE)
            .await?;
        if !LINK.child_exists(&mut tx, ws.organization_id, team).await? {
            return Err(ApiError::validation(
                "team_id",
                "no such team in this organization",
            ));
        }
        let (added, _) = LINK
            .apply(&mut tx, actor, &parent(&ws), &[team], &[])
            .await?;
        let changed = store::set_workspace_roles(&mut tx, id, &[team], role).await?;
        self.record_team_roles(&mut tx, actor, &ws, role, &changed)
            .await?;
        let team = self.workspace_team(&mut tx, id, team).await?;
        tx.commit().await?;
        Ok((team, added > 0))
    }

    pub async fn update_workspace_team(
        &self,
        actor: &Actor,
        id: Uuid,
        team: Uuid,
        input: &RoleUpdate,
    ) -> Result<Team, ApiError> {
        let role = parse_role(input.role.as_deref(), true)?;
        let mut tx = self.db.begin().await?;
        let (ws, _) = self
            .workspace_for(&mut tx, actor, id, Op::ManageWorkspaceMembers, MANAGE)
            .await?;
        self.workspace_team(&mut tx, id, team).await?;
        let changed = store::set_workspace_roles(&mut tx, id, &[team], role).await?;
        self.record_team_roles(&mut tx, actor, &ws, role, &changed)
            .await?;
        let team = self.workspace_team(&mut tx, id, team).await?;
        tx.commit().await?;
        Ok(team)
    }

    pub async fn remove_workspace_team(
        &self,
        actor: &Actor,
        id: Uuid,
        team: Uuid,
    ) -> Result<(), ApiError> {
        let mut tx = self.db.begin().await?;
        let (ws, _) = self
            .workspace_for(&mut tx, actor, id, Op::ManageWorkspaceMembers, MANAGE)
            .await?;
        self.workspace_team(&mut tx, id, team).await?;
        LINK.apply(&mut tx, actor, &parent(&ws), &[], &[team])
            .await?;
        tx.commit().await.map_err(ApiError::from)
    }

    /// Adds (with one role) and removes teams in one transaction: all or nothing.
    pub async fn patch_workspace_teams(
        &self,
        actor: &Actor,
        id: Uuid,
        patch: &WorkspaceTeamPatch,
    ) -> Result<WorkspaceTeamResult, ApiError> {
        let role = parse_role(patch.role.as_deref(), false)?;
        let (add, remove) = patch.ids().check(LINK.child)?;
        let mut tx = self.db.begin().await?;
        let (ws, standing) = self
            .workspace_for(&mut tx, actor, id, Op::ViewWorkspace, MANAGE)
            .await?;
        permit(standing, Op::ManageWorkspaceMembers, MANAGE)?;
        LINK.require_children(&mut tx, ws.organization_id, &add, "add")
            .await?;
        LINK.require_children(&mut tx, ws.organization_id, &remove, "remove")
            .await?;
        let (added, removed) = LINK
            .apply(&mut tx, actor, &parent(&ws), &add, &remove)
            .await?;
        let changed = store::set_workspace_roles(&mut tx, id, &add, role).await?;
        self.record_team_roles(&mut tx, actor, &ws, role, &changed)
            .await?;
        // A team added just now took the default role and then `role`: only the teams that
        // were already there count as changed.
        let new = if role == Role::Member { 0 } else { added };
        let role_changed = (changed.len() as u64).saturating_sub(new);
        let team_count = LINK.count(&mut tx, id).await?;
        tx.commit().await?;
        Ok(WorkspaceTeamResult {
            added,
            removed,
            role_changed,
            team_count,
        })
    }
}
