//! The one test harness: `TestApp::new()` seeds two accounts (an administrator and an agent in
//! the first, an administrator in the second, each with an inbox, a contact and a conversation;
//! the agent is a member of the first account's inbox, which does not assign automatically)
//! on a private database, drives `app(state)` in-process with `oneshot`, and `serve()` binds a
//! real port for browsers. `on_each_backend` runs a case on SQLite, then on PostgreSQL when
//! `TEST_DATABASE_URL` is set (a fresh schema each time).
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use axum::Router;
use domain::message::Author;
use domain::{AccountId, NewContact, NewConversation, NewInbox, NewMessage, Role, Status};
use http_body_util::BodyExt;
use serde_json::Value;
use store::Store;
use tower::ServiceExt;
use web::AppState;

pub const PASSWORD: &str = "correct-horse-battery";

#[derive(Debug, Clone)]
pub struct Person {
    pub id: i64,
    pub email: String,
    pub token: String,
}

/// What one account of the fixture holds.
#[derive(Debug, Clone)]
pub struct Tenant {
    pub account_id: i64,
    pub inbox_id: i64,
    pub contact_id: i64,
    /// The display id of its one conversation.
    pub conversation: i64,
}

pub struct TestApp {
    pub state: AppState,
    pub router: Router,
    pub admin: Person,
    pub agent: Person,
    /// An administrator of the second account only.
    pub stranger: Person,
    pub acme: Tenant,
    pub other: Tenant,
}

#[derive(Debug)]
pub struct TestResponse {
    pub status: StatusCode,
    pub text: String,
    pub headers: axum::http::HeaderMap,
}

impl TestResponse {
    /// The body as JSON (`Value::Null` when it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or(Value::Null)
    }
}

/// Runs `case` on SQLite, then on PostgreSQL when `TEST_DATABASE_URL` is set.
pub async fn on_each_backend(case: impl AsyncFn(TestApp)) {
    case(TestApp::with_store(Store::sqlite_in_temp_dir().await.expect("sqlite store")).await).await;
    match std::env::var("TEST_DATABASE_URL") {
        Ok(url) => {
            let store = Store::postgres_fresh_schema(&url)
                .await
                .expect("postgres store");
            case(TestApp::with_store(store).await).await
        }
        Err(_) if std::env::var_os("REQUIRE_POSTGRES").is_some() => {
            panic!("REQUIRE_POSTGRES is set but TEST_DATABASE_URL is not")
        }
        Err(_) => eprintln!("postgres: skipped, TEST_DATABASE_URL is not set"),
    }
}

/// The URL of an SQLite file in a fresh temporary folder, for a test that reopens it or hands
/// it to the binary; the folder goes when the returned guard is dropped (hold it to the end).
pub fn scratch_sqlite() -> (tempfile::TempDir, String) {
    let dir = tempfile::Builder::new()
        .prefix("switchboard-test-")
        .tempdir()
        .expect("a temporary folder");
    let url = format!("sqlite://{}", dir.path().join("switchboard.db").display());
    (dir, url)
}

impl TestApp {
    /// A fixture on a fresh SQLite file.
    pub async fn new() -> Self {
        Self::with_store(Store::sqlite_in_temp_dir().await.expect("sqlite store")).await
    }

    pub async fn with_store(store: Store) -> Self {
        let (acme, admin, agent) =
            tenant(&store, "Acme", "admin@acme.test", Some("agent@acme.test")).await;
        let (other, stranger, _) = tenant(&store, "Globex", "admin@globex.test", None).await;
        // The fixture's own events are not news to the tests' subscribers.
        store.start_log_here().await.expect("the event log");
        let state = AppState::new(store);
        let router = web::app(state.clone());
        Self {
            state,
            router,
            admin,
            agent: agent.expect("the first tenant has an agent"),
            stranger,
            acme,
            other,
        }
    }

    /// The same fixture served with the operator's `config` (public URL, proxy trust, limits).
    pub fn with_config(mut self, config: web::Config) -> Self {
        self.state = self.state.with_config(config);
        self.router = web::app(self.state.clone());
        self
    }

    pub fn store(&self) -> &Store {
        &self.state.store
    }

    /// `/api/v1/accounts/{acme}/{rest}`.
    pub fn api(&self, rest: &str) -> String {
        format!("/api/v1/accounts/{}/{rest}", self.acme.account_id)
    }

