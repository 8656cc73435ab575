//! Creating and editing a credential. The secret fields follow the type; they are write-only:
//! an edit shows them empty, and leaving them empty keeps the stored secret.

use crate::components::form::{
    focus_first_field, focus_first_invalid, FieldError, ServerError, Touched,
};
use crate::components::toast::use_toasts;
use crate::server_fns::connections::{create_credential, get_credential, update_credential};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};
use model::credential::{
    check_credential_name, check_scope, check_scope_change, check_secret, Credential,
    CredentialType, CredentialUpdate, NewCredential, Secret,
};
use model::error::ApiError;
use model::scope::split_hosts;

#[component]
pub fn NewCredentialPage() -> impl IntoView {
    view! {
        <Title text="New credential" />
        <h1>"New credential"</h1>
        <CredentialForm existing=None />
    }
}

#[component]
pub fn EditCredentialPage() -> impl IntoView {
    let id = super::route_id();
    let cred = Resource::new(id, |id| async move {
        match id {
            Some(id) => get_credential(id).await,
            None => Err(ApiError::not_found("credential")),
        }
    });
    // For a credential that is gone: its last known state and history, from the audit log.
    let history = crate::pages::audit::history_resource(id, Signal::stored(0));
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match cred.await {
                    Ok(c) => view! {
                        <Title text="Edit credential" />
                        <h1>"Edit credential"</h1>
                        <CredentialForm existing=Some(c) />
                    }.into_any(),
                    Err(e) => view! {
                        <crate::pages::audit::GoneObject error=e events=history back_href="/credentials" back_label="Back to credentials" />
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Parses the custom type's "key=value" lines.
fn custom_fields(text: &str) -> Secret {
    text.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

#[component]
fn CredentialForm(existing: Option<Credential>) -> impl IntoView {
    let id = existing.as_ref().map(|c| c.id);
    let editing = id.is_some();
    let name = RwSignal::new(
        existing
            .as_ref()
            .map(|c| c.name.clone())
            .unwrap_or_default(),
    );
    let kind = RwSignal::new(
        existing
            .as_ref()
            .map(|c| c.kind)
            .unwrap_or(CredentialType::Token),
    );
    let secret = RwSignal::new(Secret::new());
    let custom = RwSignal::new(String::new());
    let touched = Touched::new(false);
    if !editing {
        focus_first_field();
    }
    let server_error = ServerError::new();
    let saving = RwSignal::new(false);
    let original_kind = existing.as_ref().map(|c| c.kind);
    // Kept in a StoredValue so that the closures that read it stay Copy.
    let original_scope = StoredValue::new(existing.as_ref().map(Credential::scope));
    let hosts = RwSignal::new(
        existing
            .as_ref()
            .map(|c| c.allowed_hosts.join("\n"))
            .unwrap_or_default(),
    );
    let allow_http = RwSignal::new(existing.as_ref().is_some_and(|c| c.allow_http));

    let typed = move || -> Secret {
        if kind.get() == CredentialType::Custom {
            custom_fields(&custom.get())
        } else {
            secret
                .get()
                .into_iter()
                .filter(|(_, v)| !v.is_empty())
                .collect()
        }
    };
    // On an edit with nothing typed and the same type, the stored secret is kept.
    let keeps_secret = move || editing && typed().is_empty() && Some(kind.get()) == original_kind;
    // Every problem at once, by the rules the server runs: the name, the secret, the scope.
    let problems = Memo::new(move |_| {
        let mut found = Vec::new();
        if let Err(m) = check_credential_name(&name.get()) {
            found.push(ApiError::validation("name", m));
        }
        if !keeps_secret() {
            if let Err(e) = check_secret(kind.get(), &typed()) {
                found.push(e);
            }
        }
        match check_scope(&split_hosts(&hosts.get()), allow_http.get()) {
            Err(e) => found.push(e),
            Ok(scope) => {
                if let Some(before) = original_scope.get_value() {
                    if let Err(e) = check_scope_change(&before, &scope, !keeps_secret()) {
                        found.push(e);
                    }
                }
            }
        }
        found
    });
    // The field an error belongs to on the form: the hosts' list items are one field, and the
    // custom type's keys are one text area.
    let form_field = move |f: &str| -> String {
        if f.starts_with("allowed_hosts") {
            "allowed_hosts".into()
        } else if f.starts_with("secret") && kind.get_untracked() == CredentialType::Custom {
            "secret".into()
        } else {
            f.to_string()
        }
    };
    let error_for = move |f: &str| {
        let local = problems
            .with(|p| {
                p.iter()
                    .find(|e| e.field.as_deref().map(form_field).as_deref() == Some(f))
                    .map(|e| e.error.clone())
            })
            .filter(|_| touched.shows(f));
        local.or_else(|| {
            server_error
                .0
                .get()
                .filter(|e| e.field.as_deref().map(form_field).as_deref() == Some(f))
                .map(|e| e.error)
        })
    };
    let toasts = use_toasts();
    let navigate = use_navigate();
    // Opened from the connection form ("New credential"): go back there with the new
    // credential chosen. Only a local path is followed.
    let then = use_query_map()
        .with_untracked(|q| q.get("then"))
        .filter(|t| super::safe_next(Some(t)) == *t);
    let then = StoredValue::new(then);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        touched.submit();
        if !problems.with_untracked(Vec::is_empty) {
            focus_first_invalid();
            return;
        }
        let new_secret = (!keeps_secret()).then(typed);
        saving.set(true);
        let navigate = navigate.clone();
        let (n, k) = (name.get_untracked(), kind.get_untracked());
        let (h, http) = (
            split_hosts(&hosts.get_untracked()),
            allow_http.get_untracked(),
        );
        spawn_local(async move {
            let result = match id {
                None => {
                    create_credential(NewCredential {
                        name: Some(n),
                        kind: Some(k.as_str().into()),
                        secret: new_secret,
                        allowed_hosts: Some(h),
                        allow_http: Some(http),
                        organization_id: None,
                    })
                    .await
                }
                Some(id) => {
                    update_credential(
                        id,
                        CredentialUpdate {
                            name: Some(n),
                            kind: Some(k.as_str().into()),
                            secret: new_secret,
                            allowed_hosts: Some(h),
                            allow_http: Some(http),
                        },
                    )
                    .await
                }
            };
            match result {
                Ok(c) => {
                    toasts.success(if editing {
                        format!("Saved credential '{}'", c.name)
                    } else {
                        format!("Created credential '{}'", c.name)
                    });
                    let to = match then.get_value().filter(|_| !editing) {
                        Some(back) => {
                            let join = if back.contains('?') { '&' } else { '?' };
                            format!("{back}{join}credential={}", c.id)
                        }
                        None => format!("/credentials/{}", c.id),
                    };
                    navigate(&to, Default::default());
                }
                Err(e) => {
                    server_error.set(e);
                    focus_first_invalid();
                }
            }
            saving.set(false);
        });
    };
    let err = move |f: &'static str| Signal::derive(move || error_for(f));
    let invalid = move |f: String| move || error_for(&f).is_some().to_string();
    let other_err = move || {
        server_error
            .0
            .get()
            .filter(|e| e.field.is_none())
            .map(|e| e.error)
    };
    let stored: Vec<String> = existing
        .as_ref()
        .map(|c| c.secret.keys().cloned().collect())
        .unwrap_or_default();
    view! {
        <form class="form-card" on:submit=submit novalidate autocomplete="off">
            {move || other_err().map(|e| view! { <p class="error-banner" role="alert">{e}</p> })}
            <div class="field">
                <label for="cred-name">"Name"</label>
                <input id="cred-name" required maxlength="255" autofocus=!editing prop:value=move || name.get()
                    aria-invalid=invalid("name".into()) aria-describedby="cred-name-error"
                    on:blur=move |_| touched.touch("name")
                    on:input=move |ev| { name.set(event_target_value(&ev)); touched.touch("name"); server_error.edited("name"); } />
                <FieldError id="cred-name" error=err("name") />
            </div>
            <div class="field">
                <label for="cred-type">"Type"</label>
                <select id="cred-type" aria-invalid=invalid("type".into()) aria-describedby="cred-type-error"
                    on:change=move |ev| {
                    if let Some(t) = CredentialType::parse(&event_target_value(&ev)) {
                        kind.set(t);
                        secret.set(Secret::new());
                        server_error.edited("type");
                    }
                }>
                    {CredentialType::ALL.iter().map(|t| view! {
                        <option value=t.as_str() selected=move || kind.get() == *t>{t.as_str()}</option>
                    }).collect_view()}
                </select>
                <FieldError id="cred-type" error=err("type") />
            </div>
            <div class="field">
                <label for="cred-hosts">"Allowed hosts"</label>
                <textarea id="cred-hosts" rows="3" spellcheck="false" aria-describedby="cred-hosts-help cred-hosts-error"
                    aria-invalid=invalid("allowed_hosts".into())
                    prop:value=move || hosts.get()
                    on:blur=move |_| touched.touch("allowed_hosts")
                    on:input=move |ev| { hosts.set(event_target_value(&ev)); touched.touch("allowed_hosts"); server_error.edited("allowed_hosts"); }></textarea>
                <p class="field-help" id="cred-hosts-help">"Where the secret may be sent, one per line: k8s.example.com:6443, *.example.com or 10.0.0.5. Connections outside these hosts cannot use it. Changing them needs the secret again."</p>
                <FieldError id="cred-hosts" error=err("allowed_hosts") />
            </div>
            <div class="field field-check">
                <label>
                    <input id="cred-allow-http" type="checkbox" prop:checked=move || allow_http.get()
                        on:change=move |ev| { allow_http.set(event_target_checked(&ev)); touched.touch("allowed_hosts"); } />
                    " Allow plain http (the secret travels unencrypted)"
                </label>
            </div>
            <FieldError id="cred-secret" error=err("secret") />
            {editing.then(|| view! {
                <p class="field-help">{format!("Stored secret fields: {}. Leave the fields empty to keep them; anything typed replaces the whole secret.", stored.join(", "))}</p>
            })}
            {move || {
                let k = kind.get();
                if k == CredentialType::Custom {
                    return view! {
                        <div class="field">
                            <label for="cred-custom">"Fields, one key=value per line"</label>
                            <textarea id="cred-custom" rows="4" aria-invalid=invalid("secret".into()) aria-describedby="cred-secret-error"
                                on:blur=move |_| touched.touch("secret")
                                on:input=move |ev| { custom.set(event_target_value(&ev)); touched.touch("secret"); }></textarea>
                        </div>
                    }.into_any();
                }
                k.fields().iter().map(|f| {
                    let key = f.name;
                    let input_id = format!("secret-{key}");
                    let label = format!("{}{}", f.label, if f.required { "" } else { " (optional)" });
                    let field = format!("secret.{key}");
                    let on_input = {
                        let field = field.clone();
                        move |ev| {
                            let v = event_target_value(&ev);
                            secret.update(|s| { s.insert(key.to_string(), v); });
                            touched.touch(&field);
                            server_error.edited(&field);
                        }
                    };
                    let on_blur = {
                        let field = field.clone();
                        move |_| touched.touch(&field)
                    };
                    let described = format!("{input_id}-error");
                    let shown = {
                        let field = field.clone();
                        move || error_for(&field)
                    };
                    view! {
                        <div class="field">
                            <label for=input_id.clone()>{label}</label
                            >{if f.multiline {
                                view! { <textarea id=input_id.clone() rows="4" spellcheck="false" aria-invalid=invalid(field.clone()) aria-describedby=described.clone() on:input=on_input on:blur=on_blur></textarea> }.into_any()
                            } else {
                                view! { <input id=input_id.clone() type="password" autocomplete="new-password" aria-invalid=invalid(field.clone()) aria-describedby=described.clone() on:input=on_input on:blur=on_blur /> }.into_any()
                            }}
                            <p id=described class="field-error">{shown}</p>
                        </div>
                    }
                }).collect_view().into_any()
            }}
            <div class="form-actions">
                <a class="btn" href=id.map(|i| format!("/credentials/{i}"))
                    .or_else(|| then.get_value())
                    .unwrap_or_else(|| "/credentials".into())>"Cancel"</a>
                <button type="submit" class="btn btn-primary" disabled=move || saving.get()
                    aria-busy=move || saving.get().then_some("true")>
                    {move || match (saving.get(), editing) {
                        (true, _) => "Saving…",
                        (false, true) => "Save changes",
                        (false, false) => "Create credential",
                    }}
                </button>
            </div>
        </form>
    }
}
