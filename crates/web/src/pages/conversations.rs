//! The conversation list and the conversation view with its thread, contact panel and the tab
//! bar of dashboard apps. The thread is also a fragment (`_messages`) the page re-fetches.
//! The view also renders what `workflow.js` needs for the agent's controls (status, assignee,
//! labels, contact editing), and opening it marks the conversation read.

use super::app_frames::AppFrames;
use super::contact_details::{attribute_items, contact_name_of, AttributeItem, ContactPanel};
use super::{render, time_label, Layout};
use crate::api::conversations::filter_from_query;
use crate::auth::{PageMember, PageVisibleConversation};
use crate::csp::Csp;
use crate::error::PageError;
use crate::state::AppState;
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::Html;
use domain::filter::{Filter, Subject};
use domain::{
    wire, AssigneeFilter, AttributeModel, ConversationCounts, ConversationFilter, ConversationView,
    DisplayId, Member, Message, MessageSender, MessageStatus, MessageType, Priority, Status,
};

/// One row of the list.
pub struct Row {
    pub display_id: i64,
    pub contact_name: String,
    pub preview: String,
    pub time: String,
    pub status: &'static str,
    pub unread: i64,
    pub inbox_name: String,
    pub current: bool,
}

/// A link in the status tabs or the assignee filter.
pub struct FilterLink {
    pub label: String,
    pub href: String,
    pub current: bool,
}

/// An option of one of the search form's selects.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// The search box and the selects beside it: a GET form that keeps the list's other filters
/// (status, assignee, inbox) as hidden fields, so searching narrows the list being looked at.
pub struct SearchForm {
    pub action: String,
    /// What was searched for, as typed (trimmed).
    pub q: String,
    pub hidden: Vec<(&'static str, String)>,
    pub labels: Vec<Choice>,
    pub teams: Vec<Choice>,
    pub priorities: Vec<Choice>,
    /// The list without the search, the label, team and priority, when any is applied.
    pub clear_href: Option<String>,
}

/// The left column: filters, rows and paging.
pub struct ListPane {
    pub search: SearchForm,
    pub status_tabs: Vec<FilterLink>,
    pub assignee_links: Vec<FilterLink>,
    pub inboxes: Vec<FilterLink>,
    pub rows: Vec<Row>,
    pub page: i64,
    pub prev_href: Option<String>,
    pub next_href: Option<String>,
    pub empty_text: &'static str,
}

/// What the list page is showing: the API's list filter, plus what the page keeps beside it,
/// the search text as typed (the filter holds it only as a pattern) and a priority.
#[derive(Clone)]
struct ListView {
    filter: ConversationFilter,
    q: String,
    priority: Option<Priority>,
}

impl ListView {
    /// Reads the list's query as the API does (`filter_from_query`), with two differences for
    /// the page: a `priority` (Chatwoot's filter condition on it), and a search within the status
    /// the page names, where the API searches every status. Bad input shows the default list.
    fn read(member: &Member, query: Option<&str>) -> ListView {
        let default = || ListView {
            filter: ConversationFilter::for_member(member),
            q: String::new(),
            priority: None,
        };
        // The form's "Any …" options send empty values: they mean no filter.
        let query: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(
                url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
                    .filter(|(_, value)| !value.is_empty()),
            )
            .finish();
        let Ok(mut filter) = filter_from_query(member, Some(&query)) else {
            return default();
        };
        let mut q = String::new();
        let mut priority = None;
        for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
            match key.as_ref() {
                "q" => q = value.trim().to_owned(),
                "status" if filter.search.is_some() => {
                    filter.status = Status::parse(&value).ok();
                }
                "priority" => {
                    match Priority::parse(&serde_json::Value::String(value.into_owned())) {
                        Ok(Some(p)) => priority = Some(p),
                        _ => return default(),
                    }
                }
                _ => {}
            }
        }
        if let Some(p) = priority {
            let condition = serde_json::json!([{
                "attribute_key": "priority",
                "filter_operator": "equal_to",
                "values": [p.as_str()],
            }]);
            match Filter::parse(Subject::Conversations, &condition, domain::time::now()) {
                Ok(advanced) => filter.advanced = advanced,
                Err(_) => return default(),
            }
        }
        if filter.search.is_none() {
            q.clear();
        }
        ListView {
            filter,
            q,
            priority,
        }
    }

