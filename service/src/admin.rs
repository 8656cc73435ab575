//! Operator actions run from the command line with direct database access: the first admin,
//! `meshenv user create` and `meshenv token create`.

use super::passwords::{self, generate_password};
use super::Service;
use crate::store::users;
use anyhow::{anyhow, bail, Context};
use model::error::{is_unique_violation, ApiError};

use model::user::Role;
use uuid::Uuid;

pub const DEFAULT_ORG: &str = "default";
pub const ADMIN_NAME: &str = "admin";

/// The account made on first start, with its password when meshenv generated it.
pub struct FirstAdmin {
    pub generated_password: Option<String>,
}

/// The command line checks what the API checks, with the same rules.
fn check_password(p: &str) -> anyhow::Result<()> {
    model::user::check_password(p).map_err(|m| anyhow!(m))
}

fn check_email(e: &str) -> anyhow::Result<()> {
    model::user::check_email(e)
        .map(|_| ())
        .map_err(|m| anyhow!(m))
}

impl Service {
    /// On a first start with no users, creates the organization "default" and its admin.
    pub async fn ensure_first_admin(
        &self,
        password: Option<String>,
    ) -> anyhow::Result<Option<FirstAdmin>> {
        if users::count_users(&mut *self.db.read().await?).await? > 0 {
            return Ok(None);
        }
        let generated = password.is_none().then(generate_password);
        let password = password.or_else(|| generated.clone()).unwrap_or_default();
        check_password(&password).context("MESHENV_ADMIN_PASSWORD")?;
        // A generated password is printed once, so it may end up in a log: like every other
        // one-time password, it must be replaced at first sign-in.
        self.add_user(
            DEFAULT_ORG,
            ADMIN_NAME,
            "admin@localhost",
            Role::Admin,
            &password,
            generated.is_some(),
        )
        .await?;
        Ok(Some(FirstAdmin {
            generated_password: generated,
        }))
    }

    /// Creates a user in an organization, creating the organization if it does not exist yet.
    /// With `one_time`, the password must be changed at first sign-in.
    pub async fn add_user(
        &self,
        org: &str,
        name: &str,
        email: &str,
        role: Role,
        password: &str,
        one_time: bool,
    ) -> anyhow::Result<Uuid> {
        let (org, name, email) = (org.trim(), name.trim(), email.trim());
        if org.is_empty() || name.is_empty() {
            bail!("organization and user name cannot be empty");
        }
        check_email(email)?;
        check_password(password)?;
        let hash = passwords::hash(password.to_string())
            .await
            .map_err(|e| anyhow!(e.error))?;
        let mut tx = self.db.begin().await?;
        let org_id = match users::find_org(&mut tx, org).await? {
            Some(id) => id,
            None => users::insert_org(&mut tx, org).await?,
        };
        let user = users::insert_user(&mut tx, name, email, &hash, one_time)
            .await
            .map_err(|e| {
                if is_unique_violation(&e) {
                    anyhow!("a user named '{name}' or with email '{email}' already exists")
                } else {
                    e.into()
                }
            })?;
        users::insert_membership(&mut tx, org_id, user, role).await?;
        tx.commit().await?;
        Ok(user)
    }

    /// The organization (by name or id) and who acts in it from the command line: the named
    /// user, or the organization's first admin.
    pub async fn operator(
        &self,
        org: &str,
        user: Option<&str>,
    ) -> anyhow::Result<(Uuid, crate::actor::Actor)> {
        let mut conn = self.db.read().await?;
        let org_id = users::find_org(&mut conn, org)
            .await?
            .ok_or_else(|| anyhow!("no organization '{org}'"))?;
        let user_id = match user {
            Some(u) => users::find_user_id(&mut conn, u)
                .await?
                .ok_or_else(|| anyhow!("no user '{u}'"))?,
            None => users::first_admin(&mut conn, org_id)
                .await?
                .ok_or_else(|| anyhow!("organization '{org}' has no admin"))?,
        };
        let actor = self
            .actor_for(&mut conn, user_id, None)
            .await
            .map_err(|e| anyhow!(e.error))?;
        Ok((org_id, actor))
    }

    /// Creates an API token for a user named by name or email; returns the secret.
    pub async fn create_token_for(&self, user: &str, label: &str) -> anyhow::Result<String> {
        let actor = {
            let mut conn = self
                .db
                .read()
                .await
                .map_err(|e| anyhow!(ApiError::from(e).error))?;
            let id = users::find_user_id(&mut conn, user)
                .await
                .map_err(|e| anyhow!(ApiError::from(e).error))?
                .ok_or_else(|| anyhow!("no user '{user}'"))?;
            self.actor_for(&mut conn, id, None)
                .await
                .map_err(|e| anyhow!(e.error))?
        };
        let created = self
            .create_token(&actor, label, None)
            .await
            .map_err(|e| anyhow!(e.error))?;
        Ok(created.secret)
    }
}
