//! The demo shop's loyalty API. The demo app calls it through Switchboard's request proxy with
//! the shop's key kept as the app's secret setting (`loyalty_api_key`), as a real app would call
//! a CRM: the key is filled in on the server, never reaches the browser, and this backend
//! answers only requests that carry it.

use super::Registration;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use domain::app_setting::SettingsUpdate;
use domain::sealed::{setting_context, SecretKey};
use domain::DashboardApp;
use serde::Deserialize;
use serde_json::{json, Value};
use store::{Store, StoreError};
use subtle::ConstantTimeEq;

/// The secret setting that holds the shop's API key (declared by the seed).
pub use store::seed::DEMO_APP_KEY_SETTING as KEY_SETTING;

/// Gives the demo app a random key when it has none (its first start); a key an administrator
/// set since is kept.
pub async fn ensure_key(
    store: &Store,
    app: &DashboardApp,
    key: &SecretKey,
) -> Result<(), StoreError> {
    let sealed = store.dashboard_app_secrets().sealed(app.id).await?;
    if sealed.contains_key(KEY_SETTING) {
        return Ok(());
    }
    let update = SettingsUpdate {
        values: app.settings.values.clone(),
        secrets: vec![(
            KEY_SETTING.to_owned(),
            Some(domain::password::random_token(24)),
        )],
    };
    store
        .dashboard_apps()
        .save_settings(app, &update, key)
        .await
}

#[derive(Debug, Deserialize)]
pub struct LoyaltyQuery {
    email: Option<String>,
}

/// `GET /api/loyalty?email=`: the customer's tier and points, for the bearer of the key.
pub async fn show(
    State(registration): State<Option<Registration>>,
    headers: HeaderMap,
    Query(query): Query<LoyaltyQuery>,
) -> (StatusCode, Json<Value>) {
    let refuse = |status: StatusCode, error: &str| (status, Json(json!({"error": error})));
    let Some(registration) = registration else {
        return refuse(StatusCode::NOT_FOUND, "this demo app is not registered");
    };
    let expected = match stored_key(&registration).await {
        Ok(Some(key)) => key,
        Ok(None) => return refuse(StatusCode::SERVICE_UNAVAILABLE, "no key is set up"),
        Err(error) => {
            tracing::warn!(%error, "the demo shop could not read its key");
            return refuse(StatusCode::SERVICE_UNAVAILABLE, "the key cannot be read");
        }
    };
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    if !bool::from(presented.as_bytes().ct_eq(expected.as_bytes())) {
        return refuse(StatusCode::UNAUTHORIZED, "a valid API key is required");
    }
    let email = query.email.unwrap_or_default().trim().to_lowercase();
    if email.is_empty() {
        return refuse(StatusCode::UNPROCESSABLE_ENTITY, "email is required");
    }
    (StatusCode::OK, Json(tier_of(&email)))
}

/// The key as the app's secret setting holds it.
async fn stored_key(registration: &Registration) -> Result<Option<String>, String> {
    let sealed = registration
        .store
        .dashboard_app_secrets()
        .sealed(registration.app_id)
        .await
        .map_err(|e| e.to_string())?;
    let Some(sealed) = sealed.get(KEY_SETTING) else {
        return Ok(None);
    };
    let context = setting_context(registration.app_id, KEY_SETTING);
    registration
        .secret_key
        .open(sealed, &context)
        .map(Some)
        .map_err(|e| e.to_string())
}

/// A customer's standing, the same for the same e-mail every time (the demo has no shop).
fn tier_of(email: &str) -> Value {
    let hash = email.bytes().fold(2_166_136_261_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(16_777_619)
    });
    let points = hash % 5_000;
    let tier = match points {
        0..=999 => "Bronze",
        1_000..=2_999 => "Silver",
        _ => "Gold",
    };
    json!({"email": email, "tier": tier, "points": points})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_customer_keeps_their_tier() {
        let first = tier_of("maria@northwind.example");
        assert_eq!(first, tier_of("maria@northwind.example"));
        assert!(["Bronze", "Silver", "Gold"].contains(&first["tier"].as_str().unwrap()));
    }
}
