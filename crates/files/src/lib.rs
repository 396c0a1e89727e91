//! Where uploaded files live: one [`Files`] handle over `object_store`'s `ObjectStore` trait,
//! a directory under the data directory by default or any S3-compatible store configured by
//! URL. Bytes are streamed in both directions, never held whole. Pictures (dimensions and
//! thumbnails) are `picture`'s job; which rows own which files is the store's.
#![forbid(unsafe_code)]

pub mod picture;

use bytes::Bytes;
use futures_util::stream::{BoxStream, StreamExt, TryStreamExt};
use object_store::aws::AmazonS3Builder;
use object_store::buffered::BufWriter;
use object_store::local::LocalFileSystem;
use object_store::path::Path as Key;
use object_store::ObjectStore;
use std::sync::Arc;
use tokio::io::AsyncWriteExt;

/// Where every attachment key starts, so a sweep lists only ours.
pub const PREFIX: &str = "attachments";
/// What a streamed upload buffers before it becomes a multipart upload (S3's smallest part).
const PART: usize = 5 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum FilesError {
    #[error(
        "SWITCHBOARD_FILES_URL must be file:///path or s3://bucket[?endpoint=…&region=…]: {0}"
    )]
    BadUrl(String),
    #[error("file not found")]
    NotFound,
    #[error("file storage: {0}")]
    Storage(#[from] object_store::Error),
    #[error("file storage: {0}")]
    Io(#[from] std::io::Error),
}

/// The file storage every instance shares; cheap to clone.
#[derive(Clone)]
pub struct Files {
    store: Arc<dyn ObjectStore>,
    /// `local:/path` or `s3://bucket@endpoint`, for logs (never credentials).
    description: String,
    /// The folder of [`Files::scratch`], removed with the last clone.
    scratch: Option<Arc<tempfile::TempDir>>,
}

impl std::fmt::Debug for Files {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.description)
    }
}

/// A stored file read back: its size and its bytes as they arrive.
pub struct Download {
    pub size: u64,
    pub body: BoxStream<'static, Result<Bytes, FilesError>>,
}

impl Files {
    /// Files in `dir` (created when missing): what `cargo run` uses, under the data directory.
    pub fn local(dir: &std::path::Path) -> Result<Files, FilesError> {
        std::fs::create_dir_all(dir)?;
        let store = LocalFileSystem::new_with_prefix(dir)?.with_automatic_cleanup(true);
        Ok(Files {
            store: Arc::new(store),
            description: format!("local:{}", dir.display()),
            scratch: None,
        })
    }

    /// Files in a fresh temporary folder of their own, removed when the last clone is
    /// dropped: for tests and tools that store nothing worth keeping.
    pub fn scratch() -> Result<Files, FilesError> {
        let dir = tempfile::Builder::new()
            .prefix("switchboard-files-")
            .tempdir()?;
        let mut files = Self::local(dir.path())?;
        files.scratch = Some(Arc::new(dir));
        Ok(files)
    }

    /// Files at `url`: `file:///absolute/dir`, or `s3://bucket` with optional `endpoint`
    /// (an S3-compatible server such as MinIO), `region` and `allow_http` query parameters.
    /// S3 credentials come from the usual `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY`.
    pub fn from_url(url: &str) -> Result<Files, FilesError> {
        let bad = || FilesError::BadUrl(url.to_owned());
        let parsed = url::Url::parse(url).map_err(|_| bad())?;
        match parsed.scheme() {
            "file" => {
                let dir = parsed.to_file_path().map_err(|_| bad())?;
                Self::local(&dir)
            }
            "s3" => {
                let bucket = parsed
                    .host_str()
                    .filter(|b| !b.is_empty())
                    .ok_or_else(bad)?;
                let mut builder = AmazonS3Builder::from_env().with_bucket_name(bucket);
                let mut endpoint = None;
                for (name, value) in parsed.query_pairs() {
                    builder = match name.as_ref() {
                        "endpoint" => {
                            endpoint = Some(value.to_string());
                            builder
                                .with_endpoint(value.as_ref())
                                .with_allow_http(value.starts_with("http://"))
                        }
                        "region" => builder.with_region(value.as_ref()),
                        "allow_http" => builder.with_allow_http(value == "true"),
                        _ => return Err(bad()),
                    };
                }
                let store = builder.build()?;
                Ok(Files {
                    store: Arc::new(store),
                    description: match endpoint {
                        Some(endpoint) => format!("s3://{bucket}@{endpoint}"),
                        None => format!("s3://{bucket}"),
                    },
                    scratch: None,
                })
            }
            _ => Err(bad()),
        }
    }

    /// A fresh key no one can guess, for a new file.
    pub fn new_key() -> String {
        format!("{PREFIX}/{}", random_name())
    }

