//! Placements in a real browser, with apps on another origin: the panel beside the conversation
//! (the reply box stays usable, the panel resizes by keyboard and drag and collapses, as the agent
//! left it after a reload), a modal a panel app opens and closes, a panel app sizing its frame,
//! and the contact page's apps, which receive the contact and their conversations.

use crate::control::{create, frame, post_from, wait_results};
use crate::harness::{conversation_page, Browser, Frame};
use crate::recorder::{context_of, wait_count, Recorder};
use crate::support::TestApp;
use fantoccini::actions::{InputSource, MouseActions, PointerAction, MOUSE_BUTTON_LEFT};
use fantoccini::key::Key;
use serde_json::{json, Value};

/// What the page says of its panel of apps.
const PANEL: &str = "const side = document.querySelector('.app-side'); \
    if (!side) return null; \
    const body = side.querySelector('.app-side-body'); \
    return {width: Number(side.dataset.width), collapsed: side.dataset.collapsed, \
            shownWidth: Math.round(side.getBoundingClientRect().width), \
            bodyHidden: body.hidden, \
            frames: side.querySelectorAll('iframe.dashboard-app-frame').length, \
            expanded: side.querySelector('.app-side-toggle').getAttribute('aria-expanded'), \
            valuenow: side.querySelector('[role=separator]').getAttribute('aria-valuenow')};";

async fn panel(browser: &Browser) -> Value {
    browser.run(&Frame::top(), PANEL).await
}

/// The token's claims, verified by an independent JOSE library with the key the JWKS publishes
/// under its `kid`, for app `app_id`; `None` when it does not verify.
async fn verified_claims(app: &TestApp, token: &str, app_id: i64) -> Option<Value> {
    let jwks = app
        .request(
            axum::http::Method::GET,
            "/.well-known/jwks.json",
            None,
            None,
        )
        .await
        .json();
    let set: jsonwebtoken::jwk::JwkSet = serde_json::from_value(jwks).ok()?;
    let kid = jsonwebtoken::decode_header(token).ok()?.kid?;
    let key = jsonwebtoken::DecodingKey::from_jwk(set.find(&kid)?).ok()?;
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::EdDSA);
    validation.set_audience(&[format!("dashboard_app:{app_id}")]);
    Some(
        jsonwebtoken::decode::<Value>(token, &key, &validation)
            .ok()?
            .claims,
    )
}

const MODAL: &str = "const d = document.querySelector('dialog.app-modal'); \
    return d ? {open: d.open, src: d.querySelector('iframe').src} : null;";

