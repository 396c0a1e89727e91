//! Search and filters: `GET …/conversations/search?q=`, the list's `q`, `POST
//! …/conversations/filter` and `POST …/contacts/filter` (Chatwoot's payload, operators, AND/OR
//! chaining, errors and pages), and a property test that no payload is ever a 5xx.

use super::{assert_invalid, assert_members_only, enc, expect, keys, ok};
use crate::support::{self, Person, TestApp};
use axum::http::Method;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Value};

/// Opens a conversation in Acme's inbox (or `extra`'s), returning its display id.
async fn open(app: &TestApp, extra: Value) -> i64 {
    let mut body = json!({"inbox_id": app.acme.inbox_id, "contact_id": app.acme.contact_id});
    for (key, value) in extra.as_object().expect("extra is an object") {
        body[key] = value.clone();
    }
    let created = ok(&app.post(&app.api("conversations"), &app.admin, &body).await);
    created["id"].as_i64().expect("a display id")
}

async fn contact(app: &TestApp, body: Value) -> i64 {
    let created = ok(&app.post(&app.api("contacts"), &app.admin, &body).await);
    created["payload"]["contact"]["id"]
        .as_i64()
        .expect("a contact id")
}

fn ids(payload: &Value) -> Vec<i64> {
    let mut ids: Vec<i64> = payload
        .as_array()
        .expect("payload is an array")
        .iter()
        .map(|c| c["id"].as_i64().expect("an id"))
        .collect();
    ids.sort_unstable();
    ids
}

/// `GET conversations/search?q=` as `who`: the meta and the sorted display ids.
async fn search(app: &TestApp, who: &Person, q: &str) -> (Value, Vec<i64>) {
    let body = ok(&app
        .get(&app.api(&format!("conversations/search?q={}", enc(q))), who)
        .await);
    assert_eq!(keys(&body), ["data"]);
    assert_eq!(keys(&body["data"]), ["meta", "payload"]);
    (body["data"]["meta"].clone(), ids(&body["data"]["payload"]))
}

fn condition(attribute: &str, operator: &str, values: Value) -> Value {
    json!({"attribute_key": attribute, "filter_operator": operator, "values": values, "query_operator": null})
}

/// `POST conversations/filter` with these conditions: the meta and the sorted display ids.
async fn filter(app: &TestApp, conditions: Value) -> (Value, Vec<i64>) {
    let res = app
        .post(
            &app.api("conversations/filter"),
            &app.admin,
            &json!({ "payload": conditions }),
        )
        .await;
    let body = ok(&res);
    assert_eq!(keys(&body), ["meta", "payload"], "{}", res.text);
    for conversation in body["payload"].as_array().unwrap() {
        super::assert_schema(conversation, Some("conversation"));
    }
    (body["meta"].clone(), ids(&body["payload"]))
}

/// Display ids a single condition matches.
async fn matching(app: &TestApp, attribute: &str, operator: &str, values: Value) -> Vec<i64> {
    filter(app, json!([condition(attribute, operator, values)]))
        .await
        .1
}

fn meta(mine: i64, assigned: i64, unassigned: i64, all: i64) -> Value {
    json!({"mine_count": mine, "assigned_count": assigned, "unassigned_count": unassigned, "all_count": all})
}

