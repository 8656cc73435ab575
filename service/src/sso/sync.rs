//! Bringing a person in line with their provider's claims at each sign-in: created on the
//! first (just in time), then their name, email, organization role and provider-filled teams
//! follow the claims. Every change is audited, with the provider named as the reason.

use super::{ProviderSettings, SsoError};
use crate::actor::Actor;
use crate::audit::{record, Change};
use crate::db::{from_micros, now_micros};
use crate::store::{identities, teams, users, workspaces};
use crate::Service;
use model::sso::Refusal;
use model::team::Team;
use model::user::Role;
use serde_json::{Map, Value};
use sqlx::AnyConnection;
use std::collections::BTreeSet;
use uuid::Uuid;

/// What a provider-made account has for a password hash: no password verifies against it.
pub(crate) const NO_PASSWORD: &str = "!sso";
/// The longest user name kept from a provider's claims.
const NAME_MAX: usize = 100;

/// The claims meshenv uses, from a verified ID token.
#[derive(Debug)]
pub(crate) struct Claims {
    pub issuer: String,
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: Option<bool>,
    pub name: Option<String>,
    pub username: Option<String>,
    pub groups: Vec<String>,
}

impl Claims {
    pub fn read(issuer: &str, subject: &str, payload: &Map<String, Value>, groups: &str) -> Self {
        let text = |k: &str| {
            payload
                .get(k)
                .and_then(Value::as_str)
                .map(|s| s.chars().filter(|c| !c.is_control()).collect::<String>())
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
        };
        let email_verified = match payload.get("email_verified") {
            Some(Value::Bool(b)) => Some(*b),
            Some(Value::String(s)) => Some(s == "true"),
            _ => None,
        };
        // A list of names, or one name; Keycloak's full paths ("/ops") keep their slash.
        let groups = match payload.get(groups) {
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
            Some(Value::String(s)) => vec![s.clone()],
            _ => Vec::new(),
        };
        Claims {
            issuer: issuer.to_string(),
            subject: subject.to_string(),
            email: text("email"),
            email_verified,
            name: text("name"),
            username: text("preferred_username"),
            groups,
        }
    }

    /// The name to show: the person's name, else their user name, else the email's local part.
    fn display_name(&self, email: &str) -> String {
        let name = self
            .name
            .clone()
            .or_else(|| self.username.clone())
            .unwrap_or_else(|| email.split('@').next().unwrap_or(email).to_string());
        name.chars().take(NAME_MAX).collect()
    }
}

#[derive(serde::Serialize)]
struct Profile<'a> {
    name: &'a str,
    email: &'a str,
}

impl Service {
    /// Creates or updates the person `c` describes; returns their user id, or refuses them.
    pub(super) async fn bring_in_line(
        &self,
        p: &ProviderSettings,
        c: &Claims,
    ) -> Result<Uuid, SsoError> {
        let refuse = |r: Refusal, d: &str| SsoError::new(r, d.to_string());
        let email = c
            .email
            .clone()
            .filter(|e| e.contains('@') && e.len() <= 254)
            .ok_or_else(|| refuse(Refusal::NoEmail, "no email claim"))?;
        if c.email_verified == Some(false) {
            return Err(refuse(Refusal::NoEmail, "email not verified"));
        }
        if !p.domain_allowed(&email) {
            return Err(refuse(Refusal::EmailDomain, "email domain not allowed"));
        }
        let role = p.role_for(&c.groups);
        let mut tx = self.db.begin().await?;
        let known = identities::find(&mut tx, &c.issuer, &c.subject).await?;
        let org = users::find_org(&mut tx, &p.organization).await?;
        let Some(role) = role else {
            // Their groups no longer give them access: they leave the organization, and lose
            // their sessions and tokens if it was their last.
            if let (Some(user), Some(org)) = (known, org) {
                self.leave_org(&mut tx, p, org, user).await?;
                tx.commit().await?;
            }
            return Err(refuse(Refusal::NoAccess, "no group maps to a role"));
        };
        let org = match org {
            Some(o) => o,
            None => users::insert_org(&mut tx, &p.organization).await?,
        };
        let name = c.display_name(&email);
        let now = now_micros();
        let user = match known {
            Some(user) => {
                identities::touch(&mut tx, &c.issuer, &c.subject, &p.name, now).await?;
                self.sync_profile(&mut tx, p, org, user, &name, &email)
                    .await?;
                user
            }
            None => {
                if users::find_by_email(&mut tx, &email).await?.is_some() {
                    return Err(refuse(Refusal::EmailTaken, "email used by another account"));
                }
                let name = free_name(&mut tx, &name, None).await?;
                let user = users::insert_user(&mut tx, &name, &email, NO_PASSWORD, false).await?;
                identities::insert(&mut tx, &c.issuer, &c.subject, user, &p.name, now).await?;
                user
            }
        };
        self.sync_role(&mut tx, p, org, user, role).await?;
        self.sync_teams(&mut tx, p, org, user, &c.groups).await?;
        tx.commit().await?;
        Ok(user)
    }

