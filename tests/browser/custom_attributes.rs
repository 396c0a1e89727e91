//! Custom attribute definitions in the page: the settings list (administrators add a list
//! attribute with its choices, edit it, delete it), and the definitions shaping how attributes
//! are shown, entered and checked in the conversation's side panel.

use crate::harness::{conversation_page, Browser, Frame};
use crate::support::TestApp;
use serde_json::{json, Value};

/// Waits until `script` (run in the top page) returns `expected`.
async fn until(browser: &Browser, script: &str, expected: Value, what: &str) {
    browser
        .eventually(&Frame::top(), script, what, |v| *v == expected)
        .await;
}

fn text_of(css: &str) -> String {
    format!("return (document.querySelector({css:?}) || {{}}).textContent?.trim() ?? null;")
}

/// Marks the current page, clicks `css`, and waits for a fresh, ready page.
async fn click_and_reload(browser: &Browser, css: &str, what: &str) {
    browser
        .run(&Frame::top(), "window.__stale = true; return true;")
        .await;
    browser.click(css).await;
    until(
        browser,
        "return !window.__stale && document.body.dataset.ready === 'true';",
        json!(true),
        what,
    )
    .await;
}

async fn definitions(app: &TestApp) -> Value {
    let response = app
        .get(&app.api("custom_attribute_definitions"), &app.admin)
        .await;
    assert_eq!(response.status, 200, "{}", response.text);
    response.json()
}

/// Which fields of the add/edit dialog are on show, by the API attribute they send.
const SHOWN_FIELDS: &str = "return [...document.querySelectorAll('#resource-form [name]')].filter((i) => !i.closest('.form-field').hidden).map((i) => i.name);";

const ROWS: &str = "return [...document.querySelectorAll('#resources-table tr[data-id]')].map((r) => [...r.querySelectorAll('td:not(.form-actions)')].map((c) => c.textContent.trim()));";

#[tokio::test]
async fn an_administrator_adds_a_list_attribute_with_its_choices_edits_and_deletes_it() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let base = app.serve().await;
    browser.sign_in(&base, &app.admin.email).await;
    browser.open(&conversation_page(&base, &app)).await;
    click_and_reload(
        &browser,
        "nav.nav a[href$=\"/settings/custom_attributes\"]",
        "the custom attributes page",
    )
    .await;
    browser.find("#resources-empty").await;

    browser.click("#add-resource").await;
    // A text attribute may carry a pattern; choices belong to lists only.
    assert_eq!(
        browser.run(&Frame::top(), SHOWN_FIELDS).await,
        json!([
            "attribute_model",
            "attribute_display_name",
            "attribute_key",
            "attribute_display_type",
            "attribute_description",
            "regex_pattern",
            "regex_cue"
        ])
    );
    browser
        .run(
            &Frame::top(),
            "const s = document.getElementById('attr-type'); s.value = 'list'; s.dispatchEvent(new Event('change', {bubbles: true})); return true;",
        )
        .await;
    assert_eq!(
        browser.run(&Frame::top(), SHOWN_FIELDS).await,
        json!([
            "attribute_model",
            "attribute_display_name",
            "attribute_key",
            "attribute_display_type",
            "attribute_description",
            "attribute_values"
        ])
    );
    browser.fill("#attr-name", "Plan").await;
    browser.fill("#attr-key", "plan tier").await;
    browser.fill("#attr-values", "free\npro\n\n").await;
    browser.click("#resource-save").await;
    until(
        &browser,
        &text_of("#attr-key-error"),
        json!("Use letters, digits, _, . and - only (no spaces)."),
        "the key checked in the page",
    )
    .await;
    // A key the contact already has as a standard attribute: the server's 422 beside the key.
    browser.fill("#attr-key", "email").await;
    browser.click("#resource-save").await;
    until(
        &browser,
        &text_of("#attr-key-error"),
        json!("Attribute key conflicts with a standard attribute"),
        "the server's refusal",
    )
    .await;
    browser.fill("#attr-key", "plan_tier").await;
    click_and_reload(&browser, "#resource-save", "the page after adding").await;
    assert_eq!(
        browser.run(&Frame::top(), ROWS).await,
        json!([["Plan", "plan_tier", "Contact", "List (free, pro)", "None"]])
    );
    let saved = definitions(&app).await;
    assert_eq!(saved[0]["attribute_model"], "contact_attribute");
    assert_eq!(saved[0]["attribute_display_type"], "list");
    assert_eq!(saved[0]["attribute_values"], json!(["free", "pro"]));

    // Editing: the key, model and type stay as they are; the choices can grow.
    browser
        .click("tr[data-name=\"Plan\"] [data-action=edit]")
        .await;
    assert_eq!(
        browser.run(&Frame::top(), SHOWN_FIELDS).await,
        json!([
            "attribute_display_name",
            "attribute_description",
            "attribute_values"
        ])
    );
    assert_eq!(
        browser
            .run(
                &Frame::top(),
                "return document.getElementById('attr-values').value;"
            )
            .await,
        json!("free\npro")
    );
    browser.fill("#attr-values", "free\npro\nenterprise").await;
    browser
        .fill("#attr-description", "What the customer pays for")
        .await;
    click_and_reload(&browser, "#resource-save", "the page after editing").await;
    assert_eq!(
        browser.run(&Frame::top(), ROWS).await,
        json!([[
            "Plan",
            "plan_tier",
            "Contact",
            "List (free, pro, enterprise)",
            "What the customer pays for"
        ]])
    );
    assert_eq!(
        definitions(&app).await[0]["attribute_values"],
        json!(["free", "pro", "enterprise"])
    );

    browser
        .click("tr[data-name=\"Plan\"] [data-action=delete]")
        .await;
    click_and_reload(&browser, "#delete-confirm", "the page after deleting").await;
    browser.find("#resources-empty").await;
    assert_eq!(definitions(&app).await, json!([]));
}