fn day(offset_days: i64) -> String {
    let now = time::OffsetDateTime::now_utc() + time::Duration::days(offset_days);
    let d = now.date();
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

#[tokio::test]
async fn search_finds_conversations_by_message_contact_and_display_id_in_every_status() {
    support::on_each_backend(async |app| {
        let zed = contact(
            &app,
            json!({"name": "Zed Quill", "email": "zed@quill.example", "phone_number": "+4930123456"}),
        )
        .await;
        let refund = open(
            &app,
            json!({"contact_id": zed, "message": {"content": "I want a REFUND for invoice 77"}}),
        )
        .await;
        let resolved = open(
            &app,
            json!({"status": "resolved", "message": {"content": "thanks, refund received"}}),
        )
        .await;
        let first = app.acme.conversation;

        assert_eq!(search(&app, &app.admin, "refund").await.1, [refund, resolved]);
        assert_eq!(search(&app, &app.agent, "Refund").await.1, [refund, resolved]);
        assert_eq!(search(&app, &app.admin, "quill").await.1, [refund]);
        assert_eq!(search(&app, &app.admin, "ZED@QUILL").await.1, [refund]);
        assert_eq!(search(&app, &app.admin, "4930123").await.1, [refund]);
        assert_eq!(search(&app, &app.admin, "#5521").await.1, [first]);
        assert_eq!(
            search(&app, &app.admin, &format!("#{resolved}")).await.1,
            [resolved]
        );
        assert_eq!(search(&app, &app.admin, "  maria  ").await.1, [first, resolved]);
        // LIKE's wildcards are text like any other.
        assert!(search(&app, &app.admin, "%").await.1.is_empty());
        assert!(search(&app, &app.admin, "ref_nd").await.1.is_empty());
        assert!(search(&app, &app.admin, "nothing like this").await.1.is_empty());

        // The counts are the search's.
        let (counts, _) = search(&app, &app.admin, "refund").await;
        assert_eq!(counts, meta(0, 0, 2, 2));

        // The list's `q` is the same search, with the list's filters beside it.
        let body = ok(&app
            .get(&app.api("conversations?q=refund&status=open"), &app.admin)
            .await);
        assert_eq!(ids(&body["data"]["payload"]), [refund, resolved]);
        let body = ok(&app
            .get(&app.api("conversations?q=refund&assignee_type=me"), &app.admin)
            .await);
        assert!(ids(&body["data"]["payload"]).is_empty());

        // A blank q is the plain list (open conversations).
        let body = ok(&app.get(&app.api("conversations/search?q="), &app.admin).await);
        assert_eq!(ids(&body["data"]["payload"]), [first, refund]);

        // Another account's conversations are not found, and outsiders are refused.
        let other = ok(&app
            .get(&app.other_api("conversations/search?q=refund"), &app.stranger)
            .await);
        assert!(ids(&other["data"]["payload"]).is_empty());
        assert_members_only(&app, Method::GET, &app.api("conversations/search?q=x"), None).await;
        let too_long = format!("conversations/search?q={}", "x".repeat(256));
        assert_invalid(&app.get(&app.api(&too_long), &app.admin).await, "q");
    })
    .await;
}

/// `GET conversations/meta?{query}` as the admin: its `meta`, after checking the envelope.
async fn counts(app: &TestApp, query: &str) -> Value {
    let body = ok(&app
        .get(&app.api(&format!("conversations/meta{query}")), &app.admin)
        .await);
    assert_eq!(keys(&body), ["meta"]);
    body["meta"].clone()
}

#[tokio::test]
async fn meta_counts_the_list_with_the_same_filters() {
    support::on_each_backend(async |app| {
        let second_inbox = ok(&app
            .post(&app.api("inboxes"), &app.admin, &json!({"name": "Second"}))
            .await)["id"]
            .as_i64()
            .unwrap();
        super::join(&app, second_inbox, &app.agent).await;
        // Open: the seeded one (unassigned), the admin's, one in the second inbox; one pending.
        let mine = open(&app, json!({"assignee_id": app.admin.id})).await;
        open(
            &app,
            json!({"inbox_id": second_inbox, "assignee_id": app.agent.id}),
        )
        .await;
        open(
            &app,
            json!({"status": "pending", "message": {"content": "Where is parcel 4471?"}}),
        )
        .await;
        let uri = app.api(&format!("conversations/{mine}/labels"));
        ok(&app
            .post(&uri, &app.admin, &json!({"labels": ["vip"]}))
            .await);

        // Open by default, as the list.
        assert_eq!(counts(&app, "").await, meta(1, 2, 1, 3));
        assert_eq!(counts(&app, "?status=pending").await, meta(0, 0, 1, 1));
        assert_eq!(counts(&app, "?status=all").await, meta(1, 2, 2, 4));
        assert_eq!(
            counts(&app, &format!("?inbox_id={second_inbox}")).await,
            meta(0, 1, 0, 1)
        );
        assert_eq!(counts(&app, "?labels[]=vip").await, meta(1, 1, 0, 1));
        // A search counts what it finds, in every status.
        assert_eq!(counts(&app, "?q=parcel%204471").await, meta(0, 0, 1, 1));
        // The assignee tab and the page change no count.
        assert_eq!(
            counts(&app, "?assignee_type=me&page=3").await,
            meta(1, 2, 1, 3)
        );
        // The same numbers as the list's own `meta`, for the same query.
        for query in ["", "?status=all", "?labels[]=vip&status=all", "?q=parcel"] {
            let list = ok(&app
                .get(&app.api(&format!("conversations{query}")), &app.admin)
                .await);
            assert_eq!(counts(&app, query).await, list["data"]["meta"], "{query}");
        }
        // An agent's own count is theirs.
        let body = ok(&app.get(&app.api("conversations/meta"), &app.agent).await);
        assert_eq!(body["meta"]["mine_count"], 1);

        assert_invalid(
            &app.get(&app.api("conversations/meta?status=closed"), &app.admin)
                .await,
            "status",
        );
        assert_invalid(
            &app.get(&app.api("conversations/meta?inbox_id=x"), &app.admin)
                .await,
            "inbox_id",
        );
        assert_members_only(&app, Method::GET, &app.api("conversations/meta"), None).await;
        // Another account's administrator counts only theirs.
        let other = ok(&app
            .get(&app.other_api("conversations/meta"), &app.stranger)
            .await);
        assert_eq!(other["meta"]["all_count"], 1);
    })
    .await;
}

#[tokio::test]
async fn the_conversation_filter_applies_each_attribute_and_operator() {
    support::on_each_backend(async |app| {
        let second_inbox = ok(&app
            .post(&app.api("inboxes"), &app.admin, &json!({"name": "Second"}))
            .await)["id"]
            .as_i64()
            .unwrap();
        let c1 = app.acme.conversation;
        let c2 = open(&app, json!({"assignee_id": app.agent.id, "status": "pending"})).await;
        let c3 = open(
            &app,
            json!({"inbox_id": second_inbox, "assignee_id": app.admin.id,
                   "additional_attributes": {"browser_language": "fr", "referer": "https://shop.example/Checkout"}}),
        )
        .await;
        let c4 = open(&app, json!({"status": "resolved"})).await;
        for (display, labels) in [(c3, json!(["billing"])), (c4, json!(["billing", "vip"]))] {
            let uri = app.api(&format!("conversations/{display}/labels"));
            ok(&app.post(&uri, &app.admin, &json!({"labels": labels})).await);
        }

        // No conditions: every conversation, every status; counts are Chatwoot's four.
        let (counts, all) = filter(&app, json!([])).await;
        assert_eq!(all, [c1, c2, c3, c4]);
        assert_eq!(counts, meta(1, 2, 2, 4));

        assert_eq!(matching(&app, "status", "equal_to", json!(["open"])).await, [c1, c3]);
        assert_eq!(
            matching(&app, "status", "equal_to", json!(["pending", "resolved"])).await,
            [c2, c4]
        );
        assert_eq!(matching(&app, "status", "not_equal_to", json!(["open"])).await, [c2, c4]);
        assert_eq!(matching(&app, "status", "equal_to", json!(["all"])).await, all);

        assert_eq!(
            matching(&app, "assignee_id", "equal_to", json!([app.agent.id])).await,
            [c2]
        );
        assert_eq!(
            matching(&app, "assignee_id", "equal_to", json!([app.agent.id.to_string()])).await,
            [c2],
            "a numeric string is an id"
        );
        // As in SQL (and Chatwoot): NOT IN leaves out the unassigned.
        assert_eq!(
            matching(&app, "assignee_id", "not_equal_to", json!([app.agent.id])).await,
            [c3]
        );
        assert_eq!(matching(&app, "assignee_id", "is_present", json!([])).await, [c2, c3]);
        assert_eq!(matching(&app, "assignee_id", "is_not_present", json!([])).await, [c1, c4]);

        assert_eq!(
            matching(&app, "inbox_id", "equal_to", json!([second_inbox])).await,
            [c3]
        );
        assert_eq!(
            matching(&app, "inbox_id", "not_equal_to", json!([second_inbox])).await,
            [c1, c2, c4]
        );
        assert_eq!(matching(&app, "inbox_id", "is_present", json!(null)).await, all);
        assert!(matching(&app, "inbox_id", "is_not_present", json!(null)).await.is_empty());

        assert_eq!(matching(&app, "labels", "equal_to", json!(["vip"])).await, [c4]);
        assert_eq!(matching(&app, "labels", "equal_to", json!(["VIP"])).await, [c4], "titles without case");
        assert_eq!(matching(&app, "labels", "equal_to", json!(["billing", "vip"])).await, [c3, c4]);
        assert_eq!(matching(&app, "labels", "not_equal_to", json!(["vip"])).await, [c1, c2, c3]);
        assert_eq!(matching(&app, "labels", "is_present", json!([])).await, [c3, c4]);
        assert_eq!(matching(&app, "labels", "is_not_present", json!([])).await, [c1, c2]);

        assert_eq!(matching(&app, "display_id", "equal_to", json!([c2, c3])).await, [c2, c3]);
        assert_eq!(matching(&app, "display_id", "not_equal_to", json!([c1])).await, [c2, c3, c4]);
        assert_eq!(matching(&app, "display_id", "contains", json!(["3"])).await, [c3]);
        assert_eq!(
            matching(&app, "display_id", "does_not_contain", json!(["3"])).await,
            [c1, c2, c4]
        );

        assert_eq!(
            matching(&app, "browser_language", "equal_to", json!(["fr"])).await,
            [c3]
        );
        assert!(matching(&app, "browser_language", "equal_to", json!(["FR"])).await.is_empty());
        assert_eq!(
            matching(&app, "browser_language", "not_equal_to", json!(["de"])).await,
            [c3],
            "conversations without the attribute are not 'not equal'"
        );
        assert_eq!(matching(&app, "referer", "contains", json!(["checkout"])).await, [c3]);
        assert!(matching(&app, "referer", "does_not_contain", json!(["shop"])).await.is_empty());

        // Dates compare by day: everything is from today.
        assert_eq!(matching(&app, "created_at", "is_greater_than", json!([day(-1)])).await, all);
        assert!(matching(&app, "created_at", "is_greater_than", json!([day(0)])).await.is_empty());
        assert_eq!(matching(&app, "last_activity_at", "is_less_than", json!([day(1)])).await, all);
        assert!(matching(&app, "created_at", "is_less_than", json!([day(0)])).await.is_empty());
        assert!(matching(&app, "created_at", "days_before", json!([0])).await.is_empty());
        assert!(matching(&app, "last_activity_at", "days_before", json!(["3"])).await.is_empty());
    })
    .await;
}

#[tokio::test]
async fn the_conversation_filter_reads_team_and_priority() {
    support::on_each_backend(async |app| {
        let team = ok(&app
            .post(&app.api("teams"), &app.admin, &json!({"name": "Billing"}))
            .await)["id"]
            .as_i64()
            .unwrap();
        let c1 = app.acme.conversation;
        let c2 = open(&app, json!({})).await;
        let c3 = open(&app, json!({})).await;
        let uri = app.api(&format!("conversations/{c2}/assignments"));
        ok(&app.post(&uri, &app.admin, &json!({"team_id": team})).await);
        for (display, priority) in [(c2, "urgent"), (c3, "low")] {
            let uri = app.api(&format!("conversations/{display}/toggle_priority"));
            let res = app
                .post(&uri, &app.admin, &json!({"priority": priority}))
                .await;
            assert!(res.status.is_success(), "{}", res.text);
        }

        assert_eq!(
            matching(&app, "team_id", "equal_to", json!([team])).await,
            [c2]
        );
        assert_eq!(
            matching(&app, "team_id", "is_present", json!([])).await,
            [c2]
        );
        assert_eq!(
            matching(&app, "team_id", "is_not_present", json!([])).await,
            [c1, c3]
        );
        assert!(matching(&app, "team_id", "not_equal_to", json!([team]))
            .await
            .is_empty());
        assert_eq!(
            matching(&app, "priority", "equal_to", json!(["urgent"])).await,
            [c2]
        );
        assert_eq!(
            matching(&app, "priority", "equal_to", json!(["urgent", "low"])).await,
            [c2, c3]
        );
        // As in SQL (and Chatwoot): NOT IN leaves out conversations without a priority.
        assert_eq!(
            matching(&app, "priority", "not_equal_to", json!(["urgent"])).await,
            [c3]
        );

        let uri = app.api("conversations/filter");
        for (body, attribute) in [
            (
                json!([condition("priority", "equal_to", json!(["critical"]))]),
                "values",
            ),
            (
                json!([condition("priority", "is_present", json!([]))]),
                "filter_operator",
            ),
            (
                json!([condition("team_id", "equal_to", json!(["billing"]))]),
                "values",
            ),
            (
                json!([condition("campaign_id", "equal_to", json!([1]))]),
                "attribute_key",
            ),
        ] {
            assert_invalid(
                &app.post(&uri, &app.admin, &json!({ "payload": body }))
                    .await,
                attribute,
            );
        }
    })
    .await;
}

#[tokio::test]
async fn conditions_chain_with_and_before_or_as_chatwoot_builds_them() {
    support::on_each_backend(async |app| {
        let c1 = app.acme.conversation;
        let c2 = open(&app, json!({"status": "resolved", "assignee_id": app.agent.id})).await;
        let c3 = open(&app, json!({"status": "pending"})).await;
        let open_ = json!({"attribute_key": "status", "filter_operator": "equal_to", "values": ["open"], "query_operator": "and"});
        let unassigned = |join: &str| json!({"attribute_key": "assignee_id", "filter_operator": "is_not_present", "values": [], "query_operator": join});
        let pending = json!({"attribute_key": "status", "filter_operator": "equal_to", "values": ["pending"], "query_operator": null});
        let agent = json!({"attribute_key": "assignee_id", "filter_operator": "equal_to", "values": [app.agent.id], "query_operator": null});

        // open AND unassigned OR pending = (open AND unassigned) OR pending.
        let (counts, ids) = filter(&app, json!([open_, unassigned("OR"), pending])).await;
        assert_eq!(ids, [c1, c3]);
        assert_eq!(counts, meta(0, 0, 2, 2));
        // pending OR open AND assigned to the agent = pending OR (open AND the agent's): c3.
        let pending_or = json!({"attribute_key": "status", "filter_operator": "equal_to", "values": ["pending"], "query_operator": "or"});
        assert_eq!(filter(&app, json!([pending_or, open_, agent])).await.1, [c3]);
        // unassigned AND the agent's: nothing.
        assert!(filter(&app, json!([unassigned("and"), agent])).await.1.is_empty());
        // Either: everything.
        assert_eq!(filter(&app, json!([unassigned("or"), agent])).await.1, [c1, c2, c3]);
        // The last condition's operator joins nothing.
        let last = json!({"attribute_key": "status", "filter_operator": "equal_to", "values": ["resolved"], "query_operator": "and"});
        assert_eq!(filter(&app, json!([last])).await.1, [c2]);
    })
    .await;
}

#[tokio::test]
async fn the_filter_pages_by_25_newest_activity_first_with_the_same_counts() {
    support::on_each_backend(async |app| {
        for _ in 0..26 {
            open(&app, json!({"status": "pending"})).await;
        }
        let body = json!({"payload": [condition("status", "equal_to", json!(["pending"]))]});
        let page = |query: &'static str, body: Value| {
            let app = &app;
            async move {
                let uri = app.api(&format!("conversations/filter{query}"));
                ok(&app.post(&uri, &app.admin, &body).await)
            }
        };
        let first = page("", body.clone()).await;
        let first_ids: Vec<i64> = first["payload"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_i64().unwrap())
            .collect();
        assert_eq!(first_ids.len(), 25);
        assert_eq!(first_ids[0], 27, "newest first");
        assert_eq!(first["meta"]["all_count"], 26);
        let mut second_body = body.clone();
        second_body["page"] = json!(2);
        let second = page("", second_body).await;
        assert_eq!(ids(&second["payload"]), [2]);
        assert_eq!(second["meta"], first["meta"]);
        assert_eq!(ids(&page("?page=2", body.clone()).await["payload"]), [2]);
        let mut as_text = body.clone();
        as_text["page"] = json!("2");
        assert_eq!(ids(&page("", as_text).await["payload"]), [2]);
        assert!(ids(&page("?page=3", body.clone()).await["payload"]).is_empty());
        let mut bad = body;
        bad["page"] = json!(0);
        assert_invalid(
            &app.post(&app.api("conversations/filter"), &app.admin, &bad)
                .await,
            "page",
        );
    })
    .await;
}

