//! Who sees what (issue 11, item 1): every route of `crates/web/src/routes.rs`, walked as four
//! outsiders to the fixture's inbox — an agent of the account in no inbox, an agent of another
//! inbox of the account, an agent of another account, and an agent removed from the account —
//! answers 401/404 (or, for what every member may read, nothing of the inbox's conversation),
//! never the conversation's data. The route table below is checked against `routes.rs`, so a
//! new route without a case fails here. Round-robin auto-assignment is tested at the end.

use super::{assert_invalid, ok, send};
use crate::hardening::page_session;
use crate::support::{on_each_backend, Person, TestApp, TestResponse, PASSWORD};
use axum::http::Method;
use domain::{AccountId, InboxId, NewInbox, Role, UserId};
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// Text of the fixture conversation's first message: wherever it shows, the conversation does.
const MARKER: &str = "order #5521";

/// What a route allows an outsider to the fixture's inbox.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Rule {
    /// About one conversation: 401/404 for every outsider.
    Conversation,
    /// Lists conversations or inboxes: an agent of the account gets it without the inbox's
    /// conversation; anyone else 401/404.
    List,
    /// Administrators only: 401 (403 for pages) or 404 for every outsider.
    Admin,
    /// Anything any member of the account may read or write (contacts, labels, …): open to an
    /// agent of the account, 401/404 to anyone else; never the conversation either way.
    Account,
    /// Not about an account (sign-in, profile, the Client API by inbox identifier, assets):
    /// never the conversation.
    Anyone,
}

