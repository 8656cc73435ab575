//! Connections, and which environments each is in.

use super::{named_row, uuid_col, Sql};
use crate::db::{from_micros, Backend};
use model::connection::{
    Connection, ConnectionFilter, ConnectionHealth, ConnectionSort, ConnectionStatus,
    EnvironmentRef, HealthCounts, HealthState, StatusSummary, EMBEDDED_MAX,
};
use model::list::ListQuery;
use sqlx::{AnyConnection, Row};
use std::collections::HashMap;
use uuid::Uuid;

const COLUMNS: &str = "id, organization_id, name, kind, type, sub_type, url, status, metadata, credential_id, \
    owner_id, created_at, updated_at, last_checked_at, last_error, latency_ms, \
    health_state, health_since, health_message, \
    (SELECT cr.name FROM credentials cr WHERE cr.id = connections.credential_id) AS credential_name";

/// Which connections a list covers.
pub struct Scope<'a> {
    pub org: Uuid,
    /// Only those this organization member reaches through their workspaces; also limits the
    /// environments shown with each connection to those the member reaches.
    pub member: Option<Uuid>,
    /// Only those the workspace's environments bring; the environments shown with each
    /// connection are then the workspace's that bring it.
    pub workspace: Option<Uuid>,
    pub filter: &'a ConnectionFilter,
    /// Only connections that are not in this environment.
    pub not_in_environment: Option<Uuid>,
    pub search: Option<&'a str>,
}

fn connection(r: &sqlx::any::AnyRow) -> Result<Connection, sqlx::Error> {
    let status: String = r.try_get("status")?;
    let metadata: String = r.try_get("metadata")?;
    let credential: Option<String> = r.try_get("credential_id")?;
    let checked_at = r
        .try_get::<Option<i64>, _>("last_checked_at")?
        .map(from_micros);
    let latency_ms = r
        .try_get::<Option<i64>, _>("latency_ms")?
        .map(|v| v.max(0) as u64);
    Ok(Connection {
        id: uuid_col(r, "id")?,
        organization_id: uuid_col(r, "organization_id")?,
        name: r.try_get("name")?,
        kind: r.try_get("kind")?,
        kind_type: r.try_get("type")?,
        sub_type: r.try_get("sub_type")?,
        url: r.try_get("url")?,
        status: ConnectionStatus::parse(&status).unwrap_or(ConnectionStatus::Registered),
        metadata: serde_json::from_str(&metadata).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
        credential_id: credential.and_then(|c| Uuid::parse_str(&c).ok()),
        credential_name: r.try_get("credential_name")?,
        environments: Vec::new(),
        environment_count: 0,
        owner: uuid_col(r, "owner_id")?,
        created_at: from_micros(r.try_get("created_at")?),
        updated_at: from_micros(r.try_get("updated_at")?),
        health: ConnectionHealth {
            state: HealthState::parse(&r.try_get::<String, _>("health_state")?).unwrap_or_default(),
            since: r
                .try_get::<Option<i64>, _>("health_since")?
                .map(from_micros),
            checked_at,
            latency_ms,
            message: r.try_get("health_message")?,
        },
        last_probe: model::connection::Health {
            last_checked_at: checked_at,
            last_error: r.try_get("last_error")?,
            latency_ms,
        },
    }
    .with_address_in_metadata())
}

