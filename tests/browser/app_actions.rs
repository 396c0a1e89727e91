//! The actions of the registry in a real browser, asked by apps on another origin: each refused
//! until an administrator allows it, each performed with the rights of the agent looking at
//! the app (the server-side ones through `…/app_actions`, noted in the thread "via" the app),
//! the page's own (replace-reply, resize, open), and the modal an app opens and closes.

use crate::control::{create, frame, post_from, results, wait_results};
use crate::harness::{conversation_page, Browser, Frame};
use crate::recorder::{wait_count, Recorder};
use crate::support::TestApp;
use fantoccini::key::Key;
use serde_json::{json, Value};

/// A valid message for every action of the registry, as an app would post it (a JS
/// expression): what a refused app is refused and an allowed one gets done.
fn every_action(agent_id: i64) -> Vec<(&'static str, String)> {
    vec![
        ("insert-reply", "{event: 'insert-reply', id: 'a1', text: 'Hi'}".into()),
        ("replace-reply", "{event: 'replace-reply', id: 'a2', text: 'Hi'}".into()),
        ("notify", "{event: 'notify', id: 'a3', text: 'Hi'}".into()),
        ("add-label", "{event: 'add-label', id: 'a4', labels: ['vip']}".into()),
        ("remove-label", "{event: 'remove-label', id: 'a5', labels: ['vip']}".into()),
        ("set-custom-attributes", "{event: 'set-custom-attributes', id: 'a6', target: 'conversation', attributes: {order: 'A-1'}}".into()),
        ("add-private-note", "{event: 'add-private-note', id: 'a7', content: 'Noted'}".into()),
        ("assign", format!("{{event: 'assign', id: 'a8', assignee_id: {agent_id}}}")),
        ("set-status", "{event: 'set-status', id: 'a9', status: 'pending'}".into()),
        ("open", "{event: 'open', id: 'a10', conversation_id: 1}".into()),
        ("open-modal", "{event: 'open-modal', id: 'a11', url: '/recorder?modal=1'}".into()),
        ("close-modal", "{event: 'close-modal', id: 'a12'}".into()),
        ("resize", "{event: 'resize', id: 'a13', height: 200}".into()),
    ]
}

/// The conversation as the agent's API shows it.
async fn conversation(app: &TestApp) -> Value {
    let uri = app.api(&format!("conversations/{}", app.acme.conversation));
    app.get(&uri, &app.agent).await.json()
}

const THREAD_TEXT: &str = "return document.getElementById('thread').textContent;";