/// Every route: method, path as `routes.rs` writes it, and its rule.
const ROUTES: &[(&str, &str, Rule)] = &[
    ("GET", "/health", Rule::Anyone),
    ("GET", "/api/openapi.json", Rule::Anyone),
    ("GET", "/cable", Rule::Anyone),
    ("POST", "/auth/sign_in", Rule::Anyone),
    ("GET", "/api/v1/profile", Rule::Anyone),
    ("POST", "/api/v1/profile/availability", Rule::Anyone),
    ("POST", "/api/v1/profile/auto_offline", Rule::Anyone),
    ("PUT", "/api/v1/profile", Rule::Anyone),
    ("PATCH", "/api/v1/profile", Rule::Anyone),
    ("GET", "/api/v1/accounts/{account_id}/agents", Rule::Account),
    ("POST", "/api/v1/accounts/{account_id}/agents", Rule::Admin),
    ("PATCH", "/api/v1/accounts/{account_id}/agents/{id}", Rule::Admin),
    ("PUT", "/api/v1/accounts/{account_id}/agents/{id}", Rule::Admin),
    ("DELETE", "/api/v1/accounts/{account_id}/agents/{id}", Rule::Admin),
    ("GET", "/api/v1/accounts/{account_id}/inboxes", Rule::List),
    ("POST", "/api/v1/accounts/{account_id}/inboxes", Rule::Admin),
    ("GET", "/api/v1/accounts/{account_id}/inboxes/{id}", Rule::Conversation),
    ("PATCH", "/api/v1/accounts/{account_id}/inboxes/{id}", Rule::Admin),
    ("PUT", "/api/v1/accounts/{account_id}/inboxes/{id}", Rule::Admin),
    ("DELETE", "/api/v1/accounts/{account_id}/inboxes/{id}", Rule::Admin),
    ("POST", "/api/v1/accounts/{account_id}/inboxes/{id}/rotate_hmac_token", Rule::Admin),
    ("GET", "/api/v1/accounts/{account_id}/contacts", Rule::Account),
    ("POST", "/api/v1/accounts/{account_id}/contacts", Rule::Account),
    ("GET", "/api/v1/accounts/{account_id}/contacts/search", Rule::Account),
    ("POST", "/api/v1/accounts/{account_id}/contacts/filter", Rule::Account),
    ("POST", "/api/v1/accounts/{account_id}/actions/contact_merge", Rule::Account),
    ("GET", "/api/v1/accounts/{account_id}/contacts/{id}", Rule::Account),
    ("PATCH", "/api/v1/accounts/{account_id}/contacts/{id}", Rule::Account),
    ("PUT", "/api/v1/accounts/{account_id}/contacts/{id}", Rule::Account),
    ("DELETE", "/api/v1/accounts/{account_id}/contacts/{id}", Rule::Admin),
    ("GET", "/api/v1/accounts/{account_id}/contacts/{id}/conversations", Rule::List),
    ("GET", "/api/v1/accounts/{account_id}/contacts/{id}/app_context", Rule::List),
    ("GET", "/api/v1/accounts/{account_id}/contacts/{id}/labels", Rule::Account),
    ("POST", "/api/v1/accounts/{account_id}/contacts/{id}/labels", Rule::Account),
    ("GET", "/api/v1/accounts/{account_id}/contacts/{id}/notes", Rule::Account),
    ("POST", "/api/v1/accounts/{account_id}/contacts/{id}/notes", Rule::Account),
    ("GET", "/api/v1/accounts/{account_id}/contacts/{id}/notes/{note_id}", Rule::Account),
    ("PATCH", "/api/v1/accounts/{account_id}/contacts/{id}/notes/{note_id}", Rule::Account),
    ("PUT", "/api/v1/accounts/{account_id}/contacts/{id}/notes/{note_id}", Rule::Account),
    ("DELETE", "/api/v1/accounts/{account_id}/contacts/{id}/notes/{note_id}", Rule::Account),
    ("GET", "/api/v1/accounts/{account_id}/contacts/{id}/contactable_inboxes", Rule::List),
    ("POST", "/api/v1/accounts/{account_id}/contacts/{id}/contact_inboxes", Rule::Account),
    ("POST", "/api/v1/accounts/{account_id}/contacts/{id}/destroy_custom_attributes", Rule::Account),
    ("GET", "/api/v1/accounts/{account_id}/conversations", Rule::List),
    ("POST", "/api/v1/accounts/{account_id}/conversations", Rule::Account),
    ("GET", "/api/v1/accounts/{account_id}/conversations/meta", Rule::List),
    ("GET", "/api/v1/accounts/{account_id}/conversations/search", Rule::List),
    ("POST", "/api/v1/accounts/{account_id}/conversations/filter", Rule::List),
    ("GET", "/api/v1/accounts/{account_id}/conversations/{display_id}", Rule::Conversation),
    ("PATCH", "/api/v1/accounts/{account_id}/conversations/{display_id}", Rule::Conversation),
    ("PUT", "/api/v1/accounts/{account_id}/conversations/{display_id}", Rule::Conversation),
    ("POST", "/api/v1/accounts/{account_id}/conversations/{display_id}/toggle_priority", Rule::Conversation),
    ("GET", "/api/v1/accounts/{account_id}/conversations/{display_id}/app_context", Rule::Conversation),
    ("POST", "/api/v1/accounts/{account_id}/conversations/{display_id}/app_actions", Rule::Conversation),
    ("POST", "/api/v1/accounts/{account_id}/conversations/{display_id}/toggle_status", Rule::Conversation),
    ("POST", "/api/v1/accounts/{account_id}/conversations/{display_id}/toggle_typing_status", Rule::Conversation),
    ("POST", "/api/v1/accounts/{account_id}/conversations/{display_id}/assignments", Rule::Conversation),
    ("GET", "/api/v1/accounts/{account_id}/conversations/{display_id}/labels", Rule::Conversation),
    ("POST", "/api/v1/accounts/{account_id}/conversations/{display_id}/labels", Rule::Conversation),
    ("POST", "/api/v1/accounts/{account_id}/conversations/{display_id}/custom_attributes", Rule::Conversation),
    ("POST", "/api/v1/accounts/{account_id}/conversations/{display_id}/update_last_seen", Rule::Conversation),
    ("GET", "/api/v1/accounts/{account_id}/conversations/{display_id}/messages", Rule::Conversation),
    ("POST", "/api/v1/accounts/{account_id}/conversations/{display_id}/messages", Rule::Conversation),
    ("DELETE", "/api/v1/accounts/{account_id}/conversations/{display_id}/messages/{id}", Rule::Conversation),
    ("GET", "/api/v1/accounts/{account_id}/teams", Rule::Account),
    ("POST", "/api/v1/accounts/{account_id}/teams", Rule::Admin),
    ("GET", "/api/v1/accounts/{account_id}/teams/{id}", Rule::Account),
    ("PATCH", "/api/v1/accounts/{account_id}/teams/{id}", Rule::Admin),
    ("PUT", "/api/v1/accounts/{account_id}/teams/{id}", Rule::Admin),
    ("DELETE", "/api/v1/accounts/{account_id}/teams/{id}", Rule::Admin),
    ("GET", "/api/v1/accounts/{account_id}/teams/{team_id}/team_members", Rule::Account),
    ("POST", "/api/v1/accounts/{account_id}/teams/{team_id}/team_members", Rule::Admin),
    ("PATCH", "/api/v1/accounts/{account_id}/teams/{team_id}/team_members", Rule::Admin),
    ("DELETE", "/api/v1/accounts/{account_id}/teams/{team_id}/team_members", Rule::Admin),
    ("POST", "/api/v1/accounts/{account_id}/inbox_members", Rule::Admin),
    ("PATCH", "/api/v1/accounts/{account_id}/inbox_members", Rule::Admin),
    ("DELETE", "/api/v1/accounts/{account_id}/inbox_members", Rule::Admin),
    ("GET", "/api/v1/accounts/{account_id}/inbox_members/{inbox_id}", Rule::Conversation),
    ("GET", "/api/v1/accounts/{account_id}/labels", Rule::Account),
    ("POST", "/api/v1/accounts/{account_id}/labels", Rule::Admin),
    ("GET", "/api/v1/accounts/{account_id}/labels/{id}", Rule::Account),
    ("PATCH", "/api/v1/accounts/{account_id}/labels/{id}", Rule::Admin),
    ("PUT", "/api/v1/accounts/{account_id}/labels/{id}", Rule::Admin),
    ("DELETE", "/api/v1/accounts/{account_id}/labels/{id}", Rule::Admin),
    ("GET", "/api/v1/accounts/{account_id}/canned_responses", Rule::Account),
    ("POST", "/api/v1/accounts/{account_id}/canned_responses", Rule::Account),
    ("PATCH", "/api/v1/accounts/{account_id}/canned_responses/{id}", Rule::Account),
    ("PUT", "/api/v1/accounts/{account_id}/canned_responses/{id}", Rule::Account),
    ("DELETE", "/api/v1/accounts/{account_id}/canned_responses/{id}", Rule::Account),
    ("GET", "/api/v1/accounts/{account_id}/custom_attribute_definitions", Rule::Account),
    ("POST", "/api/v1/accounts/{account_id}/custom_attribute_definitions", Rule::Admin),
    ("GET", "/api/v1/accounts/{account_id}/custom_attribute_definitions/{id}", Rule::Account),
    ("PATCH", "/api/v1/accounts/{account_id}/custom_attribute_definitions/{id}", Rule::Admin),
    ("PUT", "/api/v1/accounts/{account_id}/custom_attribute_definitions/{id}", Rule::Admin),
    ("DELETE", "/api/v1/accounts/{account_id}/custom_attribute_definitions/{id}", Rule::Admin),
    ("GET", "/api/v1/accounts/{account_id}/dashboard_apps", Rule::Account),
    ("POST", "/api/v1/accounts/{account_id}/dashboard_apps", Rule::Admin),
    ("GET", "/api/v1/accounts/{account_id}/dashboard_apps/{id}", Rule::Account),
    ("PATCH", "/api/v1/accounts/{account_id}/dashboard_apps/{id}", Rule::Admin),
    ("PUT", "/api/v1/accounts/{account_id}/dashboard_apps/{id}", Rule::Admin),
    ("DELETE", "/api/v1/accounts/{account_id}/dashboard_apps/{id}", Rule::Admin),
    ("POST", "/api/v1/accounts/{account_id}/dashboard_apps/{id}/signing_secret", Rule::Admin),
    ("GET", "/api/v1/accounts/{account_id}/dashboard_apps/{id}/app_context", Rule::Account),
    ("PATCH", "/api/v1/accounts/{account_id}/dashboard_apps/{id}/settings", Rule::Admin),
    ("GET", "/api/v1/accounts/{account_id}/dashboard_apps/{id}/requests", Rule::Admin),
    ("POST", "/api/v1/accounts/{account_id}/dashboard_apps/{id}/requests", Rule::Account),
    ("GET", "/api/v1/accounts/{account_id}/webhooks", Rule::Admin),
    ("POST", "/api/v1/accounts/{account_id}/webhooks", Rule::Admin),
    ("PATCH", "/api/v1/accounts/{account_id}/webhooks/{id}", Rule::Admin),
    ("PUT", "/api/v1/accounts/{account_id}/webhooks/{id}", Rule::Admin),
    ("DELETE", "/api/v1/accounts/{account_id}/webhooks/{id}", Rule::Admin),
    ("GET", "/api/v1/accounts/{account_id}/webhooks/{id}/deliveries", Rule::Admin),
    ("GET", "/public/api/v1/inboxes/{inbox_identifier}", Rule::Anyone),
    ("POST", "/public/api/v1/inboxes/{inbox_identifier}/contacts", Rule::Anyone),
    ("GET", "/public/api/v1/inboxes/{inbox_identifier}/contacts/{source_id}", Rule::Anyone),
    ("PATCH", "/public/api/v1/inboxes/{inbox_identifier}/contacts/{source_id}", Rule::Anyone),
    ("PUT", "/public/api/v1/inboxes/{inbox_identifier}/contacts/{source_id}", Rule::Anyone),
    ("GET", "/public/api/v1/inboxes/{inbox_identifier}/contacts/{source_id}/conversations", Rule::Anyone),
    ("POST", "/public/api/v1/inboxes/{inbox_identifier}/contacts/{source_id}/conversations", Rule::Anyone),
    ("GET", "/public/api/v1/inboxes/{inbox_identifier}/contacts/{source_id}/conversations/{conversation_id}", Rule::Anyone),
    ("POST", "/public/api/v1/inboxes/{inbox_identifier}/contacts/{source_id}/conversations/{conversation_id}/toggle_status", Rule::Anyone),
    ("POST", "/public/api/v1/inboxes/{inbox_identifier}/contacts/{source_id}/conversations/{conversation_id}/update_last_seen", Rule::Anyone),
    ("POST", "/public/api/v1/inboxes/{inbox_identifier}/contacts/{source_id}/conversations/{conversation_id}/toggle_typing", Rule::Anyone),
    ("GET", "/public/api/v1/inboxes/{inbox_identifier}/contacts/{source_id}/conversations/{conversation_id}/messages", Rule::Anyone),
    ("POST", "/public/api/v1/inboxes/{inbox_identifier}/contacts/{source_id}/conversations/{conversation_id}/messages", Rule::Anyone),
    ("PATCH", "/public/api/v1/inboxes/{inbox_identifier}/contacts/{source_id}/conversations/{conversation_id}/messages/{id}", Rule::Anyone),
    ("PUT", "/public/api/v1/inboxes/{inbox_identifier}/contacts/{source_id}/conversations/{conversation_id}/messages/{id}", Rule::Anyone),
    // The website widget's additions to the Client API, and its loader and window.
    ("POST", "/public/api/v1/inboxes/{inbox_identifier}/contacts/{source_id}/destroy_custom_attributes", Rule::Anyone),
    ("POST", "/public/api/v1/inboxes/{inbox_identifier}/contacts/{source_id}/conversations/{conversation_id}/custom_attributes", Rule::Anyone),
    ("POST", "/public/api/v1/inboxes/{inbox_identifier}/contacts/{source_id}/conversations/{conversation_id}/destroy_custom_attributes", Rule::Anyone),
    ("POST", "/public/api/v1/inboxes/{inbox_identifier}/contacts/{source_id}/conversations/{conversation_id}/labels", Rule::Anyone),
    ("DELETE", "/public/api/v1/inboxes/{inbox_identifier}/contacts/{source_id}/conversations/{conversation_id}/labels/{label}", Rule::Anyone),
    ("GET", "/packs/js/sdk.js", Rule::Anyone),
    ("GET", "/widget", Rule::Anyone),
    ("GET", "/widget/appearance", Rule::Anyone),
    ("GET", "/", Rule::Anyone),
    ("GET", "/app", Rule::Anyone),
    ("GET", "/app/login", Rule::Anyone),
    ("POST", "/app/login", Rule::Anyone),
    ("GET", "/app/invitations", Rule::Anyone),
    ("POST", "/app/invitations/{id}/accept", Rule::Anyone),
    ("POST", "/app/invitations/{id}/decline", Rule::Anyone),
    ("GET", "/app/accounts/{account_id}/profile/settings", Rule::Account),
    ("POST", "/app/accounts/{account_id}/profile/password", Rule::Account),
    ("GET", "/app/accounts/{account_id}/contacts", Rule::Account),
    // Links the contact's conversations of the member's inboxes only, by number (no message
    // text to find): tests/it/pages.rs checks which links each member gets.
    ("GET", "/app/accounts/{account_id}/contacts/{id}", Rule::Account),
    ("GET", "/app/accounts/{account_id}/conversations", Rule::List),
    ("GET", "/app/accounts/{account_id}/conversations/_list", Rule::List),
    ("GET", "/app/accounts/{account_id}/conversations/{display_id}", Rule::Conversation),
    ("GET", "/app/accounts/{account_id}/conversations/{display_id}/_messages", Rule::Conversation),
    ("GET", "/app/accounts/{account_id}/settings/integrations/dashboard_apps", Rule::Admin),
    ("GET", "/app/accounts/{account_id}/settings/integrations/dashboard_apps/playground", Rule::Admin),
    ("GET", "/app/accounts/{account_id}/apps/{app_id}", Rule::Account),
    ("GET", "/app/accounts/{account_id}/settings/inboxes", Rule::Admin),
    ("GET", "/app/accounts/{account_id}/settings/agents", Rule::Admin),
    ("GET", "/app/accounts/{account_id}/settings/teams", Rule::Admin),
    ("GET", "/app/accounts/{account_id}/settings/labels", Rule::Admin),
    ("GET", "/app/accounts/{account_id}/settings/canned_responses", Rule::Account),
    ("GET", "/app/accounts/{account_id}/settings/custom_attributes", Rule::Account),
    ("GET", "/assets/{*path}", Rule::Anyone),
    ("GET", "/sdk/dashboard-app.js", Rule::Anyone),
    ("GET", "/sdk/dashboard-app.d.ts", Rule::Anyone),
    ("GET", "/schemas/app-context.json", Rule::Anyone),
    // Authorized by the link's signature alone (api/attachments.rs checks forged links).
    ("GET", "/rails/active_storage/blobs/{id}/{variant}/{filename}", Rule::Anyone),
    ("GET", "/.well-known/jwks.json", Rule::Anyone),
    // Last: they end the outsider's session or replace their token.
    ("POST", "/app/accounts/{account_id}/profile/access_token", Rule::Account),
    ("POST", "/api/v1/profile/reset_access_token", Rule::Anyone),
    ("DELETE", "/auth/sign_out", Rule::Anyone),
    ("POST", "/app/logout", Rule::Anyone),
];

