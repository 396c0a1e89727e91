//! Starting Switchboard: connect and migrate, seed a fresh database, bind, serve until a signal.

use crate::state::AppState;
use axum::extract::ConnectInfo;
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use store::Store;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower::Layer;

#[derive(Debug, Clone)]
pub struct ServeConfig {
    pub addr: String,
    pub database_url: String,
    /// Seed demo data into an empty database and serve the demo app.
    pub demo: bool,
    pub demo_app_addr: String,
    pub admin_email: String,
    /// `None`: a random password is generated and printed once.
    pub admin_password: Option<String>,
    /// Let outgoing requests (webhooks) reach loopback and private addresses
    /// (`SWITCHBOARD_EGRESS_ALLOW_PRIVATE=1`), for receivers on the operator's own network.
    pub egress_allow_private: bool,
    /// `SWITCHBOARD_PUBLIC_URL`; `None`: `http://` and the bound address.
    pub public_url: Option<String>,
    /// `SWITCHBOARD_TRUST_PROXY`: believe one reverse proxy's forwarded headers.
    pub trust_proxy: bool,
    /// `SWITCHBOARD_FILES_URL`; `None`: a `files` folder beside the SQLite database.
    pub files_url: Option<String>,
    /// `SWITCHBOARD_ATTACHMENT_MAX_BYTES`: the largest file a message may carry.
    pub attachment_max_bytes: u64,
    /// `SWITCHBOARD_APP_TOKEN_LIFETIME`: seconds a dashboard-app context token is valid.
    pub app_token_lifetime: i64,
    /// `SWITCHBOARD_SECRET_KEY`: seals apps' secret settings; `None`: a key kept in the data
    /// directory (`secret.key`, made on first start).
    pub secret_key: Option<String>,
    /// `SWITCHBOARD_APP_REQUESTS_ALLOW_HTTP`: apps' proxied requests may use plain http.
    pub app_requests_allow_http: bool,
    /// `SWITCHBOARD_WEBHOOK_LEASE`: how long a claimed webhook delivery is held (see
    /// `webhooks::Config::lease`).
    pub webhook_lease: std::time::Duration,
}

/// Where attachments go: the configured URL, else `files/` in the data directory, so `cargo
/// run` needs nothing more.
fn file_store(config: &ServeConfig) -> anyhow::Result<files::Files> {
    if let Some(url) = &config.files_url {
        return Ok(files::Files::from_url(url)?);
    }
    Ok(files::Files::local(&data_dir(config).join("files"))?)
}

/// The data directory: the folder of an SQLite database, else `data` (PostgreSQL, or an
/// in-memory database). Attachments' `files/` and the secret key's `secret.key` live there.
fn data_dir(config: &ServeConfig) -> std::path::PathBuf {
    config
        .database_url
        .strip_prefix("sqlite://")
        .or_else(|| config.database_url.strip_prefix("sqlite:"))
        .map(|path| path.split('?').next().unwrap_or(path))
        .filter(|path| !path.is_empty() && !path.starts_with(":memory:"))
        .and_then(|path| {
            std::path::Path::new(path)
                .parent()
                .map(|dir| dir.to_path_buf())
        })
        .unwrap_or_else(|| std::path::PathBuf::from("data"))
}

