//! Website inboxes (issue 15): Chatwoot's inbox API shape for `channel.type` `web_widget`, the
//! snippet, `hmac_mandatory` as the widget's `setUser` reads it, the allowed origins of a website
//! token, its budget, the visitor's browser fields, and a visitor seeing only its own
//! conversations. The widget in a real browser is `tests/browser/widget.rs`.

use super::{assert_invalid, assert_not_found, assert_unauthorized, expect, ok, raw};
use crate::support::{self, TestApp, TestResponse};
use axum::http::Method;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use web::throttle::Limit;

/// Creates a website inbox as the administrator with `channel` settings merged in.
async fn website_inbox(app: &TestApp, channel: Value) -> Value {
    let mut body = json!({"name": "Shop", "channel": {"type": "web_widget", "website_url": "https://shop.example"}});
    for (key, value) in channel.as_object().expect("an object") {
        body["channel"][key] = value.clone();
    }
    ok(&app.post(&app.api("inboxes"), &app.admin, &body).await)
}

fn hmac_hex(secret: &str, identifier: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(identifier.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// A Client API request with extra headers (`Origin`, `User-Agent`, …).
async fn public(
    app: &TestApp,
    method: Method,
    uri: &str,
    headers: &[(&str, &str)],
    body: &Value,
) -> TestResponse {
    let mut all = vec![("content-type", "application/json")];
    all.extend_from_slice(headers);
    raw(app, method, uri, &all, body.to_string().into_bytes()).await
}

fn contacts_uri(token: &str) -> String {
    format!("/public/api/v1/inboxes/{token}/contacts")
}

#[tokio::test]
async fn administrators_create_and_update_a_website_inbox_in_chatwoots_shape_with_its_snippet() {
    support::on_each_backend(async |app| {
        let created = website_inbox(
            &app,
            json!({"widget_color": "#ff6600", "welcome_title": "Hi there", "reply_time": "in_a_day",
                   "allowed_domains": "shop.example, *.shop.example"}),
        )
        .await;
        assert_eq!(created["channel_type"], "Channel::WebWidget");
        let token = created["website_token"].as_str().expect("a website token");
        assert!(token.len() >= 24, "{created}");
        assert_eq!(created["inbox_identifier"], token);
        assert_eq!(created["website_url"], "https://shop.example");
        assert_eq!(created["widget_color"], "#ff6600");
        assert_eq!(created["welcome_title"], "Hi there");
        assert_eq!(created["welcome_tagline"], Value::Null);
        assert_eq!(created["reply_time"], "in_a_day");
        assert_eq!(created["allowed_domains"], "shop.example, *.shop.example");
        assert_eq!(created["pre_chat_form_enabled"], false);
        assert!(created["hmac_token"]
            .as_str()
            .is_some_and(|t| !t.is_empty()));
        let script = created["web_widget_script"].as_str().expect("a snippet");
        assert!(
            script.contains(&format!("websiteToken: '{token}'")),
            "{script}"
        );
        assert!(
            script.contains("g.src=BASE_URL+\"/packs/js/sdk.js\";"),
            "{script}"
        );
        assert!(script.contains("var BASE_URL=\"http"), "{script}");

        let one = app.api(&format!("inboxes/{}", created["id"]));
        assert_eq!(ok(&app.get(&one, &app.admin).await), created);
        let members = json!({"inbox_id": created["id"], "user_ids": [app.agent.id]});
        ok(&app
            .post(&app.api("inbox_members"), &app.admin, &members)
            .await);
        let agent_view = ok(&app.get(&one, &app.agent).await);
        assert_eq!(agent_view["website_token"], token);
        assert!(agent_view.get("hmac_token").is_none(), "{agent_view}");

        let change =
            json!({"channel": {"widget_color": "#000000", "welcome_tagline": "We answer fast"}});
        let updated = ok(&app.patch(&one, &app.admin, &change).await);
        assert_eq!(updated["widget_color"], "#000000");
        assert_eq!(updated["welcome_tagline"], "We answer fast");
        assert_eq!(updated["welcome_title"], "Hi there");
        assert_eq!(updated["website_token"], token);

        // An API inbox carries the website keys as null, as the jbuilder writes them.
        let api = ok(&app
            .get(
                &app.api(&format!("inboxes/{}", app.acme.inbox_id)),
                &app.admin,
            )
            .await);
        assert_eq!(api["widget_color"], Value::Null);
        assert_eq!(api["website_token"], Value::Null);
        assert!(api.get("pre_chat_form_options").is_none(), "{api}");
    })
    .await;
}

#[tokio::test]
async fn bad_website_inbox_settings_are_refused_naming_the_field() {
    support::on_each_backend(async |app| {
        let create = |channel: Value| {
            let app = &app;
            async move {
                let body = json!({"name": "Shop", "channel": channel});
                app.post(&app.api("inboxes"), &app.admin, &body).await
            }
        };
        assert_invalid(&create(json!({"type": "web_widget"})).await, "website_url");
        let color = json!({"type": "web_widget", "website_url": "https://a.example", "widget_color": "red;x"});
        assert_invalid(&create(color).await, "widget_color");
        let reply = json!({"type": "web_widget", "website_url": "https://a.example", "reply_time": "soon"});
        assert_invalid(&create(reply).await, "reply_time");
        let domains = json!({"type": "web_widget", "website_url": "https://a.example", "allowed_domains": "a b"});
        assert_invalid(&create(domains).await, "allowed_domains");
        assert_invalid(&create(json!({"type": "email"})).await, "channel");
        let agent = json!({"name": "Shop", "channel": {"type": "web_widget", "website_url": "https://a.example"}});
        assert_unauthorized(&app.post(&app.api("inboxes"), &app.agent, &agent).await);
    })
    .await;
}

#[tokio::test]
async fn with_hmac_mandatory_anonymous_visitors_chat_but_an_unverified_identity_is_refused() {
    support::on_each_backend(async |app| {
        let inbox = website_inbox(&app, json!({"hmac_mandatory": true})).await;
        assert_eq!(inbox["hmac_mandatory"], true);
        let token = inbox["website_token"].as_str().unwrap();
        let secret = inbox["hmac_token"].as_str().unwrap();
        let visitor = ok(&public(&app, Method::POST, &contacts_uri(token), &[], &json!({})).await);
        let source_id = visitor["source_id"].as_str().unwrap();
        let me = format!("{}/{source_id}", contacts_uri(token));
        let made = ok(&public(&app, Method::POST, &format!("{me}/conversations"), &[], &json!({})).await);

        let unverified = json!({"identifier": "user-7", "name": "Dana"});
        assert_invalid(&public(&app, Method::PATCH, &me, &[], &unverified).await, "identifier_hash");
        let wrong = json!({"identifier": "user-7", "name": "Dana", "identifier_hash": hmac_hex("nope", "user-7")});
        assert_invalid(&public(&app, Method::PATCH, &me, &[], &wrong).await, "identifier_hash");
        let conversation = app.api(&format!("conversations/{}", made["id"]));
        assert_eq!(ok(&app.get(&conversation, &app.admin).await)["meta"]["hmac_verified"], false);

        let proven = json!({"identifier": "user-7", "name": "Dana", "identifier_hash": hmac_hex(secret, "user-7")});
        let identified = ok(&public(&app, Method::PATCH, &me, &[], &proven).await);
        assert_eq!(identified["name"], "Dana");
        let shown = ok(&app.get(&conversation, &app.admin).await);
        assert_eq!(shown["meta"]["hmac_verified"], true);
        assert_eq!(shown["meta"]["sender"]["name"], "Dana");
    })
    .await;
}

#[tokio::test]
async fn a_website_token_is_accepted_only_from_its_allowed_origins() {
    support::on_each_backend(async |app| {
        let inbox = website_inbox(&app, json!({"allowed_domains": "shop.example"})).await;
        let token = inbox["website_token"].as_str().unwrap();
        let from = |origin: &'static str| {
            let (app, uri) = (&app, contacts_uri(token));
            async move {
                let headers: Vec<(&str, &str)> = if origin.is_empty() {
                    vec![]
                } else {
                    vec![("origin", origin)]
                };
                public(app, Method::POST, &uri, &headers, &json!({})).await
            }
        };
        assert_unauthorized(&from("https://evil.example").await);
        assert_unauthorized(&from("https://shop.example.evil.example").await);
        ok(&from("https://shop.example").await);
        ok(&from("").await);

        let window = format!("/widget?website_token={token}");
        let framed_by = |referer: &'static str| {
            let (app, window) = (&app, window.clone());
            async move {
                raw(
                    app,
                    Method::GET,
                    &window,
                    &[("referer", referer)],
                    Vec::new(),
                )
                .await
            }
        };
        let refused = framed_by("https://evil.example/").await;
        assert_eq!(refused.status.as_u16(), 403, "{}", refused.text);
        let allowed = framed_by("https://shop.example/pricing").await;
        assert_eq!(allowed.status.as_u16(), 200, "{}", allowed.text);
        let policy = allowed.headers["content-security-policy"].to_str().unwrap();
        assert!(
            policy.contains("frame-ancestors http://shop.example https://shop.example;"),
            "{policy}"
        );
        assert!(allowed
            .text
            .contains(&format!("data-website-token=\"{token}\"")));

        // Any site, when none is listed; an API inbox's identifier is no website token.
        let open = website_inbox(&app, json!({})).await;
        let open_window = format!(
            "/widget?website_token={}",
            open["website_token"].as_str().unwrap()
        );
        let anywhere = raw(
            &app,
            Method::GET,
            &open_window,
            &[("referer", "https://x.example/")],
            Vec::new(),
        )
        .await;
        assert_eq!(anywhere.status.as_u16(), 200);
        assert!(anywhere.headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors http: https:"));
        let api_inbox = app
            .store()
            .inboxes()
            .find(
                domain::AccountId(app.acme.account_id),
                domain::InboxId(app.acme.inbox_id),
            )
            .await
            .unwrap();
        let not_a_widget = raw(
            &app,
            Method::GET,
            &format!("/widget?website_token={}", api_inbox.inbox_identifier),
            &[],
            Vec::new(),
        )
        .await;
        assert_eq!(not_a_widget.status.as_u16(), 404);
    })
    .await;
}

#[tokio::test]
async fn each_website_token_has_its_own_budget_across_addresses() {
    support::on_each_backend(async |app: TestApp| {
        let mut config = web::Config::new("http://desk.acme.example", true).unwrap();
        config.limits.widget_per_website_token = Limit {
            max: 3,
            seconds: 60,
        };
        let app = app.with_config(config);
        let busy = website_inbox(&app, json!({})).await;
        let quiet = website_inbox(&app, json!({})).await;
        let hit = |token: String, address: &'static str| {
            let app = &app;
            async move {
                let headers = [("x-forwarded-for", address)];
                public(
                    app,
                    Method::POST,
                    &contacts_uri(&token),
                    &headers,
                    &json!({}),
                )
                .await
            }
        };
        let busy_token = busy["website_token"].as_str().unwrap().to_owned();
        for address in ["10.0.0.1", "10.0.0.2", "10.0.0.3"] {
            ok(&hit(busy_token.clone(), address).await);
        }
        let refused = hit(busy_token.clone(), "10.0.0.4").await;
        expect(&refused, 429);
        assert!(refused.headers.contains_key("retry-after"));
        ok(&hit(
            quiet["website_token"].as_str().unwrap().to_owned(),
            "10.0.0.4",
        )
        .await);
    })
    .await;
}