/// Every (method, path) `routes.rs` declares, read from its source.
fn declared_routes() -> BTreeSet<(String, String)> {
    let source = include_str!("../../../crates/web/src/routes.rs");
    let body = source
        .split("// After every route")
        .next()
        .expect("the routes come first");
    let mut routes = BTreeSet::new();
    for chunk in body.split(".route(").skip(1) {
        let path = chunk.split('"').nth(1).expect("a path literal");
        for method in ["get", "post", "patch", "put", "delete"] {
            let called = format!("{method}(");
            // A method router is `get(`, `.post(`, `axum::routing::delete(`: never part of a
            // longer name.
            let mut rest = chunk;
            while let Some(at) = rest.find(&called) {
                let before = rest[..at].chars().last();
                if !before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    routes.insert((method.to_uppercase(), path.to_owned()));
                }
                rest = &rest[at + called.len()..];
            }
        }
    }
    routes
}

#[test]
fn every_route_of_routes_rs_has_a_case() {
    let declared = declared_routes();
    assert!(declared.len() > 100, "routes.rs was not read: {declared:?}");
    let cases: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|(method, path, _)| ((*method).to_owned(), (*path).to_owned()))
        .collect();
    let missing: Vec<_> = declared.difference(&cases).collect();
    let stale: Vec<_> = cases.difference(&declared).collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "routes without an access case: {missing:#?}\ncases without a route: {stale:#?}"
    );
    assert_eq!(cases.len(), ROUTES.len(), "a route has two cases");
}

