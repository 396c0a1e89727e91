//! The dashboard-app playground in a real browser, hosting the SDK test app (on its own origin)
//! through the real `AppBridge`: the log of both directions, actions allowed and refused,
//! simulated messages, and the decoded token of a registered app on a real conversation.

use crate::harness::{create_app, Browser, Frame};
use crate::sdk::{act, contexts, SdkApp};
use crate::support::{self, TestApp};
use serde_json::{json, Value};

const FRAME: &str = "iframe[data-playground]";

pub(crate) fn playground_page(base: &str, app: &TestApp) -> String {
    format!(
        "{base}/app/accounts/{}/settings/integrations/dashboard_apps/playground",
        app.acme.account_id
    )
}

/// Waits for a log entry matching `css` (under `#pg-log`).
async fn logged(browser: &Browser, css: &str) {
    browser.find(&format!("#pg-log > li{css}")).await;
}

/// Sets a `<select>` of the page and announces the change, as a person picking would.
async fn pick(browser: &Browser, id: &str, value: &str) {
    let script = format!(
        "const s = document.getElementById({}); s.value = {}; s.dispatchEvent(new Event('change')); return s.value;",
        json!(id),
        json!(value)
    );
    let chosen = browser.run(&Frame::top(), &script).await;
    assert_eq!(chosen, json!(value), "option {value} of #{id}");
}

#[tokio::test]
async fn the_playground_logs_a_round_trip_and_performs_only_allowed_actions() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let base = app.serve().await;
    let sdk_app = SdkApp::start().await;
    browser.sign_in(&base, &app.admin.email).await;
    browser.open(&playground_page(&base, &app)).await;
    browser
        .fill("#pg-url", &sdk_app.url(&base, &json!({})))
        .await;
    browser.click("#pg-load").await;

    // The round trip: the context on load, the SDK's request, its answer.
    logged(
        &browser,
        "[data-direction=sent][data-event=appContext][data-reason=load]",
    )
    .await;
    logged(
        &browser,
        "[data-direction=received][data-event=\"chatwoot-dashboard-app:fetch-info\"]",
    )
    .await;
    logged(&browser, "[data-direction=sent][data-reason=fetch-info]").await;
    let frame = Frame::top().child(FRAME);
    let delivered = contexts(&browser, &frame, 1).await;
    let sample = support::fixture("app-context.sample.json");
    // The host adds the agent's resolved theme to every context, the sample's too.
    let mut expected = sample["data"].clone();
    expected["theme"] = browser
        .run(
            &Frame::top(),
            "return document.documentElement.dataset.theme;",
        )
        .await;
    assert_eq!(delivered[0]["data"], expected, "the sample context");
    // Each entry shows its message as pretty JSON.
    let shown = browser
        .run(
            &Frame::top(),
            "return document.querySelector('#pg-log > li[data-reason=load] pre').textContent;",
        )
        .await;
    let shown: Value = serde_json::from_str(shown.as_str().expect("text")).expect("JSON");
    assert_eq!(shown["meta"]["reason"], "load");
    assert!(
        browser
            .find("#pg-token")
            .await
            .attr("hidden")
            .await
            .expect("an attribute")
            .is_some(),
        "a sample context carries no token"
    );

    // Allowed actions: the reply box gets the text, the notice shows, both resolve.
    let reply = act(
        &browser,
        &frame,
        "insert-reply",
        "Your order ships today.",
        "",
    )
    .await;
    assert_eq!(reply["ok"], true, "{reply}");
    let boxed = browser
        .run(
            &Frame::top(),
            "return document.getElementById('pg-reply').value;",
        )
        .await;
    assert_eq!(boxed, "Your order ships today.");
    let notice = act(&browser, &frame, "notify", "Order id copied", "success").await;
    assert_eq!(notice["ok"], true, "{notice}");
    let toast = browser.find("#toasts .notice-success").await;
    assert!(toast
        .text()
        .await
        .expect("text")
        .contains("Order id copied"));
    logged(
        &browser,
        "[data-direction=received][data-event=insert-reply]",
    )
    .await;
    logged(
        &browser,
        "[data-direction=sent][data-event=\"insert-reply:result\"]",
    )
    .await;

    // Simulated messages and pushes reach the app, marked, with growing seq.
    browser.click("#pg-simulate").await;
    let delivered = browser
        .eventually(
            &frame,
            "return window.__contexts.filter((c) => c.meta.reason === 'message.created');",
            "the simulated message",
            |v| v.as_array().is_some_and(|a| !a.is_empty()),
        )
        .await;
    let messages = delivered[0]["data"]["conversation"]["messages"]
        .as_array()
        .expect("messages")
        .clone();
    let last = messages.last().expect("a message");
    assert!(
        last["content"]
            .as_str()
            .is_some_and(|c| c.starts_with("[Simulated by the playground]")),
        "{last}"
    );
    assert_eq!(last["content_attributes"]["playground_simulated"], true);
    assert_eq!(
        support::schema_errors(&delivered[0], None),
        Vec::<String>::new()
    );
    browser.click("#pg-push").await;
    let all = browser
        .eventually(
            &frame,
            "return window.__contexts;",
            "the pushed update",
            |v| {
                v.as_array().is_some_and(|a| {
                    a.iter()
                        .any(|c| c["meta"]["reason"] == "conversation.updated")
                })
            },
        )
        .await;
    let seqs: Vec<u64> = all
        .as_array()
        .expect("contexts")
        .iter()
        .filter_map(|c| c["meta"]["seq"].as_u64())
        .collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");

    // Refused: with notify switched off the frame is reloaded, and notify now rejects.
    browser.click("#pg-allow-notify").await;
    let reloaded = Frame::top().child(FRAME);
    browser
        .eventually(
            &reloaded,
            "return window.__contexts && window.__contexts.length > 0 && window.__outcomes.length === 0;",
            "the reloaded app's first context",
            |v| *v == json!(true),
        )
        .await;
    let refused = act(&browser, &reloaded, "notify", "Not now", "info").await;
    assert_eq!(refused["ok"], false, "{refused}");
    assert_eq!(refused["code"], "not_allowed");
    let reply = act(&browser, &reloaded, "insert-reply", "Still allowed", "").await;
    assert_eq!(reply["ok"], true, "{reply}");
}

