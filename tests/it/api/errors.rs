//! Answers every route shares: malformed bodies, non-object bodies, oversized bodies, unknown
//! routes and ids that are not ids.

use super::{assert_invalid, assert_not_found, expect, raw};
use crate::support::{self, TestApp};
use axum::http::Method;
use serde_json::json;

/// A JSON write route of each kind of body extractor, with the person allowed to call it.
fn write_routes(app: &TestApp) -> Vec<(Method, String)> {
    vec![
        (Method::POST, app.api("dashboard_apps")),
        (Method::POST, app.api("labels")),
        (Method::POST, app.api("agents")),
        (Method::POST, app.api("inboxes")),
        (Method::POST, app.api("contacts")),
        (Method::POST, app.api("conversations")),
        (
            Method::POST,
            app.api(&format!("conversations/{}/messages", app.acme.conversation)),
        ),
        (
            Method::POST,
            app.api(&format!(
                "conversations/{}/toggle_status",
                app.acme.conversation
            )),
        ),
        (
            Method::POST,
            app.api(&format!("conversations/{}/labels", app.acme.conversation)),
        ),
        (Method::POST, "/auth/sign_in".to_owned()),
    ]
}

#[tokio::test]
async fn malformed_json_is_a_400_with_a_json_body_naming_the_body() {
    support::on_each_backend(async |app| {
        for (method, uri) in write_routes(&app) {
            for text in ["{nope", "{\"title\": ", "{\"a\": 1,}", "\u{0}"] {
                let res = app
                    .request(method.clone(), &uri, Some(&app.admin.token), Some(text))
                    .await;
                let body = expect(&res, 400);
                assert!(
                    body["message"].as_str().is_some_and(|m| !m.is_empty()),
                    "{uri}: {}",
                    res.text
                );
                assert_eq!(body["attributes"], json!(["body"]), "{uri}: {}", res.text);
            }
        }
    })
    .await;
}

#[tokio::test]
async fn a_body_that_is_not_an_object_is_a_422_naming_the_body() {
    support::on_each_backend(async |app| {
        for (method, uri) in write_routes(&app) {
            for text in ["[1]", "\"title\"", "5", "null", "true", "[]"] {
                let res = app
                    .request(method.clone(), &uri, Some(&app.admin.token), Some(text))
                    .await;
                assert_invalid(&res, "body");
            }
        }
        // Nothing was written by any of them.
        let apps = super::ok(&app.get(&app.api("dashboard_apps"), &app.admin).await);
        assert_eq!(apps, json!([]));
    })
    .await;
}

#[tokio::test]
async fn a_body_over_one_mebibyte_is_a_413_with_a_json_body_naming_the_body() {
    support::on_each_backend(async |app| {
        let huge = format!("{{\"title\": \"{}\"}}", "x".repeat(1024 * 1024));
        for (method, uri) in write_routes(&app) {
            let res = app
                .request(method.clone(), &uri, Some(&app.admin.token), Some(&huge))
                .await;
            let body = expect(&res, 413);
            assert_eq!(body["attributes"], json!(["body"]), "{uri}: {}", res.text);
            assert!(
                body["message"].as_str().is_some_and(|m| !m.is_empty()),
                "{uri}: {}",
                res.text
            );
        }
        // Just under the limit is read (and judged on its content).
        let title = "x".repeat(1024 * 1024 - 64);
        let res = app
            .post(&app.api("labels"), &app.admin, &json!({ "title": title }))
            .await;
        assert_invalid(&res, "title");
    })
    .await;
}

#[tokio::test]
async fn an_unknown_route_or_a_wrong_method_is_a_json_404_under_the_api() {
    support::on_each_backend(async |app| {
        for uri in [
            "/api/v1/nothing-here".to_owned(),
            app.api("nothing-here"),
            app.api("dashboard_apps/1/frames"),
            "/public/api/v1/nothing-here".to_owned(),
        ] {
            // Under the API's prefixes, the API's JSON 404: clients parse it.
            assert_not_found(&app.get(&uri, &app.admin).await);
        }
        let page = app.get("/no/such/page", &app.admin).await;
        assert_eq!(page.status.as_u16(), 404, "{}", page.text);
        let html = page
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok());
        assert!(html.is_some_and(|t| t.starts_with("text/html")), "{html:?}");
        // A path that exists with another method: Rails routes method and path together.
        assert_not_found(&app.delete(&app.api("conversations"), &app.admin).await);
        assert_not_found(&app.request(Method::GET, "/auth/sign_in", None, None).await);
        // Pages keep their 405.
        let res = app.request(Method::DELETE, "/app/login", None, None).await;
        assert_eq!(res.status.as_u16(), 405, "{}", res.text);
    })
    .await;
}

