//! `/api/v1/accounts/{id}/webhooks` and the deliveries behind them: administrators manage the
//! subscriptions; events reach them (and the inbox's `webhook_url`) as signed Chatwoot-shaped
//! bodies; a failing or absent receiver gets the delivery again; the outbox outlives the worker.

use crate::public::hmac_hex;
use crate::receiver::{free_port, Received, Receiver};
use crate::support::{self, TestApp};
use crate::{acme_inbox, anonymous, assert_invalid, assert_not_found, eventually, expect};
use ::webhooks::{Config, Worker};
use axum::http::Method;
use domain::{AccountId, WebhookId};
use serde_json::{json, Value};
use std::time::Duration;
use store::Store;

const FORBIDDEN: &str = "You are not authorized to do this action";

/// A worker that tries again within milliseconds.
fn fast() -> Config {
    Config {
        poll_interval: Duration::from_millis(20),
        base_delay: Duration::from_millis(30),
        max_delay: Duration::from_millis(200),
        max_attempts: 50,
        timeout: Duration::from_secs(5),
        batch: 32,
        lease: Duration::from_secs(30),
        egress: loopback_allowed(),
        ..Config::default()
    }
}

/// The receivers of these tests listen on loopback, which the operator's opt-in allows.
fn loopback_allowed() -> egress::Policy {
    egress::Policy {
        allow_private: true,
    }
}

/// Creates a webhook as the administrator; returns its id and its secret.
async fn webhook(app: &TestApp, url: &str, subscriptions: &[&str]) -> (i64, String) {
    let body = json!({"webhook": {"url": url, "subscriptions": subscriptions}});
    let created = expect(
        &app.post(&app.api("webhooks"), &app.admin, &body).await,
        200,
    );
    // The recorder has caught up with the log before the webhook exists (the seed's events
    // are not this webhook's).
    let store = app.store();
    let last = store.events().last_id().await.expect("the log");
    store
        .events()
        .advance(store::WEBHOOK_CURSOR, last)
        .await
        .expect("the cursor");
    let webhook = &created["payload"]["webhook"];
    (
        webhook["id"].as_i64().expect("an id"),
        webhook["secret"]
            .as_str()
            .expect("the secret, once")
            .to_owned(),
    )
}

async fn log(app: &TestApp, id: i64) -> Value {
    let res = app
        .get(&app.api(&format!("webhooks/{id}/deliveries")), &app.admin)
        .await;
    expect(&res, 200)["payload"].clone()
}

/// Records the outbox rows of every event logged since the last call (what the worker's
/// recorder does).
async fn record_logged(app: &TestApp) -> usize {
    let store = app.store();
    let cursor = store
        .events()
        .cursor(store::WEBHOOK_CURSOR)
        .await
        .expect("the cursor");
    let batch = store.events().since(cursor, 10_000).await.expect("the log");
    ::webhooks::record_logged(store, app.state.presence(), &batch, ::webhooks::now_ms())
        .await
        .expect("recorded")
}

/// Records the outbox rows of the unlogged events (typing) published so far.
async fn record_unlogged(
    app: &TestApp,
    events: &mut tokio::sync::broadcast::Receiver<realtime::BusMessage>,
) -> usize {
    let mut rows = 0;
    while let Ok(message) = events.try_recv() {
        if let realtime::BusMessage::Event(published) = message {
            if published.id.is_none() {
                let presence = app.state.presence();
                rows += ::webhooks::record(
                    app.store(),
                    presence,
                    &published.event,
                    ::webhooks::now_ms(),
                )
                .await
                .expect("recorded");
            }
        }
    }
    rows
}

/// The agent replies in the seeded conversation.
async fn reply(app: &TestApp, content: &str) {
    let uri = app.api(&format!("conversations/{}/messages", app.acme.conversation));
    expect(
        &app.post(&uri, &app.agent, &json!({"content": content}))
            .await,
        200,
    );
}

/// Checks the signature headers of a delivery with `secret`, independently of the server.
#[track_caller]
fn assert_signed(received: &Received, secret: &str) {
    let expected = format!("sha256={}", hmac_hex(secret, &received.body));
    assert_eq!(
        received.header("x-switchboard-signature"),
        expected,
        "{}",
        received.body
    );
    let timestamp: i64 = received
        .header("x-switchboard-timestamp")
        .parse()
        .expect("an epoch-seconds timestamp");
    assert!((timestamp - domain::time::now()).abs() < 300, "{timestamp}");
    assert_eq!(received.header("content-type"), "application/json");
    assert_eq!(received.header("x-switchboard-event"), received.event());
    assert!(received
        .header("x-switchboard-delivery")
        .parse::<i64>()
        .is_ok());
    assert!(
        !received.body.contains(secret),
        "a body never carries the secret"
    );
}

