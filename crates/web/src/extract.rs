//! Request extractors that read a body as Rails reads it and reject in the API's own JSON:
//! JSON, `application/x-www-form-urlencoded` and `multipart/form-data`, with Rails' bracket
//! notation (`form`), and numeric and boolean strings cast where the field is a number or a
//! boolean (`lenient`). `JsonBody<T>` names the field a bad value sits in; `Wrapped<T>` also
//! accepts Chatwoot's `{"<resource>": {...}}` (or `resource[field]=…`) beside the bare object.

pub mod form;
mod lenient;

use crate::error::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use domain::attachment::UploadLimits;
use domain::DomainError;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// A body of any kind Rails reads (the name is historical); an empty body reads as `{}`.
pub struct JsonBody<T>(pub T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let value = read_params(request, state).await?;
        decode(value, None).map(JsonBody)
    }
}

/// A body sent either bare or wrapped in the resource's key (`{"dashboard_app": {...}}`).
pub struct Wrapped<T>(pub T);

/// Names the key a resource's body may be wrapped in.
pub trait Resource {
    const KEY: &'static str;
}

impl<S, T> FromRequest<S> for Wrapped<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Resource,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let value = read_params(request, state).await?;
        decode(value, Some(T::KEY)).map(Wrapped)
    }
}

/// How a body is encoded, from its `Content-Type` (JSON when absent or unknown, as before).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Json,
    Form,
    Multipart,
}

fn encoding(request: &Request) -> Encoding {
    let Some(value) = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return Encoding::Json;
    };
    let essence = value.split(';').next().unwrap_or("").trim();
    if essence.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
        Encoding::Form
    } else if essence.eq_ignore_ascii_case("multipart/form-data") {
        Encoding::Multipart
    } else {
        Encoding::Json
    }
}

/// The body as the JSON object a JSON client would have sent.
async fn read_params<S: Send + Sync>(request: Request, state: &S) -> Result<Value, ApiError> {
    match encoding(&request) {
        Encoding::Json => {
            let bytes = body_bytes(request, state).await?;
            json_object(&bytes)
        }
        Encoding::Form => {
            let bytes = body_bytes(request, state).await?;
            from_pairs(form::urlencoded_pairs(&bytes))
        }
        Encoding::Multipart => multipart(request, state, None).await,
    }
}

fn from_pairs(pairs: Vec<(String, Option<String>)>) -> Result<Value, ApiError> {
    form::params(pairs)
        .map(Value::Object)
        .map_err(|error| DomainError::invalid(error.attribute(), error.message()).into())
}

/// The text parts of a multipart body as form pairs. File parts are refused unless `uploads`
/// takes them (`WithFiles`): a file silently dropped would be a 200 that ignored what was sent.
async fn multipart<S: Send + Sync>(
    request: Request,
    state: &S,
    mut uploads: Option<&mut Uploads>,
) -> Result<Value, ApiError> {
    let mut body = Multipart::from_request(request, state)
        .await
        .map_err(|rejection| ApiError::Malformed(rejection.body_text()))?;
    let too_large = |uploads: bool| {
        if uploads {
            ApiError::FilesTooLarge("The request is larger than attachments may be".into())
        } else {
            ApiError::TooLarge
        }
    };
    let mut pairs = Vec::new();
    let mut text_bytes = 0usize;
    loop {
        let mut field = match body.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(error) if error.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(too_large(uploads.is_some()))
            }
            Err(error) => return Err(ApiError::Malformed(error.body_text())),
        };
        let name = field.name().unwrap_or_default().to_owned();
        if field.file_name().is_some() {
            let top = name.split('[').next().unwrap_or_default();
            let is_attachment = top == "attachments" || name.starts_with("message[attachments]");
            match (&mut uploads, is_attachment) {
                (Some(uploads), true) => {
                    uploads.receive(&mut field).await?;
                    continue;
                }
                _ => {
                    let message = if is_attachment {
                        "Attachments are not accepted here".to_owned()
                    } else {
                        format!("{} cannot be a file", domain::error::humanize(top))
                    };
                    let attribute = if is_attachment { "attachments" } else { top };
                    return Err(DomainError::invalid(attribute, message).into());
                }
            }
        }
        if pairs.len() >= form::MAX_PAIRS {
            return Err(DomainError::invalid("body", form::FormError::TooMany.message()).into());
        }
        // Text parts together stay within the JSON body limit, whatever files come beside them.
        let mut text = Vec::new();
        loop {
            match field.chunk().await {
                Ok(Some(chunk)) => {
                    text_bytes += chunk.len();
                    if text_bytes > crate::routes::BODY_LIMIT {
                        return Err(ApiError::TooLarge);
                    }
                    text.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(error) if error.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                    return Err(too_large(uploads.is_some()))
                }
                Err(error) => return Err(ApiError::Malformed(error.body_text())),
            }
        }
        pairs.push((name, Some(String::from_utf8_lossy(&text).into_owned())));
    }
    from_pairs(pairs)
}

