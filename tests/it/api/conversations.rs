//! `/api/v1/accounts/{id}/conversations` and its member routes: the list with its filters and
//! counts, create, show, toggle_status, assignments, labels, custom attributes, read, app_context.

use super::{
    assert_invalid, assert_members_only, assert_not_found, assert_schema, keys, long, ok, send,
};
use crate::support::{self, Person, TestApp};
use axum::http::Method;
use serde_json::{json, Value};

/// Opens a conversation through the API (in Acme's inbox with Acme's contact unless `extra`
/// says otherwise) and returns its JSON.
async fn open(app: &TestApp, who: &Person, extra: Value) -> Value {
    let mut body = json!({"inbox_id": app.acme.inbox_id, "contact_id": app.acme.contact_id});
    for (key, value) in extra.as_object().expect("extra is an object") {
        body[key] = value.clone();
    }
    let created = ok(&app.post(&app.api("conversations"), who, &body).await);
    assert_schema(&created, Some("conversation"));
    created
}

fn id(conversation: &Value) -> i64 {
    conversation["id"].as_i64().expect("an id")
}

/// The list's meta and its display ids, each conversation checked against the schema.
async fn list(app: &TestApp, who: &Person, query: &str) -> (Value, Vec<i64>) {
    let res = app
        .get(&app.api(&format!("conversations{query}")), who)
        .await;
    let body = ok(&res);
    assert_eq!(keys(&body), ["data"], "{query}");
    assert_eq!(keys(&body["data"]), ["meta", "payload"], "{query}");
    let payload = body["data"]["payload"]
        .as_array()
        .expect("payload is an array");
    for conversation in payload {
        assert_schema(conversation, Some("conversation"));
        assert_eq!(conversation["account_id"], app.acme.account_id);
    }
    (
        body["data"]["meta"].clone(),
        payload.iter().map(id).collect(),
    )
}

fn meta(mine: i64, assigned: i64, unassigned: i64, all: i64) -> Value {
    json!({"mine_count": mine, "assigned_count": assigned, "unassigned_count": unassigned, "all_count": all})
}

fn sorted(mut ids: Vec<i64>) -> Vec<i64> {
    ids.sort_unstable();
    ids
}

#[tokio::test]
async fn the_list_has_meta_counts_and_this_accounts_conversations() {
    support::on_each_backend(async |app| {
        for who in [&app.admin, &app.agent] {
            let (counts, ids) = list(&app, who, "").await;
            assert_eq!(counts, meta(0, 0, 1, 1));
            assert_eq!(ids, [app.acme.conversation]);
        }
        let body = ok(&app.get(&app.api("conversations"), &app.admin).await);
        let conversation = &body["data"]["payload"][0];
        assert_eq!(conversation["id"], 1, "the display id");
        assert_eq!(conversation["status"], "open");
        assert_eq!(conversation["inbox_id"], app.acme.inbox_id);
        assert_eq!(conversation["meta"]["sender"]["id"], app.acme.contact_id);
        assert_eq!(conversation["meta"]["channel"], "Channel::Api");
        assert!(
            conversation["meta"].get("assignee").is_none(),
            "{conversation}"
        );
        // The list carries the last message.
        let messages = conversation["messages"].as_array().unwrap();
        assert_eq!(messages.len(), 1);
        assert_eq!(
            messages[0]["content"],
            "Hi, my order #5521 has not arrived yet."
        );
        assert_eq!(messages[0]["conversation_id"], 1);
        assert_eq!(
            conversation["last_non_activity_message"]["id"],
            messages[0]["id"]
        );
    })
    .await;
}

