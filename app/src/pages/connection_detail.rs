//! One connection as its users see it: where it points, its status, the credential that opens
//! it (by name only), the environments it is in, and its recent history.

use crate::components::pager::Pager;
use crate::helpers::permissions::allows;
use crate::pages::audit::{history_resource, RecentHistory};
use crate::pages::connections::StatusBadge;
use crate::server_fns::connections::connection_with_environments;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use model::access::Op;
use model::error::ApiError;
use uuid::Uuid;

/// A connection's embedded environments as links, and "and N more" pointing at the full list
/// on its page when the answer carried only the first few.
#[component]
pub fn EnvironmentChips(
    connection: Uuid,
    environments: Vec<model::connection::EnvironmentRef>,
    count: u64,
) -> impl IntoView {
    let more = (count as usize).saturating_sub(environments.len());
    view! {
        {environments.into_iter().map(|e| view! {
            <a class="chip" href=format!("/environments/{}", e.id)>{e.name}</a>
        }).collect_view()}
        {(more > 0).then(|| view! {
            <a class="more-link" data-testid="more-environments"
                href=format!("/connections/{connection}#environments")>{format!("and {more} more")}</a>
        })}
    }
}

/// Every environment holding the connection, a page at a time (`?envpage=N`). The page comes
/// with the connection, in one resource: a resource created inside another's suspense would be
/// hydrated before its data is known.
#[component]
fn AllEnvironments(connection: Uuid, page: model::environment::EnvironmentPage) -> impl IntoView {
    view! {
        <section id="environments" class="card">
            <h2>"All environments"</h2>
            <ul class="plain-list" data-testid="all-environments">
                {page.environments.iter().map(|e| view! {
                    <li><a href=format!("/environments/{}", e.id)>{e.name.clone()}</a></li>
                }).collect_view()}
            </ul>
            <Pager page=page.page page_size=page.page_size total=page.total_count noun="environments"
                href=move |n| format!("/connections/{connection}?envpage={n}#environments") />
        </section>
    }
}

