//! What every handler shares.

use realtime::{EventBus, Hub};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use store::Store;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub bus: EventBus,
    /// Renders events once for every `/cable` socket.
    pub hub: Hub,
    pub sign_in_limiter: Arc<SignInLimiter>,
    /// The public URL and proxy trust the operator configured.
    pub config: Arc<crate::Config>,
}

impl AppState {
    /// State with an in-process bus (one instance). Must run inside a Tokio runtime.
    pub fn new(store: Store) -> Self {
        Self::with_bus(store, EventBus::new())
    }

    /// State whose bus reaches every instance on the same PostgreSQL database.
    pub async fn connected(store: Store) -> Result<Self, store::StoreError> {
        let bus = EventBus::for_store(&store).await?;
        Ok(Self::with_bus(store, bus))
    }

    pub fn with_bus(store: Store, bus: EventBus) -> Self {
        let hub = Hub::spawn(store.clone(), &bus);
        Self {
            store,
            bus,
            hub,
            sign_in_limiter: Arc::new(SignInLimiter::default()),
            config: Arc::new(crate::Config::default()),
        }
    }

    /// The same state with the operator's configuration.
    pub fn with_config(mut self, config: crate::Config) -> Self {
        self.config = Arc::new(config);
        self
    }
}

/// Failed sign-ins allowed per e-mail in one window before answers turn to 429.
pub const MAX_FAILURES: usize = 10;
const WINDOW: Duration = Duration::from_secs(60);

/// Slows password guessing: counts failed sign-ins per e-mail over the last minute.
#[derive(Debug, Default)]
pub struct SignInLimiter {
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl SignInLimiter {
    /// Whether `email` has used up its failures for now.
    pub fn is_blocked(&self, email: &str) -> bool {
        let mut failures = self
            .failures
            .lock()
            .expect("limiter lock is never poisoned");
        let now = Instant::now();
        match failures.get_mut(&email.to_lowercase()) {
            Some(times) => {
                while times
                    .front()
                    .is_some_and(|t| now.duration_since(*t) > WINDOW)
                {
                    times.pop_front();
                }
                times.len() >= MAX_FAILURES
            }
            None => false,
        }
    }

    pub fn record_failure(&self, email: &str) {
        let mut failures = self
            .failures
            .lock()
            .expect("limiter lock is never poisoned");
        let now = Instant::now();
        // Keep the map small: drop e-mails whose failures have all expired.
        if failures.len() > 10_000 {
            failures.retain(|_, times| {
                times
                    .back()
                    .is_some_and(|t| now.duration_since(*t) <= WINDOW)
            });
        }
        failures
            .entry(email.to_lowercase())
            .or_default()
            .push_back(now);
    }

    pub fn clear(&self, email: &str) {
        let mut failures = self
            .failures
            .lock()
            .expect("limiter lock is never poisoned");
        failures.remove(&email.to_lowercase());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_failures_block_that_email_only() {
        let limiter = SignInLimiter::default();
        for _ in 0..MAX_FAILURES {
            assert!(!limiter.is_blocked("a@b.io"));
            limiter.record_failure("A@b.io");
        }
        assert!(limiter.is_blocked("a@b.io"));
        assert!(!limiter.is_blocked("c@d.io"));
        limiter.clear("a@b.io");
        assert!(!limiter.is_blocked("a@b.io"));
    }
}
