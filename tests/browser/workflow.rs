//! The agent workflow in the conversation view (status, snooze, assignment, labels, contact
//! editing) and the settings lists (inboxes and their agents, agents, teams and their members,
//! labels), driven with clicks and typing;
//! every step is checked on the page and through the API.

use crate::harness::{conversation_page, create_app, Browser, Frame};
use crate::recorder::{context_of, received, Recorder, COUNT};
use crate::support::{Person, TestApp};
use serde_json::{json, Value};

/// The fixture, served, with the browser signed in as `who` on the fixture's conversation.
async fn on_conversation(browser: &Browser, app: &TestApp, who: &Person) -> String {
    let base = app.serve().await;
    browser.sign_in(&base, &who.email).await;
    browser.open(&conversation_page(&base, app)).await;
    browser.find("body[data-workflow=\"ready\"]").await;
    base
}

/// The fixture's conversation, from the API.
async fn conversation(app: &TestApp) -> Value {
    conversation_by_id(app, app.acme.conversation).await
}

/// A conversation of the fixture's account, from the API.
async fn conversation_by_id(app: &TestApp, display_id: i64) -> Value {
    let response = app
        .get(&app.api(&format!("conversations/{display_id}")), &app.admin)
        .await;
    assert_eq!(response.status, 200, "{}", response.text);
    response.json()
}

/// The fixture's contact, from the API.
async fn contact(app: &TestApp) -> Value {
    let url = app.api(&format!("contacts/{}", app.acme.contact_id));
    let response = app.get(&url, &app.admin).await;
    assert_eq!(response.status, 200, "{}", response.text);
    response.json()["payload"].clone()
}

/// Waits until `script` (run in the top page) returns `expected`.
async fn until(browser: &Browser, script: &str, expected: Value, what: &str) {
    browser
        .eventually(&Frame::top(), script, what, |v| *v == expected)
        .await;
}

fn text_of(css: &str) -> String {
    format!("return (document.querySelector({css:?}) || {{}}).textContent?.trim() ?? null;")
}

fn is_hidden(css: &str) -> String {
    format!("return document.querySelector({css:?}).hidden;")
}

/// Waits until `.notice` toasts include one with exactly `message`.
async fn toast(browser: &Browser, message: &str) {
    until(
        browser,
        &format!(
            "return [...document.querySelectorAll('#toasts .notice')].some((t) => t.textContent === {message:?});"
        ),
        json!(true),
        &format!("the notice {message:?}"),
    )
    .await;
}

#[tokio::test]
async fn resolving_then_reopening_from_the_page_updates_the_badge_and_the_conversation() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    on_conversation(&browser, &app, &app.admin).await;
    let badge = text_of("#conversation-status");
    assert_eq!(browser.run(&Frame::top(), &badge).await, json!("open"));
    assert_eq!(
        browser
            .run(
                &Frame::top(),
                &is_hidden("#status-actions [data-status=open]")
            )
            .await,
        json!(true),
        "no Reopen while open"
    );

    browser
        .click("#status-actions [data-status=resolved]")
        .await;
    until(&browser, &badge, json!("resolved"), "the resolved badge").await;
    toast(&browser, "Conversation resolved").await;
    assert_eq!(conversation(&app).await["status"], "resolved");
    let visible = "return [...document.querySelectorAll('#status-actions button')].filter((b) => !b.hidden).map((b) => b.textContent.trim());";
    assert_eq!(
        browser.run(&Frame::top(), visible).await,
        json!(["Reopen", "Mark pending", "Snooze…"])
    );
    assert_eq!(
        browser
            .run(
                &Frame::top(),
                "return document.activeElement.closest('#status-actions') !== null;"
            )
            .await,
        json!(true),
        "focus stays with the status buttons"
    );

    browser.click("#status-actions [data-status=open]").await;
    until(&browser, &badge, json!("open"), "the open badge").await;
    assert_eq!(conversation(&app).await["status"], "open");

    browser.click("#status-actions [data-status=pending]").await;
    until(&browser, &badge, json!("pending"), "the pending badge").await;
    assert_eq!(conversation(&app).await["status"], "pending");
}