#[tokio::test]
async fn a_panel_app_sits_beside_the_conversation_whose_reply_box_stays_usable() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let recorder = Recorder::start().await;
    let id = create(
        &app,
        json!({
            "title": "Beside",
            "content": frame(&recorder.url("c={{conversation.id}}")),
            "placements": ["conversation_panel"],
            "allowed_actions": ["resize", "open-modal", "close-modal"],
        }),
    )
    .await;
    let base = app.serve().await;
    browser.sign_in(&base, &app.agent.email).await;
    browser.open(&conversation_page(&base, &app)).await;

    // No tab: the app is in the panel, and its frame gets the conversation's context at once.
    let tab = browser
        .run(
            &Frame::top(),
            &format!("return document.getElementById('tab-app-{id}') !== null;"),
        )
        .await;
    assert_eq!(tab, json!(false));
    let app_frame = Frame::app(id, 0);
    let first = wait_count(&browser, &app_frame, 1).await;
    let context = context_of(&first[0]);
    assert_eq!(context["data"]["conversation"]["id"], app.acme.conversation);
    assert!(context["token"].is_string(), "{context}");
    let placed = browser
        .run(
            &Frame::top(),
            &format!(
                "const f = document.querySelector('.app-side-app iframe[data-app-id=\"{id}\"]'); \
                 return {{placement: f.dataset.placement, src: f.src, \
                 visible: f.getBoundingClientRect().width > 100}};"
            ),
        )
        .await;
    assert_eq!(placed["placement"], "conversation_panel", "{placed}");
    assert_eq!(
        placed["src"],
        recorder.url(&format!("c={}", app.acme.conversation))
    );
    assert_eq!(placed["visible"], true);

    // The agent types and sends a reply while the panel is open.
    browser
        .find("#reply-content")
        .await
        .send_keys("Sent beside the panel")
        .await
        .expect("type a reply");
    browser.click("#reply-send").await;
    browser
        .eventually(
            &Frame::top(),
            "return document.getElementById('thread').textContent;",
            "the reply in the thread",
            |v| {
                v.as_str()
                    .is_some_and(|t| t.contains("Sent beside the panel"))
            },
        )
        .await;
    let still = browser
        .run(
            &Frame::top(),
            "return document.querySelector('.app-side .dashboard-app-frame').getBoundingClientRect().width > 100;",
        )
        .await;
    assert_eq!(
        still,
        json!(true),
        "the panel stayed open beside the thread"
    );

    // The panel app sizes its frame, within bounds.
    post_from(
        &browser,
        &app_frame,
        "{event: 'resize', id: 1, height: 260}",
    )
    .await;
    let answers = wait_results(&browser, &app_frame, 1).await;
    assert_eq!(answers[0]["ok"], true, "{}", answers[0]);
    let height = browser
        .run(
            &Frame::top(),
            &format!(
                "const f = document.querySelector('.app-side iframe[data-app-id=\"{id}\"]'); \
                 return [f.dataset.height, Math.round(f.getBoundingClientRect().height)];"
            ),
        )
        .await;
    assert_eq!(height, json!(["260", 260]));

    // It opens a modal on its own origin, which closes itself.
    post_from(
        &browser,
        &app_frame,
        "{event: 'open-modal', id: 2, url: '/recorder?modal=1'}",
    )
    .await;
    let answers = wait_results(&browser, &app_frame, 2).await;
    assert_eq!(answers[1]["ok"], true, "{}", answers[1]);
    let modal = browser.run(&Frame::top(), MODAL).await;
    assert_eq!(modal["open"], true, "{modal}");
    assert_eq!(modal["src"], recorder.url("modal=1"));
    let modal_frame = Frame::top().child("dialog.app-modal iframe");
    let got = wait_count(&browser, &modal_frame, 1).await;
    assert_eq!(
        context_of(&got[0])["data"]["conversation"]["id"],
        app.acme.conversation
    );
    post_from(&browser, &modal_frame, "{event: 'close-modal', id: 1}").await;
    browser
        .eventually(&Frame::top(), MODAL, "the modal to close", Value::is_null)
        .await;
}

