//! Our control fields on dashboard apps (`enabled`, `position`, `display_type`, `inbox_ids`,
//! `allowed_actions`): accepted in writes, returned only with `?include=control`, and obeyed
//! where tokens are handed out; plus a sidebar app's own context.

use super::{assert_invalid, assert_not_found, expect, keys, ok};
use crate::support::{self, TestApp};
use serde_json::{json, Value};

fn frame(url: &str) -> Value {
    json!([{"type": "frame", "url": url}])
}

async fn create_with(app: &TestApp, body: Value) -> Value {
    ok(&app
        .post(
            &format!("{}?include=control", app.api("dashboard_apps")),
            &app.admin,
            &body,
        )
        .await)
}

async fn listed(app: &TestApp) -> Vec<Value> {
    let uri = format!("{}?include=control", app.api("dashboard_apps"));
    ok(&app.get(&uri, &app.admin).await)
        .as_array()
        .unwrap()
        .clone()
}

fn titles(apps: &[Value]) -> Vec<&str> {
    apps.iter().map(|a| a["title"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn control_fields_come_only_when_asked_for_with_todays_behaviour_as_defaults() {
    support::on_each_backend(async |app: TestApp| {
        let created = create_with(
            &app,
            json!({"title": "Orders", "content": frame("https://orders.example/")}),
        )
        .await;
        assert_eq!(
            keys(&created),
            [
                "allowed_actions",
                "content",
                "created_at",
                "display_type",
                "enabled",
                "id",
                "inbox_ids",
                "placements",
                "position",
                "request_hosts",
                "roles",
                "secrets",
                "settings",
                "settings_schema",
                "team_ids",
                "title",
                "token_algorithm"
            ]
        );
        assert_eq!(created["enabled"], true);
        assert_eq!(
            created["token_algorithm"], "EdDSA",
            "new apps verify through the JWKS"
        );
        assert_eq!(created["position"], 1);
        assert_eq!(created["display_type"], "conversation");
        assert_eq!(created["inbox_ids"], json!([]));
        assert_eq!(created["allowed_actions"], json!([]));

        // A Chatwoot client sees Chatwoot's body, even for an app with every field set.
        let id = created["id"].as_i64().unwrap();
        let plain = ok(&app
            .get(&app.api(&format!("dashboard_apps/{id}")), &app.admin)
            .await);
        assert_eq!(keys(&plain), ["content", "created_at", "id", "title"]);
        let index = ok(&app.get(&app.api("dashboard_apps"), &app.agent).await);
        assert_eq!(keys(&index[0]), ["content", "created_at", "id", "title"]);

        let unknown = app
            .get(
                &format!("{}?include=secrets", app.api("dashboard_apps")),
                &app.admin,
            )
            .await;
        assert_invalid(&unknown, "include");
    })
    .await;
}

#[tokio::test]
async fn every_control_field_is_written_and_bad_values_are_422s_naming_the_field() {
    support::on_each_backend(async |app: TestApp| {
        let second_inbox = ok(&app
            .post(&app.api("inboxes"), &app.admin, &json!({"name": "Email"}))
            .await)["id"]
            .as_i64()
            .unwrap();
        let created = create_with(
            &app,
            json!({"dashboard_app": {
                "title": "CRM",
                "content": frame("https://crm.example/"),
                "enabled": false,
                "display_type": "conversation",
                "inbox_ids": [second_inbox, app.acme.inbox_id, second_inbox],
                "allowed_actions": ["notify", "insert-reply"],
            }}),
        )
        .await;
        assert_eq!(created["enabled"], false);
        let mut inboxes = vec![app.acme.inbox_id, second_inbox];
        inboxes.sort();
        assert_eq!(created["inbox_ids"], json!(inboxes), "sorted, without repeats");
        assert_eq!(
            created["allowed_actions"],
            json!(["insert-reply", "notify"])
        );

        let id = created["id"].as_i64().unwrap();
        let uri = format!("{}?include=control", app.api(&format!("dashboard_apps/{id}")));
        let updated = ok(&app
            .patch(&uri, &app.admin, &json!({"enabled": true, "inbox_ids": []}))
            .await);
        assert_eq!(updated["enabled"], true);
        assert_eq!(updated["inbox_ids"], json!([]));
        assert_eq!(
            updated["allowed_actions"],
            json!(["insert-reply", "notify"]),
            "fields left out keep their value"
        );
        assert_eq!(updated["title"], "CRM");

        let foreign_inbox = app
            .store()
            .inboxes()
            .list(domain::AccountId(app.other.account_id))
            .await
            .unwrap()[0]
            .id
            .get();
        for (body, field) in [
            (json!({"enabled": "yes"}), "enabled"),
            (json!({"position": 0}), "position"),
            (json!({"position": "first"}), "position"),
            (json!({"display_type": "popup"}), "display_type"),
            (json!({"inbox_ids": [foreign_inbox]}), "inbox_ids"),
            (json!({"inbox_ids": [999_999]}), "inbox_ids"),
            (json!({"inbox_ids": "all"}), "inbox_ids"),
            (json!({"allowed_actions": ["send-reply"]}), "allowed_actions"),
        ] {
            let refused = app.patch(&uri, &app.admin, &body).await;
            assert_invalid(&refused, field);
        }
        // A sidebar app has no conversation, so conversation placeholders are refused…
        let sidebar = app
            .patch(
                &uri,
                &app.admin,
                &json!({"display_type": "sidebar", "content": frame("https://crm.example/c/{{conversation.id}}")}),
            )
            .await;
        assert_invalid(&sidebar, "content");
        // …whichever of the two changes: this URL is fine until the app becomes a sidebar app.
        ok(&app
            .patch(&uri, &app.admin, &json!({"content": frame("https://crm.example/c/{{contact.id}}")}))
            .await);
        assert_invalid(
            &app.patch(&uri, &app.admin, &json!({"display_type": "sidebar"})).await,
            "content",
        );
        let unchanged = ok(&app.get(&uri, &app.admin).await);
        assert_eq!(unchanged["display_type"], "conversation", "nothing half-written");
        assert_eq!(
            app.patch(&uri, &app.agent, &json!({"enabled": false})).await.status,
            401
        );
    })
    .await;
}

#[tokio::test]
async fn positions_order_the_list_stay_dense_and_moves_renumber_the_rest() {
    support::on_each_backend(async |app: TestApp| {
        for title in ["A", "B", "C"] {
            create_with(
                &app,
                json!({"title": title, "content": frame("https://a.example/")}),
            )
            .await;
        }
        let apps = listed(&app).await;
        assert_eq!(titles(&apps), ["A", "B", "C"]);
        let c = apps[2]["id"].as_i64().unwrap();
        let a = apps[0]["id"].as_i64().unwrap();

        let moved = ok(&app
            .patch(
                &app.api(&format!("dashboard_apps/{c}?include=control")),
                &app.admin,
                &json!({"position": 1}),
            )
            .await);
        assert_eq!(moved["position"], 1);
        let apps = listed(&app).await;
        assert_eq!(titles(&apps), ["C", "A", "B"]);
        let positions: Vec<i64> = apps
            .iter()
            .map(|a| a["position"].as_i64().unwrap())
            .collect();
        assert_eq!(positions, [1, 2, 3]);
        // The plain index (the tabs' order) follows too.
        let plain = ok(&app.get(&app.api("dashboard_apps"), &app.agent).await);
        assert_eq!(titles(plain.as_array().unwrap()), ["C", "A", "B"]);

        // Past the end means last.
        ok(&app
            .patch(
                &app.api(&format!("dashboard_apps/{a}")),
                &app.admin,
                &json!({"position": 99}),
            )
            .await);
        assert_eq!(titles(&listed(&app).await), ["C", "B", "A"]);

        // A new app may ask for its place; deleting one closes the gap.
        create_with(
            &app,
            json!({"title": "D", "content": frame("https://d.example/"), "position": 2}),
        )
        .await;
        assert_eq!(titles(&listed(&app).await), ["C", "D", "B", "A"]);
        expect(
            &app.delete(&app.api(&format!("dashboard_apps/{c}")), &app.admin)
                .await,
            204,
        );
        let apps = listed(&app).await;
        assert_eq!(titles(&apps), ["D", "B", "A"]);
        let positions: Vec<i64> = apps
            .iter()
            .map(|a| a["position"].as_i64().unwrap())
            .collect();
        assert_eq!(positions, [1, 2, 3]);
    })
    .await;
}

#[tokio::test]
async fn agents_get_tokens_only_for_apps_shown_on_that_conversation() {
    support::on_each_backend(async |app: TestApp| {
        let other_inbox = ok(&app
            .post(&app.api("inboxes"), &app.admin, &json!({"name": "Email"}))
            .await)["id"]
            .as_i64()
            .unwrap();
        let shown = create_with(&app, json!({"title": "Shown", "content": frame("https://a.example/"), "inbox_ids": [app.acme.inbox_id]})).await;
        let disabled = create_with(&app, json!({"title": "Off", "content": frame("https://b.example/"), "enabled": false})).await;
        let elsewhere = create_with(&app, json!({"title": "Elsewhere", "content": frame("https://c.example/"), "inbox_ids": [other_inbox]})).await;
        let sidebar = create_with(&app, json!({"title": "Side", "content": frame("https://d.example/{{agent.id}}"), "display_type": "sidebar"})).await;

        let context = |id: &Value| {
            app.api(&format!(
                "conversations/{}/app_context?app_id={}",
                app.acme.conversation, id
            ))
        };
        let token = ok(&app.get(&context(&shown["id"]), &app.agent).await)["token"].clone();
        assert!(token.is_string());
        for hidden in [&disabled, &elsewhere, &sidebar] {
            assert_not_found(&app.get(&context(&hidden["id"]), &app.agent).await);
            // Administrators try apps out in the playground before switching them on.
            assert!(ok(&app.get(&context(&hidden["id"]), &app.admin).await)["token"].is_string());
        }
    })
    .await;
}

#[tokio::test]
async fn a_sidebar_app_gets_the_agent_and_the_account_signed_without_a_conversation() {
    support::on_each_backend(async |app: TestApp| {
        let sidebar = create_with(&app, json!({"title": "Reports", "content": frame("https://reports.example/{{account.id}}"), "display_type": "sidebar"})).await;
        let tab = create_with(&app, json!({"title": "Orders", "content": frame("https://orders.example/")})).await;
        let id = sidebar["id"].as_i64().unwrap();
        let secret = app.rotate_secret(id).await;
        let uri = app.api(&format!("dashboard_apps/{id}/app_context"));

        let context = ok(&app.get(&uri, &app.agent).await);
        assert_eq!(context["event"], "appContext");
        assert_eq!(context["data"]["currentAgent"]["id"], app.agent.id);
        assert_eq!(context["data"]["currentAgent"]["email"], app.agent.email);
        assert_eq!(context["data"]["account"]["id"], app.acme.account_id);
        assert!(context["data"]["account"]["name"].is_string());
        assert!(context["data"].get("conversation").is_none());
        let claims = support::verified_claims(context["token"].as_str().unwrap(), &secret, id)
            .expect("signed with the app's secret");
        assert_eq!(claims["account_id"], app.acme.account_id);
        assert_eq!(claims["sub"], app.agent.id.to_string());
        assert!(claims.get("conversation_id").is_none());
        assert!(claims.get("contact_id").is_none());

        // Agents: enabled sidebar apps only. Outsiders: nothing.
        let tab_uri = app.api(&format!("dashboard_apps/{}/app_context", tab["id"]));
        assert_not_found(&app.get(&tab_uri, &app.agent).await);
        ok(&app
            .patch(&app.api(&format!("dashboard_apps/{id}")), &app.admin, &json!({"enabled": false}))
            .await);
        assert_not_found(&app.get(&uri, &app.agent).await);
        assert_eq!(app.get(&uri, &app.stranger).await.status, 401);
    })
    .await;
}