#[tokio::test]
async fn ids_in_the_path_that_are_not_positive_numbers_are_404s() {
    support::on_each_backend(async |app| {
        for id in [
            "abc",
            "0",
            "-1",
            "1.5",
            "99999999999999999999",
            "1%20OR%201=1",
        ] {
            for rest in [
                format!("dashboard_apps/{id}"),
                format!("labels/{id}"),
                format!("inboxes/{id}"),
                format!("contacts/{id}"),
                format!("contacts/{id}/conversations"),
                format!("conversations/{id}"),
                format!("conversations/{id}/messages"),
                format!("conversations/{id}/labels"),
                format!("conversations/{id}/app_context"),
            ] {
                assert_not_found(&app.get(&app.api(&rest), &app.admin).await);
            }
            assert_not_found(
                &app.delete(&app.api(&format!("agents/{id}")), &app.admin)
                    .await,
            );
            // An account id that is not a number is no account at all.
            let res = app
                .get(&format!("/api/v1/accounts/{id}/agents"), &app.admin)
                .await;
            assert_not_found(&res);
        }
        // A well-formed account id the caller does not belong to is a 401, like a stranger's.
        for account in ["999999", &app.other.account_id.to_string()] {
            let res = app
                .get(&format!("/api/v1/accounts/{account}/agents"), &app.admin)
                .await;
            super::assert_unauthorized(&res);
        }
    })
    .await;
}

#[tokio::test]
async fn the_token_is_read_from_api_access_token_or_a_bearer_authorization() {
    support::on_each_backend(async |app| {
        let uri = app.api("agents");
        let bearer = format!("Bearer {}", app.admin.token);
        let res = raw(
            &app,
            Method::GET,
            &uri,
            &[("authorization", &bearer)],
            Vec::new(),
        )
        .await;
        assert_eq!(res.status.as_u16(), 200, "{}", res.text);
        for headers in [
            vec![("authorization", app.admin.token.as_str())],
            vec![("authorization", "Bearer nope")],
            vec![("api_access_token", "")],
            vec![("api_access_token", "   ")],
            vec![("cookie", "switchboard_session=forged")],
        ] {
            let res = raw(&app, Method::GET, &uri, &headers, Vec::new()).await;
            super::assert_unauthorized(&res);
        }
        // A wrong token wins over a right bearer: the header that is there is the one judged.
        let res = raw(
            &app,
            Method::GET,
            &uri,
            &[("api_access_token", "nope"), ("authorization", &bearer)],
            Vec::new(),
        )
        .await;
        super::assert_unauthorized(&res);
    })
    .await;
}

#[tokio::test]
async fn a_body_of_any_other_content_type_is_read_as_json() {
    support::on_each_backend(async |app| {
        let body = json!({"title": "plain"}).to_string().into_bytes();
        let uri = app.api("labels");
        for content_type in ["text/plain", "application/vnd.api+json"] {
            let res = raw(
                &app,
                Method::POST,
                &uri,
                &[
                    ("api_access_token", &app.admin.token),
                    ("content-type", content_type),
                ],
                body.clone(),
            )
            .await;
            // The first creates the label; the second finds the title taken.
            assert!(
                matches!(res.status.as_u16(), 200 | 422),
                "{content_type}: {}",
                res.text
            );
        }
        // An empty body reads as `{}`: a 422 naming the first missing attribute, not a 400.
        let res = raw(
            &app,
            Method::POST,
            &uri,
            &[("api_access_token", &app.admin.token)],
            Vec::new(),
        )
        .await;
        assert_invalid(&res, "title");
    })
    .await;
}

/// Odd values of every JSON type, for every attribute a route reads.
fn odd_values() -> Vec<serde_json::Value> {
    let mut deep = json!("bottom");
    for _ in 0..40 {
        deep = json!({ "a": [deep] });
    }
    vec![
        json!(null),
        json!(true),
        json!(i64::MIN),
        json!(u64::MAX),
        json!(-0.5),
        json!(""),
        json!("a\u{0}b"),
        json!("ünïcødé ✓ 🚀 '; DROP TABLE contacts; --"),
        json!("x".repeat(10_000)),
        json!([]),
        json!([null, "a\u{0}b"]),
        json!({}),
        json!({"a\u{0}": "b\u{0}"}),
        deep,
    ]
}

