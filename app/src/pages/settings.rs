//! Settings: the user's password, sessions and personal API tokens. A new token's secret is
//! shown once, right after it is created; afterwards only its first characters are.

use crate::components::confirm::ConfirmDialog;
use crate::components::delete_flow::DeleteFlow;
use crate::components::secret_once::SecretOnce;
use crate::pages::layout::MustChangePassword;
use crate::server_fns::tokens::{list_tokens, revoke_token, CreateToken};
use crate::server_fns::users::ChangePassword;
use leptos::prelude::*;
use leptos_meta::Title;
use model::user::ApiToken;
use uuid::Uuid;

#[component]
pub fn SettingsPage() -> impl IntoView {
    let create = ServerAction::<CreateToken>::new();
    let reload = RwSignal::new(0u32);
    let must_change = use_context::<MustChangePassword>()
        .map(|m| m.0)
        .unwrap_or_else(|| RwSignal::new(false));
    let tokens = Resource::new(
        move || (create.version().get(), reload.get(), must_change.get()),
        |_| list_tokens(),
    );
    let revoking = DeleteFlow::new("Revoked token", "revoke", reload, revoke_token);
    // A new token's secret stays until dismissed (or the token is revoked); the form clears.
    let shown = RwSignal::new(None::<model::user::CreatedToken>);
    let token_form = NodeRef::<leptos::html::Form>::new();
    Effect::new(move |_| {
        if let Some(Ok(c)) = create.value().get() {
            shown.set(Some(c));
            if let Some(form) = token_form.get_untracked() {
                form.reset();
            }
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(list)) = tokens.get() {
            let gone = shown.with_untracked(|s| {
                s.as_ref()
                    .is_some_and(|c| !list.iter().any(|t| t.id == c.token.id))
            });
            if gone {
                shown.set(None);
            }
        }
    });
    let error = move || create.value().get().and_then(|r| r.err()).map(|e| e.error);

    let password = ServerAction::<ChangePassword>::new();
    let password_form = NodeRef::<leptos::html::Form>::new();
    let toasts = crate::components::toast::use_toasts();
    Effect::new(move |_| {
        if let Some(Ok(_)) = password.value().get() {
            must_change.set(false);
            toasts.success("Password changed. Your other sessions were signed out.");
            if let Some(form) = password_form.get_untracked() {
                form.reset();
            }
        }
    });
    let password_error = move |field: &'static str| {
        move || {
            password
                .value()
                .get()
                .and_then(|r| r.err())
                .and_then(|e| e.for_field(field))
        }
    };

    view! {
        <Title text="Settings" />
        <h1>"Settings"</h1>
        <section class="form-card">
            <h2>"Password"</h2>
            {move || must_change.get().then(|| view! {
                <p class="error-banner" role="alert">"You signed in with a one-time password: choose your own to continue."</p>
            })}
            <ActionForm action=password node_ref=password_form>
                <div class="field">
                    <label for="current-password">"Current password"</label>
                    <input id="current-password" name="current_password" type="password" required autocomplete="current-password" />
                    <p class="field-error" role="alert">{password_error("current_password")}</p>
                </div>
                <div class="field">
                    <label for="new-password">"New password"</label>
                    <input id="new-password" name="new_password" type="password" required minlength="8" autocomplete="new-password" />
                    <p class="field-error" role="alert">{password_error("new_password")}</p>
                </div>
                <button type="submit" class="btn btn-primary" disabled=move || password.pending().get()>
                    {move || if password.pending().get() { "Saving…" } else { "Change password" }}
                </button>
            </ActionForm>
        </section>
        <super::sessions::SessionsSection />
        <section class="form-card">
            <h2>"API tokens"</h2>
            <p class="field-help">
                "Scripts and CI send a token as " <code>"Authorization: Bearer <token>"</code>
                ". A token acts as you, with your permissions."
            </p>
            <Show when=move || must_change.get()>
                <p class="field-help" data-testid="tokens-after-password">"Choose your own password above first; then you can create tokens."</p>
            </Show>
            <Show when=move || !must_change.get()>
            <ActionForm action=create node_ref=token_form>
                <div class="inline-form">
                    <label for="token-name">"Token name"</label>
                    <input id="token-name" name="name" required maxlength="100" placeholder="ci-deploy" />
                    <label for="token-expiry">"Expires"</label>
                    <select id="token-expiry" name="expires_in_days">
                        <option value="">"never"</option>
                        <option value="7">"in 7 days"</option>
                        <option value="30">"in 30 days"</option>
                        <option value="90" selected>"in 90 days"</option>
                        <option value="365">"in a year"</option>
                    </select>
                    <button type="submit" class="btn btn-primary" disabled=move || create.pending().get()>
                        {move || if create.pending().get() { "Creating…" } else { "Create token" }}
                    </button>
                </div>
                <p class="field-error" role="alert">{error}</p>
            </ActionForm>
            {move || shown.get().map(|c| view! {
                <SecretOnce message="Copy this token now: it will not be shown again." secret=c.secret
                    testid="new-token" on_dismiss=Callback::new(move |_| shown.set(None)) />
            })}
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match tokens.await {
                        Ok(list) if list.is_empty() => view! { <p class="empty-state">"No tokens yet."</p> }.into_any(),
                        Ok(list) => view! {
                            <TokenTable list on_revoke=move |id, name| revoking.ask(id, name) />
                        }.into_any(),
                        Err(e) => view! { <p class="error-banner">{e.error}</p> }.into_any(),
                    }
                })}
            </Transition>
            </Show>
        </section>
        <ConfirmDialog
            open=revoking.open
            title=revoking.title("Revoke")
            message=Signal::derive(|| "Scripts using this token stop working at once.".to_string())
            confirm_label="Revoke token"
            on_confirm=revoking.confirmed
        />
    }
}

#[component]
fn TokenTable<F>(list: Vec<ApiToken>, on_revoke: F) -> impl IntoView
where
    F: Fn(Uuid, String) + Copy + Send + Sync + 'static,
{
    let fmt = crate::helpers::format::when;
    let rows = list
        .into_iter()
        .map(|t| {
            let (id, name) = (t.id, t.name.clone());
            view! {
                <tr data-testid="token-row">
                    <td>{t.name.clone()}</td>
                    <td><code>{format!("{}…", t.prefix)}</code></td>
                    <td>{fmt(&t.created_at)}</td>
                    <td>{t.last_used_at.as_ref().map(fmt).unwrap_or_else(|| "never".into())}</td>
                    <td>{match t.expires_at.as_ref() {
                        None => "never".to_string(),
                        Some(e) if *e <= chrono::Utc::now() => format!("expired {}", fmt(e)),
                        Some(e) => fmt(e),
                    }}</td>
                    <td>
                        <button type="button" class="btn btn-small btn-danger-quiet" on:click=move |_| on_revoke(id, name.clone())>
                            "Revoke"
                        </button>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap"><table class="data">
            <thead>
                <tr>
                    <th scope="col">"Name"</th>
                    <th scope="col">"Token"</th>
                    <th scope="col">"Created"</th>
                    <th scope="col">"Last used"</th>
                    <th scope="col">"Expires"</th>
                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table></div>
    }
}
