//! The Workspaces page: the teams of the organization (all of them for its admins, the
//! caller's own otherwise), and for admins the form that creates one.

use crate::components::confirm::ConfirmDialog;
use crate::components::delete_flow::DeleteFlow;
use crate::components::pager::Pager;
use crate::helpers::permissions::org_allows;
use crate::server_fns::workspaces::{delete_workspace, list_workspaces, CreateWorkspace};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use model::access::Op;
use model::list::RawListQuery;
use model::workspace::{parse_workspace_query, WorkspacePage};

#[component]
pub fn WorkspacesPage() -> impl IntoView {
    let query_map = use_query_map();
    let parsed =
        Memo::new(move |_| query_map.with(|q| parse_workspace_query(&super::raw_query(q))));
    let reload = RwSignal::new(0u32);
    let create = ServerAction::<CreateWorkspace>::new();
    let toasts = crate::components::toast::use_toasts();
    let navigate = leptos_router::hooks::use_navigate();
    // A created workspace is where the work goes on (members, environments): land on it, so
    // the form is not left holding a name that a second click would find taken.
    Effect::new(move |_| {
        if let Some(Ok(ws)) = create.value().get() {
            toasts.success(format!("Created workspace '{}'", ws.name));
            navigate(&format!("/workspaces/{}", ws.id), Default::default());
        }
    });
    let page = super::list_resource(parsed, reload, list_workspaces);
    let deleting = DeleteFlow::new("Deleted workspace", "delete", reload, delete_workspace);
    let org = parsed.with_untracked(|q| q.as_ref().ok().and_then(|q| q.org_id));
    let admin = org_allows(org, Op::CreateWorkspace);
    let error = move || create.value().get().and_then(|r| r.err());
    view! {
        <Title text="Workspaces" />
        <div class="page-head">
            <h1>"Workspaces"</h1>
        </div>
        <p class="field-help">
            "A workspace is a team: its members use the connections of the environments assigned to it, without ever handling a secret."
        </p>
        {admin.then(|| view! {
            <section class="form-card">
                <h2>"New workspace"</h2>
                <ActionForm action=create>
                    <div class="field">
                        <label for="ws-name">"Name"</label>
                        <input id="ws-name" name="name" required maxlength="255" autocomplete="off"
                            aria-invalid=move || error().and_then(|e| e.for_field("name")).is_some().to_string()
                            aria-describedby="ws-name-error" />
                        <p id="ws-name-error" class="field-error" role="alert">{move || error().and_then(|e| e.for_field("name"))}</p>
                    </div>
                    <div class="field">
                        <label for="ws-description">"Description"</label>
                        <textarea id="ws-description" name="description" maxlength="5000"></textarea>
                    </div>
                    <div class="field">
                        <label for="ws-reason">"Reason (kept in the audit log)"</label>
                        <input id="ws-reason" name="reason" maxlength="500" />
                    </div>
                    <button type="submit" class="btn btn-primary" disabled=move || create.pending().get()
                        aria-busy=move || create.pending().get().then_some("true")>
                        {move || if create.pending().get() { "Creating…" } else { "Create workspace" }}
                    </button>
                </ActionForm>
            </section>
        })}
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => view! { <Table page=p admin on_delete=move |id, name| deleting.ask(id, name) /> }.into_any(),
                    Err(e) => view! { <p class="error-banner" role="alert">{e.error}</p> }.into_any(),
                }
            })}
        </Transition>
        <ConfirmDialog
            open=deleting.open
            title=deleting.title("Delete")
            message=Signal::derive(|| "The workspace is deleted and its members lose what it gave them. Its environments, connections and credentials stay.".to_string())
            confirm_label="Delete workspace"
            on_confirm=deleting.confirmed
        />
    }
}

#[component]
fn Table<F>(page: WorkspacePage, admin: bool, on_delete: F) -> impl IntoView
where
    F: Fn(uuid::Uuid, String) + Copy + Send + Sync + 'static,
{
    if page.workspaces.is_empty() {
        let text = if admin {
            "No workspaces yet. Create one above, assign environments to it, and add its members."
        } else {
            "You are not in any workspace yet. An organization admin can add you to one."
        };
        return view! { <div class="empty-state"><p>{text}</p></div> }.into_any();
    }
    let (current, size, total) = (page.page, page.page_size, page.total_count);
    let rows = page
        .workspaces
        .into_iter()
        .map(|w| {
            let (id, name) = (w.id, w.name.clone());
            view! {
                <tr data-testid="workspace-row">
                    <td class="col-name"><a href=format!("/workspaces/{}", w.id)>{w.name.clone()}</a></td>
                    <td class="col-description">{w.description.clone()}</td>
                    <td class="col-count">{w.environment_count}</td>
                    <td class="col-count">{w.member_count}</td>
                    <td class="col-updated">{crate::helpers::format::when(&w.updated_at)}</td>
                    <td class="col-actions">
                        {admin.then(|| view! {
                            <button type="button" class="btn btn-small btn-danger-quiet"
                                aria-label=format!("Delete {name}")
                                on:click=move |_| on_delete(id, name.clone())>"Delete"</button>
                        })}
                    </td>
                </tr>
            }
        })
        .collect_view();
    let at = move |n: u32| {
        let raw = RawListQuery {
            page: Some(n.to_string()),
            ..Default::default()
        };
        super::list_href("/workspaces", raw)
    };
    view! {
        <div class="table-wrap">
            <table class="data">
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Description"</th>
                        <th scope="col">"Environments"</th>
                        <th scope="col">"Members"</th>
                        <th scope="col">"Last update"</th>
                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <Pager page=current page_size=size total=total noun="workspaces" href=at />
    }
    .into_any()
}
