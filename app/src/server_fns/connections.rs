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

/// The query for one page (0-based) of the environments holding a connection, by name.
#[cfg(feature = "ssr")]
fn environments_by_name(page: u32) -> model::environment::EnvironmentQuery {
    use model::environment::{EnvironmentQuery, EnvironmentSort};
    use model::list::{Direction, Order};
    let mut query = EnvironmentQuery::default();
    query.list.page = page;
    query.list.order = Order {
        field: EnvironmentSort::Name,
        direction: Direction::Asc,
    };
    query
}

/// A connection's page in one call: the connection, and when it is in more environments than
/// it embeds, page `envpage` of all of them. One call, not two: a page's resource that calls
/// two server functions one after the other loses its request context on the server between
/// them.
#[server(prefix = "/fn", endpoint = "connections/page")]
pub async fn connection_with_environments(
    id: Uuid,
    envpage: u32,
) -> Result<(Connection, Option<EnvironmentPage>), ApiError> {
    super::ctx::respond(async move {
        let (service, actor) = super::ctx::actor().await?;
        let c = service.get_connection(&actor, id).await?;
        let all = if c.environment_count as usize > c.environments.len() {
            Some(
                service
                    .list_connection_environments(&actor, id, &environments_by_name(envpage))
                    .await?,
            )
        } else {
            None
        };
        Ok((c, all))
    })
    .await
}

/// Connections listed a page at a time under a credential.
pub const USED_BY_PAGE: u32 = 10;

/// A credential's page in one call: the credential and page `connpage` of the connections
/// using it, by name.
#[server(prefix = "/fn", endpoint = "credentials/page")]
pub async fn credential_with_connections(
    id: Uuid,
    connpage: u32,
) -> Result<(Credential, ConnectionPage), ApiError> {
    super::ctx::respond(async move {
        let (service, actor) = super::ctx::actor().await?;
        let c = service.get_credential(&actor, id).await?;
        let query = ConnectionQuery {
            list: model::list::ListQuery {
                page: connpage,
                page_size: USED_BY_PAGE,
                order: model::list::Order {
                    field: model::connection::ConnectionSort::Name,
                    direction: model::list::Direction::Asc,
                },
                ..Default::default()
            },
            filter: model::connection::ConnectionFilter {
                credential_id: Some(id),
                ..Default::default()
            },
        };
        let used = service.list_connections(&actor, &query).await?;
        Ok((c, used))
    })
    .await
}

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

/// Moves a connection to another status (one of `status.next()`).
#[server(prefix = "/fn", endpoint = "connections/status")]
pub async fn set_connection_status(
    id: Uuid,
    status: String,
) -> Result<model::connection::Connection, ApiError> {
    super::ctx::respond(async move {
        let (service, actor) = super::ctx::actor().await?;
        service.set_connection_status(&actor, id, &status).await
    })
    .await
}

/// Imports a kubeconfig's contexts as connections, or (`dry_run`) says what it would make.
#[server(prefix = "/fn", endpoint = "connections/import_kubeconfig", input = Json)]
pub async fn import_kubeconfig(
    yaml: String,
    dry_run: bool,
) -> Result<model::connection::KubeconfigImport, ApiError> {
    super::ctx::respond(async move {
        let (service, actor) = super::ctx::actor().await?;
        service
            .import_kubeconfig(&actor, None, &yaml, dry_run)
            .await
    })
    .await
}
