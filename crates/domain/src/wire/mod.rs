//! The only place a Chatwoot-shaped body is defined. API responses and their envelopes, the
//! dashboard-app context, `/cable` frames and webhook bodies are all built from these types, so
//! one shape serves all; `web` and `realtime` only fill them in. Bodies that are ours alone
//! (`/health`, a dashboard app's signing secret, a context with its token) stay beside their
//! handlers.
//! Shapes follow Chatwoot's jbuilder views (`app/views/api/v1/models/_contact.json.jbuilder`,
//! `_agent`, `conversations/partials/_conversation`, `Message#push_event_data`).

mod app_context;
pub mod cable;
mod canned_response;
mod contact;
mod contact_note;
mod conversation;
mod custom_attribute_definition;
mod dashboard_app;
mod envelope;
mod errors;
mod inbox;
mod label;
mod message;
mod public;
mod team;
mod user;
mod webhook;

pub use app_context::{
    AppContext, AppContextData, ContactContext, ContactContextData, CurrentAgent, SidebarContext,
};
pub use canned_response::CannedResponse;
pub use contact::{Contact, ContactInbox, ContactWithInboxes};
pub use contact_note::ContactNote;
pub use conversation::{Conversation, ConversationMeta};
pub use custom_attribute_definition::CustomAttributeDefinition;
pub use dashboard_app::{AppActionResult, DashboardApp, DashboardAppWithControl};
pub use envelope::{
    Assignee, ContactList, ContactListMeta, ConversationFilterResult, ConversationList,
    ConversationListData, ConversationListMeta, ConversationMetaCounts, CreatedContact,
    CustomAttributes, Data, InboxDeleted, MessageList, MessageListMeta, OneWebhook, Payload,
    SignedOut, ToggleResult, Toggled, WebhookList,
};
pub use errors::{Failure, Invalid};
pub use inbox::Inbox;
pub use label::Label;
pub use message::{Attachment, Message, MessageAttributes, MessageSender};
pub use public::{PublicContact, PublicConversation, PublicInbox, PublicMessage};
pub use team::Team;
pub use user::{Agent, Profile, ProfileAccount};
pub use webhook::{
    ContactEvent, ConversationEvent, MessageEvent, TypingEvent, Webhook, WebhookAccount,
    WebhookContact, WebhookContactInbox, WebhookConversation, WebhookDelivery,
    WebhookDeliveryAttempt, WebhookInbox, WebhookInboxRef, WebhookSender, WebhookUser,
};

#[cfg(test)]
mod tests {
    use super::{AppContext, Conversation, DashboardApp, DashboardAppWithControl};
    use crate::{
        AccountId, Agent, ContactId, ConversationId, ConversationView, DashboardAppFrame,
        DashboardAppId, DisplayId, InboxId, MessageId, MessageSender, MessageType, Role, Status,
        User, UserId,
    };
    use serde_json::{json, Value};

    /// One contact online, as `realtime::Presence` would have it.
    #[derive(Debug)]
    struct Online(ContactId);

    impl crate::ContactPresence for Online {
        fn is_online(&self, contact: &crate::Contact) -> bool {
            contact.id == self.0
        }
    }

    fn fixture(name: &str) -> Value {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/");
        let text = std::fs::read_to_string(format!("{path}{name}")).expect("fixture exists");
        serde_json::from_str(&text).expect("fixture is JSON")
    }

    fn user(id: i64, name: &str) -> User {
        User {
            id: UserId(id),
            name: name.into(),
            display_name: None,
            email: format!("{}@support.example", name.to_lowercase()),
            pubsub_token: "t".into(),
        }
    }

