//! Conversations: their status, assignment, labels and the filters of the conversation list.

use crate::{
    validate, AccountId, Agent, Contact, ContactId, ContactInboxId, ConversationId, DisplayId,
    DomainError, InboxId, Message, Team, TeamId, UserId,
};
use serde_json::{Map, Value};

/// Chatwoot's conversation statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    Open,
    Resolved,
    Pending,
    Snoozed,
}

impl Status {
    pub const ALL: [Status; 4] = [
        Status::Open,
        Status::Pending,
        Status::Snoozed,
        Status::Resolved,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Resolved => "resolved",
            Status::Pending => "pending",
            Status::Snoozed => "snoozed",
        }
    }

    pub fn parse(text: &str) -> Result<Status, DomainError> {
        match text {
            "open" => Ok(Status::Open),
            "resolved" => Ok(Status::Resolved),
            "pending" => Ok(Status::Pending),
            "snoozed" => Ok(Status::Snoozed),
            _ => Err(DomainError::invalid(
                "status",
                "Status must be one of open, resolved, pending, snoozed",
            )),
        }
    }

    /// The status a stored string names; unknown text (never written by us) reads as open.
    pub fn from_stored(text: &str) -> Status {
        Status::parse(text).unwrap_or(Status::Open)
    }
}

/// Chatwoot's conversation priorities (`enum priority: { low, medium, high, urgent }`); a
/// conversation without one has `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Priority {
    Low,
    Medium,
    High,
    Urgent,
}

impl Priority {
    /// Most urgent first, as a picker lists them.
    pub const ALL: [Priority; 4] = [
        Priority::Urgent,
        Priority::High,
        Priority::Medium,
        Priority::Low,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Medium => "medium",
            Priority::High => "high",
            Priority::Urgent => "urgent",
        }
    }

    /// What `toggle_priority` and `PATCH` take: a priority's name, or `null`/`""` for none
    /// (Chatwoot's `priority.presence`).
    pub fn parse(value: &Value) -> Result<Option<Priority>, DomainError> {
        match value {
            Value::Null => Ok(None),
            Value::String(text) => match text.as_str() {
                "" => Ok(None),
                "low" => Ok(Some(Priority::Low)),
                "medium" => Ok(Some(Priority::Medium)),
                "high" => Ok(Some(Priority::High)),
                "urgent" => Ok(Some(Priority::Urgent)),
                _ => Err(bad_priority()),
            },
            _ => Err(bad_priority()),
        }
    }

    /// The priority a stored string names; unknown text (never written by us) reads as none.
    pub fn from_stored(text: Option<&str>) -> Option<Priority> {
        text.and_then(|t| Priority::parse(&Value::String(t.to_owned())).ok().flatten())
    }
}

fn bad_priority() -> DomainError {
    DomainError::invalid(
        "priority",
        "Priority must be one of urgent, high, medium, low or null",
    )
}

#[derive(Debug, Clone, PartialEq)]
pub struct Conversation {
    pub id: ConversationId,
    pub account_id: AccountId,
    pub display_id: DisplayId,
    pub inbox_id: InboxId,
    pub contact_id: ContactId,
    pub contact_inbox_id: Option<ContactInboxId>,
    pub uuid: String,
    pub status: Status,
    pub assignee_id: Option<UserId>,
    pub team_id: Option<TeamId>,
    pub priority: Option<Priority>,
    pub labels: Vec<String>,
    pub custom_attributes: Map<String, Value>,
    pub additional_attributes: Map<String, Value>,
    pub muted: bool,
    pub snoozed_until: Option<i64>,
    pub last_activity_at: i64,
    pub agent_last_seen_at: i64,
    pub assignee_last_seen_at: i64,
    pub contact_last_seen_at: i64,
    pub created_at: i64,
}

/// A conversation with everything its Chatwoot body shows: what the one serializer renders for
/// the API, the dashboard-app context and webhooks.
#[derive(Debug, Clone, PartialEq)]
pub struct ConversationView {
    pub conversation: Conversation,
    pub contact: Contact,
    pub channel_type: String,
    pub hmac_verified: bool,
    pub assignee: Option<Agent>,
    pub team: Option<Team>,
    /// The thread as loaded (the whole thread in the conversation view, the last message in lists).
    pub messages: Vec<Message>,
    pub all_messages_loaded: bool,
    pub unread_count: i64,
}

