//! Connections: their fields, their credential, and the lifecycle of their status.

use super::access::{authorize, member_filter, permit};
use super::{record, resolve_org, Change, Service};
use crate::actor::Actor;
use crate::db::{from_micros, now_micros};
use crate::store::connections::{self as store, Scope};
use crate::store::credentials;
use crate::store::reach::Object;
use model::access::{Op, Standing};
use model::connection::ConnectionSort;
use model::connection::{
    parse_status, Connection, ConnectionFields, ConnectionFilter, ConnectionHealth,
    ConnectionInput, ConnectionPage, ConnectionQuery, ConnectionStatus, KubeconfigImport,
};
use model::environment::{EnvironmentPage, EnvironmentQuery};
use model::error::{ApiError, ErrorCode};
use model::list::ListQuery;
use model::list::Recheck;
use sqlx::AnyConnection;
use uuid::Uuid;

impl Service {
    /// The connection, if the caller may see it (not-found otherwise) and may do `op` to it
    /// (forbidden otherwise); with the member whose reach bounds the environments shown.
    pub(crate) async fn connection_for(
        &self,
        db: &mut AnyConnection,
        actor: &Actor,
        id: Uuid,
        op: Op,
        doing: &str,
    ) -> Result<(Connection, Option<Uuid>), ApiError> {
        let c = store::get(db, id)
            .await?
            .ok_or_else(|| ApiError::not_found("connection"))?;
        let standing = self
            .standing(
                db,
                actor,
                c.organization_id,
                Object::Connection,
                id,
                "connection",
            )
            .await?;
        authorize(standing, Op::ViewConnection, op, "connection", doing)?;
        let member = member_filter(actor, standing);
        Ok((c, member))
    }

    /// A credential to attach must exist in the same organization, and the connection's URL
    /// must be inside its scope. The error names `credential_id` when the credential is what
    /// changes, `url` when the URL moved out of the scope of the credential it keeps.
    async fn check_credential(
        &self,
        db: &mut AnyConnection,
        org: Uuid,
        id: Option<Uuid>,
        url: &str,
        field: &str,
    ) -> Result<(), ApiError> {
        let Some(id) = id else { return Ok(()) };
        let c = match credentials::get(db, id).await? {
            Some(s) if s.credential.organization_id == org => s.credential,
            _ => {
                return Err(ApiError::validation(
                    "credential_id",
                    format!("no credential {id} in this organization"),
                ))
            }
        };
        crate::egress::credential_allows(&c, url).map_err(|m| ApiError::validation(field, m))
    }

    /// The connection with its environments (those `member` reaches), as answers show it.
    async fn with_environments(
        &self,
        db: &mut AnyConnection,
        mut c: Connection,
        member: Option<Uuid>,
    ) -> Result<Connection, ApiError> {
        store::attach_environments(db, std::slice::from_mut(&mut c), member, None).await?;
        Ok(c)
    }

    /// A page of connections with the status counts of the whole scope, which sum to its total.
    pub(crate) async fn connection_page(
        &self,
        db: &mut AnyConnection,
        scope: &Scope<'_>,
        list: &ListQuery<ConnectionSort>,
    ) -> Result<ConnectionPage, ApiError> {
        let (connections, summary) = store::list(db, scope, list).await?;
        Ok(ConnectionPage {
            page: list.page,
            page_size: list.page_size,
            total_count: summary.status.values().sum(),
            status_summary: summary.status,
            health_summary: summary.health,
            connections,
        })
    }

    /// The stored connection as answers show it (credential name and environments filled in).
    async fn reload_connection(
        &self,
        db: &mut AnyConnection,
        id: Uuid,
    ) -> Result<Connection, ApiError> {
        let c = store::get(db, id)
            .await?
            .ok_or_else(|| ApiError::not_found("connection"))?;
        self.with_environments(db, c, None).await
    }

    pub(crate) async fn insert_connection(
        &self,
        db: &mut AnyConnection,
        actor: &Actor,
        c: &Connection,
        import_key: Option<&str>,
    ) -> Result<(), ApiError> {
        store::insert(db, c, import_key)
            .await
            .map_err(crate::write_err("a connection", &c.name))?;
        record(
            db,
            actor,
            Change::created(Some(c.organization_id), "connection", c.id, &c.name, c),
        )
        .await
    }
}

/// Connections whose status is `deleted` are listed on their own for organization admins only
/// (as the environments' trash is); leaving them out is anyone's to ask.
pub(crate) fn may_see_deleted(
    filter: &ConnectionFilter,
    role: model::user::Role,
) -> Result<(), ApiError> {
    if filter.deleted == Some(true) {
        permit(
            Standing::in_org(role),
            Op::ManageConnection,
            "list deleted connections",
        )?;
    }
    Ok(())
}

