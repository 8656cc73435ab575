//! The environment–connection mapping, in batches: statements carry at most CHUNK ids, so a
//! 10,000-id change is a few dozen statements in one transaction.

use super::{uuid_col, Sql};
use crate::db::now_micros;
use sqlx::{AnyConnection, Row};
use std::collections::HashSet;
use uuid::Uuid;

const CHUNK: usize = 500;

fn in_list(sql: &mut Sql, ids: &[Uuid]) {
    sql.push(" IN (");
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.bind(*id);
    }
    sql.push(")");
}

/// Which of `ids` are connections of the organization.
pub async fn existing(
    db: &mut AnyConnection,
    org: Uuid,
    ids: &[Uuid],
) -> Result<HashSet<Uuid>, sqlx::Error> {
    let mut found = HashSet::with_capacity(ids.len());
    for chunk in ids.chunks(CHUNK) {
        let mut sql = Sql::new("SELECT id FROM connections WHERE organization_id = ");
        sql.bind(org).push(" AND id");
        in_list(&mut sql, chunk);
        for r in sql.query().fetch_all(&mut *db).await? {
            found.insert(uuid_col(&r, "id")?);
        }
    }
    Ok(found)
}

/// Which of `ids` are in the environment.
pub async fn assigned(
    db: &mut AnyConnection,
    env: Uuid,
    ids: &[Uuid],
) -> Result<HashSet<Uuid>, sqlx::Error> {
    let mut found = HashSet::with_capacity(ids.len());
    for chunk in ids.chunks(CHUNK) {
        let mut sql =
            Sql::new("SELECT connection_id FROM environment_connections WHERE environment_id = ");
        sql.bind(env).push(" AND connection_id");
        in_list(&mut sql, chunk);
        for r in sql.query().fetch_all(&mut *db).await? {
            found.insert(uuid_col(&r, "connection_id")?);
        }
    }
    Ok(found)
}

/// Adds mappings, skipping those that exist; returns how many were new.
pub async fn add(db: &mut AnyConnection, env: Uuid, ids: &[Uuid]) -> Result<u64, sqlx::Error> {
    let now = now_micros();
    let mut added = 0;
    for chunk in ids.chunks(CHUNK) {
        let mut sql = Sql::new("INSERT INTO environment_connections (environment_id, connection_id, created_at) VALUES ");
        for (i, id) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.push("(")
                .bind(env)
                .push(", ")
                .bind(*id)
                .push(", ")
                .bind(now)
                .push(")");
        }
        sql.push(" ON CONFLICT (environment_id, connection_id) DO NOTHING");
        added += sql.query().execute(&mut *db).await?.rows_affected();
    }
    Ok(added)
}

pub async fn remove(db: &mut AnyConnection, env: Uuid, ids: &[Uuid]) -> Result<u64, sqlx::Error> {
    let mut removed = 0;
    for chunk in ids.chunks(CHUNK) {
        let mut sql = Sql::new("DELETE FROM environment_connections WHERE environment_id = ");
        sql.bind(env).push(" AND connection_id");
        in_list(&mut sql, chunk);
        removed += sql.query().execute(&mut *db).await?.rows_affected();
    }
    Ok(removed)
}

pub async fn count(db: &mut AnyConnection, env: Uuid) -> Result<u64, sqlx::Error> {
    let n: i64 =
        sqlx::query("SELECT COUNT(*) AS n FROM environment_connections WHERE environment_id = $1")
            .bind(env.to_string())
            .fetch_one(&mut *db)
            .await?
            .try_get("n")?;
    Ok(n.max(0) as u64)
}
