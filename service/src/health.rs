//! Health checks: the background checker's passes and "check now". A probe's outcome, and any
//! status change it causes (only along the allowed transitions), are stored together with the
//! status change's audit event.

use super::Service;
use crate::actor::Actor;
use crate::db::{micros, now_micros};
use crate::probe::{self, ProbeSettings, Target};
use crate::store::{audit, connections, credentials, health};
use model::connection::{is_probed, Connection, ConnectionStatus, HealthState};
use model::error::{ApiError, ErrorCode};
use rand::Rng;
use std::time::Duration;
use uuid::Uuid;

/// How often connections are probed, and how probes are sent.
#[derive(Clone, Debug)]
pub struct HealthSettings {
    /// Zero: no background checks.
    pub interval: Duration,
    pub probe: ProbeSettings,
}

impl Default for HealthSettings {
    fn default() -> Self {
        HealthSettings {
            interval: Duration::from_secs(60),
            probe: ProbeSettings {
                timeout: Duration::from_secs(10),
                egress: Default::default(),
                redirects: 0,
            },
        }
    }
}

/// Connections claimed by one pass of one process.
const PASS_SIZE: i64 = 32;

impl Service {
    /// The interval, ±10% so that connections registered together drift apart.
    fn next_check(&self, now: i64) -> i64 {
        let base = micros(self.health.interval.max(Duration::from_secs(1)));
        let jitter = rand::thread_rng().gen_range(-(base / 10)..=(base / 10));
        now + base + jitter
    }

    fn lease_until(&self, now: i64) -> i64 {
        now + micros(self.health.probe.timeout) + 30_000_000
    }

    /// One pass of the background checker: claims the due connections no other process holds,
    /// probes them side by side and records each outcome. Returns how many it probed.
    pub async fn health_pass(&self) -> Result<usize, ApiError> {
        let now = now_micros();
        let ids = health::claim_due(
            &mut *self.db.write().await?,
            self.db.backend,
            &self.instance,
            now,
            self.lease_until(now),
            PASS_SIZE,
        )
        .await?;
        // Each probe is its own unit of work (one connection at a time), watched on its own.
        let results = futures::future::join_all(
            ids.iter()
                .map(|id| crate::db::watch_holds(self.probe_and_record(*id, None))),
        )
        .await;
        for (id, r) in ids.iter().zip(&results) {
            if let Err(e) = r {
                tracing::warn!(connection = %id, error = %e.error, "health probe not recorded");
                self.release_lease(*id).await;
            }
        }
        Ok(ids.len())
    }

    /// Probes a connection now, for someone who asked. While another probe of it runs (the
    /// background checker's, another process's, another person's), waits for that one and
    /// lets its outcome stand: the answer is as fresh either way, and "Check now" never fails
    /// because the checker happened to be there first.
    pub(crate) async fn check_now(&self, actor: &Actor, c: &Connection) -> Result<(), ApiError> {
        if !is_probed(&c.kind) {
            return Err(ApiError::new(
                ErrorCode::Conflict,
                format!("connections of kind '{}' are not probed", c.kind),
            ));
        }
        let now = now_micros();
        if !health::claim_one(
            &mut *self.db.write().await?,
            c.id,
            &self.instance,
            now,
            self.lease_until(now),
        )
        .await?
        {
            return self.wait_for_running_check(c.id).await;
        }
        if let Err(e) = self.probe_and_record(c.id, Some(actor)).await {
            self.release_lease(c.id).await;
            return Err(e);
        }
        Ok(())
    }

    /// Waits until nobody holds the connection's lease: the running probe has recorded its
    /// outcome (or its lease ran out). No connection is held while waiting.
    async fn wait_for_running_check(&self, id: Uuid) -> Result<(), ApiError> {
        let give_up =
            std::time::Instant::now() + self.health.probe.timeout + Duration::from_secs(30);
        loop {
            tokio::time::sleep(Duration::from_millis(200)).await;
            let until = health::leased_until(&mut *self.db.read().await?, id).await?;
            if until.is_none_or(|u| u < now_micros()) {
                return Ok(());
            }
            if std::time::Instant::now() > give_up {
                return Err(ApiError::new(
                    ErrorCode::Conflict,
                    "a check of this connection is taking too long; try again in a moment",
                ));
            }
        }
    }

