//! Fault tests against the real `switchboard` binary: `kill -9` mid-burst (SQLite and
//! PostgreSQL) with a webhook receiver and a second instance's `/cable` sockets listening, a
//! PostgreSQL restart under a running server, and clients that never finish a request.
//!
//! PostgreSQL cases: the `kill -9` one needs `TEST_DATABASE_URL` (a fresh database is created
//! on that server); the restart one starts a private cluster with the server binaries in
//! `/usr/lib/postgresql/*/bin`, never touching the shared one. Each prints that it skipped when
//! what it needs is missing, and fails instead when `REQUIRE_POSTGRES` is set.

mod cable;
mod events;
mod kill;
mod postgres;
mod restart;
mod server;
mod slow_clients;
