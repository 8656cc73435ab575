//! The web app: pages and components (rendered on the server, hydrated in the browser) and the
//! server functions they call. Wire types and their rules come from the `model` crate; under
//! `ssr` the server functions call the `service` crate directly.
#![recursion_limit = "512"]

pub mod components;
#[cfg(feature = "ssr")]
pub mod document;
pub mod helpers;
pub mod pages;
pub mod server_fns;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Title};
#[cfg(feature = "ssr")]
use leptos_meta::{HashedStylesheet, MetaTags};
use leptos_router::components::{ParentRoute, Redirect, Route, Router, Routes};
use leptos_router::{path, SsrMode};
use model::access::Op;

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
                <Route path=path!("/login") view=pages::login::LoginPage ssr=SsrMode::Async />
                <ParentRoute path=path!("") view=pages::layout::SignedIn ssr=SsrMode::Async>
                    <Route path=path!("") view=|| view! { <Redirect path="/environments" /> } ssr=SsrMode::Async />
                    <Route path=path!("environments") view=pages::environments::EnvironmentsPage ssr=SsrMode::Async />
                    <Route path=path!("environments/new") view=|| view! { <pages::AdminsOnly op=Op::ManageEnvironment why="Creating and editing environments is for your organization's admins. Ask one of them."><pages::environment_form::NewEnvironmentPage /></pages::AdminsOnly> } ssr=SsrMode::Async />
                    <Route path=path!("environments/:id") view=pages::environment_detail::EnvironmentDetailPage ssr=SsrMode::Async />
                    <Route path=path!("environments/:id/edit") view=|| view! { <pages::AdminsOnly op=Op::ManageEnvironment why="Creating and editing environments is for your organization's admins. Ask one of them."><pages::environment_form::EditEnvironmentPage /></pages::AdminsOnly> } ssr=SsrMode::Async />
                    <Route path=path!("connections") view=pages::connections::ConnectionsPage ssr=SsrMode::Async />
                    <Route path=path!("connections/new") view=|| view! { <pages::AdminsOnly op=Op::ManageConnection why="Adding and editing connections is for your organization's admins. Ask one of them."><pages::connection_form::NewConnectionPage /></pages::AdminsOnly> } ssr=SsrMode::Async />
                    <Route path=path!("connections/import") view=|| view! { <pages::AdminsOnly op=Op::ManageConnection why="Importing connections is for your organization's admins. Ask one of them."><pages::kubeconfig_import::KubeconfigImportPage /></pages::AdminsOnly> } ssr=SsrMode::Async />
                    <Route path=path!("connections/:id") view=pages::connection_detail::ConnectionDetailPage ssr=SsrMode::Async />
                    <Route path=path!("connections/:id/edit") view=|| view! { <pages::AdminsOnly op=Op::ManageConnection why="Adding and editing connections is for your organization's admins. Ask one of them."><pages::connection_form::EditConnectionPage /></pages::AdminsOnly> } ssr=SsrMode::Async />
                    <Route path=path!("credentials") view=pages::credentials::CredentialsPage ssr=SsrMode::Async />
                    <Route path=path!("credentials/new") view=|| view! { <pages::AdminsOnly op=Op::ManageCredential why="Adding and editing credentials is for your organization's admins. Ask one of them."><pages::credential_form::NewCredentialPage /></pages::AdminsOnly> } ssr=SsrMode::Async />
                    <Route path=path!("credentials/:id") view=pages::credential_detail::CredentialDetailPage ssr=SsrMode::Async />
                    <Route path=path!("credentials/:id/edit") view=|| view! { <pages::AdminsOnly op=Op::ManageCredential why="Adding and editing credentials is for your organization's admins. Ask one of them."><pages::credential_form::EditCredentialPage /></pages::AdminsOnly> } ssr=SsrMode::Async />
                    <Route path=path!("workspaces") view=pages::workspaces::WorkspacesPage ssr=SsrMode::Async />
                    <Route path=path!("workspaces/:id") view=pages::workspace_detail::WorkspaceDetailPage ssr=SsrMode::Async />
                    <Route path=path!("members") view=|| view! { <pages::AdminsOnly op=Op::ManageOrgMembers why="Only an organization's admins manage its members. Ask one of them to add someone or to change a role."><pages::members::MembersPage /></pages::AdminsOnly> } ssr=SsrMode::Async />
                    <Route path=path!("audit") view=pages::audit::AuditPage ssr=SsrMode::Async />
                    <Route path=path!("settings") view=pages::settings::SettingsPage ssr=SsrMode::Async />
                </ParentRoute>
            </Routes>
        </Router>
        <components::toast::ToastRegion />
    }
}