/// A body that may carry files as `attachments[]` parts (multipart), beside parameters read
/// as [`Wrapped`] reads them. Files are spooled to temporary files as they arrive, within the
/// operator's [`UploadLimits`]; other encodings keep the 1 MiB JSON limit.
pub struct WithFiles<T> {
    pub params: T,
    pub files: Vec<Upload>,
}

/// One received file, in a temporary file removed when this is dropped.
#[derive(Debug)]
pub struct Upload {
    pub filename: String,
    pub content_type: String,
    pub size: u64,
    pub path: tempfile::TempPath,
}

/// The files of one request as they arrive, checked against the limits part by part.
struct Uploads {
    limits: UploadLimits,
    files: Vec<Upload>,
    total: u64,
}

impl Uploads {
    async fn receive(
        &mut self,
        field: &mut axum::extract::multipart::Field<'_>,
    ) -> Result<(), ApiError> {
        use tokio::io::AsyncWriteExt;
        self.limits.check_count(self.files.len() + 1)?;
        let filename = domain::attachment::clean_filename(field.file_name().unwrap_or_default());
        let content_type = domain::attachment::content_type(field.content_type(), &filename)?;
        let internal = |e: std::io::Error| ApiError::Internal(format!("spooling an upload: {e}"));
        let (file, path) = tempfile::NamedTempFile::new()
            .map_err(internal)?
            .into_parts();
        let mut file = tokio::fs::File::from_std(file);
        let mut size = 0u64;
        loop {
            let chunk = match field.chunk().await {
                Ok(Some(chunk)) => chunk,
                Ok(None) => break,
                Err(error) if error.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                    return Err(ApiError::FilesTooLarge(
                        "The request is larger than attachments may be".into(),
                    ))
                }
                Err(error) => return Err(ApiError::Malformed(error.body_text())),
            };
            size += chunk.len() as u64;
            self.limits.check_size(size, self.total + size)?;
            file.write_all(&chunk).await.map_err(internal)?;
        }
        file.flush().await.map_err(internal)?;
        self.total += size;
        self.files.push(Upload {
            filename,
            content_type,
            size,
            path,
        });
        Ok(())
    }
}

impl<T> FromRequest<crate::AppState> for WithFiles<T>
where
    T: DeserializeOwned + Resource,
{
    type Rejection = ApiError;

    async fn from_request(
        request: Request,
        state: &crate::AppState,
    ) -> Result<Self, Self::Rejection> {
        let value = match encoding(&request) {
            Encoding::Multipart => {
                let mut uploads = Uploads {
                    limits: state.config.uploads,
                    files: Vec::new(),
                    total: 0,
                };
                let value = multipart(request, state, Some(&mut uploads)).await?;
                let params = decode(value, Some(T::KEY))?;
                return Ok(WithFiles {
                    params,
                    files: uploads.files,
                });
            }
            // The route lifts the body limit for files; everything else keeps 1 MiB.
            _ => {
                let (parts, body) = request.into_parts();
                let limited = axum::body::Body::new(http_body_util::Limited::new(
                    body,
                    crate::routes::BODY_LIMIT,
                ));
                read_params(Request::from_parts(parts, limited), state).await?
            }
        };
        Ok(WithFiles {
            params: decode(value, Some(T::KEY))?,
            files: Vec::new(),
        })
    }
}