#[tokio::test]
async fn bad_filters_are_422s_naming_the_field() {
    support::on_each_backend(async |app| {
        for path in ["conversations/filter", "contacts/filter"] {
            let uri = app.api(path);
            let refused = async |body: Value, attribute: &str| {
                assert_invalid(&app.post(&uri, &app.admin, &body).await, attribute)
            };
            let message = refused(
                json!({"payload": [condition("plan_tier", "equal_to", json!(["pro"]))]}),
                "attribute_key",
            )
            .await;
            assert!(message.contains("[plan_tier]"), "{message}");
            refused(
                json!({"payload": [condition("created_at", "equal_to", json!(["2025-01-01"]))]}),
                "filter_operator",
            )
            .await;
            refused(
                json!({"payload": [condition("created_at", "between", json!(["2025-01-01"]))]}),
                "filter_operator",
            )
            .await;
            refused(
                json!({"payload": [condition("created_at", "is_less_than", json!(["yesterday"]))]}),
                "values",
            )
            .await;
            refused(
                json!({"payload": [condition("created_at", "is_less_than", json!([]))]}),
                "values",
            )
            .await;
            refused(
                json!({"payload": [condition("created_at", "days_before", json!(["many"]))]}),
                "values",
            )
            .await;
            refused(
                json!({"payload": [condition("created_at", "is_less_than", json!([{"nested": 1}]))]}),
                "values",
            )
            .await;
            let mut first = condition("created_at", "days_before", json!([1]));
            first["query_operator"] = json!("XOR");
            refused(
                json!({"payload": [first.clone(), condition("created_at", "days_before", json!([2]))]}),
                "query_operator",
            )
            .await;
            first["query_operator"] = Value::Null;
            refused(
                json!({"payload": [first, condition("created_at", "days_before", json!([2]))]}),
                "query_operator",
            )
            .await;
            refused(json!({"payload": {"status": "open"}}), "payload").await;
            refused(json!({"payload": ["status"]}), "payload").await;
            let many: Vec<Value> = (0..40)
                .map(|_| {
                    let mut c = condition("created_at", "days_before", json!([1]));
                    c["query_operator"] = json!("and");
                    c
                })
                .collect();
            refused(json!({ "payload": many }), "payload").await;
            assert_members_only(&app, Method::POST, &uri, Some(&json!({"payload": []}))).await;
        }
        let uri = app.api("conversations/filter");
        for (body, attribute) in [
            (json!([condition("status", "equal_to", json!(["closed"]))]), "values"),
            (json!([condition("status", "contains", json!(["open"]))]), "filter_operator"),
            (json!([condition("assignee_id", "equal_to", json!(["me"]))]), "values"),
            (json!([condition("inbox_id", "equal_to", json!([1.5]))]), "values"),
            (json!([condition("labels", "contains", json!(["vip"]))]), "filter_operator"),
            (json!([condition("name", "equal_to", json!(["x"]))]), "attribute_key"),
        ] {
            let res = app.post(&uri, &app.admin, &json!({ "payload": body })).await;
            assert_invalid(&res, attribute);
        }
        let contacts = app.api("contacts/filter");
        for (body, attribute) in [
            (json!([condition("status", "equal_to", json!(["open"]))]), "attribute_key"),
            (json!([condition("blocked", "equal_to", json!(["maybe"]))]), "values"),
            (json!([condition("identifier", "contains", json!(["x"]))]), "filter_operator"),
            (json!([condition("company_name", "equal_to", json!(["x"]))]), "attribute_key"),
        ] {
            let res = app.post(&contacts, &app.admin, &json!({ "payload": body })).await;
            assert_invalid(&res, attribute);
        }
    })
    .await;
}

