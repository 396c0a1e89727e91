//! The contacts workspace in the page: the list (search by name, e-mail, phone and identifier,
//! sorting, pages), a contact's page (details edited with their custom attributes' inputs, the
//! conversations linked, notes added, edited and deleted), and `contact.updated` followed live.

use crate::harness::{Browser, Frame};
use crate::support::{Person, TestApp};
use fantoccini::key::Key;
use serde_json::{json, Value};

/// Waits until `script` (run in the top page) returns `expected`.
async fn until(browser: &Browser, script: &str, expected: Value, what: &str) {
    browser
        .eventually(&Frame::top(), script, what, |v| *v == expected)
        .await;
}

/// Marks the current page, runs `act`, and waits for a fresh, ready page.
async fn reloading(browser: &Browser, act: impl AsyncFnOnce(), what: &str) {
    browser
        .run(&Frame::top(), "window.__stale = true; return true;")
        .await;
    act().await;
    until(
        browser,
        "return !window.__stale && document.body.dataset.ready === 'true';",
        json!(true),
        what,
    )
    .await;
}

fn text_of(css: &str) -> String {
    format!("return (document.querySelector({css:?}) || {{}}).textContent?.trim() ?? null;")
}

const NAMES: &str = "return [...document.querySelectorAll('#contacts-table tbody tr td:first-child')].map((c) => c.textContent.trim());";
const NOTES: &str =
    "return [...document.querySelectorAll('#notes-list .note-content')].map((c) => c.textContent);";

async fn contact(app: &TestApp, body: Value) -> i64 {
    let res = app.post(&app.api("contacts"), &app.admin, &body).await;
    assert_eq!(res.status, 200, "{}", res.text);
    res.json()["payload"]["contact"]["id"].as_i64().unwrap()
}

