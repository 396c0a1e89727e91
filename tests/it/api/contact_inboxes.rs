//! A contact's inboxes: `contact_inboxes[]` in `GET contacts/{id}`, `GET contactable_inboxes`
//! and `POST contact_inboxes`, each `{source_id, inbox}`.

use super::{assert_invalid, assert_members_only, assert_not_found, keys, ok};
use crate::support;
use axum::http::Method;
use serde_json::{json, Value};

#[tokio::test]
async fn a_contact_inbox_is_created_and_shown_with_the_contact() {
    support::on_each_backend(async |app| {
        let contact = ok(&app
            .post(&app.api("contacts"), &app.agent, &json!({"name": "Nia"}))
            .await)["payload"]["contact"]
            .clone();
        let show = app.api(&format!("contacts/{}", contact["id"]));
        let shown = ok(&app.get(&show, &app.agent).await);
        assert_eq!(shown["payload"]["contact_inboxes"], json!([]));
        let url = app.api(&format!("contacts/{}/contact_inboxes", contact["id"]));
        let made = ok(&app
            .post(&url, &app.agent, &json!({"inbox_id": app.acme.inbox_id, "source_id": "crm-77"}))
            .await);
        assert_eq!(keys(&made), ["inbox", "source_id"]);
        assert_eq!(made["source_id"], "crm-77");
        assert_eq!(made["inbox"]["id"], app.acme.inbox_id);
        assert!(made["inbox"].get("hmac_token").is_none(), "agents see no HMAC token");
        let generated = ok(&app
            .post(&url, &app.admin, &json!({"inbox_id": app.acme.inbox_id}))
            .await);
        let generated_id = generated["source_id"].as_str().unwrap().to_owned();
        assert!(generated_id.len() >= 16, "{generated}");
        assert!(generated["inbox"]["hmac_token"].is_string(), "administrators do");
        let shown = ok(&app.get(&show, &app.agent).await)["payload"].clone();
        let sources: Vec<&Value> = shown["contact_inboxes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|ci| &ci["source_id"])
            .collect();
        assert_eq!(sources, [&json!("crm-77"), &json!(generated_id)]);
        assert_eq!(shown["contact_inboxes"][0]["inbox"]["inbox_identifier"], made["inbox"]["inbox_identifier"]);
        // An update answers them too; `include_contact_inboxes=false` leaves them out of either.
        let updated = ok(&app.patch(&show, &app.agent, &json!({"name": "Nia K."})).await);
        assert_eq!(updated["payload"]["contact_inboxes"], shown["contact_inboxes"]);
        for res in [
            app.get(&format!("{show}?include_contact_inboxes=false"), &app.agent).await,
            app.patch(&format!("{show}?include_contact_inboxes=false"), &app.agent, &json!({})).await,
        ] {
            let body = ok(&res);
            assert!(body["payload"].get("contact_inboxes").is_none(), "{body}");
            assert_eq!(body["payload"]["name"], "Nia K.");
        }
        // The source_id starts a conversation.
        let conversation = ok(&app
            .post(
                &app.api("conversations"),
                &app.agent,
                &json!({"inbox_id": app.acme.inbox_id, "contact_id": contact["id"], "source_id": "crm-77"}),
            )
            .await);
        assert_eq!(conversation["meta"]["sender"]["id"], contact["id"]);
    })
    .await;
}

#[tokio::test]
async fn a_bad_contact_inbox_is_refused_and_nothing_is_written() {
    support::on_each_backend(async |app| {
        let url = app.api(&format!("contacts/{}/contact_inboxes", app.acme.contact_id));
        ok(&app
            .post(
                &url,
                &app.agent,
                &json!({"inbox_id": app.acme.inbox_id, "source_id": "dup"}),
            )
            .await);
        assert_invalid(
            &app.post(
                &url,
                &app.agent,
                &json!({"inbox_id": app.acme.inbox_id, "source_id": "dup"}),
            )
            .await,
            "source_id",
        );
        assert_invalid(
            &app.post(&url, &app.agent, &json!({"source_id": "x"})).await,
            "inbox_id",
        );
        assert_invalid(
            &app.post(&url, &app.agent, &json!({"inbox_id": "three"}))
                .await,
            "inbox_id",
        );
        // Another account's inbox, or contact, is not found.
        assert_not_found(
            &app.post(&url, &app.agent, &json!({"inbox_id": app.other.inbox_id}))
                .await,
        );
        let theirs = app.api(&format!(
            "contacts/{}/contact_inboxes",
            app.other.contact_id
        ));
        assert_not_found(
            &app.post(&theirs, &app.agent, &json!({"inbox_id": app.acme.inbox_id}))
                .await,
        );
        assert_members_only(
            &app,
            Method::POST,
            &url,
            Some(&json!({"inbox_id": app.acme.inbox_id})),
        )
        .await;
        let shown = ok(&app
            .get(
                &app.api(&format!("contacts/{}", app.acme.contact_id)),
                &app.agent,
            )
            .await);
        let dups = shown["payload"]["contact_inboxes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|ci| ci["source_id"] == "dup")
            .count();
        assert_eq!(dups, 1);
    })
    .await;
}

#[tokio::test]
async fn contactable_inboxes_offer_every_inbox_with_the_contacts_source_id() {
    support::on_each_backend(async |app| {
        let second = ok(&app
            .post(
                &app.api("inboxes"),
                &app.admin,
                &json!({"name": "Second", "channel": {"type": "api"}}),
            )
            .await);
        super::join(&app, second["id"].as_i64().unwrap(), &app.agent).await;
        let url = app.api(&format!(
            "contacts/{}/contactable_inboxes",
            app.acme.contact_id
        ));
        let contact_inboxes = app.api(&format!("contacts/{}/contact_inboxes", app.acme.contact_id));
        ok(&app
            .post(
                &contact_inboxes,
                &app.agent,
                &json!({"inbox_id": second["id"], "source_id": "second-1"}),
            )
            .await);
        let body = ok(&app.get(&url, &app.agent).await);
        let payload = body["payload"].as_array().unwrap();
        assert_eq!(payload.len(), 2, "{body}");
        for entry in payload {
            assert_eq!(keys(entry), ["inbox", "source_id"]);
            assert!(entry["source_id"].as_str().is_some_and(|s| !s.is_empty()));
        }
        let in_second = payload
            .iter()
            .find(|e| e["inbox"]["id"] == second["id"])
            .unwrap();
        assert_eq!(in_second["source_id"], "second-1");
        assert_members_only(&app, Method::GET, &url, None).await;
        let theirs = app.other_api(&format!(
            "contacts/{}/contactable_inboxes",
            app.acme.contact_id
        ));
        assert_not_found(&app.get(&theirs, &app.stranger).await);
    })
    .await;
}

/// Where `body` departs from `definition` in `tests/fixtures/api.schema.json`.
fn api_schema_errors(definition: &str, body: &Value) -> Vec<String> {
    let mut schema = support::fixture("api.schema.json");
    schema["$ref"] = json!(format!("#/$defs/{definition}"));
    let validator = jsonschema::validator_for(&schema).expect("the API schema compiles");
    validator
        .iter_errors(body)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect()
}

/// Chatwoot's `contacts/index`, `search` and `filter.json.jbuilder` render each contact
/// `with_contact_inboxes` (unless `include_contact_inboxes=false`), as `show` does.
#[tokio::test]
async fn lists_search_and_filter_carry_each_contacts_inboxes() {
    support::on_each_backend(async |app| {
        let nia = ok(&app
            .post(&app.api("contacts"), &app.agent, &json!({"name": "Nia Kern", "inbox_id": app.acme.inbox_id}))
            .await)["payload"]
            .clone();
        let first = nia["contact_inbox"]["source_id"].clone();
        let url = app.api(&format!("contacts/{}/contact_inboxes", nia["contact"]["id"]));
        ok(&app
            .post(&url, &app.agent, &json!({"inbox_id": app.acme.inbox_id, "source_id": "crm-9"}))
            .await);
        let nils = ok(&app
            .post(&app.api("contacts"), &app.agent, &json!({"name": "Nils Kern"}))
            .await)["payload"]["contact"]
            .clone();
        let filter = json!({"payload": [{"attribute_key": "name", "filter_operator": "contains", "values": ["Kern"], "query_operator": null}]});
        for who in [&app.agent, &app.admin] {
            for (name, res) in [
                ("index", app.get(&app.api("contacts?sort=name"), who).await),
                ("search", app.get(&app.api("contacts/search?q=Kern"), who).await),
                ("filter", app.post(&app.api("contacts/filter"), who, &filter).await),
            ] {
                let body = ok(&res);
                let errors = api_schema_errors("contactList", &body);
                assert!(errors.is_empty(), "{name}: {errors:#?} in {body:#}");
                let by_id = |id: &Value| {
                    body["payload"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .find(|c| &c["id"] == id)
                        .unwrap_or_else(|| panic!("{name} lists {id}: {body}"))
                        .clone()
                };
                let listed = by_id(&nia["contact"]["id"]);
                let sources: Vec<&Value> = listed["contact_inboxes"]
                    .as_array()
                    .unwrap_or_else(|| panic!("{name}: {listed}"))
                    .iter()
                    .map(|ci| &ci["source_id"])
                    .collect();
                assert_eq!(sources, [&first, &json!("crm-9")], "{name}");
                assert_eq!(listed["contact_inboxes"][0]["inbox"]["id"], app.acme.inbox_id);
                // The inbox's HMAC token for administrators only, as in `show`.
                assert_eq!(
                    listed["contact_inboxes"][0]["inbox"]["hmac_token"].is_string(),
                    std::ptr::eq(who, &app.admin),
                    "{name}: {listed}"
                );
                assert_eq!(by_id(&nils["id"])["contact_inboxes"], json!([]), "{name}");
            }
        }
        for res in [
            app.get(&app.api("contacts?include_contact_inboxes=false"), &app.agent).await,
            app.get(&app.api("contacts/search?q=Kern&include_contact_inboxes=false"), &app.agent).await,
            app.post(&app.api("contacts/filter?include_contact_inboxes=false"), &app.agent, &filter).await,
        ] {
            let body = ok(&res);
            assert!(api_schema_errors("contactList", &body).is_empty(), "{body}");
            let contacts = body["payload"].as_array().unwrap();
            assert!(!contacts.is_empty());
            assert!(contacts.iter().all(|c| c.get("contact_inboxes").is_none()), "{body}");
        }
    })
    .await;
}
