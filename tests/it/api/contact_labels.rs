//! `/api/v1/accounts/{id}/contacts/{id}/labels`: `{"payload": [titles]}`, a `POST` replaces the
//! set and announces `contact.updated`.

use super::{assert_invalid, assert_members_only, assert_not_found, ok};
use crate::support;
use axum::http::Method;
use serde_json::json;

#[tokio::test]
async fn a_post_replaces_a_contacts_labels_and_a_get_lists_them() {
    support::on_each_backend(async |app| {
        let url = app.api(&format!("contacts/{}/labels", app.acme.contact_id));
        assert_eq!(ok(&app.get(&url, &app.agent).await), json!({"payload": []}));
        let mut events = app.state.bus.subscribe();
        let set = ok(&app
            .post(
                &url,
                &app.agent,
                &json!({"labels": ["VIP", "billing", "vip"]}),
            )
            .await);
        assert_eq!(set, json!({"payload": ["billing", "vip"]}));
        let heard = tokio::time::timeout(std::time::Duration::from_secs(10), events.recv())
            .await
            .expect("an event within 10 s")
            .expect("the bus is open");
        let expected = domain::Event::ContactUpdated {
            account_id: domain::AccountId(app.acme.account_id),
            contact_id: domain::ContactId(app.acme.contact_id),
        };
        // Set by an agent: the agent is its performer; it comes from the log, with its id.
        let realtime::BusMessage::Event(heard) = heard else {
            panic!("an event, not {heard:?}")
        };
        assert_eq!(heard.event, expected);
        assert_eq!(heard.performer, Some(domain::UserId(app.agent.id)));
        assert!(heard.id.is_some(), "a logged event carries its id");
        assert_eq!(ok(&app.get(&url, &app.admin).await), set);
        let set = ok(&app
            .post(&url, &app.agent, &json!({"labels": ["churn-risk"]}))
            .await);
        assert_eq!(set, json!({"payload": ["churn-risk"]}));
        let set = ok(&app.post(&url, &app.agent, &json!({"labels": []})).await);
        assert_eq!(set, json!({"payload": []}));
        assert_eq!(ok(&app.get(&url, &app.agent).await), json!({"payload": []}));
    })
    .await;
}

#[tokio::test]
async fn contact_labels_are_checked_and_kept_to_the_account() {
    support::on_each_backend(async |app| {
        let url = app.api(&format!("contacts/{}/labels", app.acme.contact_id));
        assert_invalid(&app.post(&url, &app.agent, &json!({})).await, "labels");
        assert_invalid(
            &app.post(&url, &app.agent, &json!({"labels": [" "]})).await,
            "labels",
        );
        assert_invalid(
            &app.post(&url, &app.agent, &json!({"labels": "vip"})).await,
            "labels",
        );
        assert_members_only(&app, Method::GET, &url, None).await;
        assert_members_only(&app, Method::POST, &url, Some(&json!({"labels": ["x"]}))).await;
        let theirs = app.other_api(&format!("contacts/{}/labels", app.acme.contact_id));
        assert_not_found(&app.get(&theirs, &app.stranger).await);
        assert_not_found(
            &app.post(&theirs, &app.stranger, &json!({"labels": ["x"]}))
                .await,
        );
        assert_not_found(
            &app.get(&app.api("contacts/999999/labels"), &app.agent)
                .await,
        );
        assert_eq!(ok(&app.get(&url, &app.agent).await), json!({"payload": []}));
    })
    .await;
}
