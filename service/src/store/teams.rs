//! Teams, their members, and the workspaces that take them (`workspace_teams`; adding and
//! removing go through `assignments` with `WORKSPACE_TEAMS`, like the other assignments).

use super::{uuid_col, Sql};
use crate::db::{from_micros, now_micros, Backend};
use model::team::{Team, TeamMember, TeamMemberQuery, TeamMemberSort, TeamQuery, TeamSort};
use model::user::Role;
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

const COLUMNS: &str = "teams.id, teams.organization_id, teams.name, teams.description, \
    teams.provider, teams.provider_group, teams.created_at, teams.updated_at, \
    (SELECT COUNT(*) FROM team_members tm WHERE tm.team_id = teams.id) AS member_count, \
    (SELECT COUNT(*) FROM workspace_teams wt WHERE wt.team_id = teams.id) AS workspace_count";

fn team(r: &sqlx::any::AnyRow) -> Result<Team, sqlx::Error> {
    let role: Option<String> = r.try_get("workspace_role").ok().flatten();
    Ok(Team {
        id: uuid_col(r, "id")?,
        organization_id: uuid_col(r, "organization_id")?,
        name: r.try_get("name")?,
        description: r.try_get("description")?,
        provider: r.try_get("provider")?,
        provider_group: r.try_get("provider_group")?,
        created_at: from_micros(r.try_get("created_at")?),
        updated_at: from_micros(r.try_get("updated_at")?),
        member_count: r.try_get::<i64, _>("member_count")?.max(0) as u64,
        workspace_count: r.try_get::<i64, _>("workspace_count")?.max(0) as u64,
        role: role.as_deref().and_then(Role::parse),
    })
}

/// Which teams of an organization a list shows: all of them, or one side of a workspace's.
#[derive(Clone, Copy)]
pub enum Side {
    All,
    /// The workspace's teams, each with its role there.
    In(Uuid),
    /// The organization's teams the workspace does not have.
    NotIn(Uuid),
}

fn filtered(select: &str, backend: Backend, org: Uuid, side: Side, q: &TeamQuery) -> Sql {
    let mut sql = Sql::new(select);
    sql.push(" FROM teams");
    if let Side::In(ws) = side {
        sql.push(" JOIN workspace_teams wst ON wst.team_id = teams.id AND wst.workspace_id = ")
            .bind(ws);
    }
    sql.push(" WHERE teams.organization_id = ").bind(org);
    if let Side::NotIn(ws) = side {
        sql.push(" AND teams.id NOT IN (SELECT team_id FROM workspace_teams WHERE workspace_id = ")
            .bind(ws)
            .push(")");
    }
    if let Some(search) = &q.search {
        super::push_search(&mut sql, backend, "teams", search);
    }
    sql
}

/// One page of teams and their count.
pub async fn list(
    db: &mut AnyConnection,
    org: Uuid,
    side: Side,
    q: &TeamQuery,
) -> Result<(Vec<Team>, u64), sqlx::Error> {
    let column = match q.order.field {
        TeamSort::Name => "teams.sort_key",
        TeamSort::CreatedAt => "teams.created_at",
        TeamSort::UpdatedAt => "teams.updated_at",
    };
    let select = match side {
        Side::In(_) => format!("SELECT {COLUMNS}, wst.role AS workspace_role"),
        _ => format!("SELECT {COLUMNS}"),
    };
    let backend = Backend::of(db);
    super::page_and_count(
        db,
        |select| filtered(select, backend, org, side, q),
        &select,
        (column, "teams.id"),
        q,
        team,
    )
    .await
}

/// The id and name of up to `limit` teams the list would show (a transfer list's "all").
pub async fn ids(
    db: &mut AnyConnection,
    org: Uuid,
    side: Side,
    q: &TeamQuery,
    limit: usize,
) -> Result<Vec<model::list::Named>, sqlx::Error> {
    let mut sql = filtered("SELECT teams.id, teams.name", Backend::of(db), org, side, q);
    sql.push(" ORDER BY teams.id LIMIT ").bind(limit as i64);
    sql.query()
        .fetch_all(&mut *db)
        .await?
        .iter()
        .map(super::named_row)
        .collect()
}

pub async fn get(db: &mut AnyConnection, id: Uuid) -> Result<Option<Team>, sqlx::Error> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM teams WHERE teams.id = $1"))
        .bind(id.to_string())
        .fetch_optional(&mut *db)
        .await?;
    row.as_ref().map(team).transpose()
}

fn search_text(t: &Team) -> String {
    format!("{} {}", t.name, t.description).to_lowercase()
}

