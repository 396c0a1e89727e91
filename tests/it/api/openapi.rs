//! `GET /api/openapi.json`: every API route written in `routes.rs` is documented (so a route
//! added without `#[utoipa::path]` fails here), nothing documented is missing from the router,
//! the document holds together as OpenAPI 3.1, and real answers match the schemas it gives.

use super::ok;
use crate::support::{self, TestApp};
use axum::http::Method;
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// The router's source: the one place every URL is written.
const ROUTES: &str = include_str!("../../../crates/web/src/routes.rs");

/// Paths served as JSON API (the rest are pages, assets and `/cable`).
fn is_api(path: &str) -> bool {
    path == "/health"
        || path.starts_with("/api/")
        || path.starts_with("/public/api/")
        || path.starts_with("/auth/")
}

/// `(method, path)` of every `.route("<path>", <method router>)` in `routes.rs`, read from the
/// text: each call's first string literal, then each `get(`, `post(`, `put(`, `patch(` or
/// `delete(` in its method chain (plain, `.post(…)` or `axum::routing::patch(…)`).
pub(super) fn routes_in_source() -> BTreeSet<(String, String)> {
    let mut found = BTreeSet::new();
    let mut rest = ROUTES;
    while let Some(start) = rest.find(".route(") {
        let call = &rest[start + ".route(".len()..];
        let end = closing_paren(call).expect("every .route( call is closed");
        let args = &call[..end];
        rest = &call[end..];
        let open = args
            .find('"')
            .expect("a route starts with its path literal");
        let close = args[open + 1..].find('"').expect("the path literal ends") + open + 1;
        let path = &args[open + 1..close];
        let chain = &args[close + 1..];
        for method in ["get", "post", "put", "patch", "delete"] {
            let call = format!("{method}(");
            let mut from = 0;
            while let Some(i) = chain[from..].find(&call).map(|i| i + from) {
                let before = chain[..i].chars().next_back();
                if !before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    found.insert((method.to_owned(), path.to_owned()));
                }
                from = i + call.len();
            }
        }
    }
    found
}

/// The index of the `)` closing a call whose `(` came just before `text`.
fn closing_paren(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_string = false;
    for (i, c) in text.char_indices() {
        match c {
            '"' => in_string = !in_string,
            '(' if !in_string => depth += 1,
            ')' if !in_string && depth == 0 => return Some(i),
            ')' if !in_string => depth -= 1,
            _ => {}
        }
    }
    None
}

async fn document(app: &TestApp) -> Value {
    let res = app
        .request(Method::GET, "/api/openapi.json", None, None)
        .await;
    assert!(res.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    ok(&res)
}

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

fn documented(doc: &Value) -> BTreeSet<(String, String)> {
    let paths = doc["paths"].as_object().expect("paths is an object");
    paths
        .iter()
        .flat_map(|(path, item)| {
            METHODS
                .iter()
                .filter(|m| item.get(**m).is_some())
                .map(move |m| (m.to_string(), path.clone()))
        })
        .collect()
}

#[tokio::test]
async fn every_api_route_in_routes_rs_is_documented_and_nothing_else() {
    let app = TestApp::new().await;
    let doc = document(&app).await;
    let routes: BTreeSet<_> = routes_in_source()
        .into_iter()
        .filter(|(_, path)| is_api(path))
        .collect();
    // The reader itself must see the router, or an empty set would pass everything.
    assert!(routes.len() > 50, "only {} API routes read", routes.len());
    assert!(routes.contains(&(
        "put".into(),
        "/api/v1/accounts/{account_id}/labels/{id}".into()
    )));
    assert!(routes.contains(&("delete".into(), "/auth/sign_out".into())));
    let documented = documented(&doc);
    // Chatwoot accepts PUT wherever it accepts PATCH; the document describes the PATCH.
    let undocumented: Vec<_> = routes
        .iter()
        .filter(|(method, path)| {
            let as_documented = if method == "put" { "patch" } else { method };
            !documented.contains(&(as_documented.to_owned(), path.clone()))
        })
        .collect();
    assert!(
        undocumented.is_empty(),
        "not in /api/openapi.json: {undocumented:#?}"
    );
    let unrouted: Vec<_> = documented.difference(&routes).collect();
    assert!(
        unrouted.is_empty(),
        "documented but not routed: {unrouted:#?}"
    );
}

/// Every `$ref` in `value`, as the path after `#/`.
fn refs(value: &Value, into: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get("$ref") {
                into.push(target.clone());
            }
            map.values().for_each(|v| refs(v, into));
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, into)),
        _ => {}
    }
}

