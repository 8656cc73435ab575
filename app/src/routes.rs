//! The pages that are not usually the first one opened, in chunks of code loaded when one of
//! their pages is first visited (when built with `cargo leptos build --split`): the other
//! lists, the pages of one object, the forms, and the sign-in page (visitors only). The
//! environments list and the frame of every page are in the main module: they are where
//! signed-in people arrive.
//!
//! A few chunks, not one per page: the splitter puts the code shared by each combination of
//! split points in a file of its own, and one split point per page made an environments list
//! need 233 files (and the main module alone was over the first load's budget).
//!
//! A page starts its data loading when it renders (resources in its component): opened by a
//! link, a page's chunk and then its data are fetched. On the first load the data comes with the
//! server-rendered page, and the page's head preloads the chunks (`document::preload_chunks`).

use crate::pages;
use leptos::prelude::*;
use leptos_router::{Lazy, LazyRoute};
use model::access::Op;

/// A group of pages whose code is one lazily loaded chunk: an enum naming them, the lazy
/// function rendering any of them (the split point), and a route type for each.
macro_rules! page_group {
    ($(#[$doc:meta])* $group:ident, $preload:ident, $pages:ident { $($route:ident => $view:expr,)* }) => {
        /// The pages of one chunk.
        #[derive(Clone, Copy)]
        pub enum $pages {
            $($route,)*
        }

        $(#[$doc])*
        #[leptos::lazy]
        fn $group(page: $pages) -> AnyView {
            #[cfg(feature = "ssr")]
            crate::document::preload_chunks(stringify!($group));
            match page {
                $($pages::$route => ($view).into_any(),)*
            }
        }

        $(
            pub struct $route;

            impl $route {
                /// The route's view, for `<Route view=…>`.
                pub fn route() -> Lazy<$route> {
                    Lazy::new()
                }
            }

            impl LazyRoute for $route {
                fn data() -> Self {
                    $route
                }

                async fn view(_this: Self) -> AnyView {
                    $group($pages::$route).await
                }

                // The router awaits this before it hydrates or shows the page: the page must
                // be rendered from loaded code, or hydration finds a placeholder where the
                // server rendered the page. (`#[lazy]` names the loader `__preload_<fn>`.)
                async fn preload() {
                    #[cfg(feature = "hydrate")]
                    $preload().await;
                }
            }
        )*
    };
}

/// Why a form is not for someone, said once for each kind of object whose forms it guards.
const WHY_ENVIRONMENTS: &str =
    "Creating and editing environments is for your organization's admins. Ask one of them.";
const WHY_CONNECTIONS: &str =
    "Adding and editing connections is for your organization's admins. Ask one of them.";
const WHY_CREDENTIALS: &str =
    "Adding and editing credentials is for your organization's admins. Ask one of them.";

/// A form page for the roles allowed `op` only (see [`pages::AdminsOnly`]).
macro_rules! admins_only {
    ($op:expr, $why:expr, $page:path) => {
        view! { <pages::AdminsOnly op=$op why=$why><$page /></pages::AdminsOnly> }
    };
}

page_group!(
    /// The lists other than the environments, and the organization's pages.
    lists, __preload_lists, ListPage {
        Connections => view! { <pages::connections::ConnectionsPage /> },
        Credentials => view! { <pages::credentials::CredentialsPage /> },
        Workspaces => view! { <pages::workspaces::WorkspacesPage /> },
        Teams => view! { <pages::teams::TeamsPage /> },
        Members => admins_only!(
            Op::ManageOrgMembers,
            "Only an organization's admins manage its members. Ask one of them to add someone or to change a role.",
            pages::members::MembersPage
        ),
        Audit => view! { <pages::audit::AuditPage /> },
        Settings => view! { <pages::settings::SettingsPage /> },
    }
);

page_group!(
    /// The sign-in page: visitors only, so its code (the password form, the identity
    /// providers' buttons) stays out of the main module every signed-in page loads.
    signin, __preload_signin, SignInPage {
        Login => view! { <pages::login::LoginPage /> },
    }
);

page_group!(
    /// The pages of one object (with the transfer lists).
    details, __preload_details, DetailPage {
        EnvironmentDetail => view! { <pages::environment_detail::EnvironmentDetailPage /> },
        WorkspaceDetail => view! { <pages::workspace_detail::WorkspaceDetailPage /> },
        TeamDetail => view! { <pages::team_detail::TeamDetailPage /> },
        ConnectionDetail => view! { <pages::connection_detail::ConnectionDetailPage /> },
        CredentialDetail => view! { <pages::credential_detail::CredentialDetailPage /> },
    }
);

page_group!(
    /// The forms that create and edit.
    forms, __preload_forms, FormPage {
        NewEnvironment => admins_only!(
            Op::ManageEnvironment,
            WHY_ENVIRONMENTS,
            pages::environment_form::NewEnvironmentPage
        ),
        EditEnvironment => admins_only!(
            Op::ManageEnvironment,
            WHY_ENVIRONMENTS,
            pages::environment_form::EditEnvironmentPage
        ),
        NewConnection => admins_only!(
            Op::ManageConnection,
            WHY_CONNECTIONS,
            pages::connection_form::NewConnectionPage
        ),
        ImportConnections => admins_only!(
            Op::ManageConnection,
            "Importing connections is for your organization's admins. Ask one of them.",
            pages::kubeconfig_import::KubeconfigImportPage
        ),
        EditConnection => admins_only!(
            Op::ManageConnection,
            WHY_CONNECTIONS,
            pages::connection_form::EditConnectionPage
        ),
        NewCredential => admins_only!(
            Op::ManageCredential,
            WHY_CREDENTIALS,
            pages::credential_form::NewCredentialPage
        ),
        EditCredential => admins_only!(
            Op::ManageCredential,
            WHY_CREDENTIALS,
            pages::credential_form::EditCredentialPage
        ),
    }
);
