//! The caller's personal API tokens.

use super::audit::{record_personal, Change};
use super::auth::TOKEN_PREFIX;
use super::passwords::{random_secret, secret_hash};
use super::Service;
use crate::actor::Actor;
use crate::store::tokens;
use model::error::ApiError;
use model::user::{check_token_days, check_token_name, ApiToken, CreatedToken};
use uuid::Uuid;

/// The caller's own personal API tokens.
impl Service {
    pub async fn list_tokens(&self, actor: &Actor) -> Result<Vec<ApiToken>, ApiError> {
        tokens::list(&mut *self.db.read().await?, actor.user.id)
            .await
            .map_err(ApiError::from)
    }

    /// A new token, expiring after `expires_in_days` ("" or none: never).
    pub async fn create_token(
        &self,
        actor: &Actor,
        name: &str,
        expires_in_days: Option<&str>,
    ) -> Result<CreatedToken, ApiError> {
        let name = check_token_name(name).map_err(|m| ApiError::validation("name", m))?;
        let days = check_token_days(expires_in_days)
            .map_err(|m| ApiError::validation("expires_in_days", m))?;
        let expires_at =
            days.map(|d| crate::db::now_micros() + i64::from(d) * 24 * 3600 * 1_000_000);
        let secret = format!("{TOKEN_PREFIX}{}", random_secret(24));
        let prefix: String = secret.chars().take(TOKEN_PREFIX.len() + 6).collect();
        let mut tx = self.db.begin().await?;
        let token = tokens::insert(
            &mut tx,
            actor.user.id,
            &name,
            &prefix,
            &secret_hash(&secret),
            expires_at,
        )
        .await?;
        record_personal(
            &mut tx,
            actor,
            Change::created(None, "api_token", token.id, &token.name, &token),
        )
        .await?;
        tx.commit().await?;
        Ok(CreatedToken { token, secret })
    }

    pub async fn revoke_token(&self, actor: &Actor, id: Uuid) -> Result<(), ApiError> {
        let mut tx = self.db.begin().await?;
        let name = tokens::revoke(&mut tx, actor.user.id, id)
            .await?
            .ok_or_else(|| ApiError::not_found("token"))?;
        record_personal::<()>(
            &mut tx,
            actor,
            Change::other(None, "revoke", "api_token", id, &name, None, None),
        )
        .await?;
        tx.commit().await.map_err(ApiError::from)
    }
}
