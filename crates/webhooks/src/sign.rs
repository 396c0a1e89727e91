//! HMAC-SHA256, the one signature scheme: delivery bodies (`X-Switchboard-Signature`) and the
//! Client API's `identifier_hash` (Chatwoot's `OpenSSL::HMAC.hexdigest('sha256', token, identifier)`).

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The header carrying a delivery's signature.
pub const SIGNATURE_HEADER: &str = "X-Switchboard-Signature";
/// The header carrying when the attempt was sent (epoch seconds).
pub const TIMESTAMP_HEADER: &str = "X-Switchboard-Timestamp";
/// The header naming the event (`message_created`, …).
pub const EVENT_HEADER: &str = "X-Switchboard-Event";
/// The header carrying the delivery's id: the same on every retry, so receivers can drop
/// duplicates.
pub const DELIVERY_HEADER: &str = "X-Switchboard-Delivery";

/// Lower-case hex of HMAC-SHA256(`key`, `message`).
pub fn hmac_sha256_hex(key: &[u8], message: &[u8]) -> String {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(message);
    hex::encode(mac.finalize().into_bytes())
}

/// `sha256=<hex>` of the raw body, as `X-Switchboard-Signature` carries it.
pub fn signature(secret: &str, body: &[u8]) -> String {
    format!("sha256={}", hmac_sha256_hex(secret.as_bytes(), body))
}

/// Whether `hex_digest` is HMAC-SHA256(`key`, `message`), compared in constant time.
pub fn verify_hex(key: &[u8], message: &[u8], hex_digest: &str) -> bool {
    let Ok(expected) = hex::decode(hex_digest.trim()) else {
        return false;
    };
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(message);
    mac.verify_slice(&expected).is_ok()
}

/// Whether a `sha256=<hex>` header value signs `body` with `secret` (what a receiver checks).
pub fn verify_signature(secret: &str, body: &[u8], header: &str) -> bool {
    header
        .strip_prefix("sha256=")
        .is_some_and(|hex_digest| verify_hex(secret.as_bytes(), body, hex_digest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_rfc_4231_test_vector() {
        // RFC 4231, test case 2.
        assert_eq!(
            hmac_sha256_hex(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn a_signature_verifies_only_its_body_and_secret() {
        let header = signature("whsec_a", b"{\"event\":\"x\"}");
        assert!(verify_signature("whsec_a", b"{\"event\":\"x\"}", &header));
        assert!(!verify_signature("whsec_b", b"{\"event\":\"x\"}", &header));
        assert!(!verify_signature("whsec_a", b"{\"event\":\"y\"}", &header));
        assert!(!verify_signature("whsec_a", b"{}", "sha256=zz"));
        assert!(!verify_signature("whsec_a", b"{}", "md5=00"));
    }
}
