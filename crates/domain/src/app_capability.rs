//! The registry of what a dashboard app may ask of the host: every action is defined here once —
//! its name, its payload's fields, what the viewing agent must be allowed to do for it, whether it
//! changes data and where it runs. The protocol parser (`app-protocol.js`), the settings
//! dialog's checkboxes, the playground's toggles, the SDK's `.d.ts` and the table in
//! `docs/dashboard-apps.md` are rendered from it or checked against it by a test
//! (`tests/it/app_capabilities.rs`), so adding an action is one entry here.
//!
//! Also here: the server-side actions' payloads, parsed into [`AppCommand`]s that the
//! `app_actions` endpoint performs through the same store commands as the agent's own API calls.

use crate::{validate, AppAction, DomainError, Status, TeamId, UserId};
use serde_json::{Map, Value};

/// What the viewing agent must be able to do for the host to perform an action: an app never
/// does more than the agent looking at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Nothing beyond the page the agent is on (the reply box, a notice, the frame's size).
    Page,
    /// See what is opened: a conversation of one of their inboxes, a contact of the account.
    See,
    /// Change the conversation they are looking at (and its contact): it is in one of their
    /// inboxes, as for the agent's own API calls.
    Change,
}

impl Permission {
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::Page => "page",
            Permission::See => "see",
            Permission::Change => "change",
        }
    }
}

/// Where an action is performed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runs {
    /// In the agent's page, by `app-bridge.js` and the page hosting the frame.
    Host,
    /// By the server, through `POST …/conversations/{id}/app_actions`, as the agent.
    Server,
}

impl Runs {
    pub fn as_str(self) -> &'static str {
        match self {
            Runs::Host => "host",
            Runs::Server => "server",
        }
    }
}

/// One field of an action's payload (besides `event` and `id`, which every action has).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    pub name: &'static str,
    /// Its type as the SDK's TypeScript declarations spell it.
    pub typescript: &'static str,
    pub required: bool,
}

impl Field {
    /// Its name as declarations write it: `title?` when optional.
    pub fn key(&self) -> String {
        let mark = if self.required { "" } else { "?" };
        format!("{}{mark}", self.name)
    }
}

const fn required(name: &'static str, typescript: &'static str) -> Field {
    Field {
        name,
        typescript,
        required: true,
    }
}

const fn optional(name: &'static str, typescript: &'static str) -> Field {
    Field {
        name,
        typescript,
        required: false,
    }
}

/// One action an app may ask of the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capability {
    pub action: AppAction,
    pub fields: &'static [Field],
    pub permission: Permission,
    /// Whether it changes stored data (and so is recorded in the conversation's activity).
    pub writes: bool,
    pub runs: Runs,
    /// The settings dialog's label for it.
    pub label: &'static str,
    /// What the host does, for the docs' table.
    pub summary: &'static str,
}

impl Capability {
    pub fn name(&self) -> &'static str {
        self.action.as_str()
    }
}

/// The longest text of `insert-reply`, `replace-reply` and `add-private-note`.
pub const MAX_REPLY_TEXT: usize = 10_000;
/// The longest text of a notice.
pub const MAX_NOTICE_TEXT: usize = 500;
/// The bounds of a frame's height set by `resize`, in CSS pixels.
pub const MIN_FRAME_HEIGHT: i64 = 80;
pub const MAX_FRAME_HEIGHT: i64 = 4000;
/// The most labels or attributes one action may name.
pub const MAX_ITEMS: usize = 100;

