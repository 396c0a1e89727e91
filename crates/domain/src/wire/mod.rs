//! The only place a Chatwoot-shaped body is defined. API responses, the dashboard-app context,
//! `/cable` frames and webhook bodies are all built from these types, so one shape serves all.
//! Shapes follow Chatwoot's jbuilder views (`app/views/api/v1/models/_contact.json.jbuilder`,
//! `_agent`, `conversations/partials/_conversation`, `Message#push_event_data`).

mod app_context;
mod contact;
mod conversation;
mod dashboard_app;
mod errors;
mod inbox;
mod label;
mod message;
mod user;

pub use app_context::{AppContext, AppContextData, CurrentAgent};
pub use contact::Contact;
pub use conversation::{Conversation, ConversationMeta};
pub use dashboard_app::DashboardApp;
pub use errors::{Failure, Invalid};
pub use inbox::Inbox;
pub use label::Label;
pub use message::{Message, MessageSender};
pub use user::{Agent, Profile, ProfileAccount};
