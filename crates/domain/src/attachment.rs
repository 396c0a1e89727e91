//! Files attached to messages: what an upload may be (types, sizes, counts), what kind of file
//! Chatwoot calls it (`file_type`), and the signed, expiring links the thread, apps and
//! webhooks use to read one. Bytes are stored by `files`; rows by `store`.

use crate::{AccountId, AttachmentId, DomainError, MessageId};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// A stored attachment, with links signed for whoever reads this copy.
#[derive(Debug, Clone, PartialEq)]
pub struct Attachment {
    pub id: AttachmentId,
    pub account_id: AccountId,
    pub message_id: MessageId,
    pub file_type: FileType,
    pub content_type: String,
    pub filename: String,
    pub extension: Option<String>,
    pub file_size: i64,
    pub width: Option<i64>,
    pub height: Option<i64>,
    /// The signed link to the file (`Attachment#file_url`).
    pub data_url: String,
    /// The signed link to its thumbnail; empty when there is none, as in Chatwoot.
    pub thumb_url: String,
}

/// Chatwoot's `Attachment#file_type` for an uploaded file (`file_type_by_content_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileType {
    Image,
    Audio,
    Video,
    File,
}

impl FileType {
    pub fn of(content_type: &str) -> FileType {
        match content_type.split('/').next().unwrap_or_default() {
            "image" => FileType::Image,
            "audio" => FileType::Audio,
            "video" => FileType::Video,
            _ => FileType::File,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FileType::Image => "image",
            FileType::Audio => "audio",
            FileType::Video => "video",
            FileType::File => "file",
        }
    }

    pub fn parse(text: &str) -> FileType {
        Self::of(&format!("{text}/"))
    }
}

/// What one message may carry. Chatwoot limits a file to 40 MB
/// (`Limits::MAXIMUM_FILE_UPLOAD_SIZE`); counts and totals keep one request bounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadLimits {
    pub max_file_bytes: u64,
    pub max_files: usize,
    pub max_total_bytes: u64,
}

impl Default for UploadLimits {
    fn default() -> Self {
        Self {
            max_file_bytes: 40 * 1024 * 1024,
            max_files: 15,
            max_total_bytes: 100 * 1024 * 1024,
        }
    }
}

/// Content types an upload may have: Chatwoot's `ALLOWED_FILE_TYPES` (pictures, audio, video,
/// PDFs, text and office documents, archives). Anything else is a 422.
const ALLOWED: &[&str] = &[
    "image/",
    "audio/",
    "video/",
    "text/plain",
    "text/csv",
    "text/rtf",
    "text/html",
    "application/json",
    "application/pdf",
    "application/zip",
    "application/x-7z-compressed",
    "application/vnd.rar",
    "application/x-rar-compressed",
    "application/x-tar",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.openxmlformats-officedocument.",
];

impl UploadLimits {
    /// 413 unless a file of `size` bytes fits beside `total` bytes already received.
    pub fn check_size(&self, size: u64, total: u64) -> Result<(), UploadRefused> {
        if size > self.max_file_bytes {
            return Err(UploadRefused::TooLarge(format!(
                "Attachments must each be at most {}",
                human_size(self.max_file_bytes)
            )));
        }
        if total > self.max_total_bytes {
            return Err(UploadRefused::TooLarge(format!(
                "Attachments of one message must be at most {} in total",
                human_size(self.max_total_bytes)
            )));
        }
        Ok(())
    }

    /// 422 unless one more file (the `count`th) fits.
    pub fn check_count(&self, count: usize) -> Result<(), UploadRefused> {
        if count > self.max_files {
            return Err(UploadRefused::Invalid(DomainError::invalid(
                "attachments",
                format!("A message can have at most {} attachments", self.max_files),
            )));
        }
        Ok(())
    }
}

/// Why an upload is refused: 413 (too large) or 422; both name `attachments`.
#[derive(Debug, Clone, PartialEq)]
pub enum UploadRefused {
    TooLarge(String),
    Invalid(DomainError),
}

