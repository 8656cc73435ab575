use leptos::prelude::*;
use model::environment::{Environment, EnvironmentPage, EnvironmentQuery};
use model::error::ApiError;
use uuid::Uuid;

/// JSON in: the query is nested, which URL form encoding cannot carry faithfully.
#[server(prefix = "/fn", endpoint = "environments/list", input = server_fn::codec::Json)]
pub async fn list_environments(query: EnvironmentQuery) -> Result<EnvironmentPage, ApiError> {
    super::ctx::respond(async move {
        let (service, actor) = super::ctx::actor().await?;
        service.list_environments(&actor, &query).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "environments/get")]
pub async fn get_environment(id: Uuid) -> Result<Environment, ApiError> {
    super::ctx::respond(async move {
        let (service, actor) = super::ctx::actor().await?;
        service.get_environment(&actor, id).await
    })
    .await
}

/// Creates an environment from the form's fields; `tags` is the text of the tag field.
#[server(prefix = "/fn", endpoint = "environments/create")]
pub async fn create_environment(
    name: String,
    description: String,
    tags: String,
) -> Result<Environment, ApiError> {
    super::ctx::respond(async move {
        use model::environment::{split_tag_input, NewEnvironment};
        let (service, actor) = super::ctx::actor().await?;
        let input = NewEnvironment {
            name: Some(name),
            description: Some(description),
            organization_id: None,
            tags: Some(split_tag_input(&tags)),
        };
        let env = service.create_environment(&actor, &input).await?;
        if super::ctx::is_form_post() {
            leptos_axum::redirect("/environments");
        }
        Ok(env)
    })
    .await
}

#[server(prefix = "/fn", endpoint = "environments/update")]
pub async fn update_environment(
    id: Uuid,
    name: String,
    description: String,
    tags: String,
) -> Result<Environment, ApiError> {
    super::ctx::respond(async move {
        use model::environment::{split_tag_input, EnvironmentUpdate};
        let (service, actor) = super::ctx::actor().await?;
        let input = EnvironmentUpdate {
            name: Some(name),
            description: Some(description),
            tags: Some(split_tag_input(&tags)),
            organization_id: None,
        };
        let env = service.update_environment(&actor, id, &input).await?;
        if super::ctx::is_form_post() {
            leptos_axum::redirect("/environments");
        }
        Ok(env)
    })
    .await
}

#[server(prefix = "/fn", endpoint = "environments/delete")]
pub async fn delete_environment(id: Uuid) -> Result<(), ApiError> {
    super::ctx::respond(async move {
        let (service, actor) = super::ctx::actor().await?;
        service.delete_environment(&actor, id, false).await
    })
    .await
}

/// Removes an environment from the trash for good.
#[server(prefix = "/fn", endpoint = "environments/purge")]
pub async fn purge_environment(id: Uuid) -> Result<(), ApiError> {
    super::ctx::respond(async move {
        let (service, actor) = super::ctx::actor().await?;
        service.delete_environment(&actor, id, true).await
    })
    .await
}

/// Archive, unarchive, delete or restore one environment (as in the bulk endpoint).
#[server(prefix = "/fn", endpoint = "environments/lifecycle")]
pub async fn change_lifecycle(
    id: Uuid,
    action: model::environment::LifecycleAction,
) -> Result<model::environment::Environment, ApiError> {
    super::ctx::respond(async move {
        let (service, actor) = super::ctx::actor().await?;
        let restore = model::environment::Restore::default();
        service.change_lifecycle(&actor, id, action, &restore).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "environments/bulk", input = server_fn::codec::Json)]
pub async fn bulk_lifecycle(
    bulk: model::environment::BulkLifecycle,
) -> Result<model::environment::BulkResult, ApiError> {
    super::ctx::respond(async move {
        let (service, actor) = super::ctx::actor().await?;
        service.bulk_lifecycle(&actor, &bulk).await
    })
    .await
}

/// The tags in use, for the tag field's suggestions.
#[server(prefix = "/fn", endpoint = "environments/tags")]
pub async fn environment_tags() -> Result<Vec<String>, ApiError> {
    super::ctx::respond(async move {
        let (service, actor) = super::ctx::actor().await?;
        service.environment_tags(&actor, None).await
    })
    .await
}
