//! The signed context: an HS256 JWT in every `appContext` (top-level `"token"`), signed with the
//! app's own secret, so the app's backend can trust who is asking about what. Minted on the
//! server only; the secret never reaches the browser.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// How long a token is valid.
pub const LIFETIME_SECONDS: i64 = 300;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The Switchboard URL that issued it.
    pub iss: String,
    /// `dashboard_app:<id>`: a token for one app is no good for another.
    pub aud: String,
    /// The agent's user id.
    pub sub: String,
    pub account_id: i64,
    /// The conversation's display id; absent for a sidebar app, which has no conversation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inbox_id: Option<i64>,
    pub agent_email: String,
    pub agent_role: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
}

/// What a token is about.
pub struct Subject<'a> {
    pub issuer: &'a str,
    pub app_id: i64,
    pub agent: &'a crate::Member,
    /// The conversation on screen; `None` for a sidebar app.
    pub view: Option<&'a crate::ConversationView>,
}

impl Claims {
    pub fn new(subject: &Subject<'_>, now: i64) -> Self {
        let view = subject.view;
        Self {
            iss: subject.issuer.to_owned(),
            aud: format!("dashboard_app:{}", subject.app_id),
            sub: subject.agent.user.id.to_string(),
            account_id: subject.agent.account_id.get(),
            conversation_id: view.map(|v| v.conversation.display_id.get()),
            contact_id: view.map(|v| v.contact.id.get()),
            inbox_id: view.map(|v| v.conversation.inbox_id.get()),
            agent_email: subject.agent.user.email.clone(),
            agent_role: subject.agent.role.as_str().to_owned(),
            iat: now,
            exp: now + LIFETIME_SECONDS,
            jti: crate::password::random_token(24),
        }
    }
}

/// `header.payload.signature`, HS256 over the claims with `secret`.
pub fn sign(claims: &Claims, secret: &str) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).expect("claims serialize"));
    let signing_input = format!("{header}.{payload}");
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(signing_input.as_bytes());
    let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    format!("{signing_input}.{signature}")
}

/// Why a token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the token is malformed")]
    Malformed,
    #[error("the signature does not match")]
    BadSignature,
    #[error("the token is for another app")]
    WrongAudience,
    #[error("the token has expired")]
    Expired,
}

/// Checks a token the way an app's backend does: HS256 with `secret`, for `dashboard_app:<app_id>`,
/// not expired at `now`. (Used by the demo app's backend; tests verify with an independent
/// library.)
pub fn verify(token: &str, secret: &str, app_id: i64, now: i64) -> Result<Claims, TokenError> {
    let mut parts = token.split('.');
    let (Some(header_text), Some(payload_text), Some(signature_text), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::Malformed);
    };
    let header: serde_json::Value = URL_SAFE_NO_PAD
        .decode(header_text)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or(TokenError::Malformed)?;
    if header["alg"] != "HS256" {
        return Err(TokenError::Malformed);
    }
    let signature = URL_SAFE_NO_PAD
        .decode(signature_text)
        .map_err(|_| TokenError::Malformed)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(format!("{header_text}.{payload_text}").as_bytes());
    // verify_slice compares in constant time.
    mac.verify_slice(&signature)
        .map_err(|_| TokenError::BadSignature)?;
    let claims: Claims = URL_SAFE_NO_PAD
        .decode(payload_text)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or(TokenError::Malformed)?;
    if claims.aud != format!("dashboard_app:{app_id}") {
        return Err(TokenError::WrongAudience);
    }
    if claims.exp <= now {
        return Err(TokenError::Expired);
    }
    Ok(claims)
}

/// A new signing secret for an app.
pub fn new_secret() -> String {
    format!("dapp_{}", crate::password::random_token(40))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{decode, Algorithm, DecodingKey, Validation};

    fn claims(now: i64) -> Claims {
        Claims {
            iss: "http://127.0.0.1:3000".into(),
            aud: "dashboard_app:5".into(),
            sub: "3".into(),
            account_id: 1,
            conversation_id: Some(7),
            contact_id: Some(42),
            inbox_id: Some(2),
            agent_email: "sam@support.example".into(),
            agent_role: "agent".into(),
            iat: now,
            exp: now + LIFETIME_SECONDS,
            jti: "abc".into(),
        }
    }

    fn validation(aud: &str) -> Validation {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_audience(&[aud]);
        validation.set_issuer(&["http://127.0.0.1:3000"]);
        validation.leeway = 0;
        validation
    }

    #[test]
    fn an_independent_jwt_library_verifies_our_token_and_its_claims() {
        let now = crate::time::now();
        let token = sign(&claims(now), "secret-a");
        let decoded = decode::<Claims>(
            &token,
            &DecodingKey::from_secret(b"secret-a"),
            &validation("dashboard_app:5"),
        )
        .expect("a valid token");
        assert_eq!(decoded.claims, claims(now));
        assert_eq!(decoded.header.alg, Algorithm::HS256);
    }

    #[test]
    fn verify_accepts_our_tokens_and_refuses_tampered_foreign_and_expired_ones() {
        let now = crate::time::now();
        let token = sign(&claims(now), "secret-a");
        assert_eq!(verify(&token, "secret-a", 5, now), Ok(claims(now)));
        assert_eq!(
            verify(&token, "secret-b", 5, now),
            Err(TokenError::BadSignature)
        );
        assert_eq!(
            verify(&token, "secret-a", 6, now),
            Err(TokenError::WrongAudience)
        );
        assert_eq!(
            verify(&token, "secret-a", 5, now + LIFETIME_SECONDS),
            Err(TokenError::Expired)
        );
        let (head, rest) = token.split_once('.').unwrap();
        let (_, signature) = rest.split_once('.').unwrap();
        let forged_payload = URL_SAFE_NO_PAD.encode(
            serde_json::to_vec(&Claims {
                sub: "1".into(),
                ..claims(now)
            })
            .unwrap(),
        );
        let forged = format!("{head}.{forged_payload}.{signature}");
        assert_eq!(
            verify(&forged, "secret-a", 5, now),
            Err(TokenError::BadSignature)
        );
        for junk in ["", "a.b", "a.b.c.d", "!!.??.**"] {
            assert!(verify(junk, "secret-a", 5, now).is_err(), "{junk}");
        }
    }

    #[test]
    fn another_secret_another_app_or_an_expired_token_is_refused() {
        let now = crate::time::now();
        let token = sign(&claims(now), "secret-a");
        assert!(decode::<Claims>(
            &token,
            &DecodingKey::from_secret(b"secret-b"),
            &validation("dashboard_app:5")
        )
        .is_err());
        assert!(decode::<Claims>(
            &token,
            &DecodingKey::from_secret(b"secret-a"),
            &validation("dashboard_app:6")
        )
        .is_err());
        let old = sign(&claims(now - LIFETIME_SECONDS - 10), "secret-a");
        assert!(decode::<Claims>(
            &old,
            &DecodingKey::from_secret(b"secret-a"),
            &validation("dashboard_app:5")
        )
        .is_err());
    }
}
