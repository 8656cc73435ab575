//! Health-check bookkeeping: which connections are due, the leases that keep two meshenv
//! processes from probing one connection at once, and each probe's outcome.

use crate::db::Backend;
use model::connection::{ConnectionHealth, ConnectionStatus, HealthState, PROBED_KINDS};
use sqlx::AnyConnection;
use uuid::Uuid;

/// Takes the leases of up to `limit` due connections for `owner` until `until`, and returns
/// their ids. One statement: on PostgreSQL the candidates are locked with SKIP LOCKED, so
/// processes claiming at the same moment split the work instead of waiting or doubling it; on
/// SQLite the single writer serialises claims. An unexpired lease is never taken over.
pub async fn claim_due(
    db: &mut AnyConnection,
    backend: Backend,
    owner: &str,
    now: i64,
    until: i64,
    limit: i64,
) -> Result<Vec<Uuid>, sqlx::Error> {
    let kinds = PROBED_KINDS
        .iter()
        .map(|k| format!("'{k}'"))
        .collect::<Vec<_>>()
        .join(", ");
    let lock = match backend {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    let sql = format!(
        "UPDATE connections SET lease_owner = $1, lease_until = $2 \
         WHERE id IN (SELECT id FROM connections WHERE kind IN ({kinds}) \
           AND status NOT IN ('deleted', 'ignored') AND next_check_at <= $3 \
           AND (lease_until IS NULL OR lease_until < $3) \
           ORDER BY next_check_at, id LIMIT $4{lock}) \
         AND (lease_until IS NULL OR lease_until < $3) RETURNING id"
    );
    sqlx::query(&sql)
        .bind(owner.to_string())
        .bind(until)
        .bind(now)
        .bind(limit)
        .fetch_all(&mut *db)
        .await?
        .iter()
        .map(|r| super::uuid_col(r, "id"))
        .collect()
}

/// Until when someone holds the connection's lease to probe it (`None`: nobody).
pub async fn leased_until(db: &mut AnyConnection, id: Uuid) -> Result<Option<i64>, sqlx::Error> {
    use sqlx::Row;
    let row = sqlx::query("SELECT lease_until FROM connections WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(&mut *db)
        .await?;
    Ok(row.and_then(|r| r.try_get::<Option<i64>, _>("lease_until").ok().flatten()))
}

/// Takes one connection's lease, for a check asked for by hand; false if someone holds it.
pub async fn claim_one(
    db: &mut AnyConnection,
    id: Uuid,
    owner: &str,
    now: i64,
    until: i64,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query(
        "UPDATE connections SET lease_owner = $1, lease_until = $2 \
         WHERE id = $3 AND (lease_until IS NULL OR lease_until < $4)",
    )
    .bind(owner.to_string())
    .bind(until)
    .bind(id.to_string())
    .bind(now)
    .execute(&mut *db)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// A probe's outcome, to store.
pub struct Outcome<'a> {
    pub checked_at: i64,
    pub state: HealthState,
    /// The failure in words.
    pub message: Option<&'a str>,
    /// The failure's raw cause (`last_error`).
    pub error: Option<&'a str>,
    pub latency_ms: i64,
    pub next_check_at: i64,
    /// The new status, when the probe moved it.
    pub status: Option<ConnectionStatus>,
}

/// Stores the outcome and gives the lease back.
pub async fn record(db: &mut AnyConnection, id: Uuid, o: &Outcome<'_>) -> Result<(), sqlx::Error> {
    let mut sql = super::Sql::new("UPDATE connections SET last_checked_at = ");
    sql.bind(o.checked_at)
        .push(", last_error = ")
        .bind_opt(o.error)
        .push(", latency_ms = ")
        .bind(o.latency_ms)
        .push(", next_check_at = ")
        .bind(o.next_check_at)
        .push(", lease_owner = NULL, lease_until = NULL")
        // Every assignment reads the row as it was: `since` moves only when the state does.
        .push(", health_since = CASE WHEN health_state = ")
        .bind(o.state.as_str())
        .push(" AND health_since IS NOT NULL THEN health_since ELSE ")
        .bind(o.checked_at)
        .push(" END, health_state = ")
        .bind(o.state.as_str())
        .push(", health_message = ")
        .bind_opt(o.message);
    if let Some(status) = o.status {
        sql.push(", status = ")
            .bind(status.as_str())
            .push(", updated_at = ")
            .bind(o.checked_at);
    }
    sql.push(" WHERE id = ").bind(id);
    sql.query().execute(&mut *db).await?;
    Ok(())
}

/// Gives a lease back without recording anything (the probe could not run).
pub async fn release(
    db: &mut AnyConnection,
    id: Uuid,
    next_check_at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE connections SET lease_owner = NULL, lease_until = NULL, next_check_at = $1 WHERE id = $2",
    )
    .bind(next_check_at)
    .bind(id.to_string())
    .execute(&mut *db)
    .await?;
    Ok(())
}

/// Replaces a connection's stored metadata (the probe learned the cluster's version). Not an
/// edit by anyone, so `updated_at` stays.
pub async fn set_metadata(
    db: &mut AnyConnection,
    id: Uuid,
    metadata: &serde_json::Map<String, serde_json::Value>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE connections SET metadata = $1 WHERE id = $2")
        .bind(serde_json::Value::Object(metadata.clone()).to_string())
        .bind(id.to_string())
        .execute(&mut *db)
        .await?;
    Ok(())
}

/// Starts a connection's health over (its address, kind or credential changed): unchecked, or
/// not probed for kinds without a probe, since now, and due for a check at once.
pub async fn restart(
    db: &mut AnyConnection,
    id: Uuid,
    health: &ConnectionHealth,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE connections SET health_state = $1, health_since = $2, health_message = NULL, \
         next_check_at = 0 WHERE id = $3",
    )
    .bind(health.state.as_str())
    .bind(health.since.map(|t| t.timestamp_micros()))
    .bind(id.to_string())
    .execute(&mut *db)
    .await?;
    Ok(())
}
