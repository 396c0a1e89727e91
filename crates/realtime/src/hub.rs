//! Renders each event once into Chatwoot's `/cable` message `{"event", "data"}` (the bodies
//! are `domain::wire::cable`'s), with who may receive it: the account's agents (but not the
//! typist whose typing it reports, as Chatwoot's `typing_event_listener_tokens`), and for the
//! events Chatwoot sends to a conversation's contact (`contact_tokens`,
//! `contact_inbox_tokens`), that contact, with a body that shows no private note.

use crate::listeners::Listeners;
use crate::presence::Presence;
use crate::{BusMessage, EventBus, Published};
use domain::wire::cable::{
    resync, CableMessage, ContactData, ConversationData, MessageData, Performed, PresenceData,
    TypingData,
};
use domain::wire::MessageSender;
use domain::{
    AccountId, ContactId, ContactInboxId, ContactPresence, ConversationView, Event, InboxId,
    MessageType, Typist, UserId,
};
use std::collections::HashSet;
use std::sync::Arc;
use store::{EventRows, Store};
use tokio::sync::broadcast;

/// One rendered event (or a resync order), shared by every socket.
#[derive(Debug)]
pub struct Rendered {
    /// `None` concerns every account (a resync).
    pub account_id: Option<AccountId>,
    pub event: &'static str,
    /// `{"event": "...", "data": {...}}` as JSON text, for the account's agents.
    pub message: String,
    /// The agent who caused it and must not get it back (the typist).
    pub except_user: Option<UserId>,
    /// The agents who may get it, as membership stood when it was broadcast: the account's
    /// administrators and the members of the conversation's inbox (every member of the
    /// account for an account-wide event). Empty for a resync, which names no account.
    pub audience: HashSet<UserId>,
    /// The copy the conversation's contact gets, when Chatwoot sends this event to contacts.
    pub for_contact: Option<ContactCopy>,
    /// The event's id in the log (`None`: not logged, as typing and presence).
    pub event_id: Option<i64>,
}

/// An event's copy for the contact of its conversation: its chat messages only (no private
/// note, no activity), rendered twice.
#[derive(Debug)]
pub struct ContactCopy {
    pub conversation: ConversationOwner,
    /// For a subscriber that may see the contact's fields (`ContactInbox::may_see_contact`).
    pub message: String,
    /// With the contact's fields withheld (`ConversationView::withholding_contact`), for a
    /// contact inbox that an e-mail alone attached to an existing contact.
    pub withheld: String,
}

impl ContactCopy {
    /// `render` applied to `view` as its contact may see it: without private notes and
    /// activity messages, with and without the contact's fields.
    fn of(view: &ConversationView, render: impl Fn(&ConversationView) -> String) -> Self {
        let mut public = view.clone();
        public.messages.retain(is_chat);
        ContactCopy {
            conversation: ConversationOwner::of(view),
            message: render(&public),
            withheld: render(&public.withholding_contact()),
        }
    }
}

/// Chatwoot's `Message.chat` scope: what a contact may see of a conversation.
fn is_chat(message: &domain::Message) -> bool {
    !message.private && message.message_type != MessageType::Activity
}

/// Whose conversation it is, as a contact's subscription matches it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConversationOwner {
    pub inbox_id: InboxId,
    pub contact_id: ContactId,
    pub contact_inbox_id: Option<ContactInboxId>,
}

impl ConversationOwner {
    fn of(view: &ConversationView) -> Self {
        let c = &view.conversation;
        Self {
            inbox_id: c.inbox_id,
            contact_id: c.contact_id,
            contact_inbox_id: c.contact_inbox_id,
        }
    }
}

impl Rendered {
    fn for_agents(account_id: AccountId, event: &'static str, message: String) -> Self {
        Self {
            account_id: Some(account_id),
            event,
            message,
            except_user: None,
            audience: HashSet::new(),
            for_contact: None,
            event_id: None,
        }
    }

    /// Whether agent `user` gets the agents' copy.
    pub fn reaches_agent(&self, user: UserId) -> bool {
        self.account_id.is_none()
            || (self.audience.contains(&user) && self.except_user != Some(user))
    }
}

/// At most this many events are rendered from one read of their rows.
const BURST: usize = 256;

