//! The dashboard-app bridge in a real browser: what a cross-origin app frame receives, when,
//! and what it does not.

use crate::harness::{conversation_page, create_app, Browser, Frame};
use crate::recorder::{
    context_of, received, request, sent_script, wait_count, Recorder, COUNT, FETCH_INFO, READY,
};
use crate::support::{self, TestApp};
use serde_json::{json, Value};

/// The fixture, served, with the browser signed in as the administrator.
async fn signed_in(browser: &Browser, app: &TestApp) -> String {
    let base = app.serve().await;
    browser.sign_in(&base, &app.admin.email).await;
    base
}

#[tokio::test]
async fn the_context_is_a_string_from_the_parent_that_matches_the_schema_and_the_conversation_on_screen(
) {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let recorder = Recorder::start().await;
    let id = create_app(&app, &app.admin, "Recorder", &[recorder.url("f=one")]).await;
    let base = signed_in(&browser, &app).await;
    browser.open(&conversation_page(&base, &app)).await;
    browser.open_tab(id).await;

    let frame = Frame::app(id, 0);
    let messages = wait_count(&browser, &frame, 1).await;
    let message = &messages[0];
    assert_eq!(message["isString"], true, "{message}");
    assert_eq!(message["fromParent"], true, "{message}");
    assert_eq!(
        message["origin"],
        json!(base),
        "posted from the Switchboard origin"
    );

    let context = context_of(message);
    assert_eq!(support::schema_errors(&context, None), Vec::<String>::new());
    let data = &context["data"];
    assert_eq!(data["conversation"]["id"], json!(app.acme.conversation));
    assert_eq!(
        data["conversation"]["account_id"],
        json!(app.acme.account_id)
    );
    let on_screen = browser
        .run(
            &Frame::top(),
            "return document.querySelector('.contact-panel .contact-name').textContent.trim();",
        )
        .await;
    assert_eq!(on_screen, json!("Maria Lopez"));
    assert_eq!(data["contact"]["name"], on_screen);
    assert_eq!(data["contact"]["id"], json!(app.acme.contact_id));
    assert_eq!(data["currentAgent"]["id"], json!(app.admin.id));
    assert_eq!(data["currentAgent"]["email"], json!(app.admin.email));
    assert_eq!(
        context["meta"],
        json!({"seq": 1, "reason": "load", "protocol": 1})
    );

    // Only the context: nothing else follows it.
    browser
        .stays(&frame, COUNT, &json!(1), "the message count")
        .await;
}

#[tokio::test]
async fn each_request_form_gets_exactly_one_fresh_answer() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let recorder = Recorder::start().await;
    let id = create_app(&app, &app.admin, "Recorder", &[recorder.url("f=forms")]).await;
    let base = signed_in(&browser, &app).await;
    browser.open(&conversation_page(&base, &app)).await;
    browser.open_tab(id).await;
    let frame = Frame::app(id, 0);
    wait_count(&browser, &frame, 1).await;

    let mut expected = 1;
    for event in [FETCH_INFO, READY] {
        for form in ["bare", "json", "object"] {
            request(&browser, &frame, form, event).await;
            expected += 1;
            let messages = wait_count(&browser, &frame, expected).await;
            let answer = messages.last().expect("an answer");
            assert_eq!(answer["fromParent"], true, "{form} {event}: {answer}");
            let context = context_of(answer);
            assert_eq!(
                context["data"]["conversation"]["id"],
                json!(app.acme.conversation),
                "{form} {event}"
            );
            // Ours: each context says why it was sent, numbered per frame.
            let reason = event.trim_start_matches("chatwoot-dashboard-app:");
            assert_eq!(
                context["meta"],
                json!({"seq": expected, "reason": reason, "protocol": 1}),
                "{form} {event}"
            );
        }
    }
    browser
        .stays(&frame, COUNT, &json!(expected), "the message count")
        .await;
    browser
        .stays(
            &Frame::top(),
            &sent_script(id, 0),
            &json!(expected),
            "data-context-sent",
        )
        .await;

    // A message posted meanwhile is in the next answer. (The open page also pushes it live over
    // /cable: wait for that push first, so the request's answer can be counted on its own.)
    browser.find("body[data-cable=\"open\"]").await;
    let earlier = received(&browser, &frame).await;
    let posted = app
        .post(
            &app.api(&format!("conversations/{}/messages", app.acme.conversation)),
            &app.admin,
            &json!({"content": "fresh"}),
        )
        .await;
    assert_eq!(posted.status, 200, "{}", posted.text);
    let has_fresh = |message: &Value| {
        context_of(message)["data"]["conversation"]["messages"]
            .as_array()
            .expect("messages is an array")
            .iter()
            .any(|m| m["content"] == "fresh")
    };
    assert!(
        !earlier.iter().any(has_fresh),
        "no earlier context has the message"
    );
    browser
        .eventually(
            &frame,
            "return window.__received.some(m => m.data.includes('\"fresh\"'));",
            "the live push of the new message",
            |v| *v == json!(true),
        )
        .await;
    let pushed = browser.run(&frame, COUNT).await.as_u64().expect("a count") as usize;
    browser
        .stays(
            &frame,
            COUNT,
            &json!(pushed),
            "the message count after the push",
        )
        .await;
    request(&browser, &frame, "bare", FETCH_INFO).await;
    let messages = wait_count(&browser, &frame, pushed + 1).await;
    let answer = messages.last().expect("an answer");
    assert!(
        has_fresh(answer),
        "the new answer has the new message: {answer}"
    );
    assert_eq!(context_of(answer)["meta"]["reason"], "fetch-info");
    browser
        .stays(&frame, COUNT, &json!(pushed + 1), "the message count")
        .await;
}