#[tokio::test]
async fn an_app_is_refused_every_action_until_allowed_and_then_changes_the_conversation_as_the_agent(
) {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let recorder = Recorder::start().await;
    let writes = [
        "add-label",
        "remove-label",
        "set-custom-attributes",
        "add-private-note",
        "assign",
        "set-status",
    ];
    let helper = create(&app, json!({"title": "Helper", "content": frame(&recorder.url("h=1")), "allowed_actions": writes})).await;
    let nosy = create(
        &app,
        json!({"title": "Nosy", "content": frame(&recorder.url("n=1"))}),
    )
    .await;
    let base = app.serve().await;
    browser.sign_in(&base, &app.agent.email).await;
    browser.open(&conversation_page(&base, &app)).await;

    browser.open_tab(nosy).await;
    let refused = Frame::app(nosy, 0);
    wait_count(&browser, &refused, 1).await;
    let actions = every_action(app.agent.id);
    for (_, message) in &actions {
        post_from(&browser, &refused, message).await;
    }
    let answers = wait_results(&browser, &refused, actions.len()).await;
    assert_eq!(answers.len(), actions.len(), "{answers:#?}");
    for ((name, _), answer) in actions.iter().zip(&answers) {
        assert_eq!(answer["event"], format!("{name}:result"));
        assert_eq!(answer["ok"], false, "{answer}");
        assert_eq!(answer["error"], "not_allowed", "{answer}");
    }
    let untouched = conversation(&app).await;
    assert_eq!(untouched["labels"], json!([]));
    assert_eq!(untouched["status"], "open");

    browser.open_tab(helper).await;
    let allowed = Frame::app(helper, 0);
    wait_count(&browser, &allowed, 1).await;
    // A bad payload is refused by the server naming the field, and changes nothing.
    post_from(
        &browser,
        &allowed,
        "{event: 'add-label', id: 'bad', labels: 'vip'}",
    )
    .await;
    let bad = wait_results(&browser, &allowed, 1).await;
    assert_eq!(bad[0]["error"], "invalid", "{}", bad[0]);
    assert!(bad[0]["message"].as_str().unwrap().contains("Labels"));
    for message in [
        "{event: 'add-label', id: 1, labels: ['vip', 'urgent']}",
        "{event: 'remove-label', id: 2, labels: ['urgent']}",
        "{event: 'set-custom-attributes', id: 3, target: 'conversation', attributes: {order: 'A-1042'}}",
        "{event: 'add-private-note', id: 4, content: 'Refund approved by the billing app'}",
        &format!("{{event: 'assign', id: 5, assignee_id: {}}}", app.agent.id),
        "{event: 'set-status', id: 6, status: 'pending'}",
    ] {
        // One at a time: each changes what the next one starts from.
        let count = results(&browser, &allowed).await.len() + 1;
        post_from(&browser, &allowed, message).await;
        wait_results(&browser, &allowed, count).await;
    }
    let answers = results(&browser, &allowed).await;
    for answer in &answers[1..] {
        assert_eq!(answer["ok"], true, "{answer}");
        assert_eq!(answer["error"], Value::Null);
    }
    let changed = conversation(&app).await;
    assert_eq!(changed["labels"], json!(["vip"]));
    assert_eq!(changed["custom_attributes"], json!({"order": "A-1042"}));
    assert_eq!(changed["status"], "pending");
    assert_eq!(changed["meta"]["assignee"]["id"], app.agent.id);

    // The agent sees who did it, and through which app, in the thread.
    browser.click("#tab-messages").await;
    let thread = browser
        .eventually(&Frame::top(), THREAD_TEXT, "the activity lines", |v| {
            v.as_str()
                .is_some_and(|t| t.contains("marked pending by") && t.contains("via Helper"))
        })
        .await;
    let thread = thread.as_str().unwrap();
    for line in [
        "via Helper added vip, urgent",
        "via Helper removed urgent",
        "via Helper set the conversation's order",
        "via Helper added a private note",
        "via Helper self-assigned this conversation",
        "Refund approved by the billing app",
    ] {
        assert!(thread.contains(line), "the thread lacks {line:?}: {thread}");
    }
}

#[tokio::test]
async fn an_app_never_does_what_the_viewing_agent_cannot() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let recorder = Recorder::start().await;
    let helper = create(&app, json!({"title": "Helper", "content": frame(&recorder.url("h=1")), "allowed_actions": ["add-label", "open"]})).await;
    let hidden = app
        .post(
            &app.api("inboxes"),
            &app.admin,
            &json!({"name": "Back office"}),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let elsewhere = app
        .post(
            &app.api("conversations"),
            &app.admin,
            &json!({"inbox_id": hidden, "contact_id": app.acme.contact_id}),
        )
        .await
        .json()["id"]
        .as_i64()
        .expect("a conversation of another inbox");
    let base = app.serve().await;
    browser.sign_in(&base, &app.agent.email).await;
    browser.open(&conversation_page(&base, &app)).await;
    browser.open_tab(helper).await;
    let frame = Frame::app(helper, 0);
    wait_count(&browser, &frame, 1).await;

    // A conversation of an inbox the agent does not work is not theirs to open.
    post_from(
        &browser,
        &frame,
        &format!("{{event: 'open', id: 1, conversation_id: {elsewhere}}}"),
    )
    .await;
    // The agent leaves the inbox while the page is open: the app can no longer label it.
    app.leave_inbox(&app.agent).await;
    post_from(
        &browser,
        &frame,
        "{event: 'add-label', id: 2, labels: ['vip']}",
    )
    .await;
    let answers = wait_results(&browser, &frame, 2).await;
    assert_eq!(answers[0]["error"], "forbidden", "{}", answers[0]);
    assert_eq!(answers[1]["error"], "forbidden", "{}", answers[1]);
    let uri = app.api(&format!("conversations/{}", app.acme.conversation));
    assert_eq!(app.get(&uri, &app.admin).await.json()["labels"], json!([]));
    let here = browser
        .run(&Frame::top(), "return document.body.dataset.conversation;")
        .await;
    assert_eq!(here, json!(app.acme.conversation.to_string()));
}

const REPLY_BOX: &str = "return document.getElementById('reply-content').value;";
const MODAL: &str = "const d = document.querySelector('dialog.app-modal'); \
    return d ? {open: d.open, title: d.querySelector('h2').textContent, \
    src: d.querySelector('iframe').src, sandbox: d.querySelector('iframe').getAttribute('sandbox')} : null;";

