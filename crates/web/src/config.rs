//! How the server is reached, as the operator configured it: its public URL (the context
//! token's `iss`, links, `Secure` cookies and HSTS when it is https) and whether a reverse
//! proxy's `X-Forwarded-For` / `X-Forwarded-Proto` are believed. Nothing here is ever taken from
//! a request's `Host` header.

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// `SWITCHBOARD_PUBLIC_URL` without a trailing slash (`https://support.example.com`), or
    /// `http://` and the listen address when unset.
    public_url: String,
    https: bool,
    /// `SWITCHBOARD_TRUST_PROXY`: the server sits behind one reverse proxy that sets
    /// `X-Forwarded-For` and `X-Forwarded-Proto`. Off, those headers are ignored (anyone can
    /// send them).
    pub trust_proxy: bool,
    /// The sign-in and Client API throttles' budgets.
    pub limits: crate::throttle::Limits,
    /// What one message's files may be (`SWITCHBOARD_ATTACHMENT_MAX_BYTES` and defaults).
    pub uploads: domain::attachment::UploadLimits,
    /// `SWITCHBOARD_APP_TOKEN_LIFETIME`: seconds a context token is valid (and a key replaced by
    /// `switchboard keys rotate` stays published).
    pub app_token_lifetime: i64,
    /// How long a request, and a request that streams files, may take (408 past it).
    pub timeouts: crate::deadline::Timeouts,
    /// What dashboard apps' proxied requests may do: http as well as https
    /// (`SWITCHBOARD_APP_REQUESTS_ALLOW_HTTP`), private addresses (the egress opt-in), the rate
    /// limit per app and account, the timeout and the largest answer.
    pub app_requests: crate::app_proxy::Policy,
}

impl Default for Config {
    fn default() -> Self {
        Self::new("http://localhost:3000", false).expect("the default URL is valid")
    }
}

#[derive(Debug, thiserror::Error)]
#[error("SWITCHBOARD_PUBLIC_URL must be an absolute http(s) URL without query or fragment: {0}")]
pub struct BadPublicUrl(String);

impl Config {
    pub fn new(public_url: &str, trust_proxy: bool) -> Result<Self, BadPublicUrl> {
        let bad = || BadPublicUrl(public_url.to_owned());
        let url = url::Url::parse(public_url.trim()).map_err(|_| bad())?;
        let acceptable = matches!(url.scheme(), "http" | "https")
            && url.host_str().is_some()
            && url.query().is_none()
            && url.fragment().is_none()
            && url.username().is_empty()
            && url.password().is_none();
        if !acceptable {
            return Err(bad());
        }
        Ok(Self {
            public_url: url.as_str().trim_end_matches('/').to_owned(),
            https: url.scheme() == "https",
            trust_proxy,
            limits: crate::throttle::Limits::default(),
            uploads: domain::attachment::UploadLimits::default(),
            app_token_lifetime: domain::context_token::LIFETIME_SECONDS,
            timeouts: crate::deadline::Timeouts::default(),
            app_requests: crate::app_proxy::Policy::default(),
        })
    }

    /// Where users reach Switchboard, without a trailing slash; the context token's `iss`.
    pub fn public_url(&self) -> &str {
        &self.public_url
    }

    /// Whether the public URL is https: session cookies are `Secure` and HSTS is sent.
    pub fn is_https(&self) -> bool {
        self.https
    }

