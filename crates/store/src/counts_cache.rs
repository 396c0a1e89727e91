//! The conversation list's `meta` counts and its pages, cached per account and forgotten when a
//! committed write may have changed them.
//!
//! Counting every open conversation of an account on each list request was most of the list's
//! time (issue 6: 525 req/s with 100,000 conversations). One cached tally per filter serves
//! every agent: it holds the count per assignee, so `mine_count` is read for the asking agent.
//! A page of the list (its 25 rows with their last messages) is cached the same way, keyed by
//! everything that chooses its rows (issue 12: the rows crossing sqlx were a third of a
//! request's instructions).
//!
//! Both are an [`AccountCache`]. Writes forget what they change in two ways: this instance's store writes forget right after
//! their commit (so a client reading its own write sees it), and the event bus passes every
//! instance's events to [`crate::Store::observe`] (another instance's writes, through
//! PostgreSQL LISTEN). A tally counted while a write committed is never kept: each lookup
//! takes a stamp before counting, and a forget after that stamp voids the result.
//! A few writes announce no event (removing an agent, deleting an inbox); other instances learn
//! of those when [`TTL`] runs out.

use domain::{
    AccountId, ContactId, ConversationCounts, ConversationFilter, InboxId, Status, TeamId, UserId,
};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a tally is trusted without any event (bounds staleness from eventless writes made
/// on another instance).
pub const TTL: Duration = Duration::from_secs(10);
/// Distinct filters kept before the cache starts over (label combinations are unbounded).
const MAX_ENTRIES: usize = 4096;

/// What the counts depend on: the list's filters except the assignee tab.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct CountsKey {
    account_id: AccountId,
    /// Agents of different inboxes count different conversations.
    scope: domain::Scope,
    status: Option<Status>,
    inbox_id: Option<InboxId>,
    team_id: Option<TeamId>,
    contact_id: Option<ContactId>,
    labels: Vec<String>,
}

impl CountsKey {
    pub(crate) fn of(filter: &ConversationFilter) -> Self {
        let mut labels = filter.labels.clone();
        labels.sort_unstable();
        Self {
            account_id: filter.account_id,
            scope: filter.scope.clone(),
            status: filter.status,
            inbox_id: filter.inbox_id,
            team_id: filter.team_id,
            contact_id: filter.contact_id,
            labels,
        }
    }
}

/// What chooses a page's rows: the counts' key, the assignee tab (with the viewer when it is
/// "mine") and the page.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct PageKey {
    counts: CountsKey,
    assignee: domain::AssigneeFilter,
    /// Only for `assignee_type=me`: otherwise every agent of a scope shares the page.
    mine_of: Option<UserId>,
    page: i64,
}

impl PageKey {
    pub(crate) fn of(filter: &ConversationFilter) -> Self {
        Self {
            counts: CountsKey::of(filter),
            assignee: filter.assignee,
            mine_of: (filter.assignee == domain::AssigneeFilter::Me).then_some(filter.viewer),
            page: filter.page,
        }
    }
}

/// A key of an [`AccountCache`]: forgetting an account drops its keys.
pub(crate) trait OfAccount {
    fn account_id(&self) -> AccountId;
}

impl OfAccount for CountsKey {
    fn account_id(&self) -> AccountId {
        self.account_id
    }
}

impl OfAccount for PageKey {
    fn account_id(&self) -> AccountId {
        self.counts.account_id
    }
}

/// Conversations per assignee (`None`: unassigned) for one key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Tally(Vec<(Option<i64>, i64)>);

impl Tally {
    pub(crate) fn new(per_assignee: Vec<(Option<i64>, i64)>) -> Self {
        Self(per_assignee)
    }

    /// Chatwoot's four counts as `viewer` sees them.
    pub(crate) fn counts(&self, viewer: UserId) -> ConversationCounts {
        let mut counts = ConversationCounts::default();
        for &(assignee, n) in &self.0 {
            counts.all += n;
            match assignee {
                None => counts.unassigned += n,
                Some(id) => {
                    counts.assigned += n;
                    if id == viewer.get() {
                        counts.mine += n;
                    }
                }
            }
        }
        counts
    }
}

/// A clock value taken before reading; see [`AccountCache::keep`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Stamp(u64);

/// Values read from the database per key, trusted until their account is forgotten or [`TTL`]
/// runs out.
#[derive(Debug)]
pub(crate) struct AccountCache<K, V> {
    inner: Mutex<Inner<K, V>>,
}

pub(crate) type CountsCache = AccountCache<CountsKey, Tally>;
pub(crate) type PageCache = AccountCache<PageKey, domain::ListedConversations>;

impl<K, V> Default for AccountCache<K, V> {
    fn default() -> Self {
        Self {
            inner: Mutex::new(Inner {
                clock: 0,
                forgotten: HashMap::new(),
                forgotten_all: 0,
                entries: HashMap::new(),
            }),
        }
    }
}

#[derive(Debug)]
struct Inner<K, V> {
    /// Advances at every forget.
    clock: u64,
    /// The clock at the last forget of each account, and of everything.
    forgotten: HashMap<AccountId, u64>,
    forgotten_all: u64,
    entries: HashMap<K, Entry<V>>,
}

