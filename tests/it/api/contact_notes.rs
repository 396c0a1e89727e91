//! `/api/v1/accounts/{id}/contacts/{id}/notes`: Chatwoot's `_note` bodies (`id, content,
//! account_id, contact_id, user, created_at, updated_at`), newest first, any member writes and
//! deletes any note, content required, notes kept to their contact and account, removed with
//! their contact and moved by a merge.

use super::{assert_invalid, assert_members_only, assert_not_found, expect, keys, ok};
use crate::support;
use axum::http::Method;
use serde_json::{json, Value};

#[tokio::test]
async fn members_add_list_show_edit_and_delete_each_others_notes() {
    support::on_each_backend(async |app| {
        let notes = app.api(&format!("contacts/{}/notes", app.acme.contact_id));
        assert_eq!(ok(&app.get(&notes, &app.agent).await), json!([]));
        let first = ok(&app
            .post(
                &notes,
                &app.agent,
                &json!({"content": "  Prefers e-mail  "}),
            )
            .await);
        assert_eq!(
            keys(&first),
            [
                "account_id",
                "contact_id",
                "content",
                "created_at",
                "id",
                "updated_at",
                "user"
            ]
        );
        assert_eq!(first["content"], "Prefers e-mail");
        assert_eq!(first["account_id"], app.acme.account_id);
        assert_eq!(first["contact_id"], app.acme.contact_id);
        assert_eq!(first["user"]["id"], app.agent.id);
        assert_eq!(first["user"]["email"], app.agent.email);
        assert_eq!(first["user"]["role"], "agent");
        assert!(first["created_at"].is_i64(), "epoch seconds: {first}");
        let second = ok(&app
            .post(
                &notes,
                &app.admin,
                &json!({"note": {"content": "Renewal in March"}}),
            )
            .await);
        assert_eq!(second["user"]["id"], app.admin.id);
        // Newest first (Chatwoot's `notes.latest`), for every member.
        for who in [&app.agent, &app.admin] {
            assert_eq!(
                ok(&app.get(&notes, who).await),
                json!([second.clone(), first.clone()])
            );
        }
        let one = format!("{notes}/{}", first["id"]);
        assert_eq!(ok(&app.get(&one, &app.admin).await), first);
        // An administrator edits the agent's note: the author stays the agent.
        let edited = ok(&app
            .patch(&one, &app.admin, &json!({"content": "Prefers phone"}))
            .await);
        assert_eq!(edited["content"], "Prefers phone");
        assert_eq!(edited["user"]["id"], app.agent.id);
        assert_eq!(edited["id"], first["id"]);
        let edited = ok(&app
            .put(
                &one,
                &app.agent,
                &json!({"note": {"content": "Prefers SMS"}}),
            )
            .await);
        assert_eq!(edited["content"], "Prefers SMS");
        // The agent deletes the administrator's note, as Chatwoot's spec has it.
        let theirs = format!("{notes}/{}", second["id"]);
        let res = app.delete(&theirs, &app.agent).await;
        assert_eq!(res.status.as_u16(), 200, "{}", res.text);
        assert_not_found(&app.get(&theirs, &app.agent).await);
        assert_not_found(&app.delete(&theirs, &app.agent).await);
        assert_not_found(
            &app.patch(&theirs, &app.agent, &json!({"content": "x"}))
                .await,
        );
        assert_eq!(ok(&app.get(&notes, &app.agent).await), json!([edited]));
    })
    .await;
}

#[tokio::test]
async fn note_content_is_required_and_bounded() {
    support::on_each_backend(async |app| {
        let notes = app.api(&format!("contacts/{}/notes", app.acme.contact_id));
        for body in [
            json!({}),
            json!({"content": ""}),
            json!({"content": " \n "}),
        ] {
            assert_invalid(&app.post(&notes, &app.agent, &body).await, "content");
        }
        assert_invalid(
            &app.post(&notes, &app.agent, &json!({"content": 42})).await,
            "content",
        );
        let long = "x".repeat(domain::contact_note::MAX_CONTENT + 1);
        assert_invalid(
            &app.post(&notes, &app.agent, &json!({"content": long}))
                .await,
            "content",
        );
        let note = ok(&app
            .post(&notes, &app.agent, &json!({"content": "kept"}))
            .await);
        let one = format!("{notes}/{}", note["id"]);
        assert_invalid(
            &app.patch(&one, &app.agent, &json!({"content": "  "})).await,
            "content",
        );
        assert_eq!(ok(&app.get(&one, &app.agent).await)["content"], "kept");
    })
    .await;
}

