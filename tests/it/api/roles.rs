//! Roles as Chatwoot's policies have them (`app/policies/*_policy.rb`): every account route is
//! either open to every member or kept to administrators, the split is written down once here
//! (a new route in `routes.rs` must be placed in one list or this fails), and each
//! administrator-only route answers an agent with Chatwoot's 401 and leaves the data as it was.

use super::openapi::routes_in_source;
use super::{assert_forbidden, expect, send, FORBIDDEN};
use crate::support::{self, TestApp};
use axum::http::Method;
use serde_json::{json, Value};

/// Administrators only: managing inboxes, agents, labels, dashboard apps, webhooks, teams, team
/// members, inbox members and custom attribute definitions (`InboxPolicy`, `UserPolicy`,
/// `LabelPolicy`, `DashboardAppPolicy` (an app's settings and request log too), `WebhookPolicy`, `TeamPolicy`, `TeamMemberPolicy`,
/// `CustomAttributeDefinitionPolicy`) and deleting a contact with its conversations
/// (`ContactPolicy#destroy?`).
const ADMIN_ONLY: [(&str, &str); 38] = [
    ("post", "/api/v1/accounts/{account_id}/agents"),
    ("patch", "/api/v1/accounts/{account_id}/agents/{id}"),
    ("put", "/api/v1/accounts/{account_id}/agents/{id}"),
    ("delete", "/api/v1/accounts/{account_id}/agents/{id}"),
    ("post", "/api/v1/accounts/{account_id}/inboxes"),
    ("patch", "/api/v1/accounts/{account_id}/inboxes/{id}"),
    ("put", "/api/v1/accounts/{account_id}/inboxes/{id}"),
    ("delete", "/api/v1/accounts/{account_id}/inboxes/{id}"),
    (
        "post",
        "/api/v1/accounts/{account_id}/inboxes/{id}/rotate_hmac_token",
    ),
    ("delete", "/api/v1/accounts/{account_id}/contacts/{id}"),
    ("post", "/api/v1/accounts/{account_id}/labels"),
    ("patch", "/api/v1/accounts/{account_id}/labels/{id}"),
    ("put", "/api/v1/accounts/{account_id}/labels/{id}"),
    ("delete", "/api/v1/accounts/{account_id}/labels/{id}"),
    ("post", "/api/v1/accounts/{account_id}/dashboard_apps"),
    ("patch", "/api/v1/accounts/{account_id}/dashboard_apps/{id}"),
    ("put", "/api/v1/accounts/{account_id}/dashboard_apps/{id}"),
    (
        "delete",
        "/api/v1/accounts/{account_id}/dashboard_apps/{id}",
    ),
    (
        "post",
        "/api/v1/accounts/{account_id}/dashboard_apps/{id}/signing_secret",
    ),
    (
        "patch",
        "/api/v1/accounts/{account_id}/dashboard_apps/{id}/settings",
    ),
    (
        "get",
        "/api/v1/accounts/{account_id}/dashboard_apps/{id}/requests",
    ),
    ("get", "/api/v1/accounts/{account_id}/webhooks"),
    ("post", "/api/v1/accounts/{account_id}/webhooks"),
    ("delete", "/api/v1/accounts/{account_id}/webhooks/{id}"),
    ("post", "/api/v1/accounts/{account_id}/teams"),
    ("patch", "/api/v1/accounts/{account_id}/teams/{id}"),
    ("put", "/api/v1/accounts/{account_id}/teams/{id}"),
    (
        "post",
        "/api/v1/accounts/{account_id}/teams/{team_id}/team_members",
    ),
    (
        "patch",
        "/api/v1/accounts/{account_id}/teams/{team_id}/team_members",
    ),
    (
        "delete",
        "/api/v1/accounts/{account_id}/teams/{team_id}/team_members",
    ),
    ("delete", "/api/v1/accounts/{account_id}/teams/{id}"),
    ("post", "/api/v1/accounts/{account_id}/inbox_members"),
    ("patch", "/api/v1/accounts/{account_id}/inbox_members"),
    ("delete", "/api/v1/accounts/{account_id}/inbox_members"),
    (
        "post",
        "/api/v1/accounts/{account_id}/custom_attribute_definitions",
    ),
    (
        "patch",
        "/api/v1/accounts/{account_id}/custom_attribute_definitions/{id}",
    ),
    (
        "put",
        "/api/v1/accounts/{account_id}/custom_attribute_definitions/{id}",
    ),
    (
        "delete",
        "/api/v1/accounts/{account_id}/custom_attribute_definitions/{id}",
    ),
];

