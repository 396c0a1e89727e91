//! `BenchError`: why a measurement could not be taken.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error("I/O: {0}")]
    Io(#[from] std::io::Error),
    #[error("HTTP: {0}")]
    Http(#[from] hyper::Error),
    #[error("HTTP request: {0}")]
    Request(#[from] hyper::http::Error),
    /// Boxed: tungstenite's error is large and every `Result` here would carry its size.
    #[error("WebSocket: {0}")]
    WebSocket(Box<tokio_tungstenite::tungstenite::Error>),
    #[error("JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("PostgreSQL: {0}")]
    Database(#[from] sqlx::Error),
    /// The server answered something other than 2xx: a benchmark of failing requests is void.
    #[error("{method} {path} answered {status}: {body}")]
    Status {
        method: String,
        path: String,
        status: u16,
        body: String,
    },
    /// The server's answer lacks something the harness needs (a token, an event field).
    #[error("unexpected answer: {0}")]
    Protocol(String),
    /// A child process (`switchboard seed`, `cargo build`) failed or a server died.
    #[error("{what} failed ({status}); see {log}")]
    Process {
        what: String,
        status: String,
        log: PathBuf,
    },
    #[error("timed out: {0}")]
    Timeout(String),
    /// The soak saw memory grow past its limit.
    #[error("memory grew {growth_percent:.1}% after warm-up (limit {limit_percent}%)")]
    MemoryGrowth {
        growth_percent: f64,
        limit_percent: f64,
    },
    /// A figure the table must have is missing or not a positive number.
    #[error("the table is incomplete: {0}")]
    Incomplete(String),
}

impl From<tokio_tungstenite::tungstenite::Error> for BenchError {
    fn from(error: tokio_tungstenite::tungstenite::Error) -> Self {
        BenchError::WebSocket(Box::new(error))
    }
}