async fn body_bytes<S: Send + Sync>(request: Request, state: &S) -> Result<Bytes, ApiError> {
    Bytes::from_request(request, state)
        .await
        .map_err(|rejection| {
            if rejection.into_response().status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::TooLarge
            } else {
                ApiError::Malformed("the body could not be read".into())
            }
        })
}

fn json_object(bytes: &[u8]) -> Result<Value, ApiError> {
    let text = if bytes.iter().all(u8::is_ascii_whitespace) {
        &b"{}"[..]
    } else {
        bytes
    };
    let value: Value =
        serde_json::from_slice(text).map_err(|e| ApiError::Malformed(e.to_string()))?;
    if !value.is_object() {
        return Err(DomainError::invalid("body", "The body must be a JSON object").into());
    }
    Ok(value)
}

/// Unwraps `wrapper` when the body holds it, then reads `T`, casting as Rails does.
fn decode<T: DeserializeOwned>(mut value: Value, wrapper: Option<&str>) -> Result<T, ApiError> {
    if let Some(key) = wrapper {
        if let Some(inner) = value.get_mut(key).map(Value::take) {
            if !inner.is_object() {
                return Err(DomainError::invalid(key, format!("{key} must be an object")).into());
            }
            value = inner;
        }
    }
    serde_path_to_error::deserialize(lenient::Lenient(value)).map_err(|error| {
        let path = error.path().to_string();
        let attribute = match path.as_str() {
            "" | "." => "body".to_owned(),
            path => path.split(['.', '[']).next().unwrap_or(path).to_owned(),
        };
        let message = format!(
            "{} is invalid: {}",
            domain::error::humanize(&attribute),
            error.inner()
        );
        ApiError::Invalid(DomainError {
            message,
            attributes: vec![attribute],
        })
    })
}

/// A JSON body as the extractors read it (tests and callers holding bytes).
#[cfg(test)]
fn parse<T: DeserializeOwned>(bytes: &[u8], wrapper: Option<&str>) -> Result<T, ApiError> {
    decode(json_object(bytes)?, wrapper)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    struct Params {
        title: Option<String>,
    }

    impl Resource for Params {
        const KEY: &'static str = "dashboard_app";
    }

    fn attribute(error: ApiError) -> String {
        match error {
            ApiError::Invalid(e) => e.attributes[0].clone(),
            other => panic!("expected a 422, got {other:?}"),
        }
    }

    #[test]
    fn a_wrong_type_names_its_field() {
        let error = parse::<Params>(br#"{"title": 5}"#, None).unwrap_err();
        assert_eq!(attribute(error), "title");
    }

    #[test]
    fn wrapped_and_bare_bodies_read_the_same() {
        let bare: Params = parse(br#"{"title": "A"}"#, Some("dashboard_app")).unwrap();
        let wrapped: Params = parse(
            br#"{"dashboard_app": {"title": "A"}}"#,
            Some("dashboard_app"),
        )
        .unwrap();
        assert_eq!(bare.title, wrapped.title);
    }

    #[test]
    fn malformed_json_and_non_objects_are_refused() {
        assert!(matches!(
            parse::<Params>(b"{nope", None),
            Err(ApiError::Malformed(_))
        ));
        assert_eq!(
            attribute(parse::<Params>(b"[1]", None).unwrap_err()),
            "body"
        );
        assert!(parse::<Params>(b"", None).is_ok());
    }
}
