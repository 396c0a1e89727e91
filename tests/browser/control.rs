//! Dashboard apps beyond Chatwoot, in a real browser: which apps show where (enabled, inboxes,
//! order, sidebar apps), the actions an app may ask of the host (insert-reply, notify) and the
//! answers it gets, the settings page's controls — and an old-style Chatwoot app that keeps
//! working with all of it switched on.

use crate::harness::{conversation_page, settings_page, Browser, Frame};
use crate::recorder::{context_of, received, wait_count, Recorder};
use crate::support::{self, TestApp};
use axum::response::Html;
use axum::routing::get;
use serde_json::{json, Value};

/// Registers an app with control fields through the API (as the administrator).
pub(crate) async fn create(app: &TestApp, body: Value) -> i64 {
    let response = app
        .post(&app.api("dashboard_apps"), &app.admin, &body)
        .await;
    assert_eq!(response.status, 200, "create app: {}", response.text);
    response.json()["id"].as_i64().expect("an app id")
}

pub(crate) fn frame(url: &str) -> Value {
    json!([{"type": "frame", "url": url}])
}

async fn second_inbox(app: &TestApp) -> i64 {
    let created = app
        .post(&app.api("inboxes"), &app.admin, &json!({"name": "Email"}))
        .await;
    assert_eq!(created.status, 200, "{}", created.text);
    created.json()["id"].as_i64().unwrap()
}

/// Posts `message` (a JS expression) from the app frame to its parent, as apps do.
pub(crate) async fn post_from(browser: &Browser, frame: &Frame, message: &str) {
    browser
        .run(
            frame,
            &format!("window.parent.postMessage({message}, '*'); return true;"),
        )
        .await;
}

/// The parsed messages the recorder in `frame` got that answer an action.
pub(crate) async fn results(browser: &Browser, frame: &Frame) -> Vec<Value> {
    received(browser, frame)
        .await
        .iter()
        .filter_map(|m| serde_json::from_str::<Value>(m["data"].as_str()?).ok())
        .filter(|m| m["event"].as_str().is_some_and(|e| e.ends_with(":result")))
        .collect()
}

/// Waits until the frame has `count` action results and returns them.
pub(crate) async fn wait_results(browser: &Browser, frame: &Frame, count: usize) -> Vec<Value> {
    let script = "return (window.__received || []).filter(function (m) { \
                  try { return /:result$/.test(JSON.parse(m.data).event); } catch (e) { return false; } \
                  }).length;";
    browser
        .eventually(frame, script, &format!("{count} action results"), |v| {
            v.as_u64().is_some_and(|n| n >= count as u64)
        })
        .await;
    results(browser, frame).await
}

/// The app's body with its control fields, from the API.
async fn control(app: &TestApp, id: i64) -> Value {
    let uri = format!(
        "{}?include=control",
        app.api(&format!("dashboard_apps/{id}"))
    );
    app.get(&uri, &app.admin).await.json()
}

const REPLY_BOX: &str = "return document.getElementById('reply-content').value;";

#[tokio::test]
async fn disabled_apps_and_apps_of_other_inboxes_have_no_tab_and_tabs_follow_the_order() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let other_inbox = second_inbox(&app).await;
    let recorder = Recorder::start().await;
    let everywhere = create(
        &app,
        json!({"title": "Everywhere", "content": frame(&recorder.url("a=1"))}),
    )
    .await;
    let this_inbox = create(&app, json!({"title": "This inbox", "content": frame(&recorder.url("a=2")), "inbox_ids": [app.acme.inbox_id]})).await;
    let off = create(
        &app,
        json!({"title": "Off", "content": frame(&recorder.url("a=3")), "enabled": false}),
    )
    .await;
    let elsewhere = create(&app, json!({"title": "Elsewhere", "content": frame(&recorder.url("a=4")), "inbox_ids": [other_inbox]})).await;
    let sidebar = create(
        &app,
        json!({"title": "Side", "content": frame(&recorder.url("a=5")), "display_type": "sidebar"}),
    )
    .await;
    // The last shall be first.
    let moved = app
        .patch(
            &app.api(&format!("dashboard_apps/{this_inbox}")),
            &app.admin,
            &json!({"position": 1}),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text);

    let base = app.serve().await;
    browser.sign_in(&base, &app.agent.email).await;
    browser.open(&conversation_page(&base, &app)).await;
    let tabs = browser
        .run(
            &Frame::top(),
            "return [...document.querySelectorAll('#conversation-tabs [data-app-id]')].map(t => Number(t.dataset.appId));",
        )
        .await;
    assert_eq!(tabs, json!([this_inbox, everywhere]));
    for hidden in [off, elsewhere, sidebar] {
        let panel = browser
            .run(
                &Frame::top(),
                &format!("return document.querySelector('#panel-app-{hidden}') === null;"),
            )
            .await;
        assert_eq!(panel, json!(true), "app {hidden} has no panel");
    }
    // The page may frame only the origins of the apps it shows (all on one recorder here).
    browser.open_tab(this_inbox).await;
    wait_count(&browser, &Frame::app(this_inbox, 0), 1).await;
}

