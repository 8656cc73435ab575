//! Workspaces and their members. (Which environments a workspace holds goes through
//! `assignments` with `WORKSPACE_ENVIRONMENTS`.)

use super::{reach, uuid_col, Sql};
use crate::db::{from_micros, now_micros, Backend};
use model::user::Role;
use model::workspace::{
    Workspace, WorkspaceMember, WorkspaceMemberQuery, WorkspaceMemberSort, WorkspaceQuery,
    WorkspaceSort,
};
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

const COLUMNS: &str = "id, organization_id, name, description, owner_id, created_at, updated_at, \
    (SELECT COUNT(*) FROM workspace_environments we JOIN environments e ON e.id = we.environment_id \
     WHERE we.workspace_id = workspaces.id AND e.deleted_at IS NULL) AS environment_count, \
    (SELECT COUNT(*) FROM workspace_members wm WHERE wm.workspace_id = workspaces.id) AS member_count";

fn workspace(r: &sqlx::any::AnyRow) -> Result<Workspace, sqlx::Error> {
    Ok(Workspace {
        id: uuid_col(r, "id")?,
        organization_id: uuid_col(r, "organization_id")?,
        name: r.try_get("name")?,
        description: r.try_get("description")?,
        owner: uuid_col(r, "owner_id")?,
        created_at: from_micros(r.try_get("created_at")?),
        updated_at: from_micros(r.try_get("updated_at")?),
        environment_count: r.try_get::<i64, _>("environment_count")?.max(0) as u64,
        member_count: r.try_get::<i64, _>("member_count")?.max(0) as u64,
        health_summary: Default::default(),
    })
}

/// The workspaces of an organization; with `member`, only those that user belongs to.
fn filtered(
    select: &str,
    backend: Backend,
    org: Uuid,
    member: Option<Uuid>,
    q: &WorkspaceQuery,
) -> Sql {
    let mut sql = Sql::new(select);
    sql.push(" FROM workspaces WHERE organization_id = ")
        .bind(org);
    if let Some(user) = member {
        reach::workspaces_of(&mut sql, "id", user);
    }
    if let Some(search) = &q.search {
        super::push_search(&mut sql, backend, "workspaces", search);
    }
    sql
}

pub async fn list(
    db: &mut AnyConnection,
    org: Uuid,
    member: Option<Uuid>,
    q: &WorkspaceQuery,
) -> Result<(Vec<Workspace>, u64), sqlx::Error> {
    let column = match q.order.field {
        WorkspaceSort::Name => "sort_key",
        WorkspaceSort::CreatedAt => "created_at",
        WorkspaceSort::UpdatedAt => "updated_at",
    };
    let backend = Backend::of(db);
    let (mut items, total) = super::page_and_count(
        db,
        |select| filtered(select, backend, org, member, q),
        &format!("SELECT {COLUMNS}"),
        (column, "id"),
        q,
        workspace,
    )
    .await?;
    attach_health_summaries(db, &mut items).await?;
    Ok((items, total))
}

pub async fn get(db: &mut AnyConnection, id: Uuid) -> Result<Option<Workspace>, sqlx::Error> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM workspaces WHERE id = $1"))
        .bind(id.to_string())
        .fetch_optional(&mut *db)
        .await?;
    let Some(mut w) = row.as_ref().map(workspace).transpose()? else {
        return Ok(None);
    };
    attach_health_summaries(db, std::slice::from_mut(&mut w)).await?;
    Ok(Some(w))
}

fn search_text(w: &Workspace) -> String {
    format!("{} {}", w.name, w.description).to_lowercase()
}

pub async fn insert(db: &mut AnyConnection, w: &Workspace) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO workspaces (id, organization_id, name, name_key, description, search_text, owner_id, \
         created_at, updated_at, sort_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(w.id.to_string())
    .bind(w.organization_id.to_string())
    .bind(w.name.clone())
    .bind(w.name.to_lowercase())
    .bind(w.description.clone())
    .bind(search_text(w))
    .bind(w.owner.to_string())
    .bind(w.created_at.timestamp_micros())
    .bind(w.updated_at.timestamp_micros())
    .bind(model::text::sort_key(&w.name))
    .execute(&mut *db)
    .await?;
    Ok(())
}

pub async fn update(db: &mut AnyConnection, w: &Workspace) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE workspaces SET name = $1, name_key = $2, description = $3, search_text = $4, updated_at = $5, \
         sort_key = $7 WHERE id = $6",
    )
    .bind(w.name.clone())
    .bind(w.name.to_lowercase())
    .bind(w.description.clone())
    .bind(search_text(w))
    .bind(w.updated_at.timestamp_micros())
    .bind(w.id.to_string())
    .bind(model::text::sort_key(&w.name))
    .execute(&mut *db)
    .await?;
    Ok(())
}

pub async fn delete(db: &mut AnyConnection, id: Uuid) -> Result<(), sqlx::Error> {
    super::delete_by_id(db, "workspaces", id).await
}

const MEMBER_COLUMNS: &str = "wm.user_id, u.name, u.email, wm.role, wm.created_at";
const MEMBER_FROM: &str = " FROM workspace_members wm JOIN users u ON u.id = wm.user_id";