#[tokio::test]
async fn filters_are_read_from_form_bodies_in_rails_brackets() {
    support::on_each_backend(async |app| {
        let pending = open(&app, json!({"status": "pending"})).await;
        let body = "payload[][attribute_key]=status&payload[][filter_operator]=equal_to\
                    &payload[][values][]=pending&payload[][values][]=snoozed\
                    &payload[][query_operator]=&page=1";
        let res =
            super::rails_bodies::form(&app, Method::POST, &app.api("conversations/filter"), body)
                .await;
        assert_eq!(ids(&ok(&res)["payload"]), [pending], "{}", res.text);
        let body = "payload[][attribute_key]=name&payload[][filter_operator]=contains\
                    &payload[][values][]=LOPEZ";
        let res =
            super::rails_bodies::form(&app, Method::POST, &app.api("contacts/filter"), body).await;
        assert_eq!(
            ids(&ok(&res)["payload"]),
            [app.acme.contact_id],
            "{}",
            res.text
        );
    })
    .await;
}

/// `POST contacts/filter` with one condition: the sorted contact ids.
async fn contacts_matching(app: &TestApp, conditions: Value) -> Vec<i64> {
    let res = app
        .post(
            &app.api("contacts/filter"),
            &app.agent,
            &json!({ "payload": conditions }),
        )
        .await;
    let body = ok(&res);
    assert_eq!(keys(&body), ["meta", "payload"]);
    assert_eq!(
        body["meta"]["count"].as_u64(),
        Some(body["payload"].as_array().unwrap().len() as u64)
    );
    ids(&body["payload"])
}

