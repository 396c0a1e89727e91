//! The website widget in a real browser (issue 15): a shop on another origin embeds Chatwoot's
//! snippet (`widget_setup.rs`). The visitor opens the bubble and chats; the agent's
//! conversation page hears it live and replies; `setUser` with a valid hash identifies the
//! visitor; the conversation survives a reload; `reset()` starts a fresh visitor.

use crate::harness::{Browser, Frame, TIMEOUT};
use crate::support::{self, TestApp};
use crate::widget_setup::{
    api_until, enter_window, in_window, in_window_until, open_chat, shop, thread_text, top, write,
    Tabs, SHADOW,
};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

fn hmac_hex(secret: &str, identifier: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(identifier.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// An agent's `/cable` subscription, as the workspace's own pages make it.
async fn agent_socket(
    app: &TestApp,
    base: &str,
) -> tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>> {
    use futures_util::SinkExt;
    let body = json!({"email": app.admin.email, "password": support::PASSWORD}).to_string();
    let signed_in = app
        .request(axum::http::Method::POST, "/auth/sign_in", None, Some(&body))
        .await
        .json();
    let token = signed_in["data"]["pubsub_token"]
        .as_str()
        .expect("a pubsub token");
    let url = format!("{}/cable", base.replacen("http", "ws", 1));
    let (mut socket, _) = tokio_tungstenite::connect_async(url)
        .await
        .expect("the socket opens");
    let identifier = json!({"channel": "RoomChannel", "pubsub_token": token}).to_string();
    let command = json!({"command": "subscribe", "identifier": identifier}).to_string();
    socket
        .send(tokio_tungstenite::tungstenite::Message::Text(
            command.into(),
        ))
        .await
        .expect("subscribe sent");
    // Subscribed before anything happens, so no event is missed.
    use futures_util::StreamExt;
    let deadline = tokio::time::Instant::now() + TIMEOUT;
    loop {
        let frame = tokio::time::timeout_at(deadline, socket.next())
            .await
            .expect("a subscription answer")
            .expect("the socket stays open")
            .expect("a frame");
        if let tokio_tungstenite::tungstenite::Message::Text(text) = frame {
            let value: Value = serde_json::from_str(text.as_str()).expect("JSON frames");
            if value["type"] == "confirm_subscription" {
                return socket;
            }
        }
    }
}

/// The next `event` frame on `socket` (10 s at most).
async fn cable_event(
    socket: &mut tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
    event: &str,
) -> Value {
    use futures_util::StreamExt;
    let deadline = tokio::time::Instant::now() + TIMEOUT;
    loop {
        let frame = tokio::time::timeout_at(deadline, socket.next())
            .await
            .unwrap_or_else(|_| panic!("no {event} came"))
            .expect("the socket stays open")
            .expect("a frame");
        if let tokio_tungstenite::tungstenite::Message::Text(text) = frame {
            let value: Value = serde_json::from_str(text.as_str()).expect("JSON frames");
            if value["message"]["event"] == event {
                return value["message"]["data"].clone();
            }
        }
    }
}

#[tokio::test]
async fn a_visitor_on_another_site_chats_live_with_an_agent_through_chatwoots_snippet() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let base = app.serve().await;
    let body = json!({"name": "Shop", "channel": {"type": "web_widget", "website_url": "https://shop.example",
                      "widget_color": "#118844", "welcome_title": "Hello from the shop"}});
    let inbox = app
        .post(&app.api("inboxes"), &app.admin, &body)
        .await
        .json();
    let token = inbox["website_token"]
        .as_str()
        .expect("a website token")
        .to_owned();
    let secret = inbox["hmac_token"]
        .as_str()
        .expect("the hmac token")
        .to_owned();
    let shop = shop(&base, &token).await;
    assert_ne!(shop, base, "the shop is another origin");

    // The shop's styles reach neither the bubble nor the window.
    open_chat(&browser, &shop).await;
    let bubble = top(
        &browser,
        &format!(
            "const b = {SHADOW}.querySelector('button.bubble'); const s = getComputedStyle(b);
                  return [s.display, s.width, s.backgroundColor];"
        ),
    )
    .await;
    assert_eq!(bubble, json!(["flex", "60px", "rgb(17, 136, 68)"]));
    let window = in_window(
        &browser,
        "const s = getComputedStyle(document.body); const h = document.getElementById('chat-title');
         return [s.fontSize, getComputedStyle(h).color, h.textContent, document.body.dataset.cable];",
    )
    .await
    .expect("the window");
    assert_eq!(window[0], "15px");
    assert_eq!(window[1], "rgb(255, 255, 255)");
    assert_eq!(window[2], "Hello from the shop");
    let events = top(&browser, "return window.__events.map((e) => e.name);").await;
    assert_eq!(events, json!(["chatwoot:ready", "chatwoot:opened"]));

    // The visitor writes; a conversation opens with the browser's fields.
    write(&browser, "Hi, where is my order? <b>not bold</b>").await;
    let display_id = in_window_until(
        &browser,
        "return document.body.dataset.conversation || null",
        "the conversation",
        |v| v.is_string(),
    )
    .await;
    let display_id: i64 = display_id.as_str().unwrap().parse().unwrap();
    in_window_until(&browser, thread_text(), "the visitor's message", |v| {
        v.as_str().is_some_and(|t| t.contains("<b>not bold</b>"))
    })
    .await;
    let conversation_uri = app.api(&format!("conversations/{display_id}"));
    let shown = app.get(&conversation_uri, &app.admin).await.json();
    let fields = &shown["additional_attributes"];
    assert_eq!(fields["browser"]["browser_name"], "Chrome", "{fields}");
    assert!(fields["browser"]["browser_version"]
        .as_str()
        .is_some_and(|v| !v.is_empty()));
    assert!(
        fields["referer"]
            .as_str()
            .is_some_and(|r| r.starts_with(&shop)),
        "{fields}"
    );
    assert!(fields["initiated_at"]["timestamp"]
        .as_str()
        .is_some_and(|t| !t.is_empty()));
    // A dashboard app beside the conversation gets the same real values.
    let context = app
        .get(
            &app.api(&format!("conversations/{display_id}/app_context")),
            &app.admin,
        )
        .await
        .json();
    assert_eq!(
        &context["data"]["conversation"]["additional_attributes"], fields,
        "{context}"
    );
    // While the visitor's window is connected, the contact is online there.
    in_window_until(
        &browser,
        "return document.body.dataset.cable || null",
        "the window's /cable",
        |v| v == &json!("open"),
    )
    .await;
    let context_uri = app.api(&format!("conversations/{display_id}/app_context"));
    let context = app.get(&context_uri, &app.admin).await.json();
    assert_eq!(
        context["data"]["contact"]["availability_status"], "online",
        "{context}"
    );
    assert_eq!(
        context["data"]["conversation"]["meta"]["sender"]["availability_status"],
        "online"
    );

    // The agent's page, in another tab, hears the visitor live.
    let tabs = Tabs::agent_beside(
        &browser,
        &app,
        &base,
        &format!("conversations/{display_id}"),
    )
    .await;
    browser.find("body[data-cable=\"open\"]").await;
    tabs.to_visitor(&browser).await;
    // The visitor typing reaches the agents as the contact typing.
    let mut socket = agent_socket(&app, &base).await;
    in_window(
        &browser,
        "const input = document.getElementById('composer-input'); input.value = 'Ord';
         input.dispatchEvent(new Event('input')); return true;",
    )
    .await
    .expect("typing");
    let typing = cable_event(&mut socket, "conversation.typing_on").await;
    assert_eq!(typing["conversation"]["id"], display_id);
    assert_eq!(typing["user"]["type"], "contact", "{typing}");
    write(&browser, "Order 1042, thanks").await;
    tabs.to_agent(&browser).await;
    browser
        .eventually(
            &Frame::top(),
            "return document.getElementById('thread').textContent",
            "the visitor's second message",
            |v| v.as_str().is_some_and(|t| t.contains("Order 1042, thanks")),
        )
        .await;

    // The agent types and replies; the visitor sees both live, with the agent's name.
    tabs.to_visitor(&browser).await;
    let typing = app.api(&format!("conversations/{display_id}/toggle_typing_status"));
    app.post(&typing, &app.admin, &json!({"typing_status": "on"}))
        .await;
    in_window_until(
        &browser,
        "return !document.getElementById('agent-typing').hidden",
        "the agent typing",
        |v| v == &json!(true),
    )
    .await;
    let messages = app.api(&format!("conversations/{display_id}/messages"));
    let reply = app
        .post(&messages, &app.admin, &json!({"content": "It ships today"}))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let theirs = in_window_until(
        &browser,
        "const m = [...document.querySelectorAll('.message.theirs')].pop();
         return m ? [m.querySelector('.content').textContent, m.querySelector('.sender-name').textContent] : null;",
        "the agent's reply",
        |v| v.is_array(),
    )
    .await;
    assert_eq!(theirs[0], "It ships today");
    assert!(
        theirs[1].as_str().is_some_and(|n| !n.is_empty()),
        "{theirs}"
    );
    let heard = top(&browser, "return window.__events.filter((e) => e.name === 'chatwoot:on-message').map((e) => e.detail.content);").await;
    assert_eq!(heard, json!(["It ships today"]));
    // Read while open: the agents see when the visitor last looked.
    let replied_at = reply.json()["created_at"].as_i64().expect("a time");
    api_until(
        &app,
        &conversation_uri,
        "contact_last_seen_at to catch up",
        |c| c["contact_last_seen_at"].as_i64().unwrap_or(0) >= replied_at,
    )
    .await;

    // setUser with a valid hash: the agents see who it is, verified.
    let hash = hmac_hex(&secret, "customer-42");
    top(
        &browser,
        &format!("window.$chatwoot.setUser('customer-42', {{name: 'Dana Visitor', email: 'dana@example.com', identifier_hash: '{hash}'}}); return true;"),
    )
    .await;
    api_until(
        &app,
        &conversation_uri,
        "setUser to verify the visitor",
        |c| {
            c["meta"]["hmac_verified"] == json!(true)
                && c["meta"]["sender"]["name"] == "Dana Visitor"
        },
    )
    .await;
    // The site labels the conversation and sets the visitor's and the conversation's attributes.
    let label = app
        .post(&app.api("labels"), &app.admin, &json!({"title": "vip"}))
        .await;
    assert_eq!(label.status, 200, "{}", label.text);
    top(
        &browser,
        "const c = window.$chatwoot; c.setLabel('vip'); c.setConversationCustomAttributes({plan: 'gold', seats: 3});
         c.deleteConversationCustomAttribute('seats'); c.setCustomAttributes({tier: 'gold', tmp: 1});
         c.deleteCustomAttribute('tmp'); return true;",
    )
    .await;
    api_until(&app, &conversation_uri, "the site's calls to land", |c| {
        c["labels"] == json!(["vip"])
            && c["custom_attributes"] == json!({"plan": "gold"})
            && c["meta"]["sender"]["custom_attributes"] == json!({"tier": "gold"})
    })
    .await;
    top(
        &browser,
        "window.$chatwoot.removeLabel('vip'); return true;",
    )
    .await;
    api_until(&app, &conversation_uri, "removeLabel to land", |c| {
        c["labels"] == json!([])
    })
    .await;
    // A bad hash is refused and said as chatwoot:error.
    top(&browser, "window.$chatwoot.setUser('customer-43', {name: 'Mallory', identifier_hash: 'bad'}); return true;").await;
    browser
        .eventually(
            &Frame::top(),
            "return window.__events.some((e) => e.name === 'chatwoot:error')",
            "chatwoot:error",
            |v| v == &json!(true),
        )
        .await;

    // A reload of the shop keeps the conversation.
    let cookie = top(&browser, "return document.cookie").await;
    assert!(
        cookie
            .as_str()
            .is_some_and(|c| c.contains("cw_conversation=")),
        "{cookie}"
    );
    open_chat(&browser, &shop).await;
    in_window_until(&browser, thread_text(), "the earlier messages", |v| {
        v.as_str()
            .is_some_and(|t| t.contains("Order 1042, thanks") && t.contains("It ships today"))
    })
    .await;
    let again = in_window(&browser, "return document.body.dataset.conversation")
        .await
        .unwrap();
    assert_eq!(again, json!(display_id.to_string()));

    // reset(): a fresh visitor, with no conversation yet.
    let before = top(
        &browser,
        "return document.cookie.match(/cw_conversation=([^;]+)/)[1]",
    )
    .await;
    top(
        &browser,
        "window.$chatwoot.reset(); window.$chatwoot.toggle('open'); return true;",
    )
    .await;
    let fresh = in_window_until(
        &browser,
        "return document.body.hasAttribute('data-ready') ? [document.body.dataset.conversation || null, document.getElementById('messages').children.length] : null",
        "a fresh session",
        |v| v.is_array(),
    )
    .await;
    assert_eq!(fresh, json!([null, 0]));
    let after = browser
        .eventually(
            &Frame::top(),
            "const m = document.cookie.match(/cw_conversation=([^;]+)/); return m ? m[1] : null",
            "a new visitor token",
            |v| v.is_string() && v != &before,
        )
        .await;
    assert_ne!(after, before);
}

#[tokio::test]
async fn an_administrator_adds_a_website_inbox_and_gets_the_snippet_to_paste() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let base = app.serve().await;
    browser.sign_in(&base, &app.admin.email).await;
    let settings = format!(
        "{base}/app/accounts/{}/settings/inboxes",
        app.acme.account_id
    );
    browser.open(&settings).await;
    browser.click("#add-resource").await;
    // The website's settings show only once the channel says so.
    let website_hidden =
        "return document.getElementById('inbox-website-url').closest('.form-field').hidden";
    assert_eq!(top(&browser, website_hidden).await, json!(true));
    top(
        &browser,
        "const s = document.getElementById('inbox-channel-type'); s.value = 'web_widget';
         s.dispatchEvent(new Event('change', {bubbles: true})); return true;",
    )
    .await;
    assert_eq!(top(&browser, website_hidden).await, json!(false));
    browser.fill("#inbox-name", "Storefront").await;
    browser
        .fill("#inbox-website-url", "https://store.example")
        .await;
    browser.fill("#inbox-welcome-title", "Hello <there>").await;
    top(&browser, "window.__stale = true; return true;").await;
    browser.click("#resource-save").await;
    browser
        .eventually(
            &Frame::top(),
            "return !window.__stale && document.body.dataset.ready === 'true'",
            "the page after adding",
            |v| v == &json!(true),
        )
        .await;

    let listed = app.get(&app.api("inboxes"), &app.admin).await.json();
    let added = listed["payload"]
        .as_array()
        .and_then(|all| all.iter().find(|i| i["name"] == "Storefront").cloned())
        .expect("the new inbox");
    assert_eq!(added["channel_type"], "Channel::WebWidget");
    assert_eq!(added["website_url"], "https://store.example");
    assert_eq!(added["welcome_title"], "Hello <there>");
    let token = added["website_token"].as_str().expect("a website token");
    let row = top(
        &browser,
        "const r = document.querySelector('tr[data-name=\"Storefront\"]');
         const s = document.querySelector(`tr[data-snippet-for=\"${r.dataset.id}\"] .widget-script`);
         return [r.querySelector('.inbox-channel').textContent, s.textContent];",
    )
    .await;
    assert_eq!(row[0], "Website");
    let snippet = row[1].as_str().expect("the snippet");
    assert!(
        snippet.contains(&format!("var BASE_URL=\"{base}\";")),
        "{snippet}"
    );
    assert!(
        snippet.contains(&format!("websiteToken: '{token}'")),
        "{snippet}"
    );
    assert!(snippet.contains("window.chatwootSDK.run({"), "{snippet}");
}

