//! `switchboard accounts create`: the operator adds a tenant with its first administrator, who
//! can then sign in and sees only that account; an existing user becomes administrator of the
//! new account without their profile changing.

use crate::support;
use serde_json::json;
use std::process::Command;
use store::Store;

fn create_account(database_url: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .args(["accounts", "create", "--database-url", database_url])
        .args(args)
        .env_remove("DATABASE_URL")
        .env_remove("SWITCHBOARD_NEW_ADMIN_PASSWORD")
        .output()
        .expect("the binary runs")
}

#[tokio::test]
async fn the_operator_creates_a_second_account_whose_administrator_signs_in_to_it() {
    let (_dir, url) = support::scratch_sqlite();

    let out = create_account(
        &url,
        &[
            "--name",
            "Globex",
            "--admin-email",
            "hank@globex.test",
            "--admin-name",
            "Hank",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(printed.contains("Created account"), "{printed}");
    let password = printed
        .split("with password ")
        .nth(1)
        .expect("a generated password is printed")
        .trim()
        .to_owned();

    let second = create_account(
        &url,
        &[
            "--name",
            "Initech",
            "--admin-email",
            "HANK@globex.test",
            "--admin-name",
            "Somebody Else",
        ],
    );
    assert!(
        second.status.success(),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );
    assert!(String::from_utf8_lossy(&second.stdout).contains("an existing user"));

    for weak in ["short", "password123"] {
        let refused = create_account(
            &url,
            &[
                "--name",
                "Weak",
                "--admin-email",
                "wendy@globex.test",
                "--admin-password",
                weak,
            ],
        );
        assert!(!refused.status.success(), "{weak} accepted");
        let said = String::from_utf8_lossy(&refused.stderr).to_lowercase();
        assert!(
            said.contains("password"),
            "{weak}: names the password: {said}"
        );
    }

    let refused = create_account(&url, &["--name", "Broken", "--admin-email", "not-an-email"]);
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("mail"),
        "names the e-mail"
    );

    let store = Store::connect(&url).await.expect("the database");
    let app = support::TestApp::with_store(store).await;
    let res = app
        .request(
            axum::http::Method::POST,
            "/auth/sign_in",
            None,
            Some(&json!({"email": "hank@globex.test", "password": password}).to_string()),
        )
        .await;
    assert_eq!(res.status.as_u16(), 200, "{}", res.text);
    let profile = res.json()["data"].clone();
    assert_eq!(
        profile["name"], "Hank",
        "an existing user's profile is not renamed"
    );
    let accounts: Vec<_> = profile["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["name"].as_str().unwrap().to_owned(),
                a["role"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        accounts,
        [
            ("Globex".to_owned(), "administrator".to_owned()),
            ("Initech".to_owned(), "administrator".to_owned())
        ],
        "no account left behind by the refused one"
    );
    drop(app);
}
