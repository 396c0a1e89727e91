//! A dashboard app's installation settings (issue 14, item 4): the settings an administrator
//! defines for the app (`key`, `label`, `type`, `required`, a select's `options`), the values
//! filled in, and the `{{settings.key}}` / `{{secret.key}}` placeholders a proxied request is
//! filled with on the server. Non-secret values reach the app in every context; secret ones
//! never leave the server (sealing them is `crate::sealed`'s job, storing them the store's).
//!
//! Also the app's request allow-list: the hostnames its proxied requests may reach.

use crate::DomainError;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// The most settings one app may define.
pub const MAX_SETTINGS: usize = 30;
/// The longest text or secret value.
pub const MAX_VALUE: usize = 4000;
/// The most options a select may offer.
pub const MAX_OPTIONS: usize = 50;
/// The most hosts on one app's allow-list.
pub const MAX_REQUEST_HOSTS: usize = 20;

/// An app's settings as stored: what is defined, the non-secret values, and where its
/// proxied requests may go. Secret values are not here: they stay sealed in the store.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AppSettings {
    pub schema: Vec<SettingDefinition>,
    /// The non-secret values, `{key: value}`: the context's top-level `settings`.
    pub values: Map<String, Value>,
    /// Sorted, without repeats.
    pub request_hosts: Vec<String>,
}

impl AppSettings {
    /// The keys of the secret settings defined.
    pub fn secret_keys(&self) -> Vec<String> {
        self.schema
            .iter()
            .filter(|d| d.is_secret())
            .map(|d| d.key.clone())
            .collect()
    }
}

/// What kind of value a setting holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SettingType {
    Text,
    Number,
    Boolean,
    /// One of `options`.
    Select,
    /// Kept on the server, sealed; filled into proxied requests as `{{secret.key}}`.
    Secret,
}

/// One setting an administrator defined for an app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingDefinition {
    /// `[a-z][a-z0-9_]*`, at most 64 characters: what placeholders and the context name it by.
    pub key: String,
    pub label: String,
    #[serde(rename = "type")]
    pub kind: SettingType,
    #[serde(default)]
    pub required: bool,
    /// A select's choices (and only a select's).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
}

impl SettingDefinition {
    pub fn is_secret(&self) -> bool {
        self.kind == SettingType::Secret
    }

    /// Whether `value` is a value of this (non-secret) setting.
    fn accepts(&self, value: &Value) -> bool {
        match (self.kind, value) {
            (SettingType::Text, Value::String(text)) => text.chars().count() <= MAX_VALUE,
            (SettingType::Number, Value::Number(_)) => true,
            (SettingType::Boolean, Value::Bool(_)) => true,
            (SettingType::Select, Value::String(choice)) => self.options.contains(choice),
            _ => false,
        }
    }
}

fn schema_error(message: impl Into<String>) -> DomainError {
    DomainError::invalid("settings_schema", message)
}

/// Parses and checks the settings an administrator defined: keys well-formed and unique,
/// labels present, a select's options present and unique, no options on other types.
pub fn schema_of(value: &Value) -> Result<Vec<SettingDefinition>, DomainError> {
    let items = value
        .as_array()
        .ok_or_else(|| schema_error("Settings schema must be a list of settings"))?;
    if items.len() > MAX_SETTINGS {
        return Err(schema_error(format!(
            "An app may define at most {MAX_SETTINGS} settings"
        )));
    }
    let mut schema: Vec<SettingDefinition> = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let position = index + 1;
        let mut definition: SettingDefinition = serde_json::from_value(item.clone()).map_err(|e| {
            schema_error(format!(
                "Settings schema: setting {position} needs a key, a label and a type (text, number, boolean, select or secret): {e}"
            ))
        })?;
        if !is_key(&definition.key) {
            return Err(schema_error(format!(
                "Settings schema: key {:?} must start with a lowercase letter and hold only a-z, 0-9 and _ (64 characters at most)",
                definition.key
            )));
        }
        if schema.iter().any(|other| other.key == definition.key) {
            return Err(schema_error(format!(
                "Settings schema: key {:?} is defined twice",
                definition.key
            )));
        }
        definition.label = definition.label.trim().to_owned();
        if definition.label.is_empty() || definition.label.chars().count() > 255 {
            return Err(schema_error(format!(
                "Settings schema: {} needs a label of 1 to 255 characters",
                definition.key
            )));
        }
        check_options(&definition)?;
        schema.push(definition);
    }
    Ok(schema)
}

