//! One step of the worker: claim the deliveries that are due, POST each signed body, log the
//! attempt, and either finish the delivery or schedule its retry with exponential backoff.

use crate::sign;
use crate::Config;
use egress::{Egress, Request};
use std::time::{Duration, Instant};
use store::{AttemptResult, DueDelivery, NextStep, Store, StoreError};
use tokio::task::JoinSet;

/// The client deliveries go through: the egress module (public addresses only unless the
/// operator allowed private ones, no redirects, bounded time and answer), with the configured
/// timeout.
pub fn client(config: &Config) -> Egress {
    let limits = egress::Limits {
        connect_timeout: config.timeout,
        timeout: config.timeout,
        // Receivers' answers are not read; a small bound is enough to finish the exchange.
        max_response_bytes: 64 * 1024,
    };
    Egress::new(
        config.egress,
        limits,
        concat!("Switchboard-Webhooks/", env!("CARGO_PKG_VERSION")),
    )
}

/// Claims the deliveries due now and attempts each (concurrently); returns how many were
/// attempted. Tests drive the worker with this; the spawned worker calls it in a loop.
pub async fn deliver_due(
    store: &Store,
    client: &Egress,
    config: &Config,
) -> Result<usize, StoreError> {
    let now = crate::now_ms();
    let lease_until = now + millis(config.lease);
    let due = store
        .webhooks()
        .claim_due(now, lease_until, config.batch)
        .await?;
    let count = due.len();
    let mut attempts = JoinSet::new();
    for delivery in due {
        let (store, client, config) = (store.clone(), client.clone(), config.clone());
        attempts.spawn(async move { attempt(&store, &client, &config, &delivery).await });
    }
    while let Some(done) = attempts.join_next().await {
        match done {
            Ok(Ok(())) => {}
            Ok(Err(error)) => tracing::error!(%error, "could not log a webhook attempt"),
            Err(error) => tracing::error!(%error, "a webhook attempt panicked"),
        }
    }
    Ok(count)
}

/// Sends one claimed delivery and records what happened.
async fn attempt(
    store: &Store,
    client: &Egress,
    config: &Config,
    delivery: &DueDelivery,
) -> Result<(), StoreError> {
    let number = delivery.attempts + 1;
    let (Some(url), Some(secret)) = (&delivery.url, &delivery.secret) else {
        let result = AttemptResult {
            url: String::new(),
            response_status: None,
            error: Some("The destination has no webhook URL any more".into()),
            duration_ms: 0,
        };
        return store
            .webhooks()
            .finish_attempt(delivery, &result, NextStep::GiveUp)
            .await;
    };
    let started = Instant::now();
    let timestamp = domain::time::now().to_string();
    let request = Request::post(url.as_str(), delivery.body.as_bytes())
        .header("content-type", "application/json")
        .header(sign::EVENT_HEADER, &delivery.event)
        .header(sign::DELIVERY_HEADER, &delivery.id.to_string())
        .header(sign::TIMESTAMP_HEADER, &timestamp)
        .header(
            sign::SIGNATURE_HEADER,
            &sign::signature(secret, delivery.body.as_bytes()),
        );
    let sent = client.send(request).await;
    let duration_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
    // A blocked target stays blocked (the URL or its name's addresses must change first):
    // retrying would only repeat the refusal.
    let blocked = matches!(
        sent,
        Err(egress::EgressError::Blocked(_) | egress::EgressError::InvalidUrl)
    );
    let (response_status, error) = match sent {
        Ok(response) if response.status.is_success() => {
            (Some(i64::from(response.status.as_u16())), None)
        }
        Ok(response) => (
            Some(i64::from(response.status.as_u16())),
            Some(format!("HTTP {}", response.status)),
        ),
        // The egress module's words: "blocked: private address", "could not connect"…, never
        // the socket error (a "connection refused" per port would map the network).
        Err(error) => (None, Some(error.to_string())),
    };
    let next = if error.is_none() {
        NextStep::Delivered
    } else if blocked || number >= i64::from(config.max_attempts) {
        NextStep::GiveUp
    } else {
        NextStep::RetryAt(crate::now_ms() + millis(config.backoff(number)))
    };
    match (&next, &error) {
        (NextStep::Delivered, _) => {
            tracing::debug!(
                delivery = delivery.id,
                attempt = number,
                "webhook delivered"
            )
        }
        (_, Some(why)) => tracing::warn!(
            delivery = delivery.id,
            attempt = number,
            url = %loggable(url),
            error = %why,
            gave_up = matches!(next, NextStep::GiveUp),
            "webhook attempt failed"
        ),
        _ => {}
    }
    let result = AttemptResult {
        url: url.clone(),
        response_status,
        error,
        duration_ms,
    };
    store
        .webhooks()
        .finish_attempt(delivery, &result, next)
        .await
}

/// The URL as logs may show it: without user info, query or fragment, where integrators put
/// keys of their own (`?token=…`). The attempts log an administrator reads keeps it whole.
fn loggable(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut url) => {
            let _ = url.set_username("");
            let _ = url.set_password(None);
            url.set_query(None);
            url.set_fragment(None);
            url.to_string()
        }
        Err(_) => "(unparsable URL)".to_owned(),
    }
}

pub(crate) fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::loggable;

    #[test]
    fn logged_urls_keep_neither_credentials_nor_query() {
        assert_eq!(
            loggable("https://user:pass@hooks.example:8443/in/42?key=s3cret#frag"),
            "https://hooks.example:8443/in/42"
        );
        assert_eq!(
            loggable("http://127.0.0.1:9/hook"),
            "http://127.0.0.1:9/hook"
        );
        assert_eq!(loggable("not a url ?key=s3cret"), "(unparsable URL)");
    }
}
