//! `/api/v1/accounts/{id}/custom_attribute_definitions`: bare arrays and objects, the enums by
//! name, `?attribute_model=`, writes for administrators; and the definitions validating the
//! custom attributes written to contacts and conversations.

use super::{
    assert_forbidden, assert_invalid, assert_members_only, assert_not_found, expect, keys, ok,
};
use crate::support;
use axum::http::Method;
use serde_json::{json, Value};

fn plan() -> Value {
    json!({
        "attribute_display_name": "Plan",
        "attribute_display_type": 6,
        "attribute_key": "plan",
        "attribute_model": 1,
        "attribute_values": ["free", "pro"],
        "attribute_description": "The customer's plan"
    })
}

#[tokio::test]
async fn an_administrator_creates_lists_shows_updates_and_deletes_definitions() {
    support::on_each_backend(async |app| {
        let list = app.api("custom_attribute_definitions");
        assert_eq!(ok(&app.get(&list, &app.agent).await), json!([]));
        let plan = ok(&app.post(&list, &app.admin, &plan()).await);
        assert_eq!(
            keys(&plan),
            [
                "attribute_description",
                "attribute_display_name",
                "attribute_display_type",
                "attribute_key",
                "attribute_model",
                "attribute_values",
                "created_at",
                "default_value",
                "id",
                "regex_cue",
                "regex_pattern",
                "updated_at"
            ]
        );
        assert_eq!(plan["attribute_display_type"], "list");
        assert_eq!(plan["attribute_model"], "contact_attribute");
        assert_eq!(plan["attribute_values"], json!(["free", "pro"]));
        assert_eq!(plan["default_value"], Value::Null);
        let order = ok(&app
            .post(
                &list,
                &app.admin,
                &json!({"custom_attribute_definition": {
                    "attribute_display_name": "Order number",
                    "attribute_display_type": "text",
                    "attribute_key": "order_number",
                    "attribute_model": "conversation_attribute",
                    "regex_pattern": "/^ORD-\\d+$/",
                    "regex_cue": "Like ORD-123"
                }}),
            )
            .await);
        assert_eq!(order["attribute_model"], "conversation_attribute");
        assert_eq!(order["regex_pattern"], "/^ORD-\\d+$/");
        assert_eq!(order["regex_cue"], "Like ORD-123");
        assert_eq!(order["attribute_values"], json!([]));
        // Both models by default (each in its own order, Chatwoot's position), one by number or name.
        let all = ok(&app.get(&list, &app.agent).await);
        assert_eq!(all, json!([plan, order]));
        for model in ["1", "contact_attribute"] {
            let found = ok(&app.get(&format!("{list}?attribute_model={model}"), &app.agent).await);
            assert_eq!(found, json!([plan]), "{model}");
        }
        let found = ok(&app.get(&format!("{list}?attribute_model=0"), &app.agent).await);
        assert_eq!(found, json!([order]));
        assert_invalid(
            &app.get(&format!("{list}?attribute_model=company"), &app.agent).await,
            "attribute_model",
        );
        let one = app.api(&format!("custom_attribute_definitions/{}", plan["id"]));
        assert_eq!(ok(&app.get(&one, &app.agent).await), plan);
        let updated = ok(&app
            .patch(
                &one,
                &app.admin,
                &json!({"attribute_display_name": "Subscription", "attribute_values": ["free", "pro", "enterprise"]}),
            )
            .await);
        assert_eq!(updated["attribute_display_name"], "Subscription");
        assert_eq!(updated["attribute_values"], json!(["free", "pro", "enterprise"]));
        assert_eq!(updated["attribute_key"], "plan");
        let res = app.delete(&one, &app.admin).await;
        assert_eq!(res.status.as_u16(), 204, "{}", res.text);
        assert_not_found(&app.get(&one, &app.admin).await);
        assert_not_found(&app.delete(&one, &app.admin).await);
        assert_eq!(ok(&app.get(&list, &app.admin).await), json!([order]));
    })
    .await;
}

