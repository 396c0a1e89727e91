//! `/api/v1/accounts/{id}/conversations/{display_id}/messages`.

use super::{assert_invalid, assert_members_only, assert_not_found, assert_schema, keys, long, ok};
use crate::support::{self, TestApp};
use axum::http::Method;
use serde_json::{json, Value};

fn uri(app: &TestApp) -> String {
    app.api(&format!("conversations/{}/messages", app.acme.conversation))
}

#[tokio::test]
async fn the_thread_has_meta_and_a_payload_of_messages() {
    support::on_each_backend(async |app| {
        for who in [&app.admin, &app.agent] {
            let thread = ok(&app.get(&uri(&app), who).await);
            assert_eq!(keys(&thread), ["meta", "payload"]);
            let meta = &thread["meta"];
            assert_eq!(
                keys(meta),
                [
                    "additional_attributes",
                    "agent_last_seen_at",
                    "assignee",
                    "assignee_last_seen_at",
                    "contact",
                    "labels"
                ]
            );
            assert_schema(&meta["contact"], Some("contact"));
            assert_eq!(meta["contact"]["id"], app.acme.contact_id);
            assert_eq!(meta["assignee"], Value::Null);
            assert_eq!(meta["labels"], json!([]));
            let payload = thread["payload"].as_array().unwrap();
            assert_eq!(payload.len(), 1);
            let first = &payload[0];
            assert_schema(first, Some("message"));
            assert_eq!(first["content"], "Hi, my order #5521 has not arrived yet.");
            assert_eq!(first["message_type"], 0);
            assert_eq!(first["conversation_id"], app.acme.conversation);
            assert_eq!(first["account_id"], app.acme.account_id);
            assert_eq!(first["inbox_id"], app.acme.inbox_id);
            assert_eq!(first["private"], false);
            assert_eq!(first["sender"]["type"], "contact");
            assert_eq!(first["sender"]["id"], app.acme.contact_id);
        }
    })
    .await;
}

#[tokio::test]
async fn members_post_replies_notes_and_incoming_messages() {
    support::on_each_backend(async |app| {
        let reply = ok(&app.post(&uri(&app), &app.agent, &json!({"content": "  On it!  "})).await);
        assert_schema(&reply, Some("message"));
        assert_eq!(reply["content"], "On it!");
        assert_eq!(reply["message_type"], 1, "outgoing by default");
        assert_eq!(reply["private"], false);
        assert_eq!(reply["conversation_id"], app.acme.conversation);
        assert_eq!(reply["sender"]["type"], "user");
        assert_eq!(reply["sender"]["id"], app.agent.id);
        assert_eq!(reply["sender"]["name"], "Sam Agent");
        let note = ok(&app
            .post(&uri(&app), &app.admin, &json!({"content": "Check the courier", "private": true, "message_type": "outgoing"}))
            .await);
        assert_eq!(note["private"], true);
        assert_eq!(note["sender"]["id"], app.admin.id);
        let incoming = ok(&app
            .post(&uri(&app), &app.admin, &json!({"content": "Any news?", "message_type": "incoming", "content_attributes": {"k": 1}}))
            .await);
        assert_eq!(incoming["message_type"], 0);
        assert_eq!(incoming["sender"]["type"], "contact");
        assert_eq!(incoming["content_attributes"], json!({"k": 1}));
        let thread = ok(&app.get(&uri(&app), &app.admin).await);
        let payload = thread["payload"].as_array().unwrap();
        let contents: Vec<&str> = payload.iter().map(|m| m["content"].as_str().unwrap()).collect();
        assert_eq!(contents, ["Hi, my order #5521 has not arrived yet.", "On it!", "Check the courier", "Any news?"]);
        payload.iter().for_each(|m| assert_schema(m, Some("message")));
        assert_eq!(payload[2], note);
        // The conversation shows the same thread.
        let shown = ok(&app.get(&app.api(&format!("conversations/{}", app.acme.conversation)), &app.admin).await);
        assert_eq!(shown["messages"], thread["payload"]);
        assert_schema(&shown, Some("conversation"));
    })
    .await;
}

#[tokio::test]
async fn an_incoming_message_reopens_a_resolved_conversation_and_a_reply_does_not() {
    support::on_each_backend(async |app| {
        let show = app.api(&format!("conversations/{}", app.acme.conversation));
        let toggle = app.api(&format!(
            "conversations/{}/toggle_status",
            app.acme.conversation
        ));
        ok(&app
            .post(&toggle, &app.admin, &json!({"status": "resolved"}))
            .await);
        ok(&app
            .post(
                &uri(&app),
                &app.admin,
                &json!({"content": "Closing note", "message_type": "outgoing"}),
            )
            .await);
        assert_eq!(ok(&app.get(&show, &app.admin).await)["status"], "resolved");
        ok(&app
            .post(
                &uri(&app),
                &app.admin,
                &json!({"content": "Wait!", "message_type": "incoming"}),
            )
            .await);
        let shown = ok(&app.get(&show, &app.admin).await);
        assert_eq!(shown["status"], "open");
        ok(&app
            .post(
                &toggle,
                &app.admin,
                &json!({"status": "snoozed", "snoozed_until": 1_893_456_000}),
            )
            .await);
        ok(&app
            .post(
                &uri(&app),
                &app.admin,
                &json!({"content": "Hello?", "message_type": "incoming"}),
            )
            .await);
        let shown = ok(&app.get(&show, &app.admin).await);
        assert_eq!(shown["status"], "open");
        assert_eq!(shown["snoozed_until"], Value::Null);
    })
    .await;
}

