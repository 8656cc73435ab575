//! The web app: pages and components (rendered on the server, hydrated in the browser) and the
//! server functions they call. Wire types and their rules come from the `model` crate; under
//! `ssr` the server functions call the `service` crate directly.
#![recursion_limit = "512"]

pub mod components;
#[cfg(feature = "ssr")]
pub mod document;
pub mod helpers;
pub mod pages;
pub mod routes;
pub mod server_fns;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Title};
#[cfg(feature = "ssr")]
use leptos_meta::{HashedStylesheet, MetaTags};
use leptos_router::components::{ParentRoute, Redirect, Route, Router, Routes};
use leptos_router::{path, SsrMode};

/// The HTML document around the app, rendered on the server.
#[cfg(feature = "ssr")]
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <link rel="icon" href="/favicon.ico" />
                <AutoReload options=options.clone() />
                // The stylesheet, in the page (see document.rs); linked when it cannot be read.
                {match document::stylesheet(&options) {
                    Some(css) => view! { <style id="leptos" inner_html=css></style> }.into_any(),
                    None => view! { <HashedStylesheet options=options.clone() id="leptos" /> }.into_any(),
                }}
                <document::HydrationScript options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    components::toast::provide_toasts();
    view! {
        <Title formatter=|t: String| if t.is_empty() { "meshenv".to_string() } else { format!("{t} · meshenv") } />
        <Router>
            <Routes fallback=pages::NotFound>
                <Route path=path!("/login") view=routes::Login::route() ssr=SsrMode::Async />
                <ParentRoute path=path!("") view=pages::layout::SignedIn ssr=SsrMode::Async>
                    <Route path=path!("") view=|| view! { <Redirect path="/environments" /> } ssr=SsrMode::Async />
                    <Route path=path!("environments") view=pages::environments::EnvironmentsPage ssr=SsrMode::Async />
                    <Route path=path!("environments/new") view=routes::NewEnvironment::route() ssr=SsrMode::Async />
                    <Route path=path!("environments/:id") view=routes::EnvironmentDetail::route() ssr=SsrMode::Async />
                    <Route path=path!("environments/:id/edit") view=routes::EditEnvironment::route() ssr=SsrMode::Async />
                    <Route path=path!("connections") view=routes::Connections::route() ssr=SsrMode::Async />
                    <Route path=path!("connections/new") view=routes::NewConnection::route() ssr=SsrMode::Async />
                    <Route path=path!("connections/import") view=routes::ImportConnections::route() ssr=SsrMode::Async />
                    <Route path=path!("connections/:id") view=routes::ConnectionDetail::route() ssr=SsrMode::Async />
                    <Route path=path!("connections/:id/edit") view=routes::EditConnection::route() ssr=SsrMode::Async />
                    <Route path=path!("credentials") view=routes::Credentials::route() ssr=SsrMode::Async />
                    <Route path=path!("credentials/new") view=routes::NewCredential::route() ssr=SsrMode::Async />
                    <Route path=path!("credentials/:id") view=routes::CredentialDetail::route() ssr=SsrMode::Async />
                    <Route path=path!("credentials/:id/edit") view=routes::EditCredential::route() ssr=SsrMode::Async />
                    <Route path=path!("workspaces") view=routes::Workspaces::route() ssr=SsrMode::Async />
                    <Route path=path!("workspaces/:id") view=routes::WorkspaceDetail::route() ssr=SsrMode::Async />
                    <Route path=path!("teams") view=routes::Teams::route() ssr=SsrMode::Async />
                    <Route path=path!("teams/:id") view=routes::TeamDetail::route() ssr=SsrMode::Async />
                    <Route path=path!("members") view=routes::Members::route() ssr=SsrMode::Async />
                    <Route path=path!("audit") view=routes::Audit::route() ssr=SsrMode::Async />
                    <Route path=path!("settings") view=routes::Settings::route() ssr=SsrMode::Async />
                </ParentRoute>
            </Routes>
        </Router>
        <components::toast::ToastRegion />
    }
}
