//! Environments and their tags.

use super::Sql;
use super::{named_row, uuid_col};
use crate::db::{from_micros, Backend};
use model::environment::{Environment, EnvironmentQuery, EnvironmentSort, EnvironmentState};
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

const COLUMNS: &str = "id, organization_id, name, description, owner_id, tags, created_at, updated_at, \
    archived_at, deleted_at, \
    (SELECT COUNT(*) FROM environment_connections ec WHERE ec.environment_id = environments.id) AS connection_count, \
    (SELECT COUNT(*) FROM workspace_environments we WHERE we.environment_id = environments.id) AS workspace_count";

fn environment(r: &sqlx::any::AnyRow) -> Result<Environment, sqlx::Error> {
    let tags: String = r.try_get("tags")?;
    let archived_at: Option<i64> = r.try_get("archived_at")?;
    let deleted_at: Option<i64> = r.try_get("deleted_at")?;
    let connection_count = r.try_get::<i64, _>("connection_count")?.max(0) as u64;
    Ok(Environment {
        id: uuid_col(r, "id")?,
        organization_id: uuid_col(r, "organization_id")?,
        name: r.try_get("name")?,
        description: r.try_get("description")?,
        owner: uuid_col(r, "owner_id")?,
        tags: serde_json::from_str(&tags).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
        connection_count,
        workspace_count: r.try_get::<i64, _>("workspace_count")?.max(0) as u64,
        status_summary: Default::default(),
        health_summary: Default::default(),
        state: EnvironmentState::of(
            connection_count,
            archived_at.is_some(),
            deleted_at.is_some(),
        ),
        archived_at: archived_at.map(from_micros),
        deleted_at: deleted_at.map(from_micros),
        created_at: from_micros(r.try_get("created_at")?),
        updated_at: from_micros(r.try_get("updated_at")?),
    })
}

/// Which environments a list covers.
#[derive(Default)]
pub struct Scope {
    pub org: Uuid,
    /// Only those this organization member reaches through their workspaces.
    pub member: Option<Uuid>,
    /// Only those in this workspace.
    pub in_workspace: Option<Uuid>,
    /// Only those not in this workspace.
    pub not_in_workspace: Option<Uuid>,
    /// Only those holding this connection.
    pub holding: Option<Uuid>,
}

/// The WHERE clause shared by a page and its count.
fn filtered(select: &str, backend: Backend, scope: &Scope, q: &EnvironmentQuery) -> Sql {
    let org = scope.org;
    let mut sql = Sql::new(select);
    sql.push(" FROM environments WHERE organization_id = ")
        .bind(org);
    if let Some(user) = scope.member {
        super::reach::environments_of(&mut sql, "id", user);
    }
    if let Some(w) = scope.in_workspace {
        sql.push(
            " AND id IN (SELECT environment_id FROM workspace_environments WHERE workspace_id = ",
        )
        .bind(w)
        .push(")");
    }
    if let Some(c) = scope.holding {
        sql.push(
            " AND id IN (SELECT environment_id FROM environment_connections WHERE connection_id = ",
        )
        .bind(c)
        .push(")");
    }
    if let Some(w) = scope.not_in_workspace {
        sql.push(
            " AND id NOT IN (SELECT environment_id FROM workspace_environments WHERE workspace_id = ",
        )
        .bind(w)
        .push(")");
    }
    let f = &q.filter;
    let has_connections = "EXISTS (SELECT 1 FROM environment_connections ec WHERE ec.environment_id = environments.id)";
    if f.deleted {
        sql.push(" AND deleted_at IS NOT NULL");
    } else {
        sql.push(" AND deleted_at IS NULL");
        match f.state {
            Some(EnvironmentState::Archived) => sql.push(" AND archived_at IS NOT NULL"),
            Some(EnvironmentState::Active) => {
                sql.push(&format!(" AND archived_at IS NULL AND {has_connections}"))
            }
            Some(EnvironmentState::Empty) => sql.push(&format!(
                " AND archived_at IS NULL AND NOT {has_connections}"
            )),
            // The workspace screens, and a connection's environments, list what is assigned
            // whatever its state (as the connection's embedded list does).
            _ if scope.in_workspace.is_some() || scope.holding.is_some() => &mut sql,
            _ => sql.push(" AND archived_at IS NULL"),
        };
        if f.unused {
            sql.push(&format!(
                " AND (NOT {has_connections} OR NOT EXISTS (SELECT 1 FROM workspace_environments we WHERE we.environment_id = environments.id))"
            ));
        }
    }
    if let Some(search) = &q.list.search {
        super::push_search(&mut sql, backend, "environments", search);
    }
    // Environments carrying every tag: one primary-key probe of environment_tags per tag and
    // row. (A grouped IN-subquery was planned as a nested loop that re-ran the grouping for
    // every row on PostgreSQL before its statistics caught up: seconds at 10k rows.)
    for tag in &q.filter.tags {
        sql.push(
            " AND EXISTS (SELECT 1 FROM environment_tags t WHERE t.environment_id = environments.id AND t.tag = ",
        )
        .bind(tag.as_str())
        .push(")");
    }
    sql
}

