//! Background jobs. They keep no state in the process: each pass works from the database, so
//! any number of meshenv processes can run them side by side.

use service::Service;
use std::sync::Arc;
use std::time::Duration;

const SESSION_PURGE_EVERY: Duration = Duration::from_secs(3600);
/// How often audit events past their retention are deleted.
const AUDIT_PRUNE_EVERY: Duration = Duration::from_secs(3600);
/// How often the planner's statistics are refreshed (see `Db::optimize`).
const OPTIMIZE_EVERY: Duration = Duration::from_secs(60);

pub async fn run(service: Arc<Service>) {
    tokio::join!(
        purge_sessions(service.clone()),
        optimize(service.clone()),
        prune_audit(service.clone()),
        check_health(service)
    );
}

async fn optimize(service: Arc<Service>) {
    let mut tick = tokio::time::interval(OPTIMIZE_EVERY);
    loop {
        tick.tick().await;
        if let Err(e) = service.db.optimize().await {
            tracing::warn!(error = %e, "could not refresh the planner's statistics");
        }
    }
}

/// The health checker: looks for due connections a few times per interval. Which process
/// probes which connection is settled by leases in the database.
async fn check_health(service: Arc<Service>) {
    let interval = service.health.interval;
    if interval.is_zero() {
        return;
    }
    let every = (interval / 4).clamp(Duration::from_millis(250), Duration::from_secs(5));
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        // A full pass means more may be due: go again at once.
        loop {
            match service.health_pass().await {
                Ok(n) if n >= 32 => continue,
                Ok(_) => break,
                Err(e) => {
                    tracing::warn!(error = %e.error, "health pass failed");
                    break;
                }
            }
        }
    }
}

async fn purge_sessions(service: Arc<Service>) {
    let mut tick = tokio::time::interval(SESSION_PURGE_EVERY);
    loop {
        tick.tick().await;
        match service.purge_expired_sessions().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(sessions = n, "purged expired sessions"),
            Err(e) => tracing::warn!(error = %e, "could not purge expired sessions"),
        }
    }
}

async fn prune_audit(service: Arc<Service>) {
    if service.audit_retention.is_none() {
        return;
    }
    let mut tick = tokio::time::interval(AUDIT_PRUNE_EVERY);
    loop {
        tick.tick().await;
        match service.prune_audit_events().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(events = n, "pruned audit events past their retention"),
            Err(e) => tracing::warn!(error = %e.error, "could not prune audit events"),
        }
    }
}
