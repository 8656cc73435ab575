use crate::error::ApiError;
use crate::model::assignment::{AssignmentPatch, AssignmentQuery, AssignmentResult};
use crate::model::connection::ConnectionPage;
use leptos::prelude::*;
use server_fn::codec::Json;
use uuid::Uuid;

#[server(prefix = "/fn", endpoint = "assignments/list", input = Json)]
pub async fn list_environment_connections(
    environment: Uuid,
    query: AssignmentQuery,
) -> Result<ConnectionPage, ApiError> {
    super::ctx::respond(async move {
        let (backend, actor) = super::ctx::actor().await?;
        backend
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
        let (backend, actor) = super::ctx::actor().await?;
        backend
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
        let (backend, actor) = super::ctx::actor().await?;
        backend
            .patch_environment_connections(&actor, environment, &patch)
            .await
    })
    .await
}