/// Also administrators only, tested with the webhooks above (same handler family).
const ADMIN_ONLY_TOO: [(&str, &str); 3] = [
    ("patch", "/api/v1/accounts/{account_id}/webhooks/{id}"),
    ("put", "/api/v1/accounts/{account_id}/webhooks/{id}"),
    (
        "get",
        "/api/v1/accounts/{account_id}/webhooks/{id}/deliveries",
    ),
];

/// Every member, as in Chatwoot: the agent's daily work on conversations, messages and
/// contacts (`ContactPolicy` allows agents to create, update, merge and clear attributes, and
/// to label a contact and give it a contact inbox; a message is deleted by its author or an
/// administrator; a conversation's team and priority are set by any agent; searching, filtering
/// and counting conversations and contacts; a contact's notes, anyone's, as Chatwoot's
/// `Contacts::NotesController` checks nothing more), canned responses
/// (`CannedResponsePolicy` lets agents write them too), and reading the account's setup (an
/// inbox's members: an administrator or a member of that inbox, `InboxPolicy#show?`).
const ANY_MEMBER: [(&str, &str); 62] = [
    ("get", "/api/v1/accounts/{account_id}/agents"),
    ("get", "/api/v1/accounts/{account_id}/inboxes"),
    ("get", "/api/v1/accounts/{account_id}/inboxes/{id}"),
    ("get", "/api/v1/accounts/{account_id}/contacts"),
    ("post", "/api/v1/accounts/{account_id}/contacts"),
    ("get", "/api/v1/accounts/{account_id}/contacts/search"),
    ("post", "/api/v1/accounts/{account_id}/contacts/filter"),
    (
        "post",
        "/api/v1/accounts/{account_id}/actions/contact_merge",
    ),
    ("get", "/api/v1/accounts/{account_id}/contacts/{id}"),
    ("patch", "/api/v1/accounts/{account_id}/contacts/{id}"),
    ("put", "/api/v1/accounts/{account_id}/contacts/{id}"),
    (
        "get",
        "/api/v1/accounts/{account_id}/contacts/{id}/conversations",
    ),
    (
        "get",
        "/api/v1/accounts/{account_id}/contacts/{id}/app_context",
    ),
    (
        "post",
        "/api/v1/accounts/{account_id}/contacts/{id}/destroy_custom_attributes",
    ),
    ("get", "/api/v1/accounts/{account_id}/conversations"),
    ("post", "/api/v1/accounts/{account_id}/conversations"),
    ("get", "/api/v1/accounts/{account_id}/conversations/meta"),
    ("get", "/api/v1/accounts/{account_id}/conversations/search"),
    ("post", "/api/v1/accounts/{account_id}/conversations/filter"),
    (
        "get",
        "/api/v1/accounts/{account_id}/conversations/{display_id}",
    ),
    (
        "get",
        "/api/v1/accounts/{account_id}/conversations/{display_id}/app_context",
    ),
    (
        "post",
        "/api/v1/accounts/{account_id}/conversations/{display_id}/app_actions",
    ),
    (
        "post",
        "/api/v1/accounts/{account_id}/conversations/{display_id}/toggle_status",
    ),
    (
        "post",
        "/api/v1/accounts/{account_id}/conversations/{display_id}/toggle_typing_status",
    ),
    (
        "post",
        "/api/v1/accounts/{account_id}/conversations/{display_id}/assignments",
    ),
    (
        "get",
        "/api/v1/accounts/{account_id}/conversations/{display_id}/labels",
    ),
    (
        "post",
        "/api/v1/accounts/{account_id}/conversations/{display_id}/labels",
    ),
    (
        "post",
        "/api/v1/accounts/{account_id}/conversations/{display_id}/custom_attributes",
    ),
    (
        "post",
        "/api/v1/accounts/{account_id}/conversations/{display_id}/update_last_seen",
    ),
    (
        "get",
        "/api/v1/accounts/{account_id}/conversations/{display_id}/messages",
    ),
    (
        "post",
        "/api/v1/accounts/{account_id}/conversations/{display_id}/messages",
    ),
    (
        "delete",
        "/api/v1/accounts/{account_id}/conversations/{display_id}/messages/{id}",
    ),
    ("get", "/api/v1/accounts/{account_id}/labels"),
    ("get", "/api/v1/accounts/{account_id}/labels/{id}"),
    ("get", "/api/v1/accounts/{account_id}/dashboard_apps"),
    ("get", "/api/v1/accounts/{account_id}/dashboard_apps/{id}"),
    (
        "get",
        "/api/v1/accounts/{account_id}/dashboard_apps/{id}/app_context",
    ),
    // Sending an app's request: the app must be shown to the member (api/app_requests.rs).
    (
        "post",
        "/api/v1/accounts/{account_id}/dashboard_apps/{id}/requests",
    ),
    (
        "patch",
        "/api/v1/accounts/{account_id}/conversations/{display_id}",
    ),
    (
        "put",
        "/api/v1/accounts/{account_id}/conversations/{display_id}",
    ),
    (
        "post",
        "/api/v1/accounts/{account_id}/conversations/{display_id}/toggle_priority",
    ),
    ("get", "/api/v1/accounts/{account_id}/teams"),
    ("get", "/api/v1/accounts/{account_id}/teams/{id}"),
    (
        "get",
        "/api/v1/accounts/{account_id}/teams/{team_id}/team_members",
    ),
    (
        "get",
        "/api/v1/accounts/{account_id}/inbox_members/{inbox_id}",
    ),
    ("get", "/api/v1/accounts/{account_id}/contacts/{id}/labels"),
    ("post", "/api/v1/accounts/{account_id}/contacts/{id}/labels"),
    ("get", "/api/v1/accounts/{account_id}/contacts/{id}/notes"),
    ("post", "/api/v1/accounts/{account_id}/contacts/{id}/notes"),
    (
        "get",
        "/api/v1/accounts/{account_id}/contacts/{id}/notes/{note_id}",
    ),
    (
        "patch",
        "/api/v1/accounts/{account_id}/contacts/{id}/notes/{note_id}",
    ),
    (
        "put",
        "/api/v1/accounts/{account_id}/contacts/{id}/notes/{note_id}",
    ),
    (
        "delete",
        "/api/v1/accounts/{account_id}/contacts/{id}/notes/{note_id}",
    ),
    (
        "get",
        "/api/v1/accounts/{account_id}/contacts/{id}/contactable_inboxes",
    ),
    (
        "post",
        "/api/v1/accounts/{account_id}/contacts/{id}/contact_inboxes",
    ),
    ("get", "/api/v1/accounts/{account_id}/canned_responses"),
    ("post", "/api/v1/accounts/{account_id}/canned_responses"),
    (
        "patch",
        "/api/v1/accounts/{account_id}/canned_responses/{id}",
    ),
    ("put", "/api/v1/accounts/{account_id}/canned_responses/{id}"),
    (
        "delete",
        "/api/v1/accounts/{account_id}/canned_responses/{id}",
    ),
    (
        "get",
        "/api/v1/accounts/{account_id}/custom_attribute_definitions",
    ),
    (
        "get",
        "/api/v1/accounts/{account_id}/custom_attribute_definitions/{id}",
    ),
];