fn check_options(definition: &SettingDefinition) -> Result<(), DomainError> {
    let key = &definition.key;
    let options = &definition.options;
    if definition.kind != SettingType::Select {
        return match options.is_empty() {
            true => Ok(()),
            false => Err(schema_error(format!(
                "Settings schema: {key} has options but only a select may"
            ))),
        };
    }
    if options.is_empty() || options.len() > MAX_OPTIONS {
        return Err(schema_error(format!(
            "Settings schema: select {key} needs 1 to {MAX_OPTIONS} options"
        )));
    }
    let mut seen: Vec<&String> = Vec::new();
    for option in options {
        if option.is_empty() || option.chars().count() > 255 || seen.contains(&option) {
            return Err(schema_error(format!(
                "Settings schema: select {key}'s options must be distinct texts of 1 to 255 characters"
            )));
        }
        seen.push(option);
    }
    Ok(())
}

fn is_key(key: &str) -> bool {
    let mut chars = key.chars();
    key.len() <= 64
        && chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// The values of `values` that still fit `schema` (after the schema changed): a value whose
/// setting is gone, became a secret, or no longer accepts it is dropped.
pub fn retained(schema: &[SettingDefinition], values: &Map<String, Value>) -> Map<String, Value> {
    values
        .iter()
        .filter(|(key, value)| {
            schema
                .iter()
                .any(|d| &d.key == *key && !d.is_secret() && d.accepts(value))
        })
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect()
}

/// What saving values changes: the app's non-secret values (all of them, as they will be) and
/// the secrets to set (`Some`) or clear (`None`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SettingsUpdate {
    pub values: Map<String, Value>,
    pub secrets: Vec<(String, Option<String>)>,
}

fn value_error(key: &str, message: impl Into<String>) -> DomainError {
    DomainError::invalid(&format!("settings.{key}"), message)
}

/// Checks values an administrator saves against `schema` and merges them into `current`
/// (`secrets_set`: the keys of the secrets stored now). A key left out keeps its value; `null`
/// clears it; a secret given as `""` is kept as it is (a form's empty secret field). Every
/// required setting must have a value afterwards. Errors name the setting
/// (`settings.<key>`).
pub fn apply_values(
    schema: &[SettingDefinition],
    current: &Map<String, Value>,
    secrets_set: &[String],
    given: &Map<String, Value>,
) -> Result<SettingsUpdate, DomainError> {
    let mut values = retained(schema, current);
    let mut secrets = Vec::new();
    for (key, value) in given {
        let definition = schema.iter().find(|d| &d.key == key).ok_or_else(|| {
            value_error(
                key,
                format!("Settings: {key} is not one of this app's settings"),
            )
        })?;
        let label = &definition.label;
        match (definition.is_secret(), value) {
            (_, Value::Null) if definition.is_secret() => secrets.push((key.clone(), None)),
            (_, Value::Null) => {
                values.remove(key);
            }
            (true, Value::String(secret)) if secret.is_empty() => {}
            (true, Value::String(secret)) if secret.chars().count() <= MAX_VALUE => {
                secrets.push((key.clone(), Some(secret.clone())))
            }
            (true, _) => {
                return Err(value_error(
                    key,
                    format!("{label} must be a text of at most {MAX_VALUE} characters"),
                ))
            }
            (false, value) if definition.accepts(value) => {
                values.insert(key.clone(), value.clone());
            }
            (false, _) => return Err(value_error(key, expected(definition))),
        }
    }
    for definition in schema.iter().filter(|d| d.required) {
        let key = &definition.key;
        let has_value = if definition.is_secret() {
            match secrets.iter().rev().find(|(k, _)| k == key) {
                Some((_, change)) => change.is_some(),
                None => secrets_set.contains(key),
            }
        } else {
            values.contains_key(key)
        };
        if !has_value {
            return Err(value_error(
                key,
                format!("{} can't be blank", definition.label),
            ));
        }
    }
    Ok(SettingsUpdate { values, secrets })
}

fn expected(definition: &SettingDefinition) -> String {
    let label = &definition.label;
    match definition.kind {
        SettingType::Text => format!("{label} must be a text of at most {MAX_VALUE} characters"),
        SettingType::Number => format!("{label} must be a number"),
        SettingType::Boolean => format!("{label} must be true or false"),
        SettingType::Select => format!("{label} must be one of {}", definition.options.join(", ")),
        SettingType::Secret => format!("{label} must be a text"),
    }
}

/// A placeholder of a proxied request: `{{settings.key}}` or `{{secret.key}}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placeholder {
    Setting(String),
    Secret(String),
}

