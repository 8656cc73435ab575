//! Background jobs. They keep no state in the process: each pass works from the database, so
//! any number of meshenv processes can run them side by side.

use crate::service::Service;
use std::sync::Arc;
use std::time::Duration;

const SESSION_PURGE_EVERY: Duration = Duration::from_secs(3600);

pub async fn run(service: Arc<Service>) {
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