#[test]
fn every_account_route_is_placed_as_administrator_only_or_open_to_every_member() {
    let placed: Vec<(String, String)> = ADMIN_ONLY
        .iter()
        .chain(&ADMIN_ONLY_TOO)
        .chain(&ANY_MEMBER)
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    let routed: Vec<(String, String)> = routes_in_source()
        .into_iter()
        .filter(|(_, path)| path.starts_with("/api/v1/accounts/"))
        .collect();
    let unplaced: Vec<_> = routed.iter().filter(|r| !placed.contains(r)).collect();
    assert!(
        unplaced.is_empty(),
        "decide who may call these (Chatwoot's policy), and list them here: {unplaced:#?}"
    );
    let stale: Vec<_> = placed.iter().filter(|p| !routed.contains(p)).collect();
    assert!(stale.is_empty(), "not routed any more: {stale:#?}");
}

/// The ids the fixture has for each `{id}` of a path, and a valid body for each write.
async fn concrete(app: &TestApp, ids: &Ids, method: &str, template: &str) -> (String, Value) {
    let resource = template
        .trim_start_matches("/api/v1/accounts/{account_id}/")
        .split('/')
        .next()
        .unwrap_or_default();
    let id = match resource {
        "agents" => app.agent.id,
        "inboxes" => app.acme.inbox_id,
        "contacts" => app.acme.contact_id,
        "labels" => ids.label,
        "dashboard_apps" => ids.dashboard_app,
        "webhooks" => ids.webhook,
        "teams" => ids.team,
        "inbox_members" => app.acme.inbox_id,
        "custom_attribute_definitions" => ids.definition,
        other => panic!("no id for {other}"),
    };
    let uri = template
        .replace("{account_id}", &app.acme.account_id.to_string())
        .replace("{id}", &id.to_string())
        .replace("{team_id}", &id.to_string());
    let body = match (resource, method) {
        ("teams", _) if uri.ends_with("team_members") => json!({"user_ids": [app.agent.id]}),
        ("inbox_members", _) => json!({"inbox_id": app.acme.inbox_id, "user_ids": [app.agent.id]}),
        (_, "get" | "delete") => Value::Null,
        ("agents", "post") => json!({"name": "Nia New", "email": "nia@acme.test"}),
        ("agents", _) => json!({"role": "administrator"}),
        ("inboxes", _) if uri.ends_with("rotate_hmac_token") => json!({}),
        ("inboxes", _) => json!({"name": "Renamed"}),
        ("labels", "post") => json!({"title": "fresh"}),
        ("labels", _) => json!({"description": "changed"}),
        ("dashboard_apps", _) if uri.ends_with("signing_secret") => json!({}),
        ("dashboard_apps", _) if uri.ends_with("/settings") => json!({"settings": {}}),
        ("dashboard_apps", _) => {
            json!({"title": "Changed", "content": [{"type": "frame", "url": "https://crm.example/app"}]})
        }
        ("webhooks", "post") => {
            json!({"url": "https://hooks.example/new", "subscriptions": ["message_created"]})
        }
        ("webhooks", _) => {
            json!({"url": "https://hooks.example/changed", "subscriptions": ["message_created"]})
        }
        ("teams", "post") => json!({"name": "fresh"}),
        ("teams", _) => json!({"description": "changed"}),
        ("custom_attribute_definitions", "post") => {
            json!({"attribute_display_name": "Seats", "attribute_key": "seats",
                   "attribute_display_type": "number", "attribute_model": "contact_attribute"})
        }
        ("custom_attribute_definitions", _) => json!({"attribute_display_name": "Renamed"}),
        (resource, method) => panic!("no body for {method} {resource}"),
    };
    (uri, body)
}

