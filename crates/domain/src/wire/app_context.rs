//! The `appContext` message a host posts to every dashboard-app frame
//! (`fixtures/app-context.schema.json`). Delivery is `app-bridge.js`'s job; this is the body.
//!
//! Beside Chatwoot's `conversation`, `contact` and `currentAgent`, `data` carries the account's
//! `customAttributeDefinitions` (as `GET …/custom_attribute_definitions` lists them), as Chatwoot
//! has since chatwoot/chatwoot#15660; the bridge adds the agent's resolved `theme`, which only
//! the browser knows.

use super::{Contact, Conversation, CustomAttributeDefinition};
use crate::{ContactPresence, ConversationView, User};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct AppContext {
    pub event: &'static str,
    pub data: AppContextData,
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct AppContextData {
    /// Its `id` is the per-account display id.
    pub conversation: Conversation,
    pub contact: Contact,
    #[serde(rename = "currentAgent")]
    pub current_agent: CurrentAgent,
    /// The account's custom attribute definitions, contact and conversation ones alike.
    #[serde(rename = "customAttributeDefinitions")]
    pub custom_attribute_definitions: Vec<CustomAttributeDefinition>,
}

fn definitions(all: &[crate::CustomAttributeDefinition]) -> Vec<CustomAttributeDefinition> {
    all.iter().map(CustomAttributeDefinition::from).collect()
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct CurrentAgent {
    pub id: i64,
    pub name: String,
    pub email: String,
}

impl AppContext {
    pub fn new(
        view: &ConversationView,
        agent: &User,
        attribute_definitions: &[crate::CustomAttributeDefinition],
        presence: &dyn ContactPresence,
    ) -> Self {
        Self {
            event: "appContext",
            data: AppContextData {
                conversation: Conversation::new(view, presence),
                contact: Contact::new(&view.contact, presence),
                current_agent: CurrentAgent {
                    id: agent.id.get(),
                    name: agent.name.clone(),
                    email: agent.email.clone(),
                },
                custom_attribute_definitions: definitions(attribute_definitions),
            },
        }
    }
}

/// The context of a sidebar app (ours): a full page with no conversation, so just the agent and
/// the account, under the same `appContext` event.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct SidebarContext {
    pub event: &'static str,
    pub data: SidebarContextData,
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct SidebarContextData {
    #[serde(rename = "currentAgent")]
    pub current_agent: CurrentAgent,
    pub account: SidebarAccount,
    #[serde(rename = "customAttributeDefinitions")]
    pub custom_attribute_definitions: Vec<CustomAttributeDefinition>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct SidebarAccount {
    pub id: i64,
    pub name: String,
}

impl SidebarContext {
    pub fn new(
        account: &crate::Account,
        agent: &User,
        attribute_definitions: &[crate::CustomAttributeDefinition],
    ) -> Self {
        Self {
            event: "appContext",
            data: SidebarContextData {
                current_agent: CurrentAgent {
                    id: agent.id.get(),
                    name: agent.name.clone(),
                    email: agent.email.clone(),
                },
                account: SidebarAccount {
                    id: account.id.get(),
                    name: account.name.clone(),
                },
                custom_attribute_definitions: definitions(attribute_definitions),
            },
        }
    }
}

/// The context of an app on a contact's page (ours, `contact_page` placement): the contact, their
/// conversations — those the agent may see, each as Chatwoot's `GET …/contacts/{id}/conversations`
/// lists it — and the agent, under the same `appContext` event. `data` keeps Chatwoot's names
/// (`contact`, `currentAgent`) for what Chatwoot's context also has.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct ContactContext {
    pub event: &'static str,
    pub data: ContactContextData,
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct ContactContextData {
    pub contact: Contact,
    /// Most recent activity first; their `id`s are per-account display ids.
    pub conversations: Vec<Conversation>,
    #[serde(rename = "currentAgent")]
    pub current_agent: CurrentAgent,
    #[serde(rename = "customAttributeDefinitions")]
    pub custom_attribute_definitions: Vec<CustomAttributeDefinition>,
}

impl ContactContext {
    pub fn new(
        contact: &crate::Contact,
        conversations: &[ConversationView],
        agent: &User,
        attribute_definitions: &[crate::CustomAttributeDefinition],
        presence: &dyn ContactPresence,
    ) -> Self {
        Self {
            event: "appContext",
            data: ContactContextData {
                contact: Contact::new(contact, presence),
                conversations: conversations
                    .iter()
                    .map(|view| Conversation::new(view, presence))
                    .collect(),
                current_agent: CurrentAgent {
                    id: agent.id.get(),
                    name: agent.name.clone(),
                    email: agent.email.clone(),
                },
                custom_attribute_definitions: definitions(attribute_definitions),
            },
        }
    }
}
