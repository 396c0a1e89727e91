//! Settings › Integrations › Dashboard apps, driven with clicks and typing.

use crate::harness::{conversation_page, settings_page, Browser, Frame};
use crate::recorder::Recorder;
use crate::support::TestApp;
use serde_json::{json, Value};

/// The apps of the fixture account, from the API.
async fn apps(app: &TestApp) -> Vec<Value> {
    let response = app.get(&app.api("dashboard_apps"), &app.admin).await;
    assert_eq!(response.status, 200, "{}", response.text);
    match response.json() {
        Value::Array(apps) => apps,
        other => panic!("not a list: {other}"),
    }
}

/// Waits until the page marked by `mark_stale` has been replaced by a fresh, ready one.
pub(crate) async fn expect_reload(browser: &Browser, what: &str) {
    browser
        .eventually(
            &Frame::top(),
            "return !window.__stale && document.body.dataset.ready === 'true';",
            what,
            |v| *v == json!(true),
        )
        .await;
}

pub(crate) async fn mark_stale(browser: &Browser) {
    browser
        .run(&Frame::top(), "window.__stale = true; return true;")
        .await;
}

async fn text(browser: &Browser, css: &str) -> String {
    browser
        .find(css)
        .await
        .text()
        .await
        .unwrap_or_else(|e| panic!("text of {css}: {e}"))
}

#[tokio::test]
async fn the_settings_page_adds_edits_and_deletes_an_app_and_rejects_an_ftp_url_without_calling_the_api(
) {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let recorder = Recorder::start().await;
    let base = app.serve().await;
    browser.sign_in(&base, &app.admin.email).await;
    let top = Frame::top();

    // Administrators reach it from the navigation.
    browser.open(&conversation_page(&base, &app)).await;
    browser
        .click("nav.nav a[href$=\"/settings/integrations/dashboard_apps\"]")
        .await;
    browser
        .eventually(
            &top,
            "return location.pathname;",
            "the settings page",
            |v| {
                *v == json!(format!(
                    "/app/accounts/{}/settings/integrations/dashboard_apps",
                    app.acme.account_id
                ))
            },
        )
        .await;
    browser.find("body[data-ready=\"true\"] #apps-empty").await;

    // Add.
    let first_url = recorder.url("f=orders");
    browser.click("#add-app").await;
    assert_eq!(
        browser
            .run(&top, "return document.getElementById('app-dialog').open;")
            .await,
        json!(true)
    );
    browser.fill("#app-title", "Order lookup").await;
    browser.fill("#app-url", &first_url).await;
    // New apps default to EdDSA; this one is signed with its secret.
    assert_eq!(
        browser
            .run(
                &top,
                "return document.getElementById('app-token-eddsa').checked;"
            )
            .await,
        json!(true)
    );
    browser.click("#app-token-hs256").await;
    mark_stale(&browser).await;
    browser.click("#app-save").await;
    // The new app's secret is shown once, right away; closing the dialog reloads the list.
    let secret = browser
        .eventually(
            &top,
            "var d = document.getElementById('secret-dialog'); \
             return d.open ? document.getElementById('secret-value').value : '';",
            "the new app's secret",
            |v| v.as_str().is_some_and(|s| s.starts_with("dapp_")),
        )
        .await;
    let secret = secret.as_str().unwrap().to_owned();
    browser
        .click("#secret-dialog [data-action=\"cancel\"]")
        .await;
    expect_reload(&browser, "the page after adding").await;
    browser.find("#apps-table tr[data-app-id]").await;
    let rows = browser
        .run(
            &top,
            "return document.querySelectorAll('#apps-table tr[data-app-id]').length;",
        )
        .await;
    assert_eq!(rows, json!(1));
    assert_eq!(
        text(&browser, "tr[data-app-id] .app-title").await,
        "Order lookup"
    );
    assert_eq!(text(&browser, "tr[data-app-id] .app-url").await, first_url);
    let listed = apps(&app).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["title"], "Order lookup");
    assert_eq!(
        listed[0]["content"],
        json!([{"type": "frame", "url": first_url}])
    );
    let id = listed[0]["id"].as_i64().expect("an id");
    let row = format!("tr[data-app-id=\"{id}\"]");
    let context = app
        .get(
            &app.api(&format!(
                "conversations/{}/app_context?app_id={id}",
                app.acme.conversation
            )),
            &app.admin,
        )
        .await
        .json();
    assert!(
        crate::support::verified_claims(context["token"].as_str().unwrap(), &secret, id).is_some(),
        "the secret shown at creation signs the app's context"
    );

    // Edit: the dialog comes filled in.
    let second_url = recorder.url("f=orders-v2");
    browser.click(&format!("{row} [data-action=edit]")).await;
    assert_eq!(
        browser
            .run(&top, "return document.getElementById('app-title').value;")
            .await,
        json!("Order lookup")
    );
    assert_eq!(
        browser
            .run(&top, "return document.getElementById('app-url').value;")
            .await,
        json!(first_url)
    );
    browser.fill("#app-title", "Orders v2").await;
    browser.fill("#app-url", &second_url).await;
    mark_stale(&browser).await;
    browser.click("#app-save").await;
    expect_reload(&browser, "the page after editing").await;
    assert_eq!(
        text(&browser, &format!("{row} .app-title")).await,
        "Orders v2"
    );
    assert_eq!(text(&browser, &format!("{row} .app-url")).await, second_url);
    let listed = apps(&app).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["title"], "Orders v2");
    assert_eq!(
        listed[0]["content"],
        json!([{"type": "frame", "url": second_url}])
    );

    // An ftp URL is refused in the page; nothing is sent, nothing reloads.
    browser.click("#add-app").await;
    browser.fill("#app-title", "Bad").await;
    browser.fill("#app-url", "ftp://x").await;
    mark_stale(&browser).await;
    browser.click("#app-save").await;
    let problem = browser
        .eventually(
            &top,
            "return document.getElementById('app-url-error').textContent;",
            "the URL error",
            |v| v.as_str().is_some_and(|s| !s.is_empty()),
        )
        .await;
    assert_eq!(
        problem,
        json!("Only http:// and https:// URLs can be embedded.")
    );
    assert_eq!(
        browser
            .run(
                &top,
                "return document.getElementById('app-url').getAttribute('aria-invalid');"
            )
            .await,
        json!("true")
    );
    browser
        .stays(
            &top,
            "return [!!window.__stale, document.getElementById('app-dialog').open];",
            &json!([true, true]),
            "the open dialog on the same page",
        )
        .await;
    assert_eq!(apps(&app).await.len(), 1, "the API was not called");
    browser.click("#app-dialog [data-action=cancel]").await;
    assert_eq!(
        browser
            .run(&top, "return document.getElementById('app-dialog').open;")
            .await,
        json!(false)
    );

    // Delete, after a confirmation naming the app.
    browser.click(&format!("{row} [data-action=delete]")).await;
    assert_eq!(
        browser
            .run(
                &top,
                "return document.getElementById('delete-dialog').open;"
            )
            .await,
        json!(true)
    );
    let title = text(&browser, "#delete-dialog-title").await;
    assert!(
        title.contains("Orders v2"),
        "the confirmation names the app: {title}"
    );
    mark_stale(&browser).await;
    browser.click("#delete-confirm").await;
    expect_reload(&browser, "the page after deleting").await;
    browser.find("#apps-empty").await;
    assert_eq!(
        browser
            .run(
                &top,
                "return document.querySelectorAll('tr[data-app-id]').length;"
            )
            .await,
        json!(0)
    );
    assert!(apps(&app).await.is_empty());
}