/// `events` rendered in order, each with its audience as membership stands now, from one read
/// of the rows they name (`Store::event_rows`): what the hub broadcasts, and what `/cable`
/// replays to a client resuming after a reconnect. An event whose rows are gone since (a
/// deleted conversation) is left out.
/// `presence` says which contacts the bodies show online, as it stands when they are rendered.
pub async fn render_burst(
    store: &Store,
    presence: &dyn ContactPresence,
    events: &[Published],
) -> Result<Vec<Rendered>, store::StoreError> {
    let rows = store
        .event_rows(
            events.iter().map(|p| (&p.event, p.performer)),
            store::Bodies::Cable,
        )
        .await?;
    Ok(events
        .iter()
        .filter_map(|published| match render(&rows, presence, published) {
            Ok(rendered) => Some(Rendered {
                audience: rows.audience(&published.event),
                ..rendered
            }),
            Err(_) => {
                tracing::debug!(event = published.event.name(), "its rows are gone");
                None
            }
        })
        .collect())
}

/// Renders `burst` and sends it on in order: the events between two resyncs from one read.
async fn broadcast_burst(
    store: &Store,
    presence: &Presence,
    out: &broadcast::Sender<Arc<Rendered>>,
    burst: Vec<BusMessage>,
) {
    let mut pending = Vec::new();
    for message in burst {
        match message {
            BusMessage::Event(published) => pending.push(published),
            BusMessage::Resync => {
                send_rendered(store, presence, out, std::mem::take(&mut pending)).await;
                send_resync(out);
            }
        }
    }
    send_rendered(store, presence, out, pending).await;
}

async fn send_rendered(
    store: &Store,
    presence: &Presence,
    out: &broadcast::Sender<Arc<Rendered>>,
    events: Vec<Published>,
) {
    if events.is_empty() {
        return;
    }
    match render_burst(store, presence, &events).await {
        Ok(rendered) => {
            for rendered in rendered {
                let _ = out.send(Arc::new(rendered));
            }
        }
        // Those events are lost to the sockets: they reload rather than miss them silently.
        Err(error) => {
            tracing::warn!(%error, count = events.len(), "could not render events; resync");
            send_resync(out);
        }
    }
}

/// Tells every socket that events were missed, so its page reloads what it shows.
fn send_resync(out: &broadcast::Sender<Arc<Rendered>>) {
    let _ = out.send(Arc::new(Rendered {
        account_id: None,
        event: "resync",
        message: resync(),
        except_user: None,
        audience: HashSet::new(),
        for_contact: None,
        event_id: None,
    }));
}

#[derive(Debug, Clone)]
pub struct Hub {
    sender: broadcast::Sender<Arc<Rendered>>,
    presence: Arc<Presence>,
    listeners: Arc<Listeners>,
}

