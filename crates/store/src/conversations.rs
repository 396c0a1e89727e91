//! Conversations: the list with its filters and counts, one conversation with its thread, and
//! every change an agent makes (status, assignee, labels, attributes, read).

use crate::counts_cache::{CountsKey, PageKey, Tally};
use crate::error::found;
use crate::events::log_events;
use crate::filters::{self, Table};
use crate::messages::{insert, message_select, MessageRow, THREAD_LIMIT};
use crate::{json, on_pool, on_writer, Outcome, Store, StoreError};
use domain::app_capability::ActedBy;
use domain::conversation::{StatusChange, PAGE_SIZE};
use domain::{
    AccountId, Agent, AssigneeFilter, Contact, ContactId, ContactInboxId, Conversation,
    ConversationCounts, ConversationFilter, ConversationId, ConversationView, DisplayId,
    DomainError, Event, InboxId, ListedConversations, MessageId, NewConversation, NewMessage,
    Priority, Role, Status, Team, TeamId, User, UserId,
};
use sqlx::QueryBuilder;
use std::sync::Arc;

macro_rules! conversation_select {
    () => {
        "SELECT c.id, c.account_id, c.display_id, c.inbox_id, c.contact_id, c.contact_inbox_id, c.uuid, \
         c.status, c.assignee_id, c.team_id, c.priority, c.labels_json, c.custom_attributes_json, c.additional_attributes_json, \
         c.muted, c.snoozed_until, c.last_activity_at, c.agent_last_seen_at, c.assignee_last_seen_at, \
         c.contact_last_seen_at, c.created_at, \
         ct.name AS contact_name, ct.email AS contact_email, ct.phone_number AS contact_phone_number, \
         ct.identifier AS contact_identifier, \
         ct.additional_attributes_json AS contact_additional_attributes_json, \
         ct.custom_attributes_json AS contact_custom_attributes_json, \
         ct.last_activity_at AS contact_last_activity_at, ct.created_at AS contact_created_at, \
         i.channel_type, COALESCE(ci.hmac_verified, FALSE) AS hmac_verified, \
         u.name AS assignee_name, u.display_name AS assignee_display_name, u.email AS assignee_email, \
         u.pubsub_token AS assignee_pubsub_token, au.role AS assignee_role, \
         au.availability AS assignee_availability, au.auto_offline AS assignee_auto_offline, \
         t.name AS team_name, t.description AS team_description, \
         t.allow_auto_assign AS team_allow_auto_assign, \
         (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id AND m.message_type = 0 \
          AND m.created_at > c.agent_last_seen_at) AS unread_count \
         FROM conversations c \
         JOIN contacts ct ON ct.id = c.contact_id \
         JOIN inboxes i ON i.id = c.inbox_id \
         LEFT JOIN contact_inboxes ci ON ci.id = c.contact_inbox_id \
         LEFT JOIN users u ON u.id = c.assignee_id \
         LEFT JOIN account_users au ON au.user_id = c.assignee_id AND au.account_id = c.account_id \
         LEFT JOIN teams t ON t.id = c.team_id "
    };
}

const BY_DISPLAY_ID: &str = concat!(
    conversation_select!(),
    "WHERE c.account_id = $1 AND c.display_id = $2"
);
const BY_ID: &str = concat!(conversation_select!(), "WHERE c.id = $1");
const NEXT_DISPLAY_ID: &str =
    "UPDATE accounts SET conversation_seq = conversation_seq + 1 WHERE id = $1 RETURNING conversation_seq";
const INSERT: &str = "INSERT INTO conversations (account_id, display_id, inbox_id, contact_id, \
     contact_inbox_id, uuid, status, assignee_id, custom_attributes_json, additional_attributes_json, \
     last_activity_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id";
/// The inbox's next member in turn among those online, when its auto-assignment is on
/// (Chatwoot's round robin: the queue's first agent who is allowed, i.e. online).
const NEXT_IN_TURN: &str = "SELECT im.user_id FROM inbox_members im \
     JOIN inboxes i ON i.id = im.inbox_id \
     JOIN account_users au ON au.account_id = im.account_id AND au.user_id = im.user_id \
     WHERE im.inbox_id = $1 AND i.enable_auto_assignment = TRUE AND au.availability = 'online' \
     ORDER BY im.round_robin_turn, im.user_id LIMIT 1";
/// Moves the member given a conversation to the back of the inbox's queue.
const TAKE_TURN: &str = "UPDATE inbox_members SET round_robin_turn = \
     (SELECT MAX(round_robin_turn) + 1 FROM inbox_members WHERE inbox_id = $1) \
     WHERE inbox_id = $1 AND user_id = $2";
const SET_STATUS: &str = "UPDATE conversations SET status = $1, snoozed_until = $2 WHERE id = $3";
const SET_ASSIGNEE: &str = "UPDATE conversations SET assignee_id = $1 WHERE id = $2";
const SET_TEAM: &str = "UPDATE conversations SET team_id = $1 WHERE id = $2";
const SET_PRIORITY: &str = "UPDATE conversations SET priority = $1 WHERE id = $2";
const SET_LABELS: &str = "UPDATE conversations SET labels_json = $1 WHERE id = $2";
const CLEAR_LABELS: &str = "DELETE FROM conversation_labels WHERE conversation_id = $1";
const ADD_LABEL: &str =
    "INSERT INTO conversation_labels (conversation_id, account_id, title) VALUES ($1, $2, $3)";