/// Finds the placeholders in `template`, in order: `(start, end, placeholder)` byte ranges.
/// Text between `{{` and `}}` that is not one of the two forms is left as it is.
fn placeholders(template: &str) -> Vec<(usize, usize, Placeholder)> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(open) = template[from..].find("{{").map(|i| i + from) {
        let Some(close) = template[open + 2..].find("}}").map(|i| i + open + 2) else {
            break;
        };
        let inner = template[open + 2..close].trim();
        let placeholder = match inner.split_once('.') {
            Some(("settings", key)) if is_key(key) => Some(Placeholder::Setting(key.to_owned())),
            Some(("secret", key)) if is_key(key) => Some(Placeholder::Secret(key.to_owned())),
            _ => None,
        };
        match placeholder {
            Some(placeholder) => {
                found.push((open, close + 2, placeholder));
                from = close + 2;
            }
            None => from = open + 2,
        }
    }
    found
}

/// The secret keys `template` names (to know which secrets to open).
pub fn secrets_named(template: &str) -> Vec<String> {
    placeholders(template)
        .into_iter()
        .filter_map(|(_, _, p)| match p {
            Placeholder::Secret(key) => Some(key),
            Placeholder::Setting(_) => None,
        })
        .collect()
}

/// `template` with its placeholders filled from `settings` (non-secret values) and `secrets`
/// (opened secret values). A placeholder without a value is a 422 naming `field`.
pub fn fill(
    template: &str,
    field: &str,
    settings: &Map<String, Value>,
    secrets: &HashMap<String, String>,
) -> Result<String, DomainError> {
    let mut out = String::with_capacity(template.len());
    let mut last = 0;
    for (start, end, placeholder) in placeholders(template) {
        out.push_str(&template[last..start]);
        let value = match &placeholder {
            Placeholder::Setting(key) => settings.get(key).map(|value| match value {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            }),
            Placeholder::Secret(key) => secrets.get(key).cloned(),
        };
        let value = value.ok_or_else(|| {
            let (kind, key) = match &placeholder {
                Placeholder::Setting(key) => ("settings", key),
                Placeholder::Secret(key) => ("secret", key),
            };
            DomainError::invalid(
                field,
                format!("{{{{{kind}.{key}}}}} has no value: an administrator sets it in the app's settings"),
            )
        })?;
        out.push_str(&value);
        last = end;
    }
    out.push_str(&template[last..]);
    Ok(out)
}

/// Parses the hostnames an app's requests may reach: lowercase names or IP addresses, without
/// scheme, port or path; sorted, without repeats.
pub fn request_hosts_of(hosts: &[String]) -> Result<Vec<String>, DomainError> {
    let invalid = |message: String| DomainError::invalid("request_hosts", message);
    if hosts.len() > MAX_REQUEST_HOSTS {
        return Err(invalid(format!(
            "An app may reach at most {MAX_REQUEST_HOSTS} hosts"
        )));
    }
    let mut parsed: Vec<String> = hosts
        .iter()
        .map(|host| {
            let text = host.trim().to_ascii_lowercase();
            let plain = !text.is_empty()
                && !text.contains(['/', ':', '@', '?', '#', '*', ' '])
                || text.starts_with('[') && text.ends_with(']');
            match url::Host::parse(&text) {
                Ok(parsed) if plain => Ok(parsed.to_string()),
                _ => Err(invalid(format!(
                    "Request hosts: {host:?} is not a host name (write api.example.com, without https:// or a path)"
                ))),
            }
        })
        .collect::<Result<_, _>>()?;
    parsed.sort_unstable();
    parsed.dedup();
    Ok(parsed)
}

