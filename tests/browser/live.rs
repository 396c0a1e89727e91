//! The live workspace in a real browser: what the API changes shows up in the open thread, the
//! list and every open app frame without a reload, with `meta.seq` rising per frame.

use crate::harness::{conversation_page, create_app, Browser, Frame};
use crate::recorder::{context_of, received, Recorder, COUNT};
use crate::support::TestApp;
use serde_json::{json, Value};

/// Opens the fixture conversation signed in as the admin and waits for the socket.
async fn live_conversation(browser: &Browser, app: &TestApp, base: &str) {
    browser.sign_in(base, &app.admin.email).await;
    browser.open(&conversation_page(base, app)).await;
    browser.find("body[data-cable=\"open\"]").await;
}

fn messages_uri(app: &TestApp) -> String {
    app.api(&format!("conversations/{}/messages", app.acme.conversation))
}

/// The newest context a recorder frame received.
async fn last_context(browser: &Browser, frame: &Frame) -> Value {
    let all = received(browser, frame).await;
    context_of(all.last().expect("at least one message"))
}

#[tokio::test]
async fn a_message_created_through_the_api_appears_in_the_thread_and_the_list_without_reload() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let base = app.serve().await;
    live_conversation(&browser, &app, &base).await;
    browser
        .run(&Frame::top(), "window.__sameDocument = true; return true;")
        .await;

    let sent = app
        .post(
            &messages_uri(&app),
            &app.agent,
            &json!({"content": "Tracking number is 1Z999"}),
        )
        .await;
    assert_eq!(sent.status, 200, "{}", sent.text);

    browser
        .eventually(
            &Frame::top(),
            "return document.getElementById('thread').textContent",
            "the new message in the thread",
            |v| {
                v.as_str()
                    .is_some_and(|t| t.contains("Tracking number is 1Z999"))
            },
        )
        .await;
    browser
        .eventually(
            &Frame::top(),
            "return document.querySelector('.conversation-list-pane').textContent",
            "the new message in the list",
            |v| {
                v.as_str()
                    .is_some_and(|t| t.contains("Tracking number is 1Z999"))
            },
        )
        .await;
    assert_eq!(
        browser
            .run(&Frame::top(), "return window.__sameDocument === true")
            .await,
        json!(true),
        "no reload happened"
    );
}

#[tokio::test]
async fn a_new_conversation_appears_in_the_list_without_reload() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let base = app.serve().await;
    browser.sign_in(&base, &app.admin.email).await;
    browser
        .open(&format!(
            "{base}/app/accounts/{}/conversations",
            app.acme.account_id
        ))
        .await;
    browser.find("body[data-cable=\"open\"]").await;
    let created = app
        .post(
            &app.api("conversations"),
            &app.admin,
            &json!({"inbox_id": app.acme.inbox_id, "contact_id": app.acme.contact_id, "message": {"content": "A brand new question"}}),
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.text);
    let display_id = created.json()["id"].as_i64().expect("a display id");
    browser
        .eventually(&Frame::top(), &format!("return !!document.querySelector('.conversation-row[data-display-id=\"{display_id}\"]')"), "the new row", |v| v == &json!(true))
        .await;
}

#[tokio::test]
async fn an_open_app_receives_each_change_with_a_higher_seq() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let base = app.serve().await;
    let recorder = Recorder::start().await;
    let app_id = create_app(&app, &app.admin, "Recorder", &[recorder.url("")]).await;
    live_conversation(&browser, &app, &base).await;
    browser.open_tab(app_id).await;
    let frame = Frame::app(app_id, 0);
    browser
        .eventually(&frame, COUNT, "the context on load", |v| {
            v.as_u64().is_some_and(|n| n >= 1)
        })
        .await;
    let first = last_context(&browser, &frame).await;
    let first_seq = first["meta"]["seq"].as_i64().expect("meta.seq");
    assert_eq!(first["meta"]["protocol"], 1);

    // A new message.
    app.post(
        &messages_uri(&app),
        &app.agent,
        &json!({"content": "pushed to the app"}),
    )
    .await;
    let pushed = wait_for_context(&browser, &frame, "the new message", |c| {
        c["data"]["conversation"]["messages"]
            .as_array()
            .is_some_and(|m| m.iter().any(|m| m["content"] == "pushed to the app"))
    })
    .await;
    assert!(pushed["meta"]["seq"].as_i64().unwrap() > first_seq);
    assert_eq!(pushed["meta"]["reason"], "message.created");

    // Snoozing, assigning and labelling each reach the app's next context.
    let conversation =
        |rest: &str| app.api(&format!("conversations/{}/{rest}", app.acme.conversation));
    app.post(
        &conversation("toggle_status"),
        &app.admin,
        &json!({"status": "snoozed", "snoozed_until": "2031-01-01T09:00:00Z"}),
    )
    .await;
    wait_for_context(&browser, &frame, "the snooze", |c| {
        c["data"]["conversation"]["status"] == "snoozed"
    })
    .await;
    app.post(
        &conversation("assignments"),
        &app.admin,
        &json!({"assignee_id": app.agent.id}),
    )
    .await;
    wait_for_context(&browser, &frame, "the assignment", |c| {
        c["data"]["conversation"]["meta"]["assignee"]["id"] == app.agent.id
    })
    .await;
    app.post(
        &conversation("labels"),
        &app.admin,
        &json!({"labels": ["vip"]}),
    )
    .await;
    let labelled = wait_for_context(&browser, &frame, "the label", |c| {
        c["data"]["conversation"]["labels"] == json!(["vip"])
    })
    .await;

    // seq rises strictly across everything this frame received.
    let seqs: Vec<i64> = received(&browser, &frame)
        .await
        .iter()
        .map(|m| context_of(m)["meta"]["seq"].as_i64().expect("seq"))
        .collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    assert!(labelled["meta"]["seq"].as_i64().unwrap() > pushed["meta"]["seq"].as_i64().unwrap());
}

