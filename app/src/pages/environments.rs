//! The Environments page. Search, order, tag filter and page all live in the URL, so a reload,
//! the back button or a shared link shows the same view.

use crate::components::confirm::ConfirmDialog;
use crate::components::delete_flow::DeleteFlow;
use crate::components::pager::Pager;
use crate::components::row_actions::RowActions;
use crate::components::sort_header::SortHeader;
use crate::model::environment::{
    EnvironmentFilter, EnvironmentPage, EnvironmentQuery, EnvironmentSort,
};
use crate::model::list::{Direction, Order};
use crate::server_fns::environments::{delete_environment, list_environments};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Form, A};
use leptos_router::hooks::use_query_map;
use uuid::Uuid;

/// The page's URL for a query.
pub fn href(q: &EnvironmentQuery) -> String {
    super::list_href("/environments", q.to_raw())
}

/// Links to the list in another order, from its first page.
fn sorted(query: &EnvironmentQuery) -> impl Fn(Order<EnvironmentSort>) -> String {
    let query = query.clone();
    move |order| {
        let mut q = query.clone();
        q.list.order = order;
        q.list.page = 0;
        href(&q)
    }
}

pub fn when(t: &chrono::DateTime<chrono::Utc>) -> String {
    // UTC on both server and browser, so the hydrated page matches the rendered one.
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

#[component]
pub fn EnvironmentsPage() -> impl IntoView {
    let query_map = use_query_map();
    let parsed =
        Memo::new(move |_| query_map.with(|q| EnvironmentQuery::parse(&super::raw_query(q))));
    let query = Memo::new(move |_| parsed.get().unwrap_or_default());
    let reload = RwSignal::new(0u32);
    let page = super::list_resource(parsed, reload, list_environments);

    let deleting = DeleteFlow::new("Deleted environment", "delete", reload, delete_environment);
    let ask_delete = move |id: Uuid, name: String| deleting.ask(id, name);

    view! {
        <Title text="Environments" />
        <div class="page-head">
            <h1>"Environments"</h1>
            {crate::pages::workspaces::org_allows(crate::model::access::Op::ManageEnvironment).then(|| view! { <a class="btn btn-primary" href="/environments/new">"New environment"</a> })}
        </div>
        <SearchBar query />
        {move || {
            parsed
                .get()
                .err()
                .map(|e| view! { <p class="error-banner" role="alert">{e.error}</p> })
        }}
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
                "The environment is deleted. Its connections and credentials are not deleted, and stay in any other environment they belong to.".to_string()
            })
            confirm_label="Delete environment"
            on_confirm=deleting.confirmed
        />
    }
}

#[component]
fn SearchBar(query: Memo<EnvironmentQuery>) -> impl IntoView {
    let raw = move || query.get().to_raw();
    view! {
        <Form method="GET" action="/environments" attr:class="searchbar" attr:role="search">
            <label for="env-search" class="visually-hidden">"Search environments"</label>
            <input
                id="env-search"
                type="search"
                name="search"
                placeholder="Search name or description"
                prop:value=move || raw().search.unwrap_or_default()
            />
            {move || raw().order.map(|o| view! { <input type="hidden" name="order" value=o /> })}
            {move || raw().filter.map(|f| view! { <input type="hidden" name="filter" value=f /> })}
            {move || raw().pagesize.map(|p| view! { <input type="hidden" name="pagesize" value=p /> })}
            {move || raw().org_id.map(|o| view! { <input type="hidden" name="orgID" value=o /> })}
            <button type="submit" class="btn">"Search"</button>
            {move || {
                let q = query.get();
                (!q.filter.tags.is_empty())
                    .then(|| {
                        let cleared = EnvironmentQuery {
                            filter: EnvironmentFilter::default(),
                            list: crate::model::list::ListQuery { page: 0, ..q.list.clone() },
                        };
                        view! {
                            <span class="active-filter">
                                "Tags: " {q.filter.tags.join(", ")} " "
                                <A href=href(&cleared) attr:aria-label="Clear tag filter">"✕"</A>
                            </span>
                        }
                    })
            }}
        </Form>
    }
}

#[component]
fn Table<F>(page: EnvironmentPage, query: EnvironmentQuery, on_delete: F) -> impl IntoView
where
    F: Fn(Uuid, String) + Copy + Send + Sync + 'static,
{
    if page.environments.is_empty() {
        let filtered = query.list.search.is_some() || !query.filter.tags.is_empty();
        return if filtered {
            view! {
                <div class="empty-state">
                    <p>"No environments match."</p>
                    <a href="/environments">"Show all environments"</a>
                </div>
            }
            .into_any()
        } else if page.total_count > 0 {
            view! {
                <div class="empty-state">
                    <p>"This page is past the end of the list."</p>
                    <a href="/environments">"Back to the first page"</a>
                </div>
            }
            .into_any()
        } else {
            view! {
                <div class="empty-state">
                    <h2>"No environments yet"</h2>
                    <p>"Environments group the connections a team deploys to: production, staging, a region, shared monitoring."</p>
                    {crate::pages::workspaces::org_allows(crate::model::access::Op::ManageEnvironment).then(|| view! { <a class="btn btn-primary" href="/environments/new">"Create your first environment"</a> })}
                </div>
            }
            .into_any()
        };
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
    let rows = page
        .environments
        .into_iter()
        .map(|env| {
            let tags = env
                .tags
                .clone()
                .into_iter()
                .map(|t| {
                    let mut q = query.clone();
                    q.filter.tags = vec![t.clone()];
                    q.list.page = 0;
                    view! { <A href=href(&q) attr:class="chip">{t}</A> }
                })
                .collect_view();
            let (id, name) = (env.id, env.name.clone());
            view! {
                <tr data-testid="environment-row">
                    <td class="col-name"><a href=format!("/environments/{}", env.id)>{env.name.clone()}</a></td>
                    <td class="col-description">{env.description.clone()}</td>
                    <td class="col-tags">{tags}</td>
                    <td class="col-count" data-testid="connection-count">{env.connection_count}</td>
                    <td class="col-updated">{when(&env.updated_at)}</td>
                    <RowActions edit=format!("/environments/{}/edit", env.id) id=id name=name.clone() on_delete=on_delete op=crate::model::access::Op::ManageEnvironment />
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="data">
                <thead>
                    <tr>
                        <SortHeader current=query.list.order field=EnvironmentSort::Name label="Name" href=sorted(&query) />
                        <th scope="col">"Description"</th>
                        <th scope="col">"Tags"</th>
                        <th scope="col">"Connections"</th>
                        <SortHeader current=query.list.order field=EnvironmentSort::UpdatedAt label="Last update" href=sorted(&query) first=Direction::Desc />
                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <Pager page=current page_size=page_size total=total noun="environments" href=at />
    }
    .into_any()
}
