//! The contract between the UI's server functions and the service layer, which lives in the
//! server crate and implements it. Server functions and REST handlers both call through it, so
//! every rule (validation, permission, audit) is written once, in the service.

use crate::error::ApiError;
use crate::model::assignment::{
    AssignmentPatch, AssignmentQuery, AssignmentResult, Transfer, TransferResult,
};
use crate::model::connection::{
    Connection, ConnectionInput, ConnectionPage, ConnectionQuery, KubeconfigImport,
};
use crate::model::credential::{
    Credential, CredentialPage, CredentialQuery, CredentialUpdate, NewCredential,
};
use crate::model::environment::{
    BulkLifecycle, BulkResult, Environment, EnvironmentPage, EnvironmentQuery, EnvironmentUpdate,
    LifecycleAction, NewEnvironment, Restore,
};
use crate::model::user::{
    ApiToken, CreatedToken, CreatedUser, Me, NewUser, OrgUser, PasswordChange, SessionInfo,
    UserPage, UserQuery,
};
use crate::model::workspace::{
    MemberList, NewMember, NewWorkspace, RoleUpdate, Workspace, WorkspaceAssignmentResult,
    WorkspaceEnvironmentQuery, WorkspaceMember, WorkspacePage, WorkspaceQuery, WorkspaceUpdate,
};
use async_trait::async_trait;
use std::sync::Arc;
use uuid::Uuid;

/// Who is asking, and how they proved it.
#[derive(Clone, Debug)]
pub struct Actor {
    pub user: Me,
    /// The API token used, when the request came with one rather than a session.
    pub token_id: Option<Uuid>,
    /// The public id of the session used, when the request came with one.
    pub session_id: Option<String>,
    /// Why the change is made, from `X-Meshenv-Reason`; kept with audit events.
    pub reason: Option<String>,
}

/// A new session: the cookie value to hand the browser and when it stops working.
#[derive(Clone, Debug)]
pub struct NewSession {
    pub secret: String,
    pub max_age_secs: i64,
}

/// Who is on the other end of a request, as the HTTP layer established it.
#[derive(Clone, Debug, Default)]
pub struct ClientInfo {
    /// The peer's address, or the forwarded client address when the peer is a trusted proxy.
    pub addr: Option<String>,
    pub user_agent: Option<String>,
    /// Reached over TLS, directly or through a trusted proxy that says so.
    pub secure: bool,
}

/// Sign-in, sessions and API tokens as proof of identity.
#[async_trait]
pub trait AuthService: Send + Sync {
    /// Checks a name-or-email and password and opens a session; throttled per login and per
    /// client address (429 with a delay while locked).
    async fn sign_in(
        &self,
        login: &str,
        password: &str,
        client: &ClientInfo,
    ) -> Result<NewSession, ApiError>;
    async fn sign_out(&self, session_secret: &str) -> Result<(), ApiError>;
    async fn actor_from_session(&self, session_secret: &str) -> Result<Actor, ApiError>;
    /// The caller's live sessions.
    async fn list_sessions(&self, actor: &Actor) -> Result<Vec<SessionInfo>, ApiError>;
    /// Ends one of the caller's sessions.
    async fn end_session(&self, actor: &Actor, id: &str) -> Result<(), ApiError>;
    /// Ends every session of the caller, this one included; returns how many.
    async fn end_all_sessions(&self, actor: &Actor) -> Result<u64, ApiError>;
    async fn actor_from_token(&self, token: &str) -> Result<Actor, ApiError>;
}

