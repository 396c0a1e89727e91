//! Real time. `EventBus` carries committed events to every subscriber — in-process on SQLite,
//! and on PostgreSQL through `NOTIFY`/`LISTEN`, so every instance sees every instance's events.
//! `Hub` renders each event once into its Chatwoot `{event, data}` payload for all sockets, and
//! `Presence` tracks who is connected to each account on this instance.
#![forbid(unsafe_code)]

mod bus;
mod hub;
mod listeners;
mod presence;

pub use bus::{BusMessage, EventBus, Published};
pub use hub::{presence_update, render_burst, ContactCopy, ConversationOwner, Hub, Rendered};
pub use listeners::{Listeners, Listening};
pub use presence::{Presence, Seat, Who};
