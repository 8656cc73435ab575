use leptos::prelude::*;
use model::assignment::{AssignmentPatch, AssignmentQuery, AssignmentResult};
use model::connection::ConnectionPage;
use model::error::ApiError;
use server_fn::codec::Json;
use uuid::Uuid;

#[server(prefix = "/fn", endpoint = "assignments/list", input = Json)]
pub async fn list_environment_connections(
    environment: Uuid,
    query: AssignmentQuery,
) -> Result<ConnectionPage, ApiError> {
    super::ctx::respond(async move {
        let (service, actor) = super::ctx::actor().await?;
        service
            .list_environment_connections(&actor, environment, &query)
            .await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "assignments/ids", input = Json)]
pub async fn environment_connection_ids(
    environment: Uuid,
    query: AssignmentQuery,
) -> Result<Vec<Uuid>, ApiError> {
    super::ctx::respond(async move {
        let (service, actor) = super::ctx::actor().await?;
        service
            .environment_connection_ids(&actor, environment, &query)
            .await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "assignments/patch", input = Json)]
pub async fn patch_environment_connections(
    environment: Uuid,
    patch: AssignmentPatch,
) -> Result<AssignmentResult, ApiError> {
    super::ctx::respond(async move {
        let (service, actor) = super::ctx::actor().await?;
        service
            .patch_environment_connections(&actor, environment, &patch)
            .await
    })
    .await
}
