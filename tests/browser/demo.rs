//! The bundled "Customer orders" demo app, on its own origin, in the panel beside the
//! conversation (as the demo account places it); and the screenshots of the docs.

use crate::harness::{conversation_page, create_app, settings_page, Browser, Frame};
use crate::support::TestApp;
use serde_json::json;

/// The fixture with the demo app registered as the demo account registers it (its settings,
/// its shop key as a secret, its backend as the proxy's local service), the browser signed in as
/// the administrator, on the conversation with the demo app in the panel beside it and its
/// context rendered. Returns the fixture, the Switchboard base URL and the demo app's id.
/// `allowed`: the actions an administrator allowed it.
async fn demo_open(browser: &Browser, app: TestApp, allowed: &[&str]) -> (TestApp, String, i64) {
    // Bound first: the app is registered with its URL, then served knowing its own id and
    // Switchboard's URL, so its backend can verify the context tokens through Switchboard's
    // JWKS, and its page can import the SDK from there.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let demo_addr = listener.local_addr().expect("an address");
    let demo = format!("http://{demo_addr}");
    let mut config = app.state.config.as_ref().clone();
    config.app_requests.local_service = Some(demo_addr);
    let app = app.with_config(config);
    let base = app.serve().await;
    let id = create_app(&app, &app.admin, "Customer orders", &[format!("{demo}/")]).await;
    // Placed as the seeded demo app is, with EdDSA tokens (the default for new apps).
    let allow = app
        .patch(
            &app.api(&format!("dashboard_apps/{id}")),
            &app.admin,
            &json!({
                "allowed_actions": allowed,
                "placements": ["conversation_panel"],
                "settings_schema": store::seed::demo_app_settings(),
                "request_hosts": ["127.0.0.1"],
            }),
        )
        .await;
    assert_eq!(allow.status, 200, "{}", allow.text);
    let registered = app
        .store()
        .dashboard_apps()
        .find(
            domain::AccountId(app.acme.account_id),
            domain::DashboardAppId(id),
        )
        .await
        .expect("the app");
    web::demo_app::loyalty::ensure_key(app.store(), &registered, &app.state.secret_key)
        .await
        .expect("the shop's key is set");
    let registration = web::demo_app::Registration {
        store: app.store().clone(),
        account_id: domain::AccountId(app.acme.account_id),
        app_id: domain::DashboardAppId(id),
        host_url: base.clone(),
        secret_key: app.state.secret_key.clone(),
    };
    tokio::spawn(async move {
        axum::serve(listener, web::demo_app::router(Some(registration)))
            .await
            .expect("the demo app serves");
    });
    assert_ne!(base, demo, "the demo app is on another origin");
    browser.sign_in(&base, &app.admin.email).await;
    browser.open(&conversation_page(&base, &app)).await;
    browser
        .eventually(
            &Frame::app(id, 0),
            "return document.body.dataset.contextReceived === 'true';",
            "the demo app's context",
            |v| *v == json!(true),
        )
        .await;
    (app, base, id)
}

const DRAFT: &str = "#draft-reply";
const COPY: &str = "#orders li.order .copy-order";

/// Clicks `button` in the demo app and waits until the app reports `outcome`
/// (`<action>:ok` or `<action>:<error code>`).
async fn press(browser: &Browser, frame: &Frame, button: &str, outcome: &str) {
    let click = format!(
        "document.querySelector({}).click(); return true;",
        json!(button)
    );
    browser.run(frame, &click).await;
    browser
        .eventually(
            frame,
            "return document.body.dataset.lastAction || null;",
            &format!("{outcome} after clicking {button}"),
            |v| *v == json!(outcome),
        )
        .await;
}

