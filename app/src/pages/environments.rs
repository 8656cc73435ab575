//! The Environments page. Search, order, tag filter and page all live in the URL, so a reload,
//! the back button or a shared link shows the same view.

use crate::components::confirm::ConfirmDialog;
use crate::components::delete_flow::DeleteFlow;
use crate::components::pager::Pager;
use crate::components::row_actions::RowActions;
use crate::components::sort_header::SortHeader;
use crate::components::toast::use_toasts;
use crate::helpers::format::when;
use crate::helpers::permissions::org_allows;
use crate::server_fns::environments::{
    bulk_lifecycle, change_lifecycle, delete_environment, list_environments, purge_environment,
};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;
use model::access::Op;
use model::environment::{BulkLifecycle, EnvironmentState, LifecycleAction};
use model::environment::{EnvironmentFilter, EnvironmentPage, EnvironmentQuery, EnvironmentSort};
use model::list::{Direction, Order};
use std::collections::HashSet;
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

#[component]
pub fn EnvironmentsPage() -> impl IntoView {
    let query_map = use_query_map();
    let parsed =
        Memo::new(move |_| query_map.with(|q| EnvironmentQuery::parse(&super::raw_query(q))));
    let query = Memo::new(move |_| parsed.get().unwrap_or_default());
    let reload = RwSignal::new(0u32);
    let page = super::list_resource(parsed, reload, list_environments);

    let deleting = DeleteFlow::new("Moved to the trash:", "delete", reload, delete_environment);
    let ask_delete = move |id: Uuid, name: String| deleting.ask(id, name);
    let purging = DeleteFlow::new("Purged", "purge", reload, purge_environment);
    let selected = RwSignal::new(HashSet::<Uuid>::new());
    // A new view or page starts with nothing selected.
    Effect::new(move |_| {
        query.track();
        selected.set(HashSet::new());
    });
    let toasts = use_toasts();
    // The row whose lifecycle move is running: its button says so ("Archiving…").
    let busy = LifecycleBusy(RwSignal::new(None));
    provide_context(busy);
    let act = Callback::new(move |(id, action): (Uuid, LifecycleAction)| {
        if busy.0.get_untracked().is_some() {
            return;
        }
        busy.0.set(Some(id));
        spawn_local(async move {
            match change_lifecycle(id, action).await {
                Ok(env) => {
                    toasts.success(action.done(&env));
                    reload.update(|n| *n += 1);
                }
                Err(e) => toasts.error(e.error),
            }
            busy.0.set(None);
        });
    });
    let run_bulk = Callback::new(move |action: LifecycleAction| {
        let ids: Vec<Uuid> = selected.get_untracked().into_iter().collect();
        spawn_local(async move {
            match bulk_lifecycle(BulkLifecycle {
                action: Some(action),
                ids,
            })
            .await
            {
                Ok(r) => {
                    toasts.success(action.done_many(r.changed));
                    selected.set(HashSet::new());
                    reload.update(|n| *n += 1);
                }
                Err(e) => toasts.error(e.error),
            }
        });
    });
    // Moving to the trash is confirmed, one or many; the other moves are undone in one click.
    let bulk_confirm = RwSignal::new(false);
    let bulk = Callback::new(move |action: LifecycleAction| {
        if action == LifecycleAction::Delete {
            bulk_confirm.set(true);
        } else {
            run_bulk.run(action);
        }
    });
    let manage = org_allows(query.get_untracked().list.org_id, Op::ManageEnvironment);

    view! {
        <Title text="Environments" />
        <div class="page-head">
            <h1>"Environments"</h1>
            {manage.then(|| view! { <a class="btn btn-primary" href="/environments/new">"New environment"</a> })}
        </div>
        <Views query manage />
        <SearchBar query />
        {move || manage.then(|| view! { <BulkBar query selected bulk /> })}
        {move || {
            parsed
                .get()
                .err()
                .map(|e| view! { <p class="error-banner" role="alert">{e.error}</p> })
        }}
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => view! {
                        <Table page=p query=query.get_untracked() on_delete=ask_delete selected act
                            on_purge=move |id, name| purging.ask(id, name) manage />
                    }.into_any(),
                    Err(e) => view! { <p class="error-banner" role="alert">{e.error}</p> }.into_any(),
                }
            })}
        </Transition>
        <ConfirmDialog
            open=deleting.open
            title=deleting.title("Delete")
            message=Signal::derive(|| {
                "The environment goes to the trash, whence it can be restored: until then its connections reach no workspace. Connections and credentials are never deleted.".to_string()
            })
            confirm_label="Delete environment"
            on_confirm=deleting.confirmed
        />
        <ConfirmDialog
            open=bulk_confirm
            title=Signal::derive(move || match selected.with(HashSet::len) {
                1 => "Delete 1 environment?".to_string(),
                n => format!("Delete {n} environments?"),
            })
            message=Signal::derive(|| {
                "They go to the trash, whence they can be restored: until then their connections reach no workspace. Connections and credentials are never deleted.".to_string()
            })
            confirm_label="Delete environments"
            on_confirm=Callback::new(move |_| run_bulk.run(LifecycleAction::Delete))
        />
        <ConfirmDialog
            open=purging.open
            title=purging.title("Purge")
            message=Signal::derive(|| "The environment is removed for good, with its mappings and workspace assignments. Its connections and credentials stay.".to_string())
            confirm_label="Purge for good"
            on_confirm=purging.confirmed
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
                            list: model::list::ListQuery { page: 0, ..q.list.clone() },
                        };
                        view! {
                            <span class="active-filter">
                                "Tags: " {q.filter.tags.join(", ")} " "
                                <a href=href(&cleared) aria-label="Clear tag filter">"✕"</a>
                            </span>
                        }
                    })
            }}
        </Form>
    }
}