impl Hub {
    /// Starts rendering `bus`'s events, and `presence.update` whenever who is connected to an
    /// account changes on this instance.
    pub fn spawn(store: Store, bus: &EventBus) -> Hub {
        let (sender, _) = broadcast::channel(4096);
        let presence = Arc::new(Presence::default());
        let mut events = bus.subscribe();
        let out = sender.clone();
        let events_store = store.clone();
        let watched = presence.clone();
        let listeners = Arc::new(Listeners::default());
        let listening = listeners.clone();
        tokio::spawn(async move {
            // What arrived while the last burst rendered is rendered together.
            loop {
                let mut burst = match events.recv().await {
                    Ok(message) => vec![message],
                    Err(broadcast::error::RecvError::Lagged(_)) => vec![BusMessage::Resync],
                    Err(broadcast::error::RecvError::Closed) => break,
                };
                while burst.len() < BURST {
                    match events.try_recv() {
                        Ok(message) => burst.push(message),
                        Err(broadcast::error::TryRecvError::Lagged(_)) => {
                            burst.push(BusMessage::Resync)
                        }
                        Err(_) => break,
                    }
                }
                // No socket here hears an account: its events have no one to render for. (A
                // socket subscribing meanwhile listens before it replays the log.)
                burst.retain(|message| match message {
                    BusMessage::Event(published) => listening.any_for(published.event.account_id()),
                    BusMessage::Resync => true,
                });
                broadcast_burst(&events_store, &watched, &out, burst).await;
            }
        });
        let mut changes = presence.changes();
        let out = sender.clone();
        let tracker = presence.clone();
        tokio::spawn(async move {
            loop {
                let account_id = match changes.recv().await {
                    Ok(account_id) => account_id,
                    Err(broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(broadcast::error::RecvError::Closed) => break,
                };
                let audience = store.inbox_members().audience(account_id, None).await;
                match (
                    presence_update(&store, &tracker, account_id, true).await,
                    audience,
                ) {
                    (Ok(message), Ok(audience)) => {
                        let rendered = Rendered {
                            audience,
                            ..Rendered::for_agents(account_id, "presence.update", message)
                        };
                        let _ = out.send(Arc::new(rendered));
                    }
                    (Err(error), _) | (_, Err(error)) => {
                        tracing::warn!(%error, "could not render presence")
                    }
                }
            }
        });
        Hub {
            sender,
            presence,
            listeners,
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Rendered>> {
        self.sender.subscribe()
    }

    /// Who is connected to which account on this instance.
    pub fn presence(&self) -> &Arc<Presence> {
        &self.presence
    }

    /// Which accounts' events some socket here subscribes to: a subscription holds a
    /// [`Listening`] for its accounts, or their events are not rendered.
    pub fn listeners(&self) -> &Arc<Listeners> {
        &self.listeners
    }
}

/// `presence.update` for `account_id` as JSON text: the connected agents with their
/// availability and, for an agent (`with_contacts`), the connected contacts.
pub async fn presence_update(
    store: &Store,
    presence: &Presence,
    account_id: AccountId,
    with_contacts: bool,
) -> Result<String, store::StoreError> {
    let (users, contacts) = presence.present(account_id);
    let agents = store.users().agents(account_id).await?;
    let users = agents
        .into_iter()
        .filter(|agent| users.contains(&agent.user.id))
        .map(|agent| (agent.user.id.get(), agent.availability));
    let contacts = with_contacts.then(|| contacts.iter().map(|c| c.get()).collect());
    let data = PresenceData::new(account_id, users, contacts);
    Ok(CableMessage::new("presence.update", data).to_text())
}

/// What every copy of one event's message shares: its name, the agent who caused it and its
/// place in the log (`event_id`, for a client that resumes after a reconnect).
struct Head<'a> {
    name: &'static str,
    performer: Option<&'a MessageSender>,
    event_id: Option<i64>,
}

impl Head<'_> {
    fn text<T: serde::Serialize>(&self, data: T) -> String {
        CableMessage::new(self.name, Performed::new(data, self.performer))
            .with_event_id(self.event_id)
            .to_text()
    }
}

/// `published` rendered from `rows`; `NotFound` when a row it names is gone.
fn render(
    rows: &EventRows,
    presence: &dyn ContactPresence,
    published: &Published,
) -> Result<Rendered, store::StoreError> {
    let event = &published.event;
    let name = event.name();
    let account_id = event.account_id();
    // A performer removed since is left out rather than losing the event.
    let performer = published
        .performer
        .and_then(|id| rows.user(id).ok())
        .map(MessageSender::user);
    let head = Head {
        name,
        performer: performer.as_ref(),
        event_id: published.id,
    };
    let rendered = match event {
        Event::MessageCreated {
            conversation_id,
            message_id,
            ..
        }
        | Event::MessageUpdated {
            conversation_id,
            message_id,
            ..
        } => {
            let view = rows.conversation(*conversation_id)?;
            let message = rows.message(*message_id)?;
            let source_id = rows.source_id(view);
            let render =
                |message: &domain::Message| head.text(MessageData::new(message, view, source_id));
            // Chatwoot's `contact_tokens`: never a private note or an activity message.
            let for_contact = is_chat(message).then(|| ContactCopy {
                conversation: ConversationOwner::of(view),
                message: render(message),
                withheld: render(&message.withholding_contact()),
            });
            Rendered {
                for_contact,
                ..Rendered::for_agents(account_id, name, render(message))
            }
        }
        Event::ConversationCreated {
            conversation_id, ..
        }
        | Event::ConversationStatusChanged {
            conversation_id, ..
        }
        | Event::ConversationUpdated {
            conversation_id, ..
        }
        | Event::ConversationRead {
            conversation_id, ..
        }
        | Event::AssigneeChanged {
            conversation_id, ..
        }
        | Event::TeamChanged {
            conversation_id, ..
        }
        | Event::ConversationContactChanged {
            conversation_id, ..
        } => {
            let view = rows.conversation(*conversation_id)?;
            let render = |view: &ConversationView| head.text(ConversationData::new(view, presence));
            // Chatwoot's `contact_inbox_tokens`: the contact hears of its conversation being
            // opened and of its status, not of assignments, reads or attribute changes.
            let for_contact = matches!(
                event,
                Event::ConversationCreated { .. } | Event::ConversationStatusChanged { .. }
            )
            .then(|| ContactCopy::of(view, render));
            Rendered {
                for_contact,
                ..Rendered::for_agents(account_id, name, render(view))
            }
        }
        Event::Typing {
            conversation_id,
            typist,
            is_private,
            ..
        } => {
            let view = rows.conversation(*conversation_id)?;
            let (user, except_user) = match typist {
                Typist::User(id) => (MessageSender::user(rows.user(*id)?), Some(*id)),
                Typist::Contact(id) => {
                    (MessageSender::contact(rows.contact(account_id, *id)?), None)
                }
            };
            let agents = head.text(TypingData::new(view, user.clone(), *is_private, presence));
            // The contact sees an agent typing a reply, never a note, and not its own typing
            // (Chatwoot's `typing_event_listener_tokens` leaves out the typist's token).
            let for_contact = (!*is_private && matches!(typist, Typist::User(_))).then(|| {
                ContactCopy::of(view, |view| {
                    head.text(TypingData::new(view, user.clone(), false, presence))
                })
            });
            Rendered {
                except_user,
                for_contact,
                ..Rendered::for_agents(account_id, name, agents)
            }
        }
        Event::ContactUpdated {
            account_id,
            contact_id,
        } => {
            let contact = rows.contact(*account_id, *contact_id)?;
            let agents = head.text(ContactData::new(contact, presence));
            Rendered::for_agents(*account_id, name, agents)
        }
        Event::CustomAttributeDefinitionsChanged { account_id } => {
            let data = serde_json::json!({ "account_id": account_id.get() });
            Rendered::for_agents(*account_id, name, head.text(data))
        }
        Event::AgentRemoved {
            account_id,
            user_id,
        } => {
            let data =
                serde_json::json!({ "account_id": account_id.get(), "user_id": user_id.get() });
            Rendered::for_agents(*account_id, name, head.text(data))
        }
        Event::InboxDeleted {
            account_id,
            inbox_id,
        } => {
            let data =
                serde_json::json!({ "account_id": account_id.get(), "inbox_id": inbox_id.get() });
            Rendered::for_agents(*account_id, name, head.text(data))
        }
    };
    Ok(Rendered {
        event_id: published.id,
        ..rendered
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::contact::ContactFields;
    use domain::{NewContact, NewConversation, NewInbox, Status};
    use std::time::Duration;

    /// An account with one open conversation; the event announcing a change to it.
    async fn a_conversation_update(store: &Store) -> Event {
        let account_id = store.accounts().create("Acme").await.unwrap().id;
        let inbox = NewInbox::validate(account_id, Some("Web"), None).unwrap();
        let inbox_id = store.inboxes().create(&inbox).await.unwrap().id;
        let fields = ContactFields {
            name: Some("Maria"),
            ..Default::default()
        };
        let contact = NewContact::validate(account_id, fields, Some(inbox_id)).unwrap();
        let contact_id = store.contacts().create(&contact).await.unwrap().contact.id;
        let view = store
            .conversations()
            .create(&NewConversation {
                account_id,
                inbox_id,
                contact_id,
                source_id: None,
                status: Status::Open,
                assignee_id: None,
                custom_attributes: Default::default(),
                additional_attributes: Default::default(),
                first_message: None,
            })
            .await
            .unwrap()
            .value;
        Event::ConversationUpdated {
            account_id,
            inbox_id,
            conversation_id: view.conversation.id,
        }
    }

    /// The next rendered event, past `presence.update`s.
    async fn next_event(rendered: &mut broadcast::Receiver<Arc<Rendered>>) -> Arc<Rendered> {
        loop {
            let message = rendered.recv().await.unwrap();
            if message.event != "presence.update" {
                return message;
            }
        }
    }

    #[tokio::test]
    async fn events_of_an_account_no_socket_here_listens_to_are_not_rendered() {
        let store = Store::sqlite_in_temp_dir().await.unwrap();
        let unwatched = a_conversation_update(&store).await;
        let watched = a_conversation_update(&store).await;
        let bus = EventBus::new();
        let hub = Hub::spawn(store, &bus);
        let mut rendered = hub.subscribe();
        let _watching = hub.listeners().listen([watched.account_id()]);
        // The hub keeps the bus's order: had the unwatched account's event been rendered, it
        // would come before the watched one's.
        bus.publish(vec![unwatched.clone(), watched.clone()]);
        let first = next_event(&mut rendered).await;
        assert_eq!(first.account_id, Some(watched.account_id()));
        // Once a socket listens to it (present there or not), its events are rendered.
        let _now_watching = hub.listeners().listen([unwatched.account_id()]);
        bus.publish(vec![unwatched.clone()]);
        let second = next_event(&mut rendered).await;
        assert_eq!(second.account_id, Some(unwatched.account_id()));
    }

    #[tokio::test]
    async fn events_that_cannot_be_rendered_reach_the_sockets_as_a_resync() {
        let store = Store::sqlite_in_temp_dir().await.unwrap();
        let event = a_conversation_update(&store).await;
        let bus = EventBus::new();
        let hub = Hub::spawn(store.clone(), &bus);
        let mut rendered = hub.subscribe();
        let _watching = hub.listeners().listen([event.account_id()]);
        // The database is gone: its rows cannot be read.
        store.close().await;
        bus.publish(vec![event]);
        let told = tokio::time::timeout(Duration::from_secs(10), next_event(&mut rendered))
            .await
            .expect("the sockets are told within 10 s");
        assert_eq!(told.event, "resync");
    }
}
