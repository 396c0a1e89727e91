//! Placements through the API: declared in `placements` (which `display_type` follows, and which
//! a `display_type` written alone changes only in its primary place), stored on both backends;
//! the contact page's context and who gets its token; and the demo app's backend, which verifies
//! EdDSA tokens through Switchboard's JWKS.

use super::{assert_invalid, assert_not_found, ok};
use crate::support::{self, TestApp};
use serde_json::{json, Value};

fn frame(url: &str) -> Value {
    json!([{"type": "frame", "url": url}])
}

async fn create(app: &TestApp, body: Value) -> Value {
    ok(&app
        .post(
            &format!("{}?include=control", app.api("dashboard_apps")),
            &app.admin,
            &body,
        )
        .await)
}

async fn update(app: &TestApp, id: &Value, body: Value) -> Value {
    ok(&app
        .patch(
            &format!(
                "{}?include=control",
                app.api(&format!("dashboard_apps/{id}"))
            ),
            &app.admin,
            &body,
        )
        .await)
}

#[tokio::test]
async fn placements_are_stored_and_display_type_follows_them() {
    support::on_each_backend(async |app: TestApp| {
        let plain = create(
            &app,
            json!({"title": "Tab", "content": frame("https://a.example/")}),
        )
        .await;
        assert_eq!(plain["placements"], json!(["conversation_tab"]));
        assert_eq!(plain["display_type"], "conversation");

        let placed = create(
            &app,
            json!({"title": "Beside", "content": frame("https://a.example/?a={{agent.id}}"),
                   "placements": ["contact_page", "conversation_panel", "contact_page"]}),
        )
        .await;
        assert_eq!(
            placed["placements"],
            json!(["conversation_panel", "contact_page"])
        );
        // A display_type written alone (an older client) swaps the primary place only.
        let moved = update(&app, &placed["id"], json!({"display_type": "sidebar"})).await;
        assert_eq!(
            moved["placements"],
            json!(["conversation_panel", "contact_page", "full_page"])
        );
        assert_eq!(moved["display_type"], "sidebar");
        let read = ok(&app
            .get(
                &format!(
                    "{}?include=control",
                    app.api(&format!("dashboard_apps/{}", placed["id"]))
                ),
                &app.admin,
            )
            .await);
        assert_eq!(read["placements"], moved["placements"]);
        // Chatwoot's body is unchanged.
        let chatwoot = ok(&app
            .get(&app.api(&format!("dashboard_apps/{}", placed["id"])), &app.admin)
            .await);
        assert!(chatwoot.get("placements").is_none(), "{chatwoot}");

        for (body, field) in [
            (json!({"placements": []}), "placements"),
            (json!({"placements": ["modal"]}), "placements"),
            (json!({"placements": ["contact_page"], "content": frame("https://a.example/{{conversation.id}}")}), "content"),
        ] {
            let res = app
                .patch(
                    &app.api(&format!("dashboard_apps/{}", placed["id"])),
                    &app.admin,
                    &body,
                )
                .await;
            assert_invalid(&res, field);
        }
        let unknown = app
            .patch(
                &app.api(&format!("dashboard_apps/{}", placed["id"])),
                &app.admin,
                &json!({"placements": ["popup"]}),
            )
            .await;
        assert_eq!(unknown.status, 422, "{}", unknown.text);
    })
    .await;
}

