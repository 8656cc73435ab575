//! Wire types shared by the server and the browser, and the rules their values obey.

pub mod access;
pub mod assignment;
pub mod audit;
pub mod connection;
pub mod credential;
pub mod environment;
pub mod error;
pub mod list;
pub mod scope;
pub mod text;
pub mod user;
pub mod workspace;

crate::recheck_by_raw!(
    assignment::AssignmentQuery,
    audit::EventQuery,
    connection::ConnectionQuery,
    credential::CredentialQuery,
    environment::EnvironmentQuery,
    workspace::WorkspaceEnvironmentQuery,
);
