//! `/api/v1/accounts/{id}/canned_responses`: bare arrays and objects, `?search=`, every member
//! may write, short codes unique per account.

use super::{assert_invalid, assert_members_only, assert_not_found, enc, expect, keys, long, ok};
use crate::support;
use axum::http::Method;
use serde_json::{json, Value};

#[tokio::test]
async fn an_agent_creates_lists_updates_and_deletes_canned_responses() {
    support::on_each_backend(async |app| {
        let list = app.api("canned_responses");
        assert_eq!(ok(&app.get(&list, &app.agent).await), json!([]));
        let thanks = ok(&app
            .post(
                &list,
                &app.agent,
                &json!({"short_code": "thanks", "content": "Thank you for writing in!"}),
            )
            .await);
        assert_eq!(
            keys(&thanks),
            ["account_id", "content", "created_at", "id", "short_code", "updated_at"]
        );
        assert_eq!(thanks["account_id"], app.acme.account_id);
        assert!(thanks["created_at"].as_str().is_some_and(|t| t.ends_with('Z')));
        let refund = ok(&app
            .post(
                &list,
                &app.admin,
                &json!({"canned_response": {"short_code": "refund", "content": "Your refund is on its way."}}),
            )
            .await);
        assert_eq!(refund["short_code"], "refund");
        for who in [&app.admin, &app.agent] {
            assert_eq!(ok(&app.get(&list, who).await), json!([thanks, refund]));
        }
        let one = app.api(&format!("canned_responses/{}", refund["id"]));
        let updated = ok(&app
            .patch(&one, &app.agent, &json!({"content": "Refunded today."}))
            .await);
        assert_eq!(updated["content"], "Refunded today.");
        assert_eq!(updated["short_code"], "refund");
        assert_eq!(updated["id"], refund["id"]);
        let updated = ok(&app
            .put(&one, &app.agent, &json!({"canned_response": {"short_code": "refunded"}}))
            .await);
        assert_eq!(updated["short_code"], "refunded");
        assert_eq!(updated["content"], "Refunded today.");
        let res = app.delete(&one, &app.agent).await;
        assert_eq!(res.status.as_u16(), 200, "{}", res.text);
        assert_not_found(&app.delete(&one, &app.agent).await);
        assert_not_found(&app.patch(&one, &app.agent, &json!({"content": "x"})).await);
        assert_eq!(ok(&app.get(&list, &app.agent).await), json!([thanks]));
    })
    .await;
}

#[tokio::test]
async fn search_matches_short_codes_and_content_with_short_code_prefixes_first() {
    support::on_each_backend(async |app| {
        let list = app.api("canned_responses");
        for (code, content) in [
            ("hello", "We will check the shipping status"),
            ("ship-late", "Sorry it is late"),
            ("latest", "Our latest news"),
            ("bye", "Goodbye"),
        ] {
            ok(&app
                .post(
                    &list,
                    &app.agent,
                    &json!({"short_code": code, "content": content}),
                )
                .await);
        }
        let codes = |body: Value| -> Vec<String> {
            body.as_array()
                .unwrap()
                .iter()
                .map(|c| c["short_code"].as_str().unwrap().to_owned())
                .collect()
        };
        let found = ok(&app.get(&format!("{list}?search=SHIP"), &app.agent).await);
        assert_eq!(codes(found), ["ship-late", "hello"]);
        let found = ok(&app.get(&format!("{list}?search=late"), &app.agent).await);
        assert_eq!(codes(found), ["latest", "ship-late"]);
        let found = ok(&app
            .get(&format!("{list}?search={}", enc("good bye")), &app.agent)
            .await);
        assert_eq!(codes(found), Vec::<String>::new());
        let found = ok(&app.get(&format!("{list}?search="), &app.agent).await);
        assert_eq!(codes(found).len(), 4);
    })
    .await;
}

#[tokio::test]
async fn short_codes_are_unique_per_account_and_both_fields_are_required() {
    support::on_each_backend(async |app| {
        let list = app.api("canned_responses");
        ok(&app
            .post(
                &list,
                &app.agent,
                &json!({"short_code": "hi", "content": "Hello"}),
            )
            .await);
        let other = ok(&app
            .post(
                &list,
                &app.agent,
                &json!({"short_code": "bye", "content": "Bye"}),
            )
            .await);
        let message = assert_invalid(
            &app.post(
                &list,
                &app.admin,
                &json!({"short_code": "hi", "content": "Hey"}),
            )
            .await,
            "short_code",
        );
        assert_eq!(message, "Short code has already been taken");
        let one = app.api(&format!("canned_responses/{}", other["id"]));
        assert_invalid(
            &app.patch(&one, &app.agent, &json!({"short_code": "hi"}))
                .await,
            "short_code",
        );
        // The same code in another account is fine.
        ok(&app
            .post(
                &app.other_api("canned_responses"),
                &app.stranger,
                &json!({"short_code": "hi", "content": "Hello"}),
            )
            .await);
        assert_invalid(
            &app.post(&list, &app.agent, &json!({"content": "Hello"}))
                .await,
            "short_code",
        );
        assert_invalid(
            &app.post(
                &list,
                &app.agent,
                &json!({"short_code": "x", "content": "  "}),
            )
            .await,
            "content",
        );
        assert_invalid(
            &app.post(
                &list,
                &app.agent,
                &json!({"short_code": "two words", "content": "x"}),
            )
            .await,
            "short_code",
        );
        assert_invalid(
            &app.post(
                &list,
                &app.agent,
                &json!({"short_code": long(101), "content": "x"}),
            )
            .await,
            "short_code",
        );
        assert_invalid(
            &app.post(&list, &app.agent, &json!({"short_code": 5, "content": "x"}))
                .await,
            "short_code",
        );
        assert_invalid(
            &app.get(&format!("{list}?search={}", long(300)), &app.agent)
                .await,
            "search",
        );
        assert_eq!(
            ok(&app.get(&list, &app.agent).await)
                .as_array()
                .unwrap()
                .len(),
            2
        );
    })
    .await;
}

#[tokio::test]
async fn canned_responses_are_for_members_of_their_account_only() {
    support::on_each_backend(async |app| {
        let list = app.api("canned_responses");
        let mine = ok(&app
            .post(
                &list,
                &app.agent,
                &json!({"short_code": "hi", "content": "Hello"}),
            )
            .await);
        let one = app.api(&format!("canned_responses/{}", mine["id"]));
        let body = json!({"short_code": "x", "content": "y"});
        assert_members_only(&app, Method::GET, &list, None).await;
        assert_members_only(&app, Method::POST, &list, Some(&body)).await;
        assert_members_only(&app, Method::PATCH, &one, Some(&body)).await;
        assert_members_only(&app, Method::DELETE, &one, None).await;
        // Another account's administrator cannot reach it through their own account either.
        let theirs = app.other_api(&format!("canned_responses/{}", mine["id"]));
        assert_not_found(&app.patch(&theirs, &app.stranger, &body).await);
        assert_not_found(&app.delete(&theirs, &app.stranger).await);
        assert_eq!(
            expect(&app.get(&list, &app.admin).await, 200),
            json!([mine])
        );
    })
    .await;
}
