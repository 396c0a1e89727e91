//! A webhook receiver on a real port: it keeps every request (headers and raw body) and answers
//! 500 to the first `failures` requests, 200 after.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub headers: HeaderMap,
    pub body: String,
    /// What the receiver answered.
    pub status: u16,
}

impl Received {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).expect("a JSON body")
    }

    pub fn event(&self) -> String {
        self.json()["event"].as_str().unwrap_or_default().to_owned()
    }
}

#[derive(Default)]
struct Log {
    received: Vec<Received>,
    failures: usize,
}

#[derive(Clone, Default)]
pub struct Receiver {
    log: Arc<Mutex<Log>>,
}

impl Receiver {
    /// A receiver whose first `failures` answers are 500.
    pub fn failing(failures: usize) -> Self {
        let receiver = Self::default();
        receiver.log.lock().unwrap().failures = failures;
        receiver
    }

    pub fn received(&self) -> Vec<Received> {
        self.log.lock().unwrap().received.clone()
    }

    fn router(&self) -> Router {
        Router::new()
            .route("/{*path}", post(take))
            .with_state(self.clone())
    }

    /// Serves on `127.0.0.1:0`; returns the base URL.
    pub async fn serve(&self) -> String {
        crate::support::serve_router(self.router()).await
    }

    /// Serves on `addr` (a port the test picked before); returns a handle that stops it.
    pub async fn serve_at(&self, addr: SocketAddr) -> tokio::task::JoinHandle<()> {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .expect("the port is free again");
        let router = self.router();
        tokio::spawn(async move {
            axum::serve(listener, router)
                .await
                .expect("the receiver runs");
        })
    }
}

async fn take(
    State(receiver): State<Receiver>,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let mut log = receiver.log.lock().unwrap();
    let status = if log.failures > 0 {
        log.failures -= 1;
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::OK
    };
    log.received.push(Received {
        path: uri.path().to_owned(),
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
        status: status.as_u16(),
    });
    status
}

/// A port nothing listens on (bound, then released), for a receiver that is down.
pub async fn free_port() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port");
    listener.local_addr().expect("a bound address")
}
