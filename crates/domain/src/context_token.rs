//! The signed context: a JWT in every `appContext` (top-level `"token"`), so the app's backend
//! can trust who is asking about what. Each app chooses how it is signed: HS256 with the app's
//! own secret (Chatwoot-era apps), or EdDSA (Ed25519) with the server's current key, whose public
//! half is published at `/.well-known/jwks.json` under its `kid`, so any backend verifies without
//! a secret. Minted on the server only; no secret or private key ever reaches the browser.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// How long a token is valid unless the operator configures otherwise
/// (`SWITCHBOARD_APP_TOKEN_LIFETIME`).
pub const LIFETIME_SECONDS: i64 = 300;

/// How an app's context tokens are signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub enum TokenAlgorithm {
    /// HMAC-SHA256 with the app's own secret: what apps made before EdDSA keep.
    #[serde(rename = "HS256")]
    Hs256,
    /// Ed25519 with the server's key, verifiable through the JWKS: the default for new apps.
    #[default]
    #[serde(rename = "EdDSA")]
    EdDsa,
}

impl TokenAlgorithm {
    /// The JOSE `alg` name, also how it is stored.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenAlgorithm::Hs256 => "HS256",
            TokenAlgorithm::EdDsa => "EdDSA",
        }
    }

    /// Reads a stored or sent name; anything unknown is `None`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "HS256" => Some(TokenAlgorithm::Hs256),
            "EdDSA" => Some(TokenAlgorithm::EdDsa),
            _ => None,
        }
    }
}

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
    /// Claims issued at `now`, valid for `lifetime` seconds.
    pub fn new(subject: &Subject<'_>, now: i64, lifetime: i64) -> Self {
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
            exp: now + lifetime,
            jti: crate::password::random_token(24),
        }
    }
}

/// `header.payload`, base64url, for `header`.
fn signing_input(header: &serde_json::Value, claims: &Claims) -> String {
    let header = URL_SAFE_NO_PAD.encode(header.to_string());
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).expect("claims serialize"));
    format!("{header}.{payload}")
}

/// `header.payload.signature`, HS256 over the claims with `secret`.
pub fn sign(claims: &Claims, secret: &str) -> String {
    let input = signing_input(&serde_json::json!({"alg": "HS256", "typ": "JWT"}), claims);
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(input.as_bytes());
    let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    format!("{input}.{signature}")
}

/// One of the server's Ed25519 signing keys: `kid` names it in token headers and in the JWKS.
/// `secret` is the 32-byte seed, base64url (how it is stored); `public` the public key, base64url
/// (the JWK's `x`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningKey {
    pub kid: String,
    pub secret: String,
    pub public: String,
}

impl SigningKey {
    /// A fresh key from the operating system's random source.
    pub fn generate() -> Self {
        let mut seed = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut seed);
        let key = ed25519_dalek::SigningKey::from_bytes(&seed);
        Self {
            kid: format!("sb-{}", crate::password::random_token(16)),
            secret: URL_SAFE_NO_PAD.encode(seed),
            public: URL_SAFE_NO_PAD.encode(key.verifying_key().as_bytes()),
        }
    }

    fn dalek(&self) -> Option<ed25519_dalek::SigningKey> {
        let seed: [u8; 32] = URL_SAFE_NO_PAD.decode(&self.secret).ok()?.try_into().ok()?;
        Some(ed25519_dalek::SigningKey::from_bytes(&seed))
    }

    /// `header.payload.signature`, EdDSA over the claims, with `kid` in the header. `None` when
    /// the stored seed is unreadable (a damaged row), never a panic.
    pub fn sign(&self, claims: &Claims) -> Option<String> {
        use ed25519_dalek::Signer;
        let key = self.dalek()?;
        let header = serde_json::json!({"alg": "EdDSA", "typ": "JWT", "kid": self.kid});
        let input = signing_input(&header, claims);
        let signature = URL_SAFE_NO_PAD.encode(key.sign(input.as_bytes()).to_bytes());
        Some(format!("{input}.{signature}"))
    }

    /// The public half as a JWK (RFC 8037): what `/.well-known/jwks.json` lists.
    pub fn jwk(&self) -> Jwk {
        Jwk {
            kty: "OKP",
            crv: "Ed25519",
            alg: "EdDSA",
            usage: "sig",
            kid: self.kid.clone(),
            x: self.public.clone(),
        }
    }
}

/// A public key as JSON Web Key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Jwk {
    pub kty: &'static str,
    pub crv: &'static str,
    pub alg: &'static str,
    #[serde(rename = "use")]
    pub usage: &'static str,
    pub kid: String,
    pub x: String,
}

/// `{"keys": [...]}`, the body of `/.well-known/jwks.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JwkSet {
    pub keys: Vec<Jwk>,
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
    fn an_independent_jwt_library_verifies_an_eddsa_token_with_the_published_key_only() {
        let now = crate::time::now();
        let key = SigningKey::generate();
        let token = key.sign(&claims(now)).expect("a fresh key signs");
        let header = jsonwebtoken::decode_header(&token).unwrap();
        assert_eq!(header.alg, Algorithm::EdDSA);
        assert_eq!(header.kid.as_deref(), Some(key.kid.as_str()));
        let jwk = serde_json::to_value(key.jwk()).unwrap();
        let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_value(jwk).unwrap();
        let mut validation = validation("dashboard_app:5");
        validation.algorithms = vec![Algorithm::EdDSA];
        let decoded = decode::<Claims>(&token, &DecodingKey::from_jwk(&jwk).unwrap(), &validation)
            .expect("a valid token");
        assert_eq!(decoded.claims, claims(now));
        let other = SigningKey::generate().jwk();
        let other: jsonwebtoken::jwk::Jwk =
            serde_json::from_value(serde_json::to_value(other).unwrap()).unwrap();
        assert!(
            decode::<Claims>(&token, &DecodingKey::from_jwk(&other).unwrap(), &validation).is_err()
        );
        let damaged = SigningKey {
            secret: "not a seed".into(),
            ..key
        };
        assert_eq!(damaged.sign(&claims(now)), None);
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