const SET_CUSTOM: &str = "UPDATE conversations SET custom_attributes_json = $1 WHERE id = $2";
const CONTACT_SEEN: &str = "UPDATE conversations SET contact_last_seen_at = $1 WHERE id = $2";
/// The replies that the contact's reading at `$2` makes `read` (`Message::status`: outgoing or
/// template, not private, written after the contact last read and by `$2`), touched as
/// Chatwoot's status update touches them. Runs before `CONTACT_SEEN` moves the mark.
const CONTACT_READS: &str = "UPDATE messages SET updated_at = $2 \
     WHERE conversation_id = $1 AND message_type IN (1, 3) AND private = FALSE AND created_at <= $2 \
     AND created_at > (SELECT contact_last_seen_at FROM conversations WHERE id = $1) RETURNING id";
const MARK_READ: &str = "UPDATE conversations SET agent_last_seen_at = $1, \
     assignee_last_seen_at = CASE WHEN assignee_id = $2 THEN $1 ELSE assignee_last_seen_at END WHERE id = $3";
const CONTACT_IN_ACCOUNT: &str = "SELECT id FROM contacts WHERE account_id = $1 AND id = $2";
const MEMBER_ROLE: &str = "SELECT role FROM account_users WHERE account_id = $1 AND user_id = $2";

#[derive(sqlx::FromRow)]
struct ConversationRow {
    id: i64,
    account_id: i64,
    display_id: i64,
    inbox_id: i64,
    contact_id: i64,
    contact_inbox_id: Option<i64>,
    uuid: String,
    status: String,
    assignee_id: Option<i64>,
    team_id: Option<i64>,
    priority: Option<String>,
    labels_json: String,
    custom_attributes_json: String,
    additional_attributes_json: String,
    muted: bool,
    snoozed_until: Option<i64>,
    last_activity_at: i64,
    agent_last_seen_at: i64,
    assignee_last_seen_at: i64,
    contact_last_seen_at: i64,
    created_at: i64,
    contact_name: Option<String>,
    contact_email: Option<String>,
    contact_phone_number: Option<String>,
    contact_identifier: Option<String>,
    contact_additional_attributes_json: String,
    contact_custom_attributes_json: String,
    contact_last_activity_at: Option<i64>,
    contact_created_at: i64,
    channel_type: String,
    hmac_verified: bool,
    assignee_name: Option<String>,
    assignee_display_name: Option<String>,
    assignee_email: Option<String>,
    assignee_pubsub_token: Option<String>,
    assignee_role: Option<String>,
    assignee_availability: Option<String>,
    assignee_auto_offline: Option<bool>,
    team_name: Option<String>,
    team_description: Option<String>,
    team_allow_auto_assign: Option<bool>,
    unread_count: i64,
}

impl From<ConversationRow> for ConversationView {
    fn from(row: ConversationRow) -> Self {
        let account_id = AccountId(row.account_id);
        let assignee = match (row.assignee_id, row.assignee_name, row.assignee_role) {
            (Some(id), Some(name), Some(role)) => Some(Agent {
                user: User {
                    id: UserId(id),
                    name,
                    display_name: row.assignee_display_name,
                    email: row.assignee_email.unwrap_or_default(),
                    pubsub_token: row.assignee_pubsub_token.unwrap_or_default(),
                },
                account_id,
                role: Role::parse(&role).unwrap_or(Role::Agent),
                availability: row
                    .assignee_availability
                    .unwrap_or_else(|| "offline".into()),
                auto_offline: row.assignee_auto_offline.unwrap_or(true),
            }),
            _ => None,
        };
        let team = match (row.team_id, row.team_name) {
            (Some(id), Some(name)) => Some(Team {
                id: TeamId(id),
                account_id,
                name,
                description: row.team_description,
                allow_auto_assign: row.team_allow_auto_assign.unwrap_or(true),
            }),
            _ => None,
        };
        ConversationView {
            conversation: Conversation {
                id: ConversationId(row.id),
                account_id,
                display_id: DisplayId(row.display_id),
                inbox_id: InboxId(row.inbox_id),
                contact_id: ContactId(row.contact_id),
                contact_inbox_id: row.contact_inbox_id.map(ContactInboxId),
                uuid: row.uuid,
                status: Status::from_stored(&row.status),
                assignee_id: row.assignee_id.map(UserId),
                team_id: row.team_id.map(TeamId),
                priority: Priority::from_stored(row.priority.as_deref()),
                labels: json::strings(&row.labels_json),
                custom_attributes: json::object(&row.custom_attributes_json),
                additional_attributes: json::object(&row.additional_attributes_json),
                muted: row.muted,
                snoozed_until: row.snoozed_until,
                last_activity_at: row.last_activity_at,
                agent_last_seen_at: row.agent_last_seen_at,
                assignee_last_seen_at: row.assignee_last_seen_at,
                contact_last_seen_at: row.contact_last_seen_at,
                created_at: row.created_at,
            },
            contact: Contact {
                id: ContactId(row.contact_id),
                account_id,
                name: row.contact_name,
                email: row.contact_email,
                phone_number: row.contact_phone_number,
                identifier: row.contact_identifier,
                additional_attributes: json::object(&row.contact_additional_attributes_json),
                custom_attributes: json::object(&row.contact_custom_attributes_json),
                last_activity_at: row.contact_last_activity_at,
                created_at: row.contact_created_at,
            },
            channel_type: row.channel_type,
            hmac_verified: row.hmac_verified,
            assignee,
            team,
            messages: Vec::new(),
            all_messages_loaded: false,
            unread_count: row.unread_count,
        }
    }
}

