//! Requests as Rails reads them: form and multipart bodies with bracket notation, numeric and
//! boolean strings cast, trailing slashes ignored, JSON 404s for unknown routes and methods, and
//! a kept-alive connection that survives a body sent to an unknown route.

use super::{assert_invalid, assert_not_found, ok, raw};
use crate::support::{self, TestApp, TestResponse};
use axum::http::Method;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const FORM: &str = "application/x-www-form-urlencoded";
const BOUNDARY: &str = "----switchboard-test-boundary";

pub(super) async fn form(app: &TestApp, method: Method, uri: &str, body: &str) -> TestResponse {
    raw(
        app,
        method,
        uri,
        &[
            ("api_access_token", &app.admin.token),
            ("content-type", FORM),
        ],
        body.as_bytes().to_vec(),
    )
    .await
}

/// A part of a multipart body: `(name, file name, content)`.
type Part<'a> = (&'a str, Option<&'a str>, &'a str);

fn multipart_body(parts: &[Part]) -> Vec<u8> {
    let mut body = String::new();
    for (name, file, content) in parts {
        body.push_str(&format!("--{BOUNDARY}\r\n"));
        match file {
            Some(file) => body.push_str(&format!(
                "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n"
            )),
            None => body.push_str(&format!(
                "Content-Disposition: form-data; name=\"{name}\"\r\n\r\n"
            )),
        }
        body.push_str(content);
        body.push_str("\r\n");
    }
    body.push_str(&format!("--{BOUNDARY}--\r\n"));
    body.into_bytes()
}

