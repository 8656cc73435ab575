use crate::error::ApiError;
use crate::model::user::{CreatedUser, OrgUser, UserPage, UserQuery};
use leptos::prelude::*;
use server_fn::codec::Json;
use uuid::Uuid;

#[server(prefix = "/fn", endpoint = "users/list", input = Json)]
pub async fn list_users(query: UserQuery) -> Result<UserPage, ApiError> {
    super::ctx::respond(async move {
        let (backend, actor) = super::ctx::actor().await?;
        backend.list_users(&actor, &query).await
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
        use crate::model::user::NewUser;
        let (backend, actor) = super::ctx::actor_with_reason(reason).await?;
        let input = NewUser {
            name: Some(name),
            email: Some(email),
            role: Some(role),
            organization_id: None,
        };
        backend.create_user(&actor, &input).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "users/role")]
pub async fn set_user_role(user: Uuid, role: String) -> Result<OrgUser, ApiError> {
    super::ctx::respond(async move {
        use crate::model::workspace::RoleUpdate;
        let (backend, actor) = super::ctx::actor().await?;
        let input = RoleUpdate { role: Some(role) };
        backend.update_user_role(&actor, None, user, &input).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "users/remove")]
pub async fn remove_user(id: Uuid) -> Result<(), ApiError> {
    super::ctx::respond(async move {
        let (backend, actor) = super::ctx::actor().await?;
        backend.remove_user(&actor, None, id).await
    })
    .await
}

/// An admin gives someone a new one-time password; their sessions end.
#[server(prefix = "/fn", endpoint = "users/reset_password")]
pub async fn reset_password(id: Uuid) -> Result<CreatedUser, ApiError> {
    super::ctx::respond(async move {
        let (backend, actor) = super::ctx::actor().await?;
        backend.reset_password(&actor, None, id).await
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
        use crate::model::user::PasswordChange;
        let (backend, actor) = super::ctx::signed_in().await?;
        let input = PasswordChange {
            current_password: Some(current_password),
            new_password: Some(new_password),
        };
        backend.change_password(&actor, &input).await?;
        if super::ctx::is_form_post() {
            leptos_axum::redirect("/settings");
        }
        Ok(())
    })
    .await
}
