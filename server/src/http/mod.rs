//! The HTTP surface: the REST API under /api, server functions under /fn, the server-rendered
//! pages everywhere else, and the middleware around all of them.

pub mod assets;
pub mod assignments;
pub mod client;
pub mod connections;
pub mod credentials;
pub mod environments;
pub mod error;
pub mod events;
pub mod extract;
pub mod health;
pub mod me;
pub mod observe;
pub mod openapi;
pub mod security;
pub mod server_fns;
pub mod sso;
pub mod teams;
pub mod users;
pub mod workspaces;

use axum::extract::{DefaultBodyLimit, FromRef};
use axum::http::{HeaderName, Request};
use axum::routing::get;
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use service::Service;
use std::sync::Arc;
use std::time::Duration;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

/// Largest request body accepted: room for batches of thousands of ids.
pub const BODY_LIMIT: usize = 4 * 1024 * 1024;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub service: Arc<Service>,
    pub leptos_options: LeptosOptions,
}

fn api_routes() -> Router<AppState> {
    use axum::routing::get as g;
    Router::new()
        .route(
            "/environments",
            g(environments::list).post(environments::create),
        )
        .route(
            "/environments/{id}",
            g(environments::get)
                .put(environments::update)
                .delete(environments::delete),
        )
        .route(
            "/environments/bulk",
            axum::routing::post(environments::bulk),
        )
        .route(
            "/environments/{id}/archive",
            axum::routing::post(environments::archive),
        )
        .route(
            "/environments/{id}/unarchive",
            axum::routing::post(environments::unarchive),
        )
        .route(
            "/environments/{id}/restore",
            axum::routing::post(environments::restore),
        )
        .route(
            "/environments/{id}/connections",
            g(assignments::list).patch(assignments::patch),
        )
        .route(
            "/environments/{id}/connections/transfer",
            axum::routing::post(assignments::transfer),
        )
        .route(
            "/environments/{id}/connections/{connection_id}",
            axum::routing::post(assignments::add).delete(assignments::remove),
        )
        .route(
            "/credentials",
            g(credentials::list).post(credentials::create),
        )
        .route(
            "/credentials/{id}",
            g(credentials::get)
                .put(credentials::update)
                .delete(credentials::delete),
        )
        .route(
            "/connections",
            g(connections::list).post(connections::create),
        )
        .route(
            "/connections/import/kubeconfig",
            axum::routing::post(connections::import_kubeconfig),
        )
        .route(
            "/connections/{id}",
            g(connections::get)
                .put(connections::update)
                .delete(connections::delete),
        )
        .route(
            "/connections/{id}/environments",
            g(connections::environments),
        )
        .route(
            "/connections/{id}/check",
            axum::routing::post(connections::check),
        )
        .route(
            "/connections/{id}/status",
            axum::routing::put(connections::set_status),
        )
        .route("/events", g(events::list))
        .route("/workspaces", g(workspaces::list).post(workspaces::create))
        .route(
            "/workspaces/{id}",
            g(workspaces::get)
                .put(workspaces::update)
                .delete(workspaces::delete),
        )
        .route(
            "/workspaces/{id}/environments",
            g(workspaces::environments).patch(workspaces::patch_environments),
        )
        .route(
            "/workspaces/{id}/environments/{environment_id}",
            axum::routing::post(workspaces::add_environment).delete(workspaces::remove_environment),
        )
        .route("/workspaces/{id}/connections", g(workspaces::connections))
        .route(
            "/workspaces/{id}/members",
            g(workspaces::members).post(workspaces::add_member),
        )
        .route(
            "/workspaces/{id}/members/{user_id}",
            axum::routing::put(workspaces::update_member).delete(workspaces::remove_member),
        )
        .route(
            "/workspaces/{id}/teams",
            g(teams::workspace_teams)
                .post(teams::add_workspace_team)
                .patch(teams::patch_workspace_teams),
        )
        .route(
            "/workspaces/{id}/teams/{team_id}",
            axum::routing::put(teams::update_workspace_team).delete(teams::remove_workspace_team),
        )
        .route("/teams", g(teams::list).post(teams::create))
        .route(
            "/teams/{id}",
            g(teams::get).put(teams::update).delete(teams::delete),
        )
        .route(
            "/teams/{id}/members",
            g(teams::members).post(teams::add_member),
        )
        .route(
            "/teams/{id}/members/{user_id}",
            axum::routing::delete(teams::remove_member),
        )
        .route("/users", g(users::list).post(users::create))
        .route(
            "/users/{id}",
            axum::routing::put(users::update).delete(users::delete),
        )
        .route(
            "/users/{id}/password",
            axum::routing::post(users::reset_password),
        )
        .route("/me", g(me::me))
        .route("/me/password", axum::routing::put(users::change_password))
        .route("/me/sessions", g(me::sessions).delete(me::end_all_sessions))
        .route("/me/sessions/{id}", axum::routing::delete(me::end_session))
        .route("/openapi.json", g(openapi::openapi_json))
        .fallback(error::api_not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
}

/// Only `/metrics`, for a separate listen address (`MESHENV_METRICS_LISTEN`).
pub fn metrics_router(service: Arc<Service>, leptos_options: LeptosOptions) -> Router {
    Router::new()
        .route("/metrics", get(observe::metrics))
        .with_state(AppState {
            service,
            leptos_options,
        })
}

/// The app's page routes, found once per process. Leptos finds them by running the whole app
/// with data loading switched off by a process-wide flag (`SuppressResourceLoad`), and any
/// page whose data starts loading in that window, in any server of the process, waits
/// forever: a second server built in a running process (tests, or two servers in one
/// process) stalled pages that way. Found once, before any server serves, there is no window.
fn page_routes() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> =
        std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(app::App)).clone()
}

