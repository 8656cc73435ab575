//! What an organization member reaches through their workspaces (as a member, or through a
//! team: the `workspace_access` view): a workspace's environments, those environments'
//! connections, and the credentials of those connections. Lists splice
//! these subqueries into their WHERE clause; single objects ask for the caller's best role.

use super::Sql;
use model::user::Role;
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

/// Joins `le`, the environment of workspace assignment `we`, when it is live: archived and
/// deleted environments reach nobody. A literal, so queries can `concat!` it.
macro_rules! join_live_environment {
    () => {
        " JOIN environments le ON le.id = we.environment_id \
          AND le.archived_at IS NULL AND le.deleted_at IS NULL "
    };
}
pub(crate) use join_live_environment;

const MEMBER_ENVIRONMENTS: &str = concat!(
    "SELECT we.environment_id FROM workspace_environments we \
     JOIN workspace_access wm ON wm.workspace_id = we.workspace_id",
    join_live_environment!(),
    "WHERE wm.user_id = "
);

const MEMBER_CONNECTIONS: &str = concat!(
    "SELECT ec.connection_id FROM environment_connections ec \
     JOIN workspace_environments we ON we.environment_id = ec.environment_id",
    join_live_environment!(),
    "JOIN workspace_access wm ON wm.workspace_id = we.workspace_id WHERE wm.user_id = "
);

/// Appends `<column> IN (the environments <user> reaches)`.
pub fn environments_of(sql: &mut Sql, column: &str, user: Uuid) {
    sql.push(&format!(" AND {column} IN ({MEMBER_ENVIRONMENTS}"))
        .bind(user)
        .push(")");
}

/// Appends `<column> IN (the connections <user> reaches)`.
pub fn connections_of(sql: &mut Sql, column: &str, user: Uuid) {
    sql.push(&format!(" AND {column} IN ({MEMBER_CONNECTIONS}"))
        .bind(user)
        .push(")");
}

/// Appends `<column> IN (the credentials of the connections <user> reaches)`.
pub fn credentials_of(sql: &mut Sql, column: &str, user: Uuid) {
    sql.push(&format!(
        " AND {column} IN (SELECT c.credential_id FROM connections c WHERE c.id IN ({MEMBER_CONNECTIONS}"
    ))
    .bind(user)
    .push("))");
}

/// Appends `<column> IN (the workspaces <user> belongs to, themselves or through a team)`.
pub fn workspaces_of(sql: &mut Sql, column: &str, user: Uuid) {
    sql.push(&format!(
        " AND {column} IN (SELECT workspace_id FROM workspace_access WHERE user_id = "
    ))
    .bind(user)
    .push(")");
}

/// The kind of object whose reach is asked.
#[derive(Clone, Copy)]
pub enum Object {
    Environment,
    Connection,
    Credential,
}

/// The roles the user holds in the workspaces that reach the object (empty: it is out of reach).
pub async fn roles(
    db: &mut AnyConnection,
    user: Uuid,
    object: Object,
    id: Uuid,
) -> Result<Vec<Role>, sqlx::Error> {
    let base = concat!(
        "SELECT DISTINCT wm.role FROM workspace_access wm \
         JOIN workspace_environments we ON we.workspace_id = wm.workspace_id",
        join_live_environment!()
    );
    let text = match object {
        Object::Environment => format!("{base} WHERE wm.user_id = $1 AND we.environment_id = $2"),
        Object::Connection => format!(
            "{base} JOIN environment_connections ec ON ec.environment_id = we.environment_id \
             WHERE wm.user_id = $1 AND ec.connection_id = $2"
        ),
        Object::Credential => format!(
            "{base} JOIN environment_connections ec ON ec.environment_id = we.environment_id \
             JOIN connections c ON c.id = ec.connection_id WHERE wm.user_id = $1 AND c.credential_id = $2"
        ),
    };
    sqlx::query(&text)
        .bind(user.to_string())
        .bind(id.to_string())
        .fetch_all(&mut *db)
        .await?
        .iter()
        .map(|r| {
            let role: String = r.try_get("role")?;
            Ok(Role::parse(&role).unwrap_or(Role::Member))
        })
        .collect()
}
