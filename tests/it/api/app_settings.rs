//! Dashboard apps' installation settings (issue 14, item 4) and visibility by role and team
//! (item 6): the schema and the allow-list in the control fields, values saved with 422s naming
//! the setting, secrets sealed at rest and shown only as `{"set": true}`, non-secret values in
//! every context as a top-level `settings`, and apps hidden (no tab, no token, no context) from
//! members outside their roles and teams.

use super::{assert_invalid, assert_not_found, expect, ok, send};
use crate::support::{self, TestApp};
use axum::http::Method;
use serde_json::{json, Value};

const SECRET: &str = "sk_live_very-secret-4242";

fn schema() -> Value {
    json!([
        {"key": "region", "label": "Region", "type": "select", "options": ["eu", "us"], "required": true},
        {"key": "api_key", "label": "API key", "type": "secret", "required": true},
        {"key": "limit", "label": "Limit", "type": "number", "required": false},
        {"key": "beta", "label": "Beta", "type": "boolean", "required": false},
        {"key": "greeting", "label": "Greeting", "type": "text", "required": false}
    ])
}

/// An app with the schema above, shown on every conversation; returns its id.
pub async fn crm_app(app: &TestApp, extra: Value) -> i64 {
    let mut body = json!({
        "title": "CRM",
        "content": [{"type": "frame", "url": "https://crm.example/"}],
        "settings_schema": schema(),
        "request_hosts": ["API.crm.example", "127.0.0.1"],
    });
    for (key, value) in extra.as_object().unwrap() {
        body[key] = value.clone();
    }
    let uri = format!("{}?include=control", app.api("dashboard_apps"));
    ok(&app.post(&uri, &app.admin, &body).await)["id"]
        .as_i64()
        .unwrap()
}

pub fn settings_uri(app: &TestApp, id: i64) -> String {
    app.api(&format!("dashboard_apps/{id}/settings"))
}

async fn save(app: &TestApp, id: i64, settings: Value) -> support::TestResponse {
    let body = json!({ "settings": settings });
    send(
        app,
        Method::PATCH,
        &settings_uri(app, id),
        &app.admin,
        Some(&body),
    )
    .await
}

fn context_uri(app: &TestApp, id: i64) -> String {
    app.api(&format!(
        "conversations/{}/app_context?app_id={id}",
        app.acme.conversation
    ))
}

#[tokio::test]
async fn settings_are_defined_in_the_control_fields_and_values_saved_with_secrets_hidden() {
    support::on_each_backend(async |app: TestApp| {
        let id = crm_app(&app, json!({})).await;
        let shown = ok(&app
            .get(
                &format!(
                    "{}?include=control",
                    app.api(&format!("dashboard_apps/{id}"))
                ),
                &app.admin,
            )
            .await);
        assert_eq!(shown["settings_schema"], schema());
        assert_eq!(
            shown["request_hosts"],
            json!(["127.0.0.1", "api.crm.example"])
        );
        assert_eq!(shown["secrets"], json!({"api_key": {"set": false}}));
        assert_eq!(shown["settings"], json!({}));

        let saved = ok(&save(
            &app,
            id,
            json!({"region": "eu", "api_key": SECRET, "limit": 5, "beta": true, "greeting": "Hi"}),
        )
        .await);
        assert_eq!(
            saved["settings"],
            json!({"region": "eu", "limit": 5, "beta": true, "greeting": "Hi"})
        );
        assert_eq!(saved["secrets"], json!({"api_key": {"set": true}}));
        assert!(!saved.to_string().contains(SECRET));
        // No answer ever carries the secret: not the list, not an app, not a context.
        for uri in [
            format!("{}?include=control", app.api("dashboard_apps")),
            format!(
                "{}?include=control",
                app.api(&format!("dashboard_apps/{id}"))
            ),
            context_uri(&app, id),
        ] {
            let res = app.get(&uri, &app.admin).await;
            assert!(!res.text.contains(SECRET), "{uri}: {}", res.text);
        }

        // An empty secret keeps the stored one; other values are merged.
        let kept = ok(&save(&app, id, json!({"api_key": "", "limit": null})).await);
        assert_eq!(kept["secrets"], json!({"api_key": {"set": true}}));
        assert_eq!(
            kept["settings"],
            json!({"region": "eu", "beta": true, "greeting": "Hi"})
        );
    })
    .await;
}

