//! The server's secret key, which seals dashboard apps' secret settings at rest: the operator's
//! `SWITCHBOARD_SECRET_KEY` (32 bytes, base64url), or, when none is configured (`cargo run`),
//! a key generated once and kept in the data directory as `secret.key`, readable by its owner
//! only (0600). Losing or changing the key makes stored secrets unreadable: the proxy then
//! answers a plain error naming the key, and administrators enter the secrets again.

use domain::sealed::SecretKey;
use std::io::Write;
use std::path::Path;

/// The key file's name in the data directory.
pub const FILE_NAME: &str = "secret.key";

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("SWITCHBOARD_SECRET_KEY: {0}")]
    Configured(domain::sealed::SealError),
    #[error("{path}: {error}")]
    File {
        path: String,
        error: domain::sealed::SealError,
    },
    #[error("{path}: {error}")]
    Io { path: String, error: std::io::Error },
}

/// The configured key, else the one kept in `dir` (made there on first use).
pub fn load(configured: Option<&str>, dir: &Path) -> Result<SecretKey, KeyError> {
    if let Some(text) = configured.filter(|text| !text.trim().is_empty()) {
        return SecretKey::decode(text).map_err(KeyError::Configured);
    }
    let path = dir.join(FILE_NAME);
    let shown = path.display().to_string();
    let io = |error| KeyError::Io {
        path: shown.clone(),
        error,
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => SecretKey::decode(&text).map_err(|error| KeyError::File {
            path: shown.clone(),
            error,
        }),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(dir).map_err(io)?;
            let key = SecretKey::generate();
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options.open(&path).map_err(io)?;
            file.write_all(format!("{}\n", key.encode()).as_bytes())
                .map_err(io)?;
            tracing::info!(path = %shown, "generated the secret key for app secrets");
            Ok(key)
        }
        Err(error) => Err(io(error)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_made_once_kept_private_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let first = load(None, dir.path()).unwrap();
        let again = load(None, dir.path()).unwrap();
        assert_eq!(first.encode(), again.encode());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(FILE_NAME))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let configured = SecretKey::generate().encode();
        let chosen = load(Some(&configured), dir.path()).unwrap();
        assert_eq!(chosen.encode(), configured);
        let err = load(Some("not-a-key"), dir.path()).unwrap_err();
        assert!(err.to_string().contains("SWITCHBOARD_SECRET_KEY"), "{err}");
        std::fs::write(dir.path().join(FILE_NAME), "garbage").unwrap();
        let err = load(None, dir.path()).unwrap_err();
        assert!(err.to_string().contains(FILE_NAME), "{err}");
    }
}
