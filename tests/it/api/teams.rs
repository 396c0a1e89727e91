//! `/api/v1/accounts/{id}/teams` and `…/teams/{team_id}/team_members` (`teams_controller.rb`,
//! `team_members_controller.rb`): bare arrays, every member reads, administrators write.

use super::{
    assert_forbidden, assert_invalid, assert_members_only, assert_not_found, keys, ok, send,
};
use crate::support;
use axum::http::Method;
use serde_json::{json, Value};

fn ids(agents: &Value) -> Vec<i64> {
    let mut ids: Vec<i64> = agents
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {agents}"))
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect();
    ids.sort_unstable();
    ids
}

#[tokio::test]
async fn an_administrator_creates_lists_shows_updates_and_deletes_teams() {
    support::on_each_backend(async |app| {
        let list = app.api("teams");
        assert_eq!(ok(&app.get(&list, &app.agent).await), json!([]));
        let billing = ok(&app
            .post(
                &list,
                &app.admin,
                &json!({"name": "Billing", "description": "Money things", "allow_auto_assign": false}),
            )
            .await);
        assert_eq!(
            keys(&billing),
            ["account_id", "allow_auto_assign", "description", "id", "is_member", "name"]
        );
        assert_eq!(billing["name"], "billing", "names are lowercased");
        assert_eq!(billing["description"], "Money things");
        assert_eq!(billing["allow_auto_assign"], false);
        assert_eq!(billing["account_id"], app.acme.account_id);
        assert_eq!(billing["is_member"], false);
        let sales = ok(&app.post(&list, &app.admin, &json!({"team": {"name": "sales"}})).await);
        assert_eq!(sales["allow_auto_assign"], true, "Chatwoot's default");
        assert_eq!(sales["description"], Value::Null);
        for who in [&app.admin, &app.agent] {
            assert_eq!(ok(&app.get(&list, who).await), json!([billing, sales]));
        }
        let one = app.api(&format!("teams/{}", sales["id"]));
        assert_eq!(ok(&app.get(&one, &app.agent).await), sales);
        let updated = ok(&app
            .patch(&one, &app.admin, &json!({"name": "Sales EU", "description": "Deals"}))
            .await);
        assert_eq!(updated["name"], "sales eu");
        assert_eq!(updated["description"], "Deals");
        let updated = ok(&app
            .put(&one, &app.admin, &json!({"team": {"allow_auto_assign": false}}))
            .await);
        assert_eq!(updated["name"], "sales eu");
        assert_eq!(updated["allow_auto_assign"], false);
        let res = app.delete(&one, &app.admin).await;
        assert_eq!(res.status.as_u16(), 200, "{}", res.text);
        assert_not_found(&app.get(&one, &app.admin).await);
        assert_not_found(&app.delete(&one, &app.admin).await);
        assert_eq!(ok(&app.get(&list, &app.admin).await), json!([billing]));
        // The same name may live in another account, whose teams stay out of sight.
        let theirs = ok(&app
            .post(&app.other_api("teams"), &app.stranger, &json!({"name": "billing"}))
            .await);
        assert_not_found(&app.get(&app.api(&format!("teams/{}", theirs["id"])), &app.admin).await);
    })
    .await;
}

#[tokio::test]
async fn a_team_needs_a_name_unique_in_its_account() {
    support::on_each_backend(async |app| {
        let list = app.api("teams");
        ok(&app
            .post(&list, &app.admin, &json!({"name": "billing"}))
            .await);
        let other = ok(&app.post(&list, &app.admin, &json!({"name": "sales"})).await);
        for name in ["billing", "BILLING", " Billing "] {
            let message = assert_invalid(
                &app.post(&list, &app.admin, &json!({"name": name})).await,
                "name",
            );
            assert_eq!(message, "Name has already been taken");
        }
        let one = app.api(&format!("teams/{}", other["id"]));
        assert_invalid(
            &app.patch(&one, &app.admin, &json!({"name": "Billing"}))
                .await,
            "name",
        );
        assert_invalid(
            &app.patch(&one, &app.admin, &json!({"name": " "})).await,
            "name",
        );
        for (body, field) in [
            (json!({}), "name"),
            (json!({"name": ""}), "name"),
            (json!({"name": 5}), "name"),
            (json!({"name": "x".repeat(256)}), "name"),
            (
                json!({"name": "ok", "allow_auto_assign": "maybe"}),
                "allow_auto_assign",
            ),
            (json!({"name": "ok", "description": ["x"]}), "description"),
            // No Slack integration: refused, never silently dropped.
            (
                json!({"name": "ok", "slack_mention_code": "@billing"}),
                "slack_mention_code",
            ),
        ] {
            assert_invalid(&app.post(&list, &app.admin, &body).await, field);
        }
        assert_invalid(
            &app.patch(&one, &app.admin, &json!({"slack_mention_code": "@sales"}))
                .await,
            "slack_mention_code",
        );
        ok(&app
            .patch(&one, &app.admin, &json!({"slack_mention_code": ""}))
            .await);
        assert_eq!(
            ok(&app.get(&list, &app.admin).await)
                .as_array()
                .unwrap()
                .len(),
            2
        );
    })
    .await;
}

