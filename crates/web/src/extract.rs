//! Request extractors that reject in the API's own JSON: `JsonBody<T>` names the field a bad
//! value sits in, `Wrapped<T>` accepts Chatwoot's `{"<resource>": {...}}` and the bare object.

use crate::error::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use domain::DomainError;
use serde::de::DeserializeOwned;

/// A JSON body; an empty body reads as `{}`.
pub struct JsonBody<T>(pub T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = body_bytes(request, state).await?;
        parse(&bytes, None).map(JsonBody)
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
        let bytes = body_bytes(request, state).await?;
        parse(&bytes, Some(T::KEY)).map(Wrapped)
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

fn parse<T: DeserializeOwned>(bytes: &[u8], wrapper: Option<&str>) -> Result<T, ApiError> {
    let text = if bytes.iter().all(u8::is_ascii_whitespace) {
        &b"{}"[..]
    } else {
        bytes
    };
    let mut value: serde_json::Value =
        serde_json::from_slice(text).map_err(|e| ApiError::Malformed(e.to_string()))?;
    if !value.is_object() {
        return Err(DomainError::invalid("body", "The body must be a JSON object").into());
    }
    if let Some(key) = wrapper {
        if let Some(inner) = value.get_mut(key).map(serde_json::Value::take) {
            if !inner.is_object() {
                return Err(DomainError::invalid(key, format!("{key} must be an object")).into());
            }
            value = inner;
        }
    }
    serde_path_to_error::deserialize(value).map_err(|error| {
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