/// Whether the outsider belongs to the fixture's account (and so may use what every member may).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Standing {
    InAccount,
    Outside,
}

struct Outsider {
    who: &'static str,
    person: Person,
    cookie: String,
    standing: Standing,
}

async fn agent(app: &TestApp, email: &str, account: i64) -> (Person, UserId) {
    let user = app
        .store()
        .users()
        .create(
            "Olive Outsider",
            email,
            PASSWORD,
            Some((AccountId(account), Role::Agent)),
        )
        .await
        .expect("user");
    let token = app
        .store()
        .users()
        .reset_access_token(user.id)
        .await
        .expect("token");
    let person = Person {
        id: user.id.get(),
        email: email.to_owned(),
        token,
    };
    (person, user.id)
}

async fn outsiders(app: &TestApp) -> Vec<Outsider> {
    let members = app.store().inbox_members();
    let acme = AccountId(app.acme.account_id);
    let (loner, _) = agent(app, "loner@acme.test", app.acme.account_id).await;
    let (billing, billing_id) = agent(app, "billing@acme.test", app.acme.account_id).await;
    let other_inbox = app
        .store()
        .inboxes()
        .create(&NewInbox::validate(acme, Some("Billing"), None).expect("valid inbox"))
        .await
        .expect("inbox");
    members
        .add(acme, other_inbox.id, &[billing_id])
        .await
        .expect("member");
    let (globex, globex_id) = agent(app, "agent@globex.test", app.other.account_id).await;
    members
        .add(
            AccountId(app.other.account_id),
            InboxId(app.other.inbox_id),
            &[globex_id],
        )
        .await
        .expect("member");
    let (removed, removed_id) = agent(app, "removed@acme.test", app.acme.account_id).await;
    members
        .add(acme, InboxId(app.acme.inbox_id), &[removed_id])
        .await
        .expect("member");
    let mut list = Vec::new();
    for (who, person, standing) in [
        ("an agent of no inbox", loner, Standing::InAccount),
        ("an agent of another inbox", billing, Standing::InAccount),
        ("an agent of another account", globex, Standing::Outside),
        ("a removed agent", removed, Standing::Outside),
    ] {
        let cookie = page_session(app, &person.email).await;
        list.push(Outsider {
            who,
            person,
            cookie,
            standing,
        });
    }
    // Removed once signed in: their token and session outlive their membership.
    let res = app
        .delete(
            &app.api(&format!("agents/{}", removed_id.get())),
            &app.admin,
        )
        .await;
    ok(&res);
    list
}

