// The views of the app nest deeply; without erase_components (release builds) their types
// need more than the default query depth.
#![recursion_limit = "512"]
use anyhow::Context;
use clap::Parser;
use model::user::Role;
use server::config::{
    Cli, Command, ImportCommand, RoleArg, SecretsCommand, Serve, TokenCommand, UserCommand,
};
use service::db::Db;
use service::secrets::{generate_key_hex, write_key_file, KeySource, Keyring};
use service::Service;
use std::sync::Arc;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("meshenv: {e:#}");
        std::process::exit(1);
    }
}

async fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_new(&cli.global.log).context("MESHENV_LOG")?)
        .with_writer(std::io::stderr)
        .init();
    let db = Db::connect_with(&cli.global.database_url, &cli.global.pool_settings()).await?;
    db.migrate().await?;
    let source = cli.global.key_source();
    let (keys, unsaved) = Keyring::load(&source)?;
    let key_id = keys.key_id().to_string();
    let health = cli.global.health_settings()?;
    let service = Arc::new(
        Service::new(db.clone(), keys)
            .with_health(health)
            .with_auth(cli.global.auth_settings())
            .with_http(cli.global.http_settings()?)
            .with_sso(cli.global.sso_settings()?)
            .with_audit_retention(cli.global.audit_retention.0),
    );
    service.verify_secrets().await?;
    if let (Some(hex), KeySource::File(path)) = (unsaved, &source) {
        write_key_file(path, &hex)?;
        eprintln!(
            "created a new secret key in {} (key id {key_id}); back it up: stored credentials cannot be read without it",
            path.display()
        );
    }
    match cli.command {
        None => serve(service, Serve::default()).await?,
        Some(Command::Serve(args)) => serve(service, args).await?,
        Some(Command::Migrate) => eprintln!("migrations applied"),
        Some(Command::User(UserCommand::Create {
            org,
            email,
            name,
            role,
            password,
        })) => {
            let name = name.unwrap_or_else(|| email.split('@').next().unwrap_or("").to_string());
            let role = match role {
                RoleArg::Admin => Role::Admin,
                RoleArg::Member => Role::Member,
            };
            let generated = password.is_none();
            let password = password.unwrap_or_else(service::generate_password);
            service
                .add_user(&org, &name, &email, role, &password, false)
                .await?;
            eprintln!(
                "created user '{name}' ({email}) as {} of '{org}'",
                role.as_str()
            );
            if generated {
                println!("{password}");
            }
        }
        Some(Command::Token(TokenCommand::Create { user, name })) => {
            println!("{}", service.create_token_for(&user, &name).await?);
        }
        Some(Command::Secrets(SecretsCommand::Rotate)) => rotate(&service, &source).await?,
        Some(Command::Demo { org }) => {
            let made = service.load_demo(&org).await?;
            eprintln!(
                "demo data in '{org}': {} environments, {} connections and {} workspaces created (what existed was kept)",
                made.environments, made.connections, made.workspaces
            );
        }
        Some(Command::Import(ImportCommand::Kubeconfig { file, org, user })) => {
            let yaml = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let (org_id, actor) = service.operator(&org, user.as_deref()).await?;
            let result = service
                .import_kubeconfig(&actor, Some(org_id), &yaml, false)
                .await
                .map_err(|e| anyhow::anyhow!(e.error))?;
            for c in &result.connections {
                let what = if c.created { "created" } else { "exists " };
                println!("{what} {} {}", c.id, c.name);
            }
        }
    }
    db.close().await;
    Ok(())
}

/// Re-encrypts every secret under a new key, then puts the new key where the next start finds it.
async fn rotate(service: &Service, source: &KeySource) -> anyhow::Result<()> {
    let hex = generate_key_hex();
    let new = Keyring::from_text(&hex)?;
    match source {
        KeySource::File(path) => {
            // The new key is on disk before the database changes, so no crash loses it.
            let next = path.with_extension("next");
            write_key_file(&next, &hex)?;
            let n = service.rotate_secrets(&new).await?;
            std::fs::copy(path, path.with_extension("old")).context("keeping the old key")?;
            std::fs::rename(&next, path).context("installing the new key")?;
            eprintln!(
                "re-encrypted {n} secret(s) under key {}; the old key is kept in {}",
                new.key_id(),
                path.with_extension("old").display()
            );
        }
        KeySource::Inline(_) => {
            let n = service.rotate_secrets(&new).await?;
            eprintln!(
                "re-encrypted {n} secret(s) under key {}; set MESHENV_SECRET_KEY to:",
                new.key_id()
            );
            println!("{hex}");
        }
    }
    Ok(())
}

async fn serve(service: Arc<Service>, args: Serve) -> anyhow::Result<()> {
    if let Some(first) = service
        .ensure_first_admin(args.admin_password.clone())
        .await?
    {
        match first.generated_password {
            Some(p) => eprintln!(
                "\n  Created organization 'default' and its admin.\n  Sign in as 'admin' with the one-time password: {p}\n  (shown once, and to be changed at first sign-in; set MESHENV_ADMIN_PASSWORD to choose it)\n"
            ),
            None => eprintln!("created organization 'default' and user 'admin' (password from MESHENV_ADMIN_PASSWORD)"),
        }
    }
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("listening on {}", args.listen))?;
    tracing::info!("meshenv listening on http://{}", listener.local_addr()?);
    let options = server::leptos_options(&args.site_root);
    if let Some(addr) = args.metrics_listen {
        let metrics = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("listening for /metrics on {addr}"))?;
        tracing::info!("metrics on http://{}/metrics", metrics.local_addr()?);
        let app = server::http::metrics_router(service.clone(), options.clone());
        tokio::spawn(async move {
            if let Err(e) = axum::serve(metrics, app.into_make_service()).await {
                tracing::error!(error = %e, "the metrics listener stopped");
            }
        });
    }
    server::serve(service, options, listener, shutdown_signal()).await?;
    tracing::info!("meshenv stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