/// The views of the list: the living, the unused, the archived, the trash.
#[component]
fn Views(query: Memo<EnvironmentQuery>, manage: bool) -> impl IntoView {
    let link = move |label: &'static str, set: fn(&mut EnvironmentFilter)| {
        let to = move || {
            let q = query.get();
            let mut filter = EnvironmentFilter {
                tags: q.filter.tags.clone(),
                ..Default::default()
            };
            set(&mut filter);
            let current = q.filter.state == filter.state
                && q.filter.deleted == filter.deleted
                && q.filter.unused == filter.unused;
            let target = EnvironmentQuery {
                filter,
                list: model::list::ListQuery {
                    page: 0,
                    ..q.list.clone()
                },
            };
            (href(&target), current)
        };
        view! {
            <a href=move || to().0 aria-current=move || to().1.then_some("page") class="view-link">{label}</a>
        }
    };
    view! {
        <nav class="views" aria-label="Views">
            {link("All", |_| {})}
            {link("Unused", |f| f.unused = true)}
            {link("Archived", |f| f.state = Some(EnvironmentState::Archived))}
            {manage.then(|| link("Trash", |f| f.deleted = true))}
        </nav>
    }
}

/// What can be done to the selected rows: one request for all of them.
#[component]
fn BulkBar(
    query: Memo<EnvironmentQuery>,
    selected: RwSignal<HashSet<Uuid>>,
    bulk: Callback<LifecycleAction>,
) -> impl IntoView {
    let count = move || selected.with(HashSet::len);
    let actions = move || {
        let f = query.get().filter;
        if f.deleted {
            vec![(LifecycleAction::Restore, "Restore selected")]
        } else if f.state == Some(EnvironmentState::Archived) {
            vec![
                (LifecycleAction::Unarchive, "Unarchive selected"),
                (LifecycleAction::Delete, "Delete selected"),
            ]
        } else {
            vec![
                (LifecycleAction::Archive, "Archive selected"),
                (LifecycleAction::Delete, "Delete selected"),
            ]
        }
    };
    view! {
        <div class="bulk-bar" role="group" aria-label="Bulk actions" hidden=move || count() == 0>
            <span data-testid="selected-count">{move || format!("{} selected", count())}</span>
            {move || actions().into_iter().map(|(action, label)| view! {
                <button type="button" class="btn btn-small" on:click=move |_| bulk.run(action)>{label}</button>
            }).collect_view()}
        </div>
    }
}

#[component]
fn StateBadge(state: EnvironmentState) -> impl IntoView {
    let class = format!("badge state-{}", state.as_str());
    view! { <span class=class data-testid="state">{state.as_str()}</span> }
}