#[tokio::test]
async fn a_website_conversation_records_what_the_visitors_browser_tells() {
    support::on_each_backend(async |app| {
        let inbox = website_inbox(&app, json!({})).await;
        let token = inbox["website_token"].as_str().unwrap();
        let visitor = ok(&public(&app, Method::POST, &contacts_uri(token), &[], &json!({})).await);
        let mine = format!("{}/{}/conversations", contacts_uri(token), visitor["source_id"].as_str().unwrap());
        let chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.85 Safari/537.36";
        let headers = [("user-agent", chrome), ("accept-language", "de-DE,de;q=0.9")];
        let body = json!({"referer_url": "https://shop.example/pricing", "timestamp": "Fri Dec 04 2026 14:00:00 GMT+0000"});
        let made = ok(&public(&app, Method::POST, &mine, &headers, &body).await);
        let shown = ok(&app.get(&app.api(&format!("conversations/{}", made["id"])), &app.admin).await);
        let fields = &shown["additional_attributes"];
        assert_eq!(fields["browser"]["browser_name"], "Chrome", "{fields}");
        assert_eq!(fields["browser"]["browser_version"], "131.0.6778.85");
        assert_eq!(fields["browser"]["platform_name"], "Linux");
        assert_eq!(fields["browser_language"], "de-DE");
        assert_eq!(fields["referer"], "https://shop.example/pricing");
        assert_eq!(fields["initiated_at"], json!({"timestamp": "Fri Dec 04 2026 14:00:00 GMT+0000"}));
    })
    .await;
}

