//! The sign-in page. A plain form: it works before the page has hydrated.

use crate::server_fns::auth::SignIn;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn LoginPage() -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
    let query = use_query_map();
    let next = move || query.with(|q| q.get("next")).unwrap_or_default();
    let error = move || action.value().get().and_then(|r| r.err()).map(|e| e.error);
    view! {
        <Title text="Sign in" />
        <main class="centered login">
            <h1 class="brand-large">"meshenv"</h1>
            <ActionForm action=action>
                <input type="hidden" name="next" value=next />
                <label for="login">"User name or email"</label>
                <input id="login" name="login" autocomplete="username" required autofocus />
                <label for="password">"Password"</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required />
                <Show when=move || error().is_some()>
                    <p class="field-error" role="alert">{error}</p>
                </Show>
                <button type="submit" class="btn btn-primary" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Signing in…" } else { "Sign in" }}
                </button>
            </ActionForm>
        </main>
    }
}
