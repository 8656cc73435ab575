//! Credentials: validation of their secrets, sealing, masking, and guarded deletion.

use super::access::{authorize, member_filter, permit};
use super::{record, resolve_org, Change, Service};
use crate::actor::Actor;
use crate::db::{from_micros, now_micros};
use crate::store::credentials::{self as store, Sealed};
use crate::store::reach::Object;
use anyhow::{anyhow, bail};
use model::access::{Op, Standing};
use model::credential::{
    check_credential_name, check_scope, check_scope_change, check_secret, parse_type, Credential,
    CredentialPage, CredentialQuery, CredentialUpdate, NewCredential, Secret,
};
use model::error::{ApiError, ErrorCode};
use model::list::Recheck;
use sqlx::AnyConnection;
use uuid::Uuid;

impl Service {
    pub(crate) fn seal_credential(&self, mut credential: Credential, secret: &Secret) -> Sealed {
        let plaintext = serde_json::to_vec(secret).unwrap_or_default();
        let ciphertext = self.keys.seal(credential.id, &plaintext);
        credential.secret = Credential::mask(secret.keys().cloned());
        Sealed {
            credential,
            ciphertext,
            key_id: self.keys.key_id().to_string(),
        }
    }

    /// The plaintext secret of a credential, for the server's own use (probes, imports); it
    /// never leaves the server.
    pub fn open_secret(&self, sealed: &Sealed) -> Result<Secret, ApiError> {
        let bytes = self
            .keys
            .open(&sealed.key_id, sealed.credential.id, &sealed.ciphertext)
            .map_err(|e| {
                tracing::error!(credential = %sealed.credential.id, error = %e, "cannot open a credential secret");
                ApiError::internal()
            })?;
        serde_json::from_slice(&bytes).map_err(|_| ApiError::internal())
    }

    /// The credential, if the caller may see it (not-found otherwise) and may do `op` to it.
    pub(crate) async fn credential_for(
        &self,
        db: &mut AnyConnection,
        actor: &Actor,
        id: Uuid,
        op: Op,
        doing: &str,
    ) -> Result<Sealed, ApiError> {
        let sealed = store::get(db, id)
            .await?
            .ok_or_else(|| ApiError::not_found("credential"))?;
        let org = sealed.credential.organization_id;
        let standing = self
            .standing(db, actor, org, Object::Credential, id, "credential")
            .await?;
        authorize(standing, Op::ViewCredential, op, "credential", doing)?;
        Ok(sealed)
    }

    /// Checks at start that the configured key opens the stored secrets, so a wrong or missing
    /// key fails loudly instead of producing garbage later.
    pub async fn verify_secrets(&self) -> anyhow::Result<()> {
        let mut conn = self.db.read().await?;
        let ids = store::key_ids(&mut conn).await?;
        if let Some(other) = ids.iter().find(|k| *k != self.keys.key_id()) {
            bail!(
                "stored credentials are encrypted with key {other}, but the configured key is {}: \
                 set MESHENV_SECRET_KEY or MESHENV_SECRET_KEY_FILE to the key this database was used with",
                self.keys.key_id()
            );
        }
        if let Some((id, key_id, ct)) = store::all_sealed(&mut conn).await?.into_iter().next() {
            self.keys.open(&key_id, id, &ct).map_err(|e| {
                anyhow!("credential {id} does not decrypt with the configured key: {e}")
            })?;
        }
        Ok(())
    }

    /// Re-encrypts every secret under `new` in one transaction; returns how many.
    pub async fn rotate_secrets(&self, new: &crate::secrets::Keyring) -> anyhow::Result<usize> {
        let mut tx = self.db.begin().await?;
        let all = store::all_sealed(&mut tx).await?;
        for (id, key_id, ct) in &all {
            let plain = self.keys.open(key_id, *id, ct)?;
            store::reseal(&mut tx, *id, new.key_id(), &new.seal(*id, &plain)).await?;
        }
        tx.commit().await?;
        Ok(all.len())
    }
}

/// A credential may be used only by connections inside its scope: refuses a change that would
/// leave one outside, naming the first few.
pub(crate) fn check_users_in_scope(
    c: &Credential,
    users: &[(Uuid, String, String)],
) -> Result<(), ApiError> {
    let outside: Vec<String> = users
        .iter()
        .filter_map(|(_, name, url)| {
            crate::egress::credential_allows(c, url)
                .err()
                .map(|_| format!("{name} ({url})"))
        })
        .collect();
    if outside.is_empty() {
        return Ok(());
    }
    let shown: Vec<&str> = outside.iter().take(5).map(String::as_str).collect();
    let more = outside.len() - shown.len();
    Err(ApiError::validation(
        "allowed_hosts",
        format!(
            "{} using this credential would be outside its allowed hosts: {}{}; allow their hosts too, or move them to another credential first",
            model::text::count(outside.len(), "connection"),
            shown.join(", "),
            if more > 0 { format!(" and {more} more") } else { String::new() }
        ),
    ))
}

fn in_use(users: &[(Uuid, String)]) -> ApiError {
    let names: Vec<&str> = users.iter().take(20).map(|(_, n)| n.as_str()).collect();
    let more = users.len().saturating_sub(names.len());
    let tail = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    ApiError::new(
        ErrorCode::Conflict,
        format!(
            "the credential is used by {}: {}{tail}; detach it from them first, or delete it anyway (force), which leaves them without a credential",
            model::text::count(users.len(), "connection"),
            names.join(", ")
        ),
    )
}