#[tokio::test]
async fn the_page_replaces_the_draft_resizes_the_frame_opens_a_conversation_and_a_modal() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let recorder = Recorder::start().await;
    let actions = [
        "replace-reply",
        "resize",
        "open-modal",
        "close-modal",
        "open",
    ];
    let helper = create(&app, json!({"title": "Helper", "content": frame(&recorder.url("h=1")), "allowed_actions": actions})).await;
    let second = app
        .post(
            &app.api("conversations"),
            &app.admin,
            &json!({"inbox_id": app.acme.inbox_id, "contact_id": app.acme.contact_id}),
        )
        .await
        .json()["id"]
        .as_i64()
        .expect("a second conversation");
    let base = app.serve().await;
    browser.sign_in(&base, &app.agent.email).await;
    browser.open(&conversation_page(&base, &app)).await;
    browser.fill("#reply-content", "Hello Maria,").await;
    browser.open_tab(helper).await;
    let app_frame = Frame::app(helper, 0);
    wait_count(&browser, &app_frame, 1).await;

    post_from(
        &browser,
        &app_frame,
        "{event: 'replace-reply', id: 1, text: 'Your refund is on its way.'}",
    )
    .await;
    post_from(
        &browser,
        &app_frame,
        "{event: 'resize', id: 2, height: 300}",
    )
    .await;
    let answers = wait_results(&browser, &app_frame, 2).await;
    assert!(answers.iter().all(|a| a["ok"] == true), "{answers:#?}");
    assert_eq!(
        browser.run(&Frame::top(), REPLY_BOX).await,
        json!("Your refund is on its way."),
        "the draft is replaced, for the agent to send"
    );
    browser.click(&format!("#tab-app-{helper}")).await;
    let css = crate::harness::app_frame_css(helper, 0);
    let height = format!(
        "return Math.round(document.querySelector('{}').getBoundingClientRect().height);",
        css.replace('\'', "\\'")
    );
    assert_eq!(browser.run(&Frame::top(), &height).await, json!(300));
    post_from(
        &browser,
        &app_frame,
        "{event: 'resize', id: 3, height: 100000}",
    )
    .await;
    wait_results(&browser, &app_frame, 3).await;
    assert_eq!(
        browser.run(&Frame::top(), &height).await,
        json!(4000),
        "kept within bounds"
    );

    // A modal on another origin than the app's is refused; on its own, it opens, sandboxed like
    // the app's frames, and receives the context.
    post_from(
        &browser,
        &app_frame,
        "{event: 'open-modal', id: 4, url: 'https://elsewhere.example/'}",
    )
    .await;
    let refused = wait_results(&browser, &app_frame, 4).await;
    assert_eq!(refused[3]["error"], "invalid", "{}", refused[3]);
    assert_eq!(browser.run(&Frame::top(), MODAL).await, Value::Null);
    post_from(
        &browser,
        &app_frame,
        "{event: 'open-modal', id: 5, url: '/recorder?modal=1', title: 'Refund'}",
    )
    .await;
    wait_results(&browser, &app_frame, 5).await;
    let modal = browser.run(&Frame::top(), MODAL).await;
    assert_eq!(modal["open"], true, "{modal}");
    assert_eq!(modal["title"], "Refund");
    assert_eq!(modal["src"], recorder.url("modal=1"));
    assert_eq!(modal["sandbox"], crate::sandbox::SANDBOX);
    let modal_frame = Frame::top().child("dialog.app-modal iframe");
    let received = wait_count(&browser, &modal_frame, 1).await;
    let context: Value = serde_json::from_str(received[0]["data"].as_str().unwrap()).unwrap();
    assert_eq!(context["event"], "appContext");
    assert_eq!(context["data"]["conversation"]["id"], app.acme.conversation);
    // The modal closes itself.
    post_from(&browser, &modal_frame, "{event: 'close-modal', id: 1}").await;
    browser
        .eventually(&Frame::top(), MODAL, "the modal to close", Value::is_null)
        .await;
    // Escape closes it too.
    post_from(
        &browser,
        &app_frame,
        "{event: 'open-modal', id: 6, url: '/recorder?modal=2'}",
    )
    .await;
    wait_results(&browser, &app_frame, 6).await;
    browser
        .find("dialog.app-modal .app-modal-close")
        .await
        .send_keys(&Key::Escape)
        .await
        .expect("Escape");
    browser
        .eventually(
            &Frame::top(),
            MODAL,
            "Escape to close the modal",
            Value::is_null,
        )
        .await;
    post_from(&browser, &app_frame, "{event: 'close-modal', id: 7}").await;
    let answers = wait_results(&browser, &app_frame, 7).await;
    assert_eq!(
        answers[6]["error"], "unavailable",
        "no modal is open: {}",
        answers[6]
    );

    // Open: another conversation of the agent's, shown in place.
    post_from(
        &browser,
        &app_frame,
        &format!("{{event: 'open', id: 8, conversation_id: {second}}}"),
    )
    .await;
    let answers = wait_results(&browser, &app_frame, 8).await;
    assert_eq!(answers[7]["ok"], true, "{}", answers[7]);
    browser
        .eventually(
            &Frame::top(),
            "return document.body.dataset.conversation;",
            "the other conversation",
            |v| *v == json!(second.to_string()),
        )
        .await;
}