/// Waits until the frame's newest context satisfies `done`.
async fn wait_for_context(
    browser: &Browser,
    frame: &Frame,
    what: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let script = "var r = window.__received || []; return r.length ? r[r.length - 1].data : null;";
    let text = browser
        .eventually(frame, script, what, |v| {
            v.as_str()
                .and_then(|t| serde_json::from_str::<Value>(t).ok())
                .is_some_and(|c| done(&c))
        })
        .await;
    serde_json::from_str(text.as_str().expect("a string")).expect("JSON")
}

#[tokio::test]
async fn switching_conversations_keeps_the_recent_ones_frames_alive() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let base = app.serve().await;
    let recorder = Recorder::start().await;
    let app_id = create_app(&app, &app.admin, "Recorder", &[recorder.url("")]).await;
    let created = app
        .post(
            &app.api("conversations"),
            &app.admin,
            &json!({"inbox_id": app.acme.inbox_id, "contact_id": app.acme.contact_id, "message": {"content": "second question"}}),
        )
        .await;
    let second = created.json()["id"].as_i64().expect("a display id");
    let first = app.acme.conversation;
    let frame_of = |display_id: i64| {
        Frame::top().child(&format!(
            "iframe.dashboard-app-frame[data-conversation=\"{display_id}\"]"
        ))
    };

    live_conversation(&browser, &app, &base).await;
    browser
        .run(&Frame::top(), "window.__sameDocument = true; return true;")
        .await;
    browser.open_tab(app_id).await;
    browser
        .eventually(
            &frame_of(first),
            COUNT,
            "the first conversation's context",
            |v| v.as_u64().is_some_and(|n| n >= 1),
        )
        .await;
    browser
        .run(&frame_of(first), "window.__marker = 'kept'; return true;")
        .await;
    let hits = recorder.page_hits();

    browser
        .click(&format!(".conversation-row[data-display-id=\"{second}\"]"))
        .await;
    browser
        .find(&format!("body[data-conversation=\"{second}\"]"))
        .await;
    browser.open_tab(app_id).await;
    let context = wait_for_context(
        &browser,
        &frame_of(second),
        "the second conversation's context",
        |c| c["data"]["conversation"]["id"] == second,
    )
    .await;
    assert_eq!(context["data"]["contact"]["id"], app.acme.contact_id);

    browser
        .click(&format!(".conversation-row[data-display-id=\"{first}\"]"))
        .await;
    browser
        .find(&format!("body[data-conversation=\"{first}\"]"))
        .await;
    assert_eq!(
        browser
            .run(&frame_of(first), "return window.__marker")
            .await,
        json!("kept")
    );
    assert_eq!(
        recorder.page_hits(),
        hits + 1,
        "only the second conversation's frame loaded"
    );
    assert_eq!(
        browser
            .run(&Frame::top(), "return window.__sameDocument === true")
            .await,
        json!(true),
        "switching did not reload the page"
    );
    let selected = browser
        .run(
            &Frame::top(),
            &format!(
                "return document.getElementById('tab-app-{app_id}').getAttribute('aria-selected')"
            ),
        )
        .await;
    assert_eq!(
        selected,
        json!("true"),
        "the first conversation's app tab is still open"
    );
}