#[tokio::test]
async fn snoozing_until_a_chosen_time_sends_it_in_utc_and_refuses_a_past_time() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    on_conversation(&browser, &app, &app.admin).await;
    let top = Frame::top();

    browser.click("#snooze-open").await;
    assert_eq!(
        browser
            .run(
                &top,
                "return document.getElementById('snooze-dialog').open;"
            )
            .await,
        json!(true)
    );
    // A time already past is refused in the page.
    browser
        .run(
            &top,
            "document.getElementById('snooze-until').value = '2001-02-03T04:05'; return true;",
        )
        .await;
    browser.click("#snooze-save").await;
    until(
        &browser,
        &text_of("#snooze-until-error"),
        json!("Choose a time in the future."),
        "the past-time error",
    )
    .await;
    assert_eq!(conversation(&app).await["status"], "open", "nothing sent");

    // datetime-local takes typing in a locale-dependent order, so the value is set directly; the
    // browser's own clock turns it into the UTC instant we expect.
    let local = "2030-01-15T09:30";
    browser
        .run(
            &top,
            &format!("document.getElementById('snooze-until').value = {local:?}; return true;"),
        )
        .await;
    let expected = browser
        .run(
            &top,
            &format!("return new Date({local:?}).toISOString().replace('.000Z', 'Z');"),
        )
        .await;
    browser.click("#snooze-save").await;
    until(
        &browser,
        &text_of("#conversation-status"),
        json!("snoozed"),
        "the snoozed badge",
    )
    .await;
    assert_eq!(
        browser
            .run(
                &top,
                "return document.getElementById('snooze-dialog').open;"
            )
            .await,
        json!(false)
    );
    assert_eq!(
        browser
            .run(
                &top,
                "return [document.getElementById('snoozed-until').hidden, document.querySelector('#snoozed-until time').dateTime];"
            )
            .await,
        json!([false, expected])
    );
    let shown = conversation(&app).await;
    assert_eq!(shown["status"], "snoozed");
    assert_eq!(shown["snoozed_until"], expected);

    // A quick choice fills the field: "In an hour" is in the future.
    browser.click("#snooze-open").await;
    browser
        .click("#snooze-dialog [data-snooze-preset=hour]")
        .await;
    let value = browser
        .run(
            &top,
            "const t = new Date(document.getElementById('snooze-until').value).getTime(); return t > Date.now() && t <= Date.now() + 3600e3 + 60e3;",
        )
        .await;
    assert_eq!(value, json!(true));
    browser.click("#snooze-dialog [data-action=cancel]").await;
}

#[tokio::test]
async fn assigning_to_an_agent_and_to_me_updates_the_header_and_the_conversation() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    on_conversation(&browser, &app, &app.admin).await;
    let top = Frame::top();
    let line = text_of(".conversation-header .assignee");
    assert_eq!(browser.run(&top, &line).await, json!("Unassigned"));

    browser
        .find("#assignee-select")
        .await
        .select_by_value(&app.agent.id.to_string())
        .await
        .expect("choose Sam");
    browser.click("#assign-save").await;
    until(
        &browser,
        &line,
        json!("Assigned to Sam Agent"),
        "Sam assigned",
    )
    .await;
    toast(&browser, "Assigned to Sam Agent").await;
    assert_eq!(
        conversation(&app).await["meta"]["assignee"]["id"],
        json!(app.agent.id)
    );
    assert_eq!(
        browser.run(&top, &is_hidden("#assign-me")).await,
        json!(false)
    );

    browser.click("#assign-me").await;
    until(
        &browser,
        &line,
        json!("Assigned to Ada Admin"),
        "me assigned",
    )
    .await;
    assert_eq!(
        conversation(&app).await["meta"]["assignee"]["id"],
        json!(app.admin.id)
    );
    assert_eq!(
        browser
            .run(
                &top,
                "return [document.getElementById('assign-me').hidden, document.getElementById('assignee-select').value, document.activeElement.id];"
            )
            .await,
        json!([true, app.admin.id.to_string(), "assignee-select"]),
        "Assign to me hides itself and focus moves to the select"
    );

    // Unassigning, through the select's first choice.
    browser
        .find("#assignee-select")
        .await
        .select_by_value("")
        .await
        .expect("choose Unassigned");
    browser.click("#assign-save").await;
    until(&browser, &line, json!("Unassigned"), "nobody assigned").await;
    assert!(conversation(&app).await["meta"].get("assignee").is_none());
}

