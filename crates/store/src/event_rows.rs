//! The rows a burst of events names, read in a handful of queries whatever the burst's size:
//! the conversations (with their last message), messages (with their files), contacts, users
//! (performers and typists), contact inboxes' `source_id`s and each inbox's audience. `/cable`
//! renders every event body from them, so N events cost about seven queries, not 2N or more.
//!
//! A row missing from the set was deleted after its event was written; renderers treat it as
//! [`StoreError::NotFound`] and drop that event, as they did reading rows one by one.

use crate::{Store, StoreError};
use domain::{
    AccountId, Contact, ContactId, ContactInboxId, ConversationId, ConversationView, Event,
    InboxId, Message, MessageId, Typist, User, UserId,
};
use std::collections::{BTreeSet, HashMap, HashSet};

/// What [`Store::event_rows`] read for a burst of events.
#[derive(Debug, Default)]
pub struct EventRows {
    conversations: HashMap<ConversationId, ConversationView>,
    messages: HashMap<MessageId, Message>,
    contacts: HashMap<ContactId, Contact>,
    users: HashMap<UserId, User>,
    source_ids: HashMap<ContactInboxId, String>,
    audiences: HashMap<(AccountId, Option<InboxId>), HashSet<UserId>>,
    /// Read for webhooks only ([`Bodies::Webhooks`]).
    last_chats: HashMap<ConversationId, Message>,
}

/// Whose bodies the rows are for: webhooks' conversations carry their newest chat message,
/// which `/cable`'s do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bodies {
    Cable,
    Webhooks,
}

impl EventRows {
    pub fn conversation(&self, id: ConversationId) -> Result<&ConversationView, StoreError> {
        self.conversations.get(&id).ok_or(StoreError::NotFound)
    }

    pub fn message(&self, id: MessageId) -> Result<&Message, StoreError> {
        self.messages.get(&id).ok_or(StoreError::NotFound)
    }

    /// The contact `id` of `account_id` (a contact of another account is not found).
    pub fn contact(&self, account_id: AccountId, id: ContactId) -> Result<&Contact, StoreError> {
        self.contacts
            .get(&id)
            .filter(|c| c.account_id == account_id)
            .ok_or(StoreError::NotFound)
    }

    pub fn user(&self, id: UserId) -> Result<&User, StoreError> {
        self.users.get(&id).ok_or(StoreError::NotFound)
    }

    /// The conversation's contact inbox's `source_id`, when it has one.
    pub fn source_id(&self, view: &ConversationView) -> Option<&str> {
        let id = view.conversation.contact_inbox_id?;
        self.source_ids.get(&id).map(String::as_str)
    }

    /// The conversation's newest message that is neither an activity nor private.
    pub fn last_chat(&self, conversation: ConversationId) -> Option<&Message> {
        self.last_chats.get(&conversation)
    }

    /// Who may hear of `event` as membership stands now (see `InboxMembers::audience`).
    pub fn audience(&self, event: &Event) -> HashSet<UserId> {
        self.audiences
            .get(&(event.account_id(), event.inbox_id()))
            .cloned()
            .unwrap_or_default()
    }
}

/// The ids a burst names, deduplicated, gathered before reading.
#[derive(Default)]
struct Wanted {
    conversations: BTreeSet<ConversationId>,
    messages: BTreeSet<MessageId>,
    contacts: BTreeSet<ContactId>,
    users: BTreeSet<UserId>,
    audiences: BTreeSet<(AccountId, Option<InboxId>)>,
}

impl Wanted {
    fn of<'a>(events: impl IntoIterator<Item = (&'a Event, Option<UserId>)>) -> Self {
        let mut wanted = Wanted::default();
        for (event, performer) in events {
            wanted.users.extend(performer);
            wanted
                .audiences
                .insert((event.account_id(), event.inbox_id()));
            wanted.conversations.extend(event.conversation_id());
            match event {
                Event::MessageCreated { message_id, .. }
                | Event::MessageUpdated { message_id, .. } => {
                    wanted.messages.insert(*message_id);
                }
                Event::Typing {
                    typist: Typist::User(id),
                    ..
                } => {
                    wanted.users.insert(*id);
                }
                Event::Typing {
                    typist: Typist::Contact(id),
                    ..
                }
                | Event::ContactUpdated { contact_id: id, .. } => {
                    wanted.contacts.insert(*id);
                }
                Event::ConversationCreated { .. }
                | Event::ConversationStatusChanged { .. }
                | Event::ConversationUpdated { .. }
                | Event::ConversationRead { .. }
                | Event::AssigneeChanged { .. }
                | Event::TeamChanged { .. }
                | Event::ConversationContactChanged { .. }
                | Event::CustomAttributeDefinitionsChanged { .. }
                | Event::AgentRemoved { .. }
                | Event::InboxDeleted { .. } => {}
            }
        }
        wanted
    }
}

/// A set's ids as a slice to bind.
fn ids<T: Copy>(set: &BTreeSet<T>) -> Vec<T> {
    set.iter().copied().collect()
}

impl Store {
    /// Reads the rows `events` (each with the agent who caused it) name, in a few queries.
    pub async fn event_rows<'a>(
        &self,
        events: impl IntoIterator<Item = (&'a Event, Option<UserId>)>,
        bodies: Bodies,
    ) -> Result<EventRows, StoreError> {
        let wanted = Wanted::of(events);
        let conversations: HashMap<ConversationId, ConversationView> = self
            .conversations()
            .summaries(&ids(&wanted.conversations))
            .await?
            .into_iter()
            .map(|view| (view.conversation.id, view))
            .collect();
        let messages = self
            .messages()
            .find_many(&ids(&wanted.messages), |conversation| {
                conversations.get(&conversation).map(|view| &view.contact)
            })
            .await?
            .into_iter()
            .map(|message| (message.id, message))
            .collect();
        let contacts = self
            .contacts()
            .find_many(&ids(&wanted.contacts))
            .await?
            .into_iter()
            .map(|contact| (contact.id, contact))
            .collect();
        let users = self
            .users()
            .find_many(&ids(&wanted.users))
            .await?
            .into_iter()
            .map(|user| (user.id, user))
            .collect();
        let contact_inboxes: Vec<ContactInboxId> = conversations
            .values()
            .filter_map(|view| view.conversation.contact_inbox_id)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let source_ids = self.contact_inboxes().source_ids(&contact_inboxes).await?;
        let last_chats = match bodies {
            Bodies::Cable => HashMap::new(),
            Bodies::Webhooks => self
                .messages()
                .last_chats(&ids(&wanted.conversations), |conversation| {
                    conversations.get(&conversation).map(|view| &view.contact)
                })
                .await?
                .into_iter()
                .map(|message| (message.conversation_id, message))
                .collect(),
        };
        // Only `/cable` decides an audience.
        let mut audiences = HashMap::new();
        let wanted_audiences = match bodies {
            Bodies::Cable => wanted.audiences,
            Bodies::Webhooks => BTreeSet::new(),
        };
        for (account_id, inbox_id) in wanted_audiences {
            let audience = self.inbox_members().audience(account_id, inbox_id).await?;
            audiences.insert((account_id, inbox_id), audience);
        }
        Ok(EventRows {
            conversations,
            messages,
            contacts,
            users,
            source_ids,
            audiences,
            last_chats,
        })
    }
}
