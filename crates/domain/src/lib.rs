//! Switchboard's domain: ids, models, validated commands, events and the Chatwoot-shaped wire
//! bodies. No I/O lives here: the store persists these types and `web` serves them.
#![forbid(unsafe_code)]

pub mod account;
pub mod app_capability;
pub mod app_placement;
pub mod app_setting;
pub mod app_visibility;
pub mod attachment;
pub mod browser;
pub mod business_hours;
pub mod canned_response;
pub mod contact;
pub mod contact_note;
pub mod context_token;
pub mod conversation;
pub mod custom_attribute_definition;
pub mod dashboard_app;
pub mod error;
pub mod event;
pub mod filter;
pub mod ids;
pub mod inbox;
pub mod label;
pub mod message;
pub mod password;
pub mod placeholder;
pub mod scope;
pub mod sealed;
pub mod team;
pub mod time;
pub mod user;
pub mod validate;
pub mod web_widget;
pub mod webhook;
pub mod wire;

pub use account::Account;
pub use attachment::{Attachment, FileType};
pub use business_hours::{BusinessHours, BusinessHoursChanges, WorkingHour};
pub use canned_response::{CannedResponse, CannedResponseChanges, NewCannedResponse};
pub use contact::{Contact, ContactChanges, ContactPresence, NewContact, NobodyOnline};
pub use contact_note::{ContactNote, NoteContent};
pub use conversation::{
    AssigneeFilter, Conversation, ConversationCounts, ConversationFilter, ConversationView,
    ListedConversations, ListedPayload, NewConversation, Priority, Status,
};
pub use custom_attribute_definition::{
    AttributeDisplayType, AttributeModel, CustomAttributeDefinition, DefinitionChanges,
    NewCustomAttributeDefinition,
};
pub use dashboard_app::{AppAction, DashboardApp, DashboardAppFrame, DisplayType, NewDashboardApp};
pub use error::DomainError;
pub use event::{Event, Typist};
pub use ids::*;
pub use inbox::{Inbox, InboxChanges, InboxSettings, NewInbox};
pub use label::{Label, LabelChanges, NewLabel};
pub use message::{ContentType, Message, MessageSender, MessageStatus, MessageType, NewMessage};
pub use scope::Scope;
pub use team::{NewTeam, Team, TeamChanges};
pub use user::{Agent, Member, Role, User};
pub use web_widget::{WebWidget, WebWidgetChanges};
pub use webhook::{NewWebhook, Webhook, WebhookChanges, WebhookId};
