//! Personal API tokens. Only a hash of each token is stored.

use super::uuid_col;
use crate::db::{from_micros, now_micros};
use model::user::ApiToken;
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

fn token(r: &sqlx::any::AnyRow) -> Result<ApiToken, sqlx::Error> {
    Ok(ApiToken {
        id: uuid_col(r, "id")?,
        name: r.try_get("name")?,
        prefix: r.try_get("prefix")?,
        created_at: from_micros(r.try_get("created_at")?),
        last_used_at: r
            .try_get::<Option<i64>, _>("last_used_at")?
            .map(from_micros),
        expires_at: r.try_get::<Option<i64>, _>("expires_at")?.map(from_micros),
    })
}

pub async fn insert(
    db: &mut AnyConnection,
    user: Uuid,
    name: &str,
    prefix: &str,
    hash: &str,
    expires_at: Option<i64>,
) -> Result<ApiToken, sqlx::Error> {
    let t = ApiToken {
        id: Uuid::now_v7(),
        name: name.to_string(),
        prefix: prefix.to_string(),
        created_at: from_micros(now_micros()),
        last_used_at: None,
        expires_at: expires_at.map(from_micros),
    };
    sqlx::query(
        "INSERT INTO api_tokens (id, user_id, name, prefix, token_hash, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(t.id.to_string())
    .bind(user.to_string())
    .bind(t.name.clone())
    .bind(t.prefix.clone())
    .bind(hash.to_string())
    .bind(t.created_at.timestamp_micros())
    .bind(expires_at)
    .execute(&mut *db)
    .await?;
    Ok(t)
}

/// The user's tokens that are not revoked, newest first.
pub async fn list(db: &mut AnyConnection, user: Uuid) -> Result<Vec<ApiToken>, sqlx::Error> {
    sqlx::query(
        "SELECT id, name, prefix, created_at, last_used_at, expires_at FROM api_tokens \
         WHERE user_id = $1 AND revoked_at IS NULL ORDER BY created_at DESC, id DESC",
    )
    .bind(user.to_string())
    .fetch_all(&mut *db)
    .await?
    .iter()
    .map(token)
    .collect()
}

pub struct TokenOwner {
    pub id: Uuid,
    pub user_id: Uuid,
    pub last_used_at: Option<i64>,
    pub expires_at: Option<i64>,
}

pub async fn find_live(
    db: &mut AnyConnection,
    hash: &str,
) -> Result<Option<TokenOwner>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT id, user_id, last_used_at, expires_at FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL",
    )
    .bind(hash.to_string())
    .fetch_optional(&mut *db)
    .await?;
    row.map(|r| {
        Ok(TokenOwner {
            id: uuid_col(&r, "id")?,
            user_id: uuid_col(&r, "user_id")?,
            last_used_at: r.try_get("last_used_at")?,
            expires_at: r.try_get("expires_at")?,
        })
    })
    .transpose()
}

pub async fn touch(db: &mut AnyConnection, id: Uuid, at: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
        .bind(at)
        .bind(id.to_string())
        .execute(&mut *db)
        .await?;
    Ok(())
}

/// Revokes one of the user's tokens; returns its name, or `None` if they have no such live token.
pub async fn revoke(
    db: &mut AnyConnection,
    user: Uuid,
    id: Uuid,
) -> Result<Option<String>, sqlx::Error> {
    let row = sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL RETURNING name",
    )
    .bind(now_micros())
    .bind(id.to_string())
    .bind(user.to_string())
    .fetch_optional(&mut *db)
    .await?;
    row.map(|r| r.try_get("name")).transpose()
}
