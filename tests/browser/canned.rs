//! Canned responses in the page: `/` in the reply box offers them (filtered as the agent types,
//! chosen with the keyboard, inserted in place of `/code`), and the settings list, which agents
//! read and administrators manage.

use crate::harness::{conversation_page, Browser, Frame};
use crate::support::{Person, TestApp};
use fantoccini::key::Key;
use serde_json::{json, Value};

async fn add_canned(app: &TestApp, who: &Person, short_code: &str, content: &str) -> Value {
    let response = app
        .post(
            &app.api("canned_responses"),
            who,
            &json!({"short_code": short_code, "content": content}),
        )
        .await;
    assert_eq!(response.status, 200, "{}", response.text);
    response.json()
}

/// Waits until `script` (run in the top page) returns `expected`.
async fn until(browser: &Browser, script: &str, expected: Value, what: &str) {
    browser
        .eventually(&Frame::top(), script, what, |v| *v == expected)
        .await;
}

/// Types `keys` into the reply box (focused where the caret is).
async fn type_reply(browser: &Browser, keys: &str) {
    browser
        .find("#reply-content")
        .await
        .send_keys(keys)
        .await
        .unwrap_or_else(|e| panic!("type {keys:?}: {e}"));
}

/// The picker as the agent sees it: open or not, the options' short codes, the highlighted one
/// (through the combobox's `aria-activedescendant`) and the "no match" text when shown.
const PICKER: &str = "const t = document.getElementById('reply-content');
const popup = document.getElementById('canned-popup');
const active = t.getAttribute('aria-activedescendant');
const empty = document.getElementById('canned-empty');
return {
  open: !popup.hidden && t.getAttribute('aria-expanded') === 'true',
  codes: [...document.querySelectorAll('#canned-list [role=option]')].map((o) => o.dataset.shortCode),
  active: active ? document.getElementById(active).dataset.shortCode : null,
  empty: empty.hidden ? null : empty.textContent,
};";

const VALUE: &str = "const t = document.getElementById('reply-content'); return [t.value, t.selectionStart, document.activeElement === t];";

#[tokio::test]
async fn typing_a_slash_in_the_reply_box_offers_canned_responses_and_the_keyboard_inserts_one() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    add_canned(&app, &app.admin, "thanks", "Thank you for writing in!").await;
    add_canned(&app, &app.admin, "refund", "Your refund is on its way.").await;
    add_canned(
        &app,
        &app.admin,
        "ship",
        "It ships tomorrow; thanks for waiting.",
    )
    .await;
    let base = app.serve().await;
    browser.sign_in(&base, &app.agent.email).await;
    browser.open(&conversation_page(&base, &app)).await;
    let top = Frame::top();

    // A slash inside a word is not a command.
    type_reply(&browser, "and/or ").await;
    assert_eq!(browser.run(&top, PICKER).await["open"], json!(false));

    type_reply(&browser, "/").await;
    until(
        &browser,
        PICKER,
        json!({"open": true, "codes": ["thanks", "refund", "ship"], "active": "thanks", "empty": null}),
        "every canned response offered after /",
    )
    .await;
    // Filtered as the agent types: the short code that starts with it first, then content.
    type_reply(&browser, "th").await;
    until(
        &browser,
        PICKER,
        json!({"open": true, "codes": ["thanks", "ship"], "active": "thanks", "empty": null}),
        "the list filtered by /th",
    )
    .await;
    type_reply(&browser, &Key::Down).await;
    assert_eq!(browser.run(&top, PICKER).await["active"], json!("ship"));
    type_reply(&browser, &Key::Down).await;
    assert_eq!(
        browser.run(&top, PICKER).await["active"],
        json!("thanks"),
        "the highlight wraps around"
    );
    type_reply(&browser, &Key::Up).await;
    type_reply(&browser, &Key::Enter).await;
    // Enter put the content in place of "/th", and nothing was sent.
    assert_eq!(
        browser.run(&top, VALUE).await,
        json!(["and/or It ships tomorrow; thanks for waiting.", 45, true])
    );
    assert_eq!(browser.run(&top, PICKER).await["open"], json!(false));

    // Tab inserts too, from the middle of the text.
    type_reply(&browser, " /REF").await;
    until(
        &browser,
        PICKER,
        json!({"open": true, "codes": ["refund"], "active": "refund", "empty": null}),
        "the list filtered by /REF, case aside",
    )
    .await;
    type_reply(&browser, &Key::Tab).await;
    assert_eq!(
        browser.run(&top, VALUE).await,
        json!([
            "and/or It ships tomorrow; thanks for waiting. Your refund is on its way.",
            72,
            true
        ])
    );

    // Nothing matches: said so; Escape closes it and it stays closed while the agent types on.
    type_reply(&browser, " /zz").await;
    until(
        &browser,
        PICKER,
        json!({"open": true, "codes": [], "active": null, "empty": "No canned response matches “zz”."}),
        "the no-match notice",
    )
    .await;
    type_reply(&browser, &Key::Escape).await;
    assert_eq!(browser.run(&top, PICKER).await["open"], json!(false));
    type_reply(&browser, "z").await;
    browser
        .stays(
            &top,
            "return document.getElementById('canned-popup').hidden;",
            &json!(true),
            "the dismissed picker",
        )
        .await;

    // A click picks one as well; then Ctrl+Enter sends the text as written.
    type_reply(&browser, " /").await;
    until(
        &browser,
        "return document.querySelectorAll('#canned-list [role=option]').length;",
        json!(3),
        "the picker open again",
    )
    .await;
    browser
        .click("#canned-list [data-short-code=\"thanks\"]")
        .await;
    let expected = "and/or It ships tomorrow; thanks for waiting. Your refund is on its way. /zzz Thank you for writing in!";
    assert_eq!(browser.run(&top, VALUE).await[0], json!(expected));
    type_reply(&browser, &(Key::Control + &Key::Enter)).await;
    until(
        &browser,
        "return document.getElementById('reply-content').value;",
        json!(""),
        "the reply sent",
    )
    .await;
    let messages = app
        .get(
            &app.api(&format!("conversations/{}/messages", app.acme.conversation)),
            &app.admin,
        )
        .await
        .json();
    let last = messages["payload"]
        .as_array()
        .and_then(|m| m.last())
        .cloned()
        .unwrap_or_default();
    assert_eq!(last["content"], json!(expected));
}

