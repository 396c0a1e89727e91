//! The dashboard-app request proxy (issue 14, item 4): an app's `request({method, url, headers,
//! body})`, filled with the app's `{{settings.key}}` and `{{secret.key}}` values here on the
//! server, sent only to a host on the app's allow-list (https only unless the operator allows
//! http) through the egress guard (private addresses refused unless the operator opted in),
//! redirects returned rather than followed, and answered with every opened secret scrubbed out.
//! Who may ask, the rate limit and the audit log are the handler's (`api::app_requests`).

use crate::throttle::Limit;
use domain::app_setting::{fill, host_allowed};
use domain::{DashboardApp, DomainError};
use egress::{Egress, HeaderMap, Method};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

/// What the operator allows apps' requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Plain http too (`SWITCHBOARD_APP_REQUESTS_ALLOW_HTTP=1`); off, only https.
    pub allow_http: bool,
    /// Private and loopback addresses too: the operator's egress opt-in
    /// (`SWITCHBOARD_EGRESS_ALLOW_PRIVATE=1`), shared with webhooks.
    pub allow_private: bool,
    /// Requests per app and account in a window.
    pub limit: Limit,
    /// The whole exchange, answer included.
    pub timeout: Duration,
    /// Answers longer than this are refused (502).
    pub max_response_bytes: usize,
    /// A service this server started itself on loopback (the bundled demo app's backend):
    /// reachable over plain http at exactly this address with both opt-ins off. Nothing an
    /// administrator or an app can name otherwise gets through.
    pub local_service: Option<std::net::SocketAddr>,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            allow_http: false,
            allow_private: false,
            limit: Limit {
                max: 60,
                seconds: 60,
            },
            timeout: Duration::from_secs(10),
            max_response_bytes: 1024 * 1024,
            local_service: None,
        }
    }
}

/// The client apps' requests go through.
pub fn egress_for(policy: &Policy) -> Egress {
    egress_allowing(policy, policy.allow_private)
}

/// The client for requests to [`Policy::local_service`] (loopback, so private addresses on).
pub fn local_egress_for(policy: &Policy) -> Egress {
    egress_allowing(policy, true)
}

fn egress_allowing(policy: &Policy, allow_private: bool) -> Egress {
    let limits = egress::Limits {
        connect_timeout: policy.timeout.min(Duration::from_secs(5)),
        timeout: policy.timeout,
        max_response_bytes: policy.max_response_bytes,
    };
    Egress::new(
        egress::Policy { allow_private },
        limits,
        "Switchboard-App-Proxy/1",
    )
}

/// Whether `url` names exactly the policy's local service (its IP literal and port).
fn is_local_service(url: &url::Url, policy: &Policy) -> bool {
    let Some(service) = policy.local_service else {
        return false;
    };
    let host = match url.host() {
        Some(url::Host::Ipv4(ip)) => std::net::IpAddr::V4(ip),
        Some(url::Host::Ipv6(ip)) => std::net::IpAddr::V6(ip),
        _ => return false,
    };
    url.scheme() == "http"
        && host == service.ip()
        && url.port_or_known_default() == Some(service.port())
}

/// What an app asks to send, as the SDK's `request()` passes it on.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct AppRequest {
    /// GET, POST, PUT, PATCH, DELETE or HEAD; GET when left out.
    #[serde(default)]
    pub method: Option<String>,
    /// May hold `{{settings.key}}` and `{{secret.key}}`.
    pub url: String,
    /// Values may hold placeholders.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Text; may hold placeholders.
    #[serde(default)]
    pub body: Option<String>,
}

/// A request ready to send, and what the audit log may say about it.
#[derive(Debug)]
pub struct Prepared {
    pub request: egress::Request,
    pub audit: Audit,
    /// It goes to [`Policy::local_service`]: send it with [`local_egress_for`]'s client.
    pub local: bool,
}