fn transition_refused(from: ConnectionStatus, to: ConnectionStatus) -> ApiError {
    let allowed: Vec<&str> = from.next().iter().map(|s| s.as_str()).collect();
    let allowed = if allowed.is_empty() {
        "none".to_string()
    } else {
        allowed.join(", ")
    };
    ApiError::new(
        ErrorCode::Conflict,
        format!(
            "a {} connection cannot become {}; allowed: {allowed}",
            from.as_str(),
            to.as_str()
        ),
    )
    .with_field("status")
}

impl Service {
    pub async fn list_connections(
        &self,
        actor: &Actor,
        query: &ConnectionQuery,
    ) -> Result<ConnectionPage, ApiError> {
        let query = &query.rechecked()?;
        let (org, role) = resolve_org(actor, query.list.org_id)?;
        may_see_deleted(&query.filter, role)?;
        let scope = Scope {
            org,
            member: member_filter(actor, Standing::in_org(role)),
            workspace: None,
            filter: &query.filter,
            not_in_environment: None,
            search: query.list.search.as_deref(),
        };
        let mut db = self.db.read().await?;
        self.connection_page(&mut db, &scope, &query.list).await
    }

    pub async fn get_connection(&self, actor: &Actor, id: Uuid) -> Result<Connection, ApiError> {
        let mut conn = self.db.read().await?;
        let (c, member) = self
            .connection_for(&mut conn, actor, id, Op::ViewConnection, "")
            .await?;
        self.with_environments(&mut conn, c, member).await
    }

    pub async fn create_connection(
        &self,
        actor: &Actor,
        input: &ConnectionInput,
    ) -> Result<Connection, ApiError> {
        let (org, role) =
            resolve_org(actor, input.organization_id).map_err(super::body_org_field)?;
        permit(
            Standing::in_org(role),
            Op::ManageConnection,
            "register connections",
        )?;
        let f = ConnectionFields::check(
            input.name.as_deref().unwrap_or(""),
            input.kind.as_deref().unwrap_or(""),
            input.kind_type.as_deref().unwrap_or(""),
            input.sub_type.as_deref().unwrap_or(""),
            input.url.as_deref().unwrap_or(""),
            input.metadata.as_ref().unwrap_or(&serde_json::Map::new()),
        )?;
        let status = match input.status.as_deref() {
            None | Some("") => ConnectionStatus::Registered,
            Some(s) => parse_status(s, "status")?,
        };
        if !status.can_start_as() {
            let first: Vec<&str> = ConnectionStatus::ALL
                .iter()
                .filter(|s| s.can_start_as())
                .map(|s| s.as_str())
                .collect();
            return Err(ApiError::validation(
                "status",
                format!(
                    "a connection cannot be registered as {}; it starts as one of: {} (later statuses are reached with PUT /api/connections/{{id}}/status)",
                    status.as_str(),
                    first.join(", ")
                ),
            ));
        }
        let now = from_micros(now_micros());
        let health = ConnectionHealth::fresh(&f.kind, now);
        let c = Connection {
            id: Uuid::now_v7(),
            organization_id: org,
            name: f.name,
            kind: f.kind,
            kind_type: f.kind_type,
            sub_type: f.sub_type,
            url: f.url,
            status,
            metadata: f.metadata,
            credential_id: input.credential_id.flatten(),
            credential_name: None,
            environments: Vec::new(),
            environment_count: 0,
            owner: actor.user.id,
            created_at: now,
            updated_at: now,
            health,
            last_probe: Default::default(),
        };
        let mut tx = self.db.begin().await?;
        self.check_credential(&mut tx, org, c.credential_id, &c.url, "credential_id")
            .await?;
        self.insert_connection(&mut tx, actor, &c, None).await?;
        let created = self.reload_connection(&mut tx, c.id).await?;
        tx.commit().await?;
        Ok(created)
    }