    /// `/api/v1/accounts/{other}/{rest}`: the second account.
    pub fn other_api(&self, rest: &str) -> String {
        format!("/api/v1/accounts/{}/{rest}", self.other.account_id)
    }

    pub async fn request(
        &self,
        method: Method,
        uri: &str,
        token: Option<&str>,
        body: Option<&str>,
    ) -> TestResponse {
        let mut builder = Request::builder().method(method).uri(uri);
        if let Some(token) = token {
            builder = builder.header("api_access_token", token);
        }
        if body.is_some() {
            builder = builder.header("content-type", "application/json");
        }
        let request = builder
            .body(body.map_or_else(Body::empty, |b| Body::from(b.to_owned())))
            .expect("a valid request");
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("the router answers");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("a body")
            .to_bytes();
        TestResponse {
            status,
            text: String::from_utf8_lossy(&bytes).into_owned(),
            headers,
        }
    }

    pub async fn get(&self, uri: &str, who: &Person) -> TestResponse {
        self.request(Method::GET, uri, Some(&who.token), None).await
    }

    pub async fn post(&self, uri: &str, who: &Person, body: &Value) -> TestResponse {
        self.request(Method::POST, uri, Some(&who.token), Some(&body.to_string()))
            .await
    }

    pub async fn patch(&self, uri: &str, who: &Person, body: &Value) -> TestResponse {
        self.request(
            Method::PATCH,
            uri,
            Some(&who.token),
            Some(&body.to_string()),
        )
        .await
    }

    pub async fn put(&self, uri: &str, who: &Person, body: &Value) -> TestResponse {
        self.request(Method::PUT, uri, Some(&who.token), Some(&body.to_string()))
            .await
    }

    pub async fn delete(&self, uri: &str, who: &Person) -> TestResponse {
        self.request(Method::DELETE, uri, Some(&who.token), None)
            .await
    }

    /// A new signing secret for dashboard app `app_id`, generated as the administrator, and the
    /// app set to sign its tokens with it (HS256; new apps default to EdDSA).
    pub async fn rotate_secret(&self, app_id: i64) -> String {
        let hs256 = serde_json::json!({"token_algorithm": "HS256"});
        let app_uri = self.api(&format!("dashboard_apps/{app_id}"));
        let switched = self.patch(&app_uri, &self.admin, &hs256).await;
        assert_eq!(switched.status, StatusCode::OK, "HS256: {}", switched.text);
        let uri = self.api(&format!("dashboard_apps/{app_id}/signing_secret"));
        let response = self.post(&uri, &self.admin, &serde_json::json!({})).await;
        assert_eq!(
            response.status,
            StatusCode::OK,
            "rotate a secret: {}",
            response.text
        );
        response.json()["signing_secret"]
            .as_str()
            .expect("a secret")
            .to_owned()
    }

    /// Takes `who` out of the first account's inbox, as an administrator would: its
    /// conversation is no longer theirs to see.
    pub async fn leave_inbox(&self, who: &Person) {
        self.store()
            .inbox_members()
            .remove(
                domain::AccountId(self.acme.account_id),
                domain::InboxId(self.acme.inbox_id),
                &[domain::UserId(who.id)],
            )
            .await
            .expect("taken out of the inbox");
    }

    /// Serves the app on `127.0.0.1:0` (bound before spawning, so no wait is needed), with
    /// that address as its public URL; returns its base URL.
    pub async fn serve(&self) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port");
        let base = format!("http://{}", listener.local_addr().expect("a bound address"));
        let mut config =
            web::Config::new(&base, self.state.config.trust_proxy).expect("a valid URL");
        config.app_token_lifetime = self.state.config.app_token_lifetime;
        config.app_requests = self.state.config.app_requests;
        let router = web::app(self.state.clone().with_config(config));
        spawn_router(listener, router);
        base
    }
}

/// Binds `127.0.0.1:0`, spawns `router` on it and returns `http://127.0.0.1:PORT`.
pub async fn serve_router(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port");
    let addr = listener.local_addr().expect("a bound address");
    spawn_router(listener, router);
    format!("http://{addr}")
}

/// Serves `router` on `listener` as Switchboard does, the peer's address known to handlers.
fn spawn_router(listener: tokio::net::TcpListener, router: Router) {
    tokio::spawn(async move {
        web::server::serve_http(listener, router, std::future::pending())
            .await
            .expect("the test server runs");
    });
}

