//! Credentials. Secrets are stored sealed; this module never sees plaintext.

use super::{bool_sql, uuid_col, Sql};
use crate::db::{from_micros, Backend};
use model::credential::{Credential, CredentialQuery, CredentialSort, CredentialType};
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

const COLUMNS: &str = "id, organization_id, name, type, secret_fields, owner_id, created_at, updated_at, \
    allowed_hosts, CAST(CASE WHEN allow_http THEN 1 ELSE 0 END AS BIGINT) AS allow_http_n, \
    (SELECT COUNT(*) FROM connections c WHERE c.credential_id = credentials.id) AS connection_count";

/// A credential with its sealed secret.
pub struct Sealed {
    pub credential: Credential,
    pub ciphertext: String,
    pub key_id: String,
}

fn credential(r: &sqlx::any::AnyRow) -> Result<Credential, sqlx::Error> {
    let kind: String = r.try_get("type")?;
    let fields: String = r.try_get("secret_fields")?;
    let fields: Vec<String> =
        serde_json::from_str(&fields).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
    Ok(Credential {
        id: uuid_col(r, "id")?,
        organization_id: uuid_col(r, "organization_id")?,
        name: r.try_get("name")?,
        kind: CredentialType::parse(&kind).unwrap_or(CredentialType::Custom),
        secret: Credential::mask(fields),
        allowed_hosts: hosts_of(r.try_get("allowed_hosts")?)?,
        allow_http: r.try_get::<i64, _>("allow_http_n")? != 0,
        owner: uuid_col(r, "owner_id")?,
        connection_count: r.try_get::<i64, _>("connection_count")?.max(0) as u64,
        created_at: from_micros(r.try_get("created_at")?),
        updated_at: from_micros(r.try_get("updated_at")?),
    })
}

fn hosts_of(raw: Option<String>) -> Result<Vec<String>, sqlx::Error> {
    match raw {
        None => Ok(Vec::new()),
        Some(s) => serde_json::from_str(&s).map_err(|e| sqlx::Error::Decode(Box::new(e))),
    }
}

fn hosts_json(c: &Credential) -> String {
    serde_json::to_string(&c.allowed_hosts).unwrap_or_else(|_| "[]".into())
}

/// With `member`, only the credentials of the connections that member reaches.
fn filtered(
    select: &str,
    backend: Backend,
    org: Uuid,
    member: Option<Uuid>,
    q: &CredentialQuery,
) -> Sql {
    let mut sql = Sql::new(select);
    sql.push(" FROM credentials WHERE organization_id = ")
        .bind(org);
    if let Some(user) = member {
        super::reach::credentials_of(&mut sql, "id", user);
    }
    if let Some(search) = &q.list.search {
        super::push_search(&mut sql, backend, "credentials", search);
    }
    if let Some(kind) = q.kind {
        sql.push(" AND type = ").bind(kind.as_str());
    }
    sql
}

pub async fn list(
    db: &mut AnyConnection,
    org: Uuid,
    member: Option<Uuid>,
    q: &CredentialQuery,
) -> Result<(Vec<Credential>, u64), sqlx::Error> {
    let column = match q.list.order.field {
        CredentialSort::Name => "sort_key",
        CredentialSort::Type => "type",
        CredentialSort::CreatedAt => "created_at",
        CredentialSort::UpdatedAt => "updated_at",
    };
    let backend = Backend::of(db);
    super::page_and_count(
        db,
        |select| filtered(select, backend, org, member, q),
        &format!("SELECT {COLUMNS}"),
        (column, "id"),
        &q.list,
        credential,
    )
    .await
}

pub async fn get(db: &mut AnyConnection, id: Uuid) -> Result<Option<Sealed>, sqlx::Error> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS}, ciphertext, key_id FROM credentials WHERE id = $1"
    ))
    .bind(id.to_string())
    .fetch_optional(&mut *db)
    .await?;
    row.map(|r| {
        Ok(Sealed {
            credential: credential(&r)?,
            ciphertext: r.try_get("ciphertext")?,
            key_id: r.try_get("key_id")?,
        })
    })
    .transpose()
}

fn fields_json(c: &Credential) -> String {
    serde_json::to_string(&c.secret.keys().collect::<Vec<_>>()).unwrap_or_else(|_| "[]".into())
}

pub async fn insert(db: &mut AnyConnection, s: &Sealed) -> Result<(), sqlx::Error> {
    let c = &s.credential;
    sqlx::query(&format!(
        "INSERT INTO credentials (id, organization_id, name, name_key, type, secret_fields, ciphertext, key_id, \
         search_text, owner_id, created_at, updated_at, allowed_hosts, allow_http, sort_key) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, {}, $14)",
        bool_sql(c.allow_http)
    ))
    .bind(c.id.to_string())
    .bind(c.organization_id.to_string())
    .bind(c.name.clone())
    .bind(c.name.to_lowercase())
    .bind(c.kind.as_str())
    .bind(fields_json(c))
    .bind(s.ciphertext.clone())
    .bind(s.key_id.clone())
    .bind(c.name.to_lowercase())
    .bind(c.owner.to_string())
    .bind(c.created_at.timestamp_micros())
    .bind(c.updated_at.timestamp_micros())
    .bind(hosts_json(c))
    .bind(model::text::sort_key(&c.name))
    .execute(&mut *db)
    .await?;
    Ok(())
}

