//! `GET /.well-known/jwks.json` (ours): the public Ed25519 keys that sign EdDSA context tokens,
//! each under the `kid` its tokens name. Anyone may fetch it (an app's backend, from anywhere), so
//! it is sent with `Access-Control-Allow-Origin: *`. Kept briefly in caches: after a rotation the
//! new key signs at once, and a verifier that meets an unknown `kid` should refetch.

use crate::error::ApiError;
use crate::AppState;
use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::context_token::{JwkSet, SigningKey};

/// Not in `/api/openapi.json`, which documents the `/api` routes; the body is RFC 7517's.
pub async fn index(State(state): State<AppState>) -> Result<Response, ApiError> {
    let keys = state.store.signing_keys();
    // The first fetch may come before the first token: make the key it will be signed with.
    keys.current().await?;
    let published = keys.published(domain::time::now()).await?;
    let body = JwkSet {
        keys: published.iter().map(SigningKey::jwk).collect(),
    };
    let mut response = Json(body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=60"),
    );
    Ok(response)
}