#[tokio::test]
async fn a_visitor_reads_only_its_own_conversations() {
    support::on_each_backend(async |app| {
        let inbox = website_inbox(&app, json!({})).await;
        let token = inbox["website_token"].as_str().unwrap();
        let uri = contacts_uri(token);
        let alice = ok(&public(&app, Method::POST, &uri, &[], &json!({})).await);
        let bob = ok(&public(&app, Method::POST, &uri, &[], &json!({})).await);
        let path = |who: &Value| {
            format!(
                "{}/{}",
                contacts_uri(token),
                who["source_id"].as_str().unwrap()
            )
        };
        let hers = ok(&public(
            &app,
            Method::POST,
            &format!("{}/conversations", path(&alice)),
            &[],
            &json!({}),
        )
        .await);
        let id = &hers["id"];
        let get = |uri: String| {
            let app = &app;
            async move { raw(app, Method::GET, &uri, &[], Vec::new()).await }
        };
        ok(&get(format!("{}/conversations/{id}", path(&alice))).await);
        assert_not_found(&get(format!("{}/conversations/{id}", path(&bob))).await);
        assert_not_found(&get(format!("{}/conversations/{id}/messages", path(&bob))).await);
        let listed = ok(&get(format!("{}/conversations", path(&bob))).await);
        assert_eq!(listed, json!([]));
    })
    .await;
}

