//! One environment: its details, its connections' health by status, and the transfer list that
//! puts connections in it or takes them out.

use crate::components::transfer_list::{MoveTo, Side, TransferItem, TransferList, TransferSource};
use crate::helpers::permissions::allows;
use crate::pages::audit::{history_resource, RecentHistory};
use crate::server_fns::assignments::{
    environment_connection_ids, list_environment_connections, patch_environment_connections,
    transfer_environment_connections,
};
use crate::server_fns::environments::get_environment;
use leptos::prelude::*;
use leptos_meta::Title;
use model::assignment::{AssignmentPatch, AssignmentQuery, Transfer};
use model::connection::{ConnectionSort, StatusSummary};
use model::list::{Direction, ListQuery, Order};
use std::sync::Arc;
use uuid::Uuid;

fn side_query(side: Side, search: String, page: u32, page_size: u32) -> AssignmentQuery {
    AssignmentQuery {
        list: ListQuery {
            page,
            page_size,
            search: Some(search).filter(|s| !s.trim().is_empty()),
            // What is assigned is listed the unhealthy first, so trouble is seen at once.
            order: Order {
                field: if side == Side::Assigned {
                    ConnectionSort::Health
                } else {
                    ConnectionSort::Name
                },
                direction: Direction::Asc,
            },
            org_id: None,
        },
        unassigned: side == Side::Available,
        status: None,
        deleted: None,
    }
}

/// Where else a connection is, besides `here`: "also in staging, us-east and 2 more".
fn elsewhere(c: &model::connection::Connection, here: Uuid) -> String {
    let others: Vec<&str> = c
        .environments
        .iter()
        .filter(|e| e.id != here)
        .map(|e| e.name.as_str())
        .collect();
    let in_here = c.environments.iter().any(|e| e.id == here) as u64;
    let total = c.environment_count.saturating_sub(in_here);
    if total == 0 {
        return String::new();
    }
    let shown: Vec<&str> = others.into_iter().take(2).collect();
    let more = total.saturating_sub(shown.len() as u64);
    let also = if in_here == 1 { "also in" } else { "in" };
    match (shown.is_empty(), more) {
        (true, n) => format!(
            "{also} {n} other environment{}",
            if n == 1 { "" } else { "s" }
        ),
        (false, 0) => format!("{also} {}", shown.join(", ")),
        (false, n) => format!("{also} {} and {n} more", shown.join(", ")),
    }
}

fn source(env: Uuid, name: String) -> TransferSource {
    TransferSource {
        page: Arc::new(move |side, search, page, size| {
            Box::pin(async move {
                let p =
                    list_environment_connections(env, side_query(side, search, page, size)).await?;
                let items = p
                    .connections
                    .into_iter()
                    .map(|c| TransferItem {
                        id: c.id,
                        detail: format!(
                            "{} · {} · {}",
                            c.kind,
                            c.status.as_str(),
                            c.health.state.label()
                        ),
                        elsewhere: elsewhere(&c, env),
                        label: c.name,
                    })
                    .collect();
                Ok((items, p.total_count))
            })
        }),
        all: Arc::new(move |side, search| {
            Box::pin(async move {
                environment_connection_ids(env, side_query(side, search, 0, 1)).await
            })
        }),
        save: Arc::new(move |add, remove| {
            Box::pin(async move {
                patch_environment_connections(env, AssignmentPatch { add, remove })
                    .await
                    .map(|_| ())
            })
        }),
        move_to: Some(MoveTo {
            from_name: name,
            target_noun: "environment",
            targets: Arc::new(move || Box::pin(async move { other_environments(env).await })),
            run: Arc::new(move |to, ids| {
                Box::pin(async move {
                    let transfer = Transfer {
                        connection_ids: ids,
                        to: Some(to),
                    };
                    transfer_environment_connections(env, transfer)
                        .await
                        .map(|r| r.moved)
                })
            }),
        }),
    }
}

/// The environments connections can be moved to from `env`: the living ones of its
/// organization, by name.
async fn other_environments(env: Uuid) -> Result<Vec<model::list::Named>, model::error::ApiError> {
    use model::environment::{EnvironmentQuery, EnvironmentSort};
    let page = crate::server_fns::environments::list_environments(EnvironmentQuery {
        list: ListQuery {
            page_size: model::list::MAX_PAGE_SIZE,
            order: Order {
                field: EnvironmentSort::Name,
                direction: Direction::Asc,
            },
            ..Default::default()
        },
        filter: Default::default(),
    })
    .await?;
    Ok(page
        .environments
        .into_iter()
        .filter(|e| e.id != env && e.state.takes_connections())
        .map(|e| model::list::Named {
            id: e.id,
            name: e.name,
        })
        .collect())
}

