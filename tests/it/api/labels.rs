//! `/api/v1/accounts/{id}/labels`: `{"payload": [...]}`, writes for administrators.

use super::{
    assert_forbidden, assert_invalid, assert_members_only, assert_not_found, keys, long, ok,
};
use crate::support;
use axum::http::Method;
use serde_json::{json, Value};

#[tokio::test]
async fn an_administrator_creates_lists_shows_updates_and_deletes_labels() {
    support::on_each_backend(async |app| {
        let list = app.api("labels");
        assert_eq!(ok(&app.get(&list, &app.agent).await), json!({"payload": []}));
        let billing = ok(&app
            .post(
                &list,
                &app.admin,
                &json!({"title": "Billing", "description": "Money things", "color": "#FF0000", "show_on_sidebar": false}),
            )
            .await);
        assert_eq!(keys(&billing), ["color", "description", "id", "show_on_sidebar", "title"]);
        assert_eq!(billing["title"], "billing", "titles are lowercased");
        assert_eq!(billing["color"], "#ff0000");
        assert_eq!(billing["description"], "Money things");
        assert_eq!(billing["show_on_sidebar"], false);
        let vip = ok(&app.post(&list, &app.admin, &json!({"label": {"title": "vip"}})).await);
        assert_eq!(vip["color"], "#1f93ff", "a default colour");
        assert_eq!(vip["show_on_sidebar"], true);
        assert_eq!(vip["description"], Value::Null);
        // Listed by title, for every member.
        for who in [&app.admin, &app.agent] {
            assert_eq!(ok(&app.get(&list, who).await), json!({"payload": [billing, vip]}));
        }
        let one = app.api(&format!("labels/{}", vip["id"]));
        assert_eq!(ok(&app.get(&one, &app.agent).await), vip);
        let updated = ok(&app
            .patch(&one, &app.admin, &json!({"title": "VIP-Gold", "color": "#00aa00", "description": ""}))
            .await);
        assert_eq!(updated["title"], "vip-gold");
        assert_eq!(updated["color"], "#00aa00");
        assert_eq!(updated["description"], Value::Null);
        assert_eq!(updated["id"], vip["id"]);
        let updated = ok(&app.put(&one, &app.admin, &json!({"label": {"show_on_sidebar": false}})).await);
        assert_eq!(updated["title"], "vip-gold");
        assert_eq!(updated["show_on_sidebar"], false);
        let res = app.delete(&one, &app.admin).await;
        assert_eq!(res.status.as_u16(), 200, "{}", res.text);
        assert_not_found(&app.get(&one, &app.admin).await);
        assert_not_found(&app.delete(&one, &app.admin).await);
        assert_eq!(ok(&app.get(&list, &app.admin).await), json!({"payload": [billing]}));
        // The same title may live in another account.
        ok(&app.post(&app.other_api("labels"), &app.stranger, &json!({"title": "billing"})).await);
    })
    .await;
}

#[tokio::test]
async fn a_duplicate_title_is_a_422_naming_title() {
    support::on_each_backend(async |app| {
        let list = app.api("labels");
        ok(&app
            .post(&list, &app.admin, &json!({"title": "billing"}))
            .await);
        let other = ok(&app
            .post(&list, &app.admin, &json!({"title": "sales"}))
            .await);
        for title in ["billing", "BILLING", " Billing "] {
            let message = assert_invalid(
                &app.post(&list, &app.admin, &json!({"title": title})).await,
                "title",
            );
            assert_eq!(message, "Title has already been taken");
        }
        let one = app.api(&format!("labels/{}", other["id"]));
        assert_invalid(
            &app.patch(&one, &app.admin, &json!({"title": "Billing"}))
                .await,
            "title",
        );
        assert_eq!(ok(&app.get(&one, &app.admin).await), other);
    })
    .await;
}

#[tokio::test]
async fn invalid_label_input_is_a_422_naming_the_field() {
    support::on_each_backend(async |app| {
        let list = app.api("labels");
        let existing = ok(&app.post(&list, &app.admin, &json!({"title": "keep"})).await);
        let one = app.api(&format!("labels/{}", existing["id"]));
        let cases = [
            (json!({}), "title"),
            (json!({"title": ""}), "title"),
            (json!({"title": "   "}), "title"),
            (json!({"title": 5}), "title"),
            (json!({"title": "two words"}), "title"),
            (json!({"title": "semi;colon"}), "title"),
            (json!({"title": long(101)}), "title"),
            (json!({"title": long(256)}), "title"),
            (json!({"title": "ok", "color": "red"}), "color"),
            (json!({"title": "ok", "color": "#12345"}), "color"),
            (json!({"title": "ok", "color": "#gggggg"}), "color"),
            (json!({"title": "ok", "color": "#ééé"}), "color"),
            (json!({"title": "ok", "color": 5}), "color"),
            (
                json!({"title": "ok", "description": long(256)}),
                "description",
            ),
            (json!({"title": "ok", "description": 5}), "description"),
            (
                json!({"title": "ok", "show_on_sidebar": "yes"}),
                "show_on_sidebar",
            ),
            (json!({"label": "ok"}), "label"),
        ];
        for (body, field) in &cases {
            assert_invalid(&app.post(&list, &app.admin, body).await, field);
            // An update may leave the title out; everything else is judged the same way.
            if *body != json!({}) {
                assert_invalid(&app.patch(&one, &app.admin, body).await, field);
            }
        }
        assert_eq!(
            ok(&app.get(&list, &app.admin).await),
            json!({"payload": [existing]})
        );
    })
    .await;
}

#[tokio::test]
async fn agent_gets_401_writing_labels_and_outsiders_get_401_everywhere() {
    support::on_each_backend(async |app| {
        let list = app.api("labels");
        let label = ok(&app
            .post(&list, &app.admin, &json!({"title": "billing"}))
            .await);
        let one = app.api(&format!("labels/{}", label["id"]));
        let body = json!({"title": "hijack"});
        assert_forbidden(&app.post(&list, &app.agent, &body).await);
        assert_forbidden(&app.patch(&one, &app.agent, &body).await);
        assert_forbidden(&app.put(&one, &app.agent, &body).await);
        assert_forbidden(&app.delete(&one, &app.agent).await);
        assert_members_only(&app, Method::GET, &list, None).await;
        assert_members_only(&app, Method::POST, &list, Some(&body)).await;
        assert_members_only(&app, Method::GET, &one, None).await;
        assert_members_only(&app, Method::PATCH, &one, Some(&body)).await;
        assert_members_only(&app, Method::DELETE, &one, None).await;
        assert_eq!(
            ok(&app.get(&list, &app.admin).await),
            json!({"payload": [label]})
        );
    })
    .await;
}

#[tokio::test]
async fn another_accounts_label_ids_are_404s() {
    support::on_each_backend(async |app| {
        let theirs = ok(&app
            .post(
                &app.other_api("labels"),
                &app.stranger,
                &json!({"title": "secret"}),
            )
            .await);
        for id in [theirs["id"].as_i64().unwrap(), 999_999] {
            let uri = app.api(&format!("labels/{id}"));
            assert_not_found(&app.get(&uri, &app.admin).await);
            assert_not_found(&app.patch(&uri, &app.admin, &json!({"title": "mine"})).await);
            assert_not_found(&app.delete(&uri, &app.admin).await);
        }
        let uri = app.other_api(&format!("labels/{}", theirs["id"]));
        assert_eq!(ok(&app.get(&uri, &app.stranger).await), theirs);
        assert_eq!(
            ok(&app.get(&app.api("labels"), &app.admin).await),
            json!({"payload": []})
        );
    })
    .await;
}
