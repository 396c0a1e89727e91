//! The Content-Security-Policy as Chromium enforces it: app frames reach only the origins of
//! the page's enabled apps, nobody else may frame our pages, and hostile text in every field
//! a page shows stays text.

use crate::harness::{conversation_page, create_app, settings_page, Browser, Frame, TIMEOUT};
use crate::recorder::Recorder;
use crate::support::TestApp;
use axum::http::header;
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// Records the top page's CSP violations as `window.__violations`: `[{directive, blocked}]`.
const WATCH_VIOLATIONS: &str = "window.__violations = [];\
     document.addEventListener('securitypolicyviolation', function (e) {\
       window.__violations.push({directive: e.effectiveDirective, blocked: e.blockedURI});\
     }); return true;";

/// Whether a `frame-src` violation naming `origin` was recorded.
fn blocked_frame_script(origin: &str) -> String {
    format!(
        "return (window.__violations || []).some(function (v) {{\
           return v.directive === 'frame-src' && v.blocked.indexOf({origin:?}) === 0; }});"
    )
}

/// Adds `<iframe id=…>` for `url` to the top page.
fn inject_frame_script(id: &str, url: &str) -> String {
    format!(
        "var f = document.createElement('iframe'); f.id = {id:?}; f.src = {url:?};\
         document.body.appendChild(f); return true;"
    )
}

/// Waits until `recorder` served `count` pages (bounded).
async fn wait_hits(recorder: &Recorder, count: usize) {
    let deadline = Instant::now() + TIMEOUT;
    while recorder.page_hits() < count {
        assert!(
            Instant::now() < deadline,
            "the recorder at {} served {} pages, not {count}",
            recorder.base,
            recorder.page_hits()
        );
        tokio::time::sleep(Duration::from_millis(40)).await;
    }
}

#[tokio::test]
async fn app_frames_reach_only_the_origins_of_enabled_apps() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let (home, disabled, unlisted) = (
        Recorder::start().await,
        Recorder::start().await,
        Recorder::start().await,
    );
    let id = create_app(&app, &app.admin, "Home", &[home.url("f=home")]).await;
    let off = create_app(&app, &app.admin, "Switched off", &[disabled.url("f=off")]).await;
    let res = app
        .patch(
            &app.api(&format!("dashboard_apps/{off}")),
            &app.admin,
            &json!({"enabled": false}),
        )
        .await;
    assert_eq!(res.status, 200, "disable the app: {}", res.text);

    let base = app.serve().await;
    browser.sign_in(&base, &app.admin.email).await;
    browser.open(&conversation_page(&base, &app)).await;
    let top = Frame::top();
    browser.run(&top, WATCH_VIOLATIONS).await;
    browser.open_tab(id).await;
    let frame = Frame::app(id, 0);
    browser
        .eventually(
            &frame,
            "return document.body.dataset.ready === 'true';",
            "the app frame",
            |v| *v == json!(true),
        )
        .await;
    assert_eq!(home.page_hits(), 1);

    // The app navigates itself to an origin no app has: the browser refuses to load it.
    let away = unlisted.url("f=away");
    browser
        .run(
            &frame,
            &format!("setTimeout(function () {{ location.href = {away:?}; }}, 0); return true;"),
        )
        .await;
    browser
        .eventually(
            &top,
            &blocked_frame_script(&unlisted.base),
            "a frame-src violation for the unlisted origin",
            |v| *v == json!(true),
        )
        .await;
    browser
        .eventually(
            &frame,
            "return location.origin;",
            "the frame leaving home",
            |v| *v != json!(home.base),
        )
        .await;
    let now_at = browser.run(&frame, "return location.href;").await;
    assert!(
        !now_at
            .as_str()
            .unwrap_or_default()
            .starts_with(&unlisted.base),
        "the frame reached the unlisted origin: {now_at}"
    );
    assert_eq!(unlisted.page_hits(), 0, "the unlisted origin was requested");

    // The top page framing the disabled app's origin is refused just the same; the enabled
    // app's origin loads (the positive control).
    browser
        .run(
            &top,
            &inject_frame_script("to-disabled", &disabled.url("f=injected")),
        )
        .await;
    browser
        .run(
            &top,
            &inject_frame_script("to-home", &home.url("f=injected")),
        )
        .await;
    browser
        .eventually(
            &top,
            &blocked_frame_script(&disabled.base),
            "a frame-src violation for the disabled app's origin",
            |v| *v == json!(true),
        )
        .await;
    browser
        .eventually(
            &top.child("iframe#to-home"),
            "return document.body.dataset.ready === 'true';",
            "the injected frame on the enabled app's origin",
            |v| *v == json!(true),
        )
        .await;
    wait_hits(&home, 2).await;
    assert_eq!(
        disabled.page_hits(),
        0,
        "the disabled app's origin was requested"
    );
    let violations = browser.run(&top, "return window.__violations;").await;
    assert!(
        violations
            .as_array()
            .expect("a list")
            .iter()
            .all(|v| v["directive"] == "frame-src"),
        "only frames were refused: {violations}"
    );
}