#[tokio::test]
async fn the_pre_chat_form_asks_the_visitor_first_and_greets_as_configured() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let base = app.serve().await;
    let fields = json!([
        {"field_type": "standard", "label": "Email Id", "name": "emailAddress", "type": "email", "required": true, "enabled": true},
        {"field_type": "standard", "label": "Full name", "name": "fullName", "type": "text", "required": false, "enabled": true},
        {"field_type": "standard", "label": "Phone number", "name": "phoneNumber", "type": "text", "required": false, "enabled": false},
        {"field_type": "conversation_attribute", "label": "Order", "name": "order_ref", "type": "text", "required": false, "enabled": true}
    ]);
    let body = json!({"name": "Shop", "greeting_enabled": true, "greeting_message": "Welcome! <i>Ask away.</i>",
                      "channel": {"type": "web_widget", "website_url": "https://shop.example", "pre_chat_form_enabled": true,
                                  "pre_chat_form_options": {"pre_chat_message": "Tell us who you are", "pre_chat_fields": fields}}});
    let inbox = app
        .post(&app.api("inboxes"), &app.admin, &body)
        .await
        .json();
    let token = inbox["website_token"]
        .as_str()
        .expect("a website token")
        .to_owned();
    let shop = shop(&base, &token).await;
    open_chat(&browser, &shop).await;

    let form = in_window(
        &browser,
        "return [document.getElementById('greeting').textContent, document.getElementById('pre-chat').hidden,
                 document.getElementById('composer').hidden, document.getElementById('pre-chat-message').textContent,
                 [...document.querySelectorAll('#pre-chat-fields input')].map((i) => i.name)];",
    )
    .await
    .expect("the window");
    assert_eq!(
        form,
        json!([
            "Welcome! <i>Ask away.</i>",
            false,
            true,
            "Tell us who you are",
            ["emailAddress", "fullName", "order_ref"]
        ])
    );
    in_window(
        &browser,
        "const f = (n, v) => { document.querySelector(`#pre-chat-fields input[name=${n}]`).value = v; };
         f('emailAddress', 'pat@example.com'); f('fullName', 'Pat Visitor'); f('order_ref', 'A-17');
         document.getElementById('pre-chat').requestSubmit(); return true;",
    )
    .await
    .expect("the form submits");
    in_window_until(
        &browser,
        "return document.getElementById('composer').hidden",
        "the composer",
        |v| v == &json!(false),
    )
    .await;
    write(&browser, "Where is A-17?").await;
    let display_id = in_window_until(
        &browser,
        "return document.body.dataset.conversation || null",
        "the conversation",
        |v| v.is_string(),
    )
    .await;
    let shown = app
        .get(
            &app.api(&format!("conversations/{}", display_id.as_str().unwrap())),
            &app.admin,
        )
        .await
        .json();
    assert_eq!(shown["meta"]["sender"]["name"], "Pat Visitor", "{shown}");
    assert_eq!(shown["meta"]["sender"]["email"], "pat@example.com");
    assert_eq!(shown["custom_attributes"], json!({"order_ref": "A-17"}));
}