    /// Whether this request arrived over https: the public URL says so, or a trusted proxy's
    /// `X-Forwarded-Proto` does.
    pub fn is_https_request(&self, headers: &HeaderMap) -> bool {
        self.https
            || (self.trust_proxy
                && headers
                    .get("x-forwarded-proto")
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|proto| proto.trim().eq_ignore_ascii_case("https")))
    }

    /// The client's address: the connection's peer, or, behind a trusted proxy, the address
    /// that proxy appended last to `X-Forwarded-For` (entries before it are the client's own
    /// claims). `None` when neither is known (requests driven in-process).
    pub fn client_addr(&self, headers: &HeaderMap, peer: Option<IpAddr>) -> Option<IpAddr> {
        if self.trust_proxy {
            // Only the very last entry is the proxy's; one that does not parse is no address
            // (never a fall back to the client's own claims before it).
            let forwarded = headers
                .get_all("x-forwarded-for")
                .iter()
                .map(|v| v.to_str().unwrap_or_default())
                .flat_map(|v| v.split(','))
                .next_back()
                .and_then(|entry| entry.trim().parse::<IpAddr>().ok());
            if forwarded.is_some() {
                return forwarded;
            }
        }
        peer
    }
}

/// How long browsers remember to use https only (a year, what HSTS preload lists ask for).
/// Without `includeSubDomains`: other hosts under the operator's domain are not ours to commit.
pub const STRICT_TRANSPORT_SECURITY: &str = "max-age=31536000";

/// Adds `Strict-Transport-Security` to every answer to a request that came over https (the
/// public URL is https, or a trusted proxy says so); browsers ignore it over plain http.
pub async fn strict_transport(
    State(state): State<crate::AppState>,
    request: Request,
    next: Next,
) -> Response {
    let https = state.config.is_https_request(request.headers());
    let mut response = next.run(request).await;
    if https {
        response.headers_mut().insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(STRICT_TRANSPORT_SECURITY),
        );
    }
    response
}

/// The requesting client's address, as [`Config::client_addr`] decides it; keys the sign-in
/// and Client API throttles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub Option<IpAddr>);

impl ClientAddr {
    /// The throttles' key for this address (`unknown` when there is none).
    pub fn key(&self) -> String {
        self.0
            .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string())
    }
}

impl FromRequestParts<crate::AppState> for ClientAddr {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &crate::AppState,
    ) -> Result<Self, Infallible> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip());
        Ok(ClientAddr(state.config.client_addr(&parts.headers, peer)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_public_url_is_kept_without_its_trailing_slash_and_must_be_http() {
        let config = Config::new("https://support.example.com/", false).unwrap();
        assert_eq!(config.public_url(), "https://support.example.com");
        assert!(config.is_https());
        let config = Config::new("http://10.0.0.5:3000/desk", false).unwrap();
        assert_eq!(config.public_url(), "http://10.0.0.5:3000/desk");
        assert!(!config.is_https());
        for bad in [
            "support.example.com",
            "javascript://support.evil.example",
            "ftp://a.example",
            "https://a.example/?q=1",
            "https://user:pw@a.example",
            "",
        ] {
            assert!(Config::new(bad, false).is_err(), "{bad}");
        }
    }

    #[test]
    fn forwarded_headers_count_only_behind_a_trusted_proxy() {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", "6.6.6.6, 203.0.113.9".parse().unwrap());
        headers.insert("x-forwarded-proto", "https".parse().unwrap());
        let peer = Some("10.0.0.2".parse().unwrap());
        let direct = Config::new("http://desk.example", false).unwrap();
        assert_eq!(direct.client_addr(&headers, peer), peer);
        assert!(!direct.is_https_request(&headers));
        let proxied = Config::new("http://desk.example", true).unwrap();
        assert_eq!(
            proxied.client_addr(&headers, peer),
            Some("203.0.113.9".parse().unwrap()),
            "the proxy's own entry, not the client's claim before it"
        );
        assert!(proxied.is_https_request(&headers));
        assert_eq!(proxied.client_addr(&HeaderMap::new(), peer), peer);
        // A last entry that is no address falls back to the peer, not to the claim before it.
        let mut garbled = HeaderMap::new();
        garbled.insert("x-forwarded-for", "6.6.6.6, unknown".parse().unwrap());
        assert_eq!(proxied.client_addr(&garbled, peer), peer);
    }
}
