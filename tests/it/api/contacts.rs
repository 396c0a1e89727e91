//! `/api/v1/accounts/{id}/contacts`: list, search, create, show, update, delete and a contact's
//! conversations.

use super::{
    assert_invalid, assert_members_only, assert_not_found, assert_schema, enc, keys, long, ok,
};
use crate::support::{self, TestApp};
use axum::http::Method;
use serde_json::{json, Value};

async fn create(app: &TestApp, body: Value) -> Value {
    let res = app.post(&app.api("contacts"), &app.admin, &body).await;
    let created = ok(&res);
    assert_schema(&created["payload"]["contact"], Some("contact"));
    created["payload"]["contact"].clone()
}

fn ids(list: &Value) -> Vec<i64> {
    list["payload"]
        .as_array()
        .expect("payload is an array")
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn the_list_has_meta_and_a_payload_of_contacts_of_this_account_only() {
    support::on_each_backend(async |app| {
        for who in [&app.admin, &app.agent] {
            let list = ok(&app.get(&app.api("contacts"), who).await);
            assert_eq!(keys(&list), ["meta", "payload"]);
            assert_eq!(list["meta"], json!({"count": 1, "current_page": 1}));
            let contact = &list["payload"][0];
            assert_schema(contact, Some("contact"));
            assert_eq!(contact["id"], app.acme.contact_id);
            assert_eq!(contact["name"], "Maria Lopez");
            assert_eq!(contact["email"], "maria@northwind.example");
            assert_eq!(contact["phone_number"], "+14155550100");
            assert_eq!(contact["identifier"], "cust_8812");
            assert_eq!(contact["custom_attributes"], json!({"plan": "pro"}));
            assert_eq!(
                contact["additional_attributes"]["company_name"],
                "Northwind Bakery"
            );
        }
        let theirs = ok(&app.get(&app.other_api("contacts"), &app.stranger).await);
        assert_eq!(ids(&theirs), [app.other.contact_id]);
    })
    .await;
}

#[tokio::test]
async fn the_list_pages_by_15_and_sorts_by_the_named_attribute() {
    support::on_each_backend(async |app| {
        for n in 0..16 {
            create(
                &app,
                json!({"name": format!("Person {n:02}"), "email": format!("p{n:02}@example.com")}),
            )
            .await;
        }
        let page1 = ok(&app.get(&app.api("contacts"), &app.admin).await);
        assert_eq!(page1["meta"], json!({"count": 17, "current_page": 1}));
        assert_eq!(ids(&page1).len(), 15);
        let page2 = ok(&app.get(&app.api("contacts?page=2"), &app.admin).await);
        assert_eq!(page2["meta"], json!({"count": 17, "current_page": 2}));
        assert_eq!(ids(&page2).len(), 2);
        let page3 = ok(&app.get(&app.api("contacts?page=3"), &app.admin).await);
        assert_eq!(page3["meta"], json!({"count": 17, "current_page": 3}));
        assert!(ids(&page3).is_empty());
        // Newest first by default, and the pages do not overlap.
        let mut all = ids(&page1);
        all.extend(ids(&page2));
        let mut sorted = all.clone();
        sorted.sort_unstable_by(|a, b| b.cmp(a));
        assert_eq!(all, sorted);
        assert!(all.contains(&app.acme.contact_id));

        let names = |list: &Value| -> Vec<String> {
            list["payload"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["name"].as_str().unwrap().to_owned())
                .collect()
        };
        let by_name = ok(&app.get(&app.api("contacts?sort=name"), &app.admin).await);
        assert_eq!(names(&by_name)[0], "Maria Lopez");
        assert_eq!(names(&by_name)[1], "Person 00");
        let by_name_desc = ok(&app.get(&app.api("contacts?sort=-name"), &app.admin).await);
        assert_eq!(names(&by_name_desc)[0], "Person 15");
        let oldest = ok(&app
            .get(&app.api("contacts?sort=created_at"), &app.admin)
            .await);
        assert_eq!(ids(&oldest)[0], app.acme.contact_id);
        for sort in [
            "email",
            "-email",
            "last_activity_at",
            "-last_activity_at",
            "-created_at",
            "",
        ] {
            let list = ok(&app
                .get(
                    &app.api(&format!("contacts?sort={sort}&page=2")),
                    &app.admin,
                )
                .await);
            assert_eq!(list["meta"]["count"], 17, "sort={sort}");
            assert_eq!(ids(&list).len(), 2, "sort={sort}");
        }
        for sort in [
            "id",
            "name;DROP TABLE contacts",
            "NAME",
            "--name",
            "phone_number",
        ] {
            let res = app
                .get(
                    &app.api(&format!("contacts?sort={}", enc(sort))),
                    &app.admin,
                )
                .await;
            assert_invalid(&res, "sort");
        }
        // A repeated parameter is read once (the last one wins), never a plain-text 400.
        let repeated = ok(&app
            .get(
                &app.api("contacts?page=2&page=1&sort=email&sort=name"),
                &app.admin,
            )
            .await);
        assert_eq!(repeated["meta"]["current_page"], 1);
        assert_eq!(names(&repeated)[0], "Maria Lopez");
        for page in ["0", "-1", "x", "1.5", "99999999999", "1e3", "%00"] {
            let res = app
                .get(&app.api(&format!("contacts?page={page}")), &app.admin)
                .await;
            assert_invalid(&res, "page");
            let res = app
                .get(
                    &app.api(&format!("contacts/search?q=a&page={page}")),
                    &app.admin,
                )
                .await;
            assert_invalid(&res, "page");
        }
    })
    .await;
}

#[tokio::test]
async fn creating_a_contact_with_an_inbox_returns_its_source_id() {
    support::on_each_backend(async |app| {
        let res = app
            .post(
                &app.api("contacts"),
                &app.agent,
                &json!({"contact": {
                    "name": " Ann Lee ", "email": "Ann@Example.COM", "phone_number": "+1 (415) 555-0199",
                    "identifier": "cust_1", "inbox_id": app.acme.inbox_id,
                    "custom_attributes": {"tier": "gold"},
                    "additional_attributes": {"company_name": "Lee & Co", "description": "VIP"}
                }}),
            )
            .await;
        let body = ok(&res);
        let payload = &body["payload"];
        let contact = &payload["contact"];
        assert_schema(contact, Some("contact"));
        assert_eq!(contact["name"], "Ann Lee");
        assert_eq!(contact["email"], "ann@example.com");
        assert_eq!(contact["phone_number"], "+14155550199");
        assert_eq!(contact["identifier"], "cust_1");
        assert_eq!(contact["custom_attributes"], json!({"tier": "gold"}));
        assert_eq!(contact["additional_attributes"]["company_name"], "Lee & Co");
        let source_id = payload["contact_inbox"]["source_id"].as_str().expect("a source_id");
        assert!(!source_id.is_empty());
        assert_eq!(payload["contact_inbox"]["inbox"]["id"], app.acme.inbox_id);
        assert!(payload["contact_inbox"]["inbox"].get("hmac_token").is_none(), "{payload}");
        // Without an inbox there is no contact inbox; every attribute is optional.
        let res = app.post(&app.api("contacts"), &app.admin, &json!({})).await;
        let body = ok(&res);
        assert_eq!(body["payload"]["contact_inbox"], Value::Null);
        assert_schema(&body["payload"]["contact"], Some("contact"));
        assert_eq!(body["payload"]["contact"]["name"], Value::Null);
        assert_eq!(body["payload"]["contact"]["custom_attributes"], json!({}));
        // The same e-mail is free in another account.
        let res = app.post(&app.other_api("contacts"), &app.stranger, &json!({"email": "ann@example.com"})).await;
        ok(&res);
        let list = ok(&app.get(&app.api("contacts"), &app.admin).await);
        assert_eq!(list["meta"]["count"], 3);
    })
    .await;
}

#[tokio::test]
async fn invalid_contact_input_is_a_422_naming_the_field() {
    support::on_each_backend(async |app| {
        let list = app.api("contacts");
        let fresh = create(
            &app,
            json!({"email": "fresh@example.com", "identifier": "fresh"}),
        )
        .await;
        let cases = [
            (json!({"name": long(256)}), "name"),
            (json!({"name": 5}), "name"),
            (json!({"email": "nope"}), "email"),
            (json!({"email": "a@b"}), "email"),
            (json!({"email": "@b.io"}), "email"),
            (json!({"email": "a@@b.io"}), "email"),
            (json!({"email": "a b@c.io"}), "email"),
            (json!({"email": 5}), "email"),
            (
                json!({"email": format!("{}@example.com", long(250))}),
                "email",
            ),
            (json!({"phone_number": "call me"}), "phone_number"),
            (json!({"phone_number": "+1"}), "phone_number"),
            (json!({"phone_number": long(33)}), "phone_number"),
            (json!({"phone_number": 14155550100_i64}), "phone_number"),
            (json!({"identifier": long(256)}), "identifier"),
            (json!({"identifier": 7}), "identifier"),
            (json!({"custom_attributes": [1]}), "custom_attributes"),
            (json!({"custom_attributes": "x"}), "custom_attributes"),
            (
                json!({"custom_attributes": {"big": long(70 * 1024)}}),
                "custom_attributes",
            ),
            (
                json!({"additional_attributes": "x"}),
                "additional_attributes",
            ),
            (
                json!({"additional_attributes": {"company_name": 5}}),
                "additional_attributes",
            ),
            (
                json!({"additional_attributes": {"social_profiles": "x"}}),
                "additional_attributes",
            ),
            (json!({"inbox_id": app.other.inbox_id}), "inbox_id"),
            (json!({"inbox_id": 999_999}), "inbox_id"),
            (json!({"inbox_id": "one"}), "inbox_id"),
            (json!({"inbox_id": 1.5}), "inbox_id"),
            // Taken within the account, whatever the case.
            (json!({"email": "maria@northwind.example"}), "email"),
            (json!({"email": "MARIA@Northwind.Example"}), "email"),
            (json!({"identifier": "cust_8812"}), "identifier"),
            (
                json!({"email": "brand-new@example.com", "identifier": "cust_8812"}),
                "identifier",
            ),
            (json!({"contact": [1]}), "contact"),
        ];
        for (body, field) in &cases {
            assert_invalid(&app.post(&list, &app.admin, body).await, field);
        }
        // Updates are judged the same way (an inbox is not part of an update).
        let one = app.api(&format!("contacts/{}", fresh["id"]));
        for (body, field) in cases
            .iter()
            .filter(|(_, f)| !matches!(*f, "inbox_id" | "contact"))
        {
            assert_invalid(&app.patch(&one, &app.admin, body).await, field);
        }
        let mut shown = ok(&app.get(&one, &app.admin).await)["payload"].clone();
        assert_eq!(shown["contact_inboxes"], serde_json::json!([]));
        shown.as_object_mut().unwrap().remove("contact_inboxes");
        assert_eq!(shown, fresh);
        assert_eq!(ok(&app.get(&list, &app.admin).await)["meta"]["count"], 2);
    })
    .await;
}

#[tokio::test]
async fn a_contact_is_shown_updated_and_deleted_within_its_account() {
    support::on_each_backend(async |app| {
        let one = app.api(&format!("contacts/{}", app.acme.contact_id));
        let shown = ok(&app.get(&one, &app.agent).await);
        assert_eq!(keys(&shown), ["payload"]);
        assert_schema(&shown["payload"], Some("contact"));
        assert_eq!(shown["payload"]["id"], app.acme.contact_id);
        // Attributes merge, blank text clears, the rest stays.
        let updated = ok(&app
            .patch(
                &one,
                &app.agent,
                &json!({"name": "Maria L.", "phone_number": "", "custom_attributes": {"tier": "gold"}}),
            )
            .await);
        let contact = &updated["payload"];
        assert_schema(contact, Some("contact"));
        assert_eq!(contact["name"], "Maria L.");
        assert_eq!(contact["phone_number"], Value::Null);
        assert_eq!(contact["email"], "maria@northwind.example");
        assert_eq!(contact["custom_attributes"], json!({"plan": "pro", "tier": "gold"}));
        let updated = ok(&app.put(&one, &app.admin, &json!({"contact": {"email": "Maria@New.Example"}})).await);
        assert_eq!(updated["payload"]["email"], "maria@new.example");
        assert_eq!(updated["payload"]["name"], "Maria L.");
        assert_eq!(ok(&app.get(&one, &app.admin).await), updated);
        // Taking another contact's e-mail is refused.
        let other = create(&app, json!({"email": "other@example.com"})).await;
        let res = app.patch(&one, &app.admin, &json!({"email": "other@example.com"})).await;
        assert_invalid(&res, "email");
        // Deleting takes the contact's conversations with it.
        let res = app.delete(&one, &app.admin).await;
        assert_eq!(res.status.as_u16(), 200, "{}", res.text);
        assert_not_found(&app.get(&one, &app.admin).await);
        assert_not_found(&app.patch(&one, &app.admin, &json!({"name": "x"})).await);
        assert_not_found(&app.delete(&one, &app.admin).await);
        assert_not_found(&app.get(&app.api(&format!("conversations/{}", app.acme.conversation)), &app.admin).await);
        let list = ok(&app.get(&app.api("contacts"), &app.admin).await);
        assert_eq!(ids(&list), [other["id"].as_i64().unwrap()]);
    })
    .await;
}

#[tokio::test]
async fn another_accounts_contact_ids_are_404s() {
    support::on_each_backend(async |app| {
        for id in [app.other.contact_id, 999_999] {
            let uri = app.api(&format!("contacts/{id}"));
            assert_not_found(&app.get(&uri, &app.admin).await);
            assert_not_found(&app.patch(&uri, &app.admin, &json!({"name": "Mine"})).await);
            assert_not_found(
                &app.put(&uri, &app.admin, &json!({"email": "x@example.com"}))
                    .await,
            );
            assert_not_found(&app.delete(&uri, &app.admin).await);
            assert_not_found(&app.get(&format!("{uri}/conversations"), &app.admin).await);
        }
        let theirs = ok(&app
            .get(
                &app.other_api(&format!("contacts/{}", app.other.contact_id)),
                &app.stranger,
            )
            .await);
        assert_eq!(theirs["payload"]["name"], "Maria Lopez");
        assert_eq!(theirs["payload"]["email"], "maria@northwind.example");
    })
    .await;
}

#[tokio::test]
async fn outsiders_get_401_on_every_contact_route() {
    support::on_each_backend(async |app| {
        let one = app.api(&format!("contacts/{}", app.acme.contact_id));
        assert_members_only(&app, Method::GET, &app.api("contacts"), None).await;
        assert_members_only(
            &app,
            Method::POST,
            &app.api("contacts"),
            Some(&json!({"name": "x"})),
        )
        .await;
        assert_members_only(&app, Method::GET, &app.api("contacts/search?q=maria"), None).await;
        assert_members_only(&app, Method::GET, &one, None).await;
        assert_members_only(&app, Method::PATCH, &one, Some(&json!({"name": "x"}))).await;
        assert_members_only(&app, Method::PUT, &one, Some(&json!({"name": "x"}))).await;
        assert_members_only(&app, Method::DELETE, &one, None).await;
        assert_members_only(&app, Method::GET, &format!("{one}/conversations"), None).await;
        assert_eq!(
            ok(&app.get(&one, &app.admin).await)["payload"]["name"],
            "Maria Lopez"
        );
    })
    .await;
}

#[tokio::test]
async fn search_matches_name_email_phone_and_identifier_literally_within_the_account() {
    support::on_each_backend(async |app| {
        let percent = create(&app, json!({"name": "100% Real", "identifier": "under_score"})).await;
        let plain = create(&app, json!({"name": "Plain Person", "email": "plain@example.com", "phone_number": "+4930123456"})).await;
        let search = async |q: &str| ok(&app.get(&app.api(&format!("contacts/search?q={}", enc(q))), &app.agent).await);
        let maria = app.acme.contact_id;
        for q in ["maria", "MARIA", "lopez", "northwind.example", "MARIA@NORTHWIND", "5550100", "+1415", "cust_88", "CUST_8812"] {
            let found = search(q).await;
            assert_eq!(ids(&found), [maria], "q={q}");
            assert_eq!(found["meta"], json!({"count": 1, "current_page": 1}), "q={q}");
            assert_schema(&found["payload"][0], Some("contact"));
        }
        assert_eq!(ids(&search("plain").await), [plain["id"].as_i64().unwrap()]);
        assert_eq!(ids(&search("4930").await), [plain["id"].as_i64().unwrap()]);
        // LIKE wildcards are plain characters.
        assert_eq!(ids(&search("%").await), [percent["id"].as_i64().unwrap()]);
        assert_eq!(ids(&search("0% r").await), [percent["id"].as_i64().unwrap()]);
        assert_eq!(ids(&search("d_r").await), Vec::<i64>::new(), "_ is not a wildcard");
        assert_eq!(ids(&search("under_").await), [percent["id"].as_i64().unwrap()]);
        assert_eq!(ids(&search("\\").await), Vec::<i64>::new());
        assert_eq!(ids(&search("'; DROP TABLE contacts; --").await), Vec::<i64>::new());
        let none = search("zzz-no-such-contact").await;
        assert_eq!(none, json!({"meta": {"count": 0, "current_page": 1}, "payload": []}));
        // No query lists everyone in the account (and never the other account's Maria).
        let everyone = ok(&app.get(&app.api("contacts/search"), &app.admin).await);
        assert_eq!(everyone["meta"]["count"], 3);
        assert!(!ids(&everyone).contains(&app.other.contact_id));
        assert_invalid(&app.get(&app.api(&format!("contacts/search?q={}", long(256))), &app.admin).await, "q");
    })
    .await;
}

#[tokio::test]
async fn a_contacts_conversations_are_listed_in_every_status() {
    support::on_each_backend(async |app| {
        let contact = create(&app, json!({"name": "Busy Buyer"})).await;
        let contact_id = contact["id"].as_i64().unwrap();
        let uri = app.api(&format!("contacts/{contact_id}/conversations"));
        assert_eq!(ok(&app.get(&uri, &app.agent).await), json!({"payload": []}));
        let mut created = Vec::new();
        for status in ["open", "resolved", "pending", "snoozed"] {
            let res = app
                .post(
                    &app.api("conversations"),
                    &app.agent,
                    &json!({"inbox_id": app.acme.inbox_id, "contact_id": contact_id, "status": status, "message": {"content": "hello"}}),
                )
                .await;
            created.push(ok(&res)["id"].as_i64().unwrap());
        }
        let list = ok(&app.get(&uri, &app.agent).await);
        let payload = list["payload"].as_array().unwrap();
        assert_eq!(payload.len(), 4);
        for conversation in payload {
            assert_schema(conversation, Some("conversation"));
            assert_eq!(conversation["meta"]["sender"]["id"], contact_id);
            assert!(created.contains(&conversation["id"].as_i64().unwrap()));
        }
        // The seeded contact still has exactly its own one.
        let seeded = ok(&app.get(&app.api(&format!("contacts/{}/conversations", app.acme.contact_id)), &app.agent).await);
        assert_eq!(seeded["payload"].as_array().unwrap().len(), 1);
        assert_eq!(seeded["payload"][0]["id"], app.acme.conversation);
    })
    .await;
}
