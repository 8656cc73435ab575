//! Reusable pieces of the UI.

pub mod confirm;
pub mod delete_flow;
pub mod pager;
pub mod row_actions;
pub mod sort_header;
pub mod toast;
pub mod transfer_list;