pub async fn update(db: &mut AnyConnection, s: &Sealed) -> Result<(), sqlx::Error> {
    let c = &s.credential;
    sqlx::query(&format!(
        "UPDATE credentials SET name = $1, name_key = $2, type = $3, secret_fields = $4, ciphertext = $5, \
         key_id = $6, search_text = $7, updated_at = $8, allowed_hosts = $10, allow_http = {}, sort_key = $11 WHERE id = $9",
        bool_sql(c.allow_http)
    ))
    .bind(c.name.clone())
    .bind(c.name.to_lowercase())
    .bind(c.kind.as_str())
    .bind(fields_json(c))
    .bind(s.ciphertext.clone())
    .bind(s.key_id.clone())
    .bind(c.name.to_lowercase())
    .bind(c.updated_at.timestamp_micros())
    .bind(c.id.to_string())
    .bind(hosts_json(c))
    .bind(model::text::sort_key(&c.name))
    .execute(&mut *db)
    .await?;
    Ok(())
}

pub async fn delete(db: &mut AnyConnection, id: Uuid) -> Result<(), sqlx::Error> {
    super::delete_by_id(db, "credentials", id).await
}

/// The connections that use a credential, by name.
pub async fn users_of(
    db: &mut AnyConnection,
    id: Uuid,
) -> Result<Vec<(Uuid, String)>, sqlx::Error> {
    Ok(users_with_urls(db, id)
        .await?
        .into_iter()
        .map(|(id, name, _)| (id, name))
        .collect())
}

/// The connections that use a credential: (id, name, url), by name.
pub async fn users_with_urls(
    db: &mut AnyConnection,
    id: Uuid,
) -> Result<Vec<(Uuid, String, String)>, sqlx::Error> {
    sqlx::query(
        "SELECT id, name, url FROM connections WHERE credential_id = $1 ORDER BY sort_key, id",
    )
    .bind(id.to_string())
    .fetch_all(&mut *db)
    .await?
    .iter()
    .map(|r| Ok((uuid_col(r, "id")?, r.try_get("name")?, r.try_get("url")?)))
    .collect()
}

/// Gives every credential made before scopes existed (`allowed_hosts` NULL) the scope its
/// connections use today: each one's host and port, and plain http if any of them speaks it.
/// Returns how many it changed. Runs at start, after the migrations.
pub async fn derive_missing_scopes(db: &mut AnyConnection) -> Result<usize, sqlx::Error> {
    let ids: Vec<String> = sqlx::query("SELECT id FROM credentials WHERE allowed_hosts IS NULL")
        .fetch_all(&mut *db)
        .await?
        .iter()
        .map(|r| r.try_get("id"))
        .collect::<Result<_, _>>()?;
    for id in &ids {
        let urls: Vec<String> = sqlx::query("SELECT url FROM connections WHERE credential_id = $1")
            .bind(id.clone())
            .fetch_all(&mut *db)
            .await?
            .iter()
            .map(|r| r.try_get("url"))
            .collect::<Result<_, _>>()?;
        let (hosts, http) = crate::egress::scope_of_urls(urls.iter().map(String::as_str));
        sqlx::query(&format!(
            "UPDATE credentials SET allowed_hosts = $1, allow_http = {} WHERE id = $2 AND allowed_hosts IS NULL",
            bool_sql(http)
        ))
        .bind(serde_json::to_string(&hosts).unwrap_or_else(|_| "[]".into()))
        .bind(id.clone())
        .execute(&mut *db)
        .await?;
    }
    Ok(ids.len())
}

pub async fn detach(db: &mut AnyConnection, id: Uuid, now: i64) -> Result<u64, sqlx::Error> {
    let r = sqlx::query(
        "UPDATE connections SET credential_id = NULL, updated_at = $1 WHERE credential_id = $2",
    )
    .bind(now)
    .bind(id.to_string())
    .execute(&mut *db)
    .await?;
    Ok(r.rows_affected())
}

/// The ids of the keys that sealed stored secrets.
pub async fn key_ids(db: &mut AnyConnection) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query("SELECT DISTINCT key_id FROM credentials")
        .fetch_all(&mut *db)
        .await?
        .iter()
        .map(|r| r.try_get("key_id"))
        .collect()
}

/// Every sealed secret: (id, key id, ciphertext), for checks and rotation.
pub async fn all_sealed(
    db: &mut AnyConnection,
) -> Result<Vec<(Uuid, String, String)>, sqlx::Error> {
    sqlx::query("SELECT id, key_id, ciphertext FROM credentials ORDER BY id")
        .fetch_all(&mut *db)
        .await?
        .iter()
        .map(|r| {
            Ok((
                uuid_col(r, "id")?,
                r.try_get("key_id")?,
                r.try_get("ciphertext")?,
            ))
        })
        .collect()
}

pub async fn reseal(
    db: &mut AnyConnection,
    id: Uuid,
    key_id: &str,
    ciphertext: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE credentials SET key_id = $1, ciphertext = $2 WHERE id = $3")
        .bind(key_id.to_string())
        .bind(ciphertext.to_string())
        .bind(id.to_string())
        .execute(&mut *db)
        .await?;
    Ok(())
}
