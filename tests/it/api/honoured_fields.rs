//! Fields Chatwoot's clients send are stored and returned, or refused with a 422 naming them:
//! never a 200 that drops them (agent availability, inbox settings, message content types).

use super::{assert_invalid, assert_not_found, ok};
use crate::support::{self, TestApp};
use serde_json::{json, Value};

fn agent_in<'a>(list: &'a Value, id: &Value) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|a| &a["id"] == id)
        .expect("the agent is listed")
}

#[tokio::test]
async fn an_administrator_sets_an_agents_availability_and_auto_offline() {
    support::on_each_backend(async |app| {
        let one = app.api(&format!("agents/{}", app.agent.id));
        let agent = ok(&app
            .patch(
                &one,
                &app.admin,
                &json!({"availability": "busy", "auto_offline": false}),
            )
            .await);
        assert_eq!(agent["availability_status"], "busy");
        assert_eq!(agent["auto_offline"], false);
        let listed = ok(&app.get(&app.api("agents"), &app.admin).await);
        let listed = agent_in(&listed, &json!(app.agent.id));
        assert_eq!(listed["availability_status"], "busy");
        assert_eq!(listed["auto_offline"], false);
        // Form clients send strings; Rails casts them.
        let form = super::rails_bodies::form(
            &app,
            axum::http::Method::PATCH,
            &one,
            "agent[auto_offline]=true",
        )
        .await;
        assert_eq!(ok(&form)["auto_offline"], true);
        assert_invalid(
            &app.patch(&one, &app.admin, &json!({"availability": "asleep"}))
                .await,
            "availability",
        );
        let unchanged = ok(&app.get(&app.api("agents"), &app.admin).await);
        assert_eq!(
            agent_in(&unchanged, &json!(app.agent.id))["availability_status"],
            "busy"
        );
    })
    .await;
}

#[tokio::test]
async fn a_user_sets_their_own_availability_per_account_through_the_profile() {
    support::on_each_backend(async |app: TestApp| {
        let profile = ok(&app
            .post(
                "/api/v1/profile/availability",
                &app.agent,
                &json!({"profile": {"availability": "offline", "account_id": app.acme.account_id}}),
            )
            .await);
        let account = &profile["accounts"][0];
        assert_eq!(account["id"], app.acme.account_id);
        assert_eq!(account["availability"], "offline");
        assert_eq!(account["availability_status"], "offline");
        let profile = ok(&app
            .post(
                "/api/v1/profile/auto_offline",
                &app.agent,
                &json!({"profile": {"auto_offline": false, "account_id": app.acme.account_id}}),
            )
            .await);
        assert_eq!(profile["accounts"][0]["auto_offline"], false);
        let shown = ok(&app.get("/api/v1/profile", &app.agent).await);
        assert_eq!(shown["accounts"][0]["availability"], "offline");
        let agents = ok(&app.get(&app.api("agents"), &app.admin).await);
        assert_eq!(
            agent_in(&agents, &json!(app.agent.id))["availability_status"],
            "offline"
        );

        // Not a member of the other account: 404, and nothing changes there.
        assert_not_found(
            &app.post(
                "/api/v1/profile/availability",
                &app.agent,
                &json!({"profile": {"availability": "busy", "account_id": app.other.account_id}}),
            )
            .await,
        );
        assert_invalid(
            &app.post(
                "/api/v1/profile/availability",
                &app.agent,
                &json!({"profile": {"availability": "away", "account_id": app.acme.account_id}}),
            )
            .await,
            "availability",
        );
        assert_invalid(
            &app.post(
                "/api/v1/profile/availability",
                &app.agent,
                &json!({"availability": "busy"}),
            )
            .await,
            "account_id",
        );
    })
    .await;
}

