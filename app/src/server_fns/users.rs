use leptos::prelude::*;
use model::error::ApiError;
use model::user::{CreatedUser, OrgUser, UserPage, UserQuery};
use server_fn::codec::Json;
use uuid::Uuid;

#[server(prefix = "/fn", endpoint = "users/list", input = Json)]
pub async fn list_users(query: UserQuery) -> Result<UserPage, ApiError> {
    super::ctx::respond(async move {
        let (service, actor) = super::ctx::actor().await?;
        service.list_users(&actor, &query).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "users/create")]
pub async fn create_user(
    name: String,
    email: String,
    role: String,
    reason: Option<String>,
) -> Result<CreatedUser, ApiError> {
    super::ctx::respond(async move {
        use model::user::NewUser;
        let (service, actor) = super::ctx::actor_with_reason(reason).await?;
        let input = NewUser {
            name: Some(name),
            email: Some(email),
            role: Some(role),
            organization_id: None,
        };
        service.create_user(&actor, &input).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "users/role")]
pub async fn set_user_role(user: Uuid, role: String) -> Result<OrgUser, ApiError> {
    super::ctx::respond(async move {
        use model::workspace::RoleUpdate;
        let (service, actor) = super::ctx::actor().await?;
        let input = RoleUpdate { role: Some(role) };
        service.update_user_role(&actor, None, user, &input).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "users/remove")]
pub async fn remove_user(id: Uuid) -> Result<(), ApiError> {
    super::ctx::respond(async move {
        let (service, actor) = super::ctx::actor().await?;
        service.remove_user(&actor, None, id).await
    })
    .await
}

/// An admin gives someone a new one-time password; their sessions end.
#[server(prefix = "/fn", endpoint = "users/reset_password")]
pub async fn reset_password(id: Uuid) -> Result<CreatedUser, ApiError> {
    super::ctx::respond(async move {
        let (service, actor) = super::ctx::actor().await?;
        service.reset_password(&actor, None, id).await
    })
    .await
}

/// Changes the caller's own password; open to someone still on a one-time password.
#[server(prefix = "/fn", endpoint = "users/password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
) -> Result<(), ApiError> {
    super::ctx::respond(async move {
        use model::user::PasswordChange;
        let (service, actor) =
            super::ctx::actor_for(service::actor::Operation::ChangePassword).await?;
        let input = PasswordChange {
            current_password: Some(current_password),
            new_password: Some(new_password),
        };
        service.change_password(&actor, &input).await?;
        if super::ctx::is_form_post() {
            leptos_axum::redirect("/settings");
        }
        Ok(())
    })
    .await
}
