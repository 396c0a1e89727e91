//! The closed-loop load generator: `clients` connections, each sending its next request as soon
//! as the previous answer is read, for a fixed time. Requests started during the warm-up are not
//! counted, so connection set-up and cold caches do not weigh on the figures.

use crate::client::{Call, Connection};
use crate::BenchError;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How hard and how long to push.
#[derive(Debug, Clone, Copy)]
pub struct Load {
    pub clients: usize,
    pub duration: Duration,
    pub warm_up: Duration,
    /// Each client's least time between the starts of two requests (`None`: flat out).
    pub pace: Option<Duration>,
}

/// Sorted latencies of completed requests.
#[derive(Debug, Clone, Default)]
pub struct Latencies(Vec<Duration>);

impl Latencies {
    pub fn new(mut samples: Vec<Duration>) -> Self {
        samples.sort_unstable();
        Self(samples)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The nearest-rank quantile (`q` in 0..=1); zero when there is no sample.
    pub fn quantile(&self, q: f64) -> Duration {
        if self.0.is_empty() {
            return Duration::ZERO;
        }
        let rank = ((self.0.len() as f64) * q).ceil() as usize;
        self.0[rank.clamp(1, self.0.len()) - 1]
    }

    pub fn p50(&self) -> Duration {
        self.quantile(0.50)
    }

    pub fn p99(&self) -> Duration {
        self.quantile(0.99)
    }
}

/// What one load run measured.
#[derive(Debug, Clone)]
pub struct Throughput {
    pub per_second: f64,
    pub latencies: Latencies,
    /// Every request answered, warm-up included.
    pub completed: usize,
}

/// Runs `clients` connections against `addr` for `load.duration`; `call(client, n)` makes
/// each client's `n`-th request. Any non-2xx answer aborts the run.
pub async fn run<F>(
    addr: SocketAddr,
    token: Option<&str>,
    load: Load,
    call: F,
) -> Result<Throughput, BenchError>
where
    F: Fn(usize, u64) -> Call + Send + Sync + 'static,
{
    let call = Arc::new(call);
    let started = Instant::now();
    let measure_from = started + load.warm_up;
    let until = measure_from + load.duration;
    let mut workers = Vec::with_capacity(load.clients);
    for client in 0..load.clients {
        let mut connection = Connection::open(addr, token).await?;
        let call = Arc::clone(&call);
        workers.push(tokio::spawn(async move {
            let mut samples = Vec::with_capacity(4096);
            let mut n = 0u64;
            loop {
                let request = call(client, n);
                let sent = Instant::now();
                if sent >= until {
                    break;
                }
                connection.send(&request).await?;
                if sent >= measure_from {
                    samples.push(sent.elapsed());
                }
                n += 1;
                if let Some(pace) = load.pace {
                    tokio::time::sleep_until((sent + pace).into()).await;
                }
            }
            Ok::<_, BenchError>((samples, n as usize))
        }));
    }
    let mut all = Vec::new();
    let mut completed = 0;
    for worker in workers {
        let (samples, answered) = worker
            .await
            .map_err(|e| BenchError::Protocol(format!("a load client panicked: {e}")))??;
        all.extend(samples);
        completed += answered;
    }
    // Requests in flight at `until` finish after it; the window is what was measured.
    let window = load.duration.as_secs_f64();
    Ok(Throughput {
        per_second: all.len() as f64 / window,
        latencies: Latencies::new(all),
        completed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_use_the_nearest_rank() {
        let samples = (1..=100).map(Duration::from_millis).collect();
        let latencies = Latencies::new(samples);
        assert_eq!(latencies.p50(), Duration::from_millis(50));
        assert_eq!(latencies.p99(), Duration::from_millis(99));
        assert_eq!(latencies.quantile(1.0), Duration::from_millis(100));
        assert_eq!(Latencies::default().p99(), Duration::ZERO);
    }
}