pub fn router(service: Arc<Service>, leptos_options: LeptosOptions) -> Router {
    // The recorder must be in place before the first request: counted without one, requests
    // are lost (it used to be installed by the first scrape of /metrics).
    service::metrics::handle();
    let for_server_fns = service.clone();
    let proxies = Arc::new(service.http.trusted_proxies.clone());
    let state = AppState {
        service,
        leptos_options: leptos_options.clone(),
    };
    let routes = page_routes();
    let context = move || provide_context(for_server_fns.clone());
    // Pages also send their CSP, naming the nonce of their inline scripts.
    let page_context = {
        let context = context.clone();
        let reload_port = leptos_options.reload_port;
        move || {
            context();
            let nonce = leptos::nonce::use_nonce();
            if let (Some(n), Some(res)) = (nonce, use_context::<leptos_axum::ResponseOptions>()) {
                if let Ok(v) =
                    axum::http::HeaderValue::from_str(&security::csp(Some(&n), Some(reload_port)))
                {
                    res.insert_header(axum::http::header::CONTENT_SECURITY_POLICY, v);
                }
            }
        }
    };
    let request_id = HeaderName::from_static("x-request-id");

    let dynamic = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(observe::metrics))
        .route("/auth/oidc/{provider}/start", get(sso::start))
        .route("/auth/oidc/{provider}/callback", get(sso::callback))
        .nest("/api", api_routes())
        .leptos_routes_with_context(&state, routes, page_context.clone(), {
            let options = leptos_options.clone();
            move || app::shell(options.clone())
        })
        .route(
            "/fn/{*fn_name}",
            axum::routing::post({
                let context = context.clone();
                move |req| leptos_axum::handle_server_fns_with_context(context.clone(), req)
            })
            .get({
                let context = context.clone();
                move |req| leptos_axum::handle_server_fns_with_context(context.clone(), req)
            }),
        )
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(page_context, app::shell))
        .with_state(state)
        // Pages and API answers are compressed as they go; the assets never are (see `assets`).
        .layer(CompressionLayer::new());
    Router::new()
        .nest_service("/pkg", assets::router(&leptos_options))
        .merge(dynamic)
        .layer(axum::middleware::from_fn(server_fns::error_status))
        .layer(axum::middleware::from_fn(security::csrf))
        .layer(axum::middleware::from_fn(security::headers))
        .layer(axum::middleware::from_fn_with_state(
            proxies,
            client::client_info,
        ))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                let id = req
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                tracing::info_span!("request", id = %id, method = %req.method(), path = %req.uri().path())
            }),
        )
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .layer(axum::middleware::from_fn(observe::observe))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(60),
        ))
}