#[async_trait]
pub trait EnvironmentService: Send + Sync {
    async fn list_environments(
        &self,
        actor: &Actor,
        query: &EnvironmentQuery,
    ) -> Result<EnvironmentPage, ApiError>;
    async fn get_environment(&self, actor: &Actor, id: Uuid) -> Result<Environment, ApiError>;
    async fn create_environment(
        &self,
        actor: &Actor,
        input: &NewEnvironment,
    ) -> Result<Environment, ApiError>;
    async fn update_environment(
        &self,
        actor: &Actor,
        id: Uuid,
        input: &EnvironmentUpdate,
    ) -> Result<Environment, ApiError>;
    /// Sends the environment to the trash; with `purge`, removes one from the trash for good.
    async fn delete_environment(
        &self,
        actor: &Actor,
        id: Uuid,
        purge: bool,
    ) -> Result<(), ApiError>;
    /// Archive, unarchive, delete or restore (optionally under a new name).
    async fn change_lifecycle(
        &self,
        actor: &Actor,
        id: Uuid,
        action: LifecycleAction,
        restore: &Restore,
    ) -> Result<Environment, ApiError>;
    /// The tags in use in the organization, for suggestions (organization admins).
    async fn environment_tags(
        &self,
        actor: &Actor,
        org: Option<Uuid>,
    ) -> Result<Vec<String>, ApiError>;
    /// One action on many environments, in one transaction.
    async fn bulk_lifecycle(
        &self,
        actor: &Actor,
        bulk: &BulkLifecycle,
    ) -> Result<BulkResult, ApiError>;
}

/// The caller's own personal API tokens.
#[async_trait]
pub trait TokenService: Send + Sync {
    async fn list_tokens(&self, actor: &Actor) -> Result<Vec<ApiToken>, ApiError>;
    /// A new token, expiring after `expires_in_days` ("" or none: never).
    async fn create_token(
        &self,
        actor: &Actor,
        name: &str,
        expires_in_days: Option<&str>,
    ) -> Result<CreatedToken, ApiError>;
    async fn revoke_token(&self, actor: &Actor, id: Uuid) -> Result<(), ApiError>;
}

#[async_trait]
pub trait CredentialService: Send + Sync {
    async fn list_credentials(
        &self,
        actor: &Actor,
        query: &CredentialQuery,
    ) -> Result<CredentialPage, ApiError>;
    async fn get_credential(&self, actor: &Actor, id: Uuid) -> Result<Credential, ApiError>;
    async fn create_credential(
        &self,
        actor: &Actor,
        input: &NewCredential,
    ) -> Result<Credential, ApiError>;
    async fn update_credential(
        &self,
        actor: &Actor,
        id: Uuid,
        input: &CredentialUpdate,
    ) -> Result<Credential, ApiError>;
    /// A credential in use is refused (409) unless `force`, which detaches it first.
    async fn delete_credential(&self, actor: &Actor, id: Uuid, force: bool)
        -> Result<(), ApiError>;
}

#[async_trait]
pub trait ConnectionService: Send + Sync {
    async fn list_connections(
        &self,
        actor: &Actor,
        query: &ConnectionQuery,
    ) -> Result<ConnectionPage, ApiError>;
    async fn get_connection(&self, actor: &Actor, id: Uuid) -> Result<Connection, ApiError>;
    async fn create_connection(
        &self,
        actor: &Actor,
        input: &ConnectionInput,
    ) -> Result<Connection, ApiError>;
    async fn update_connection(
        &self,
        actor: &Actor,
        id: Uuid,
        input: &ConnectionInput,
    ) -> Result<Connection, ApiError>;
    async fn set_connection_status(
        &self,
        actor: &Actor,
        id: Uuid,
        status: &str,
    ) -> Result<Connection, ApiError>;
    async fn delete_connection(&self, actor: &Actor, id: Uuid) -> Result<(), ApiError>;
    /// Probes the connection's health now and answers with what it found.
    /// The environments holding a connection (those the caller reaches), paged.
    async fn list_connection_environments(
        &self,
        actor: &Actor,
        id: Uuid,
        query: &EnvironmentQuery,
    ) -> Result<EnvironmentPage, ApiError>;
    async fn check_connection(&self, actor: &Actor, id: Uuid) -> Result<Connection, ApiError>;
    /// One kubernetes connection (and credential) per context; a second import of the same
    /// file creates nothing new.
    async fn import_kubeconfig(
        &self,
        actor: &Actor,
        org: Option<Uuid>,
        yaml: &str,
    ) -> Result<KubeconfigImport, ApiError>;
}