#[tokio::test]
async fn the_panel_resizes_by_keyboard_and_drag_collapses_and_stays_so_after_a_reload() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let recorder = Recorder::start().await;
    let id = create(
        &app,
        json!({"title": "Beside", "content": frame(&recorder.url("p=1")), "placements": ["conversation_panel"]}),
    )
    .await;
    let base = app.serve().await;
    browser.sign_in(&base, &app.agent.email).await;
    browser.open(&conversation_page(&base, &app)).await;
    wait_count(&browser, &Frame::app(id, 0), 1).await;
    let start = panel(&browser).await;
    assert_eq!(start["width"], 360, "{start}");
    assert_eq!(start["collapsed"], "false");

    // The keyboard: the separator is focusable; Left widens (the panel is on the right).
    let separator = browser.find(".app-side [role=separator]").await;
    separator.send_keys(&Key::Left).await.expect("a key");
    separator.send_keys(&Key::Left).await.expect("a key");
    let wider = panel(&browser).await;
    assert_eq!(wider["width"], 408, "{wider}");
    assert_eq!(wider["valuenow"], "408");
    separator.send_keys(&Key::Home).await.expect("a key");
    let narrowest = panel(&browser).await;
    assert_eq!(narrowest["width"], 240, "{narrowest}");
    // (Wide panels are capped at 60% of the conversation, so the thread keeps its room.)
    assert_eq!(narrowest["shownWidth"], 240);

    // The mouse: dragging the separator 100 px to the left widens the panel by as much.
    let drag = MouseActions::new("mouse".into())
        .then(PointerAction::MoveToElement {
            element: separator.clone(),
            duration: None,
            x: 0,
            y: 0,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::MoveBy {
            duration: None,
            x: -100,
            y: 0,
        })
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
    browser.perform_actions(drag).await.expect("a drag");
    let dragged = panel(&browser).await;
    assert_eq!(dragged["width"], 340, "{dragged}");

    // Collapsed, the frames stay but are out of the way.
    browser.click(".app-side-toggle").await;
    let collapsed = panel(&browser).await;
    assert_eq!(collapsed["collapsed"], "true", "{collapsed}");
    assert_eq!(collapsed["bodyHidden"], true);
    assert_eq!(collapsed["expanded"], "false");

    // After a reload the panel is as the agent left it: collapsed, its frames not even made
    // yet, and at the dragged width once expanded.
    browser.open(&conversation_page(&base, &app)).await;
    let reloaded = panel(&browser).await;
    assert_eq!(reloaded["collapsed"], "true", "{reloaded}");
    assert_eq!(reloaded["frames"], 0);
    browser.click(".app-side-toggle").await;
    let expanded = panel(&browser).await;
    assert_eq!(expanded["collapsed"], "false", "{expanded}");
    assert_eq!(expanded["width"], 340);
    assert_eq!(expanded["frames"], 1);
    wait_count(&browser, &Frame::app(id, 0), 1).await;
    // Remembered for this agent: the preference is kept under their id.
    let kept = browser
        .run(
            &Frame::top(),
            &format!(
                "return JSON.parse(localStorage.getItem('switchboard.app-panel.{}'));",
                app.agent.id
            ),
        )
        .await;
    assert_eq!(kept, json!({"width": 340, "collapsed": false}));
}

#[tokio::test]
async fn a_contact_page_app_receives_the_contact_and_their_conversations() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let recorder = Recorder::start().await;
    let id = create(
        &app,
        json!({
            "title": "Profile",
            "content": frame(&recorder.url("contact={{contact.id}}")),
            "placements": ["contact_page"],
        }),
    )
    .await;
    // A conversation placeholder cannot be filled on a contact's page: refused, naming content.
    let refused = app
        .post(
            &app.api("dashboard_apps"),
            &app.admin,
            &json!({"title": "X", "content": frame(&recorder.url("c={{conversation.id}}")), "placements": ["contact_page"]}),
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert_eq!(refused.json()["attributes"], json!(["content"]));

    let base = app.serve().await;
    browser.sign_in(&base, &app.agent.email).await;
    // Not on the conversation: the app is placed on contact pages only.
    browser.open(&conversation_page(&base, &app)).await;
    let elsewhere = browser
        .run(
            &Frame::top(),
            "return document.querySelectorAll('iframe.dashboard-app-frame').length;",
        )
        .await;
    assert_eq!(elsewhere, json!(0));

    browser
        .open(&format!(
            "{base}/app/accounts/{}/contacts/{}",
            app.acme.account_id, app.acme.contact_id
        ))
        .await;
    let app_frame = Frame::app(id, 0);
    let got = wait_count(&browser, &app_frame, 1).await;
    let context = context_of(&got[0]);
    let data = &context["data"];
    assert_eq!(data["contact"]["id"], app.acme.contact_id, "{context}");
    assert_eq!(data["currentAgent"]["email"], app.agent.email.as_str());
    let conversations = data["conversations"].as_array().expect("a list");
    assert_eq!(conversations.len(), 1, "{context}");
    assert_eq!(conversations[0]["id"], app.acme.conversation);
    assert_eq!(
        conversations[0]["meta"]["sender"]["id"],
        app.acme.contact_id
    );
    assert!(data.get("conversation").is_none(), "no one conversation");
    assert_eq!(context["meta"]["reason"], "load");
    // Its token names the contact and no conversation.
    let token = context["token"].as_str().expect("a token");
    let claims = verified_claims(&app, token, id)
        .await
        .expect("verified through the JWKS");
    assert_eq!(claims["contact_id"], app.acme.contact_id);
    assert!(claims.get("conversation_id").is_none(), "{claims}");
    assert_eq!(claims["aud"], format!("dashboard_app:{id}"));
    let src = browser
        .run(
            &Frame::top(),
            &format!(
                "return document.querySelector('.contact-app iframe[data-app-id=\"{id}\"]').src;"
            ),
        )
        .await;
    assert_eq!(
        src,
        json!(recorder.url(&format!("contact={}", app.acme.contact_id)))
    );
    // A fresh context on request, to that frame.
    browser
        .run(&app_frame, "return window.__request('bare');")
        .await;
    let again = wait_count(&browser, &app_frame, 2).await;
    assert_eq!(
        context_of(&again[1])["data"]["contact"]["id"],
        app.acme.contact_id
    );
    // And live: when one of the contact's conversations changes, the app hears of it.
    let toggled = app
        .post(
            &app.api(&format!(
                "conversations/{}/toggle_status",
                app.acme.conversation
            )),
            &app.agent,
            &json!({"status": "resolved"}),
        )
        .await;
    assert_eq!(toggled.status, 200, "{}", toggled.text);
    let live = wait_count(&browser, &app_frame, 3).await;
    let pushed = context_of(&live[2]);
    assert_eq!(pushed["meta"]["reason"], "conversation.status_changed");
    assert_eq!(pushed["data"]["conversations"][0]["status"], "resolved");
}

