//! The sign-in page: a button for each identity provider, and the password form (unless it is
//! switched off). Plain links and a plain form: it works before the page has hydrated.

use super::encode;
use crate::server_fns::auth::{sign_in_options, SignIn};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use model::sso::{Refusal, SignInOptions};

#[component]
pub fn LoginPage() -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
    let options = OnceResource::new(sign_in_options());
    let query = use_query_map();
    let next = move || query.with(|q| q.get("next")).unwrap_or_default();
    // A sign-in through a provider that was refused comes back here saying why.
    let refused = move || {
        query
            .with(|q| q.get("sso_error"))
            .and_then(|c| Refusal::parse(&c))
            .map(Refusal::message)
    };
    let error = move || action.value().get().and_then(|r| r.err()).map(|e| e.error);
    let form = move || {
        view! {
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
        }
    };
    view! {
        <Title text="Sign in" />
        <main class="centered login">
            <h1 class="brand-large">"meshenv"</h1>
            {move || refused().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
            <Suspense fallback=form>
                {move || Suspend::new(async move {
                    let o = options.await.unwrap_or(SignInOptions {
                        providers: Vec::new(),
                        password: true,
                        break_glass: false,
                    });
                    let providers = o.providers.into_iter().map(|p| {
                        let next = next();
                        let href = if next.is_empty() {
                            format!("/auth/oidc/{}/start", p.name)
                        } else {
                            format!("/auth/oidc/{}/start?next={}", p.name, encode(&next))
                        };
                        let label = format!("Sign in with {}", p.label);
                        // rel=external: the router leaves it to the browser (a server route, then the provider).
                        view! { <a class="btn btn-primary sso" href=href rel="external">{label}</a> }
                    }).collect_view();
                    let password = if o.password {
                        Some(form().into_any())
                    } else if o.break_glass {
                        Some(view! { <details><summary>"Emergency sign-in with a password"</summary>{form()}</details> }.into_any())
                    } else {
                        None
                    };
                    view! { <div class="sso-providers">{providers}</div> {password} }
                })}
            </Suspense>
        </main>
    }
}