#[tokio::test]
async fn the_demo_shop_page_embeds_the_accounts_website_inbox() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let base = app.serve().await;
    let registration = web::demo_app::Registration {
        store: app.store().clone(),
        account_id: domain::AccountId(app.acme.account_id),
        app_id: domain::DashboardAppId(1),
        host_url: base.clone(),
        secret_key: app.state.secret_key.clone(),
    };
    let demo = support::serve_router(web::demo_app::router(Some(registration))).await;
    // No website inbox yet: nothing to show.
    browser
        .client
        .goto(&format!("{demo}/widget-demo"))
        .await
        .expect("the page opens");
    let text = top(&browser, "return document.body.textContent").await;
    assert!(
        text.as_str()
            .is_some_and(|t| t.contains("no website inbox")),
        "{text}"
    );

    let body = json!({"name": "Shop", "channel": {"type": "web_widget", "website_url": "https://shop.example"}});
    let inbox = app
        .post(&app.api("inboxes"), &app.admin, &body)
        .await
        .json();
    browser
        .client
        .goto(&format!("{demo}/widget-demo"))
        .await
        .expect("the page opens");
    let token = browser
        .eventually(&Frame::top(), "return window.$chatwoot && window.$chatwoot.hasLoaded ? window.$chatwoot.websiteToken : null", "the widget on the demo page", |v| v.is_string())
        .await;
    assert_eq!(token, inbox["website_token"]);
    top(
        &browser,
        &format!("{SHADOW}.querySelector('button.bubble').click(); return true;"),
    )
    .await;
    in_window_until(
        &browser,
        "return document.body.hasAttribute('data-ready')",
        "the window",
        |v| v == &json!(true),
    )
    .await;
}