/// `path` with the fixture's ids in place of its parameters.
fn concrete(app: &TestApp, path: &str) -> String {
    let uri = path
        .replace("{account_id}", &app.acme.account_id.to_string())
        .replace("{display_id}", &app.acme.conversation.to_string())
        .replace("{conversation_id}", &app.acme.conversation.to_string())
        .replace("{inbox_id}", &app.acme.inbox_id.to_string())
        .replace("{inbox_identifier}", "unknown-inbox")
        .replace("{source_id}", "unknown-source")
        .replace("{team_id}", "1")
        .replace("{app_id}", "1")
        .replace("{note_id}", "1")
        .replace("{label}", "vip")
        .replace("{*path}", "app.css");
    let id = if path.contains("/contacts/{id}") {
        app.acme.contact_id
    } else if path.contains("/inboxes/{id}") {
        app.acme.inbox_id
    } else if path.contains("/agents/{id}") {
        app.agent.id
    } else {
        1
    };
    let uri = uri.replace("{id}", &id.to_string());
    // The search needs its query, and finds the conversation for those who may see it.
    if path.ends_with("/conversations/search") {
        format!("{uri}?q=5521")
    } else {
        uri
    }
}

/// A body for writes: what makes the request mean something to an outsider.
fn body_for(app: &TestApp, method: &str, path: &str) -> Option<Value> {
    if method == "GET" || method == "DELETE" {
        return None;
    }
    Some(
        if path.ends_with("/conversations") || path.ends_with("/contact_inboxes") {
            json!({"inbox_id": app.acme.inbox_id, "contact_id": app.acme.contact_id})
        } else if path.ends_with("/messages") {
            json!({"content": "from outside"})
        } else {
            json!({})
        },
    )
}

