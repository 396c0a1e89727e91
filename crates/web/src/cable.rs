//! `/cable`: the subset of ActionCable's JSON protocol that Chatwoot's clients speak, under the
//! `actioncable-v1-json` subprotocol when the client offers it (`@rails/actioncable` drops every
//! frame otherwise). `welcome` on connect, a `ping` every 3 s, `subscribe` to `RoomChannel`
//! with a `pubsub_token` → `confirm_subscription` (or `reject_subscription`), then one
//! `message` frame per event the subscriber may see: an agent, the events of the inboxes they
//! are a member of as membership stands at broadcast (`Rendered::audience`), administrators
//! all of their account's. As Chatwoot's `RoomChannel`: an agent's
//! token with a `user_id` that is not theirs, or an `account_id` they are no member of, is
//! rejected; a contact inbox's token (the widget's) subscribes its contact, who gets only its
//! own conversations' public messages, typing, creation and status changes (Chatwoot's
//! `contact_tokens`), without the contact's fields unless it may see them. `presence.update`
//! answers a subscription and `update_presence`, and goes to the account's agents when who is
//! connected changes. Ours beyond ActionCable: each logged event carries its `event_id`; a
//! fresh subscription's confirmation names the log's end (`last_event_id`), and a subscription
//! naming `last_event_id` in its identifier gets what it missed replayed (`replay`). The
//! payloads are rendered once by the `Hub`; the bodies are `domain::wire::cable`'s.

use crate::state::AppState;
use axum::extract::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use domain::wire::cable::{frame, resync, resync_from, Command, Control, Identifier, PROTOCOL};
use domain::{AccountId, ContactId, ContactInboxId, InboxId, UserId};
use futures_util::{SinkExt, StreamExt};
use realtime::{Listening, Published, Rendered, Seat, Who};
use std::collections::HashSet;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

pub use domain::wire::cable::MAX_COMMAND;

/// How often the server pings (ActionCable's beat).
const PING_EVERY: Duration = Duration::from_secs(3);
/// A socket that sends nothing for this long is closed. ActionCable's JSON pings are never
/// answered, so each beat also sends a WebSocket ping, which browsers and WebSocket libraries
/// answer with a pong on their own: a live client is never idle this long, while a vanished
/// one (a laptop closed mid-session, a half-open TCP connection) stops holding a task.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(30);
/// A frame that cannot be written within this long (the client stopped reading) ends the
/// socket rather than holding it open.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// Per-socket buffers. Clients send a few small commands and we send small frames, so the
/// library's 128 KiB defaults would make each idle socket cost ~130 KB.
const READ_BUFFER: usize = 4 * 1024;
const WRITE_BUFFER: usize = 4 * 1024;

/// `GET /cable`.
pub async fn connect(State(state): State<AppState>, upgrade: WebSocketUpgrade) -> Response {
    upgrade
        .protocols([PROTOCOL])
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(WRITE_BUFFER)
        .max_message_size(MAX_COMMAND)
        .on_upgrade(move |socket| session(socket, state))
}

/// Reads a client frame; `None` for anything that is not a well-formed command with a usable
/// identifier.
pub fn parse_command(text: &str) -> Option<(Command, Identifier)> {
    let command = Command::parse(text)?;
    let identifier = command.identifier().ok()?;
    Some((command, identifier))
}

/// Who a subscription speaks for.
enum Subscriber {
    /// An agent: each event whose audience, decided at broadcast from current membership,
    /// includes them (so a removal or a new membership applies to an open socket).
    Agent { user_id: UserId },
    /// A contact, through one contact inbox: its own conversations only. Once verified, every
    /// conversation of the contact in that inbox, as the Client API shows them.
    Contact {
        account_id: AccountId,
        inbox_id: InboxId,
        contact_id: ContactId,
        contact_inbox_id: ContactInboxId,
        hmac_verified: bool,
        /// Whether it may see its contact's fields (`ContactInbox::may_see_contact`).
        may_see_contact: bool,
    },
}

