//! Recording changes. Every write in the service layer records its event in the same
//! transaction, so a change and its audit row land together or not at all.

use super::Service;
use crate::actor::Actor;
use crate::store::audit::{self, Event};
use model::access::Standing;
use model::error::ApiError;
use model::list::Recheck;
use serde::Serialize;
use sqlx::AnyConnection;
use uuid::Uuid;

/// What changed, for the audit log.
pub(crate) struct Change<'a, T: Serialize> {
    pub organization_id: Option<Uuid>,
    /// `<entity_type>.<verb>`, e.g. `environment.create`.
    pub action: String,
    pub entity_type: &'a str,
    pub entity_id: Uuid,
    pub entity_name: &'a str,
    pub before: Option<&'a T>,
    pub after: Option<&'a T>,
}

impl<'a, T: Serialize> Change<'a, T> {
    fn new(
        org: Option<Uuid>,
        verb: &str,
        entity_type: &'a str,
        id: Uuid,
        name: &'a str,
        before: Option<&'a T>,
        after: Option<&'a T>,
    ) -> Self {
        Change {
            organization_id: org,
            action: format!("{entity_type}.{verb}"),
            entity_type,
            entity_id: id,
            entity_name: name,
            before,
            after,
        }
    }

    pub fn created(
        org: Option<Uuid>,
        entity_type: &'a str,
        id: Uuid,
        name: &'a str,
        after: &'a T,
    ) -> Self {
        Self::new(org, "create", entity_type, id, name, None, Some(after))
    }

    pub fn updated(
        org: Option<Uuid>,
        entity_type: &'a str,
        id: Uuid,
        name: &'a str,
        before: &'a T,
        after: &'a T,
    ) -> Self {
        Self::new(
            org,
            "update",
            entity_type,
            id,
            name,
            Some(before),
            Some(after),
        )
    }

    pub fn deleted(
        org: Option<Uuid>,
        entity_type: &'a str,
        id: Uuid,
        name: &'a str,
        before: &'a T,
    ) -> Self {
        Self::new(org, "delete", entity_type, id, name, Some(before), None)
    }

    /// Any other verb, with whatever before/after says what changed.
    pub fn other(
        org: Option<Uuid>,
        verb: &str,
        entity_type: &'a str,
        id: Uuid,
        name: &'a str,
        before: Option<&'a T>,
        after: Option<&'a T>,
    ) -> Self {
        Self::new(org, verb, entity_type, id, name, before, after)
    }
}

pub(crate) async fn record<T: Serialize>(
    db: &mut AnyConnection,
    actor: &Actor,
    change: Change<'_, T>,
) -> Result<(), ApiError> {
    let json = |v: Option<&T>| v.and_then(|v| serde_json::to_value(v).ok());
    audit::insert(
        db,
        &Event {
            organization_id: change.organization_id,
            actor_user_id: Some(actor.user.id),
            actor_token_id: actor.token_id,
            action: &change.action,
            entity_type: change.entity_type,
            entity_id: Some(change.entity_id),
            entity_name: Some(change.entity_name),
            before: json(change.before),
            after: json(change.after),
            reason: actor.reason.as_deref(),
        },
    )
    .await
    .map(|_| ())
    .map_err(ApiError::from)
}

/// The audit log.
impl Service {
    /// An organization's events for its admins; for anyone else, the events about their
    /// workspaces and what those reach. Events of personal tokens belong to no organization
    /// and are not listed.
    pub async fn list_events(
        &self,
        actor: &Actor,
        query: &model::audit::EventQuery,
    ) -> Result<model::audit::EventPage, ApiError> {
        let query = &query.rechecked()?;
        let (org, role) = super::resolve_org(actor, query.list.org_id)?;
        let member = super::access::member_filter(actor, Standing::in_org(role));
        let (events, total_count) =
            audit::list(&mut *self.db.read().await?, org, member, query).await?;
        Ok(model::audit::EventPage {
            page: query.list.page,
            page_size: query.list.page_size,
            total_count,
            events,
        })
    }
}
