//! `/.well-known/jwks.json` and EdDSA context tokens: new apps sign with the server's Ed25519 key,
//! an independent JWT library verifies their tokens with nothing but the published keys, and a
//! rotation keeps the replaced key published while its tokens live.

use super::{assert_invalid, ok};
use crate::support::{self, TestApp};
use axum::http::Method;
use serde_json::{json, Value};

const JWKS: &str = "/.well-known/jwks.json";

async fn create_app(app: &TestApp) -> i64 {
    let body = json!({"title": "Orders", "content": [{"type": "frame", "url": "https://orders.example/"}]});
    ok(&app
        .post(&app.api("dashboard_apps"), &app.admin, &body)
        .await)["id"]
        .as_i64()
        .expect("an id")
}

async fn token_for(app: &TestApp, id: i64) -> String {
    let uri = app.api(&format!(
        "conversations/{}/app_context?app_id={id}",
        app.acme.conversation
    ));
    ok(&app.get(&uri, &app.agent).await)["token"]
        .as_str()
        .expect("a token")
        .to_owned()
}

/// The published keys, fetched as anyone (no credentials).
async fn jwks(app: &TestApp) -> Value {
    let res = app.request(Method::GET, JWKS, None, None).await;
    assert_eq!(
        res.headers["access-control-allow-origin"], "*",
        "any origin may read the public keys"
    );
    ok(&res)
}

fn kids(set: &Value) -> Vec<String> {
    set["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .map(|key| key["kid"].as_str().expect("a kid").to_owned())
        .collect()
}

/// The token's claims, verified by jsonwebtoken with the key `set` publishes under the token's
/// `kid`, as EdDSA, for `dashboard_app:<id>` from `issuer`; `None` when it does not verify.
fn verified(token: &str, set: &Value, id: i64, issuer: &str) -> Option<Value> {
    let header = jsonwebtoken::decode_header(token).ok()?;
    let kid = header.kid?;
    let set: jsonwebtoken::jwk::JwkSet = serde_json::from_value(set.clone()).ok()?;
    let key = jsonwebtoken::DecodingKey::from_jwk(set.find(&kid)?).ok()?;
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::EdDSA);
    validation.set_audience(&[format!("dashboard_app:{id}")]);
    validation.set_issuer(&[issuer]);
    jsonwebtoken::decode::<Value>(token, &key, &validation)
        .ok()
        .map(|data| data.claims)
}

#[tokio::test]
async fn a_new_app_signs_with_eddsa_that_the_published_keys_alone_verify() {
    support::on_each_backend(async |app: TestApp| {
        let config = web::Config::new("https://support.acme.example", false).unwrap();
        let app = app.with_config(config);
        let id = create_app(&app).await;
        let control = ok(&app
            .get(
                &app.api(&format!("dashboard_apps/{id}?include=control")),
                &app.admin,
            )
            .await);
        assert_eq!(control["token_algorithm"], "EdDSA");
        let token = token_for(&app, id).await;
        let header = jsonwebtoken::decode_header(&token).unwrap();
        assert_eq!(header.alg, jsonwebtoken::Algorithm::EdDSA);
        let set = jwks(&app).await;
        assert_eq!(set["keys"][0]["kty"], "OKP");
        assert_eq!(set["keys"][0]["crv"], "Ed25519");
        assert_eq!(set["keys"][0]["alg"], "EdDSA");
        assert!(set["keys"][0].get("d").is_none(), "never the private key");
        let claims = verified(&token, &set, id, "https://support.acme.example")
            .expect("verifies with the published key");
        assert_eq!(claims["conversation_id"], app.acme.conversation);
        assert_eq!(claims["sub"], app.agent.id.to_string());
        assert!(verified(&token, &set, id + 1, "https://support.acme.example").is_none());
        assert!(verified(&token, &set, id, "https://evil.example").is_none());
        // A forged payload under the real header and signature does not verify.
        let parts: Vec<&str> = token.split('.').collect();
        let forged_claims = json!({"sub": "1", "aud": format!("dashboard_app:{id}")});
        let forged = format!(
            "{}.{}.{}",
            parts[0],
            base64_url(&forged_claims.to_string()),
            parts[2]
        );
        assert!(verified(&forged, &set, id, "https://support.acme.example").is_none());
    })
    .await;
}