pub async fn insert(db: &mut AnyConnection, t: &Team) -> Result<(), sqlx::Error> {
    let mut sql = Sql::new(
        "INSERT INTO teams (id, organization_id, name, name_key, sort_key, description, \
         search_text, provider, provider_group, created_at, updated_at) VALUES (",
    );
    sql.bind(t.id)
        .push(", ")
        .bind(t.organization_id)
        .push(", ")
        .bind(t.name.as_str())
        .push(", ")
        .bind(t.name.to_lowercase())
        .push(", ")
        .bind(model::text::sort_key(&t.name))
        .push(", ")
        .bind(t.description.as_str())
        .push(", ")
        .bind(search_text(t))
        .push(", ")
        .bind_opt(t.provider.as_deref())
        .push(", ")
        .bind_opt(t.provider_group.as_deref())
        .push(", ")
        .bind(t.created_at.timestamp_micros())
        .push(", ")
        .bind(t.updated_at.timestamp_micros())
        .push(")");
    sql.query().execute(&mut *db).await?;
    Ok(())
}

pub async fn update(db: &mut AnyConnection, t: &Team) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE teams SET name = $1, name_key = $2, sort_key = $3, description = $4, \
         search_text = $5, updated_at = $6 WHERE id = $7",
    )
    .bind(t.name.clone())
    .bind(t.name.to_lowercase())
    .bind(model::text::sort_key(&t.name))
    .bind(t.description.clone())
    .bind(search_text(t))
    .bind(t.updated_at.timestamp_micros())
    .bind(t.id.to_string())
    .execute(&mut *db)
    .await?;
    Ok(())
}

pub async fn delete(db: &mut AnyConnection, id: Uuid) -> Result<(), sqlx::Error> {
    super::delete_by_id(db, "teams", id).await
}

/// Moves the team's `updated_at` (its members changed).
pub async fn touch(db: &mut AnyConnection, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE teams SET updated_at = $1 WHERE id = $2")
        .bind(now_micros())
        .bind(id.to_string())
        .execute(&mut *db)
        .await?;
    Ok(())
}

const MEMBER_COLUMNS: &str = "tm.user_id, u.name, u.email, tm.created_at";

fn member(r: &sqlx::any::AnyRow) -> Result<TeamMember, sqlx::Error> {
    Ok(TeamMember {
        user_id: uuid_col(r, "user_id")?,
        name: r.try_get("name")?,
        email: r.try_get("email")?,
        added_at: from_micros(r.try_get("created_at")?),
    })
}

fn members_filtered(select: &str, team: Uuid, q: &TeamMemberQuery) -> Sql {
    let mut sql = Sql::new(select);
    sql.push(" FROM team_members tm JOIN users u ON u.id = tm.user_id WHERE tm.team_id = ")
        .bind(team);
    if let Some(search) = &q.search {
        super::push_person_search(&mut sql, search);
    }
    sql
}

/// One page of a team's members and their count.
pub async fn members(
    db: &mut AnyConnection,
    team: Uuid,
    q: &TeamMemberQuery,
) -> Result<(Vec<TeamMember>, u64), sqlx::Error> {
    let column = match q.order.field {
        TeamMemberSort::Name => "u.name_key",
        TeamMemberSort::Email => "u.email_key",
        TeamMemberSort::AddedAt => "tm.created_at",
    };
    super::page_and_count(
        db,
        |select| members_filtered(select, team, q),
        &format!("SELECT {MEMBER_COLUMNS}"),
        (column, "tm.user_id"),
        q,
        member,
    )
    .await
}

pub async fn get_member(
    db: &mut AnyConnection,
    team: Uuid,
    user: Uuid,
) -> Result<Option<TeamMember>, sqlx::Error> {
    let row = sqlx::query(&format!(
        "SELECT {MEMBER_COLUMNS} FROM team_members tm JOIN users u ON u.id = tm.user_id \
         WHERE tm.team_id = $1 AND tm.user_id = $2"
    ))
    .bind(team.to_string())
    .bind(user.to_string())
    .fetch_optional(&mut *db)
    .await?;
    row.as_ref().map(member).transpose()
}

/// Whether the organization has a team of this name.
pub async fn name_taken(
    db: &mut AnyConnection,
    org: Uuid,
    name: &str,
) -> Result<bool, sqlx::Error> {
    let row = sqlx::query("SELECT id FROM teams WHERE organization_id = $1 AND name_key = $2")
        .bind(org.to_string())
        .bind(name.to_lowercase())
        .fetch_optional(&mut *db)
        .await?;
    Ok(row.is_some())
}

