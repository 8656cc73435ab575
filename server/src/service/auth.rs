//! Sign-in, sessions and tokens as proof of identity.

use super::passwords::{self, random_secret, secret_hash};
use super::{db_err, Service};
use crate::db::now_micros;
use crate::store::{sessions, tokens, users};
use app::backend::{Actor, AuthService, NewSession};
use app::error::{ApiError, ErrorCode};
use async_trait::async_trait;
use uuid::Uuid;

/// How long a session lasts.
pub const SESSION_TTL_SECS: i64 = 14 * 24 * 3600;
/// Token use is recorded at most this often, so busy scripts do not turn every read into a write.
const TOKEN_TOUCH_EVERY_MICROS: i64 = 60 * 1_000_000;
/// Every API token starts with this, so leaked ones are easy to find in logs and repositories.
pub const TOKEN_PREFIX: &str = "mshv_";

impl Service {
    /// Deletes expired sessions; returns how many. Safe to run from several processes at once.
    pub async fn purge_expired_sessions(&self) -> Result<u64, ApiError> {
        sessions::delete_expired(&mut *self.db.write().await.map_err(db_err)?)
            .await
            .map_err(db_err)
    }

    pub(crate) async fn actor_for(
        &self,
        db: &mut sqlx::AnyConnection,
        user: Uuid,
        token_id: Option<Uuid>,
    ) -> Result<Actor, ApiError> {
        let me = users::load_me(db, user)
            .await
            .map_err(db_err)?
            .ok_or_else(ApiError::unauthorized)?;
        Ok(Actor {
            user: me,
            token_id,
            reason: None,
        })
    }
}

impl Service {
    /// Records a failed sign-in in the audit log of each organization of the user it named
    /// (or of none, for a name nobody has). A failure to record is logged, not shown: the
    /// answer to a wrong password must not change.
    async fn record_failed_sign_in(&self, login: &str, user: Option<Uuid>) {
        let name: String = login.trim().chars().take(255).collect();
        let orgs = match user {
            Some(u) => match self.db.read().await {
                Ok(mut db) => users::org_ids(&mut db, u).await.unwrap_or_default(),
                Err(_) => Vec::new(),
            },
            None => Vec::new(),
        };
        let orgs: Vec<Option<Uuid>> = if orgs.is_empty() {
            vec![None]
        } else {
            orgs.into_iter().map(Some).collect()
        };
        let result: Result<(), sqlx::Error> = async {
            let mut tx = self.db.begin().await?;
            for org in orgs {
                let event = crate::store::audit::Event {
                    organization_id: org,
                    actor_user_id: None,
                    actor_token_id: None,
                    action: "user.sign_in_failed",
                    entity_type: "user",
                    entity_id: user,
                    entity_name: Some(&name),
                    before: None,
                    after: None,
                    reason: None,
                };
                crate::store::audit::insert(&mut tx, &event).await?;
            }
            tx.commit().await
        }
        .await;
        if let Err(e) = result {
            tracing::warn!(error = %e, "could not record a failed sign-in");
        }
    }
}

#[async_trait]
impl AuthService for Service {
    async fn sign_in(&self, login: &str, password: &str) -> Result<NewSession, ApiError> {
        let row = users::find_login(&mut *self.db.read().await.map_err(db_err)?, login)
            .await
            .map_err(db_err)?;
        let ok = passwords::verify(
            password.to_string(),
            row.as_ref().map(|r| r.password_hash.clone()),
        )
        .await;
        let known = row.as_ref().map(|r| r.id);
        crate::metrics::sign_in(ok && row.is_some());
        let Some(row) = row.filter(|_| ok) else {
            tracing::info!("failed sign-in");
            self.record_failed_sign_in(login, known).await;
            return Err(
                ApiError::new(ErrorCode::Unauthorized, "wrong user name or password")
                    .with_field("login"),
            );
        };
        let secret = random_secret(32);
        let expires = now_micros() + SESSION_TTL_SECS * 1_000_000;
        sessions::insert(
            &mut *self.db.write().await.map_err(db_err)?,
            &secret_hash(&secret),
            row.id,
            expires,
        )
        .await
        .map_err(db_err)?;
        Ok(NewSession {
            secret,
            max_age_secs: SESSION_TTL_SECS,
        })
    }

    async fn sign_out(&self, session_secret: &str) -> Result<(), ApiError> {
        sessions::delete(
            &mut *self.db.write().await.map_err(db_err)?,
            &secret_hash(session_secret),
        )
        .await
        .map_err(db_err)
    }

    async fn actor_from_session(&self, session_secret: &str) -> Result<Actor, ApiError> {
        let mut db = self.db.read().await.map_err(db_err)?;
        let user = sessions::find_user(&mut db, &secret_hash(session_secret))
            .await
            .map_err(db_err)?
            .ok_or_else(ApiError::unauthorized)?;
        self.actor_for(&mut db, user, None).await
    }

    async fn actor_from_token(&self, token: &str) -> Result<Actor, ApiError> {
        if !token.starts_with(TOKEN_PREFIX) {
            return Err(ApiError::unauthorized());
        }
        let (owner, actor) = {
            let mut db = self.db.read().await.map_err(db_err)?;
            let owner = tokens::find_live(&mut db, &secret_hash(token))
                .await
                .map_err(db_err)?
                .ok_or_else(ApiError::unauthorized)?;
            let actor = self
                .actor_for(&mut db, owner.user_id, Some(owner.id))
                .await?;
            (owner, actor)
        };
        // The reads' connection is back in the pool before the write asks for the writer.
        let now = now_micros();
        if owner
            .last_used_at
            .is_none_or(|t| now - t > TOKEN_TOUCH_EVERY_MICROS)
        {
            tokens::touch(&mut *self.db.write().await.map_err(db_err)?, owner.id, now)
                .await
                .map_err(db_err)?;
        }
        Ok(actor)
    }
}
