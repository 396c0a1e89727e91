//! The contact's availability follows the visitor, live (issue 15): with the visitor's page
//! open, a dashboard app beside the conversation and the agent's header say the contact is
//! online; when the page goes away they say offline, and online again when the visitor comes
//! back — without a reload, each context valid against the seed's schema. An app on the
//! contact's page hears it too.

use crate::control::{create, frame};
use crate::harness::{Browser, Frame};
use crate::recorder::{context_of, received, Recorder};
use crate::support::{self, TestApp};
use crate::widget_setup::{in_window_until, open_chat, shop, visitor_writes, website_inbox, Tabs};
use serde_json::{json, Value};

/// The availability in the newest context the app in `frame` received.
const LATEST: &str = "const r = window.__received || []; \
    const last = r[r.length - 1]; \
    return last ? JSON.parse(last.data).data.contact.availability_status : null;";

/// What the agent's header shows.
const DOT: &str = "return document.querySelector('.contact-presence').dataset.presence;";

/// Waits until the app's newest context and the header both say `status`.
async fn shows(browser: &Browser, app_frame: &Frame, status: &str) {
    let wanted = json!(status);
    browser
        .eventually(
            app_frame,
            LATEST,
            &format!("a context saying {status}"),
            |v| v == &wanted,
        )
        .await;
    browser
        .eventually(
            &Frame::top(),
            DOT,
            &format!("the header saying {status}"),
            |v| v == &wanted,
        )
        .await;
}

#[tokio::test]
async fn an_app_beside_a_widget_conversation_sees_the_visitor_come_and_go_live() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let base = app.serve().await;
    let inbox = website_inbox(&app, json!({})).await;
    let shop = shop(
        &base,
        inbox["website_token"].as_str().expect("a website token"),
    )
    .await;
    let recorder = Recorder::start().await;
    let app_id = create(
        &app,
        json!({"title": "Beside", "content": frame(&recorder.url("p=1")), "placements": ["conversation_panel"]}),
    )
    .await;

    // The visitor writes: a conversation opens, and the visitor's window is connected.
    let display_id = visitor_writes(&browser, &shop, "Is anyone there?").await;
    in_window_until(
        &browser,
        "return document.body.dataset.cable || null",
        "the window's /cable",
        |v| v == &json!("open"),
    )
    .await;

    // The agent opens the conversation in another tab: the app beside it is told "online".
    let tabs = Tabs::agent_beside(
        &browser,
        &app,
        &base,
        &format!("conversations/{display_id}"),
    )
    .await;
    browser.find("body[data-cable=\"open\"]").await;
    let app_frame = Frame::app(app_id, 0);
    shows(&browser, &app_frame, "online").await;

    // The visitor leaves the shop for another page in the same tab (the browser may keep the
    // shop in its back/forward cache): offline, live.
    tabs.to_visitor(&browser).await;
    browser
        .client
        .goto("about:blank")
        .await
        .expect("the visitor leaves");
    tabs.to_agent(&browser).await;
    shows(&browser, &app_frame, "offline").await;

    // The visitor comes back to the shop (the same visitor, kept in the site's storage).
    tabs.to_visitor(&browser).await;
    open_chat(&browser, &shop).await;
    in_window_until(
        &browser,
        "return document.body.dataset.cable || null",
        "the window's /cable",
        |v| v == &json!("open"),
    )
    .await;
    tabs.to_agent(&browser).await;
    shows(&browser, &app_frame, "online").await;

    // The visitor closes the shop's tab: offline again.
    tabs.to_visitor(&browser).await;
    browser.client.close_window().await.expect("the tab closes");
    tabs.to_agent(&browser).await;
    shows(&browser, &app_frame, "offline").await;

    // Every context the app got: the seed's shape, the same contact in both places.
    let validator = jsonschema::validator_for(&support::fixture("app-context.schema.json"))
        .expect("the schema compiles");
    let contexts: Vec<Value> = received(&browser, &app_frame)
        .await
        .iter()
        .map(context_of)
        .collect();
    assert!(contexts.len() >= 4, "{contexts:#?}");
    for context in &contexts {
        let errors: Vec<String> = validator
            .iter_errors(context)
            .map(|e| format!("{e} at {}", e.instance_path))
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
        assert_eq!(context["data"]["conversation"]["id"], display_id);
        assert_eq!(
            context["data"]["contact"]["availability_status"],
            context["data"]["conversation"]["meta"]["sender"]["availability_status"],
        );
    }
    let statuses: Vec<&Value> = contexts
        .iter()
        .map(|c| &c["data"]["contact"]["availability_status"])
        .collect();
    // Pushed because presence changed, not only when something else did.
    let reasons: Vec<&Value> = contexts.iter().map(|c| &c["meta"]["reason"]).collect();
    assert!(
        reasons.contains(&&json!("presence.update")),
        "{statuses:?} {reasons:?}"
    );
}

#[tokio::test]
async fn an_app_on_the_contacts_page_hears_the_visitor_leave_live() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let base = app.serve().await;
    let inbox = website_inbox(&app, json!({})).await;
    let shop = shop(
        &base,
        inbox["website_token"].as_str().expect("a website token"),
    )
    .await;
    let recorder = Recorder::start().await;
    let app_id = create(
        &app,
        json!({"title": "Profile", "content": frame(&recorder.url("contact={{contact.id}}")), "placements": ["contact_page"]}),
    )
    .await;
    let display_id = visitor_writes(&browser, &shop, "Hello").await;
    in_window_until(
        &browser,
        "return document.body.dataset.cable || null",
        "the window's /cable",
        |v| v == &json!("open"),
    )
    .await;
    let shown = app
        .get(&app.api(&format!("conversations/{display_id}")), &app.admin)
        .await
        .json();
    let contact_id = shown["meta"]["sender"]["id"].as_i64().expect("the contact");

    let tabs = Tabs::agent_beside(&browser, &app, &base, &format!("contacts/{contact_id}")).await;
    let app_frame = Frame::app(app_id, 0);
    let online = json!("online");
    browser
        .eventually(&app_frame, LATEST, "a context saying online", |v| {
            v == &online
        })
        .await;

    tabs.to_visitor(&browser).await;
    browser.client.close_window().await.expect("the tab closes");
    tabs.to_agent(&browser).await;
    let offline = json!("offline");
    browser
        .eventually(&app_frame, LATEST, "a context saying offline", |v| {
            v == &offline
        })
        .await;
    let contexts: Vec<Value> = received(&browser, &app_frame)
        .await
        .iter()
        .map(context_of)
        .collect();
    let last = contexts.last().expect("contexts");
    assert_eq!(last["meta"]["reason"], "presence.update", "{last}");
    assert_eq!(
        last["data"]["conversations"][0]["meta"]["sender"]["availability_status"],
        "offline"
    );
}
