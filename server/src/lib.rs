//! meshenv's server: configuration, the HTTP surface (REST handlers, server functions' routes,
//! security headers, metrics) and background jobs, over the `service` crate.
// The views of the app nest deeply; without erase_components (release builds) their types
// need more than the default query depth.
#![recursion_limit = "512"]

pub mod config;
pub mod http;
pub mod jobs;

use leptos::config::LeptosOptions;
use service::Service;
use std::future::Future;
use std::sync::Arc;

/// The Leptos options. Under cargo-leptos (watch, serve) its environment supplies extras such as
/// the reload port; the site folder is always ours.
pub fn leptos_options(site_root: &str) -> LeptosOptions {
    let mut options = leptos::config::get_configuration(None)
        .map(|c| c.leptos_options)
        .unwrap_or_else(|_| LeptosOptions::builder().output_name("meshenv").build());
    options.output_name = "meshenv".into();
    options.site_root = site_root.into();
    options.site_pkg_dir = "pkg".into();
    // A release build names its assets by content and says so in hash.txt beside the binary;
    // the pages then link those names and the assets are cached for good.
    options.hash_files = http::assets::hashed(&options);
    options
}

/// Serves until `shutdown` resolves, then finishes the requests in flight.
pub async fn serve(
    service: Arc<Service>,
    options: LeptosOptions,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let jobs = tokio::spawn(jobs::run(service.clone()));
    service::warm_up_passwords().await;
    let app = http::router(service, options);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await?;
    jobs.abort();
    Ok(())
}