    /// The person themselves, acting through their provider: who the audit log names.
    async fn provider_actor(
        &self,
        db: &mut AnyConnection,
        p: &ProviderSettings,
        user: Uuid,
    ) -> Result<Actor, SsoError> {
        let mut actor = self.actor_for(db, user, None).await?;
        actor.reason = Some(format!("claims of identity provider '{}'", p.name));
        Ok(actor)
    }

    async fn sync_profile(
        &self,
        db: &mut AnyConnection,
        p: &ProviderSettings,
        org: Uuid,
        user: Uuid,
        name: &str,
        email: &str,
    ) -> Result<(), SsoError> {
        let Some((old_name, old_email)) = identities::profile(db, user).await? else {
            return Err(SsoError::new(Refusal::Unavailable, "user gone".into()));
        };
        // A new name only when the claims' one changed (a name made unique keeps its suffix).
        let name = if name.to_lowercase() == old_name.to_lowercase()
            || old_name
                .to_lowercase()
                .starts_with(&format!("{} (", name.to_lowercase()))
        {
            old_name.clone()
        } else {
            free_name(db, name, Some(user)).await?
        };
        let email_owner = users::find_by_email(db, email).await?;
        if email_owner.is_some_and(|o| o != user) {
            return Err(SsoError::new(
                Refusal::EmailTaken,
                "the new email is another account's".into(),
            ));
        }
        if name == old_name && email == old_email {
            return Ok(());
        }
        identities::set_profile(db, user, &name, email).await?;
        let actor = self.provider_actor(db, p, user).await?;
        let before = Profile {
            name: &old_name,
            email: &old_email,
        };
        let after = Profile { name: &name, email };
        let change = Change::other(
            Some(org),
            "profile",
            "user",
            user,
            &name,
            Some(&before),
            Some(&after),
        );
        record(db, &actor, change).await?;
        Ok(())
    }

    async fn sync_role(
        &self,
        db: &mut AnyConnection,
        p: &ProviderSettings,
        org: Uuid,
        user: Uuid,
        role: Role,
    ) -> Result<(), SsoError> {
        let before = users::get_org_user(db, org, user).await?;
        match &before {
            Some(b) if b.role == role => return Ok(()),
            Some(_) => users::set_role(db, org, user, role).await?,
            None => users::insert_membership(db, org, user, role).await?,
        }
        let after = users::get_org_user(db, org, user)
            .await?
            .ok_or_else(|| SsoError::new(Refusal::Unavailable, "membership gone".into()))?;
        let actor = self.provider_actor(db, p, user).await?;
        let change = match &before {
            Some(b) => Change::other(
                Some(org),
                "role",
                "user",
                user,
                &after.name,
                Some(b),
                Some(&after),
            ),
            None => Change::created(Some(org), "user", user, &after.name, &after),
        };
        record(db, &actor, change).await?;
        Ok(())
    }

