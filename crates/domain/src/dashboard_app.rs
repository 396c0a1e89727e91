//! Dashboard apps: an account's embedded web apps, `{title, content: [{type: "frame", url}]}`, and
//! the validation Chatwoot's `dashboard_app.rb` schema performs (made stricter where it lets bad
//! data through), plus our control fields: whether the app is enabled, its place in the order,
//! where it is shown (its placements, `crate::app_placement`; `display_type` names the primary
//! one for older clients), which inboxes' conversations show it, and which actions it may ask of
//! the host.

use crate::app_placement::{self, Placement};
use crate::{validate, AccountId, DashboardAppId, DomainError, InboxId};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The longest frame URL we store.
pub const MAX_URL: usize = 2048;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DashboardAppFrame {
    #[serde(rename = "type")]
    pub kind: String,
    pub url: String,
}

impl DashboardAppFrame {
    /// The origin the host pins its `postMessage` to (`https://app.example:8443`). Read from
    /// the URL with sample placeholder values, as it was validated: placeholders never reach the
    /// origin, but `{{ contact.email }}`'s spaces would make the raw text no URL at all.
    pub fn origin(&self) -> String {
        crate::placeholder::check(&self.url)
            .ok()
            .and_then(|sample| http_url(&sample))
            .map(|url| url.origin().ascii_serialization())
            .unwrap_or_default()
    }
}

/// Where an app is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DisplayType {
    /// A tab beside the messages of each conversation (Chatwoot's only kind).
    #[default]
    Conversation,
    /// A full page with its own entry in the main navigation; its context has no conversation.
    Sidebar,
}

impl DisplayType {
    pub fn as_str(self) -> &'static str {
        match self {
            DisplayType::Conversation => "conversation",
            DisplayType::Sidebar => "sidebar",
        }
    }
}

/// What an app may ask of the host, each only when an administrator allowed it for that app.
/// What each one takes and needs is in the registry, `crate::app_capability::CAPABILITIES`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum AppAction {
    /// Put text into the reply box, for the agent to review and send.
    InsertReply,
    /// Show a short notice in the host's UI.
    Notify,
    ReplaceReply,
    AddLabel,
    RemoveLabel,
    SetCustomAttributes,
    AddPrivateNote,
    Assign,
    SetStatus,
    Open,
    OpenModal,
    CloseModal,
    Resize,
}

impl AppAction {
    pub const ALL: [AppAction; 13] = [
        AppAction::InsertReply,
        AppAction::Notify,
        AppAction::ReplaceReply,
        AppAction::AddLabel,
        AppAction::RemoveLabel,
        AppAction::SetCustomAttributes,
        AppAction::AddPrivateNote,
        AppAction::Assign,
        AppAction::SetStatus,
        AppAction::Open,
        AppAction::OpenModal,
        AppAction::CloseModal,
        AppAction::Resize,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AppAction::InsertReply => "insert-reply",
            AppAction::Notify => "notify",
            AppAction::ReplaceReply => "replace-reply",
            AppAction::AddLabel => "add-label",
            AppAction::RemoveLabel => "remove-label",
            AppAction::SetCustomAttributes => "set-custom-attributes",
            AppAction::AddPrivateNote => "add-private-note",
            AppAction::Assign => "assign",
            AppAction::SetStatus => "set-status",
            AppAction::Open => "open",
            AppAction::OpenModal => "open-modal",
            AppAction::CloseModal => "close-modal",
            AppAction::Resize => "resize",
        }
    }

    /// The action named `name` (`"add-label"`), if there is one.
    pub fn parse(name: &str) -> Option<AppAction> {
        AppAction::ALL.into_iter().find(|a| a.as_str() == name)
    }
}

