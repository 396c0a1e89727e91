//! Attachments between the request and the file store: received uploads become stored files
//! (with dimensions and a thumbnail for pictures, made on a blocking thread under a time
//! limit), files whose message did not commit are removed, signed links are served, and a
//! sweep removes files no row names (left by a crash between the two writes).

use crate::error::ApiError;
use crate::extract::Upload;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use domain::attachment::Variant;
use domain::message::NewAttachment;
use domain::{AttachmentId, FileType};
use files::picture::{self, PictureError};
use files::Files;
use futures_util::TryStreamExt;
use serde::Deserialize;
use std::time::Duration;
use store::Store;

/// The longest a picture's decode and thumbnail may take before the file is kept without one.
pub const PICTURE_TIME: Duration = Duration::from_secs(10);
/// How old an unnamed file must be before the sweep removes it: longer than any upload takes
/// between its file write and its commit.
pub const SWEEP_GRACE: i64 = 3600;
/// How often the sweep runs.
pub const SWEEP_EVERY: Duration = Duration::from_secs(3600);
/// What every served file answers with: nothing in it runs, loads or frames anything, even
/// opened directly (an uploaded HTML or SVG stays inert on our origin).
pub const FILE_CSP: &str = "sandbox; default-src 'none'; img-src 'self'; media-src 'self'; \
                            style-src 'unsafe-inline'";

/// Stores each upload, with its picture's size and thumbnail when it is one we decode. A picture
/// past the pixel limits is refused (422), and whatever was stored for the request is removed.
pub async fn keep(files: &Files, uploads: Vec<Upload>) -> Result<Kept, ApiError> {
    let mut kept = Kept::new(files.clone());
    match store_each(files, uploads, &mut kept).await {
        Ok(()) => Ok(kept),
        Err(error) => kept.settle(Err(error)).await,
    }
}

async fn store_each(files: &Files, uploads: Vec<Upload>, kept: &mut Kept) -> Result<(), ApiError> {
    for upload in uploads {
        let file_type = FileType::of(&upload.content_type);
        let picture = if file_type == FileType::Image {
            inspect(&upload).await?
        } else {
            None
        };
        let storage_key = Files::new_key();
        kept.keys.push(storage_key.clone());
        files
            .put_file(&storage_key, &upload.path)
            .await
            .map_err(|e| ApiError::Internal(format!("storing an upload: {e}")))?;
        let mut attachment = NewAttachment {
            file_type,
            content_type: upload.content_type,
            filename: upload.filename,
            file_size: upload.size as i64,
            width: None,
            height: None,
            storage_key,
            thumb_key: None,
        };
        if let Some(picture) = picture {
            let thumb_key = Files::new_key();
            kept.keys.push(thumb_key.clone());
            files
                .put_bytes(&thumb_key, picture.thumbnail)
                .await
                .map_err(|e| ApiError::Internal(format!("storing a thumbnail: {e}")))?;
            attachment.width = Some(i64::from(picture.width));
            attachment.height = Some(i64::from(picture.height));
            attachment.thumb_key = Some(thumb_key);
        }
        kept.attachments.push(attachment);
    }
    Ok(())
}

async fn inspect(upload: &Upload) -> Result<Option<picture::Picture>, ApiError> {
    let path = upload.path.to_path_buf();
    let work = tokio::task::spawn_blocking(move || picture::inspect(&path));
    match tokio::time::timeout(PICTURE_TIME, work).await {
        Ok(Ok(Ok(picture))) => Ok(Some(picture)),
        Ok(Ok(Err(PictureError::TooLarge))) => Err(domain::DomainError::invalid(
            "attachments",
            format!(
                "Images can be at most {}×{} pixels",
                picture::MAX_SIDE,
                picture::MAX_SIDE
            ),
        )
        .into()),
        Ok(Ok(Err(PictureError::Undecodable))) => Ok(None),
        Ok(Err(join)) => {
            tracing::warn!(%join, "a picture's decode failed; kept without a thumbnail");
            Ok(None)
        }
        Err(_) => {
            tracing::warn!("a picture took too long to decode; kept without a thumbnail");
            Ok(None)
        }
    }
}

/// Files stored for a message that is not written yet. Dropped before [`Kept::settle`] (an
/// error, a refused message, a cancelled request), it removes them.
pub struct Kept {
    files: Files,
    keys: Vec<String>,
    attachments: Vec<NewAttachment>,
}

impl Kept {
    fn new(files: Files) -> Self {
        Self {
            files,
            keys: Vec::new(),
            attachments: Vec::new(),
        }
    }