#[tokio::test]
async fn filters_and_counts_follow_status_assignee_inbox_and_labels() {
    support::on_each_backend(async |app| {
        let second_inbox = ok(&app
            .post(
                &app.api("inboxes"),
                &app.admin,
                &json!({"name": "Second", "enable_auto_assignment": false}),
            )
            .await);
        let second_inbox = second_inbox["id"].as_i64().unwrap();
        // The agent works both inboxes, so sees what the administrator sees.
        super::join(&app, second_inbox, &app.agent).await;
        let c1 = app.acme.conversation;
        let c2 = id(&open(
            &app,
            &app.admin,
            json!({"assignee_id": app.agent.id, "message": {"content": "two"}}),
        )
        .await);
        let c3 = id(&open(
            &app,
            &app.admin,
            json!({"status": "pending", "assignee_id": app.admin.id}),
        )
        .await);
        let c4 = id(&open(&app, &app.agent, json!({"status": "resolved"})).await);
        let c5 = id(&open(&app, &app.agent, json!({"status": "snoozed"})).await);
        let c6 = id(&open(&app, &app.admin, json!({"inbox_id": second_inbox})).await);
        let c7 = id(&open(&app, &app.admin, json!({"assignee_id": app.admin.id})).await);
        assert_eq!([c1, c2, c3, c4, c5, c6, c7], [1, 2, 3, 4, 5, 6, 7]);
        for (display, labels) in [(c6, json!(["billing"])), (c7, json!(["billing", "vip"]))] {
            let uri = app.api(&format!("conversations/{display}/labels"));
            ok(&app.post(&uri, &app.admin, &json!({"labels": labels})).await);
        }

        // Status (open by default); the counts are for the status, whoever asks.
        let (counts, ids) = list(&app, &app.admin, "").await;
        assert_eq!(
            (counts, sorted(ids.clone())),
            (meta(1, 2, 2, 4), vec![c1, c2, c6, c7])
        );
        assert_eq!(ids, [c7, c6, c2, c1], "newest activity first");
        assert_eq!(list(&app, &app.admin, "?status=open").await.1, ids);
        assert_eq!(
            list(&app, &app.agent, "").await.0,
            meta(1, 2, 2, 4),
            "mine is the caller's"
        );
        assert_eq!(
            list(&app, &app.admin, "?status=pending").await,
            (meta(1, 1, 0, 1), vec![c3])
        );
        assert_eq!(
            list(&app, &app.admin, "?status=resolved").await,
            (meta(0, 0, 1, 1), vec![c4])
        );
        assert_eq!(
            list(&app, &app.admin, "?status=snoozed").await,
            (meta(0, 0, 1, 1), vec![c5])
        );
        let (counts, ids) = list(&app, &app.admin, "?status=all").await;
        assert_eq!(
            (counts, sorted(ids)),
            (meta(2, 3, 4, 7), vec![c1, c2, c3, c4, c5, c6, c7])
        );

        // Assignee type narrows the payload, not the counts.
        let (counts, ids) = list(&app, &app.admin, "?assignee_type=me").await;
        assert_eq!((counts, ids), (meta(1, 2, 2, 4), vec![c7]));
        assert_eq!(list(&app, &app.agent, "?assignee_type=me").await.1, [c2]);
        assert_eq!(
            sorted(list(&app, &app.admin, "?assignee_type=unassigned").await.1),
            [c1, c6]
        );
        assert_eq!(
            sorted(list(&app, &app.admin, "?assignee_type=assigned").await.1),
            [c2, c7]
        );
        assert_eq!(
            sorted(list(&app, &app.admin, "?assignee_type=all").await.1),
            [c1, c2, c6, c7]
        );
        assert_eq!(
            sorted(
                list(&app, &app.admin, "?status=all&assignee_type=me")
                    .await
                    .1
            ),
            [c3, c7]
        );
        assert_eq!(
            sorted(
                list(&app, &app.admin, "?status=all&assignee_type=unassigned")
                    .await
                    .1
            ),
            [c1, c4, c5, c6]
        );

        // Inbox.
        let (counts, ids) = list(&app, &app.admin, &format!("?inbox_id={second_inbox}")).await;
        assert_eq!((counts, ids), (meta(0, 0, 1, 1), vec![c6]));
        let (counts, ids) = list(
            &app,
            &app.admin,
            &format!("?inbox_id={}", app.acme.inbox_id),
        )
        .await;
        assert_eq!((counts, sorted(ids)), (meta(1, 2, 1, 3), vec![c1, c2, c7]));
        assert_eq!(
            list(&app, &app.admin, "?inbox_id=").await.1.len(),
            4,
            "an empty inbox_id is no filter"
        );

        // Labels: any of the given ones, without regard to case.
        let (counts, ids) = list(&app, &app.admin, "?labels[]=billing").await;
        assert_eq!((counts, sorted(ids)), (meta(1, 1, 1, 2), vec![c6, c7]));
        assert_eq!(list(&app, &app.admin, "?labels%5B%5D=vip").await.1, [c7]);
        assert_eq!(list(&app, &app.admin, "?labels=VIP").await.1, [c7]);
        assert_eq!(
            sorted(
                list(&app, &app.admin, "?labels[]=vip&labels[]=billing")
                    .await
                    .1
            ),
            [c6, c7]
        );
        assert_eq!(
            list(&app, &app.admin, "?labels[]=nope").await,
            (meta(0, 0, 0, 0), vec![])
        );
        let combined =
            format!("?labels[]=billing&inbox_id={second_inbox}&assignee_type=unassigned");
        assert_eq!(list(&app, &app.admin, &combined).await.1, [c6]);

        // Another account's inbox, or no inbox at all, finds nothing here.
        for inbox in [app.other.inbox_id, 999_999] {
            let (counts, ids) =
                list(&app, &app.admin, &format!("?inbox_id={inbox}&status=all")).await;
            assert_eq!((counts, ids), (meta(0, 0, 0, 0), vec![]));
        }
    })
    .await;
}

#[tokio::test]
async fn the_list_pages_by_25_with_the_same_counts_on_every_page() {
    support::on_each_backend(async |app| {
        for _ in 0..25 {
            open(&app, &app.agent, json!({})).await;
        }
        let (counts, first) = list(&app, &app.admin, "").await;
        assert_eq!(counts, meta(0, 0, 26, 26));
        assert_eq!(first.len(), 25);
        assert_eq!(first[0], 26);
        let (counts, second) = list(&app, &app.admin, "?page=2").await;
        assert_eq!(counts, meta(0, 0, 26, 26));
        assert_eq!(second, [1]);
        let (counts, third) = list(&app, &app.admin, "?page=3").await;
        assert_eq!((counts, third), (meta(0, 0, 26, 26), vec![]));
        assert_eq!(list(&app, &app.admin, "?page=1").await.1, first);
    })
    .await;
}

/// The counts are cached per account (issue 6); every change that moves a conversation between
/// the counts must show in the very next list, asked by the writer or by anyone else.
#[tokio::test]
async fn cached_counts_follow_every_create_status_change_assignment_and_reopening() {
    support::on_each_backend(async |app| {
        let messages = app.api(&format!("conversations/{}/messages", app.acme.conversation));
        let assign = app.api(&format!(
            "conversations/{}/assignments",
            app.acme.conversation
        ));
        // Both agents have listed (and cached) the counts before each change.
        let both = async |expected_for_admin: Value, expected_for_agent: Value| {
            assert_eq!(list(&app, &app.admin, "").await.0, expected_for_admin);
            assert_eq!(list(&app, &app.agent, "").await.0, expected_for_agent);
        };
        both(meta(0, 0, 1, 1), meta(0, 0, 1, 1)).await;

        let second = id(&open(&app, &app.agent, json!({})).await);
        both(meta(0, 0, 2, 2), meta(0, 0, 2, 2)).await;

        ok(&app
            .post(&assign, &app.admin, &json!({"assignee_id": app.agent.id}))
            .await);
        both(meta(0, 1, 1, 2), meta(1, 1, 1, 2)).await;

        toggle(&app, &app.admin, json!({"status": "resolved"})).await;
        both(meta(0, 0, 1, 1), meta(0, 0, 1, 1)).await;
        assert_eq!(
            list(&app, &app.admin, "?status=resolved").await.0,
            meta(0, 1, 0, 1)
        );

        // An incoming message reopens the resolved conversation (as Chatwoot does).
        let incoming = json!({"content": "still waiting", "message_type": "incoming"});
        ok(&app.post(&messages, &app.admin, &incoming).await);
        both(meta(0, 1, 1, 2), meta(1, 1, 1, 2)).await;
        assert_eq!(
            list(&app, &app.admin, "?status=resolved").await.0,
            meta(0, 0, 0, 0)
        );

        ok(&app
            .post(&assign, &app.admin, &json!({"assignee_id": null}))
            .await);
        both(meta(0, 0, 2, 2), meta(0, 0, 2, 2)).await;

        // Labels change the counts of a label filter.
        let labels = app.api(&format!("conversations/{second}/labels"));
        assert_eq!(
            list(&app, &app.admin, "?labels[]=billing").await.0,
            meta(0, 0, 0, 0)
        );
        ok(&app
            .post(&labels, &app.admin, &json!({"labels": ["billing"]}))
            .await);
        assert_eq!(
            list(&app, &app.admin, "?labels[]=billing").await.0,
            meta(0, 0, 1, 1)
        );
    })
    .await;
}

