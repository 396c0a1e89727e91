//! `/api/v1/accounts/{id}/inboxes`: API-channel inboxes; the HMAC token for administrators only.

use super::{assert_forbidden, assert_invalid, assert_members_only, assert_not_found, long, ok};
use crate::support;
use axum::http::Method;
use serde_json::{json, Value};

#[tokio::test]
async fn members_list_and_show_inboxes_and_only_administrators_see_the_hmac_token() {
    support::on_each_backend(async |app| {
        let list = ok(&app.get(&app.api("inboxes"), &app.admin).await);
        assert_eq!(super::keys(&list), ["payload"]);
        let inboxes = list["payload"].as_array().expect("payload is an array");
        assert_eq!(inboxes.len(), 1);
        let inbox = &inboxes[0];
        assert_eq!(inbox["id"], app.acme.inbox_id);
        assert_eq!(inbox["name"], "Website");
        assert_eq!(inbox["channel_type"], "Channel::Api");
        assert!(
            inbox["hmac_token"].as_str().is_some_and(|t| !t.is_empty()),
            "{inbox}"
        );
        assert!(
            inbox["inbox_identifier"]
                .as_str()
                .is_some_and(|t| !t.is_empty()),
            "{inbox}"
        );
        let one = app.api(&format!("inboxes/{}", app.acme.inbox_id));
        assert_eq!(&ok(&app.get(&one, &app.admin).await), inbox);
        // The agent sees the same inbox without its secret.
        let seen = ok(&app.get(&app.api("inboxes"), &app.agent).await);
        let seen = &seen["payload"][0];
        assert!(seen.get("hmac_token").is_none(), "{seen}");
        assert_eq!(seen["id"], app.acme.inbox_id);
        let shown = ok(&app.get(&one, &app.agent).await);
        assert!(shown.get("hmac_token").is_none(), "{shown}");
        assert_eq!(&shown, seen);
        let mut without_secret = inbox.clone();
        without_secret.as_object_mut().unwrap().remove("hmac_token");
        assert_eq!(&without_secret, seen);
    })
    .await;
}

#[tokio::test]
async fn an_administrator_creates_updates_and_deletes_an_api_inbox() {
    support::on_each_backend(async |app| {
        let created = ok(&app
            .post(
                &app.api("inboxes"),
                &app.admin,
                &json!({"name": "Support API", "channel": {"type": "api", "webhook_url": "https://hooks.example/in"}}),
            )
            .await);
        assert_eq!(created["name"], "Support API");
        assert_eq!(created["channel_type"], "Channel::Api");
        assert_eq!(created["webhook_url"], "https://hooks.example/in");
        assert!(created["hmac_token"].as_str().is_some_and(|t| !t.is_empty()));
        let wrapped = ok(&app
            .post(&app.api("inboxes"), &app.admin, &json!({"inbox": {"name": "Second", "webhook_url": "http://127.0.0.1:9/x"}}))
            .await);
        assert_eq!(wrapped["webhook_url"], "http://127.0.0.1:9/x");
        assert_ne!(wrapped["inbox_identifier"], created["inbox_identifier"]);
        let bare = ok(&app.post(&app.api("inboxes"), &app.admin, &json!({"name": "Third"})).await);
        assert_eq!(bare["webhook_url"], Value::Null);
        assert_eq!(ok(&app.get(&app.api("inboxes"), &app.admin).await)["payload"].as_array().unwrap().len(), 4);
        // An agent sees the inboxes they are a member of (Chatwoot's `GET inboxes`).
        let theirs = ok(&app.get(&app.api("inboxes"), &app.agent).await);
        assert_eq!(theirs["payload"].as_array().unwrap().len(), 1, "{theirs}");
        assert_eq!(theirs["payload"][0]["id"], app.acme.inbox_id);

        let one = app.api(&format!("inboxes/{}", created["id"]));
        let renamed = ok(&app.patch(&one, &app.admin, &json!({"name": "Renamed"})).await);
        assert_eq!(renamed["name"], "Renamed");
        assert_eq!(renamed["webhook_url"], "https://hooks.example/in");
        let cleared = ok(&app.put(&one, &app.admin, &json!({"inbox": {"webhook_url": ""}})).await);
        assert_eq!(cleared["webhook_url"], Value::Null);
        assert_eq!(cleared["name"], "Renamed");
        assert_eq!(cleared["hmac_token"], created["hmac_token"]);

        // A conversation in the inbox goes with it.
        let inbox_id = created["id"].as_i64().unwrap();
        let conversation = ok(&app
            .post(&app.api("conversations"), &app.admin, &json!({"inbox_id": inbox_id, "contact_id": app.acme.contact_id}))
            .await);
        let res = app.delete(&one, &app.admin).await;
        let body = ok(&res);
        assert!(body["message"].is_string(), "{body}");
        assert_not_found(&app.get(&one, &app.admin).await);
        assert_not_found(&app.patch(&one, &app.admin, &json!({"name": "x"})).await);
        assert_not_found(&app.delete(&one, &app.admin).await);
        assert_not_found(&app.get(&app.api(&format!("conversations/{}", conversation["id"])), &app.admin).await);
        let all = ok(&app.get(&app.api("conversations?status=all"), &app.admin).await);
        assert_eq!(all["data"]["meta"]["all_count"], 1);
        // Creating a conversation in the deleted inbox is refused, not a 500.
        let res = app
            .post(&app.api("conversations"), &app.admin, &json!({"inbox_id": inbox_id, "contact_id": app.acme.contact_id}))
            .await;
        assert_invalid(&res, "inbox_id");
    })
    .await;
}

