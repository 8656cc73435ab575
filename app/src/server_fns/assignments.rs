use leptos::prelude::*;
use model::assignment::{
    AssignmentPatch, AssignmentQuery, AssignmentResult, Transfer, TransferResult,
};
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
) -> Result<Vec<model::list::Named>, ApiError> {
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

/// "Move to…" on an environment's page: the same transfer as
/// `POST /api/environments/{id}/connections/transfer`.
#[server(prefix = "/fn", endpoint = "assignments/transfer", input = Json)]
pub async fn transfer_environment_connections(
    environment: Uuid,
    transfer: Transfer,
) -> Result<TransferResult, ApiError> {
    super::ctx::respond(async move {
        let (service, actor) = super::ctx::actor().await?;
        service
            .transfer_connections(&actor, environment, &transfer)
            .await
    })
    .await
}