/// Runs `call` (an expression using `app`, the SDK) in `frame` and waits for its outcome: `"ok"`
/// or the code of the `DashboardAppError` it rejected with.
pub(crate) async fn through_sdk(browser: &Browser, frame: &Frame, call: &str) -> Value {
    let start = format!(
        "const app = window.__app; window.__outcome = null; \
         ({call}).then(() => {{ window.__outcome = 'ok'; }}, (e) => {{ window.__outcome = e.code; }}); \
         return true;"
    );
    browser.run(frame, &start).await;
    browser
        .eventually(frame, "return window.__outcome;", call, |v| !v.is_null())
        .await
}

#[tokio::test]
async fn the_sdk_has_a_method_for_each_action_and_settles_it_from_the_host() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let sdk_app = crate::sdk::SdkApp::start().await;
    let base = app.serve().await;
    let actions = [
        "add-label",
        "set-status",
        "resize",
        "open-modal",
        "close-modal",
    ];
    let id = create(&app, json!({"title": "Built on the SDK", "content": frame(&sdk_app.url(&base, &json!({}))), "allowed_actions": actions})).await;
    browser.sign_in(&base, &app.agent.email).await;
    browser.open(&conversation_page(&base, &app)).await;
    browser.open_tab(id).await;
    let sdk_frame = Frame::app(id, 0);
    crate::sdk::contexts(&browser, &sdk_frame, 1).await;

    let ok = json!("ok");
    assert_eq!(
        through_sdk(&browser, &sdk_frame, "app.addLabel(['vip', 'billing'])").await,
        ok
    );
    let until = domain::time::now() + 3600;
    let snooze = format!("app.setStatus('snoozed', {{ snoozedUntil: {until} }})");
    assert_eq!(through_sdk(&browser, &sdk_frame, &snooze).await, ok);
    let state = conversation(&app).await;
    assert_eq!(state["labels"], json!(["vip", "billing"]));
    assert_eq!(state["status"], "snoozed");
    assert_eq!(
        through_sdk(&browser, &sdk_frame, "app.removeLabel('vip')").await,
        json!("not_allowed")
    );
    assert_eq!(
        through_sdk(
            &browser,
            &sdk_frame,
            "app.setCustomAttributes('conversation', {plan: 'pro'})"
        )
        .await,
        json!("not_allowed")
    );
    assert_eq!(
        through_sdk(&browser, &sdk_frame, "app.resize(240)").await,
        ok
    );
    let css = crate::harness::app_frame_css(id, 0).replace('\'', "\\'");
    let height = format!("return document.querySelector('{css}').dataset.height;");
    assert_eq!(browser.run(&Frame::top(), &height).await, json!("240"));
    assert_eq!(
        through_sdk(
            &browser,
            &sdk_frame,
            "app.openModal(location.href, { title: 'Order details' })"
        )
        .await,
        ok
    );
    let modal = browser.run(&Frame::top(), MODAL).await;
    assert_eq!(modal["title"], "Order details", "{modal}");
    // The modal runs the same app, which closes it through the SDK.
    let modal_frame = Frame::top().child("dialog.app-modal iframe");
    crate::sdk::contexts(&browser, &modal_frame, 1).await;
    browser
        .run(&modal_frame, "window.__app.closeModal(); return true;")
        .await;
    browser
        .eventually(&Frame::top(), MODAL, "the modal to close", Value::is_null)
        .await;
}