/// One page of the conversation list, each with its last message, and the `meta` counts.
#[derive(Debug, Clone, PartialEq)]
pub struct ConversationPage {
    /// Shared with the page cache and every request it serves.
    pub conversations: Arc<ListedConversations>,
    pub counts: Option<ConversationCounts>,
}

/// Appends the WHERE clause of `filter` (all but the assignee part when `assignee` is false).
macro_rules! push_filters {
    ($qb:ident, $filter:expr, $assignee:expr, $dialect:expr) => {{
        let filter: &ConversationFilter = $filter;
        $qb.push(" WHERE c.account_id = ").push_bind(filter.account_id.get());
        push_scope(&mut $qb, &filter.scope);
        if let Some(search) = &filter.search {
            filters::push_search(&mut $qb, search);
        }
        filters::push_filter(&mut $qb, &filter.advanced, Table::Conversations, $dialect);
        if let Some(status) = filter.status {
            $qb.push(" AND c.status = ").push_bind(status.as_str());
        }
        if let Some(inbox_id) = filter.inbox_id {
            $qb.push(" AND c.inbox_id = ").push_bind(inbox_id.get());
        }
        if let Some(team_id) = filter.team_id {
            $qb.push(" AND c.team_id = ").push_bind(team_id.get());
        }
        if let Some(contact_id) = filter.contact_id {
            $qb.push(" AND c.contact_id = ").push_bind(contact_id.get());
        }
        if !filter.labels.is_empty() {
            $qb.push(" AND EXISTS (SELECT 1 FROM conversation_labels cl WHERE cl.conversation_id = c.id AND cl.title IN (");
            let mut titles = $qb.separated(", ");
            for title in &filter.labels {
                titles.push_bind(title.clone());
            }
            $qb.push("))");
        }
        if $assignee {
            match filter.assignee {
                AssigneeFilter::Me => {
                    $qb.push(" AND c.assignee_id = ").push_bind(filter.viewer.get());
                }
                AssigneeFilter::Unassigned => {
                    $qb.push(" AND c.assignee_id IS NULL");
                }
                AssigneeFilter::Assigned => {
                    $qb.push(" AND c.assignee_id IS NOT NULL");
                }
                AssigneeFilter::All => {}
            }
        }
    }};
}

/// Limits a query of `conversations c` to the inboxes `scope` allows (none, for an agent of no
/// inbox): the one place a member's scope becomes SQL.
pub(crate) fn push_scope<'q, DB: sqlx::Database>(
    qb: &mut QueryBuilder<'q, DB>,
    scope: &domain::Scope,
) where
    i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    let Some(inboxes) = scope.limited_to() else {
        return;
    };
    if inboxes.is_empty() {
        qb.push(" AND 1 = 0");
        return;
    }
    qb.push(" AND c.inbox_id IN (");
    let mut ids = qb.separated(", ");
    for inbox in inboxes {
        ids.push_bind(inbox.get());
    }
    qb.push(")");
}

pub struct Conversations<'a> {
    pub(crate) store: &'a Store,
}

