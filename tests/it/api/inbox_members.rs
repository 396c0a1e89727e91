//! `/api/v1/accounts/{id}/inbox_members` (`inbox_members_controller.rb`): `{"payload": [agent…]}`,
//! administrators write; an agent reads the members of an inbox they belong to.

use super::{assert_forbidden, assert_invalid, assert_members_only, assert_not_found, ok, send};
use crate::support;
use axum::http::Method;
use serde_json::{json, Value};

fn ids(body: &Value) -> Vec<i64> {
    let mut ids: Vec<i64> = body["payload"]
        .as_array()
        .unwrap_or_else(|| panic!("no payload: {body}"))
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect();
    ids.sort_unstable();
    ids
}

#[tokio::test]
async fn an_administrator_adds_replaces_and_removes_inbox_members() {
    support::on_each_backend(async |app| {
        let inbox = app.acme.inbox_id;
        let show = app.api(&format!("inbox_members/{inbox}"));
        let write = app.api("inbox_members");
        // The fixture's agent works the inbox; start from an inbox with no members.
        let agent = json!({"inbox_id": inbox, "user_ids": [app.agent.id]});
        ok(&send(&app, Method::DELETE, &write, &app.admin, Some(&agent)).await);
        assert_eq!(
            ok(&app.get(&show, &app.admin).await),
            json!({"payload": []})
        );
        let added = ok(&app
            .post(
                &write,
                &app.admin,
                &json!({"inbox_id": inbox, "user_ids": [app.agent.id]}),
            )
            .await);
        assert_eq!(ids(&added), [app.agent.id]);
        let agent = &added["payload"][0];
        assert_eq!(agent["email"], "agent@acme.test");
        assert_eq!(agent["role"], "agent");
        assert_eq!(agent["account_id"], app.acme.account_id);
        // POST adds; it answers every member.
        let added = ok(&app
            .post(
                &write,
                &app.admin,
                &json!({"inbox_id": inbox, "user_ids": [app.admin.id]}),
            )
            .await);
        assert_eq!(ids(&added), [app.admin.id, app.agent.id]);
        // PATCH makes the set exactly user_ids.
        let now = ok(&app
            .patch(
                &write,
                &app.admin,
                &json!({"inbox_id": inbox, "user_ids": [app.admin.id]}),
            )
            .await);
        assert_eq!(ids(&now), [app.admin.id]);
        assert_eq!(ids(&ok(&app.get(&show, &app.admin).await)), [app.admin.id]);
        let res = send(
            &app,
            Method::DELETE,
            &write,
            &app.admin,
            Some(&json!({"inbox_id": inbox, "user_ids": [app.admin.id]})),
        )
        .await;
        assert_eq!(res.status.as_u16(), 200, "{}", res.text);
        assert_eq!(
            ok(&app.get(&show, &app.admin).await),
            json!({"payload": []})
        );
    })
    .await;
}

#[tokio::test]
async fn agents_read_the_members_of_their_own_inboxes_only_and_never_write() {
    support::on_each_backend(async |app| {
        let inbox = app.acme.inbox_id;
        let show = app.api(&format!("inbox_members/{inbox}"));
        let write = app.api("inbox_members");
        let body = json!({"inbox_id": inbox, "user_ids": [app.agent.id]});
        // Their own inbox's members they read; another inbox's, not.
        ok(&app.get(&show, &app.agent).await);
        let other = ok(&app
            .post(&app.api("inboxes"), &app.admin, &json!({"name": "Other"}))
            .await);
        let other = app.api(&format!("inbox_members/{}", other["id"]));
        assert_forbidden(&app.get(&other, &app.agent).await);
        for method in [Method::POST, Method::PATCH, Method::DELETE] {
            assert_forbidden(&send(&app, method.clone(), &write, &app.agent, Some(&body)).await);
            assert_members_only(&app, method, &write, Some(&body)).await;
        }
        assert_members_only(&app, Method::GET, &show, None).await;
        ok(&app.post(&write, &app.admin, &body).await);
        assert_eq!(ids(&ok(&app.get(&show, &app.agent).await)), [app.agent.id]);
    })
    .await;
}

#[tokio::test]
async fn inbox_members_must_be_agents_of_the_account_and_the_inbox_its_own() {
    support::on_each_backend(async |app| {
        let inbox = app.acme.inbox_id;
        let write = app.api("inbox_members");
        ok(&app
            .post(
                &write,
                &app.admin,
                &json!({"inbox_id": inbox, "user_ids": [app.agent.id]}),
            )
            .await);
        // Removing someone who is not a member passes them over; adding them is refused.
        for body in [
            json!({"inbox_id": inbox, "user_ids": [app.stranger.id]}),
            json!({"inbox_id": inbox, "user_ids": [app.admin.id, 999_999]}),
        ] {
            for method in [Method::POST, Method::PATCH] {
                assert_invalid(
                    &send(&app, method, &write, &app.admin, Some(&body)).await,
                    "user_ids",
                );
            }
        }
        for (body, field) in [
            (json!({"inbox_id": inbox, "user_ids": "all"}), "user_ids"),
            (json!({"inbox_id": inbox, "user_ids": [-1]}), "user_ids"),
            (json!({"inbox_id": inbox}), "user_ids"),
            (json!({"user_ids": [app.agent.id]}), "inbox_id"),
            (
                json!({"inbox_id": "x", "user_ids": [app.agent.id]}),
                "inbox_id",
            ),
        ] {
            for method in [Method::POST, Method::PATCH, Method::DELETE] {
                assert_invalid(
                    &send(&app, method, &write, &app.admin, Some(&body)).await,
                    field,
                );
            }
        }
        // Refused requests wrote nothing.
        let show = app.api(&format!("inbox_members/{inbox}"));
        assert_eq!(ids(&ok(&app.get(&show, &app.admin).await)), [app.agent.id]);
        // Another account's inbox, or none, is a 404.
        let theirs = json!({"inbox_id": app.other.inbox_id, "user_ids": [app.agent.id]});
        assert_not_found(&app.post(&write, &app.admin, &theirs).await);
        assert_not_found(
            &app.get(
                &app.api(&format!("inbox_members/{}", app.other.inbox_id)),
                &app.admin,
            )
            .await,
        );
        assert_not_found(&app.get(&app.api("inbox_members/999999"), &app.admin).await);
    })
    .await;
}