/// What is logged: the method, the host and the path with every secret replaced, no query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Audit {
    pub method: String,
    pub host: String,
    pub path: String,
}

/// Headers an app may not set: the connection's own, and the ones the client computes.
const RESERVED_HEADERS: [&str; 6] = [
    "host",
    "content-length",
    "connection",
    "transfer-encoding",
    "upgrade",
    "te",
];
const MAX_HEADERS: usize = 50;
/// What stands for a secret in the audit log.
const REDACTED: &str = "[secret]";

/// What the audit log can say about `request` before anything is checked (its method, and the
/// host and path of its URL with settings filled and secrets redacted), best effort.
pub fn audit_of(app: &DashboardApp, request: &AppRequest) -> Audit {
    let method = request
        .method
        .as_deref()
        .unwrap_or("GET")
        .to_ascii_uppercase();
    let redacted: HashMap<String, String> = app
        .settings
        .secret_keys()
        .into_iter()
        .map(|key| (key, REDACTED.to_owned()))
        .collect();
    let url = fill(&request.url, "url", &app.settings.values, &redacted)
        .ok()
        .and_then(|text| url::Url::parse(&text).ok());
    Audit {
        method: method.chars().take(16).collect(),
        host: url
            .as_ref()
            .and_then(|u| u.host().map(|h| h.to_string()))
            .unwrap_or_default(),
        path: url.map(|u| u.path().to_owned()).unwrap_or_default(),
    }
}

/// Fills and checks `request` for `app`: the method known, the URL absolute, https (or http
/// when allowed), its host on the app's list; `secrets` are the app's opened secret values.
/// Errors are 422s naming the field (`method`, `url`, `headers.<name>`, `body`).
pub fn prepare(
    app: &DashboardApp,
    request: &AppRequest,
    secrets: &HashMap<String, String>,
    policy: &Policy,
) -> Result<Prepared, DomainError> {
    let audit = audit_of(app, request);
    let method = match audit.method.as_str() {
        "GET" => Method::GET,
        "POST" => Method::POST,
        "PUT" => Method::PUT,
        "PATCH" => Method::PATCH,
        "DELETE" => Method::DELETE,
        "HEAD" => Method::HEAD,
        _ => {
            return Err(DomainError::invalid(
                "method",
                "Method must be GET, POST, PUT, PATCH, DELETE or HEAD",
            ))
        }
    };
    let values = &app.settings.values;
    let url_text = fill(&request.url, "url", values, secrets)?;
    let url = url::Url::parse(&url_text)
        .map_err(|_| DomainError::invalid("url", "Url must be an absolute https URL"))?;
    let local = is_local_service(&url, policy);
    match url.scheme() {
        "https" => {}
        "http" if policy.allow_http || local => {}
        _ => {
            return Err(DomainError::invalid(
                "url",
                "Url must use https (the operator has not allowed http)",
            ))
        }
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(DomainError::invalid(
            "url",
            "Url may not carry a user name or password",
        ));
    }
    if !host_allowed(&app.settings.request_hosts, &url) {
        return Err(DomainError::invalid(
            "url",
            format!(
                "Url's host {} is not one of this app's request hosts (an administrator adds it in the app's settings)",
                audit.host
            ),
        ));
    }
    if request.headers.len() > MAX_HEADERS {
        return Err(DomainError::invalid(
            "headers",
            format!("At most {MAX_HEADERS} headers"),
        ));
    }
    let mut outgoing = egress::Request {
        method,
        url: url.to_string(),
        headers: HeaderMap::new(),
        body: Vec::new(),
    };
    for (name, value) in &request.headers {
        let field = format!("headers.{}", name.to_ascii_lowercase());
        if RESERVED_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
            return Err(DomainError::invalid(
                &field,
                format!("Header {name} is set by the server"),
            ));
        }
        let filled = fill(value, &field, values, secrets)?;
        let name = egress::HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| DomainError::invalid(&field, "Header name is not valid"))?;
        let value = egress::HeaderValue::from_str(&filled)
            .map_err(|_| DomainError::invalid(&field, "Header value is not valid"))?;
        outgoing.headers.append(name, value);
    }
    if let Some(body) = &request.body {
        outgoing.body = fill(body, "body", values, secrets)?.into_bytes();
    }
    Ok(Prepared {
        request: outgoing,
        audit,
        local,
    })
}