impl Service {
    pub async fn list_credentials(
        &self,
        actor: &Actor,
        query: &CredentialQuery,
    ) -> Result<CredentialPage, ApiError> {
        let query = &query.rechecked()?;
        let (org, role) = resolve_org(actor, query.list.org_id)?;
        let member = member_filter(actor, Standing::in_org(role));
        let (credentials, total_count) =
            store::list(&mut *self.db.read().await?, org, member, query).await?;
        Ok(CredentialPage {
            page: query.list.page,
            page_size: query.list.page_size,
            total_count,
            credentials,
        })
    }

    pub async fn get_credential(&self, actor: &Actor, id: Uuid) -> Result<Credential, ApiError> {
        let mut conn = self.db.read().await?;
        Ok(self
            .credential_for(&mut conn, actor, id, Op::ViewCredential, "")
            .await?
            .credential)
    }

    pub async fn create_credential(
        &self,
        actor: &Actor,
        input: &NewCredential,
    ) -> Result<Credential, ApiError> {
        let (org, role) =
            resolve_org(actor, input.organization_id).map_err(super::body_org_field)?;
        permit(
            Standing::in_org(role),
            Op::ManageCredential,
            "create credentials",
        )?;
        let name = check_credential_name(input.name.as_deref().unwrap_or(""))
            .map_err(|m| ApiError::validation("name", m))?;
        let kind = parse_type(input.kind.as_deref(), "type")?;
        let secret = check_secret(kind, input.secret.as_ref().unwrap_or(&Secret::new()))?;
        let scope = check_scope(
            input.allowed_hosts.as_deref().unwrap_or_default(),
            input.allow_http.unwrap_or(false),
        )?;
        let now = from_micros(now_micros());
        let sealed = self.seal_credential(
            Credential {
                id: Uuid::now_v7(),
                organization_id: org,
                name,
                kind,
                secret: Secret::new(),
                allowed_hosts: scope.allowed_hosts,
                allow_http: scope.allow_http,
                owner: actor.user.id,
                connection_count: 0,
                created_at: now,
                updated_at: now,
            },
            &secret,
        );
        let mut tx = self.db.begin().await?;
        store::insert(&mut tx, &sealed)
            .await
            .map_err(crate::write_err("a credential", &sealed.credential.name))?;
        let c = &sealed.credential;
        record(
            &mut tx,
            actor,
            Change::created(Some(org), "credential", c.id, &c.name, c),
        )
        .await?;
        tx.commit().await?;
        Ok(sealed.credential)
    }

    pub async fn update_credential(
        &self,
        actor: &Actor,
        id: Uuid,
        input: &CredentialUpdate,
    ) -> Result<Credential, ApiError> {
        let mut tx = self.db.begin().await?;
        let current = self
            .credential_for(
                &mut tx,
                actor,
                id,
                Op::ManageCredential,
                "change credentials",
            )
            .await?;
        let before = current.credential.clone();
        let name = check_credential_name(input.name.as_deref().unwrap_or(&before.name))
            .map_err(|m| ApiError::validation("name", m))?;
        let kind = match &input.kind {
            Some(k) => parse_type(Some(k), "type")?,
            None => before.kind,
        };
        let secret = match &input.secret {
            Some(s) => check_secret(kind, s)?,
            None if kind != before.kind => {
                return Err(ApiError::validation(
                    "secret",
                    "changing the type needs a new secret",
                ));
            }
            None => self.open_secret(&current)?,
        };
        let scope = check_scope(
            input
                .allowed_hosts
                .as_deref()
                .unwrap_or(&before.allowed_hosts),
            input.allow_http.unwrap_or(before.allow_http),
        )?;
        check_scope_change(&before.scope(), &scope, input.secret.is_some())?;
        let sealed = self.seal_credential(
            Credential {
                name,
                kind,
                allowed_hosts: scope.allowed_hosts,
                allow_http: scope.allow_http,
                updated_at: from_micros(now_micros()),
                ..before.clone()
            },
            &secret,
        );
        let users = store::users_with_urls(&mut tx, id).await?;
        check_users_in_scope(&sealed.credential, &users)?;
        store::update(&mut tx, &sealed)
            .await
            .map_err(crate::write_err("a credential", &sealed.credential.name))?;
        let c = &sealed.credential;
        record(
            &mut tx,
            actor,
            Change::updated(
                Some(c.organization_id),
                "credential",
                id,
                &c.name,
                &before,
                c,
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(sealed.credential)
    }

    /// A credential in use is refused (409) unless `force`, which detaches it first.
    pub async fn delete_credential(
        &self,
        actor: &Actor,
        id: Uuid,
        force: bool,
    ) -> Result<(), ApiError> {
        let mut tx = self.db.begin().await?;
        let current = self
            .credential_for(
                &mut tx,
                actor,
                id,
                Op::ManageCredential,
                "delete credentials",
            )
            .await?;
        let users = store::users_of(&mut tx, id).await?;
        if !users.is_empty() {
            if !force {
                return Err(in_use(&users));
            }
            store::detach(&mut tx, id, now_micros()).await?;
        }
        store::delete(&mut tx, id).await?;
        let c = &current.credential;
        record(
            &mut tx,
            actor,
            Change::deleted(Some(c.organization_id), "credential", id, &c.name, c),
        )
        .await?;
        tx.commit().await.map_err(ApiError::from)
    }
}