impl Conversations<'_> {
    /// A page of the list, newest activity first, each conversation with its last message;
    /// with `counts`, the `meta` counts for the same status, inbox and label filters.
    pub async fn list(
        &self,
        filter: &ConversationFilter,
        counts: bool,
    ) -> Result<ConversationPage, StoreError> {
        // Searches and advanced filters are one-offs: read afresh, never cached.
        let conversations = if filter.is_ad_hoc() {
            Arc::new(ListedConversations::new(self.read_page(filter).await?))
        } else {
            let key = PageKey::of(filter);
            match self.store.pages.lookup(&key) {
                Ok(page) => page,
                Err(stamp) => {
                    let page = Arc::new(ListedConversations::new(self.read_page(filter).await?));
                    self.store.pages.keep(key, stamp, Arc::clone(&page));
                    page
                }
            }
        };
        let counts = if counts {
            Some(self.counts(filter).await?)
        } else {
            None
        };
        Ok(ConversationPage {
            conversations,
            counts,
        })
    }

    /// The filter's page from the database, each conversation with its last message.
    async fn read_page(
        &self,
        filter: &ConversationFilter,
    ) -> Result<Vec<ConversationView>, StoreError> {
        let dialect = self.store.dialect();
        let rows: Vec<ConversationRow> = match self.page_start(filter).await? {
            PageStart::PastTheEnd => Vec::new(),
            start => on_pool!(self.store, |pool| {
                let mut qb = QueryBuilder::new(conversation_select!());
                push_filters!(qb, filter, true, dialect);
                if let PageStart::At {
                    last_activity_at,
                    id,
                } = start
                {
                    // The first conjunct is the index range; the second settles equal times.
                    qb.push(" AND c.last_activity_at <= ")
                        .push_bind(last_activity_at)
                        .push(" AND (c.last_activity_at < ")
                        .push_bind(last_activity_at)
                        .push(" OR c.id <= ")
                        .push_bind(id)
                        .push(")");
                }
                qb.push(" ORDER BY c.last_activity_at DESC, c.id DESC LIMIT ")
                    .push_bind(PAGE_SIZE);
                qb.build_query_as().fetch_all(pool).await
            })?,
        };
        let mut conversations: Vec<ConversationView> =
            rows.into_iter().map(ConversationView::from).collect();
        self.attach_last_messages(&mut conversations).await?;
        Ok(conversations)
    }

    /// Where the filter's page begins. Keyset paging behind Chatwoot's `page`: rather than
    /// `OFFSET`, which joins and drops every row before the page, the sort key of the page's
    /// first row is read from the list's index alone, and the page query seeks to it.
    async fn page_start(&self, filter: &ConversationFilter) -> Result<PageStart, StoreError> {
        if filter.page <= 1 {
            return Ok(PageStart::Top);
        }
        let dialect = self.store.dialect();
        let key: Option<(i64, i64)> = on_pool!(self.store, |pool| {
            let mut qb = QueryBuilder::new("SELECT c.last_activity_at, c.id FROM conversations c");
            push_filters!(qb, filter, true, dialect);
            qb.push(" ORDER BY c.last_activity_at DESC, c.id DESC LIMIT 1 OFFSET ")
                .push_bind((filter.page - 1) * PAGE_SIZE);
            qb.build_query_as().fetch_optional(pool).await
        })?;
        Ok(match key {
            Some((last_activity_at, id)) => PageStart::At {
                last_activity_at,
                id,
            },
            None => PageStart::PastTheEnd,
        })
    }

    /// Chatwoot's `mine_count`, `assigned_count`, `unassigned_count` and `all_count`, from the
    /// per-account cache when it holds them (see `counts_cache`), else counted per assignee.
    pub async fn counts(
        &self,
        filter: &ConversationFilter,
    ) -> Result<ConversationCounts, StoreError> {
        let dialect = self.store.dialect();
        let count = || async {
            let per_assignee: Vec<(Option<i64>, i64)> = on_pool!(self.store, |pool| {
                let mut qb =
                    QueryBuilder::new("SELECT c.assignee_id, COUNT(*) FROM conversations c");
                push_filters!(qb, filter, false, dialect);
                qb.push(" GROUP BY c.assignee_id");
                qb.build_query_as().fetch_all(pool).await
            })?;
            Ok::<_, StoreError>(Tally::new(per_assignee))
        };
        // Searches and advanced filters are one-offs: counted afresh, never cached.
        if filter.is_ad_hoc() {
            return Ok(count().await?.counts(filter.viewer));
        }
        let key = CountsKey::of(filter);
        let tally = match self.store.counts.lookup(&key) {
            Ok(tally) => tally,
            Err(stamp) => {
                let tally = Arc::new(count().await?);
                self.store.counts.keep(key, stamp, Arc::clone(&tally));
                tally
            }
        };
        Ok(tally.counts(filter.viewer))
    }

    /// Loads each conversation's last message (what Chatwoot's list shows in `messages`).
    async fn attach_last_messages(
        &self,
        conversations: &mut [ConversationView],
    ) -> Result<(), StoreError> {
        if conversations.is_empty() {
            return Ok(());
        }
        let rows: Vec<MessageRow> = on_pool!(self.store, |pool| {
            let mut qb = QueryBuilder::new(message_select!());
            qb.push(" WHERE m.id IN (SELECT MAX(id) FROM messages WHERE conversation_id IN (");
            let mut ids = qb.separated(", ");
            for view in conversations.iter() {
                ids.push_bind(view.conversation.id.get());
            }
            qb.push(") GROUP BY conversation_id)");
            qb.build_query_as().fetch_all(pool).await
        })?;
        let mut messages: Vec<domain::Message> = rows
            .into_iter()
            .filter_map(|row| {
                let view = conversations
                    .iter()
                    .find(|v| v.conversation.id.get() == row.conversation_id)?;
                Some(row.into_message(&view.contact))
            })
            .collect();
        // Lists show the last message's files too (Chatwoot's `last_non_activity_message`).
        self.store.attachments().fill_many(&mut messages).await?;
        for message in messages {
            if let Some(view) = conversations
                .iter_mut()
                .find(|v| v.conversation.id == message.conversation_id)
            {
                view.messages.push(message);
            }
        }
        Ok(())
    }

    /// One conversation by its display id, with its thread (the latest [`THREAD_LIMIT`] messages).
    pub async fn find(
        &self,
        account_id: AccountId,
        display_id: DisplayId,
    ) -> Result<ConversationView, StoreError> {
        let row: Option<ConversationRow> =
            on_pool!(self.store, |pool| sqlx::query_as(BY_DISPLAY_ID)
                .bind(account_id.get())
                .bind(display_id.get())
                .fetch_optional(pool)
                .await)?;
        self.with_thread(found(row)?.into()).await
    }

    /// One conversation by its display id without its thread: what a new message needs (its
    /// columns and contact), without reading the latest [`THREAD_LIMIT`] messages.
    pub async fn find_without_thread(
        &self,
        account_id: AccountId,
        display_id: DisplayId,
    ) -> Result<ConversationView, StoreError> {
        let row: Option<ConversationRow> =
            on_pool!(self.store, |pool| sqlx::query_as(BY_DISPLAY_ID)
                .bind(account_id.get())
                .bind(display_id.get())
                .fetch_optional(pool)
                .await)?;
        Ok(found(row)?.into())
    }

    /// One conversation by its database id (for events), with its thread.
    pub async fn find_by_id(&self, id: ConversationId) -> Result<ConversationView, StoreError> {
        let row: Option<ConversationRow> = on_pool!(self.store, |pool| sqlx::query_as(BY_ID)
            .bind(id.get())
            .fetch_optional(pool)
            .await)?;
        self.with_thread(found(row)?.into()).await
    }

    /// One conversation by its database id with only its last message, as lists and events
    /// show it.
    pub async fn summary_by_id(&self, id: ConversationId) -> Result<ConversationView, StoreError> {
        let row: Option<ConversationRow> = on_pool!(self.store, |pool| sqlx::query_as(BY_ID)
            .bind(id.get())
            .fetch_optional(pool)
            .await)?;
        let mut views = [ConversationView::from(found(row)?)];
        self.attach_last_messages(&mut views).await?;
        let [view] = views;
        Ok(view)
    }

    /// The conversations `ids` names that still exist, each with its last message (what
    /// `summary_by_id` reads, for a burst of events at once).
    pub(crate) async fn summaries(
        &self,
        ids: &[ConversationId],
    ) -> Result<Vec<ConversationView>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<ConversationRow> = on_pool!(self.store, |pool| {
            let mut qb = QueryBuilder::new(conversation_select!());
            qb.push("WHERE c.id IN (");
            let mut list = qb.separated(", ");
            for id in ids {
                list.push_bind(id.get());
            }
            qb.push(")");
            qb.build_query_as().fetch_all(pool).await
        })?;
        let mut views: Vec<ConversationView> =
            rows.into_iter().map(ConversationView::from).collect();
        self.attach_last_messages(&mut views).await?;
        Ok(views)
    }

    async fn with_thread(
        &self,
        mut view: ConversationView,
    ) -> Result<ConversationView, StoreError> {
        let (messages, complete) = self
            .store
            .messages()
            .thread(&view, None, THREAD_LIMIT)
            .await?;
        view.messages = messages;
        view.all_messages_loaded = complete;
        Ok(view)
    }

    /// Opens a conversation with the next display id of the account, and its first message;
    /// one opened without an assignee goes to the inbox's next online member in turn when
    /// the inbox assigns automatically.
    pub async fn create(
        &self,
        new: &NewConversation,
    ) -> Result<Outcome<ConversationView>, StoreError> {
        let account = new.account_id;
        self.store
            .contacts()
            .require_inbox(account, new.inbox_id)
            .await?;
        self.require_contact(account, new.contact_id).await?;
        if let Some(assignee) = new.assignee_id {
            self.require_member(account, assignee, "assignee_id")
                .await?;
        }
        let (contact_inbox_id, _) = self
            .store
            .contacts()
            .contact_inbox(new.contact_id, new.inbox_id, new.source_id.as_deref())
            .await?;
        let now = domain::time::now();
        let uuid = uuid_like();
        let (id, events): (i64, Vec<Event>) = on_writer!(self.store, |pool| {
            let mut tx = pool.begin().await?;
            // The counter is bumped first, so the transaction takes the write lock at once.
            let display_id: i64 = sqlx::query_scalar(NEXT_DISPLAY_ID)
                .bind(account.get())
                .fetch_one(&mut *tx)
                .await?;
            // Round-robin auto-assignment of a new open conversation nobody was given, inside
            // the transaction: the account row's lock taken above makes concurrent creations
            // (on any instance) take turns one after another.
            let assignee: Option<i64> = match new.assignee_id {
                Some(assignee) => Some(assignee.get()),
                None if new.status == Status::Open => {
                    let next: Option<i64> = sqlx::query_scalar(NEXT_IN_TURN)
                        .bind(new.inbox_id.get())
                        .fetch_optional(&mut *tx)
                        .await?;
                    if let Some(user) = next {
                        sqlx::query(TAKE_TURN)
                            .bind(new.inbox_id.get())
                            .bind(user)
                            .execute(&mut *tx)
                            .await?;
                    }
                    next
                }
                None => None,
            };
            let id: i64 = sqlx::query_scalar(INSERT)
                .bind(account.get())
                .bind(display_id)
                .bind(new.inbox_id.get())
                .bind(new.contact_id.get())
                .bind(contact_inbox_id.get())
                .bind(&uuid)
                .bind(new.status.as_str())
                .bind(assignee)
                .bind(json::text(&new.custom_attributes))
                .bind(json::text(&new.additional_attributes))
                .bind(now)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
            let mut events = vec![Event::ConversationCreated {
                account_id: account,
                inbox_id: new.inbox_id,
                conversation_id: ConversationId(id),
            }];
            if let Some(first) = &new.first_message {
                let conversation = Draft {
                    id: ConversationId(id),
                    account_id: account,
                    inbox_id: new.inbox_id,
                    contact_id: new.contact_id,
                };
                let message_id = insert!(tx, conversation, first, now);
                events.push(Event::MessageCreated {
                    account_id: account,
                    inbox_id: new.inbox_id,
                    conversation_id: ConversationId(id),
                    message_id: MessageId(message_id),
                });
            }
            log_events!(self.store, tx, &events);
            tx.commit().await?;
            Ok::<_, sqlx::Error>((id, events))
        })?;
        self.store.observe_all(&events);
        let view = self.find_by_id(ConversationId(id)).await?;
        Ok(Outcome::new(view, events))
    }

    /// Changes the status, noting who did it in the thread.
    pub async fn set_status(
        &self,
        view: &ConversationView,
        change: StatusChange,
        by: impl Into<ActedBy<'_>>,
    ) -> Result<Outcome<ConversationView>, StoreError> {
        let by = by.into();
        let c = &view.conversation;
        let note = match change.status {
            Status::Snoozed => format!("Conversation was snoozed by {by}"),
            Status::Resolved => format!("Conversation was marked resolved by {by}"),
            Status::Pending => format!("Conversation was marked pending by {by}"),
            Status::Open => format!("Conversation was reopened by {by}"),
        };
        let activity = NewMessage::activity(note);
        let now = domain::time::now();
        let event = Event::ConversationStatusChanged {
            account_id: c.account_id,
            inbox_id: c.inbox_id,
            conversation_id: c.id,
        };
        let events = vec![event];
        on_writer!(self.store, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query(SET_STATUS)
                .bind(change.status.as_str())
                .bind(change.snoozed_until)
                .bind(c.id.get())
                .execute(&mut *tx)
                .await?;
            insert!(tx, c, activity, now);
            log_events!(self.store, tx, &events);
            tx.commit().await
        })?;
        self.reload(view, events).await
    }

    /// Assigns the conversation to a member of its account, or unassigns it with `None`.
    pub async fn assign(
        &self,
        view: &ConversationView,
        assignee: Option<UserId>,
        by: impl Into<ActedBy<'_>>,
    ) -> Result<Outcome<ConversationView>, StoreError> {
        let by = by.into();
        let c = &view.conversation;
        let note = match assignee {
            Some(id) => {
                let agent = self.require_member(c.account_id, id, "assignee_id").await?;
                if id == by.user.id {
                    format!("{by} self-assigned this conversation")
                } else {
                    format!("Assigned to {} by {by}", agent.user.name)
                }
            }
            None => format!("Conversation unassigned by {by}"),
        };
        let activity = NewMessage::activity(note);
        let now = domain::time::now();
        let event = Event::AssigneeChanged {
            account_id: c.account_id,
            inbox_id: c.inbox_id,
            conversation_id: c.id,
        };
        let events = vec![event];
        on_writer!(self.store, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query(SET_ASSIGNEE)
                .bind(assignee.map(UserId::get))
                .bind(c.id.get())
                .execute(&mut *tx)
                .await?;
            insert!(tx, c, activity, now);
            log_events!(self.store, tx, &events);
            tx.commit().await
        })?;
        self.reload(view, events).await
    }

    /// Assigns the conversation to a team of its account, or takes it off its team with
    /// `None`. The agent stays when they belong to the new team (or the team is removed); an
    /// agent outside the new team is unassigned in the same write, as Chatwoot's
    /// `AssignmentHandler#ensure_assignee_is_from_team` does. Announced as
    /// `conversation.updated` and `team.changed` (and `assignee.changed` when the agent left).
    /// Setting the team it already has changes nothing and announces nothing.
    pub async fn set_team(
        &self,
        view: &ConversationView,
        team: Option<TeamId>,
        by: impl Into<ActedBy<'_>>,
    ) -> Result<Outcome<ConversationView>, StoreError> {
        let by = by.into();
        let c = &view.conversation;
        let team = match team {
            Some(id) => Some(self.require_team(c.account_id, id).await?),
            None => None,
        };
        if team.as_ref().map(|t| t.id) == c.team_id {
            return Ok(Outcome::new(view.clone(), Vec::new()));
        }
        let unassign = match (&team, c.assignee_id) {
            (Some(team), Some(agent)) => !self.store.teams().has_member(team.id, agent).await?,
            _ => false,
        };
        // Chatwoot's `conversations.activity.team.{assigned,removed}`.
        let note = match (&team, &view.team) {
            (Some(team), _) => format!("Assigned to {} by {by}", team.name),
            (None, Some(old)) => format!("Unassigned from {} by {by}", old.name),
            (None, None) => format!("Conversation unassigned from its team by {by}"),
        };
        let activity = NewMessage::activity(note);
        let now = domain::time::now();
        let (account_id, inbox_id, conversation_id) = (c.account_id, c.inbox_id, c.id);
        let mut events = vec![
            Event::ConversationUpdated {
                account_id,
                inbox_id,
                conversation_id,
            },
            Event::TeamChanged {
                account_id,
                inbox_id,
                conversation_id,
            },
        ];
        if unassign {
            events.push(Event::AssigneeChanged {
                account_id,
                inbox_id,
                conversation_id,
            });
        }
        on_writer!(self.store, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query(SET_TEAM)
                .bind(team.as_ref().map(|t| t.id.get()))
                .bind(c.id.get())
                .execute(&mut *tx)
                .await?;
            if unassign {
                sqlx::query(SET_ASSIGNEE)
                    .bind(None::<i64>)
                    .bind(c.id.get())
                    .execute(&mut *tx)
                    .await?;
            }
            insert!(tx, c, activity, now);
            log_events!(self.store, tx, &events);
            tx.commit().await
        })?;
        self.reload(view, events).await
    }

    /// The account's team `id`, or a 422 naming `team_id`.
    pub async fn require_team(&self, account: AccountId, id: TeamId) -> Result<Team, StoreError> {
        match self.store.teams().find(account, id).await {
            Err(StoreError::NotFound) => {
                Err(DomainError::invalid("team_id", "Team does not exist in this account").into())
            }
            other => other,
        }
    }

    /// Sets or clears the priority (Chatwoot's `toggle_priority` and `PATCH`), noting it in
    /// the thread; announced as `conversation.updated`. No change announces nothing.
    pub async fn set_priority(
        &self,
        view: &ConversationView,
        priority: Option<Priority>,
        by: &User,
    ) -> Result<Outcome<ConversationView>, StoreError> {
        let c = &view.conversation;
        if priority == c.priority {
            return Ok(Outcome::new(view.clone(), Vec::new()));
        }
        // Chatwoot's `conversations.activity.priority.{added,updated,removed}`.
        let note = match (c.priority, priority) {
            (None, Some(new)) => format!("{} set the priority to {}", by.name, new.as_str()),
            (Some(old), Some(new)) => format!(
                "{} changed the priority from {} to {}",
                by.name,
                old.as_str(),
                new.as_str()
            ),
            (_, None) => format!("{} removed the priority", by.name),
        };
        let activity = NewMessage::activity(note);
        let now = domain::time::now();
        let event = Event::ConversationUpdated {
            account_id: c.account_id,
            inbox_id: c.inbox_id,
            conversation_id: c.id,
        };
        let events = vec![event];
        on_writer!(self.store, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query(SET_PRIORITY)
                .bind(priority.map(Priority::as_str))
                .bind(c.id.get())
                .execute(&mut *tx)
                .await?;
            insert!(tx, c, activity, now);
            log_events!(self.store, tx, &events);
            tx.commit().await
        })?;
        self.reload(view, events).await
    }

    /// Replaces the conversation's labels with `labels` (already validated). With `noted_by`,
    /// the change is noted in the thread in the same write ("Sam via Orders added vip"), as
    /// for a dashboard app's `add-label` and `remove-label`.
    pub async fn set_labels(
        &self,
        view: &ConversationView,
        labels: &[String],
        noted_by: Option<ActedBy<'_>>,
    ) -> Result<Outcome<ConversationView>, StoreError> {
        let c = &view.conversation;
        let activity = noted_by.and_then(|by| label_note(&c.labels, labels, by));
        let now = domain::time::now();
        let event = Event::ConversationUpdated {
            account_id: c.account_id,
            inbox_id: c.inbox_id,
            conversation_id: c.id,
        };
        let events = vec![event];
        on_writer!(self.store, |pool| {
            let mut tx = pool.begin().await?;
            if let Some(activity) = &activity {
                insert!(tx, c, activity, now);
            }
            sqlx::query(SET_LABELS)
                .bind(json::strings_text(labels))
                .bind(c.id.get())
                .execute(&mut *tx)
                .await?;
            sqlx::query(CLEAR_LABELS)
                .bind(c.id.get())
                .execute(&mut *tx)
                .await?;
            for title in labels {
                sqlx::query(ADD_LABEL)
                    .bind(c.id.get())
                    .bind(c.account_id.get())
                    .bind(title)
                    .execute(&mut *tx)
                    .await?;
            }
            log_events!(self.store, tx, &events);
            tx.commit().await
        })?;
        self.reload(view, events).await
    }

    /// Replaces the conversation's custom attributes. With `noted_by`, the change is noted in
    /// the thread in the same write, naming the keys ("Sam via Orders set plan").
    pub async fn set_custom_attributes(
        &self,
        view: &ConversationView,
        attributes: &serde_json::Map<String, serde_json::Value>,
        noted_by: Option<(ActedBy<'_>, &[String])>,
    ) -> Result<Outcome<ConversationView>, StoreError> {
        let c = &view.conversation;
        let activity = noted_by.map(|(by, keys)| {
            NewMessage::activity(format!("{by} set the conversation's {}", keys.join(", ")))
        });
        let now = domain::time::now();
        let event = Event::ConversationUpdated {
            account_id: c.account_id,
            inbox_id: c.inbox_id,
            conversation_id: c.id,
        };
        let events = vec![event];
        on_writer!(self.store, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query(SET_CUSTOM)
                .bind(json::text(attributes))
                .bind(c.id.get())
                .execute(&mut *tx)
                .await?;
            if let Some(activity) = &activity {
                insert!(tx, c, activity, now);
            }
            log_events!(self.store, tx, &events);
            tx.commit().await
        })?;
        self.reload(view, events).await
    }

    /// Marks the conversation read by `reader` (Chatwoot's `update_last_seen`).
    pub async fn mark_read(
        &self,
        view: &ConversationView,
        reader: UserId,
    ) -> Result<Outcome<ConversationView>, StoreError> {
        let c = &view.conversation;
        let now = domain::time::now();
        let event = Event::ConversationRead {
            account_id: c.account_id,
            inbox_id: c.inbox_id,
            conversation_id: c.id,
        };
        let events = vec![event];
        on_writer!(self.store, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query(MARK_READ)
                .bind(now)
                .bind(reader.get())
                .bind(c.id.get())
                .execute(&mut *tx)
                .await?;
            log_events!(self.store, tx, &events);
            tx.commit().await
        })?;
        self.reload(view, events).await
    }

    /// Marks the conversation read by its contact (the Client API's `update_last_seen`):
    /// agents' views learn it from `conversation.updated`, and each reply it makes `read`
    /// (`Message::status`) is announced as `message.updated`, as Chatwoot's
    /// `Conversations::UpdateMessageStatusJob` does, in the same write.
    pub async fn mark_read_by_contact(
        &self,
        view: &ConversationView,
    ) -> Result<Outcome<ConversationView>, StoreError> {
        let c = &view.conversation;
        let now = domain::time::now();
        let events = on_writer!(self.store, |pool| {
            let mut tx = pool.begin().await?;
            let mut read: Vec<i64> = sqlx::query_scalar(CONTACT_READS)
                .bind(c.id.get())
                .bind(now)
                .fetch_all(&mut *tx)
                .await?;
            sqlx::query(CONTACT_SEEN)
                .bind(now)
                .bind(c.id.get())
                .execute(&mut *tx)
                .await?;
            let mut events = vec![Event::ConversationUpdated {
                account_id: c.account_id,
                inbox_id: c.inbox_id,
                conversation_id: c.id,
            }];
            read.sort_unstable();
            events.extend(read.into_iter().map(|id| Event::MessageUpdated {
                account_id: c.account_id,
                inbox_id: c.inbox_id,
                conversation_id: c.id,
                message_id: MessageId(id),
            }));
            log_events!(self.store, tx, &events);
            tx.commit().await?;
            Ok::<_, sqlx::Error>(events)
        })?;
        self.reload(view, events).await
    }

    /// The tail of every change: caches follow the committed events, then the fresh view.
    async fn reload(
        &self,
        view: &ConversationView,
        events: Vec<Event>,
    ) -> Result<Outcome<ConversationView>, StoreError> {
        self.store.observe_all(&events);
        let fresh = self.find_by_id(view.conversation.id).await?;
        Ok(Outcome::new(fresh, events))
    }

    async fn require_contact(&self, account: AccountId, id: ContactId) -> Result<(), StoreError> {
        let found: Option<i64> =
            on_pool!(self.store, |pool| sqlx::query_scalar(CONTACT_IN_ACCOUNT)
                .bind(account.get())
                .bind(id.get())
                .fetch_optional(pool)
                .await)?;
        found
            .map(|_| ())
            .ok_or_else(|| DomainError::invalid("contact_id", "Contact does not exist").into())
    }

    async fn require_member(
        &self,
        account: AccountId,
        id: UserId,
        attribute: &str,
    ) -> Result<Agent, StoreError> {
        let role: Option<String> = on_pool!(self.store, |pool| sqlx::query_scalar(MEMBER_ROLE)
            .bind(account.get())
            .bind(id.get())
            .fetch_optional(pool)
            .await)?;
        if role.is_none() {
            return Err(DomainError::invalid(
                attribute,
                "Assignee is not an agent of this account",
            )
            .into());
        }
        self.store.users().agent(account, id).await
    }
}

