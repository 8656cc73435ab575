//! The audit log: one row per change, written in the same transaction as the change.

use crate::db::now_micros;
use sqlx::AnyConnection;
use uuid::Uuid;

/// One change, as recorded.
pub struct Event<'a> {
    pub organization_id: Option<Uuid>,
    pub actor_user_id: Option<Uuid>,
    pub actor_token_id: Option<Uuid>,
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: Option<Uuid>,
    pub entity_name: Option<&'a str>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub reason: Option<&'a str>,
}

/// Records an event; returns its id.
pub async fn insert(db: &mut AnyConnection, e: &Event<'_>) -> Result<Uuid, sqlx::Error> {
    let opt = |u: Option<Uuid>| u.map(|u| u.to_string());
    let id = Uuid::now_v7();
    // Searched by the actor's name as it was then, beside the action and the entity's name.
    let actor_name: Option<String> = match e.actor_user_id {
        Some(user) => {
            sqlx::query_scalar("SELECT name FROM users WHERE id = $1")
                .bind(user.to_string())
                .fetch_optional(&mut *db)
                .await?
        }
        None => None,
    };
    let search_text = format!(
        "{} {} {}",
        e.action,
        e.entity_name.unwrap_or(""),
        actor_name.as_deref().unwrap_or("")
    )
    .to_lowercase();
    sqlx::query(
        "INSERT INTO audit_events (id, occurred_at, organization_id, actor_user_id, actor_token_id, action, \
         entity_type, entity_id, entity_name, before_json, after_json, reason, search_text) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(id.to_string())
    .bind(now_micros())
    .bind(opt(e.organization_id))
    .bind(opt(e.actor_user_id))
    .bind(opt(e.actor_token_id))
    .bind(e.action.to_string())
    .bind(e.entity_type.to_string())
    .bind(opt(e.entity_id))
    .bind(e.entity_name.map(str::to_string))
    .bind(e.before.as_ref().map(|v| v.to_string()))
    .bind(e.after.as_ref().map(|v| v.to_string()))
    .bind(e.reason.map(str::to_string))
    .bind(search_text)
    .execute(&mut *db)
    .await?;
    Ok(id)
}

/// Whether an event with this action about this object was written since `since`.
pub async fn recent(
    db: &mut AnyConnection,
    entity_type: &str,
    entity_id: Uuid,
    action: &str,
    since: i64,
) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_events WHERE entity_type = $1 AND entity_id = $2 \
         AND occurred_at >= $3 AND action = $4",
    )
    .bind(entity_type.to_string())
    .bind(entity_id.to_string())
    .bind(since)
    .bind(action.to_string())
    .fetch_one(&mut *db)
    .await?;
    Ok(n > 0)
}

/// The organizations (None: events of no organization) that have events older than `cutoff`.
pub async fn orgs_with_events_before(
    db: &mut AnyConnection,
    cutoff: i64,
) -> Result<Vec<Option<Uuid>>, sqlx::Error> {
    use sqlx::Row;
    sqlx::query("SELECT DISTINCT organization_id FROM audit_events WHERE occurred_at < $1")
        .bind(cutoff)
        .fetch_all(&mut *db)
        .await?
        .iter()
        .map(|r| {
            Ok(r.try_get::<Option<String>, _>("organization_id")?
                .and_then(|s| Uuid::parse_str(&s).ok()))
        })
        .collect()
}

/// Deletes an organization's events older than `cutoff`; returns how many.
pub async fn delete_before(
    db: &mut AnyConnection,
    org: Option<Uuid>,
    cutoff: i64,
) -> Result<u64, sqlx::Error> {
    let q = match org {
        Some(org) => {
            sqlx::query("DELETE FROM audit_events WHERE organization_id = $1 AND occurred_at < $2")
                .bind(org.to_string())
        }
        None => sqlx::query(
            "DELETE FROM audit_events WHERE organization_id IS NULL AND occurred_at < $1",
        ),
    };
    Ok(q.bind(cutoff).execute(&mut *db).await?.rows_affected())
}

/// Replaces what the given events say happened: for events that count, such as the failed
/// sign-ins of one window.
pub async fn set_after(
    db: &mut AnyConnection,
    ids: &[Uuid],
    after: &serde_json::Value,
) -> Result<(), sqlx::Error> {
    for id in ids {
        sqlx::query("UPDATE audit_events SET after_json = $1 WHERE id = $2")
            .bind(after.to_string())
            .bind(id.to_string())
            .execute(&mut *db)
            .await?;
    }
    Ok(())
}

fn event(r: &sqlx::any::AnyRow) -> Result<model::audit::AuditEvent, sqlx::Error> {
    use sqlx::Row;
    let opt_id = |col: &str| -> Result<Option<Uuid>, sqlx::Error> {
        Ok(r.try_get::<Option<String>, _>(col)?
            .and_then(|s| Uuid::parse_str(&s).ok()))
    };
    let json = |col: &str| -> Result<Option<serde_json::Value>, sqlx::Error> {
        Ok(r.try_get::<Option<String>, _>(col)?
            .and_then(|s| serde_json::from_str(&s).ok()))
    };
    Ok(model::audit::AuditEvent {
        id: super::uuid_col(r, "id")?,
        time: crate::db::from_micros(r.try_get("occurred_at")?),
        actor: model::audit::AuditActor {
            user_id: opt_id("actor_user_id")?,
            user_name: r.try_get("actor_name")?,
            token_id: opt_id("actor_token_id")?,
        },
        organization_id: opt_id("organization_id")?,
        action: r.try_get("action")?,
        entity_type: r.try_get("entity_type")?,
        entity_id: opt_id("entity_id")?,
        entity_name: r.try_get("entity_name")?,
        before: json("before_json")?,
        after: json("after_json")?,
        reason: r.try_get("reason")?,
    })
}

