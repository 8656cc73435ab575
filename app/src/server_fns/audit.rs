use crate::error::ApiError;
use crate::model::audit::{EventPage, EventQuery};
use leptos::prelude::*;
use server_fn::codec::Json;

#[server(prefix = "/fn", endpoint = "events/list", input = Json)]
pub async fn list_events(query: EventQuery) -> Result<EventPage, ApiError> {
    super::ctx::respond(async move {
        let (backend, actor) = super::ctx::actor().await?;
        backend.list_events(&actor, &query).await
    })
    .await
}
