use leptos::prelude::*;
use model::connection::{Connection, ConnectionInput, ConnectionPage, ConnectionQuery};
use model::credential::{
    Credential, CredentialPage, CredentialQuery, CredentialUpdate, NewCredential,
};
use model::environment::EnvironmentPage;
use model::error::ApiError;
use server_fn::codec::Json;
use uuid::Uuid;

#[server(prefix = "/fn", endpoint = "connections/list", input = Json)]
pub async fn list_connections(query: ConnectionQuery) -> Result<ConnectionPage, ApiError> {
    super::ctx::respond(async move {
        let (service, actor) = super::ctx::actor().await?;
        service.list_connections(&actor, &query).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "connections/get")]
pub async fn get_connection(id: Uuid) -> Result<Connection, ApiError> {
    super::ctx::respond(async move {
        let (service, actor) = super::ctx::actor().await?;
        service.get_connection(&actor, id).await
    })
    .await
}

/// One page (0-based) of the environments holding a connection, by name.
#[server(prefix = "/fn", endpoint = "connections/environments")]
pub async fn connection_environments(id: Uuid, page: u32) -> Result<EnvironmentPage, ApiError> {
    super::ctx::respond(async move {
        let (service, actor) = super::ctx::actor().await?;
        use model::environment::{EnvironmentQuery, EnvironmentSort};
        use model::list::{Direction, Order};
        let mut query = EnvironmentQuery::default();
        query.list.page = page;
        query.list.order = Order {
            field: EnvironmentSort::Name,
            direction: Direction::Asc,
        };
        service
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
        let (service, actor) = super::ctx::actor().await?;
        match id {
            None => service.create_connection(&actor, &input).await,
            Some(id) => service.update_connection(&actor, id, &input).await,
        }
    })
    .await
}

#[server(prefix = "/fn", endpoint = "connections/delete")]
pub async fn delete_connection(id: Uuid) -> Result<(), ApiError> {
    super::ctx::respond(async move {
        let (service, actor) = super::ctx::actor().await?;
        service.delete_connection(&actor, id).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "credentials/list", input = Json)]
pub async fn list_credentials(query: CredentialQuery) -> Result<CredentialPage, ApiError> {
    super::ctx::respond(async move {
        let (service, actor) = super::ctx::actor().await?;
        service.list_credentials(&actor, &query).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "credentials/get")]
pub async fn get_credential(id: Uuid) -> Result<Credential, ApiError> {
    super::ctx::respond(async move {
        let (service, actor) = super::ctx::actor().await?;
        service.get_credential(&actor, id).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "credentials/create", input = Json)]
pub async fn create_credential(input: NewCredential) -> Result<Credential, ApiError> {
    super::ctx::respond(async move {
        let (service, actor) = super::ctx::actor().await?;
        service.create_credential(&actor, &input).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "credentials/update", input = Json)]
pub async fn update_credential(id: Uuid, input: CredentialUpdate) -> Result<Credential, ApiError> {
    super::ctx::respond(async move {
        let (service, actor) = super::ctx::actor().await?;
        service.update_credential(&actor, id, &input).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "credentials/delete")]
pub async fn delete_credential(id: Uuid, force: bool) -> Result<(), ApiError> {
    super::ctx::respond(async move {
        let (service, actor) = super::ctx::actor().await?;
        service.delete_credential(&actor, id, force).await
    })
    .await
}

/// Probes the connection's health now.
#[server(prefix = "/fn", endpoint = "connections/check")]
pub async fn check_connection(id: Uuid) -> Result<model::connection::Connection, ApiError> {
    super::ctx::respond(async move {
        let (service, actor) = super::ctx::actor().await?;
        service.check_connection(&actor, id).await
    })
    .await
}
