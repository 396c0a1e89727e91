//! `/api/v1/accounts/{id}/dashboard_apps`: Chatwoot's shape exactly, writes for administrators.

use super::{
    assert_forbidden, assert_invalid, assert_members_only, assert_not_found, expect, keys, long,
    ok, send,
};
use crate::support::{self, TestApp};
use axum::http::Method;
use serde_json::{json, Value};

const CONTENT_ERROR: &str = r#"{"message":"Content : Invalid data","attributes":["content"]}"#;

fn frame(url: &str) -> Value {
    json!([{"type": "frame", "url": url}])
}

/// Exactly `id, title, content, created_at`, with an ISO-8601 UTC `created_at`.
#[track_caller]
fn assert_app_shape(app: &Value) {
    assert_eq!(keys(app), ["content", "created_at", "id", "title"], "{app}");
    assert!(app["id"].is_i64(), "{app}");
    assert!(app["title"].is_string(), "{app}");
    let created = app["created_at"].as_str().expect("created_at is a string");
    let bytes = created.as_bytes();
    let shape_ok = created.len() == 20
        && bytes.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            10 => *b == b'T',
            13 | 16 => *b == b':',
            19 => *b == b'Z',
            _ => b.is_ascii_digit(),
        });
    assert!(
        shape_ok,
        "created_at is not like 2026-11-25T06:49:08Z: {created}"
    );
    assert!(created >= "2020-01-01", "{created}");
    let content = app["content"].as_array().expect("content is an array");
    assert!(!content.is_empty());
    for item in content {
        assert_eq!(keys(item), ["type", "url"], "{item}");
        assert_eq!(item["type"], "frame");
    }
}

async fn create(app: &TestApp, body: &Value) -> Value {
    let created = ok(&app.post(&app.api("dashboard_apps"), &app.admin, body).await);
    assert_app_shape(&created);
    created
}

#[tokio::test]
async fn the_index_is_a_bare_array_of_apps_with_exactly_chatwoots_keys() {
    support::on_each_backend(async |app| {
        let uri = app.api("dashboard_apps");
        assert_eq!(ok(&app.get(&uri, &app.admin).await), json!([]));
        let wrapped = create(
            &app,
            &json!({"dashboard_app": {"title": "Orders", "content": frame("https://apps.example/orders")}}),
        )
        .await;
        assert_eq!(wrapped["title"], "Orders");
        assert_eq!(wrapped["content"], frame("https://apps.example/orders"));
        let bare = create(
            &app,
            &json!({"title": "  CRM  ", "content": [
                {"type": "frame", "url": "http://127.0.0.1:3001/?a=b#c"},
                {"type": "frame", "url": "https://crm.example:8443/contacts/{{contact.id}}"}
            ]}),
        )
        .await;
        assert_eq!(bare["title"], "CRM", "titles are trimmed");
        assert_eq!(bare["content"].as_array().unwrap().len(), 2);
        assert_ne!(bare["id"], wrapped["id"]);
        // Every member reads: the agent too, and both see the same list in creation order.
        for who in [&app.admin, &app.agent] {
            let list = ok(&app.get(&uri, who).await);
            let list = list.as_array().expect("a bare array");
            assert_eq!(list.len(), 2);
            list.iter().for_each(assert_app_shape);
            assert_eq!(list[0], wrapped);
            assert_eq!(list[1], bare);
            let id = wrapped["id"].as_i64().unwrap();
            assert_eq!(ok(&app.get(&app.api(&format!("dashboard_apps/{id}")), who).await), wrapped);
        }
        // The other account sees none of them.
        assert_eq!(ok(&app.get(&app.other_api("dashboard_apps"), &app.stranger).await), json!([]));
    })
    .await;
}

