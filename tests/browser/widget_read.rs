//! The widget's read state and reconnection in a real browser (issue 15, part 3): the agent's
//! open thread says "Seen" on a reply once the visitor opens the window and reads it, without a
//! reload; a window whose socket drops while the agent replies gets the reply by replay when it
//! reconnects, without fetching its thread again; and the closed bubble counts unread replies.

use crate::harness::{Browser, Frame};
use crate::support::TestApp;
use crate::widget_setup::{
    in_window, in_window_until, open_chat, shop, thread_text, top, visitor_writes, website_inbox,
    Tabs,
};
use serde_json::json;

async fn reply(app: &TestApp, display_id: i64, content: &str) {
    let messages = app.api(&format!("conversations/{display_id}/messages"));
    let sent = app
        .post(&messages, &app.admin, &json!({"content": content}))
        .await;
    assert_eq!(sent.status, 200, "{}", sent.text);
}

/// The replies the agent's thread marks seen: each one's content and its mark's text.
const SEEN: &str = "return [...document.querySelectorAll('#thread .message-seen')].map((mark) =>
    [mark.closest('article').querySelector('.message-content').textContent, mark.textContent.trim()]);";

#[tokio::test]
async fn the_agents_open_thread_says_seen_once_the_visitor_reads_the_reply() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let base = app.serve().await;
    let inbox = website_inbox(&app, json!({})).await;
    let shop = shop(&base, inbox["website_token"].as_str().unwrap()).await;
    let display_id = visitor_writes(&browser, &shop, "Is the blue one in stock?").await;
    // The visitor closes the window: what the agent writes now stays unread.
    top(&browser, "window.$chatwoot.toggle('close'); return true;").await;
    in_window_until(
        &browser,
        "return document.body.dataset.open || null",
        "the window to close",
        |v| v == &json!("false"),
    )
    .await;

    // The agent's thread, in another tab, with the reply and no mark.
    let tabs = Tabs::agent_beside(
        &browser,
        &app,
        &base,
        &format!("conversations/{display_id}"),
    )
    .await;
    browser.find("body[data-cable=\"open\"]").await;
    reply(&app, display_id, "Yes, two left").await;
    browser
        .eventually(
            &Frame::top(),
            "return document.getElementById('thread').textContent.includes('Yes, two left')",
            "the reply in the agent's thread",
            |v| v == &json!(true),
        )
        .await;
    browser
        .stays(&Frame::top(), SEEN, &json!([]), "the unread reply's mark")
        .await;
    top(&browser, "window.__samePage = true; return true;").await;

    // The visitor opens the window and reads; the agent's page shows it, without a reload.
    tabs.to_visitor(&browser).await;
    top(&browser, "window.$chatwoot.toggle('open'); return true;").await;
    in_window_until(&browser, thread_text(), "the reply in the window", |v| {
        v.as_str().is_some_and(|t| t.contains("Yes, two left"))
    })
    .await;
    tabs.to_agent(&browser).await;
    browser
        .eventually(&Frame::top(), SEEN, "the reply marked seen", |v| {
            v == &json!([["Yes, two left", "✓✓ Seen"]])
        })
        .await;
    assert_eq!(
        top(&browser, "return window.__samePage === true").await,
        json!(true),
        "the page was not reloaded"
    );
}

/// The window's requests for its conversations or a conversation's messages so far.
const THREAD_FETCHES: &str = "return performance.getEntriesByType('resource')
    .filter((e) => /\\/conversations(\\/\\d+\\/messages)?$/.test(new URL(e.name).pathname)).length;";

/// Holds the window's reconnections (each new socket is closed at once) and tells it the
/// browser went offline, which ends its socket; answers `body[data-cable]`.
const DROP_AND_HOLD: &str = "const Real = window.WebSocket;
    window.__held = true;
    window.WebSocket = function (url, protocols) {
      const socket = new Real(url, protocols);
      if (window.__held) socket.close();
      return socket;
    };
    window.WebSocket.prototype = Real.prototype;
    window.dispatchEvent(new Event('offline'));
    return document.body.dataset.cable;";