#[tokio::test]
async fn the_playground_shows_the_decoded_token_of_a_registered_app_on_a_real_conversation() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let base = app.serve().await;
    let sdk_app = SdkApp::start().await;
    let id = create_app(
        &app,
        &app.admin,
        "SDK app",
        &[sdk_app.url(&base, &json!({}))],
    )
    .await;
    let allowed = app
        .patch(
            &app.api(&format!("dashboard_apps/{id}")),
            &app.admin,
            &json!({"allowed_actions": ["notify"]}),
        )
        .await;
    assert_eq!(allowed.status, 200, "{}", allowed.text);
    let secret = app.rotate_secret(id).await;
    browser.sign_in(&base, &app.admin.email).await;
    browser.open(&playground_page(&base, &app)).await;
    pick(&browser, "pg-app", &id.to_string()).await;
    // The toggles start from what the administrator allowed the app.
    let toggles = browser
        .run(
            &Frame::top(),
            "return [document.getElementById('pg-allow-insert-reply').checked, document.getElementById('pg-allow-notify').checked];",
        )
        .await;
    assert_eq!(toggles, json!([false, true]));
    browser.find("#pg-conversation[data-loaded]").await;
    pick(
        &browser,
        "pg-conversation",
        &app.acme.conversation.to_string(),
    )
    .await;
    browser.click("#pg-load").await;

    browser.find("#pg-token[data-state=valid]").await;
    let claims = browser
        .run(
            &Frame::top(),
            "return JSON.parse(document.getElementById('pg-token-claims').textContent);",
        )
        .await;
    assert_eq!(claims["aud"], json!(format!("dashboard_app:{id}")));
    assert_eq!(claims["conversation_id"], json!(app.acme.conversation));
    assert_eq!(claims["sub"], json!(app.admin.id.to_string()));
    let header = browser
        .run(
            &Frame::top(),
            "return JSON.parse(document.getElementById('pg-token-header').textContent);",
        )
        .await;
    assert_eq!(header["alg"], "HS256");
    let expiry = browser
        .run(
            &Frame::top(),
            "return document.getElementById('pg-token-expiry').textContent;",
        )
        .await;
    assert!(
        expiry
            .as_str()
            .is_some_and(|t| t.starts_with("Expires in 4:") || t == "Expires in 5:00"),
        "{expiry}"
    );

    // The app got the same real, signed context, and its token verifies with the app's secret.
    let frame = Frame::top().child(FRAME);
    let delivered = contexts(&browser, &frame, 1).await;
    let context = &delivered[0];
    assert_eq!(
        context["data"]["conversation"]["id"],
        json!(app.acme.conversation)
    );
    assert_eq!(context["data"]["contact"]["name"], "Maria Lopez");
    let token = browser.run(&frame, "return window.__app.token;").await;
    let verified = support::verified_claims(token.as_str().expect("a token"), &secret, id)
        .expect("the token verifies with the app's secret");
    assert_eq!(verified["conversation_id"], claims["conversation_id"]);

    // The author's guide shows this state.
    logged(&browser, "[data-direction=sent][data-reason=fetch-info]").await;
    let path = browser
        .screenshot_to("docs/screenshots/dashboard-app-playground.png")
        .await;
    eprintln!("saved {}", path.display());
}