#[tokio::test]
async fn agents_read_definitions_but_only_administrators_write_them() {
    support::on_each_backend(async |app| {
        let list = app.api("custom_attribute_definitions");
        assert_forbidden(&app.post(&list, &app.agent, &plan()).await);
        let plan = ok(&app.post(&list, &app.admin, &plan()).await);
        let one = app.api(&format!("custom_attribute_definitions/{}", plan["id"]));
        assert_forbidden(
            &app.patch(&one, &app.agent, &json!({"attribute_display_name": "X"}))
                .await,
        );
        assert_forbidden(&app.delete(&one, &app.agent).await);
        assert_eq!(ok(&app.get(&one, &app.agent).await), plan);
        assert_members_only(&app, Method::GET, &list, None).await;
        assert_members_only(&app, Method::GET, &one, None).await;
        assert_members_only(&app, Method::DELETE, &one, None).await;
        let theirs = app.other_api(&format!("custom_attribute_definitions/{}", plan["id"]));
        assert_not_found(&app.get(&theirs, &app.stranger).await);
        assert_not_found(&app.delete(&theirs, &app.stranger).await);
        assert_eq!(expect(&app.get(&one, &app.admin).await, 200), plan);
    })
    .await;
}

#[tokio::test]
async fn bad_definitions_are_a_422_naming_the_field() {
    support::on_each_backend(async |app| {
        let list = app.api("custom_attribute_definitions");
        ok(&app.post(&list, &app.admin, &plan()).await);
        let with = |key: &str, value: Value| {
            let mut body = plan();
            body["attribute_key"] = json!("other");
            body[key] = value;
            body
        };
        let message = assert_invalid(&app.post(&list, &app.admin, &plan()).await, "attribute_key");
        assert_eq!(message, "Attribute key has already been taken");
        for (field, value) in [
            ("attribute_key", json!("has space")),
            ("attribute_key", json!("email")),
            ("attribute_key", json!("")),
            ("attribute_display_name", json!(" ")),
            ("attribute_display_type", json!("colour")),
            ("attribute_display_type", json!(9)),
            ("attribute_model", json!(2)),
            ("attribute_values", json!([])),
            ("attribute_values", json!("free")),
            ("attribute_values", json!([1, 2])),
            ("regex_pattern", json!("/([a-z/")),
            ("attribute_display_name", json!(5)),
        ] {
            assert_invalid(
                &app.post(&list, &app.admin, &with(field, value.clone()))
                    .await,
                field,
            );
        }
        // The same key may serve the other model.
        let mut conversation_plan = plan();
        conversation_plan["attribute_model"] = json!(0);
        ok(&app.post(&list, &app.admin, &conversation_plan).await);
        assert_eq!(
            ok(&app.get(&list, &app.admin).await)
                .as_array()
                .unwrap()
                .len(),
            2
        );
    })
    .await;
}