fn filtered(select: &str, backend: Backend, scope: &Scope<'_>) -> Sql {
    let f = scope.filter;
    let mut sql = Sql::new(select);
    sql.push(" FROM connections WHERE organization_id = ")
        .bind(scope.org);
    if let Some(user) = scope.member {
        super::reach::connections_of(&mut sql, "id", user);
    }
    if let Some(w) = scope.workspace {
        sql.push(concat!(
            " AND id IN (SELECT ec.connection_id FROM environment_connections ec \
             JOIN workspace_environments we ON we.environment_id = ec.environment_id",
            super::reach::join_live_environment!(),
            "WHERE we.workspace_id = ",
        ))
        .bind(w)
        .push(")");
    }
    if let Some(search) = scope.search {
        super::push_search(&mut sql, backend, "connections", search);
    }
    if let Some(kind) = &f.kind {
        sql.push(" AND kind = ").bind(kind.as_str());
    }
    if let Some(status) = f.status {
        sql.push(" AND status = ").bind(status.as_str());
    }
    if let Some(health) = f.health {
        sql.push(" AND health_state = ").bind(health.as_str());
    }
    match f.deleted {
        Some(true) => {
            sql.push(" AND status = ")
                .bind(ConnectionStatus::Deleted.as_str());
        }
        Some(false) => {
            sql.push(" AND status <> ")
                .bind(ConnectionStatus::Deleted.as_str());
        }
        None => {}
    }
    if let Some(c) = f.credential_id {
        sql.push(" AND credential_id = ").bind(c);
    }
    if let Some(e) = f.environment_id {
        sql.push(
            " AND id IN (SELECT connection_id FROM environment_connections WHERE environment_id = ",
        )
        .bind(e)
        .push(")");
    }
    if let Some(e) = scope.not_in_environment {
        sql.push(" AND id NOT IN (SELECT connection_id FROM environment_connections WHERE environment_id = ")
            .bind(e)
            .push(")");
    }
    sql
}

/// One page, with the status counts of the whole filtered set (whose sum is the total), and
/// the environments of the page's connections: three queries whatever the page size.
pub async fn list(
    db: &mut AnyConnection,
    scope: &Scope<'_>,
    list: &ListQuery<ConnectionSort>,
) -> Result<(Vec<Connection>, Summaries), sqlx::Error> {
    let column = match list.order.field {
        ConnectionSort::Name => "sort_key",
        ConnectionSort::Kind => "kind",
        ConnectionSort::Status => "status",
        ConnectionSort::CreatedAt => "created_at",
        ConnectionSort::UpdatedAt => "updated_at",
        // The direction given applies to the name: the unhealthy always come first.
        ConnectionSort::Health => {
            "CASE health_state WHEN 'unreachable' THEN 0 WHEN 'failing' THEN 1 \
             WHEN 'unchecked' THEN 2 WHEN 'healthy' THEN 3 ELSE 4 END, sort_key"
        }
    };
    let mut page = filtered(&format!("SELECT {COLUMNS}"), Backend::of(db), scope);
    page.order_page(column, list);
    let mut items = page.fetch_rows(db, connection).await?;

    // Both summaries from one count: by status and by health.
    let mut counts = filtered(
        "SELECT status, health_state, COUNT(*) AS n",
        Backend::of(db),
        scope,
    );
    counts.push(" GROUP BY status, health_state");
    let mut summary = Summaries::default();
    for r in counts.query().fetch_all(&mut *db).await? {
        summary.add(
            r.try_get("status")?,
            &r.try_get::<String, _>("health_state")?,
            r.try_get::<i64, _>("n")?,
        );
    }

    attach_environments(db, &mut items, scope.member, scope.workspace).await?;
    Ok((items, summary))
}

/// Connections counted by status and by health.
#[derive(Debug, Default)]
pub struct Summaries {
    pub status: StatusSummary,
    pub health: HealthCounts,
}

impl Summaries {
    /// Adds `n` connections with this status and health (an unknown health counts as unchecked).
    pub fn add(&mut self, status: String, health: &str, n: i64) {
        let n = n.max(0) as u64;
        *self.status.entry(status).or_default() += n;
        *self
            .health
            .entry(HealthState::parse(health).unwrap_or_default())
            .or_default() += n;
    }
}

/// The ids of every connection in scope (at most `limit`), for acting on a whole filtered set.
pub async fn ids(
    db: &mut AnyConnection,
    scope: &Scope<'_>,
    limit: usize,
) -> Result<Vec<model::list::Named>, sqlx::Error> {
    let mut sql = filtered("SELECT id, name", Backend::of(db), scope);
    sql.push(" ORDER BY id LIMIT ").bind(limit as i64);
    sql.query()
        .fetch_all(&mut *db)
        .await?
        .iter()
        .map(named_row)
        .collect()
}