/// A small PNG, as an upload.
fn png() -> Vec<u8> {
    let mut bytes = std::io::Cursor::new(Vec::new());
    image::RgbImage::from_pixel(40, 30, image::Rgb([200, 60, 30]))
        .write_to(&mut bytes, image::ImageFormat::Png)
        .expect("a PNG");
    bytes.into_inner()
}

#[tokio::test]
async fn files_travel_both_ways_between_the_window_and_the_agent() {
    use tower::ServiceExt;
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let base = app.serve().await;
    let body = json!({"name": "Shop", "channel": {"type": "web_widget", "website_url": "https://shop.example"}});
    let inbox = app
        .post(&app.api("inboxes"), &app.admin, &body)
        .await
        .json();
    let shop = shop(&base, inbox["website_token"].as_str().unwrap()).await;
    open_chat(&browser, &shop).await;

    // The visitor picks a picture and sends it.
    let picture = std::env::temp_dir().join(format!("widget-{}.png", rand::random::<u64>()));
    std::fs::write(&picture, png()).expect("the picture is written");
    enter_window(&browser).await.expect("the window");
    browser
        .client
        .find(fantoccini::Locator::Css("#composer-file"))
        .await
        .expect("the file input")
        .send_keys(&picture.display().to_string())
        .await
        .expect("the picker takes a file");
    write(&browser, "A photo of the parcel").await;
    let display_id = in_window_until(
        &browser,
        "return document.body.dataset.conversation || null",
        "the conversation",
        |v| v.is_string(),
    )
    .await;
    let messages_uri = app.api(&format!(
        "conversations/{}/messages",
        display_id.as_str().unwrap()
    ));
    let thread = api_until(&app, &messages_uri, "the visitor's picture", |t| {
        t["payload"].as_array().is_some_and(|all| {
            all.iter()
                .any(|m| m["attachments"][0]["file_type"] == "image")
        })
    })
    .await;
    assert!(thread.to_string().contains("A photo of the parcel"));
    std::fs::remove_file(picture).expect("the picture is removed");

    // The agent answers with a picture; the window shows it.
    let boundary = "widget-test-boundary";
    let mut form = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"content\"\r\n\r\nThe label\r\n--{boundary}\r\n\
         Content-Disposition: form-data; name=\"attachments[]\"; filename=\"label.png\"\r\nContent-Type: image/png\r\n\r\n"
    )
    .into_bytes();
    form.extend(png());
    form.extend(format!("\r\n--{boundary}--\r\n").into_bytes());
    let request = axum::http::Request::post(&messages_uri)
        .header("api_access_token", &app.admin.token)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(axum::body::Body::from(form))
        .expect("a request");
    let sent = app
        .router
        .clone()
        .oneshot(request)
        .await
        .expect("an answer");
    assert_eq!(sent.status(), 200);
    in_window_until(
        &browser,
        "const img = document.querySelector('.message.theirs .attachment img'); return !!img && img.complete && img.naturalWidth > 0;",
        "the agent's picture in the window",
        |v| v == &json!(true),
    )
    .await;
    let mine = in_window(
        &browser,
        "return !!document.querySelector('.message.mine .attachment img');",
    )
    .await
    .unwrap();
    assert_eq!(mine, json!(true));
}