#[tokio::test]
async fn an_administrator_updates_with_patch_or_put_and_deletes_with_a_204() {
    support::on_each_backend(async |app| {
        let created = create(
            &app,
            &json!({"title": "Orders", "content": frame("https://a.example/1")}),
        )
        .await;
        let id = created["id"].as_i64().unwrap();
        let uri = app.api(&format!("dashboard_apps/{id}"));
        // Title only: the content stays.
        let updated = ok(&app
            .patch(
                &uri,
                &app.admin,
                &json!({"dashboard_app": {"title": "Orders v2"}}),
            )
            .await);
        assert_app_shape(&updated);
        assert_eq!(updated["title"], "Orders v2");
        assert_eq!(updated["content"], created["content"]);
        assert_eq!(updated["created_at"], created["created_at"]);
        assert_eq!(updated["id"], id);
        // Content only, bare, with PUT: the title stays.
        let updated = ok(&app
            .put(
                &uri,
                &app.admin,
                &json!({"content": frame("https://b.example/2")}),
            )
            .await);
        assert_eq!(updated["title"], "Orders v2");
        assert_eq!(updated["content"], frame("https://b.example/2"));
        // A null content leaves it alone; an empty body changes nothing.
        let same = ok(&app.patch(&uri, &app.admin, &json!({"content": null})).await);
        assert_eq!(same, updated);
        assert_eq!(ok(&app.patch(&uri, &app.admin, &json!({})).await), updated);
        assert_eq!(ok(&app.get(&uri, &app.agent).await), updated);
        // Delete: 204 with no body, then it is gone for every verb.
        let res = app.delete(&uri, &app.admin).await;
        assert_eq!(res.status.as_u16(), 204, "{}", res.text);
        assert!(res.text.is_empty(), "{}", res.text);
        assert_not_found(&app.get(&uri, &app.admin).await);
        assert_not_found(&app.patch(&uri, &app.admin, &json!({"title": "x"})).await);
        assert_not_found(&app.put(&uri, &app.admin, &json!({"title": "x"})).await);
        assert_not_found(&app.delete(&uri, &app.admin).await);
        assert_eq!(
            ok(&app.get(&app.api("dashboard_apps"), &app.admin).await),
            json!([])
        );
    })
    .await;
}

#[tokio::test]
async fn agent_gets_401_creating_updating_or_deleting_a_dashboard_app() {
    support::on_each_backend(async |app| {
        let created = create(
            &app,
            &json!({"title": "Orders", "content": frame("https://a.example/1")}),
        )
        .await;
        let uri = app.api(&format!("dashboard_apps/{}", created["id"]));
        let body = json!({"title": "Mine now", "content": frame("https://evil.example/")});
        assert_forbidden(
            &app.post(&app.api("dashboard_apps"), &app.agent, &body)
                .await,
        );
        assert_forbidden(&app.patch(&uri, &app.agent, &body).await);
        assert_forbidden(&app.put(&uri, &app.agent, &body).await);
        assert_forbidden(&app.delete(&uri, &app.agent).await);
        // Even an invalid body is refused for the role, not judged.
        assert_forbidden(
            &app.post(
                &app.api("dashboard_apps"),
                &app.agent,
                &json!({"content": []}),
            )
            .await,
        );
        // Nothing changed.
        assert_eq!(
            ok(&app.get(&app.api("dashboard_apps"), &app.agent).await),
            json!([created])
        );
    })
    .await;
}

#[tokio::test]
async fn outsiders_get_401_on_every_dashboard_app_route() {
    support::on_each_backend(async |app| {
        let created = create(
            &app,
            &json!({"title": "Orders", "content": frame("https://a.example/1")}),
        )
        .await;
        let one = app.api(&format!("dashboard_apps/{}", created["id"]));
        let list = app.api("dashboard_apps");
        let body = json!({"title": "T", "content": frame("https://a.example/")});
        assert_members_only(&app, Method::GET, &list, None).await;
        assert_members_only(&app, Method::POST, &list, Some(&body)).await;
        assert_members_only(&app, Method::GET, &one, None).await;
        assert_members_only(&app, Method::PATCH, &one, Some(&body)).await;
        assert_members_only(&app, Method::PUT, &one, Some(&body)).await;
        assert_members_only(&app, Method::DELETE, &one, None).await;
        assert_eq!(ok(&app.get(&list, &app.admin).await), json!([created]));
    })
    .await;
}

#[tokio::test]
async fn another_accounts_app_ids_and_unknown_ids_are_404s() {
    support::on_each_backend(async |app| {
        let theirs = ok(&app
            .post(
                &app.other_api("dashboard_apps"),
                &app.stranger,
                &json!({"title": "Globex secrets", "content": frame("https://globex.example/")}),
            )
            .await);
        let body = json!({"title": "Taken over", "content": frame("https://evil.example/")});
        for id in [theirs["id"].as_i64().unwrap(), 999_999] {
            let uri = app.api(&format!("dashboard_apps/{id}"));
            for who in [&app.admin, &app.agent] {
                assert_not_found(&app.get(&uri, who).await);
            }
            assert_not_found(&app.patch(&uri, &app.admin, &body).await);
            assert_not_found(&app.put(&uri, &app.admin, &body).await);
            assert_not_found(&app.delete(&uri, &app.admin).await);
        }
        // Theirs is untouched and never listed here.
        let uri = app.other_api(&format!("dashboard_apps/{}", theirs["id"]));
        assert_eq!(ok(&app.get(&uri, &app.stranger).await), theirs);
        assert_eq!(
            ok(&app.get(&app.api("dashboard_apps"), &app.admin).await),
            json!([])
        );
    })
    .await;
}