/// Fills in `environments` (the `EMBEDDED_MAX` oldest, by name) and `environment_count` for a
/// batch of connections: all their environments, or those the member reaches, or those of one
/// workspace. The first query walks each connection's links in index order and stops after
/// `EMBEDDED_MAX`, so its cost does not grow with how widely a connection is shared; the counts
/// read the link index (see `count_all_environments`), or for a member or a workspace probe
/// the environments they reach.
pub async fn attach_environments(
    db: &mut AnyConnection,
    items: &mut [Connection],
    member: Option<Uuid>,
    workspace: Option<Uuid>,
) -> Result<(), sqlx::Error> {
    if items.is_empty() {
        return Ok(());
    }
    // The conditions an environment must meet to be shown with a connection.
    let conditions = |sql: &mut Sql| {
        sql.push(" AND e.deleted_at IS NULL");
        if let Some(user) = member {
            super::reach::environments_of(sql, "e.id", user);
        }
        if let Some(w) = workspace {
            // The environments that bring the connection to the workspace: archived ones do not.
            sql.push(
                " AND e.archived_at IS NULL AND e.id IN (SELECT environment_id FROM workspace_environments WHERE workspace_id = ",
            )
            .bind(w)
            .push(")");
        }
    };

    let mut first = Sql::default();
    for (i, c) in items.iter().enumerate() {
        if i > 0 {
            first.push(" UNION ALL ");
        }
        first
            .push("SELECT * FROM (SELECT ec.connection_id, e.id, e.name FROM environment_connections ec \
                   JOIN environments e ON e.id = ec.environment_id WHERE ec.connection_id = ")
            .bind(c.id);
        conditions(&mut first);
        first
            .push(" ORDER BY ec.environment_id LIMIT ")
            .bind(EMBEDDED_MAX as i64)
            .push(&format!(") AS first{i}"));
    }
    let mut shown: HashMap<Uuid, Vec<EnvironmentRef>> = HashMap::new();
    for r in first.query().fetch_all(&mut *db).await? {
        shown
            .entry(uuid_col(&r, "connection_id")?)
            .or_default()
            .push(EnvironmentRef {
                id: uuid_col(&r, "id")?,
                name: r.try_get("name")?,
            });
    }

    let counts = if member.is_none() && workspace.is_none() {
        count_all_environments(db, items).await?
    } else {
        let mut count = Sql::new(
            "SELECT ec.connection_id, COUNT(*) AS n FROM environment_connections ec \
             JOIN environments e ON e.id = ec.environment_id WHERE ec.connection_id IN (",
        );
        count.bind_ids(items.iter().map(|c| c.id));
        count.push(")");
        conditions(&mut count);
        count.push(" GROUP BY ec.connection_id");
        counts_by_connection(db, &count).await?
    };

    for c in items.iter_mut() {
        let mut environments = shown.remove(&c.id).unwrap_or_default();
        // Shown by name, as every list of environments is.
        environments.sort_by_cached_key(|e| (e.name.to_lowercase(), e.id));
        c.environments = environments;
        c.environment_count = counts.get(&c.id).copied().unwrap_or(0);
    }
    Ok(())
}

/// How many living environments hold each connection: its links, counted in the link index
/// alone, less its links to environments in the trash, found from the trash's side (which is
/// small) rather than by looking up every linked environment.
async fn count_all_environments(
    db: &mut AnyConnection,
    items: &[Connection],
) -> Result<HashMap<Uuid, u64>, sqlx::Error> {
    let mut links = Sql::new(
        "SELECT connection_id, COUNT(*) AS n FROM environment_connections WHERE connection_id IN (",
    );
    links.bind_ids(items.iter().map(|c| c.id));
    links.push(") GROUP BY connection_id");
    let mut counts = counts_by_connection(db, &links).await?;

    let mut orgs: Vec<Uuid> = items.iter().map(|c| c.organization_id).collect();
    orgs.sort();
    orgs.dedup();
    // CROSS JOIN keeps SQLite's join order: the trash first.
    let mut trashed = Sql::new(
        "SELECT ec.connection_id, COUNT(*) AS n FROM environments e CROSS JOIN environment_connections ec \
         WHERE e.deleted_at IS NOT NULL AND e.organization_id IN (",
    );
    trashed
        .bind_ids(orgs.iter().copied())
        .push(") AND ec.environment_id = e.id AND ec.connection_id IN (")
        .bind_ids(items.iter().map(|c| c.id))
        .push(") GROUP BY ec.connection_id");
    for (id, n) in counts_by_connection(db, &trashed).await? {
        if let Some(total) = counts.get_mut(&id) {
            *total = total.saturating_sub(n);
        }
    }
    Ok(counts)
}