#[tokio::test]
async fn adding_and_removing_a_label_updates_the_chips_and_the_conversation() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    for (title, color) in [("vip", "#d92d20"), ("billing", "#1f93ff")] {
        let made = app
            .post(
                &app.api("labels"),
                &app.admin,
                &json!({"title": title, "color": color}),
            )
            .await;
        assert_eq!(made.status, 200, "{}", made.text);
    }
    on_conversation(&browser, &app, &app.admin).await;
    let top = Frame::top();
    let chips = "return [...document.querySelectorAll('#conversation-labels [data-label]')].map((c) => c.dataset.label);";
    assert_eq!(browser.run(&top, chips).await, json!([]));

    for title in ["vip", "billing"] {
        browser
            .find("#label-select")
            .await
            .select_by_value(title)
            .await
            .expect("choose a label");
        browser.click("#label-add").await;
        toast(&browser, &format!("Label {title} added")).await;
    }
    until(&browser, chips, json!(["vip", "billing"]), "two chips").await;
    assert_eq!(
        conversation(&app).await["labels"],
        json!(["vip", "billing"])
    );
    assert_eq!(
        browser
            .run(
                &top,
                "return [[...document.querySelectorAll('#header-labels [data-label]')].map((b) => b.textContent), document.querySelector('#label-select option[value=vip]').disabled, document.getElementById('labels-empty').hidden];"
            )
            .await,
        json!([["vip", "billing"], true, true])
    );

    browser
        .click("#conversation-labels [data-remove-label=vip]")
        .await;
    until(&browser, chips, json!(["billing"]), "one chip left").await;
    assert_eq!(conversation(&app).await["labels"], json!(["billing"]));
    assert_eq!(
        browser
            .run(
                &top,
                "return [document.activeElement.dataset.removeLabel, document.querySelector('#label-select option[value=vip]').disabled];"
            )
            .await,
        json!(["billing", false]),
        "focus moves to the next chip; vip can be added again"
    );
    browser
        .run(&top, "window.scrollTo(0, 0); return true;")
        .await;
    let path = browser.screenshot_to("docs/screenshots/workflow.png").await;
    eprintln!("saved {}", path.display());
}

#[tokio::test]
async fn a_label_added_in_the_page_reaches_an_open_app_in_its_next_context() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let made = app
        .post(&app.api("labels"), &app.admin, &json!({"title": "vip"}))
        .await;
    assert_eq!(made.status, 200, "{}", made.text);
    let recorder = Recorder::start().await;
    let id = create_app(&app, &app.admin, "Recorder", &[recorder.url("f=labels")]).await;
    on_conversation(&browser, &app, &app.admin).await;
    browser.find("body[data-cable=\"open\"]").await;
    browser.open_tab(id).await;
    let frame = Frame::app(id, 0);
    browser
        .eventually(&frame, COUNT, "the first context", |v| {
            v.as_i64() >= Some(1)
        })
        .await;

    // The form sits in the contact panel, beside the app's tab panel.
    browser
        .find("#label-select")
        .await
        .select_by_value("vip")
        .await
        .expect("choose vip");
    browser.click("#label-add").await;
    let labels = browser
        .eventually(
            &frame,
            "const last = window.__received[window.__received.length - 1]; return JSON.parse(last.data).data.conversation.labels;",
            "a context with the label",
            |v| *v == json!(["vip"]),
        )
        .await;
    assert_eq!(labels, json!(["vip"]));
    let messages = received(&browser, &frame).await;
    let last = context_of(messages.last().expect("a context"));
    let first = context_of(&messages[0]);
    assert!(
        last["meta"]["seq"].as_i64() > first["meta"]["seq"].as_i64(),
        "a newer context: {last}"
    );
}

#[tokio::test]
async fn editing_the_contact_saves_name_and_custom_attributes_and_shows_a_422_beside_the_email() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    on_conversation(&browser, &app, &app.admin).await;
    let top = Frame::top();

    browser.click("#contact-edit").await;
    assert_eq!(
        browser
            .run(
                &top,
                "return [document.getElementById('contact-form').hidden, document.activeElement.id, document.getElementById('contact-name-input').value];"
            )
            .await,
        json!([false, "contact-name-input", "Maria Lopez"])
    );
    browser.fill("#contact-name-input", "Maria Garcia").await;
    browser.fill("#contact-company", "Northwind Foods").await;
    // Drop "plan", add "tier".
    browser
        .click("#custom-rows .custom-row [data-remove-custom]")
        .await;
    browser.click("#custom-add").await;
    browser
        .fill(
            "#custom-rows .custom-row:last-child [name=custom-key]",
            "tier",
        )
        .await;
    browser
        .fill(
            "#custom-rows .custom-row:last-child [name=custom-value]",
            "gold",
        )
        .await;
    browser.click("#contact-save").await;
    until(
        &browser,
        &text_of(".contact-panel .contact-name"),
        json!("Maria Garcia"),
        "the new name in the panel",
    )
    .await;
    toast(&browser, "Contact saved").await;
    let saved = contact(&app).await;
    assert_eq!(saved["name"], "Maria Garcia");
    assert_eq!(saved["custom_attributes"], json!({"tier": "gold"}));
    assert_eq!(
        saved["additional_attributes"]["company_name"],
        "Northwind Foods"
    );
    assert_eq!(
        browser
            .run(
                &top,
                "return [document.getElementById('contact-form').hidden, [...document.querySelectorAll('#contact-attributes dt, #contact-attributes dd')].map((e) => e.textContent), document.querySelector('.conversation-header .contact-title-name').textContent];"
            )
            .await,
        json!([
            true,
            [
                "E-mail",
                "maria@northwind.example",
                "Phone",
                "+14155550100",
                "Company",
                "Northwind Foods",
                "Identifier",
                "cust_8812",
                "Tier",
                "gold"
            ],
            "Maria Garcia"
        ])
    );

    // A bad e-mail: the server's 422 is shown beside the field, the form stays open.
    browser.click("#contact-edit").await;
    browser.fill("#contact-email", "not-an-email").await;
    browser.click("#contact-save").await;
    until(
        &browser,
        &text_of("#contact-email-error"),
        json!("Email is invalid"),
        "the e-mail error",
    )
    .await;
    assert_eq!(
        browser
            .run(
                &top,
                "return [document.getElementById('contact-email').getAttribute('aria-invalid'), document.activeElement.id, document.getElementById('contact-form').hidden];"
            )
            .await,
        json!(["true", "contact-email", false])
    );
    assert_eq!(contact(&app).await["email"], "maria@northwind.example");

    // Cancel leaves the saved contact on screen.
    browser.click("#contact-cancel").await;
    assert_eq!(
        browser
            .run(&top, &text_of("#contact-attributes dd[data-field=email]"))
            .await,
        json!("maria@northwind.example")
    );
}

