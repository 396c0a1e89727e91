//! Secrets at rest: dashboard apps' secret settings are sealed with XChaCha20-Poly1305 (an AEAD
//! from RustCrypto's `chacha20poly1305`) under the server's secret key, which lives in the
//! operator's configuration, never in the database. Each sealed value is bound to what it is
//! (`context`: the app and the setting's key), so a value copied onto another row does not open.
//!
//! Loading the key (environment or a file in the data directory) is the server's job.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;

/// The prefix of every sealed value: the format's version, so a later one can be told apart.
const VERSION: &str = "v1.";
const NONCE_LEN: usize = 24;

/// The server's 32-byte secret key.
#[derive(Clone)]
pub struct SecretKey([u8; 32]);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(…)")
    }
}

/// Why a key or a sealed value is unusable. The texts are for operators' logs and answers; they
/// never carry key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error("the secret key must be 32 bytes, base64url-encoded (43 characters)")]
    BadKey,
    /// The value was sealed under another key (the server's key changed) or was altered.
    #[error("a stored secret cannot be opened with this server's secret key (SWITCHBOARD_SECRET_KEY changed, or the data was altered)")]
    WrongKey,
}

impl SecretKey {
    /// A new random key.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        Self(bytes)
    }

    /// Reads a key written by [`SecretKey::encode`] (surrounding whitespace ignored).
    pub fn decode(text: &str) -> Result<Self, SealError> {
        let bytes = URL_SAFE_NO_PAD
            .decode(text.trim())
            .map_err(|_| SealError::BadKey)?;
        let bytes: [u8; 32] = bytes.try_into().map_err(|_| SealError::BadKey)?;
        Ok(Self(bytes))
    }

    /// The key as base64url text, for a key file or `SWITCHBOARD_SECRET_KEY`.
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0)
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new((&self.0).into())
    }

    /// Seals `plaintext` for `context` (e.g. `dashboard_app:7:api_key`): `v1.` and base64url of
    /// a random nonce and the ciphertext.
    pub fn seal(&self, plaintext: &str, context: &str) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let sealed = self
            .cipher()
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: context.as_bytes(),
                },
            )
            .expect("XChaCha20-Poly1305 seals any message shorter than 256 GiB");
        let mut bytes = nonce.to_vec();
        bytes.extend(sealed);
        format!("{VERSION}{}", URL_SAFE_NO_PAD.encode(bytes))
    }

    /// Opens a value [`SecretKey::seal`] made for the same `context`.
    pub fn open(&self, sealed: &str, context: &str) -> Result<String, SealError> {
        let bytes = sealed
            .strip_prefix(VERSION)
            .and_then(|text| URL_SAFE_NO_PAD.decode(text).ok())
            .filter(|bytes| bytes.len() > NONCE_LEN)
            .ok_or(SealError::WrongKey)?;
        let (nonce, ciphertext) = bytes.split_at(NONCE_LEN);
        let plaintext = self
            .cipher()
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| SealError::WrongKey)?;
        String::from_utf8(plaintext).map_err(|_| SealError::WrongKey)
    }
}

/// What a secret setting of an app is sealed for.
pub fn setting_context(app: crate::DashboardAppId, key: &str) -> String {
    format!("dashboard_app:{app}:{key}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_value_opens_with_its_key_and_context_only() {
        let key = SecretKey::generate();
        let sealed = key.seal("s3cret", "dashboard_app:1:api_key");
        assert!(!sealed.contains("s3cret"));
        assert_ne!(
            sealed,
            key.seal("s3cret", "dashboard_app:1:api_key"),
            "nonces differ"
        );
        assert_eq!(
            key.open(&sealed, "dashboard_app:1:api_key").unwrap(),
            "s3cret"
        );
        assert_eq!(
            key.open(&sealed, "dashboard_app:2:api_key"),
            Err(SealError::WrongKey)
        );
        assert_eq!(
            SecretKey::generate().open(&sealed, "dashboard_app:1:api_key"),
            Err(SealError::WrongKey)
        );
        assert_eq!(key.open("garbage", "x"), Err(SealError::WrongKey));
        assert_eq!(key.open("v1.AAAA", "x"), Err(SealError::WrongKey));
    }

    #[test]
    fn keys_round_trip_as_text_and_bad_text_is_refused() {
        let key = SecretKey::generate();
        let again = SecretKey::decode(&format!(" {}\n", key.encode())).unwrap();
        let sealed = key.seal("x", "c");
        assert_eq!(again.open(&sealed, "c").unwrap(), "x");
        assert_eq!(SecretKey::decode("short").unwrap_err(), SealError::BadKey);
        assert!(format!("{key:?}").contains('…'));
    }
}
