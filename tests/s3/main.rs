//! Attachments on an S3-compatible store: moto's server (pinned in tests/s3/requirements.txt,
//! installed by .ci/run into tests/s3/.venv) is started on a free loopback port, and files go
//! through the same API as on the local store: upload, read back by signed link, delete, sweep.
//! Without moto the test says it skipped; `REQUIRE_S3=1` (CI) makes that a failure.

#[path = "../support/mod.rs"]
mod support;

use axum::body::Body;
use axum::http::{Method, Request};
use http_body_util::BodyExt;
use std::process::{Child, Command, Stdio};
use support::TestApp;
use tower::ServiceExt;

const BUCKET: &str = "switchboard-test";
const BOUNDARY: &str = "----switchboard-s3-boundary";

/// The moto server, stopped when dropped.
struct Moto(Child);

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn moto_binary() -> Option<std::path::PathBuf> {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/s3/.venv/bin/moto_server");
    if path.exists() {
        return Some(path);
    }
    if std::env::var_os("REQUIRE_S3").is_some() {
        panic!(
            "REQUIRE_S3 is set but {} is missing (run .ci/run's install step)",
            path.display()
        );
    }
    eprintln!("s3: skipped, moto_server is not installed in tests/s3/.venv");
    None
}

/// Starts moto on a free port and waits (bounded) until it answers; returns it and its URL.
async fn start_moto(binary: &std::path::Path) -> (Moto, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(binary)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("moto_server starts");
    let moto = Moto(child);
    let url = format!("http://127.0.0.1:{port}");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        assert!(
            std::time::Instant::now() < deadline,
            "moto did not start within 30 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    (moto, url)
}

async fn send(app: &TestApp, request: Request<Body>) -> (u16, axum::http::HeaderMap, Vec<u8>) {
    let response = app.router.clone().oneshot(request).await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = response
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    (status, headers, bytes)
}

fn part(name: &str, file: &str, kind: &str, content: &[u8]) -> Vec<u8> {
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\n\
         Content-Type: {kind}\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(content);
    body.extend_from_slice(b"\r\n");
    body
}

#[tokio::test]
async fn attachments_round_trip_through_an_s3_compatible_store() {
    let Some(binary) = moto_binary() else { return };
    let (_moto, endpoint) = start_moto(&binary).await;
    // moto accepts any credentials; object_store signs with these.
    std::env::set_var("AWS_ACCESS_KEY_ID", "test");
    std::env::set_var("AWS_SECRET_ACCESS_KEY", "test");
    let client = reqwest::Client::new();
    let created = client
        .put(format!("{endpoint}/{BUCKET}"))
        .send()
        .await
        .unwrap();
    assert!(
        created.status().is_success(),
        "bucket: {}",
        created.status()
    );

    let files = files::Files::from_url(&format!(
        "s3://{BUCKET}?endpoint={endpoint}&region=us-east-1"
    ))
    .unwrap();
    let mut app = TestApp::new().await;
    app.state = app.state.clone().with_files(files.clone());
    app.router = web::app(app.state.clone());

    // 6 MB: past one 5 MB part, so the upload is a multipart upload.
    let big: Vec<u8> = (0..6 * 1024 * 1024).map(|i| (i % 253) as u8).collect();
    let mut body = part("attachments[]", "data.zip", "application/zip", &big);
    body.extend(part(
        "attachments[]",
        "notes.txt",
        "text/plain",
        b"hello from S3",
    ));
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    let uri = app.api(&format!("conversations/{}/messages", app.acme.conversation));
    let request = Request::builder()
        .method(Method::POST)
        .uri(&uri)
        .header("api_access_token", &app.agent.token)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(Body::from(body))
        .unwrap();
    let (status, _, bytes) = send(&app, request).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
    let message: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(files.list().await.unwrap().len(), 2);

    let link = message["attachments"][0]["data_url"].as_str().unwrap();
    let (status, headers, read) = send(&app, Request::get(link).body(Body::empty()).unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "application/zip");
    assert!(read == big, "the 6 MB file reads back byte for byte");

    let orphan = files::Files::new_key();
    files.put_bytes(&orphan, b"orphan".to_vec()).await.unwrap();
    assert_eq!(
        web::files::sweep(app.store(), &files, -60).await.unwrap(),
        1
    );

    let uri = app.api(&format!(
        "conversations/{}/messages/{}",
        app.acme.conversation, message["id"]
    ));
    let response = app.delete(&uri, &app.agent).await;
    assert_eq!(response.status, 200, "{}", response.text);
    assert!(
        files.list().await.unwrap().is_empty(),
        "deleting the message removed its files"
    );
}