struct Ids {
    label: i64,
    dashboard_app: i64,
    webhook: i64,
    team: i64,
    definition: i64,
}

async fn resources(app: &TestApp) -> Ids {
    let made = async |what: &str, body: Value| {
        let created = expect(&app.post(&app.api(what), &app.admin, &body).await, 200);
        created["id"]
            .as_i64()
            .or_else(|| created["payload"]["webhook"]["id"].as_i64())
            .or_else(|| created["payload"]["id"].as_i64())
            .unwrap_or_else(|| panic!("an id in {created}"))
    };
    Ids {
        label: made("labels", json!({"title": "vip"})).await,
        dashboard_app: made(
            "dashboard_apps",
            json!({"title": "CRM", "content": [{"type": "frame", "url": "https://crm.example/"}]}),
        )
        .await,
        webhook: made(
            "webhooks",
            json!({"url": "https://hooks.example/hook", "subscriptions": ["message_created"]}),
        )
        .await,
        team: made("teams", json!({"name": "billing"})).await,
        definition: made(
            "custom_attribute_definitions",
            json!({"attribute_display_name": "Plan", "attribute_key": "plan"}),
        )
        .await,
    }
}

fn method(name: &str) -> Method {
    Method::from_bytes(name.to_uppercase().as_bytes()).expect("an HTTP method")
}