/// Clicks the list row of `display_id` and waits for the in-place switch. Live updates (this
/// test's own changes among them) re-render the list pane, so a row just found may be gone
/// when clicked: that click did not happen, and the row is found and clicked again.
async fn switch_to(browser: &Browser, display_id: i64) {
    let css = format!(".conversation-row[data-display-id=\"{display_id}\"]");
    let deadline = std::time::Instant::now() + crate::harness::TIMEOUT;
    loop {
        match browser.find(&css).await.click().await {
            Ok(()) => break,
            Err(e) if e.to_string().contains("stale") && std::time::Instant::now() < deadline => {}
            Err(e) => panic!("click {css}: {e}"),
        }
    }
    browser
        .find(&format!("body[data-conversation=\"{display_id}\"]"))
        .await;
}

#[tokio::test]
async fn after_switching_conversations_in_place_the_controls_act_on_the_one_on_screen() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let created = app
        .post(
            &app.api("conversations"),
            &app.admin,
            &json!({"inbox_id": app.acme.inbox_id, "contact_id": app.acme.contact_id, "message": {"content": "second question"}}),
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.text);
    let second = created.json()["id"].as_i64().expect("a display id");
    let first = app.acme.conversation;
    on_conversation(&browser, &app, &app.admin).await;
    let top = Frame::top();
    // The active view's header, wherever its view sits among the mounted ones.
    let badge = text_of("#conversation-status");
    let line = "return document.getElementById('conversation-status').closest('.conversation-header').querySelector('.assignee').textContent.trim();";

    switch_to(&browser, second).await;
    browser
        .click("#status-actions [data-status=resolved]")
        .await;
    until(
        &browser,
        &badge,
        json!("resolved"),
        "the second one resolved",
    )
    .await;
    assert_eq!(conversation_by_id(&app, second).await["status"], "resolved");
    assert_eq!(conversation_by_id(&app, first).await["status"], "open");

    // Its own snooze dialog, snoozing it alone.
    browser.click("#snooze-open").await;
    browser
        .run(
            &top,
            "document.getElementById('snooze-until').value = '2031-03-04T10:00'; return true;",
        )
        .await;
    browser.click("#snooze-save").await;
    until(&browser, &badge, json!("snoozed"), "the second one snoozed").await;
    assert_eq!(conversation_by_id(&app, second).await["status"], "snoozed");
    assert_eq!(conversation_by_id(&app, first).await["status"], "open");

    switch_to(&browser, first).await;
    assert_eq!(browser.run(&top, &badge).await, json!("open"));
    browser.click("#assign-me").await;
    until(
        &browser,
        line,
        json!("Assigned to Ada Admin"),
        "the first one assigned",
    )
    .await;
    assert_eq!(
        conversation_by_id(&app, first).await["meta"]["assignee"]["id"],
        json!(app.admin.id)
    );
    assert!(conversation_by_id(&app, second).await["meta"]
        .get("assignee")
        .is_none());
}

// ---------- Settings lists -------------------------------------------------------------------