impl ConversationView {
    /// The view with its contact's fields withheld, in the conversation and in its messages
    /// (`Contact::withheld`).
    pub fn withholding_contact(&self) -> ConversationView {
        ConversationView {
            contact: self.contact.withheld(),
            messages: self
                .messages
                .iter()
                .map(crate::Message::withholding_contact)
                .collect(),
            ..self.clone()
        }
    }
}

/// Which assignees a conversation list shows (Chatwoot's `assignee_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum AssigneeFilter {
    Me,
    Unassigned,
    Assigned,
    #[default]
    All,
}

impl AssigneeFilter {
    pub fn parse(text: &str) -> Result<AssigneeFilter, DomainError> {
        match text {
            "me" | "mine" => Ok(AssigneeFilter::Me),
            "unassigned" => Ok(AssigneeFilter::Unassigned),
            "assigned" => Ok(AssigneeFilter::Assigned),
            "all" => Ok(AssigneeFilter::All),
            _ => Err(DomainError::invalid(
                "assignee_type",
                "Assignee type must be one of me, unassigned, assigned, all",
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AssigneeFilter::Me => "me",
            AssigneeFilter::Unassigned => "unassigned",
            AssigneeFilter::Assigned => "assigned",
            AssigneeFilter::All => "all",
        }
    }
}

/// Conversations a page of the list shows.
pub const PAGE_SIZE: i64 = 25;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationFilter {
    pub account_id: AccountId,
    /// The member asking: "me" means them.
    pub viewer: UserId,
    /// The inboxes the member may see: every query of the list is limited to them.
    pub scope: crate::Scope,
    /// `None` is Chatwoot's `status=all`.
    pub status: Option<Status>,
    pub assignee: AssigneeFilter,
    pub inbox_id: Option<InboxId>,
    /// Chatwoot's `team_id`: only this team's conversations.
    pub team_id: Option<TeamId>,
    pub labels: Vec<String>,
    pub contact_id: Option<ContactId>,
    /// The list's text search (`q`).
    pub search: Option<crate::filter::Search>,
    /// Chatwoot's advanced filter (`POST …/conversations/filter`); empty for the plain list.
    pub advanced: crate::filter::Filter,
    /// 1-based.
    pub page: i64,
}

impl ConversationFilter {
    pub fn new(account_id: AccountId, viewer: UserId, scope: crate::Scope) -> Self {
        Self {
            account_id,
            viewer,
            scope,
            status: Some(Status::Open),
            assignee: AssigneeFilter::All,
            inbox_id: None,
            team_id: None,
            labels: Vec::new(),
            contact_id: None,
            search: None,
            advanced: crate::filter::Filter::default(),
            page: 1,
        }
    }

    /// The list as `member` sees it: their account, their inboxes, "me" meaning them.
    pub fn for_member(member: &crate::Member) -> Self {
        Self::new(member.account_id, member.user.id, member.scope.clone())
    }

    /// Whether the list is searched or filtered beyond Chatwoot's plain list parameters (such
    /// lists are counted afresh, not from the counts cache).
    pub fn is_ad_hoc(&self) -> bool {
        self.search.is_some() || !self.advanced.conditions.is_empty()
    }

    /// Chatwoot's query parameters: `status` (default open, `all` for every status) and `page`.
    pub fn with_query(
        mut self,
        status: Option<&str>,
        assignee_type: Option<&str>,
        page: Option<&str>,
    ) -> Result<Self, DomainError> {
        self.status = match status {
            None | Some("") => Some(Status::Open),
            Some("all") => None,
            Some(text) => Some(Status::parse(text)?),
        };
        if let Some(kind) = assignee_type.filter(|t| !t.is_empty()) {
            self.assignee = AssigneeFilter::parse(kind)?;
        }
        self.page = parse_page(page)?;
        Ok(self)
    }
}

/// A 1-based page number; absent is page 1.
pub fn parse_page(page: Option<&str>) -> Result<i64, DomainError> {
    match page.filter(|p| !p.is_empty()) {
        None => Ok(1),
        Some(text) => match text.parse::<i64>() {
            Ok(n) if (1..=1_000_000).contains(&n) => Ok(n),
            _ => Err(DomainError::invalid(
                "page",
                "Page must be a whole number from 1",
            )),
        },
    }
}

/// The list's `meta` counts, for the status and inbox filters in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ConversationCounts {
    pub mine: i64,
    pub assigned: i64,
    pub unassigned: i64,
    pub all: i64,
}

/// `POST /conversations`.
#[derive(Debug, Clone)]
pub struct NewConversation {
    pub account_id: AccountId,
    pub inbox_id: InboxId,
    pub contact_id: ContactId,
    /// The contact inbox's `source_id`; created when absent.
    pub source_id: Option<String>,
    pub status: Status,
    pub assignee_id: Option<UserId>,
    pub custom_attributes: Map<String, Value>,
    pub additional_attributes: Map<String, Value>,
    pub first_message: Option<crate::NewMessage>,
}

impl NewConversation {
    #[allow(clippy::too_many_arguments)]
    pub fn validate(
        account_id: AccountId,
        inbox_id: Option<i64>,
        contact_id: Option<i64>,
        source_id: Option<&str>,
        status: Option<&str>,
        assignee_id: Option<i64>,
        custom_attributes: Option<Value>,
        additional_attributes: Option<Value>,
        first_message: Option<crate::NewMessage>,
    ) -> Result<Self, DomainError> {
        Ok(Self {
            account_id,
            inbox_id: InboxId(inbox_id.ok_or_else(|| DomainError::blank("inbox_id"))?),
            contact_id: ContactId(contact_id.ok_or_else(|| DomainError::blank("contact_id"))?),
            source_id: validate::optional("source_id", source_id, validate::MAX_SHORT_TEXT)?,
            status: match status {
                None | Some("") => Status::Open,
                Some(text) => Status::parse(text)?,
            },
            assignee_id: assignee_id.map(UserId),
            custom_attributes: validate::object("custom_attributes", custom_attributes)?,
            additional_attributes: validate::object(
                "additional_attributes",
                additional_attributes,
            )?,
            first_message,
        })
    }
}

/// `POST /toggle_status`: the new status, and when a snooze ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusChange {
    pub status: Status,
    pub snoozed_until: Option<i64>,
}