#[tokio::test]
async fn counts_false_leaves_out_the_meta_and_pages_alike() {
    support::on_each_backend(async |app| {
        for _ in 0..25 {
            open(&app, &app.agent, json!({})).await;
        }
        for page in ["", "&page=2", "&page=3"] {
            let with = ok(&app
                .get(
                    &app.api(&format!("conversations?status=open{page}")),
                    &app.admin,
                )
                .await);
            let without = ok(&app
                .get(
                    &app.api(&format!("conversations?counts=false{page}")),
                    &app.admin,
                )
                .await);
            assert_eq!(keys(&without["data"]), ["payload"], "{page}");
            assert_eq!(
                without["data"]["payload"], with["data"]["payload"],
                "{page}"
            );
        }
        let counted = ok(&app
            .get(&app.api("conversations?counts=true"), &app.admin)
            .await);
        assert_eq!(counted["data"]["meta"], meta(0, 0, 26, 26));
        let res = app
            .get(&app.api("conversations?counts=maybe"), &app.admin)
            .await;
        assert_invalid(&res, "counts");
    })
    .await;
}

/// Another instance's writes reach this instance's cached counts through PostgreSQL LISTEN:
/// once the event is heard here, the list here counts it.
#[tokio::test]
async fn cached_counts_follow_writes_made_on_another_instance() {
    let Ok(url) = std::env::var("TEST_DATABASE_URL") else {
        if std::env::var_os("REQUIRE_POSTGRES").is_some() {
            panic!("REQUIRE_POSTGRES is set but TEST_DATABASE_URL is not");
        }
        eprintln!("postgres: skipped, TEST_DATABASE_URL is not set");
        return;
    };
    let store = store::Store::postgres_fresh_schema(&url)
        .await
        .expect("postgres");
    let app = TestApp::with_store(store).await;
    let a = web::AppState::connected(app.store().clone())
        .await
        .expect("instance A");
    let b = web::AppState::connected(app.store().another_instance())
        .await
        .expect("instance B");
    let (router_a, router_b) = (web::app(a), web::app(b.clone()));
    let counts_on_b = async || {
        let body = call(
            &router_b,
            Method::GET,
            &app.api("conversations"),
            &app.admin,
            None,
        )
        .await;
        body["data"]["meta"].clone()
    };
    assert_eq!(counts_on_b().await, meta(0, 0, 1, 1));

    let mut heard_on_b = b.bus.subscribe();
    let assign = app.api(&format!(
        "conversations/{}/assignments",
        app.acme.conversation
    ));
    let body = json!({"assignee_id": app.admin.id});
    call(&router_a, Method::POST, &assign, &app.admin, Some(&body)).await;
    heard(&mut heard_on_b, "assignee.changed").await;
    assert_eq!(counts_on_b().await, meta(1, 1, 0, 1));

    let create = json!({"inbox_id": app.acme.inbox_id, "contact_id": app.acme.contact_id});
    call(
        &router_a,
        Method::POST,
        &app.api("conversations"),
        &app.admin,
        Some(&create),
    )
    .await;
    heard(&mut heard_on_b, "conversation.created").await;
    assert_eq!(counts_on_b().await, meta(1, 1, 1, 2));

    let toggle = app.api(&format!(
        "conversations/{}/toggle_status",
        app.acme.conversation
    ));
    call(
        &router_a,
        Method::POST,
        &toggle,
        &app.admin,
        Some(&json!({})),
    )
    .await;
    heard(&mut heard_on_b, "conversation.status_changed").await;
    assert_eq!(counts_on_b().await, meta(0, 0, 1, 1));
}