/// Where a page of the list begins.
#[derive(Debug, Clone, Copy)]
enum PageStart {
    Top,
    /// At the row with this sort key (and after it in list order).
    At {
        last_activity_at: i64,
        id: i64,
    },
    /// The filter has fewer rows than the pages before this one.
    PastTheEnd,
}

/// The columns `insert!` reads from a conversation that is not committed yet.
struct Draft {
    id: ConversationId,
    account_id: AccountId,
    inbox_id: InboxId,
    contact_id: ContactId,
}

/// A random version-4-shaped UUID string (Chatwoot exposes `uuid` on conversations).
fn uuid_like() -> String {
    let hex = domain::password::random_token(64)
        .bytes()
        .map(|b| format!("{:x}", b % 16))
        .collect::<String>();
    format!(
        "{}-{}-4{}-a{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..32]
    )
}

/// The thread's note for a change of labels from `old` to `new` (Chatwoot's
/// `conversations.activity.labels.{added,removed}`), or `None` when nothing changed.
fn label_note(old: &[String], new: &[String], by: ActedBy<'_>) -> Option<NewMessage> {
    let added: Vec<&str> = new
        .iter()
        .filter(|l| !old.contains(l))
        .map(String::as_str)
        .collect();
    let removed: Vec<&str> = old
        .iter()
        .filter(|l| !new.contains(l))
        .map(String::as_str)
        .collect();
    let note = match (added.is_empty(), removed.is_empty()) {
        (true, true) => return None,
        (false, true) => format!("{by} added {}", added.join(", ")),
        (true, false) => format!("{by} removed {}", removed.join(", ")),
        (false, false) => format!(
            "{by} added {} and removed {}",
            added.join(", "),
            removed.join(", ")
        ),
    };
    Some(NewMessage::activity(note))
}