/// `message.updated` ids among the events logged after `after`, and whether
/// `conversation.updated` is among them.
async fn logged_after(app: &TestApp, after: i64) -> (bool, Vec<i64>) {
    let logged = app
        .store()
        .events()
        .since(after, 100)
        .await
        .expect("the log");
    let updated = logged
        .iter()
        .any(|l| l.event.name() == "conversation.updated");
    let messages = logged
        .iter()
        .filter_map(|l| match &l.event {
            domain::Event::MessageUpdated { message_id, .. } => Some(message_id.get()),
            _ => None,
        })
        .collect();
    (updated, messages)
}

#[tokio::test]
async fn replies_the_visitor_has_read_are_status_read_each_announced_once_and_marked_seen() {
    support::on_each_backend(async |app| {
        let inbox = website_inbox(&app, json!({})).await;
        let token = inbox["website_token"].as_str().unwrap();
        let visitor = ok(&public(&app, Method::POST, &contacts_uri(token), &[], &json!({})).await);
        let me = format!(
            "{}/{}",
            contacts_uri(token),
            visitor["source_id"].as_str().unwrap()
        );
        let made = ok(&public(
            &app,
            Method::POST,
            &format!("{me}/conversations"),
            &[],
            &json!({}),
        )
        .await);
        let display = made["id"].as_i64().unwrap();
        let thread = format!("{me}/conversations/{display}");
        let asked = json!({"content": "Where is my order?"});
        let question = ok(&public(
            &app,
            Method::POST,
            &format!("{thread}/messages"),
            &[],
            &asked,
        )
        .await);
        let messages = app.api(&format!("conversations/{display}/messages"));
        let reply = ok(&app
            .post(&messages, &app.admin, &json!({"content": "It ships today"}))
            .await);
        assert_eq!(reply["status"], "sent", "not read yet: {reply}");
        let note = ok(&app
            .post(
                &messages,
                &app.admin,
                &json!({"content": "VIP", "private": true}),
            )
            .await);
        let fragment = format!(
            "/app/accounts/{}/conversations/{display}/_messages",
            app.acme.account_id
        );
        let cookie = crate::hardening::page_session(&app, &app.admin.email).await;
        let html = crate::hardening::page(&app, &cookie, &fragment).await.text;
        assert!(
            html.contains("It ships today") && !html.contains("Seen"),
            "{html}"
        );

        // The visitor reads: the reply is read wherever a message is shown, in one write with
        // its message.updated beside conversation.updated; the note and the question are not.
        let before = app.store().events().last_id().await.unwrap();
        ok(&public(
            &app,
            Method::POST,
            &format!("{thread}/update_last_seen"),
            &[],
            &json!({}),
        )
        .await);
        assert_eq!(
            logged_after(&app, before).await,
            (true, vec![reply["id"].as_i64().unwrap()])
        );
        let status_of = |list: &Value, id: &Value| {
            let found = list.as_array().unwrap().iter().find(|m| &m["id"] == id);
            found
                .map(|m| m["status"].clone())
                .expect("the message is listed")
        };
        let listed = ok(&app.get(&messages, &app.admin).await);
        assert_eq!(
            status_of(&listed["payload"], &reply["id"]),
            "read",
            "{listed}"
        );
        assert_eq!(status_of(&listed["payload"], &note["id"]), "sent");
        assert_eq!(status_of(&listed["payload"], &question["id"]), "sent");
        let shown = ok(&app
            .get(&app.api(&format!("conversations/{display}")), &app.admin)
            .await);
        assert_eq!(
            status_of(&shown["messages"], &reply["id"]),
            "read",
            "{shown}"
        );
        let context = ok(&app
            .get(
                &app.api(&format!("conversations/{display}/app_context")),
                &app.admin,
            )
            .await);
        let in_context = &context["data"]["conversation"]["messages"];
        assert_eq!(status_of(in_context, &reply["id"]), "read", "{context}");
        // The agent's thread says "Seen" on the reply alone.
        let html = crate::hardening::page(&app, &cookie, &fragment).await.text;
        let marked: Vec<&str> = html
            .split("<article")
            .filter(|article| article.contains("class=\"message-seen\""))
            .collect();
        assert_eq!(marked.len(), 1, "{html}");
        assert!(
            marked[0].contains("It ships today") && marked[0].contains("Seen"),
            "{html}"
        );

        // Reading again announces no reply a second time.
        let before = app.store().events().last_id().await.unwrap();
        ok(&public(
            &app,
            Method::POST,
            &format!("{thread}/update_last_seen"),
            &[],
            &json!({}),
        )
        .await);
        assert_eq!(logged_after(&app, before).await, (true, vec![]));
    })
    .await;
}