    fn sample_view(assigned: bool) -> ConversationView {
        let contact = crate::Contact {
            id: ContactId(42),
            account_id: AccountId(1),
            name: Some("Maria Lopez".into()),
            email: Some("maria@northwind.example".into()),
            phone_number: None,
            identifier: None,
            additional_attributes: json!({"company_name": "Northwind"})
                .as_object()
                .cloned()
                .unwrap(),
            custom_attributes: Default::default(),
            last_activity_at: None,
            created_at: 1_764_049_000,
        };
        let message = |id, kind, sender| {
            crate::Message {
            id: MessageId(id),
            account_id: AccountId(1),
            inbox_id: InboxId(2),
            conversation_id: ConversationId(99),
            message_type: kind,
            content: Some("Hello".into()),
            content_type: "text".into(),
            content_attributes: Default::default(),
            private: false,
            source_id: None,
            sender,
            created_at: 1_764_049_900,
            updated_at: 1_764_049_960,
            attachments: vec![crate::Attachment {
                id: crate::AttachmentId(id * 10),
                account_id: AccountId(1),
                message_id: MessageId(id),
                file_type: crate::FileType::Image,
                content_type: "image/png".into(),
                filename: "screenshot.png".into(),
                extension: Some("png".into()),
                file_size: 20_480,
                width: Some(800),
                height: Some(600),
                data_url: "https://desk.example/rails/active_storage/blobs/10/original/screenshot.png?expires=1&signature=ab".into(),
                thumb_url: "https://desk.example/rails/active_storage/blobs/10/thumb/screenshot.png?expires=1&signature=cd".into(),
            }],
        }
        };
        ConversationView {
            conversation: crate::Conversation {
                id: ConversationId(99),
                account_id: AccountId(1),
                display_id: DisplayId(7),
                inbox_id: InboxId(2),
                contact_id: ContactId(42),
                contact_inbox_id: None,
                uuid: "u".into(),
                status: Status::Snoozed,
                assignee_id: assigned.then_some(UserId(3)),
                team_id: None,
                priority: None,
                labels: vec!["vip".into()],
                custom_attributes: Default::default(),
                additional_attributes: Default::default(),
                muted: false,
                snoozed_until: Some(1_764_050_000),
                last_activity_at: 1_764_050_000,
                agent_last_seen_at: 0,
                assignee_last_seen_at: 0,
                contact_last_seen_at: 0,
                created_at: 1_764_049_000,
            },
            messages: vec![
                message(
                    101,
                    MessageType::Incoming,
                    Some(MessageSender::Contact(Box::new(contact.clone()))),
                ),
                message(
                    102,
                    MessageType::Outgoing,
                    Some(MessageSender::User(user(3, "Sam"))),
                ),
                message(103, MessageType::Activity, None),
            ],
            contact,
            channel_type: "Channel::Api".into(),
            hmac_verified: false,
            assignee: assigned.then(|| Agent {
                user: user(3, "Sam"),
                account_id: AccountId(1),
                role: Role::Agent,
                availability: "online".into(),
                auto_offline: true,
            }),
            team: None,
            all_messages_loaded: true,
            unread_count: 1,
        }
    }

    #[test]
    fn app_context_matches_the_published_schema() {
        let schema = fixture("app-context.schema.json");
        let validator = jsonschema::validator_for(&schema).expect("schema compiles");
        for assigned in [true, false] {
            let view = sample_view(assigned);
            let presences: [&dyn crate::ContactPresence; 2] =
                [&crate::NobodyOnline, &Online(view.contact.id)];
            for (presence, status) in presences.into_iter().zip(["offline", "online"]) {
                let body =
                    serde_json::to_value(AppContext::new(&view, &user(3, "Sam"), &[], presence))
                        .unwrap();
                let errors: Vec<String> = validator
                    .iter_errors(&body)
                    .map(|e| format!("{e} at {}", e.instance_path))
                    .collect();
                assert!(errors.is_empty(), "{errors:#?}");
                assert_eq!(body["data"]["contact"]["availability_status"], status);
                assert_eq!(
                    body["data"]["conversation"]["meta"]["sender"]["availability_status"],
                    status
                );
            }
        }
        assert!(validator.is_valid(&fixture("app-context.sample.json")));
    }

