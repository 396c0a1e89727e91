//! Clients that open connections and never finish a request (slowloris), or leave a
//! kept-alive connection idle, are disconnected after the header read timeout, on the main
//! listener and on the demo app's; meanwhile, and afterwards, requests are served.

use crate::server::{client, send, Answer, Switchboard, TestDatabase};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The server's header read timeout (web::server::HEADER_READ_TIMEOUT) plus slack.
const BOUND: Duration = Duration::from_secs(45);

/// Opens a connection to `base`, writes `prefix`, and returns how long until the server closed
/// it (reading whatever it answered), or panics after [`BOUND`].
async fn held_until_closed(base: &str, prefix: &'static [u8]) -> Duration {
    let addr = base.trim_start_matches("http://").to_owned();
    let mut stream = TcpStream::connect(&addr).await.expect("connect");
    stream.write_all(prefix).await.expect("write");
    let started = Instant::now();
    let mut buffer = [0u8; 1024];
    loop {
        match tokio::time::timeout(BOUND, stream.read(&mut buffer)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return started.elapsed(),
            Ok(Ok(_)) => {}
            Err(_) => panic!(
                "{addr}: a connection that sent {:?} was still open after {BOUND:?}",
                String::from_utf8_lossy(prefix)
            ),
        }
    }
}

#[tokio::test]
async fn connections_that_never_finish_a_request_are_closed_on_both_listeners() {
    let database = TestDatabase::sqlite("slow");
    let server = Switchboard::start_with(&database.url, database.dir.path(), true);
    let demo = server.demo.clone().expect("the demo app's address");
    let kept_alive = b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n";
    let cases: [(&str, &'static [u8]); 5] = [
        (&server.base, b""),
        (&server.base, b"GET /health HTTP/1.1\r\nHost: x\r\n"),
        // A full request answered, then the kept-alive connection left idle.
        (&server.base, kept_alive),
        (&demo, b""),
        (&demo, b"GET / HTTP/1.1\r\nHost: x\r\n"),
    ];
    let slow = futures_util::future::join_all(
        cases
            .iter()
            .map(|(base, prefix)| held_until_closed(base, prefix)),
    );
    // While they hang, ordinary requests are served on both listeners.
    let served = async {
        let http = client();
        for url in [format!("{}/health", server.base), format!("{demo}/")] {
            match send(http.get(&url)).await {
                Answer::Status(200, _) => {}
                other => panic!("{url} while slow clients hang: {other:?}"),
            }
        }
    };
    let (held, ()) = tokio::join!(slow, served);
    for ((base, prefix), held) in cases.iter().zip(held) {
        // Closed by the timeout, not at once (that would be a refusal, not a bound).
        assert!(
            held >= Duration::from_secs(20),
            "{base} closed a connection that sent {:?} after only {held:?}",
            String::from_utf8_lossy(prefix)
        );
    }
    match send(client().get(format!("{}/health", server.base))).await {
        Answer::Status(200, _) => {}
        other => panic!("/health afterwards: {other:?}"),
    }
    drop(server);
}
