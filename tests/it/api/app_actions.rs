//! `POST …/conversations/{id}/app_actions`: what a dashboard app asks the server to do, done as
//! the agent looking at it — only for actions an administrator allowed the app, only on
//! conversations the agent may see, with bad payloads refused naming the field, and every
//! change noted in the thread as done via the app.

use super::{assert_invalid, assert_not_found, assert_unauthorized, expect, ok, raw};
use crate::support::{self, TestApp, TestResponse};
use axum::http::Method;
use serde_json::{json, Value};

/// Registers "Orders", allowed `actions`, as the administrator; returns its id.
async fn orders_app(app: &TestApp, actions: Value) -> i64 {
    let body = json!({
        "title": "Orders",
        "content": [{"type": "frame", "url": "https://orders.example/"}],
        "allowed_actions": actions,
    });
    ok(&app
        .post(&app.api("dashboard_apps"), &app.admin, &body)
        .await)["id"]
        .as_i64()
        .expect("an app id")
}

fn actions_uri(app: &TestApp) -> String {
    app.api(&format!(
        "conversations/{}/app_actions",
        app.acme.conversation
    ))
}

async fn act(app: &TestApp, app_id: i64, action: Value) -> TestResponse {
    let mut body = action;
    body["app_id"] = json!(app_id);
    app.post(&actions_uri(app), &app.agent, &body).await
}

/// The conversation as the agent's API shows it.
async fn conversation(app: &TestApp) -> Value {
    let uri = app.api(&format!("conversations/{}", app.acme.conversation));
    ok(&app.get(&uri, &app.agent).await)
}

/// The thread's activity lines, oldest first.
async fn activity(app: &TestApp) -> Vec<String> {
    let uri = app.api(&format!("conversations/{}/messages", app.acme.conversation));
    ok(&app.get(&uri, &app.agent).await)["payload"]
        .as_array()
        .expect("a payload")
        .iter()
        .filter(|m| m["message_type"] == 2)
        .map(|m| m["content"].as_str().unwrap_or_default().to_owned())
        .collect()
}

const ALL_WRITES: [&str; 6] = [
    "add-label",
    "remove-label",
    "set-custom-attributes",
    "add-private-note",
    "assign",
    "set-status",
];

#[tokio::test]
async fn an_allowed_app_changes_the_conversation_as_the_agent_and_the_thread_says_via_it() {
    support::on_each_backend(async |app: TestApp| {
        let id = orders_app(&app, json!(ALL_WRITES)).await;
        let done = ok(&act(&app, id, json!({"event": "add-label", "labels": ["VIP", "billing"]})).await);
        assert_eq!(done, json!({"event": "add-label:result", "ok": true, "error": null}));
        assert_eq!(conversation(&app).await["labels"], json!(["vip", "billing"]));
        ok(&act(&app, id, json!({"event": "remove-label", "labels": ["billing"]})).await);
        assert_eq!(conversation(&app).await["labels"], json!(["vip"]));

        ok(&act(&app, id, json!({"event": "set-custom-attributes", "target": "conversation", "attributes": {"order": "A-1"}})).await);
        ok(&act(&app, id, json!({"event": "set-custom-attributes", "target": "conversation", "attributes": {"total": 12}})).await);
        assert_eq!(
            conversation(&app).await["custom_attributes"],
            json!({"order": "A-1", "total": 12}),
            "keys not named are kept"
        );
        ok(&act(&app, id, json!({"event": "set-custom-attributes", "target": "contact", "attributes": {"tier": "gold"}})).await);
        let contact = app.api(&format!("contacts/{}", app.acme.contact_id));
        assert_eq!(
            ok(&app.get(&contact, &app.agent).await)["payload"]["custom_attributes"]["tier"],
            "gold"
        );

        ok(&act(&app, id, json!({"event": "add-private-note", "content": "Refund approved"})).await);
        ok(&act(&app, id, json!({"event": "assign", "assignee_id": app.agent.id})).await);
        assert_eq!(conversation(&app).await["meta"]["assignee"]["id"], app.agent.id);
        ok(&act(&app, id, json!({"event": "assign", "assignee_id": null})).await);
        assert!(conversation(&app).await["meta"].get("assignee").is_none());
        ok(&act(&app, id, json!({"event": "set-status", "status": "resolved"})).await);
        assert_eq!(conversation(&app).await["status"], "resolved");
        let until = domain::time::now() + 3600;
        ok(&act(&app, id, json!({"event": "set-status", "status": "snoozed", "snoozed_until": until})).await);
        assert_eq!(conversation(&app).await["status"], "snoozed");

        let uri = app.api(&format!("conversations/{}/messages", app.acme.conversation));
        let thread = ok(&app.get(&uri, &app.agent).await);
        let note = thread["payload"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["content"] == "Refund approved")
            .expect("the note");
        assert_eq!(note["private"], true);
        assert_eq!(note["sender"]["id"], app.agent.id, "{note}");

        let lines = activity(&app).await;
        let expected = [
            "via Orders added vip, billing",
            "via Orders removed billing",
            "via Orders set the conversation's order",
            "via Orders set the conversation's total",
            "via Orders set the contact's tier",
            "via Orders added a private note",
            "self-assigned this conversation",
            "Conversation unassigned by",
            "Conversation was marked resolved by",
            "Conversation was snoozed by",
        ];
        assert_eq!(lines.len(), expected.len(), "{lines:#?}");
        for (line, part) in lines.iter().zip(expected) {
            assert!(line.contains(part), "{line:?} should say {part:?}");
            assert!(line.contains("via Orders"), "{line:?} names the app");
        }
    })
    .await;
}

