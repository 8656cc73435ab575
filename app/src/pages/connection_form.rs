//! Registering and editing a connection. The URL field follows the kind (the API server for
//! kubernetes, the address of Prometheus or Grafana), and the same rules the server runs are
//! checked as the user types.

use super::connections::KINDS;
use crate::components::form::{
    focus_first_field, focus_first_invalid, FieldError, ServerError, Touched,
};
use crate::components::toast::use_toasts;
use crate::server_fns::connections::{get_connection, list_credentials, save_connection};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};
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
    let id = super::route_id();
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
    // Back from "New credential": that credential is chosen (rendered the same on the server
    // and in the browser, from the URL), and what was typed before leaving is put back.
    let query = use_query_map();
    if let Some(chosen) = query.with_untracked(|q| q.get("credential")) {
        if Uuid::parse_str(&chosen).is_ok() {
            credential.set(chosen);
        }
    }
    let here = match id {
        Some(i) => format!("/connections/{i}/edit"),
        None => "/connections/new".to_string(),
    };
    let draft_key = StoredValue::new(here.clone());
    Effect::new(move |_| {
        if let Some(d) = draft::take(&draft_key.get_value()) {
            name.set(d.name);
            kind.set(d.kind);
            kind_type.set(d.kind_type);
            url.set(d.url);
        }
    });
    let new_credential_href = format!("/credentials/new?then={}", super::encode(&here));
    let keep_draft = move |_: leptos::ev::MouseEvent| {
        draft::keep(
            &draft_key.get_value(),
            &draft::Draft {
                name: name.get_untracked(),
                kind: kind.get_untracked(),
                kind_type: kind_type.get_untracked(),
                url: url.get_untracked(),
            },
        );
    };
    let touched = Touched::new(existing.is_some());
    if existing.is_none() {
        focus_first_field();
    }
    let server_error = ServerError::new();
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
    // Every problem at once, by the rules the server runs.
    let problems = Memo::new(move |_| {
        metadata.with_value(|m| {
            ConnectionFields::check_all(
                &name.get(),
                &kind.get(),
                &kind_type.get(),
                "",
                &url.get(),
                m,
            )
            .err()
            .unwrap_or_default()
        })
    });
    let error_for = move |f: &'static str| {
        let local = problems
            .with(|p| {
                p.iter()
                    .find(|e| e.field.as_deref() == Some(f))
                    .map(|e| e.error.clone())
            })
            .filter(|_| touched.shows(f));
        local.or_else(|| server_error.on(f))
    };
    let toasts = use_toasts();
    let navigate = use_navigate();
    let submit = {
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            touched.submit();
            if !problems.with_untracked(Vec::is_empty) {
                focus_first_invalid();
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
                        toasts.success(if id.is_some() {
                            format!("Saved connection '{}'", c.name)
                        } else {
                            format!("Registered connection '{}'", c.name)
                        });
                        navigate(&format!("/connections/{}", c.id), Default::default());
                    }
                    Err(e) => {
                        server_error.set(e);
                        focus_first_invalid();
                    }
                }
                saving.set(false);
            });
        }
    };
    let name_err = Signal::derive(move || error_for("name"));
    let kind_err = Signal::derive(move || error_for("kind"));
    let url_err = Signal::derive(move || error_for("url"));
    let type_err = Signal::derive(move || error_for("type"));
    let cred_err = Signal::derive(move || error_for("credential_id"));
    let other_err = move || server_error.other(&["name", "kind", "url", "type", "credential_id"]);
    let edit = move |signal: RwSignal<String>, f: &'static str| {
        move |ev: leptos::ev::Event| {
            signal.set(event_target_value(&ev));
            touched.touch(f);
            server_error.edited(f);
        }
    };
    let blur = move |f: &'static str| move |_: leptos::ev::FocusEvent| touched.touch(f);
    let invalid = |err: Signal<Option<String>>| move || err.with(Option::is_some).to_string();
    view! {
        <form class="form-card" on:submit=submit novalidate>
            <Show when=move || other_err().is_some()>
                <p class="error-banner" role="alert">{other_err}</p>
            </Show>
            <div class="field">
                <label for="conn-name">"Name"</label>
                <input id="conn-name" required maxlength="255" autocomplete="off" autofocus=id.is_none()
                    prop:value=move || name.get()
                    aria-invalid=invalid(name_err) aria-describedby="conn-name-error"
                    on:input=edit(name, "name") on:blur=blur("name") />
                <FieldError id="conn-name" error=name_err />
            </div>
            <div class="field">
                <label for="conn-kind">"Kind"</label>
                <input id="conn-kind" list="conn-kinds" required placeholder="kubernetes" autocomplete="off"
                    prop:value=move || kind.get()
                    aria-invalid=invalid(kind_err) aria-describedby="conn-kind-error"
                    on:input=edit(kind, "kind") on:blur=blur("kind") />
                <datalist id="conn-kinds">{KINDS.iter().map(|k| view! { <option value=*k></option> }).collect_view()}</datalist>
                <FieldError id="conn-kind" error=kind_err />
            </div>
            <div class="field">
                <label for="conn-url">{move || url_label(&kind.get().to_ascii_lowercase())}
                    {move || (!kind_needs_url(&kind.get().to_ascii_lowercase())).then_some(" (optional)")}</label>
                <input id="conn-url" type="url" placeholder="https://" autocomplete="off" prop:value=move || url.get()
                    aria-invalid=invalid(url_err) aria-describedby="conn-url-error"
                    on:input=edit(url, "url") on:blur=blur("url") />
                <FieldError id="conn-url" error=url_err />
            </div>
            <div class="field">
                <label for="conn-type">"Type (optional)"</label>
                <input id="conn-type" prop:value=move || kind_type.get() autocomplete="off"
                    placeholder=move || default_type(&kind.get().to_ascii_lowercase()).to_string()
                    aria-invalid=invalid(type_err) aria-describedby="conn-type-error"
                    on:input=edit(kind_type, "type") on:blur=blur("type") />
                <FieldError id="conn-type" error=type_err />
            </div>
            <div class="field">
                <label for="conn-credential">"Credential"</label>
                <Suspense fallback=|| view! { <p class="loading">"Loading credentials…"</p> }>
                    {move || Suspend::new(async move {
                        let list = credentials.await.map(|p| p.credentials).unwrap_or_default();
                        view! {
                            <select id="conn-credential" prop:value=move || credential.get()
                                aria-invalid=invalid(cred_err) aria-describedby="conn-credential-help conn-credential-error"
                                on:change=move |ev| {
                                    credential.set(event_target_value(&ev));
                                    server_error.edited("credential_id");
                                }>
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
                <p id="conn-credential-help" class="field-help">"Secrets stay on the server; connections only point at a credential. "
                    <a href=new_credential_href on:click=keep_draft>"New credential"</a></p>
                <FieldError id="conn-credential" error=cred_err />
            </div>
            <div class="form-actions">
                <a class="btn" href=id.map(|i| format!("/connections/{i}")).unwrap_or_else(|| "/connections".into())>"Cancel"</a>
                <button type="submit" class="btn btn-primary" disabled=move || saving.get()
                    aria-busy=move || saving.get().then_some("true")>
                    {move || match (saving.get(), id.is_some()) {
                        (true, _) => "Saving…",
                        (false, true) => "Save changes",
                        (false, false) => "Register connection",
                    }}
                </button>
            </div>
        </form>
    }
}

/// What was typed in the connection form, kept in the tab's session storage while the user
/// goes to create a credential, and put back when they return.
mod draft {
    use serde::{Deserialize, Serialize};

    #[derive(Serialize, Deserialize)]
    pub struct Draft {
        pub name: String,
        pub kind: String,
        pub kind_type: String,
        pub url: String,
    }

    fn storage() -> Option<web_sys::Storage> {
        leptos::prelude::window().session_storage().ok().flatten()
    }

    fn key(form: &str) -> String {
        format!("meshenv.connection-draft:{form}")
    }

    pub fn keep(form: &str, draft: &Draft) {
        if let (Some(s), Ok(json)) = (storage(), serde_json::to_string(draft)) {
            let _ = s.set_item(&key(form), &json);
        }
    }

    /// The draft kept for this form, removed so that a later visit starts clean.
    pub fn take(form: &str) -> Option<Draft> {
        let s = storage()?;
        let json = s.get_item(&key(form)).ok().flatten()?;
        let _ = s.remove_item(&key(form));
        serde_json::from_str(&json).ok()
    }
}