async fn call(
    app: &TestApp,
    outsider: &Outsider,
    method: &str,
    uri: &str,
    body: Option<&Value>,
) -> TestResponse {
    let method: Method = method.parse().expect("a method");
    if uri.starts_with("/app") {
        let mut headers = vec![("cookie", outsider.cookie.as_str())];
        let text = body.map(Value::to_string).unwrap_or_default();
        if body.is_some() {
            headers.push(("content-type", "application/json"));
        }
        super::raw(app, method, uri, &headers, text.into_bytes()).await
    } else {
        send(app, method, uri, &outsider.person, body).await
    }
}

fn is_denied(res: &TestResponse, page: bool) -> bool {
    let status = res.status.as_u16();
    status == 401 || status == 404 || (page && (status == 403 || res.status.is_redirection()))
}

#[tokio::test]
async fn every_route_keeps_an_inbox_from_those_outside_it() {
    on_each_backend(async |app: TestApp| {
        let outsiders = outsiders(&app).await;
        // Before the walk, which ends with the outsiders' sessions and tokens: an agent of the
        // account may not open a conversation in an inbox that is not theirs.
        let res = send(
            &app,
            Method::POST,
            &app.api("conversations"),
            &outsiders[0].person,
            body_for(&app, "POST", "/conversations").as_ref(),
        )
        .await;
        assert_invalid(&res, "inbox_id");
        let mut failures = Vec::new();
        for outsider in &outsiders {
            for (method, path, rule) in ROUTES {
                let uri = concrete(&app, path);
                let body = body_for(&app, method, path);
                let res = call(&app, outsider, method, &uri, body.as_ref()).await;
                let what = format!(
                    "{method} {uri} as {}: {} {}",
                    outsider.who,
                    res.status,
                    res.text.chars().take(200).collect::<String>()
                );
                let denied = is_denied(&res, uri.starts_with("/app/"));
                let fine = match (rule, outsider.standing) {
                    _ if res.status.is_server_error() || res.text.contains(MARKER) => false,
                    (Rule::Conversation | Rule::Admin, _) => denied,
                    (Rule::List | Rule::Account, Standing::Outside) => denied,
                    (Rule::List, Standing::InAccount) => res.status.is_success(),
                    (Rule::Account | Rule::Anyone, _) => true,
                };
                if !fine {
                    failures.push(format!("{rule:?}: {what}"));
                }
            }
        }
        assert!(failures.is_empty(), "{failures:#?}");
    })
    .await;
}