#[tokio::test]
async fn agents_read_teams_but_only_administrators_write_them() {
    support::on_each_backend(async |app| {
        let list = app.api("teams");
        let team = ok(&app
            .post(&list, &app.admin, &json!({"name": "billing"}))
            .await);
        let one = app.api(&format!("teams/{}", team["id"]));
        let members = app.api(&format!("teams/{}/team_members", team["id"]));
        let body = json!({"user_ids": [app.agent.id]});
        assert_forbidden(&app.post(&list, &app.agent, &json!({"name": "x"})).await);
        assert_forbidden(&app.patch(&one, &app.agent, &json!({"name": "x"})).await);
        assert_forbidden(&app.delete(&one, &app.agent).await);
        for method in [Method::POST, Method::PATCH, Method::DELETE] {
            assert_forbidden(&send(&app, method, &members, &app.agent, Some(&body)).await);
        }
        ok(&app.get(&members, &app.agent).await);
        for (method, uri) in [
            (Method::GET, &list),
            (Method::POST, &list),
            (Method::GET, &one),
            (Method::PATCH, &one),
            (Method::DELETE, &one),
            (Method::GET, &members),
            (Method::POST, &members),
            (Method::PATCH, &members),
            (Method::DELETE, &members),
        ] {
            assert_members_only(&app, method, uri, Some(&body)).await;
        }
        assert_eq!(ok(&app.get(&one, &app.admin).await)["name"], "billing");
    })
    .await;
}

#[tokio::test]
async fn team_members_are_added_replaced_and_removed_by_user_ids() {
    support::on_each_backend(async |app| {
        let team = ok(&app
            .post(&app.api("teams"), &app.admin, &json!({"name": "billing"}))
            .await);
        let members = app.api(&format!("teams/{}/team_members", team["id"]));
        assert_eq!(ok(&app.get(&members, &app.agent).await), json!([]));
        let added = ok(&app
            .post(&members, &app.admin, &json!({"user_ids": [app.agent.id]}))
            .await);
        assert_eq!(ids(&added), [app.agent.id]);
        assert_eq!(added[0]["email"], "agent@acme.test");
        assert_eq!(added[0]["role"], "agent");
        // Adding someone already there is no error and no duplicate.
        let added = ok(&app
            .post(
                &members,
                &app.admin,
                &json!({"user_ids": [app.admin.id, app.agent.id]}),
            )
            .await);
        assert_eq!(ids(&added), [app.admin.id, app.agent.id]);
        assert_eq!(
            ids(&ok(&app.get(&members, &app.agent).await)),
            [app.admin.id, app.agent.id]
        );
        // is_member is the asker's.
        let shown = ok(&app
            .get(&app.api(&format!("teams/{}", team["id"])), &app.agent)
            .await);
        assert_eq!(shown["is_member"], true);
        // PATCH makes the set exactly user_ids.
        let now = ok(&app
            .patch(&members, &app.admin, &json!({"user_ids": [app.admin.id]}))
            .await);
        assert_eq!(ids(&now), [app.admin.id]);
        assert_eq!(
            ids(&ok(&app.get(&members, &app.admin).await)),
            [app.admin.id]
        );
        let listed = ok(&app.get(&app.api("teams"), &app.agent).await);
        assert_eq!(listed[0]["is_member"], false);
        let res = send(
            &app,
            Method::DELETE,
            &members,
            &app.admin,
            Some(&json!({"user_ids": [app.admin.id, app.agent.id]})),
        )
        .await;
        assert_eq!(res.status.as_u16(), 200, "{}", res.text);
        assert_eq!(ok(&app.get(&members, &app.admin).await), json!([]));
    })
    .await;
}

#[tokio::test]
async fn team_members_must_be_agents_of_the_account() {
    support::on_each_backend(async |app| {
        let team = ok(&app
            .post(&app.api("teams"), &app.admin, &json!({"name": "billing"}))
            .await);
        let members = app.api(&format!("teams/{}/team_members", team["id"]));
        ok(&app
            .post(&members, &app.admin, &json!({"user_ids": [app.agent.id]}))
            .await);
        for body in [
            json!({"user_ids": [app.stranger.id]}),
            json!({"user_ids": [app.agent.id, 999_999]}),
            json!({"user_ids": [0]}),
            json!({"user_ids": ["x"]}),
            json!({"user_ids": 3}),
            json!({}),
        ] {
            for method in [Method::POST, Method::PATCH] {
                assert_invalid(
                    &send(&app, method, &members, &app.admin, Some(&body)).await,
                    "user_ids",
                );
            }
        }
        // Nothing was written by the refused requests.
        assert_eq!(
            ids(&ok(&app.get(&members, &app.admin).await)),
            [app.agent.id]
        );
        // Another account's team, or no team, is a 404.
        let theirs = ok(&app
            .post(
                &app.other_api("teams"),
                &app.stranger,
                &json!({"name": "x"}),
            )
            .await);
        let foreign = app.api(&format!("teams/{}/team_members", theirs["id"]));
        assert_not_found(&app.get(&foreign, &app.admin).await);
        assert_not_found(
            &app.post(&foreign, &app.admin, &json!({"user_ids": [app.agent.id]}))
                .await,
        );
        assert_not_found(
            &app.get(&app.api("teams/999999/team_members"), &app.admin)
                .await,
        );
    })
    .await;
}

#[tokio::test]
async fn an_agent_removed_from_the_account_leaves_its_teams() {
    support::on_each_backend(async |app| {
        let team = ok(&app
            .post(&app.api("teams"), &app.admin, &json!({"name": "billing"}))
            .await);
        let members = app.api(&format!("teams/{}/team_members", team["id"]));
        ok(&app
            .post(
                &members,
                &app.admin,
                &json!({"user_ids": [app.agent.id, app.admin.id]}),
            )
            .await);
        let res = app
            .delete(&app.api(&format!("agents/{}", app.agent.id)), &app.admin)
            .await;
        assert_eq!(res.status.as_u16(), 200, "{}", res.text);
        assert_eq!(
            ids(&ok(&app.get(&members, &app.admin).await)),
            [app.admin.id]
        );
    })
    .await;
}
