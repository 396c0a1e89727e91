//! The registry of where a dashboard app is shown: every placement is defined here once — its
//! name, what its context carries, which URL placeholders its frames can be filled with, and
//! whether an administrator declares it (a modal is opened by the app instead). The control
//! fields (`placements`), the pages, the playground's choices and the table in
//! `docs/dashboard-apps.md` are rendered from it or checked against it by a test.
//!
//! `display_type` (conversation tab or full page) stays as it was for older clients: it names
//! the app's primary placement, and writing it swaps that one placement only, so the others an
//! app declared (a panel, the contact page) are kept.

use crate::dashboard_app::DisplayType;
use crate::DomainError;
use serde::{Deserialize, Serialize};

/// Where an app is shown.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Placement {
    /// A tab beside the messages of each conversation (Chatwoot's only kind).
    ConversationTab,
    /// A panel beside the conversation: the thread and the reply box stay in view.
    ConversationPanel,
    /// A section of a contact's page; its context is the contact and their conversations.
    ContactPage,
    /// A full page with its own entry in the main navigation (`display_type: "sidebar"`).
    FullPage,
    /// A modal over any page, opened by one of the app's frames (`open-modal`).
    Modal,
}

/// What a placement's context carries (`data` of its `appContext`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContextKind {
    /// Chatwoot's `{conversation, contact, currentAgent}`.
    Conversation,
    /// `{contact, conversations, currentAgent}`.
    Contact,
    /// `{currentAgent, account}`.
    Account,
    /// Whatever the frame that opened it receives.
    Opener,
}

impl ContextKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ContextKind::Conversation => "conversation",
            ContextKind::Contact => "contact",
            ContextKind::Account => "account",
            ContextKind::Opener => "opener",
        }
    }
}

/// One place an app can be shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlacementInfo {
    pub placement: Placement,
    /// Whether an administrator lists it in `placements` (a modal is opened by the app).
    pub declared: bool,
    pub context: ContextKind,
    /// The URL placeholders its frames can be filled with.
    pub placeholders: &'static [&'static str],
    /// The settings dialog's and the playground's label.
    pub label: &'static str,
    /// What it is, for the docs' table.
    pub summary: &'static str,
}

/// The placeholders of a conversation (all of them).
const CONVERSATION_NAMES: &[&str] = &crate::placeholder::NAMES;
/// A contact's page has the contact, the agent and the account; no conversation, no inbox.
pub const CONTACT_NAMES: &[&str] = &[
    "contact.id",
    "contact.email",
    "contact.phone_number",
    "contact.identifier",
    "agent.id",
    "agent.email",
    "account.id",
];

/// Every placement, in the order the settings dialog, the playground and the docs list them.
pub const PLACEMENTS: [PlacementInfo; 5] = [
    PlacementInfo {
        placement: Placement::ConversationTab,
        declared: true,
        context: ContextKind::Conversation,
        placeholders: CONVERSATION_NAMES,
        label: "A tab in conversations (Chatwoot's)",
        summary: "a tab beside the conversation's messages; opening it hides the thread, as in Chatwoot",
    },
    PlacementInfo {
        placement: Placement::ConversationPanel,
        declared: true,
        context: ContextKind::Conversation,
        placeholders: CONVERSATION_NAMES,
        label: "A panel beside the conversation",
        summary: "a panel beside the thread and the reply box, which stay usable; the agent resizes and collapses it, and it is remembered for them",
    },
    PlacementInfo {
        placement: Placement::ContactPage,
        declared: true,
        context: ContextKind::Contact,
        placeholders: CONTACT_NAMES,
        label: "A section of the contact page",
        summary: "a section of each contact's page; `data` is `{contact, conversations, currentAgent}`",
    },
    PlacementInfo {
        placement: Placement::FullPage,
        declared: true,
        context: ContextKind::Account,
        placeholders: &crate::placeholder::SIDEBAR_NAMES,
        label: "A page of its own in the navigation",
        summary: "a full page with its own entry in the navigation; `data` is `{currentAgent, account}` (`display_type: \"sidebar\"`)",
    },
    PlacementInfo {
        placement: Placement::Modal,
        declared: false,
        context: ContextKind::Opener,
        placeholders: &[],
        label: "A modal the app opens",
        summary: "a page of the app's own origin over the host's page, opened with `open-modal` from any of the above and closed with `close-modal`; it receives its opener's context",
    },
];

impl Placement {
    pub const DECLARED: [Placement; 4] = [
        Placement::ConversationTab,
        Placement::ConversationPanel,
        Placement::ContactPage,
        Placement::FullPage,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Placement::ConversationTab => "conversation_tab",
            Placement::ConversationPanel => "conversation_panel",
            Placement::ContactPage => "contact_page",
            Placement::FullPage => "full_page",
            Placement::Modal => "modal",
        }
    }

    /// The placement's entry in the registry.
    pub fn info(self) -> &'static PlacementInfo {
        PLACEMENTS
            .iter()
            .find(|p| p.placement == self)
            .expect("every placement has an entry in PLACEMENTS (a test checks it)")
    }

    /// The placement `display_type` names.
    pub fn of_display_type(display_type: DisplayType) -> Placement {
        match display_type {
            DisplayType::Conversation => Placement::ConversationTab,
            DisplayType::Sidebar => Placement::FullPage,
        }
    }

    /// `display_type` as older clients read it: "sidebar" for an app shown as a full page and
    /// not as a tab, else "conversation".
    pub fn display_type_of(placements: &[Placement]) -> DisplayType {
        if placements.contains(&Placement::FullPage)
            && !placements.contains(&Placement::ConversationTab)
        {
            DisplayType::Sidebar
        } else {
            DisplayType::Conversation
        }
    }
}