#[tokio::test]
async fn every_malformed_content_is_chatwoots_content_invalid_data() {
    support::on_each_backend(async |app| {
        let long_url = format!(
            "https://a.example/{}",
            long(2049 - "https://a.example/".len())
        );
        assert_eq!(long_url.len(), 2049);
        let cases: Vec<(&str, Option<Value>)> = vec![
            ("missing", None),
            ("null", Some(Value::Null)),
            ("empty array", Some(json!([]))),
            (
                "object",
                Some(json!({"type": "frame", "url": "https://a.example/"})),
            ),
            ("string", Some(json!("https://a.example/"))),
            ("number", Some(json!(5))),
            ("array of strings", Some(json!(["https://a.example/"]))),
            ("array of arrays", Some(json!([[]]))),
            (
                "wrong type",
                Some(json!([{"type": "link", "url": "https://a.example/"}])),
            ),
            ("type missing", Some(json!([{"url": "https://a.example/"}]))),
            (
                "type not a string",
                Some(json!([{"type": 1, "url": "https://a.example/"}])),
            ),
            ("no url", Some(json!([{"type": "frame"}]))),
            ("url null", Some(json!([{"type": "frame", "url": null}]))),
            ("url number", Some(json!([{"type": "frame", "url": 5}]))),
            ("url empty", Some(frame(""))),
            ("ftp", Some(frame("ftp://x"))),
            ("javascript", Some(frame("javascript:alert(1)"))),
            (
                "data",
                Some(frame("data:text/html,<script>alert(1)</script>")),
            ),
            ("relative", Some(frame("/relative/path"))),
            ("scheme-relative", Some(frame("//a.example/x"))),
            ("no host", Some(frame("https://"))),
            ("userinfo", Some(frame("https://user:pass@a.example/"))),
            ("user only", Some(frame("https://user@a.example/"))),
            ("space", Some(frame("https://a.example/with space"))),
            ("leading space", Some(frame(" https://a.example/"))),
            ("newline", Some(frame("https://a.example/\nnewline"))),
            ("tab", Some(frame("https://a.example/\tx"))),
            ("2049 characters", Some(frame(&long_url))),
            (
                "one good one bad",
                Some(json!([
                    {"type": "frame", "url": "https://a.example/"},
                    {"type": "frame", "url": "ftp://a.example/"}
                ])),
            ),
        ];
        let expected: Value = serde_json::from_str(CONTENT_ERROR).unwrap();
        let existing = create(
            &app,
            &json!({"title": "Orders", "content": frame("https://a.example/1")}),
        )
        .await;
        let one = app.api(&format!("dashboard_apps/{}", existing["id"]));
        for (name, content) in &cases {
            let mut bare = json!({"title": "Orders"});
            if let Some(content) = content {
                bare["content"] = content.clone();
            }
            for body in [bare.clone(), json!({"dashboard_app": bare})] {
                let res = app
                    .post(&app.api("dashboard_apps"), &app.admin, &body)
                    .await;
                assert_eq!(
                    expect(&res, 422),
                    expected,
                    "create with {name}: {}",
                    res.text
                );
            }
            // An update may leave content out (or null); anything else given must be valid.
            if content.as_ref().is_some_and(|c| !c.is_null()) {
                for method in [Method::PATCH, Method::PUT] {
                    let res = send(&app, method.clone(), &one, &app.admin, Some(&bare)).await;
                    assert_eq!(
                        expect(&res, 422),
                        expected,
                        "{method} with {name}: {}",
                        res.text
                    );
                }
            }
        }
        // None of it was stored, and the existing app kept its content.
        assert_eq!(
            ok(&app.get(&app.api("dashboard_apps"), &app.admin).await),
            json!([existing])
        );
    })
    .await;
}

