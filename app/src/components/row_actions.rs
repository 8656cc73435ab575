//! The Edit and Delete buttons at the end of a list row.

use leptos::prelude::*;
use uuid::Uuid;

#[component]
pub fn RowActions<F>(
    /// The item's edit page.
    edit: String,
    id: Uuid,
    name: String,
    /// Asks to delete the item (the page confirms first).
    on_delete: F,
    /// What editing and deleting the item takes: without it the cell stays empty.
    op: model::access::Op,
) -> impl IntoView
where
    F: Fn(Uuid, String) + Copy + Send + Sync + 'static,
{
    let label = name.clone();
    if !crate::pages::workspaces::org_allows(op) {
        return view! { <td class="col-actions"></td> }.into_any();
    }
    view! {
        <td class="col-actions">
            <div class="row-actions">
                <a class="btn btn-small" href=edit aria-label=format!("Edit {label}")>"Edit"</a>
                <button
                    type="button"
                    class="btn btn-small btn-danger-quiet"
                    aria-label=format!("Delete {label}")
                    on:click=move |_| on_delete(id, name.clone())
                >
                    "Delete"
                </button>
            </div>
        </td>
    }
    .into_any()
}
