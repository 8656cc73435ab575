//! An organization's people: admins add them (with a one-time password), change their role and
//! remove them; everyone changes their own password.

use super::access::permit;
use super::passwords::{self, generate_password};
use super::{record, resolve_org, Change, Service};
use crate::actor::Actor;
use crate::store::{users, workspaces};
use model::access::{Op, Standing};
use model::error::is_unique_violation;
use model::error::{ApiError, ErrorCode};
use model::list::Recheck;
use model::user::{
    check_password, CreatedUser, NewUser, OrgUser, PasswordChange, Role, UserPage, UserQuery,
};
use model::workspace::{parse_role, RoleUpdate};
use sqlx::AnyConnection;
use uuid::Uuid;

impl Service {
    /// The person whose password `actor` may reset in `org`: refused when they also belong to
    /// an organization the actor does not administer (an admin here must not take over an
    /// account that answers elsewhere).
    async fn reset_target(
        &self,
        db: &mut AnyConnection,
        actor: &Actor,
        org: Option<Uuid>,
        user: Uuid,
    ) -> Result<(Uuid, OrgUser), ApiError> {
        let (org, target) = self
            .org_user_for(db, actor, org, user, "reset passwords")
            .await?;
        let elsewhere = users::org_ids(db, user).await?.into_iter().any(|o| {
            o != org
                && actor
                    .user
                    .membership(o)
                    .is_none_or(|m| m.role != Role::Admin)
        });
        if elsewhere {
            return Err(ApiError::forbidden(
                "this person also belongs to an organization you do not administer: they reset their own password, or an admin of every one of their organizations does",
            ));
        }
        Ok((org, target))
    }
    /// The organization an admin acts in, and the user of it they act on.
    async fn org_user_for(
        &self,
        db: &mut AnyConnection,
        actor: &Actor,
        org: Option<Uuid>,
        user: Uuid,
        doing: &str,
    ) -> Result<(Uuid, OrgUser), ApiError> {
        let (org, role) = resolve_org(actor, org)?;
        permit(Standing::in_org(role), Op::ManageOrgMembers, doing)?;
        let target = users::get_org_user(db, org, user)
            .await?
            .ok_or_else(|| ApiError::not_found("user"))?;
        Ok((org, target))
    }

    /// Refuses a change that would leave the organization without an admin.
    async fn keep_an_admin(
        &self,
        db: &mut AnyConnection,
        org: Uuid,
        target: &OrgUser,
    ) -> Result<(), ApiError> {
        if target.role == Role::Admin && users::count_admins(db, org).await? <= 1 {
            return Err(ApiError::new(
                ErrorCode::Conflict,
                "this is the organization's last admin: make someone else an admin first",
            ));
        }
        Ok(())
    }
}

/// An organization's people, and each user's own password.
impl Service {
    pub async fn list_users(&self, actor: &Actor, query: &UserQuery) -> Result<UserPage, ApiError> {
        let query = &query.rechecked()?;
        let (org, role) = resolve_org(actor, query.org_id)?;
        permit(
            Standing::in_org(role),
            Op::ManageOrgMembers,
            "list the organization's members",
        )?;
        let mut db = self.db.read().await?;
        let (mut users, total_count) = users::list_org_users(&mut db, org, query).await?;
        crate::store::teams::attach_to_users(&mut db, org, &mut users).await?;
        crate::store::teams::attach_access_to_users(&mut db, org, &mut users).await?;
        Ok(UserPage {
            page: query.page,
            page_size: query.page_size,
            total_count,
            users,
        })
    }

    pub async fn create_user(
        &self,
        actor: &Actor,
        input: &NewUser,
    ) -> Result<CreatedUser, ApiError> {
        let (org, role) =
            resolve_org(actor, input.organization_id).map_err(super::body_org_field)?;
        permit(Standing::in_org(role), Op::ManageOrgMembers, "add people")?;
        let (name, email) = input.check()?;
        let member_role = parse_role(input.role.as_deref(), false)?;
        let password = generate_password();
        let hash = passwords::hash(password.clone()).await?;
        let mut tx = self.db.begin().await?;
        let id = users::insert_user(&mut tx, &name, &email, &hash, true)
            .await
            .map_err(|e| {
                if is_unique_violation(&e) {
                    ApiError::new(
                        ErrorCode::NameTaken,
                        format!("a user named '{name}' or with the email '{email}' already exists"),
                    )
                    .with_field("email")
                } else {
                    ApiError::from(e)
                }
            })?;
        users::insert_membership(&mut tx, org, id, member_role).await?;
        let user = users::get_org_user(&mut tx, org, id)
            .await?
            .ok_or_else(ApiError::internal)?;
        record(
            &mut tx,
            actor,
            Change::created(Some(org), "user", id, &user.name, &user),
        )
        .await?;
        tx.commit().await?;
        Ok(CreatedUser {
            user,
            one_time_password: password,
        })
    }