    /// Copies the file at `source` to `key`, streaming in parts.
    pub async fn put_file(&self, key: &str, source: &std::path::Path) -> Result<(), FilesError> {
        let mut file = tokio::fs::File::open(source).await?;
        let mut writer = BufWriter::with_capacity(Arc::clone(&self.store), Key::from(key), PART);
        match tokio::io::copy(&mut file, &mut writer).await {
            Ok(_) => writer.shutdown().await.map_err(FilesError::from),
            Err(error) => {
                let _ = writer.abort().await;
                Err(error.into())
            }
        }
    }

    /// Stores `bytes` (a thumbnail: small by construction) at `key`.
    pub async fn put_bytes(&self, key: &str, bytes: Vec<u8>) -> Result<(), FilesError> {
        self.store.put(&Key::from(key), bytes.into()).await?;
        Ok(())
    }

    /// The file at `key`, streamed.
    pub async fn get(&self, key: &str) -> Result<Download, FilesError> {
        let result = self.store.get(&Key::from(key)).await.map_err(not_found)?;
        let size = result.meta.size;
        let body = result.into_stream().map_err(FilesError::from).boxed();
        Ok(Download { size, body })
    }

    /// Removes `key`; a file already gone is no error.
    pub async fn delete(&self, key: &str) -> Result<(), FilesError> {
        match self.store.delete(&Key::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(error) => Err(error.into()),
        }
    }

    /// Removes every key, logging (not returning) failures: cleanup after a failed or deleted
    /// write, whose leftovers the sweep will find again.
    pub async fn delete_all<I: IntoIterator<Item = String>>(&self, keys: I) {
        for key in keys {
            if let Err(error) = self.delete(&key).await {
                tracing::warn!(%key, %error, "could not remove a file; the sweep will retry");
            }
        }
    }

    /// Every stored attachment key with its last change (epoch seconds), for the sweep.
    pub async fn list(&self) -> Result<Vec<(String, i64)>, FilesError> {
        let prefix = Key::from(PREFIX);
        let mut listed = self.store.list(Some(&prefix));
        let mut keys = Vec::new();
        while let Some(meta) = listed.next().await {
            match meta {
                Ok(meta) => keys.push((meta.location.to_string(), meta.last_modified.timestamp())),
                Err(object_store::Error::NotFound { .. }) => break,
                Err(error) => return Err(error.into()),
            }
        }
        Ok(keys)
    }
}

fn not_found(error: object_store::Error) -> FilesError {
    match error {
        object_store::Error::NotFound { .. } => FilesError::NotFound,
        error => error.into(),
    }
}

/// 32 random lowercase letters and digits (about 165 bits).
fn random_name() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::thread_rng();
    (0..32)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn read_all(files: &Files, key: &str) -> Vec<u8> {
        let download = files.get(key).await.unwrap();
        let chunks: Vec<Bytes> = download.body.try_collect().await.unwrap();
        chunks.concat()
    }

    #[tokio::test]
    async fn a_local_file_round_trips_lists_and_deletes() {
        let dir = std::env::temp_dir().join(format!("files-test-{}", random_name()));
        let files = Files::from_url(&format!("file://{}", dir.display())).unwrap();
        let source = dir.join("source.bin");
        let content: Vec<u8> = (0..3 * 1024 * 1024).map(|i| (i % 251) as u8).collect();
        std::fs::write(&source, &content).unwrap();
        let key = Files::new_key();
        files.put_file(&key, &source).await.unwrap();
        assert_eq!(files.get(&key).await.unwrap().size, content.len() as u64);
        assert_eq!(read_all(&files, &key).await, content);
        let listed = files.list().await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].0, key);
        files.delete(&key).await.unwrap();
        files.delete(&key).await.unwrap();
        assert!(matches!(files.get(&key).await, Err(FilesError::NotFound)));
        assert!(files.list().await.unwrap().is_empty());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[tokio::test]
    async fn a_scratch_folder_goes_with_the_last_clone() {
        let files = Files::scratch().unwrap();
        let dir = files.scratch.as_ref().unwrap().path().to_path_buf();
        let source = dir.join("source.bin");
        std::fs::write(&source, b"kept while in use").unwrap();
        let key = Files::new_key();
        files.put_file(&key, &source).await.unwrap();
        let clone = files.clone();
        drop(files);
        assert_eq!(read_all(&clone, &key).await, b"kept while in use");
        drop(clone);
        assert!(!dir.exists(), "{} is left behind", dir.display());
    }

    #[test]
    fn a_bad_url_is_refused() {
        for url in ["ftp://x", "s3://", "s3://bucket?nope=1", "not a url"] {
            assert!(
                matches!(Files::from_url(url), Err(FilesError::BadUrl(_))),
                "{url}"
            );
        }
    }
}