#[tokio::test]
async fn contact_custom_attributes_are_validated_against_their_definitions() {
    support::on_each_backend(async |app| {
        let list = app.api("custom_attribute_definitions");
        ok(&app.post(&list, &app.admin, &plan()).await);
        for (key, kind) in [
            ("seats", "number"),
            ("vip", "checkbox"),
            ("renewal", "date"),
        ] {
            ok(&app
                .post(
                    &list,
                    &app.admin,
                    &json!({"attribute_display_name": key, "attribute_display_type": kind,
                            "attribute_key": key, "attribute_model": "contact_attribute"}),
                )
                .await);
        }
        let contact = app.api(&format!("contacts/{}", app.acme.contact_id));
        for (key, value) in [
            ("plan", json!("gold")),
            ("seats", json!("many")),
            ("vip", json!("yes")),
            ("renewal", json!("next week")),
        ] {
            let body = json!({"custom_attributes": {key: value}});
            assert_invalid(&app.patch(&contact, &app.agent, &body).await, key);
        }
        let good = json!({"custom_attributes": {
            "plan": "pro", "seats": 12, "vip": true, "renewal": "2027-01-31", "free_form": [1]
        }});
        let saved = ok(&app.patch(&contact, &app.agent, &good).await);
        assert_eq!(
            saved["payload"]["custom_attributes"],
            good["custom_attributes"]
        );
        // Nothing of a refused write was kept.
        let res = app
            .patch(
                &contact,
                &app.agent,
                &json!({"name": "Changed", "custom_attributes": {"plan": "gold"}}),
            )
            .await;
        assert_invalid(&res, "plan");
        let shown = ok(&app.get(&contact, &app.agent).await);
        assert_ne!(shown["payload"]["name"], "Changed");
        assert_eq!(shown["payload"]["custom_attributes"]["plan"], "pro");
        // Creating a contact is checked too; a conversation attribute of the same key is not.
        assert_invalid(
            &app.post(
                &app.api("contacts"),
                &app.agent,
                &json!({"name": "N", "custom_attributes": {"seats": "x"}}),
            )
            .await,
            "seats",
        );
        let url = app.api(&format!(
            "conversations/{}/custom_attributes",
            app.acme.conversation
        ));
        ok(&app
            .post(
                &url,
                &app.agent,
                &json!({"custom_attributes": {"seats": "x"}}),
            )
            .await);
    })
    .await;
}

#[tokio::test]
async fn conversation_custom_attributes_are_validated_against_their_definitions() {
    support::on_each_backend(async |app| {
        let list = app.api("custom_attribute_definitions");
        ok(&app
            .post(
                &list,
                &app.admin,
                &json!({"attribute_display_name": "Order", "attribute_display_type": "text",
                        "attribute_key": "order", "attribute_model": 0,
                        "regex_pattern": "/^ord-\\d+$/i", "regex_cue": "Like ORD-123"}),
            )
            .await);
        let url = app.api(&format!(
            "conversations/{}/custom_attributes",
            app.acme.conversation
        ));
        let res = app
            .post(
                &url,
                &app.agent,
                &json!({"custom_attributes": {"order": "123"}}),
            )
            .await;
        assert_eq!(assert_invalid(&res, "order"), "Like ORD-123");
        let saved = ok(&app
            .post(
                &url,
                &app.agent,
                &json!({"custom_attributes": {"order": "ORD-123"}}),
            )
            .await);
        assert_eq!(saved["custom_attributes"]["order"], "ORD-123");
        let body = json!({"inbox_id": app.acme.inbox_id, "contact_id": app.acme.contact_id,
                          "custom_attributes": {"order": 5}});
        assert_invalid(
            &app.post(&app.api("conversations"), &app.agent, &body).await,
            "order",
        );
    })
    .await;
}

#[tokio::test]
async fn a_definition_moved_to_the_other_model_goes_to_the_end_of_its_list() {
    support::on_each_backend(async |app| {
        let list = app.api("custom_attribute_definitions");
        let make = |key: &str, model: i64| {
            json!({"attribute_display_name": key, "attribute_key": key, "attribute_model": model})
        };
        let moved = ok(&app.post(&list, &app.admin, &make("moved", 0)).await);
        let first = ok(&app.post(&list, &app.admin, &make("first", 1)).await);
        let second = ok(&app.post(&list, &app.admin, &make("second", 1)).await);
        let one = app.api(&format!("custom_attribute_definitions/{}", moved["id"]));
        let moved = ok(&app
            .patch(&one, &app.admin, &json!({"attribute_model": "contact_attribute"}))
            .await);
        assert_eq!(moved["attribute_model"], "contact_attribute");
        let contact = ok(&app.get(&format!("{list}?attribute_model=1"), &app.agent).await);
        assert_eq!(contact, json!([first, second, moved]));
        assert_eq!(
            ok(&app.get(&format!("{list}?attribute_model=0"), &app.agent).await),
            json!([])
        );
    })
    .await;
}
