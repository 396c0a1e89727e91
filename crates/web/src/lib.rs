//! Switchboard's web layer: the axum router, authentication, the Chatwoot-compatible JSON API,
//! the server-rendered agent workspace and its embedded scripts, and the demo dashboard app.
#![forbid(unsafe_code)]

pub mod api;
pub mod app_proxy;
pub mod assets;
pub mod auth;
pub mod cable;
pub mod config;
pub mod csp;
pub mod deadline;
pub mod demo_app;
pub mod error;
pub mod event_log;
pub mod extract;
pub mod files;
pub mod keep_alive;
pub mod openapi;
pub mod out_of_office;
pub mod pages;
pub mod routes;
pub mod sdk;
pub mod secret_key;
pub mod server;
pub mod snoozes;
pub mod state;
pub mod throttle;
pub mod widget;

pub use config::Config;
pub use routes::app;
pub use server::{serve, ServeConfig};
pub use state::AppState;
