//! Who is connected, per account, on this instance: Chatwoot's `OnlineStatusTracker`, kept in
//! memory and by connection instead of Redis and a 60-second window. A socket holds a
//! [`Seat`] while subscribed; dropping it (unsubscribe, close, a dead socket) gives it up.
//! When the first seat of someone is taken or their last is given up, the account is
//! announced on [`Presence::changes`] so the hub broadcasts `presence.update`.
//!
//! It is also the one answer to "is this contact online" (`domain::ContactPresence`) that every
//! rendering of a contact asks: the API, `/cable` events, dashboard-app contexts, webhooks.

use domain::{AccountId, ContactId, UserId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::broadcast;

/// Someone who can be present.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Who {
    User(UserId),
    Contact(ContactId),
}

#[derive(Debug)]
pub struct Presence {
    /// Open seats per (account, person).
    seats: Mutex<HashMap<(AccountId, Who), usize>>,
    changes: broadcast::Sender<AccountId>,
}

impl Default for Presence {
    fn default() -> Self {
        Self {
            seats: Mutex::new(HashMap::new()),
            changes: broadcast::channel(256).0,
        }
    }
}

impl Presence {
    /// Marks `who` present in `account_id` until the seat is dropped.
    pub fn sit(self: &Arc<Self>, account_id: AccountId, who: Who) -> Seat {
        let first = {
            let mut seats = self.lock();
            let count = seats.entry((account_id, who)).or_insert(0);
            *count += 1;
            *count == 1
        };
        if first {
            let _ = self.changes.send(account_id);
        }
        Seat {
            presence: self.clone(),
            account_id,
            who,
        }
    }

    /// The users and contacts present in `account_id`, each sorted by id.
    pub fn present(&self, account_id: AccountId) -> (Vec<UserId>, Vec<ContactId>) {
        let seats = self.lock();
        let mut users = Vec::new();
        let mut contacts = Vec::new();
        for (account, who) in seats.keys() {
            if *account == account_id {
                match who {
                    Who::User(id) => users.push(*id),
                    Who::Contact(id) => contacts.push(*id),
                }
            }
        }
        users.sort_by_key(|id| id.get());
        contacts.sort_by_key(|id| id.get());
        (users, contacts)
    }

    /// Accounts whose present people changed.
    pub fn changes(&self) -> broadcast::Receiver<AccountId> {
        self.changes.subscribe()
    }

    fn leave(&self, account_id: AccountId, who: Who) {
        let last = {
            let mut seats = self.lock();
            match seats.get_mut(&(account_id, who)) {
                Some(count) if *count > 1 => {
                    *count -= 1;
                    false
                }
                Some(_) => {
                    seats.remove(&(account_id, who));
                    true
                }
                None => false,
            }
        };
        if last {
            let _ = self.changes.send(account_id);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(AccountId, Who), usize>> {
        self.seats.lock().expect("presence lock is never poisoned")
    }
}

/// A contact is online while any socket on this instance holds its seat: a visitor's widget
/// (or any client) subscribed with one of its contact inboxes' tokens.
impl domain::ContactPresence for Presence {
    fn is_online(&self, contact: &domain::Contact) -> bool {
        self.lock()
            .contains_key(&(contact.account_id, Who::Contact(contact.id)))
    }
}

/// One socket's presence in one account; gives it up when dropped.
#[derive(Debug)]
pub struct Seat {
    presence: Arc<Presence>,
    account_id: AccountId,
    who: Who,
}

impl Seat {
    pub fn account_id(&self) -> AccountId {
        self.account_id
    }
}

impl Drop for Seat {
    fn drop(&mut self) {
        self.presence.leave(self.account_id, self.who);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_person_is_present_while_any_of_their_seats_is_held() {
        let presence = Arc::new(Presence::default());
        let mut changes = presence.changes();
        let account = AccountId(1);
        let first = presence.sit(account, Who::User(UserId(3)));
        let second = presence.sit(account, Who::User(UserId(3)));
        let contact = presence.sit(account, Who::Contact(ContactId(9)));
        presence.sit(AccountId(2), Who::User(UserId(4)));
        assert_eq!(
            presence.present(account),
            (vec![UserId(3)], vec![ContactId(9)])
        );
        drop(first);
        assert_eq!(presence.present(account).0, vec![UserId(3)]);
        drop(second);
        drop(contact);
        assert_eq!(presence.present(account), (vec![], vec![]));
        // Announced: user 3 arrives, contact 9 arrives, account 2's user comes and goes,
        // user 3 leaves, contact 9 leaves. A second seat announces nothing.
        let mut announced = Vec::new();
        while let Ok(account) = changes.try_recv() {
            announced.push(account.get());
        }
        assert_eq!(announced, [1, 1, 2, 2, 1, 1]);
    }

    #[test]
    fn a_contact_is_online_in_its_own_account_while_its_seat_is_held() {
        use domain::ContactPresence;
        let presence = Arc::new(Presence::default());
        let contact = domain::Contact {
            id: ContactId(9),
            account_id: AccountId(1),
            name: None,
            email: None,
            phone_number: None,
            identifier: None,
            additional_attributes: Default::default(),
            custom_attributes: Default::default(),
            last_activity_at: None,
            created_at: 0,
        };
        assert_eq!(presence.availability_status(&contact), "offline");
        let elsewhere = presence.sit(AccountId(2), Who::Contact(ContactId(9)));
        let agent = presence.sit(AccountId(1), Who::User(UserId(9)));
        assert!(!presence.is_online(&contact));
        let seat = presence.sit(AccountId(1), Who::Contact(ContactId(9)));
        assert_eq!(presence.availability_status(&contact), "online");
        drop(seat);
        assert!(!presence.is_online(&contact));
        drop((elsewhere, agent));
    }
}