struct Subscription {
    identifier: String,
    subscriber: Subscriber,
    /// The accounts whose events it may hear of (a contact's: its own).
    accounts: HashSet<AccountId>,
    /// Log ids up to here were replayed on resuming: their live copies are not sent again.
    replayed_through: i64,
    /// The account whose presence it follows (Chatwoot's `current_account`).
    presence_account: Option<AccountId>,
    /// Held while subscribed: the subscriber is present in these accounts.
    _seats: Vec<Seat>,
    /// Held while subscribed: the hub renders `accounts`' events (taken before any replay).
    _listening: Listening,
}

impl Subscription {
    /// The text this subscription gets of live `rendered`, if any: none for what it was
    /// already sent when it resumed.
    fn receives<'a>(&self, rendered: &'a Rendered) -> Option<&'a str> {
        if rendered
            .event_id
            .is_some_and(|id| id <= self.replayed_through)
        {
            return None;
        }
        self.may_see(rendered)
    }

    /// The text of `rendered` this subscriber may see, if any.
    fn may_see<'a>(&self, rendered: &'a Rendered) -> Option<&'a str> {
        let Some(account_id) = rendered.account_id else {
            return Some(&rendered.message);
        };
        match &self.subscriber {
            Subscriber::Agent { user_id } => rendered
                .reaches_agent(*user_id)
                .then_some(&rendered.message),
            Subscriber::Contact {
                account_id: own,
                inbox_id,
                contact_id,
                contact_inbox_id,
                hmac_verified,
                may_see_contact,
            } => {
                let copy = rendered.for_contact.as_ref()?;
                let owner = &copy.conversation;
                let mine = owner.contact_inbox_id == Some(*contact_inbox_id)
                    || (*hmac_verified && owner.contact_id == *contact_id);
                let text = if *may_see_contact {
                    &copy.message
                } else {
                    &copy.withheld
                };
                (account_id == *own && owner.inbox_id == *inbox_id && mine).then_some(text)
            }
        }
    }
}

async fn session(socket: WebSocket, state: AppState) {
    let (mut sink, mut stream) = socket.split();
    let mut events = state.hub.subscribe();
    let mut subscriptions: Vec<Subscription> = Vec::new();
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.tick().await;
    let mut last_heard = tokio::time::Instant::now();
    if send(&mut sink, Control::Welcome.to_text()).await.is_err() {
        return;
    }
    loop {
        let outgoing: Vec<String> = tokio::select! {
            _ = ping.tick() => {
                if last_heard.elapsed() > IDLE_TIMEOUT {
                    break;
                }
                let probe = sink.send(Message::Ping(Default::default()));
                if !matches!(tokio::time::timeout(WRITE_TIMEOUT, probe).await, Ok(Ok(()))) {
                    return;
                }
                vec![Control::Ping { message: domain::time::now() }.to_text()]
            }
            incoming = stream.next() => {
                last_heard = tokio::time::Instant::now();
                match incoming {
                    Some(Ok(Message::Text(text))) => handle(&state, &mut subscriptions, text.as_str()).await,
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                    // Pongs (and pings) only show the client is alive.
                    Some(Ok(_)) => Vec::new(),
                }
            }
            event = events.recv() => match event {
                Ok(rendered) => subscriptions
                    .iter()
                    .filter_map(|s| s.receives(&rendered).map(|text| frame(&s.identifier, text)))
                    .collect(),
                // Fell behind: tell the client to reload rather than pretend nothing was missed.
                Err(RecvError::Lagged(_)) => subscriptions
                    .iter()
                    .map(|s| frame(&s.identifier, &resync()))
                    .collect(),
                Err(RecvError::Closed) => break,
            },
        };
        for text in outgoing {
            if send(&mut sink, text).await.is_err() {
                return;
            }
        }
    }
}

