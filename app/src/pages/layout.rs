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
    // Teams are seen by organization admins and by workspace admins (who give them workspaces).
    let sees_teams = me.organizations.iter().any(|o| {
        me.standing_in_org(o.id)
            .is_some_and(|s| s.allows(model::access::Op::ViewTeams))
    });
    // Changing the one-time password clears this (Settings), and the person goes on at once.
    let must_change = RwSignal::new(me.must_change_password);
    provide_context(MustChangePassword(must_change));
    let org = me
        .organizations
        .first()
        .map(|o| format!("{} · {}", o.name, o.role.as_str()))
        .unwrap_or_default();
    // On narrow screens the navigation sits behind a menu button; following a link closes it.
    let menu_open = RwSignal::new(false);
    view! {
        <a class="skip-link" href="#content">"Skip to content"</a>
        <header class="topbar">
            <a class="brand" href="/environments">"meshenv"</a>
            <button type="button" class="btn btn-quiet menu-toggle" aria-controls="main-menu"
                aria-expanded=move || menu_open.get().to_string()
                on:click=move |_| menu_open.update(|o| *o = !*o)>"Menu"</button>
            <div id="main-menu" class="topbar-menu" class:open=move || menu_open.get()>
            <nav aria-label="Main" on:click=move |_| menu_open.set(false)>
                <A href="/environments">"Environments"</A>
                <A href="/connections">"Connections"</A>
                <A href="/credentials">"Credentials"</A>
                <A href="/workspaces">"Workspaces"</A>
                {sees_teams.then(|| view! { <A href="/teams">"Teams"</A> })}
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
            </div>
        </header>
        <main id="content" class="content">
            {move || must_change.get().then(|| view! { <MustChange /> })}
            <Outlet />
        </main>
    }
}

/// Whether the signed-in person still has to replace a one-time password.
#[derive(Clone, Copy)]
pub struct MustChangePassword(pub RwSignal<bool>);

/// Someone on a one-time password is sent to the settings page until they change it.
#[component]
fn MustChange() -> impl IntoView {
    let location = use_location();
    move || {
        (location.pathname.get() != "/settings").then(|| view! { <Redirect path="/settings" /> })
    }
}
