//! Which accounts' events some socket on this instance subscribes to. Wider than presence: an
//! agent whose client names one account (Chatwoot's `account_id`) is present there alone, but
//! hears the events of every account it belongs to, as Chatwoot streams them to its token. The
//! hub renders an event only when its account has a listener here.

use domain::AccountId;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

#[derive(Debug, Default)]
pub struct Listeners {
    /// Open subscriptions per account.
    counts: Mutex<HashMap<AccountId, usize>>,
}

impl Listeners {
    /// Counts a subscription to `accounts`' events until the returned guard is dropped.
    pub fn listen(self: &Arc<Self>, accounts: impl IntoIterator<Item = AccountId>) -> Listening {
        let accounts: Vec<AccountId> = accounts.into_iter().collect();
        let mut counts = self.lock();
        for account in &accounts {
            *counts.entry(*account).or_insert(0) += 1;
        }
        Listening {
            listeners: self.clone(),
            accounts,
        }
    }

    /// Whether some subscription here hears `account_id`'s events.
    pub fn any_for(&self, account_id: AccountId) -> bool {
        self.lock().contains_key(&account_id)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<AccountId, usize>> {
        self.counts
            .lock()
            .expect("the listeners lock is never poisoned")
    }
}

/// One subscription's hold on its accounts' events; released when dropped.
#[derive(Debug)]
pub struct Listening {
    listeners: Arc<Listeners>,
    accounts: Vec<AccountId>,
}

impl Drop for Listening {
    fn drop(&mut self) {
        let mut counts = self.listeners.lock();
        for account in &self.accounts {
            if let Some(count) = counts.get_mut(account) {
                *count -= 1;
                if *count == 0 {
                    counts.remove(account);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_is_listened_to_while_any_subscription_to_it_is_held() {
        let listeners = Arc::new(Listeners::default());
        let both = listeners.listen([AccountId(1), AccountId(2)]);
        let one = listeners.listen([AccountId(1)]);
        assert!(listeners.any_for(AccountId(1)) && listeners.any_for(AccountId(2)));
        assert!(!listeners.any_for(AccountId(3)));
        drop(both);
        assert!(listeners.any_for(AccountId(1)));
        assert!(!listeners.any_for(AccountId(2)));
        drop(one);
        assert!(!listeners.any_for(AccountId(1)));
    }
}