/// A page on another origin that frames `target` and, as a control, `control`.
async fn framer(target: &str, control: &str) -> String {
    let html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Framer</title>\
         <script src=\"/framer.js\"></script></head><body>\
         <iframe id=\"victim\" src=\"{target}\"></iframe>\
         <iframe id=\"control\" src=\"{control}\"></iframe></body></html>"
    );
    // Marks each frame once its load (or its error page's) is in.
    let script = "document.addEventListener('DOMContentLoaded', function () {\
        document.querySelectorAll('iframe').forEach(function (f) {\
          f.addEventListener('load', function () { f.dataset.loaded = 'true'; });\
        }); });";
    let router = Router::new()
        .route(
            "/",
            get(
                move || async move { ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html) },
            ),
        )
        .route(
            "/framer.js",
            get(move || async move {
                (
                    [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
                    script,
                )
            }),
        );
    crate::support::serve_router(router).await
}

#[tokio::test]
async fn another_origin_cannot_frame_our_pages() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let control = Recorder::start().await;
    let base = app.serve().await;
    // Signed in, so a framed page would show the workspace.
    browser.sign_in(&base, &app.admin.email).await;
    let target = conversation_page(&base, &app);
    let framer = framer(&target, &control.url("f=control")).await;
    browser
        .client
        .goto(&format!("{framer}/"))
        .await
        .expect("the framer opens");
    let top = Frame::top();
    browser
        .eventually(
            &top,
            "var f = document.querySelectorAll('iframe[data-loaded]'); return f.length;",
            "both frames' loads",
            |v| *v == json!(2),
        )
        .await;
    // The control frame, from a third origin that allows framing, loaded.
    browser
        .eventually(
            &top.child("iframe#control"),
            "return document.body.dataset.ready === 'true';",
            "the control frame",
            |v| *v == json!(true),
        )
        .await;
    // Ours did not: the frame holds the browser's error page, not the workspace.
    let victim = top.child("iframe#victim");
    let inside = browser
        .try_run(
            &victim,
            "return [location.href, !!document.querySelector('nav.nav, body[data-ready]')];",
        )
        .await;
    let Ok(Value::Array(values)) = inside else {
        panic!("no script ran in the framed page: {inside:?}");
    };
    assert!(
        !values[0].as_str().unwrap_or_default().starts_with(&base),
        "our page loaded in the frame: {values:?}"
    );
    assert_eq!(
        values[1],
        json!(false),
        "the workspace rendered in the frame"
    );
}

/// Strings that break out of HTML, attributes, scripts or templates if anything renders them
/// unescaped, or that test layout and encoding.
fn hostile() -> Vec<String> {
    vec![
        "<img src=x onerror=window.__pwned=1>".to_owned(),
        "\"><script>window.__pwned=1</script>".to_owned(),
        "'><svg onload=window.__pwned=1>".to_owned(),
        "{{7*7}} ${7*7} {% raw %}".to_owned(),
        "javascript:window.__pwned=1".to_owned(),
        "</textarea></title></script><b>bold</b>".to_owned(),
        "\u{202E}evil\u{202D} rtl".to_owned(),
        "emoji 🧨🎉👩‍💻".to_owned(),
    ]
}

/// All of them in one text, under `limit` characters.
fn hostile_text(prefix: &str, limit: usize) -> String {
    let mut text = format!("{prefix} {}", hostile().join(" "));
    text.truncate(
        text.char_indices()
            .nth(limit)
            .map_or(text.len(), |(i, _)| i),
    );
    text
}

/// Whether the top page's text shows `needle` literally (compared with whitespace collapsed,
/// as `innerText` lays text out).
fn shows_script(needle: &str) -> String {
    let needle: String = needle.split_whitespace().collect::<Vec<_>>().join(" ");
    format!(
        "var t = document.body.innerText.split(/\\s+/).join(' '); return t.indexOf({needle:?}) >= 0;"
    )
}

