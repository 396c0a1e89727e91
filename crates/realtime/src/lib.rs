//! Real time. `EventBus` carries committed events to every subscriber — in-process on SQLite,
//! and on PostgreSQL through `NOTIFY`/`LISTEN`, so every instance sees every instance's events.
//! `Hub` renders each event once into its Chatwoot `{event, data}` payload for all sockets.
#![forbid(unsafe_code)]

mod bus;
mod hub;

pub use bus::{BusMessage, EventBus};
pub use hub::{Hub, Rendered};
