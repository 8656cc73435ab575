//! The integration suite: the real server on an ephemeral port, spoken to over HTTP, each
//! scenario on SQLite and on PostgreSQL. One test binary (not one per file) so that CI links
//! the server once rather than once per topic.

#[macro_use]
mod common;

mod audit;
mod cli;
mod connections;
mod environments;
mod events;
mod health;
mod health_states;
mod health_tls;
mod lifecycle;
mod names;
mod pages;
mod platform;
mod reference;
mod scale;
mod sign_in;
mod sso;
mod teams;
mod trust;
mod workspaces;
