use leptos::prelude::*;
use model::assignment::AssignmentPatch;
use model::connection::{ConnectionPage, ConnectionQuery};
use model::environment::EnvironmentPage;
use model::error::ApiError;
use model::workspace::{
    MemberPage, Workspace, WorkspaceEnvironmentQuery, WorkspaceMember, WorkspaceMemberQuery,
    WorkspacePage, WorkspaceQuery,
};
use server_fn::codec::Json;
use uuid::Uuid;

#[server(prefix = "/fn", endpoint = "workspaces/list", input = Json)]
pub async fn list_workspaces(query: WorkspaceQuery) -> Result<WorkspacePage, ApiError> {
    super::ctx::respond(async move {
        let (service, actor) = super::ctx::actor().await?;
        service.list_workspaces(&actor, &query).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "workspaces/get")]
pub async fn get_workspace(id: Uuid) -> Result<Workspace, ApiError> {
    super::ctx::respond(async move {
        let (service, actor) = super::ctx::actor().await?;
        service.get_workspace(&actor, id).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "workspaces/create")]
pub async fn create_workspace(
    name: String,
    description: String,
    reason: Option<String>,
) -> Result<Workspace, ApiError> {
    super::ctx::respond(async move {
        use model::workspace::NewWorkspace;
        let (service, actor) = super::ctx::actor_with_reason(reason).await?;
        let input = NewWorkspace {
            name: Some(name),
            description: Some(description),
            organization_id: None,
        };
        let ws = service.create_workspace(&actor, &input).await?;
        if super::ctx::is_form_post() {
            leptos_axum::redirect(&format!("/workspaces/{}", ws.id));
        }
        Ok(ws)
    })
    .await
}

#[server(prefix = "/fn", endpoint = "workspaces/update")]
pub async fn update_workspace(
    id: Uuid,
    name: String,
    description: String,
    reason: Option<String>,
) -> Result<Workspace, ApiError> {
    super::ctx::respond(async move {
        use model::workspace::WorkspaceUpdate;
        let (service, actor) = super::ctx::actor_with_reason(reason).await?;
        let input = WorkspaceUpdate {
            name: Some(name),
            description: Some(description),
            organization_id: None,
        };
        let ws = service.update_workspace(&actor, id, &input).await?;
        if super::ctx::is_form_post() {
            leptos_axum::redirect(&format!("/workspaces/{id}"));
        }
        Ok(ws)
    })
    .await
}

#[server(prefix = "/fn", endpoint = "workspaces/delete")]
pub async fn delete_workspace(id: Uuid) -> Result<(), ApiError> {
    super::ctx::respond(async move {
        let (service, actor) = super::ctx::actor().await?;
        service.delete_workspace(&actor, id).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "workspaces/environments", input = Json)]
pub async fn list_workspace_environments(
    workspace: Uuid,
    query: WorkspaceEnvironmentQuery,
) -> Result<EnvironmentPage, ApiError> {
    super::ctx::respond(async move {
        let (service, actor) = super::ctx::actor().await?;
        service
            .list_workspace_environments(&actor, workspace, &query)
            .await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "workspaces/environment_ids", input = Json)]
pub async fn workspace_environment_ids(
    workspace: Uuid,
    query: WorkspaceEnvironmentQuery,
) -> Result<Vec<model::list::Named>, ApiError> {
    super::ctx::respond(async move {
        let (service, actor) = super::ctx::actor().await?;
        service
            .workspace_environment_ids(&actor, workspace, &query)
            .await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "workspaces/patch_environments", input = Json)]
pub async fn patch_workspace_environments(
    workspace: Uuid,
    patch: AssignmentPatch,
) -> Result<(), ApiError> {
    super::ctx::respond(async move {
        let (service, actor) = super::ctx::actor().await?;
        service
            .patch_workspace_environments(&actor, workspace, &patch)
            .await
            .map(|_| ())
    })
    .await
}

#[server(prefix = "/fn", endpoint = "workspaces/connections", input = Json)]
pub async fn list_workspace_connections(
    workspace: Uuid,
    query: ConnectionQuery,
) -> Result<ConnectionPage, ApiError> {
    super::ctx::respond(async move {
        let (service, actor) = super::ctx::actor().await?;
        service
            .list_workspace_connections(&actor, workspace, &query)
            .await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "workspaces/members", input = Json)]
pub async fn list_members(
    workspace: Uuid,
    query: WorkspaceMemberQuery,
) -> Result<MemberPage, ApiError> {
    super::ctx::respond(async move {
        let (service, actor) = super::ctx::actor().await?;
        service.list_members(&actor, workspace, &query).await
    })
    .await
}

/// Adds a member by email (or changes their role).
#[server(prefix = "/fn", endpoint = "workspaces/add_member")]
pub async fn add_member(
    workspace: Uuid,
    email: String,
    role: String,
    reason: Option<String>,
) -> Result<WorkspaceMember, ApiError> {
    super::ctx::respond(async move {
        use model::workspace::NewMember;
        let (service, actor) = super::ctx::actor_with_reason(reason).await?;
        let input = NewMember {
            user_id: None,
            email: Some(email),
            role: Some(role),
        };
        service.add_member(&actor, workspace, &input).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "workspaces/member_role")]
pub async fn set_member_role(
    workspace: Uuid,
    user: Uuid,
    role: String,
) -> Result<WorkspaceMember, ApiError> {
    super::ctx::respond(async move {
        use model::workspace::RoleUpdate;
        let (service, actor) = super::ctx::actor().await?;
        let input = RoleUpdate { role: Some(role) };
        service.update_member(&actor, workspace, user, &input).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "workspaces/remove_member")]
pub async fn remove_member(workspace: Uuid, user: Uuid) -> Result<(), ApiError> {
    super::ctx::respond(async move {
        let (service, actor) = super::ctx::actor().await?;
        service.remove_member(&actor, workspace, user).await
    })
    .await
}