#[tokio::test]
async fn the_document_is_well_formed_openapi_3_1() {
    let app = TestApp::new().await;
    let doc = document(&app).await;
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1."),
        "{}",
        doc["openapi"]
    );
    assert!(doc["info"]["title"].is_string() && doc["info"]["version"].is_string());
    assert_eq!(
        doc["components"]["securitySchemes"]["api_access_token"],
        json!({"type": "apiKey", "in": "header", "name": "api_access_token",
               "description": "The user's access token (`access_token` of `POST /auth/sign_in`)"})
    );
    let mut operation_ids = BTreeSet::new();
    for (method, path) in documented(&doc) {
        let op = &doc["paths"][&path][&method];
        let id = op["operationId"].as_str().expect("an operationId");
        assert!(operation_ids.insert(id.to_owned()), "{id} is used twice");
        let responses = op["responses"].as_object().expect("responses");
        assert!(
            responses.keys().any(|code| code.starts_with('2')),
            "{method} {path} documents no success"
        );
        // Every `{name}` of the path is a documented path parameter.
        let declared: BTreeSet<&str> = op["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| p["in"] == "path")
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        let in_path: BTreeSet<&str> = path
            .split('/')
            .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
            .collect();
        assert_eq!(declared, in_path, "{method} {path}");
        let security = op["security"].as_array().expect("explicit security");
        let public = security
            .iter()
            .all(|r| r.as_object().is_some_and(|o| o.is_empty()));
        let expected_public = path.starts_with("/public/")
            || ["/health", "/auth/sign_in", "/api/openapi.json"].contains(&path.as_str());
        assert_eq!(public, expected_public, "{method} {path}: {security:?}");
        if !public {
            assert!(responses.contains_key("401"), "{method} {path}");
        }
        if op.get("requestBody").is_some() {
            assert!(responses.contains_key("422"), "{method} {path}");
            // Rails reads form and multipart bodies as it reads JSON.
            let content = &op["requestBody"]["content"];
            for kind in ["application/x-www-form-urlencoded", "multipart/form-data"] {
                assert_eq!(
                    content[kind], content["application/json"],
                    "{method} {path} {kind}"
                );
            }
        }
    }
    // The OpenAPI Initiative's own schema of an OpenAPI 3.1 document (2022-10-07, Apache-2.0;
    // this copy is the one schemathesis ships to check documents it loads).
    let meta = support::fixture("openapi-3.1.schema.json");
    let validator = jsonschema::validator_for(&meta).expect("the OAS 3.1 schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "not valid OpenAPI 3.1: {errors:#?}");
    let mut broken = doc.clone();
    broken["paths"]["/health"]["get"]["responses"] = json!("none");
    assert!(
        !validator.is_valid(&broken),
        "the meta-schema checks nothing"
    );
    let mut targets = Vec::new();
    refs(&doc, &mut targets);
    assert!(!targets.is_empty());
    for target in targets {
        let pointer = target.strip_prefix('#').expect("local refs only");
        assert!(doc.pointer(pointer).is_some(), "{target} does not resolve");
    }
    // The schemas themselves are valid JSON Schema (2020-12, which OpenAPI 3.1 uses).
    for (name, schema) in doc["components"]["schemas"].as_object().unwrap() {
        let mut root = schema.clone();
        root["components"] = doc["components"].clone();
        assert!(
            jsonschema::validator_for(&root).is_ok(),
            "{name} is no valid JSON Schema"
        );
    }
}

/// `body` against the 200 schema documented for `method path`.
fn schema_errors(doc: &Value, method: &str, path: &str, body: &Value) -> Vec<String> {
    let schema =
        &doc["paths"][path][method]["responses"]["200"]["content"]["application/json"]["schema"];
    assert!(
        schema.is_object(),
        "{method} {path} documents no JSON answer"
    );
    let root = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "allOf": [schema],
        "components": doc["components"],
    });
    let validator = jsonschema::validator_for(&root).expect("the schema compiles");
    validator
        .iter_errors(body)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect()
}

#[tokio::test]
async fn real_answers_match_the_documented_schemas() {
    support::on_each_backend(async |app| {
        let doc = document(&app).await;
        let account = "/api/v1/accounts/{account_id}";
        let conversation = app.api(&format!("conversations/{}", app.acme.conversation));
        let frame =
            json!({"title": "Orders", "content": [{"type": "frame", "url": "https://a.example"}]});
        let created = ok(&app
            .post(&app.api("dashboard_apps"), &app.admin, &frame)
            .await);
        let dashboard_app = app.api(&format!("dashboard_apps/{}", created["id"]));
        for (path, uri) in [
            ("/api/v1/profile".to_owned(), "/api/v1/profile".to_owned()),
            (format!("{account}/conversations"), app.api("conversations")),
            (
                format!("{account}/conversations/{{display_id}}"),
                conversation.clone(),
            ),
            (
                format!("{account}/conversations/{{display_id}}/app_context"),
                format!("{conversation}/app_context"),
            ),
            (
                format!("{account}/conversations/{{display_id}}/messages"),
                format!("{conversation}/messages"),
            ),
            (format!("{account}/contacts"), app.api("contacts")),
            (format!("{account}/inboxes"), app.api("inboxes")),
            (format!("{account}/agents"), app.api("agents")),
            (format!("{account}/labels"), app.api("labels")),
            (
                format!("{account}/dashboard_apps"),
                app.api("dashboard_apps"),
            ),
            (
                format!("{account}/dashboard_apps"),
                app.api("dashboard_apps?include=control"),
            ),
            (
                format!("{account}/dashboard_apps/{{id}}"),
                dashboard_app.clone(),
            ),
            (
                format!("{account}/dashboard_apps/{{id}}"),
                format!("{dashboard_app}?include=control"),
            ),
            (format!("{account}/webhooks"), app.api("webhooks")),
        ] {
            let body = ok(&app.get(&uri, &app.admin).await);
            let errors = schema_errors(&doc, "get", &path, &body);
            assert!(errors.is_empty(), "GET {uri}: {errors:#?}");
        }
        // A schema that says nothing would pass the loop above; this one must not pass.
        let errors = schema_errors(
            &doc,
            "get",
            &format!("{account}/conversations/{{display_id}}"),
            &json!({"id": "seven"}),
        );
        assert!(!errors.is_empty());
    })
    .await;
}
