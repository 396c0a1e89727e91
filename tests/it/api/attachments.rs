//! Attachments on `POST …/messages` (multipart `attachments[]`): stored, described as Chatwoot
//! describes them, read back through signed links, thumbnailed, limited, and removed with
//! their message or contact, or by the sweep when nothing names them.

use super::{assert_invalid, expect, ok, raw};
use crate::support::{self, TestApp, TestResponse};
use axum::http::Method;
use serde_json::Value;

const BOUNDARY: &str = "----switchboard-attachments-boundary";

/// A part: `(name, Some((file name, content type)), bytes)`.
type Part<'a> = (&'a str, Option<(&'a str, &'a str)>, Vec<u8>);

fn body(parts: &[Part]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, file, content) in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        let head = match file {
            Some((file, kind)) => format!(
                "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\n\
                 Content-Type: {kind}\r\n\r\n"
            ),
            None => format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n"),
        };
        body.extend_from_slice(head.as_bytes());
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

async fn upload(app: &TestApp, parts: &[Part<'_>]) -> TestResponse {
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    let uri = app.api(&format!("conversations/{}/messages", app.acme.conversation));
    raw(
        app,
        Method::POST,
        &uri,
        &[
            ("api_access_token", &app.agent.token),
            ("content-type", &content_type),
        ],
        body(parts),
    )
    .await
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let image = image::RgbImage::from_pixel(width, height, image::Rgb([20, 120, 200]));
    let mut bytes = Vec::new();
    image
        .write_to(
            &mut std::io::Cursor::new(&mut bytes),
            image::ImageFormat::Png,
        )
        .unwrap();
    bytes
}

/// A valid PNG whose header claims 100000×100000 pixels.
fn bomb() -> Vec<u8> {
    let mut bytes = png(1, 1);
    bytes[16..20].copy_from_slice(&100_000u32.to_be_bytes());
    bytes[20..24].copy_from_slice(&100_000u32.to_be_bytes());
    let crc = crc32fast::hash(&bytes[12..29]);
    bytes[29..33].copy_from_slice(&crc.to_be_bytes());
    bytes
}

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";

async fn stored(app: &TestApp) -> usize {
    app.state
        .files
        .list()
        .await
        .expect("the file store lists")
        .len()
}

async fn thread(app: &TestApp) -> Vec<Value> {
    let uri = app.api(&format!("conversations/{}/messages", app.acme.conversation));
    ok(&app.get(&uri, &app.agent).await)["payload"]
        .as_array()
        .unwrap()
        .clone()
}

/// GET a link as anyone (no token: links work without a session).
async fn fetch(app: &TestApp, link: &str) -> TestResponse {
    app.request(Method::GET, link, None, None).await
}

#[tokio::test]
async fn an_image_and_a_pdf_are_stored_described_and_read_back_through_signed_links() {
    support::on_each_backend(async |app| {
        let picture = png(800, 400);
        let res = upload(
            &app,
            &[
                ("content", None, b"Here you go".to_vec()),
                ("private", None, b"true".to_vec()),
                (
                    "attachments[]",
                    Some(("screen shot.png", "image/png")),
                    picture.clone(),
                ),
                (
                    "attachments[]",
                    Some(("invoice.pdf", "application/pdf")),
                    PDF.to_vec(),
                ),
            ],
        )
        .await;
        let message = ok(&res);
        super::assert_schema(&message, Some("message"));
        assert_eq!(message["private"], true);
        let attachments = message["attachments"].as_array().unwrap();
        assert_eq!(attachments.len(), 2);
        let (image, pdf) = (&attachments[0], &attachments[1]);
        assert_eq!(
            super::keys(image),
            [
                "account_id",
                "data_url",
                "extension",
                "file_size",
                "file_type",
                "height",
                "id",
                "message_id",
                "thumb_url",
                "width"
            ]
        );
        assert_eq!(image["file_type"], "image");
        assert_eq!(image["message_id"], message["id"]);
        assert_eq!(image["account_id"], app.acme.account_id);
        assert_eq!(image["extension"], "png");
        assert_eq!(image["file_size"], picture.len());
        assert_eq!(
            (image["width"].clone(), image["height"].clone()),
            (800.into(), 400.into())
        );
        assert_eq!(pdf["file_type"], "file");
        assert_eq!(pdf["thumb_url"], "", "no thumbnail for a PDF");
        assert_eq!(pdf["width"], Value::Null);
        assert_eq!(
            stored(&app).await,
            3,
            "the image, its thumbnail and the PDF"
        );

        let original = fetch(&app, image["data_url"].as_str().unwrap()).await;
        assert_eq!(original.status, 200);
        assert_eq!(original.headers["content-type"], "image/png");
        assert_eq!(original.headers["x-content-type-options"], "nosniff");
        assert_eq!(original.headers["content-disposition"], "inline");
        let csp = original.headers["content-security-policy"]
            .to_str()
            .unwrap();
        assert!(csp.starts_with("sandbox; default-src 'none'"), "{csp}");
        let thumb = fetch(&app, image["thumb_url"].as_str().unwrap()).await;
        assert_eq!(thumb.status, 200);
        assert_eq!(thumb.headers["content-type"], "image/png");

        let document = fetch(&app, pdf["data_url"].as_str().unwrap()).await;
        assert_eq!(document.status, 200);
        assert_eq!(document.text.as_bytes(), PDF);
        assert_eq!(document.headers["content-type"], "application/pdf");
        let disposition = document.headers["content-disposition"].to_str().unwrap();
        assert!(
            disposition.starts_with("attachment; filename=\"invoice.pdf\""),
            "{disposition}"
        );

        // The thread shows the same files.
        let last = thread(&app).await.pop().unwrap();
        assert_eq!(last["attachments"].as_array().unwrap().len(), 2);
    })
    .await;
}

#[tokio::test]
async fn a_thumbnail_is_a_small_png_of_the_picture() {
    let app = TestApp::new().await;
    let message = ok(&upload(
        &app,
        &[(
            "attachments[]",
            Some(("big.png", "image/png")),
            png(1000, 500),
        )],
    )
    .await);
    assert_eq!(
        message["content"],
        Value::Null,
        "a picture may be sent alone"
    );
    let link = message["attachments"][0]["thumb_url"]
        .as_str()
        .unwrap()
        .to_owned();
    let response = app.router.clone();
    let thumb = {
        use http_body_util::BodyExt;
        use tower::ServiceExt;
        let request = axum::http::Request::get(&link)
            .body(axum::body::Body::empty())
            .unwrap();
        let answer = response.oneshot(request).await.unwrap();
        answer.into_body().collect().await.unwrap().to_bytes()
    };
    let decoded = image::load_from_memory(&thumb).expect("a PNG");
    assert_eq!((decoded.width(), decoded.height()), (250, 125));
}

#[tokio::test]
async fn links_that_are_forged_or_changed_are_not_found() {
    let app = TestApp::new().await;
    let message = ok(&upload(
        &app,
        &[(
            "attachments[]",
            Some(("a.pdf", "application/pdf")),
            PDF.to_vec(),
        )],
    )
    .await);
    let link = message["attachments"][0]["data_url"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(link.contains("signature="), "{link}");
    let (path, query) = link.split_once('?').unwrap();
    let forged = [
        path.to_owned(),
        format!("{path}?{}", query.replace("signature=", "signature=0")),
        link.replace("/original/", "/thumb/"),
        format!("{path}?expires=1&{}", query.split_once('&').unwrap().1),
    ];
    for forged in forged {
        let res = fetch(&app, &forged).await;
        assert_eq!(res.status, 404, "{forged}");
    }
}

#[tokio::test]
async fn uploaded_html_and_svg_are_served_as_inert_downloads() {
    let app = TestApp::new().await;
    let svg = b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>".to_vec();
    let html = b"<script>alert(document.cookie)</script>".to_vec();
    let message = ok(&upload(
        &app,
        &[
            ("attachments[]", Some(("x.svg", "image/svg+xml")), svg),
            ("attachments[]", Some(("x.html", "text/html")), html),
        ],
    )
    .await);
    for attachment in message["attachments"].as_array().unwrap() {
        assert_eq!(attachment["thumb_url"], "");
        let res = fetch(&app, attachment["data_url"].as_str().unwrap()).await;
        assert_eq!(res.status, 200);
        let disposition = res.headers["content-disposition"].to_str().unwrap();
        assert!(disposition.starts_with("attachment;"), "{disposition}");
        let csp = res.headers["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("sandbox") && csp.contains("default-src 'none'"),
            "{csp}"
        );
        assert_eq!(res.headers["x-content-type-options"], "nosniff");
    }
}

#[tokio::test]
async fn limits_and_types_are_refused_naming_attachments_and_store_nothing() {
    support::on_each_backend(async |app| {
        let mut config = web::Config::default();
        config.uploads.max_file_bytes = 2000;
        config.uploads.max_files = 2;
        config.uploads.max_total_bytes = 3000;
        let app = app.with_config(config);
        let before = thread(&app).await.len();

        let res = upload(
            &app,
            &[(
                "attachments[]",
                Some(("big.pdf", "application/pdf")),
                vec![b'x'; 2001],
            )],
        )
        .await;
        let body = expect(&res, 413);
        assert_eq!(body["attributes"], serde_json::json!(["attachments"]));
        assert!(
            body["message"].as_str().unwrap().contains("at most 1 KB"),
            "{}",
            res.text
        );

        let two = |name| (name, Some(("a.pdf", "application/pdf")), vec![b'x'; 1600]);
        let res = upload(&app, &[two("attachments[]"), two("attachments[]")]).await;
        let body = expect(&res, 413);
        assert!(
            body["message"].as_str().unwrap().contains("in total"),
            "{}",
            res.text
        );

        let small = |name| (name, Some(("a.txt", "text/plain")), b"hi".to_vec());
        let message = assert_invalid(
            &upload(
                &app,
                &[
                    small("attachments[]"),
                    small("attachments[]"),
                    small("attachments[]"),
                ],
            )
            .await,
            "attachments",
        );
        assert!(message.contains("at most 2"), "{message}");

        let message = assert_invalid(
            &upload(
                &app,
                &[(
                    "attachments[]",
                    Some(("run.exe", "application/x-msdownload")),
                    b"MZ".to_vec(),
                )],
            )
            .await,
            "attachments",
        );
        assert!(message.contains("application/x-msdownload"), "{message}");

        // A decompression bomb is refused before any pixel is decoded.
        let message = assert_invalid(
            &upload(
                &app,
                &[
                    small("attachments[]"),
                    ("attachments[]", Some(("bomb.png", "image/png")), bomb()),
                ],
            )
            .await,
            "attachments",
        );
        assert!(message.contains("pixels"), "{message}");

        assert_eq!(thread(&app).await.len(), before, "no message was written");
        assert_eq!(stored(&app).await, 0, "no file was left behind");
    })
    .await;
}

#[tokio::test]
async fn json_bodies_keep_their_one_mib_limit_where_files_are_taken() {
    let app = TestApp::new().await;
    let uri = app.api(&format!("conversations/{}/messages", app.acme.conversation));
    let content = "x".repeat(1024 * 1024 + 10);
    let res = app
        .post(&uri, &app.agent, &serde_json::json!({ "content": content }))
        .await;
    let body = expect(&res, 413);
    assert_eq!(body["attributes"], serde_json::json!(["body"]));
}

#[tokio::test]
async fn a_message_that_fails_to_commit_leaves_no_file() {
    let (_dir, url) = support::scratch_sqlite();
    let store = store::Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    let app = TestApp::with_store(store).await;
    let before = thread(&app).await.len();
    // Another connection makes every attachment row fail, as a full disk or a lost database
    // would, after the files are written.
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    sqlx::query(
        "CREATE TRIGGER refuse_attachments BEFORE INSERT ON attachments \
         BEGIN SELECT RAISE(ABORT, 'refused by the test'); END",
    )
    .execute(&pool)
    .await
    .unwrap();
    let res = upload(
        &app,
        &[
            ("content", None, b"with a picture".to_vec()),
            ("attachments[]", Some(("a.png", "image/png")), png(40, 40)),
        ],
    )
    .await;
    assert_eq!(res.status, 500, "{}", res.text);
    assert_eq!(thread(&app).await.len(), before, "the message rolled back");
    assert_eq!(stored(&app).await, 0, "its files were removed");
}

#[tokio::test]
async fn deleting_a_message_or_its_contact_removes_the_files() {
    support::on_each_backend(async |app| {
        let pdf = || {
            (
                "attachments[]",
                Some(("a.pdf", "application/pdf")),
                PDF.to_vec(),
            )
        };
        let message = ok(&upload(&app, &[pdf()]).await);
        let link = message["attachments"][0]["data_url"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(stored(&app).await, 1);
        let uri = app.api(&format!(
            "conversations/{}/messages/{}",
            app.acme.conversation, message["id"]
        ));
        let deleted = ok(&app.delete(&uri, &app.agent).await);
        assert_eq!(deleted["attachments"], serde_json::json!([]));
        assert_eq!(stored(&app).await, 0);
        assert_eq!(fetch(&app, &link).await.status, 404);

        ok(&upload(
            &app,
            &[
                pdf(),
                ("attachments[]", Some(("b.png", "image/png")), png(10, 10)),
            ],
        )
        .await);
        assert_eq!(stored(&app).await, 3);
        let contact = app.api(&format!("contacts/{}", app.acme.contact_id));
        ok(&app.delete(&contact, &app.admin).await);
        assert_eq!(stored(&app).await, 0);
    })
    .await;
}

#[tokio::test]
async fn the_sweep_removes_only_files_no_attachment_names() {
    support::on_each_backend(async |app| {
        ok(&upload(
            &app,
            &[("attachments[]", Some(("a.png", "image/png")), png(10, 10))],
        )
        .await);
        let orphan = files::Files::new_key();
        app.state
            .files
            .put_bytes(&orphan, b"left by a crash".to_vec())
            .await
            .unwrap();
        assert_eq!(stored(&app).await, 3);
        let recent = web::files::sweep(app.store(), &app.state.files, web::files::SWEEP_GRACE)
            .await
            .unwrap();
        assert_eq!(
            recent, 0,
            "a file younger than the grace period may be an upload in flight"
        );
        let removed = web::files::sweep(app.store(), &app.state.files, -60)
            .await
            .unwrap();
        assert_eq!(removed, 1);
        let left: Vec<String> = app
            .state
            .files
            .list()
            .await
            .unwrap()
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        assert_eq!(left.len(), 2);
        assert!(!left.contains(&orphan));
    })
    .await;
}

#[tokio::test]
async fn the_conversation_list_shows_the_last_messages_files() {
    support::on_each_backend(async |app| {
        let res = upload(
            &app,
            &[(
                "attachments[]",
                Some(("receipt.pdf", "application/pdf")),
                PDF.to_vec(),
            )],
        )
        .await;
        assert_eq!(res.status, 200, "{}", res.text);
        let list = ok(&app.get(&app.api("conversations"), &app.agent).await);
        let conversation = list["data"]["payload"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == app.acme.conversation)
            .expect("the conversation is listed")
            .clone();
        let last = &conversation["last_non_activity_message"];
        assert_eq!(last["attachments"][0]["file_type"], "file", "{last}");
        assert_eq!(last["attachments"][0]["extension"], "pdf", "{last}");
        let link = last["attachments"][0]["data_url"].as_str().unwrap();
        assert_eq!(fetch(&app, link).await.status, 200);
    })
    .await;
}

/// Sends `body` to the messages route in `chunks`, pausing `pause` before each, as a slow
/// uplink would; answers the status.
async fn trickle(
    app: &TestApp,
    content_type: &str,
    body: Vec<u8>,
    pause: std::time::Duration,
) -> u16 {
    use futures_util::StreamExt;
    use tower::ServiceExt;
    let chunks: Vec<Vec<u8>> = body
        .chunks(body.len().div_ceil(4))
        .map(<[u8]>::to_vec)
        .collect();
    let stream = futures_util::stream::iter(chunks).then(move |chunk| async move {
        tokio::time::sleep(pause).await;
        Ok::<_, std::io::Error>(chunk)
    });
    let uri = app.api(&format!("conversations/{}/messages", app.acme.conversation));
    let request = axum::http::Request::builder()
        .method(Method::POST)
        .uri(uri)
        .header("api_access_token", &app.agent.token)
        .header("content-type", content_type)
        .body(axum::body::Body::from_stream(stream))
        .unwrap();
    let response = app.router.clone().oneshot(request).await.unwrap();
    response.status().as_u16()
}

#[tokio::test]
async fn an_upload_slower_than_the_request_timeout_still_arrives_but_a_slow_json_body_does_not() {
    support::on_each_backend(async |app| {
        let mut config = web::Config::default();
        config.timeouts = web::deadline::Timeouts {
            request: std::time::Duration::from_millis(200),
            upload: std::time::Duration::from_secs(30),
        };
        let app = app.with_config(config);
        let pause = std::time::Duration::from_millis(150);
        let multipart = body(&[(
            "attachments[]",
            Some(("notes.pdf", "application/pdf")),
            PDF.to_vec(),
        )]);
        let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
        // Four chunks 150 ms apart: 600 ms, three times the request timeout.
        assert_eq!(trickle(&app, &content_type, multipart, pause).await, 200);
        let json = serde_json::json!({"content": "slow"})
            .to_string()
            .into_bytes();
        assert_eq!(trickle(&app, "application/json", json, pause).await, 408);
    })
    .await;
}