#[async_trait]
pub trait AssignmentService: Send + Sync {
    async fn list_environment_connections(
        &self,
        actor: &Actor,
        environment: Uuid,
        query: &AssignmentQuery,
    ) -> Result<ConnectionPage, ApiError>;
    /// The ids of every connection on one side (assigned or not) matching the query's search,
    /// for moving a whole filtered side at once.
    async fn environment_connection_ids(
        &self,
        actor: &Actor,
        environment: Uuid,
        query: &AssignmentQuery,
    ) -> Result<Vec<Uuid>, ApiError>;
    /// Returns whether the mapping is new; adding one that exists is not an error.
    async fn assign_connection(
        &self,
        actor: &Actor,
        environment: Uuid,
        connection: Uuid,
    ) -> Result<bool, ApiError>;
    async fn unassign_connection(
        &self,
        actor: &Actor,
        environment: Uuid,
        connection: Uuid,
    ) -> Result<(), ApiError>;
    /// All of it in one transaction, or nothing.
    async fn patch_environment_connections(
        &self,
        actor: &Actor,
        environment: Uuid,
        patch: &AssignmentPatch,
    ) -> Result<AssignmentResult, ApiError>;
    async fn transfer_connections(
        &self,
        actor: &Actor,
        environment: Uuid,
        transfer: &Transfer,
    ) -> Result<TransferResult, ApiError>;
}

/// The audit log.
#[async_trait]
pub trait AuditService: Send + Sync {
    async fn list_events(
        &self,
        actor: &Actor,
        query: &crate::model::audit::EventQuery,
    ) -> Result<crate::model::audit::EventPage, ApiError>;
}

/// Workspaces, the environments assigned to them and their members.
#[async_trait]
pub trait WorkspaceService: Send + Sync {
    async fn list_workspaces(
        &self,
        actor: &Actor,
        query: &WorkspaceQuery,
    ) -> Result<WorkspacePage, ApiError>;
    async fn get_workspace(&self, actor: &Actor, id: Uuid) -> Result<Workspace, ApiError>;
    async fn create_workspace(
        &self,
        actor: &Actor,
        input: &NewWorkspace,
    ) -> Result<Workspace, ApiError>;
    async fn update_workspace(
        &self,
        actor: &Actor,
        id: Uuid,
        input: &WorkspaceUpdate,
    ) -> Result<Workspace, ApiError>;
    async fn delete_workspace(&self, actor: &Actor, id: Uuid) -> Result<(), ApiError>;
    async fn list_workspace_environments(
        &self,
        actor: &Actor,
        id: Uuid,
        query: &WorkspaceEnvironmentQuery,
    ) -> Result<EnvironmentPage, ApiError>;
    /// The ids of every environment on one side matching the query's search.
    async fn workspace_environment_ids(
        &self,
        actor: &Actor,
        id: Uuid,
        query: &WorkspaceEnvironmentQuery,
    ) -> Result<Vec<Uuid>, ApiError>;
    /// Returns whether the assignment is new; assigning twice is not an error.
    async fn assign_environment(
        &self,
        actor: &Actor,
        id: Uuid,
        environment: Uuid,
    ) -> Result<bool, ApiError>;
    async fn unassign_environment(
        &self,
        actor: &Actor,
        id: Uuid,
        environment: Uuid,
    ) -> Result<(), ApiError>;
    /// All of it in one transaction, or nothing.
    async fn patch_workspace_environments(
        &self,
        actor: &Actor,
        id: Uuid,
        patch: &AssignmentPatch,
    ) -> Result<WorkspaceAssignmentResult, ApiError>;
    /// The distinct connections of the workspace's environments, each with the workspace's
    /// environments that bring it.
    async fn list_workspace_connections(
        &self,
        actor: &Actor,
        id: Uuid,
        query: &ConnectionQuery,
    ) -> Result<ConnectionPage, ApiError>;
    async fn list_members(&self, actor: &Actor, id: Uuid) -> Result<MemberList, ApiError>;
    /// Adds the member, or changes their role if they are one.
    async fn add_member(
        &self,
        actor: &Actor,
        id: Uuid,
        input: &NewMember,
    ) -> Result<WorkspaceMember, ApiError>;
    async fn update_member(
        &self,
        actor: &Actor,
        id: Uuid,
        user: Uuid,
        input: &RoleUpdate,
    ) -> Result<WorkspaceMember, ApiError>;
    async fn remove_member(&self, actor: &Actor, id: Uuid, user: Uuid) -> Result<(), ApiError>;
}

