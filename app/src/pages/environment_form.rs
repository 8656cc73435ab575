//! Creating and editing an environment. The fields are checked as the user types by the same
//! functions the server runs; a refusal from the server (a taken name) shows on its field. The
//! form is a plain HTML form underneath, so it works before the page has hydrated.

use crate::components::toast::use_toasts;
use crate::server_fns::environments::{get_environment, CreateEnvironment, UpdateEnvironment};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;
use model::environment::{
    check_description, check_name, check_tags, split_tag_input, Environment, DESCRIPTION_MAX,
    NAME_MAX,
};
use model::error::ApiError;

/// The form's state: what is typed, what was submitted, whether to show errors yet.
#[derive(Clone, Copy)]
struct FormState {
    name: RwSignal<String>,
    description: RwSignal<String>,
    tags: RwSignal<String>,
    /// Errors show once the user has typed in the field or tried to submit.
    touched: RwSignal<bool>,
    /// The name as last submitted: a server refusal of the name shows until it is edited.
    submitted_name: RwSignal<Option<String>>,
    hydrated: RwSignal<bool>,
}

impl FormState {
    fn new(existing: Option<&Environment>) -> Self {
        let state = FormState {
            name: RwSignal::new(existing.map(|e| e.name.clone()).unwrap_or_default()),
            description: RwSignal::new(existing.map(|e| e.description.clone()).unwrap_or_default()),
            tags: RwSignal::new(existing.map(|e| e.tags.join(", ")).unwrap_or_default()),
            touched: RwSignal::new(false),
            submitted_name: RwSignal::new(None),
            hydrated: RwSignal::new(false),
        };
        // Effects only run in the browser: from here on the page is interactive.
        Effect::new(move |_| state.hydrated.set(true));
        state
    }

    fn name_error(&self) -> Option<String> {
        check_name(&self.name.get()).err()
    }

    fn description_error(&self) -> Option<String> {
        check_description(&self.description.get()).err()
    }

    fn tags_error(&self) -> Option<String> {
        check_tags(&split_tag_input(&self.tags.get())).err()
    }

    fn invalid(&self) -> bool {
        self.name_error().is_some()
            || self.description_error().is_some()
            || self.tags_error().is_some()
    }
}

#[component]
fn Fields(
    state: FormState,
    server_error: Signal<Option<ApiError>>,
    /// Focus the name when the page opens (a new environment).
    #[prop(optional)]
    autofocus: bool,
) -> impl IntoView {
    let shown = move |local: Option<String>, field: &'static str| {
        let server = server_error.get().and_then(|e| e.for_field(field));
        let server = match field {
            // A refused name stays shown until the user changes it.
            "name" => server.filter(|_| {
                state
                    .submitted_name
                    .get()
                    .is_none_or(|s| s == state.name.get())
            }),
            _ => server,
        };
        local.filter(|_| state.touched.get()).or(server)
    };
    let name_err = move || shown(state.name_error(), "name");
    let desc_err = move || shown(state.description_error(), "description");
    let tags_err = move || shown(state.tags_error(), "tags");
    let other_err = move || {
        server_error
            .get()
            .filter(|e| !matches!(e.field.as_deref(), Some("name" | "description" | "tags")))
            .map(|e| e.error)
    };
    view! {
        <Show when=move || other_err().is_some()>
            <p class="error-banner" role="alert">{other_err}</p>
        </Show>
        <div class="field">
            <label for="env-name">"Name"</label>
            <input
                id="env-name"
                name="name"
                required
                maxlength=NAME_MAX
                autocomplete="off"
                autofocus=autofocus
                aria-invalid=move || name_err().is_some().to_string()
                aria-describedby="env-name-error"
                prop:value=move || state.name.get()
                on:input=move |ev| {
                    state.name.set(event_target_value(&ev));
                    state.touched.set(true);
                }
            />
            <p id="env-name-error" class="field-error" data-testid="name-error">{name_err}</p>
        </div>
        <div class="field">
            <label for="env-description">"Description"</label>
            <textarea
                id="env-description"
                name="description"
                rows="3"
                maxlength=DESCRIPTION_MAX
                aria-invalid=move || desc_err().is_some().to_string()
                aria-describedby="env-description-error"
                prop:value=move || state.description.get()
                on:input=move |ev| state.description.set(event_target_value(&ev))
            >
                {state.description.get_untracked()}
            </textarea>
            <p id="env-description-error" class="field-error">{desc_err}</p>
        </div>
        <div class="field">
            <label for="env-tags">"Tags"</label>
            <input
                id="env-tags"
                name="tags"
                autocomplete="off"
                placeholder="prod, us-east"
                aria-invalid=move || tags_err().is_some().to_string()
                aria-describedby="env-tags-help env-tags-error"
                prop:value=move || state.tags.get()
                on:input=move |ev| {
                    state.tags.set(event_target_value(&ev));
                    state.touched.set(true);
                }
            />
            <p id="env-tags-help" class="field-help">
                "Separated by commas or spaces; letters, digits, - _ . : (up to 20)"
            </p>
            <TagSuggestions tags=state.tags />
            <p id="env-tags-error" class="field-error">{tags_err}</p>
        </div>
    }
}