    pub async fn update_user_role(
        &self,
        actor: &Actor,
        org: Option<Uuid>,
        user: Uuid,
        input: &RoleUpdate,
    ) -> Result<OrgUser, ApiError> {
        let role = parse_role(input.role.as_deref(), true)?;
        let mut tx = self.db.begin().await?;
        let (org, before) = self
            .org_user_for(&mut tx, actor, org, user, "change roles")
            .await?;
        if before.role == role {
            return Ok(before);
        }
        self.keep_an_admin(&mut tx, org, &before).await?;
        users::set_role(&mut tx, org, user, role).await?;
        let after = OrgUser {
            role,
            ..before.clone()
        };
        let change = Change::other(
            Some(org),
            "role",
            "user",
            user,
            &after.name,
            Some(&before),
            Some(&after),
        );
        record(&mut tx, actor, change).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Takes the user out of the organization and its workspaces.
    pub async fn remove_user(
        &self,
        actor: &Actor,
        org: Option<Uuid>,
        user: Uuid,
    ) -> Result<(), ApiError> {
        let mut tx = self.db.begin().await?;
        let (org, before) = self
            .org_user_for(&mut tx, actor, org, user, "remove people")
            .await?;
        self.keep_an_admin(&mut tx, org, &before).await?;
        workspaces::delete_memberships_in_org(&mut tx, org, user).await?;
        users::delete_membership(&mut tx, org, user).await?;
        // Someone who belongs nowhere any more keeps no way in.
        if users::count_memberships(&mut tx, user).await? == 0 {
            users::lock_out(&mut tx, user).await?;
        }
        record(
            &mut tx,
            actor,
            Change::deleted(Some(org), "user", user, &before.name, &before),
        )
        .await?;
        tx.commit().await.map_err(ApiError::from)
    }

    /// Gives someone a new one-time password (shown once) and ends all their sessions.
    pub async fn reset_password(
        &self,
        actor: &Actor,
        org: Option<Uuid>,
        user: Uuid,
    ) -> Result<CreatedUser, ApiError> {
        if user == actor.user.id {
            return Err(ApiError::new(
                ErrorCode::Conflict,
                "change your own password in Settings (PUT /api/me/password)",
            ));
        }
        // Who may reset is settled before any hashing, so that nobody else can make the
        // server hash; it is settled again in the transaction that writes.
        let mut conn = self.db.read().await?;
        let (org, _) = self.reset_target(&mut conn, actor, org, user).await?;
        drop(conn);
        let password = generate_password();
        let hash = passwords::hash(password.clone()).await?;
        let mut tx = self.db.begin().await?;
        let (org, target) = self.reset_target(&mut tx, actor, Some(org), user).await?;
        users::set_password(&mut tx, user, &hash, true).await?;
        // Whoever held the old password is out, everywhere.
        crate::store::sessions::delete_all(&mut tx, user, None).await?;
        let after = users::get_org_user(&mut tx, org, user)
            .await?
            .ok_or_else(ApiError::internal)?;
        let change = Change::other(
            Some(org),
            "password_reset",
            "user",
            user,
            &target.name,
            Some(&target),
            Some(&after),
        );
        record(&mut tx, actor, change).await?;
        tx.commit().await?;
        Ok(CreatedUser {
            user: after,
            one_time_password: password,
        })
    }

    pub async fn change_password(
        &self,
        actor: &Actor,
        input: &PasswordChange,
    ) -> Result<(), ApiError> {
        let current = input.current_password.as_deref().unwrap_or("");
        let new = input.new_password.as_deref().unwrap_or("");
        check_password(new).map_err(|m| ApiError::validation("new_password", m))?;
        if new == current {
            return Err(ApiError::validation(
                "new_password",
                "the new password must differ from the current one",
            ));
        }
        let mut conn = self.db.read().await?;
        let stored = users::password_hash(&mut conn, actor.user.id).await?;
        drop(conn);
        if !passwords::verify(current.to_string(), stored).await? {
            return Err(ApiError::validation(
                "current_password",
                "the current password is wrong",
            ));
        }
        let hash = passwords::hash(new.to_string()).await?;
        let mut tx = self.db.begin().await?;
        users::set_password(&mut tx, actor.user.id, &hash, false).await?;
        // Whoever knew the old password is signed out everywhere but here.
        crate::store::sessions::delete_all(&mut tx, actor.user.id, actor.session_id.as_deref())
            .await?;
        super::audit::record_own::<()>(&mut tx, actor, "password_change", None).await?;
        tx.commit().await.map_err(ApiError::from)
    }
}