#[tokio::test]
async fn hostile_text_in_every_field_stays_text() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let long = "long ".repeat(60) + "end";
    let name = hostile_text("Name", 250);
    let email = "o'hara+<b>@example.com".to_owned();
    let attribute = hostile_text("Attr", 250);
    let incoming = format!("{} {long}", hostile_text("Incoming", 250));
    let outgoing = format!("{} {long}", hostile_text("Outgoing", 250));
    let private = format!("{} {long}", hostile_text("Private", 250));
    // Label titles are slugs (validated), so the most a label can carry is this.
    let label = "x-onerror_img-src".to_owned();
    let inbox = hostile_text("Inbox", 250);
    let app_title = hostile_text("App", 250);

    // Everything through the API, as an integrator (or an attacker with a contact form) would.
    let ok = |res: crate::support::TestResponse, what: &str| {
        assert!(res.status.is_success(), "{what}: {}", res.text);
        res.json()
    };
    ok(
        app.put(
            &app.api(&format!("contacts/{}", app.acme.contact_id)),
            &app.admin,
            &json!({"name": name, "email": email,
                    "custom_attributes": {"note": attribute, "long": long}}),
        )
        .await,
        "update the contact",
    );
    ok(
        app.patch(
            &app.api(&format!("inboxes/{}", app.acme.inbox_id)),
            &app.admin,
            &json!({"name": inbox}),
        )
        .await,
        "rename the inbox",
    );
    let messages = app.api(&format!("conversations/{}/messages", app.acme.conversation));
    for (content, kind, private) in [
        (&incoming, "incoming", false),
        (&outgoing, "outgoing", false),
        (&private, "outgoing", true),
    ] {
        ok(
            app.post(
                &messages,
                &app.admin,
                &json!({"content": content, "message_type": kind, "private": private}),
            )
            .await,
            "post a message",
        );
    }
    ok(
        app.post(&app.api("labels"), &app.admin, &json!({"title": label}))
            .await,
        "create a label",
    );
    ok(
        app.post(
            &app.api(&format!("conversations/{}/labels", app.acme.conversation)),
            &app.admin,
            &json!({"labels": [label]}),
        )
        .await,
        "label the conversation",
    );
    let recorder = Recorder::start().await;
    let app_id = create_app(&app, &app.admin, &app_title, &[recorder.url("f=hostile")]).await;
    // A sidebar app: its title is a link in every page's navigation.
    let sidebar_title = hostile_text("Side", 250);
    let sidebar = ok(
        app.post(
            &app.api("dashboard_apps"),
            &app.admin,
            &json!({"title": sidebar_title, "display_type": "sidebar",
                    "content": [{"type": "frame", "url": recorder.url("f=side")}]}),
        )
        .await,
        "create a sidebar app",
    );
    let sidebar_id = sidebar["id"].as_i64().expect("an app id");

    let base = app.serve().await;
    browser.sign_in(&base, &app.admin.email).await;
    let top = Frame::top();
    let pwned = "return typeof window.__pwned;";
    let check = |what: &'static str, needles: Vec<String>| {
        let browser = &browser;
        let top = top.clone();
        async move {
            assert_eq!(
                browser.run(&top, pwned).await,
                json!("undefined"),
                "a script ran on {what}"
            );
            let injected = browser
                .run(
                    &top,
                    "return document.querySelectorAll('img[src=x], svg[onload], body script:not([src]), b').length;",
                )
                .await;
            assert_eq!(
                injected,
                json!(0),
                "markup from the data was parsed on {what}"
            );
            for needle in needles {
                let shown = browser.run(&top, &shows_script(&needle)).await;
                assert_eq!(
                    shown,
                    json!(true),
                    "{what} does not show {needle:?} literally"
                );
            }
        }
    };

    browser
        .open(&format!(
            "{base}/app/accounts/{}/conversations",
            app.acme.account_id
        ))
        .await;
    check(
        "the list",
        vec![name.clone(), inbox.clone(), sidebar_title.clone()],
    )
    .await;

    browser.open(&conversation_page(&base, &app)).await;
    check(
        "the conversation",
        vec![
            name.clone(),
            incoming.clone(),
            outgoing.clone(),
            private.clone(),
            attribute.clone(),
            label.clone(),
            email.clone(),
            app_title.clone(),
        ],
    )
    .await;
    // The app's tab: its frame loads, and its title is the tab's text.
    browser.open_tab(app_id).await;
    browser
        .eventually(
            &Frame::app(app_id, 0),
            "return document.body.dataset.ready === 'true';",
            "the app frame",
            |v| *v == json!(true),
        )
        .await;
    check("the conversation's app tab", vec![app_title.clone()]).await;

    browser.open(&settings_page(&base, &app)).await;
    check(
        "the dashboard apps settings",
        vec![app_title.clone(), sidebar_title.clone()],
    )
    .await;
    browser
        .open(&format!(
            "{base}/app/accounts/{}/apps/{sidebar_id}",
            app.acme.account_id
        ))
        .await;
    check("the sidebar app's page", vec![sidebar_title.clone()]).await;
    // The playground lists every app in a <select>, whose options innerText leaves out.
    browser
        .open(&format!("{}/playground", settings_page(&base, &app)))
        .await;
    check("the playground", Vec::new()).await;
    let options = browser
        .run(
            &top,
            "return Array.from(document.querySelectorAll('option')).map(function (o) { return o.textContent.trim(); });",
        )
        .await;
    for title in [&app_title, &sidebar_title] {
        assert!(
            options
                .as_array()
                .expect("a list")
                .iter()
                .any(|o| o.as_str() == Some(title.trim())),
            "the playground does not offer {title:?} literally: {options}"
        );
    }
    for (page, needles) in [
        ("inboxes", vec![inbox.clone()]),
        ("labels", vec![label.clone()]),
    ] {
        browser
            .open(&format!(
                "{base}/app/accounts/{}/settings/{page}",
                app.acme.account_id
            ))
            .await;
        check("a settings list", needles).await;
    }
}