/// The answer the app gets: status, headers and body as text, every secret scrubbed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AppResponse {
    pub status: u16,
    /// Lowercase names; `set-cookie` left out (the app's frame could not use it anyway).
    pub headers: BTreeMap<String, String>,
    /// The body as text (invalid UTF-8 replaced).
    pub body: String,
}

/// Shapes `response` for the app, replacing every value of `secrets` (a remote service may echo
/// a key back) with `[secret]`.
pub fn answer(response: &egress::Response, secrets: &HashMap<String, String>) -> AppResponse {
    let scrub = |text: &str| {
        secrets
            .values()
            .filter(|secret| !secret.is_empty())
            .fold(text.to_owned(), |text, secret| {
                text.replace(secret.as_str(), REDACTED)
            })
    };
    let mut headers = BTreeMap::new();
    for (name, value) in &response.headers {
        if name.as_str() == "set-cookie" {
            continue;
        }
        let value = scrub(&String::from_utf8_lossy(value.as_bytes()));
        headers
            .entry(name.as_str().to_owned())
            .and_modify(|all: &mut String| {
                all.push_str(", ");
                all.push_str(&value);
            })
            .or_insert(value);
    }
    AppResponse {
        status: response.status.as_u16(),
        headers,
        body: scrub(&String::from_utf8_lossy(&response.body)),
    }
}

