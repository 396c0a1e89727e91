//! The conversation list's search box and filters in a real browser: searching narrows the
//! server-rendered list (and keeps the other filters), the label and priority selects narrow it
//! further, "Clear" brings the list back, and text being typed survives a live update.

use crate::harness::{Browser, Frame};
use crate::support::TestApp;
use serde_json::{json, Value};

/// The display ids the list shows, in order.
const ROWS: &str = "return [...document.querySelectorAll('.conversation-row')]\
                    .map((row) => Number(row.dataset.displayId))";

/// Opens a conversation through the API with a first message, returning its display id.
async fn open(app: &TestApp, content: &str) -> i64 {
    let created = app
        .post(
            &app.api("conversations"),
            &app.admin,
            &json!({"inbox_id": app.acme.inbox_id, "contact_id": app.acme.contact_id,
                    "message": {"content": content}}),
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.text);
    created.json()["id"].as_i64().expect("a display id")
}

/// Waits until the list shows exactly `expected` (newest first) on a page with `in_url` in
/// its query, then for that page's script to be ready.
async fn shows(browser: &Browser, in_url: &str, expected: &[i64], what: &str) {
    let script = format!(
        "return location.search.includes({}) && document.body.dataset.ready === 'true' ? {} : null",
        json!(in_url),
        ROWS.trim_start_matches("return ")
    );
    let want = json!(expected);
    browser
        .eventually(&Frame::top(), &script, what, |v: &Value| v == &want)
        .await;
}

#[tokio::test]
async fn searching_and_filtering_narrow_the_conversation_list() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let first = app.acme.conversation; // "Hi, my order #5521 has not arrived yet."
    let refund = open(&app, "I would like a refund for my blue kettle").await;
    let kettle = open(&app, "Does the kettle come in red?").await;
    let made = app
        .post(&app.api("labels"), &app.admin, &json!({"title": "vip"}))
        .await;
    assert_eq!(made.status, 200, "{}", made.text);
    let label = app.api(&format!("conversations/{kettle}/labels"));
    let labelled = app
        .post(&label, &app.admin, &json!({"labels": ["vip"]}))
        .await;
    assert_eq!(labelled.status, 200, "{}", labelled.text);
    let urgent = app.api(&format!("conversations/{refund}/toggle_priority"));
    let toggled = app
        .post(&urgent, &app.admin, &json!({"priority": "urgent"}))
        .await;
    assert!(toggled.status.is_success(), "{}", toggled.text);
    let base = app.serve().await;
    browser.sign_in(&base, &app.admin.email).await;
    browser
        .open(&format!(
            "{base}/app/accounts/{}/conversations?status=open&assignee_type=all",
            app.acme.account_id
        ))
        .await;
    assert_eq!(
        browser.run(&Frame::top(), ROWS).await,
        json!([kettle, refund, first])
    );

    // Searching narrows the list, and the search stays in the box.
    browser.fill("#conversation-search", "kettle").await;
    browser.click(".list-search button[type=submit]").await;
    shows(&browser, "q=kettle", &[kettle, refund], "the search's rows").await;
    let typed = browser
        .run(
            &Frame::top(),
            "return document.getElementById('conversation-search').value",
        )
        .await;
    assert_eq!(typed, json!("kettle"));
    // The status tab kept its place in the form: the search is within open conversations.
    let search = browser.run(&Frame::top(), "return location.search").await;
    assert!(
        search.as_str().is_some_and(|s| s.contains("status=open")),
        "{search}"
    );

    // The label select narrows the search further.
    browser
        .find("#conversation-filter-label")
        .await
        .select_by_value("vip")
        .await
        .expect("choose the label");
    browser.click(".list-search button[type=submit]").await;
    shows(&browser, "vip", &[kettle], "the labelled row").await;

    // So does the priority select (with the label back to any).
    browser
        .find("#conversation-filter-label")
        .await
        .select_by_value("")
        .await
        .expect("any label");
    browser
        .find("#conversation-filter-priority")
        .await
        .select_by_value("urgent")
        .await
        .expect("choose the priority");
    browser.click(".list-search button[type=submit]").await;
    shows(&browser, "priority=urgent", &[refund], "the urgent row").await;

    // A search that matches nothing says so.
    browser.fill("#conversation-search", "teapot").await;
    browser.click(".list-search button[type=submit]").await;
    shows(&browser, "q=teapot", &[], "no rows").await;
    let empty = browser
        .run(
            &Frame::top(),
            "return document.querySelector('.conversation-list-pane .empty-state').textContent",
        )
        .await;
    assert!(
        empty
            .as_str()
            .is_some_and(|t| t.contains("Nothing matches")),
        "{empty}"
    );

    // Clear brings back the whole open list.
    browser.click(".list-search-clear").await;
    shows(
        &browser,
        "status=open",
        &[kettle, refund, first],
        "the whole list",
    )
    .await;
    let cleared = browser
        .run(
            &Frame::top(),
            "return [document.getElementById('conversation-search').value, \
             !!document.querySelector('.list-search-clear'), location.search.includes('q=')]",
        )
        .await;
    assert_eq!(cleared, json!(["", false, false]));
}

#[tokio::test]
async fn text_typed_into_the_search_box_survives_a_live_update_of_the_list() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let base = app.serve().await;
    browser.sign_in(&base, &app.admin.email).await;
    browser
        .open(&format!(
            "{base}/app/accounts/{}/conversations",
            app.acme.account_id
        ))
        .await;
    browser.find("body[data-cable=\"open\"]").await;
    browser.fill("#conversation-search", "half typ").await;

    let display_id = open(&app, "A question arriving while the agent types").await;
    browser
        .eventually(
            &Frame::top(),
            &format!(
                "return !!document.querySelector('.conversation-row[data-display-id=\"{display_id}\"]')"
            ),
            "the live row",
            |v| v == &json!(true),
        )
        .await;
    let state = browser
        .run(
            &Frame::top(),
            "const input = document.getElementById('conversation-search'); \
             return [input.value, document.activeElement === input, input.selectionStart]",
        )
        .await;
    assert_eq!(state, json!(["half typ", true, 8]));
}