async fn notes_of(app: &TestApp, who: &Person) -> Vec<String> {
    let res = app
        .get(
            &app.api(&format!("contacts/{}/notes", app.acme.contact_id)),
            who,
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    res.json()
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["content"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_contacts_list_searches_every_field_sorts_and_pages() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    for n in 0..16 {
        contact(&app, json!({"name": format!("Member {n:02}")})).await;
    }
    contact(
        &app,
        json!({"name": "Ada Lovelace", "email": "ada@engine.test", "phone_number": "+442071234567", "identifier": "crm-ada"}),
    )
    .await;
    let base = app.serve().await;
    browser.sign_in(&base, &app.agent.email).await;
    browser
        .open(&format!(
            "{base}/app/accounts/{}/conversations",
            app.acme.account_id
        ))
        .await;
    reloading(
        &browser,
        async || browser.click("nav.nav a[href$=\"/contacts\"]").await,
        "the contacts page",
    )
    .await;
    assert_eq!(
        browser
            .run(
                &Frame::top(),
                "return document.querySelector('nav.nav [aria-current=page]').textContent;"
            )
            .await,
        json!("Contacts")
    );
    // 18 contacts (the fixture's too), 15 a page.
    assert_eq!(
        browser
            .run(&Frame::top(), NAMES)
            .await
            .as_array()
            .unwrap()
            .len(),
        15
    );
    assert_eq!(
        browser
            .run(&Frame::top(), &text_of(".pagination span"))
            .await,
        json!("Page 1 of 2")
    );
    reloading(
        &browser,
        async || browser.click(".pagination a[rel=next]").await,
        "page 2",
    )
    .await;
    assert_eq!(
        browser
            .run(&Frame::top(), NAMES)
            .await
            .as_array()
            .unwrap()
            .len(),
        3
    );

    // Each field finds Ada; the search is sent with the keyboard.
    for text in ["lovelace", "ADA@ENGINE", "+44207", "crm-ada"] {
        browser.fill("#contacts-q", text).await;
        reloading(
            &browser,
            async || {
                browser
                    .find("#contacts-q")
                    .await
                    .send_keys(&Key::Enter)
                    .await
                    .unwrap()
            },
            "the search's answer",
        )
        .await;
        assert_eq!(
            browser.run(&Frame::top(), NAMES).await,
            json!(["Ada Lovelace"]),
            "searching {text}"
        );
    }
    browser.fill("#contacts-q", "nobody-like-this").await;
    reloading(
        &browser,
        async || browser.click("#contacts-search button[type=submit]").await,
        "an empty answer",
    )
    .await;
    browser.find("#contacts-empty").await;

    // Sorted by name, Z to A: the members come first, highest number first.
    browser.fill("#contacts-q", "member").await;
    browser
        .run(
            &Frame::top(),
            "document.querySelector('#contacts-sort').value = '-name'; return true;",
        )
        .await;
    reloading(
        &browser,
        async || browser.click("#contacts-search button[type=submit]").await,
        "the sorted list",
    )
    .await;
    let names = browser.run(&Frame::top(), NAMES).await;
    assert_eq!(names[0], "Member 15");
    assert_eq!(names[14], "Member 01");
    assert_eq!(
        browser
            .run(&Frame::top(), &text_of(".pagination span"))
            .await,
        json!("Page 1 of 2")
    );
    // The search and the order survive paging.
    reloading(
        &browser,
        async || browser.click(".pagination a[rel=next]").await,
        "page 2 of the search",
    )
    .await;
    assert_eq!(
        browser.run(&Frame::top(), NAMES).await,
        json!(["Member 00"])
    );
    // Each row opens its contact.
    reloading(
        &browser,
        async || browser.click("#contacts-table tbody a").await,
        "the contact page",
    )
    .await;
    assert_eq!(
        browser.run(&Frame::top(), &text_of("#contact-title")).await,
        json!("Member 00")
    );
}

#[tokio::test]
async fn a_contact_page_edits_details_keeps_notes_and_follows_changes_live() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let res = app
        .post(
            &app.api("custom_attribute_definitions"),
            &app.admin,
            &json!({"attribute_display_name": "Seats", "attribute_key": "seats",
                    "attribute_display_type": "number", "attribute_model": "contact_attribute"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let base = app.serve().await;
    let page = format!(
        "{base}/app/accounts/{}/contacts/{}",
        app.acme.account_id, app.acme.contact_id
    );
    browser.sign_in(&base, &app.agent.email).await;
    browser.open(&page).await;
    // An agent may not delete the contact: no button.
    assert_eq!(
        browser
            .run(
                &Frame::top(),
                "return !!document.querySelector('#contact-delete');"
            )
            .await,
        json!(false)
    );
    // Its conversation is linked.
    browser
        .find(&format!(
            "#contact-conversations a[href$=\"/conversations/{}\"]",
            app.acme.conversation
        ))
        .await;

    // Details: a number attribute refuses text beside its input, then saves.
    browser.click("#contact-edit").await;
    browser.fill("#contact-name-input", "Grace Hopper").await;
    browser.fill("#contact-identifier", "crm-grace").await;
    browser.fill("#contact-attr-0", "many").await;
    browser.click("#contact-save").await;
    until(
        &browser,
        &text_of("#contact-attr-0-error"),
        json!("Seats must be a number"),
        "the attribute's error",
    )
    .await;
    browser.fill("#contact-attr-0", "12").await;
    browser.click("#contact-save").await;
    until(
        &browser,
        &text_of("#contact-title"),
        json!("Grace Hopper"),
        "the saved name",
    )
    .await;
    let saved = app
        .get(
            &app.api(&format!("contacts/{}", app.acme.contact_id)),
            &app.admin,
        )
        .await
        .json();
    assert_eq!(saved["payload"]["name"], "Grace Hopper");
    assert_eq!(saved["payload"]["identifier"], "crm-grace");
    assert_eq!(saved["payload"]["custom_attributes"]["seats"], 12);

    // Notes: an empty one is refused in the page; added with Ctrl+Enter; edited; deleted.
    browser.click("#note-add").await;
    until(
        &browser,
        &text_of("#note-content-error"),
        json!("Write the note first."),
        "the empty note's error",
    )
    .await;
    browser.fill("#note-content", "Prefers e-mail").await;
    browser
        .find("#note-content")
        .await
        .send_keys(&(Key::Control + &Key::Enter))
        .await
        .unwrap();
    until(&browser, NOTES, json!(["Prefers e-mail"]), "the added note").await;
    assert_eq!(notes_of(&app, &app.admin).await, ["Prefers e-mail"]);
    assert_eq!(
        browser
            .run(&Frame::top(), "return document.activeElement.id;")
            .await,
        json!("note-content"),
        "focus back in the note box"
    );
    browser.fill("#note-content", "Renewal in March").await;
    browser.click("#note-add").await;
    until(
        &browser,
        NOTES,
        json!(["Renewal in March", "Prefers e-mail"]),
        "newest first",
    )
    .await;
    browser
        .click("#notes-list .note:nth-child(2) [data-note-action=edit]")
        .await;
    let editor = "#notes-list .note:nth-child(2) .note-editor textarea";
    assert_eq!(
        browser
            .run(
                &Frame::top(),
                &format!("return document.activeElement === document.querySelector({editor:?});")
            )
            .await,
        json!(true),
        "the editor takes focus"
    );
    browser.fill(editor, "Prefers phone").await;
    browser
        .click("#notes-list .note:nth-child(2) .note-editor button[type=submit]")
        .await;
    until(
        &browser,
        NOTES,
        json!(["Renewal in March", "Prefers phone"]),
        "the edited note",
    )
    .await;
    assert_eq!(
        notes_of(&app, &app.agent).await,
        ["Renewal in March", "Prefers phone"]
    );
    // With the keyboard: the toast may cover the button, as it may a pointer.
    browser
        .find("#notes-list .note:first-child [data-note-action=delete]")
        .await
        .send_keys(&Key::Enter)
        .await
        .unwrap();
    until(
        &browser,
        NOTES,
        json!(["Prefers phone"]),
        "the deleted note",
    )
    .await;
    assert_eq!(notes_of(&app, &app.agent).await, ["Prefers phone"]);

    // Someone else renames the contact: the page follows.
    let res = app
        .patch(
            &app.api(&format!("contacts/{}", app.acme.contact_id)),
            &app.admin,
            &json!({"name": "Rear Admiral Hopper", "email": "grace@navy.test"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    until(
        &browser,
        &text_of("#contact-title"),
        json!("Rear Admiral Hopper"),
        "the live name",
    )
    .await;
    until(
        &browser,
        &text_of("#contact-attributes [data-field=email]"),
        json!("grace@navy.test"),
        "the live e-mail",
    )
    .await;
}

#[tokio::test]
async fn an_administrator_deletes_a_contact_from_its_page() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let doomed = contact(&app, json!({"name": "Doomed Dan"})).await;
    let base = app.serve().await;
    browser.sign_in(&base, &app.admin.email).await;
    browser
        .open(&format!(
            "{base}/app/accounts/{}/contacts/{doomed}",
            app.acme.account_id
        ))
        .await;
    browser.click("#contact-delete").await;
    reloading(
        &browser,
        async || browser.click("#contact-delete-confirm").await,
        "the list after deleting",
    )
    .await;
    let res = app
        .get(&app.api(&format!("contacts/{doomed}")), &app.admin)
        .await;
    assert_eq!(res.status, 404, "{}", res.text);
    assert!(!browser
        .run(&Frame::top(), NAMES)
        .await
        .as_array()
        .unwrap()
        .contains(&json!("Doomed Dan")));
}