/// The most inboxes one app may be limited to.
pub const MAX_INBOX_IDS: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DashboardApp {
    pub id: DashboardAppId,
    pub account_id: AccountId,
    pub title: String,
    pub content: Vec<DashboardAppFrame>,
    pub created_at: i64,
    /// A disabled app is kept but shown nowhere.
    pub enabled: bool,
    /// 1-based place in the account's order: the order of tabs and sidebar entries.
    pub position: i64,
    pub display_type: DisplayType,
    /// Where the app is shown: one or more declared placements, sorted (`display_type` is the
    /// primary one of these).
    pub placements: Vec<Placement>,
    /// The inboxes whose conversations show the app; empty means all.
    pub inbox_ids: Vec<InboxId>,
    pub allowed_actions: Vec<AppAction>,
    /// How the app's context tokens are signed: EdDSA for apps made since it existed, HS256 for
    /// older ones until an administrator switches them.
    pub token_algorithm: crate::context_token::TokenAlgorithm,
    /// The roles and teams it is limited to, beside `inbox_ids`.
    pub visibility: crate::app_visibility::Visibility,
    /// Its installation settings and request allow-list.
    pub settings: crate::app_setting::AppSettings,
}

impl DashboardApp {
    /// Whether the app has a tab on a conversation of `inbox`.
    pub fn shows_in_conversation_of(&self, inbox: InboxId) -> bool {
        self.shows_on(Placement::ConversationTab) && self.shows_for_inbox(inbox)
    }

    /// Whether the app has a panel beside a conversation of `inbox`.
    pub fn shows_in_panel_of(&self, inbox: InboxId) -> bool {
        self.shows_on(Placement::ConversationPanel) && self.shows_for_inbox(inbox)
    }

    /// Whether a conversation of `inbox` shows the app, as a tab or a panel: what earns a
    /// token for its context.
    pub fn shows_beside_conversation_of(&self, inbox: InboxId) -> bool {
        self.shows_in_conversation_of(inbox) || self.shows_in_panel_of(inbox)
    }

    /// Whether the page of a contact whose conversations (those the agent sees) are in
    /// `inboxes` shows the app: an app limited to some inboxes shows for the contacts who
    /// wrote to one of them.
    pub fn shows_on_contact_page(&self, inboxes: &[InboxId]) -> bool {
        self.shows_on(Placement::ContactPage)
            && (self.inbox_ids.is_empty() || inboxes.iter().any(|i| self.inbox_ids.contains(i)))
    }

    /// Whether the app has an entry in the main navigation.
    pub fn shows_in_sidebar(&self) -> bool {
        self.shows_on(Placement::FullPage)
    }

    /// Enabled and declared for `placement`.
    pub fn shows_on(&self, placement: Placement) -> bool {
        self.enabled && self.placements.contains(&placement)
    }

    fn shows_for_inbox(&self, inbox: InboxId) -> bool {
        self.inbox_ids.is_empty() || self.inbox_ids.contains(&inbox)
    }

    pub fn allows(&self, action: AppAction) -> bool {
        self.allowed_actions.contains(&action)
    }

    /// Whether `viewer` may see the app at all (its roles and teams), wherever it is shown.
    pub fn visible_to(&self, viewer: &crate::app_visibility::Viewer) -> bool {
        self.visibility.admits(viewer)
    }
}

/// The control fields of a create or an update, as sent; `None` keeps the default or the
/// current value.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct ControlChanges {
    pub enabled: Option<bool>,
    pub position: Option<i64>,
    pub display_type: Option<DisplayType>,
    pub inbox_ids: Option<Vec<InboxId>>,
    pub allowed_actions: Option<Vec<AppAction>>,
    pub token_algorithm: Option<crate::context_token::TokenAlgorithm>,
    /// Where the app is shown; wins over `display_type` when both are sent.
    #[serde(default)]
    pub placements: Option<Vec<Placement>>,
    pub roles: Option<Vec<crate::Role>>,
    pub team_ids: Option<Vec<crate::TeamId>>,
    pub settings_schema: Option<Vec<crate::app_setting::SettingDefinition>>,
    pub request_hosts: Option<Vec<String>>,
}

