//! Registering and editing a connection. The URL field follows the kind (the API server for
//! kubernetes, the address of Prometheus or Grafana), and the same rules the server runs are
//! checked as the user types.

use super::connections::KINDS;
use crate::components::toast::use_toasts;
use crate::server_fns::connections::{get_connection, list_credentials, save_connection};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map};
use model::connection::{
    default_type, kind_needs_url, url_label, Connection, ConnectionFields, ConnectionInput,
};
use model::credential::{CredentialQuery, CredentialSort};
use model::error::ApiError;
use model::list::{Direction, ListQuery, Order, MAX_PAGE_SIZE};
use uuid::Uuid;

#[component]
pub fn NewConnectionPage() -> impl IntoView {
    view! {
        <Title text="Register connection" />
        <h1>"Register connection"</h1>
        <ConnectionForm existing=None />
    }
}

#[component]
pub fn EditConnectionPage() -> impl IntoView {
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
    view! {
        <Title text="Edit connection" />
        <h1>"Edit connection"</h1>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match conn.await {
                    Ok(c) => view! { <ConnectionForm existing=Some(c) /> }.into_any(),
                    Err(e) => view! { <p class="error-banner" role="alert">{e.error}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ConnectionForm(existing: Option<Connection>) -> impl IntoView {
    let id = existing.as_ref().map(|c| c.id);
    let field =
        |f: fn(&Connection) -> String| RwSignal::new(existing.as_ref().map(f).unwrap_or_default());
    let name = field(|c| c.name.clone());
    let kind = field(|c| c.kind.clone());
    let kind_type = field(|c| c.kind_type.clone());
    let url = field(|c| c.url.clone());
    let credential = field(|c| c.credential_id.map(|u| u.to_string()).unwrap_or_default());
    let touched = RwSignal::new(existing.is_some());
    let server_error = RwSignal::new(None::<ApiError>);
    let saving = RwSignal::new(false);
    // Kept as it is: the form does not edit metadata, but the rules check it.
    let metadata = StoredValue::new(
        existing
            .as_ref()
            .map(Connection::stored_metadata)
            .unwrap_or_default(),
    );

    let credentials = Resource::new(
        || (),
        |_| {
            list_credentials(CredentialQuery {
                list: ListQuery {
                    page_size: MAX_PAGE_SIZE,
                    order: Order {
                        field: CredentialSort::Name,
                        direction: Direction::Asc,
                    },
                    ..Default::default()
                },
                kind: None,
            })
        },
    );
    let checked = move || {
        metadata.with_value(|m| {
            ConnectionFields::check(
                &name.get(),
                &kind.get(),
                &kind_type.get(),
                "",
                &url.get(),
                m,
            )
        })
    };
    let error_for = move |f: &'static str| {
        let local = checked()
            .err()
            .filter(|e| touched.get() && e.field.as_deref() == Some(f))
            .map(|e| e.error);
        local.or_else(|| server_error.get().and_then(|e| e.for_field(f)))
    };
    let toasts = use_toasts();
    let navigate = use_navigate();
    let submit = {
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            touched.set(true);
            if checked().is_err() {
                return;
            }
            let credential_id = Uuid::parse_str(&credential.get_untracked()).ok();
            let input = ConnectionInput {
                name: Some(name.get_untracked()),
                kind: Some(kind.get_untracked()),
                kind_type: Some(kind_type.get_untracked()),
                url: Some(url.get_untracked()),
                credential_id: Some(credential_id),
                ..Default::default()
            };
            saving.set(true);
            let navigate = navigate.clone();
            spawn_local(async move {
                match save_connection(id, input).await {
                    Ok(c) => {
                        toasts.success(format!("Saved connection '{}'", c.name));
                        navigate("/connections", Default::default());
                    }
                    Err(e) => server_error.set(Some(e)),
                }
                saving.set(false);
            });
        }
    };
    let name_err = move || error_for("name");
    let kind_err = move || error_for("kind");
    let url_err = move || error_for("url");
    let cred_err = move || error_for("credential_id");
    let other_err = move || {
        server_error
            .get()
            .filter(|e| {
                !matches!(
                    e.field.as_deref(),
                    Some("name" | "kind" | "url" | "credential_id")
                )
            })
            .map(|e| e.error)
    };
    view! {
        <form class="form-card" on:submit=submit novalidate>
            <Show when=move || other_err().is_some()>
                <p class="error-banner" role="alert">{other_err}</p>
            </Show>
            <div class="field">
                <label for="conn-name">"Name"</label>
                <input id="conn-name" required maxlength="255" prop:value=move || name.get()
                    aria-invalid=move || name_err().is_some().to_string()
                    on:input=move |ev| { name.set(event_target_value(&ev)); touched.set(true); } />
                <p class="field-error">{name_err}</p>
            </div>
            <div class="field">
                <label for="conn-kind">"Kind"</label>
                <input id="conn-kind" list="conn-kinds" required placeholder="kubernetes" prop:value=move || kind.get()
                    aria-invalid=move || kind_err().is_some().to_string()
                    on:input=move |ev| { kind.set(event_target_value(&ev)); touched.set(true); } />
                <datalist id="conn-kinds">{KINDS.iter().map(|k| view! { <option value=*k></option> }).collect_view()}</datalist>
                <p class="field-error">{kind_err}</p>
            </div>
            <div class="field">
                <label for="conn-url">{move || url_label(&kind.get().to_ascii_lowercase())}
                    {move || (!kind_needs_url(&kind.get().to_ascii_lowercase())).then_some(" (optional)")}</label>
                <input id="conn-url" type="url" placeholder="https://" prop:value=move || url.get()
                    aria-invalid=move || url_err().is_some().to_string()
                    on:input=move |ev| url.set(event_target_value(&ev)) />
                <p class="field-error">{url_err}</p>
            </div>
            <div class="field">
                <label for="conn-type">"Type (optional)"</label>
                <input id="conn-type" prop:value=move || kind_type.get()
                    placeholder=move || default_type(&kind.get().to_ascii_lowercase()).to_string()
                    on:input=move |ev| kind_type.set(event_target_value(&ev)) />
            </div>
            <div class="field">
                <label for="conn-credential">"Credential"</label>
                <Suspense fallback=|| view! { <p class="loading">"Loading credentials…"</p> }>
                    {move || Suspend::new(async move {
                        let list = credentials.await.map(|p| p.credentials).unwrap_or_default();
                        view! {
                            <select id="conn-credential" prop:value=move || credential.get()
                                on:change=move |ev| credential.set(event_target_value(&ev))>
                                <option value="">"No credential"</option>
                                {list.into_iter().map(|c| {
                                    let v = c.id.to_string();
                                    let selected = credential.get_untracked() == v;
                                    view! { <option value=v selected=selected>{format!("{} ({})", c.name, c.kind.as_str())}</option> }
                                }).collect_view()}
                            </select>
                        }
                    })}
                </Suspense>
                <p class="field-help">"Secrets stay on the server; connections only point at a credential. "
                    <a href="/credentials/new">"New credential"</a></p>
                <p class="field-error">{cred_err}</p>
            </div>
            <div class="form-actions">
                <a class="btn" href="/connections">"Cancel"</a>
                <button type="submit" class="btn btn-primary" disabled=move || saving.get()>
                    {if id.is_some() { "Save changes" } else { "Register connection" }}
                </button>
            </div>
        </form>
    }
}
