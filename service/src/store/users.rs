//! Organizations, users and memberships.

use super::uuid_col as uuid;
use crate::db::now_micros;
use model::user::{Me, OrgMembership, OrgUser, Role, UserQuery, UserSort, WorkspaceMembership};
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

pub struct LoginRow {
    pub id: Uuid,
    pub password_hash: String,
}

/// A user by name or email, both compared lower-cased.
pub async fn find_login(
    db: &mut AnyConnection,
    login: &str,
) -> Result<Option<LoginRow>, sqlx::Error> {
    let key = login.trim().to_lowercase();
    let row =
        sqlx::query("SELECT id, password_hash FROM users WHERE name_key = $1 OR email_key = $1")
            .bind(key)
            .fetch_optional(&mut *db)
            .await?;
    row.map(|r| {
        Ok(LoginRow {
            id: uuid(&r, "id")?,
            password_hash: r.try_get("password_hash")?,
        })
    })
    .transpose()
}

pub async fn find_user_id(
    db: &mut AnyConnection,
    name_or_email: &str,
) -> Result<Option<Uuid>, sqlx::Error> {
    Ok(find_login(db, name_or_email).await?.map(|r| r.id))
}

/// The user with their organizations and workspaces: three queries whatever their number.
pub async fn load_me(db: &mut AnyConnection, user_id: Uuid) -> Result<Option<Me>, sqlx::Error> {
    let Some(u) = sqlx::query(&format!(
        "SELECT id, name, email, {MUST_CHANGE} FROM users WHERE id = $1"
    ))
    .bind(user_id.to_string())
    .fetch_optional(&mut *db)
    .await?
    else {
        return Ok(None);
    };
    let orgs = sqlx::query(
        "SELECT o.id, o.name, m.role FROM memberships m JOIN organizations o ON o.id = m.organization_id \
         WHERE m.user_id = $1 ORDER BY o.name_key",
    )
    .bind(user_id.to_string())
    .fetch_all(&mut *db)
    .await?;
    let organizations = orgs
        .iter()
        .map(|r| {
            let role: String = r.try_get("role")?;
            Ok(OrgMembership {
                id: uuid(r, "id")?,
                name: r.try_get("name")?,
                role: Role::parse(&role).unwrap_or(Role::Member),
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let workspaces = sqlx::query(
        // Once per workspace with the strongest role, however many ways it is reached (as a
        // member, through teams): 'admin' sorts before 'member', so MIN is the strongest.
        "SELECT w.id, w.name, w.organization_id, MIN(wa.role) AS role FROM workspace_access wa \
         JOIN workspaces w ON w.id = wa.workspace_id WHERE wa.user_id = $1 \
         GROUP BY w.id, w.name, w.organization_id, w.name_key ORDER BY w.name_key, w.id",
    )
    .bind(user_id.to_string())
    .fetch_all(&mut *db)
    .await?
    .iter()
    .map(|r| {
        let role: String = r.try_get("role")?;
        Ok(WorkspaceMembership {
            id: uuid(r, "id")?,
            name: r.try_get("name")?,
            role: Role::parse(&role).unwrap_or(Role::Member),
            organization_id: uuid(r, "organization_id")?,
        })
    })
    .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(Some(Me {
        id: uuid(&u, "id")?,
        name: u.try_get("name")?,
        email: u.try_get("email")?,
        organizations,
        workspaces,
        must_change_password: u.try_get::<i64, _>("must_change")? != 0,
    }))
}

pub async fn count_users(db: &mut AnyConnection) -> Result<i64, sqlx::Error> {
    sqlx::query("SELECT COUNT(*) AS n FROM users")
        .fetch_one(&mut *db)
        .await?
        .try_get("n")
}

pub async fn find_org(
    db: &mut AnyConnection,
    name_or_id: &str,
) -> Result<Option<Uuid>, sqlx::Error> {
    let row = sqlx::query("SELECT id FROM organizations WHERE name_key = $1 OR id = $2")
        .bind(name_or_id.trim().to_lowercase())
        .bind(name_or_id.trim().to_string())
        .fetch_optional(&mut *db)
        .await?;
    row.map(|r| uuid(&r, "id")).transpose()
}

pub async fn insert_org(db: &mut AnyConnection, name: &str) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO organizations (id, name, name_key, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(id.to_string())
    .bind(name.trim().to_string())
    .bind(name.trim().to_lowercase())
    .bind(now_micros())
    .execute(&mut *db)
    .await?;
    Ok(id)
}

/// A new user; `must_change_password` for a one-time password handed out by an admin.
pub async fn insert_user(
    db: &mut AnyConnection,
    name: &str,
    email: &str,
    password_hash: &str,
    must_change_password: bool,
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    let flag = super::bool_sql(must_change_password);
    sqlx::query(&format!(
        "INSERT INTO users (id, name, name_key, email, email_key, password_hash, must_change_password, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, {flag}, $7)"
    ))
    .bind(id.to_string())
    .bind(name.to_string())
    .bind(name.to_lowercase())
    .bind(email.to_string())
    .bind(email.to_lowercase())
    .bind(password_hash.to_string())
    .bind(now_micros())
    .execute(&mut *db)
    .await?;
    Ok(id)
}

pub async fn insert_membership(
    db: &mut AnyConnection,
    org: Uuid,
    user: Uuid,
    role: Role,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO memberships (organization_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)")
        .bind(org.to_string())
        .bind(user.to_string())
        .bind(role.as_str())
        .bind(now_micros())
        .execute(&mut *db)
        .await?;
    Ok(())
}

/// The organization's longest-standing admin.
pub async fn first_admin(db: &mut AnyConnection, org: Uuid) -> Result<Option<Uuid>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT user_id FROM memberships WHERE organization_id = $1 AND role = 'admin' ORDER BY created_at, user_id LIMIT 1",
    )
    .bind(org.to_string())
    .fetch_optional(&mut *db)
    .await?;
    row.map(|r| uuid(&r, "user_id")).transpose()
}

pub async fn find_by_email(
    db: &mut AnyConnection,
    email: &str,
) -> Result<Option<Uuid>, sqlx::Error> {
    let row = sqlx::query("SELECT id FROM users WHERE email_key = $1")
        .bind(email.trim().to_lowercase())
        .fetch_optional(&mut *db)
        .await?;
    row.map(|r| uuid(&r, "id")).transpose()
}

/// The user's role in the organization, if they belong to it.
pub async fn org_role(
    db: &mut AnyConnection,
    org: Uuid,
    user: Uuid,
) -> Result<Option<Role>, sqlx::Error> {
    super::role_of(
        db,
        "SELECT role FROM memberships WHERE organization_id = $1 AND user_id = $2",
        org,
        user,
    )
    .await
}

/// The flag as an integer: booleans come back from SQLite through `Any` as integers.
const MUST_CHANGE: &str =
    "CAST(CASE WHEN must_change_password THEN 1 ELSE 0 END AS BIGINT) AS must_change";

const ORG_USER_COLUMNS: &str = "u.id, u.name, u.email, u.created_at, m.role, \
    CAST(CASE WHEN u.must_change_password THEN 1 ELSE 0 END AS BIGINT) AS must_change";

const ORG_USERS_FROM: &str = " FROM memberships m JOIN users u ON u.id = m.user_id";

fn org_user(r: &sqlx::any::AnyRow) -> Result<OrgUser, sqlx::Error> {
    let role: String = r.try_get("role")?;
    Ok(OrgUser {
        id: uuid(r, "id")?,
        name: r.try_get("name")?,
        email: r.try_get("email")?,
        role: Role::parse(&role).unwrap_or(Role::Member),
        must_change_password: r.try_get::<i64, _>("must_change")? != 0,
        created_at: crate::db::from_micros(r.try_get("created_at")?),
        teams: Vec::new(),
        team_count: 0,
        access: Vec::new(),
        access_count: 0,
    })
}

fn org_users_filtered(select: &str, org: Uuid, q: &UserQuery) -> super::Sql {
    let mut sql = super::Sql::new(select);
    sql.push(ORG_USERS_FROM)
        .push(" WHERE m.organization_id = ")
        .bind(org);
    if let Some(search) = &q.search {
        super::push_person_search(&mut sql, search);
    }
    sql
}

/// One page of an organization's users and their count.
pub async fn list_org_users(
    db: &mut AnyConnection,
    org: Uuid,
    q: &UserQuery,
) -> Result<(Vec<OrgUser>, u64), sqlx::Error> {
    let column = match q.order.field {
        UserSort::Name => "u.name_key",
        UserSort::Email => "u.email_key",
        UserSort::CreatedAt => "u.created_at",
    };
    super::page_and_count(
        db,
        |select| org_users_filtered(select, org, q),
        &format!("SELECT {ORG_USER_COLUMNS}"),
        (column, "u.id"),
        q,
        org_user,
    )
    .await
}

pub async fn get_org_user(
    db: &mut AnyConnection,
    org: Uuid,
    user: Uuid,
) -> Result<Option<OrgUser>, sqlx::Error> {
    let row = sqlx::query(&format!(
        "SELECT {ORG_USER_COLUMNS}{ORG_USERS_FROM} WHERE m.organization_id = $1 AND m.user_id = $2"
    ))
    .bind(org.to_string())
    .bind(user.to_string())
    .fetch_optional(&mut *db)
    .await?;
    row.as_ref().map(org_user).transpose()
}

pub async fn set_role(
    db: &mut AnyConnection,
    org: Uuid,
    user: Uuid,
    role: Role,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE memberships SET role = $1 WHERE organization_id = $2 AND user_id = $3")
        .bind(role.as_str())
        .bind(org.to_string())
        .bind(user.to_string())
        .execute(&mut *db)
        .await?;
    Ok(())
}

pub async fn delete_membership(
    db: &mut AnyConnection,
    org: Uuid,
    user: Uuid,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM memberships WHERE organization_id = $1 AND user_id = $2")
        .bind(org.to_string())
        .bind(user.to_string())
        .execute(&mut *db)
        .await?;
    Ok(())
}

pub async fn count_admins(db: &mut AnyConnection, org: Uuid) -> Result<u64, sqlx::Error> {
    let n: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM memberships WHERE organization_id = $1 AND role = 'admin'",
    )
    .bind(org.to_string())
    .fetch_one(&mut *db)
    .await?
    .try_get("n")?;
    Ok(n.max(0) as u64)
}

pub async fn count_memberships(db: &mut AnyConnection, user: Uuid) -> Result<u64, sqlx::Error> {
    let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM memberships WHERE user_id = $1")
        .bind(user.to_string())
        .fetch_one(&mut *db)
        .await?
        .try_get("n")?;
    Ok(n.max(0) as u64)
}

/// Ends every session and revokes every token of a user who no longer belongs anywhere.
pub async fn lock_out(db: &mut AnyConnection, user: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user.to_string())
        .execute(&mut *db)
        .await?;
    sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
        .bind(now_micros())
        .bind(user.to_string())
        .execute(&mut *db)
        .await?;
    Ok(())
}