/// Adds the member; false when they already were one.
pub async fn add_member(
    db: &mut AnyConnection,
    team: Uuid,
    user: Uuid,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO team_members (team_id, user_id, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (team_id, user_id) DO NOTHING",
    )
    .bind(team.to_string())
    .bind(user.to_string())
    .bind(now_micros())
    .execute(&mut *db)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Removes the member; false when they were not one.
pub async fn remove_member(
    db: &mut AnyConnection,
    team: Uuid,
    user: Uuid,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM team_members WHERE team_id = $1 AND user_id = $2")
        .bind(team.to_string())
        .bind(user.to_string())
        .execute(&mut *db)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// The team's role in the workspace, if the workspace has it.
pub async fn workspace_role(
    db: &mut AnyConnection,
    workspace: Uuid,
    team: Uuid,
) -> Result<Option<Role>, sqlx::Error> {
    super::role_of(
        db,
        "SELECT role FROM workspace_teams WHERE workspace_id = $1 AND team_id = $2",
        workspace,
        team,
    )
    .await
}

/// Gives the teams (already in the workspace) `role`; returns the ids whose role changed.
pub async fn set_workspace_roles(
    db: &mut AnyConnection,
    workspace: Uuid,
    teams: &[Uuid],
    role: Role,
) -> Result<Vec<Uuid>, sqlx::Error> {
    let mut changed = Vec::new();
    for chunk in teams.chunks(500) {
        let mut sql = Sql::new("UPDATE workspace_teams SET role = ");
        sql.bind(role.as_str())
            .push(" WHERE workspace_id = ")
            .bind(workspace)
            .push(" AND role <> ")
            .bind(role.as_str())
            .push(" AND team_id IN (")
            .bind_ids(chunk.iter().copied())
            .push(") RETURNING team_id");
        for r in sql.query().fetch_all(&mut *db).await? {
            changed.push(uuid_col(&r, "team_id")?);
        }
    }
    Ok(changed)
}

/// Fills in `teams` (the first `EMBEDDED_MAX` by id, shown by name) and `team_count` for a page
/// of an organization's people. Each person's part walks their team links in index order and
/// stops after `EMBEDDED_MAX`, so its cost does not grow with how many teams they are in.
pub async fn attach_to_users(
    db: &mut AnyConnection,
    org: Uuid,
    users: &mut [model::user::OrgUser],
) -> Result<(), sqlx::Error> {
    use model::connection::EMBEDDED_MAX;
    use std::collections::HashMap;
    if users.is_empty() {
        return Ok(());
    }
    let mut first = Sql::default();
    for (i, u) in users.iter().enumerate() {
        if i > 0 {
            first.push(" UNION ALL ");
        }
        first
            .push(
                "SELECT * FROM (SELECT tm.user_id, t.id, t.name FROM team_members tm \
                 JOIN teams t ON t.id = tm.team_id WHERE tm.user_id = ",
            )
            .bind(u.id)
            .push(" AND t.organization_id = ")
            .bind(org)
            .push(" ORDER BY tm.team_id LIMIT ")
            .bind(EMBEDDED_MAX as i64)
            .push(&format!(") AS first{i}"));
    }
    let mut shown: HashMap<Uuid, Vec<model::list::Named>> = HashMap::new();
    for r in first.query().fetch_all(&mut *db).await? {
        shown
            .entry(uuid_col(&r, "user_id")?)
            .or_default()
            .push(super::named_row(&r)?);
    }
    let counts = count_per_user(
        db,
        "team_members tm JOIN teams t ON t.id = tm.team_id WHERE t.organization_id = ",
        "tm",
        org,
        users,
    )
    .await?;
    for u in users.iter_mut() {
        let mut teams = shown.remove(&u.id).unwrap_or_default();
        teams.sort_by_cached_key(|t| (model::text::sort_key(&t.name), t.id));
        u.teams = teams;
        u.team_count = counts.get(&u.id).copied().unwrap_or(0);
    }
    Ok(())
}

/// The ways in to a person's workspaces, as one subquery: their own memberships and their
/// teams' (each with the team), in the organization. `{user}` and `{org}` are bound by the caller.
const ACCESS_WAYS: &str = "SELECT wm.user_id, w.id AS workspace_id, w.name AS workspace_name, \
     wm.role, NULL AS team_id, NULL AS team_name \
     FROM workspace_members wm JOIN workspaces w ON w.id = wm.workspace_id \
     WHERE wm.user_id = {user} AND w.organization_id = {org} \
     UNION ALL \
     SELECT tm.user_id, w.id, w.name, wt.role, t.id, t.name \
     FROM team_members tm JOIN teams t ON t.id = tm.team_id \
     JOIN workspace_teams wt ON wt.team_id = tm.team_id JOIN workspaces w ON w.id = wt.workspace_id \
     WHERE tm.user_id = {user} AND t.organization_id = {org}";

/// Fills in `access` (where each person's workspace access comes from: the first
/// `EMBEDDED_MAX` ways in, by workspace) and `access_count` for a page of an organization's
/// people. Each person's part walks their membership and team links by index and stops after
/// `EMBEDDED_MAX`, so the answer does not grow with how widely they are shared.
pub async fn attach_access_to_users(
    db: &mut AnyConnection,
    org: Uuid,
    users: &mut [model::user::OrgUser],
) -> Result<(), sqlx::Error> {
    use model::connection::EMBEDDED_MAX;
    use model::list::Named;
    use model::user::{Role, WorkspaceAccess};
    use std::collections::HashMap;
    if users.is_empty() {
        return Ok(());
    }
    // One bounded subquery per person: `{user}` and `{org}` are bound in the order they occur.
    let ways = |sql: &mut Sql, user: Uuid| {
        let mut rest = ACCESS_WAYS;
        while let Some(i) = rest.find('{') {
            sql.push(&rest[..i]);
            let end = rest[i..].find('}').expect("a closed placeholder") + i;
            match &rest[i + 1..end] {
                "user" => sql.bind(user),
                _ => sql.bind(org),
            };
            rest = &rest[end + 1..];
        }
        sql.push(rest);
    };
    let mut first = Sql::default();
    for (i, u) in users.iter().enumerate() {
        if i > 0 {
            first.push(" UNION ALL ");
        }
        first.push("SELECT * FROM (SELECT * FROM (");
        ways(&mut first, u.id);
        first.push(&format!(
            ") AS ways{i} ORDER BY workspace_id, team_id LIMIT {EMBEDDED_MAX}) AS first{i}"
        ));
    }
    let mut shown: HashMap<Uuid, Vec<WorkspaceAccess>> = HashMap::new();
    for r in first.query().fetch_all(&mut *db).await? {
        let team_id: Option<String> = r.try_get("team_id")?;
        let via_team = match team_id {
            Some(id) => Some(Named {
                id: Uuid::parse_str(&id).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
                name: r.try_get("team_name")?,
            }),
            None => None,
        };
        let role: String = r.try_get("role")?;
        shown
            .entry(uuid_col(&r, "user_id")?)
            .or_default()
            .push(WorkspaceAccess {
                workspace: Named {
                    id: uuid_col(&r, "workspace_id")?,
                    name: r.try_get("workspace_name")?,
                },
                role: Role::parse(&role).unwrap_or(Role::Member),
                via_team,
            });
    }
    let counts = count_per_user(
        db,
        "workspace_access wa JOIN workspaces w ON w.id = wa.workspace_id WHERE w.organization_id = ",
        "wa",
        org,
        users,
    )
    .await?;
    for u in users.iter_mut() {
        let mut access = shown.remove(&u.id).unwrap_or_default();
        access.sort_by_cached_key(|a| {
            (
                model::text::sort_key(&a.workspace.name),
                a.workspace.id,
                a.via_team.as_ref().map(|t| model::text::sort_key(&t.name)),
            )
        });
        u.access = access;
        u.access_count = counts.get(&u.id).copied().unwrap_or(0);
    }
    Ok(())
}

/// How many rows `from` (a FROM clause ending in `organization_id = `, its user column
/// `{alias}.user_id`) holds for each of the page's people: one grouped query.
async fn count_per_user(
    db: &mut AnyConnection,
    from: &str,
    alias: &str,
    org: Uuid,
    users: &[model::user::OrgUser],
) -> Result<std::collections::HashMap<Uuid, u64>, sqlx::Error> {
    let mut count = Sql::new(&format!(
        "SELECT {alias}.user_id, COUNT(*) AS n FROM {from}"
    ));
    count
        .bind(org)
        .push(&format!(" AND {alias}.user_id IN ("))
        .bind_ids(users.iter().map(|u| u.id))
        .push(&format!(") GROUP BY {alias}.user_id"));
    let mut counts = std::collections::HashMap::new();
    for r in count.query().fetch_all(&mut *db).await? {
        counts.insert(
            uuid_col(&r, "user_id")?,
            r.try_get::<i64, _>("n")?.max(0) as u64,
        );
    }
    Ok(counts)
}