/// Runs Switchboard until SIGINT or SIGTERM.
pub async fn serve(config: ServeConfig) -> anyhow::Result<()> {
    // A bad public URL stops the start before anything is touched.
    if let Some(url) = &config.public_url {
        crate::Config::new(url, config.trust_proxy)?;
    }
    let file_store = file_store(&config)?;
    let secret_key = crate::secret_key::load(config.secret_key.as_deref(), &data_dir(&config))?;
    let store = Store::connect(&config.database_url).await?;
    store.migrate().await?;

    let demo_listener = if config.demo {
        Some(TcpListener::bind(&config.demo_app_addr).await?)
    } else {
        None
    };
    let demo_url = demo_listener
        .as_ref()
        .map(|l| l.local_addr().map(|a| format!("http://{a}/")))
        .transpose()?;

    let mut login = None;
    let mut agent_logins = Vec::new();
    if store.accounts().is_empty().await? {
        let generated = config.admin_password.is_none();
        let password = config
            .admin_password
            .clone()
            .unwrap_or_else(|| domain::password::random_token(16));
        if config.demo {
            let demo =
                store::seed::demo(&store, &config.admin_email, &password, demo_url.as_deref())
                    .await?;
            agent_logins = demo.agent_logins;
        } else {
            let account = store.accounts().create("My Company").await?;
            let membership = Some((account.id, domain::Role::Administrator));
            store
                .users()
                .create("Administrator", &config.admin_email, &password, membership)
                .await?;
        }
        login = Some((password, generated));
    }

    let listener = TcpListener::bind(&config.addr).await?;
    let addr: SocketAddr = listener.local_addr()?;
    let mut site = crate::Config::new(
        config
            .public_url
            .as_deref()
            .unwrap_or(&format!("http://{addr}")),
        config.trust_proxy,
    )?;
    site.app_token_lifetime = config.app_token_lifetime;
    site.app_requests.allow_http = config.app_requests_allow_http;
    site.app_requests.allow_private = config.egress_allow_private;
    // The bundled demo app's backend, which the demo app calls through the request proxy.
    site.app_requests.local_service = demo_listener
        .as_ref()
        .map(TcpListener::local_addr)
        .transpose()?;
    let public_url = site.public_url().to_owned();
    println!("Switchboard listening on http://{addr}");
    match login {
        Some((password, generated)) => {
            println!(
                "Sign in at {public_url}/app/login as {} with password {password}",
                config.admin_email
            );
            for (email, password) in &agent_logins {
                println!("Demo agent {email} signs in with password {password}");
            }
            if generated || !agent_logins.is_empty() {
                println!("(Generated passwords are shown only this once.)");
            }
        }
        None => println!("Sign in at {public_url}/app/login"),
    }
    if let (Some(listener), Some(url)) = (demo_listener, &demo_url) {
        println!("Demo dashboard app on {url}");
        println!(
            "Website widget demo (a shop page embedding the Website inbox) on {url}widget-demo"
        );
        let registration =
            demo_registration(&store, url, &public_url, Arc::new(secret_key.clone())).await?;
        tokio::spawn(async move {
            let router = crate::demo_app::router(registration);
            if let Err(error) = serve_http(listener, router, std::future::pending()).await {
                tracing::error!(%error, "demo app server stopped");
            }
        });
    }

    site.uploads.max_file_bytes = config.attachment_max_bytes;
    site.uploads.max_total_bytes = site
        .uploads
        .max_total_bytes
        .max(config.attachment_max_bytes);
    tracing::info!(files = ?file_store, "attachments storage");
    let state = AppState::connected(store.clone())
        .await?
        .with_config(site)
        .with_files(file_store.clone())
        .with_secret_key(secret_key);
    let sweep = crate::files::spawn_sweep(store.clone(), file_store, crate::files::SWEEP_EVERY);
    let webhook_config = webhooks::Config {
        egress: egress::Policy {
            allow_private: config.egress_allow_private,
        },
        presence: state.hub.presence().clone(),
        lease: config.webhook_lease,
        ..webhooks::Config::default()
    };
    let webhooks = webhooks::Worker::spawn(store.clone(), &state.bus, webhook_config);
    let snoozes = crate::snoozes::SnoozeSweeper::spawn(store.clone(), crate::snoozes::SWEEP_EVERY);
    let pruning = crate::throttle::spawn_pruning(store.clone(), crate::throttle::PRUNE_EVERY);
    let log_pruning = crate::event_log::spawn_pruning(
        store.clone(),
        crate::event_log::Retention::from_env(),
        crate::event_log::PRUNE_EVERY,
    );
    serve_http(listener, crate::app(state), shutdown_signal()).await?;
    pruning.abort();
    sweep.abort();
    log_pruning.abort();
    snoozes.stop();
    webhooks.stop().await;
    store.close().await;
    Ok(())
}

/// The demo app as the demo account registered it (its frame URL is the demo listener's), so
/// its backend can verify context tokens with that app's secret, and its page can import the
/// SDK from `host_url` (this Switchboard).
async fn demo_registration(
    store: &Store,
    url: &str,
    host_url: &str,
    secret_key: Arc<domain::sealed::SecretKey>,
) -> anyhow::Result<Option<crate::demo_app::Registration>> {
    let account_id = domain::AccountId(1);
    let apps = match store.dashboard_apps().list(account_id).await {
        Ok(apps) => apps,
        Err(store::StoreError::NotFound) => return Ok(None),
        Err(other) => return Err(other.into()),
    };
    let Some(app) = apps
        .into_iter()
        .find(|app| app.content.iter().any(|frame| frame.url == url))
    else {
        return Ok(None);
    };
    crate::demo_app::loyalty::ensure_key(store, &app, &secret_key).await?;
    Ok(Some(crate::demo_app::Registration {
        store: store.clone(),
        account_id,
        app_id: app.id,
        host_url: host_url.to_owned(),
        secret_key,
    }))
}

/// How long a client may take to send a request's headers, and how long a kept-alive
/// connection may wait for its next request, before the connection is closed.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// How long, after a shutdown signal, requests in flight may take to finish.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(30);

/// Serves `router` over HTTP/1.1 (with upgrades, for `/cable`) on `listener` until `shutdown`
/// resolves, then lets requests in flight finish for up to [`DRAIN_TIMEOUT`].
///
/// Not `axum::serve`: it gives hyper no timer, and hyper enforces its header read timeout only
/// with one, so a client that opens connections and never completes a request (slowloris), or
/// leaves kept-alive connections idle, would hold each one forever. Handlers are bounded by the
/// router's own `TimeoutLayer`; this bounds the time around them.
pub async fn serve_http(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    // Connections watch `signal` to stop gracefully, and hold `open` while they run.
    let (signal_tx, signal_rx) = watch::channel(());
    let (open_tx, open_rx) = watch::channel(());
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                // Out of file descriptors, say: wait rather than spin.
                Err(error) => {
                    tracing::warn!(%error, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        // The peer's address, for `ClientAddr` (the throttles' key).
        let service =
            TowerToHyperService::new(axum::Extension(ConnectInfo(peer)).layer(router.clone()));
        let (mut signal, open) = (signal_rx.clone(), open_rx.clone());
        tokio::spawn(async move {
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_READ_TIMEOUT)
                .serve_connection(TokioIo::new(stream), service)
                .with_upgrades();
            tokio::pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => {}
                _ = signal.changed() => {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
            drop(open);
        });
    }
    drop(listener);
    drop(open_rx);
    let _ = signal_tx.send(());
    let _ = tokio::time::timeout(DRAIN_TIMEOUT, open_tx.closed()).await;
    Ok(())
}

async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