impl ControlChanges {
    /// Checks ranges and normalises lists (sorted, without repeats). Whether the inboxes belong
    /// to the account is the store's to check.
    pub fn validate(mut self) -> Result<Self, DomainError> {
        if self.position.is_some_and(|p| !(1..=10_000).contains(&p)) {
            return Err(DomainError::invalid(
                "position",
                "Position must be between 1 and 10000",
            ));
        }
        if let Some(ids) = &mut self.inbox_ids {
            if ids.iter().any(|id| id.get() <= 0) {
                return Err(DomainError::invalid(
                    "inbox_ids",
                    "Inbox ids must be positive integers",
                ));
            }
            ids.sort_unstable();
            ids.dedup();
            if ids.len() > MAX_INBOX_IDS {
                return Err(DomainError::invalid(
                    "inbox_ids",
                    format!("An app may be limited to at most {MAX_INBOX_IDS} inboxes"),
                ));
            }
        }
        if let Some(actions) = &mut self.allowed_actions {
            actions.sort_unstable();
            actions.dedup();
        }
        if let Some(placements) = self.placements.take() {
            self.placements = Some(app_placement::validate(placements)?);
        }
        self.validate_settings_and_visibility()
    }

    /// The issue 14 fields (settings, request hosts, roles, teams), checked and normalised.
    fn validate_settings_and_visibility(mut self) -> Result<Self, DomainError> {
        use crate::{app_setting, app_visibility};
        if let Some(roles) = self.roles.take() {
            self.roles = Some(app_visibility::roles_of(roles));
        }
        if let Some(ids) = self.team_ids.take() {
            self.team_ids = Some(app_visibility::team_ids_of(ids)?);
        }
        if let Some(schema) = self.settings_schema.take() {
            let value = serde_json::to_value(&schema).expect("setting definitions serialize");
            self.settings_schema = Some(app_setting::schema_of(&value)?);
        }
        if let Some(hosts) = self.request_hosts.take() {
            self.request_hosts = Some(app_setting::request_hosts_of(&hosts)?);
        }
        Ok(self)
    }

    /// The placements and `display_type` these changes give an app that had `placements`:
    /// `placements` as sent, else `display_type`'s swapped in, else unchanged.
    fn placements_from(&self, placements: &[Placement]) -> (Vec<Placement>, DisplayType) {
        let placements = match (&self.placements, self.display_type) {
            (Some(sent), _) => sent.clone(),
            (None, Some(display_type)) => {
                app_placement::with_display_type(placements, display_type)
            }
            (None, None) => placements.to_vec(),
        };
        let display_type = Placement::display_type_of(&placements);
        (placements, display_type)
    }

    /// Applies the changes to `app`'s control fields (position is the store's to apply).
    pub fn apply_to(&self, app: &mut DashboardApp) {
        if let Some(enabled) = self.enabled {
            app.enabled = enabled;
        }
        (app.placements, app.display_type) = self.placements_from(&app.placements);
        if let Some(ids) = &self.inbox_ids {
            app.inbox_ids = ids.clone();
        }
        if let Some(actions) = &self.allowed_actions {
            app.allowed_actions = actions.clone();
        }
        if let Some(algorithm) = self.token_algorithm {
            app.token_algorithm = algorithm;
        }
        if let Some(roles) = &self.roles {
            app.visibility.roles = roles.clone();
        }
        if let Some(ids) = &self.team_ids {
            app.visibility.team_ids = ids.clone();
        }
        if let Some(schema) = &self.settings_schema {
            app.settings.values = crate::app_setting::retained(schema, &app.settings.values);
            app.settings.schema = schema.clone();
        }
        if let Some(hosts) = &self.request_hosts {
            app.settings.request_hosts = hosts.clone();
        }
    }
}

/// A validated create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDashboardApp {
    pub account_id: AccountId,
    pub title: String,
    pub content: Vec<DashboardAppFrame>,
    pub control: ControlChanges,
}

impl NewDashboardApp {
    pub fn validate(
        account_id: AccountId,
        title: Option<&str>,
        content: Option<&Value>,
        control: ControlChanges,
    ) -> Result<Self, DomainError> {
        let title = title_of(title)?;
        let content = content_of(content)?;
        let mut control = control.validate()?;
        // A new app starts as a conversation tab, like Chatwoot's; the store is handed both
        // fields resolved.
        let (placements, display_type) =
            control.placements_from(&[Placement::of_display_type(DisplayType::default())]);
        check_placements(&placements, &content)?;
        control.placements = Some(placements);
        control.display_type = Some(display_type);
        Ok(Self {
            account_id,
            title,
            content,
            control,
        })
    }
}