#[tokio::test]
async fn secrets_are_sealed_at_rest() {
    let app = TestApp::new().await;
    let id = crm_app(&app, json!({})).await;
    ok(&save(&app, id, json!({"region": "eu", "api_key": SECRET})).await);
    let sealed = app
        .store()
        .dashboard_app_secrets()
        .sealed(domain::DashboardAppId(id))
        .await
        .unwrap();
    let stored = &sealed["api_key"];
    assert!(
        !stored.contains(SECRET) && stored.starts_with("v1."),
        "{stored}"
    );
    let context = domain::sealed::setting_context(domain::DashboardAppId(id), "api_key");
    assert_eq!(app.state.secret_key.open(stored, &context).unwrap(), SECRET);
}

#[tokio::test]
async fn bad_schemas_hosts_and_values_are_422s_naming_the_field() {
    let app = TestApp::new().await;
    let create = |body: Value| {
        let app = &app;
        async move {
            app.post(&app.api("dashboard_apps"), &app.admin, &body)
                .await
        }
    };
    let content = json!([{"type": "frame", "url": "https://crm.example/"}]);
    for (field, value, attribute) in [
        (
            "settings_schema",
            json!([{"key": "x", "label": "X", "type": "colour"}]),
            "settings_schema",
        ),
        (
            "settings_schema",
            json!([{"key": "Bad key", "label": "X", "type": "text"}]),
            "settings_schema",
        ),
        ("settings_schema", json!("nope"), "settings_schema"),
        (
            "request_hosts",
            json!(["https://api.example/x"]),
            "request_hosts",
        ),
        ("roles", json!(["owner"]), "roles"),
        ("team_ids", json!([424242]), "team_ids"),
    ] {
        let body = json!({"title": "CRM", "content": content, field: value});
        let res = create(body).await;
        assert_eq!(res.status.as_u16(), 422, "{field}: {}", res.text);
        assert!(
            res.json()["attributes"][0]
                .as_str()
                .unwrap()
                .starts_with(attribute),
            "{field}: {}",
            res.text
        );
    }

    let id = crm_app(&app, json!({})).await;
    for (settings, attribute) in [
        (json!({"region": "mars", "api_key": "k"}), "settings.region"),
        (
            json!({"region": "eu", "api_key": "k", "limit": "many"}),
            "settings.limit",
        ),
        (
            json!({"region": "eu", "api_key": "k", "beta": "yes"}),
            "settings.beta",
        ),
        (
            json!({"region": "eu", "api_key": "k", "colour": "red"}),
            "settings.colour",
        ),
        (json!({"region": "eu"}), "settings.api_key"),
        (json!({"api_key": "k"}), "settings.region"),
    ] {
        assert_invalid(&save(&app, id, settings).await, attribute);
    }
    // Values are an administrator's to set.
    let body = json!({"settings": {"region": "eu"}});
    let res = send(
        &app,
        Method::PATCH,
        &settings_uri(&app, id),
        &app.agent,
        Some(&body),
    )
    .await;
    expect(&res, 401);
}

#[tokio::test]
async fn non_secret_values_reach_the_app_as_a_top_level_settings_in_every_context() {
    let app = TestApp::new().await;
    let id = crm_app(&app, json!({})).await;
    ok(&save(
        &app,
        id,
        json!({"region": "us", "api_key": SECRET, "beta": false}),
    )
    .await);
    let context = ok(&app.get(&context_uri(&app, id), &app.agent).await);
    assert_eq!(context["settings"], json!({"region": "us", "beta": false}));
    assert!(
        context["data"].get("settings").is_none(),
        "data stays Chatwoot's"
    );
    let errors = support::schema_errors(&context, None);
    assert!(errors.is_empty(), "{errors:#?}");

    let sidebar = crm_app(
        &app,
        json!({"display_type": "sidebar", "content": [{"type": "frame", "url": "https://crm.example/side"}]}),
    )
    .await;
    ok(&save(&app, sidebar, json!({"region": "eu", "api_key": SECRET})).await);
    let uri = app.api(&format!("dashboard_apps/{sidebar}/app_context"));
    let context = ok(&app.get(&uri, &app.agent).await);
    assert_eq!(context["settings"], json!({"region": "eu"}));
    assert!(!context.to_string().contains(SECRET));
    let errors = support::schema_errors(&context, None);
    assert!(errors.is_empty(), "{errors:#?}");
}

#[tokio::test]
async fn removing_a_secret_setting_from_the_schema_deletes_its_value() {
    let app = TestApp::new().await;
    let id = crm_app(&app, json!({})).await;
    ok(&save(&app, id, json!({"region": "eu", "api_key": SECRET})).await);
    let uri = format!(
        "{}?include=control",
        app.api(&format!("dashboard_apps/{id}"))
    );
    let body = json!({"settings_schema": [{"key": "region", "label": "Region", "type": "text"}]});
    let changed = ok(&app.patch(&uri, &app.admin, &body).await);
    assert_eq!(changed["secrets"], json!({}));
    assert_eq!(changed["settings"], json!({"region": "eu"}));
    let sealed = app
        .store()
        .dashboard_app_secrets()
        .sealed(domain::DashboardAppId(id))
        .await
        .unwrap();
    assert!(sealed.is_empty());
}