/// Whether `url`'s host is on `hosts` (exactly: a subdomain is another host).
pub fn host_allowed(hosts: &[String], url: &url::Url) -> bool {
    url.host()
        .map(|host| host.to_string())
        .is_some_and(|host| hosts.contains(&host))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> Vec<SettingDefinition> {
        schema_of(&json!([
            {"key": "region", "label": "Region", "type": "select", "options": ["eu", "us"], "required": true},
            {"key": "api_key", "label": "API key", "type": "secret", "required": true},
            {"key": "limit", "label": "Limit", "type": "number"},
            {"key": "verbose", "label": "Verbose", "type": "boolean"},
            {"key": "note", "label": "Note", "type": "text"}
        ]))
        .unwrap()
    }

    fn map(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn a_schema_is_checked_and_errors_name_settings_schema() {
        assert_eq!(schema().len(), 5);
        for bad in [
            json!({}),
            json!([{"key": "a", "label": "A"}]),
            json!([{"key": "a", "label": "A", "type": "colour"}]),
            json!([{"key": "A b", "label": "A", "type": "text"}]),
            json!([{"key": "a", "label": " ", "type": "text"}]),
            json!([{"key": "a", "label": "A", "type": "text"}, {"key": "a", "label": "B", "type": "text"}]),
            json!([{"key": "a", "label": "A", "type": "select"}]),
            json!([{"key": "a", "label": "A", "type": "select", "options": ["x", "x"]}]),
            json!([{"key": "a", "label": "A", "type": "text", "options": ["x"]}]),
            json!([{"key": "a", "label": "A", "type": "text", "extra": 1}]),
        ] {
            let err = schema_of(&bad).unwrap_err();
            assert_eq!(err.attributes, ["settings_schema"], "{bad}");
        }
    }

    #[test]
    fn values_are_typed_merged_and_required_ones_enforced() {
        let schema = schema();
        let update = apply_values(
            &schema,
            &Map::new(),
            &[],
            &map(json!({"region": "eu", "api_key": "s3cret", "limit": 5, "verbose": true})),
        )
        .unwrap();
        assert_eq!(
            Value::Object(update.values.clone()),
            json!({"region": "eu", "limit": 5, "verbose": true})
        );
        assert_eq!(update.secrets, [("api_key".into(), Some("s3cret".into()))]);
        // The secret stays set when left out or sent empty; null clears a value.
        let again = apply_values(
            &schema,
            &update.values,
            &["api_key".into()],
            &map(json!({"api_key": "", "limit": null})),
        )
        .unwrap();
        assert!(again.secrets.is_empty());
        assert!(!again.values.contains_key("limit"));
        for (given, field) in [
            (json!({"region": "mars", "api_key": "k"}), "settings.region"),
            (
                json!({"region": "eu", "api_key": "k", "limit": "5"}),
                "settings.limit",
            ),
            (
                json!({"region": "eu", "api_key": "k", "verbose": 1}),
                "settings.verbose",
            ),
            (json!({"region": "eu", "api_key": 5}), "settings.api_key"),
            (
                json!({"region": "eu", "api_key": "k", "other": 1}),
                "settings.other",
            ),
            (json!({"region": "eu"}), "settings.api_key"),
            (json!({"api_key": "k"}), "settings.region"),
        ] {
            let err = apply_values(&schema, &Map::new(), &[], &map(given.clone())).unwrap_err();
            assert_eq!(err.attributes, [field], "{given}");
        }
        let cleared = apply_values(
            &schema,
            &update.values,
            &["api_key".into()],
            &map(json!({"api_key": null})),
        )
        .unwrap_err();
        assert_eq!(cleared.attributes, ["settings.api_key"]);
    }

    #[test]
    fn values_that_no_longer_fit_a_changed_schema_are_dropped() {
        let values = map(json!({"region": "eu", "limit": 3, "gone": 1}));
        let narrower = schema_of(&json!([
            {"key": "region", "label": "Region", "type": "select", "options": ["us"]},
            {"key": "limit", "label": "Limit", "type": "secret"}
        ]))
        .unwrap();
        assert!(retained(&narrower, &values).is_empty());
    }

    #[test]
    fn placeholders_are_filled_and_a_missing_value_names_the_field() {
        let settings = map(json!({"region": "eu", "limit": 5}));
        let secrets = HashMap::from([("api_key".to_owned(), "s3cret".to_owned())]);
        let filled = fill(
            "https://{{settings.region}}.api.example/x?n={{ settings.limit }}&k={{secret.api_key}}&c={{contact.id}}",
            "url",
            &settings,
            &secrets,
        )
        .unwrap();
        assert_eq!(
            filled,
            "https://eu.api.example/x?n=5&k=s3cret&c={{contact.id}}"
        );
        assert_eq!(
            secrets_named("a {{secret.x}} {{settings.y}} {{secret.z}}"),
            ["x", "z"]
        );
        let err = fill(
            "Bearer {{secret.other}}",
            "headers.authorization",
            &settings,
            &secrets,
        )
        .unwrap_err();
        assert_eq!(err.attributes, ["headers.authorization"]);
    }

    #[test]
    fn request_hosts_are_bare_host_names() {
        let hosts = request_hosts_of(&[
            "API.example.com".into(),
            "127.0.0.1".into(),
            "api.example.com".into(),
        ])
        .unwrap();
        assert_eq!(hosts, ["127.0.0.1", "api.example.com"]);
        for bad in [
            "https://a.example",
            "a.example/x",
            "a.example:443",
            "",
            "*.a.example",
            "a b",
        ] {
            let err = request_hosts_of(&[bad.into()]).unwrap_err();
            assert_eq!(err.attributes, ["request_hosts"], "{bad}");
        }
        let url = url::Url::parse("https://api.example.com:8443/x").unwrap();
        assert!(host_allowed(&hosts, &url));
        let sub = url::Url::parse("https://evil.api.example.com/").unwrap();
        assert!(!host_allowed(&hosts, &sub));
    }
}
