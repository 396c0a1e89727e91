//! Every request Switchboard sends to the outside world goes through here (webhook deliveries
//! now, the app request proxy later), so that a URL an administrator typed cannot turn the
//! server into a door to its own network.
//!
//! [`Egress::send`] resolves the host itself and refuses loopback, private, link-local, CGNAT,
//! unique-local, multicast, unspecified, broadcast, documentation and reserved addresses (see
//! [`classify`]), unless the operator allowed private targets
//! (`SWITCHBOARD_EGRESS_ALLOW_PRIVATE=1`). The connection goes only to the addresses that were
//! checked: our resolver hands them to the client, which never resolves again, so a name that
//! answers differently the second time (DNS rebinding) gains nothing. Redirects are not
//! followed, connect and total time are bounded, and so is the response body read.
//!
//! Errors are worded for logs that administrators read: [`EgressError`]'s text never carries
//! the socket error (a "connection refused" per port would make a port scanner of the log).
#![forbid(unsafe_code)]

mod address;

pub use address::{classify, Blocked};
pub use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
pub use reqwest::{Method, StatusCode};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

/// What the operator allows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Policy {
    /// Reach private and loopback addresses too (for receivers on the operator's own network,
    /// and tests). Off by default.
    pub allow_private: bool,
}

/// Bounds on each request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub connect_timeout: Duration,
    /// The whole exchange: resolving, connecting, sending, and reading the response body.
    pub timeout: Duration,
    /// Response bodies longer than this fail with [`EgressError::TooLarge`].
    pub max_response_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(10),
            max_response_bytes: 1024 * 1024,
        }
    }
}

/// A request to send.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: Method,
    pub url: String,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Request {
    pub fn post(url: impl Into<String>, body: impl Into<Vec<u8>>) -> Self {
        Self {
            method: Method::POST,
            url: url.into(),
            headers: HeaderMap::new(),
            body: body.into(),
        }
    }

    /// Adds a header; a name or value that is not valid in a header is left out.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            self.headers.append(name, value);
        }
        self
    }
}

/// The answer, whatever its status (a redirect is an answer, not followed).
#[derive(Debug, Clone)]
pub struct Response {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

/// Why no answer came back. The `Display` text is safe for logs an administrator reads.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EgressError {
    /// Not an absolute `http` or `https` URL with a host.
    #[error("invalid URL")]
    InvalidUrl,
    /// The host is, or resolves to, an address that is not a public host.
    #[error("blocked: private address")]
    Blocked(Blocked),
    #[error("could not resolve the host")]
    Resolve,
    /// Refused, unreachable, reset, or TLS failed: which one is not said.
    #[error("could not connect")]
    Connect,
    #[error("timed out")]
    Timeout,
    #[error("response too large")]
    TooLarge,
    #[error("request failed")]
    Failed,
}

/// The client. Cheap to clone; build one per process (or per configuration).
#[derive(Clone)]
pub struct Egress {
    client: reqwest::Client,
    policy: Policy,
    limits: Limits,
}

impl Egress {
    pub fn new(policy: Policy, limits: Limits, user_agent: &str) -> Self {
        let client = reqwest::Client::builder()
            .dns_resolver(VettingResolver { policy })
            // A proxy would resolve and connect on our behalf, past every check here.
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(limits.connect_timeout)
            .timeout(limits.timeout)
            .user_agent(user_agent)
            .build()
            .expect("the egress HTTP client builds with static settings");
        Self {
            client,
            policy,
            limits,
        }
    }

    pub fn policy(&self) -> Policy {
        self.policy
    }

    /// Checks `url` without sending anything: the same refusal `send` would give for an
    /// address written in the URL (names are judged when they are resolved, at sending).
    pub fn check_url(&self, url: &str) -> Result<reqwest::Url, EgressError> {
        let url = reqwest::Url::parse(url).map_err(|_| EgressError::InvalidUrl)?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(EgressError::InvalidUrl);
        }
        // The url crate has already turned `2130706433`, `0x7f.1` and `127.1` into `127.0.0.1`
        // and `[::ffff:7f00:1]` into an IPv6 address, so literal forms are judged here; the
        // client connects to a literal without asking the resolver.
        let literal = match url.host() {
            Some(url::Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
            Some(url::Host::Domain(_)) => None,
            None => return Err(EgressError::InvalidUrl),
        };
        if let Some(ip) = literal {
            self.vet(ip)?;
        }
        Ok(url)
    }

    fn vet(&self, ip: IpAddr) -> Result<(), EgressError> {
        vet(self.policy, ip).map_err(|refused| EgressError::Blocked(refused.0))
    }

    /// Sends `request` and reads the answer (body bounded by the limits).
    pub async fn send(&self, request: Request) -> Result<Response, EgressError> {
        let url = self.check_url(&request.url)?;
        let sent = self
            .client
            .request(request.method, url)
            .headers(request.headers)
            .body(request.body)
            .send()
            .await;
        let mut response = sent.map_err(|error| describe(&error))?;
        let status = response.status();
        let headers = response.headers().clone();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|error| describe(&error))? {
            if body.len() + chunk.len() > self.limits.max_response_bytes {
                return Err(EgressError::TooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Response {
            status,
            headers,
            body,
        })
    }
}

/// A refusal carried through the client's error chain from the resolver.
#[derive(Debug)]
struct Refused(Blocked);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "refused to connect to a {} address", self.0)
    }
}

impl std::error::Error for Refused {}

/// Resolution failed or found nothing.
#[derive(Debug)]
struct Unresolved;

impl std::fmt::Display for Unresolved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the host did not resolve")
    }
}

impl std::error::Error for Unresolved {}

fn vet(policy: Policy, ip: IpAddr) -> Result<(), Refused> {
    match classify(ip) {
        Some(kind) if !policy.allow_private => Err(Refused(kind)),
        _ => Ok(()),
    }
}

/// Resolves a name and hands the client the addresses only when every one of them may be
/// reached: the client connects to exactly these, and never resolves the name itself.
struct VettingResolver {
    policy: Policy,
}

impl Resolve for VettingResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        let policy = self.policy;
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await
                .map_err(|_| Unresolved)?
                .collect();
            if addrs.is_empty() {
                return Err(Unresolved.into());
            }
            for addr in &addrs {
                if let Err(refused) = vet(policy, addr.ip()) {
                    tracing::debug!(%host, kind = %refused.0, "egress refused a resolved address");
                    return Err(refused.into());
                }
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// The client's error, in the words [`EgressError`] allows (never the socket error's text).
fn describe(error: &reqwest::Error) -> EgressError {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(inner) = cause {
        if let Some(refused) = inner.downcast_ref::<Refused>() {
            return EgressError::Blocked(refused.0);
        }
        if inner.downcast_ref::<Unresolved>().is_some() {
            return EgressError::Resolve;
        }
        cause = inner.source();
    }
    if error.is_timeout() {
        EgressError::Timeout
    } else if error.is_connect() {
        EgressError::Connect
    } else {
        EgressError::Failed
    }
}