#[derive(Debug)]
struct Entry<V> {
    stamp: u64,
    at: Instant,
    value: Arc<V>,
}

impl<K, V> Inner<K, V> {
    fn is_current(&self, account_id: AccountId, stamp: u64) -> bool {
        stamp >= self.forgotten_all
            && stamp >= self.forgotten.get(&account_id).copied().unwrap_or(0)
    }
}

impl<K: OfAccount + Eq + std::hash::Hash, V> AccountCache<K, V> {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner<K, V>> {
        // A panic while holding this lock leaves plain maps behind, still consistent.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The cached value for `key`, or the stamp to read under and hand back to [`Self::keep`].
    pub(crate) fn lookup(&self, key: &K) -> Result<Arc<V>, Stamp> {
        let inner = self.lock();
        match inner.entries.get(key) {
            Some(entry)
                if entry.at.elapsed() < TTL && inner.is_current(key.account_id(), entry.stamp) =>
            {
                Ok(Arc::clone(&entry.value))
            }
            _ => Err(Stamp(inner.clock)),
        }
    }

    /// Keeps a value read after `stamp` was taken, unless its account was forgotten since.
    pub(crate) fn keep(&self, key: K, stamp: Stamp, value: Arc<V>) {
        let mut inner = self.lock();
        if !inner.is_current(key.account_id(), stamp.0) {
            return;
        }
        if inner.entries.len() >= MAX_ENTRIES {
            inner.entries.clear();
        }
        inner.entries.insert(
            key,
            Entry {
                stamp: stamp.0,
                at: Instant::now(),
                value,
            },
        );
    }

    /// Forgets every value of `account_id`, including any being read right now.
    pub(crate) fn forget(&self, account_id: AccountId) {
        let mut inner = self.lock();
        inner.clock += 1;
        let now = inner.clock;
        inner.forgotten.insert(account_id, now);
        inner
            .entries
            .retain(|key, _| key.account_id() != account_id);
    }

    /// Forgets everything (events may have been missed).
    pub(crate) fn forget_all(&self) {
        let mut inner = self.lock();
        inner.clock += 1;
        inner.forgotten_all = inner.clock;
        inner.entries.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(account: i64) -> CountsKey {
        CountsKey::of(&ConversationFilter::new(
            AccountId(account),
            UserId(1),
            domain::Scope::All,
        ))
    }

    fn tally(n: i64) -> Arc<Tally> {
        Arc::new(Tally::new(vec![(None, n), (Some(1), 2), (Some(2), 3)]))
    }

    #[test]
    fn a_tally_gives_each_viewer_their_own_mine_count() {
        let counts = tally(4).counts(UserId(2));
        assert_eq!(
            counts,
            ConversationCounts {
                mine: 3,
                assigned: 5,
                unassigned: 4,
                all: 9
            }
        );
        assert_eq!(tally(4).counts(UserId(9)).mine, 0);
    }

    #[test]
    fn a_kept_tally_is_served_until_its_account_is_forgotten() {
        let cache = CountsCache::default();
        let stamp = cache.lookup(&key(1)).unwrap_err();
        cache.keep(key(1), stamp, tally(4));
        cache.keep(key(2), stamp, tally(7));
        assert_eq!(*cache.lookup(&key(1)).unwrap(), *tally(4));
        cache.forget(AccountId(1));
        assert!(cache.lookup(&key(1)).is_err());
        assert_eq!(*cache.lookup(&key(2)).unwrap(), *tally(7));
        cache.forget_all();
        assert!(cache.lookup(&key(2)).is_err());
    }

    #[test]
    fn a_tally_counted_across_a_forget_is_not_kept() {
        let cache = CountsCache::default();
        let stamp = cache.lookup(&key(1)).unwrap_err();
        // A write commits and forgets while this tally is being counted: it may be stale.
        cache.forget(AccountId(1));
        cache.keep(key(1), stamp, tally(4));
        assert!(cache.lookup(&key(1)).is_err());
        // Counted after the forget, it is kept.
        let fresh = cache.lookup(&key(1)).unwrap_err();
        cache.keep(key(1), fresh, tally(5));
        assert_eq!(*cache.lookup(&key(1)).unwrap(), *tally(5));
    }

    #[test]
    fn a_page_of_mine_is_each_viewers_own_and_other_tabs_are_shared() {
        let filter = |viewer: i64, assignee| {
            let mut filter =
                ConversationFilter::new(AccountId(1), UserId(viewer), domain::Scope::All);
            filter.assignee = assignee;
            filter
        };
        use domain::AssigneeFilter::{All, Me};
        assert_ne!(PageKey::of(&filter(1, Me)), PageKey::of(&filter(2, Me)));
        assert_eq!(PageKey::of(&filter(1, All)), PageKey::of(&filter(2, All)));
        let mut next = filter(1, All);
        next.page = 2;
        assert_ne!(PageKey::of(&filter(1, All)), PageKey::of(&next));
    }

    #[test]
    fn labels_in_any_order_share_one_entry() {
        let mut a = ConversationFilter::new(AccountId(1), UserId(1), domain::Scope::All);
        a.labels = vec!["b".into(), "a".into()];
        let mut b = a.clone();
        b.labels = vec!["a".into(), "b".into()];
        assert_eq!(CountsKey::of(&a), CountsKey::of(&b));
    }
}