/// A validated update: attributes left out keep their value.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DashboardAppChanges {
    pub title: Option<String>,
    pub content: Option<Vec<DashboardAppFrame>>,
    pub control: ControlChanges,
}

impl DashboardAppChanges {
    pub fn validate(
        title: Option<&str>,
        content: Option<&Value>,
        control: ControlChanges,
    ) -> Result<Self, DomainError> {
        Ok(Self {
            title: title.map(|t| title_of(Some(t))).transpose()?,
            content: content.map(|c| content_of(Some(c))).transpose()?,
            control: control.validate()?,
        })
    }

    /// `app` with these changes applied, checked as a whole (e.g. a sidebar app may not use
    /// conversation placeholders, whichever of the two changed).
    pub fn applied_to(&self, mut app: DashboardApp) -> Result<DashboardApp, DomainError> {
        if let Some(title) = &self.title {
            app.title = title.clone();
        }
        if let Some(content) = &self.content {
            app.content = content.clone();
        }
        self.control.apply_to(&mut app);
        check_placements(&app.placements, &app.content)?;
        Ok(app)
    }
}

/// A sidebar app has no conversation, so its URLs may only use the agent's and the account's
/// placeholders.
pub fn check_placement(
    display_type: DisplayType,
    content: &[DashboardAppFrame],
) -> Result<(), DomainError> {
    check_placements(&[Placement::of_display_type(display_type)], content)
}

/// Each frame URL may only use the placeholders every one of `placements` can fill (a sidebar
/// app has no conversation, a contact's page no conversation nor inbox).
pub fn check_placements(
    placements: &[Placement],
    content: &[DashboardAppFrame],
) -> Result<(), DomainError> {
    content
        .iter()
        .try_for_each(|frame| app_placement::check_placeholders(placements, &frame.url))
}

fn title_of(title: Option<&str>) -> Result<String, DomainError> {
    validate::required("title", title, validate::MAX_SHORT_TEXT)
}

/// Chatwoot's error for any content that breaks its JSON schema.
fn invalid_content() -> DomainError {
    DomainError::invalid("content", "Content : Invalid data")
}

/// A non-empty array of `{"type": "frame", "url": <absolute http(s) URL>}`.
fn content_of(content: Option<&Value>) -> Result<Vec<DashboardAppFrame>, DomainError> {
    let items = content
        .and_then(Value::as_array)
        .filter(|items| !items.is_empty() && items.len() <= 10)
        .ok_or_else(invalid_content)?;
    items
        .iter()
        .map(|item| {
            let kind = item.get("type").and_then(Value::as_str);
            let url = item.get("url").and_then(Value::as_str);
            match (kind, url) {
                (Some("frame"), Some(url)) => {
                    // Placeholders are checked first, then the URL they fill must be valid.
                    let sample = crate::placeholder::check(url)?;
                    http_url(&sample).ok_or_else(invalid_content)?;
                    Ok(DashboardAppFrame {
                        kind: "frame".to_owned(),
                        url: url.to_owned(),
                    })
                }
                _ => Err(invalid_content()),
            }
        })
        .collect()
}