/// Every action, in the order the settings dialog, the playground and the docs list them.
pub const CAPABILITIES: [Capability; 13] = [
    Capability {
        action: AppAction::InsertReply,
        fields: &[required("text", "string")],
        permission: Permission::Page,
        writes: false,
        runs: Runs::Host,
        label: "Insert text into the reply box (the agent reviews and sends it)",
        summary: "puts `text` in the reply box after what the agent typed, for the agent to review and send",
    },
    Capability {
        action: AppAction::ReplaceReply,
        fields: &[required("text", "string")],
        permission: Permission::Page,
        writes: false,
        runs: Runs::Host,
        label: "Replace the reply box's draft (the agent reviews and sends it)",
        summary: "replaces the reply box's draft with `text`, for the agent to review and send",
    },
    Capability {
        action: AppAction::Notify,
        fields: &[
            required("text", "string"),
            optional("level", "\"info\" | \"success\" | \"warning\" | \"error\""),
        ],
        permission: Permission::Page,
        writes: false,
        runs: Runs::Host,
        label: "Show notices",
        summary: "shows `text` as a short notice in the host's page",
    },
    Capability {
        action: AppAction::AddLabel,
        fields: &[required("labels", "string[]")],
        permission: Permission::Change,
        writes: true,
        runs: Runs::Server,
        label: "Add labels to the conversation",
        summary: "adds `labels` to the conversation's labels",
    },
    Capability {
        action: AppAction::RemoveLabel,
        fields: &[required("labels", "string[]")],
        permission: Permission::Change,
        writes: true,
        runs: Runs::Server,
        label: "Remove labels from the conversation",
        summary: "removes `labels` from the conversation's labels",
    },
    Capability {
        action: AppAction::SetCustomAttributes,
        fields: &[
            required("target", "\"conversation\" | \"contact\""),
            required("attributes", "Record<string, unknown>"),
        ],
        permission: Permission::Change,
        writes: true,
        runs: Runs::Server,
        label: "Set custom attributes of the conversation or its contact",
        summary: "sets `attributes` on the conversation or its contact (others are kept), checked against the attribute definitions",
    },
    Capability {
        action: AppAction::AddPrivateNote,
        fields: &[required("content", "string")],
        permission: Permission::Change,
        writes: true,
        runs: Runs::Server,
        label: "Add private notes",
        summary: "adds `content` to the conversation as a private note by the agent",
    },
    Capability {
        action: AppAction::Assign,
        fields: &[
            optional("assignee_id", "number | null"),
            optional("team_id", "number | null"),
        ],
        permission: Permission::Change,
        writes: true,
        runs: Runs::Server,
        label: "Assign the conversation to an agent or a team",
        summary: "assigns the conversation to the agent `assignee_id` and/or the team `team_id`; `null` unassigns",
    },
    Capability {
        action: AppAction::SetStatus,
        fields: &[
            required("status", "\"open\" | \"resolved\" | \"pending\" | \"snoozed\""),
            optional("snoozed_until", "number"),
        ],
        permission: Permission::Change,
        writes: true,
        runs: Runs::Server,
        label: "Change the conversation's status",
        summary: "sets the status; `snoozed_until` (epoch seconds) with `snoozed`",
    },
    Capability {
        action: AppAction::Open,
        fields: &[
            optional("conversation_id", "number"),
            optional("contact_id", "number"),
        ],
        permission: Permission::See,
        writes: false,
        runs: Runs::Host,
        label: "Open a conversation or a contact of the account",
        summary: "opens the conversation `conversation_id` (its number in the account) or the contact `contact_id` in the host",
    },
    Capability {
        action: AppAction::OpenModal,
        fields: &[required("url", "string"), optional("title", "string")],
        permission: Permission::Page,
        writes: false,
        runs: Runs::Host,
        label: "Open a modal with a page of the app",
        summary: "opens `url` (on the app's own origin) in a modal over the page, titled `title`",
    },
    Capability {
        action: AppAction::CloseModal,
        fields: &[],
        permission: Permission::Page,
        writes: false,
        runs: Runs::Host,
        label: "Close its modal",
        summary: "closes the modal the app opened",
    },
    Capability {
        action: AppAction::Resize,
        fields: &[required("height", "number")],
        permission: Permission::Page,
        writes: false,
        runs: Runs::Host,
        label: "Resize its frame",
        summary: "sets the frame's height to `height` CSS pixels (80 to 4000)",
    },
];

impl AppAction {
    /// The action's entry in the registry.
    pub fn capability(self) -> &'static Capability {
        CAPABILITIES
            .iter()
            .find(|c| c.action == self)
            .expect("every action has an entry in CAPABILITIES (a test checks it)")
    }
}

/// The registry as the JSON the pages' scripts read (`data-capabilities`): each action's name,
/// fields, permission, whether it writes and where it runs.
pub fn capabilities_json() -> Value {
    Value::Array(
        CAPABILITIES
            .iter()
            .map(|c| {
                serde_json::json!({
                    "name": c.name(),
                    "label": c.label,
                    "fields": c.fields.iter().map(|f| serde_json::json!({"name": f.name, "required": f.required})).collect::<Vec<_>>(),
                    "permission": c.permission.as_str(),
                    "writes": c.writes,
                    "runs": c.runs.as_str(),
                })
            })
            .collect(),
    )
}

/// The `ActionPayloads` interface of the SDK's `.d.ts`, as it must read there.
pub fn typescript_payloads() -> String {
    let mut out = String::from("export interface ActionPayloads {\n");
    for c in &CAPABILITIES {
        let fields: Vec<String> = c
            .fields
            .iter()
            .map(|f| format!("{}: {}", f.key(), f.typescript))
            .collect();
        if fields.is_empty() {
            out.push_str(&format!("  \"{}\": {{}};\n", c.name()));
        } else {
            out.push_str(&format!(
                "  \"{}\": {{ {} }};\n",
                c.name(),
                fields.join("; ")
            ));
        }
    }
    out.push('}');
    out
}