#[tokio::test]
async fn inbox_settings_are_stored_and_unsupported_ones_refused_unless_default() {
    support::on_each_backend(async |app| {
        let created = ok(&app
            .post(
                &app.api("inboxes"),
                &app.admin,
                &json!({"name": "Help", "enable_auto_assignment": false, "greeting_enabled": true,
                        "greeting_message": "Hello!", "hmac_mandatory": true,
                        "enable_email_collect": true, "timezone": "UTC",
                        "channel": {"type": "api"}}),
            )
            .await);
        assert_eq!(created["enable_auto_assignment"], false);
        assert_eq!(created["greeting_enabled"], true);
        assert_eq!(created["greeting_message"], "Hello!");
        assert_eq!(created["hmac_mandatory"], true);
        let one = app.api(&format!("inboxes/{}", created["id"]));
        super::join(&app, created["id"].as_i64().unwrap(), &app.agent).await;
        let updated = ok(&app
            .patch(
                &one,
                &app.admin,
                &json!({"inbox": {"enable_auto_assignment": "true", "greeting_message": ""}}),
            )
            .await);
        assert_eq!(updated["enable_auto_assignment"], true);
        assert_eq!(updated["greeting_message"], Value::Null);
        assert_eq!(updated["greeting_enabled"], true);
        let shown = ok(&app.get(&one, &app.agent).await);
        assert_eq!(shown["enable_auto_assignment"], true);

        for (field, value) in [
            ("csat_survey_enabled", json!(true)),
            ("enable_email_collect", json!(false)),
            ("lock_to_single_conversation", json!(true)),
            ("allow_messages_after_resolved", json!(false)),
        ] {
            let message = assert_invalid(
                &app.patch(&one, &app.admin, &json!({ field: value })).await,
                field,
            );
            assert!(message.contains("not supported"), "{field}: {message}");
            let res = app
                .post(
                    &app.api("inboxes"),
                    &app.admin,
                    &json!({"name": "Refused", field: value}),
                )
                .await;
            assert_invalid(&res, field);
        }
        let inboxes = ok(&app.get(&app.api("inboxes"), &app.admin).await);
        assert!(
            !inboxes["payload"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["name"] == "Refused"),
            "a refused inbox is not created"
        );
        assert_invalid(
            &app.patch(&one, &app.admin, &json!({"greeting_enabled": "maybe"}))
                .await,
            "greeting_enabled",
        );
    })
    .await;
}

#[tokio::test]
async fn messages_keep_their_content_type_and_items() {
    support::on_each_backend(async |app| {
        let uri = app.api(&format!("conversations/{}/messages", app.acme.conversation));
        let items = json!([{"title": "Refund", "value": "refund"}, {"title": "Replace", "value": "replace"}]);
        let created = ok(&app
            .post(&uri, &app.agent, &json!({"content": "Which one?", "content_type": "input_select",
                                             "content_attributes": {"items": items}}))
            .await);
        assert_eq!(created["content_type"], "input_select");
        assert_eq!(created["content_attributes"]["items"], items);
        let thread = ok(&app.get(&uri, &app.agent).await);
        let listed = thread["payload"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(listed["content_type"], "input_select");
        assert_eq!(listed["content_attributes"]["items"], items);

        assert_invalid(
            &app.post(&uri, &app.agent, &json!({"content": "x", "content_type": "hologram"})).await,
            "content_type",
        );
        assert_invalid(
            &app.post(&uri, &app.agent, &json!({"content": "x", "content_type": "input_select"})).await,
            "content_attributes",
        );
        let after = ok(&app.get(&uri, &app.agent).await);
        assert_eq!(after["payload"].as_array().unwrap().len(), thread["payload"].as_array().unwrap().len());
    })
    .await;
}

#[tokio::test]
async fn multipart_content_attributes_sent_as_json_text_are_read_as_the_object() {
    support::on_each_backend(async |app| {
        let uri = app.api(&format!("conversations/{}/messages", app.acme.conversation));
        let res = super::rails_bodies::multipart(
            &app,
            axum::http::Method::POST,
            &uri,
            &[
                ("content", None, "Pick one"),
                ("content_type", None, "input_select"),
                (
                    "content_attributes",
                    None,
                    r#"{"items":[{"title":"A","value":"a"}]}"#,
                ),
            ],
        )
        .await;
        let created = ok(&res);
        assert_eq!(created["content_type"], "input_select");
        assert_eq!(created["content_attributes"]["items"][0]["value"], "a");
        let res = super::rails_bodies::multipart(
            &app,
            axum::http::Method::POST,
            &uri,
            &[
                ("content", None, "x"),
                ("content_attributes", None, "not json"),
            ],
        )
        .await;
        assert_invalid(&res, "content_attributes");
    })
    .await;
}