#[tokio::test]
async fn the_playground_offers_every_action_and_simulates_those_that_change_data() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let base = app.serve().await;
    let sdk_app = SdkApp::start().await;
    browser.sign_in(&base, &app.admin.email).await;
    browser.open(&playground_page(&base, &app)).await;
    let toggles = browser
        .run(
            &Frame::top(),
            "return [...document.querySelectorAll('.pg-allow')].map((t) => t.value);",
        )
        .await;
    let registry: Vec<&str> = domain::app_capability::CAPABILITIES
        .iter()
        .map(|c| c.name())
        .collect();
    assert_eq!(toggles, json!(registry));
    browser
        .fill("#pg-url", &sdk_app.url(&base, &json!({})))
        .await;
    browser.click("#pg-load").await;
    let frame = Frame::top().child(FRAME);
    contexts(&browser, &frame, 1).await;

    let done = crate::app_actions::through_sdk(&browser, &frame, "app.addLabel('vip')").await;
    assert_eq!(done, json!("ok"));
    logged(&browser, "[data-direction=note][data-event=add-label]").await;
    let done = crate::app_actions::through_sdk(&browser, &frame, "app.resize(200)").await;
    assert_eq!(done, json!("ok"));
    let height = browser
        .run(
            &Frame::top(),
            &format!("return document.querySelector('{FRAME}').dataset.height;"),
        )
        .await;
    assert_eq!(height, json!("200"));
    // Untick it: the app is refused, as a conversation would refuse it.
    browser
        .run(&frame, "window.__before = true; return true;")
        .await;
    browser.click("#pg-allow-add-label").await;
    browser
        .eventually(
            &frame,
            "return !window.__before && (window.__contexts || []).length > 0;",
            "the frame reloaded with the new permissions",
            |v| *v == json!(true),
        )
        .await;
    let refused = crate::app_actions::through_sdk(&browser, &frame, "app.addLabel('vip')").await;
    assert_eq!(refused, json!("not_allowed"));
    let conversation = app.api(&format!("conversations/{}", app.acme.conversation));
    assert_eq!(
        app.get(&conversation, &app.admin).await.json()["labels"],
        json!([])
    );
}

#[tokio::test]
async fn the_playground_hosts_an_app_in_each_placement_with_that_placements_context() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let base = app.serve().await;
    let recorder = crate::recorder::Recorder::start().await;
    let registered = crate::control::create(
        &app,
        json!({"title": "Profile", "content": crate::control::frame(&recorder.url("r=1")),
               "placements": ["contact_page"]}),
    )
    .await;
    browser.sign_in(&base, &app.admin.email).await;
    browser.open(&playground_page(&base, &app)).await;
    let frame = Frame::top().child(FRAME);
    let sample = support::fixture("app-context.sample.json");
    let host = "return [document.getElementById('pg-frame-host').dataset.placement, \
                document.querySelector('iframe[data-playground]').dataset.placement];";

    // Every placement of the registry is offered.
    let offered = browser
        .run(
            &Frame::top(),
            "return [...document.querySelectorAll('#pg-placement option')].map(o => o.value);",
        )
        .await;
    assert_eq!(
        offered,
        json!([
            "conversation_tab",
            "conversation_panel",
            "contact_page",
            "full_page",
            "modal"
        ])
    );

    // A contact page, on the sample: the contact and their conversations, no one conversation.
    browser.fill("#pg-url", &recorder.url("p=contact")).await;
    pick(&browser, "pg-placement", "contact_page").await;
    browser.click("#pg-load").await;
    let got = crate::recorder::wait_count(&browser, &frame, 1).await;
    let context = crate::recorder::context_of(&got[0]);
    assert_eq!(context["data"]["contact"], sample["data"]["contact"]);
    assert_eq!(
        context["data"]["conversations"][0]["id"],
        sample["data"]["conversation"]["id"]
    );
    assert!(context["data"].get("conversation").is_none(), "{context}");
    assert_eq!(
        browser.run(&Frame::top(), host).await,
        json!(["contact_page", "contact_page"])
    );

    // A full page: the agent and the account (the frame is made again for it).
    pick(&browser, "pg-placement", "full_page").await;
    browser
        .eventually(&Frame::top(), host, "the full-page frame", |v| {
            *v == json!(["full_page", "full_page"])
        })
        .await;
    let got = crate::recorder::wait_count(&browser, &frame, 1).await;
    let context = crate::recorder::context_of(&got[0]);
    assert_eq!(
        context["data"]["currentAgent"],
        sample["data"]["currentAgent"]
    );
    assert!(context["data"]["account"]["id"].is_number(), "{context}");
    assert!(context["data"].get("conversation").is_none());

    // A registered contact-page app on a real conversation: the real contact's signed context.
    browser.find("#pg-conversation[data-loaded]").await;
    pick(&browser, "pg-app", &registered.to_string()).await;
    let placement = browser
        .run(
            &Frame::top(),
            "return document.getElementById('pg-placement').value;",
        )
        .await;
    assert_eq!(placement, json!("contact_page"), "the app's own placement");
    pick(
        &browser,
        "pg-conversation",
        &app.acme.conversation.to_string(),
    )
    .await;
    browser.click("#pg-load").await;
    browser
        .eventually(&Frame::top(), host, "the contact-page frame", |v| {
            *v == json!(["contact_page", "contact_page"])
        })
        .await;
    let got = crate::recorder::wait_count(&browser, &frame, 1).await;
    let context = crate::recorder::context_of(&got[0]);
    assert_eq!(context["data"]["contact"]["id"], app.acme.contact_id);
    assert_eq!(
        context["data"]["conversations"][0]["id"],
        app.acme.conversation
    );
    assert!(context["token"].is_string(), "{context}");
    logged(&browser, "[data-direction=sent][data-event=appContext]").await;
}
