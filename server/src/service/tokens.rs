//! The caller's personal API tokens.

use super::audit::{record, Change};
use super::auth::TOKEN_PREFIX;
use super::passwords::{random_secret, secret_hash};
use super::{db_err, Service};
use crate::store::tokens;
use app::backend::{Actor, TokenService};
use app::error::ApiError;
use app::model::user::{check_token_days, check_token_name, ApiToken, CreatedToken};
use async_trait::async_trait;
use uuid::Uuid;

#[async_trait]
impl TokenService for Service {
    async fn list_tokens(&self, actor: &Actor) -> Result<Vec<ApiToken>, ApiError> {
        tokens::list(&mut *self.db.read().await.map_err(db_err)?, actor.user.id)
            .await
            .map_err(db_err)
    }

    async fn create_token(
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
        let mut tx = self.db.begin().await.map_err(db_err)?;
        let token = tokens::insert(
            &mut tx,
            actor.user.id,
            &name,
            &prefix,
            &secret_hash(&secret),
            expires_at,
        )
        .await
        .map_err(db_err)?;
        record(
            &mut tx,
            actor,
            Change::created(None, "api_token", token.id, &token.name, &token),
        )
        .await?;
        tx.commit().await.map_err(db_err)?;
        Ok(CreatedToken { token, secret })
    }

    async fn revoke_token(&self, actor: &Actor, id: Uuid) -> Result<(), ApiError> {
        let mut tx = self.db.begin().await.map_err(db_err)?;
        let name = tokens::revoke(&mut tx, actor.user.id, id)
            .await
            .map_err(db_err)?
            .ok_or_else(|| ApiError::not_found("token"))?;
        record::<()>(
            &mut tx,
            actor,
            Change::other(None, "revoke", "api_token", id, &name, None, None),
        )
        .await?;
        tx.commit().await.map_err(db_err)
    }
}