#[tokio::test]
async fn a_request_sent_before_the_frame_loads_is_answered() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let recorder = Recorder::start().await;
    // The request goes out from <head>; a slow image holds the frame's `load` back 1.5 s.
    let id = create_app(
        &app,
        &app.admin,
        "Early bird",
        &[recorder.url("f=early&send=early&hold=1500")],
    )
    .await;
    let base = signed_in(&browser, &app).await;
    browser.open(&conversation_page(&base, &app)).await;
    browser.open_tab(id).await;
    let frame = Frame::app(id, 0);

    browser
        .eventually(
            &frame,
            "return document.body.dataset.loaded === 'true';",
            "the frame's load",
            |v| *v == json!(true),
        )
        .await;
    let messages = wait_count(&browser, &frame, 2).await;
    browser
        .stays(&frame, COUNT, &json!(2), "the message count")
        .await;
    for message in &messages {
        assert_eq!(message["fromParent"], true, "{message}");
        assert_eq!(
            context_of(message)["data"]["conversation"]["id"],
            json!(app.acme.conversation)
        );
    }
    let reasons: Vec<Value> = messages
        .iter()
        .map(|m| context_of(m)["meta"]["reason"].clone())
        .collect();
    assert_eq!(reasons, [json!("fetch-info"), json!("load")]);
    assert_ne!(
        messages[0]["readyState"], "complete",
        "the early request is answered before load: {messages:?}"
    );
    assert_eq!(
        messages[1]["readyState"], "complete",
        "the second context is the one posted on load: {messages:?}"
    );
}

#[tokio::test]
async fn with_two_apps_of_two_frames_each_frame_gets_only_its_own_answers() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let (first, second) = (Recorder::start().await, Recorder::start().await);
    assert_ne!(first.base, second.base);
    let a = create_app(
        &app,
        &app.admin,
        "App A",
        &[first.url("f=a1"), first.url("f=a2")],
    )
    .await;
    let b = create_app(
        &app,
        &app.admin,
        "App B",
        &[second.url("f=b1"), second.url("f=b2")],
    )
    .await;
    let base = signed_in(&browser, &app).await;
    browser.open(&conversation_page(&base, &app)).await;
    browser.open_tab(a).await;
    browser.open_tab(b).await;

    let frames = [(a, 0), (a, 1), (b, 0), (b, 1)];
    for (app_id, index) in frames {
        let messages = wait_count(&browser, &Frame::app(app_id, index), 1).await;
        let expected_origin = json!(base);
        assert_eq!(messages[0]["origin"], expected_origin);
    }
    let check = |counts: [u64; 4]| {
        let browser = &browser;
        async move {
            for ((app_id, index), count) in frames.into_iter().zip(counts) {
                let frame = Frame::app(app_id, index);
                browser
                    .stays(&frame, COUNT, &json!(count), "the message count")
                    .await;
                let sent = browser
                    .run(&Frame::top(), &sent_script(app_id, index))
                    .await;
                assert_eq!(sent, json!(count), "data-context-sent of {frame:?}");
            }
        }
    };

    // Three requests at once from A1 (on tab B now, so A's frames are hidden).
    let a1 = Frame::app(a, 0);
    let sent = browser
        .run(
            &a1,
            "for (var i = 0; i < 3; i++) window.__request('bare'); return true;",
        )
        .await;
    assert_eq!(sent, json!(true));
    let messages = wait_count(&browser, &a1, 4).await;
    assert!(messages.iter().all(|m| m["fromParent"] == true));
    check([4, 1, 1, 1]).await;

    // One from B2, in another form.
    let b2 = Frame::app(b, 1);
    request(&browser, &b2, "json", FETCH_INFO).await;
    wait_count(&browser, &b2, 2).await;
    check([4, 1, 1, 2]).await;

    // A2 shares A1's origin: its request still reaches only A2.
    let a2 = Frame::app(a, 1);
    request(&browser, &a2, "object", READY).await;
    wait_count(&browser, &a2, 2).await;
    check([4, 2, 1, 2]).await;
}