#[tokio::test]
async fn urls_up_to_2048_characters_with_http_or_https_are_accepted() {
    support::on_each_backend(async |app| {
        let max = format!(
            "https://a.example/{}",
            long(2048 - "https://a.example/".len())
        );
        for url in [
            max.as_str(),
            "http://localhost:3000",
            "https://apps.example/orders?conversation={{conversation.id}}&x=%20",
            "HTTPS://Apps.Example/Path",
        ] {
            let created = create(&app, &json!({"title": "Ok", "content": frame(url)})).await;
            assert_eq!(
                created["content"][0]["url"], url,
                "the URL is stored as given"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn a_missing_blank_long_or_mistyped_title_is_a_422_naming_title() {
    support::on_each_backend(async |app| {
        let content = frame("https://a.example/");
        let existing = create(&app, &json!({"title": "Orders", "content": content})).await;
        let one = app.api(&format!("dashboard_apps/{}", existing["id"]));
        for title in [
            None,
            Some(json!("")),
            Some(json!("   ")),
            Some(json!(long(256))),
            Some(json!(5)),
            Some(json!(["x"])),
        ] {
            let mut body = json!({"content": content});
            if let Some(title) = &title {
                body["title"] = title.clone();
            }
            let res = app
                .post(&app.api("dashboard_apps"), &app.admin, &body)
                .await;
            let message = assert_invalid(&res, "title");
            if title.is_none() {
                assert_eq!(message, "Title can't be blank");
            }
            if title.is_some() {
                assert_invalid(&app.patch(&one, &app.admin, &body).await, "title");
            }
        }
        // 255 characters are fine.
        let created = create(&app, &json!({"title": long(255), "content": content})).await;
        assert_eq!(created["title"].as_str().unwrap().len(), 255);
        // The wrapper must be an object when given.
        let res = app
            .post(
                &app.api("dashboard_apps"),
                &app.admin,
                &json!({"dashboard_app": "x"}),
            )
            .await;
        assert_invalid(&res, "dashboard_app");
        // Wrong types inside the wrapper name the inner field.
        let res = app
            .post(
                &app.api("dashboard_apps"),
                &app.admin,
                &json!({"dashboard_app": {"title": 5, "content": content}}),
            )
            .await;
        assert_invalid(&res, "title");
        assert_eq!(ok(&app.get(&one, &app.admin).await), existing);
    })
    .await;
}

#[tokio::test]
async fn frame_urls_may_hold_known_placeholders_outside_their_origin() {
    support::on_each_backend(async |app: TestApp| {
        let url =
            "https://crm.example/c/{{contact.id}}?email={{contact.email}}&conv={{conversation.id}}";
        let created = app
            .post(
                &app.api("dashboard_apps"),
                &app.admin,
                &json!({"title": "CRM", "content": frame(url)}),
            )
            .await;
        assert_eq!(created.status, 200, "{}", created.text);
        assert_eq!(
            created.json()["content"][0]["url"],
            url,
            "stored as written"
        );

        for bad in [
            "https://crm.example/?x={{contact.password}}",
            "https://{{contact.id}}.crm.example/",
            "https://crm.example/?x={{contact.email",
        ] {
            let refused = app
                .post(
                    &app.api("dashboard_apps"),
                    &app.admin,
                    &json!({"title": "CRM", "content": frame(bad)}),
                )
                .await;
            assert_eq!(refused.status, 422, "{bad}: {}", refused.text);
            assert_eq!(refused.json()["attributes"], json!(["content"]), "{bad}");
        }
    })
    .await;
}

#[tokio::test]
async fn the_context_carries_a_token_signed_with_that_apps_own_secret() {
    support::on_each_backend(async |app: TestApp| {
        let orders = create(
            &app,
            &json!({"title": "Orders", "content": frame("https://orders.example/")}),
        )
        .await;
        let crm = create(
            &app,
            &json!({"title": "CRM", "content": frame("https://crm.example/")}),
        )
        .await;
        let (orders_id, crm_id) = (orders["id"].as_i64().unwrap(), crm["id"].as_i64().unwrap());
        let rotate = |id: i64| app.api(&format!("dashboard_apps/{id}/signing_secret"));

        let refused = app.post(&rotate(orders_id), &app.agent, &json!({})).await;
        assert_eq!(refused.status, 401, "agents cannot read or rotate secrets");
        let orders_secret = app.rotate_secret(orders_id).await;
        let crm_secret = app.rotate_secret(crm_id).await;
        assert_ne!(orders_secret, crm_secret);
        let listed = app.get(&app.api("dashboard_apps"), &app.admin).await.text;
        assert!(
            !listed.contains(&orders_secret),
            "the read API never returns a secret"
        );

        let context_uri = app.api(&format!(
            "conversations/{}/app_context",
            app.acme.conversation
        ));
        let context = app
            .get(&format!("{context_uri}?app_id={orders_id}"), &app.agent)
            .await
            .json();
        let token = context["token"].as_str().expect("a token");
        let claims = support::verified_claims(token, &orders_secret, orders_id)
            .expect("verifies with the app's secret");
        assert_eq!(claims["aud"], format!("dashboard_app:{orders_id}"));
        assert_eq!(claims["sub"], app.agent.id.to_string());
        assert_eq!(claims["account_id"], app.acme.account_id);
        assert_eq!(claims["conversation_id"], app.acme.conversation);
        assert_eq!(claims["contact_id"], app.acme.contact_id);
        assert_eq!(claims["inbox_id"], app.acme.inbox_id);
        assert_eq!(claims["agent_email"], app.agent.email);
        assert_eq!(claims["agent_role"], "agent");
        assert_eq!(
            claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
            300
        );
        assert!(claims["jti"].as_str().is_some_and(|j| !j.is_empty()));
        assert!(
            support::verified_claims(token, &crm_secret, orders_id).is_none(),
            "another app's secret does not verify it"
        );
        assert!(
            support::verified_claims(token, &orders_secret, crm_id).is_none(),
            "it is not a token for another app"
        );
        assert!(support::schema_errors(&context, None).is_empty());

        // Chatwoot's plain context has no token; another account's app is unknown here.
        let plain = app.get(&context_uri, &app.agent).await.json();
        assert!(plain.get("token").is_none());
        let foreign = app
            .post(
                &app.other_api("dashboard_apps"),
                &app.stranger,
                &json!({"title": "X", "content": frame("https://x.example/")}),
            )
            .await;
        let foreign_id = foreign.json()["id"].as_i64().unwrap();
        assert_eq!(
            app.get(&format!("{context_uri}?app_id={foreign_id}"), &app.agent)
                .await
                .status,
            404
        );
        assert_eq!(
            app.get(&format!("{context_uri}?app_id=abc"), &app.agent)
                .await
                .status,
            422
        );
        assert_eq!(
            app.post(
                &app.other_api(&format!("dashboard_apps/{orders_id}/signing_secret")),
                &app.stranger,
                &json!({})
            )
            .await
            .status,
            404
        );
    })
    .await;
}

/// `iss` names the configured public URL: a `Host`, `X-Forwarded-Host` or `X-Forwarded-Proto`
/// the caller sends (anyone can send them) never changes it, even behind a trusted proxy.
#[tokio::test]
async fn the_context_tokens_issuer_is_the_configured_public_url_whatever_the_request_says() {
    support::on_each_backend(async |mut app: TestApp| {
        for trust_proxy in [false, true] {
            let config = web::Config::new("https://support.acme.example/", trust_proxy).unwrap();
            app = app.with_config(config);
            let created = create(
                &app,
                &json!({"title": "Orders", "content": frame("https://orders.example/")}),
            )
            .await;
            let id = created["id"].as_i64().unwrap();
            let secret = app.rotate_secret(id).await;
            let conversation = app.api(&format!(
                "conversations/{}/app_context?app_id={id}",
                app.acme.conversation
            ));
            let sidebar = app.api(&format!("dashboard_apps/{id}/app_context"));
            let spoofs: [&[(&str, &str)]; 4] = [
                &[],
                &[("host", "evil.example")],
                &[("host", "evil.example"), ("x-forwarded-proto", "http")],
                &[
                    ("x-forwarded-host", "evil.example"),
                    ("x-forwarded-proto", "https"),
                    ("forwarded", "host=evil.example;proto=http"),
                ],
            ];
            // Administrators get a sidebar context for any app (the playground).
            for uri in [&conversation, &sidebar] {
                for spoof in spoofs {
                    let mut headers = vec![("api_access_token", app.admin.token.as_str())];
                    headers.extend_from_slice(spoof);
                    let res = super::raw(&app, Method::GET, uri, &headers, Vec::new()).await;
                    let token = super::ok(&res)["token"]
                        .as_str()
                        .expect("a token")
                        .to_owned();
                    let claims = support::verified_claims(&token, &secret, id).expect("verifies");
                    assert_eq!(
                        claims["iss"], "https://support.acme.example",
                        "{uri} with {spoof:?}, trust_proxy {trust_proxy}"
                    );
                }
            }
        }
    })
    .await;
}
