//! The frame of every signed-in page: navigation, the user, sign-out. Visitors are sent to the
//! sign-in page.

use super::encode;
use crate::server_fns::auth::{get_me, SignOut};
use leptos::prelude::*;
use leptos_router::components::{Outlet, Redirect, A};
use leptos_router::hooks::use_location;
use model::user::Me;

#[component]
pub fn SignedIn() -> impl IntoView {
    let me = Resource::new(|| (), |_| get_me());
    let location = use_location();
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(Some(me)) => {
                        provide_context(me.clone());
                        view! { <Frame me /> }.into_any()
                    }
                    Ok(None) => {
                        let here = format!(
                            "{}{}",
                            location.pathname.get_untracked(),
                            location.search.get_untracked().chars().next().map(|_| format!("?{}", location.search.get_untracked())).unwrap_or_default()
                        );
                        view! { <Redirect path=format!("/login?next={}", encode(&here)) /> }.into_any()
                    }
                    Err(e) => view! {
                        <main class="centered"><p class="error-banner">{e.error}</p></main>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Frame(me: Me) -> impl IntoView {
    let sign_out = ServerAction::<SignOut>::new();
    // Only organization admins manage its members: no link they cannot use. (Everyone reads
    // the audit log: members see their workspaces' part of it.)
    let is_admin = me
        .organizations
        .iter()
        .any(|o| o.role == model::user::Role::Admin);
    let must_change = me.must_change_password;
    let org = me
        .organizations
        .first()
        .map(|o| format!("{} · {}", o.name, o.role.as_str()))
        .unwrap_or_default();
    view! {
        <a class="skip-link" href="#content">"Skip to content"</a>
        <header class="topbar">
            <a class="brand" href="/environments">"meshenv"</a>
            <nav aria-label="Main">
                <A href="/environments">"Environments"</A>
                <A href="/connections">"Connections"</A>
                <A href="/credentials">"Credentials"</A>
                <A href="/workspaces">"Workspaces"</A>
                <A href="/audit">"Audit"</A>
                {is_admin.then(|| view! { <A href="/members">"Members"</A> })}
                <A href="/settings">"Settings"</A>
            </nav>
            <div class="who">
                <span class="who-name" data-testid="current-user">{me.name.clone()}</span>
                <span class="who-org">{org}</span>
                <ActionForm action=sign_out>
                    <button type="submit" class="btn btn-quiet">"Sign out"</button>
                </ActionForm>
            </div>
        </header>
        <main id="content" class="content">
            {must_change.then(|| view! { <MustChange /> })}
            <Outlet />
        </main>
    }
}

/// Someone on a one-time password is sent to the settings page until they change it.
#[component]
fn MustChange() -> impl IntoView {
    let location = use_location();
    move || {
        (location.pathname.get() != "/settings").then(|| view! { <Redirect path="/settings" /> })
    }
}
