use leptos::prelude::*;
use model::audit::{EventPage, EventQuery};
use model::error::ApiError;
use server_fn::codec::Json;

#[server(prefix = "/fn", endpoint = "events/list", input = Json)]
pub async fn list_events(query: EventQuery) -> Result<EventPage, ApiError> {
    super::ctx::respond(async move {
        let (service, actor) = super::ctx::actor().await?;
        service.list_events(&actor, &query).await
    })
    .await
}