#[tokio::test]
async fn a_window_whose_socket_drops_gets_the_missed_reply_by_replay_not_by_reloading() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let base = app.serve().await;
    let inbox = website_inbox(&app, json!({})).await;
    let shop = shop(&base, inbox["website_token"].as_str().unwrap()).await;
    let display_id = visitor_writes(&browser, &shop, "Hello?").await;
    // A reload: this window loads its thread and then hears no event before the drop.
    open_chat(&browser, &shop).await;
    in_window_until(&browser, thread_text(), "the thread", |v| {
        v.as_str().is_some_and(|t| t.contains("Hello?"))
    })
    .await;
    in_window_until(
        &browser,
        "return document.body.dataset.cable || null",
        "the window's /cable",
        |v| v == &json!("open"),
    )
    .await;
    let fetched = in_window(&browser, THREAD_FETCHES).await.unwrap();
    assert_eq!(fetched, json!(2), "the list and the thread, once each");

    let state = in_window(&browser, DROP_AND_HOLD).await.unwrap();
    assert_eq!(state, json!("closed"));
    reply(&app, display_id, "Back in stock tomorrow").await;
    in_window(
        &browser,
        "window.__held = false; window.dispatchEvent(new Event('online')); return true;",
    )
    .await
    .unwrap();
    in_window_until(&browser, thread_text(), "the missed reply", |v| {
        v.as_str()
            .is_some_and(|t| t.contains("Back in stock tomorrow"))
    })
    .await;
    let after = in_window(
        &browser,
        &format!("return [document.body.dataset.cable, (() => {{ {THREAD_FETCHES} }})()];"),
    )
    .await
    .unwrap();
    assert_eq!(after, json!(["open", 2]), "replayed, not re-fetched");
}

/// The bubble's unread badge (gone while the window is open): [shown, its text, the bubble's
/// accessible name].
const BADGE: &str = "const root = document.querySelector('[data-chatwoot-widget]').shadowRoot;
    const dot = root.querySelector('.dot'); const bubble = root.querySelector('button.bubble');
    return [Boolean(dot) && !dot.classList.contains('hidden'), dot ? dot.textContent : null,
            bubble.getAttribute('aria-label')];";

#[tokio::test]
async fn the_closed_bubble_counts_unread_replies_across_a_reload_until_the_visitor_opens_it() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let base = app.serve().await;
    let inbox = website_inbox(&app, json!({})).await;
    let shop = shop(&base, inbox["website_token"].as_str().unwrap()).await;
    let display_id = visitor_writes(&browser, &shop, "Do you ship abroad?").await;
    top(&browser, "window.$chatwoot.toggle('close'); return true;").await;
    in_window_until(
        &browser,
        "return document.body.dataset.open || null",
        "the window to close",
        |v| v == &json!("false"),
    )
    .await;
    assert_eq!(
        top(&browser, BADGE).await[0],
        json!(false),
        "none unread yet"
    );

    reply(&app, display_id, "Yes, to most countries").await;
    reply(&app, display_id, "Which one?").await;
    let counted = json!([true, "2", "Chat with us (2 unread messages)"]);
    browser
        .eventually(&Frame::top(), BADGE, "two unread replies", |v| {
            v == &counted
        })
        .await;

    // A reload of the shop, the window still closed: the count comes back from the server.
    browser.open(&shop).await;
    browser
        .eventually(&Frame::top(), BADGE, "the count after a reload", |v| {
            v == &counted
        })
        .await;

    // Opening reads them: the badge goes.
    top(&browser, "window.$chatwoot.toggle('open'); return true;").await;
    browser
        .eventually(&Frame::top(), BADGE, "the badge to go", |v| {
            v[0] == json!(false) && v[2] == json!("Chat with us")
        })
        .await;
}