#[tokio::test]
async fn the_contact_filter_applies_each_attribute_and_operator() {
    support::on_each_backend(async |app| {
        let maria = app.acme.contact_id;
        let jon = contact(
            &app,
            json!({"name": "Jon Snow", "email": "Jon@Wall.example", "phone_number": "+4415550000",
                   "additional_attributes": {"city": "Winterfell", "country_code": "GB", "company_name": "Night's Watch"}}),
        )
        .await;
        let nameless = contact(&app, json!({"email": "ghost@wall.example"})).await;
        let one = |a: &str, o: &str, v: Value| json!([condition(a, o, v)]);

        assert_eq!(contacts_matching(&app, one("name", "equal_to", json!(["jon snow"]))).await, [jon]);
        assert_eq!(contacts_matching(&app, one("name", "contains", json!(["LOPEZ"]))).await, [maria]);
        assert_eq!(
            contacts_matching(&app, one("name", "does_not_contain", json!(["snow"]))).await,
            [maria],
            "a contact without a name has no name to compare"
        );
        assert_eq!(contacts_matching(&app, one("name", "not_equal_to", json!(["Jon Snow"]))).await, [maria]);
        assert_eq!(contacts_matching(&app, one("email", "equal_to", json!(["JON@wall.example"]))).await, [jon]);
        assert_eq!(contacts_matching(&app, one("email", "contains", json!(["@wall."]))).await, [jon, nameless]);
        assert_eq!(contacts_matching(&app, one("phone_number", "starts_with", json!(["+44"]))).await, [jon]);
        // Chatwoot reads an equal phone number with its `+`, given or not.
        assert_eq!(contacts_matching(&app, one("phone_number", "equal_to", json!(["4415550000"]))).await, [jon]);
        assert_eq!(contacts_matching(&app, one("phone_number", "equal_to", json!(["+4415550000"]))).await, [jon]);
        assert_eq!(contacts_matching(&app, one("phone_number", "starts_with", json!(["4415"]))).await, Vec::<i64>::new());
        assert_eq!(contacts_matching(&app, one("identifier", "equal_to", json!(["CUST_8812"]))).await, [maria]);
        assert_eq!(contacts_matching(&app, one("city", "contains", json!(["winter"]))).await, [jon]);
        assert_eq!(contacts_matching(&app, one("country_code", "equal_to", json!(["gb"]))).await, [jon]);
        assert_eq!(
            contacts_matching(&app, one("company", "equal_to", json!(["northwind bakery"]))).await,
            [maria]
        );
        assert_eq!(
            contacts_matching(&app, one("created_at", "is_greater_than", json!([day(-1)]))).await,
            [maria, jon, nameless]
        );
        assert!(contacts_matching(&app, one("created_at", "days_before", json!([0]))).await.is_empty());
        assert_eq!(
            contacts_matching(&app, one("blocked", "equal_to", json!([false]))).await,
            [maria, jon, nameless]
        );
        assert!(contacts_matching(&app, one("blocked", "equal_to", json!(["true"]))).await.is_empty());
        let labelled = app
            .post(&app.api(&format!("contacts/{jon}/labels")), &app.admin, &json!({"labels": ["VIP"]}))
            .await;
        assert_eq!(labelled.status, 200, "{}", labelled.text);
        assert_eq!(contacts_matching(&app, one("labels", "equal_to", json!(["vip", "other"]))).await, [jon]);
        assert_eq!(contacts_matching(&app, one("labels", "not_equal_to", json!(["Vip"]))).await, [maria, nameless]);
        assert_eq!(contacts_matching(&app, one("labels", "is_present", json!([]))).await, [jon]);
        assert_eq!(contacts_matching(&app, one("labels", "is_not_present", json!([]))).await, [maria, nameless]);
        let chained = json!([
            {"attribute_key": "city", "filter_operator": "equal_to", "values": ["winterfell"], "query_operator": "or"},
            {"attribute_key": "name", "filter_operator": "contains", "values": ["maria"], "query_operator": null}
        ]);
        assert_eq!(contacts_matching(&app, chained).await, [maria, jon]);

        // Another account's contacts are never matched.
        let res = app
            .post(&app.other_api("contacts/filter"), &app.stranger, &json!({"payload": one("email", "contains", json!(["@"]))}))
            .await;
        assert_eq!(ok(&res)["meta"]["count"], 1);
    })
    .await;
}