#[tokio::test]
async fn agent_gets_401_writing_inboxes_and_outsiders_get_401_everywhere() {
    support::on_each_backend(async |app| {
        let list = app.api("inboxes");
        let one = app.api(&format!("inboxes/{}", app.acme.inbox_id));
        assert_forbidden(&app.post(&list, &app.agent, &json!({"name": "Mine"})).await);
        assert_forbidden(&app.patch(&one, &app.agent, &json!({"name": "Mine"})).await);
        assert_forbidden(
            &app.put(
                &one,
                &app.agent,
                &json!({"webhook_url": "https://evil.example/"}),
            )
            .await,
        );
        assert_forbidden(&app.delete(&one, &app.agent).await);
        assert_members_only(&app, Method::GET, &list, None).await;
        assert_members_only(&app, Method::POST, &list, Some(&json!({"name": "x"}))).await;
        assert_members_only(&app, Method::GET, &one, None).await;
        assert_members_only(&app, Method::PATCH, &one, Some(&json!({"name": "x"}))).await;
        assert_members_only(&app, Method::DELETE, &one, None).await;
        let inbox = ok(&app.get(&one, &app.admin).await);
        assert_eq!(inbox["name"], "Website");
        assert_eq!(inbox["webhook_url"], Value::Null);
    })
    .await;
}

#[tokio::test]
async fn another_accounts_inbox_ids_are_404s() {
    support::on_each_backend(async |app| {
        for id in [app.other.inbox_id, 999_999] {
            let uri = app.api(&format!("inboxes/{id}"));
            assert_not_found(&app.get(&uri, &app.admin).await);
            assert_not_found(&app.patch(&uri, &app.admin, &json!({"name": "Mine"})).await);
            assert_not_found(&app.delete(&uri, &app.admin).await);
        }
        let theirs = ok(&app
            .get(
                &app.other_api(&format!("inboxes/{}", app.other.inbox_id)),
                &app.stranger,
            )
            .await);
        assert_eq!(theirs["name"], "Website");
        let ours = ok(&app.get(&app.api("inboxes"), &app.admin).await);
        assert!(!ours["payload"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["id"] == app.other.inbox_id));
    })
    .await;
}

#[tokio::test]
async fn invalid_inbox_input_is_a_422_naming_the_field() {
    support::on_each_backend(async |app| {
        let list = app.api("inboxes");
        let one = app.api(&format!("inboxes/{}", app.acme.inbox_id));
        let cases = [
            (json!({}), "name"),
            (json!({"name": ""}), "name"),
            (json!({"name": "  "}), "name"),
            (json!({"name": long(256)}), "name"),
            (json!({"name": 5}), "name"),
            (
                json!({"name": "A", "webhook_url": "ftp://x"}),
                "webhook_url",
            ),
            (
                json!({"name": "A", "webhook_url": "not a url"}),
                "webhook_url",
            ),
            (
                json!({"name": "A", "webhook_url": "javascript:alert(1)"}),
                "webhook_url",
            ),
            (
                json!({"name": "A", "webhook_url": "https://u:p@hooks.example/"}),
                "webhook_url",
            ),
            (
                json!({"name": "A", "webhook_url": format!("https://a.example/{}", long(2048))}),
                "webhook_url",
            ),
            (json!({"name": "A", "webhook_url": 5}), "webhook_url"),
            (
                json!({"name": "A", "channel": {"type": "email"}}),
                "channel",
            ),
            (json!({"name": "A", "channel": "api"}), "channel"),
            (
                json!({"name": "A", "channel": {"type": "api", "webhook_url": "ftp://x"}}),
                "webhook_url",
            ),
            (json!({"inbox": 5}), "inbox"),
        ];
        for (body, field) in &cases {
            assert_invalid(&app.post(&list, &app.admin, body).await, field);
        }
        for (body, field) in [
            (json!({"name": ""}), "name"),
            (json!({"name": long(256)}), "name"),
            (json!({"webhook_url": "ftp://x"}), "webhook_url"),
            (json!({"webhook_url": 5}), "webhook_url"),
        ] {
            assert_invalid(&app.patch(&one, &app.admin, &body).await, field);
        }
        assert_eq!(
            ok(&app.get(&list, &app.admin).await)["payload"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
    })
    .await;
}