impl StatusChange {
    /// Chatwoot toggles open ↔ resolved when no status is given.
    pub fn validate(
        current: Status,
        status: Option<&str>,
        snoozed_until: Option<&Value>,
    ) -> Result<Self, DomainError> {
        let status = match status {
            None | Some("") => {
                if current == Status::Open {
                    Status::Resolved
                } else {
                    Status::Open
                }
            }
            Some(text) => Status::parse(text)?,
        };
        let snoozed_until = match snoozed_until {
            None | Some(Value::Null) => None,
            Some(Value::Number(n)) => Some(n.as_i64().ok_or_else(bad_snooze)?),
            Some(Value::String(s)) => Some(crate::time::parse_instant(s).ok_or_else(bad_snooze)?),
            Some(_) => return Err(bad_snooze()),
        };
        // An instant no calendar date can show (beyond year 9999) is not a time to wake up at.
        if snoozed_until.is_some_and(|t| crate::time::iso8601(t).is_empty()) {
            return Err(bad_snooze());
        }
        if snoozed_until.is_some() && status != Status::Snoozed {
            return Err(DomainError::invalid(
                "snoozed_until",
                "Snoozed until is only allowed with status snoozed",
            ));
        }
        Ok(Self {
            status,
            snoozed_until,
        })
    }
}

fn bad_snooze() -> DomainError {
    DomainError::invalid(
        "snoozed_until",
        "Snoozed until must be epoch seconds or an ISO-8601 time",
    )
}

