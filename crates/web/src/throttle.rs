//! Throttles kept in the database (`store::Throttles`), so they hold across restarts and
//! instances: failed sign-ins per client address and per address and e-mail, and Client API
//! requests per address. Never per e-mail alone: nobody can lock a user out from another
//! address. Ended windows are pruned in the background.

use crate::config::ClientAddr;
use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::time::Duration;
use store::Store;

/// `max` hits in a window of `seconds`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub max: i64,
    pub seconds: i64,
}

/// The budgets, in the operator's [`crate::Config`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Failed sign-ins from one address for one e-mail (Chatwoot's rack-attack allows ten per
    /// e-mail in 15 minutes).
    pub sign_in_per_address_and_email: Limit,
    /// Failed sign-ins from one address, whatever the e-mails: one password tried on many
    /// accounts (spraying) is stopped too.
    pub sign_in_per_address: Limit,
    /// Requests to the public Client API (`/public/api/v1/…`) from one address: generous, as
    /// Chatwoot's 3000 requests a minute per address.
    pub public_api_per_address: Limit,
    /// Requests naming one website token (its widget window and its Client API calls), from
    /// every address together: a site's visitors share it, so it is far above one address's.
    pub widget_per_website_token: Limit,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            sign_in_per_address_and_email: Limit {
                max: 10,
                seconds: 15 * 60,
            },
            sign_in_per_address: Limit {
                max: 30,
                seconds: 15 * 60,
            },
            public_api_per_address: Limit {
                max: 3000,
                seconds: 60,
            },
            widget_per_website_token: Limit {
                max: 30_000,
                seconds: 60,
            },
        }
    }
}

/// A refusal: 429 with `Retry-After` (seconds until the window ends) and a JSON error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttled {
    pub retry_after: i64,
    pub message: &'static str,
}

pub const SIGN_IN_THROTTLED: &str = "Too many failed sign-in attempts, try again later";
const PUBLIC_API_THROTTLED: &str = "Too many requests, try again later";

/// The two windows one sign-in attempt counts in.
pub struct SignInThrottle {
    address: String,
    address_and_email: String,
}

impl SignInThrottle {
    /// The windows of `email` (as sign-in matches it: trimmed, any case) from `client`.
    pub fn new(client: &ClientAddr, email: &str) -> Self {
        let address = client.key();
        // Hashed: the key is bounded whatever the e-mail, and the table holds no e-mails.
        let pair = domain::password::digest(&format!("{address}\n{}", email.trim().to_lowercase()));
        SignInThrottle {
            address: format!("sign_in/ip:{address}"),
            address_and_email: format!("sign_in/ip+email:{pair}"),
        }
    }

    fn keys(&self, limits: &Limits) -> [(&str, Limit); 2] {
        [
            (&self.address, limits.sign_in_per_address),
            (
                &self.address_and_email,
                limits.sign_in_per_address_and_email,
            ),
        ]
    }

    /// Refuses while either window has used up its failures, even for the right password.
    pub async fn check(&self, state: &AppState) -> Result<(), ApiError> {
        let now = domain::time::now();
        for (key, limit) in self.keys(&state.config.limits) {
            if let Some(window) = state.store.throttles().window(key, now).await? {
                if window.hits >= limit.max {
                    return Err(ApiError::TooManyRequests(Throttled {
                        retry_after: window.resets_at - now,
                        message: SIGN_IN_THROTTLED,
                    }));
                }
            }
        }
        Ok(())
    }

    /// Counts a failure in both windows.
    pub async fn failed(&self, state: &AppState) -> Result<(), ApiError> {
        let now = domain::time::now();
        for (key, limit) in self.keys(&state.config.limits) {
            state.store.throttles().hit(key, limit.seconds, now).await?;
        }
        Ok(())
    }

    /// Forgets this e-mail's failures from this address. The address's own count stays: a
    /// sign-in to one's own account must not reset a spray of guesses at others.
    pub async fn succeeded(&self, state: &AppState) -> Result<(), ApiError> {
        state
            .store
            .throttles()
            .clear(&self.address_and_email)
            .await?;
        Ok(())
    }
}

/// Counts one request in `key`'s window of `limit`; past its `max`, the 429 to answer until
/// the window ends.
pub async fn count(state: &AppState, key: &str, limit: Limit) -> Result<(), ApiError> {
    let now = domain::time::now();
    let window = state.store.throttles().hit(key, limit.seconds, now).await?;
    if window.hits > limit.max {
        return Err(ApiError::TooManyRequests(Throttled {
            retry_after: window.resets_at - now,
            message: PUBLIC_API_THROTTLED,
        }));
    }
    Ok(())
}

/// Counts every request to the public Client API and the website widget's window against its
/// client address; past the limit, 429 until the window ends. Other paths pass untouched.
pub async fn public_api(
    State(state): State<AppState>,
    client: ClientAddr,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    if !path.starts_with("/public/") && path != "/widget" && !path.starts_with("/widget/") {
        return next.run(request).await;
    }
    let key = format!("public_api/ip:{}", client.key());
    match count(&state, &key, state.config.limits.public_api_per_address).await {
        Ok(()) => next.run(request).await,
        Err(refused) => refused.into_response(),
    }
}

/// How often ended throttle windows are deleted.
pub const PRUNE_EVERY: Duration = Duration::from_secs(10 * 60);

/// Deletes ended throttle windows every `every` until aborted.
pub fn spawn_pruning(store: Store, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        loop {
            ticks.tick().await;
            if let Err(error) = store.throttles().prune(domain::time::now()).await {
                tracing::warn!(%error, "could not prune throttle windows");
            }
        }
    })
}