fn settings_url(base: &str, app: &TestApp) -> String {
    format!(
        "{base}/app/accounts/{}/settings/canned_responses",
        app.acme.account_id
    )
}

const ROWS: &str = "return [...document.querySelectorAll('#resources-table tr[data-id]')].map((r) => [r.dataset.name, r.querySelector('.canned-content').textContent, r.querySelectorAll('[data-action]').length]);";

#[tokio::test]
async fn agents_read_the_canned_responses_page_and_administrators_manage_it() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    add_canned(&app, &app.admin, "thanks", "Thank you for writing in!").await;
    let base = app.serve().await;

    // An agent: a link in the navigation, the list, and no way to change it.
    browser.sign_in(&base, &app.agent.email).await;
    browser.open(&conversation_page(&base, &app)).await;
    browser
        .click("nav.nav a[href$=\"/settings/canned_responses\"]")
        .await;
    until(
        &browser,
        "return document.body.dataset.ready === 'true' && location.pathname.endsWith('/canned_responses');",
        json!(true),
        "the canned responses page",
    )
    .await;
    assert_eq!(
        browser.run(&Frame::top(), ROWS).await,
        json!([["thanks", "Thank you for writing in!", 0]])
    );
    assert_eq!(
        browser
            .run(
                &Frame::top(),
                "return document.querySelectorAll('#add-resource').length;"
            )
            .await,
        json!(0)
    );

    // An administrator adds one; a short code with a space is refused in the page.
    browser
        .click("form[action=\"/app/logout\"] button[type=submit]")
        .await;
    browser.sign_in(&base, &app.admin.email).await;
    browser.open(&settings_url(&base, &app)).await;
    browser.click("#add-resource").await;
    browser.fill("#canned-short-code", "on its way").await;
    browser
        .fill("#canned-content", "Your order is on its way.")
        .await;
    browser.click("#resource-save").await;
    until(
        &browser,
        "return document.getElementById('canned-short-code-error').textContent;",
        json!("Use one word: no spaces."),
        "the short code checked in the page",
    )
    .await;
    browser.fill("#canned-short-code", "shipped").await;
    browser
        .run(&Frame::top(), "window.__stale = true; return true;")
        .await;
    browser.click("#resource-save").await;
    until(
        &browser,
        "return !window.__stale && document.body.dataset.ready === 'true';",
        json!(true),
        "the page after adding",
    )
    .await;
    assert_eq!(
        browser.run(&Frame::top(), ROWS).await,
        json!([
            ["thanks", "Thank you for writing in!", 2],
            ["shipped", "Your order is on its way.", 2]
        ])
    );
    // A taken short code: the server's 422 beside the field.
    browser
        .click("tr[data-name=\"shipped\"] [data-action=edit]")
        .await;
    browser.fill("#canned-short-code", "thanks").await;
    browser.click("#resource-save").await;
    until(
        &browser,
        "return document.getElementById('canned-short-code-error').textContent;",
        json!("Short code has already been taken"),
        "the taken short code",
    )
    .await;
    let listed = app
        .get(&app.api("canned_responses"), &app.admin)
        .await
        .json();
    assert_eq!(listed[1]["short_code"], "shipped");
}