/// With `member`, only events about the workspaces that member belongs to and the
/// environments and connections those workspaces reach.
fn filtered(
    select: &str,
    backend: crate::db::Backend,
    org: Uuid,
    member: Option<Uuid>,
    q: &model::audit::EventQuery,
) -> super::Sql {
    use super::reach;
    let f = &q.filter;
    let mut sql = super::Sql::new(select);
    sql.push(" FROM audit_events WHERE organization_id = ")
        .bind(org);
    if let Some(user) = member {
        sql.push(" AND ((entity_type = 'workspace'");
        reach::workspaces_of(&mut sql, "entity_id", user);
        sql.push(") OR (entity_type = 'environment'");
        reach::environments_of(&mut sql, "entity_id", user);
        sql.push(") OR (entity_type = 'connection'");
        reach::connections_of(&mut sql, "entity_id", user);
        sql.push("))");
    }
    if let Some(needle) = q.list.search.as_deref() {
        super::push_search(&mut sql, backend, "audit_events", needle);
    }
    if let Some(t) = &f.entity_type {
        sql.push(" AND entity_type = ").bind(t.as_str());
    }
    if let Some(id) = f.entity_id {
        sql.push(" AND entity_id = ").bind(id);
    }
    if let Some(id) = f.actor_id {
        sql.push(" AND actor_user_id = ").bind(id);
    }
    if let Some(name) = &f.actor {
        // The person's current name or email; `search` finds the name an event was written under.
        sql.push(" AND actor_user_id IN (SELECT id FROM users WHERE lower(name) = ")
            .bind(name.as_str())
            .push(" OR lower(email) = ")
            .bind(name.as_str())
            .push(")");
    }
    if let Some(a) = &f.action {
        // model::audit::action_matches, in SQL: the action starts with it, or a word does.
        let a = crate::db::like_escape(a);
        sql.push(" AND (action LIKE ")
            .bind(format!("{a}%"))
            .push(" ESCAPE '\\' OR action LIKE ")
            .bind(format!("%.{a}%"))
            .push(" ESCAPE '\\' OR action LIKE ")
            .bind(format!("%\\_{a}%"))
            .push(" ESCAPE '\\')");
    }
    if let Some(t) = f.since {
        sql.push(" AND occurred_at >= ").bind(t.timestamp_micros());
    }
    if let Some(t) = f.until {
        sql.push(" AND occurred_at <= ").bind(t.timestamp_micros());
    }
    sql
}

const COLUMNS: &str =
    "SELECT id, occurred_at, organization_id, actor_user_id, actor_token_id, action, \
     entity_type, entity_id, entity_name, before_json, after_json, reason, \
     (SELECT name FROM users u WHERE u.id = audit_events.actor_user_id) AS actor_name";

/// Where an export has got to: the last event sent.
pub type Cursor = (i64, Uuid);

/// The next `limit` events of the filtered log after `cursor`, in the query's order: an export
/// reads the log in such slices (by key, never by offset), each on a connection of its own.
pub async fn slice(
    db: &mut AnyConnection,
    org: Uuid,
    member: Option<Uuid>,
    q: &model::audit::EventQuery,
    cursor: Option<Cursor>,
    limit: u32,
) -> Result<Vec<(model::audit::AuditEvent, Cursor)>, sqlx::Error> {
    use model::list::Direction;
    let mut sql = filtered(COLUMNS, crate::db::Backend::of(db), org, member, q);
    let (cmp, dir) = match q.list.order.direction {
        Direction::Asc => (">", "ASC"),
        Direction::Desc => ("<", "DESC"),
    };
    if let Some((t, id)) = cursor {
        sql.push(&format!(" AND (occurred_at {cmp} "))
            .bind(t)
            .push(" OR (occurred_at = ")
            .bind(t)
            .push(&format!(" AND id {cmp} "))
            .bind(id)
            .push("))");
    }
    sql.push(&format!(" ORDER BY occurred_at {dir}, id {dir} LIMIT "))
        .bind(i64::from(limit));
    sql.query()
        .fetch_all(&mut *db)
        .await?
        .iter()
        .map(|r| {
            use sqlx::Row;
            let e = event(r)?;
            let cursor = (r.try_get("occurred_at")?, e.id);
            Ok((e, cursor))
        })
        .collect()
}

/// One page of an organization's events, newest first unless asked otherwise, and their count.
pub async fn list(
    db: &mut AnyConnection,
    org: Uuid,
    member: Option<Uuid>,
    q: &model::audit::EventQuery,
) -> Result<(Vec<model::audit::AuditEvent>, u64), sqlx::Error> {
    let backend = crate::db::Backend::of(db);
    super::page_and_count(
        db,
        |select| filtered(select, backend, org, member, q),
        COLUMNS,
        ("occurred_at", "id"),
        &q.list,
        event,
    )
    .await
}