/// The table of actions in `docs/dashboard-apps.md`, as it must read there.
pub fn markdown_table() -> String {
    let mut out = String::from(
        "| action | fields | the agent must be able to | changes data | what the host does |\n\
         |---|---|---|---|---|\n",
    );
    for c in &CAPABILITIES {
        let fields: Vec<String> = c.fields.iter().map(|f| format!("`{}`", f.key())).collect();
        let permission = match c.permission {
            Permission::Page => "use the page",
            Permission::See => "see what is opened",
            Permission::Change => "change the conversation",
        };
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            c.name(),
            if fields.is_empty() {
                "—".to_owned()
            } else {
                fields.join(", ")
            },
            permission,
            if c.writes { "yes" } else { "no" },
            c.summary,
        ));
    }
    out
}

/// Which custom attributes `set-custom-attributes` sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttributeTarget {
    Conversation,
    Contact,
}

/// A server-side action, validated: what `POST …/app_actions` performs as the agent.
#[derive(Debug, Clone, PartialEq)]
pub enum AppCommand {
    AddLabels(Vec<String>),
    RemoveLabels(Vec<String>),
    SetCustomAttributes {
        target: AttributeTarget,
        attributes: Map<String, Value>,
    },
    AddPrivateNote(String),
    /// `Some(None)` unassigns, `None` leaves it as it is.
    Assign {
        assignee: Option<Option<UserId>>,
        team: Option<Option<TeamId>>,
    },
    SetStatus {
        status: Status,
        snoozed_until: Option<Value>,
    },
}

impl AppCommand {
    /// Reads the payload of `action` (the app's flat message: `{"event", "id", …fields}`). An
    /// action that runs in the page is a 422 naming `event`: the server has nothing to do for it.
    pub fn parse(action: AppAction, payload: &Map<String, Value>) -> Result<Self, DomainError> {
        let field = |name: &str| payload.get(name).filter(|v| !v.is_null());
        Ok(match action {
            AppAction::AddLabel => AppCommand::AddLabels(labels(field("labels"))?),
            AppAction::RemoveLabel => AppCommand::RemoveLabels(labels(field("labels"))?),
            AppAction::SetCustomAttributes => {
                let target = match field("target").and_then(Value::as_str) {
                    Some("conversation") => AttributeTarget::Conversation,
                    Some("contact") => AttributeTarget::Contact,
                    _ => {
                        return Err(DomainError::invalid(
                            "target",
                            "Target must be conversation or contact",
                        ))
                    }
                };
                let attributes = match field("attributes") {
                    Some(Value::Object(map)) if !map.is_empty() && map.len() <= MAX_ITEMS => {
                        map.clone()
                    }
                    _ => {
                        return Err(DomainError::invalid(
                            "attributes",
                            format!("Attributes must be an object of 1 to {MAX_ITEMS} keys"),
                        ))
                    }
                };
                AppCommand::SetCustomAttributes { target, attributes }
            }
            AppAction::AddPrivateNote => {
                let content = field("content").and_then(Value::as_str);
                AppCommand::AddPrivateNote(validate::required("content", content, MAX_REPLY_TEXT)?)
            }
            AppAction::Assign => {
                let assignee = id_field(payload, "assignee_id")?.map(|id| id.map(UserId));
                let team = id_field(payload, "team_id")?.map(|id| id.map(TeamId));
                if assignee.is_none() && team.is_none() {
                    return Err(DomainError::invalid(
                        "assignee_id",
                        "Assignee id or team id is required (null unassigns)",
                    ));
                }
                AppCommand::Assign { assignee, team }
            }
            AppAction::SetStatus => {
                let status = field("status").and_then(Value::as_str);
                let status = Status::parse(status.unwrap_or_default()).map_err(|_| {
                    DomainError::invalid(
                        "status",
                        "Status must be open, resolved, pending or snoozed",
                    )
                })?;
                let snoozed_until = field("snoozed_until").cloned();
                if snoozed_until.as_ref().is_some_and(|v| !v.is_i64()) {
                    return Err(DomainError::invalid(
                        "snoozed_until",
                        "Snoozed until must be a time in epoch seconds",
                    ));
                }
                AppCommand::SetStatus {
                    status,
                    snoozed_until,
                }
            }
            other => {
                return Err(DomainError::invalid(
                    "event",
                    format!(
                        "{} is performed by the page, not the server",
                        other.as_str()
                    ),
                ))
            }
        })
    }
}