#[tokio::test]
async fn a_sidebar_app_opens_from_the_navigation_and_receives_the_agent_and_the_account() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let recorder = Recorder::start().await;
    let url = format!(
        "{}&agent={{{{agent.id}}}}&account={{{{account.id}}}}",
        recorder.url("side=1")
    );
    let id = create(&app, json!({"title": "Reports", "content": frame(&url), "display_type": "sidebar", "allowed_actions": ["notify"]})).await;
    let secret = app.rotate_secret(id).await;
    let disabled = create(&app, json!({"title": "Old reports", "content": frame(&recorder.url("side=2")), "display_type": "sidebar", "enabled": false})).await;

    let base = app.serve().await;
    browser.sign_in(&base, &app.agent.email).await;
    browser.open(&conversation_page(&base, &app)).await;
    let entries = browser
        .run(
            &Frame::top(),
            "return [...document.querySelectorAll('nav [data-sidebar-app]')].map(a => [Number(a.dataset.sidebarApp), a.textContent.trim()]);",
        )
        .await;
    assert_eq!(
        entries,
        json!([[id, "Reports"]]),
        "one entry, the enabled app's"
    );
    assert_eq!(
        browser
            .run(
                &Frame::top(),
                "return document.querySelectorAll('#conversation-tabs [data-app-id]').length;"
            )
            .await,
        json!(0),
        "a sidebar app has no conversation tab"
    );

    browser
        .click(&format!("nav [data-sidebar-app=\"{id}\"]"))
        .await;
    browser
        .find("body[data-ready=\"true\"] #sidebar-app iframe.dashboard-app-frame")
        .await;
    let current = browser
        .run(&Frame::top(), &format!("return document.querySelector('nav [data-sidebar-app=\"{id}\"]').getAttribute('aria-current');"))
        .await;
    assert_eq!(current, json!("page"));
    let frame = Frame::top().child(&format!("#sidebar-app iframe[data-app-id=\"{id}\"]"));
    let messages = wait_count(&browser, &frame, 1).await;
    let context = context_of(&messages[0]);
    assert_eq!(messages[0]["origin"], json!(base));
    assert_eq!(context["data"]["currentAgent"]["id"], json!(app.agent.id));
    assert_eq!(
        context["data"]["currentAgent"]["email"],
        json!(app.agent.email)
    );
    assert_eq!(context["data"]["account"]["id"], json!(app.acme.account_id));
    assert!(context["data"].get("conversation").is_none(), "{context}");
    assert_eq!(context["meta"]["seq"], 1);
    let claims = support::verified_claims(context["token"].as_str().unwrap(), &secret, id)
        .expect("signed with the app's secret");
    assert_eq!(claims["sub"], app.agent.id.to_string());
    // Placeholders are filled for the agent and the account.
    let location = browser.run(&frame, "return location.search;").await;
    let expected = format!(
        "?side=1&agent={}&account={}",
        app.agent.id, app.acme.account_id
    );
    assert_eq!(location, json!(expected));

    // It asks again and is answered; it may show notices; it has no reply box to fill.
    post_from(&browser, &frame, "'chatwoot-dashboard-app:fetch-info'").await;
    wait_count(&browser, &frame, 2).await;
    post_from(
        &browser,
        &frame,
        "{event: 'notify', id: 'n1', text: 'Report ready'}",
    )
    .await;
    post_from(
        &browser,
        &frame,
        "{event: 'insert-reply', id: 'r1', text: 'Hi'}",
    )
    .await;
    let answers = wait_results(&browser, &frame, 2).await;
    assert_eq!(
        answers[0],
        json!({"event": "notify:result", "id": "n1", "ok": true, "error": null})
    );
    assert_eq!(answers[1]["ok"], false);
    assert_eq!(answers[1]["error"], "not_allowed");
    browser.find("#toasts [data-source=\"Reports\"]").await;

    // A disabled sidebar app's page is not there.
    let status = browser
        .run(
            &Frame::top(),
            &format!(
                "return fetch('/app/accounts/{}/apps/{disabled}').then(r => r.status);",
                app.acme.account_id
            ),
        )
        .await;
    assert_eq!(status, json!(404));
}