/// A team with the fixture's agent in it; returns its id.
async fn team_with_agent(app: &TestApp) -> i64 {
    let team = ok(&app
        .post(&app.api("teams"), &app.admin, &json!({"name": "Billing"}))
        .await);
    let id = team["id"].as_i64().unwrap();
    let uri = app.api(&format!("teams/{id}/team_members"));
    ok(&app
        .post(&uri, &app.admin, &json!({"user_ids": [app.agent.id]}))
        .await);
    id
}

#[tokio::test]
async fn an_agent_outside_the_apps_roles_or_teams_neither_sees_it_nor_gets_its_context() {
    support::on_each_backend(async |app: TestApp| {
        let billing = team_with_agent(&app).await;
        let other = ok(&app
            .post(&app.api("teams"), &app.admin, &json!({"name": "Sales"}))
            .await)["id"]
            .as_i64()
            .unwrap();
        let admins_only =
            crm_app(&app, json!({"title": "Admins", "roles": ["administrator"]})).await;
        let sales_only = crm_app(&app, json!({"title": "Sales", "team_ids": [other]})).await;
        let billing_agents = crm_app(
            &app,
            json!({"title": "Billing", "roles": ["agent"], "team_ids": [billing]}),
        )
        .await;
        let uri = format!(
            "{}?include=control",
            app.api(&format!("dashboard_apps/{billing_agents}"))
        );
        let shown = ok(&app.get(&uri, &app.admin).await);
        assert_eq!(shown["roles"], json!(["agent"]));
        assert_eq!(shown["team_ids"], json!([billing]));

        for hidden in [admins_only, sales_only] {
            assert_not_found(&app.get(&context_uri(&app, hidden), &app.agent).await);
        }
        let context = ok(&app
            .get(&context_uri(&app, billing_agents), &app.agent)
            .await);
        assert!(context["token"].is_string());

        // The conversation page shows the agent only the tab meant for them; the
        // administrator sees theirs.
        let conversation = format!(
            "/app/accounts/{}/conversations/{}",
            app.acme.account_id, app.acme.conversation
        );
        let tab = |id: i64| format!("id=\"tab-app-{id}\"");
        let cookie = crate::hardening::page_session(&app, &app.agent.email).await;
        let page = crate::hardening::page(&app, &cookie, &conversation)
            .await
            .text;
        assert!(page.contains(&tab(billing_agents)), "{page}");
        assert!(!page.contains(&tab(admins_only)) && !page.contains(&tab(sales_only)));
        let cookie = crate::hardening::page_session(&app, &app.admin.email).await;
        let page = crate::hardening::page(&app, &cookie, &conversation)
            .await
            .text;
        assert!(page.contains(&tab(admins_only)) && !page.contains(&tab(billing_agents)));

        // Sidebar apps too: no entry, no page, no context.
        let sidebar = crm_app(
            &app,
            json!({"title": "Side", "display_type": "sidebar", "team_ids": [other],
                   "content": [{"type": "frame", "url": "https://crm.example/side"}]}),
        )
        .await;
        let uri = app.api(&format!("dashboard_apps/{sidebar}/app_context"));
        assert_not_found(&app.get(&uri, &app.agent).await);
        ok(&app.get(&uri, &app.admin).await);
        let page_uri = format!("/app/accounts/{}/apps/{sidebar}", app.acme.account_id);
        let entry = format!("data-sidebar-app=\"{sidebar}\"");
        let cookie = crate::hardening::page_session(&app, &app.agent.email).await;
        assert_eq!(
            crate::hardening::page(&app, &cookie, &page_uri)
                .await
                .status,
            404
        );
        let page = crate::hardening::page(&app, &cookie, &conversation)
            .await
            .text;
        assert!(!page.contains(&entry), "no navigation entry for the agent");

        // The playground lists only the apps its administrator may see.
        let cookie = crate::hardening::page_session(&app, &app.admin.email).await;
        let playground = format!(
            "/app/accounts/{}/settings/integrations/dashboard_apps/playground",
            app.acme.account_id
        );
        let page = crate::hardening::page(&app, &cookie, &playground)
            .await
            .text;
        let option = |id: i64| format!("<option value=\"{id}\"");
        assert!(page.contains(&option(admins_only)), "{page}");
        assert!(!page.contains(&option(billing_agents)));
    })
    .await;
}
