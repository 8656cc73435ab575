//! One connection as its users see it: where it points, its status, the credential that opens
//! it (by name only), the environments it is in, and its recent history.

use crate::error::ApiError;
use crate::model::access::Op;
use crate::pages::audit::{history_resource, RecentHistory};
use crate::pages::connections::StatusBadge;
use crate::server_fns::connections::get_connection;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use uuid::Uuid;

#[component]
pub fn ConnectionDetailPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .with(|p| p.get("id"))
            .and_then(|s| Uuid::parse_str(&s).ok())
    };
    let conn = Resource::new(id, |id| async move {
        match id {
            Some(id) => get_connection(id).await,
            None => Err(ApiError::not_found("connection")),
        }
    });
    let history = history_resource(id, Signal::derive(|| 0));
    let manage = crate::pages::workspaces::org_allows(Op::ManageConnection);
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match conn.await {
                    Err(e) => view! {
                        <p class="error-banner" role="alert">{e.error}</p>
                        <a href="/connections">"Back to connections"</a>
                    }.into_any(),
                    Ok(c) => view! {
                        <Title text=c.name.clone() />
                        <div class="page-head">
                            <div>
                                <p class="breadcrumb"><a href="/connections">"Connections"</a> " /"</p>
                                <h1>{c.name.clone()}</h1>
                            </div>
                            {manage.then(|| view! { <a class="btn" href=format!("/connections/{}/edit", c.id)>"Edit"</a> })}
                        </div>
                        <dl class="facts">
                            <dt>"Kind"</dt><dd>{format!("{} · {}", c.kind, c.kind_type)}</dd>
                            <dt>"URL"</dt><dd><code>{c.url.clone()}</code></dd>
                            <dt>"Status"</dt><dd><StatusBadge status=c.status /></dd>
                            <dt>"Credential"</dt><dd>{c.credential_name.clone().unwrap_or_else(|| "none".into())}</dd>
                            <dt>"Environments"</dt>
                            <dd>
                                {c.environments.iter().map(|e| view! {
                                    <a class="chip" href=format!("/environments/{}", e.id)>{e.name.clone()}</a>
                                }).collect_view()}
                            </dd>
                        </dl>
                        <RecentHistory events=history entity_id=c.id />
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}