#[tokio::test]
async fn insert_reply_fills_the_reply_box_only_when_allowed_and_never_sends() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let recorder = Recorder::start().await;
    let allowed = create(&app, json!({"title": "Drafts", "content": frame(&recorder.url("d=1")), "allowed_actions": ["insert-reply"]})).await;
    let refused = create(
        &app,
        json!({"title": "Nosy", "content": frame(&recorder.url("d=2"))}),
    )
    .await;
    let messages_uri = app.api(&format!("conversations/{}/messages", app.acme.conversation));
    let before = app.get(&messages_uri, &app.admin).await.json()["payload"]
        .as_array()
        .map(Vec::len);

    let base = app.serve().await;
    browser.sign_in(&base, &app.agent.email).await;
    browser.open(&conversation_page(&base, &app)).await;
    browser.fill("#reply-content", "Hello Maria,").await;
    browser.open_tab(refused).await;
    let nosy = Frame::app(refused, 0);
    wait_count(&browser, &nosy, 1).await;
    post_from(
        &browser,
        &nosy,
        "{event: 'insert-reply', id: 7, text: 'Buy now!'}",
    )
    .await;
    let answer = wait_results(&browser, &nosy, 1).await;
    assert_eq!(answer[0]["event"], "insert-reply:result");
    assert_eq!(answer[0]["id"], 7, "the id comes back as sent");
    assert_eq!(answer[0]["ok"], false);
    assert_eq!(answer[0]["error"], "not_allowed");
    assert!(answer[0]["message"].as_str().is_some_and(|m| !m.is_empty()));
    assert_eq!(
        browser.run(&Frame::top(), REPLY_BOX).await,
        json!("Hello Maria,")
    );

    browser.open_tab(allowed).await;
    let drafts = Frame::app(allowed, 0);
    wait_count(&browser, &drafts, 1).await;
    // An invalid action is answered too, and changes nothing.
    post_from(
        &browser,
        &drafts,
        "JSON.stringify({event: 'insert-reply', id: 'x'})",
    )
    .await;
    post_from(&browser, &drafts, "JSON.stringify({event: 'insert-reply', id: 'r1', text: 'Your order #1042 shipped today.'})").await;
    let answers = wait_results(&browser, &drafts, 2).await;
    assert_eq!(answers[0]["id"], "x");
    assert_eq!(answers[0]["error"], "invalid");
    assert_eq!(
        answers[1],
        json!({"event": "insert-reply:result", "id": "r1", "ok": true, "error": null})
    );
    // The agent's own words stay; the draft follows; the Messages tab is back on screen.
    assert_eq!(
        browser.run(&Frame::top(), REPLY_BOX).await,
        json!("Hello Maria,\n\nYour order #1042 shipped today.")
    );
    let messages_tab = browser
        .run(
            &Frame::top(),
            "return document.getElementById('tab-messages').getAttribute('aria-selected');",
        )
        .await;
    assert_eq!(messages_tab, json!("true"));
    // Nothing was sent: the agent reviews and sends.
    browser
        .stays(
            &Frame::top(),
            "return document.querySelectorAll('#thread .message').length > 0;",
            &json!(true),
            "the thread",
        )
        .await;
    let after = app.get(&messages_uri, &app.admin).await.json()["payload"]
        .as_array()
        .map(Vec::len);
    assert_eq!(before, after, "insert-reply never sends");
}