fn settings_url(base: &str, app: &TestApp, which: &str) -> String {
    format!(
        "{base}/app/accounts/{}/settings/{which}",
        app.acme.account_id
    )
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

/// The names in the settings table.
const ROW_NAMES: &str = "return [...document.querySelectorAll('#resources-table tr[data-id]')].map((r) => r.dataset.name);";

/// Opens the delete confirmation of the row named `name`, checks it names it, and confirms.
async fn delete_row(browser: &Browser, name: &str) {
    browser
        .click(&format!("tr[data-name=\"{name}\"] [data-action=delete]"))
        .await;
    let title = browser
        .run(&Frame::top(), &text_of("#delete-dialog-title"))
        .await;
    assert!(
        title.as_str().is_some_and(|t| t.contains(name)),
        "the confirmation names {name}: {title}"
    );
}

#[tokio::test]
async fn an_administrator_adds_edits_and_deletes_an_inbox() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let base = app.serve().await;
    browser.sign_in(&base, &app.admin.email).await;
    browser.open(&conversation_page(&base, &app)).await;
    click_and_reload(
        &browser,
        "nav.nav a[href$=\"/settings/inboxes\"]",
        "the inboxes page",
    )
    .await;
    assert_eq!(
        browser.run(&Frame::top(), ROW_NAMES).await,
        json!(["Website"])
    );

    browser.click("#add-resource").await;
    browser.fill("#inbox-name", "Mobile app").await;
    browser
        .fill("#inbox-webhook-url", "ftp://hooks.example.com/in")
        .await;
    browser.click("#resource-save").await;
    until(
        &browser,
        &text_of("#inbox-webhook-url-error"),
        json!("Webhook url must be an http(s) URL"),
        "the server's 422 beside the URL",
    )
    .await;
    browser
        .fill("#inbox-webhook-url", "https://hooks.example.com/in")
        .await;
    click_and_reload(&browser, "#resource-save", "the page after adding").await;
    assert_eq!(
        browser.run(&Frame::top(), ROW_NAMES).await,
        json!(["Website", "Mobile app"])
    );
    let listed = app.get(&app.api("inboxes"), &app.admin).await.json();
    let added = listed["payload"]
        .as_array()
        .and_then(|all| all.iter().find(|i| i["name"] == "Mobile app").cloned())
        .expect("the new inbox");
    assert_eq!(added["webhook_url"], "https://hooks.example.com/in");
    let identifier = added["inbox_identifier"].as_str().expect("an identifier");
    let row = "tr[data-name=\"Mobile app\"]";
    assert_eq!(
        browser
            .run(&Frame::top(), &text_of(&format!("{row} .inbox-identifier")))
            .await,
        json!(identifier)
    );

    // Edit: the dialog comes filled in; clearing the URL removes it.
    browser.click(&format!("{row} [data-action=edit]")).await;
    assert_eq!(
        browser
            .run(
                &Frame::top(),
                "return document.getElementById('inbox-webhook-url').value;"
            )
            .await,
        json!("https://hooks.example.com/in")
    );
    browser.fill("#inbox-name", "Mobile").await;
    browser.fill("#inbox-webhook-url", "").await;
    click_and_reload(&browser, "#resource-save", "the page after editing").await;
    let edited = app
        .get(&app.api(&format!("inboxes/{}", added["id"])), &app.admin)
        .await
        .json();
    assert_eq!(edited["name"], "Mobile");
    assert_eq!(edited["webhook_url"], Value::Null);

    delete_row(&browser, "Mobile").await;
    click_and_reload(&browser, "#delete-confirm", "the page after deleting").await;
    assert_eq!(
        browser.run(&Frame::top(), ROW_NAMES).await,
        json!(["Website"])
    );
    let left = app.get(&app.api("inboxes"), &app.admin).await.json();
    assert_eq!(left["payload"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn an_administrator_invites_promotes_and_removes_an_agent_but_not_the_last_administrator() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let base = app.serve().await;
    browser.sign_in(&base, &app.admin.email).await;
    browser.open(&settings_url(&base, &app, "agents")).await;
    assert_eq!(
        browser.run(&Frame::top(), ROW_NAMES).await,
        json!(["Ada Admin", "Sam Agent"])
    );

    // Removing the only administrator (themselves) is refused with the server's 422.
    delete_row(&browser, "Ada Admin").await;
    browser.click("#delete-confirm").await;
    until(
        &browser,
        &text_of("#delete-error"),
        json!("An account needs at least one administrator"),
        "the last-administrator error",
    )
    .await;
    assert_eq!(
        browser
            .run(
                &Frame::top(),
                "return document.getElementById('delete-dialog').open;"
            )
            .await,
        json!(true)
    );
    browser.click("#delete-dialog [data-action=cancel]").await;

    // So is demoting them.
    browser
        .click("tr[data-name=\"Ada Admin\"] [data-action=edit]")
        .await;
    browser
        .find("#agent-role")
        .await
        .select_by_value("agent")
        .await
        .expect("choose agent");
    browser.click("#resource-save").await;
    until(
        &browser,
        &text_of("#agent-role-error"),
        json!("An account needs at least one administrator"),
        "the demotion error",
    )
    .await;
    browser.click("#resource-dialog [data-action=cancel]").await;

    // Invite.
    browser.click("#add-resource").await;
    browser.fill("#agent-name", "Priya Patel").await;
    browser.fill("#agent-email", "priya@acme.test").await;
    browser.fill("#agent-password", "a-long-password").await;
    click_and_reload(&browser, "#resource-save", "the page after inviting").await;
    assert_eq!(
        browser.run(&Frame::top(), ROW_NAMES).await,
        json!(["Ada Admin", "Priya Patel", "Sam Agent"])
    );
    let agents = app.get(&app.api("agents"), &app.admin).await.json();
    let priya = agents
        .as_array()
        .and_then(|all| {
            all.iter()
                .find(|a| a["email"] == "priya@acme.test")
                .cloned()
        })
        .expect("Priya is a member");
    assert_eq!(priya["role"], "agent");
    let signed_in = app
        .request(
            axum::http::Method::POST,
            "/auth/sign_in",
            None,
            Some(&json!({"email": "priya@acme.test", "password": "a-long-password"}).to_string()),
        )
        .await;
    assert_eq!(signed_in.status, 200, "the initial password works");

    // Promote: the edit form has no e-mail or password.
    let row = "tr[data-name=\"Priya Patel\"]";
    browser.click(&format!("{row} [data-action=edit]")).await;
    assert_eq!(
        browser
            .run(
                &Frame::top(),
                "return [document.getElementById('agent-email').closest('.form-field').hidden, document.getElementById('agent-role').value];"
            )
            .await,
        json!([true, "agent"])
    );
    browser
        .find("#agent-role")
        .await
        .select_by_value("administrator")
        .await
        .expect("choose administrator");
    click_and_reload(&browser, "#resource-save", "the page after promoting").await;
    assert_eq!(
        browser
            .run(&Frame::top(), &text_of(&format!("{row} .agent-role")))
            .await,
        json!("Administrator")
    );

    // Remove.
    delete_row(&browser, "Priya Patel").await;
    click_and_reload(&browser, "#delete-confirm", "the page after removing").await;
    assert_eq!(
        browser.run(&Frame::top(), ROW_NAMES).await,
        json!(["Ada Admin", "Sam Agent"])
    );
}

#[tokio::test]
async fn an_administrator_adds_and_deletes_a_label() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let base = app.serve().await;
    browser.sign_in(&base, &app.admin.email).await;
    browser.open(&settings_url(&base, &app, "labels")).await;
    browser.find("#resources-empty").await;

    browser.click("#add-resource").await;
    browser.fill("#label-title", "needs reply").await;
    browser.click("#resource-save").await;
    until(
        &browser,
        &text_of("#label-title-error"),
        json!("Use letters, digits, - and _ only (no spaces)."),
        "the title checked in the page",
    )
    .await;
    browser.fill("#label-title", "Needs-Reply").await;
    browser.fill("#label-description", "Waiting on us").await;
    browser
        .run(
            &Frame::top(),
            "const c = document.getElementById('label-color'); c.value = '#d92d20'; c.dispatchEvent(new Event('input')); return true;",
        )
        .await;
    click_and_reload(&browser, "#resource-save", "the page after adding").await;
    assert_eq!(
        browser.run(&Frame::top(), ROW_NAMES).await,
        json!(["needs-reply"])
    );
    assert_eq!(
        browser
            .run(
                &Frame::top(),
                "const s = document.querySelector('tr[data-name=\"needs-reply\"] [data-swatch]'); return [s.dataset.swatch, getComputedStyle(s).backgroundColor];"
            )
            .await,
        json!(["#d92d20", "rgb(217, 45, 32)"])
    );
    let labels = app.get(&app.api("labels"), &app.admin).await.json();
    assert_eq!(labels["payload"][0]["title"], "needs-reply");
    assert_eq!(labels["payload"][0]["description"], "Waiting on us");
    assert_eq!(labels["payload"][0]["color"], "#d92d20");

    delete_row(&browser, "needs-reply").await;
    click_and_reload(&browser, "#delete-confirm", "the page after deleting").await;
    browser.find("#resources-empty").await;
    let labels = app.get(&app.api("labels"), &app.admin).await.json();
    assert_eq!(labels["payload"], json!([]));
}

#[tokio::test]
async fn an_agent_gets_403_on_the_settings_pages_and_no_links_to_them() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let base = app.serve().await;
    browser.sign_in(&base, &app.agent.email).await;
    browser.open(&conversation_page(&base, &app)).await;
    assert_eq!(
        browser
            .run(
                &Frame::top(),
                "return [...document.querySelectorAll('nav.nav a[href*=\"/settings/\"]')].map((a) => a.pathname.split('/').pop());"
            )
            .await,
        json!(["canned_responses"]),
        "agents read the canned responses, nothing else of the settings"
    );
    for which in ["inboxes", "agents", "teams", "labels", "custom_attributes"] {
        let url = settings_url(&base, &app, which);
        let status = browser
            .run(
                &Frame::top(),
                &format!(
                    "return fetch({url:?}, {{credentials: 'same-origin'}}).then((r) => r.status);"
                ),
            )
            .await;
        assert_eq!(status, json!(403), "{which}");
        // The error page has no script, so no readiness mark to wait for: wait for its heading.
        browser
            .client
            .goto(&url)
            .await
            .unwrap_or_else(|e| panic!("open {url}: {e}"));
        browser.find("main.error-page h1").await;
        assert_eq!(
            browser.run(&Frame::top(), &text_of("h1")).await,
            json!("You don't have access to this page"),
            "{which}"
        );
    }
}