/// `labels`: 1 to [`MAX_ITEMS`] label titles, lower-cased without repeats.
fn labels(value: Option<&Value>) -> Result<Vec<String>, DomainError> {
    let bad = || {
        DomainError::invalid(
            "labels",
            format!("Labels must be a list of 1 to {MAX_ITEMS} label names"),
        )
    };
    let items = value.and_then(Value::as_array).ok_or_else(bad)?;
    if items.is_empty() || items.len() > MAX_ITEMS {
        return Err(bad());
    }
    let titles: Vec<String> = items
        .iter()
        .map(|item| item.as_str().map(str::to_owned).ok_or_else(bad))
        .collect::<Result<_, _>>()?;
    crate::conversation::label_set(&titles)
}

/// An id field that may be absent (`None`), `null` (`Some(None)`) or a positive integer.
fn id_field(payload: &Map<String, Value>, name: &str) -> Result<Option<Option<i64>>, DomainError> {
    match payload.get(name) {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(value) => match value.as_i64().filter(|id| *id > 0) {
            Some(id) => Ok(Some(Some(id))),
            None => Err(DomainError::invalid(
                name,
                format!(
                    "{} must be a positive integer or null",
                    crate::error::humanize(name)
                ),
            )),
        },
    }
}

/// Who did something, and through which app: the store's activity sentences name both
/// ("Conversation was marked resolved by Sam via Orders").
#[derive(Debug, Clone, Copy)]
pub struct ActedBy<'a> {
    pub user: &'a crate::User,
    /// The title of the dashboard app that asked, if one did.
    pub via: Option<&'a str>,
}

impl<'a> From<&'a crate::User> for ActedBy<'a> {
    fn from(user: &'a crate::User) -> Self {
        ActedBy { user, via: None }
    }
}

impl std::fmt::Display for ActedBy<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.via {
            Some(app) => write!(f, "{} via {app}", self.user.name),
            None => f.write_str(&self.user.name),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(action: AppAction, payload: Value) -> Result<AppCommand, DomainError> {
        AppCommand::parse(action, payload.as_object().unwrap())
    }

    #[test]
    fn every_action_has_one_entry_in_the_registry() {
        assert_eq!(CAPABILITIES.len(), AppAction::ALL.len());
        for action in AppAction::ALL {
            assert_eq!(
                CAPABILITIES.iter().filter(|c| c.action == action).count(),
                1,
                "{action:?}"
            );
        }
    }

    #[test]
    fn server_actions_are_the_ones_that_write() {
        for c in &CAPABILITIES {
            assert_eq!(c.writes, c.runs == Runs::Server, "{}", c.name());
            assert_eq!(c.writes, c.permission == Permission::Change, "{}", c.name());
        }
    }

    #[test]
    fn payloads_are_read_and_bad_fields_named() {
        assert_eq!(
            parse(
                AppAction::AddLabel,
                json!({"labels": ["VIP", "vip", "billing"]})
            )
            .unwrap(),
            AppCommand::AddLabels(vec!["vip".into(), "billing".into()])
        );
        assert_eq!(
            parse(AppAction::Assign, json!({"assignee_id": null})).unwrap(),
            AppCommand::Assign {
                assignee: Some(None),
                team: None
            }
        );
        for (action, payload, field) in [
            (AppAction::AddLabel, json!({}), "labels"),
            (AppAction::RemoveLabel, json!({"labels": [5]}), "labels"),
            (AppAction::AddLabel, json!({"labels": []}), "labels"),
            (
                AppAction::SetCustomAttributes,
                json!({"target": "inbox", "attributes": {"a": 1}}),
                "target",
            ),
            (
                AppAction::SetCustomAttributes,
                json!({"target": "contact", "attributes": []}),
                "attributes",
            ),
            (
                AppAction::AddPrivateNote,
                json!({"content": "  "}),
                "content",
            ),
            (AppAction::Assign, json!({}), "assignee_id"),
            (AppAction::Assign, json!({"team_id": "x"}), "team_id"),
            (AppAction::SetStatus, json!({"status": "closed"}), "status"),
            (
                AppAction::SetStatus,
                json!({"status": "snoozed", "snoozed_until": "soon"}),
                "snoozed_until",
            ),
            (AppAction::Notify, json!({"text": "hi"}), "event"),
        ] {
            let error = parse(action, payload.clone()).unwrap_err();
            assert_eq!(error.attributes, [field], "{action:?} {payload}");
        }
    }

    #[test]
    fn an_app_is_named_after_the_agent() {
        let user = crate::User {
            id: UserId(1),
            name: "Sam".into(),
            email: "sam@example.com".into(),
            display_name: None,
            pubsub_token: String::new(),
        };
        assert_eq!(ActedBy::from(&user).to_string(), "Sam");
        let via = ActedBy {
            user: &user,
            via: Some("Orders"),
        };
        assert_eq!(via.to_string(), "Sam via Orders");
    }
}
