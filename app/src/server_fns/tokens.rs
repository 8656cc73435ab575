use leptos::prelude::*;
use model::error::ApiError;
use model::user::{ApiToken, CreatedToken};
use uuid::Uuid;

#[server(prefix = "/fn", endpoint = "tokens/list")]
pub async fn list_tokens() -> Result<Vec<ApiToken>, ApiError> {
    super::ctx::respond(async move {
        let (service, actor) = super::ctx::actor().await?;
        service.list_tokens(&actor).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "tokens/create")]
pub async fn create_token(
    name: String,
    #[server(default)] expires_in_days: Option<String>,
) -> Result<CreatedToken, ApiError> {
    super::ctx::respond(async move {
        let (service, actor) = super::ctx::actor().await?;
        service
            .create_token(&actor, &name, expires_in_days.as_deref())
            .await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "tokens/revoke")]
pub async fn revoke_token(id: Uuid) -> Result<(), ApiError> {
    super::ctx::respond(async move {
        let (service, actor) = super::ctx::actor().await?;
        service.revoke_token(&actor, id).await
    })
    .await
}