pub(super) async fn multipart(
    app: &TestApp,
    method: Method,
    uri: &str,
    parts: &[Part<'_>],
) -> TestResponse {
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    raw(
        app,
        method,
        uri,
        &[
            ("api_access_token", &app.admin.token),
            ("content-type", &content_type),
        ],
        multipart_body(parts),
    )
    .await
}

fn messages_uri(app: &TestApp) -> String {
    app.api(&format!("conversations/{}/messages", app.acme.conversation))
}

async fn thread(app: &TestApp) -> Vec<Value> {
    let list = ok(&app.get(&messages_uri(app), &app.admin).await);
    list["payload"].as_array().expect("a payload").clone()
}

#[tokio::test]
async fn a_message_is_created_from_a_form_body_bare_or_in_rails_brackets() {
    support::on_each_backend(async |app| {
        let uri = messages_uri(&app);
        let bare = ok(&form(&app, Method::POST, &uri, "content=Hi+there%21&private=true").await);
        assert_eq!(bare["content"], "Hi there!");
        assert_eq!(bare["private"], true);
        let wrapped = ok(&form(
            &app,
            Method::POST,
            &uri,
            "message[content]=Wrapped&message[private]=0&message[message_type]=outgoing",
        )
        .await);
        assert_eq!(wrapped["content"], "Wrapped");
        assert_eq!(wrapped["private"], false);
        assert_eq!(wrapped["message_type"], 1);
    })
    .await;
}

#[tokio::test]
async fn a_message_is_created_from_a_multipart_body() {
    support::on_each_backend(async |app| {
        let uri = messages_uri(&app);
        let parts = [
            ("content", None, "From a multipart client"),
            ("private", None, "true"),
            ("content_attributes[in_reply_to]", None, "7"),
        ];
        let created = ok(&multipart(&app, Method::POST, &uri, &parts).await);
        assert_eq!(created["content"], "From a multipart client");
        assert_eq!(created["private"], true);
        assert_eq!(created["content_attributes"]["in_reply_to"], "7");
    })
    .await;
}

#[tokio::test]
async fn a_file_part_other_than_attachments_is_refused_naming_it_and_nothing_is_written() {
    support::on_each_backend(async |app| {
        let uri = messages_uri(&app);
        let before = thread(&app).await.len();
        let parts = [("content", None, "x"), ("avatar", Some("me.png"), "png")];
        assert_invalid(&multipart(&app, Method::POST, &uri, &parts).await, "avatar");
        assert_eq!(thread(&app).await.len(), before);
    })
    .await;
}

#[tokio::test]
async fn contacts_take_custom_attributes_in_brackets_from_form_and_multipart_bodies() {
    support::on_each_backend(async |app| {
        let created = ok(&form(
            &app,
            Method::POST,
            &app.api("contacts"),
            "name=Ola+Nordmann&email=ola%40example.com&custom_attributes[plan]=pro\
             &custom_attributes[seats]=5&additional_attributes[city]=Oslo",
        )
        .await);
        let contact = &created["payload"]["contact"];
        assert_eq!(contact["name"], "Ola Nordmann");
        assert_eq!(contact["email"], "ola@example.com");
        assert_eq!(
            contact["custom_attributes"],
            json!({"plan": "pro", "seats": "5"})
        );
        assert_eq!(contact["additional_attributes"]["city"], "Oslo");

        let uri = app.api(&format!("contacts/{}", contact["id"]));
        let parts = [("contact[custom_attributes][plan]", None, "enterprise")];
        let updated = ok(&multipart(&app, Method::PATCH, &uri, &parts).await);
        assert_eq!(
            updated["payload"]["custom_attributes"]["plan"],
            "enterprise"
        );
        let shown = ok(&app.get(&uri, &app.admin).await);
        assert_eq!(shown["payload"]["custom_attributes"]["plan"], "enterprise");
    })
    .await;
}

#[tokio::test]
async fn conversation_labels_are_read_from_repeated_bracket_keys() {
    support::on_each_backend(async |app| {
        let uri = app.api(&format!("conversations/{}/labels", app.acme.conversation));
        let res = form(&app, Method::POST, &uri, "labels[]=billing&labels[]=vip").await;
        assert_eq!(ok(&res)["payload"], json!(["billing", "vip"]));
        assert_eq!(
            ok(&app.get(&uri, &app.admin).await)["payload"],
            json!(["billing", "vip"])
        );
    })
    .await;
}

#[tokio::test]
async fn agents_are_created_and_updated_from_wrapped_form_bodies() {
    support::on_each_backend(async |app| {
        let created = ok(&form(
            &app,
            Method::POST,
            &app.api("agents"),
            "agent[name]=Form+Agent&agent[email]=form%40acme.test&agent[role]=agent",
        )
        .await);
        assert_eq!(created["name"], "Form Agent");
        assert_eq!(created["role"], "agent");
        let uri = app.api(&format!("agents/{}", created["id"]));
        let updated = ok(&form(&app, Method::PATCH, &uri, "role=administrator").await);
        assert_eq!(updated["role"], "administrator");
    })
    .await;
}

#[tokio::test]
async fn numeric_and_boolean_strings_are_cast_in_json_bodies_too() {
    support::on_each_backend(async |app| {
        let created = ok(&app
            .post(
                &app.api("conversations"),
                &app.admin,
                &json!({"inbox_id": app.acme.inbox_id.to_string(), "contact_id": app.acme.contact_id.to_string()}),
            )
            .await);
        assert_eq!(created["inbox_id"], app.acme.inbox_id);
        let note = ok(&app
            .post(&messages_uri(&app), &app.admin, &json!({"content": "n", "private": "1"}))
            .await);
        assert_eq!(note["private"], true);
        let reply = ok(&app
            .post(&messages_uri(&app), &app.admin, &json!({"content": "r", "private": "false"}))
            .await);
        assert_eq!(reply["private"], false);
    })
    .await;
}

#[tokio::test]
async fn a_value_that_cannot_be_cast_is_a_422_naming_its_field_and_writes_nothing() {
    support::on_each_backend(async |app| {
        let before = thread(&app).await.len();
        let uri = messages_uri(&app);
        let res = app
            .post(
                &uri,
                &app.admin,
                &json!({"content": "x", "private": "perhaps"}),
            )
            .await;
        assert_invalid(&res, "private");
        assert_invalid(
            &form(&app, Method::POST, &uri, "content=x&private=maybe").await,
            "private",
        );
        assert_eq!(thread(&app).await.len(), before);
        let res = form(
            &app,
            Method::POST,
            &app.api("conversations"),
            "inbox_id=3rd",
        )
        .await;
        assert_invalid(&res, "inbox_id");
        let res = form(
            &app,
            Method::POST,
            &app.api("contacts"),
            "name=A&inbox_id[]=1",
        )
        .await;
        assert_invalid(&res, "inbox_id");
    })
    .await;
}

#[tokio::test]
async fn malformed_and_deeply_nested_form_bodies_are_4xx_naming_the_field() {
    support::on_each_backend(async |app| {
        let uri = app.api("contacts");
        let deep = format!("name=A&custom_attributes{}=1", "[a]".repeat(40));
        assert_invalid(
            &form(&app, Method::POST, &uri, &deep).await,
            "custom_attributes",
        );
        let conflict = "name=A&custom_attributes=x&custom_attributes[plan]=pro";
        assert_invalid(
            &form(&app, Method::POST, &uri, conflict).await,
            "custom_attributes",
        );
        let many = vec!["labels[]=a"; 5000].join("&");
        let labels = app.api(&format!("conversations/{}/labels", app.acme.conversation));
        assert_invalid(&form(&app, Method::POST, &labels, &many).await, "body");
        let content_type = "multipart/form-data; boundary=nope";
        let res = raw(
            &app,
            Method::POST,
            &uri,
            &[
                ("api_access_token", &app.admin.token),
                ("content-type", content_type),
            ],
            b"not multipart at all".to_vec(),
        )
        .await;
        assert_eq!(res.status.as_u16(), 400, "{}", res.text);
        assert_eq!(res.json()["attributes"], json!(["body"]), "{}", res.text);
        // Nothing was created by any of them.
        let list = ok(&app.get(&uri, &app.admin).await);
        assert_eq!(list["meta"]["count"], 1, "{list}");
    })
    .await;
}

#[tokio::test]
async fn a_trailing_slash_routes_as_without_it() {
    support::on_each_backend(async |app| {
        let list = ok(&app
            .get(&format!("{}/", app.api("inboxes")), &app.admin)
            .await);
        assert_eq!(list["payload"][0]["id"], app.acme.inbox_id);
        let uri = format!("{}/", app.api(&format!("inboxes/{}", app.acme.inbox_id)));
        assert_eq!(
            ok(&app.get(&uri, &app.admin).await)["id"],
            app.acme.inbox_id
        );
        let created = ok(&app
            .post(
                &format!("{}/", app.api("labels")),
                &app.admin,
                &json!({"title": "slashed"}),
            )
            .await);
        assert_eq!(created["title"], "slashed");
        assert_not_found(
            &app.get(&format!("{}/", app.api("nothing-here")), &app.admin)
                .await,
        );
    })
    .await;
}

#[tokio::test]
async fn unknown_routes_and_methods_under_every_api_prefix_are_json_404s() {
    let app = TestApp::new().await;
    for (method, uri) in [
        (Method::GET, "/api/nowhere".to_owned()),
        (Method::POST, "/public/nowhere".to_owned()),
        (Method::GET, "/auth/nowhere".to_owned()),
        (
            Method::DELETE,
            app.api(&format!("conversations/{}/labels", app.acme.conversation)),
        ),
        (Method::DELETE, app.api("contacts/search")),
        (Method::DELETE, "/api/v1/profile".to_owned()),
    ] {
        let res = app
            .request(method.clone(), &uri, Some(&app.admin.token), Some("{}"))
            .await;
        assert_eq!(res.status.as_u16(), 404, "{method} {uri}: {}", res.text);
        assert_eq!(
            res.json(),
            json!({"error": super::NOT_FOUND}),
            "{method} {uri}"
        );
    }
}

/// Reads one HTTP/1.1 response with a `Content-Length` from `stream`: its head and body.
async fn read_response(stream: &mut tokio::net::TcpStream) -> (String, String) {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buffer[..end]).into_owned();
            let length: usize = head
                .lines()
                .find_map(|line| {
                    let (name, value) = line.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse().ok())?
                })
                .expect("a content-length");
            while buffer.len() < end + 4 + length {
                let n = stream.read(&mut chunk).await.expect("read the body");
                assert!(n > 0, "the connection closed mid-body");
                buffer.extend_from_slice(&chunk[..n]);
            }
            let body = String::from_utf8_lossy(&buffer[end + 4..end + 4 + length]).into_owned();
            return (head, body);
        }
        let n = stream.read(&mut chunk).await.expect("read the head");
        assert!(
            n > 0,
            "the connection closed before an answer: {:?}",
            String::from_utf8_lossy(&buffer)
        );
        buffer.extend_from_slice(&chunk[..n]);
    }
}