pub async fn password_hash(
    db: &mut AnyConnection,
    user: Uuid,
) -> Result<Option<String>, sqlx::Error> {
    let row = sqlx::query("SELECT password_hash FROM users WHERE id = $1")
        .bind(user.to_string())
        .fetch_optional(&mut *db)
        .await?;
    row.map(|r| r.try_get("password_hash")).transpose()
}

/// Replaces the password; the user chose it, so it need not be changed again.
/// Sets a password; with `one_time`, one that must be changed at the next sign-in.
pub async fn set_password(
    db: &mut AnyConnection,
    user: Uuid,
    hash: &str,
    one_time: bool,
) -> Result<(), sqlx::Error> {
    let flag = super::bool_sql(one_time);
    sqlx::query(&format!(
        "UPDATE users SET password_hash = $1, must_change_password = {flag} WHERE id = $2"
    ))
    .bind(hash.to_string())
    .bind(user.to_string())
    .execute(&mut *db)
    .await?;
    Ok(())
}

/// The organizations a user belongs to (for recording what happens to their account).
pub async fn org_ids(db: &mut AnyConnection, user: Uuid) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query("SELECT organization_id FROM memberships WHERE user_id = $1")
        .bind(user.to_string())
        .fetch_all(&mut *db)
        .await?
        .iter()
        .map(|r| uuid(r, "organization_id"))
        .collect()
}
