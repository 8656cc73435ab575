use crate::error::ApiError;
use crate::model::connection::{Connection, ConnectionInput, ConnectionPage, ConnectionQuery};
use crate::model::credential::{
    Credential, CredentialPage, CredentialQuery, CredentialUpdate, NewCredential,
};
use crate::model::environment::EnvironmentPage;
use leptos::prelude::*;
use server_fn::codec::Json;
use uuid::Uuid;

#[server(prefix = "/fn", endpoint = "connections/list", input = Json)]
pub async fn list_connections(query: ConnectionQuery) -> Result<ConnectionPage, ApiError> {
    super::ctx::respond(async move {
        let (backend, actor) = super::ctx::actor().await?;
        backend.list_connections(&actor, &query).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "connections/get")]
pub async fn get_connection(id: Uuid) -> Result<Connection, ApiError> {
    super::ctx::respond(async move {
        let (backend, actor) = super::ctx::actor().await?;
        backend.get_connection(&actor, id).await
    })
    .await
}

/// One page (0-based) of the environments holding a connection, by name.
#[server(prefix = "/fn", endpoint = "connections/environments")]
pub async fn connection_environments(id: Uuid, page: u32) -> Result<EnvironmentPage, ApiError> {
    super::ctx::respond(async move {
        let (backend, actor) = super::ctx::actor().await?;
        use crate::model::environment::{EnvironmentQuery, EnvironmentSort};
        use crate::model::list::{Direction, Order};
        let mut query = EnvironmentQuery::default();
        query.list.page = page;
        query.list.order = Order {
            field: EnvironmentSort::Name,
            direction: Direction::Asc,
        };
        backend
            .list_connection_environments(&actor, id, &query)
            .await
    })
    .await
}

/// Creates (no id) or updates (with id) a connection.
#[server(prefix = "/fn", endpoint = "connections/save", input = Json)]
pub async fn save_connection(
    id: Option<Uuid>,
    input: ConnectionInput,
) -> Result<Connection, ApiError> {
    super::ctx::respond(async move {
        let (backend, actor) = super::ctx::actor().await?;
        match id {
            None => backend.create_connection(&actor, &input).await,
            Some(id) => backend.update_connection(&actor, id, &input).await,
        }
    })
    .await
}

#[server(prefix = "/fn", endpoint = "connections/delete")]
pub async fn delete_connection(id: Uuid) -> Result<(), ApiError> {
    super::ctx::respond(async move {
        let (backend, actor) = super::ctx::actor().await?;
        backend.delete_connection(&actor, id).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "credentials/list", input = Json)]
pub async fn list_credentials(query: CredentialQuery) -> Result<CredentialPage, ApiError> {
    super::ctx::respond(async move {
        let (backend, actor) = super::ctx::actor().await?;
        backend.list_credentials(&actor, &query).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "credentials/get")]
pub async fn get_credential(id: Uuid) -> Result<Credential, ApiError> {
    super::ctx::respond(async move {
        let (backend, actor) = super::ctx::actor().await?;
        backend.get_credential(&actor, id).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "credentials/create", input = Json)]
pub async fn create_credential(input: NewCredential) -> Result<Credential, ApiError> {
    super::ctx::respond(async move {
        let (backend, actor) = super::ctx::actor().await?;
        backend.create_credential(&actor, &input).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "credentials/update", input = Json)]
pub async fn update_credential(id: Uuid, input: CredentialUpdate) -> Result<Credential, ApiError> {
    super::ctx::respond(async move {
        let (backend, actor) = super::ctx::actor().await?;
        backend.update_credential(&actor, id, &input).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "credentials/delete")]
pub async fn delete_credential(id: Uuid, force: bool) -> Result<(), ApiError> {
    super::ctx::respond(async move {
        let (backend, actor) = super::ctx::actor().await?;
        backend.delete_credential(&actor, id, force).await
    })
    .await
}

/// Probes the connection's health now.
#[server(prefix = "/fn", endpoint = "connections/check")]
pub async fn check_connection(id: Uuid) -> Result<crate::model::connection::Connection, ApiError> {
    super::ctx::respond(async move {
        let (backend, actor) = super::ctx::actor().await?;
        backend.check_connection(&actor, id).await
    })
    .await
}