#[tokio::test]
async fn administrators_manage_webhooks_and_see_the_secret_only_once() {
    support::on_each_backend(async |app| {
        let base = "https://hooks.example";
        let created = expect(&app.post(&app.api("webhooks"), &app.admin, &json!({"webhook": {"url": format!("{base}/a"), "subscriptions": ["message_created", "conversation_created"]}})).await, 200);
        let hook = &created["payload"]["webhook"];
        let mut keys: Vec<&String> = hook.as_object().unwrap().keys().collect();
        keys.sort();
        assert_eq!(keys, ["account_id", "id", "name", "secret", "subscriptions", "url"]);
        assert_eq!(hook["account_id"], app.acme.account_id);
        assert_eq!(hook["subscriptions"], json!(["message_created", "conversation_created"]));
        assert!(hook["secret"].as_str().unwrap().starts_with("whsec_"));
        let id = hook["id"].as_i64().unwrap();

        // A bare body works too, with a name and an inbox it is limited to.
        let bare = json!({"url": format!("{base}/b"), "subscriptions": ["contact_updated"], "name": "CRM", "inbox_id": app.acme.inbox_id});
        let second = expect(&app.post(&app.api("webhooks"), &app.admin, &bare).await, 200);
        let second = &second["payload"]["webhook"];
        assert_eq!(second["name"], "CRM");
        assert_eq!(second["inbox"], json!({"id": app.acme.inbox_id, "name": "Website", "channel_type": "Channel::Api"}));

        // The list never shows a secret.
        let list = expect(&app.get(&app.api("webhooks"), &app.admin).await, 200);
        let hooks = list["payload"]["webhooks"].as_array().unwrap();
        assert_eq!(hooks.len(), 2);
        assert!(hooks.iter().all(|h| h.get("secret").is_none()), "{list}");
        assert!(!list.to_string().contains("whsec_"));

        // Update: subscriptions and URL change; still no secret.
        let one = app.api(&format!("webhooks/{id}"));
        let updated = expect(&app.patch(&one, &app.admin, &json!({"webhook": {"subscriptions": ["conversation_status_changed"], "url": format!("{base}/c")}})).await, 200);
        let updated = &updated["payload"]["webhook"];
        assert_eq!(updated["subscriptions"], json!(["conversation_status_changed"]));
        assert_eq!(updated["url"], format!("{base}/c"));
        assert!(updated.get("secret").is_none());

        // Delete: 200 without a body, then it is gone.
        let res = app.delete(&one, &app.admin).await;
        assert_eq!(res.status.as_u16(), 200, "{}", res.text);
        assert_eq!(res.text, "");
        assert_not_found(&app.delete(&one, &app.admin).await);
        assert_not_found(&app.patch(&one, &app.admin, &json!({"name": "x"})).await);
        assert_not_found(&app.get(&app.api(&format!("webhooks/{id}/deliveries")), &app.admin).await);
        let list = expect(&app.get(&app.api("webhooks"), &app.admin).await, 200);
        assert_eq!(list["payload"]["webhooks"].as_array().unwrap().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn agents_outsiders_and_bad_bodies_are_refused() {
    support::on_each_backend(async |app| {
        let (id, _) = webhook(&app, "https://hooks.example/x", &["message_created"]).await;
        let one = app.api(&format!("webhooks/{id}"));
        let body = json!({"url": "https://hooks.example/y", "subscriptions": ["message_created"]});
        let routes = [
            (Method::GET, app.api("webhooks"), None),
            (Method::POST, app.api("webhooks"), Some(body.clone())),
            (Method::PATCH, one.clone(), Some(json!({"name": "x"}))),
            (Method::DELETE, one.clone(), None),
            (Method::GET, format!("{one}/deliveries"), None),
        ];
        for (method, uri, body) in &routes {
            let text = body.as_ref().map(Value::to_string);
            let res = app.request(method.clone(), uri, Some(&app.agent.token), text.as_deref()).await;
            assert_eq!(expect(&res, 401), json!({"error": FORBIDDEN}), "{method} {uri}");
            for token in [None, Some("not-a-token"), Some(app.stranger.token.as_str())] {
                let res = app.request(method.clone(), uri, token, text.as_deref()).await;
                assert_eq!(res.status.as_u16(), 401, "{method} {uri} with {token:?}: {}", res.text);
            }
        }

        let create = |body: Value| {
            let app = &app;
            async move { app.post(&app.api("webhooks"), &app.admin, &body).await }
        };
        for (body, attribute) in [
            (json!({"subscriptions": ["message_created"]}), "url"),
            (json!({"url": "ftp://hooks.example", "subscriptions": ["message_created"]}), "url"),
            (json!({"url": "not a url", "subscriptions": ["message_created"]}), "url"),
            (json!({"url": "https://hooks.example/z"}), "subscriptions"),
            (json!({"url": "https://hooks.example/z", "subscriptions": []}), "subscriptions"),
            (json!({"url": "https://hooks.example/z", "subscriptions": ["message_exploded"]}), "subscriptions"),
            (json!({"url": "https://hooks.example/z", "subscriptions": "message_created"}), "subscriptions"),
            (json!({"url": "https://hooks.example/x", "subscriptions": ["message_created"]}), "url"),
            (json!({"url": "https://hooks.example/z", "subscriptions": ["message_created"], "inbox_id": app.other.inbox_id}), "inbox_id"),
            (json!({"webhook": "x"}), "webhook"),
        ] {
            assert_invalid(&create(body.clone()).await, attribute);
        }
        assert_invalid(&app.patch(&one, &app.admin, &json!({"subscriptions": ["nope"]})).await, "subscriptions");
        assert_invalid(&app.patch(&one, &app.admin, &json!({"url": ""})).await, "url");
        assert_not_found(&app.patch(&app.api("webhooks/abc"), &app.admin, &json!({"name": "x"})).await);
        // Another account's webhook is not found through this account.
        let theirs = expect(&app.post(&app.other_api("webhooks"), &app.stranger, &body).await, 200);
        let theirs = theirs["payload"]["webhook"]["id"].as_i64().unwrap();
        assert_not_found(&app.get(&app.api(&format!("webhooks/{theirs}/deliveries")), &app.admin).await);
        assert_not_found(&app.delete(&app.api(&format!("webhooks/{theirs}")), &app.admin).await);
    })
    .await;
}

#[tokio::test]
async fn events_reach_subscribers_and_the_inbox_url_signed_and_shaped_like_chatwoot() {
    support::on_each_backend(async |app| {
        let receiver = Receiver::default();
        let base = receiver.serve().await;
        let (hook_id, secret) = webhook(&app, &format!("{base}/hook"), &["message_created", "conversation_created", "conversation_status_changed", "conversation_updated", "contact_updated", "conversation_typing_on"]).await;
        // A webhook of the other account hears none of this account's events.
        let other_hook = json!({"url": format!("{base}/other"), "subscriptions": ["message_created", "conversation_created"]});
        expect(&app.post(&app.other_api("webhooks"), &app.stranger, &other_hook).await, 200);
        // The inbox's webhook_url hears every event of the inbox.
        let inbox_uri = app.api(&format!("inboxes/{}", app.acme.inbox_id));
        expect(&app.patch(&inbox_uri, &app.admin, &json!({"webhook_url": format!("{base}/inbox")})).await, 200);
        let inbox = acme_inbox(&app).await;
        let hmac_token = inbox["hmac_token"].as_str().unwrap().to_owned();
        let identifier = inbox["inbox_identifier"].as_str().unwrap().to_owned();

        let worker = Worker::spawn(app.store().clone(), &app.state.bus, fast());
        // Bodies show the conversation as it is when the event is recorded, so each step waits
        // for its deliveries before the next one changes the conversation again.
        let delivered = |count: usize| {
            let receiver = receiver.clone();
            async move {
                eventually(&format!("{count} deliveries"), || {
                    let receiver = receiver.clone();
                    async move { receiver.received().len() >= count }
                })
                .await
            }
        };
        // An integrator's flow: contact, conversation, incoming message; an agent answers and
        // takes the conversation; the contact resolves it and renames itself.
        let contacts = format!("/public/api/v1/inboxes/{identifier}/contacts");
        let contact = expect(&anonymous(&app, Method::POST, &contacts, Some(json!({"name": "Ivy", "email": "ivy@example.com"}))).await, 200);
        let source = contact["source_id"].as_str().unwrap().to_owned();
        let me = format!("{contacts}/{source}");
        let id = expect(&anonymous(&app, Method::POST, &format!("{me}/conversations"), None).await, 200)["id"].as_i64().unwrap();
        delivered(2).await;
        let thread = format!("{me}/conversations/{id}");
        expect(&anonymous(&app, Method::POST, &format!("{thread}/messages"), Some(json!({"content": "Hello?"}))).await, 200);
        delivered(4).await;
        let agent_thread = app.api(&format!("conversations/{id}/messages"));
        expect(&app.post(&agent_thread, &app.agent, &json!({"content": "Hi Ivy"})).await, 200);
        delivered(6).await;
        expect(&app.post(&app.api(&format!("conversations/{id}/assignments")), &app.admin, &json!({"assignee_id": app.agent.id})).await, 200);
        delivered(8).await;
        expect(&anonymous(&app, Method::POST, &format!("{thread}/toggle_status"), None).await, 200);
        delivered(10).await;
        let typing = json!({"typing_status": "on", "is_private": true});
        expect(&app.post(&app.api(&format!("conversations/{id}/toggle_typing_status")), &app.agent, &typing).await, 200);
        delivered(12).await;
        // The inbox URL hears no contact_updated (Chatwoot sends contact events to account
        // webhooks only).
        expect(&anonymous(&app, Method::PATCH, &me, Some(json!({"name": "Ivy Chen"}))).await, 200);
        delivered(13).await;
        // The other account's webhook hears its own account's message, and nothing of ours; a
        // read receipt is no webhook event.
        expect(&app.post(&app.api(&format!("conversations/{id}/update_last_seen")), &app.agent, &json!({})).await, 200);
        let theirs = app.other_api(&format!("conversations/{}/messages", app.other.conversation));
        expect(&app.post(&theirs, &app.stranger, &json!({"content": "elsewhere"})).await, 200);
        delivered(14).await;
        worker.stop().await;

        let events = ["conversation_created", "message_created", "message_created", "conversation_updated", "conversation_status_changed", "conversation_typing_on", "contact_updated"];
        let received = receiver.received();
        assert_eq!(received.len(), 14, "{:#?}", received.iter().map(|r| (&r.path, r.event())).collect::<Vec<_>>());
        let at = |path: &str| received.iter().filter(|r| r.path == path).collect::<Vec<&Received>>();
        let (hooked, inboxed, other) = (at("/hook"), at("/inbox"), at("/other"));
        assert_eq!(other.len(), 1);
        assert_eq!(other[0].json()["content"], "elsewhere");
        let mut names: Vec<String> = hooked.iter().map(|r| r.event()).collect();
        names.sort();
        let mut want: Vec<String> = events.iter().map(|e| e.to_string()).collect();
        want.sort();
        assert_eq!(names, want);
        let mut inbox_names: Vec<String> = inboxed.iter().map(|r| r.event()).collect();
        inbox_names.sort();
        want.retain(|e| e != "contact_updated");
        assert_eq!(inbox_names, want);
        // Each inbox delivery carries the very body the webhook got.
        for r in &inboxed {
            assert!(hooked.iter().any(|h| h.body == r.body), "{}", r.body);
        }
        for r in &hooked {
            assert_signed(r, &secret);
        }
        // Every body matches the published schema of webhook bodies.
        let schema = support::fixture("webhook.schema.json");
        let validator = jsonschema::validator_for(&schema).expect("a valid schema");
        assert!(!validator.is_valid(&json!({"event": "message_created", "id": 1})), "the schema has teeth");
        for r in &received {
            let body = r.json();
            let errors: Vec<String> = validator.iter_errors(&body).map(|e| format!("{e} at {}", e.instance_path)).collect();
            assert!(errors.is_empty(), "{} does not match the schema: {errors:#?}\n{body:#}", r.event());
        }
        let typing = hooked.iter().map(|r| r.json()).find(|b| b["event"] == "conversation_typing_on").unwrap();
        assert_eq!(typing["user"], json!({"id": app.agent.id, "name": "Sam Agent", "email": "agent@acme.test", "type": "user"}));
        assert_eq!(typing["is_private"], true);
        assert_eq!(typing["conversation"]["id"], id);
        for r in &inboxed {
            assert_signed(r, &hmac_token);
        }

        // message_created: Message#webhook_data with the conversation, sender, inbox and account.
        let incoming = hooked.iter().map(|r| r.json()).find(|b| b["event"] == "message_created" && b["message_type"] == "incoming").expect("the contact's message");
        let mut keys: Vec<&String> = incoming.as_object().unwrap().keys().collect();
        keys.sort();
        assert_eq!(keys, ["account", "additional_attributes", "content", "content_attributes", "content_type", "conversation", "created_at", "event", "id", "inbox", "message_type", "private", "sender", "source_id"]);
        assert_eq!(incoming["content"], "Hello?");
        assert_eq!(incoming["content_type"], "text");
        assert_eq!(incoming["private"], false);
        assert!(incoming["created_at"].as_str().is_some_and(|t| t.ends_with('Z')), "{incoming}");
        assert_eq!(incoming["sender"]["type"], "contact");
        assert_eq!(incoming["sender"]["id"], contact["id"]);
        assert_eq!(incoming["sender"]["email"], "ivy@example.com");
        assert_eq!(incoming["sender"]["account"], json!({"id": app.acme.account_id, "name": "Acme"}));
        assert_eq!(incoming["inbox"], json!({"id": app.acme.inbox_id, "name": "Website"}));
        assert_eq!(incoming["account"], json!({"id": app.acme.account_id, "name": "Acme"}));
        let conversation = &incoming["conversation"];
        assert_eq!(conversation["id"], id);
        assert_eq!(conversation["inbox_id"], app.acme.inbox_id);
        assert_eq!(conversation["channel"], "Channel::Api");
        assert_eq!(conversation["contact_inbox"]["source_id"], source.as_str());
        assert_eq!(conversation["meta"]["sender"]["id"], contact["id"]);
        assert_eq!(conversation["messages"].as_array().unwrap().len(), 1, "only the last chat message");
        let outgoing = hooked.iter().map(|r| r.json()).find(|b| b["event"] == "message_created" && b["message_type"] == "outgoing").expect("the agent's reply");
        assert_eq!(outgoing["sender"], json!({"id": app.agent.id, "name": "Sam Agent", "email": "agent@acme.test", "type": "user"}));
        assert_eq!(outgoing["content"], "Hi Ivy");

        // Conversation events: Conversation#webhook_data with the event name.
        let created = hooked.iter().map(|r| r.json()).find(|b| b["event"] == "conversation_created").unwrap();
        assert_eq!(created["id"], id);
        assert_eq!(created["status"], "open");
        assert_eq!(created["meta"]["sender"]["name"], "Ivy");
        let updated = hooked.iter().map(|r| r.json()).find(|b| b["event"] == "conversation_updated").unwrap();
        assert_eq!(updated["meta"]["assignee"]["id"], app.agent.id);
        let resolved = hooked.iter().map(|r| r.json()).find(|b| b["event"] == "conversation_status_changed").unwrap();
        assert_eq!(resolved["status"], "resolved");
        // contact_updated: Contact#webhook_data.
        let contact_updated = hooked.iter().map(|r| r.json()).find(|b| b["event"] == "contact_updated").unwrap();
        assert_eq!(contact_updated["id"], contact["id"]);
        assert_eq!(contact_updated["name"], "Ivy Chen");
        assert_eq!(contact_updated["type"], "contact");

        // The log shows each delivery once, delivered on the first attempt.
        let log = log(&app, hook_id).await;
        assert_eq!(log.as_array().unwrap().len(), events.len());
        for delivery in log.as_array().unwrap() {
            assert_eq!(delivery["state"], "delivered", "{delivery}");
            assert_eq!(delivery["attempts"].as_array().unwrap().len(), 1);
            assert_eq!(delivery["attempts"][0]["response_status"], 200);
            assert_eq!(delivery["attempts"][0]["url"], format!("{base}/hook"));
        }
    })
    .await;
}

#[tokio::test]
async fn a_receiver_answering_500_gets_the_delivery_again_and_the_log_shows_each_attempt() {
    support::on_each_backend(async |app| {
        let receiver = Receiver::failing(2);
        let base = receiver.serve().await;
        let (id, secret) = webhook(&app, &format!("{base}/hook"), &["message_created"]).await;
        reply(&app, "Your parcel left the depot").await;
        assert_eq!(record_logged(&app).await, 1);
        let pending = log(&app, id).await;
        assert_eq!(pending[0]["state"], "pending");
        assert_eq!(pending[0]["attempts"], json!([]));
        assert_eq!(pending[0]["event"], "message_created");

        // The worker's step, driven by hand: no wait between retries.
        let config = Config {
            base_delay: Duration::ZERO,
            egress: loopback_allowed(),
            ..Config::default()
        };
        let client = ::webhooks::client(&config);
        for _ in 0..3 {
            assert_eq!(
                ::webhooks::deliver_due(app.store(), &client, &config)
                    .await
                    .unwrap(),
                1
            );
        }
        assert_eq!(
            ::webhooks::deliver_due(app.store(), &client, &config)
                .await
                .unwrap(),
            0,
            "nothing is due once delivered"
        );

        let log = log(&app, id).await;
        assert_eq!(log.as_array().unwrap().len(), 1);
        let delivery = &log[0];
        assert_eq!(delivery["state"], "delivered");
        assert_eq!(delivery["attempts_count"], 3);
        let statuses: Vec<&Value> = delivery["attempts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| &a["response_status"])
            .collect();
        assert_eq!(statuses, [&json!(500), &json!(500), &json!(200)]);
        assert_eq!(
            delivery["attempts"][0]["error"],
            "HTTP 500 Internal Server Error"
        );
        assert_eq!(delivery["attempts"][2]["error"], Value::Null);
        let numbers: Vec<i64> = delivery["attempts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["attempt"].as_i64().unwrap())
            .collect();
        assert_eq!(numbers, [1, 2, 3]);
        assert!(delivery["finished_at"].is_i64());

        // Three identical signed bodies, one delivery id.
        let received = receiver.received();
        let answered: Vec<u16> = received.iter().map(|r| r.status).collect();
        assert_eq!(answered, [500, 500, 200]);
        assert!(received.iter().all(|r| r.body == received[0].body));
        assert!(received
            .iter()
            .all(|r| r.header("x-switchboard-delivery").parse::<i64>().ok()
                == delivery["id"].as_i64()));
        for r in &received {
            assert_signed(r, &secret);
        }
        assert_eq!(received[0].json()["content"], "Your parcel left the depot");
    })
    .await;
}

#[tokio::test]
async fn a_delivery_is_given_up_after_its_last_attempt() {
    support::on_each_backend(async |app| {
        let receiver = Receiver::failing(usize::MAX);
        let base = receiver.serve().await;
        let (id, _) = webhook(&app, &format!("{base}/hook"), &["message_created"]).await;
        reply(&app, "Anyone there?").await;
        record_logged(&app).await;
        let config = Config {
            base_delay: Duration::ZERO,
            max_attempts: 3,
            egress: loopback_allowed(),
            ..Config::default()
        };
        let client = ::webhooks::client(&config);
        for _ in 0..3 {
            assert_eq!(
                ::webhooks::deliver_due(app.store(), &client, &config)
                    .await
                    .unwrap(),
                1
            );
        }
        assert_eq!(
            ::webhooks::deliver_due(app.store(), &client, &config)
                .await
                .unwrap(),
            0
        );
        let log = log(&app, id).await;
        assert_eq!(log[0]["state"], "failed");
        assert_eq!(log[0]["attempts"].as_array().unwrap().len(), 3);
        assert_eq!(log[0]["next_attempt_at"], Value::Null);
        assert_eq!(receiver.received().len(), 3);
    })
    .await;
}

#[tokio::test]
async fn a_receiver_that_is_down_gets_the_delivery_once_it_is_back_even_across_a_worker_restart() {
    support::on_each_backend(async |app| {
        let addr = free_port().await;
        let (id, secret) =
            webhook(&app, &format!("http://{addr}/hook"), &["message_created"]).await;
        let worker = Worker::spawn(app.store().clone(), &app.state.bus, fast());
        reply(&app, "Are you there?").await;

        // Nothing listens: the attempts fail without an answer and the delivery stays pending.
        let app = &app;
        eventually("a failed attempt", || async move {
            log(app, id).await[0]["attempts_count"]
                .as_i64()
                .unwrap_or(0)
                >= 1
        })
        .await;
        worker.stop().await;
        let stopped = log(app, id).await;
        assert_eq!(stopped[0]["state"], "pending", "{stopped}");
        let failed = stopped[0]["attempts"].as_array().unwrap().clone();
        assert!(!failed.is_empty());
        for attempt in &failed {
            assert_eq!(attempt["response_status"], Value::Null, "{attempt}");
            // Not the socket's "connection refused": the log would map open and closed ports.
            assert_eq!(attempt["error"], "could not connect", "{attempt}");
        }

        // The receiver comes back; a new worker (a restart) delivers what the old one left.
        let receiver = Receiver::default();
        let server = receiver.serve_at(addr).await;
        let worker = Worker::spawn(app.store().clone(), &app.state.bus, fast());
        eventually("the redelivery", || async move {
            log(app, id).await[0]["state"] == "delivered"
        })
        .await;
        worker.stop().await;
        server.abort();

        let delivered = log(app, id).await;
        let attempts = delivered[0]["attempts"].as_array().unwrap();
        assert_eq!(
            attempts.len(),
            failed.len() + 1,
            "the failed attempts, then the successful one"
        );
        assert_eq!(attempts.last().unwrap()["response_status"], 200);
        let received = receiver.received();
        assert_eq!(received.len(), 1);
        assert_signed(&received[0], &secret);
        assert_eq!(received[0].json()["content"], "Are you there?");
    })
    .await;
}

#[tokio::test]
async fn recorded_deliveries_survive_closing_and_reopening_the_database() {
    let (_dir, url) = support::scratch_sqlite();
    let store = Store::connect(&url).await.expect("sqlite store");
    store.migrate().await.expect("migrated");
    let app = TestApp::with_store(store).await;
    let receiver = Receiver::default();
    let base = receiver.serve().await;
    let (id, secret) = webhook(&app, &format!("{base}/hook"), &["message_created"]).await;

    // The event is published and its row written; no worker runs.
    reply(&app, "Written before the restart").await;
    assert_eq!(record_logged(&app).await, 1);
    assert_eq!(log(&app, id).await[0]["state"], "pending");
    let account = AccountId(app.acme.account_id);
    app.store().close().await;
    drop(app);

    // A new process: a new connection to the same file, a fresh bus, a fresh worker.
    let reopened = Store::connect(&url).await.expect("the same database");
    reopened.migrate().await.expect("already migrated");
    let worker = Worker::spawn(reopened.clone(), &realtime::EventBus::new(), fast());
    eventually("the delivery after the restart", || {
        let receiver = receiver.clone();
        async move { !receiver.received().is_empty() }
    })
    .await;
    worker.stop().await;
    let received = receiver.received();
    assert_eq!(received.len(), 1);
    assert_signed(&received[0], &secret);
    assert_eq!(received[0].json()["content"], "Written before the restart");
    let log = reopened
        .webhooks()
        .deliveries(account, WebhookId(id), 1)
        .await
        .expect("the log");
    assert_eq!(log[0].state, domain::webhook::DeliveryState::Delivered);
    assert_eq!(log[0].attempts.len(), 1);
    reopened.close().await;
}

#[tokio::test]
async fn one_worker_at_a_time_records_on_a_shared_postgres_database() {
    let Ok(url) = std::env::var("TEST_DATABASE_URL") else {
        eprintln!("postgres: skipped, TEST_DATABASE_URL is not set");
        return;
    };
    // Every instance hears every event on PostgreSQL; the lease makes one of them record it.
    let store = Store::postgres_fresh_schema(&url)
        .await
        .expect("postgres store");
    let mut first = store.webhooks().recorder_lease();
    let mut second = store.webhooks().recorder_lease();
    assert!(first.ensure().await.expect("the lease answers"));
    assert!(
        first.ensure().await.expect("still held"),
        "holding it again keeps it"
    );
    assert!(!second.ensure().await.expect("the lease answers"));
    // Another schema (another test, another deployment) has its own lease.
    let elsewhere = Store::postgres_fresh_schema(&url)
        .await
        .expect("postgres store");
    let mut third = elsewhere.webhooks().recorder_lease();
    assert!(third.ensure().await.expect("the lease answers"));
    // Given up, it passes to the next worker at once.
    first.release().await;
    assert!(second.ensure().await.expect("the lease answers"));
    second.release().await;
    third.release().await;
    // SQLite serves one instance, which always records.
    let sqlite = Store::sqlite_in_temp_dir().await.expect("sqlite store");
    let mut sole = sqlite.webhooks().recorder_lease();
    assert!(sole.ensure().await.unwrap());
}

#[tokio::test]
async fn webhooks_to_loopback_private_and_link_local_addresses_are_refused_and_logged_as_blocked() {
    support::on_each_backend(async |app| {
        let receiver = Receiver::failing(0);
        let base = receiver.serve().await;
        let port = base.rsplit(':').next().expect("a port").to_owned();
        // Every spelling of the receiver's own loopback address, which would reach it if the
        // check missed one; then kinds that are refused before any socket is opened.
        let mut targets: Vec<String> = [
            "127.0.0.1",
            "127.1",
            "2130706433",
            "0x7f.1",
            "[::1]",
            "[::ffff:127.0.0.1]",
            "localhost",
        ]
        .iter()
        .map(|host| format!("http://{host}:{port}/hook"))
        .collect();
        targets.extend(
            [
                "http://10.0.0.1/hook",
                "http://192.168.0.10/hook",
                "http://169.254.169.254/latest/meta-data",
                "http://100.64.0.1/hook",
                "http://[fd00::1]/hook",
                "http://[fe80::1]/hook",
                "http://224.0.0.1/hook",
                "http://0.0.0.0/hook",
            ]
            .map(str::to_owned),
        );
        let mut ids = Vec::new();
        for target in &targets {
            ids.push(webhook(&app, target, &["message_created"]).await.0);
        }
        reply(&app, "Is this reaching the metadata service?").await;
        assert_eq!(record_logged(&app).await, targets.len());

        // The operator has not allowed private targets: production's default.
        let config = Config {
            base_delay: Duration::ZERO,
            ..Config::default()
        };
        assert!(!config.egress.allow_private);
        let client = ::webhooks::client(&config);
        let attempted = ::webhooks::deliver_due(app.store(), &client, &config)
            .await
            .unwrap();
        assert_eq!(attempted, targets.len());
        for (id, target) in ids.iter().zip(&targets) {
            let log = log(&app, *id).await;
            let delivery = &log[0];
            // Given up at once: a refusal does not change by retrying.
            assert_eq!(delivery["state"], "failed", "{target}: {delivery}");
            let attempts = delivery["attempts"].as_array().unwrap();
            assert_eq!(attempts.len(), 1, "{target}");
            assert_eq!(attempts[0]["error"], "blocked: private address", "{target}");
            assert_eq!(attempts[0]["response_status"], Value::Null, "{target}");
        }
        assert!(
            receiver.received().is_empty(),
            "a refused delivery reached the loopback receiver"
        );
    })
    .await;
}

#[tokio::test]
async fn a_closed_port_is_logged_as_could_not_connect_not_as_the_socket_error() {
    support::on_each_backend(async |app| {
        let addr = free_port().await;
        let (id, _) = webhook(&app, &format!("http://{addr}/hook"), &["message_created"]).await;
        reply(&app, "Knock knock").await;
        record_logged(&app).await;
        let config = Config {
            max_attempts: 1,
            egress: loopback_allowed(),
            ..Config::default()
        };
        let client = ::webhooks::client(&config);
        ::webhooks::deliver_due(app.store(), &client, &config)
            .await
            .unwrap();
        let attempt = &log(&app, id).await[0]["attempts"][0];
        assert_eq!(attempt["error"], "could not connect", "{attempt}");
        assert!(!attempt.to_string().to_lowercase().contains("refused"));
    })
    .await;
}

/// The Client API's `toggle_typing`: the webhook's `user` is the contact's `webhook_data`, as
/// Chatwoot's `WebhookListener` renders the event's typist.
#[tokio::test]
async fn a_contact_typing_reaches_webhooks_with_the_contact_as_user() {
    support::on_each_backend(async |app| {
        let receiver = Receiver::default();
        let base = receiver.serve().await;
        webhook(
            &app,
            &format!("{base}/hook"),
            &["conversation_typing_on", "conversation_typing_off"],
        )
        .await;
        let identifier = acme_inbox(&app).await["inbox_identifier"]
            .as_str()
            .unwrap()
            .to_owned();
        let contacts = format!("/public/api/v1/inboxes/{identifier}/contacts");
        let contact = expect(
            &anonymous(
                &app,
                Method::POST,
                &contacts,
                Some(json!({"name": "Ivy", "email": "ivy@example.com"})),
            )
            .await,
            200,
        );
        let me = format!("{contacts}/{}", contact["source_id"].as_str().unwrap());
        let id = expect(
            &anonymous(&app, Method::POST, &format!("{me}/conversations"), None).await,
            200,
        )["id"]
            .as_i64()
            .unwrap();
        let typing = format!("{me}/conversations/{id}/toggle_typing");
        let mut events = app.state.bus.subscribe();
        expect(
            &anonymous(
                &app,
                Method::POST,
                &typing,
                Some(json!({"typing_status": "on"})),
            )
            .await,
            200,
        );
        expect(
            &anonymous(
                &app,
                Method::POST,
                &typing,
                Some(json!({"typing_status": "off"})),
            )
            .await,
            200,
        );
        assert_eq!(record_unlogged(&app, &mut events).await, 2);
        let worker = Worker::spawn(app.store().clone(), &app.state.bus, fast());
        eventually("2 deliveries", || {
            let receiver = receiver.clone();
            async move { receiver.received().len() >= 2 }
        })
        .await;
        worker.stop().await;
        let validator = jsonschema::validator_for(&support::fixture("webhook.schema.json"))
            .expect("a valid schema");
        let mut names = Vec::new();
        for r in receiver.received() {
            let body = r.json();
            let errors: Vec<String> = validator
                .iter_errors(&body)
                .map(|e| format!("{e} at {}", e.instance_path))
                .collect();
            assert!(errors.is_empty(), "{errors:#?}\n{body:#}");
            assert_eq!(body["user"]["type"], "contact", "{body}");
            assert_eq!(body["user"]["id"], contact["id"]);
            assert_eq!(body["user"]["email"], "ivy@example.com");
            assert_eq!(body["user"]["account"]["id"], app.acme.account_id);
            assert_eq!(body["is_private"], false);
            assert_eq!(body["conversation"]["id"], id);
            names.push(r.event());
        }
        names.sort();
        assert_eq!(names, ["conversation_typing_off", "conversation_typing_on"]);
    })
    .await;
}

#[tokio::test]
async fn a_webhook_body_shows_the_contact_online_while_its_visitor_is_connected() {
    support::on_each_backend(async |app| {
        let receiver = Receiver::failing(0);
        let base = receiver.serve().await;
        webhook(&app, &format!("{base}/hook"), &["message_created"]).await;
        let config = Config {
            egress: loopback_allowed(),
            ..Config::default()
        };
        let client = ::webhooks::client(&config);
        let contact = domain::ContactId(app.acme.contact_id);
        let account = AccountId(app.acme.account_id);
        // A widget (any `/cable` subscription with the contact's token) holds this seat.
        let seat = app
            .state
            .hub
            .presence()
            .sit(account, realtime::Who::Contact(contact));
        reply(&app, "While you are here").await;
        assert_eq!(record_logged(&app).await, 1);
        drop(seat);
        reply(&app, "After you left").await;
        assert_eq!(record_logged(&app).await, 1);
        while ::webhooks::deliver_due(app.store(), &client, &config)
            .await
            .expect("delivered")
            > 0
        {}
        // Delivered concurrently: in any order.
        let mut statuses: Vec<(Value, Value)> = receiver
            .received()
            .iter()
            .map(|r| {
                let body = r.json();
                (
                    body["content"].clone(),
                    body["conversation"]["meta"]["sender"]["availability_status"].clone(),
                )
            })
            .collect();
        statuses.sort_by_key(|(content, _)| content.to_string());
        assert_eq!(
            statuses,
            [
                (json!("After you left"), json!("offline")),
                (json!("While you are here"), json!("online"))
            ]
        );
    })
    .await;
}
