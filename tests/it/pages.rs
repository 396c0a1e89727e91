//! Server-rendered pages read as HTML: the conversation list's search form and filters
//! (`pages/conversations.rs`), whose rows a browser test also drives.

use crate::hardening::{page, page_session};
use crate::support::TestApp;
use axum::http::StatusCode;
use serde_json::json;

/// The display ids of the rows an HTML list pane shows, in order.
fn rows(html: &str) -> Vec<i64> {
    html.split("data-display-id=\"")
        .skip(1)
        .map(|rest| {
            rest.split('"')
                .next()
                .and_then(|id| id.parse().ok())
                .expect("a display id")
        })
        .collect()
}

/// The label of the status tab marked current.
fn current_status(html: &str) -> &str {
    let tabs = html
        .split("aria-label=\"Status\"")
        .nth(1)
        .and_then(|rest| rest.split("</nav>").next())
        .expect("the status tabs");
    tabs.split("aria-current=\"page\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .expect("a current tab")
}

#[tokio::test]
async fn the_list_page_searches_within_its_status_and_reads_empty_choices_as_any() {
    let app = TestApp::new().await;
    let cookie = page_session(&app, &app.admin.email).await;
    let first = app.acme.conversation; // open: "Hi, my order #5521 has not arrived yet."
    let created = app
        .post(
            &app.api("conversations"),
            &app.admin,
            &json!({"inbox_id": app.acme.inbox_id, "contact_id": app.acme.contact_id,
                    "status": "resolved", "message": {"content": "my order came, thanks"}}),
        )
        .await;
    let resolved = created.json()["id"].as_i64().expect("a display id");
    let list = async |query: &str| {
        let uri = format!(
            "/app/accounts/{}/conversations/_list?{query}",
            app.acme.account_id
        );
        let res = page(&app, &cookie, &uri).await;
        assert_eq!(res.status, StatusCode::OK, "{uri}");
        res.text
    };

    // The API searches every status; the page searches within the tab it names.
    let api = app
        .get(&app.api("conversations?q=order&status=open"), &app.admin)
        .await;
    assert_eq!(api.json()["data"]["payload"].as_array().unwrap().len(), 2);
    let html = list("q=order&status=open").await;
    assert_eq!(rows(&html), [first]);
    assert_eq!(current_status(&html), "Open");
    let html = list("q=order&status=all").await;
    assert_eq!(rows(&html), [resolved, first]);
    // Without a status, a search is the API's: every status.
    assert_eq!(rows(&list("q=order").await), [resolved, first]);
    // The search is in the box, the status rides along hidden, and Clear drops the search.
    let html = list("q=order&status=resolved").await;
    assert_eq!(rows(&html), [resolved]);
    assert!(html.contains(r#"name="q" value="order""#), "{html}");
    assert!(
        html.contains(r#"<input type="hidden" name="status" value="resolved">"#),
        "{html}"
    );
    assert!(
        html.contains("class=\"list-search-clear\" href=\"/app/accounts/"),
        "{html}"
    );

    // The form's "Any …" options send empty values: no filter, the status kept.
    let html = list("status=resolved&labels%5B%5D=&priority=&team_id=&q=").await;
    assert_eq!(rows(&html), [resolved]);
    assert_eq!(current_status(&html), "Resolved");
    assert!(!html.contains("list-search-clear"), "nothing to clear");

    // A priority narrows the list (none has one yet); a bad one shows the default list.
    assert!(rows(&list("status=all&priority=urgent").await).is_empty());
    let toggled = app
        .post(
            &app.api(&format!("conversations/{resolved}/toggle_priority")),
            &app.admin,
            &json!({"priority": "urgent"}),
        )
        .await;
    assert!(toggled.status.is_success(), "{}", toggled.text);
    let html = list("status=all&priority=urgent").await;
    assert_eq!(rows(&html), [resolved]);
    assert!(
        html.contains(r#"<option value="urgent" selected>"#),
        "{html}"
    );
    assert_eq!(rows(&list("status=all&priority=critical").await), [first]);
}

/// The contact page lists the contact's conversations of the member's inboxes only: the
/// inbox's agent sees the fixture conversation's link, an agent of no inbox sees none, and an
/// administrator (every inbox) sees it with the delete button only they get.
#[tokio::test]
async fn the_contact_page_lists_only_conversations_the_member_may_see() {
    let app = TestApp::new().await;
    let uri = format!(
        "/app/accounts/{}/contacts/{}",
        app.acme.account_id, app.acme.contact_id
    );
    let link = format!(
        "/app/accounts/{}/conversations/{}\"",
        app.acme.account_id, app.acme.conversation
    );
    let user = app
        .store()
        .users()
        .create(
            "Nora Noinbox",
            "nora@acme.test",
            crate::support::PASSWORD,
            Some((domain::AccountId(app.acme.account_id), domain::Role::Agent)),
        )
        .await
        .expect("user");
    for (email, sees, deletes) in [
        (app.agent.email.clone(), true, false),
        (user.email.clone(), false, false),
        (app.admin.email.clone(), true, true),
    ] {
        let cookie = page_session(&app, &email).await;
        let res = page(&app, &cookie, &uri).await;
        assert_eq!(res.status, StatusCode::OK, "{email}: {}", res.text);
        assert_eq!(
            res.text.contains(&link),
            sees,
            "{email} and the conversation"
        );
        assert_eq!(
            res.text.contains("id=\"contact-delete\""),
            deletes,
            "{email} and the delete button"
        );
    }
    let other = format!(
        "/app/accounts/{}/contacts/{}",
        app.acme.account_id, app.other.contact_id
    );
    let cookie = page_session(&app, &app.agent.email).await;
    assert_eq!(
        page(&app, &cookie, &other).await.status,
        StatusCode::NOT_FOUND
    );
}

/// The settings dialog and the playground offer every action of the registry, each labelled as
/// the registry labels it (`domain::app_capability::CAPABILITIES`), so a new action shows up in
/// both without editing either page.
#[tokio::test]
async fn the_settings_dialog_and_the_playground_offer_every_action_of_the_registry() {
    let app = TestApp::new().await;
    let cookie = page_session(&app, &app.admin.email).await;
    let base = format!(
        "/app/accounts/{}/settings/integrations/dashboard_apps",
        app.acme.account_id
    );
    let settings = page(&app, &cookie, &base).await;
    assert_eq!(settings.status, StatusCode::OK);
    let playground = page(&app, &cookie, &format!("{base}/playground")).await;
    assert_eq!(playground.status, StatusCode::OK);
    for capability in &domain::app_capability::CAPABILITIES {
        let name = capability.name();
        let checkbox = format!(
            r#"id="app-action-{name}" value="{name}"> {}</label>"#,
            askama_escape(capability.label)
        );
        assert!(settings.text.contains(&checkbox), "no checkbox for {name}");
        let toggle = format!(r#"id="pg-allow-{name}" value="{name}" checked>"#);
        assert!(playground.text.contains(&toggle), "no toggle for {name}");
    }
    assert_eq!(
        settings.text.matches("class=\"app-action\"").count(),
        domain::app_capability::CAPABILITIES.len()
    );
}

/// What askama makes of a label's apostrophes.
fn askama_escape(text: &str) -> String {
    text.replace('\'', "&#39;")
}