    /// The rows to record with the message.
    pub fn attachments(&self) -> Vec<NewAttachment> {
        self.attachments.clone()
    }

    /// Keeps the files when the message was written, removes them (before answering) when it
    /// was not.
    pub async fn settle<T>(mut self, written: Result<T, ApiError>) -> Result<T, ApiError> {
        let keys = std::mem::take(&mut self.keys);
        if written.is_err() {
            self.files.delete_all(keys).await;
        }
        written
    }
}

impl Drop for Kept {
    fn drop(&mut self) {
        if self.keys.is_empty() {
            return;
        }
        let keys = std::mem::take(&mut self.keys);
        let files = self.files.clone();
        tokio::spawn(async move { files.delete_all(keys).await });
    }
}

/// Removes stored files that no attachment names and that are older than `grace` seconds;
/// returns how many went.
pub async fn sweep(store: &Store, files: &Files, grace: i64) -> Result<usize, ApiError> {
    let cutoff = domain::time::now() - grace;
    let listed = files
        .list()
        .await
        .map_err(|e| ApiError::Internal(format!("listing files: {e}")))?;
    let mut removed = 0;
    for (key, modified) in listed {
        if modified > cutoff || store.attachments().is_known(&key).await? {
            continue;
        }
        files
            .delete(&key)
            .await
            .map_err(|e| ApiError::Internal(format!("removing an orphan: {e}")))?;
        removed += 1;
    }
    Ok(removed)
}

/// Runs [`sweep`] every `every` until the task is aborted.
pub fn spawn_sweep(store: Store, files: Files, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            match sweep(&store, &files, SWEEP_GRACE).await {
                Ok(0) => {}
                Ok(removed) => tracing::info!(removed, "removed orphaned files"),
                Err(error) => tracing::warn!(?error, "the file sweep failed"),
            }
        }
    })
}

#[derive(Debug, Deserialize)]
pub struct LinkQuery {
    expires: Option<String>,
    signature: Option<String>,
}

/// `GET /rails/active_storage/blobs/{id}/{variant}/{filename}?expires=…&signature=…`: a file
/// through its signed link, without a session (it works in `<img>` and from an app's
/// backend). Any bad, expired or foreign link is the same 404.
pub async fn show(
    State(state): State<AppState>,
    Path((id, variant, _filename)): Path<(String, String, String)>,
    Query(query): Query<LinkQuery>,
) -> Result<Response, ApiError> {
    let id = AttachmentId(id.parse().map_err(|_| ApiError::NotFound)?);
    let variant = Variant::parse(&variant).ok_or(ApiError::NotFound)?;
    let expires: i64 = query
        .expires
        .as_deref()
        .and_then(|e| e.parse().ok())
        .ok_or(ApiError::NotFound)?;
    let signature = query.signature.unwrap_or_default();
    let signer = state.store.attachments().signer().await?;
    if !signer.verify(id, variant, expires, &signature, domain::time::now()) {
        return Err(ApiError::NotFound);
    }
    let file = state.store.attachments().file(id).await?;
    let thumbnailed = file.thumb_key.is_some();
    let (key, content_type) = match variant {
        Variant::Original => (file.storage_key, file.content_type),
        Variant::Thumb => (
            file.thumb_key.ok_or(ApiError::NotFound)?,
            "image/png".to_owned(),
        ),
    };
    let download = state.files.get(&key).await.map_err(|e| match e {
        files::FilesError::NotFound => ApiError::NotFound,
        e => ApiError::Internal(format!("reading a file: {e}")),
    })?;
    let disposition = if thumbnailed {
        "inline".to_owned()
    } else {
        content_disposition(&file.filename)
    };
    let mut response =
        Body::from_stream(download.body.map_err(std::io::Error::other)).into_response();
    let headers = response.headers_mut();
    let value = |text: &str| {
        HeaderValue::from_str(text)
            .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"))
    };
    headers.insert(header::CONTENT_TYPE, value(&content_type));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(download.size));
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&disposition)
            .unwrap_or_else(|_| HeaderValue::from_static("attachment")),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(FILE_CSP),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=3600"),
    );
    *response.status_mut() = StatusCode::OK;
    Ok(response)
}

/// `attachment` with the name in both forms (RFC 6266): an ASCII fallback and the UTF-8 one.
fn content_disposition(filename: &str) -> String {
    let ascii: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .filter(|c| !matches!(c, '"' | '\\'))
        .collect();
    let encoded =
        percent_encoding::utf8_percent_encode(filename, percent_encoding::NON_ALPHANUMERIC);
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}
