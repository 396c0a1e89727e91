//! Starting Switchboard: connect and migrate, seed a fresh database, bind, serve until a signal.

use crate::state::AppState;
use std::net::SocketAddr;
use store::Store;
use tokio::net::TcpListener;

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
}

/// Runs Switchboard until SIGINT or SIGTERM.
pub async fn serve(config: ServeConfig) -> anyhow::Result<()> {
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
    if store.accounts().is_empty().await? {
        let generated = config.admin_password.is_none();
        let password = config
            .admin_password
            .clone()
            .unwrap_or_else(|| domain::password::random_token(16));
        if config.demo {
            store::seed::demo(&store, &config.admin_email, &password, demo_url.as_deref()).await?;
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
    println!("Switchboard listening on http://{addr}");
    match login {
        Some((password, generated)) => {
            println!(
                "Sign in at http://{addr}/app/login as {} with password {password}",
                config.admin_email
            );
            if generated {
                println!("(This password was generated for you and is shown only once.)");
            }
        }
        None => println!("Sign in at http://{addr}/app/login"),
    }
    if let (Some(listener), Some(url)) = (demo_listener, &demo_url) {
        println!("Demo dashboard app on {url}");
        let registration = demo_registration(&store, url, &format!("http://{addr}")).await?;
        tokio::spawn(async move {
            let router = crate::demo_app::router(registration);
            if let Err(error) = axum::serve(listener, router).await {
                tracing::error!(%error, "demo app server stopped");
            }
        });
    }

    let state = AppState::connected(store.clone()).await?;
    // Subscribed before the first request is served, so no event misses the webhook outbox.
    let webhooks = webhooks::Worker::spawn(store.clone(), &state.bus, webhooks::Config::default());
    axum::serve(listener, crate::app(state))
        .with_graceful_shutdown(shutdown_signal())
        .await?;
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
) -> anyhow::Result<Option<crate::demo_app::Registration>> {
    let account_id = domain::AccountId(1);
    let apps = match store.dashboard_apps().list(account_id).await {
        Ok(apps) => apps,
        Err(store::StoreError::NotFound) => return Ok(None),
        Err(other) => return Err(other.into()),
    };
    Ok(apps
        .into_iter()
        .find(|app| app.content.iter().any(|frame| frame.url == url))
        .map(|app| crate::demo_app::Registration {
            store: store.clone(),
            account_id,
            app_id: app.id,
            host_url: host_url.to_owned(),
        }))
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