    /// The page's URL for this view.
    fn href(&self, base: &str) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (key, value) in self.pairs() {
            query.append_pair(key, &value);
        }
        format!("{base}?{}", query.finish())
    }

    fn pairs(&self) -> Vec<(&'static str, String)> {
        let filter = &self.filter;
        let mut pairs = vec![
            (
                "status",
                filter.status.map_or("all", Status::as_str).to_owned(),
            ),
            ("assignee_type", filter.assignee.as_str().to_owned()),
        ];
        if let Some(inbox) = filter.inbox_id {
            pairs.push(("inbox_id", inbox.to_string()));
        }
        if let Some(team) = filter.team_id {
            pairs.push(("team_id", team.to_string()));
        }
        for label in &filter.labels {
            pairs.push(("labels[]", label.clone()));
        }
        if let Some(priority) = self.priority {
            pairs.push(("priority", priority.as_str().to_owned()));
        }
        if !self.q.is_empty() {
            pairs.push(("q", self.q.clone()));
        }
        if filter.page > 1 {
            pairs.push(("page", filter.page.to_string()));
        }
        pairs
    }

    /// Whether the search form's part (text, label, team, priority) narrows the list.
    fn is_narrowed(&self) -> bool {
        !self.q.is_empty()
            || self.priority.is_some()
            || self.filter.team_id.is_some()
            || !self.filter.labels.is_empty()
    }

    /// A copy on page 1, changed by `change` (each filter link starts over).
    fn with(&self, change: impl FnOnce(&mut ListView)) -> ListView {
        let mut view = self.clone();
        view.filter.page = 1;
        change(&mut view);
        view
    }
}

/// A message as the thread shows it.
pub struct MessageItem {
    pub id: i64,
    pub kind: &'static str,
    pub author: String,
    pub content: String,
    pub time: String,
    /// The contact has read the thread past this reply (`Message::status` is `read`): the
    /// thread says "Seen" under it, as Chatwoot's dashboard shows its read tick.
    pub seen: bool,
    pub attachments: Vec<AttachmentItem>,
}

/// A file in the thread: a picture we thumbnailed shows inline, anything else as a chip.
pub struct AttachmentItem {
    pub name: String,
    pub file_type: &'static str,
    /// "2 MB", "340 KB".
    pub size: String,
    pub data_url: String,
    pub thumb_url: String,
}