#[tokio::test]
async fn notify_shows_a_notice_named_after_the_app_only_when_allowed() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let recorder = Recorder::start().await;
    let allowed = create(&app, json!({"title": "Billing", "content": frame(&recorder.url("n=1")), "allowed_actions": ["notify"]})).await;
    let refused = create(
        &app,
        json!({"title": "Quiet", "content": frame(&recorder.url("n=2"))}),
    )
    .await;

    let base = app.serve().await;
    browser.sign_in(&base, &app.agent.email).await;
    browser.open(&conversation_page(&base, &app)).await;
    browser.open_tab(allowed).await;
    let billing = Frame::app(allowed, 0);
    wait_count(&browser, &billing, 1).await;
    post_from(
        &browser,
        &billing,
        "{event: 'notify', id: 'n1', text: '<b>Refund</b> issued', level: 'success'}",
    )
    .await;
    let answers = wait_results(&browser, &billing, 1).await;
    assert_eq!(
        answers[0],
        json!({"event": "notify:result", "id": "n1", "ok": true, "error": null})
    );
    let notice = browser
        .find("#toasts .notice[data-source=\"Billing\"]")
        .await;
    let text = notice.text().await.unwrap();
    assert!(
        text.contains("Billing") && text.contains("<b>Refund</b> issued"),
        "shown as text: {text}"
    );
    post_from(
        &browser,
        &billing,
        "{event: 'notify', id: 'n2', text: 'Hi', level: 'shout'}",
    )
    .await;
    let answers = wait_results(&browser, &billing, 2).await;
    assert_eq!(answers[1]["error"], "invalid");

    browser.open_tab(refused).await;
    let quiet = Frame::app(refused, 0);
    wait_count(&browser, &quiet, 1).await;
    post_from(
        &browser,
        &quiet,
        "{event: 'notify', id: 'q', text: 'Look at me'}",
    )
    .await;
    let answers = wait_results(&browser, &quiet, 1).await;
    assert_eq!(answers[0]["error"], "not_allowed");
    browser
        .stays(
            &Frame::top(),
            "return document.querySelectorAll('#toasts [data-source=\"Quiet\"]').length;",
            &json!(0),
            "Quiet's notices",
        )
        .await;
}

/// A Chatwoot-era app: parses every message as JSON and reads `data.conversation`, knows
/// nothing of tokens, meta, actions or results.
const OLD_STYLE_APP: &str = r#"<!doctype html><html><head><meta charset="utf-8"><title>Old</title></head>
<body><h1 id="name">waiting</h1><p id="conversation"></p><p id="errors">0</p>
<script>
var errors = 0;
window.addEventListener("message", function (event) {
  try {
    var payload = JSON.parse(event.data);
    if (payload.event !== "appContext") return;
    document.getElementById("name").textContent = payload.data.contact.name;
    document.getElementById("conversation").textContent = String(payload.data.conversation.id) + ":" + payload.data.conversation.messages.length;
  } catch (e) {
    errors += 1;
    document.getElementById("errors").textContent = String(errors);
  }
});
window.parent.postMessage("chatwoot-dashboard-app:fetch-info", "*");
</script></body></html>"#;

#[tokio::test]
async fn an_old_style_app_works_with_every_feature_switched_on() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let old_base = support::serve_router(
        axum::Router::new().route("/old", get(|| async { Html(OLD_STYLE_APP) })),
    )
    .await;
    let url = format!("{old_base}/old?c={{{{conversation.id}}}}&e={{{{contact.email}}}}");
    let id = create(
        &app,
        json!({
            "title": "Old app",
            "content": frame(&url),
            "inbox_ids": [app.acme.inbox_id],
            "allowed_actions": ["insert-reply", "notify"],
            "position": 1,
        }),
    )
    .await;
    app.rotate_secret(id).await;
    let recorder = Recorder::start().await;
    create(
        &app,
        json!({"title": "Side", "content": frame(&recorder.url("s=1")), "display_type": "sidebar"}),
    )
    .await;

    let base = app.serve().await;
    browser.sign_in(&base, &app.agent.email).await;
    browser.open(&conversation_page(&base, &app)).await;
    browser.open_tab(id).await;
    let frame = Frame::app(id, 0);
    let shown = |expected: String| move |v: &Value| v.as_str() == Some(expected.as_str());
    browser
        .eventually(
            &frame,
            "return document.getElementById('name').textContent;",
            "the contact's name",
            shown("Maria Lopez".into()),
        )
        .await;
    let before = browser
        .run(
            &frame,
            "return document.getElementById('conversation').textContent;",
        )
        .await;
    let count: usize = before
        .as_str()
        .unwrap()
        .split(':')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    assert!(before
        .as_str()
        .unwrap()
        .starts_with(&format!("{}:", app.acme.conversation)));

    // Live context reaches it and parses like every other message.
    let posted = app
        .post(
            &app.api(&format!("conversations/{}/messages", app.acme.conversation)),
            &app.admin,
            &json!({"content": "A live update", "message_type": "outgoing"}),
        )
        .await;
    assert_eq!(posted.status, 200, "{}", posted.text);
    let expected = format!("{}:{}", app.acme.conversation, count + 1);
    browser
        .eventually(
            &frame,
            "return document.getElementById('conversation').textContent;",
            "the update",
            shown(expected),
        )
        .await;
    browser
        .stays(
            &frame,
            "return document.getElementById('errors').textContent;",
            &json!("0"),
            "parse errors",
        )
        .await;
}

