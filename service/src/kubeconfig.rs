//! Importing a kubeconfig: one kubernetes connection per context, each with a credential built
//! from its user. Each context gets an import key (server + context name), so importing the
//! same file again finds what the first import made and creates nothing.

use super::{record, Change, Service};
use crate::actor::Actor;
use crate::db::{from_micros, now_micros};
use crate::store::{connections, credentials};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use model::connection::{
    Connection, ConnectionFields, ConnectionStatus, ImportedConnection, KubeconfigImport,
};
use model::credential::{check_secret, Credential, CredentialType, Secret};
use model::error::{ApiError, ErrorCode};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Deserialize)]
struct Kubeconfig {
    #[serde(default)]
    clusters: Vec<NamedCluster>,
    #[serde(default)]
    users: Vec<NamedUser>,
    #[serde(default)]
    contexts: Vec<NamedContext>,
}

#[derive(Deserialize)]
struct NamedCluster {
    name: String,
    #[serde(default)]
    cluster: Cluster,
}

#[derive(Deserialize)]
struct NamedUser {
    name: String,
    #[serde(default)]
    user: User,
}

#[derive(Deserialize)]
struct NamedContext {
    name: String,
    #[serde(default)]
    context: Context,
}

#[derive(Deserialize, Default)]
struct Cluster {
    #[serde(default)]
    server: String,
    #[serde(default, rename = "certificate-authority-data")]
    ca_data: Option<String>,
    #[serde(default, rename = "certificate-authority")]
    ca_file: Option<String>,
    #[serde(default, rename = "insecure-skip-tls-verify")]
    insecure: bool,
}

#[derive(Deserialize, Default)]
struct User {
    #[serde(default)]
    token: Option<String>,
    #[serde(default, rename = "client-certificate-data")]
    cert_data: Option<String>,
    #[serde(default, rename = "client-key-data")]
    key_data: Option<String>,
    #[serde(default, rename = "client-certificate")]
    cert_file: Option<String>,
    #[serde(default, rename = "client-key")]
    key_file: Option<String>,
    #[serde(default, rename = "tokenFile")]
    token_file: Option<String>,
}

#[derive(Deserialize, Default)]
struct Context {
    #[serde(default)]
    cluster: String,
    #[serde(default)]
    user: String,
    #[serde(default)]
    namespace: Option<String>,
}

fn bad(field: &str, message: String) -> ApiError {
    ApiError::new(ErrorCode::InvalidBody, message).with_field(field)
}

fn pem(data: &str, field: &str, at: &str) -> Result<String, ApiError> {
    let bytes = B64
        .decode(data.trim())
        .map_err(|_| bad(at, format!("{field} is not base64")))?;
    String::from_utf8(bytes).map_err(|_| bad(at, format!("{field} is not PEM text")))
}

/// The credential secret of a kubeconfig user, or `None` when it authenticates some other way
/// (an exec plugin, say), which meshenv cannot carry.
fn user_secret(user: &User, ca: Option<String>, at: &str) -> Result<Option<Secret>, ApiError> {
    if user.cert_file.is_some() || user.key_file.is_some() || user.token_file.is_some() {
        return Err(bad(
            at,
            "this user reads files; embed them first with: kubectl config view --flatten --raw"
                .into(),
        ));
    }
    let mut s = Secret::new();
    if let Some(t) = user.token.as_deref().filter(|t| !t.is_empty()) {
        s.insert("token".into(), t.to_string());
    }
    if let Some(c) = &user.cert_data {
        s.insert(
            "client_certificate".into(),
            pem(c, "client-certificate-data", at)?,
        );
    }
    if let Some(k) = &user.key_data {
        s.insert("client_key".into(), pem(k, "client-key-data", at)?);
    }
    if s.is_empty() {
        return Ok(None);
    }
    if let Some(ca) = ca {
        s.insert("certificate_authority".into(), ca);
    }
    check_secret(CredentialType::Kubernetes, &s)
        .map(Some)
        .map_err(|e| bad(at, e.error))
}