/// The content type an upload is stored and served with: the part's own unless missing or
/// generic, then one guessed from the file name; refused unless allowed.
pub fn content_type(declared: Option<&str>, filename: &str) -> Result<String, DomainError> {
    let declared = declared
        .map(|t| {
            t.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        })
        .filter(|t| !t.is_empty() && t != "application/octet-stream");
    let content_type = declared.unwrap_or_else(|| guess(filename).to_owned());
    if ALLOWED
        .iter()
        .any(|allowed| match allowed.strip_suffix('/') {
            Some(_) => content_type.starts_with(allowed),
            None if allowed.ends_with('.') => content_type.starts_with(allowed),
            None => content_type == *allowed,
        })
    {
        Ok(content_type)
    } else {
        Err(DomainError::invalid(
            "attachments",
            format!("Attachments of type {content_type} are not allowed"),
        ))
    }
}

fn guess(filename: &str) -> &'static str {
    match extension(filename).as_deref() {
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("svg") => "image/svg+xml",
        Some("pdf") => "application/pdf",
        Some("txt") => "text/plain",
        Some("csv") => "text/csv",
        Some("html" | "htm") => "text/html",
        Some("json") => "application/json",
        Some("zip") => "application/zip",
        Some("mp3") => "audio/mpeg",
        Some("mp4") => "video/mp4",
        _ => "application/octet-stream",
    }
}

/// The file name's extension, lowercased (`None` without one).
pub fn extension(filename: &str) -> Option<String> {
    let (stem, ext) = filename.rsplit_once('.')?;
    (!stem.is_empty()
        && !ext.is_empty()
        && ext.len() <= 10
        && ext.chars().all(|c| c.is_ascii_alphanumeric()))
    .then(|| ext.to_ascii_lowercase())
}

/// A file name safe to keep and to put in a URL path and a header: the last path segment,
/// control characters and quotes removed, at most 200 characters; `file` when nothing is left.
pub fn clean_filename(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '\'' | ';' | '%'))
        .take(200)
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_owned();
    if cleaned.is_empty() {
        "file".to_owned()
    } else {
        cleaned
    }
}

/// "40 MB", "512 KB", "10 bytes".
pub fn human_size(bytes: u64) -> String {
    const MB: u64 = 1024 * 1024;
    if bytes >= MB && bytes.is_multiple_of(MB) {
        format!("{} MB", bytes / MB)
    } else if bytes >= MB {
        format!("{:.1} MB", bytes as f64 / MB as f64)
    } else if bytes >= 1024 {
        format!("{} KB", bytes / 1024)
    } else {
        format!("{bytes} bytes")
    }
}

/// Which of an attachment's files a link reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    Original,
    Thumb,
}

impl Variant {
    pub fn as_str(self) -> &'static str {
        match self {
            Variant::Original => "original",
            Variant::Thumb => "thumb",
        }
    }

    pub fn parse(text: &str) -> Option<Variant> {
        match text {
            "original" => Some(Variant::Original),
            "thumb" => Some(Variant::Thumb),
            _ => None,
        }
    }
}

/// How long a link stays valid: a day from the start of the hour it was made in, so links
/// rendered within one hour are identical (cacheable) and none lives past 25 hours.
pub const LINK_LIFETIME: i64 = 24 * 3600;

/// Signs and checks attachment links with the server's key (HMAC-SHA256): only the server can
/// make one, and each ends at its `expires`.
#[derive(Clone)]
pub struct LinkSigner {
    key: Vec<u8>,
    /// The public URL the links start with, without a trailing slash (empty: origin-relative).
    base: String,
}

impl std::fmt::Debug for LinkSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinkSigner")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

impl LinkSigner {
    pub fn new(key: &[u8], base: &str) -> Self {
        Self {
            key: key.to_vec(),
            base: base.trim_end_matches('/').to_owned(),
        }
    }