#[tokio::test]
async fn the_contact_filter_pages_by_15_with_the_total() {
    support::on_each_backend(async |app| {
        for n in 0..16 {
            contact(&app, json!({"name": format!("Pager {n:02}")})).await;
        }
        let body = json!({"payload": [condition("name", "contains", json!(["pager"]))], "page": 2});
        let second = ok(&app
            .post(&app.api("contacts/filter"), &app.admin, &body)
            .await);
        assert_eq!(second["meta"], json!({"count": 16, "current_page": 2}));
        assert_eq!(second["payload"].as_array().unwrap().len(), 1);
        assert_eq!(second["payload"][0]["name"], "Pager 00", "newest first");
    })
    .await;
}

/// Any JSON, a few levels deep.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (-1e6f64..1e6).prop_map(Value::from),
        any::<String>().prop_map(Value::from),
        prop::sample::select(vec![
            "open",
            "all",
            "2025-01-01",
            "7",
            "vip",
            "%",
            "_",
            "\\",
            "fr"
        ])
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(2, 12, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,6}", inner, 0..3)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A condition as a client may send it: real keys and operators mostly, anything sometimes.
fn condition_value() -> impl Strategy<Value = Value> {
    let keys = vec![
        "status",
        "assignee_id",
        "inbox_id",
        "display_id",
        "labels",
        "browser_language",
        "referer",
        "created_at",
        "last_activity_at",
        "name",
        "email",
        "phone_number",
        "identifier",
        "city",
        "company",
        "blocked",
        "team_id",
        "priority",
        "campaign_id",
        "plan",
        "",
    ];
    let operators = vec![
        "equal_to",
        "not_equal_to",
        "contains",
        "does_not_contain",
        "is_present",
        "is_not_present",
        "is_greater_than",
        "is_less_than",
        "days_before",
        "starts_with",
        "like",
        "",
    ];
    (
        prop_oneof![prop::sample::select(keys).prop_map(Value::from), json_value()],
        prop_oneof![prop::sample::select(operators).prop_map(Value::from), json_value()],
        json_value(),
        prop_oneof![
            prop::sample::select(vec!["and", "OR", "Or", ""]).prop_map(Value::from),
            json_value()
        ],
    )
        .prop_map(|(key, operator, values, join)| {
            json!({"attribute_key": key, "filter_operator": operator, "values": values, "query_operator": join})
        })
}

fn filter_body() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => (prop::collection::vec(condition_value(), 0..5), prop::option::of(json_value()))
            .prop_map(|(conditions, page)| json!({"payload": conditions, "page": page})),
        1 => json_value().prop_map(|payload| json!({ "payload": payload })),
        1 => json_value(),
    ]
}

#[tokio::test]
async fn arbitrary_filter_payloads_are_never_a_server_error() {
    let cases: u32 = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(128);
    support::on_each_backend(async |app| {
        let mut runner = TestRunner::new(Config::default());
        let strategy = filter_body();
        for case in 0..cases {
            let body = strategy
                .new_tree(&mut runner)
                .expect("a generated body")
                .current();
            let path = if case % 2 == 0 {
                "conversations/filter"
            } else {
                "contacts/filter"
            };
            let res = app.post(&app.api(path), &app.agent, &body).await;
            let status = res.status.as_u16();
            assert!(
                status == 200 || status == 422,
                "{path} answered {status} to {body}: {}",
                res.text
            );
            if status == 422 {
                expect(&res, 422);
                assert!(res.json()["attributes"][0].is_string(), "{}", res.text);
            }
        }
    })
    .await;
}
