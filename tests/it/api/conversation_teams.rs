//! A conversation's team and priority: `POST …/assignments` with `team_id`,
//! `POST …/toggle_priority`, `PATCH …/conversations/{id}`, `GET …/conversations/meta` and the
//! list's `team_id` filter (`assignments_controller.rb`, `conversations_controller.rb`).

use super::{assert_invalid, assert_members_only, assert_not_found, assert_schema, keys, ok};
use crate::support::{self, TestApp};
use axum::http::Method;
use serde_json::{json, Value};

async fn team(app: &TestApp, name: &str) -> Value {
    ok(&app
        .post(&app.api("teams"), &app.admin, &json!({"name": name}))
        .await)
}

fn conversation(app: &TestApp, rest: &str) -> String {
    app.api(&format!("conversations/{}{rest}", app.acme.conversation))
}

async fn shown(app: &TestApp) -> Value {
    let body = ok(&app.get(&conversation(app, ""), &app.agent).await);
    assert_schema(&body, Some("conversation"));
    body
}

/// Waits (10 s at most) for an event named `name`; returns the names heard before it.
async fn heard(
    subscription: &mut tokio::sync::broadcast::Receiver<realtime::BusMessage>,
    name: &str,
) -> Vec<String> {
    let wait = async {
        let mut before = Vec::new();
        loop {
            match subscription.recv().await {
                Ok(realtime::BusMessage::Event(p)) if p.event.name() == name => return before,
                Ok(realtime::BusMessage::Event(p)) => before.push(p.event.name().to_owned()),
                Ok(_) => {}
                Err(error) => panic!("the bus closed: {error}"),
            }
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(10), wait)
        .await
        .unwrap_or_else(|_| panic!("{name} was not heard within 10 s"))
}

/// Puts `user` in `team`.
async fn join(app: &TestApp, team: &Value, user: i64) {
    let uri = app.api(&format!("teams/{}/team_members", team["id"]));
    ok(&app
        .post(&uri, &app.admin, &json!({"user_ids": [user]}))
        .await);
}

#[tokio::test]
async fn assigning_a_team_keeps_an_agent_of_that_team_and_answers_the_team() {
    support::on_each_backend(async |app| {
        let billing = team(&app, "billing").await;
        join(&app, &billing, app.agent.id).await;
        let uri = conversation(&app, "/assignments");
        // Events reach the bus from the log after commit: the assignment's is heard first.
        let mut events = app.state.bus.subscribe();
        ok(&app
            .post(&uri, &app.admin, &json!({"assignee_id": app.agent.id}))
            .await);
        heard(&mut events, "assignee.changed").await;
        let answer = ok(&app
            .post(&uri, &app.agent, &json!({"team_id": billing["id"]}))
            .await);
        assert_eq!(
            keys(&answer),
            [
                "account_id",
                "allow_auto_assign",
                "description",
                "id",
                "is_member",
                "name"
            ]
        );
        assert_eq!(answer["id"], billing["id"]);
        assert_eq!(answer["name"], "billing");
        assert_eq!(answer["is_member"], true, "the agent asking is in the team");
        let before = heard(&mut events, "team.changed").await;
        assert_eq!(before, ["conversation.updated"], "and no assignee change");
        let body = shown(&app).await;
        assert_eq!(
            body["meta"]["assignee"]["id"], app.agent.id,
            "the agent stays"
        );
        assert_eq!(body["meta"]["team"]["id"], billing["id"]);
        assert_eq!(body["meta"]["team"]["name"], "billing");
        let last = body["messages"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(last["content"], "Assigned to billing by Sam Agent");
        // The list carries the team too.
        let listed = list(&app, "").await;
        assert_eq!(
            listed["data"]["payload"][0]["meta"]["team"]["id"],
            billing["id"]
        );
        // null takes it off the team and answers null; the agent still stays.
        assert_eq!(
            ok(&app.post(&uri, &app.agent, &json!({"team_id": null})).await),
            Value::Null
        );
        let body = shown(&app).await;
        assert!(body["meta"].get("team").is_none(), "{body}");
        assert_eq!(body["meta"]["assignee"]["id"], app.agent.id);
        let last = body["messages"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(last["content"], "Unassigned from billing by Sam Agent");
    })
    .await;
}

#[tokio::test]
async fn assigning_a_team_the_agent_is_not_in_unassigns_the_agent_as_chatwoot_does() {
    support::on_each_backend(async |app| {
        let billing = team(&app, "billing").await;
        join(&app, &billing, app.admin.id).await;
        let uri = conversation(&app, "/assignments");
        // Events reach the bus from the log after commit: the assignment's is heard first.
        let mut events = app.state.bus.subscribe();
        ok(&app
            .post(&uri, &app.admin, &json!({"assignee_id": app.agent.id}))
            .await);
        heard(&mut events, "assignee.changed").await;
        let answer = ok(&app
            .post(&uri, &app.agent, &json!({"team_id": billing["id"]}))
            .await);
        assert_eq!(answer["id"], billing["id"]);
        assert_eq!(answer["is_member"], false);
        let before = heard(&mut events, "assignee.changed").await;
        assert_eq!(before, ["conversation.updated", "team.changed"]);
        let body = shown(&app).await;
        assert_eq!(body["meta"]["team"]["id"], billing["id"]);
        assert!(body["meta"].get("assignee").is_none(), "{body}");
        // The same team again changes nothing.
        let mut events = app.state.bus.subscribe();
        ok(&app
            .post(&uri, &app.admin, &json!({"assignee_id": app.agent.id}))
            .await);
        ok(&app
            .post(&uri, &app.agent, &json!({"team_id": billing["id"]}))
            .await);
        heard(&mut events, "assignee.changed").await;
        assert_eq!(shown(&app).await["meta"]["assignee"]["id"], app.agent.id);
        assert!(
            events.try_recv().is_err(),
            "nothing announced for no change"
        );
    })
    .await;
}

#[tokio::test]
async fn with_assignee_id_team_id_is_passed_over_and_an_empty_body_changes_nothing() {
    support::on_each_backend(async |app| {
        let billing = team(&app, "billing").await;
        let uri = conversation(&app, "/assignments");
        // Chatwoot's controller looks at `assignee_id` first and never at `team_id` then.
        for team_id in [billing["id"].clone(), json!(999_999)] {
            let answer = ok(&app
                .post(
                    &uri,
                    &app.admin,
                    &json!({"assignee_id": app.agent.id, "team_id": team_id}),
                )
                .await);
            assert_eq!(answer["id"], app.agent.id, "the agent is answered");
            assert_eq!(answer["email"], "agent@acme.test");
        }
        let body = shown(&app).await;
        assert_eq!(body["meta"]["assignee"]["id"], app.agent.id);
        assert!(body["meta"].get("team").is_none(), "{body}");
        // Chatwoot answers null to a body with neither key, and changes nothing.
        assert_eq!(
            ok(&app.post(&uri, &app.admin, &json!({})).await),
            Value::Null
        );
        let after = shown(&app).await;
        assert_eq!(after["meta"], body["meta"]);
        assert_eq!(after["messages"], body["messages"]);
    })
    .await;
}

#[tokio::test]
async fn a_team_of_another_account_or_none_is_a_422_and_nothing_changes() {
    support::on_each_backend(async |app| {
        let theirs = ok(&app
            .post(
                &app.other_api("teams"),
                &app.stranger,
                &json!({"name": "billing"}),
            )
            .await);
        let uri = conversation(&app, "/assignments");
        let before = shown(&app).await;
        for body in [
            json!({"team_id": theirs["id"]}),
            json!({"team_id": 999_999}),
            json!({"team_id": "x"}),
            json!({"team_id": 1.5}),
        ] {
            assert_invalid(&app.post(&uri, &app.admin, &body).await, "team_id");
        }
        assert_eq!(
            shown(&app).await,
            before,
            "nothing changed, no activity noted"
        );
    })
    .await;
}

async fn list(app: &TestApp, query: &str) -> Value {
    ok(&app
        .get(&app.api(&format!("conversations{query}")), &app.agent)
        .await)
}

#[tokio::test]
async fn the_list_and_its_meta_filter_by_team() {
    support::on_each_backend(async |app| {
        let billing = team(&app, "billing").await;
        let sales = team(&app, "sales").await;
        ok(&app
            .post(&conversation(&app, "/assignments"), &app.admin, &json!({"team_id": billing["id"]}))
            .await);
        let body = list(&app, &format!("?team_id={}", billing["id"])).await;
        let payload = body["data"]["payload"].as_array().unwrap();
        assert_eq!(payload.len(), 1);
        assert_eq!(payload[0]["id"], app.acme.conversation);
        assert_eq!(body["data"]["meta"]["all_count"], 1);
        let body = list(&app, &format!("?team_id={}", sales["id"])).await;
        assert_eq!(body["data"]["payload"], json!([]));
        assert_eq!(body["data"]["meta"]["all_count"], 0);
        // meta: the same counts without the conversations.
        let meta = ok(&app
            .get(&app.api(&format!("conversations/meta?team_id={}", billing["id"])), &app.agent)
            .await);
        assert_eq!(
            meta,
            json!({"meta": {"mine_count": 0, "assigned_count": 0, "unassigned_count": 1, "all_count": 1}})
        );
        let meta = ok(&app.get(&app.api("conversations/meta?status=resolved"), &app.agent).await);
        assert_eq!(meta["meta"]["all_count"], 0);
        ok(&app
            .post(&conversation(&app, "/assignments"), &app.admin, &json!({"assignee_id": app.agent.id}))
            .await);
        let meta = ok(&app.get(&app.api("conversations/meta"), &app.agent).await);
        assert_eq!(
            meta["meta"],
            json!({"mine_count": 1, "assigned_count": 1, "unassigned_count": 0, "all_count": 1})
        );
        // A team the account lacks is a 404, as Chatwoot's `teams.find`; a non-number a 422.
        let theirs = ok(&app.post(&app.other_api("teams"), &app.stranger, &json!({"name": "x"})).await);
        for path in ["conversations", "conversations/meta"] {
            assert_not_found(&app.get(&app.api(&format!("{path}?team_id={}", theirs["id"])), &app.agent).await);
            assert_invalid(&app.get(&app.api(&format!("{path}?team_id=abc")), &app.agent).await, "team_id");
        }
        assert_members_only(&app, Method::GET, &app.api("conversations/meta"), None).await;
    })
    .await;
}

#[tokio::test]
async fn toggle_priority_sets_and_clears_the_priority() {
    support::on_each_backend(async |app| {
        let uri = conversation(&app, "/toggle_priority");
        assert_eq!(shown(&app).await["priority"], Value::Null);
        let mut events = app.state.bus.subscribe();
        let res = app
            .post(&uri, &app.agent, &json!({"priority": "urgent"}))
            .await;
        assert_eq!(res.status.as_u16(), 200, "{}", res.text);
        heard(&mut events, "conversation.updated").await;
        let body = shown(&app).await;
        assert_eq!(body["priority"], "urgent");
        let last = body["messages"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(last["content"], "Sam Agent set the priority to urgent");
        ok(&app
            .post(&uri, &app.agent, &json!({"priority": "low"}))
            .await);
        assert_eq!(shown(&app).await["priority"], "low");
        // The list shows it too.
        let list = ok(&app.get(&app.api("conversations"), &app.agent).await);
        assert_eq!(list["data"]["payload"][0]["priority"], "low");
        // null, or no priority at all, clears it (Chatwoot's `priority.presence`).
        for body in [
            json!({"priority": null}),
            json!({}),
            json!({"priority": ""}),
        ] {
            ok(&app
                .post(&uri, &app.agent, &json!({"priority": "high"}))
                .await);
            ok(&app.post(&uri, &app.agent, &body).await);
            assert_eq!(shown(&app).await["priority"], Value::Null, "{body}");
        }
        for bad in [json!("critical"), json!(2), json!(["low"]), json!({"p": 1})] {
            assert_invalid(
                &app.post(&uri, &app.agent, &json!({"priority": bad})).await,
                "priority",
            );
        }
        assert_members_only(&app, Method::POST, &uri, Some(&json!({"priority": "low"}))).await;
        assert_not_found(
            &app.post(
                &app.api("conversations/999999/toggle_priority"),
                &app.agent,
                &json!({"priority": "low"}),
            )
            .await,
        );
    })
    .await;
}

#[tokio::test]
async fn patch_changes_the_priority_and_refuses_what_other_routes_change() {
    support::on_each_backend(async |app| {
        let uri = conversation(&app, "");
        let body = ok(&app
            .patch(&uri, &app.agent, &json!({"priority": "high"}))
            .await);
        assert_schema(&body, Some("conversation"));
        assert_eq!(body["priority"], "high");
        assert_eq!(body["id"], app.acme.conversation);
        let body = ok(&app
            .put(
                &uri,
                &app.agent,
                &json!({"conversation": {"priority": "medium"}}),
            )
            .await);
        assert_eq!(body["priority"], "medium");
        // Absent leaves it; unknown keys are ignored, as Rails' permit does.
        let body = ok(&app
            .patch(&uri, &app.agent, &json!({"muted_by_robot": true}))
            .await);
        assert_eq!(body["priority"], "medium");
        let body = ok(&app
            .patch(&uri, &app.agent, &json!({"priority": null}))
            .await);
        assert_eq!(body["priority"], Value::Null);
        for (field, value) in [
            ("status", json!("resolved")),
            ("assignee_id", json!(app.agent.id)),
            ("team_id", json!(1)),
            ("labels", json!(["vip"])),
            ("custom_attributes", json!({"a": 1})),
            ("snoozed_until", json!(null)),
            ("sla_policy_id", json!(1)),
            ("priority", json!("soon")),
        ] {
            let mut body = serde_json::Map::new();
            body.insert(field.to_owned(), value);
            body.insert("priority".to_owned(), json!("urgent"));
            if field == "priority" {
                body.insert("priority".to_owned(), json!("soon"));
            }
            assert_invalid(
                &app.patch(&uri, &app.agent, &Value::Object(body)).await,
                field,
            );
        }
        let after = shown(&app).await;
        assert_eq!(
            after["priority"],
            Value::Null,
            "refused requests changed nothing"
        );
        assert_eq!(after["status"], "open");
        assert_members_only(&app, Method::PATCH, &uri, Some(&json!({"priority": "low"}))).await;
    })
    .await;
}