fn member(r: &sqlx::any::AnyRow) -> Result<WorkspaceMember, sqlx::Error> {
    let role: String = r.try_get("role")?;
    Ok(WorkspaceMember {
        user_id: uuid_col(r, "user_id")?,
        name: r.try_get("name")?,
        email: r.try_get("email")?,
        role: Role::parse(&role).unwrap_or(Role::Member),
        added_at: from_micros(r.try_get("created_at")?),
    })
}

fn members_filtered(select: &str, workspace: Uuid, q: &WorkspaceMemberQuery) -> Sql {
    let mut sql = Sql::new(select);
    sql.push(MEMBER_FROM)
        .push(" WHERE wm.workspace_id = ")
        .bind(workspace);
    if let Some(search) = &q.search {
        super::push_person_search(&mut sql, search);
    }
    sql
}

/// One page of a workspace's members and their count.
pub async fn members(
    db: &mut AnyConnection,
    workspace: Uuid,
    q: &WorkspaceMemberQuery,
) -> Result<(Vec<WorkspaceMember>, u64), sqlx::Error> {
    let column = match q.order.field {
        WorkspaceMemberSort::Name => "u.name_key",
        WorkspaceMemberSort::Email => "u.email_key",
        WorkspaceMemberSort::Role => "wm.role",
        WorkspaceMemberSort::AddedAt => "wm.created_at",
    };
    super::page_and_count(
        db,
        |select| members_filtered(select, workspace, q),
        &format!("SELECT {MEMBER_COLUMNS}"),
        (column, "wm.user_id"),
        q,
        member,
    )
    .await
}

pub async fn get_member(
    db: &mut AnyConnection,
    workspace: Uuid,
    user: Uuid,
) -> Result<Option<WorkspaceMember>, sqlx::Error> {
    let row = sqlx::query(&format!(
        "SELECT {MEMBER_COLUMNS}{MEMBER_FROM} WHERE wm.workspace_id = $1 AND wm.user_id = $2"
    ))
    .bind(workspace.to_string())
    .bind(user.to_string())
    .fetch_optional(&mut *db)
    .await?;
    row.as_ref().map(member).transpose()
}

/// Adds the member or changes their role.
pub async fn put_member(
    db: &mut AnyConnection,
    workspace: Uuid,
    user: Uuid,
    role: Role,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO workspace_members (workspace_id, user_id, role, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (workspace_id, user_id) DO UPDATE SET role = excluded.role",
    )
    .bind(workspace.to_string())
    .bind(user.to_string())
    .bind(role.as_str())
    .bind(now_micros())
    .execute(&mut *db)
    .await?;
    Ok(())
}

pub async fn delete_member(
    db: &mut AnyConnection,
    workspace: Uuid,
    user: Uuid,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM workspace_members WHERE workspace_id = $1 AND user_id = $2")
        .bind(workspace.to_string())
        .bind(user.to_string())
        .execute(&mut *db)
        .await?;
    Ok(())
}

/// Drops a user's memberships of an organization's workspaces and teams (they left the
/// organization).
pub async fn delete_memberships_in_org(
    db: &mut AnyConnection,
    org: Uuid,
    user: Uuid,
) -> Result<(), sqlx::Error> {
    for text in [
        "DELETE FROM workspace_members WHERE user_id = $1 \
         AND workspace_id IN (SELECT id FROM workspaces WHERE organization_id = $2)",
        "DELETE FROM team_members WHERE user_id = $1 \
         AND team_id IN (SELECT id FROM teams WHERE organization_id = $2)",
    ] {
        sqlx::query(text)
            .bind(user.to_string())
            .bind(org.to_string())
            .execute(&mut *db)
            .await?;
    }
    Ok(())
}

/// Fills in each workspace's connection counts by health: the connections its live environments
/// bring, each once. One query for the whole page.
pub async fn attach_health_summaries(
    db: &mut AnyConnection,
    items: &mut [Workspace],
) -> Result<(), sqlx::Error> {
    if items.is_empty() {
        return Ok(());
    }
    let mut sql = Sql::new(concat!(
        "SELECT w.id AS workspace_id, c.health_state, COUNT(*) AS n FROM workspaces w \
         JOIN connections c ON c.id IN (SELECT ec.connection_id FROM environment_connections ec \
         JOIN workspace_environments we ON we.environment_id = ec.environment_id",
        reach::join_live_environment!(),
        "WHERE we.workspace_id = w.id) WHERE w.id IN ("
    ));
    sql.bind_ids(items.iter().map(|w| w.id))
        .push(") GROUP BY w.id, c.health_state");
    for r in sql.query().fetch_all(&mut *db).await? {
        let id = uuid_col(&r, "workspace_id")?;
        let state: String = r.try_get("health_state")?;
        if let Some(w) = items.iter_mut().find(|w| w.id == id) {
            *w.health_summary
                .entry(model::health::HealthState::parse(&state).unwrap_or_default())
                .or_default() += r.try_get::<i64, _>("n")?.max(0) as u64;
        }
    }
    Ok(())
}
