//! App frames are sandboxed with what real apps need and nothing more: an app (even after a
//! click inside it) cannot navigate the agent's tab away, while its storage, popups and forms
//! keep working.

use crate::harness::{app_frame_css, conversation_page, create_app, Browser, Frame, TIMEOUT};
use crate::recorder::Recorder;
use crate::support::TestApp;
use fantoccini::Locator;
use serde_json::json;
use std::time::Instant;

pub(crate) const SANDBOX: &str = "allow-scripts allow-same-origin allow-forms allow-popups \
                       allow-popups-to-escape-sandbox allow-modals allow-downloads";

/// Clicks `css` inside `frame` (a real click: the app gets a user activation, as when an agent
/// clicks in it).
async fn click_in(browser: &Browser, frame: &Frame, css: &str) {
    browser.run(frame, "return true;").await;
    browser
        .client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css} in the app: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {css}: {e}"));
}

async fn wait_hits(recorder: &Recorder, count: usize, what: &str) {
    let deadline = Instant::now() + TIMEOUT;
    while recorder.page_hits() < count {
        assert!(
            Instant::now() < deadline,
            "{what}: {} hits",
            recorder.page_hits()
        );
        tokio::time::sleep(std::time::Duration::from_millis(40)).await;
    }
}

#[tokio::test]
async fn an_app_cannot_navigate_the_top_window_but_keeps_its_storage_popups_and_forms() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let (home, elsewhere, popup) = (
        Recorder::start().await,
        Recorder::start().await,
        Recorder::start().await,
    );
    let id = create_app(&app, &app.admin, "Orders", &[home.url("f=home")]).await;
    let base = app.serve().await;
    browser.sign_in(&base, &app.admin.email).await;
    let page = conversation_page(&base, &app);
    browser.open(&page).await;
    browser.open_tab(id).await;
    let top = Frame::top();
    let frame = Frame::app(id, 0);
    browser
        .eventually(
            &frame,
            "return document.body.dataset.ready === 'true';",
            "the app frame",
            |v| *v == json!(true),
        )
        .await;
    let css = app_frame_css(id, 0);
    let attributes = browser
        .run(
            &top,
            &format!(
                "var f = document.querySelector({css:?});\
                 return [f.getAttribute('sandbox'), f.getAttribute('allow')];"
            ),
        )
        .await;
    assert_eq!(
        attributes,
        json!([SANDBOX, "clipboard-read; clipboard-write"])
    );

    // Its own origin's storage works (allow-same-origin).
    let stored = browser
        .run(
            &frame,
            "localStorage.setItem('sandbox-check', 'kept'); sessionStorage.setItem('s', '1');\
             document.cookie = 'sandbox=1; SameSite=None; Secure';\
             return localStorage.getItem('sandbox-check') + sessionStorage.getItem('s');",
        )
        .await;
    assert_eq!(stored, json!("kept1"));

    // Buttons an agent clicks: one tries to take over the tab, one opens a popup.
    let away = elsewhere.url("f=away");
    let opened = popup.url("f=popup");
    browser
        .run(
            &frame,
            &format!(
                "function button(id, action) {{\
                   var b = document.createElement('button'); b.id = id; b.textContent = id;\
                   b.addEventListener('click', action); document.body.appendChild(b); }}\
                 button('escape', function () {{\
                   try {{ window.top.location.href = {away:?}; document.body.dataset.escape = 'tried'; }}\
                   catch (e) {{ document.body.dataset.escape = e.name; }} }});\
                 button('popup', function () {{\
                   var w = window.open({opened:?}, '_blank');\
                   document.body.dataset.popup = w ? 'opened' : 'blocked'; }});\
                 return true;"
            ),
        )
        .await;

    click_in(&browser, &frame, "#escape").await;
    browser
        .eventually(
            &frame,
            "return document.body.dataset.escape || null;",
            "the navigation attempt",
            |v| !v.is_null(),
        )
        .await;
    browser
        .stays(
            &top,
            "return location.href;",
            &json!(page),
            "the agent's page",
        )
        .await;
    assert_eq!(elsewhere.page_hits(), 0, "the top window was sent away");

    // A popup opens (allow-popups) and loads its page.
    click_in(&browser, &frame, "#popup").await;
    browser
        .eventually(
            &frame,
            "return document.body.dataset.popup || null;",
            "the popup",
            |v| *v == json!("opened"),
        )
        .await;
    wait_hits(&popup, 1, "the popup's page").await;
    let windows = browser.client.windows().await.expect("window handles");
    assert_eq!(windows.len(), 2, "the popup is a window of its own");

    // A form submits (allow-forms): the frame navigates to its action on the app's origin.
    let before = home.page_hits();
    browser
        .run(
            &frame,
            &format!(
                "var f = document.createElement('form'); f.method = 'get';\
                 f.action = {action:?};\
                 var i = document.createElement('input'); i.type = 'hidden'; i.name = 'f';\
                 i.value = 'form'; f.appendChild(i); document.body.appendChild(f);\
                 f.submit(); return true;",
                action = format!("{}/recorder", home.base)
            ),
        )
        .await;
    wait_hits(&home, before + 1, "the form's submission").await;
    browser
        .eventually(
            &frame,
            "return location.search;",
            "the submitted form's page",
            |v| *v == json!("?f=form"),
        )
        .await;
    browser
        .stays(
            &top,
            "return location.href;",
            &json!(page),
            "the agent's page",
        )
        .await;
}