#[tokio::test]
async fn no_odd_input_on_any_route_is_a_500() {
    support::on_each_backend(async |app| {
        let display = app.acme.conversation;
        let conversation = |rest: &str| app.api(&format!("conversations/{display}{rest}"));
        let routes: Vec<(Method, String, &[&str])> = vec![
            (Method::POST, "/auth/sign_in".into(), &["email", "password"]),
            (
                Method::POST,
                app.api("dashboard_apps"),
                &["title", "content", "dashboard_app"],
            ),
            (
                Method::POST,
                app.api("labels"),
                &["title", "description", "color", "show_on_sidebar", "label"],
            ),
            (
                Method::POST,
                app.api("agents"),
                &["name", "email", "role", "password", "agent"],
            ),
            (
                Method::PATCH,
                app.api(&format!("agents/{}", app.agent.id)),
                &["name", "role"],
            ),
            (
                Method::POST,
                app.api("inboxes"),
                &["name", "webhook_url", "channel", "inbox"],
            ),
            (
                Method::PATCH,
                app.api(&format!("inboxes/{}", app.acme.inbox_id)),
                &["name", "webhook_url"],
            ),
            (
                Method::POST,
                app.api("contacts"),
                &[
                    "name",
                    "email",
                    "phone_number",
                    "identifier",
                    "additional_attributes",
                    "custom_attributes",
                    "inbox_id",
                    "contact",
                ],
            ),
            (
                Method::PATCH,
                app.api(&format!("contacts/{}", app.acme.contact_id)),
                &[
                    "name",
                    "email",
                    "phone_number",
                    "identifier",
                    "additional_attributes",
                    "custom_attributes",
                ],
            ),
            (
                Method::POST,
                app.api("conversations"),
                &[
                    "inbox_id",
                    "contact_id",
                    "source_id",
                    "status",
                    "assignee_id",
                    "custom_attributes",
                    "additional_attributes",
                    "message",
                ],
            ),
            (
                Method::POST,
                conversation("/toggle_status"),
                &["status", "snoozed_until"],
            ),
            (Method::POST, conversation("/assignments"), &["assignee_id"]),
            (Method::POST, conversation("/labels"), &["labels"]),
            (
                Method::POST,
                conversation("/custom_attributes"),
                &["custom_attributes"],
            ),
            (
                Method::POST,
                conversation("/messages"),
                &["content", "message_type", "private", "content_attributes"],
            ),
        ];
        let flat = odd_values();
        // Attributes that hold objects get odd values one level down as well.
        let mut nested = flat.clone();
        nested.extend(
            flat.iter()
                .map(|v| json!([{ "content": v, "type": "frame", "url": v }])),
        );
        nested.extend(
            flat.iter()
                .map(|v| json!({ "content": v, "type": v, "webhook_url": v, "title": v })),
        );
        for (method, uri, fields) in &routes {
            for field in *fields {
                let values = match *field {
                    "content" | "message" | "channel" | "dashboard_app" | "label" | "agent"
                    | "inbox" | "contact" => &nested,
                    _ => &flat,
                };
                for value in values {
                    // Beside otherwise valid attributes, so the odd one gets as far as it can.
                    let mut body = json!({
                        "title": "t", "name": "n", "email": "n@example.com", "content": "c",
                        "inbox_id": app.acme.inbox_id, "contact_id": app.acme.contact_id,
                        "labels": ["x"], "custom_attributes": {}
                    });
                    body[*field] = value.clone();
                    let res = app
                        .request(
                            method.clone(),
                            uri,
                            Some(&app.admin.token),
                            Some(&body.to_string()),
                        )
                        .await;
                    assert!(
                        res.status.as_u16() < 500,
                        "{method} {uri} with {body}: {} {}",
                        res.status,
                        res.text
                    );
                    let answer = res.json();
                    assert!(
                        answer.is_object() || answer.is_array() || res.text == "null",
                        "{method} {uri} with {body}: not JSON: {}",
                        res.text
                    );
                }
            }
        }
        // Query strings of every list and search.
        let mut queries = Vec::new();
        for value in [
            "%00",
            "a%00b",
            "%FF%FE",
            "%",
            "%25",
            "_",
            "-1",
            "0",
            "9223372036854775808",
            "",
            "%20",
            "x",
        ] {
            for name in [
                "status",
                "assignee_type",
                "page",
                "inbox_id",
                "labels[]",
                "labels",
            ] {
                queries.push(app.api(&format!("conversations?{name}={value}")));
            }
            for name in ["page", "sort"] {
                queries.push(app.api(&format!("contacts?{name}={value}")));
            }
            queries.push(app.api(&format!("contacts/search?q={value}")));
            queries.push(conversation(&format!("/messages?before={value}")));
        }
        for uri in queries {
            let res = app.get(&uri, &app.admin).await;
            assert!(
                matches!(res.status.as_u16(), 200 | 422),
                "{uri}: {} {}",
                res.status,
                res.text
            );
            assert!(res.json().is_object(), "{uri}: {}", res.text);
        }
        // After all that, the fixture still answers.
        super::ok(&app.get(&app.api("conversations"), &app.admin).await);
    })
    .await;
}
