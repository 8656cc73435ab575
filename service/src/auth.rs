//! Sign-in, sessions and tokens as proof of identity.

use super::audit::{record_own, record_personal, Change};
use super::passwords::{self, random_secret, secret_hash};
use super::Service;
use crate::actor::Actor;
use crate::actor::NewSession;
use crate::client::ClientInfo;
use crate::db::{micros, now_micros};
use crate::store::{audit, sessions, throttle, tokens, users};
use model::error::{ApiError, ErrorCode};
use model::user::SessionInfo;
use uuid::Uuid;

/// Token use is recorded at most this often, so busy scripts do not turn every read into a write.
const TOKEN_TOUCH_EVERY_MICROS: i64 = 60 * 1_000_000;
/// Every API token starts with this, so leaked ones are easy to find in logs and repositories.
pub const TOKEN_PREFIX: &str = "mshv_";

impl Service {
    /// Deletes expired sessions; returns how many. Safe to run from several processes at once.
    pub async fn purge_expired_sessions(&self) -> Result<u64, ApiError> {
        let now = now_micros();
        let idle_since = now - micros(self.auth.session_idle);
        let window = micros(self.auth.throttle.window);
        let mut tx = self.db.begin().await?;
        let n = sessions::delete_expired(&mut tx, now, idle_since).await?;
        self.purge_stale_flows(&mut tx).await?;
        throttle::purge(&mut tx, now - 2 * window, now).await?;
        tx.commit().await?;
        Ok(n)
    }

    pub(crate) async fn actor_for(
        &self,
        db: &mut sqlx::AnyConnection,
        user: Uuid,
        token_id: Option<Uuid>,
    ) -> Result<Actor, ApiError> {
        let me = users::load_me(db, user)
            .await?
            .ok_or_else(ApiError::unauthorized)?;
        Ok(Actor {
            user: me,
            token_id,
            session_id: None,
            reason: None,
        })
    }
}

/// An expired token's refused use is recorded at most this often per token: a script that keeps
/// trying writes one event an hour, not one a request.
const EXPIRED_USE_EVERY_MICROS: i64 = 3600 * 1_000_000;

impl Service {
    /// Records that an expired token was refused, unless that was recorded in the last hour. A
    /// failure to record is logged: the refusal stands either way.
    async fn record_expired_use(&self, owner: &tokens::TokenOwner) {
        let result: Result<(), ApiError> = async {
            let mut tx = self.db.begin().await?;
            let since = now_micros() - EXPIRED_USE_EVERY_MICROS;
            if audit::recent(
                &mut tx,
                "api_token",
                owner.id,
                "api_token.refused_expired",
                since,
            )
            .await?
            {
                return Ok(());
            }
            let actor = self
                .actor_for(&mut tx, owner.user_id, Some(owner.id))
                .await?;
            let name = crate::store::names(&mut tx, "api_tokens", &[owner.id])
                .await?
                .remove(&owner.id)
                .unwrap_or_default();
            let change = Change::<()>::other(
                None,
                "refused_expired",
                "api_token",
                owner.id,
                &name,
                None,
                None,
            );
            record_personal(&mut tx, &actor, change).await?;
            tx.commit().await.map_err(ApiError::from)
        }
        .await;
        if let Err(e) = result {
            tracing::warn!(error = %e.error, "could not record an expired token's use");
        }
    }

    /// Counts a failed sign-in against the login and the client address, in one transaction,
    /// and keeps one audit event per login and window whose count says how many failures it
    /// holds. A failure to record is logged, not shown: the answer to a wrong password must not
    /// change.
    async fn count_failure(&self, login: &str, keys: &[String], user: Option<Uuid>) {
        let rules = &self.auth.throttle;
        let result: Result<(), sqlx::Error> = async {
            let mut tx = self.db.begin().await?;
            let now = now_micros();
            for key in keys {
                let mut e = throttle::load_for_update(&mut tx, key).await?;
                let opened = rules.fail(&mut e, now);
                if key.starts_with("login:") {
                    let after = serde_json::json!({ "failures": e.failures });
                    if opened || e.audit_ids.is_empty() {
                        e.audit_ids = self
                            .audit_failed_sign_in(&mut tx, login, user, &after)
                            .await?;
                    } else {
                        audit::set_after(&mut tx, &e.audit_ids, &after).await?;
                    }
                }
                throttle::save(&mut tx, key, &e).await?;
            }
            tx.commit().await
        }
        .await;
        if let Err(e) = result {
            tracing::warn!(error = %e, "could not record a failed sign-in");
        }
    }

