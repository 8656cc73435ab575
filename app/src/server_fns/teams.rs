use leptos::prelude::*;
use model::error::ApiError;
use model::list::Named;
use model::team::{
    Team, TeamMember, TeamMemberPage, TeamMemberQuery, TeamPage, TeamQuery, WorkspaceTeamPatch,
    WorkspaceTeamResult,
};
use model::workspace::WorkspaceTeamQuery;
use server_fn::codec::Json;
use uuid::Uuid;

#[server(prefix = "/fn", endpoint = "teams/list", input = Json)]
pub async fn list_teams(query: TeamQuery) -> Result<TeamPage, ApiError> {
    super::ctx::respond(async move {
        let (service, actor) = super::ctx::actor().await?;
        service.list_teams(&actor, &query).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "teams/get")]
pub async fn get_team(id: Uuid) -> Result<Team, ApiError> {
    super::ctx::respond(async move {
        let (service, actor) = super::ctx::actor().await?;
        service.get_team(&actor, id).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "teams/create")]
pub async fn create_team(
    name: String,
    description: String,
    reason: Option<String>,
) -> Result<Team, ApiError> {
    super::ctx::respond(async move {
        use model::team::NewTeam;
        let (service, actor) = super::ctx::actor_with_reason(reason).await?;
        let input = NewTeam {
            name: Some(name),
            description: Some(description),
            organization_id: None,
        };
        let team = service.create_team(&actor, &input).await?;
        if super::ctx::is_form_post() {
            leptos_axum::redirect(&format!("/teams/{}", team.id));
        }
        Ok(team)
    })
    .await
}

#[server(prefix = "/fn", endpoint = "teams/delete")]
pub async fn delete_team(id: Uuid) -> Result<(), ApiError> {
    super::ctx::respond(async move {
        let (service, actor) = super::ctx::actor().await?;
        service.delete_team(&actor, id).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "teams/members", input = Json)]
pub async fn list_team_members(
    team: Uuid,
    query: TeamMemberQuery,
) -> Result<TeamMemberPage, ApiError> {
    super::ctx::respond(async move {
        let (service, actor) = super::ctx::actor().await?;
        service.list_team_members(&actor, team, &query).await
    })
    .await
}

/// Adds a person of the organization by email.
#[server(prefix = "/fn", endpoint = "teams/members/add")]
pub async fn add_team_member(
    team: Uuid,
    email: String,
    reason: Option<String>,
) -> Result<TeamMember, ApiError> {
    super::ctx::respond(async move {
        use model::team::NewTeamMember;
        let (service, actor) = super::ctx::actor_with_reason(reason).await?;
        let input = NewTeamMember {
            user_id: None,
            email: Some(email),
        };
        let (member, _) = service.add_team_member(&actor, team, &input).await?;
        if super::ctx::is_form_post() {
            leptos_axum::redirect(&format!("/teams/{team}"));
        }
        Ok(member)
    })
    .await
}

#[server(prefix = "/fn", endpoint = "teams/members/remove")]
pub async fn remove_team_member(team: Uuid, user: Uuid) -> Result<(), ApiError> {
    super::ctx::respond(async move {
        let (service, actor) = super::ctx::actor().await?;
        service.remove_team_member(&actor, team, user).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "workspaces/teams", input = Json)]
pub async fn list_workspace_teams(
    workspace: Uuid,
    query: WorkspaceTeamQuery,
) -> Result<TeamPage, ApiError> {
    super::ctx::respond(async move {
        let (service, actor) = super::ctx::actor().await?;
        service
            .list_workspace_teams(&actor, workspace, &query)
            .await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "workspaces/team_ids", input = Json)]
pub async fn workspace_team_ids(
    workspace: Uuid,
    query: WorkspaceTeamQuery,
) -> Result<Vec<Named>, ApiError> {
    super::ctx::respond(async move {
        let (service, actor) = super::ctx::actor().await?;
        service.workspace_team_ids(&actor, workspace, &query).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "workspaces/teams/patch", input = Json)]
pub async fn patch_workspace_teams(
    workspace: Uuid,
    patch: WorkspaceTeamPatch,
) -> Result<WorkspaceTeamResult, ApiError> {
    super::ctx::respond(async move {
        let (service, actor) = super::ctx::actor().await?;
        service
            .patch_workspace_teams(&actor, workspace, &patch)
            .await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "workspaces/teams/role")]
pub async fn set_workspace_team_role(
    workspace: Uuid,
    team: Uuid,
    role: String,
) -> Result<Team, ApiError> {
    super::ctx::respond(async move {
        use model::workspace::RoleUpdate;
        let (service, actor) = super::ctx::actor().await?;
        let input = RoleUpdate { role: Some(role) };
        service
            .update_workspace_team(&actor, workspace, team, &input)
            .await
    })
    .await
}