#[tokio::test]
async fn notes_are_kept_to_their_contact_and_account() {
    support::on_each_backend(async |app| {
        let notes = app.api(&format!("contacts/{}/notes", app.acme.contact_id));
        let note = ok(&app
            .post(&notes, &app.agent, &json!({"content": "mine"}))
            .await);
        let one = format!("{notes}/{}", note["id"]);
        assert_members_only(&app, Method::GET, &notes, None).await;
        assert_members_only(&app, Method::POST, &notes, Some(&json!({"content": "x"}))).await;
        assert_members_only(&app, Method::GET, &one, None).await;
        assert_members_only(&app, Method::PATCH, &one, Some(&json!({"content": "x"}))).await;
        assert_members_only(&app, Method::DELETE, &one, None).await;
        // Through another contact of the same account, the note is not there.
        let other = ok(&app
            .post(&app.api("contacts"), &app.agent, &json!({"name": "Other"}))
            .await);
        let other_id = other["payload"]["contact"]["id"].as_i64().unwrap();
        let elsewhere = app.api(&format!("contacts/{other_id}/notes/{}", note["id"]));
        assert_not_found(&app.get(&elsewhere, &app.agent).await);
        assert_not_found(
            &app.patch(&elsewhere, &app.agent, &json!({"content": "x"}))
                .await,
        );
        assert_not_found(&app.delete(&elsewhere, &app.agent).await);
        // Through the other account's path, our contact is unknown.
        let theirs = app.other_api(&format!("contacts/{}/notes", app.acme.contact_id));
        assert_not_found(&app.get(&theirs, &app.stranger).await);
        assert_not_found(
            &app.post(&theirs, &app.stranger, &json!({"content": "x"}))
                .await,
        );
        assert_not_found(
            &app.get(&format!("{theirs}/{}", note["id"]), &app.stranger)
                .await,
        );
        for bad in ["0", "abc", "-1"] {
            assert_not_found(&app.get(&format!("{notes}/{bad}"), &app.agent).await);
        }
        assert_not_found(&app.get(&app.api("contacts/999999/notes"), &app.agent).await);
        assert_eq!(ok(&app.get(&one, &app.agent).await)["content"], "mine");
    })
    .await;
}

/// Creates a contact and a note on it; returns the contact's id and the note.
async fn contact_with_note(app: &support::TestApp, name: &str) -> (i64, Value) {
    let created = ok(&app
        .post(&app.api("contacts"), &app.admin, &json!({"name": name}))
        .await);
    let id = created["payload"]["contact"]["id"].as_i64().unwrap();
    let note = ok(&app
        .post(
            &app.api(&format!("contacts/{id}/notes")),
            &app.agent,
            &json!({"content": format!("about {name}")}),
        )
        .await);
    (id, note)
}

#[tokio::test]
async fn notes_go_with_their_contact_and_move_with_a_merge() {
    support::on_each_backend(async |app| {
        let (doomed, _) = contact_with_note(&app, "Doomed").await;
        let res = app
            .delete(&app.api(&format!("contacts/{doomed}")), &app.admin)
            .await;
        assert_eq!(res.status.as_u16(), 200, "{}", res.text);
        assert_not_found(
            &app.get(&app.api(&format!("contacts/{doomed}/notes")), &app.agent)
                .await,
        );

        let (base, kept) = contact_with_note(&app, "Base").await;
        let (mergee, moved) = contact_with_note(&app, "Mergee").await;
        ok(&app
            .post(
                &app.api("actions/contact_merge"),
                &app.agent,
                &json!({"base_contact_id": base, "mergee_contact_id": mergee}),
            )
            .await);
        let listed = ok(&app
            .get(&app.api(&format!("contacts/{base}/notes")), &app.agent)
            .await);
        let mut ids: Vec<i64> = listed
            .as_array()
            .unwrap()
            .iter()
            .map(|n| {
                assert_eq!(n["contact_id"], base);
                n["id"].as_i64().unwrap()
            })
            .collect();
        ids.sort();
        assert_eq!(
            ids,
            [kept["id"].as_i64().unwrap(), moved["id"].as_i64().unwrap()]
        );
    })
    .await;
}

#[tokio::test]
async fn a_note_outlives_its_author_leaving_the_account_without_a_user() {
    support::on_each_backend(async |app| {
        let notes = app.api(&format!("contacts/{}/notes", app.acme.contact_id));
        let note = ok(&app
            .post(&notes, &app.agent, &json!({"content": "by the agent"}))
            .await);
        let res = app
            .delete(&app.api(&format!("agents/{}", app.agent.id)), &app.admin)
            .await;
        assert_eq!(res.status.as_u16(), 200, "{}", res.text);
        let listed = expect(&app.get(&notes, &app.admin).await, 200);
        let shown = &listed[0];
        assert_eq!(shown["id"], note["id"]);
        assert_eq!(shown["content"], "by the agent");
        assert!(shown.get("user").is_none(), "no author any more: {shown}");
    })
    .await;
}