/// The non-secret values an app's contexts carry as their top-level `settings`.
pub fn context_settings(app: &DashboardApp) -> Map<String, Value> {
    domain::app_setting::retained(&app.settings.schema, &app.settings.values)
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::app_setting::schema_of;
    use serde_json::json;

    fn app() -> DashboardApp {
        let mut app = DashboardApp {
            id: domain::DashboardAppId(7),
            account_id: domain::AccountId(1),
            title: "CRM".into(),
            content: vec![],
            created_at: 0,
            enabled: true,
            position: 1,
            display_type: domain::DisplayType::Conversation,
            placements: vec![domain::app_placement::Placement::ConversationTab],
            inbox_ids: vec![],
            allowed_actions: vec![],
            token_algorithm: domain::context_token::TokenAlgorithm::EdDsa,
            visibility: Default::default(),
            settings: Default::default(),
        };
        app.settings.schema = schema_of(&json!([
            {"key": "region", "label": "Region", "type": "text"},
            {"key": "api_key", "label": "API key", "type": "secret"}
        ]))
        .unwrap();
        app.settings.values = json!({"region": "eu"}).as_object().unwrap().clone();
        app.settings.request_hosts = vec!["api.crm.example".into()];
        app
    }

    fn request(url: &str) -> AppRequest {
        AppRequest {
            method: Some("post".into()),
            url: url.into(),
            headers: BTreeMap::from([("Authorization".into(), "Bearer {{secret.api_key}}".into())]),
            body: Some("{\"region\": \"{{settings.region}}\"}".into()),
        }
    }

    #[test]
    fn only_the_local_service_itself_is_reached_over_http_without_the_opt_ins() {
        let mut app = app();
        app.settings.request_hosts = vec!["127.0.0.1".into()];
        let secrets = HashMap::from([("api_key".to_owned(), "k-123".to_owned())]);
        let policy = Policy {
            local_service: Some("127.0.0.1:3001".parse().unwrap()),
            ..Policy::default()
        };
        let local = prepare(
            &app,
            &request("http://127.0.0.1:3001/api/loyalty"),
            &secrets,
            &policy,
        )
        .expect("the local service is reachable");
        assert!(local.local);
        for other in ["http://127.0.0.1:3002/api", "http://127.0.0.1/api"] {
            let refused = prepare(&app, &request(other), &secrets, &policy).unwrap_err();
            assert_eq!(refused.attributes, vec!["url".to_owned()], "{other}");
        }
        let https = prepare(
            &app,
            &request("https://127.0.0.1:3001/api"),
            &secrets,
            &policy,
        )
        .expect("https to a listed host passes the checks");
        assert!(
            !https.local,
            "only plain http to the service is sent as local"
        );
        let without = prepare(
            &app,
            &request("http://127.0.0.1:3001/api"),
            &secrets,
            &Policy::default(),
        );
        assert!(
            without.is_err(),
            "no local service configured: http is refused"
        );
    }

    #[test]
    fn a_request_is_filled_on_the_server_and_audited_without_its_secrets() {
        let secrets = HashMap::from([("api_key".to_owned(), "k-123".to_owned())]);
        let prepared = prepare(
            &app(),
            &request("https://api.crm.example/{{settings.region}}/x/{{secret.api_key}}?key={{secret.api_key}}"),
            &secrets,
            &Policy::default(),
        )
        .unwrap();
        assert_eq!(
            prepared.request.url,
            "https://api.crm.example/eu/x/k-123?key=k-123"
        );
        assert_eq!(prepared.request.headers["authorization"], "Bearer k-123");
        assert_eq!(prepared.request.body, b"{\"region\": \"eu\"}");
        assert_eq!(
            prepared.audit,
            Audit {
                method: "POST".into(),
                host: "api.crm.example".into(),
                path: "/eu/x/[secret]".into()
            }
        );
    }

    #[test]
    fn other_hosts_plain_http_and_bad_methods_are_refused_naming_the_field() {
        let secrets = HashMap::from([("api_key".to_owned(), "k".to_owned())]);
        let policy = Policy::default();
        for (url, field) in [
            ("https://evil.example/", "url"),
            ("https://api.crm.example.evil.example/", "url"),
            ("http://api.crm.example/", "url"),
            ("https://u:p@api.crm.example/", "url"),
            ("api.crm.example/x", "url"),
            ("https://api.crm.example/{{secret.missing}}", "url"),
        ] {
            let err = prepare(&app(), &request(url), &secrets, &policy).unwrap_err();
            assert_eq!(err.attributes, [field], "{url}");
        }
        let http = Policy {
            allow_http: true,
            ..policy
        };
        assert!(prepare(&app(), &request("http://api.crm.example/"), &secrets, &http).is_ok());
        let mut bad = request("https://api.crm.example/");
        bad.method = Some("CONNECT".into());
        assert_eq!(
            prepare(&app(), &bad, &secrets, &policy)
                .unwrap_err()
                .attributes,
            ["method"]
        );
        let mut host = request("https://api.crm.example/");
        host.headers.insert("Host".into(), "other".into());
        assert_eq!(
            prepare(&app(), &host, &secrets, &policy)
                .unwrap_err()
                .attributes,
            ["headers.host"]
        );
    }

    #[test]
    fn an_echoed_secret_is_scrubbed_from_the_answer() {
        let mut headers = HeaderMap::new();
        headers.insert("x-echo", "k-123".parse().unwrap());
        headers.insert("set-cookie", "a=b".parse().unwrap());
        let response = egress::Response {
            status: egress::StatusCode::OK,
            headers,
            body: b"you sent k-123".to_vec(),
        };
        let secrets = HashMap::from([("api_key".to_owned(), "k-123".to_owned())]);
        let answer = answer(&response, &secrets);
        assert_eq!(answer.body, "you sent [secret]");
        assert_eq!(answer.headers["x-echo"], "[secret]");
        assert!(!answer.headers.contains_key("set-cookie"));
    }
}
