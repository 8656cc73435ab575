//! Server-side sessions. Only a hash of each cookie secret is stored; a separate public id
//! names a session in lists and when ending it.

use super::uuid_col;
use crate::db::from_micros;
use model::user::SessionInfo;
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

pub struct NewRow<'a> {
    pub id_hash: &'a str,
    pub public_id: &'a str,
    pub user: Uuid,
    pub created_at: i64,
    pub expires_at: i64,
    pub client_addr: Option<&'a str>,
    pub user_agent: Option<&'a str>,
    /// The identity provider it was opened through; None for a password.
    pub provider: Option<&'a str>,
}

/// What a user agent string is cut to.
const USER_AGENT_MAX: usize = 300;

pub async fn insert(db: &mut AnyConnection, s: &NewRow<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO sessions (id_hash, public_id, user_id, created_at, last_seen_at, expires_at, client_addr, user_agent, provider) \
         VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $8)",
    )
    .bind(s.id_hash.to_string())
    .bind(s.public_id.to_string())
    .bind(s.user.to_string())
    .bind(s.created_at)
    .bind(s.expires_at)
    .bind(s.client_addr.map(str::to_string))
    .bind(
        s.user_agent
            .map(|u| u.chars().take(USER_AGENT_MAX).collect::<String>()),
    )
    .bind(s.provider.map(str::to_string))
    .execute(&mut *db)
    .await?;
    Ok(())
}

pub struct Live {
    pub user: Uuid,
    pub public_id: String,
    pub last_seen_at: i64,
}

/// A session that has neither expired nor been idle since `idle_since`.
pub async fn find_live(
    db: &mut AnyConnection,
    id_hash: &str,
    now: i64,
    idle_since: i64,
) -> Result<Option<Live>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT user_id, public_id, last_seen_at FROM sessions \
         WHERE id_hash = $1 AND expires_at > $2 AND last_seen_at > $3",
    )
    .bind(id_hash.to_string())
    .bind(now)
    .bind(idle_since)
    .fetch_optional(&mut *db)
    .await?;
    row.map(|r| {
        Ok(Live {
            user: uuid_col(&r, "user_id")?,
            public_id: r.try_get("public_id")?,
            last_seen_at: r.try_get("last_seen_at")?,
        })
    })
    .transpose()
}

pub async fn touch(db: &mut AnyConnection, public_id: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE public_id = $2")
        .bind(now)
        .bind(public_id.to_string())
        .execute(&mut *db)
        .await?;
    Ok(())
}

/// The user's live sessions, most recently used first.
pub async fn list(
    db: &mut AnyConnection,
    user: Uuid,
    now: i64,
    idle_since: i64,
) -> Result<Vec<SessionInfo>, sqlx::Error> {
    sqlx::query(
        "SELECT public_id, created_at, last_seen_at, expires_at, client_addr, user_agent FROM sessions \
         WHERE user_id = $1 AND expires_at > $2 AND last_seen_at > $3 ORDER BY last_seen_at DESC, public_id",
    )
    .bind(user.to_string())
    .bind(now)
    .bind(idle_since)
    .fetch_all(&mut *db)
    .await?
    .iter()
    .map(|r| {
        Ok(SessionInfo {
            id: r.try_get("public_id")?,
            created_at: from_micros(r.try_get("created_at")?),
            last_seen_at: from_micros(r.try_get("last_seen_at")?),
            expires_at: from_micros(r.try_get("expires_at")?),
            client_addr: r.try_get("client_addr")?,
            user_agent: r.try_get("user_agent")?,
            current: false,
        })
    })
    .collect()
}

/// Ends the session with this hash; returns whose it was and the provider it was opened
/// through, if it existed.
pub async fn delete(
    db: &mut AnyConnection,
    id_hash: &str,
) -> Result<Option<(Uuid, Option<String>)>, sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE id_hash = $1 RETURNING user_id, provider")
        .bind(id_hash.to_string())
        .fetch_optional(&mut *db)
        .await?
        .map(|r| Ok((uuid_col(&r, "user_id")?, r.try_get("provider")?)))
        .transpose()
}

/// Ends one of the user's sessions; false if they have no such session.
pub async fn delete_public(
    db: &mut AnyConnection,
    user: Uuid,
    public_id: &str,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND public_id = $2")
        .bind(user.to_string())
        .bind(public_id.to_string())
        .execute(&mut *db)
        .await?;
    Ok(r.rows_affected() > 0)
}

/// Ends every session of the user but `keep`; returns how many.
pub async fn delete_all(
    db: &mut AnyConnection,
    user: Uuid,
    keep: Option<&str>,
) -> Result<u64, sqlx::Error> {
    let r = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND public_id <> $2")
        .bind(user.to_string())
        .bind(keep.unwrap_or("").to_string())
        .execute(&mut *db)
        .await?;
    Ok(r.rows_affected())
}

/// Deletes sessions past their end or idle since `idle_since`.
pub async fn delete_expired(
    db: &mut AnyConnection,
    now: i64,
    idle_since: i64,
) -> Result<u64, sqlx::Error> {
    let r = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2")
        .bind(now)
        .bind(idle_since)
        .execute(&mut *db)
        .await?;
    Ok(r.rows_affected())
}