#[tokio::test]
async fn the_thread_pages_by_20_before_a_message_id() {
    support::on_each_backend(async |app| {
        let mut ids = vec![
            ok(&app.get(&uri(&app), &app.admin).await)["payload"][0]["id"]
                .as_i64()
                .unwrap(),
        ];
        for n in 0..24 {
            let message = ok(&app
                .post(
                    &uri(&app),
                    &app.agent,
                    &json!({"content": format!("reply {n}")}),
                )
                .await);
            ids.push(message["id"].as_i64().unwrap());
        }
        let ids_of = |thread: &Value| -> Vec<i64> {
            thread["payload"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["id"].as_i64().unwrap())
                .collect()
        };
        let latest = ok(&app.get(&uri(&app), &app.admin).await);
        assert_eq!(ids_of(&latest), ids[5..], "the latest 20, oldest first");
        let older = ok(&app
            .get(&format!("{}?before={}", uri(&app), ids[5]), &app.admin)
            .await);
        assert_eq!(ids_of(&older), ids[..5]);
        let none = ok(&app
            .get(&format!("{}?before={}", uri(&app), ids[0]), &app.admin)
            .await);
        assert_eq!(ids_of(&none), Vec::<i64>::new());
        for before in ["abc", "1.5", "99999999999999999999", ""] {
            let res = app
                .get(&format!("{}?before={before}", uri(&app)), &app.admin)
                .await;
            if before.is_empty() {
                assert_eq!(ids_of(&ok(&res)), ids[5..]);
            } else {
                assert_invalid(&res, "before");
            }
        }
    })
    .await;
}

#[tokio::test]
async fn invalid_message_input_is_a_422_naming_the_field() {
    support::on_each_backend(async |app| {
        let cases = [
            (json!({}), "content"),
            (json!({"content": null}), "content"),
            (json!({"content": ""}), "content"),
            (json!({"content": " \n\t "}), "content"),
            (json!({"content": 5}), "content"),
            (json!({"content": ["hi"]}), "content"),
            (json!({"content": long(150_001)}), "content"),
            (
                json!({"content": "hi", "message_type": "activity"}),
                "message_type",
            ),
            (
                json!({"content": "hi", "message_type": "template"}),
                "message_type",
            ),
            (
                json!({"content": "hi", "message_type": "sideways"}),
                "message_type",
            ),
            (
                json!({"content": "hi", "message_type": "Outgoing"}),
                "message_type",
            ),
            (json!({"content": "hi", "message_type": 1}), "message_type"),
            (json!({"content": "hi", "private": "yes"}), "private"),
            (json!({"content": "hi", "private": 2}), "private"),
            (
                json!({"content": "hi", "content_attributes": [1]}),
                "content_attributes",
            ),
            (
                json!({"content": "hi", "content_attributes": "x"}),
                "content_attributes",
            ),
        ];
        for (body, field) in &cases {
            assert_invalid(&app.post(&uri(&app), &app.admin, body).await, field);
        }
        let thread = ok(&app.get(&uri(&app), &app.admin).await);
        assert_eq!(
            thread["payload"].as_array().unwrap().len(),
            1,
            "nothing was posted"
        );
        // The longest message allowed is accepted.
        let longest = ok(&app
            .post(&uri(&app), &app.admin, &json!({"content": long(150_000)}))
            .await);
        assert_eq!(longest["content"].as_str().unwrap().len(), 150_000);
    })
    .await;
}

#[tokio::test]
async fn outsiders_get_401_and_other_accounts_conversations_are_404s() {
    support::on_each_backend(async |app| {
        assert_members_only(&app, Method::GET, &uri(&app), None).await;
        assert_members_only(&app, Method::POST, &uri(&app), Some(&json!({"content": "hijack"}))).await;
        let body = json!({"inbox_id": app.other.inbox_id, "contact_id": app.other.contact_id, "message": {"content": "secret"}});
        ok(&app.post(&app.other_api("conversations"), &app.stranger, &body).await);
        for display in [2, 999_999] {
            let foreign = app.api(&format!("conversations/{display}/messages"));
            assert_not_found(&app.get(&foreign, &app.agent).await);
            assert_not_found(&app.post(&foreign, &app.agent, &json!({"content": "hijack"})).await);
        }
        let theirs = ok(&app.get(&app.other_api("conversations/2/messages"), &app.stranger).await);
        let contents: Vec<&str> = theirs["payload"].as_array().unwrap().iter().map(|m| m["content"].as_str().unwrap()).collect();
        assert_eq!(contents, ["secret"]);
        let ours = ok(&app.get(&uri(&app), &app.admin).await);
        assert_eq!(ours["payload"].as_array().unwrap().len(), 1);
    })
    .await;
}
