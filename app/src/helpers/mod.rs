//! Helpers that pages and components share: formatting and what the signed-in user may do.
//! Components depend on this module, never on a page.

pub mod format;
pub mod permissions;