/// The control: the inbox's own member sees the conversation where the outsiders do not, so
/// the walk above cannot pass by hiding it from everyone.
#[tokio::test]
async fn the_inboxs_member_sees_what_outsiders_do_not() {
    on_each_backend(async |app: TestApp| {
        let cookie = page_session(&app, &app.agent.email).await;
        for (method, path, rule) in ROUTES {
            if *method != "GET" || !matches!(rule, Rule::List | Rule::Conversation) {
                continue;
            }
            let uri = concrete(&app, path);
            let res = if uri.starts_with("/app") {
                super::raw(
                    &app,
                    Method::GET,
                    &uri,
                    &[("cookie", cookie.as_str())],
                    Vec::new(),
                )
                .await
            } else {
                app.get(&uri, &app.agent).await
            };
            assert!(
                res.status.is_success(),
                "GET {uri}: {} {}",
                res.status,
                res.text
            );
            let shows_it = res.text.contains(MARKER)
                || res.text.contains(&format!("\"id\":{}", app.acme.inbox_id))
                || path.ends_with("/meta")
                || path.ends_with("/labels")
                || path.ends_with("/app_context")
                || path.contains("inbox_members");
            assert!(
                shows_it,
                "GET {uri} does not show the member their inbox: {}",
                res.text
            );
        }
        // Their counts include it; an agent of no inbox counts nothing.
        let meta = ok(&app.get(&app.api("conversations/meta"), &app.agent).await);
        assert_eq!(meta["meta"]["all_count"], 1, "{meta}");
        let (loner, _) = agent(&app, "loner@acme.test", app.acme.account_id).await;
        let meta = ok(&app.get(&app.api("conversations/meta"), &loner).await);
        assert_eq!(meta["meta"]["all_count"], 0, "{meta}");
        let admin = ok(&app.get(&app.api("conversations/meta"), &app.admin).await);
        assert_eq!(admin["meta"]["all_count"], 1, "{admin}");
    })
    .await;
}

