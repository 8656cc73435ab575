//! Server-side sessions. Only a hash of each cookie secret is stored.

use crate::db::now_micros;
use sqlx::AnyConnection;
use uuid::Uuid;

pub async fn insert(
    db: &mut AnyConnection,
    id_hash: &str,
    user: Uuid,
    expires_at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO sessions (id_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(id_hash.to_string())
    .bind(user.to_string())
    .bind(now_micros())
    .bind(expires_at)
    .execute(&mut *db)
    .await?;
    Ok(())
}

/// The user of a live (unexpired) session.
pub async fn find_user(db: &mut AnyConnection, id_hash: &str) -> Result<Option<Uuid>, sqlx::Error> {
    let row = sqlx::query("SELECT user_id FROM sessions WHERE id_hash = $1 AND expires_at > $2")
        .bind(id_hash.to_string())
        .bind(now_micros())
        .fetch_optional(&mut *db)
        .await?;
    row.map(|r| super::uuid_col(&r, "user_id")).transpose()
}

pub async fn delete(db: &mut AnyConnection, id_hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
        .bind(id_hash.to_string())
        .execute(&mut *db)
        .await?;
    Ok(())
}

pub async fn delete_expired(db: &mut AnyConnection) -> Result<u64, sqlx::Error> {
    let r = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
        .bind(now_micros())
        .execute(&mut *db)
        .await?;
    Ok(r.rows_affected())
}
