//! What every handler shares.

use realtime::{EventBus, Hub};
use std::sync::Arc;
use store::Store;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub bus: EventBus,
    /// Renders events once for every `/cable` socket.
    pub hub: Hub,
    /// The public URL and proxy trust the operator configured.
    pub config: Arc<crate::Config>,
    /// Where attachments' bytes live.
    pub files: files::Files,
    /// Seals and opens dashboard apps' secret settings (the operator's key; a random one until
    /// `with_secret_key`, so tests and tools never share one).
    pub secret_key: Arc<domain::sealed::SecretKey>,
    /// Sends dashboard apps' proxied requests, as `config.app_requests` allows.
    pub app_egress: egress::Egress,
    /// Sends them to `config.app_requests.local_service` (the bundled demo app's backend).
    pub app_local_egress: egress::Egress,
}

impl AppState {
    /// State with an in-process bus (one instance). Must run inside a Tokio runtime.
    pub fn new(store: Store) -> Self {
        let bus = EventBus::relaying(&store);
        Self::with_bus(store, bus)
    }

    /// State whose bus reaches every instance on the same PostgreSQL database.
    pub async fn connected(store: Store) -> Result<Self, store::StoreError> {
        let bus = EventBus::for_store(&store).await?;
        Ok(Self::with_bus(store, bus))
    }

    pub fn with_bus(store: Store, bus: EventBus) -> Self {
        let hub = Hub::spawn(store.clone(), &bus);
        // Until `with_files`: a private folder of its own (tests, tools), never shared, gone
        // with the state.
        let files = files::Files::scratch().expect("the temporary directory is writable");
        let config = crate::Config::default();
        Self {
            store,
            bus,
            hub,
            app_egress: crate::app_proxy::egress_for(&config.app_requests),
            app_local_egress: crate::app_proxy::local_egress_for(&config.app_requests),
            config: Arc::new(config),
            files,
            secret_key: Arc::new(domain::sealed::SecretKey::generate()),
        }
    }

    /// The same state storing attachments in `files`.
    pub fn with_files(mut self, files: files::Files) -> Self {
        self.files = files;
        self
    }

    /// The same state with the operator's configuration.
    pub fn with_config(mut self, config: crate::Config) -> Self {
        self.store.set_public_url(config.public_url());
        self.app_egress = crate::app_proxy::egress_for(&config.app_requests);
        self.app_local_egress = crate::app_proxy::local_egress_for(&config.app_requests);
        self.config = Arc::new(config);
        self
    }

    /// Which contacts are online (their visitor connected to this instance's `/cable`): what
    /// every rendering of a contact asks for its `availability_status`.
    pub fn presence(&self) -> &dyn domain::ContactPresence {
        &**self.hub.presence()
    }

    /// The same state sealing secrets with the operator's `key`.
    pub fn with_secret_key(mut self, key: domain::sealed::SecretKey) -> Self {
        self.secret_key = Arc::new(key);
        self
    }
}