/// Membership is read per request: added, an agent sees the inbox at once; removed, no more.
#[tokio::test]
async fn membership_changes_apply_to_the_next_request() {
    on_each_backend(async |app: TestApp| {
        let (loner, loner_id) = agent(&app, "loner@acme.test", app.acme.account_id).await;
        let show = app.api(&format!("conversations/{}", app.acme.conversation));
        assert_eq!(app.get(&show, &loner).await.status, 404);
        let members = json!({"inbox_id": app.acme.inbox_id, "user_ids": [loner_id.get()]});
        ok(&app
            .post(&app.api("inbox_members"), &app.admin, &members)
            .await);
        assert!(ok(&app.get(&show, &loner).await)
            .to_string()
            .contains(MARKER));
        let res = send(
            &app,
            Method::DELETE,
            &app.api("inbox_members"),
            &app.admin,
            Some(&members),
        )
        .await;
        ok(&res);
        assert_eq!(app.get(&show, &loner).await.status, 404);
    })
    .await;
}

/// Chatwoot's round robin: with auto-assignment on, each new conversation goes to the next of
/// the inbox's online members in turn, offline members passed over, and the turn is kept in the
/// database (a second `AppState` on the same store continues it).
#[tokio::test]
async fn new_conversations_go_round_robin_to_online_members() {
    on_each_backend(async |app: TestApp| {
        let inbox = app.api(&format!("inboxes/{}", app.acme.inbox_id));
        ok(&app.patch(&inbox, &app.admin, &json!({"enable_auto_assignment": true})).await);
        let (second, second_id) = agent(&app, "second@acme.test", app.acme.account_id).await;
        let (away, away_id) = agent(&app, "away@acme.test", app.acme.account_id).await;
        let members = json!({"inbox_id": app.acme.inbox_id, "user_ids": [second_id.get(), away_id.get()]});
        ok(&app.post(&app.api("inbox_members"), &app.admin, &members).await);
        let offline = json!({"profile": {"availability": "offline", "account_id": app.acme.account_id}});
        ok(&app.post("/api/v1/profile/availability", &away, &offline).await);

        let open = json!({"inbox_id": app.acme.inbox_id, "contact_id": app.acme.contact_id});
        let mut assignees = Vec::new();
        for round in 0..4 {
            // Every other conversation through a fresh state on the same database.
            let res = if round % 2 == 0 {
                app.post(&app.api("conversations"), &app.admin, &open).await
            } else {
                let state = web::AppState::new(app.store().clone());
                let other = TestApp {
                    router: web::app(state.clone()),
                    state,
                    admin: app.admin.clone(),
                    agent: app.agent.clone(),
                    stranger: app.stranger.clone(),
                    acme: app.acme.clone(),
                    other: app.other.clone(),
                };
                other.post(&other.api("conversations"), &other.admin, &open).await
            };
            let body = ok(&res);
            assignees.push(body["meta"]["assignee"]["id"].as_i64().expect("assigned"));
        }
        let (first, second) = (app.agent.id, second.id);
        // The two online members alternate; the offline one is never chosen.
        assert_ne!(assignees[0], assignees[1], "{assignees:?}");
        assert_eq!(assignees[0], assignees[2], "{assignees:?}");
        assert_eq!(assignees[1], assignees[3], "{assignees:?}");
        let chosen: BTreeSet<i64> = assignees.iter().copied().collect();
        assert_eq!(chosen, BTreeSet::from([first, second]), "{assignees:?}");

        // Given an assignee, or with auto-assignment off, nobody is chosen for it.
        let given = json!({"inbox_id": app.acme.inbox_id, "contact_id": app.acme.contact_id, "assignee_id": app.admin.id});
        let body = ok(&app.post(&app.api("conversations"), &app.admin, &given).await);
        assert_eq!(body["meta"]["assignee"]["id"], app.admin.id);
        ok(&app.patch(&inbox, &app.admin, &json!({"enable_auto_assignment": false})).await);
        let body = ok(&app.post(&app.api("conversations"), &app.admin, &open).await);
        assert!(body["meta"]["assignee"].is_null(), "{body}");
    })
    .await;
}