#[component]
pub fn StatusSummaryView(summary: StatusSummary) -> impl IntoView {
    if summary.is_empty() {
        return view! { <p class="field-help">"No connections yet."</p> }.into_any();
    }
    view! {
        <ul class="status-summary" aria-label="Connections by status">
            {summary
                .into_iter()
                .map(|(status, n)| {
                    let class = format!("badge status-{}", status.replace(' ', "-"));
                    view! { <li><span class=class>{status}</span> " " {n}</li> }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
pub fn EnvironmentDetailPage() -> impl IntoView {
    let id = super::route_id();
    let saved = RwSignal::new(0u32);
    let env = Resource::new(id, |id| async move {
        match id {
            Some(id) => get_environment(id).await,
            None => Err(model::error::ApiError::not_found("environment")),
        }
    });
    let summary = Resource::new(
        move || (id(), saved.get()),
        |(id, _)| async move {
            match id {
                Some(id) => list_environment_connections(
                    id,
                    side_query(Side::Assigned, String::new(), 0, 1),
                )
                .await
                .map(|p| p.status_summary),
                None => Ok(StatusSummary::new()),
            }
        },
    );
    // What a workspace member reads instead of the transfer list: the environment's connections.
    let listing = Resource::new(id, |id| async move {
        match id {
            Some(id) => {
                list_environment_connections(id, side_query(Side::Assigned, String::new(), 0, 100))
                    .await
            }
            None => Err(model::error::ApiError::not_found("environment")),
        }
    });
    let history = history_resource(id, saved.into());
    // Workspace members read an environment; only organization admins change what it holds.
    let me = StoredValue::new(use_context::<model::user::Me>());
    let may_manage = move |org| {
        me.with_value(|me| allows(me.as_ref(), Some(org), model::access::Op::ManageEnvironment))
    };
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match env.await {
                    Err(e) => view! {
                        <crate::pages::audit::GoneObject error=e events=history back_href="/environments" back_label="Back to environments" />
                    }.into_any(),
                    Ok(e) => {
                        let manage = may_manage(e.organization_id);
                        let tags = e.tags.iter().map(|t| view! { <span class="chip">{t.clone()}</span> }).collect_view();
                        // Its state and counts after a save or a lifecycle move, shown without
                        // re-rendering the transfer list.
                        let now = super::after_saves(e.clone(), e.id, saved, get_environment);
                        view! {
                            <Title text=e.name.clone() />
                            <div class="page-head">
                                <div>
                                    <p class="breadcrumb"><a href="/environments">"Environments"</a> " /"</p>
                                    <h1>{e.name.clone()}</h1>
                                    {move || now.with(|e| view! { <span class=format!("badge state-{}", e.state.as_str()) data-testid="state">{e.state.as_str()}</span> })}
                                </div>
                                {manage.then_some(move || now.with(|e| view! { <LifecycleButtons id=e.id state=e.state saved /> }))}
                            </div>
                            <p class="field-help">{e.description.clone()}</p>
                            <p>{tags}</p>
                            <section class="form-card wide">
                                {move || now.with(|e| view! {
                                    <h2>{format!("Connections ({})", e.connection_count)}</h2>
                                    <p>
                                        <crate::components::health::HealthSummary counts=e.health_summary.clone()
                                            href=super::connections::health_href(e.organization_id, e.id, &e.health_summary) />
                                    </p>
                                })}
                                <Transition fallback=|| ()>
                                    {move || Suspend::new(async move {
                                        summary.await.ok().map(|s| view! { <StatusSummaryView summary=s /> })
                                    })}
                                </Transition>
                                {if manage {
                                    view! { <TransferList source=source(e.id, e.name.clone()) noun="connections" saved /> }.into_any()
                                } else {
                                    view! { <ConnectionList listing /> }.into_any()
                                }}
                            </section>
                            <RecentHistory events=history entity_id=e.id />
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn ConnectionList(
    listing: Resource<Result<model::connection::ConnectionPage, model::error::ApiError>>,
) -> impl IntoView {
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match listing.await {
                    Ok(p) => view! {
                        <ul class="plain-list">
                            {p.connections.into_iter().map(|c| view! {
                                <li data-testid="environment-connection">
                                    <a href=format!("/connections/{}", c.id)>{c.name.clone()}</a>
                                    " · " {c.kind.clone()} " · " {c.status.as_str()}
                                    " · " <super::connections::HealthBadge health=c.health.clone() />
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(e) => view! { <p class="error-banner">{e.error}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Edit, and the lifecycle moves that make sense from where the environment is.
#[component]
fn LifecycleButtons(
    id: Uuid,
    state: model::environment::EnvironmentState,
    saved: RwSignal<u32>,
) -> impl IntoView {
    use model::environment::EnvironmentState;
    let toasts = crate::components::toast::use_toasts();
    let busy = RwSignal::new(false);
    let run = move |action: model::environment::LifecycleAction| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        leptos::task::spawn_local(async move {
            match crate::server_fns::environments::change_lifecycle(id, action).await {
                Ok(env) => {
                    toasts.success(action.done(&env));
                    saved.update(|n| *n += 1);
                }
                Err(e) => toasts.error(e.error),
            }
            busy.set(false);
        });
    };
    let next = state.next_action();
    view! {
        <div class="row-actions">
            {(state != EnvironmentState::Deleted).then(|| view! {
                <a class="btn" href=format!("/environments/{id}/edit")>"Edit"</a>
            })}
            <button type="button" class="btn" on:click=move |_| run(next) aria-busy=move || busy.get().then_some("true")>
                {move || if busy.get() { next.progress() } else { next.label() }}
            </button>
        </div>
    }
}
