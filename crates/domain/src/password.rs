//! Password hashing with argon2id (the argon2 crate's default), and the random secrets we mint.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use rand::distributions::Alphanumeric;
use rand::Rng;

/// A PHC string (`$argon2id$v=19$...`) for `password`.
pub fn hash(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with default parameters accepts any password")
        .to_string()
}

/// Whether `password` matches the stored PHC string; a malformed hash never matches.
pub fn verify(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// The fewest characters a password may have.
pub const MIN_LENGTH: usize = 8;

/// Refuses a password that is short (under [`MIN_LENGTH`] characters) or easy to guess:
/// zxcvbn (Dropbox's estimator, with its lists of common passwords, names and words, and
/// keyboard, repeat and date patterns) scoring it under 2, i.e. found within 10^6 guesses.
/// `user_inputs` (the user's name and e-mail) count as known words: `janedoe1` is weak for
/// janedoe@acme.test. The error names `password`, as Chatwoot's validation does.
pub fn require_strong(password: &str, user_inputs: &[&str]) -> Result<(), crate::DomainError> {
    if password.chars().count() < MIN_LENGTH {
        return Err(crate::DomainError::invalid(
            "password",
            "Password is too short (minimum is 8 characters)",
        ));
    }
    let inputs: Vec<&str> = user_inputs
        .iter()
        .flat_map(|input| input.split(|c: char| !c.is_alphanumeric()))
        .filter(|word| word.len() > 2)
        .chain(user_inputs.iter().copied())
        .chain(
            user_inputs
                .iter()
                .filter_map(|input| input.split_once('@').map(|(local, _)| local)),
        )
        .collect();
    if u8::from(zxcvbn::zxcvbn(password, &inputs).score()) < 2 {
        return Err(crate::DomainError::invalid(
            "password",
            "Password is too common or too easy to guess",
        ));
    }
    Ok(())
}

/// A random alphanumeric secret (access tokens, session ids, inbox identifiers).
pub fn random_token(length: usize) -> String {
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(length)
        .map(char::from)
        .collect()
}

/// The hex SHA-256 of a high-entropy secret (an API token, a session id): what the database
/// keeps instead of the secret. Unsalted and fast on purpose: the secret is random (an
/// argon2 hash is for low-entropy passwords), and a lookup must find it by digest.
pub fn digest(secret: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_digest_is_the_hex_sha256_of_the_secret() {
        assert_eq!(
            digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_ne!(digest("abd"), digest("abc"));
    }

    #[test]
    fn short_and_common_passwords_are_refused_naming_password() {
        for weak in [
            "short",
            "1234567",
            "password",
            "password1",
            "12345678",
            "qwertyuiop",
            "iloveyou2",
            "letmein123",
            "aaaaaaaaaaaa",
        ] {
            let err = require_strong(weak, &[]).expect_err(weak);
            assert!(format!("{err:?}").contains("password"), "{weak}: {err:?}");
        }
        // The user's own name and e-mail are known words.
        let jane = ["Jane Doe", "janedoe@acme.test"];
        assert!(require_strong("janedoe1", &jane).is_err());
        assert!(require_strong("jane.doe1", &["Jane", "jane.doe@acme.test"]).is_err());
        for strong in [
            "correct-horse-battery",
            "a-long-password",
            "fault-test-password-1",
            "bench-admin-password",
            "contract-test-password",
            &random_token(16),
        ] {
            assert!(require_strong(strong, &jane).is_ok(), "{strong}");
        }
    }

    #[test]
    fn a_hash_verifies_only_its_own_password() {
        let phc = hash("correct horse");
        assert!(phc.starts_with("$argon2id$"));
        assert!(verify("correct horse", &phc));
        assert!(!verify("wrong horse", &phc));
        assert!(!verify("correct horse", "not a hash"));
    }
}
