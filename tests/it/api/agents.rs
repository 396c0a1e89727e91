//! `/api/v1/accounts/{id}/agents`: a bare array; writes for administrators; an account always
//! keeps an administrator.

use super::{
    assert_forbidden, assert_invalid, assert_members_only, assert_not_found, assert_schema, keys,
    long, ok,
};
use crate::support;
use axum::http::Method;
use serde_json::{json, Value};

const AGENT_KEYS: [&str; 10] = [
    "account_id",
    "auto_offline",
    "availability_status",
    "available_name",
    "confirmed",
    "email",
    "id",
    "name",
    "role",
    "thumbnail",
];

#[track_caller]
fn assert_agent_shape(agent: &Value) {
    assert_eq!(keys(agent), AGENT_KEYS, "{agent}");
    assert_schema(agent, Some("assignee"));
}

#[tokio::test]
async fn every_member_lists_the_accounts_agents_as_a_bare_array() {
    support::on_each_backend(async |app| {
        for who in [&app.admin, &app.agent] {
            let list = ok(&app.get(&app.api("agents"), who).await);
            let list = list.as_array().expect("a bare array");
            assert_eq!(list.len(), 2, "{list:?}");
            list.iter().for_each(assert_agent_shape);
            let admin = list
                .iter()
                .find(|a| a["id"] == app.admin.id)
                .expect("the admin is listed");
            assert_eq!(admin["role"], "administrator");
            assert_eq!(admin["email"], "admin@acme.test");
            assert_eq!(admin["account_id"], app.acme.account_id);
            let agent = list
                .iter()
                .find(|a| a["id"] == app.agent.id)
                .expect("the agent is listed");
            assert_eq!(agent["role"], "agent");
            assert_eq!(agent["name"], "Sam Agent");
            assert!(
                !list.iter().any(|a| a["id"] == app.stranger.id),
                "no stranger in {list:?}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn an_administrator_adds_promotes_and_removes_an_agent_but_never_renames_them() {
    support::on_each_backend(async |app| {
        let list = app.api("agents");
        let created = ok(&app
            .post(
                &list,
                &app.admin,
                &json!({"name": "  Lee Newton ", "email": "Lee@Acme.test", "role": "agent", "password": "a-long-password"}),
            )
            .await);
        assert_agent_shape(&created);
        assert_eq!(created["name"], "Lee Newton");
        assert_eq!(created["email"], "lee@acme.test");
        assert_eq!(created["role"], "agent");
        assert_eq!(created["account_id"], app.acme.account_id);
        // The password given works for signing in, and the new agent is a member.
        let res = app
            .request(
                Method::POST,
                "/auth/sign_in",
                None,
                Some(&json!({"email": "lee@acme.test", "password": "a-long-password"}).to_string()),
            )
            .await;
        let token = ok(&res)["data"]["access_token"].as_str().unwrap().to_owned();
        ok(&app.request(Method::GET, &app.api("conversations"), Some(&token), None).await);
        // Wrapped in "agent", with the default role.
        let second = ok(&app.post(&list, &app.admin, &json!({"agent": {"name": "Kim", "email": "kim@acme.test"}})).await);
        assert_eq!(second["role"], "agent");
        let one = app.api(&format!("agents/{}", created["id"]));
        let promoted = ok(&app.patch(&one, &app.admin, &json!({"role": "administrator"})).await);
        assert_agent_shape(&promoted);
        assert_eq!(promoted["role"], "administrator");
        assert_eq!(promoted["name"], "Lee Newton");
        // The name is the user's own (their profile): an administrator cannot change it.
        let refused = app.put(&one, &app.admin, &json!({"agent": {"name": "Lee N."}})).await;
        super::assert_invalid(&refused, "name");
        let renamed = ok(&app.put(&one, &app.admin, &json!({"agent": {"name": "Lee Newton"}})).await);
        assert_eq!(renamed["name"], "Lee Newton");
        assert_eq!(renamed["role"], "administrator");
        assert_eq!(ok(&app.patch(&one, &app.admin, &json!({})).await), renamed);
        let all = ok(&app.get(&list, &app.agent).await);
        assert_eq!(all.as_array().unwrap().len(), 4);
        assert!(all.as_array().unwrap().contains(&renamed));
        // Removal: 200, then gone from the list, and their token no longer opens the account.
        let res = app.delete(&one, &app.admin).await;
        assert_eq!(res.status.as_u16(), 200, "{}", res.text);
        let all = ok(&app.get(&list, &app.admin).await);
        assert!(!all.as_array().unwrap().iter().any(|a| a["id"] == created["id"]), "{all}");
        let res = app.request(Method::GET, &app.api("conversations"), Some(&token), None).await;
        super::assert_unauthorized(&res);
        assert_not_found(&app.patch(&one, &app.admin, &json!({"name": "x"})).await);
        assert_not_found(&app.delete(&one, &app.admin).await);
    })
    .await;
}

#[tokio::test]
async fn removing_an_agent_unassigns_their_conversations() {
    support::on_each_backend(async |app| {
        let display = app.acme.conversation;
        let assigned = ok(&app
            .post(
                &app.api(&format!("conversations/{display}/assignments")),
                &app.admin,
                &json!({"assignee_id": app.agent.id}),
            )
            .await);
        assert_eq!(assigned["id"], app.agent.id);
        let res = app
            .delete(&app.api(&format!("agents/{}", app.agent.id)), &app.admin)
            .await;
        assert_eq!(res.status.as_u16(), 200, "{}", res.text);
        let conversation = ok(&app
            .get(&app.api(&format!("conversations/{display}")), &app.admin)
            .await);
        assert!(
            conversation["meta"].get("assignee").is_none(),
            "{conversation}"
        );
        super::assert_schema(&conversation, Some("conversation"));
    })
    .await;
}

#[tokio::test]
async fn agent_gets_401_managing_agents() {
    support::on_each_backend(async |app| {
        let list = app.api("agents");
        let admin = app.api(&format!("agents/{}", app.admin.id));
        let me = app.api(&format!("agents/{}", app.agent.id));
        let body =
            json!({"name": "Mallory", "email": "mallory@acme.test", "role": "administrator"});
        assert_forbidden(&app.post(&list, &app.agent, &body).await);
        // Not even to promote themselves or demote the administrator.
        assert_forbidden(
            &app.patch(&me, &app.agent, &json!({"role": "administrator"}))
                .await,
        );
        assert_forbidden(&app.put(&admin, &app.agent, &json!({"role": "agent"})).await);
        assert_forbidden(&app.delete(&admin, &app.agent).await);
        assert_forbidden(&app.delete(&me, &app.agent).await);
        let all = ok(&app.get(&list, &app.admin).await);
        assert_eq!(all.as_array().unwrap().len(), 2);
        let me = all
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["id"] == app.agent.id)
            .unwrap()
            .clone();
        assert_eq!(me["role"], "agent");
    })
    .await;
}

#[tokio::test]
async fn outsiders_get_401_on_every_agent_route() {
    support::on_each_backend(async |app| {
        let list = app.api("agents");
        let one = app.api(&format!("agents/{}", app.agent.id));
        let body = json!({"name": "X", "email": "x@acme.test"});
        assert_members_only(&app, Method::GET, &list, None).await;
        assert_members_only(&app, Method::POST, &list, Some(&body)).await;
        assert_members_only(
            &app,
            Method::PATCH,
            &one,
            Some(&json!({"role": "administrator"})),
        )
        .await;
        assert_members_only(
            &app,
            Method::PUT,
            &one,
            Some(&json!({"role": "administrator"})),
        )
        .await;
        assert_members_only(&app, Method::DELETE, &one, None).await;
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
async fn invalid_agent_input_is_a_422_naming_the_field() {
    support::on_each_backend(async |app| {
        let list = app.api("agents");
        let creates = [
            (json!({"email": "a@acme.test"}), "name"),
            (json!({"name": "", "email": "a@acme.test"}), "name"),
            (json!({"name": "  ", "email": "a@acme.test"}), "name"),
            (json!({"name": long(256), "email": "a@acme.test"}), "name"),
            (json!({"name": 5, "email": "a@acme.test"}), "name"),
            (json!({"name": "A"}), "email"),
            (json!({"name": "A", "email": ""}), "email"),
            (json!({"name": "A", "email": "nope"}), "email"),
            (json!({"name": "A", "email": "a@b"}), "email"),
            (json!({"name": "A", "email": "a b@acme.test"}), "email"),
            (
                json!({"name": "A", "email": format!("{}@acme.test", long(250))}),
                "email",
            ),
            (json!({"name": "A", "email": 5}), "email"),
            (json!({"name": "A", "email": "agent@acme.test"}), "email"),
            (json!({"name": "A", "email": "AGENT@ACME.TEST"}), "email"),
            (
                json!({"name": "A", "email": "a@acme.test", "role": "owner"}),
                "role",
            ),
            (
                json!({"name": "A", "email": "a@acme.test", "role": "Administrator"}),
                "role",
            ),
            (
                json!({"name": "A", "email": "a@acme.test", "role": 1}),
                "role",
            ),
            (
                json!({"name": "A", "email": "a@acme.test", "password": "short"}),
                "password",
            ),
            (
                json!({"name": "A", "email": "a@acme.test", "password": 12345678}),
                "password",
            ),
            (
                json!({"name": "A", "email": "a@acme.test", "password": "password123"}),
                "password",
            ),
            (
                json!({"name": "A", "email": "a@acme.test", "password": "qwertyuiop"}),
                "password",
            ),
            (
                json!({"name": "Lee Newton", "email": "leenewton@acme.test", "password": "leenewton1"}),
                "password",
            ),
            (json!({"agent": []}), "agent"),
        ];
        for (body, field) in &creates {
            assert_invalid(&app.post(&list, &app.admin, body).await, field);
        }
        let one = app.api(&format!("agents/{}", app.agent.id));
        let updates = [
            (json!({"name": ""}), "name"),
            (json!({"name": "   "}), "name"),
            (json!({"name": long(256)}), "name"),
            (json!({"name": 5}), "name"),
            (json!({"role": "boss"}), "role"),
            (json!({"role": ""}), "role"),
            (json!({"role": true}), "role"),
        ];
        for (body, field) in &updates {
            assert_invalid(&app.patch(&one, &app.admin, body).await, field);
        }
        let all = ok(&app.get(&list, &app.admin).await);
        assert_eq!(all.as_array().unwrap().len(), 2, "nothing was added: {all}");
        let me = all
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["id"] == app.agent.id)
            .unwrap()
            .clone();
        assert_eq!(
            (me["name"].as_str(), me["role"].as_str()),
            (Some("Sam Agent"), Some("agent"))
        );
    })
    .await;
}

#[tokio::test]
async fn the_last_administrator_can_be_neither_demoted_nor_removed() {
    support::on_each_backend(async |app| {
        let admin = app.api(&format!("agents/{}", app.admin.id));
        let agent = app.api(&format!("agents/{}", app.agent.id));
        assert_invalid(
            &app.patch(&admin, &app.admin, &json!({"role": "agent"}))
                .await,
            "role",
        );
        assert_invalid(&app.delete(&admin, &app.admin).await, "role");
        // Keeping the role is not a demotion.
        let same = ok(&app
            .patch(&admin, &app.admin, &json!({"role": "administrator"}))
            .await);
        assert_eq!(same["role"], "administrator");
        // With a second administrator the first may step down…
        ok(&app
            .patch(&agent, &app.admin, &json!({"role": "administrator"}))
            .await);
        let demoted = ok(&app
            .patch(&admin, &app.admin, &json!({"role": "agent"}))
            .await);
        assert_eq!(demoted["role"], "agent");
        // …after which they are an agent, and the new last administrator is protected.
        assert_forbidden(
            &app.patch(&agent, &app.admin, &json!({"role": "agent"}))
                .await,
        );
        assert_invalid(
            &app.patch(&agent, &app.agent, &json!({"role": "agent"}))
                .await,
            "role",
        );
        assert_invalid(&app.delete(&agent, &app.agent).await, "role");
        let res = app.delete(&admin, &app.agent).await;
        assert_eq!(res.status.as_u16(), 200, "{}", res.text);
        let all = ok(&app.get(&app.api("agents"), &app.agent).await);
        assert_eq!(all.as_array().unwrap().len(), 1);
        assert_eq!(all[0]["role"], "administrator");
        assert_eq!(all[0]["id"], app.agent.id);
    })
    .await;
}

#[tokio::test]
async fn another_accounts_members_and_unknown_ids_are_404s() {
    support::on_each_backend(async |app| {
        for id in [app.stranger.id, 999_999] {
            let uri = app.api(&format!("agents/{id}"));
            assert_not_found(&app.patch(&uri, &app.admin, &json!({"role": "agent"})).await);
            assert_not_found(&app.put(&uri, &app.admin, &json!({"name": "Renamed"})).await);
            assert_not_found(&app.delete(&uri, &app.admin).await);
        }
        // The stranger is untouched in their own account.
        let theirs = ok(&app.get(&app.other_api("agents"), &app.stranger).await);
        assert_eq!(theirs.as_array().unwrap().len(), 1);
        assert_eq!(theirs[0]["name"], "Ada Admin");
        assert_eq!(theirs[0]["role"], "administrator");
    })
    .await;
}
