//! Reusable pieces of the UI. They use `crate::helpers` for formatting and permissions, and
//! never depend on a page.

pub mod confirm;
pub mod delete_flow;
pub mod form;
pub mod health;
pub mod leave_guard;
pub mod pager;
pub mod row_actions;
pub mod secret_once;
pub mod sort_header;
pub mod toast;
pub mod transfer_list;