#[tokio::test]
async fn the_demo_app_shows_the_conversation_across_origins() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let (app, _, id) = demo_open(&browser, TestApp::new().await, &[]).await;
    let frame = Frame::app(id, 0);
    let shown = browser
        .run(
            &frame,
            "return {\
               name: document.getElementById('contact-name').textContent,\
               conversation: document.getElementById('conversation-id').textContent,\
               email: document.getElementById('contact-email').textContent,\
               orders: document.querySelectorAll('#orders li.order').length,\
               error: document.getElementById('error').hidden\
             };",
        )
        .await;
    assert_eq!(shown["name"], "Maria Lopez", "{shown}");
    assert_eq!(
        shown["conversation"],
        json!(format!("#{}", app.acme.conversation))
    );
    assert_eq!(shown["email"], "maria@northwind.example");
    assert!(
        shown["orders"].as_u64().is_some_and(|n| n >= 1),
        "orders listed: {shown}"
    );
    assert_eq!(shown["error"], true, "no error banner: {shown}");
    // Its backend verified the signed context with the key Switchboard publishes.
    browser
        .eventually(
            &frame,
            "return document.body.dataset.tokenVerified || null;",
            "the demo app's server-side verification",
            |v| *v == json!("true"),
        )
        .await;
    let line = browser
        .run(
            &frame,
            "return document.getElementById('verified').textContent",
        )
        .await;
    assert!(
        line.as_str().is_some_and(|t| t.contains("verified")
            && t.contains("(JWKS)")
            && t.contains(&format!("conversation #{}", app.acme.conversation))),
        "{line}"
    );

    // The shop's loyalty API answered through the request proxy, with the key filled in on the
    // server: the page shows the tier, and never holds the key.
    let loyalty = browser
        .eventually(
            &frame,
            "const l = document.getElementById('loyalty'); return l.dataset.state === 'waiting' ? null : l.textContent;",
            "the loyalty line",
            |v| !v.is_null(),
        )
        .await;
    assert!(
        loyalty
            .as_str()
            .is_some_and(|t| t.contains(" points (from the shop's API")),
        "{loyalty}"
    );
    let sealed = app
        .store()
        .dashboard_app_secrets()
        .sealed(domain::DashboardAppId(id))
        .await
        .unwrap();
    let key = app
        .state
        .secret_key
        .open(
            &sealed[web::demo_app::loyalty::KEY_SETTING],
            &domain::sealed::setting_context(
                domain::DashboardAppId(id),
                web::demo_app::loyalty::KEY_SETTING,
            ),
        )
        .unwrap();
    for frame in [&frame, &Frame::top()] {
        let html = browser
            .run(frame, "return document.documentElement.outerHTML;")
            .await;
        assert!(
            !html.as_str().unwrap().contains(&key),
            "the key never reaches a page"
        );
    }
    let log = app
        .get(
            &app.api(&format!("dashboard_apps/{id}/requests")),
            &app.admin,
        )
        .await;
    assert!(
        log.text.contains("/api/loyalty"),
        "the call is in the audit log: {}",
        log.text
    );
    assert!(!log.text.contains(&key));

    // Not allowed to draft: the app says why instead of failing silently.
    press(&browser, &frame, DRAFT, "insert-reply:not_allowed").await;
    let reply = browser
        .run(
            &Frame::top(),
            "return document.getElementById('reply-content').value;",
        )
        .await;
    assert_eq!(reply, json!(""), "nothing reached the reply box");
}

#[tokio::test]
async fn the_demo_app_drafts_a_reply_and_announces_a_copied_order_when_allowed() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let (_app, _, id) =
        demo_open(&browser, TestApp::new().await, &["insert-reply", "notify"]).await;
    let frame = Frame::app(id, 0);
    press(&browser, &frame, DRAFT, "insert-reply:ok").await;
    let number = browser
        .run(
            &frame,
            "return document.querySelector('#orders li.order').dataset.orderNumber;",
        )
        .await;
    let number = number.as_str().expect("an order number").to_owned();
    let reply = browser
        .run(
            &Frame::top(),
            "return document.getElementById('reply-content').value;",
        )
        .await;
    let reply = reply.as_str().expect("the reply box's text");
    assert!(reply.starts_with("Hi Maria,"), "{reply}");
    assert!(
        reply.contains(&number),
        "the latest order is named: {reply}"
    );

    press(&browser, &frame, COPY, "notify:ok").await;
    // Copied or not (headless clipboards may refuse), the notice names the order in Switchboard.
    let notice = browser.find("#toasts .notice").await;
    let text = notice.text().await.expect("the notice's text");
    assert!(text.contains(&number), "{text}");
}

#[tokio::test]
async fn the_demo_app_in_the_panel_tags_the_conversation_and_fits_its_frame_to_its_content() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let (app, _, id) = demo_open(&browser, TestApp::new().await, &["add-label", "resize"]).await;
    let frame = Frame::app(id, 0);
    // autoResize: the panel's frame is as tall as the app's page (the host bounds it).
    let fitted = browser
        .eventually(
            &Frame::top(),
            &format!(
                "const f = document.querySelector('.app-side iframe[data-app-id=\"{id}\"]'); \
                 return f.dataset.height ? Number(f.dataset.height) : null;"
            ),
            "the demo app's frame sized to its content",
            |v| v.as_i64().is_some_and(|h| h > 200),
        )
        .await;
    let content = browser
        .run(&frame, "return Math.ceil(document.body.scrollHeight);")
        .await;
    assert_eq!(fitted, content, "the frame is the height of the app's page");

    press(&browser, &frame, "#tag-vip", "add-label:ok").await;
    let conversation = app
        .get(
            &app.api(&format!("conversations/{}", app.acme.conversation)),
            &app.agent,
        )
        .await
        .json();
    assert_eq!(conversation["labels"], json!(["vip"]), "{conversation}");
    // Done as the agent looking at it, through the app: the thread says so.
    browser
        .eventually(
            &Frame::top(),
            "return document.getElementById('thread').textContent;",
            "the activity line",
            |v| {
                v.as_str()
                    .is_some_and(|t| t.contains("via Customer orders added vip"))
            },
        )
        .await;
}

#[tokio::test]
async fn screenshots_of_the_conversation_with_the_demo_app_and_of_the_settings_page() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let (app, base, id) = demo_open(&browser, TestApp::new().await, &[]).await;
    browser
        .eventually(
            &Frame::app(id, 0),
            "return document.querySelectorAll('#orders li.order').length > 0 && document.fonts.status === 'loaded';",
            "the demo app fully drawn",
            |v| *v == json!(true),
        )
        .await;
    let path = browser
        .screenshot_to("docs/screenshots/conversation-with-demo-app.png")
        .await;
    eprintln!("saved {}", path.display());

    browser.open(&settings_page(&base, &app)).await;
    browser.find("#apps-table tr[data-app-id]").await;
    let path = browser
        .screenshot_to("docs/screenshots/dashboard-apps-settings.png")
        .await;
    eprintln!("saved {}", path.display());
}