    /// One `user.sign_in_failed` event in each organization of the user the login named (or
    /// in none, for a login nobody has); returns their ids.
    async fn audit_failed_sign_in(
        &self,
        db: &mut sqlx::AnyConnection,
        login: &str,
        user: Option<Uuid>,
        after: &serde_json::Value,
    ) -> Result<Vec<Uuid>, sqlx::Error> {
        let name: String = login.trim().chars().take(255).collect();
        let orgs = match user {
            Some(u) => users::org_ids(db, u).await?,
            None => Vec::new(),
        };
        let orgs: Vec<Option<Uuid>> = if orgs.is_empty() {
            vec![None]
        } else {
            orgs.into_iter().map(Some).collect()
        };
        let mut ids = Vec::with_capacity(orgs.len());
        for org in orgs {
            let event = audit::Event {
                organization_id: org,
                actor_user_id: None,
                actor_token_id: None,
                action: "user.sign_in_failed",
                entity_type: "user",
                entity_id: user,
                entity_name: Some(&name),
                before: None,
                after: Some(after.clone()),
                reason: None,
            };
            ids.push(audit::insert(db, &event).await?);
        }
        Ok(ids)
    }
}

/// The throttle keys of an attempt: its login, and its client address (an IPv6 one by its /64)
/// when known.
fn throttle_keys(login: &str, client: &ClientInfo) -> Vec<String> {
    let login: String = login.trim().to_lowercase().chars().take(255).collect();
    let mut keys = vec![format!("login:{login}")];
    if let Some(addr) = client.throttle_addr() {
        keys.push(format!("addr:{addr}"));
    }
    keys
}

/// Sign-in, sessions and API tokens as proof of identity.
impl Service {
    /// Checks a name-or-email and password and opens a session; throttled per login and per
    /// client address (429 with a delay while locked).
    pub async fn sign_in(
        &self,
        login: &str,
        password: &str,
        client: &ClientInfo,
    ) -> Result<NewSession, ApiError> {
        // No user's name or email holds a control character, and the database refuses some
        // (NUL): refused here, before it is looked up or counted.
        if login.contains(char::is_control) {
            return Err(ApiError::validation(
                "login",
                "a user name or email has no control characters",
            ));
        }
        if !self.sso.settings.password_allowed(login) {
            return Err(ApiError::new(
                ErrorCode::Forbidden,
                "password sign-in is off: sign in with your identity provider",
            )
            .with_field("login"));
        }
        let keys = throttle_keys(login, client);
        let row = {
            let mut db = self.db.read().await?;
            let key_refs: Vec<&str> = keys.iter().map(String::as_str).collect();
            let until = throttle::locked_until(&mut db, &key_refs).await?;
            let now = now_micros();
            if until > now {
                crate::metrics::sign_in_refused("throttled");
                let secs = ((until - now) as u64).div_ceil(1_000_000);
                return Err(ApiError::too_many(
                    format!("too many failed sign-ins; try again in {secs} s"),
                    secs,
                ));
            }
            users::find_login(&mut db, login).await?
        };
        let ok = passwords::verify(
            password.to_string(),
            row.as_ref().map(|r| r.password_hash.clone()),
        )
        .await?;
        crate::metrics::sign_in(ok && row.is_some());
        let known = row.as_ref().map(|r| r.id);
        let Some(row) = row.filter(|_| ok) else {
            tracing::info!("failed sign-in");
            self.count_failure(login, &keys, known).await;
            return Err(
                ApiError::new(ErrorCode::Unauthorized, "wrong user name or password")
                    .with_field("login"),
            );
        };
        let session = self.open_session(row.id, client, None).await?;
        // A success forgets the login's failures (not the address's).
        throttle::clear(&mut *self.db.write().await?, &keys[0]).await?;
        Ok(session)
    }

    /// Opens a session for `user` (through `provider`, or a password) and records the sign-in.
    pub(crate) async fn open_session(
        &self,
        user: Uuid,
        client: &ClientInfo,
        provider: Option<&str>,
    ) -> Result<NewSession, ApiError> {
        let secret = random_secret(32);
        let now = now_micros();
        let ttl = micros(self.auth.session_ttl);
        let mut tx = self.db.begin().await?;
        sessions::insert(
            &mut tx,
            &sessions::NewRow {
                id_hash: &secret_hash(&secret),
                public_id: &Uuid::now_v7().simple().to_string(),
                user,
                created_at: now,
                expires_at: now + ttl,
                client_addr: client.addr.as_deref(),
                user_agent: client.user_agent.as_deref(),
                provider,
            },
        )
        .await?;
        let actor = self.actor_for(&mut tx, user, None).await?;
        let client = serde_json::json!({
            "client_addr": client.addr,
            "user_agent": client.user_agent,
            "provider": provider,
        });
        record_own(&mut tx, &actor, "sign_in", Some(&client)).await?;
        tx.commit().await?;
        Ok(NewSession {
            secret,
            max_age_secs: ttl / 1_000_000,
        })
    }