    fn signature(&self, id: AttachmentId, variant: Variant, expires: i64) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(format!("{}:{}:{expires}", id.get(), variant.as_str()).as_bytes());
        let bytes = mac.finalize().into_bytes();
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// `/rails/active_storage/blobs/{id}/{variant}/{filename}?expires=…&signature=…` on our
    /// origin, valid until the hour after `now` plus [`LINK_LIFETIME`].
    pub fn link(&self, id: AttachmentId, variant: Variant, filename: &str, now: i64) -> String {
        let expires = (now / 3600 + 1) * 3600 + LINK_LIFETIME;
        let name =
            percent_encoding::utf8_percent_encode(filename, percent_encoding::NON_ALPHANUMERIC);
        format!(
            "{}/rails/active_storage/blobs/{}/{}/{name}?expires={expires}&signature={}",
            self.base,
            id.get(),
            variant.as_str(),
            self.signature(id, variant, expires)
        )
    }

    /// Whether `signature` is ours for this file and `expires` has not passed.
    pub fn verify(
        &self,
        id: AttachmentId,
        variant: Variant,
        expires: i64,
        signature: &str,
        now: i64,
    ) -> bool {
        if expires < now {
            return false;
        }
        let expected = self.signature(id, variant, expires);
        // Constant time: compare every byte whatever the first difference.
        expected.len() == signature.len()
            && expected
                .bytes()
                .zip(signature.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_verify_until_they_expire_and_only_for_their_file() {
        let signer = LinkSigner::new(b"k", "https://desk.example/");
        let link = signer.link(AttachmentId(7), Variant::Thumb, "a b.png", 1_000_000);
        assert!(link.starts_with(
            "https://desk.example/rails/active_storage/blobs/7/thumb/a%20b%2Epng?expires="
        ));
        let query = link.split_once('?').unwrap().1;
        let expires: i64 = query.split('&').next().unwrap()[8..].parse().unwrap();
        let signature = query.split_once("signature=").unwrap().1;
        assert!(signer.verify(
            AttachmentId(7),
            Variant::Thumb,
            expires,
            signature,
            1_000_000
        ));
        assert!(!signer.verify(
            AttachmentId(7),
            Variant::Thumb,
            expires,
            signature,
            expires + 1
        ));
        assert!(!signer.verify(
            AttachmentId(8),
            Variant::Thumb,
            expires,
            signature,
            1_000_000
        ));
        assert!(!signer.verify(
            AttachmentId(7),
            Variant::Original,
            expires,
            signature,
            1_000_000
        ));
        assert!(!signer.verify(
            AttachmentId(7),
            Variant::Thumb,
            expires + 3600,
            signature,
            1_000_000
        ));
        assert!(!LinkSigner::new(b"other", "").verify(
            AttachmentId(7),
            Variant::Thumb,
            expires,
            signature,
            1_000_000
        ));
    }

    #[test]
    fn content_types_are_taken_guessed_or_refused() {
        assert_eq!(content_type(Some("image/PNG"), "x").unwrap(), "image/png");
        assert_eq!(content_type(None, "r.pdf").unwrap(), "application/pdf");
        assert_eq!(
            content_type(Some("application/octet-stream"), "a.svg").unwrap(),
            "image/svg+xml"
        );
        let refused = content_type(Some("application/x-msdownload"), "a.exe").unwrap_err();
        assert_eq!(refused.attributes, vec!["attachments"]);
        assert!(content_type(None, "a.exe").is_err());
    }

    #[test]
    fn limits_name_the_limit() {
        let limits = UploadLimits::default();
        assert!(limits.check_size(40 * 1024 * 1024, 0).is_ok());
        match limits.check_size(40 * 1024 * 1024 + 1, 0) {
            Err(UploadRefused::TooLarge(message)) => {
                assert!(message.contains("40 MB"), "{message}")
            }
            other => panic!("{other:?}"),
        }
        assert!(limits.check_count(15).is_ok());
        assert!(limits.check_count(16).is_err());
    }

    #[test]
    fn file_names_are_cleaned() {
        assert_eq!(clean_filename("../../etc/passwd"), "passwd");
        assert_eq!(clean_filename("C:\\a\\b \"x\".png"), "b x.png");
        assert_eq!(clean_filename(""), "file");
        assert_eq!(extension("photo.JPG").as_deref(), Some("jpg"));
        assert_eq!(extension(".bashrc"), None);
    }
}