#[component]
pub fn ConnectionDetailPage() -> impl IntoView {
    let id = super::route_id();
    let checked = RwSignal::new(0u32);
    let checking = RwSignal::new(false);
    let toasts = crate::components::toast::use_toasts();
    let check = move |id: Uuid| {
        checking.set(true);
        leptos::task::spawn_local(async move {
            match crate::server_fns::connections::check_connection(id).await {
                // A probe that ran but failed is the connection's failure, said as one.
                Ok(c) if c.health.state.is_unhealthy() => toasts.error(format!(
                    "{} is {}: {}",
                    c.name,
                    c.health.state.label(),
                    c.health.message.unwrap_or_default()
                )),
                Ok(c) => toasts.success(format!(
                    "{} is healthy ({} ms)",
                    c.name,
                    c.health.latency_ms.unwrap_or(0)
                )),
                Err(e) => toasts.error(e.error),
            }
            checking.set(false);
            checked.update(|n| *n += 1);
        });
    };
    let query = use_query_map();
    let env_page = move || {
        query
            .with(|q| q.get("envpage"))
            .and_then(|p| p.parse::<u32>().ok())
            .unwrap_or(0)
    };
    // The connection, and the page of all its environments when it is in more than it embeds.
    let conn = Resource::new(
        move || (id(), checked.get(), env_page()),
        |(id, _, page)| async move {
            match id {
                Some(id) => connection_with_environments(id, page).await,
                None => Err(ApiError::not_found("connection")),
            }
        },
    );
    let history = history_resource(id, checked.into());
    let me = StoredValue::new(use_context::<model::user::Me>());
    let may_manage =
        move |org| me.with_value(|me| allows(me.as_ref(), Some(org), Op::ManageConnection));
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match conn.await {
                    Err(e) => view! {
                        <crate::pages::audit::GoneObject error=e events=history back_href="/connections" back_label="Back to connections" />
                    }.into_any(),
                    Ok((c, all)) => {
                        let manage = may_manage(c.organization_id);
                        view! {
                        <Title text=c.name.clone() />
                        <div class="page-head">
                            <div>
                                <p class="breadcrumb"><a href="/connections">"Connections"</a> " /"</p>
                                <h1>{c.name.clone()}</h1>
                            </div>
                            {manage.then(|| view! {
                                <div class="row-actions">
                                    {model::connection::is_probed(&c.kind).then(|| view! {
                                        <button type="button" class="btn" disabled=move || checking.get()
                                            aria-busy=move || checking.get().then_some("true")
                                            on:click=move |_| check(c.id)>
                                            {move || if checking.get() { "Checking…" } else { "Check now" }}
                                        </button>
                                    })}
                                    <a class="btn" href=format!("/connections/{}/edit", c.id)>"Edit"</a>
                                </div>
                            })}
                        </div>
                        <dl class="facts">
                            <dt>"Kind"</dt><dd>{format!("{} · {}", c.kind, c.kind_type)}</dd>
                            <dt>"URL"</dt><dd><code>{c.url.clone()}</code></dd>
                            <dt>"Status"</dt>
                            <dd>
                                <StatusBadge status=c.status />
                                {(manage && !c.status.next().is_empty()).then(|| view! {
                                    <StatusChange id=c.id name=c.name.clone() status=c.status saved=checked />
                                })}
                            </dd>
                            <dt>"Credential"</dt><dd>{c.credential_name.clone().unwrap_or_else(|| "none".into())}</dd>
                            <dt>"Health"</dt>
                            <dd data-testid="health-facts">
                                <super::connections::HealthBadge health=c.health.clone() />
                                {c.health.since.as_ref().map(|t| format!(" since {}", crate::helpers::format::when(t)))}
                                {c.health.message.clone().map(|m| view! { <p class="health-message">{m}</p> })}
                                {c.last_probe.last_error.clone().filter(|e| Some(e) != c.health.message.as_ref()).map(|e| view! {
                                    <details class="health-cause"><summary>"Details"</summary><code>{e}</code></details>
                                })}
                            </dd>
                            <dt>"Last check"</dt>
                            <dd data-testid="last-check">{match &c.health.checked_at {
                                None if model::connection::is_probed(&c.kind) => "not yet".to_string(),
                                None => "not probed (its kind has no health check)".to_string(),
                                Some(t) => format!(
                                    "{} · {} ms",
                                    crate::helpers::format::when(t),
                                    c.health.latency_ms.unwrap_or(0),
                                ),
                            }}</dd>
                            <dt>"Environments"</dt>
                            <dd>
                                <EnvironmentChips connection=c.id environments=c.environments.clone() count=c.environment_count />
                            </dd>
                        </dl>
                        {all.map(|page| view! { <AllEnvironments connection=c.id page /> })}
                        <RecentHistory events=history entity_id=c.id />
                    }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// Moves the connection along its lifecycle: only the statuses it may go to are offered.
#[component]
fn StatusChange(
    id: Uuid,
    name: String,
    status: model::connection::ConnectionStatus,
    /// Bumped after a change, so the page reloads the connection.
    saved: RwSignal<u32>,
) -> impl IntoView {
    let toasts = crate::components::toast::use_toasts();
    let next = status.next();
    let chosen = RwSignal::new(next[0].as_str().to_string());
    let busy = RwSignal::new(false);
    let name = StoredValue::new(name);
    let change = move |_| {
        let to = chosen.get_untracked();
        busy.set(true);
        leptos::task::spawn_local(async move {
            match crate::server_fns::connections::set_connection_status(id, to.clone()).await {
                Ok(c) => {
                    toasts.success(format!("'{}' is now {}", c.name, c.status.as_str()));
                    saved.update(|n| *n += 1);
                }
                Err(e) => toasts.error(format!(
                    "Could not change the status of '{}': {}",
                    name.get_value(),
                    e.error
                )),
            }
            busy.set(false);
        });
    };
    view! {
        <span class="status-change">
            <label for="status-next" class="visually-hidden">"New status"</label>
            <select id="status-next" on:change=move |ev| chosen.set(event_target_value(&ev))>
                {next.iter().map(|s| view! { <option value=s.as_str()>{s.as_str()}</option> }).collect_view()}
            </select>
            <button type="button" class="btn btn-small" disabled=move || busy.get() on:click=change>
                {move || if busy.get() { "Changing…" } else { "Change status" }}
            </button>
        </span>
    }
}
