//! One kept-alive HTTP/1.1 connection (hyper's low-level client): the unit of the load
//! generator, so 32 clients are 32 connections, as with `wrk -c32`.

use crate::BenchError;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::SendRequest;
use hyper::header::{CONTENT_TYPE, HOST};
use hyper::{Method, Request};
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use tokio::net::TcpStream;

/// A request the load generator sends.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: Method,
    pub path: String,
    pub body: Option<Bytes>,
    /// The body's type: JSON unless a multipart call says otherwise.
    pub content_type: String,
}

impl Call {
    pub fn get(path: impl Into<String>) -> Self {
        Self {
            method: Method::GET,
            path: path.into(),
            body: None,
            content_type: String::new(),
        }
    }

    pub fn post(path: impl Into<String>, body: &serde_json::Value) -> Self {
        Self {
            method: Method::POST,
            path: path.into(),
            body: Some(Bytes::from(body.to_string())),
            content_type: "application/json".into(),
        }
    }

    /// A `multipart/form-data` POST of `body` (see [`crate::upload::multipart`]).
    pub fn multipart(path: impl Into<String>, boundary: &str, body: Bytes) -> Self {
        Self {
            method: Method::POST,
            path: path.into(),
            body: Some(body),
            content_type: format!("multipart/form-data; boundary={boundary}"),
        }
    }
}

pub struct Connection {
    sender: SendRequest<Full<Bytes>>,
    host: String,
    token: Option<String>,
}

impl Connection {
    /// Connects to `addr`; every request carries `api_access_token: token` when given.
    pub async fn open(addr: SocketAddr, token: Option<&str>) -> Result<Self, BenchError> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        let (sender, connection) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        // The connection task ends with the connection; a failure surfaces on the next send.
        tokio::spawn(connection);
        Ok(Self {
            sender,
            host: addr.to_string(),
            token: token.map(str::to_owned),
        })
    }

    /// Sends `call` and reads the whole body; a non-2xx answer is an error.
    pub async fn send(&mut self, call: &Call) -> Result<Bytes, BenchError> {
        self.sender.ready().await?;
        let mut request = Request::builder()
            .method(call.method.clone())
            .uri(call.path.as_str())
            .header(HOST, self.host.as_str());
        if let Some(token) = &self.token {
            request = request.header("api_access_token", token.as_str());
        }
        if call.body.is_some() {
            request = request.header(CONTENT_TYPE, call.content_type.as_str());
        }
        let request = request.body(Full::new(call.body.clone().unwrap_or_default()))?;
        let response = self.sender.send_request(request).await?;
        let status = response.status();
        let body = response.into_body().collect().await?.to_bytes();
        if !status.is_success() {
            return Err(BenchError::Status {
                method: call.method.to_string(),
                path: call.path.clone(),
                status: status.as_u16(),
                body: String::from_utf8_lossy(&body[..body.len().min(300)]).into_owned(),
            });
        }
        Ok(body)
    }

    /// Sends `call` and parses the answer as JSON.
    pub async fn json(&mut self, call: &Call) -> Result<serde_json::Value, BenchError> {
        let body = self.send(call).await?;
        Ok(serde_json::from_slice(&body)?)
    }
}

/// The tokens `POST /auth/sign_in` hands out.
#[derive(Debug, Clone)]
pub struct Login {
    pub access_token: String,
    pub pubsub_token: String,
}

pub async fn sign_in(addr: SocketAddr, email: &str, password: &str) -> Result<Login, BenchError> {
    let mut connection = Connection::open(addr, None).await?;
    let answer = connection
        .json(&Call::post(
            "/auth/sign_in",
            &serde_json::json!({"email": email, "password": password}),
        ))
        .await?;
    let field = |name: &str| {
        answer["data"][name]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| BenchError::Protocol(format!("sign-in answer without data.{name}")))
    };
    Ok(Login {
        access_token: field("access_token")?,
        pubsub_token: field("pubsub_token")?,
    })
}
