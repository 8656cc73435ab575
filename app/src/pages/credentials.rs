//! The Credentials page. Secrets are never shown: only which fields a credential holds.

use super::{list_href, raw_query};
use crate::components::confirm::ConfirmDialog;
use crate::components::pager::Pager;
use crate::components::row_actions::RowActions;
use crate::components::toast::use_toasts;
use crate::helpers::format::when;
use crate::helpers::permissions::org_allows;
use crate::server_fns::connections::{delete_credential, list_credentials};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;
use model::access::Op;
use model::credential::{CredentialPage, CredentialQuery};
use model::error::ErrorCode;
use uuid::Uuid;

#[component]
pub fn CredentialsPage() -> impl IntoView {
    let query_map = use_query_map();
    let parsed = Memo::new(move |_| query_map.with(|q| CredentialQuery::parse(&raw_query(q))));
    let reload = RwSignal::new(0u32);
    let page = super::list_resource(parsed, reload, list_credentials);
    let toasts = use_toasts();
    let confirm_open = RwSignal::new(false);
    // (id, name, force): a second confirmation, naming the connections, forces the delete.
    let doomed = RwSignal::new(None::<(Uuid, String, bool)>);
    let in_use = RwSignal::new(None::<String>);
    let confirm_delete = Callback::new(move |_| {
        if let Some((id, name, force)) = doomed.get_untracked() {
            spawn_local(async move {
                match delete_credential(id, force).await {
                    Ok(()) => {
                        toasts.success(format!("Deleted credential '{name}'"));
                        reload.update(|n| *n += 1);
                    }
                    Err(e) if e.code == ErrorCode::Conflict && !force => {
                        in_use.set(Some(e.error));
                        doomed.set(Some((id, name, true)));
                        confirm_open.set(true);
                    }
                    Err(e) => toasts.error(format!("Could not delete '{name}': {}", e.error)),
                }
            });
        }
    });
    let ask_delete = move |id: Uuid, name: String| {
        in_use.set(None);
        doomed.set(Some((id, name, false)));
        confirm_open.set(true);
    };
    let search = move || {
        parsed
            .get()
            .ok()
            .and_then(|q| q.list.search)
            .unwrap_or_default()
    };
    view! {
        <Title text="Credentials" />
        <div class="page-head">
            <h1>"Credentials"</h1>
            {org_allows(parsed.with_untracked(|q| q.as_ref().ok().and_then(|q| q.list.org_id)), Op::ManageCredential).then(|| view! { <a class="btn btn-primary" href="/credentials/new">"New credential"</a> })}
        </div>
        <Form method="GET" action="/credentials" attr:class="searchbar" attr:role="search">
            <label for="cred-search" class="visually-hidden">"Search credentials"</label>
            <input id="cred-search" type="search" name="search" placeholder="Search by name" prop:value=search />
            <button type="submit" class="btn">"Search"</button>
        </Form>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => view! { <Table page=p query=parsed.get_untracked().unwrap_or_default() on_delete=ask_delete /> }.into_any(),
                    Err(e) => view! { <p class="error-banner" role="alert">{e.error}</p> }.into_any(),
                }
            })}
        </Transition>
        <ConfirmDialog
            open=confirm_open
            title=Signal::derive(move || match doomed.get() {
                Some((_, name, true)) => format!("'{name}' is in use"),
                Some((_, name, false)) => format!("Delete '{name}'?"),
                None => String::new(),
            })
            message=Signal::derive(move || match in_use.get() {
                Some(m) => format!("{}. Delete anyway? Those connections stay, without a credential.", m.split("; detach").next().unwrap_or(&m)),
                None => "The credential's secret is erased. Connections are not deleted.".to_string(),
            })
            confirm_label="Delete credential"
            on_confirm=confirm_delete
        />
    }
}

#[component]
fn Table<F>(page: CredentialPage, query: CredentialQuery, on_delete: F) -> impl IntoView
where
    F: Fn(Uuid, String) + Copy + Send + Sync + 'static,
{
    if page.credentials.is_empty() {
        return view! {
            <div class="empty-state">
                <h2>"No credentials"</h2>
                <p>"A credential holds the secret that opens a connection: a token, a password, a kubeconfig user. One credential can serve many connections."</p>
                {org_allows(query.list.org_id, Op::ManageCredential).then(|| view! { <a class="btn btn-primary" href="/credentials/new">"Add a credential"</a> })}
            </div>
        }
        .into_any();
    }
    let (current, page_size, total) = (page.page, page.page_size, page.total_count);
    // Anyone who sees the list may open a credential's read-only page; only admins edit it.
    let rows = page
        .credentials
        .into_iter()
        .map(|c| {
            let fields = c.secret.keys().map(|k| view! { <span class="chip">{k.clone()}</span> }).collect_view();
            let (id, name) = (c.id, c.name.clone());
            view! {
                <tr data-testid="credential-row">
                    <td class="col-name"><a href=format!("/credentials/{}", c.id)>{c.name.clone()}</a></td>
                    <td>{c.kind.as_str()}</td>
                    <td class="col-tags">{fields}</td>
                    <td data-testid="credential-hosts">
                        {if c.allowed_hosts.is_empty() { "nowhere yet".to_string() } else { c.allowed_hosts.join(", ") }}
                        {c.allow_http.then(|| view! { <span class="badge">"plain http"</span> })}
                    </td>
                    <td>{c.connection_count}</td>
                    <td class="col-updated">{when(&c.updated_at)}</td>
                    <RowActions edit=format!("/credentials/{}/edit", c.id) id=id name=name.clone() org=c.organization_id on_delete=on_delete op=Op::ManageCredential />
                </tr>
            }
        })
        .collect_view();
    let at = move |n: u32| {
        let mut q = query.clone();
        q.list.page = n;
        list_href("/credentials", q.to_raw())
    };
    view! {
        <div class="table-wrap">
            <table class="data">
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Type"</th>
                        <th scope="col">"Secret fields"</th>
                        <th scope="col">"Allowed hosts"</th>
                        <th scope="col">"Connections"</th>
                        <th scope="col">"Last update"</th>
                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <Pager page=current page_size=page_size total=total noun="credentials" href=at />
    }
    .into_any()
}