#[tokio::test]
async fn a_contact_page_context_names_the_contact_and_only_its_apps_get_tokens() {
    let app = TestApp::new().await;
    let on_page = create(
        &app,
        json!({"title": "Profile", "content": frame("https://a.example/"), "placements": ["contact_page"]}),
    )
    .await;
    let tab = create(
        &app,
        json!({"title": "Tab", "content": frame("https://b.example/")}),
    )
    .await;
    let uri = |app_id: &Value| {
        app.api(&format!(
            "contacts/{}/app_context?app_id={app_id}",
            app.acme.contact_id
        ))
    };
    let context = ok(&app.get(&uri(&on_page["id"]), &app.agent).await);
    assert_eq!(context["event"], "appContext");
    assert_eq!(context["data"]["contact"]["id"], app.acme.contact_id);
    assert_eq!(
        context["data"]["conversations"][0]["id"],
        app.acme.conversation
    );
    assert_eq!(context["data"]["currentAgent"]["id"], app.agent.id);
    assert!(context["token"].is_string(), "{context}");
    // An app not placed on contact pages gets no token from an agent; an administrator (the
    // playground) gets one for any app.
    assert_not_found(&app.get(&uri(&tab["id"]), &app.agent).await);
    assert!(ok(&app.get(&uri(&tab["id"]), &app.admin).await)["token"].is_string());
    let bad = app
        .get(
            &app.api(&format!(
                "contacts/{}/app_context?app_id=x",
                app.acme.contact_id
            )),
            &app.agent,
        )
        .await;
    assert_invalid(&bad, "app_id");
}

#[tokio::test]
async fn the_demo_backend_verifies_eddsa_tokens_through_the_jwks_and_refuses_others() {
    let app = TestApp::new().await;
    let base = app.serve().await;
    let demo = create(
        &app,
        json!({"title": "Customer orders", "content": frame("https://demo.example/"), "placements": ["conversation_panel"]}),
    )
    .await;
    let other = create(
        &app,
        json!({"title": "Other", "content": frame("https://other.example/"), "placements": ["conversation_panel"]}),
    )
    .await;
    let registration = web::demo_app::Registration {
        store: app.store().clone(),
        account_id: domain::AccountId(app.acme.account_id),
        app_id: domain::DashboardAppId(demo["id"].as_i64().unwrap()),
        host_url: base.clone(),
        secret_key: app.state.secret_key.clone(),
    };
    let demo_base = support::serve_router(web::demo_app::router(Some(registration))).await;
    // From the served Switchboard, whose public URL (the tokens' `iss`) is the one the demo
    // backend trusts.
    let token_for = async |id: &Value| -> String {
        let uri = app.api(&format!(
            "conversations/{}/app_context?app_id={id}",
            app.acme.conversation
        ));
        let response = reqwest::Client::new()
            .get(format!("{base}{uri}"))
            .header("api_access_token", &app.agent.token)
            .send()
            .await
            .expect("Switchboard answers");
        let body: Value =
            serde_json::from_slice(&response.bytes().await.expect("a body")).expect("JSON");
        body["token"].as_str().expect("a token").to_owned()
    };
    let verify = async |token: String| -> (u16, Value) {
        let response = reqwest::Client::new()
            .post(format!("{demo_base}/api/verify"))
            .body(token)
            .send()
            .await
            .expect("the demo backend answers");
        let status = response.status().as_u16();
        let body = response.bytes().await.expect("a body");
        (status, serde_json::from_slice(&body).expect("JSON"))
    };
    let token = token_for(&demo["id"]).await;
    let (status, answer) = verify(token.clone()).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["verified"], true);
    assert_eq!(answer["algorithm"], "EdDSA");
    assert_eq!(answer["claims"]["conversation_id"], app.acme.conversation);
    assert_eq!(answer["claims"]["iss"], base.as_str());

    // A signature that does not match, or a token for another app, is refused.
    // (A character well inside the signature: the last one also carries padding bits.)
    let at = token.len() - 10;
    let swapped = if &token[at..=at] == "A" { "B" } else { "A" };
    let tampered = format!("{}{swapped}{}", &token[..at], &token[at + 1..]);
    let (status, answer) = verify(tampered).await;
    assert_eq!(status, 401, "{answer}");
    assert_eq!(answer["verified"], false);
    let (status, answer) = verify(token_for(&other["id"]).await).await;
    assert_eq!(status, 401, "{answer}");
    assert_eq!(answer["verified"], false);
}