#[tokio::test]
async fn an_action_the_administrator_did_not_allow_is_refused_and_changes_nothing() {
    support::on_each_backend(async |app: TestApp| {
        let id = orders_app(&app, json!(["add-label", "notify"])).await;
        for action in [
            json!({"event": "remove-label", "labels": ["vip"]}),
            json!({"event": "set-status", "status": "resolved"}),
            json!({"event": "assign", "assignee_id": null}),
            json!({"event": "add-private-note", "content": "hi"}),
        ] {
            assert_unauthorized(&act(&app, id, action.clone()).await);
        }
        assert_eq!(conversation(&app).await["status"], "open");
        assert!(activity(&app).await.is_empty());
        // The page's own actions have nothing to do on the server.
        assert_invalid(
            &act(&app, id, json!({"event": "notify", "text": "hi"})).await,
            "event",
        );
    })
    .await;
}

#[tokio::test]
async fn an_app_never_does_what_the_viewing_agent_cannot() {
    support::on_each_backend(async |app: TestApp| {
        let id = orders_app(&app, json!(ALL_WRITES)).await;
        let label = json!({"event": "add-label", "labels": ["vip"]});
        // The agent leaves the conversation's inbox: the conversation is no longer theirs.
        app.leave_inbox(&app.agent).await;
        assert_not_found(&act(&app, id, label.clone()).await);
        // A member of another account, with its own conversation number.
        let mut body = label.clone();
        body["app_id"] = json!(id);
        let res = app.post(&actions_uri(&app), &app.stranger, &body).await;
        assert_unauthorized(&res);
        assert_eq!(
            ok(&app
                .get(
                    &app.api(&format!("conversations/{}", app.acme.conversation)),
                    &app.admin
                )
                .await)["labels"],
            json!([])
        );
        // An app of another account is not found, even for an administrator here.
        let foreign = app
            .post(
                &actions_uri(&app),
                &app.admin,
                &json!({"app_id": id + 1000, "event": "add-label", "labels": ["x"]}),
            )
            .await;
        assert_not_found(&foreign);
    })
    .await;
}

#[tokio::test]
async fn an_agent_cannot_act_through_an_app_not_shown_on_the_conversation() {
    support::on_each_backend(async |app: TestApp| {
        let id = orders_app(&app, json!(["add-label"])).await;
        let other = ok(&app
            .post(&app.api("inboxes"), &app.admin, &json!({"name": "Email"}))
            .await)["id"]
            .clone();
        let uri = app.api(&format!("dashboard_apps/{id}"));
        ok(&app
            .patch(&uri, &app.admin, &json!({"inbox_ids": [other]}))
            .await);
        assert_not_found(&act(&app, id, json!({"event": "add-label", "labels": ["vip"]})).await);
        ok(&app
            .patch(
                &uri,
                &app.admin,
                &json!({"inbox_ids": [], "enabled": false}),
            )
            .await);
        assert_not_found(&act(&app, id, json!({"event": "add-label", "labels": ["vip"]})).await);
    })
    .await;
}

#[tokio::test]
async fn bad_payloads_are_422s_naming_the_field() {
    support::on_each_backend(async |app: TestApp| {
        let id = orders_app(&app, json!(ALL_WRITES)).await;
        let definition = json!({
            "attribute_display_name": "Plan", "attribute_display_type": 6, "attribute_key": "plan",
            "attribute_model": 0, "attribute_values": ["free", "pro"],
        });
        ok(&app.post(&app.api("custom_attribute_definitions"), &app.admin, &definition).await);
        for (action, field) in [
            (json!({"event": "add-label"}), "labels"),
            (json!({"event": "add-label", "labels": "vip"}), "labels"),
            (json!({"event": "set-custom-attributes", "target": "inbox", "attributes": {"a": 1}}), "target"),
            (json!({"event": "set-custom-attributes", "target": "conversation", "attributes": {"plan": "gold"}}), "plan"),
            (json!({"event": "add-private-note", "content": ""}), "content"),
            (json!({"event": "assign", "assignee_id": 999_999}), "assignee_id"),
            (json!({"event": "assign", "team_id": 999_999}), "team_id"),
            (json!({"event": "set-status", "status": "done"}), "status"),
            (json!({"event": "set-status", "status": "snoozed", "snoozed_until": "later"}), "snoozed_until"),
            (json!({"event": "send-email"}), "event"),
        ] {
            assert_invalid(&act(&app, id, action.clone()).await, field);
        }
        let res = app.post(&actions_uri(&app), &app.agent, &json!({"event": "add-label", "labels": ["vip"]})).await;
        assert_invalid(&res, "app_id");
        assert!(activity(&app).await.is_empty());
    })
    .await;
}

#[tokio::test]
async fn the_page_acts_with_its_session_and_csrf_token_only() {
    let app = TestApp::new().await;
    let id = orders_app(&app, json!(["add-label"])).await;
    let cookie = crate::hardening::page_session(&app, &app.agent.email).await;
    let page = crate::hardening::page(
        &app,
        &cookie,
        &format!(
            "/app/accounts/{}/conversations/{}",
            app.acme.account_id, app.acme.conversation
        ),
    )
    .await;
    let csrf = crate::profile::csrf_token(&page.text);
    let body = json!({"app_id": id, "event": "add-label", "labels": ["vip"]}).to_string();
    let json = ("content-type", "application/json");
    let without = raw(
        &app,
        Method::POST,
        &actions_uri(&app),
        &[("cookie", &cookie), json],
        body.clone().into_bytes(),
    )
    .await;
    assert_unauthorized(&without);
    let with = raw(
        &app,
        Method::POST,
        &actions_uri(&app),
        &[("cookie", &cookie), ("x-csrf-token", &csrf), json],
        body.into_bytes(),
    )
    .await;
    expect(&with, 200);
    assert_eq!(conversation(&app).await["labels"], json!(["vip"]));
}