    pub async fn update_connection(
        &self,
        actor: &Actor,
        id: Uuid,
        input: &ConnectionInput,
    ) -> Result<Connection, ApiError> {
        let mut tx = self.db.begin().await?;
        let (before, _) = self
            .connection_for(
                &mut tx,
                actor,
                id,
                Op::ManageConnection,
                "change connections",
            )
            .await?;
        if input
            .organization_id
            .is_some_and(|o| o != before.organization_id)
        {
            return Err(ApiError::validation(
                "organization_id",
                "a connection cannot move to another organization",
            ));
        }
        if input
            .status
            .as_deref()
            .is_some_and(|s| ConnectionStatus::parse(s) != Some(before.status))
        {
            return Err(ApiError::validation(
                "status",
                "change the status with PUT /api/connections/{id}/status",
            ));
        }
        let (url, metadata) = input.address_over(&before);
        let f = ConnectionFields::check(
            input.name.as_deref().unwrap_or(&before.name),
            input.kind.as_deref().unwrap_or(&before.kind),
            input.kind_type.as_deref().unwrap_or(&before.kind_type),
            input.sub_type.as_deref().unwrap_or(&before.sub_type),
            &url,
            &metadata,
        )?;
        let credential_id = input.credential_id.unwrap_or(before.credential_id);
        let field = if credential_id == before.credential_id {
            "url"
        } else {
            "credential_id"
        };
        self.check_credential(
            &mut tx,
            before.organization_id,
            credential_id,
            &f.url,
            field,
        )
        .await?;
        let now = from_micros(now_micros());
        let mut after = Connection {
            name: f.name,
            kind: f.kind,
            kind_type: f.kind_type,
            sub_type: f.sub_type,
            url: f.url,
            metadata: f.metadata,
            credential_id,
            updated_at: now,
            ..before.clone()
        };
        store::update(&mut tx, &after)
            .await
            .map_err(crate::write_err("a connection", &after.name))?;
        // What the last probe found was about another address, kind or credential.
        if (&after.url, &after.kind, after.credential_id)
            != (&before.url, &before.kind, before.credential_id)
        {
            after.health = ConnectionHealth::fresh(&after.kind, now);
            crate::store::health::restart(&mut tx, id, &after.health).await?;
        }
        let org = Some(after.organization_id);
        record(
            &mut tx,
            actor,
            Change::updated(org, "connection", id, &after.name, &before, &after),
        )
        .await?;
        let updated = self.reload_connection(&mut tx, id).await?;
        tx.commit().await?;
        Ok(updated)
    }

    pub async fn set_connection_status(
        &self,
        actor: &Actor,
        id: Uuid,
        status: &str,
    ) -> Result<Connection, ApiError> {
        let to = parse_status(status, "status")?;
        let mut tx = self.db.begin().await?;
        let (before, _) = self
            .connection_for(
                &mut tx,
                actor,
                id,
                Op::ManageConnection,
                "change a connection's status",
            )
            .await?;
        if !before.status.can_move_to(to) {
            return Err(transition_refused(before.status, to));
        }
        let after = Connection {
            status: to,
            updated_at: from_micros(now_micros()),
            ..before.clone()
        };
        store::update(&mut tx, &after).await?;
        let org = Some(after.organization_id);
        let change = Change::other(
            org,
            "status",
            "connection",
            id,
            &after.name,
            Some(&before),
            Some(&after),
        );
        record(&mut tx, actor, change).await?;
        let after = self.with_environments(&mut tx, after, None).await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn delete_connection(&self, actor: &Actor, id: Uuid) -> Result<(), ApiError> {
        let mut tx = self.db.begin().await?;
        let (before, _) = self
            .connection_for(
                &mut tx,
                actor,
                id,
                Op::ManageConnection,
                "delete connections",
            )
            .await?;
        store::delete(&mut tx, id).await?;
        let org = Some(before.organization_id);
        record(
            &mut tx,
            actor,
            Change::deleted(org, "connection", id, &before.name, &before),
        )
        .await?;
        tx.commit().await.map_err(ApiError::from)
    }

    /// The environments holding a connection (those the caller reaches), paged.
    pub async fn list_connection_environments(
        &self,
        actor: &Actor,
        id: Uuid,
        query: &EnvironmentQuery,
    ) -> Result<EnvironmentPage, ApiError> {
        let query = &query.rechecked()?;
        let mut conn = self.db.read().await?;
        let (c, member) = self
            .connection_for(&mut conn, actor, id, Op::ViewConnection, "")
            .await?;
        if query.filter.deleted {
            return Err(ApiError::parameter(
                "filter",
                "a connection's environments are the living ones; the trash is at /api/environments",
            ));
        }
        let scope = crate::store::environments::Scope {
            org: c.organization_id,
            member,
            holding: Some(id),
            ..Default::default()
        };
        super::environments::environment_page(&mut conn, &scope, query).await
    }

    /// Probes the connection's health now and answers with what it found.
    pub async fn check_connection(&self, actor: &Actor, id: Uuid) -> Result<Connection, ApiError> {
        let mut conn = self.db.read().await?;
        let (c, _) = self
            .connection_for(
                &mut conn,
                actor,
                id,
                Op::ManageConnection,
                "check connections",
            )
            .await?;
        // The probe can take seconds: no connection is held while it runs.
        drop(conn);
        self.check_now(actor, &c).await?;
        let mut conn = self.db.read().await?;
        self.reload_connection(&mut conn, id).await
    }

    /// One kubernetes connection (and credential) per context; a second import of the same
    /// file creates nothing new. `dry_run`: what it would do (names, credentials, which
    /// contexts are already imported), with nothing kept.
    pub async fn import_kubeconfig(
        &self,
        actor: &Actor,
        org: Option<Uuid>,
        yaml: &str,
        dry_run: bool,
    ) -> Result<KubeconfigImport, ApiError> {
        let (org, role) = resolve_org(actor, org)?;
        permit(
            Standing::in_org(role),
            Op::ManageConnection,
            "import connections",
        )?;
        self.import_kubeconfig_into(actor, org, yaml, dry_run).await
    }
}