fn base64_url(text: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let bytes = text.as_bytes();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

#[tokio::test]
async fn an_app_switched_to_hs256_signs_with_its_secret_and_a_bad_algorithm_is_a_422() {
    support::on_each_backend(async |app: TestApp| {
        let id = create_app(&app).await;
        let uri = app.api(&format!("dashboard_apps/{id}"));
        for bad in [json!("RS256"), json!("none"), json!(5)] {
            let res = app
                .patch(&uri, &app.admin, &json!({"token_algorithm": bad}))
                .await;
            assert_invalid(&res, "token_algorithm");
        }
        let refused = app
            .patch(&uri, &app.agent, &json!({"token_algorithm": "HS256"}))
            .await;
        assert_eq!(refused.status, 401, "agents cannot change it");
        let secret = app.rotate_secret(id).await;
        let token = token_for(&app, id).await;
        assert!(support::verified_claims(&token, &secret, id).is_some());
        let back = app
            .patch(&uri, &app.admin, &json!({"token_algorithm": "EdDSA"}))
            .await;
        assert_eq!(ok(&back)["id"], id);
        let token = token_for(&app, id).await;
        assert!(support::verified_claims(&token, &secret, id).is_none());
        assert!(verified(&token, &jwks(&app).await, id, "http://localhost:3000").is_some());
    })
    .await;
}

#[tokio::test]
async fn a_rotation_signs_with_the_new_key_and_keeps_the_old_one_published_while_its_tokens_live() {
    support::on_each_backend(async |app: TestApp| {
        let id = create_app(&app).await;
        let before = token_for(&app, id).await;
        let first = kids(&jwks(&app).await);
        assert_eq!(first.len(), 1);

        let rotated = app.store().signing_keys().rotate(300).await.unwrap();
        let after = token_for(&app, id).await;
        let header = jsonwebtoken::decode_header(&after).unwrap();
        assert_eq!(header.kid.as_deref(), Some(rotated.kid.as_str()));
        let set = jwks(&app).await;
        assert_eq!(kids(&set), [first[0].clone(), rotated.kid.clone()]);
        for token in [&before, &after] {
            assert!(verified(token, &set, id, "http://localhost:3000").is_some());
        }

        // A key replaced with a lifetime of 0 is unpublished at once (and deleted); the first
        // key keeps the time it was given.
        let third = app.store().signing_keys().rotate(0).await.unwrap();
        let set = jwks(&app).await;
        assert_eq!(kids(&set), [first[0].clone(), third.kid.clone()]);
        assert!(verified(&after, &set, id, "http://localhost:3000").is_none());
        assert!(verified(&before, &set, id, "http://localhost:3000").is_some());
    })
    .await;
}

#[tokio::test]
async fn the_token_lifetime_is_the_configured_one() {
    let mut config = web::Config::default();
    config.app_token_lifetime = 42;
    let app = TestApp::new().await.with_config(config);
    let id = create_app(&app).await;
    let claims = verified(
        &token_for(&app, id).await,
        &jwks(&app).await,
        id,
        "http://localhost:3000",
    )
    .expect("verifies");
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        42
    );
}

#[tokio::test]
async fn every_context_carries_the_accounts_custom_attribute_definitions() {
    support::on_each_backend(async |app: TestApp| {
        let definition = json!({
            "attribute_display_name": "Plan",
            "attribute_key": "plan",
            "attribute_display_type": "list",
            "attribute_values": ["free", "pro"],
            "attribute_model": "contact_attribute"
        });
        ok(&app
            .post(
                &app.api("custom_attribute_definitions"),
                &app.admin,
                &definition,
            )
            .await);
        let id = create_app(&app).await;
        let uri = app.api(&format!(
            "conversations/{}/app_context?app_id={id}",
            app.acme.conversation
        ));
        let context = ok(&app.get(&uri, &app.agent).await);
        let definitions = &context["data"]["customAttributeDefinitions"];
        assert_eq!(definitions[0]["attribute_key"], "plan");
        assert_eq!(definitions[0]["attribute_values"], json!(["free", "pro"]));
        let errors = support::schema_errors(&context, None);
        assert!(errors.is_empty(), "{errors:#?}");
        let sidebar = ok(&app
            .get(
                &app.api(&format!("dashboard_apps/{id}/app_context")),
                &app.admin,
            )
            .await);
        assert_eq!(
            sidebar["data"]["customAttributeDefinitions"][0]["attribute_key"],
            "plan"
        );
        let errors = support::schema_errors(&sidebar, None);
        assert!(errors.is_empty(), "{errors:#?}");
    })
    .await;
}