/// What the administrator sees of the account: compared before and after the agent's tries.
async fn snapshot(app: &TestApp, ids: &Ids) -> Vec<Value> {
    let mut seen = Vec::new();
    for what in [
        "agents".to_owned(),
        "inboxes".to_owned(),
        "contacts".to_owned(),
        "labels".to_owned(),
        "dashboard_apps".to_owned(),
        "webhooks".to_owned(),
        "conversations?status=all".to_owned(),
        "teams".to_owned(),
        format!("teams/{}/team_members", ids.team),
        format!("inbox_members/{}", app.acme.inbox_id),
        "custom_attribute_definitions".to_owned(),
    ] {
        seen.push(expect(&app.get(&app.api(&what), &app.admin).await, 200));
    }
    seen
}

#[tokio::test]
async fn an_agent_gets_401_on_every_administrator_only_route_and_nothing_changes() {
    support::on_each_backend(async |app| {
        let ids = resources(&app).await;
        let before = snapshot(&app, &ids).await;
        for (verb, template) in ADMIN_ONLY.iter().chain(&ADMIN_ONLY_TOO) {
            let (uri, body) = concrete(&app, &ids, verb, template).await;
            let body = (!body.is_null()).then_some(&body);
            let res = send(&app, method(verb), &uri, &app.agent, body).await;
            assert_eq!(
                res.json(),
                json!({ "error": FORBIDDEN }),
                "{verb} {uri}: {}",
                res.text
            );
            assert_forbidden(&res);
        }
        assert_eq!(
            snapshot(&app, &ids).await,
            before,
            "an agent's refused call changed data"
        );
    })
    .await;
}

#[tokio::test]
async fn an_administrator_passes_every_administrator_only_route() {
    support::on_each_backend(async |app| {
        let ids = resources(&app).await;
        // Deletes last, and the agent's removal after the agent's promotion; memberships are
        // left before the agent, the inbox and the team go.
        let mut routes: Vec<_> = ADMIN_ONLY.iter().chain(&ADMIN_ONLY_TOO).collect();
        routes.sort_by_key(|(verb, path)| (*verb == "delete", !path.ends_with("_members")));
        for (verb, template) in routes {
            let (uri, body) = concrete(&app, &ids, verb, template).await;
            let body = (!body.is_null()).then_some(&body);
            let res = send(&app, method(verb), &uri, &app.admin, body).await;
            assert!(
                res.status.is_success(),
                "{verb} {uri} as the administrator: {} {}",
                res.status,
                res.text
            );
        }
    })
    .await;
}

#[tokio::test]
async fn an_agent_cannot_delete_a_contact_and_its_conversations_but_an_administrator_can() {
    support::on_each_backend(async |app| {
        let contact = app.api(&format!("contacts/{}", app.acme.contact_id));
        let conversation = app.api(&format!("conversations/{}", app.acme.conversation));
        assert_forbidden(&app.delete(&contact, &app.agent).await);
        expect(&app.get(&contact, &app.agent).await, 200);
        expect(&app.get(&conversation, &app.agent).await, 200);
        expect(&app.delete(&contact, &app.admin).await, 200);
        expect(&app.get(&contact, &app.admin).await, 404);
        expect(&app.get(&conversation, &app.admin).await, 404);
    })
    .await;
}