#[tokio::test]
async fn a_chunked_body_sent_to_an_unknown_route_leaves_the_connection_usable() {
    let app = TestApp::new().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let addr = listener.local_addr().expect("an address");
    let router = app.router.clone();
    tokio::spawn(web::server::serve_http(
        listener,
        router,
        std::future::pending(),
    ));

    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    for uri in [
        "/api/v1/nowhere",
        "/public/api/v1/inboxes/x/nowhere",
        "/no/such/page",
    ] {
        let first = format!(
            "POST {uri} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
             Transfer-Encoding: chunked\r\n\r\n6\r\n{{\"a\":1\r\n1\r\n}}\r\n0\r\n\r\n"
        );
        stream
            .write_all(first.as_bytes())
            .await
            .expect("send the first request");
        let (head, _) = read_response(&mut stream).await;
        assert!(head.starts_with("HTTP/1.1 404"), "{head}");
        assert!(
            !head.to_ascii_lowercase().contains("connection: close"),
            "{head}"
        );
    }
    let second = format!(
        "GET {} HTTP/1.1\r\nHost: 127.0.0.1\r\napi_access_token: {}\r\n\r\n",
        app.api("inboxes"),
        app.admin.token
    );
    stream
        .write_all(second.as_bytes())
        .await
        .expect("send the second request");
    let (head, body) = read_response(&mut stream).await;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}\n{body}");
    let list: Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(list["payload"][0]["id"], app.acme.inbox_id);
}

#[tokio::test]
async fn an_answer_given_before_the_body_is_read_says_connection_close() {
    let app = TestApp::new().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let addr = listener.local_addr().expect("an address");
    tokio::spawn(web::server::serve_http(
        listener,
        app.router.clone(),
        std::future::pending(),
    ));

    // No token: the 401 comes before the body is read.
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let request = format!(
        "POST {} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
         Transfer-Encoding: chunked\r\n\r\n2\r\n{{}}\r\n0\r\n\r\n",
        app.api("labels")
    );
    stream.write_all(request.as_bytes()).await.expect("send");
    let (head, _) = read_response(&mut stream).await;
    assert!(head.starts_with("HTTP/1.1 401"), "{head}");
    assert!(
        head.to_ascii_lowercase().contains("connection: close"),
        "{head}"
    );

    // A body that was read keeps the connection open.
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    for title in ["first", "second"] {
        let body = json!({ "title": title }).to_string();
        let request = format!(
            "POST {} HTTP/1.1\r\nHost: 127.0.0.1\r\napi_access_token: {}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            app.api("labels"),
            app.admin.token,
            body.len()
        );
        stream.write_all(request.as_bytes()).await.expect("send");
        let (head, body) = read_response(&mut stream).await;
        assert!(head.starts_with("HTTP/1.1 200"), "{head}\n{body}");
        assert!(
            !head.to_ascii_lowercase().contains("connection: close"),
            "{head}"
        );
    }
}
