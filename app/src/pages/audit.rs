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
use model::audit::{diff, AuditEvent, EventPage, EventQuery, FieldChange};
use model::error::{ApiError, ErrorCode};
use model::list::ListQuery;
use uuid::Uuid;

const ENTITY_TYPES: &[&str] = &[
    "environment",
    "connection",
    "credential",
    "workspace",
    "user",
    "api_token",
    "audit",
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

/// The page's query from its URL: the list parameters, plus the filter form's fields
/// (`entity_type`, `action`, `actor`, and `from`/`to` as dates, whole days in UTC).
fn parse_url(q: &leptos_router::params::ParamsMap) -> Result<EventQuery, ApiError> {
    let mut query = EventQuery::parse(&raw_query(q))?;
    let field = |k: &str| {
        q.get(k)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let mut extra = serde_json::Map::new();
    for key in ["entity_type", "action", "actor"] {
        if let Some(v) = field(key) {
            extra.insert(key.into(), v.into());
        }
    }
    for (key, to, time) in [
        ("from", "since", "T00:00:00Z"),
        ("to", "until", "T23:59:59.999999Z"),
    ] {
        if let Some(day) = field(key) {
            if !is_date(&day) {
                return Err(ApiError::parameter(
                    key,
                    format!("'{day}' is not a date (YYYY-MM-DD)"),
                ));
            }
            extra.insert(to.into(), format!("{day}{time}").into());
        }
    }
    if !extra.is_empty() {
        // The form's fields go through the API's own filter rules.
        let form =
            model::audit::EventFilter::parse(Some(&serde_json::Value::Object(extra).to_string()))?;
        let f = &mut query.filter;
        f.entity_type = form.entity_type.or(f.entity_type.take());
        f.action = form.action.or(f.action.take());
        f.actor = form.actor.or(f.actor.take());
        f.since = form.since.or(f.since);
        f.until = form.until.or(f.until);
        if let (Some(a), Some(b)) = (f.since, f.until) {
            if a > b {
                return Err(ApiError::parameter(
                    "from",
                    "the From date is after the To date",
                ));
            }
        }
    }
    Ok(query)
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// A time as the date inputs show it (UTC).
fn day(t: Option<chrono::DateTime<chrono::Utc>>) -> String {
    t.map(|t| when(&t).chars().take(10).collect())
        .unwrap_or_default()
}

/// The export of what the page shows: every page of it, as CSV or JSON lines.
fn export_href(q: &EventQuery, format: &str) -> String {
    let mut raw = q.to_raw();
    (raw.page, raw.pagesize) = (None, None);
    let base = list_href("/api/events", raw);
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}format={format}")
}

/// Before and after of one change, changed fields only, long values wrapped.
#[component]
fn Diff(changes: Vec<FieldChange>) -> impl IntoView {
    view! {
        <table class="diff" data-testid="diff">
            <thead><tr><th scope="col">"Field"</th><th scope="col">"Before"</th><th scope="col">"After"</th></tr></thead>
            <tbody>
                {changes.into_iter().map(|c| view! {
                    <tr>
                        <th scope="row"><code>{c.field}</code></th>
                        <td class="diff-before">{c.before.unwrap_or_else(|| "—".into())}</td>
                        <td class="diff-after">{c.after.unwrap_or_else(|| "—".into())}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
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
    let changes = diff(event.before.as_ref(), event.after.as_ref());
    view! {
        <tr data-testid="event-row">
            <td class="col-updated">{when(&event.time)}</td>
            <td data-testid="event-actor">{actor}{via}</td>
            <td><code>{event.action.clone()}</code></td>
            <td>{event.entity_type.clone()} " " {object}</td>
            <td>{event.reason.clone().unwrap_or_default()}</td>
            <td>
                {(!changes.is_empty()).then(|| view! {
                    <details>
                        <summary>{format!("{} change{}", changes.len(), if changes.len() == 1 { "" } else { "s" })}</summary>
                        <Diff changes=changes />
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
    // The people to pick from (org admins may list them; anyone may still type a name).
    let people = Resource::new(
        || (),
        |_| {
            crate::server_fns::users::list_users(model::user::UserQuery {
                page_size: 1000,
                ..ListQuery::default()
            })
        },
    );
    let entity_type = move || query.get().filter.entity_type.unwrap_or_default();
    view! {
        <Title text="Audit" />
        <div class="page-head">
            <h1>"Audit log"</h1>
            <div class="actions">
                <a class="btn" data-testid="export-csv" rel="nofollow" download
                    href=move || export_href(&query.get(), "csv")>"Download CSV"</a>
                <a class="btn" data-testid="export-jsonl" rel="nofollow" download
                    href=move || export_href(&query.get(), "jsonl")>"Download JSON lines"</a>
            </div>
        </div>
        <Form method="GET" action="/audit" attr:class="searchbar audit-filters" attr:role="search">
            <label>
                <span>"Object"</span>
                <select id="audit-type" name="entity_type">
                    <option value="">"Any object"</option>
                    {ENTITY_TYPES.iter().map(|t| view! { <option value=*t selected=move || entity_type() == *t>{*t}</option> }).collect_view()}
                </select>
            </label>
            <label>
                <span>"Action"</span>
                <input id="audit-action" name="action" placeholder="e.g. delete, assign"
                    prop:value=move || query.get().filter.action.unwrap_or_default() />
            </label>
            <label>
                <span>"Who"</span>
                <input id="audit-actor" name="actor" list="audit-people" placeholder="Name or email" autocomplete="off"
                    prop:value=move || query.get().filter.actor.unwrap_or_default() />
            </label>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    people.await.ok().map(|p| view! {
                        <datalist id="audit-people">
                            {p.users.into_iter().map(|u| view! { <option value=u.email.clone()>{u.name}</option> }).collect_view()}
                        </datalist>
                    })
                })}
            </Suspense>
            <label>
                <span>"From (UTC)"</span>
                <input id="audit-from" name="from" type="date" prop:value=move || day(query.get().filter.since) />
            </label>
            <label>
                <span>"To (UTC)"</span>
                <input id="audit-to" name="to" type="date" prop:value=move || day(query.get().filter.until) />
            </label>
            <button type="submit" class="btn">"Filter"</button>
            <a href="/audit" class="btn btn-quiet">"Clear"</a>
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

/// The state an object was last seen in, from its newest event: what it became, or for a
/// deletion what it was.
fn last_known(events: &[AuditEvent]) -> Option<serde_json::Value> {
    let newest = events.first()?;
    newest.after.clone().or_else(|| newest.before.clone())
}

/// What an object's page shows when the object is gone: the error, and to those who may read
/// the log, the object's last known state and its history.
#[component]
pub fn GoneObject(
    error: ApiError,
    events: Resource<Result<EventPage, ApiError>>,
    back_href: &'static str,
    back_label: &'static str,
) -> impl IntoView {
    if error.code != ErrorCode::NotFound {
        return view! {
            <Title text="Not available" />
            <p class="error-banner" role="alert">{error.error}</p>
            <a href=back_href>{back_label}</a>
        }
        .into_any();
    }
    let message = error.error.clone();
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || {
                let message = message.clone();
                Suspend::new(async move {
                    match events.await {
                        Ok(p) if !p.events.is_empty() => {
                            let first = &p.events[0];
                            let name = first.entity_name.clone().unwrap_or_else(|| first.entity_type.clone());
                            let deleted = first.action.ends_with(".delete") || first.action.ends_with(".purge");
                            let all = format!(
                                "/audit{}",
                                query_string(&[("filter", Some(serde_json::json!({"entity_id": first.entity_id}).to_string()))])
                            );
                            let state = diff(None, last_known(&p.events).as_ref());
                            view! {
                                <Title text=if deleted { format!("{name} (deleted)") } else { name.clone() } />
                                <div class="page-head"><div>
                                    <p class="breadcrumb"><a href=back_href>{back_label}</a></p>
                                    <h1>{name}</h1>
                                    <span class="badge state-deleted" data-testid="gone">{if deleted { "deleted" } else { "not available" }}</span>
                                </div></div>
                                <p class="field-help">{if deleted {
                                    "This object no longer exists. Its last known state and its history, from the audit log:".to_string()
                                } else {
                                    format!("{message}. Its last known state and its history, from the audit log:")
                                }}</p>
                                <section class="form-card wide" data-testid="last-known">
                                    <h2>"Last known state"</h2>
                                    <table class="diff">
                                        <tbody>
                                            {state.into_iter().map(|c| view! {
                                                <tr><th scope="row"><code>{c.field}</code></th><td>{c.after.unwrap_or_default()}</td></tr>
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                </section>
                                <section class="form-card wide history">
                                    <h2>"History"</h2>
                                    <EventTable events=p.events />
                                    <a href=all>"All changes"</a>
                                </section>
                            }.into_any()
                        }
                        _ => view! {
                            <Title text="Not found" />
                            <p class="error-banner" role="alert">{message}</p>
                            <a href=back_href>{back_label}</a>
                        }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
    .into_any()
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