#[tokio::test]
async fn a_frame_that_navigated_to_another_apps_origin_receives_nothing_and_is_not_answered() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let (home, elsewhere) = (Recorder::start().await, Recorder::start().await);
    let id = create_app(&app, &app.admin, "Wanderer", &[home.url("f=home")]).await;
    // The page's frame-src lists only its apps' origins, so the one origin other than its own
    // that an app frame can reach is another app's: the bridge must still tell them apart.
    // (Navigations anywhere else are blocked: hardening.rs.)
    create_app(
        &app,
        &app.admin,
        "Neighbour",
        &[elsewhere.url("f=neighbour")],
    )
    .await;
    let base = signed_in(&browser, &app).await;
    browser.open(&conversation_page(&base, &app)).await;
    browser.open_tab(id).await;
    let frame = Frame::app(id, 0);
    wait_count(&browser, &frame, 1).await;
    let sent = sent_script(id, 0);

    // The app navigates itself to another origin.
    let away = elsewhere.url("f=away");
    browser
        .run(
            &frame,
            &format!("setTimeout(function () {{ location.href = {away:?}; }}, 0); return true;"),
        )
        .await;
    let where_script =
        "return location.origin + ' ' + (document.body ? document.body.dataset.ready || '' : '');";
    let there = format!("{} true", elsewhere.base);
    browser
        .eventually(
            &frame,
            where_script,
            "the frame on the other app's origin",
            |v| *v == json!(there),
        )
        .await;
    // The host posted on that load (pinned to the app's origin, so the browser dropped it).
    browser
        .eventually(
            &Frame::top(),
            &sent,
            "the host's post on the new load",
            |v| *v == json!(2),
        )
        .await;
    browser
        .stays(&frame, COUNT, &json!(0), "the other origin's messages")
        .await;

    // Its requests are not answered, in any form.
    for event in [FETCH_INFO, READY] {
        for form in ["bare", "json", "object"] {
            request(&browser, &frame, form, event).await;
        }
    }
    browser
        .stays(&frame, COUNT, &json!(0), "the other origin's messages")
        .await;
    browser
        .stays(&Frame::top(), &sent, &json!(2), "data-context-sent")
        .await;

    // Back on its own origin the same frame is served again (a positive control).
    let back = home.url("f=back");
    browser
        .run(
            &frame,
            &format!("setTimeout(function () {{ location.href = {back:?}; }}, 0); return true;"),
        )
        .await;
    let here = format!("{} true", home.base);
    browser
        .eventually(&frame, where_script, "the frame back home", |v| {
            *v == json!(here)
        })
        .await;
    wait_count(&browser, &frame, 1).await;
    request(&browser, &frame, "bare", FETCH_INFO).await;
    wait_count(&browser, &frame, 2).await;
    browser
        .stays(&Frame::top(), &sent, &json!(4), "data-context-sent")
        .await;
}

#[tokio::test]
async fn requests_from_windows_that_are_not_app_frames_are_ignored() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let recorder = Recorder::start().await;
    let id = create_app(&app, &app.admin, "Target", &[recorder.url("f=target")]).await;
    let base = signed_in(&browser, &app).await;
    browser.open(&conversation_page(&base, &app)).await;
    browser.open_tab(id).await;
    let frame = Frame::app(id, 0);
    wait_count(&browser, &frame, 1).await;
    let sent = sent_script(id, 0);
    let top = Frame::top();

    // 1. The top page posting to itself.
    browser
        .run(
            &top,
            &format!(
                "window.postMessage({FETCH_INFO:?}, '*');\
                 window.postMessage(JSON.stringify({{event: {FETCH_INFO:?}}}), '*');\
                 window.postMessage({{event: {FETCH_INFO:?}}}, '*');\
                 window.postMessage({READY:?}, '*'); return true;"
            ),
        )
        .await;

    // 2. An iframe injected into the host page, on the app's own origin.
    let intruder_url = recorder.url("f=intruder");
    browser
        .run(
            &top,
            &format!(
                "var f = document.createElement('iframe'); f.id = 'intruder'; f.src = {intruder_url:?};\
                 document.body.appendChild(f); return true;"
            ),
        )
        .await;
    let intruder = top.child("iframe#intruder");
    browser
        .eventually(
            &intruder,
            "return document.body.dataset.ready === 'true';",
            "the intruder",
            |v| *v == json!(true),
        )
        .await;
    for form in ["bare", "json", "object"] {
        request(&browser, &intruder, form, FETCH_INFO).await;
    }

    // 3. An iframe nested inside the app frame, same origin, posting to the top page.
    let nested_url = recorder.url("f=nested");
    browser
        .run(
            &frame,
            &format!(
                "var f = document.createElement('iframe'); f.id = 'nested'; f.src = {nested_url:?};\
                 document.body.appendChild(f); return true;"
            ),
        )
        .await;
    let nested = frame.child("iframe#nested");
    browser
        .eventually(
            &nested,
            "return document.body.dataset.ready === 'true';",
            "the nested frame",
            |v| *v == json!(true),
        )
        .await;
    for form in ["bare", "json", "object"] {
        let posted = browser
            .run(
                &nested,
                &format!("return window.__request({form:?}, null, 'top');"),
            )
            .await;
        assert_eq!(posted, json!(true));
    }

    browser
        .stays(&frame, COUNT, &json!(1), "the app frame's messages")
        .await;
    browser
        .stays(&top, &sent, &json!(1), "data-context-sent")
        .await;
    browser
        .stays(&intruder, COUNT, &json!(0), "the intruder's messages")
        .await;
    browser
        .stays(&nested, COUNT, &json!(0), "the nested frame's messages")
        .await;

    // The app frame itself is still answered (a positive control).
    request(&browser, &frame, "bare", FETCH_INFO).await;
    wait_count(&browser, &frame, 2).await;
    assert_eq!(browser.run(&top, &sent).await, json!(2));
}