/// Parses an absolute `http(s)` URL with a host, no user info, no whitespace and at most
/// [`MAX_URL`] characters; anything else is `None`.
pub fn http_url(text: &str) -> Option<url::Url> {
    if text.is_empty()
        || text.len() > MAX_URL
        || text.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return None;
    }
    let url = url::Url::parse(text).ok()?;
    let acceptable = matches!(url.scheme(), "http" | "https")
        && url.host_str().is_some_and(|h| !h.is_empty())
        && url.username().is_empty()
        && url.password().is_none();
    acceptable.then_some(url)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn content(url: &str) -> Value {
        json!([{"type": "frame", "url": url}])
    }

    #[test]
    fn accepts_absolute_http_and_https_urls() {
        for url in [
            "https://apps.example/orders",
            "http://127.0.0.1:3001/?a=b#c",
        ] {
            let app = NewDashboardApp::validate(
                AccountId(1),
                Some("Orders"),
                Some(&content(url)),
                ControlChanges::default(),
            );
            assert!(app.is_ok(), "{url}");
        }
    }

    #[test]
    fn rejects_every_other_content_with_chatwoots_message() {
        let long = format!("https://a.example/{}", "x".repeat(MAX_URL));
        let bad = [
            json!([]),
            json!({}),
            json!("https://a.example"),
            json!([{"type": "link", "url": "https://a.example"}]),
            json!([{"type": "frame"}]),
            json!([{"type": "frame", "url": 5}]),
            content("ftp://x"),
            content("javascript:alert(1)"),
            content("/relative/path"),
            content("https://user:pw@a.example/"),
            content("https://a.example/with space"),
            content("https://a.example/\nnewline"),
            content("https://"),
            content(&long),
        ];
        for value in bad {
            let err = NewDashboardApp::validate(
                AccountId(1),
                Some("T"),
                Some(&value),
                ControlChanges::default(),
            )
            .unwrap_err();
            assert_eq!(err.message, "Content : Invalid data", "{value}");
            assert_eq!(err.attributes, ["content"]);
        }
        assert!(NewDashboardApp::validate(
            AccountId(1),
            Some("T"),
            None,
            ControlChanges::default()
        )
        .is_err());
    }

    #[test]
    fn a_blank_title_is_refused() {
        let err = NewDashboardApp::validate(
            AccountId(1),
            Some("  "),
            Some(&content("https://a.example")),
            ControlChanges::default(),
        )
        .unwrap_err();
        assert_eq!(err.message, "Title can't be blank");
    }

    #[test]
    fn the_origin_is_scheme_host_and_port() {
        let frame = DashboardAppFrame {
            kind: "frame".into(),
            url: "http://127.0.0.1:3001/orders?x=1".into(),
        };
        assert_eq!(frame.origin(), "http://127.0.0.1:3001");
    }

    fn app(display_type: DisplayType, inbox_ids: &[i64]) -> DashboardApp {
        DashboardApp {
            id: DashboardAppId(1),
            account_id: AccountId(1),
            title: "Orders".into(),
            content: vec![DashboardAppFrame {
                kind: "frame".into(),
                url: "https://a.example/{{agent.id}}".into(),
            }],
            created_at: 0,
            enabled: true,
            position: 1,
            display_type,
            placements: vec![Placement::of_display_type(display_type)],
            inbox_ids: inbox_ids.iter().copied().map(InboxId).collect(),
            allowed_actions: vec![],
            token_algorithm: crate::context_token::TokenAlgorithm::Hs256,
            visibility: Default::default(),
            settings: Default::default(),
        }
    }

    #[test]
    fn an_app_shows_on_the_conversations_of_its_inboxes_only_while_enabled() {
        let everywhere = app(DisplayType::Conversation, &[]);
        assert!(everywhere.shows_in_conversation_of(InboxId(7)));
        let limited = app(DisplayType::Conversation, &[2, 3]);
        assert!(limited.shows_in_conversation_of(InboxId(3)));
        assert!(!limited.shows_in_conversation_of(InboxId(7)));
        let disabled = DashboardApp {
            enabled: false,
            ..everywhere.clone()
        };
        assert!(!disabled.shows_in_conversation_of(InboxId(7)));
        let sidebar = app(DisplayType::Sidebar, &[]);
        assert!(!sidebar.shows_in_conversation_of(InboxId(7)));
        assert!(sidebar.shows_in_sidebar() && !everywhere.shows_in_sidebar());
    }

    #[test]
    fn control_changes_are_range_checked_and_normalised() {
        let parse = |value: Value| serde_json::from_value::<ControlChanges>(value);
        let changes = parse(json!({"inbox_ids": [3, 1, 3], "allowed_actions": ["notify", "insert-reply", "notify"]}))
            .unwrap()
            .validate()
            .unwrap();
        assert_eq!(changes.inbox_ids, Some(vec![InboxId(1), InboxId(3)]));
        assert_eq!(
            changes.allowed_actions,
            Some(vec![AppAction::InsertReply, AppAction::Notify])
        );
        for (value, field) in [
            (json!({"position": 0}), "position"),
            (json!({"inbox_ids": [0]}), "inbox_ids"),
            (
                json!({"inbox_ids": (1..=101).collect::<Vec<i64>>()}),
                "inbox_ids",
            ),
        ] {
            let err = parse(value).unwrap().validate().unwrap_err();
            assert_eq!(err.attributes, [field]);
        }
        assert!(parse(json!({"display_type": "popup"})).is_err());
        assert!(parse(json!({"allowed_actions": ["send-reply"]})).is_err());
    }

    #[test]
    fn a_sidebar_app_may_only_use_agent_and_account_placeholders() {
        let sidebar = ControlChanges {
            display_type: Some(DisplayType::Sidebar),
            ..ControlChanges::default()
        };
        let ok = content("https://a.example/{{account.id}}?agent={{agent.email}}");
        assert!(
            NewDashboardApp::validate(AccountId(1), Some("T"), Some(&ok), sidebar.clone()).is_ok()
        );
        let bad = content("https://a.example/?c={{conversation.id}}");
        let err = NewDashboardApp::validate(AccountId(1), Some("T"), Some(&bad), sidebar.clone())
            .unwrap_err();
        assert_eq!(err.attributes, ["content"]);
        assert!(
            err.message.contains("{{conversation.id}}"),
            "{}",
            err.message
        );
        // Turning an existing conversation app into a sidebar app is checked the same way.
        let mut existing = app(DisplayType::Conversation, &[]);
        existing.content[0].url = "https://a.example/?c={{contact.id}}".into();
        let changes = DashboardAppChanges {
            control: sidebar,
            ..DashboardAppChanges::default()
        };
        assert!(changes.applied_to(existing).is_err());
    }

    #[test]
    fn placements_decide_where_an_app_shows_and_display_type_follows_them() {
        use Placement::*;
        let parse = |value: Value| {
            serde_json::from_value::<ControlChanges>(value)
                .unwrap()
                .validate()
                .unwrap()
        };
        let panel = parse(json!({"placements": ["contact_page", "conversation_panel"]}));
        let new = NewDashboardApp::validate(
            AccountId(1),
            Some("T"),
            Some(&content("https://a.example/?c={{contact.email}}")),
            panel,
        )
        .unwrap();
        assert_eq!(
            new.control.placements,
            Some(vec![ConversationPanel, ContactPage])
        );
        assert_eq!(new.control.display_type, Some(DisplayType::Conversation));
        // A Chatwoot-era create is a tab, as before.
        let plain = NewDashboardApp::validate(
            AccountId(1),
            Some("T"),
            Some(&content("https://a.example/")),
            ControlChanges::default(),
        )
        .unwrap();
        assert_eq!(plain.control.placements, Some(vec![ConversationTab]));

        let mut existing = app(DisplayType::Conversation, &[2]);
        existing.placements = vec![ConversationPanel, ContactPage];
        assert!(!existing.shows_in_conversation_of(InboxId(2)));
        assert!(existing.shows_in_panel_of(InboxId(2)));
        assert!(!existing.shows_in_panel_of(InboxId(3)));
        assert!(existing.shows_beside_conversation_of(InboxId(2)));
        assert!(existing.shows_on_contact_page(&[InboxId(3), InboxId(2)]));
        assert!(!existing.shows_on_contact_page(&[InboxId(3)]));
        // Writing display_type alone swaps the primary placement and keeps the panel.
        let to_sidebar = DashboardAppChanges {
            control: parse(json!({"display_type": "sidebar"})),
            ..DashboardAppChanges::default()
        };
        let moved = to_sidebar.applied_to(existing.clone()).unwrap();
        assert_eq!(moved.placements, [ConversationPanel, ContactPage, FullPage]);
        assert_eq!(moved.display_type, DisplayType::Sidebar);
        assert!(moved.shows_in_sidebar());
        // A contact page cannot fill a conversation placeholder.
        existing.content[0].url = "https://a.example/{{conversation.id}}".into();
        let error = DashboardAppChanges::default()
            .applied_to(existing)
            .unwrap_err();
        assert_eq!(error.attributes, ["content"]);
        let error = serde_json::from_value::<ControlChanges>(json!({"placements": ["modal"]}))
            .unwrap()
            .validate()
            .unwrap_err();
        assert_eq!(error.attributes, ["placements"]);
    }
}