#[tokio::test]
async fn the_settings_page_edits_placement_inboxes_actions_and_order() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let other_inbox = second_inbox(&app).await;
    let first = create(
        &app,
        json!({"title": "First", "content": frame("https://first.example/")}),
    )
    .await;
    let second = create(
        &app,
        json!({"title": "Second", "content": frame("https://second.example/")}),
    )
    .await;

    let base = app.serve().await;
    browser.sign_in(&base, &app.admin.email).await;
    browser.open(&settings_page(&base, &app)).await;
    browser
        .click(&format!(
            "tr[data-app-id=\"{second}\"] [data-action=\"edit\"]"
        ))
        .await;
    browser
        .click(&format!(
            "#app-inboxes input.app-inbox[value=\"{other_inbox}\"]"
        ))
        .await;
    browser.click("#app-action-notify").await;
    browser.click("#app-enabled").await;
    browser.click("#app-save").await;
    browser.find("body[data-ready=\"true\"] #apps-table").await;
    let saved = browser
        .eventually(
            &Frame::top(),
            &format!(
                "return document.querySelector('tr[data-app-id=\"{second}\"]').dataset.appEnabled;"
            ),
            "the saved row",
            |v| *v == json!("false"),
        )
        .await;
    assert_eq!(saved, json!("false"));
    let body = control(&app, second).await;
    assert_eq!(body["enabled"], false);
    assert_eq!(body["inbox_ids"], json!([other_inbox]));
    assert_eq!(body["allowed_actions"], json!(["notify"]));
    assert_eq!(body["title"], "Second", "untouched fields stay");

    // Move it up; then show it as a sidebar page and switch it back on in place.
    browser
        .click(&format!(
            "tr[data-app-id=\"{second}\"] [data-action=\"move-up\"]"
        ))
        .await;
    browser
        .eventually(&Frame::top(), "return [...document.querySelectorAll('#apps-table tbody tr')].map(r => Number(r.dataset.appId));", "the new order", |v| *v == json!([second, first]))
        .await;
    browser
        .click(&format!(
            "tr[data-app-id=\"{second}\"] [data-action=\"toggle\"]"
        ))
        .await;
    browser
        .eventually(&Frame::top(), &format!("var r = document.querySelector('tr[data-app-id=\"{second}\"]'); return r && r.dataset.appEnabled;"), "enabled again", |v| *v == json!("true"))
        .await;
    browser
        .click(&format!(
            "tr[data-app-id=\"{second}\"] [data-action=\"edit\"]"
        ))
        .await;
    browser.click("#app-display-sidebar").await;
    let inboxes_hidden = browser
        .run(
            &Frame::top(),
            "return document.getElementById('app-inboxes').hidden;",
        )
        .await;
    assert_eq!(inboxes_hidden, json!(true), "inboxes only matter to tabs");
    browser.click("#app-save").await;
    browser
        .eventually(&Frame::top(), &format!("var r = document.querySelector('tr[data-app-id=\"{second}\"]'); return r && r.dataset.appDisplayType;"), "a sidebar app", |v| *v == json!("sidebar"))
        .await;
    let body = control(&app, second).await;
    assert_eq!(body["display_type"], "sidebar");
    assert_eq!(body["position"], 1);
    browser
        .find(&format!("nav [data-sidebar-app=\"{second}\"]"))
        .await;
}