#[tokio::test]
async fn an_agent_cannot_reach_the_settings_page_nor_see_a_link_to_it() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let base = app.serve().await;
    browser.sign_in(&base, &app.agent.email).await;
    let top = Frame::top();

    let settings = settings_page(&base, &app);
    browser
        .client
        .goto(&settings)
        .await
        .expect("the settings URL opens");
    let heading = text(&browser, "h1").await;
    assert_eq!(heading, "You don't have access to this page");
    let status = browser
        .run(
            &top,
            "return fetch(location.href, {credentials: 'same-origin'}).then(r => r.status);",
        )
        .await;
    assert_eq!(status, json!(403));
    assert_eq!(
        browser
            .run(
                &top,
                "return document.querySelectorAll('#add-app, #apps-table, dialog').length;"
            )
            .await,
        json!(0)
    );

    browser.open(&conversation_page(&base, &app)).await;
    let links = browser
        .run(
            &top,
            "return [...document.querySelectorAll('nav.nav a')].map(a => a.getAttribute('href'));",
        )
        .await;
    let links: Vec<String> = serde_json::from_value(links).expect("hrefs");
    assert!(
        links.iter().any(|href| href.ends_with("/conversations")),
        "the agent's nav has Conversations: {links:?}"
    );
    // Agents read the canned responses; no other settings page is theirs (their own profile,
    // `/profile/settings`, is no account setting).
    assert!(
        !links.iter().any(
            |href| href.contains("/settings/") && !href.ends_with("/settings/canned_responses")
        ),
        "no settings link for an agent but canned responses: {links:?}"
    );
}

#[tokio::test]
async fn an_administrator_generates_a_signing_secret_that_is_shown_once_and_signs_the_context() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let base = app.serve().await;
    let app_id = crate::harness::create_app(
        &app,
        &app.admin,
        "Orders",
        &["https://orders.example/".to_owned()],
    )
    .await;
    let hs256 = json!({"token_algorithm": "HS256"});
    let switched = app
        .patch(
            &app.api(&format!("dashboard_apps/{app_id}")),
            &app.admin,
            &hs256,
        )
        .await;
    assert_eq!(switched.status, 200, "{}", switched.text);
    browser.sign_in(&base, &app.admin.email).await;
    browser.open(&settings_page(&base, &app)).await;
    browser
        .click(&format!(
            "tr[data-app-id=\"{app_id}\"] [data-action=secret]"
        ))
        .await;
    assert_eq!(
        text(&browser, "#secret-dialog-title").await,
        "Signing secret for “Orders”"
    );
    browser.click("#secret-generate").await;
    let secret = browser
        .eventually(
            &Frame::top(),
            "return document.getElementById('secret-value').value",
            "the new secret",
            |v| v.as_str().is_some_and(|s| s.starts_with("dapp_")),
        )
        .await;
    let secret = secret.as_str().expect("a string").to_owned();
    assert_eq!(
        browser
            .run(
                &Frame::top(),
                "return document.getElementById('secret-generate').hidden"
            )
            .await,
        json!(true)
    );

    // It is the secret the app's tokens are now signed with; the page never shows it again.
    let uri = app.api(&format!(
        "conversations/{}/app_context?app_id={app_id}",
        app.acme.conversation
    ));
    let token = app.get(&uri, &app.admin).await.json()["token"]
        .as_str()
        .expect("a token")
        .to_owned();
    assert!(crate::support::verified_claims(&token, &secret, app_id).is_some());
    browser.open(&settings_page(&base, &app)).await;
    let page = browser
        .run(&Frame::top(), "return document.documentElement.outerHTML")
        .await;
    assert!(!page.as_str().unwrap_or_default().contains(&secret));
}