/// `placements` as sent: 1 to 4 declared placements, sorted, without repeats.
pub fn validate(mut placements: Vec<Placement>) -> Result<Vec<Placement>, DomainError> {
    if placements.iter().any(|p| !p.info().declared) {
        return Err(DomainError::invalid(
            "placements",
            "Placements : a modal is opened by the app (open-modal), not declared",
        ));
    }
    placements.sort_unstable();
    placements.dedup();
    if placements.is_empty() {
        return Err(DomainError::invalid(
            "placements",
            "Placements must name at least one place to show the app",
        ));
    }
    Ok(placements)
}

/// `placements` after `display_type` was written alone: its placement replaces the other
/// primary one (tab or full page), and the rest are kept.
pub fn with_display_type(placements: &[Placement], display_type: DisplayType) -> Vec<Placement> {
    let mut out: Vec<Placement> = placements
        .iter()
        .copied()
        .filter(|p| !matches!(p, Placement::ConversationTab | Placement::FullPage))
        .collect();
    out.push(Placement::of_display_type(display_type));
    out.sort_unstable();
    out.dedup();
    out
}

/// Every placeholder of `url` must be one each of `placements` can fill: a URL with
/// `{{conversation.id}}` cannot be shown on a contact's page, which has no conversation.
pub fn check_placeholders(placements: &[Placement], url: &str) -> Result<(), DomainError> {
    for name in crate::placeholder::names_in(url) {
        if let Some(place) = placements
            .iter()
            .find(|p| !p.info().placeholders.contains(&name))
        {
            let why = match place {
                Placement::FullPage => "sidebar apps, which have no conversation".to_owned(),
                other => format!("the {} placement", other.as_str()),
            };
            return Err(DomainError::invalid(
                "content",
                format!("Content : {{{{{name}}}}} is not available to {why}"),
            ));
        }
    }
    Ok(())
}

/// The table of placements in `docs/dashboard-apps.md`, as it must read there.
pub fn markdown_table() -> String {
    let mut out = String::from(
        "| placement | declared in `placements` | context `data` | URL placeholders | what it is |\n\
         |---|---|---|---|---|\n",
    );
    for p in &PLACEMENTS {
        let names: Vec<String> = p.placeholders.iter().map(|n| format!("`{n}`")).collect();
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            p.placement.as_str(),
            if p.declared { "yes" } else { "no" },
            p.context.as_str(),
            if names.is_empty() {
                "—".to_owned()
            } else {
                names.join(", ")
            },
            p.summary,
        ));
    }
    out
}

/// The registry as the JSON the pages' scripts read (the playground's choices).
pub fn placements_json() -> serde_json::Value {
    serde_json::Value::Array(
        PLACEMENTS
            .iter()
            .map(|p| {
                serde_json::json!({
                    "name": p.placement.as_str(),
                    "label": p.label,
                    "declared": p.declared,
                    "context": p.context.as_str(),
                })
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_placement_has_one_entry_and_serializes_as_its_name() {
        for info in &PLACEMENTS {
            assert_eq!(
                PLACEMENTS
                    .iter()
                    .filter(|p| p.placement == info.placement)
                    .count(),
                1
            );
            let json = serde_json::to_value(info.placement).unwrap();
            assert_eq!(json, info.placement.as_str());
        }
        let declared: Vec<Placement> = PLACEMENTS
            .iter()
            .filter(|p| p.declared)
            .map(|p| p.placement)
            .collect();
        assert_eq!(declared, Placement::DECLARED);
    }

    #[test]
    fn placements_are_normalised_and_a_modal_or_nothing_is_refused() {
        use Placement::*;
        assert_eq!(
            validate(vec![ContactPage, ConversationPanel, ContactPage]).unwrap(),
            [ConversationPanel, ContactPage]
        );
        for bad in [vec![], vec![Modal], vec![ConversationTab, Modal]] {
            let error = validate(bad).unwrap_err();
            assert_eq!(error.attributes, ["placements"]);
        }
    }

    #[test]
    fn display_type_swaps_the_primary_placement_and_keeps_the_others() {
        use Placement::*;
        assert_eq!(
            with_display_type(&[ConversationTab, ContactPage], DisplayType::Sidebar),
            [ContactPage, FullPage]
        );
        assert_eq!(
            with_display_type(&[ConversationPanel], DisplayType::Conversation),
            [ConversationTab, ConversationPanel]
        );
        assert_eq!(
            Placement::display_type_of(&[ContactPage, FullPage]),
            DisplayType::Sidebar
        );
        assert_eq!(
            Placement::display_type_of(&[ConversationTab, FullPage]),
            DisplayType::Conversation
        );
    }

    #[test]
    fn a_placeholder_must_be_available_in_every_placement() {
        use Placement::*;
        let url = "https://a.example/?c={{contact.id}}";
        assert!(check_placeholders(&[ConversationPanel, ContactPage], url).is_ok());
        assert!(check_placeholders(&[ContactPage, FullPage], url).is_err());
        let error = check_placeholders(
            &[ConversationTab, ContactPage],
            "https://a.example/{{conversation.id}}",
        )
        .unwrap_err();
        assert!(error.message.contains("contact_page"), "{}", error.message);
        assert_eq!(error.attributes, ["content"]);
    }
}
