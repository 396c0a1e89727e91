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
        Encoding::Multipart => multipart(request, state).await,
    }
}

fn from_pairs(pairs: Vec<(String, Option<String>)>) -> Result<Value, ApiError> {
    form::params(pairs)
        .map(Value::Object)
        .map_err(|error| DomainError::invalid(error.attribute(), error.message()).into())
}

/// The text parts of a multipart body as form pairs. File parts are refused: attachments are
/// issue 13's, and a file silently dropped would be a 200 that ignored what was sent.
async fn multipart<S: Send + Sync>(request: Request, state: &S) -> Result<Value, ApiError> {
    let mut body = Multipart::from_request(request, state)
        .await
        .map_err(|rejection| ApiError::Malformed(rejection.body_text()))?;
    let mut pairs = Vec::new();
    loop {
        let field = match body.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(error) if error.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(ApiError::TooLarge)
            }
            Err(error) => return Err(ApiError::Malformed(error.body_text())),
        };
        let name = field.name().unwrap_or_default().to_owned();
        if field.file_name().is_some() {
            let top = name.split('[').next().unwrap_or_default();
            let (attribute, message) = if top == "attachments" {
                (
                    "attachments",
                    "Attachments are not supported yet".to_owned(),
                )
            } else {
                (
                    top,
                    format!("{} cannot be a file", domain::error::humanize(top)),
                )
            };
            return Err(DomainError::invalid(attribute, message).into());
        }
        if pairs.len() >= form::MAX_PAIRS {
            return Err(DomainError::invalid("body", form::FormError::TooMany.message()).into());
        }
        let text = field.text().await.map_err(|error| {
            if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::TooLarge
            } else {
                ApiError::Malformed(error.body_text())
            }
        })?;
        pairs.push((name, Some(text)));
    }
    from_pairs(pairs)
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
