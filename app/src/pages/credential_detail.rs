//! One credential as anyone who may see it sees it, read-only: its type, which secret fields it
//! holds (never their values), where the secret may be sent, the connections that use it, and
//! its history. Those who may change it find Edit here.

use crate::components::pager::Pager;
use crate::helpers::permissions::allows;
use crate::pages::audit::{history_resource, GoneObject, RecentHistory};
use crate::server_fns::connections::credential_with_connections;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use model::access::Op;
use model::error::ApiError;
use uuid::Uuid;

#[component]
pub fn CredentialDetailPage() -> impl IntoView {
    let id = super::route_id();
    let query = use_query_map();
    let conn_page = move || {
        query
            .with(|q| q.get("connpage"))
            .and_then(|p| p.parse::<u32>().ok())
            .unwrap_or(0)
    };
    // The credential and a page of the connections using it, in one resource: a resource made
    // inside another's suspense would be hydrated before its data is known.
    let cred = Resource::new(
        move || (id(), conn_page()),
        |(id, page)| async move {
            match id {
                Some(id) => credential_with_connections(id, page).await,
                None => Err(ApiError::not_found("credential")),
            }
        },
    );
    let history = history_resource(id, Signal::stored(0));
    let me = StoredValue::new(use_context::<model::user::Me>());
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match cred.await {
                    Err(e) => view! {
                        <GoneObject error=e events=history back_href="/credentials" back_label="Back to credentials" />
                    }.into_any(),
                    Ok((c, used)) => {
                        let manage = me.with_value(|me| allows(me.as_ref(), Some(c.organization_id), Op::ManageCredential));
                        view! {
                            <Title text=c.name.clone() />
                            <div class="page-head">
                                <div>
                                    <p class="breadcrumb"><a href="/credentials">"Credentials"</a> " /"</p>
                                    <h1>{c.name.clone()}</h1>
                                </div>
                                {manage.then(|| view! {
                                    <div class="row-actions">
                                        <a class="btn" href=format!("/credentials/{}/edit", c.id)>"Edit"</a>
                                    </div>
                                })}
                            </div>
                            <dl class="facts" data-testid="credential-facts">
                                <dt>"Type"</dt><dd>{c.kind.as_str()}</dd>
                                <dt>"Secret"</dt>
                                <dd>
                                    {if c.secret.is_empty() {
                                        view! { "none stored" }.into_any()
                                    } else {
                                        view! {
                                            <ul class="plain-list">
                                                {c.secret.keys().map(|k| view! {
                                                    <li><code>{k.clone()}</code>" · stored, never shown"</li>
                                                }).collect_view()}
                                            </ul>
                                        }.into_any()
                                    }}
                                </dd>
                                <dt>"Allowed hosts"</dt>
                                <dd data-testid="credential-hosts">
                                    {if c.allowed_hosts.is_empty() {
                                        "nowhere yet: no connection can use it".to_string()
                                    } else {
                                        c.allowed_hosts.join(", ")
                                    }}
                                </dd>
                                <dt>"Plain http"</dt>
                                <dd>{if c.allow_http { "allowed (the secret may travel unencrypted)" } else { "not allowed" }}</dd>
                                <dt>"Last update"</dt>
                                <dd>{crate::helpers::format::when(&c.updated_at)}</dd>
                            </dl>
                            <UsedBy credential=c.id count=c.connection_count page=used />
                            <RecentHistory events=history entity_id=c.id />
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// The connections that use the credential, a page at a time (`?connpage=N`).
#[component]
fn UsedBy(credential: Uuid, count: u64, page: model::connection::ConnectionPage) -> impl IntoView {
    view! {
        <section id="connections" class="card">
            <h2>{format!("Used by {}", model::text::count(count as usize, "connection"))}</h2>
            {if page.connections.is_empty() {
                view! { <p class="loading">"No connection uses it."</p> }.into_any()
            } else {
                view! {
                    <ul class="plain-list" data-testid="credential-connections">
                        {page.connections.iter().map(|c| view! {
                            <li><a href=format!("/connections/{}", c.id)>{c.name.clone()}</a></li>
                        }).collect_view()}
                    </ul>
                    <Pager page=page.page page_size=page.page_size total=page.total_count noun="connections"
                        href=move |n| format!("/credentials/{credential}?connpage={n}#connections") />
                }.into_any()
            }}
        </section>
    }
}
