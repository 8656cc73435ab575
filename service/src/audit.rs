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

/// Records a change to the caller's own things (their tokens, sessions, password, sign-ins),
/// once in each of their organizations: the log is read per organization, and each org's
/// admins should see what happens to the accounts of their people.
pub(crate) async fn record_personal<T: Serialize>(
    db: &mut AnyConnection,
    actor: &Actor,
    change: Change<'_, T>,
) -> Result<(), ApiError> {
    for org in &actor.user.organizations {
        let change = Change {
            organization_id: Some(org.id),
            action: change.action.clone(),
            ..change
        };
        record(db, actor, change).await?;
    }
    Ok(())
}

/// A change to the actor's own account (`user.<verb>`: a sign-in, a password, sessions), in
/// each of their organizations.
pub(crate) async fn record_own<T: Serialize>(
    db: &mut AnyConnection,
    actor: &Actor,
    verb: &str,
    after: Option<&T>,
) -> Result<(), ApiError> {
    let (id, name) = (actor.user.id, actor.user.name.as_str());
    let change = Change::other(None, verb, "user", id, name, None, after);
    record_personal(db, actor, change).await
}

/// Events read per slice of an export: one short read each, the connection back in the pool
/// between slices, so an export of a million events holds no connection for long and no more
/// than one slice in memory.
const EXPORT_SLICE: u32 = 500;

/// An export's text, slice by slice.
pub type ExportStream =
    std::pin::Pin<Box<dyn futures::Stream<Item = Result<String, ApiError>> + Send>>;

/// The audit log.
impl Service {
    /// Deletes the events older than the retention (`MESHENV_AUDIT_RETENTION`; none: kept
    /// forever), organization by organization, and records each pruning as an `audit.prune`
    /// event that says how many went and up to when. Returns how many went. Safe to run from
    /// several processes at once: each counts only what its own delete removed.
    pub async fn prune_audit_events(&self) -> Result<u64, ApiError> {
        let Some(keep) = self.audit_retention else {
            return Ok(0);
        };
        let cutoff = crate::db::now_micros() - crate::db::micros(keep);
        let orgs = audit::orgs_with_events_before(&mut *self.db.read().await?, cutoff).await?;
        let mut total = 0;
        for org in orgs {
            let mut tx = self.db.begin().await?;
            let n = audit::delete_before(&mut tx, org, cutoff).await?;
            if n > 0 {
                let after = serde_json::json!({
                    "events": n,
                    "before": crate::db::from_micros(cutoff),
                    "retention_days": keep.as_secs() as f64 / 86_400.0,
                });
                audit::insert(
                    &mut tx,
                    &Event {
                        organization_id: org,
                        actor_user_id: None,
                        actor_token_id: None,
                        action: "audit.prune",
                        entity_type: "audit",
                        entity_id: org,
                        entity_name: Some("audit log"),
                        before: None,
                        after: Some(after),
                        reason: Some("retention (MESHENV_AUDIT_RETENTION)"),
                    },
                )
                .await?;
            }
            tx.commit().await?;
            total += n;
        }
        Ok(total)
    }

    /// The filtered log (every page of it, in the query's order) as CSV or JSON lines, read as
    /// it is sent. Who may read what is settled before the first byte.
    pub fn export_events(
        &self,
        actor: &Actor,
        query: &model::audit::EventQuery,
        format: model::audit::ExportFormat,
    ) -> Result<ExportStream, ApiError> {
        use model::audit::{csv_line, ExportFormat, CSV_HEADER};
        let query = query.rechecked()?;
        let (org, role) = super::resolve_org(actor, query.list.org_id)?;
        let member = super::access::member_filter(actor, Standing::in_org(role));
        let db = self.db.clone();
        // State: (cursor, header sent, finished).
        let start = (None, format != ExportFormat::Csv, false);
        let stream = futures::stream::try_unfold(start, move |(cursor, headed, done)| {
            let (db, query) = (db.clone(), query.clone());
            async move {
                if done {
                    return Ok(None);
                }
                if !headed {
                    return Ok(Some((CSV_HEADER.to_string(), (cursor, true, false))));
                }
                let rows = audit::slice(
                    &mut *db.read().await?,
                    org,
                    member,
                    &query,
                    cursor,
                    EXPORT_SLICE,
                )
                .await?;
                let finished = rows.len() < EXPORT_SLICE as usize;
                let next = rows.last().map(|(_, c)| *c).or(cursor);
                let mut text = String::with_capacity(rows.len() * 400);
                for (e, _) in &rows {
                    match format {
                        ExportFormat::Csv => text.push_str(&csv_line(e)),
                        ExportFormat::JsonLines => {
                            text.push_str(
                                &serde_json::to_string(e).map_err(|_| ApiError::internal())?,
                            );
                            text.push('\n');
                        }
                    }
                }
                if rows.is_empty() {
                    return Ok(None);
                }
                Ok(Some((text, (next, true, finished))))
            }
        });
        Ok(Box::pin(stream))
    }

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
