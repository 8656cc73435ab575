//! What the browser and the server share: wire types and the rules their values obey (each
//! type's `parse` or `check`, which the forms show and the service enforces), the access table
//! (`access::RULES`) and the one error type (`error::ApiError`). Compiled into the wasm app and
//! into the server; the `ssr` feature adds the server's side (OpenAPI schemas, conversions from
//! database errors, rendering as an HTTP response).

pub mod access;
pub mod assignment;
pub mod audit;
pub mod connection;
pub mod credential;
pub mod environment;
pub mod error;
pub mod health;
pub mod list;
pub mod scope;
pub mod sso;
pub mod team;
pub mod text;
pub mod user;
pub mod workspace;

crate::recheck_by_raw!(
    assignment::AssignmentQuery,
    audit::EventQuery,
    connection::ConnectionQuery,
    credential::CredentialQuery,
    environment::EnvironmentQuery,
);
