//! The Connections page: every connection of the organization with its status, environments
//! and credential. Search, kind and status filters, order and page live in the URL.

use super::{list_href, raw_query};
use crate::components::confirm::ConfirmDialog;
use crate::components::delete_flow::DeleteFlow;
use crate::components::pager::Pager;
use crate::components::row_actions::RowActions;
use crate::components::sort_header::SortHeader;
use crate::helpers::format::when;
use crate::helpers::permissions::org_allows;
use crate::server_fns::connections::{delete_connection, list_connections};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;
use model::access::Op;
use model::connection::{ConnectionPage, ConnectionQuery, ConnectionSort, ConnectionStatus};
use model::list::{Direction, Order};
use uuid::Uuid;

/// Kinds offered in forms and filters; any other word is accepted too.
pub const KINDS: &[&str] = &[
    "kubernetes",
    "prometheus",
    "grafana",
    "github",
    "jaeger",
    "postgres",
    "http",
];

pub fn href(q: &ConnectionQuery) -> String {
    list_href("/connections", q.to_raw())
}

/// An environment's connections in its worst health state (all of them when none is unhealthy).
pub fn health_href(org: Uuid, environment: Uuid, counts: &model::health::HealthCounts) -> String {
    let mut q = ConnectionQuery::default();
    q.list.org_id = Some(org);
    q.filter.environment_id = Some(environment);
    q.filter.health = model::health::worst_unhealthy(counts);
    href(&q)
}

fn sorted(query: &ConnectionQuery) -> impl Fn(Order<ConnectionSort>) -> String {
    let query = query.clone();
    move |order| {
        let mut q = query.clone();
        q.list.order = order;
        q.list.page = 0;
        href(&q)
    }
}

#[component]
pub fn StatusBadge(status: ConnectionStatus) -> impl IntoView {
    let class = format!("badge status-{}", status.as_str().replace(' ', "-"));
    view! { <span class=class>{status.as_str()}</span> }
}

/// A connection's health, its message (why it is unreachable or failing) as the tooltip.
#[component]
pub fn HealthBadge(health: model::connection::ConnectionHealth) -> impl IntoView {
    let class = format!("badge health-{}", health.state.as_str());
    let title = health.message.clone().unwrap_or_default();
    view! { <span class=class title=title data-testid="health">{health.state.label()}</span> }
}

#[component]
pub fn ConnectionsPage() -> impl IntoView {
    let query_map = use_query_map();
    let parsed = Memo::new(move |_| query_map.with(parse_url));
    let query = Memo::new(move |_| parsed.get().unwrap_or_default());
    let reload = RwSignal::new(0u32);
    let page = super::list_resource(parsed, reload, list_connections);
    let deleting = DeleteFlow::new("Deleted connection", "delete", reload, delete_connection);
    let ask_delete = move |id: Uuid, name: String| deleting.ask(id, name);

    view! {
        <Title text="Connections" />
        <div class="page-head">
            <h1>"Connections"</h1>
            {org_allows(query.with_untracked(|q| q.list.org_id), Op::ManageConnection).then(|| view! {
                <div class="row-actions">
                    <a class="btn" href="/connections/import">"Import kubeconfig"</a>
                    <a class="btn btn-primary" href="/connections/new">"Register connection"</a>
                </div>
            })}
        </div>
        <Filters query />
        {move || parsed.get().err().map(|e| view! { <p class="error-banner" role="alert">{e.error}</p> })}
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => view! { <Table page=p query=query.get_untracked() on_delete=ask_delete /> }.into_any(),
                    Err(e) => view! { <p class="error-banner" role="alert">{e.error}</p> }.into_any(),
                }
            })}
        </Transition>
        <ConfirmDialog
            open=deleting.open
            title=deleting.title("Delete")
            message=Signal::derive(|| {
                "The connection leaves every environment it is in. Its credential is not deleted.".to_string()
            })
            confirm_label="Delete connection"
            on_confirm=deleting.confirmed
        />
    }
}

/// Search and the kind and status filters: a GET form, so it works before hydration too. It
/// sends kind and status as plain parameters, which the page reads beside `filter`.
#[component]
fn Filters(query: Memo<ConnectionQuery>) -> impl IntoView {
    let kind = move || query.get().filter.kind.unwrap_or_default();
    let status = move || {
        query
            .get()
            .filter
            .status
            .map(|s| s.as_str().to_string())
            .unwrap_or_default()
    };
    view! {
        <Form method="GET" action="/connections" attr:class="searchbar" attr:role="search">
            <label for="conn-search" class="visually-hidden">"Search connections"</label>
            <input id="conn-search" type="search" name="search" placeholder="Search name, kind or URL"
                prop:value=move || query.get().list.search.unwrap_or_default() />
            <label for="conn-kind" class="visually-hidden">"Kind"</label>
            <select id="conn-kind" name="kind" prop:value=kind>
                <option value="">"Any kind"</option>
                {KINDS.iter().map(|k| view! { <option value=*k selected=move || kind() == *k>{*k}</option> }).collect_view()}
            </select>
            <label for="conn-status" class="visually-hidden">"Status"</label>
            <select id="conn-status" name="status" prop:value=status>
                <option value="">"Any status"</option>
                {ConnectionStatus::ALL
                    .iter()
                    .map(|s| view! { <option value=s.as_str() selected=move || status() == s.as_str()>{s.as_str()}</option> })
                    .collect_view()}
            </select>
            {move || query.get().list.to_raw().order.map(|o| view! { <input type="hidden" name="order" value=o /> })}
            <button type="submit" class="btn">"Apply"</button>
        </Form>
    }
}