async fn handle(
    state: &AppState,
    subscriptions: &mut Vec<Subscription>,
    text: &str,
) -> Vec<String> {
    let Some(command) = Command::parse(text) else {
        return Vec::new();
    };
    let identifier = command.identifier.clone();
    match command.command.as_str() {
        "subscribe" => {
            subscriptions.retain(|s| s.identifier != identifier);
            let Some((mut subscription, resume_after)) = subscribe(state, &command).await else {
                return vec![Control::RejectSubscription { identifier }.to_text()];
            };
            // A fresh subscription hears live every event past the log's end as it starts,
            // so that end is where it can resume from, though no event reach it before a drop.
            let last_event_id = match resume_after {
                Some(_) => None,
                None => state
                    .store
                    .events()
                    .last_id()
                    .await
                    .inspect_err(|error| tracing::warn!(%error, "could not read the log's end"))
                    .ok(),
            };
            let mut replies = vec![Control::ConfirmSubscription {
                identifier: identifier.clone(),
                last_event_id,
            }
            .to_text()];
            replies.extend(presence(state, &subscription).await);
            if let Some(last_seen) = resume_after {
                replies.extend(replay(state, &mut subscription, last_seen).await);
            }
            subscriptions.push(subscription);
            replies
        }
        "unsubscribe" => {
            subscriptions.retain(|s| s.identifier != identifier);
            Vec::new()
        }
        // ActionCable's `perform`: RoomChannel's one action.
        "message" if command.action().as_deref() == Some("update_presence") => {
            match subscriptions.iter().find(|s| s.identifier == identifier) {
                Some(subscription) => presence(state, subscription).await.into_iter().collect(),
                None => Vec::new(),
            }
        }
        _ => Vec::new(),
    }
}

/// Chatwoot's `RoomChannel#subscribed`: the subscription `command` asks for with the event id
/// it resumes after, or `None` when it must be rejected.
async fn subscribe(state: &AppState, command: &Command) -> Option<(Subscription, Option<i64>)> {
    let identifier = command.identifier().ok()?;
    let subscription = subscription(state, command, &identifier).await?;
    Some((subscription, identifier.last_event_id))
}

async fn subscription(
    state: &AppState,
    command: &Command,
    identifier: &domain::wire::cable::Identifier,
) -> Option<Subscription> {
    if identifier.channel != "RoomChannel" {
        return None;
    }
    let token = identifier.pubsub_token.as_deref()?;
    let presence = state.hub.presence();
    let user = state.store.users().by_pubsub_token(token).await.ok();
    match (user, identifier.user_id) {
        (Some(user), user_id) => {
            if user_id.is_some_and(|id| id != user.id.get()) {
                return None;
            }
            let memberships = state.store.users().memberships(user.id).await.ok()?;
            let accounts: HashSet<AccountId> = memberships
                .into_iter()
                .map(|(account, _)| account.id)
                .collect();
            let presence_account = match identifier.account_id {
                Some(id) if !accounts.contains(&AccountId(id)) => return None,
                Some(id) => Some(AccountId(id)),
                None => None,
            };
            // Present in the account it follows, or (our own dashboard, which names none)
            // in each of theirs.
            let seats = match presence_account {
                Some(account) => vec![presence.sit(account, Who::User(user.id))],
                None => accounts
                    .iter()
                    .map(|account| presence.sit(*account, Who::User(user.id)))
                    .collect(),
            };
            Some(Subscription {
                identifier: command.identifier.clone(),
                subscriber: Subscriber::Agent { user_id: user.id },
                _listening: state.hub.listeners().listen(accounts.iter().copied()),
                accounts,
                replayed_through: 0,
                presence_account,
                _seats: seats,
            })
        }
        // A `user_id` names an agent, and this token is none of theirs.
        (None, Some(_)) => None,
        (None, None) => {
            let contact_inbox = state
                .store
                .contact_inboxes()
                .by_pubsub_token(token)
                .await
                .ok()?;
            let account_id = contact_inbox.account_id();
            let seat = presence.sit(account_id, Who::Contact(contact_inbox.contact_id));
            Some(Subscription {
                identifier: command.identifier.clone(),
                subscriber: Subscriber::Contact {
                    account_id,
                    inbox_id: contact_inbox.inbox.id,
                    contact_id: contact_inbox.contact_id,
                    contact_inbox_id: contact_inbox.id,
                    hmac_verified: contact_inbox.hmac_verified,
                    may_see_contact: contact_inbox.may_see_contact(),
                },
                accounts: HashSet::from([account_id]),
                replayed_through: 0,
                presence_account: Some(account_id),
                _seats: vec![seat],
                _listening: state.hub.listeners().listen([account_id]),
            })
        }
    }
}

/// At most this many missed events are replayed; past that, reloading costs less.
const REPLAY_LIMIT: i64 = 500;

