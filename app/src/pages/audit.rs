//! The Audit page: who changed what, when and why, filterable, linking to the objects; and the
//! recent history shown on an object's own page.

use super::{list_href, query_string, raw_query};
use crate::components::pager::Pager;
use crate::helpers::format::when;
use crate::server_fns::audit::list_events;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;
use model::audit::{AuditEvent, EventPage, EventQuery};
use model::list::ListQuery;
use uuid::Uuid;

const ENTITY_TYPES: &[&str] = &[
    "environment",
    "connection",
    "credential",
    "workspace",
    "user",
];

/// Where an object of the log lives in the UI, if it has a page.
fn object_href(entity_type: &str, id: Uuid) -> Option<String> {
    match entity_type {
        "environment" => Some(format!("/environments/{id}")),
        "connection" => Some(format!("/connections/{id}")),
        "workspace" => Some(format!("/workspaces/{id}")),
        "credential" => Some(format!("/credentials/{id}/edit")),
        _ => None,
    }
}

fn href(q: &EventQuery) -> String {
    list_href("/audit", q.to_raw())
}

/// The page's query from its URL: the list parameters, plus `entity_type` and `action` as the
/// filter form sends them.
fn parse_url(q: &leptos_router::params::ParamsMap) -> Result<EventQuery, model::error::ApiError> {
    let mut query = EventQuery::parse(&raw_query(q))?;
    if let Some(t) = q.get("entity_type").filter(|t| !t.trim().is_empty()) {
        query.filter.entity_type = Some(t.trim().to_string());
    }
    if let Some(a) = q.get("action").filter(|a| !a.trim().is_empty()) {
        query.filter.action = Some(a.trim().to_string());
    }
    Ok(query)
}

#[component]
fn EventRow(event: AuditEvent) -> impl IntoView {
    let object = match (event.entity_id, event.entity_name.clone()) {
        (Some(id), name) => {
            let label = name.unwrap_or_else(|| id.to_string());
            match object_href(&event.entity_type, id) {
                Some(h) => view! { <a href=h>{label}</a> }.into_any(),
                None => view! { <span>{label}</span> }.into_any(),
            }
        }
        (None, name) => view! { <span>{name.unwrap_or_default()}</span> }.into_any(),
    };
    let actor = event
        .actor
        .user_name
        .clone()
        .unwrap_or_else(|| "system".into());
    let via = event.actor.token_id.map(|_| " (API token)").unwrap_or("");
    let pretty = |v: &Option<serde_json::Value>| {
        v.as_ref()
            .and_then(|v| serde_json::to_string_pretty(v).ok())
    };
    let (before, after) = (pretty(&event.before), pretty(&event.after));
    let has_details = before.is_some() || after.is_some();
    view! {
        <tr data-testid="event-row">
            <td class="col-updated">{when(&event.time)}</td>
            <td>{actor}{via}</td>
            <td><code>{event.action.clone()}</code></td>
            <td>{event.entity_type.clone()} " " {object}</td>
            <td>{event.reason.clone().unwrap_or_default()}</td>
            <td>
                {has_details.then(|| view! {
                    <details>
                        <summary>"Changes"</summary>
                        {before.map(|b| view! { <p class="field-help">"Before"</p><pre>{b}</pre> })}
                        {after.map(|a| view! { <p class="field-help">"After"</p><pre>{a}</pre> })}
                    </details>
                })}
            </td>
        </tr>
    }
}

#[component]
fn EventTable(events: Vec<AuditEvent>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="data">
                <thead>
                    <tr>
                        <th scope="col">"Time"</th>
                        <th scope="col">"Who"</th>
                        <th scope="col">"Action"</th>
                        <th scope="col">"Object"</th>
                        <th scope="col">"Reason"</th>
                        <th scope="col"><span class="visually-hidden">"Details"</span></th>
                    </tr>
                </thead>
                <tbody>{events.into_iter().map(|e| view! { <EventRow event=e /> }).collect_view()}</tbody>
            </table>
        </div>
    }
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let query_map = use_query_map();
    let parsed = Memo::new(move |_| query_map.with(parse_url));
    let query = Memo::new(move |_| parsed.get().unwrap_or_default());
    let page = super::list_resource(parsed, RwSignal::new(0), list_events);
    let entity_type = move || query.get().filter.entity_type.unwrap_or_default();
    view! {
        <Title text="Audit" />
        <h1>"Audit log"</h1>
        <Form method="GET" action="/audit" attr:class="searchbar" attr:role="search">
            <label for="audit-type" class="visually-hidden">"Object type"</label>
            <select id="audit-type" name="entity_type">
                <option value="">"Any object"</option>
                {ENTITY_TYPES.iter().map(|t| view! { <option value=*t selected=move || entity_type() == *t>{*t}</option> }).collect_view()}
            </select>
            <label for="audit-action" class="visually-hidden">"Action"</label>
            <input id="audit-action" name="action" placeholder="Action, e.g. environment.delete"
                prop:value=move || query.get().filter.action.unwrap_or_default() />
            <button type="submit" class="btn">"Filter"</button>
        </Form>
        {move || parsed.get().err().map(|e| view! { <p class="error-banner" role="alert">{e.error}</p> })}
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => view! { <EventsWithPager page=p query=query.get_untracked() /> }.into_any(),
                    Err(e) => view! { <p class="error-banner" role="alert">{e.error}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn EventsWithPager(page: EventPage, query: EventQuery) -> impl IntoView {
    if page.events.is_empty() {
        return view! { <div class="empty-state"><p>"No events match."</p></div> }.into_any();
    }
    let (current, page_size, total) = (page.page, page.page_size, page.total_count);
    let at = move |n: u32| {
        let mut q = query.clone();
        q.list.page = n;
        href(&q)
    };
    view! {
        <EventTable events=page.events />
        <Pager page=current page_size=page_size total=total noun="events" href=at previous="‹ Newer" next="Older ›" />
    }
    .into_any()
}

/// The last changes of one object, for its page. Create it at the top of the page component
/// (never inside a `Suspend`), so server and browser create their resources in the same order.
pub fn history_resource(
    entity_id: impl Fn() -> Option<Uuid> + Send + Sync + 'static,
    refresh: Signal<u32>,
) -> Resource<Result<EventPage, model::error::ApiError>> {
    Resource::new(
        move || (entity_id(), refresh.get()),
        |(id, _)| async move {
            let Some(id) = id else {
                return Err(model::error::ApiError::not_found("object"));
            };
            let mut q = EventQuery {
                list: ListQuery {
                    page_size: 10,
                    ..Default::default()
                },
                ..Default::default()
            };
            q.filter.entity_id = Some(id);
            list_events(q).await
        },
    )
}

/// The recent changes of one object. Shown to those who may read the log; others see nothing.
#[component]
pub fn RecentHistory(
    events: Resource<Result<EventPage, model::error::ApiError>>,
    entity_id: Uuid,
) -> impl IntoView {
    let more = format!(
        "/audit{}",
        query_string(&[(
            "filter",
            Some(serde_json::json!({"entity_id": entity_id}).to_string())
        )])
    );
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let more = more.clone();
                Suspend::new(async move {
                    events.await.ok().map(|p| view! {
                        <section class="form-card wide history">
                            <h2>"Recent changes"</h2>
                            <EventTable events=p.events />
                            <a href=more>"All changes"</a>
                        </section>
                    })
                })
            }}
        </Suspense>
    }
}