/// Runs a `SELECT connection_id, COUNT(*) AS n ... GROUP BY connection_id`.
async fn counts_by_connection(
    db: &mut AnyConnection,
    sql: &Sql,
) -> Result<HashMap<Uuid, u64>, sqlx::Error> {
    let mut counts = HashMap::new();
    for r in sql.query().fetch_all(&mut *db).await? {
        counts.insert(
            uuid_col(&r, "connection_id")?,
            r.try_get::<i64, _>("n")?.max(0) as u64,
        );
    }
    Ok(counts)
}

pub async fn get(db: &mut AnyConnection, id: Uuid) -> Result<Option<Connection>, sqlx::Error> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM connections WHERE id = $1"))
        .bind(id.to_string())
        .fetch_optional(&mut *db)
        .await?;
    row.as_ref().map(connection).transpose()
}

pub async fn find_imported(
    db: &mut AnyConnection,
    org: Uuid,
    import_key: &str,
) -> Result<Option<Uuid>, sqlx::Error> {
    let row =
        sqlx::query("SELECT id FROM connections WHERE organization_id = $1 AND import_key = $2")
            .bind(org.to_string())
            .bind(import_key.to_string())
            .fetch_optional(&mut *db)
            .await?;
    row.map(|r| uuid_col(&r, "id")).transpose()
}

fn search_text(c: &Connection) -> String {
    format!("{} {} {}", c.name, c.kind, c.url).to_lowercase()
}

pub async fn insert(
    db: &mut AnyConnection,
    c: &Connection,
    import_key: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO connections (id, organization_id, name, name_key, kind, type, sub_type, url, status, metadata, \
         credential_id, import_key, search_text, owner_id, created_at, updated_at, health_state, health_since, sort_key) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)",
    )
    .bind(c.id.to_string())
    .bind(c.organization_id.to_string())
    .bind(c.name.clone())
    .bind(c.name.to_lowercase())
    .bind(c.kind.clone())
    .bind(c.kind_type.clone())
    .bind(c.sub_type.clone())
    .bind(c.url.clone())
    .bind(c.status.as_str())
    .bind(serde_json::Value::Object(c.stored_metadata()).to_string())
    .bind(c.credential_id.map(|u| u.to_string()))
    .bind(import_key.map(str::to_string))
    .bind(search_text(c))
    .bind(c.owner.to_string())
    .bind(c.created_at.timestamp_micros())
    .bind(c.updated_at.timestamp_micros())
    .bind(c.health.state.as_str())
    .bind(c.health.since.map(|t| t.timestamp_micros()))
    .bind(model::text::sort_key(&c.name))
    .execute(&mut *db)
    .await?;
    Ok(())
}

pub async fn update(db: &mut AnyConnection, c: &Connection) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE connections SET name = $1, name_key = $2, kind = $3, type = $4, sub_type = $5, url = $6, status = $7, \
         metadata = $8, credential_id = $9, search_text = $10, updated_at = $11, sort_key = $13 WHERE id = $12",
    )
    .bind(c.name.clone())
    .bind(c.name.to_lowercase())
    .bind(c.kind.clone())
    .bind(c.kind_type.clone())
    .bind(c.sub_type.clone())
    .bind(c.url.clone())
    .bind(c.status.as_str())
    .bind(serde_json::Value::Object(c.stored_metadata()).to_string())
    .bind(c.credential_id.map(|u| u.to_string()))
    .bind(search_text(c))
    .bind(c.updated_at.timestamp_micros())
    .bind(c.id.to_string())
    .bind(model::text::sort_key(&c.name))
    .execute(&mut *db)
    .await?;
    Ok(())
}

pub async fn delete(db: &mut AnyConnection, id: Uuid) -> Result<(), sqlx::Error> {
    super::delete_by_id(db, "connections", id).await
}