#[tokio::test]
async fn the_loader_is_served_to_any_site_as_javascript() {
    let app = TestApp::new().await;
    let res = raw(&app, Method::GET, "/packs/js/sdk.js", &[], Vec::new()).await;
    assert_eq!(res.status.as_u16(), 200);
    assert!(res.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/javascript"));
    assert_eq!(res.headers["access-control-allow-origin"], "*");
    assert!(res.text.contains("window.chatwootSDK = { run: run }"));
}

#[tokio::test]
async fn a_visitor_labels_its_conversation_and_sets_attributes_only_with_the_accounts_labels() {
    support::on_each_backend(async |app| {
        let inbox = website_inbox(&app, json!({})).await;
        let token = inbox["website_token"].as_str().unwrap();
        let uri = contacts_uri(token);
        let alice = ok(&public(&app, Method::POST, &uri, &[], &json!({})).await);
        let bob = ok(&public(&app, Method::POST, &uri, &[], &json!({})).await);
        let path = |who: &Value| format!("{uri}/{}", who["source_id"].as_str().unwrap());
        let hers = ok(&public(
            &app,
            Method::POST,
            &format!("{}/conversations", path(&alice)),
            &[],
            &json!({}),
        )
        .await);
        let conversation = format!("{}/conversations/{}", path(&alice), hers["id"]);
        ok(&app
            .post(&app.api("labels"), &app.admin, &json!({"title": "vip"}))
            .await);

        let labels_uri = format!("{conversation}/labels");
        let add = |label: &'static str| {
            let (app, uri) = (&app, labels_uri.clone());
            async move { public(app, Method::POST, &uri, &[], &json!({"label": label})).await }
        };
        assert_eq!(ok(&add("VIP").await)["labels"], json!(["vip"]));
        assert_invalid(&add("made-up").await, "label");
        let removed = raw(
            &app,
            Method::DELETE,
            &format!("{conversation}/labels/vip"),
            &[],
            Vec::new(),
        )
        .await;
        assert_eq!(ok(&removed)["labels"], json!([]));

        let set = json!({"custom_attributes": {"plan": "gold", "seats": 3}});
        let attributes = ok(&public(
            &app,
            Method::POST,
            &format!("{conversation}/custom_attributes"),
            &[],
            &set,
        )
        .await);
        assert_eq!(
            attributes["custom_attributes"],
            json!({"plan": "gold", "seats": 3})
        );
        let drop = json!({"custom_attributes": ["seats"]});
        let left = ok(&public(
            &app,
            Method::POST,
            &format!("{conversation}/destroy_custom_attributes"),
            &[],
            &drop,
        )
        .await);
        assert_eq!(left["custom_attributes"], json!({"plan": "gold"}));
        assert_invalid(
            &public(
                &app,
                Method::POST,
                &format!("{conversation}/custom_attributes"),
                &[],
                &json!({}),
            )
            .await,
            "custom_attributes",
        );

        ok(&public(
            &app,
            Method::PATCH,
            &path(&alice),
            &[],
            &json!({"custom_attributes": {"tier": "gold", "tmp": 1}}),
        )
        .await);
        let contact = ok(&public(
            &app,
            Method::POST,
            &format!("{}/destroy_custom_attributes", path(&alice)),
            &[],
            &drop_tmp(),
        )
        .await);
        assert_eq!(contact["custom_attributes"], json!({"tier": "gold"}));

        // Bob cannot touch Alice's conversation.
        let bobs = format!("{}/conversations/{}", path(&bob), hers["id"]);
        assert_not_found(
            &public(
                &app,
                Method::POST,
                &format!("{bobs}/labels"),
                &[],
                &json!({"label": "vip"}),
            )
            .await,
        );
        assert_not_found(
            &public(
                &app,
                Method::POST,
                &format!("{bobs}/custom_attributes"),
                &[],
                &set,
            )
            .await,
        );
    })
    .await;
}

fn drop_tmp() -> Value {
    json!({"custom_attributes": ["tmp"]})
}
