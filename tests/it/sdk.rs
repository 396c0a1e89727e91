//! The kit for app authors over HTTP: the SDK and its declarations served to any origin, the
//! served JSON Schema against the real `app_context` answers, and who may open the playground.

use crate::api::{ok, raw};
use crate::support::{self, TestApp};
use axum::http::{header, Method, StatusCode};
use serde_json::{json, Value};

#[tokio::test]
async fn the_sdk_and_its_declarations_are_served_to_any_origin_with_revalidation() {
    let app = TestApp::new().await;
    for (path, content_type, marker) in [
        (
            "/sdk/dashboard-app.js",
            "text/javascript; charset=utf-8",
            "export function connect(",
        ),
        (
            "/sdk/dashboard-app.d.ts",
            "application/typescript; charset=utf-8",
            "export function connect(options?: ConnectOptions): DashboardApp;",
        ),
        (
            "/schemas/app-context.json",
            "application/schema+json",
            "\"$schema\"",
        ),
    ] {
        // No credentials: apps import it from their own pages, tools fetch it.
        let res = raw(
            &app,
            Method::GET,
            path,
            &[("origin", "https://apps.example")],
            vec![],
        )
        .await;
        assert_eq!(res.status, StatusCode::OK, "{path}");
        assert_eq!(res.headers[header::CONTENT_TYPE], content_type, "{path}");
        assert_eq!(
            res.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN],
            "*",
            "{path}"
        );
        assert_eq!(res.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert!(
            res.headers[header::CACHE_CONTROL]
                .to_str()
                .is_ok_and(|v| v.contains("max-age=")),
            "{path}"
        );
        assert!(res.text.contains(marker), "{path}");
        let etag = res.headers[header::ETAG]
            .to_str()
            .expect("ascii")
            .to_owned();
        let again = raw(&app, Method::GET, path, &[("if-none-match", &etag)], vec![]).await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED, "{path}");
        assert!(again.text.is_empty());
    }
}

#[tokio::test]
async fn the_served_schema_is_the_fixture_and_validates_real_app_contexts() {
    let app = TestApp::new().await;
    let res = raw(&app, Method::GET, "/schemas/app-context.json", &[], vec![]).await;
    let served: Value = serde_json::from_str(&res.text).expect("the schema is JSON");
    assert_eq!(served, support::fixture("app-context.schema.json"));
    let validator = jsonschema::validator_for(&served).expect("a valid JSON Schema");
    let errors = |value: &Value| -> Vec<String> {
        validator
            .iter_errors(value)
            .map(|e| format!("{e} at {}", e.instance_path))
            .collect()
    };

    let uri = app.api(&format!(
        "conversations/{}/app_context",
        app.acme.conversation
    ));
    let unsigned = ok(&app.get(&uri, &app.agent).await);
    assert_eq!(errors(&unsigned), Vec::<String>::new());
    let created = ok(&app
        .post(
            &app.api("dashboard_apps"),
            &app.admin,
            &json!({"title": "Orders", "content": [{"type": "frame", "url": "https://apps.example/"}]}),
        )
        .await);
    let id = created["id"].as_i64().expect("an id");
    app.rotate_secret(id).await;
    let mut signed = ok(&app.get(&format!("{uri}?app_id={id}"), &app.agent).await);
    assert!(signed["token"].is_string(), "{signed}");
    assert_eq!(errors(&signed), Vec::<String>::new());
    // As the bridge sends it, with meta.
    signed["meta"] = json!({"seq": 3, "reason": "message.created", "protocol": 1});
    assert_eq!(errors(&signed), Vec::<String>::new());
    // Chatwoot's own sample, without any of our keys, is still valid.
    assert!(validator.is_valid(&support::fixture("app-context.sample.json")));
    // A sidebar app's context, as the host serves it: the agent and the account, signed.
    let mut sidebar = ok(&app
        .get(
            &app.api(&format!("dashboard_apps/{id}/app_context")),
            &app.admin,
        )
        .await);
    assert!(sidebar["data"].get("conversation").is_none(), "{sidebar}");
    assert!(sidebar["token"].is_string(), "{sidebar}");
    sidebar["meta"] = json!({"seq": 1, "reason": "load", "protocol": 1});
    assert_eq!(errors(&sidebar), Vec::<String>::new());

    // And the schema does check the new keys: these are refused.
    for (what, broken) in [
        ("seq 0", json!({"seq": 0, "reason": "load", "protocol": 1})),
        (
            "another protocol",
            json!({"seq": 1, "reason": "load", "protocol": 2}),
        ),
        ("no reason", json!({"seq": 1, "protocol": 1})),
    ] {
        let mut message = signed.clone();
        message["meta"] = broken;
        assert!(!validator.is_valid(&message), "{what}");
    }
    let mut message = signed.clone();
    message["token"] = json!(42);
    assert!(
        !validator.is_valid(&message),
        "a token that is not a string"
    );
    let mut sidebar_without_account = sidebar.clone();
    sidebar_without_account["data"]
        .as_object_mut()
        .expect("an object")
        .remove("account");
    assert!(!validator.is_valid(&sidebar_without_account));
}

#[tokio::test]
async fn only_administrators_open_the_playground_and_it_may_frame_any_web_page() {
    let app = TestApp::new().await;
    let path = format!(
        "/app/accounts/{}/settings/integrations/dashboard_apps/playground",
        app.acme.account_id
    );
    let cookie = |who: i64| {
        let store = app.store().clone();
        async move {
            let user = store
                .users()
                .find(domain::UserId(who))
                .await
                .expect("the user");
            let session = store
                .users()
                .create_session(&user)
                .await
                .expect("a session");
            format!("{}={}", web::auth::SESSION_COOKIE, session.id)
        }
    };

    let admin = cookie(app.admin.id).await;
    let res = raw(&app, Method::GET, &path, &[("cookie", &admin)], vec![]).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let policy = res.headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .expect("ascii");
    assert!(policy.contains("frame-src http: https:"), "{policy}");
    assert!(policy.contains("script-src 'self'"), "{policy}");
    assert!(res.text.contains("id=\"pg-url\""));
    assert!(
        res.text.contains("data-sample-context=\"{"),
        "the sample context reaches the script"
    );

    let agent = cookie(app.agent.id).await;
    let res = raw(&app, Method::GET, &path, &[("cookie", &agent)], vec![]).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);

    let res = raw(&app, Method::GET, &path, &[], vec![]).await;
    assert!(res.status.is_redirection(), "signed out: {}", res.status);
}
