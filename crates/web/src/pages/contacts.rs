//! The contacts workspace: the list (search by name, e-mail, phone or identifier; sort; 15 a
//! page, as the API's) and a contact's page (details edited as in the conversation view, their
//! conversations across inboxes, labels and notes). `contact.js` drives the contact page
//! through the JSON API and follows `contact.updated` over `/cable`. The page also shows the
//! dashboard apps placed on it (`contact_page`), which `contact-apps.js` starts.

use super::app_frames::AppFrames;
use super::contact_details::{contact_name_of, ContactPanel};
use super::{render, time_label, Layout};
use crate::api::{path_id, query_param};
use crate::auth::PageMember;
use crate::csp::Csp;
use crate::error::PageError;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::response::Html;
use domain::{wire, ContactId, ConversationFilter};

/// The orders the list offers, first the default: (the API's `sort`, what the agent reads).
const SORTS: [(&str, &str); 5] = [
    ("-last_activity_at", "Last activity"),
    ("name", "Name (A–Z)"),
    ("-name", "Name (Z–A)"),
    ("-created_at", "Newest first"),
    ("created_at", "Oldest first"),
];

pub struct SortChoice {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

pub struct ContactRow {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub identifier: String,
    /// "Nov 25, 14:02" or empty when the contact never wrote.
    pub last_activity: String,
}

#[derive(Template)]
#[template(path = "contacts/index.html")]
pub struct IndexPage {
    pub layout: Layout,
    pub q: String,
    pub sorts: Vec<SortChoice>,
    pub rows: Vec<ContactRow>,
    pub count: i64,
    pub page: i64,
    pub pages: i64,
    pub prev_href: Option<String>,
    pub next_href: Option<String>,
}

/// `GET /app/accounts/{account_id}/contacts?q=&sort=&page=`. A `sort` or `page` the page does
/// not offer reads as the default (a hand-edited URL still shows the list).
pub async fn index(
    State(state): State<AppState>,
    page: PageMember,
    RawQuery(query): RawQuery,
) -> Result<Html<String>, PageError> {
    let query = query.as_deref();
    let q: String = query_param(query, "q")
        .unwrap_or_default()
        .trim()
        .chars()
        .take(domain::validate::MAX_SHORT_TEXT)
        .collect();
    let sort = query_param(query, "sort")
        .and_then(|s| SORTS.iter().find(|(value, _)| *value == s))
        .unwrap_or(&SORTS[0])
        .0;
    let number = domain::conversation::parse_page(query_param(query, "page").as_deref())
        .unwrap_or(1)
        .max(1);
    let found = state
        .store
        .contacts()
        .search(page.member.account_id, &q, Some(sort), number)
        .await?;
    let pages = ((found.count + store::CONTACTS_PAGE_SIZE - 1) / store::CONTACTS_PAGE_SIZE).max(1);
    let layout = Layout::new(&page, "contacts");
    let href = |n: i64| {
        let mut params = url::form_urlencoded::Serializer::new(String::new());
        if !q.is_empty() {
            params.append_pair("q", &q);
        }
        params.append_pair("sort", sort);
        params.append_pair("page", &n.to_string());
        format!(
            "/app/accounts/{}/contacts?{}",
            layout.account_id,
            params.finish()
        )
    };
    let rows = found
        .contacts
        .iter()
        .map(|contact| ContactRow {
            id: contact.id.get(),
            name: contact_name_of(contact),
            email: contact.email.clone().unwrap_or_default(),
            phone: contact.phone_number.clone().unwrap_or_default(),
            identifier: contact.identifier.clone().unwrap_or_default(),
            last_activity: contact.last_activity_at.map(time_label).unwrap_or_default(),
        })
        .collect();
    render(&IndexPage {
        prev_href: (number > 1).then(|| href(number - 1)),
        next_href: (number < pages).then(|| href(number + 1)),
        layout,
        sorts: SORTS
            .iter()
            .map(|(value, label)| SortChoice {
                value,
                label,
                selected: *value == sort,
            })
            .collect(),
        q,
        rows,
        count: found.count,
        page: number,
        pages,
    })
}

pub struct ConversationLink {
    pub display_id: i64,
    pub inbox: String,
    pub status: &'static str,
    pub time: String,
}

pub struct NoteItem {
    pub id: i64,
    pub content: String,
    pub author: String,
    pub time: String,
}

#[derive(Template)]
#[template(path = "contacts/show.html")]
pub struct ShowPage {
    pub layout: Layout,
    pub contact_id: i64,
    /// `online` or `offline` (`ContactPresence`); `contact.js` follows `presence.update`.
    pub contact_availability: &'static str,
    pub contact: ContactPanel,
    /// The account's custom attribute definitions (`wire` bodies) for the edit form.
    pub definitions_json: String,
    pub labels: Vec<String>,
    pub conversations: Vec<ConversationLink>,
    pub notes: Vec<NoteItem>,
    /// The dashboard apps placed on contact pages that this contact's page shows.
    pub apps: Vec<AppFrames>,
}

/// `GET /app/accounts/{account_id}/contacts/{id}`.
pub async fn show(
    State(state): State<AppState>,
    page: PageMember,
    Path((_, id)): Path<(String, String)>,
) -> Result<(Csp, Html<String>), PageError> {
    let account_id = page.member.account_id;
    let contact_id = ContactId(path_id(&id).map_err(|_| PageError::NotFound)?);
    let contact = state.store.contacts().find(account_id, contact_id).await?;
    let definitions = state
        .store
        .custom_attribute_definitions()
        .list(account_id, None)
        .await?;
    let labels = state
        .store
        .contact_labels()
        .list(account_id, contact_id)
        .await?;
    let inboxes = state.store.inboxes().list(account_id).await?;
    // Only the conversations of inboxes the member sees (an agent: their inboxes).
    let mut filter = ConversationFilter::for_member(&page.member);
    filter.status = None;
    filter.contact_id = Some(contact_id);
    let listed = state.store.conversations().list(&filter, false).await?;
    let inbox_ids: Vec<domain::InboxId> = listed
        .conversations
        .iter()
        .map(|view| view.conversation.inbox_id)
        .collect();
    let conversations = listed
        .conversations
        .iter()
        .map(|view| ConversationLink {
            display_id: view.conversation.display_id.get(),
            inbox: inboxes
                .iter()
                .find(|inbox| inbox.id == view.conversation.inbox_id)
                .map(|inbox| inbox.name.clone())
                .unwrap_or_default(),
            status: view.conversation.status.as_str(),
            time: time_label(view.conversation.last_activity_at),
        })
        .collect();
    let notes = state
        .store
        .contact_notes()
        .list(account_id, contact_id)
        .await?
        .into_iter()
        .map(|note| NoteItem {
            id: note.id.get(),
            author: note
                .author
                .map(|a| a.user.available_name().to_owned())
                .unwrap_or_default(),
            time: time_label(note.created_at),
            content: note.content,
        })
        .collect();
    let definitions_json = serde_json::to_string(
        &definitions
            .iter()
            .map(wire::CustomAttributeDefinition::from)
            .collect::<Vec<_>>(),
    )
    .unwrap_or_else(|_| "[]".into());
    let html = render(&ShowPage {
        layout: Layout::new(&page, "contacts"),
        contact_id: contact_id.get(),
        contact_availability: state.presence().availability_status(&contact),
        contact: ContactPanel::new(&contact, &definitions),
        definitions_json,
        labels,
        conversations,
        notes,
        apps: contact_apps(&page, &contact, &inbox_ids),
    })?;
    // The page may frame the origins of the apps it shows, and nothing else.
    let csp = Csp::with_frames(
        page.dashboard_apps
            .iter()
            .filter(|app| app.shows_on_contact_page(&inbox_ids))
            .flat_map(|app| app.content.iter().map(|frame| frame.origin())),
    );
    Ok((csp, html))
}

/// The apps of `contact`'s page, their URLs filled with the contact's, the agent's and the
/// account's values (the only placeholders a contact-page app may use).
fn contact_apps(
    page: &PageMember,
    contact: &domain::Contact,
    inbox_ids: &[domain::InboxId],
) -> Vec<AppFrames> {
    let values = domain::placeholder::Values {
        contact_id: contact.id.get(),
        contact_email: contact.email.clone(),
        contact_phone_number: contact.phone_number.clone(),
        contact_identifier: contact.identifier.clone(),
        agent_id: page.member.user.id.get(),
        agent_email: page.member.user.email.clone(),
        account_id: page.member.account_id.get(),
        ..domain::placeholder::Values::default()
    };
    page.dashboard_apps
        .iter()
        .filter(|app| app.shows_on_contact_page(inbox_ids))
        .map(|app| AppFrames::new(app, &values))
        .collect()
}