#[allow(clippy::too_many_arguments)]
#[component]
fn Table<F, P>(
    page: EnvironmentPage,
    query: EnvironmentQuery,
    on_delete: F,
    on_purge: P,
    selected: RwSignal<HashSet<Uuid>>,
    act: Callback<(Uuid, LifecycleAction)>,
    manage: bool,
) -> impl IntoView
where
    F: Fn(Uuid, String) + Copy + Send + Sync + 'static,
    P: Fn(Uuid, String) + Copy + Send + Sync + 'static,
{
    if page.environments.is_empty() {
        if query.filter.deleted {
            return view! { <div class="empty-state"><p>"The trash is empty."</p></div> }
                .into_any();
        }
        if query.filter.state == Some(EnvironmentState::Archived) {
            return view! { <div class="empty-state"><p>"No archived environments."</p></div> }
                .into_any();
        }
        if query.filter.unused {
            return view! { <div class="empty-state"><p>"Every environment holds connections and is assigned to a workspace."</p></div> }.into_any();
        }
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
                    {manage.then(|| view! { <a class="btn btn-primary" href="/environments/new">"Create your first environment"</a> })}
                </div>
            }
            .into_any()
        };
    }
    let busy = use_context::<LifecycleBusy>();
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
                    view! { <a href=href(&q) class="chip">{t}</a> }
                })
                .collect_view();
            let (id, name) = (env.id, env.name.clone());
            // "2 of 6 unreachable", linked to those connections; the statuses as the tooltip.
            let statuses = env
                .status_summary
                .iter()
                .map(|(status, n)| format!("{n} {status}"))
                .collect::<Vec<_>>()
                .join(", ");
            let health = view! {
                <crate::components::health::HealthSummary counts=env.health_summary.clone() statuses
                    href=super::connections::health_href(env.organization_id, env.id, &env.health_summary) />
            };
            let state = env.state;
            let next = state.next_action();
            let running = move || busy.is_some_and(|b| b.0.get() == Some(id));
            let move_button = view! {
                <button type="button" class="btn btn-small" aria-label=format!("{} {name}", next.label())
                    aria-busy=move || running().then_some("true")
                    on:click=move |_| act.run((id, next))>
                    {move || if running() { next.progress() } else { next.label() }}
                </button>
            };
            let actions = if state == EnvironmentState::Deleted {
                view! {
                    <RowActions id name=name.clone() org=env.organization_id on_delete=on_purge
                        op=Op::ManageEnvironment delete_label="Purge">{move_button}</RowActions>
                }
                .into_any()
            } else {
                view! {
                    <RowActions edit=format!("/environments/{id}/edit") id name=name.clone()
                        org=env.organization_id on_delete op=Op::ManageEnvironment>{move_button}</RowActions>
                }
                .into_any()
            };
            view! {
                <tr data-testid="environment-row">
                    {manage.then(|| view! {
                        <td class="col-select">
                            <input type="checkbox" aria-label=format!("Select {}", env.name)
                                prop:checked=move || selected.with(|s| s.contains(&id))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    selected.update(|s| { if on { s.insert(id); } else { s.remove(&id); } });
                                } />
                        </td>
                    })}
                    <td class="col-name"><a href=format!("/environments/{}", env.id)>{env.name.clone()}</a>
                        " " <StateBadge state /></td>
                    <td class="col-description">{env.description.clone()}</td>
                    <td class="col-tags">{tags}</td>
                    <td class="col-count" data-testid="connection-count">{env.connection_count}</td>
                    <td class="col-health">{health}</td>
                    <td class="col-count" data-testid="workspace-count">{env.workspace_count}</td>
                    <td class="col-updated">{when(&env.updated_at)}</td>
                    {actions}
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="data">
                <thead>
                    <tr>
                        {manage.then(|| view! { <th scope="col"><span class="visually-hidden">"Select"</span></th> })}
                        <SortHeader current=query.list.order field=EnvironmentSort::Name label="Name" href=sorted(&query) />
                        <th scope="col" class="col-description">"Description"</th>
                        <th scope="col">"Tags"</th>
                        <th scope="col">"Connections"</th>
                        <th scope="col">"Health"</th>
                        <th scope="col">"Workspaces"</th>
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

/// The environment whose lifecycle move is running, if any.
#[derive(Clone, Copy)]
struct LifecycleBusy(RwSignal<Option<Uuid>>);