/// The ids in a list of agents as the API answers it, in order.
fn agent_ids(agents: &Value) -> Vec<i64> {
    let mut ids: Vec<i64> = agents
        .as_array()
        .unwrap_or_else(|| panic!("agents: {agents}"))
        .iter()
        .map(|a| a["id"].as_i64().expect("an id"))
        .collect();
    ids.sort_unstable();
    ids
}

/// Whether each of the member checkboxes `ids` (prefix `prefix`) is checked.
fn checked(prefix: &str, ids: &[i64]) -> String {
    let list = ids
        .iter()
        .map(|id| format!("'#{prefix}{id}'"))
        .collect::<Vec<_>>()
        .join(", ");
    format!("return [{list}].map((css) => document.querySelector(css).checked);")
}

#[tokio::test]
async fn an_administrator_adds_a_team_with_its_members_edits_and_deletes_it() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let base = app.serve().await;
    browser.sign_in(&base, &app.admin.email).await;
    browser.open(&conversation_page(&base, &app)).await;
    click_and_reload(
        &browser,
        "nav.nav a[href$=\"/settings/teams\"]",
        "the teams page",
    )
    .await;
    browser.find("#resources-empty").await;
    let (admin, agent) = (app.admin.id, app.agent.id);

    // Add, with the agent as its member and auto-assignment off.
    browser.click("#add-resource").await;
    assert_eq!(
        browser
            .run(&Frame::top(), &checked("team-member-", &[admin, agent]))
            .await,
        json!([false, false]),
        "a new team starts empty"
    );
    browser.fill("#team-name", "Billing").await;
    browser
        .fill("#team-description", "Invoices and refunds")
        .await;
    browser.click("#team-allow-auto-assign").await;
    browser.click(&format!("#team-member-{agent}")).await;
    click_and_reload(&browser, "#resource-save", "the page after adding").await;
    assert_eq!(
        browser.run(&Frame::top(), ROW_NAMES).await,
        json!(["billing"])
    );
    let row = "tr[data-name=\"billing\"]";
    for (cell, expected) in [
        ("team-members", "Sam Agent"),
        ("team-auto-assign", "Off"),
        ("team-description", "Invoices and refunds"),
    ] {
        assert_eq!(
            browser
                .run(&Frame::top(), &text_of(&format!("{row} .{cell}")))
                .await,
            json!(expected),
            "{cell}"
        );
    }
    let teams = app.get(&app.api("teams"), &app.admin).await.json();
    let team = teams[0].clone();
    assert_eq!(team["name"], "billing");
    assert_eq!(team["allow_auto_assign"], false);
    let members = app.api(&format!("teams/{}/team_members", team["id"]));
    assert_eq!(
        agent_ids(&app.get(&members, &app.admin).await.json()),
        [agent]
    );

    // A second team of the same name is refused beside the name, and nothing is created.
    browser.click("#add-resource").await;
    browser.fill("#team-name", "BILLING").await;
    browser.click("#resource-save").await;
    until(
        &browser,
        &text_of("#team-name-error"),
        json!("Name has already been taken"),
        "the server's 422 beside the name",
    )
    .await;
    browser.click("#resource-dialog [data-action=cancel]").await;
    let teams = app.get(&app.api("teams"), &app.admin).await.json();
    assert_eq!(teams.as_array().map(Vec::len), Some(1));

    // Edit: the dialog comes filled in; the members are swapped.
    browser.click(&format!("{row} [data-action=edit]")).await;
    assert_eq!(
        browser
            .run(&Frame::top(), &checked("team-member-", &[admin, agent]))
            .await,
        json!([false, true])
    );
    assert_eq!(
        browser
            .run(
                &Frame::top(),
                "return [document.getElementById('team-name').value, document.getElementById('team-allow-auto-assign').checked];"
            )
            .await,
        json!(["billing", false])
    );
    browser.click(&format!("#team-member-{admin}")).await;
    browser.click(&format!("#team-member-{agent}")).await;
    click_and_reload(&browser, "#resource-save", "the page after editing").await;
    assert_eq!(
        browser
            .run(&Frame::top(), &text_of(&format!("{row} .team-members")))
            .await,
        json!("Ada Admin")
    );
    assert_eq!(
        agent_ids(&app.get(&members, &app.admin).await.json()),
        [admin]
    );

    delete_row(&browser, "billing").await;
    click_and_reload(&browser, "#delete-confirm", "the page after deleting").await;
    browser.find("#resources-empty").await;
    let teams = app.get(&app.api("teams"), &app.admin).await.json();
    assert_eq!(teams, json!([]));
}

