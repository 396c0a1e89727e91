//! HTTP API integration tests: every route of the Chatwoot-compatible JSON API, driven in-process
//! through `app(state)` on SQLite and (with `TEST_DATABASE_URL`) PostgreSQL.

#[path = "../support/mod.rs"]
mod support;

mod accounts_cli;
mod api;
mod hardening;
mod pages;
mod profile;
mod sdk;
mod sessions;
mod throttles;
