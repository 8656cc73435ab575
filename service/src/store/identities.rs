//! Single sign-on's rows: who a provider's (issuer, subject) is in meshenv, the sign-ins under
//! way, and the provider-filled teams a person is in.

use super::uuid_col;
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

/// The user a provider's subject is, if they signed in before.
pub async fn find(
    db: &mut AnyConnection,
    issuer: &str,
    subject: &str,
) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query("SELECT user_id FROM user_identities WHERE issuer = $1 AND subject = $2")
        .bind(issuer.to_string())
        .bind(subject.to_string())
        .fetch_optional(&mut *db)
        .await?
        .map(|r| uuid_col(&r, "user_id"))
        .transpose()
}

pub async fn insert(
    db: &mut AnyConnection,
    issuer: &str,
    subject: &str,
    user: Uuid,
    provider: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO user_identities (issuer, subject, user_id, provider, created_at, last_sign_in_at) \
         VALUES ($1, $2, $3, $4, $5, $5)",
    )
    .bind(issuer.to_string())
    .bind(subject.to_string())
    .bind(user.to_string())
    .bind(provider.to_string())
    .bind(now)
    .execute(&mut *db)
    .await?;
    Ok(())
}

pub async fn touch(
    db: &mut AnyConnection,
    issuer: &str,
    subject: &str,
    provider: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE user_identities SET last_sign_in_at = $1, provider = $2 WHERE issuer = $3 AND subject = $4",
    )
    .bind(now)
    .bind(provider.to_string())
    .bind(issuer.to_string())
    .bind(subject.to_string())
    .execute(&mut *db)
    .await?;
    Ok(())
}

/// A sign-in under way.
pub struct Flow {
    pub id: Uuid,
    pub provider: String,
    pub key_id: String,
    /// The nonce and PKCE verifier, sealed.
    pub sealed: String,
    pub next_path: String,
    pub client_addr: String,
    pub created_at: i64,
}

pub async fn insert_flow(
    db: &mut AnyConnection,
    state_hash: &str,
    f: &Flow,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO sign_in_flows (state_hash, id, provider, key_id, sealed, next_path, client_addr, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(state_hash.to_string())
    .bind(f.id.to_string())
    .bind(f.provider.clone())
    .bind(f.key_id.clone())
    .bind(f.sealed.clone())
    .bind(f.next_path.clone())
    .bind(f.client_addr.clone())
    .bind(f.created_at)
    .execute(&mut *db)
    .await?;
    Ok(())
}

/// Deletes and returns the flow with this state: a state is used once, by whichever process
/// gets there first.
pub async fn take_flow(
    db: &mut AnyConnection,
    state_hash: &str,
) -> Result<Option<Flow>, sqlx::Error> {
    let row = sqlx::query(
        "DELETE FROM sign_in_flows WHERE state_hash = $1 \
         RETURNING id, provider, key_id, sealed, next_path, client_addr, created_at",
    )
    .bind(state_hash.to_string())
    .fetch_optional(&mut *db)
    .await?;
    row.map(|r| {
        Ok(Flow {
            id: uuid_col(&r, "id")?,
            provider: r.try_get("provider")?,
            key_id: r.try_get("key_id")?,
            sealed: r.try_get("sealed")?,
            next_path: r.try_get("next_path")?,
            client_addr: r.try_get("client_addr")?,
            created_at: r.try_get("created_at")?,
        })
    })
    .transpose()
}

/// How many flows the address started since `since`.
pub async fn count_flows_from(
    db: &mut AnyConnection,
    client_addr: &str,
    since: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query(
        "SELECT COUNT(*) AS n FROM sign_in_flows WHERE client_addr = $1 AND created_at >= $2",
    )
    .bind(client_addr.to_string())
    .bind(since)
    .fetch_one(&mut *db)
    .await?
    .try_get("n")
}

/// How many flows were started since `since`, from anywhere (counted on the `created_at` index).
pub async fn count_flows_since(db: &mut AnyConnection, since: i64) -> Result<i64, sqlx::Error> {
    sqlx::query("SELECT COUNT(*) AS n FROM sign_in_flows WHERE created_at >= $1")
        .bind(since)
        .fetch_one(&mut *db)
        .await?
        .try_get("n")
}

/// Deletes flows started before `before`; returns how many.
pub async fn purge_flows(db: &mut AnyConnection, before: i64) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM sign_in_flows WHERE created_at < $1")
        .bind(before)
        .execute(&mut *db)
        .await?;
    Ok(done.rows_affected())
}

/// A user's name and email.
pub async fn profile(
    db: &mut AnyConnection,
    user: Uuid,
) -> Result<Option<(String, String)>, sqlx::Error> {
    sqlx::query("SELECT name, email FROM users WHERE id = $1")
        .bind(user.to_string())
        .fetch_optional(&mut *db)
        .await?
        .map(|r| Ok((r.try_get("name")?, r.try_get("email")?)))
        .transpose()
}

pub async fn set_profile(
    db: &mut AnyConnection,
    user: Uuid,
    name: &str,
    email: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE users SET name = $1, name_key = $2, email = $3, email_key = $4 WHERE id = $5",
    )
    .bind(name.to_string())
    .bind(name.to_lowercase())
    .bind(email.to_string())
    .bind(email.to_lowercase())
    .bind(user.to_string())
    .execute(&mut *db)
    .await?;
    Ok(())
}

/// Whoever has this user name, if anyone.
pub async fn name_owner(db: &mut AnyConnection, name: &str) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query("SELECT id FROM users WHERE name_key = $1")
        .bind(name.to_lowercase())
        .fetch_optional(&mut *db)
        .await?
        .map(|r| uuid_col(&r, "id"))
        .transpose()
}

/// The team a provider's group fills in the organization, if it was made.
pub async fn provider_team(
    db: &mut AnyConnection,
    org: Uuid,
    provider: &str,
    group: &str,
) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query(
        "SELECT id FROM teams WHERE organization_id = $1 AND provider = $2 AND provider_group = $3",
    )
    .bind(org.to_string())
    .bind(provider.to_string())
    .bind(group.to_string())
    .fetch_optional(&mut *db)
    .await?
    .map(|r| uuid_col(&r, "id"))
    .transpose()
}

/// The provider-filled teams of the organization the user is in.
pub async fn provider_teams_of(
    db: &mut AnyConnection,
    org: Uuid,
    provider: &str,
    user: Uuid,
) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query(
        "SELECT t.id FROM team_members m JOIN teams t ON t.id = m.team_id \
         WHERE m.user_id = $1 AND t.organization_id = $2 AND t.provider = $3 ORDER BY t.id",
    )
    .bind(user.to_string())
    .bind(org.to_string())
    .bind(provider.to_string())
    .fetch_all(&mut *db)
    .await?
    .iter()
    .map(|r| uuid_col(r, "id"))
    .collect()
}
