//! Custom attribute definitions in the page: the settings list (administrators add a list
//! attribute with its choices, edit it, delete it), and the definitions shaping how attributes
//! are shown, entered and checked in the conversation's side panel.

use crate::harness::{conversation_page, Browser, Frame};
use crate::support::{Person, TestApp};
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

async fn define(app: &TestApp, who: &Person, body: Value) -> Value {
    let response = app
        .post(&app.api("custom_attribute_definitions"), who, &body)
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

/// The contact's attributes as the panel lists them: (label, text, link or null) per entry.
const CONTACT_LIST: &str = "return [...document.querySelectorAll('#contact-attributes dd')].map((dd) => [dd.previousElementSibling.textContent.trim(), dd.textContent.trim(), dd.querySelector('a')?.getAttribute('href') ?? null]);";

const CONVERSATION_LIST: &str = "return [...document.querySelectorAll('#conversation-attributes dd')].map((dd) => [dd.previousElementSibling.textContent.trim(), dd.textContent.trim()]);";

/// Sets an input's value as a picker would (date inputs take no typed text headless).
fn set_value(css: &str, value: &str) -> String {
    format!(
        "const i = document.querySelector({css:?}); i.value = {value:?}; i.dispatchEvent(new Event('input', {{bubbles: true}})); return i.value;"
    )
}

/// Clicks `css` from the page's script.
fn press(css: &str) -> String {
    format!("document.querySelector({css:?}).click(); return true;")
}

async fn contact_attributes(app: &TestApp) -> Value {
    let url = app.api(&format!("contacts/{}", app.acme.contact_id));
    app.get(&url, &app.admin).await.json()["payload"]["custom_attributes"].clone()
}

#[tokio::test]
async fn definitions_name_format_and_check_the_attributes_in_the_side_panel() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let contact = |key: &str, name: &str, kind: &str| {
        json!({"attribute_key": key, "attribute_display_name": name,
               "attribute_display_type": kind, "attribute_model": "contact_attribute"})
    };
    let mut plan = contact("plan", "Plan", "list");
    plan["attribute_values"] = json!(["free", "pro"]);
    let plan = define(&app, &app.admin, plan).await;
    define(&app, &app.admin, contact("seats", "Seats", "number")).await;
    define(&app, &app.admin, contact("renewal", "Renewal", "date")).await;
    define(&app, &app.admin, contact("website", "Website", "link")).await;
    define(&app, &app.admin, contact("vip", "VIP", "checkbox")).await;
    define(
        &app,
        &app.admin,
        json!({"attribute_key": "order", "attribute_display_name": "Order number",
               "attribute_display_type": "text", "attribute_model": "conversation_attribute",
               "regex_pattern": "/^ORD-\\d+$/i", "regex_cue": "Like ORD-123"}),
    )
    .await;
    let base = app.serve().await;
    browser.sign_in(&base, &app.agent.email).await;
    browser.open(&conversation_page(&base, &app)).await;
    browser.find("body[data-workflow=\"ready\"]").await;
    let top = Frame::top();
    let not_set = |label: &str| json!([label, "Not set", null]);
    let standard = [
        json!(["E-mail", "maria@northwind.example", null]),
        json!(["Phone", "+14155550100", null]),
        json!(["Company", "Northwind Bakery", null]),
        json!(["Identifier", "cust_8812", null]),
    ];
    let mut expected: Vec<Value> = standard.to_vec();
    expected.extend([
        json!(["Plan", "pro", null]),
        not_set("Seats"),
        not_set("Renewal"),
        not_set("Website"),
        not_set("VIP"),
    ]);
    assert_eq!(browser.run(&top, CONTACT_LIST).await, json!(expected));

    // Each definition gets its input; the list value is chosen, not typed.
    browser.click("#contact-edit").await;
    assert_eq!(
        browser
            .run(
                &top,
                "return [...document.querySelectorAll('#contact-defined [data-key]:is(input, select)')].map((i) => [document.querySelector(`label[for=${i.id}]`).textContent, i.tagName === 'SELECT' ? 'select' : i.type, i.type === 'checkbox' ? i.checked : i.value]).concat([document.querySelectorAll('#custom-rows .custom-row').length]);"
            )
            .await,
        json!([
            ["Plan", "select", "pro"],
            ["Seats", "text", ""],
            ["Renewal", "date", ""],
            ["Website", "text", ""],
            ["VIP", "checkbox", false],
            0
        ])
    );
    // A value that does not fit its type: refused in the page, beside its input.
    browser
        .fill("#contact-defined input[data-key=seats]", "many")
        .await;
    browser.click("#contact-save").await;
    let seats_error = "return [document.querySelector('#contact-defined [data-key=seats] .field-error').textContent, document.activeElement.dataset.key, document.activeElement.getAttribute('aria-invalid')];";
    until(
        &browser,
        seats_error,
        json!(["Seats must be a number", "seats", "true"]),
        "the seats error",
    )
    .await;
    assert_eq!(contact_attributes(&app).await, json!({"plan": "pro"}));

    browser
        .fill("#contact-defined input[data-key=seats]", "12")
        .await;
    browser
        .run(
            &top,
            &set_value("#contact-defined input[data-key=renewal]", "2027-01-31"),
        )
        .await;
    browser
        .fill(
            "#contact-defined input[data-key=website]",
            "https://northwind.example/shop",
        )
        .await;
    browser.click("#contact-defined input[data-key=vip]").await;
    browser.click("#contact-save").await;
    until(
        &browser,
        "return document.getElementById('contact-form').hidden;",
        json!(true),
        "the form closed after saving",
    )
    .await;
    assert_eq!(
        contact_attributes(&app).await,
        json!({"plan": "pro", "seats": 12, "renewal": "2027-01-31",
               "website": "https://northwind.example/shop", "vip": true})
    );
    let mut saved: Vec<Value> = standard.to_vec();
    saved.extend([
        json!(["Plan", "pro", null]),
        json!(["Seats", "12", null]),
        json!(["Renewal", "Jan 31, 2027", null]),
        json!([
            "Website",
            "https://northwind.example/shop",
            "https://northwind.example/shop"
        ]),
        json!(["VIP", "Yes", null]),
    ]);
    assert_eq!(browser.run(&top, CONTACT_LIST).await, json!(saved));

    // The server checks too: "pro" stops being a choice after the page loaded.
    let one = app.api(&format!("custom_attribute_definitions/{}", plan["id"]));
    let changed = app
        .patch(
            &one,
            &app.admin,
            &json!({"attribute_values": ["free", "enterprise"]}),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    // (Through the script: the "Contact saved" notice may still cover the buttons.)
    browser.run(&top, &press("#contact-edit")).await;
    browser.run(&top, &press("#contact-save")).await;
    until(
        &browser,
        "return document.querySelector('#contact-defined [data-key=plan] .field-error').textContent;",
        json!("Plan must be one of free, enterprise"),
        "the server's refusal beside the plan",
    )
    .await;
    browser.run(&top, &press("#contact-cancel")).await;

    // The page as the server renders it reads the same (with the plan no longer a choice).
    browser.open(&conversation_page(&base, &app)).await;
    assert_eq!(browser.run(&top, CONTACT_LIST).await, json!(saved));

    // The conversation's attributes, checked against their pattern and its cue.
    assert_eq!(
        browser.run(&top, CONVERSATION_LIST).await,
        json!([["Order number", "Not set"]])
    );
    browser.click("#conversation-attributes-edit").await;
    browser
        .fill("#conversation-defined input[data-key=order]", "123")
        .await;
    browser.click("#conversation-attributes-save").await;
    until(
        &browser,
        "return document.querySelector('#conversation-defined [data-key=order] .field-error').textContent;",
        json!("Like ORD-123"),
        "the pattern's cue",
    )
    .await;
    browser
        .fill("#conversation-defined input[data-key=order]", "ord-77")
        .await;
    browser.click("#conversation-attributes-save").await;
    until(
        &browser,
        CONVERSATION_LIST,
        json!([["Order number", "ord-77"]]),
        "the saved order number",
    )
    .await;
    let conversation = app
        .get(
            &app.api(&format!("conversations/{}", app.acme.conversation)),
            &app.admin,
        )
        .await
        .json();
    assert_eq!(
        conversation["custom_attributes"],
        json!({"order": "ord-77"})
    );

    // Another agent's change reaches the panel live.
    let url = app.api(&format!(
        "conversations/{}/custom_attributes",
        app.acme.conversation
    ));
    let res = app
        .post(
            &url,
            &app.admin,
            &json!({"custom_attributes": {"order": "ORD-1", "source": "crm"}}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    until(
        &browser,
        CONVERSATION_LIST,
        json!([["Order number", "ORD-1"], ["Source", "crm"]]),
        "the other agent's change",
    )
    .await;
}
