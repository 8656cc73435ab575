//! Organizations, users and memberships.

use super::uuid_col as uuid;
use crate::db::now_micros;
use app::model::user::{Me, OrgMembership, Role};
use sqlx::{AnyConnection, AnyPool, Row};
use uuid::Uuid;

pub struct LoginRow {
    pub id: Uuid,
    pub password_hash: String,
}

/// A user by name or email, both compared lower-cased.
pub async fn find_login(db: &AnyPool, login: &str) -> Result<Option<LoginRow>, sqlx::Error> {
    let key = login.trim().to_lowercase();
    let row =
        sqlx::query("SELECT id, password_hash FROM users WHERE name_key = $1 OR email_key = $1")
            .bind(key)
            .fetch_optional(db)
            .await?;
    row.map(|r| {
        Ok(LoginRow {
            id: uuid(&r, "id")?,
            password_hash: r.try_get("password_hash")?,
        })
    })
    .transpose()
}

pub async fn find_user_id(db: &AnyPool, name_or_email: &str) -> Result<Option<Uuid>, sqlx::Error> {
    Ok(find_login(db, name_or_email).await?.map(|r| r.id))
}

/// The user with their organizations: two queries whatever their number.
pub async fn load_me(db: &AnyPool, user_id: Uuid) -> Result<Option<Me>, sqlx::Error> {
    let Some(u) = sqlx::query("SELECT id, name, email FROM users WHERE id = $1")
        .bind(user_id.to_string())
        .fetch_optional(db)
        .await?
    else {
        return Ok(None);
    };
    let orgs = sqlx::query(
        "SELECT o.id, o.name, m.role FROM memberships m JOIN organizations o ON o.id = m.organization_id \
         WHERE m.user_id = $1 ORDER BY o.name_key",
    )
    .bind(user_id.to_string())
    .fetch_all(db)
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
    Ok(Some(Me {
        id: uuid(&u, "id")?,
        name: u.try_get("name")?,
        email: u.try_get("email")?,
        organizations,
    }))
}

pub async fn count_users(db: &AnyPool) -> Result<i64, sqlx::Error> {
    sqlx::query("SELECT COUNT(*) AS n FROM users")
        .fetch_one(db)
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

pub async fn insert_user(
    db: &mut AnyConnection,
    name: &str,
    email: &str,
    password_hash: &str,
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO users (id, name, name_key, email, email_key, password_hash, must_change_password, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, FALSE, $7)",
    )
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