/// `POST /labels` on a conversation: the complete new set, deduplicated, in given order.
pub fn label_set(titles: &[String]) -> Result<Vec<String>, DomainError> {
    let mut set: Vec<String> = Vec::new();
    for title in titles {
        let title = validate::required("labels", Some(title), 100)?.to_lowercase();
        if !set.contains(&title) {
            set.push(title);
        }
    }
    if set.len() > 100 {
        return Err(DomainError::invalid("labels", "Too many labels"));
    }
    Ok(set)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toggle_without_status_flips_open_and_resolved() {
        let change = StatusChange::validate(Status::Open, None, None).unwrap();
        assert_eq!(change.status, Status::Resolved);
        let change = StatusChange::validate(Status::Resolved, None, None).unwrap();
        assert_eq!(change.status, Status::Open);
    }

    #[test]
    fn snoozing_takes_a_time_only_with_the_snoozed_status() {
        let until = serde_json::json!("2030-01-01T00:00:00Z");
        let change = StatusChange::validate(Status::Open, Some("snoozed"), Some(&until)).unwrap();
        assert_eq!(change.snoozed_until, Some(1_893_456_000));
        let err = StatusChange::validate(Status::Open, Some("open"), Some(&until)).unwrap_err();
        assert_eq!(err.attributes, ["snoozed_until"]);
        let far = serde_json::json!(99_999_999_999_999_i64);
        let err = StatusChange::validate(Status::Open, Some("snoozed"), Some(&far)).unwrap_err();
        assert_eq!(err.attributes, ["snoozed_until"]);
    }

    #[test]
    fn priorities_are_chatwoots_four_names_or_none() {
        use serde_json::json;
        assert_eq!(
            Priority::parse(&json!("urgent")),
            Ok(Some(Priority::Urgent))
        );
        assert_eq!(Priority::parse(&json!(null)), Ok(None));
        assert_eq!(Priority::parse(&json!("")), Ok(None));
        for bad in [json!("critical"), json!(3), json!(["low"])] {
            assert_eq!(Priority::parse(&bad).unwrap_err().attributes, ["priority"]);
        }
        assert_eq!(Priority::from_stored(Some("low")), Some(Priority::Low));
        assert_eq!(Priority::from_stored(None), None);
    }

    #[test]
    fn list_query_defaults_to_open_page_one() {
        let filter = ConversationFilter::new(AccountId(1), UserId(1), crate::Scope::All)
            .with_query(None, None, None)
            .unwrap();
        assert_eq!(filter.status, Some(Status::Open));
        assert_eq!(filter.page, 1);
        let all = ConversationFilter::new(AccountId(1), UserId(1), crate::Scope::All)
            .with_query(Some("all"), Some("me"), Some("3"))
            .unwrap();
        assert_eq!(
            (all.status, all.assignee, all.page),
            (None, AssigneeFilter::Me, 3)
        );
        assert!(parse_page(Some("0")).is_err());
        assert!(parse_page(Some("x")).is_err());
    }
}

/// A page of the conversation list: its rows, and their API rendering (Chatwoot's `payload`),
/// made once however many requests share the page. The list's pages are cached per account
/// (`store::counts_cache`), and rendering 25 rows was half of a cached page's instructions. The
/// rendering says which contacts are online (`meta.sender.availability_status`), which changes
/// without the rows changing: it is kept with the online contacts it was made for, and made
/// again when a request finds that set changed.
#[derive(Debug, Default)]
pub struct ListedConversations {
    rows: Vec<ConversationView>,
    rendered: std::sync::Mutex<Option<Rendered>>,
}

#[derive(Debug)]
struct Rendered {
    /// Which rows' contacts were online, in row order.
    online: Vec<bool>,
    payload: ListedPayload,
}

/// A page of the list rendered as `[wire::Conversation…]`; clones share the text.
#[derive(Debug, Clone)]
pub struct ListedPayload(std::sync::Arc<serde_json::value::RawValue>);

impl serde::Serialize for ListedPayload {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        (*self.0).serialize(serializer)
    }
}

impl PartialEq for ListedPayload {
    fn eq(&self, other: &Self) -> bool {
        self.0.get() == other.0.get()
    }
}

impl ListedConversations {
    pub fn new(rows: Vec<ConversationView>) -> Self {
        Self {
            rows,
            rendered: std::sync::Mutex::new(None),
        }
    }

    /// `[wire::Conversation…]` as `presence` stands now: the last rendering while the same
    /// rows' contacts are online, else a new one.
    pub fn payload(&self, presence: &dyn crate::ContactPresence) -> ListedPayload {
        let online: Vec<bool> = self
            .rows
            .iter()
            .map(|view| presence.is_online(&view.contact))
            .collect();
        let mut rendered = self
            .rendered
            .lock()
            .expect("a rendering never panics while holding the lock");
        if let Some(kept) = rendered.as_ref().filter(|kept| kept.online == online) {
            return kept.payload.clone();
        }
        let rows: Vec<crate::wire::Conversation> = self
            .rows
            .iter()
            .map(|view| crate::wire::Conversation::new(view, presence))
            .collect();
        let payload = ListedPayload(std::sync::Arc::from(
            serde_json::value::to_raw_value(&rows).expect("conversations always serialize"),
        ));
        *rendered = Some(Rendered {
            online,
            payload: payload.clone(),
        });
        payload
    }
}

impl std::ops::Deref for ListedConversations {
    type Target = [ConversationView];

    fn deref(&self) -> &[ConversationView] {
        &self.rows
    }
}

impl PartialEq for ListedConversations {
    fn eq(&self, other: &Self) -> bool {
        self.rows == other.rows
    }
}
