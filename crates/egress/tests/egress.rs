//! The egress client against real sockets, all on loopback: with private targets refused (the
//! default), no connection ever reaches a listener, whatever form the address takes; with them
//! allowed, requests arrive, redirects are answers, bodies are bounded and socket errors are
//! not echoed.

use egress::{Blocked, Egress, EgressError, Limits, Policy, Request, StatusCode};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A loopback HTTP server answering every request with `answer`; counts connections.
async fn listener(answer: &'static str) -> (u16, Arc<AtomicUsize>) {
    let socket = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
    let port = socket.local_addr().expect("bound").port();
    let connections = Arc::new(AtomicUsize::new(0));
    let counted = connections.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = socket.accept().await {
            counted.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let mut buffer = vec![0u8; 64 * 1024];
                let mut read = 0;
                // Read the head and the body its Content-Length announces.
                loop {
                    match stream.read(&mut buffer[read..]).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => read += n,
                    }
                    let text = String::from_utf8_lossy(&buffer[..read]).to_lowercase();
                    if let Some(end) = text.find("\r\n\r\n") {
                        let length = text
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:"))
                            .and_then(|v| v.trim().parse::<usize>().ok())
                            .unwrap_or(0);
                        if read >= end + 4 + length {
                            break;
                        }
                    }
                }
                let _ = stream.write_all(answer.as_bytes()).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    (port, connections)
}

const OK: &str = "HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok";

fn client(allow_private: bool) -> Egress {
    Egress::new(
        Policy { allow_private },
        Limits {
            max_response_bytes: 1024,
            ..Limits::default()
        },
        "egress-test",
    )
}

#[tokio::test]
async fn every_form_of_a_loopback_address_is_refused_and_never_contacted() {
    let (port, connections) = listener(OK).await;
    let egress = client(false);
    for host in [
        "127.0.0.1",
        "127.1",
        "2130706433",
        "0x7f.1",
        "0x7f000001",
        "017700000001",
        "[::1]",
        "[::ffff:127.0.0.1]",
        "[::ffff:7f00:1]",
        "localhost",
        "LocalHost",
    ] {
        let url = format!("http://{host}:{port}/hook");
        let sent = egress.send(Request::post(&url, "{}")).await;
        assert_eq!(
            sent.as_ref().map(|r| r.status).map_err(|e| e.to_string()),
            Err("blocked: private address".to_owned()),
            "{url}"
        );
        assert_eq!(
            sent.unwrap_err(),
            EgressError::Blocked(Blocked::Loopback),
            "{url}"
        );
    }
    assert_eq!(
        connections.load(Ordering::SeqCst),
        0,
        "nothing reached the listener"
    );
}

#[tokio::test]
async fn private_link_local_and_other_non_public_targets_are_refused_before_connecting() {
    let egress = client(false);
    for (url, kind) in [
        ("http://10.0.0.1/", Blocked::Private),
        ("http://192.168.1.20:8080/", Blocked::Private),
        (
            "https://169.254.169.254/latest/meta-data/",
            Blocked::LinkLocal,
        ),
        ("http://[fe80::1]/", Blocked::LinkLocal),
        ("http://100.64.0.1/", Blocked::SharedAddressSpace),
        ("http://[fd00::1]/", Blocked::UniqueLocal),
        ("http://224.0.0.1/", Blocked::Multicast),
        ("http://0.0.0.0/", Blocked::Unspecified),
        ("http://[::]/", Blocked::Unspecified),
        ("http://255.255.255.255/", Blocked::Broadcast),
        ("http://192.0.2.1/", Blocked::Documentation),
        ("http://[::ffff:169.254.169.254]/", Blocked::LinkLocal),
    ] {
        // Refused by the check that runs before any socket is opened.
        assert_eq!(
            egress.check_url(url).unwrap_err(),
            EgressError::Blocked(kind),
            "{url}"
        );
        assert_eq!(
            egress.send(Request::post(url, "{}")).await.unwrap_err(),
            EgressError::Blocked(kind),
            "{url}"
        );
    }
}

#[tokio::test]
async fn only_absolute_http_urls_are_sent() {
    let egress = client(true);
    for url in [
        "ftp://example.com/",
        "file:///etc/passwd",
        "/relative",
        "http://",
        "gopher://127.0.0.1:70/",
    ] {
        assert_eq!(
            egress.send(Request::post(url, "")).await.unwrap_err(),
            EgressError::InvalidUrl,
            "{url}"
        );
    }
}

#[tokio::test]
async fn allowing_private_targets_lets_requests_through() {
    let (port, connections) = listener(OK).await;
    let egress = client(true);
    let response = egress
        .send(Request::post(format!("http://localhost:{port}/hook"), "{}").header("x-test", "1"))
        .await
        .expect("delivered");
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.body, b"ok");
    assert_eq!(connections.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn redirects_are_answers_not_followed() {
    let (target, followed) = listener(OK).await;
    let redirect: &'static str = Box::leak(
        format!(
            "HTTP/1.1 302 Found\r\nlocation: http://127.0.0.1:{target}/\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
        )
        .into_boxed_str(),
    );
    let (port, _) = listener(redirect).await;
    let response = client(true)
        .send(Request::post(format!("http://127.0.0.1:{port}/"), "{}"))
        .await
        .expect("an answer");
    assert_eq!(response.status, StatusCode::FOUND);
    assert_eq!(followed.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused() {
    let big: &'static str = Box::leak(
        format!(
            "HTTP/1.1 200 OK\r\ncontent-length: 4096\r\nconnection: close\r\n\r\n{}",
            "x".repeat(4096)
        )
        .into_boxed_str(),
    );
    let (port, _) = listener(big).await;
    let sent = client(true)
        .send(Request::post(format!("http://127.0.0.1:{port}/"), "{}"))
        .await;
    assert_eq!(sent.unwrap_err(), EgressError::TooLarge);
}

#[tokio::test]
async fn a_closed_port_is_could_not_connect_without_the_socket_error() {
    let port = {
        let socket = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
        socket.local_addr().expect("bound").port()
    };
    let error = client(true)
        .send(Request::post(format!("http://127.0.0.1:{port}/"), "{}"))
        .await
        .unwrap_err();
    assert_eq!(error, EgressError::Connect);
    assert_eq!(error.to_string(), "could not connect");
}

#[tokio::test]
async fn a_silent_server_times_out() {
    let socket = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
    let port = socket.local_addr().expect("bound").port();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = socket.accept().await {
            held.push(stream);
        }
    });
    let egress = Egress::new(
        Policy {
            allow_private: true,
        },
        Limits {
            timeout: Duration::from_millis(300),
            ..Limits::default()
        },
        "egress-test",
    );
    let error = egress
        .send(Request::post(format!("http://127.0.0.1:{port}/"), "{}"))
        .await
        .unwrap_err();
    assert_eq!(error, EgressError::Timeout);
}