impl Service {
    pub(crate) async fn import_kubeconfig_into(
        &self,
        actor: &Actor,
        org: Uuid,
        yaml: &str,
        dry_run: bool,
    ) -> Result<KubeconfigImport, ApiError> {
        let config: Kubeconfig = serde_yaml::from_str(yaml)
            .map_err(|e| ApiError::new(ErrorCode::InvalidBody, format!("not a kubeconfig: {e}")))?;
        if config.contexts.is_empty() {
            return Err(ApiError::new(
                ErrorCode::InvalidBody,
                "the kubeconfig has no contexts",
            ));
        }
        let mut tx = self.db.begin().await?;
        let mut out = Vec::with_capacity(config.contexts.len());
        for (i, ctx) in config.contexts.iter().enumerate() {
            let at = format!("contexts[{i}]");
            let cluster = config
                .clusters
                .iter()
                .find(|c| c.name == ctx.context.cluster)
                .ok_or_else(|| {
                    bad(
                        &at,
                        format!(
                            "context '{}' names cluster '{}', which is not in the file",
                            ctx.name, ctx.context.cluster
                        ),
                    )
                })?;
            let cluster = &cluster.cluster;
            if cluster.ca_file.is_some() {
                return Err(bad(&at, "this cluster reads its CA from a file; embed it first with: kubectl config view --flatten --raw".into()));
            }
            let import_key = format!("kubeconfig:{}:{}", cluster.server, ctx.name);
            if let Some(id) = connections::find_imported(&mut tx, org, &import_key).await? {
                let existing = connections::get(&mut tx, id).await?;
                out.push(ImportedConnection {
                    id,
                    name: existing
                        .as_ref()
                        .map(|c| c.name.clone())
                        .unwrap_or_default(),
                    context: ctx.name.clone(),
                    url: cluster.server.clone(),
                    credential_id: existing.and_then(|c| c.credential_id),
                    created: false,
                });
                continue;
            }
            let user = config
                .users
                .iter()
                .find(|u| u.name == ctx.context.user)
                .map(|u| &u.user);
            let ca = cluster
                .ca_data
                .as_deref()
                .map(|d| pem(d, "certificate-authority-data", &at))
                .transpose()?;
            let secret = match user {
                Some(u) => user_secret(u, ca, &at)?,
                None => None,
            };
            let mut metadata = serde_json::Map::new();
            metadata.insert("source".into(), "kubeconfig".into());
            metadata.insert("context".into(), ctx.name.clone().into());
            metadata.insert("cluster".into(), ctx.context.cluster.clone().into());
            if let Some(ns) = &ctx.context.namespace {
                metadata.insert("namespace".into(), ns.clone().into());
            }
            if cluster.insecure {
                metadata.insert("insecure_skip_tls_verify".into(), true.into());
            }
            let f = ConnectionFields::check(
                &ctx.name,
                "kubernetes",
                "platform",
                "",
                &cluster.server,
                &metadata,
            )
            .map_err(|e| bad(&at, format!("context '{}': {}", ctx.name, e.error)))?;
            let now = from_micros(now_micros());
            let credential_id = match secret {
                None => None,
                Some(secret) => {
                    // Names are unique in the organization: another file's context of the
                    // same name (every file has a "default") gets "(2)" and so on.
                    let name = crate::store::names::free_name(
                        &mut tx,
                        "credentials",
                        org,
                        &format!("{} (kubeconfig)", ctx.name),
                        model::credential::CREDENTIAL_NAME_MAX,
                    )
                    .await?;
                    // The file gives the secret and the server it is for: that server is
                    // the credential's whole scope.
                    let (allowed_hosts, allow_http) =
                        crate::egress::scope_of_urls(std::iter::once(f.url.as_str()));
                    let cred = Credential {
                        id: Uuid::now_v7(),
                        organization_id: org,
                        name,
                        kind: CredentialType::Kubernetes,
                        secret: Secret::new(),
                        allowed_hosts,
                        allow_http,
                        owner: actor.user.id,
                        connection_count: 0,
                        created_at: now,
                        updated_at: now,
                    };
                    let sealed = self.seal_credential(cred, &secret);
                    credentials::insert(&mut tx, &sealed).await?;
                    let c = &sealed.credential;
                    record(
                        &mut tx,
                        actor,
                        Change::created(Some(org), "credential", c.id, &c.name, c),
                    )
                    .await?;
                    Some(c.id)
                }
            };
            let health = model::connection::ConnectionHealth::fresh(&f.kind, now);
            let name = crate::store::names::free_name(
                &mut tx,
                "connections",
                org,
                &f.name,
                model::connection::CONNECTION_NAME_MAX,
            )
            .await?;
            let c = Connection {
                id: Uuid::now_v7(),
                organization_id: org,
                name,
                kind: f.kind,
                kind_type: f.kind_type,
                sub_type: f.sub_type,
                url: f.url,
                status: ConnectionStatus::Registered,
                metadata: f.metadata,
                credential_id,
                credential_name: None,
                environments: Vec::new(),
                environment_count: 0,
                owner: actor.user.id,
                created_at: now,
                updated_at: now,
                health,
                last_probe: Default::default(),
            };
            self.insert_connection(&mut tx, actor, &c, Some(&import_key))
                .await?;
            out.push(ImportedConnection {
                id: c.id,
                name: c.name,
                context: ctx.name.clone(),
                url: c.url,
                credential_id,
                created: true,
            });
        }
        // A preview does all of it, every check and every name chosen, then keeps nothing.
        if dry_run {
            drop(tx); // a transaction dropped unfinished is rolled back
        } else {
            tx.commit().await?;
        }
        Ok(KubeconfigImport { connections: out })
    }
}