    /// Gives a lease back without an outcome (the probe could not be recorded).
    async fn release_lease(&self, id: Uuid) {
        let next = self.next_check(now_micros());
        if let Ok(mut db) = self.db.write().await {
            let _ = health::release(&mut db, id, next).await;
        }
    }

    /// Probes one leased connection and stores the outcome, giving the lease back.
    async fn probe_and_record(&self, id: Uuid, actor: Option<&Actor>) -> Result<(), ApiError> {
        let mut conn = self.db.read().await?;
        let Some(c) = connections::get(&mut conn, id).await? else {
            return Ok(()); // deleted meanwhile
        };
        let secret = match c.credential_id {
            Some(cid) => match credentials::get(&mut conn, cid).await? {
                Some(sealed) => Some((self.open_secret(&sealed)?, sealed.credential.scope())),
                None => None,
            },
            None => None,
        };
        drop(conn);
        let target = Target {
            kind: &c.kind,
            url: &c.url,
            secret: secret.as_ref().map(|(s, scope)| (s, scope)),
        };
        let probed = probe::probe(&target, &self.health.probe).await;
        crate::metrics::health_check(&c.kind, probed.failure.is_none());
        let healthy = if probed.failure.is_none() {
            ConnectionStatus::Connected
        } else {
            ConnectionStatus::Disconnected
        };
        let status = (c.status != healthy && c.status.can_move_to(healthy)).then_some(healthy);
        let now = now_micros();
        let failure = probed.failure.as_ref();
        let outcome = health::Outcome {
            checked_at: now,
            state: failure.map_or(HealthState::Healthy, |f| f.state),
            message: failure.map(|f| f.message.as_str()),
            error: failure.map(|f| f.cause.as_str()),
            latency_ms: probed.latency_ms,
            next_check_at: self.next_check(now),
            status,
        };
        let mut tx = self.db.begin().await?;
        health::record(&mut tx, id, &outcome).await?;
        if let Some(version) = &probed.version {
            // Read again inside the transaction: the connection may have been edited while
            // the probe ran, and only the version is the probe's to change.
            if let Some(now) = connections::get(&mut tx, id).await? {
                if now.metadata.get("version").and_then(|v| v.as_str()) != Some(version) {
                    let mut metadata = now.stored_metadata();
                    metadata.insert("version".into(), version.clone().into());
                    health::set_metadata(&mut tx, id, &metadata).await?;
                }
            }
        }
        // A check someone asked for is always recorded; a scheduled one when it moved the
        // status or the health state, so the log says when a connection went down and came back.
        let changed = c.health.state != outcome.state;
        if actor.is_some() || status.is_some() || changed {
            let action = match (actor, status) {
                (Some(_), _) => "connection.check",
                (None, Some(_)) => "connection.status",
                (None, None) => "connection.health",
            };
            let event = audit::Event {
                organization_id: Some(c.organization_id),
                actor_user_id: actor.map(|a| a.user.id),
                actor_token_id: actor.and_then(|a| a.token_id),
                action,
                entity_type: "connection",
                entity_id: Some(c.id),
                entity_name: Some(&c.name),
                before: Some(serde_json::json!({ "status": c.status, "health": c.health.state })),
                after: Some(serde_json::json!({
                    "status": status.unwrap_or(c.status),
                    "health": outcome.state,
                    "message": outcome.message,
                    "last_error": outcome.error,
                })),
                reason: Some("health check"),
            };
            audit::insert(&mut tx, &event).await?;
        }
        tx.commit().await.map_err(ApiError::from)
    }
}
