//! The bundled "Customer orders" demo app, on its own origin, in the panel beside the
//! conversation (as the demo account places it); and the screenshots of the docs.

use crate::harness::{conversation_page, create_app, settings_page, Browser, Frame};
use crate::support::TestApp;
use serde_json::json;

/// The fixture with the demo app registered, the browser signed in as the administrator, on
/// the conversation with the demo app in the panel beside it and its context rendered. Returns the
/// Switchboard base URL and the demo app's id. `allowed`: the actions an administrator allowed it.
async fn demo_open(browser: &Browser, app: &TestApp, allowed: &[&str]) -> (String, i64) {
    // Bound first: the app is registered with its URL, then served knowing its own id and
    // Switchboard's URL, so its backend can verify the context tokens through Switchboard's
    // JWKS, and its page can import the SDK from there.
    let base = app.serve().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let demo = format!("http://{}", listener.local_addr().expect("an address"));
    let id = create_app(app, &app.admin, "Customer orders", &[format!("{demo}/")]).await;
    // Placed as the seeded demo app is, with EdDSA tokens (the default for new apps).
    let allow = app
        .patch(
            &app.api(&format!("dashboard_apps/{id}")),
            &app.admin,
            &json!({"allowed_actions": allowed, "placements": ["conversation_panel"]}),
        )
        .await;
    assert_eq!(allow.status, 200, "{}", allow.text);
    let registration = web::demo_app::Registration {
        store: app.store().clone(),
        account_id: domain::AccountId(app.acme.account_id),
        app_id: domain::DashboardAppId(id),
        host_url: base.clone(),
    };
    tokio::spawn(async move {
        axum::serve(listener, web::demo_app::router(Some(registration)))
            .await
            .expect("the demo app serves");
    });
    assert_ne!(base, demo, "the demo app is on another origin");
    browser.sign_in(&base, &app.admin.email).await;
    browser.open(&conversation_page(&base, app)).await;
    browser
        .eventually(
            &Frame::app(id, 0),
            "return document.body.dataset.contextReceived === 'true';",
            "the demo app's context",
            |v| *v == json!(true),
        )
        .await;
    (base, id)
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
    let app = TestApp::new().await;
    let (_, id) = demo_open(&browser, &app, &[]).await;
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
    let app = TestApp::new().await;
    let (_, id) = demo_open(&browser, &app, &["insert-reply", "notify"]).await;
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
    let app = TestApp::new().await;
    let (_, id) = demo_open(&browser, &app, &["add-label", "resize"]).await;
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
    let app = TestApp::new().await;
    let (base, id) = demo_open(&browser, &app, &[]).await;
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