#[tokio::test]
async fn snoozing_assigning_and_labelling_in_the_page_reach_the_apps_next_context() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let label = app
        .post(&app.api("labels"), &app.admin, &json!({"title": "vip"}))
        .await;
    assert_eq!(label.status, 200, "{}", label.text);
    let base = app.serve().await;
    let recorder = Recorder::start().await;
    let app_id = create_app(&app, &app.admin, "Recorder", &[recorder.url("")]).await;
    live_conversation(&browser, &app, &base).await;
    browser.open_tab(app_id).await;
    let frame = Frame::app(app_id, 0);
    browser
        .eventually(&frame, COUNT, "the context on load", |v| {
            v.as_u64().is_some_and(|n| n >= 1)
        })
        .await;

    browser.click("#snooze-open").await;
    browser
        .run(
            &Frame::top(),
            "document.getElementById('snooze-until').value = '2031-03-04T05:06'; return true;",
        )
        .await;
    browser.click("#snooze-save").await;
    let snoozed = wait_for_context(&browser, &frame, "the snooze made in the page", |c| {
        c["data"]["conversation"]["status"] == "snoozed"
    })
    .await;
    assert_eq!(snoozed["meta"]["reason"], "conversation.status_changed");

    browser
        .find("#assignee-select")
        .await
        .select_by_value(&app.agent.id.to_string())
        .await
        .expect("choose the agent");
    browser.click("#assign-save").await;
    wait_for_context(&browser, &frame, "the assignment made in the page", |c| {
        c["data"]["conversation"]["meta"]["assignee"]["id"] == app.agent.id
    })
    .await;

    browser
        .find("#label-select")
        .await
        .select_by_value("vip")
        .await
        .expect("choose vip");
    browser.click("#label-add").await;
    wait_for_context(&browser, &frame, "the label added in the page", |c| {
        c["data"]["conversation"]["labels"] == json!(["vip"])
    })
    .await;
}

#[tokio::test]
async fn frame_urls_are_filled_with_the_conversation_contact_and_agent() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let base = app.serve().await;
    let recorder = Recorder::start().await;
    let url = recorder.url(
        "c={{conversation.id}}&email={{contact.email}}&agent={{agent.email}}&inbox={{inbox.id}}",
    );
    let app_id = create_app(&app, &app.admin, "Recorder", &[url]).await;
    live_conversation(&browser, &app, &base).await;
    browser.open_tab(app_id).await;
    let src = browser
        .run(&Frame::app(app_id, 0), "return location.search")
        .await;
    assert_eq!(
        src,
        json!(format!(
            "?c={}&email=maria%40northwind.example&agent=admin%40acme.test&inbox={}",
            app.acme.conversation, app.acme.inbox_id
        ))
    );
    // The filled frame is still the app's origin, so it gets its context.
    browser
        .eventually(&Frame::app(app_id, 0), COUNT, "the context", |v| {
            v.as_u64().is_some_and(|n| n >= 1)
        })
        .await;
}

#[tokio::test]
async fn each_frame_receives_a_token_signed_with_its_own_apps_secret() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let base = app.serve().await;
    let recorder = Recorder::start().await;
    let app_id = create_app(&app, &app.admin, "Recorder", &[recorder.url("")]).await;
    let other_id = create_app(&app, &app.admin, "Other", &[recorder.url("other=1")]).await;
    let secret = app.rotate_secret(app_id).await;
    let other_secret = app.rotate_secret(other_id).await;
    live_conversation(&browser, &app, &base).await;
    browser.open_tab(app_id).await;
    let frame = Frame::app(app_id, 0);
    browser
        .eventually(&frame, COUNT, "the context", |v| {
            v.as_u64().is_some_and(|n| n >= 1)
        })
        .await;
    let context = last_context(&browser, &frame).await;
    let token = context["token"]
        .as_str()
        .expect("the context carries a token");
    let claims = crate::support::verified_claims(token, &secret, app_id)
        .expect("verifies with its app's secret");
    assert_eq!(claims["conversation_id"], app.acme.conversation);
    assert_eq!(claims["iss"], base);
    assert!(
        crate::support::verified_claims(token, &other_secret, app_id).is_none(),
        "another app's secret does not verify it"
    );
    // An old-style app that only reads data.conversation is unaffected by the extra keys.
    assert_eq!(context["data"]["conversation"]["id"], app.acme.conversation);
}

#[tokio::test]
async fn another_agents_change_to_the_contact_shows_in_the_open_panel() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let base = app.serve().await;
    live_conversation(&browser, &app, &base).await;
    let changed = app
        .patch(
            &app.api(&format!("contacts/{}", app.acme.contact_id)),
            &app.agent,
            &json!({"name": "Maria Lopez-Garcia", "phone_number": "+34600111222"}),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    let panel = "var p = document.getElementById('contact-panel'); \
                 return [p.querySelector('.contact-name').textContent.trim(), \
                 p.querySelector('[data-field=\"phone_number\"]').textContent.trim()];";
    browser
        .eventually(&Frame::top(), panel, "the new name and phone", |v| {
            *v == json!(["Maria Lopez-Garcia", "+34600111222"])
        })
        .await;
}