    #[test]
    fn a_contact_page_context_matches_the_published_schema_and_is_not_a_conversations() {
        let schema = fixture("app-context.schema.json");
        let validator = jsonschema::validator_for(&schema).expect("schema compiles");
        let view = sample_view(true);
        let body = serde_json::to_value(super::ContactContext::new(
            &view.contact,
            std::slice::from_ref(&view),
            &user(3, "Sam"),
            &[],
            &Online(view.contact.id),
        ))
        .unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&body)
            .map(|e| format!("{e} at {}", e.instance_path))
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
        assert_eq!(body["data"]["conversations"][0]["id"], 7);
        assert_eq!(body["data"]["contact"]["availability_status"], "online");
        assert_eq!(
            body["data"]["conversations"][0]["meta"]["sender"]["availability_status"],
            "online"
        );
        assert!(body["data"].get("conversation").is_none());
        // A contact context missing its conversations is refused, not taken for a sidebar's.
        let mut broken = body.clone();
        broken["data"]["conversations"] = serde_json::json!([{"id": "7"}]);
        assert!(!validator.is_valid(&broken));
    }

    #[test]
    fn the_conversation_uses_display_ids_and_omits_a_missing_assignee() {
        let body =
            serde_json::to_value(Conversation::new(&sample_view(false), &crate::NobodyOnline))
                .unwrap();
        assert_eq!(body["id"], 7);
        assert_eq!(body["messages"][0]["conversation_id"], 7);
        assert!(body["meta"].get("assignee").is_none());
        assert_eq!(body["snoozed_until"], "2025-11-25T05:53:20Z");
        assert_eq!(body["last_non_activity_message"]["id"], 102);
        let assigned =
            serde_json::to_value(Conversation::new(&sample_view(true), &crate::NobodyOnline))
                .unwrap();
        assert_eq!(assigned["meta"]["assignee"]["role"], "agent");
    }

    #[test]
    fn a_listed_page_says_who_is_online_now_though_its_rows_are_cached() {
        let view = sample_view(true);
        let page = crate::ListedConversations::new(vec![view.clone()]);
        let status = |payload: crate::ListedPayload| {
            serde_json::to_value(payload).unwrap()[0]["meta"]["sender"]["availability_status"]
                .clone()
        };
        assert_eq!(status(page.payload(&crate::NobodyOnline)), "offline");
        assert_eq!(status(page.payload(&Online(view.contact.id))), "online");
        assert_eq!(status(page.payload(&Online(ContactId(999)))), "offline");
    }

    #[test]
    fn a_dashboard_app_has_exactly_chatwoots_keys() {
        let app = crate::DashboardApp {
            id: DashboardAppId(1),
            account_id: AccountId(1),
            title: "Orders".into(),
            content: vec![DashboardAppFrame {
                kind: "frame".into(),
                url: "https://a.example".into(),
            }],
            created_at: 1_764_050_000,
            enabled: false,
            position: 2,
            display_type: crate::DisplayType::Sidebar,
            placements: vec![crate::app_placement::Placement::FullPage],
            inbox_ids: vec![crate::InboxId(4)],
            allowed_actions: vec![crate::AppAction::Notify],
            token_algorithm: crate::context_token::TokenAlgorithm::EdDsa,
            visibility: Default::default(),
            settings: Default::default(),
        };
        let control = serde_json::to_value(DashboardAppWithControl::from(&app)).unwrap();
        assert_eq!(control["display_type"], "sidebar");
        assert_eq!(control["placements"], serde_json::json!(["full_page"]));
        assert_eq!(control["allowed_actions"], serde_json::json!(["notify"]));
        assert_eq!(control["inbox_ids"], serde_json::json!([4]));
        assert_eq!(control["token_algorithm"], "EdDSA");
        assert_eq!(control["title"], "Orders");
        let body = serde_json::to_value(DashboardApp::from(&app)).unwrap();
        let mut keys: Vec<&String> = body.as_object().unwrap().keys().collect();
        keys.sort();
        assert_eq!(keys, ["content", "created_at", "id", "title"]);
        assert_eq!(body["content"][0]["type"], "frame");
        assert_eq!(body["created_at"], "2025-11-25T05:53:20Z");
    }

    /// Every API envelope and list meta, built from sample models, against its definition in
    /// `tests/fixtures/api.schema.json` (the API tests check real answers against it too).
    #[test]
    fn api_envelopes_match_their_schema() {
        use super::*;
        let root = fixture("api.schema.json");
        let check = |definition: &str, body: Value| {
            let mut schema = root.clone();
            schema["$ref"] = Value::from(format!("#/$defs/{definition}"));
            let validator = jsonschema::validator_for(&schema).expect("schema compiles");
            let errors: Vec<String> = validator
                .iter_errors(&body)
                .map(|e| format!("{e} at {}", e.instance_path))
                .collect();
            assert!(errors.is_empty(), "{definition}: {body}: {errors:#?}");
            validator
        };
        fn json<T: serde::Serialize>(body: &T) -> Value {
            serde_json::to_value(body).expect("wire bodies always serialize")
        }
        let view = sample_view(true);
        let counts = crate::ConversationCounts {
            mine: 1,
            assigned: 2,
            unassigned: 3,
            all: 5,
        };
        let conversations =
            std::sync::Arc::new(crate::ListedConversations::new(vec![view.clone()]));
        let inbox = crate::Inbox {
            id: InboxId(2),
            account_id: AccountId(1),
            name: "Support".into(),
            channel_type: "Channel::Api".into(),
            webhook_url: None,
            inbox_identifier: "i".into(),
            hmac_token: "h".into(),
            hmac_mandatory: false,
            settings: Default::default(),
            web_widget: None,
            created_at: 1_764_049_000,
        };
        let contact = super::Contact::new(&view.contact, &crate::NobodyOnline);
        let contact_inbox = ContactInbox::new(&inbox, "s-1", false);
        let agent = super::Agent::from(view.assignee.as_ref().unwrap());
        let team = Team::new(
            &crate::Team {
                id: crate::TeamId(4),
                account_id: AccountId(1),
                name: "Billing".into(),
                description: None,
                allow_auto_assign: true,
            },
            true,
        );
        let webhook = super::Webhook::new(
            &crate::Webhook {
                id: crate::WebhookId(9),
                account_id: AccountId(1),
                inbox_id: Some(InboxId(2)),
                name: None,
                url: "https://hooks.example/in".into(),
                subscriptions: vec!["message_created".into()],
                created_at: 1_764_049_000,
            },
            Some(&inbox),
        );
        let list_meta = ConversationListMeta::from(counts);
        check(
            "payload",
            json(&Payload {
                payload: vec!["vip"],
            }),
        );
        check(
            "data",
            json(&Data {
                data: contact.clone(),
            }),
        );
        check("conversationListMeta", json(&list_meta));
        for meta in [Some(list_meta.clone()), None] {
            let list = ConversationList {
                data: ConversationListData {
                    meta,
                    payload: conversations.payload(&crate::NobodyOnline),
                },
            };
            check("conversationList", json(&list));
        }
        check(
            "conversationFilterResult",
            json(&ConversationFilterResult {
                meta: list_meta.clone(),
                payload: conversations.payload(&Online(view.contact.id)),
            }),
        );
        check(
            "conversationMetaCounts",
            json(&ConversationMetaCounts {
                meta: list_meta.clone(),
            }),
        );
        for snoozed_until in [Some("2025-11-25T05:53:20Z".to_owned()), None] {
            let toggled = Toggled {
                meta: Default::default(),
                payload: ToggleResult {
                    success: true,
                    current_status: "snoozed",
                    conversation_id: 7,
                    snoozed_until,
                },
            };
            check("toggled", json(&toggled));
        }
        check(
            "customAttributes",
            json(&CustomAttributes {
                custom_attributes: Default::default(),
            }),
        );
        for answer in [
            Some(Assignee::Agent(agent.clone())),
            Some(Assignee::Team(team)),
            None,
        ] {
            check("assignment", json(&answer));
        }
        for assignee in [Some(agent), None] {
            let list = MessageList {
                meta: MessageListMeta {
                    labels: vec!["vip".into()],
                    additional_attributes: Default::default(),
                    contact: contact.clone(),
                    assignee,
                    agent_last_seen_at: 0,
                    assignee_last_seen_at: 0,
                },
                payload: Message::thread(&view),
            };
            check("messageList", json(&list));
        }
        for contact_inboxes in [Some(vec![contact_inbox.clone()]), Some(vec![]), None] {
            let list = ContactList {
                meta: ContactListMeta {
                    count: 31,
                    current_page: 2,
                },
                payload: vec![ContactWithInboxes {
                    contact: contact.clone(),
                    contact_inboxes,
                }],
            };
            check("contactList", json(&list));
        }
        for contact_inbox in [Some(contact_inbox), None] {
            let created = CreatedContact {
                contact: contact.clone(),
                contact_inbox,
            };
            check("createdContact", json(&created));
        }
        check(
            "webhookList",
            json(&WebhookList {
                webhooks: vec![webhook.clone()],
            }),
        );
        check("oneWebhook", json(&OneWebhook { webhook }));
        check("signedOut", json(&SignedOut { success: true }));
        check(
            "inboxDeleted",
            json(&InboxDeleted {
                message: "Your inbox deletion request will be processed in some time.",
            }),
        );
        // The schema holds envelopes to exactly their keys: a list meta with a count missing,
        // or an envelope with a stray key, is refused.
        let mut meta = json(&list_meta);
        meta.as_object_mut().unwrap().remove("unassigned_count");
        assert!(!check("conversationListMeta", json(&list_meta)).is_valid(&meta));
        let stray = serde_json::json!({"payload": [], "data": []});
        assert!(!check("payload", json(&Payload { payload: 1 })).is_valid(&stray));
    }

    /// Every `/cable` frame we send, built from sample models, against
    /// `tests/fixtures/cable.schema.json` (which the live and compat suites check real frames
    /// against too).
    #[test]
    fn cable_frames_match_their_schema() {
        use super::cable::*;
        let validator =
            jsonschema::validator_for(&fixture("cable.schema.json")).expect("schema compiles");
        let view = sample_view(true);
        let contact = view.contact.clone();
        let identifier = r#"{"channel":"RoomChannel","pubsub_token":"t","account_id":1}"#;
        let messages = view
            .messages
            .iter()
            .flat_map(|m| {
                [Some("s-1"), None].map(|source| {
                    CableMessage::new("message.created", MessageData::new(m, &view, source))
                        .to_text()
                })
            })
            .collect::<Vec<_>>();
        let mut texts = vec![
            Control::Welcome.to_text(),
            Control::Ping { message: 1 }.to_text(),
            Control::ConfirmSubscription {
                identifier: identifier.into(),
                last_event_id: None,
            }
            .to_text(),
            Control::ConfirmSubscription {
                identifier: identifier.into(),
                last_event_id: Some(41),
            }
            .to_text(),
            Control::RejectSubscription {
                identifier: identifier.into(),
            }
            .to_text(),
        ];
        let events = [
            CableMessage::new(
                "conversation.status_changed",
                Conversation::new(&view, &Online(contact.id)),
            )
            .to_text(),
            CableMessage::new(
                "conversation.typing_on",
                TypingData::new(
                    &view,
                    super::MessageSender::user(&user(3, "Sam")),
                    true,
                    &crate::NobodyOnline,
                ),
            )
            .to_text(),
            CableMessage::new(
                "conversation.typing_off",
                TypingData::new(
                    &view,
                    super::MessageSender::contact(&contact),
                    false,
                    &Online(contact.id),
                ),
            )
            .to_text(),
            CableMessage::new(
                "contact.updated",
                ContactData::new(&contact, &Online(contact.id)),
            )
            .to_text(),
            CableMessage::new(
                "presence.update",
                PresenceData::new(AccountId(1), [(3, "busy".to_owned())], Some(vec![42])),
            )
            .to_text(),
            CableMessage::new("presence.update", PresenceData::new(AccountId(1), [], None))
                .to_text(),
            resync(),
            resync_from(Some(7)),
        ];
        texts.extend(
            messages
                .iter()
                .chain(events.iter())
                .map(|m| frame(identifier, m)),
        );
        for text in &texts {
            let body: Value = serde_json::from_str(text).expect("frames are JSON");
            let errors: Vec<String> = validator
                .iter_errors(&body)
                .map(|e| format!("{e} at {}", e.instance_path))
                .collect();
            assert!(errors.is_empty(), "{text}: {errors:#?}");
            if let Some(data) = body["message"]["data"].as_object() {
                if body["message"]["event"] != "resync" {
                    assert_eq!(data["account_id"], 1, "{text}");
                }
            }
        }
        // The schema refuses what Chatwoot's dashboard would drop.
        let mut typing: Value = serde_json::from_str(&frame(identifier, &events[1])).unwrap();
        typing["message"]["data"]
            .as_object_mut()
            .unwrap()
            .remove("account_id");
        assert!(!validator.is_valid(&typing));
        let message: Value = serde_json::from_str(&messages[0]).unwrap();
        assert_eq!(message["data"]["sender_type"], "Contact");
        assert_eq!(message["data"]["sender_id"], 42);
        // Its change time, not its creation time.
        assert_eq!(message["data"]["updated_at"], "2025-11-25T05:52:40Z");
        assert_eq!(message["data"]["created_at"], 1_764_049_900);
        assert_eq!(
            message["data"]["conversation"]["contact_inbox"]["source_id"],
            "s-1"
        );
    }
}
