//! The buttons at the end of a list row: Edit, the row's own moves (an environment's Archive,
//! say), then Delete (or Purge), for those whose standing in the row's organization allows `op`.

use crate::helpers::permissions::org_allows;
use leptos::prelude::*;
use uuid::Uuid;

#[component]
pub fn RowActions<F>(
    /// The item's edit page; without it, no Edit button (an item in the trash).
    #[prop(optional, into)]
    edit: Option<String>,
    id: Uuid,
    name: String,
    /// The organization the item belongs to: the user's standing there decides.
    org: Uuid,
    /// Asks to delete the item (the page confirms first).
    on_delete: F,
    /// What changing the item takes: without it the cell stays empty.
    op: model::access::Op,
    /// The delete button's text: "Delete", or "Purge" in the trash.
    #[prop(default = "Delete")]
    delete_label: &'static str,
    /// Buttons between Edit and Delete.
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView
where
    F: Fn(Uuid, String) + Copy + Send + Sync + 'static,
{
    let label = name.clone();
    if !org_allows(Some(org), op) {
        return view! { <td class="col-actions"></td> }.into_any();
    }
    view! {
        <td class="col-actions">
            <div class="row-actions">
                {edit.map(|edit| view! {
                    <a class="btn btn-small" href=edit aria-label=format!("Edit {label}")>"Edit"</a>
                })}
                {children.map(|c| c())}
                <button
                    type="button"
                    class="btn btn-small btn-danger-quiet"
                    aria-label=format!("{delete_label} {name}")
                    on:click={
                        let name = name.clone();
                        move |_| on_delete(id, name.clone())
                    }
                >
                    {delete_label}
                </button>
            </div>
        </td>
    }
    .into_any()
}