    /// Keeps the person in exactly the provider-filled teams their groups name, making the
    /// teams that do not exist yet.
    async fn sync_teams(
        &self,
        db: &mut AnyConnection,
        p: &ProviderSettings,
        org: Uuid,
        user: Uuid,
        groups: &[String],
    ) -> Result<(), SsoError> {
        let mut actor = None;
        let mut wanted = BTreeSet::new();
        for group in groups {
            let Some(team_name) = p.team_map.team_of(group) else {
                continue;
            };
            let id = match identities::provider_team(db, org, &p.name, group).await? {
                Some(id) => id,
                None => {
                    let actor = match &actor {
                        Some(a) => a,
                        None => actor.insert(self.provider_actor(db, p, user).await?),
                    };
                    self.make_provider_team(db, actor, p, org, group, &team_name)
                        .await?
                }
            };
            wanted.insert(id);
        }
        let current: BTreeSet<Uuid> = identities::provider_teams_of(db, org, &p.name, user)
            .await?
            .into_iter()
            .collect();
        for (id, add) in wanted
            .difference(&current)
            .map(|id| (*id, true))
            .chain(current.difference(&wanted).map(|id| (*id, false)))
            .collect::<Vec<_>>()
        {
            let team = teams::get(db, id)
                .await?
                .ok_or_else(|| SsoError::new(Refusal::Unavailable, "team gone".into()))?;
            let before = teams::get_member(db, id, user).await?;
            if add {
                teams::add_member(db, id, user).await?;
            } else {
                teams::remove_member(db, id, user).await?;
            }
            let member = match before {
                Some(m) => m,
                None => teams::get_member(db, id, user)
                    .await?
                    .ok_or_else(|| SsoError::new(Refusal::Unavailable, "member gone".into()))?,
            };
            teams::touch(db, id).await?;
            let actor = match &actor {
                Some(a) => a,
                None => actor.insert(self.provider_actor(db, p, user).await?),
            };
            let verb = if add { "member_add" } else { "member_remove" };
            self.record_team_member(db, actor, &team, verb, &member)
                .await?;
        }
        Ok(())
    }

    async fn make_provider_team(
        &self,
        db: &mut AnyConnection,
        actor: &Actor,
        p: &ProviderSettings,
        org: Uuid,
        group: &str,
        name: &str,
    ) -> Result<Uuid, SsoError> {
        // A team kept by hand may have the name: this one says where it comes from.
        let name = if teams::name_taken(db, org, name).await? {
            format!("{name} ({})", p.label)
        } else {
            name.to_string()
        };
        let now = from_micros(now_micros());
        let team = Team {
            id: Uuid::now_v7(),
            organization_id: org,
            name: name.chars().take(NAME_MAX).collect(),
            description: format!("Filled from the group '{group}' of {}", p.label),
            provider: Some(p.name.clone()),
            provider_group: Some(group.to_string()),
            created_at: now,
            updated_at: now,
            member_count: 0,
            workspace_count: 0,
            role: None,
        };
        teams::insert(db, &team).await?;
        record(
            db,
            actor,
            Change::created(Some(org), "team", team.id, &team.name, &team),
        )
        .await?;
        Ok(team.id)
    }

    /// Takes someone the provider no longer lets in out of the organization (its workspaces
    /// and teams too); with no organization left, their sessions end and tokens are revoked.
    async fn leave_org(
        &self,
        db: &mut AnyConnection,
        p: &ProviderSettings,
        org: Uuid,
        user: Uuid,
    ) -> Result<(), SsoError> {
        let Some(before) = users::get_org_user(db, org, user).await? else {
            return Ok(());
        };
        let actor = self.provider_actor(db, p, user).await?;
        workspaces::delete_memberships_in_org(db, org, user).await?;
        users::delete_membership(db, org, user).await?;
        if users::count_memberships(db, user).await? == 0 {
            users::lock_out(db, user).await?;
        }
        record(
            db,
            &actor,
            Change::deleted(Some(org), "user", user, &before.name, &before),
        )
        .await?;
        Ok(())
    }
}

/// `name`, or `name (2)`, `name (3)`… whichever nobody else has; `user` keeps their own.
async fn free_name(
    db: &mut AnyConnection,
    name: &str,
    user: Option<Uuid>,
) -> Result<String, SsoError> {
    for n in 1..1000 {
        let candidate = if n == 1 {
            name.to_string()
        } else {
            format!("{name} ({n})")
        };
        match identities::name_owner(db, &candidate).await? {
            None => return Ok(candidate),
            Some(owner) if Some(owner) == user => return Ok(candidate),
            Some(_) => {}
        }
    }
    Err(SsoError::new(
        Refusal::Unavailable,
        "no free user name".into(),
    ))
}