/// One page and the size of the whole filtered set: two queries.
pub async fn list(
    db: &mut AnyConnection,
    scope: &Scope,
    q: &EnvironmentQuery,
) -> Result<(Vec<Environment>, u64), sqlx::Error> {
    let column = match q.list.order.field {
        EnvironmentSort::Name => "sort_key",
        EnvironmentSort::CreatedAt => "created_at",
        EnvironmentSort::UpdatedAt => "updated_at",
    };
    let backend = Backend::of(db);
    let (mut items, total) = super::page_and_count(
        db,
        |select| filtered(select, backend, scope, q),
        &format!("SELECT {COLUMNS}"),
        (column, "id"),
        &q.list,
        environment,
    )
    .await?;
    attach_status_summaries(db, &mut items).await?;
    Ok((items, total))
}

/// Fills in each environment's connection counts by status and by health: one query for the
/// whole page.
pub async fn attach_status_summaries(
    db: &mut AnyConnection,
    items: &mut [Environment],
) -> Result<(), sqlx::Error> {
    if items.is_empty() {
        return Ok(());
    }
    let mut sql = Sql::new(
        "SELECT ec.environment_id, c.status, c.health_state, COUNT(*) AS n FROM environment_connections ec \
         JOIN connections c ON c.id = ec.connection_id WHERE ec.environment_id IN (",
    );
    sql.bind_ids(items.iter().map(|e| e.id))
        .push(") GROUP BY ec.environment_id, c.status, c.health_state");
    for r in sql.query().fetch_all(&mut *db).await? {
        let env = uuid_col(&r, "environment_id")?;
        if let Some(e) = items.iter_mut().find(|e| e.id == env) {
            let mut counts = super::connections::Summaries {
                status: std::mem::take(&mut e.status_summary),
                health: std::mem::take(&mut e.health_summary),
            };
            counts.add(
                r.try_get("status")?,
                &r.try_get::<String, _>("health_state")?,
                r.try_get("n")?,
            );
            (e.status_summary, e.health_summary) = (counts.status, counts.health);
        }
    }
    Ok(())
}

/// The tags in use in an organization, for the tag field's suggestions.
pub async fn tags(db: &mut AnyConnection, org: Uuid) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query(
        "SELECT DISTINCT tag FROM environment_tags WHERE organization_id = $1 ORDER BY tag LIMIT 500",
    )
    .bind(org.to_string())
    .fetch_all(&mut *db)
    .await?
    .iter()
    .map(|r| r.try_get("tag"))
    .collect()
}

/// The ids of every environment in scope matching the query (at most `limit`).
pub async fn ids(
    db: &mut AnyConnection,
    scope: &Scope,
    q: &EnvironmentQuery,
    limit: usize,
) -> Result<Vec<model::list::Named>, sqlx::Error> {
    let mut sql = filtered("SELECT id, name", Backend::of(db), scope, q);
    sql.push(" ORDER BY id LIMIT ").bind(limit as i64);
    sql.query()
        .fetch_all(&mut *db)
        .await?
        .iter()
        .map(named_row)
        .collect()
}