#[tokio::test]
async fn an_administrator_places_an_app_beside_the_conversation_and_on_contact_pages_in_settings() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let recorder = Recorder::start().await;
    let id = create(
        &app,
        json!({"title": "Orders", "content": frame(&recorder.url("s=1"))}),
    )
    .await;
    let base = app.serve().await;
    browser.sign_in(&base, &app.admin.email).await;
    browser
        .open(&crate::harness::settings_page(&base, &app))
        .await;
    browser
        .click(&format!("tr[data-app-id=\"{id}\"] [data-action=\"edit\"]"))
        .await;
    // A new or Chatwoot-era app is a tab, and nothing else.
    let shown = browser
        .run(
            &Frame::top(),
            "return [document.getElementById('app-display-conversation').checked, \
             [...document.querySelectorAll('.app-placement')].map(i => [i.value, i.checked])];",
        )
        .await;
    assert_eq!(
        shown,
        json!([
            true,
            [["conversation_panel", false], ["contact_page", false]]
        ])
    );
    browser.click("#app-display-none").await;
    browser.click("#app-placement-conversation_panel").await;
    browser.click("#app-placement-contact_page").await;
    browser.click("#app-save").await;
    browser
        .eventually(
            &Frame::top(),
            &format!("var r = document.querySelector('tr[data-app-id=\"{id}\"]'); return r && r.dataset.appPlacements;"),
            "the app placed",
            |v| *v == json!("conversation_panel contact_page"),
        )
        .await;
    let body = ok_control(&app, id).await;
    assert_eq!(
        body["placements"],
        json!(["conversation_panel", "contact_page"])
    );
    assert_eq!(body["display_type"], "conversation");

    // The conversation shows it in the panel and no longer as a tab.
    browser.open(&conversation_page(&base, &app)).await;
    wait_count(&browser, &Frame::app(id, 0), 1).await;
    let where_ = browser
        .run(
            &Frame::top(),
            &format!(
                "return [document.getElementById('tab-app-{id}') !== null, \
                 document.querySelector('iframe[data-app-id=\"{id}\"]').dataset.placement];"
            ),
        )
        .await;
    assert_eq!(where_, json!([false, "conversation_panel"]));
}

async fn ok_control(app: &TestApp, id: i64) -> Value {
    let uri = format!(
        "{}?include=control",
        app.api(&format!("dashboard_apps/{id}"))
    );
    let res = app.get(&uri, &app.admin).await;
    assert_eq!(res.status, 200, "{}", res.text);
    res.json()
}