/// The page's query from its URL: the list parameters, plus `kind` and `status` as the filter
/// form sends them.
fn parse_url(
    q: &leptos_router::params::ParamsMap,
) -> Result<ConnectionQuery, model::error::ApiError> {
    let mut query = ConnectionQuery::parse(&raw_query(q))?;
    if let Some(kind) = q.get("kind").filter(|k| !k.trim().is_empty()) {
        query.filter.kind = Some(kind.trim().to_ascii_lowercase());
    }
    if let Some(status) = q.get("status").filter(|s| !s.trim().is_empty()) {
        query.filter.status = Some(ConnectionStatus::parse(&status).ok_or_else(|| {
            model::error::ApiError::parameter(
                "status",
                format!("'{status}' is not a connection status"),
            )
        })?);
    }
    Ok(query)
}

#[component]
fn Table<F>(page: ConnectionPage, query: ConnectionQuery, on_delete: F) -> impl IntoView
where
    F: Fn(Uuid, String) + Copy + Send + Sync + 'static,
{
    if page.connections.is_empty() {
        let filtered = query.list.search.is_some() || query.filter != Default::default();
        return view! {
            <div class="empty-state">
                {if filtered {
                    view! { <p>"No connections match."</p> <a href="/connections">"Show all connections"</a> }.into_any()
                } else {
                    view! {
                        <h2>"No connections yet"</h2>
                        <p>"Register the clusters, monitoring and services your teams use, or import the clusters of a kubeconfig file."</p>
                        {org_allows(query.list.org_id, Op::ManageConnection).then(|| view! {
                            <div class="row-actions empty-actions">
                                <a class="btn btn-primary" href="/connections/new">"Register your first connection"</a>
                                <a class="btn" href="/connections/import">"Import a kubeconfig"</a>
                            </div>
                        })}
                    }.into_any()
                }}
            </div>
        }
        .into_any();
    }
    let (current, page_size, total) = (page.page, page.page_size, page.total_count);
    let at = {
        let query = query.clone();
        move |n: u32| {
            let mut q = query.clone();
            q.list.page = n;
            href(&q)
        }
    };
    let summary = page
        .status_summary
        .iter()
        .map(|(s, n)| format!("{n} {s}"))
        .collect::<Vec<_>>()
        .join(" · ");
    let health = model::health::summary(&page.health_summary);
    let rows = page
        .connections
        .into_iter()
        .map(|c| {
            let envs = view! {
                <crate::pages::connection_detail::EnvironmentChips connection=c.id
                    environments=c.environments.clone() count=c.environment_count />
            };
            let (id, name) = (c.id, c.name.clone());
            view! {
                <tr data-testid="connection-row">
                    <td class="col-name"><a href=format!("/connections/{}", c.id)>{c.name.clone()}</a>
                        <div class="item-detail">{c.url.clone()}</div></td>
                    <td>{c.kind.clone()}</td>
                    <td>{c.kind_type.clone()}</td>
                    <td><StatusBadge status=c.status /></td>
                    <td><HealthBadge health=c.health.clone() /></td>
                    <td class="col-tags">{envs}</td>
                    <td>{c.credential_name.clone().unwrap_or_else(|| "—".into())}</td>
                    <td class="col-updated">{when(&c.updated_at)}</td>
                    <RowActions edit=format!("/connections/{}/edit", c.id) id=id name=name.clone() org=c.organization_id on_delete=on_delete op=Op::ManageConnection />
                </tr>
            }
        })
        .collect_view();
    let order = query.list.order;
    view! {
        <p class="field-help" data-testid="status-summary">{summary}</p>
        {health.map(|h| view! { <p class="field-help" data-testid="health-summary">"Health: " {h}</p> })}
        <div class="table-wrap">
            <table class="data">
                <thead>
                    <tr>
                        <SortHeader current=order field=ConnectionSort::Name label="Name" href=sorted(&query) />
                        <SortHeader current=order field=ConnectionSort::Kind label="Kind" href=sorted(&query) />
                        <th scope="col">"Type"</th>
                        <SortHeader current=order field=ConnectionSort::Status label="Status" href=sorted(&query) />
                        <th scope="col">"Health"</th>
                        <th scope="col">"Environments"</th>
                        <th scope="col">"Credential"</th>
                        <SortHeader current=order field=ConnectionSort::UpdatedAt label="Last update" href=sorted(&query) first=Direction::Desc />
                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <Pager page=current page_size=page_size total=total noun="connections" href=at />
    }
    .into_any()
}
