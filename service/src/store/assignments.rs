//! Many-to-many mappings (environment–connection, workspace–environment, workspace–team; a
//! workspace's teams take the table's default role, `member`, when added here), in batches:
//! statements carry at most CHUNK ids, so a 10,000-id change is a few dozen statements in one
//! transaction.

use super::{uuid_col, Sql};
use crate::db::now_micros;
use sqlx::{AnyConnection, Row};
use std::collections::HashSet;
use uuid::Uuid;

const CHUNK: usize = 500;

/// One mapping table: a parent holds children.
pub struct Link {
    pub table: &'static str,
    /// The parents' own table, whose `updated_at` a change of their children moves.
    pub parent_table: &'static str,
    pub parent: &'static str,
    pub child: &'static str,
    /// The children's own table, whose rows carry an organization_id.
    pub child_table: &'static str,
    /// Which children may be mapped at all (environments in the trash may not).
    pub child_condition: &'static str,
}

pub const ENVIRONMENT_CONNECTIONS: Link = Link {
    table: "environment_connections",
    parent_table: "environments",
    parent: "environment_id",
    child: "connection_id",
    child_table: "connections",
    child_condition: "",
};

pub const WORKSPACE_ENVIRONMENTS: Link = Link {
    table: "workspace_environments",
    parent_table: "workspaces",
    parent: "workspace_id",
    child: "environment_id",
    child_table: "environments",
    child_condition: " AND deleted_at IS NULL",
};

pub const WORKSPACE_TEAMS: Link = Link {
    table: "workspace_teams",
    parent_table: "workspaces",
    parent: "workspace_id",
    child: "team_id",
    child_table: "teams",
    child_condition: "",
};

fn in_list(sql: &mut Sql, ids: &[Uuid]) {
    sql.push(" IN (").bind_ids(ids.iter().copied()).push(")");
}

/// Which of `ids` are children (connections, environments) of the organization.
pub async fn existing(
    db: &mut AnyConnection,
    link: &Link,
    org: Uuid,
    ids: &[Uuid],
) -> Result<HashSet<Uuid>, sqlx::Error> {
    let mut found = HashSet::with_capacity(ids.len());
    for chunk in ids.chunks(CHUNK) {
        let mut sql = Sql::new(&format!(
            "SELECT id FROM {} WHERE organization_id = ",
            link.child_table
        ));
        sql.bind(org).push(link.child_condition).push(" AND id");
        in_list(&mut sql, chunk);
        for r in sql.query().fetch_all(&mut *db).await? {
            found.insert(uuid_col(&r, "id")?);
        }
    }
    Ok(found)
}

/// Which of `ids` the parent holds.
pub async fn assigned(
    db: &mut AnyConnection,
    link: &Link,
    parent: Uuid,
    ids: &[Uuid],
) -> Result<HashSet<Uuid>, sqlx::Error> {
    let mut found = HashSet::with_capacity(ids.len());
    for chunk in ids.chunks(CHUNK) {
        let mut sql = Sql::new(&format!(
            "SELECT {} FROM {} WHERE {} = ",
            link.child, link.table, link.parent
        ));
        sql.bind(parent).push(&format!(" AND {}", link.child));
        in_list(&mut sql, chunk);
        for r in sql.query().fetch_all(&mut *db).await? {
            found.insert(uuid_col(&r, link.child)?);
        }
    }
    Ok(found)
}

/// Adds mappings, skipping those that exist; returns how many were new.
pub async fn add(
    db: &mut AnyConnection,
    link: &Link,
    parent: Uuid,
    ids: &[Uuid],
) -> Result<u64, sqlx::Error> {
    let now = now_micros();
    let mut added = 0;
    for chunk in ids.chunks(CHUNK) {
        let mut sql = Sql::new(&format!(
            "INSERT INTO {} ({}, {}, created_at) VALUES ",
            link.table, link.parent, link.child
        ));
        for (i, id) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.push("(")
                .bind(parent)
                .push(", ")
                .bind(*id)
                .push(", ")
                .bind(now)
                .push(")");
        }
        sql.push(&format!(
            " ON CONFLICT ({}, {}) DO NOTHING",
            link.parent, link.child
        ));
        added += sql.query().execute(&mut *db).await?.rows_affected();
    }
    Ok(added)
}

pub async fn remove(
    db: &mut AnyConnection,
    link: &Link,
    parent: Uuid,
    ids: &[Uuid],
) -> Result<u64, sqlx::Error> {
    let mut removed = 0;
    for chunk in ids.chunks(CHUNK) {
        let mut sql = Sql::new(&format!(
            "DELETE FROM {} WHERE {} = ",
            link.table, link.parent
        ));
        sql.bind(parent).push(&format!(" AND {}", link.child));
        in_list(&mut sql, chunk);
        removed += sql.query().execute(&mut *db).await?.rows_affected();
    }
    Ok(removed)
}

pub async fn count(db: &mut AnyConnection, link: &Link, parent: Uuid) -> Result<u64, sqlx::Error> {
    let n: i64 = sqlx::query(&format!(
        "SELECT COUNT(*) AS n FROM {} WHERE {} = $1",
        link.table, link.parent
    ))
    .bind(parent.to_string())
    .fetch_one(&mut *db)
    .await?
    .try_get("n")?;
    Ok(n.max(0) as u64)
}

/// Marks the parent as changed now (its children changed).
pub async fn touch(db: &mut AnyConnection, link: &Link, parent: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query(&format!(
        "UPDATE {} SET updated_at = $1 WHERE id = $2",
        link.parent_table
    ))
    .bind(now_micros())
    .bind(parent.to_string())
    .execute(&mut *db)
    .await?;
    Ok(())
}