impl From<&domain::Attachment> for AttachmentItem {
    fn from(a: &domain::Attachment) -> Self {
        Self {
            name: a.filename.clone(),
            file_type: a.file_type.as_str(),
            size: domain::attachment::human_size(a.file_size.max(0) as u64),
            data_url: a.data_url.clone(),
            thumb_url: a.thumb_url.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "conversations/index.html")]
pub struct IndexPage {
    pub layout: Layout,
    pub list: ListPane,
}

#[derive(Template)]
#[template(path = "conversations/show.html")]
pub struct ShowPage {
    pub layout: Layout,
    pub list: ListPane,
    pub display_id: i64,
    pub contact_id: i64,
    pub status: &'static str,
    pub contact_name: String,
    /// `online` or `offline` (`ContactPresence`); `conversation.js` follows `presence.update`.
    pub contact_availability: &'static str,
    pub assignee_name: Option<String>,
    pub labels: Vec<String>,
    pub contact: ContactPanel,
    pub thread: ThreadPartial,
    pub apps: Vec<AppFrames>,
    /// The apps in the panel beside the conversation (`conversation_panel` placement).
    pub panel_apps: Vec<AppFrames>,
    /// The signed-in user, for "Assign to me".
    pub user_id: i64,
    pub assigned_to_me: bool,
    /// When a snooze ends: (ISO-8601 UTC for scripts, a UTC label for the page).
    pub snoozed_until: Option<(String, String)>,
    /// The account's agents, for the assignee select.
    pub agents: Vec<AgentOption>,
    /// The account's labels, for the label select and the chips' colours.
    pub account_labels: Vec<LabelOption>,
    /// The account's custom attribute definitions (both models), for the scripts.
    pub definitions_json: String,
    pub conversation_attributes: ConversationAttributes,
}

pub struct ConversationAttributes {
    pub items: Vec<AttributeItem>,
    /// The conversation's custom attributes as stored, for the edit form.
    pub json: String,
    /// Whether there is anything to edit (a conversation attribute is defined).
    pub editable: bool,
}

pub struct AgentOption {
    pub id: i64,
    pub name: String,
    pub selected: bool,
}

pub struct LabelOption {
    pub title: String,
    pub color: String,
    /// Already on the conversation (offered disabled).
    pub applied: bool,
}

#[derive(Template)]
#[template(path = "conversations/_messages.html")]
pub struct ThreadPartial {
    pub messages: Vec<MessageItem>,
}

/// `GET /app/accounts/{account_id}/conversations`.
pub async fn index(
    State(state): State<AppState>,
    page: PageMember,
    RawQuery(query): RawQuery,
) -> Result<Html<String>, PageError> {
    let list = list_pane(&state, &page, query.as_deref(), None).await?;
    render(&IndexPage {
        layout: Layout::new(&page, "conversations"),
        list,
    })
}

/// `GET /app/accounts/{account_id}/conversations/{display_id}`.
pub async fn show(
    State(state): State<AppState>,
    PageVisibleConversation { page, view }: PageVisibleConversation,
    RawQuery(query): RawQuery,
) -> Result<(Csp, Html<String>), PageError> {
    // Opening it is reading it (Chatwoot's `update_last_seen`). Done here rather than by the
    // page's script so the list below already shows it read, and so the event is out before
    // this page subscribes to /cable: its app frames are not sent a context for it.
    let read = state
        .store
        .by(page.member.user.id)
        .conversations()
        .mark_read(&view, page.member.user.id)
        .await?;
    let view = read.value;
    let list = list_pane(
        &state,
        &page,
        query.as_deref(),
        Some(view.conversation.display_id),
    )
    .await?;
    let agents = state
        .store
        .users()
        .agents(page.member.account_id)
        .await?
        .into_iter()
        .map(|agent| AgentOption {
            id: agent.user.id.get(),
            name: agent.user.available_name().to_owned(),
            selected: view.conversation.assignee_id == Some(agent.user.id),
        })
        .collect();
    let account_labels = state
        .store
        .labels()
        .list(page.member.account_id)
        .await?
        .into_iter()
        .map(|label| LabelOption {
            applied: view.conversation.labels.contains(&label.title),
            title: label.title,
            color: label.color,
        })
        .collect();
    // Frame URLs are filled for this conversation, contact and agent when the frames are made.
    let values = domain::placeholder::Values {
        conversation_id: view.conversation.display_id.get(),
        contact_id: view.contact.id.get(),
        contact_email: view.contact.email.clone(),
        contact_phone_number: view.contact.phone_number.clone(),
        contact_identifier: view.contact.identifier.clone(),
        agent_id: page.member.user.id.get(),
        agent_email: page.member.user.email.clone(),
        account_id: page.member.account_id.get(),
        inbox_id: view.conversation.inbox_id.get(),
    };
    let inbox_id = view.conversation.inbox_id;
    let shown_apps: Vec<_> = page
        .dashboard_apps
        .iter()
        .filter(|app| app.shows_beside_conversation_of(inbox_id))
        .collect();
    // The page may frame the origins of the apps it shows, and nothing else.
    let csp = Csp::with_frames(
        shown_apps
            .iter()
            .flat_map(|app| app.content.iter().map(|frame| frame.origin())),
    );
    let apps = shown_apps
        .iter()
        .filter(|app| app.shows_in_conversation_of(inbox_id))
        .map(|app| AppFrames::new(app, &values))
        .collect();
    let panel_apps = shown_apps
        .iter()
        .filter(|app| app.shows_in_panel_of(inbox_id))
        .map(|app| AppFrames::new(app, &values))
        .collect();
    let definitions = state
        .store
        .custom_attribute_definitions()
        .list(page.member.account_id, None)
        .await?;
    let contact = &view.contact;
    let conversation_attributes = ConversationAttributes {
        items: attribute_items(
            &definitions,
            AttributeModel::ConversationAttribute,
            &view.conversation.custom_attributes,
        ),
        json: serde_json::Value::Object(view.conversation.custom_attributes.clone()).to_string(),
        editable: definitions
            .iter()
            .any(|d| d.attribute_model == AttributeModel::ConversationAttribute),
    };
    let definitions_json = serde_json::to_string(
        &definitions
            .iter()
            .map(wire::CustomAttributeDefinition::from)
            .collect::<Vec<_>>(),
    )
    .unwrap_or_else(|_| "[]".into());
    let html = render(&ShowPage {
        layout: Layout::new(&page, "conversations"),
        list,
        display_id: view.conversation.display_id.get(),
        contact_id: contact.id.get(),
        status: view.conversation.status.as_str(),
        contact_name: contact_name(&view),
        contact_availability: state.presence().availability_status(contact),
        assignee_name: view.assignee.as_ref().map(|a| a.user.name.clone()),
        labels: view.conversation.labels.clone(),
        contact: ContactPanel::new(contact, &definitions),
        thread: thread(&view),
        apps,
        panel_apps,
        user_id: page.member.user.id.get(),
        assigned_to_me: view.conversation.assignee_id == Some(page.member.user.id),
        snoozed_until: view
            .conversation
            .snoozed_until
            .filter(|_| view.conversation.status == Status::Snoozed)
            .map(|t| (domain::time::iso8601(t), format!("{} UTC", time_label(t)))),
        agents,
        account_labels,
        definitions_json,
        conversation_attributes,
    })?;
    Ok((csp, html))
}

#[derive(Template)]
#[template(path = "conversations/_list.html")]
pub struct ListPartial {
    pub layout: Layout,
    pub list: ListPane,
}

/// `GET /app/accounts/{account_id}/conversations/_list`: the list pane alone, for live updates
/// (`current` names the open conversation).
pub async fn list(
    State(state): State<AppState>,
    page: PageMember,
    RawQuery(query): RawQuery,
) -> Result<Html<String>, PageError> {
    let current = url::form_urlencoded::parse(query.as_deref().unwrap_or_default().as_bytes())
        .find(|(key, _)| key == "current")
        .and_then(|(_, value)| value.parse::<i64>().ok())
        .map(DisplayId);
    let list = list_pane(&state, &page, query.as_deref(), current).await?;
    render(&ListPartial {
        layout: Layout::new(&page, "conversations"),
        list,
    })
}

/// `GET …/{display_id}/_messages`: the thread alone, for the page to swap in.
pub async fn messages(
    PageVisibleConversation { view, .. }: PageVisibleConversation,
) -> Result<Html<String>, PageError> {
    render(&thread(&view))
}

fn thread(view: &ConversationView) -> ThreadPartial {
    ThreadPartial {
        messages: view
            .messages
            .iter()
            .map(|m| message_item(view, m))
            .collect(),
    }
}

fn message_item(view: &ConversationView, message: &Message) -> MessageItem {
    let kind = match (message.message_type, message.private) {
        (MessageType::Activity, _) => "activity",
        (_, true) => "private",
        (MessageType::Incoming, _) => "incoming",
        _ => "outgoing",
    };
    let author = match &message.sender {
        Some(MessageSender::User(user)) => user.available_name().to_owned(),
        Some(MessageSender::Contact(_)) => contact_name(view),
        None if message.message_type == MessageType::Incoming => contact_name(view),
        None => String::new(),
    };
    MessageItem {
        id: message.id.get(),
        kind,
        author,
        content: message.content.clone().unwrap_or_default(),
        time: time_label(message.created_at),
        seen: message.status(view.conversation.contact_last_seen_at) == MessageStatus::Read,
        attachments: message
            .attachments
            .iter()
            .map(AttachmentItem::from)
            .collect(),
    }
}

fn contact_name(view: &ConversationView) -> String {
    contact_name_of(&view.contact)
}

async fn list_pane(
    state: &AppState,
    page: &PageMember,
    query: Option<&str>,
    current: Option<DisplayId>,
) -> Result<ListPane, PageError> {
    let member = &page.member;
    let view = ListView::read(member, query);
    let filter = &view.filter;
    let result = state.store.conversations().list(filter, true).await?;
    let inboxes = state.store.inboxes().visible(member).await?;
    let labels = state.store.labels().list(member.account_id).await?;
    let teams = state.store.teams().list(member.account_id).await?;
    let counts = result.counts.unwrap_or_default();
    let base = format!("/app/accounts/{}/conversations", member.account_id);
    let href = |v: &ListView| v.href(&base);
    let mut status_tabs: Vec<FilterLink> = Status::ALL
        .iter()
        .map(|s| FilterLink {
            label: title_case(s.as_str()),
            href: href(&view.with(|v| v.filter.status = Some(*s))),
            current: filter.status == Some(*s),
        })
        .collect();
    status_tabs.push(FilterLink {
        label: "All".into(),
        href: href(&view.with(|v| v.filter.status = None)),
        current: filter.status.is_none(),
    });
    let assignee_links = [
        (
            AssigneeFilter::Me,
            "Mine",
            counts_of(&counts, AssigneeFilter::Me),
        ),
        (
            AssigneeFilter::Unassigned,
            "Unassigned",
            counts_of(&counts, AssigneeFilter::Unassigned),
        ),
        (
            AssigneeFilter::All,
            "All",
            counts_of(&counts, AssigneeFilter::All),
        ),
    ]
    .into_iter()
    .map(|(kind, label, count)| FilterLink {
        label: format!("{label} {count}"),
        href: href(&view.with(|v| v.filter.assignee = kind)),
        current: filter.assignee == kind,
    })
    .collect();
    let mut inbox_links = vec![FilterLink {
        label: "All inboxes".into(),
        href: href(&view.with(|v| v.filter.inbox_id = None)),
        current: filter.inbox_id.is_none(),
    }];
    for inbox in &inboxes {
        inbox_links.push(FilterLink {
            label: inbox.name.clone(),
            href: href(&view.with(|v| v.filter.inbox_id = Some(inbox.id))),
            current: filter.inbox_id == Some(inbox.id),
        });
    }
    let search = search_form(&view, &base, &labels, &teams);
    let rows = result
        .conversations
        .iter()
        .map(|view| Row {
            display_id: view.conversation.display_id.get(),
            contact_name: contact_name(view),
            preview: view
                .messages
                .last()
                .and_then(|m| m.content.clone())
                .unwrap_or_default()
                .chars()
                .take(120)
                .collect(),
            time: time_label(view.conversation.last_activity_at),
            status: view.conversation.status.as_str(),
            unread: view.unread_count,
            inbox_name: inboxes
                .iter()
                .find(|i| i.id == view.conversation.inbox_id)
                .map(|i| i.name.clone())
                .unwrap_or_default(),
            current: Some(view.conversation.display_id) == current,
        })
        .collect::<Vec<_>>();
    let shown = match filter.assignee {
        AssigneeFilter::Me => counts.mine,
        AssigneeFilter::Unassigned => counts.unassigned,
        AssigneeFilter::Assigned => counts.assigned,
        AssigneeFilter::All => counts.all,
    };
    let pages = (shown + domain::conversation::PAGE_SIZE - 1) / domain::conversation::PAGE_SIZE;
    let paged = |n: i64| {
        let mut paged = view.clone();
        paged.filter.page = n;
        href(&paged)
    };
    Ok(ListPane {
        search,
        status_tabs,
        assignee_links,
        inboxes: inbox_links,
        empty_text: if filter.page > 1 {
            "No more conversations."
        } else if view.is_narrowed() {
            "Nothing matches. Try other words or fewer filters."
        } else {
            "No conversations here. Enjoy the calm."
        },
        rows,
        page: filter.page,
        prev_href: (filter.page > 1).then(|| paged(filter.page - 1)),
        next_href: (filter.page < pages).then(|| paged(filter.page + 1)),
    })
}

fn counts_of(counts: &ConversationCounts, kind: AssigneeFilter) -> i64 {
    match kind {
        AssigneeFilter::Me => counts.mine,
        AssigneeFilter::Unassigned => counts.unassigned,
        AssigneeFilter::Assigned => counts.assigned,
        AssigneeFilter::All => counts.all,
    }
}

fn search_form(
    view: &ListView,
    base: &str,
    labels: &[domain::Label],
    teams: &[domain::Team],
) -> SearchForm {
    let filter = &view.filter;
    // The form sends its own q, labels[], team_id and priority; the rest rides along.
    let hidden = view
        .pairs()
        .into_iter()
        .filter(|(key, _)| matches!(*key, "status" | "assignee_type" | "inbox_id"))
        .collect();
    let choice = |value: String, label: String, selected: bool| Choice {
        value,
        label,
        selected,
    };
    let cleared = view.with(|v| {
        v.q.clear();
        v.priority = None;
        v.filter.search = None;
        v.filter.labels.clear();
        v.filter.team_id = None;
    });
    SearchForm {
        action: base.to_owned(),
        q: view.q.clone(),
        hidden,
        labels: labels
            .iter()
            .map(|l| {
                choice(
                    l.title.clone(),
                    l.title.clone(),
                    filter.labels.contains(&l.title),
                )
            })
            .collect(),
        teams: teams
            .iter()
            .map(|t| {
                choice(
                    t.id.to_string(),
                    t.name.clone(),
                    filter.team_id == Some(t.id),
                )
            })
            .collect(),
        priorities: Priority::ALL
            .iter()
            .map(|p| {
                choice(
                    p.as_str().to_owned(),
                    title_case(p.as_str()),
                    view.priority == Some(*p),
                )
            })
            .collect(),
        clear_href: view.is_narrowed().then(|| cleared.href(base)),
    }
}

fn title_case(text: &str) -> String {
    domain::error::humanize(text)
}