/// A website inbox with business hours on and `day` (Chatwoot's `working_hours` entry, without
/// `day_of_week`) for every day of the week, so whether it is open does not depend on the clock.
async fn inbox_with_hours(app: &TestApp, name: &str, day: Value) -> Value {
    let week: Vec<Value> = (0..7)
        .map(|n| {
            let mut entry = day.clone();
            entry["day_of_week"] = json!(n);
            entry
        })
        .collect();
    let body = json!({"name": name, "working_hours_enabled": true, "timezone": "Pacific/Auckland",
                      "out_of_office_message": "We are closed; we answer tomorrow.",
                      "working_hours": week,
                      "channel": {"type": "web_widget", "website_url": "https://shop.example"}});
    let res = app.post(&app.api("inboxes"), &app.admin, &body).await;
    assert_eq!(res.status, 200, "{}", res.text);
    res.json()
}

/// What the window's header and thread say about availability.
const AVAILABILITY: &str = "const text = (id) => { const e = document.getElementById(id); return e ? e.textContent : null; };
     return [text('away-status'), text('away-message'), text('reply-time')];";

#[tokio::test]
async fn a_closed_inbox_shows_its_away_message_and_an_open_one_does_not() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let base = app.serve().await;

    let closed = inbox_with_hours(&app, "Closed", json!({"closed_all_day": true})).await;
    let shop_closed = shop(&base, closed["website_token"].as_str().unwrap()).await;
    open_chat(&browser, &shop_closed).await;
    let shown = in_window(&browser, AVAILABILITY).await.expect("the window");
    assert_eq!(
        shown,
        json!([
            "We are away at the moment",
            "We are closed; we answer tomorrow.",
            null
        ])
    );
    let visible = in_window(
        &browser,
        "const e = document.getElementById('away-message'); return e.getBoundingClientRect().height > 0 && getComputedStyle(e).display !== 'none';",
    )
    .await
    .expect("the window");
    assert_eq!(visible, json!(true));
    // Writing while closed brings the out-of-office message into the thread, from the inbox.
    write(&browser, "Anyone there?").await;
    in_window_until(
        &browser,
        "return [...document.querySelectorAll('#messages .message.theirs')].map((m) => m.textContent).join('|')",
        "the out-of-office reply",
        |v| v.as_str().is_some_and(|t| t.contains("We are closed; we answer tomorrow.")),
    )
    .await;

    let open = inbox_with_hours(&app, "Open", json!({"open_all_day": true})).await;
    let shop_open = shop(&base, open["website_token"].as_str().unwrap()).await;
    open_chat(&browser, &shop_open).await;
    let shown = in_window(&browser, AVAILABILITY).await.expect("the window");
    assert_eq!(
        shown,
        json!([null, null, "Typically replies in a few minutes"])
    );
}