/// What a client resuming after log id `last_seen` missed, framed for `subscription`, oldest
/// first; `subscription` then skips the live copies of what was replayed. A `resync` instead
/// when the log no longer holds everything after `last_seen` (pruned, or another database's
/// id), when more than [`REPLAY_LIMIT`] events were missed, or when the log cannot be read;
/// it names the log's end when known, for the client to resume from next time.
async fn replay(state: &AppState, subscription: &mut Subscription, last_seen: i64) -> Vec<String> {
    let log = state.store.events();
    let newest = log.last_id().await;
    let resync = vec![frame(
        &subscription.identifier,
        &resync_from(newest.as_ref().ok().copied()),
    )];
    let (Ok(true), Ok(newest)) = (log.holds_everything_after(last_seen).await, newest) else {
        return resync;
    };
    if last_seen > newest {
        return resync;
    }
    let Ok(missed) = log.since(last_seen, REPLAY_LIMIT + 1).await else {
        return resync;
    };
    if missed.len() > REPLAY_LIMIT as usize {
        return resync;
    }
    if let Some(last) = missed.last() {
        subscription.replayed_through = last.id;
    }
    let mine: Vec<Published> = missed
        .into_iter()
        .filter(|logged| subscription.accounts.contains(&logged.event.account_id()))
        .map(|logged| Published {
            id: Some(logged.id),
            event: logged.event,
            performer: logged.performer,
        })
        .collect();
    match realtime::render_burst(&state.store, state.presence(), &mine).await {
        Ok(rendered) => rendered
            .iter()
            .filter_map(|rendered| subscription.may_see(rendered))
            .map(|text| frame(&subscription.identifier, text))
            .collect(),
        Err(error) => {
            tracing::warn!(%error, "could not replay events");
            subscription.replayed_through = 0;
            resync
        }
    }
}

/// `presence.update` for `subscription`'s account, framed for it (`None` when it follows no
/// account, or the account cannot be read just now).
async fn presence(state: &AppState, subscription: &Subscription) -> Option<String> {
    let account_id = subscription.presence_account?;
    let with_contacts = matches!(subscription.subscriber, Subscriber::Agent { .. });
    let message = realtime::presence_update(
        &state.store,
        state.hub.presence(),
        account_id,
        with_contacts,
    )
    .await
    .inspect_err(|error| tracing::warn!(%error, "could not render presence"))
    .ok()?;
    Some(frame(&subscription.identifier, &message))
}

async fn send(
    sink: &mut futures_util::stream::SplitSink<WebSocket, Message>,
    text: String,
) -> Result<(), axum::Error> {
    match tokio::time::timeout(
        WRITE_TIMEOUT,
        sink.send(Message::Text(Utf8Bytes::from(text))),
    )
    .await
    {
        Ok(sent) => sent,
        Err(_) => Err(axum::Error::new("the client stopped reading")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_carry_their_identifier_as_json_text() {
        let text = r#"{"command":"subscribe","identifier":"{\"channel\":\"RoomChannel\",\"pubsub_token\":\"abc\",\"account_id\":1,\"user_id\":\"3\"}"}"#;
        let (command, identifier) = parse_command(text).unwrap();
        assert_eq!(command.command, "subscribe");
        assert_eq!(identifier.channel, "RoomChannel");
        assert_eq!(identifier.pubsub_token.as_deref(), Some("abc"));
        assert_eq!(identifier.account_id, Some(1));
        assert_eq!(identifier.user_id, Some(3));
        for bad in [
            "",
            "{}",
            "[1]",
            r#"{"command":"subscribe","identifier":"nope"}"#,
            r#"{"command":"subscribe","identifier":"{\"channel\":\"RoomChannel\",\"user_id\":\"three\"}"}"#,
        ] {
            assert!(parse_command(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn a_perform_names_its_action_in_its_data() {
        let text = r#"{"command":"message","identifier":"{\"channel\":\"RoomChannel\"}","data":"{\"action\":\"update_presence\"}"}"#;
        let command = Command::parse(text).unwrap();
        assert_eq!(command.action().as_deref(), Some("update_presence"));
        let text = r#"{"command":"message","identifier":"{}","data":{"action":"update_presence"}}"#;
        assert_eq!(Command::parse(text).unwrap().action(), None);
    }
}