#[tokio::test]
async fn an_administrator_chooses_the_agents_of_an_inbox_when_editing_or_adding_it() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let base = app.serve().await;
    browser.sign_in(&base, &app.admin.email).await;
    browser.open(&settings_url(&base, &app, "inboxes")).await;
    let (admin, agent) = (app.admin.id, app.agent.id);
    let website = "tr[data-name=\"Website\"]";
    let members_of = |inbox: i64| app.api(&format!("inbox_members/{inbox}"));
    let before = app
        .get(&members_of(app.acme.inbox_id), &app.admin)
        .await
        .json();
    assert_eq!(
        agent_ids(&before["payload"]),
        vec![agent],
        "the fixture's agent is the inbox's one member"
    );
    assert_eq!(
        browser
            .run(
                &Frame::top(),
                &text_of(&format!("{website} .inbox-members"))
            )
            .await,
        json!("Sam Agent")
    );

    // Edit: the administrator joins the agent.
    browser
        .click(&format!("{website} [data-action=edit]"))
        .await;
    browser.click(&format!("#inbox-member-{admin}")).await;
    click_and_reload(&browser, "#resource-save", "the page after adding agents").await;
    assert_eq!(
        browser
            .run(
                &Frame::top(),
                &text_of(&format!("{website} .inbox-members"))
            )
            .await,
        json!("Ada Admin, Sam Agent")
    );
    let members = app
        .get(&members_of(app.acme.inbox_id), &app.admin)
        .await
        .json();
    let mut both = vec![admin, agent];
    both.sort_unstable();
    assert_eq!(agent_ids(&members["payload"]), both);

    // Edit again: the boxes say who is in; the agent leaves.
    browser
        .click(&format!("{website} [data-action=edit]"))
        .await;
    assert_eq!(
        browser
            .run(&Frame::top(), &checked("inbox-member-", &[admin, agent]))
            .await,
        json!([true, true])
    );
    browser.click(&format!("#inbox-member-{agent}")).await;
    click_and_reload(&browser, "#resource-save", "the page after removing one").await;
    let members = app
        .get(&members_of(app.acme.inbox_id), &app.admin)
        .await
        .json();
    assert_eq!(agent_ids(&members["payload"]), [admin]);

    // A new inbox gets its agents in the same save.
    browser.click("#add-resource").await;
    browser.fill("#inbox-name", "Mobile app").await;
    browser.click(&format!("#inbox-member-{agent}")).await;
    click_and_reload(&browser, "#resource-save", "the page after adding an inbox").await;
    assert_eq!(
        browser
            .run(
                &Frame::top(),
                &text_of("tr[data-name=\"Mobile app\"] .inbox-members")
            )
            .await,
        json!("Sam Agent")
    );
    let listed = app.get(&app.api("inboxes"), &app.admin).await.json();
    let mobile = listed["payload"]
        .as_array()
        .and_then(|all| all.iter().find(|i| i["name"] == "Mobile app").cloned())
        .expect("the new inbox");
    let members = app
        .get(
            &members_of(mobile["id"].as_i64().expect("an id")),
            &app.admin,
        )
        .await
        .json();
    assert_eq!(agent_ids(&members["payload"]), [agent]);
}