#[tokio::test]
async fn frames_are_created_when_their_tab_first_opens_and_kept_across_tab_switches() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let recorder = Recorder::start().await;
    let a = create_app(&app, &app.admin, "Kept", &[recorder.url("f=kept")]).await;
    let b = create_app(&app, &app.admin, "Later", &[recorder.url("f=later")]).await;
    let base = signed_in(&browser, &app).await;
    browser.open(&conversation_page(&base, &app)).await;
    let top = Frame::top();

    let tabs = browser
        .run(
            &top,
            "return [...document.querySelectorAll('#conversation-tabs [role=tab]')].map(t => t.id);",
        )
        .await;
    assert_eq!(
        tabs,
        json!([
            "tab-messages",
            format!("tab-app-{a}"),
            format!("tab-app-{b}")
        ])
    );
    let frame_count = "return document.querySelectorAll('iframe.dashboard-app-frame').length;";
    assert_eq!(
        browser.run(&top, frame_count).await,
        json!(0),
        "no frame before a tab opens"
    );
    assert_eq!(
        recorder.page_hits(),
        0,
        "no app page loaded before a tab opens"
    );

    browser.open_tab(a).await;
    let frame = Frame::app(a, 0);
    wait_count(&browser, &frame, 1).await;
    assert_eq!(
        browser.run(&top, frame_count).await,
        json!(1),
        "only the opened app's frame"
    );
    assert_eq!(recorder.page_hits(), 1);
    browser
        .run(&frame, "window.__marker = 'kept'; return true;")
        .await;
    let css = crate::harness::app_frame_css(a, 0);
    browser
        .run(
            &top,
            &format!("document.querySelector({css:?}).__marker = 'same element'; return true;"),
        )
        .await;

    // Away to Messages and back.
    browser.click("#tab-messages").await;
    let hidden = format!("return document.getElementById('panel-app-{a}').hidden;");
    assert_eq!(browser.run(&top, &hidden).await, json!(true));
    assert_eq!(
        browser
            .run(
                &top,
                "return document.getElementById('panel-messages').hidden;"
            )
            .await,
        json!(false)
    );
    browser.open_tab(a).await;
    assert_eq!(browser.run(&top, &hidden).await, json!(false));
    assert_eq!(
        browser.run(&top, frame_count).await,
        json!(1),
        "the frame was not recreated"
    );
    let same = format!("return document.querySelector({css:?}).__marker;");
    assert_eq!(browser.run(&top, &same).await, json!("same element"));
    assert_eq!(
        browser.run(&frame, "return window.__marker;").await,
        json!("kept")
    );
    browser
        .stays(&frame, COUNT, &json!(1), "the message count (no reload)")
        .await;
    assert_eq!(recorder.page_hits(), 1, "the app page was not loaded again");

    // The other app's frame appears only when its own tab opens; the first is still kept.
    browser.open_tab(b).await;
    wait_count(&browser, &Frame::app(b, 0), 1).await;
    assert_eq!(recorder.page_hits(), 2);
    browser.open_tab(a).await;
    assert_eq!(
        browser.run(&frame, "return window.__marker;").await,
        json!("kept")
    );
    assert_eq!(browser.run(&top, frame_count).await, json!(2));
}