pub async fn get(db: &mut AnyConnection, id: Uuid) -> Result<Option<Environment>, sqlx::Error> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM environments WHERE id = $1"))
        .bind(id.to_string())
        .fetch_optional(&mut *db)
        .await?;
    row.as_ref().map(environment).transpose()
}

fn search_text(e: &Environment) -> String {
    format!("{} {}", e.name, e.description).to_lowercase()
}

async fn replace_tags(db: &mut AnyConnection, e: &Environment) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM environment_tags WHERE environment_id = $1")
        .bind(e.id.to_string())
        .execute(&mut *db)
        .await?;
    for tag in &e.tags {
        sqlx::query("INSERT INTO environment_tags (environment_id, organization_id, tag) VALUES ($1, $2, $3)")
            .bind(e.id.to_string())
            .bind(e.organization_id.to_string())
            .bind(tag.clone())
            .execute(&mut *db)
            .await?;
    }
    Ok(())
}

fn tags_json(e: &Environment) -> String {
    serde_json::to_string(&e.tags).unwrap_or_else(|_| "[]".into())
}

pub async fn insert(db: &mut AnyConnection, e: &Environment) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO environments (id, organization_id, name, name_key, description, search_text, owner_id, tags, \
         created_at, updated_at, sort_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(e.id.to_string())
    .bind(e.organization_id.to_string())
    .bind(e.name.clone())
    .bind(e.name.to_lowercase())
    .bind(e.description.clone())
    .bind(search_text(e))
    .bind(e.owner.to_string())
    .bind(tags_json(e))
    .bind(e.created_at.timestamp_micros())
    .bind(e.updated_at.timestamp_micros())
    .bind(model::text::sort_key(&e.name))
    .execute(&mut *db)
    .await?;
    replace_tags(db, e).await
}

pub async fn update(db: &mut AnyConnection, e: &Environment) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE environments SET name = $1, name_key = $2, description = $3, search_text = $4, tags = $5, \
         updated_at = $6, sort_key = $8 WHERE id = $7",
    )
    .bind(e.name.clone())
    .bind(e.name.to_lowercase())
    .bind(e.description.clone())
    .bind(search_text(e))
    .bind(tags_json(e))
    .bind(e.updated_at.timestamp_micros())
    .bind(e.id.to_string())
    .bind(model::text::sort_key(&e.name))
    .execute(&mut *db)
    .await?;
    replace_tags(db, e).await
}

pub async fn delete(db: &mut AnyConnection, id: Uuid) -> Result<(), sqlx::Error> {
    super::delete_by_id(db, "environments", id).await
}

/// Sets or clears the archived or deleted moment of one environment.
pub async fn set_lifecycle(
    db: &mut AnyConnection,
    id: Uuid,
    column: &'static str,
    at: Option<i64>,
    updated_at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(&format!(
        "UPDATE environments SET {column} = $1, updated_at = $2 WHERE id = $3"
    ))
    .bind(at)
    .bind(updated_at)
    .bind(id.to_string())
    .execute(&mut *db)
    .await?;
    Ok(())
}

/// Renames (a restore into a name taken meanwhile).
pub async fn rename(db: &mut AnyConnection, e: &Environment) -> Result<(), sqlx::Error> {
    update(db, e).await
}

/// Whether a living environment of the organization other than `except` has this name.
pub async fn live_name_taken(
    db: &mut AnyConnection,
    org: Uuid,
    name: &str,
    except: Uuid,
) -> Result<bool, sqlx::Error> {
    let row = sqlx::query(
        "SELECT id FROM environments WHERE organization_id = $1 AND name_key = $2 AND deleted_at IS NULL AND id <> $3",
    )
    .bind(org.to_string())
    .bind(name.to_lowercase())
    .bind(except.to_string())
    .fetch_optional(&mut *db)
    .await?;
    Ok(row.is_some())
}
