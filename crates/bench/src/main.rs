//! `bench`: measurements against running Switchboard instances.
//!
//! `bench cable` opens N `/cable` sockets subscribed as one user, posts messages through the API
//! one at a time and records, per message, the time from sending the POST to the first socket
//! receiving `message.created`, and to the last of the N receiving it. With `--post-url` the
//! messages go to another instance (cross-instance delivery through PostgreSQL).
#![forbid(unsafe_code)]

use anyhow::{bail, Context};
use clap::{Parser, Subcommand};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Delivery latency from POST …/messages to /cable subscribers.
    Cable {
        /// The instance the sockets connect to.
        #[arg(long, default_value = "http://127.0.0.1:3000")]
        url: String,
        /// The instance the messages are posted to (default: --url).
        #[arg(long)]
        post_url: Option<String>,
        #[arg(long, default_value = "admin@example.com")]
        email: String,
        #[arg(long)]
        password: String,
        #[arg(long, default_value_t = 1000)]
        sockets: usize,
        #[arg(long, default_value_t = 200)]
        messages: usize,
        #[arg(long, default_value_t = 1)]
        account: i64,
        #[arg(long, default_value_t = 1)]
        conversation: i64,
        /// The server's pid, to report its resident memory with the sockets open.
        #[arg(long)]
        pid: Option<u32>,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Cable {
            url,
            post_url,
            email,
            password,
            sockets,
            messages,
            account,
            conversation,
            pid,
        } => {
            let post_url = post_url.unwrap_or_else(|| url.clone());
            let signed_in = http(
                &url,
                "POST",
                "/auth/sign_in",
                None,
                &json!({"email": email, "password": password}),
            )
            .await?;
            let token = signed_in["data"]["access_token"]
                .as_str()
                .context("no access token")?
                .to_owned();
            let pubsub = signed_in["data"]["pubsub_token"]
                .as_str()
                .context("no pubsub token")?
                .to_owned();
            let (arrivals, mut received) = mpsc::unbounded_channel::<(usize, String, Instant)>();
            for index in 0..sockets {
                open_socket(&url, &pubsub, index, arrivals.clone()).await?;
            }
            println!("{sockets} sockets subscribed");
            if let Some(pid) = pid {
                println!(
                    "server RSS with sockets open: {} MB",
                    rss_mb(pid).unwrap_or(0.0)
                );
            }
            let path = format!("/api/v1/accounts/{account}/conversations/{conversation}/messages");
            let mut first = Vec::new();
            let mut last = Vec::new();
            for n in 0..messages {
                let content = format!("bench-{n}-{}", Instant::now().elapsed().as_nanos());
                let started = Instant::now();
                http(
                    &post_url,
                    "POST",
                    &path,
                    Some(&token),
                    &json!({"content": content, "private": true}),
                )
                .await?;
                let mut seen = 0;
                let mut first_at = None;
                while seen < sockets {
                    let (_, text, at) =
                        tokio::time::timeout(Duration::from_secs(10), received.recv())
                            .await
                            .context("a socket did not receive the message within 10 s")?
                            .context("sockets closed")?;
                    if text == content {
                        seen += 1;
                        first_at.get_or_insert(at);
                        if seen == sockets {
                            last.push(at.duration_since(started));
                        }
                    }
                }
                first.push(
                    first_at
                        .expect("at least one arrival")
                        .duration_since(started),
                );
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            report("POST → first socket", &mut first);
            report(&format!("POST → all {sockets} sockets"), &mut last);
            if let Some(pid) = pid {
                println!(
                    "server RSS after the run: {} MB",
                    rss_mb(pid).unwrap_or(0.0)
                );
            }
            Ok(())
        }
    }
}

async fn open_socket(
    base: &str,
    pubsub: &str,
    index: usize,
    arrivals: mpsc::UnboundedSender<(usize, String, Instant)>,
) -> anyhow::Result<()> {
    let url = format!("{}/cable", base.replacen("http", "ws", 1));
    let (mut socket, _) = tokio_tungstenite::connect_async(url).await?;
    let identifier = json!({"channel": "RoomChannel", "pubsub_token": pubsub}).to_string();
    let command = json!({"command": "subscribe", "identifier": identifier}).to_string();
    socket.send(Message::Text(command.into())).await?;
    loop {
        let Some(frame) = socket.next().await else {
            bail!("socket {index} closed")
        };
        if let Message::Text(text) = frame? {
            let value: Value = serde_json::from_str(text.as_str())?;
            match value["type"].as_str() {
                Some("confirm_subscription") => break,
                Some("reject_subscription") => bail!("subscription rejected"),
                _ => {}
            }
        }
    }
    tokio::spawn(async move {
        while let Some(Ok(frame)) = socket.next().await {
            if let Message::Text(text) = frame {
                let at = Instant::now();
                let Ok(value) = serde_json::from_str::<Value>(text.as_str()) else {
                    continue;
                };
                if value["message"]["event"] == "message.created" {
                    let content = value["message"]["data"]["content"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned();
                    if arrivals.send((index, content, at)).is_err() {
                        break;
                    }
                }
            }
        }
    });
    Ok(())
}

/// One HTTP/1.1 request over a fresh connection; the JSON body of the answer.
async fn http(
    base: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: &Value,
) -> anyhow::Result<Value> {
    let host = base
        .strip_prefix("http://")
        .context("only http:// URLs")?
        .trim_end_matches('/');
    let body = body.to_string();
    let auth = token
        .map(|t| format!("api_access_token: {t}\r\n"))
        .unwrap_or_default();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\n{auth}content-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut stream = TcpStream::connect(host).await?;
    stream.write_all(request.as_bytes()).await?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await?;
    let text = String::from_utf8_lossy(&response);
    let (head, body) = text.split_once("\r\n\r\n").context("no HTTP body")?;
    if !head.starts_with("HTTP/1.1 2") {
        bail!(
            "{method} {path}: {}",
            head.lines().next().unwrap_or_default()
        );
    }
    Ok(serde_json::from_str(body).unwrap_or(Value::Null))
}

fn report(what: &str, samples: &mut [Duration]) {
    samples.sort();
    let at = |q: f64| {
        samples[((samples.len() as f64 - 1.0) * q).round() as usize].as_secs_f64() * 1000.0
    };
    println!(
        "{what}: n={} p50={:.2} ms p99={:.2} ms max={:.2} ms",
        samples.len(),
        at(0.5),
        at(0.99),
        at(1.0)
    );
}

fn rss_mb(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}