/// Waits (10 s at most) for an event named `name` on a bus subscription.
async fn heard(
    subscription: &mut tokio::sync::broadcast::Receiver<realtime::BusMessage>,
    name: &str,
) {
    let wait = async {
        loop {
            match subscription.recv().await {
                Ok(realtime::BusMessage::Event(p)) if p.event.name() == name => return,
                Ok(_) => {}
                Err(error) => panic!("the bus closed: {error}"),
            }
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(10), wait)
        .await
        .unwrap_or_else(|_| panic!("{name} was not heard within 10 s"));
}

/// One request to `router` (an instance other than the fixture's own), answered 2xx, as JSON.
async fn call(
    router: &axum::Router,
    method: Method,
    uri: &str,
    who: &Person,
    body: Option<&Value>,
) -> Value {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let request = axum::http::Request::builder()
        .method(method)
        .uri(uri)
        .header("api_access_token", &who.token)
        .header("content-type", "application/json")
        .body(axum::body::Body::from(
            body.map(Value::to_string).unwrap_or_default(),
        ))
        .expect("a valid request");
    let response = router.clone().oneshot(request).await.expect("an answer");
    let status = response.status();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("a body")
        .to_bytes();
    assert!(status.is_success(), "{uri}: {status} {bytes:?}");
    serde_json::from_slice(&bytes).expect("JSON")
}

#[tokio::test]
async fn invalid_list_filters_are_422s_naming_the_filter() {
    support::on_each_backend(async |app| {
        let cases = [
            ("status=closed", "status"),
            ("status=OPEN", "status"),
            ("status=5", "status"),
            ("assignee_type=them", "assignee_type"),
            ("assignee_type=ME", "assignee_type"),
            ("page=0", "page"),
            ("page=-1", "page"),
            ("page=x", "page"),
            ("page=1.5", "page"),
            ("page=1000001", "page"),
            ("page=99999999999999999999", "page"),
            ("inbox_id=x", "inbox_id"),
            ("inbox_id=1.5", "inbox_id"),
            ("inbox_id=99999999999999999999", "inbox_id"),
            ("labels[]=", "labels"),
            ("labels[]=%20", "labels"),
        ];
        for (query, field) in cases {
            let res = app
                .get(&app.api(&format!("conversations?{query}")), &app.admin)
                .await;
            assert_invalid(&res, field);
        }
        let res = app
            .get(
                &app.api(&format!("conversations?labels[]={}", long(101))),
                &app.admin,
            )
            .await;
        assert_invalid(&res, "labels");
        // Unknown parameters are ignored.
        ok(&app
            .get(&app.api("conversations?sort=whatever&q=x"), &app.admin)
            .await);
    })
    .await;
}

#[tokio::test]
async fn creating_a_conversation_returns_it_with_the_next_display_id() {
    support::on_each_backend(async |app| {
        let created = open(
            &app,
            &app.admin,
            json!({
                "message": {"content": "  Hello from the API  "},
                "status": "pending",
                "assignee_id": app.agent.id,
                "custom_attributes": {"order_id": 5521},
                "additional_attributes": {"source": "api"}
            }),
        )
        .await;
        assert_eq!(created["id"], 2);
        assert_eq!(created["account_id"], app.acme.account_id);
        assert_eq!(created["status"], "pending");
        assert_eq!(created["inbox_id"], app.acme.inbox_id);
        assert_eq!(created["meta"]["sender"]["id"], app.acme.contact_id);
        assert_eq!(created["meta"]["assignee"]["id"], app.agent.id);
        assert_eq!(created["custom_attributes"], json!({"order_id": 5521}));
        assert_eq!(created["additional_attributes"], json!({"source": "api"}));
        let messages = created["messages"].as_array().unwrap();
        assert_eq!(messages.len(), 1);
        assert_eq!(messages[0]["content"], "Hello from the API");
        assert_eq!(messages[0]["message_type"], 0, "the first message is incoming by default");
        assert_eq!(messages[0]["conversation_id"], 2);
        // An agent opens one too; without a message its thread is empty.
        let bare = open(&app, &app.agent, json!({})).await;
        assert_eq!(bare["id"], 3);
        assert_eq!(bare["status"], "open");
        assert_eq!(bare["messages"], json!([]));
        assert!(bare["meta"].get("assignee").is_none());
        // An outgoing first message, and a private one.
        let outgoing = open(&app, &app.agent, json!({"message": {"content": "We noticed", "message_type": "outgoing", "private": true}})).await;
        assert_eq!(outgoing["messages"][0]["message_type"], 1);
        assert_eq!(outgoing["messages"][0]["private"], true);
        assert_eq!(outgoing["messages"][0]["sender"]["id"], app.agent.id);
        // What was created is what show returns.
        let shown = ok(&app.get(&app.api("conversations/2"), &app.agent).await);
        assert_eq!(shown["status"], "pending");
        assert_eq!(shown["messages"], created["messages"]);
        assert_eq!(shown["meta"], created["meta"]);
        // A source id names the contact inbox; another contact cannot reuse it in the inbox.
        open(&app, &app.admin, json!({"source_id": "ext-1"})).await;
        open(&app, &app.admin, json!({"source_id": "ext-1"})).await;
        let other = ok(&app.post(&app.api("contacts"), &app.admin, &json!({"name": "Other"})).await);
        let res = app
            .post(
                &app.api("conversations"),
                &app.admin,
                &json!({"inbox_id": app.acme.inbox_id, "contact_id": other["payload"]["contact"]["id"], "source_id": "ext-1"}),
            )
            .await;
        assert_invalid(&res, "source_id");
    })
    .await;
}

#[tokio::test]
async fn invalid_conversation_input_is_a_422_naming_the_field() {
    support::on_each_backend(async |app| {
        let inbox = app.acme.inbox_id;
        let contact = app.acme.contact_id;
        let with = |extra: Value| {
            let mut body = json!({"inbox_id": inbox, "contact_id": contact});
            for (key, value) in extra.as_object().unwrap() {
                body[key] = value.clone();
            }
            body
        };
        let cases = [
            (json!({"contact_id": contact}), "inbox_id"),
            (json!({"inbox_id": null, "contact_id": contact}), "inbox_id"),
            (with(json!({"inbox_id": app.other.inbox_id})), "inbox_id"),
            (with(json!({"inbox_id": 999_999})), "inbox_id"),
            (with(json!({"inbox_id": -1})), "inbox_id"),
            (with(json!({"inbox_id": "1st"})), "inbox_id"),
            (with(json!({"inbox_id": 1e30})), "inbox_id"),
            (json!({"inbox_id": inbox}), "contact_id"),
            (
                with(json!({"contact_id": app.other.contact_id})),
                "contact_id",
            ),
            (with(json!({"contact_id": 999_999})), "contact_id"),
            (with(json!({"contact_id": [1]})), "contact_id"),
            (with(json!({"status": "closed"})), "status"),
            (with(json!({"status": "all"})), "status"),
            (with(json!({"status": 5})), "status"),
            (with(json!({"assignee_id": app.stranger.id})), "assignee_id"),
            (with(json!({"assignee_id": 999_999})), "assignee_id"),
            (with(json!({"assignee_id": "x"})), "assignee_id"),
            (with(json!({"source_id": long(256)})), "source_id"),
            (with(json!({"source_id": 5})), "source_id"),
            (with(json!({"custom_attributes": [1]})), "custom_attributes"),
            (
                with(json!({"additional_attributes": "x"})),
                "additional_attributes",
            ),
            (with(json!({"message": "hi"})), "message"),
            (with(json!({"message": {}})), "message.content"),
            (
                with(json!({"message": {"content": "   "}})),
                "message.content",
            ),
            (with(json!({"message": {"content": 5}})), "message"),
            (
                with(json!({"message": {"content": "hi", "message_type": "sideways"}})),
                "message.message_type",
            ),
            (
                with(json!({"message": {"content": "hi", "message_type": "activity"}})),
                "message.message_type",
            ),
            (
                with(json!({"message": {"content": "hi", "content_attributes": [1]}})),
                "message.content_attributes",
            ),
        ];
        for (body, field) in &cases {
            assert_invalid(
                &app.post(&app.api("conversations"), &app.admin, body).await,
                field,
            );
        }
        // Nothing was created, and the next conversation still gets display id 2.
        assert_eq!(
            list(&app, &app.admin, "?status=all").await.0,
            meta(0, 0, 1, 1)
        );
        assert_eq!(open(&app, &app.admin, json!({})).await["id"], 2);
    })
    .await;
}

#[tokio::test]
async fn display_ids_count_per_account() {
    support::on_each_backend(async |app| {
        assert_eq!(app.acme.conversation, 1);
        assert_eq!(
            app.other.conversation, 1,
            "the second account's first conversation is 1 too"
        );
        let theirs = ok(&app
            .get(&app.other_api("conversations/1"), &app.stranger)
            .await);
        assert_eq!(theirs["id"], 1);
        assert_eq!(theirs["account_id"], app.other.account_id);
        assert_eq!(theirs["meta"]["sender"]["id"], app.other.contact_id);
        let ours = ok(&app.get(&app.api("conversations/1"), &app.admin).await);
        assert_eq!(ours["account_id"], app.acme.account_id);
        assert_eq!(ours["meta"]["sender"]["id"], app.acme.contact_id);
        assert_ne!(ours["uuid"], theirs["uuid"]);
        // Each account counts on its own.
        let body = json!({"inbox_id": app.other.inbox_id, "contact_id": app.other.contact_id});
        let second_theirs = ok(&app
            .post(&app.other_api("conversations"), &app.stranger, &body)
            .await);
        assert_eq!(second_theirs["id"], 2);
        assert_not_found(&app.get(&app.api("conversations/2"), &app.admin).await);
        let second_ours = open(&app, &app.admin, json!({})).await;
        assert_eq!(second_ours["id"], 2);
        assert_eq!(
            ok(&app.get(&app.api("conversations/2"), &app.admin).await)["uuid"],
            second_ours["uuid"]
        );
    })
    .await;
}

#[tokio::test]
async fn show_returns_the_conversation_by_display_id_with_its_thread() {
    support::on_each_backend(async |app| {
        let uri = app.api(&format!("conversations/{}", app.acme.conversation));
        for who in [&app.admin, &app.agent] {
            let shown = ok(&app.get(&uri, who).await);
            assert_schema(&shown, Some("conversation"));
            assert_eq!(shown["id"], app.acme.conversation);
            assert_eq!(shown["allMessagesLoaded"], true);
            assert_eq!(shown["dataFetched"], true);
            assert_eq!(
                shown["messages"][0]["content"],
                "Hi, my order #5521 has not arrived yet."
            );
            assert_eq!(shown["messages"][0]["sender"]["type"], "contact");
            assert_eq!(shown["meta"]["sender"]["email"], "maria@northwind.example");
            assert_eq!(shown["unread_count"], 1);
        }
        assert_not_found(&app.get(&app.api("conversations/2"), &app.admin).await);
    })
    .await;
}

async fn toggle(app: &TestApp, who: &Person, body: Value) -> Value {
    let uri = app.api(&format!(
        "conversations/{}/toggle_status",
        app.acme.conversation
    ));
    let toggled = ok(&app.post(&uri, who, &body).await);
    assert_eq!(keys(&toggled), ["meta", "payload"]);
    assert_eq!(toggled["meta"], json!({}));
    assert_eq!(toggled["payload"]["success"], true);
    assert_eq!(toggled["payload"]["conversation_id"], app.acme.conversation);
    toggled["payload"].clone()
}

#[tokio::test]
async fn toggle_status_flips_open_and_resolved_or_sets_the_given_status() {
    support::on_each_backend(async |app| {
        let show = app.api(&format!("conversations/{}", app.acme.conversation));
        assert_eq!(
            toggle(&app, &app.agent, json!({})).await["current_status"],
            "resolved"
        );
        assert_eq!(ok(&app.get(&show, &app.admin).await)["status"], "resolved");
        assert_eq!(
            list(&app, &app.admin, "").await.1,
            Vec::<i64>::new(),
            "resolved leaves the open list"
        );
        assert_eq!(
            toggle(&app, &app.admin, json!({})).await["current_status"],
            "open"
        );
        assert_eq!(
            toggle(&app, &app.admin, json!({"status": "pending"})).await["current_status"],
            "pending"
        );
        assert_eq!(
            toggle(&app, &app.admin, json!({"status": ""})).await["current_status"],
            "open"
        );
        assert_eq!(
            toggle(&app, &app.admin, json!({"status": "resolved"})).await["current_status"],
            "resolved"
        );
        assert_eq!(
            toggle(&app, &app.admin, json!({"status": "resolved"})).await["current_status"],
            "resolved"
        );
        // Snoozing until a time given as ISO-8601, epoch seconds, or epoch seconds in a string.
        for until in [
            json!("2030-01-01T00:00:00Z"),
            json!("2030-01-01T01:00:00+01:00"),
            json!(1_893_456_000),
            json!("1893456000"),
        ] {
            let payload = toggle(
                &app,
                &app.admin,
                json!({"status": "snoozed", "snoozed_until": until}),
            )
            .await;
            assert_eq!(payload["current_status"], "snoozed", "{until}");
            assert_eq!(payload["snoozed_until"], "2030-01-01T00:00:00Z", "{until}");
            let shown = ok(&app.get(&show, &app.admin).await);
            assert_eq!(shown["snoozed_until"], "2030-01-01T00:00:00Z", "{until}");
            assert_schema(&shown, Some("conversation"));
        }
        // Snoozed without a time; reopening clears the time.
        let payload = toggle(
            &app,
            &app.admin,
            json!({"status": "snoozed", "snoozed_until": null}),
        )
        .await;
        assert_eq!(payload["current_status"], "snoozed");
        assert_eq!(payload["snoozed_until"], Value::Null);
        assert_eq!(
            list(&app, &app.admin, "?status=snoozed").await.1,
            [app.acme.conversation]
        );
        toggle(
            &app,
            &app.admin,
            json!({"status": "snoozed", "snoozed_until": 1_893_456_000}),
        )
        .await;
        assert_eq!(
            toggle(&app, &app.admin, json!({})).await["current_status"],
            "open"
        );
        let shown = ok(&app.get(&show, &app.admin).await);
        assert_eq!(shown["status"], "open");
        assert_eq!(shown["snoozed_until"], Value::Null);
        // Each change is noted in the thread as an activity.
        let activities = shown["messages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["message_type"] == 2)
            .count();
        assert_eq!(activities, 13);
        assert_schema(&shown, Some("conversation"));
    })
    .await;
}

#[tokio::test]
async fn bad_status_changes_are_422s_and_change_nothing() {
    support::on_each_backend(async |app| {
        let uri = app.api(&format!(
            "conversations/{}/toggle_status",
            app.acme.conversation
        ));
        let cases = [
            (json!({"status": "closed"}), "status"),
            (json!({"status": "OPEN"}), "status"),
            (json!({"status": "all"}), "status"),
            (json!({"status": 5}), "status"),
            (
                json!({"status": "snoozed", "snoozed_until": "next tuesday"}),
                "snoozed_until",
            ),
            (
                json!({"status": "snoozed", "snoozed_until": "2030-13-01T00:00:00Z"}),
                "snoozed_until",
            ),
            (
                json!({"status": "snoozed", "snoozed_until": "2030-01-01"}),
                "snoozed_until",
            ),
            (
                json!({"status": "snoozed", "snoozed_until": ""}),
                "snoozed_until",
            ),
            (
                json!({"status": "snoozed", "snoozed_until": true}),
                "snoozed_until",
            ),
            (
                json!({"status": "snoozed", "snoozed_until": 1.5}),
                "snoozed_until",
            ),
            (
                json!({"status": "snoozed", "snoozed_until": 1e30}),
                "snoozed_until",
            ),
            (
                json!({"status": "snoozed", "snoozed_until": [1]}),
                "snoozed_until",
            ),
            (
                json!({"status": "snoozed", "snoozed_until": {}}),
                "snoozed_until",
            ),
            (
                json!({"status": "snoozed", "snoozed_until": 99_999_999_999_999_i64}),
                "snoozed_until",
            ),
            (
                json!({"status": "snoozed", "snoozed_until": -99_999_999_999_999_i64}),
                "snoozed_until",
            ),
            (
                json!({"status": "snoozed", "snoozed_until": "99999999999999"}),
                "snoozed_until",
            ),
            (
                json!({"status": "open", "snoozed_until": "2030-01-01T00:00:00Z"}),
                "snoozed_until",
            ),
            (json!({"snoozed_until": 1_893_456_000}), "snoozed_until"),
        ];
        for (body, field) in &cases {
            assert_invalid(&app.post(&uri, &app.admin, body).await, field);
        }
        let shown = ok(&app
            .get(
                &app.api(&format!("conversations/{}", app.acme.conversation)),
                &app.admin,
            )
            .await);
        assert_eq!(shown["status"], "open");
        assert_eq!(shown["snoozed_until"], Value::Null);
        assert_eq!(
            shown["messages"].as_array().unwrap().len(),
            1,
            "no activity was noted"
        );
    })
    .await;
}

#[tokio::test]
async fn assignments_assign_a_member_or_unassign_with_null() {
    support::on_each_backend(async |app| {
        let uri = app.api(&format!(
            "conversations/{}/assignments",
            app.acme.conversation
        ));
        let show = app.api(&format!("conversations/{}", app.acme.conversation));
        let agent = ok(&app
            .post(&uri, &app.admin, &json!({"assignee_id": app.agent.id}))
            .await);
        assert_schema(&agent, Some("assignee"));
        assert_eq!(agent["id"], app.agent.id);
        assert_eq!(agent["email"], "agent@acme.test");
        assert_eq!(agent["role"], "agent");
        assert_eq!(agent["account_id"], app.acme.account_id);
        let shown = ok(&app.get(&show, &app.agent).await);
        assert_schema(&shown, Some("conversation"));
        assert_eq!(shown["meta"]["assignee"], agent);
        assert_eq!(
            list(&app, &app.agent, "?assignee_type=me").await.1,
            [app.acme.conversation]
        );
        // The agent may hand it to the administrator.
        let admin = ok(&app
            .post(&uri, &app.agent, &json!({"assignee_id": app.admin.id}))
            .await);
        assert_eq!(admin["id"], app.admin.id);
        assert_eq!(admin["role"], "administrator");
        // null unassigns.
        ok(&app
            .post(&uri, &app.admin, &json!({"assignee_id": app.agent.id}))
            .await);
        let res = app
            .post(&uri, &app.admin, &json!({"assignee_id": null}))
            .await;
        assert_eq!(ok(&res), Value::Null);
        let shown = ok(&app.get(&show, &app.admin).await);
        assert!(shown["meta"].get("assignee").is_none(), "{shown}");
        assert_schema(&shown, Some("conversation"));
        // Only members of the account can be assigned.
        for (body, field) in [
            (json!({"assignee_id": app.stranger.id}), "assignee_id"),
            (json!({"assignee_id": 999_999}), "assignee_id"),
            (json!({"assignee_id": "x"}), "assignee_id"),
            (json!({"assignee_id": 1.5}), "assignee_id"),
        ] {
            assert_invalid(&app.post(&uri, &app.admin, &body).await, field);
        }
        assert!(ok(&app.get(&show, &app.admin).await)["meta"]
            .get("assignee")
            .is_none());
    })
    .await;
}

#[tokio::test]
async fn conversation_labels_are_listed_and_replaced_as_a_set() {
    support::on_each_backend(async |app| {
        let uri = app.api(&format!("conversations/{}/labels", app.acme.conversation));
        let show = app.api(&format!("conversations/{}", app.acme.conversation));
        assert_eq!(ok(&app.get(&uri, &app.agent).await), json!({"payload": []}));
        let set = ok(&app
            .post(
                &uri,
                &app.agent,
                &json!({"labels": ["billing", "VIP", " billing "]}),
            )
            .await);
        assert_eq!(set, json!({"payload": ["billing", "vip"]}));
        assert_eq!(ok(&app.get(&uri, &app.admin).await), set);
        assert_eq!(
            ok(&app.get(&show, &app.admin).await)["labels"],
            json!(["billing", "vip"])
        );
        let set = ok(&app
            .post(&uri, &app.admin, &json!({"labels": ["urgent"]}))
            .await);
        assert_eq!(set, json!({"payload": ["urgent"]}));
        assert_eq!(
            list(&app, &app.admin, "?labels[]=billing").await.1,
            Vec::<i64>::new()
        );
        assert_eq!(
            list(&app, &app.admin, "?labels[]=urgent").await.1,
            [app.acme.conversation]
        );
        for (body, field) in [
            (json!({}), "labels"),
            (json!({"labels": null}), "labels"),
            (json!({"labels": "billing"}), "labels"),
            (json!({"labels": [5]}), "labels"),
            (json!({"labels": [""]}), "labels"),
            (json!({"labels": [long(101)]}), "labels"),
            (
                json!({"labels": (0..101).map(|n| format!("l{n}")).collect::<Vec<_>>()}),
                "labels",
            ),
        ] {
            assert_invalid(&app.post(&uri, &app.admin, &body).await, field);
        }
        assert_eq!(
            ok(&app.get(&uri, &app.admin).await),
            json!({"payload": ["urgent"]})
        );
        assert_eq!(
            ok(&app.post(&uri, &app.admin, &json!({"labels": []})).await),
            json!({"payload": []})
        );
        assert_eq!(ok(&app.get(&show, &app.admin).await)["labels"], json!([]));
    })
    .await;
}

#[tokio::test]
async fn custom_attributes_are_replaced_and_must_be_an_object() {
    support::on_each_backend(async |app| {
        let uri = app.api(&format!(
            "conversations/{}/custom_attributes",
            app.acme.conversation
        ));
        let show = app.api(&format!("conversations/{}", app.acme.conversation));
        let set = ok(&app
            .post(
                &uri,
                &app.agent,
                &json!({"custom_attributes": {"order_id": 5521, "rush": true}}),
            )
            .await);
        assert_eq!(
            set,
            json!({"custom_attributes": {"order_id": 5521, "rush": true}})
        );
        assert_eq!(
            ok(&app.get(&show, &app.admin).await)["custom_attributes"],
            set["custom_attributes"]
        );
        let set = ok(&app
            .post(
                &uri,
                &app.admin,
                &json!({"custom_attributes": {"tier": "gold"}}),
            )
            .await);
        assert_eq!(set, json!({"custom_attributes": {"tier": "gold"}}));
        for body in [
            json!({}),
            json!({"custom_attributes": null}),
            json!({"custom_attributes": [1]}),
            json!({"custom_attributes": "x"}),
            json!({"custom_attributes": 5}),
            json!({"custom_attributes": {"big": long(70 * 1024)}}),
        ] {
            assert_invalid(
                &app.post(&uri, &app.admin, &body).await,
                "custom_attributes",
            );
        }
        let shown = ok(&app.get(&show, &app.admin).await);
        assert_eq!(shown["custom_attributes"], json!({"tier": "gold"}));
        // An empty object empties them.
        let set = ok(&app
            .post(&uri, &app.admin, &json!({"custom_attributes": {}}))
            .await);
        assert_eq!(set, json!({"custom_attributes": {}}));
    })
    .await;
}

#[tokio::test]
async fn update_last_seen_marks_the_conversation_read() {
    support::on_each_backend(async |app| {
        let show = app.api(&format!("conversations/{}", app.acme.conversation));
        let before = ok(&app.get(&show, &app.agent).await);
        assert_eq!(before["unread_count"], 1);
        assert_eq!(before["agent_last_seen_at"], 0);
        let uri = app.api(&format!(
            "conversations/{}/update_last_seen",
            app.acme.conversation
        ));
        let read = ok(&app.post(&uri, &app.agent, &json!({})).await);
        assert_schema(&read, Some("conversation"));
        assert_eq!(read["id"], app.acme.conversation);
        assert_eq!(read["unread_count"], 0);
        assert!(read["agent_last_seen_at"].as_i64().unwrap() > 0, "{read}");
        assert_eq!(ok(&app.get(&show, &app.admin).await)["unread_count"], 0);
        // No body is fine too.
        let res = app
            .request(Method::POST, &uri, Some(&app.admin.token), None)
            .await;
        ok(&res);
    })
    .await;
}

#[tokio::test]
async fn app_context_is_the_dashboard_app_message_for_the_caller() {
    support::on_each_backend(async |app| {
        let uri = app.api(&format!(
            "conversations/{}/app_context",
            app.acme.conversation
        ));
        let context = ok(&app.get(&uri, &app.admin).await);
        assert_eq!(keys(&context), ["data", "event"]);
        assert_eq!(context["event"], "appContext");
        assert_eq!(
            keys(&context["data"]),
            [
                "contact",
                "conversation",
                "currentAgent",
                "customAttributeDefinitions"
            ]
        );
        assert_schema(&context, None);
        assert_eq!(
            context["data"]["currentAgent"],
            json!({"id": app.admin.id, "name": "Ada Admin", "email": "admin@acme.test"})
        );
        let conversation = &context["data"]["conversation"];
        assert_eq!(conversation["id"], app.acme.conversation);
        assert_eq!(conversation["account_id"], app.acme.account_id);
        assert_eq!(
            conversation["messages"][0]["content"],
            "Hi, my order #5521 has not arrived yet."
        );
        let contact = &context["data"]["contact"];
        assert_eq!(contact["id"], app.acme.contact_id);
        assert_eq!(contact["email"], "maria@northwind.example");
        assert_eq!(contact["custom_attributes"], json!({"plan": "pro"}));
        assert_eq!(&conversation["meta"]["sender"], contact);
        // The same conversation as show, the caller as the agent.
        let shown = ok(&app
            .get(
                &app.api(&format!("conversations/{}", app.acme.conversation)),
                &app.admin,
            )
            .await);
        assert_eq!(conversation, &shown);
        let context = ok(&app.get(&uri, &app.agent).await);
        assert_eq!(
            context["data"]["currentAgent"],
            json!({"id": app.agent.id, "name": "Sam Agent", "email": "agent@acme.test"})
        );
        // Still valid with an assignee, labels, attributes, a snooze and replies.
        let base = format!("conversations/{}", app.acme.conversation);
        ok(&app
            .post(
                &app.api(&format!("{base}/assignments")),
                &app.admin,
                &json!({"assignee_id": app.agent.id}),
            )
            .await);
        ok(&app
            .post(
                &app.api(&format!("{base}/labels")),
                &app.admin,
                &json!({"labels": ["vip"]}),
            )
            .await);
        ok(&app
            .post(
                &app.api(&format!("{base}/custom_attributes")),
                &app.admin,
                &json!({"custom_attributes": {"a": [1, {"b": null}]}}),
            )
            .await);
        ok(&app
            .post(
                &app.api(&format!("{base}/messages")),
                &app.agent,
                &json!({"content": "On it", "private": true}),
            )
            .await);
        ok(&app
            .post(
                &app.api(&format!("{base}/toggle_status")),
                &app.admin,
                &json!({"status": "snoozed", "snoozed_until": 1_893_456_000}),
            )
            .await);
        let context = ok(&app.get(&uri, &app.agent).await);
        assert_schema(&context, None);
        let conversation = &context["data"]["conversation"];
        assert_eq!(conversation["meta"]["assignee"]["id"], app.agent.id);
        assert_eq!(conversation["labels"], json!(["vip"]));
        assert_eq!(conversation["status"], "snoozed");
        assert_eq!(conversation["snoozed_until"], "2030-01-01T00:00:00Z");
        // A contact without name or e-mail still fills the context.
        let bare = ok(&app.post(&app.api("contacts"), &app.admin, &json!({})).await);
        let created = open(
            &app,
            &app.admin,
            json!({"contact_id": bare["payload"]["contact"]["id"]}),
        )
        .await;
        let context = ok(&app
            .get(
                &app.api(&format!("conversations/{}/app_context", created["id"])),
                &app.agent,
            )
            .await);
        assert_schema(&context, None);
        assert_eq!(context["data"]["contact"]["name"], Value::Null);
    })
    .await;
}

/// Every conversation route with a body that would be accepted.
fn routes(app: &TestApp, display: i64) -> Vec<(Method, String, Option<Value>)> {
    let base = format!("conversations/{display}");
    vec![
        (Method::GET, app.api(&base), None),
        (Method::GET, app.api(&format!("{base}/app_context")), None),
        (
            Method::POST,
            app.api(&format!("{base}/toggle_status")),
            Some(json!({"status": "resolved"})),
        ),
        (
            Method::POST,
            app.api(&format!("{base}/assignments")),
            Some(json!({"assignee_id": null})),
        ),
        (Method::GET, app.api(&format!("{base}/labels")), None),
        (
            Method::POST,
            app.api(&format!("{base}/labels")),
            Some(json!({"labels": ["hijacked"]})),
        ),
        (
            Method::POST,
            app.api(&format!("{base}/custom_attributes")),
            Some(json!({"custom_attributes": {"x": 1}})),
        ),
        (
            Method::POST,
            app.api(&format!("{base}/update_last_seen")),
            Some(json!({})),
        ),
        (Method::GET, app.api(&format!("{base}/messages")), None),
        (
            Method::POST,
            app.api(&format!("{base}/messages")),
            Some(json!({"content": "hijacked"})),
        ),
    ]
}

#[tokio::test]
async fn outsiders_get_401_on_every_conversation_route() {
    support::on_each_backend(async |app| {
        assert_members_only(&app, Method::GET, &app.api("conversations"), None).await;
        let body = json!({"inbox_id": app.acme.inbox_id, "contact_id": app.acme.contact_id});
        assert_members_only(&app, Method::POST, &app.api("conversations"), Some(&body)).await;
        for (method, uri, body) in routes(&app, app.acme.conversation) {
            assert_members_only(&app, method, &uri, body.as_ref()).await;
        }
        let shown = ok(&app.get(&app.api("conversations/1"), &app.admin).await);
        assert_eq!(shown["status"], "open");
        assert_eq!(shown["labels"], json!([]));
        assert_eq!(shown["messages"].as_array().unwrap().len(), 1);
        assert_eq!(
            list(&app, &app.admin, "?status=all").await.0["all_count"],
            1
        );
    })
    .await;
}

#[tokio::test]
async fn another_accounts_conversations_and_unknown_ids_are_404s_on_every_route() {
    support::on_each_backend(async |app| {
        // The other account has a conversation 2; this account has none.
        let body = json!({"inbox_id": app.other.inbox_id, "contact_id": app.other.contact_id, "message": {"content": "secret"}});
        let theirs = ok(&app.post(&app.other_api("conversations"), &app.stranger, &body).await);
        assert_eq!(theirs["id"], 2);
        for display in [2, 999_999] {
            for (method, uri, body) in routes(&app, display) {
                for who in [&app.admin, &app.agent] {
                    let res = send(&app, method.clone(), &uri, who, body.as_ref()).await;
                    assert_not_found(&res);
                    assert!(!res.text.contains("secret"));
                }
            }
        }
        let shown = ok(&app.get(&app.other_api("conversations/2"), &app.stranger).await);
        assert_eq!(shown["status"], "open");
        assert_eq!(shown["labels"], json!([]));
        assert_eq!(shown["custom_attributes"], json!({}));
        assert_eq!(shown["agent_last_seen_at"], 0);
        assert_eq!(shown["messages"].as_array().unwrap().len(), 1);
    })
    .await;
}
