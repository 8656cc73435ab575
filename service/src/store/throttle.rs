//! Sign-in failure counts, per key (`login:…` or `addr:…`), in the database so that every
//! process shares them.

use crate::db::Backend;
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Entry {
    pub failures: i64,
    pub window_started_at: i64,
    pub locked_until: i64,
    pub lockouts: i64,
    pub audit_ids: Vec<Uuid>,
}

/// The latest moment any of `keys` is locked until (0 when none is).
pub async fn locked_until(db: &mut AnyConnection, keys: &[&str]) -> Result<i64, sqlx::Error> {
    let mut until = 0;
    for key in keys {
        let row = sqlx::query("SELECT locked_until FROM sign_in_throttle WHERE throttle_key = $1")
            .bind(key.to_string())
            .fetch_optional(&mut *db)
            .await?;
        if let Some(r) = row {
            until = until.max(r.try_get::<i64, _>("locked_until")?);
        }
    }
    Ok(until)
}

/// The key's entry, created empty if missing, locked for the rest of the transaction on
/// PostgreSQL so that two processes counting the same key do not lose a failure.
pub async fn load_for_update(db: &mut AnyConnection, key: &str) -> Result<Entry, sqlx::Error> {
    sqlx::query(
        "INSERT INTO sign_in_throttle (throttle_key, failures, window_started_at, locked_until, lockouts) \
         VALUES ($1, 0, 0, 0, 0) ON CONFLICT (throttle_key) DO NOTHING",
    )
    .bind(key.to_string())
    .execute(&mut *db)
    .await?;
    let lock = match Backend::of(db) {
        Backend::Postgres => " FOR UPDATE",
        Backend::Sqlite => "",
    };
    let r = sqlx::query(&format!(
        "SELECT failures, window_started_at, locked_until, lockouts, audit_ids FROM sign_in_throttle \
         WHERE throttle_key = $1{lock}"
    ))
    .bind(key.to_string())
    .fetch_one(&mut *db)
    .await?;
    let ids: String = r.try_get("audit_ids")?;
    Ok(Entry {
        failures: r.try_get("failures")?,
        window_started_at: r.try_get("window_started_at")?,
        locked_until: r.try_get("locked_until")?,
        lockouts: r.try_get("lockouts")?,
        audit_ids: serde_json::from_str(&ids).unwrap_or_default(),
    })
}

pub async fn save(db: &mut AnyConnection, key: &str, e: &Entry) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE sign_in_throttle SET failures = $1, window_started_at = $2, locked_until = $3, \
         lockouts = $4, audit_ids = $5 WHERE throttle_key = $6",
    )
    .bind(e.failures)
    .bind(e.window_started_at)
    .bind(e.locked_until)
    .bind(e.lockouts)
    .bind(serde_json::to_string(&e.audit_ids).unwrap_or_else(|_| "[]".into()))
    .bind(key.to_string())
    .execute(&mut *db)
    .await?;
    Ok(())
}

pub async fn clear(db: &mut AnyConnection, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sign_in_throttle WHERE throttle_key = $1")
        .bind(key.to_string())
        .execute(&mut *db)
        .await?;
    Ok(())
}

/// Forgets entries whose window started before `before` and that are not locked now.
pub async fn purge(db: &mut AnyConnection, before: i64, now: i64) -> Result<u64, sqlx::Error> {
    let r = sqlx::query(
        "DELETE FROM sign_in_throttle WHERE window_started_at < $1 AND locked_until < $2",
    )
    .bind(before)
    .bind(now)
    .execute(&mut *db)
    .await?;
    Ok(r.rows_affected())
}