/// The organization's tags not yet in the field, each a button that adds it. Browser-only:
/// fetched once the form is interactive.
#[component]
fn TagSuggestions(tags: RwSignal<String>) -> impl IntoView {
    let mounted = RwSignal::new(false);
    Effect::new(move |_| mounted.set(true));
    // Created only in the browser: nothing for the server render (or a form without
    // JavaScript) to wait for.
    view! {
        <Show when=move || mounted.get()>
            <TagChips tags />
        </Show>
    }
}

#[component]
fn TagChips(tags: RwSignal<String>) -> impl IntoView {
    let known = LocalResource::new(|| async {
        crate::server_fns::environments::environment_tags()
            .await
            .unwrap_or_default()
    });
    let missing = move || {
        let have = split_tag_input(&tags.get());
        known
            .get()
            .unwrap_or_default()
            .into_iter()
            .filter(|t| !have.iter().any(|h| h.eq_ignore_ascii_case(t)))
            .take(20)
            .collect::<Vec<_>>()
    };
    view! {
        <Show when=move || !missing().is_empty()>
            <p class="tag-suggestions" data-testid="tag-suggestions">
                "In use: "
                {move || missing().into_iter().map(|t| {
                    let add = t.clone();
                    view! {
                        <button type="button" class="chip" aria-label=format!("Add tag {t}")
                            on:click=move |_| tags.update(|v| {
                                let sep = if v.trim().is_empty() { "" } else { ", " };
                                *v = format!("{}{sep}{add}", v.trim_end_matches([',', ' ']));
                            })>{t.clone()}</button>
                        " "
                    }
                }).collect_view()}
            </p>
        </Show>
    }
}

/// The submit button: before hydration it always submits (the server checks); after, it
/// refuses to send a form the shared rules already reject, and shows why.
#[component]
fn Submit(state: FormState, pending: Signal<bool>, label: &'static str) -> impl IntoView {
    view! {
        <div class="form-actions">
            <a class="btn" href="/environments">"Cancel"</a>
            <button
                type="submit"
                class="btn btn-primary"
                disabled=move || pending.get()
                on:click=move |ev| {
                    state.touched.set(true);
                    state.submitted_name.set(Some(state.name.get_untracked()));
                    if state.hydrated.get_untracked() && state.invalid() {
                        ev.prevent_default();
                        crate::components::form::focus_first_invalid();
                    }
                }
            >
                {move || if pending.get() { "Saving…" } else { label }}
            </button>
        </div>
    }
}

#[component]
pub fn NewEnvironmentPage() -> impl IntoView {
    let action = ServerAction::<CreateEnvironment>::new();
    let state = FormState::new(None);
    crate::components::form::focus_first_field();
    let toasts = use_toasts();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(env)) = action.value().get() {
            toasts.success(format!("Created environment '{}'", env.name));
            navigate(&format!("/environments/{}", env.id), Default::default());
        }
    });
    let server_error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    view! {
        <Title text="New environment" />
        <h1>"New environment"</h1>
        <ActionForm action=action>
            <div class="form-card">
                <Fields state server_error autofocus=true />
                <Submit state pending=action.pending().into() label="Create environment" />
            </div>
        </ActionForm>
    }
}

#[component]
pub fn EditEnvironmentPage() -> impl IntoView {
    let id = super::route_id();
    let env = Resource::new(id, |id| async move {
        match id {
            Some(id) => get_environment(id).await,
            None => Err(ApiError::not_found("environment")),
        }
    });
    view! {
        <Title text="Edit environment" />
        <h1>"Edit environment"</h1>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match env.await {
                    Ok(env) => view! { <EditForm env /> }.into_any(),
                    Err(e) => view! {
                        <p class="error-banner" role="alert">{e.error}</p>
                        <a href="/environments">"Back to environments"</a>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn EditForm(env: Environment) -> impl IntoView {
    let action = ServerAction::<UpdateEnvironment>::new();
    let state = FormState::new(Some(&env));
    let toasts = use_toasts();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(env)) = action.value().get() {
            toasts.success(format!("Saved environment '{}'", env.name));
            navigate(&format!("/environments/{}", env.id), Default::default());
        }
    });
    let server_error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    view! {
        <ActionForm action=action>
            <input type="hidden" name="id" value=env.id.to_string() />
            <div class="form-card">
                <Fields state server_error />
                <Submit state pending=action.pending().into() label="Save changes" />
            </div>
        </ActionForm>
    }
}