async fn tenant(
    store: &Store,
    name: &str,
    admin_email: &str,
    agent_email: Option<&str>,
) -> (Tenant, Person, Option<Person>) {
    let account = store.accounts().create(name).await.expect("account");
    let admin = person(
        store,
        "Ada Admin",
        admin_email,
        account.id,
        Role::Administrator,
    )
    .await;
    let agent = match agent_email {
        Some(email) => Some(person(store, "Sam Agent", email, account.id, Role::Agent).await),
        None => None,
    };
    let inbox = store
        .inboxes()
        .create(&NewInbox::validate(account.id, Some("Website"), None).expect("valid inbox"))
        .await
        .expect("inbox");
    let fields = domain::contact::ContactFields {
        name: Some("Maria Lopez"),
        email: Some("maria@northwind.example"),
        phone_number: Some("+14155550100"),
        identifier: Some("cust_8812"),
        additional_attributes: Some(serde_json::json!({"company_name": "Northwind Bakery"})),
        custom_attributes: Some(serde_json::json!({"plan": "pro"})),
    };
    let contact = store
        .contacts()
        .create(&NewContact::validate(account.id, fields, Some(inbox.id)).expect("valid contact"))
        .await
        .expect("contact")
        .contact;
    let first = NewMessage::validate(
        Some("Hi, my order #5521 has not arrived yet."),
        Some("incoming"),
        None,
        None,
        Author::Contact(contact.id),
    )
    .expect("valid message");
    let new = NewConversation {
        account_id: account.id,
        inbox_id: inbox.id,
        contact_id: contact.id,
        source_id: None,
        status: Status::Open,
        assignee_id: None,
        custom_attributes: Default::default(),
        additional_attributes: Default::default(),
        first_message: Some(first),
    };
    let conversation = store
        .conversations()
        .create(&new)
        .await
        .expect("conversation")
        .value;
    // The agent works the account's inbox, so they see what the tests show them (an agent
    // sees only their inboxes' conversations). Automatic assignment is off in the fixture, so
    // its conversations stay unassigned unless a test turns it on (tests/it/api/access.rs).
    let mut changes = domain::InboxChanges::validate(None, None).expect("valid changes");
    changes.enable_auto_assignment = Some(false);
    store
        .inboxes()
        .update(account.id, inbox.id, &changes)
        .await
        .expect("inbox settings");
    if let Some(agent) = &agent {
        store
            .inbox_members()
            .add(account.id, inbox.id, &[domain::UserId(agent.id)])
            .await
            .expect("inbox member");
    }
    let tenant = Tenant {
        account_id: account.id.get(),
        inbox_id: inbox.id.get(),
        contact_id: contact.id.get(),
        conversation: conversation.conversation.display_id.get(),
    };
    (tenant, admin, agent)
}

async fn person(store: &Store, name: &str, email: &str, account: AccountId, role: Role) -> Person {
    let user = store
        .users()
        .create(name, email, PASSWORD, Some((account, role)))
        .await
        .expect("user");
    // Tokens are stored hashed: the fixture issues a fresh one, as the profile page does.
    let token = store
        .users()
        .reset_access_token(user.id)
        .await
        .expect("token");
    Person {
        id: user.id.get(),
        email: email.to_owned(),
        token,
    }
}

/// A fixture file of `tests/fixtures/`, parsed.
pub fn fixture(name: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("fixture is JSON")
}

/// Schema errors of `value` against `$defs/<def>` of the app-context schema (or the whole
/// schema when `def` is None).
pub fn schema_errors(value: &Value, def: Option<&str>) -> Vec<String> {
    let mut schema = fixture("app-context.schema.json");
    if let Some(def) = def {
        let defs = schema["$defs"].clone();
        schema = serde_json::json!({"$defs": defs, "$ref": format!("#/$defs/{def}")});
    }
    let validator = jsonschema::validator_for(&schema).expect("a valid schema");
    validator
        .iter_errors(value)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect()
}

/// The claims of a context token, verified by an independent JWT library (not our signer's
/// code) as HS256 with `secret` for `dashboard_app:<app_id>`; `None` when it does not verify.
pub fn verified_claims(token: &str, secret: &str, app_id: i64) -> Option<Value> {
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    validation.set_audience(&[format!("dashboard_app:{app_id}")]);
    let key = jsonwebtoken::DecodingKey::from_secret(secret.as_bytes());
    jsonwebtoken::decode::<Value>(token, &key, &validation)
        .ok()
        .map(|data| data.claims)
}