    /// Ends the session; returns where the browser goes next when the session came from an
    /// identity provider that offers a logout of its own.
    pub async fn sign_out(&self, session_secret: &str) -> Result<Option<String>, ApiError> {
        let mut tx = self.db.begin().await?;
        let mut provider = None;
        if let Some((user, p)) = sessions::delete(&mut tx, &secret_hash(session_secret)).await? {
            let actor = self.actor_for(&mut tx, user, None).await?;
            record_own::<()>(&mut tx, &actor, "sign_out", None).await?;
            provider = p;
        }
        tx.commit().await?;
        Ok(match provider {
            Some(p) => self.provider_logout_url(&p).await,
            None => None,
        })
    }

    pub async fn actor_from_session(&self, session_secret: &str) -> Result<Actor, ApiError> {
        let now = now_micros();
        let idle_since = now - micros(self.auth.session_idle);
        let (live, mut actor) = {
            let mut db = self.db.read().await?;
            let live = sessions::find_live(&mut db, &secret_hash(session_secret), now, idle_since)
                .await?
                .ok_or_else(ApiError::unauthorized)?;
            let actor = self.actor_for(&mut db, live.user, None).await?;
            (live, actor)
        };
        actor.session_id = Some(live.public_id.clone());
        // Seen at most once a minute (more often under a short idle timeout), after the
        // reads' connection is back in the pool.
        let every = TOKEN_TOUCH_EVERY_MICROS.min(micros(self.auth.session_idle) / 4);
        if now - live.last_seen_at > every {
            sessions::touch(&mut *self.db.write().await?, &live.public_id, now).await?;
        }
        Ok(actor)
    }

    /// The caller's live sessions.
    pub async fn list_sessions(&self, actor: &Actor) -> Result<Vec<SessionInfo>, ApiError> {
        let idle_since = now_micros() - micros(self.auth.session_idle);
        let mut list = sessions::list(
            &mut *self.db.read().await?,
            actor.user.id,
            now_micros(),
            idle_since,
        )
        .await?;
        for s in &mut list {
            s.current = actor.session_id.as_deref() == Some(s.id.as_str());
        }
        Ok(list)
    }

    /// Ends one of the caller's sessions.
    pub async fn end_session(&self, actor: &Actor, id: &str) -> Result<(), ApiError> {
        let mut tx = self.db.begin().await?;
        if !sessions::delete_public(&mut tx, actor.user.id, id).await? {
            return Err(ApiError::not_found("session"));
        }
        let after = serde_json::json!({ "session": id });
        record_own(&mut tx, actor, "session_end", Some(&after)).await?;
        tx.commit().await.map_err(ApiError::from)
    }

    /// Ends every session of the caller, this one included; returns how many.
    pub async fn end_all_sessions(&self, actor: &Actor) -> Result<u64, ApiError> {
        let mut tx = self.db.begin().await?;
        let n = sessions::delete_all(&mut tx, actor.user.id, None).await?;
        let after = serde_json::json!({ "sessions": n });
        record_own(&mut tx, actor, "sessions_end_all", Some(&after)).await?;
        tx.commit().await?;
        Ok(n)
    }
    pub async fn actor_from_token(&self, token: &str) -> Result<Actor, ApiError> {
        if !token.starts_with(TOKEN_PREFIX) {
            return Err(ApiError::unauthorized());
        }
        let (owner, actor) = {
            let mut db = self.db.read().await?;
            let owner = tokens::find_live(&mut db, &secret_hash(token))
                .await?
                .ok_or_else(ApiError::unauthorized)?;
            if let Some(end) = owner.expires_at.filter(|t| *t <= now_micros()) {
                drop(db);
                self.record_expired_use(&owner).await;
                return Err(ApiError::new(
                    ErrorCode::Unauthorized,
                    format!(
                        "this API token expired on {}; create a new one in Settings",
                        crate::db::from_micros(end).format("%Y-%m-%d %H:%M UTC")
                    ),
                ));
            }
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
            tokens::touch(&mut *self.db.write().await?, owner.id, now).await?;
        }
        Ok(actor)
    }
}