/// An organization's people, and each user's own password.
#[async_trait]
pub trait UserService: Send + Sync {
    async fn list_users(&self, actor: &Actor, query: &UserQuery) -> Result<UserPage, ApiError>;
    async fn create_user(&self, actor: &Actor, input: &NewUser) -> Result<CreatedUser, ApiError>;
    async fn update_user_role(
        &self,
        actor: &Actor,
        org: Option<Uuid>,
        user: Uuid,
        input: &RoleUpdate,
    ) -> Result<OrgUser, ApiError>;
    /// Takes the user out of the organization and its workspaces.
    async fn remove_user(
        &self,
        actor: &Actor,
        org: Option<Uuid>,
        user: Uuid,
    ) -> Result<(), ApiError>;
    /// Gives someone a new one-time password (shown once) and ends all their sessions.
    async fn reset_password(
        &self,
        actor: &Actor,
        org: Option<Uuid>,
        user: Uuid,
    ) -> Result<CreatedUser, ApiError>;
    async fn change_password(&self, actor: &Actor, input: &PasswordChange) -> Result<(), ApiError>;
}

/// Everything the UI can ask of the service layer.
pub trait Backend:
    AuthService
    + EnvironmentService
    + TokenService
    + CredentialService
    + ConnectionService
    + AssignmentService
    + AuditService
    + WorkspaceService
    + UserService
    + 'static
{
}

impl<T> Backend for T where
    T: AuthService
        + EnvironmentService
        + TokenService
        + CredentialService
        + ConnectionService
        + AssignmentService
        + AuditService
        + WorkspaceService
        + UserService
        + 'static
{
}

/// Someone on a one-time password may do nothing but change it (and look at who they are).
pub fn require_password_changed(actor: &Actor) -> Result<(), ApiError> {
    if actor.user.must_change_password {
        return Err(ApiError::new(
            crate::error::ErrorCode::PasswordChangeRequired,
            "change the one-time password you were given first (PUT /api/me/password, or the profile page)",
        ));
    }
    Ok(())
}

pub type SharedBackend = Arc<dyn Backend>;

/// The session cookie's name over plain http.
pub const SESSION_COOKIE: &str = "meshenv_session";
/// Its name under TLS: the `__Host-` prefix makes the browser refuse it unless it is Secure,
/// for this host only and for the whole site, so a sibling domain cannot plant one.
pub const SECURE_SESSION_COOKIE: &str = "__Host-meshenv_session";

pub fn session_cookie_name(secure: bool) -> &'static str {
    if secure {
        SECURE_SESSION_COOKIE
    } else {
        SESSION_COOKIE
    }
}

/// Reads the session cookie (the name that fits the connection) out of a request's headers.
pub fn session_from_headers(headers: &http::HeaderMap, secure: bool) -> Option<String> {
    let name = session_cookie_name(secure);
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
        .filter(|v| !v.is_empty())
}

/// The Set-Cookie value that opens (or, with `None`, clears) a session.
pub fn session_cookie(session: Option<&NewSession>, secure: bool) -> String {
    let (value, max_age) = match session {
        Some(s) => (s.secret.as_str(), s.max_age_secs),
        None => ("", 0),
    };
    let name = session_cookie_name(secure);
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_session_cookie_among_others() {
        let mut h = http::HeaderMap::new();
        h.insert(
            http::header::COOKIE,
            "a=1; meshenv_session=abc; b=2".parse().unwrap(),
        );
        assert_eq!(session_from_headers(&h, false).as_deref(), Some("abc"));
        // under TLS only the __Host- cookie counts
        assert_eq!(session_from_headers(&h, true), None);
        h.insert(
            http::header::COOKIE,
            "__Host-meshenv_session=xyz".parse().unwrap(),
        );
        assert_eq!(session_from_headers(&h, true).as_deref(), Some("xyz"));
        h.insert(http::header::COOKIE, "meshenv_session=".parse().unwrap());
        assert_eq!(session_from_headers(&h, false), None);
    }

    #[test]
    fn cookie_is_httponly_lax_and_secure_under_tls() {
        let s = NewSession {
            secret: "x".into(),
            max_age_secs: 60,
        };
        let c = session_cookie(Some(&s), true);
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && c.ends_with("Secure"));
        assert!(c.starts_with("__Host-meshenv_session=x; Path=/;"));
        assert!(!session_cookie(Some(&s), false).contains("Secure"));
        assert!(session_cookie(None, false).contains("Max-Age=0"));
    }
}