#[tokio::test]
async fn an_administrator_sets_business_hours_on_the_inbox_settings_page() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let base = app.serve().await;
    browser.sign_in(&base, &app.admin.email).await;
    let settings = format!(
        "{base}/app/accounts/{}/settings/inboxes",
        app.acme.account_id
    );
    browser.open(&settings).await;
    let edit = format!(
        "tr[data-id=\"{}\"] button[data-action=\"edit\"]",
        app.acme.inbox_id
    );
    browser.click(&edit).await;
    // The week starts as Chatwoot's default: Sunday closed, Monday 9:00 to 17:00.
    let week = top(
        &browser,
        "return [0, 1].map((d) => { const l = document.querySelector(`.inbox-day[data-day=\"${d}\"]`);
           return [l.querySelector('select').value, l.querySelector('.inbox-day-open').value,
                   l.querySelector('.inbox-day-close').value]; });",
    )
    .await;
    assert_eq!(
        week,
        json!([
            ["closed_all_day", "09:00", "17:00"],
            ["hours", "09:00", "17:00"]
        ])
    );
    browser.click("#inbox-working-hours-enabled").await;
    browser
        .fill("#inbox-out-of-office-message", "Back at nine")
        .await;
    // An unknown zone is refused beside its field; nothing is saved.
    top(
        &browser,
        "const t = document.getElementById('inbox-timezone'); t.value = 'Mars/Base'; return true;",
    )
    .await;
    browser.click("#resource-save").await;
    browser
        .eventually(
            &Frame::top(),
            "return document.getElementById('inbox-timezone-error').textContent",
            "the time zone's error",
            |v| v.as_str().is_some_and(|t| t.contains("time zone")),
        )
        .await;
    let unchanged = app
        .get(
            &app.api(&format!("inboxes/{}", app.acme.inbox_id)),
            &app.admin,
        )
        .await
        .json();
    assert_eq!(unchanged["working_hours_enabled"], false);

    top(
        &browser,
        "document.getElementById('inbox-timezone').value = 'Asia/Tokyo';
         const sunday = document.querySelector('.inbox-day[data-day=\"0\"] select');
         sunday.value = 'open_all_day'; sunday.dispatchEvent(new Event('change', {bubbles: true}));
         const close = document.querySelector('.inbox-day[data-day=\"1\"] .inbox-day-close');
         close.value = '12:30'; close.dispatchEvent(new Event('input', {bubbles: true}));
         window.__stale = true; return true;",
    )
    .await;
    browser.click("#resource-save").await;
    browser
        .eventually(
            &Frame::top(),
            "return !window.__stale && document.body.dataset.ready === 'true'",
            "the page after saving",
            |v| v == &json!(true),
        )
        .await;
    let saved = app
        .get(
            &app.api(&format!("inboxes/{}", app.acme.inbox_id)),
            &app.admin,
        )
        .await
        .json();
    assert_eq!(saved["working_hours_enabled"], true, "{saved}");
    assert_eq!(saved["timezone"], "Asia/Tokyo");
    assert_eq!(saved["out_of_office_message"], "Back at nine");
    assert_eq!(saved["working_hours"][0]["open_all_day"], true);
    assert_eq!(saved["working_hours"][1]["close_hour"], 12);
    assert_eq!(saved["working_hours"][1]["close_minutes"], 30);
    assert_eq!(saved["working_hours"][2]["close_hour"], 17);
}
