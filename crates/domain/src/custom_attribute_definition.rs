//! Custom attribute definitions (Chatwoot's `CustomAttributeDefinition`): how a custom attribute
//! of a conversation or a contact is named, shown and validated. The rules a stored value must
//! meet live here, so the API, the pages and any future writer check values the same way.

use crate::{validate, AccountId, CustomAttributeDefinitionId, DomainError};
use serde::Serialize;
use serde_json::{Map, Value};

/// Which record a definition applies to (Chatwoot's `attribute_model` enum and its numbers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AttributeModel {
    ConversationAttribute,
    ContactAttribute,
}

impl AttributeModel {
    pub const ALL: [AttributeModel; 2] = [Self::ConversationAttribute, Self::ContactAttribute];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ConversationAttribute => "conversation_attribute",
            Self::ContactAttribute => "contact_attribute",
        }
    }

    /// The number Chatwoot's enum stores (`conversation_attribute: 0, contact_attribute: 1`).
    pub fn code(self) -> i64 {
        match self {
            Self::ConversationAttribute => 0,
            Self::ContactAttribute => 1,
        }
    }

    /// By name or by number (a JSON number or a numeric string), as Rails' enum casts it.
    /// `company_attribute` (2) is Chatwoot's, for companies we do not have: refused.
    pub fn parse(value: &Value) -> Result<Self, DomainError> {
        enum_value(
            value,
            "attribute_model",
            &Self::ALL,
            Self::as_str,
            Self::code,
        )
    }

    fn standard_attributes(self) -> &'static [&'static str] {
        match self {
            Self::ConversationAttribute => &[
                "status",
                "priority",
                "assignee_id",
                "inbox_id",
                "team_id",
                "display_id",
                "campaign_id",
                "labels",
                "browser_language",
                "country_code",
                "referer",
                "created_at",
                "last_activity_at",
            ],
            Self::ContactAttribute => &[
                "name",
                "email",
                "phone_number",
                "identifier",
                "country_code",
                "city",
                "company_name",
                "created_at",
                "last_activity_at",
                "referer",
                "blocked",
            ],
        }
    }
}

/// How a value is entered and checked (Chatwoot's `attribute_display_type` enum and numbers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AttributeDisplayType {
    Text,
    Number,
    Currency,
    Percent,
    Link,
    Date,
    List,
    Checkbox,
}

impl AttributeDisplayType {
    pub const ALL: [AttributeDisplayType; 8] = [
        Self::Text,
        Self::Number,
        Self::Currency,
        Self::Percent,
        Self::Link,
        Self::Date,
        Self::List,
        Self::Checkbox,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Number => "number",
            Self::Currency => "currency",
            Self::Percent => "percent",
            Self::Link => "link",
            Self::Date => "date",
            Self::List => "list",
            Self::Checkbox => "checkbox",
        }
    }

    pub fn code(self) -> i64 {
        Self::ALL.iter().position(|t| *t == self).unwrap_or(0) as i64
    }

    pub fn parse(value: &Value) -> Result<Self, DomainError> {
        enum_value(
            value,
            "attribute_display_type",
            &Self::ALL,
            Self::as_str,
            Self::code,
        )
    }

    /// Whether a value is a number (`number`, `currency`, `percent`).
    pub fn is_numeric(self) -> bool {
        matches!(self, Self::Number | Self::Currency | Self::Percent)
    }
}

fn enum_value<T: Copy>(
    value: &Value,
    attribute: &str,
    all: &[T],
    name: fn(T) -> &'static str,
    code: fn(T) -> i64,
) -> Result<T, DomainError> {
    let found = match value {
        Value::Number(n) => n.as_i64().and_then(|n| all.iter().find(|t| code(**t) == n)),
        Value::String(s) => {
            let s = s.trim();
            all.iter().find(|t| name(**t) == s).or_else(|| {
                let n = s.parse::<i64>().ok()?;
                all.iter().find(|t| code(**t) == n)
            })
        }
        _ => None,
    };
    found.copied().ok_or_else(|| {
        let names: Vec<&str> = all.iter().map(|t| name(*t)).collect();
        DomainError::invalid(
            attribute,
            format!(
                "{} must be one of {}",
                crate::error::humanize(attribute),
                names.join(", ")
            ),
        )
    })
}

#[derive(Debug, Clone, PartialEq)]
pub struct CustomAttributeDefinition {
    pub id: CustomAttributeDefinitionId,
    pub account_id: AccountId,
    pub attribute_model: AttributeModel,
    pub attribute_key: String,
    pub attribute_display_name: String,
    pub attribute_display_type: AttributeDisplayType,
    pub attribute_description: Option<String>,
    /// The choices of a `list`.
    pub attribute_values: Vec<String>,
    /// `/pattern/flags` as Chatwoot's dashboard stores it, or a bare pattern.
    pub regex_pattern: Option<String>,
    /// What to tell someone whose value does not match `regex_pattern`.
    pub regex_cue: Option<String>,
    pub position: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// The raw attributes a create or update carries, before validation.
#[derive(Debug, Clone, Default)]
pub struct DefinitionFields<'a> {
    pub attribute_display_name: Option<&'a str>,
    pub attribute_description: Option<&'a str>,
    pub attribute_display_type: Option<&'a Value>,
    pub attribute_key: Option<&'a str>,
    pub attribute_model: Option<&'a Value>,
    pub attribute_values: Option<&'a Value>,
    pub regex_pattern: Option<&'a str>,
    pub regex_cue: Option<&'a str>,
}

#[derive(Debug, Clone)]
pub struct NewCustomAttributeDefinition {
    pub account_id: AccountId,
    pub attribute_model: AttributeModel,
    pub attribute_key: String,
    pub attribute_display_name: String,
    pub attribute_display_type: AttributeDisplayType,
    pub attribute_description: Option<String>,
    pub attribute_values: Vec<String>,
    pub regex_pattern: Option<String>,
    pub regex_cue: Option<String>,
}

impl NewCustomAttributeDefinition {
    /// Chatwoot's defaults: a `conversation_attribute` of type `text`.
    pub fn validate(account_id: AccountId, f: DefinitionFields<'_>) -> Result<Self, DomainError> {
        let attribute_model = f
            .attribute_model
            .filter(|v| !v.is_null())
            .map(AttributeModel::parse)
            .transpose()?
            .unwrap_or(AttributeModel::ConversationAttribute);
        let attribute_key = key_of(f.attribute_key)?;
        if attribute_model
            .standard_attributes()
            .contains(&attribute_key.as_str())
        {
            return Err(DomainError::invalid(
                "attribute_key",
                "Attribute key conflicts with a standard attribute",
            ));
        }
        let definition = Self {
            account_id,
            attribute_model,
            attribute_key,
            attribute_display_name: validate::required(
                "attribute_display_name",
                f.attribute_display_name,
                validate::MAX_SHORT_TEXT,
            )?,
            attribute_display_type: f
                .attribute_display_type
                .filter(|v| !v.is_null())
                .map(AttributeDisplayType::parse)
                .transpose()?
                .unwrap_or(AttributeDisplayType::Text),
            attribute_description: description_of(f.attribute_description)?,
            attribute_values: f
                .attribute_values
                .map(values_of)
                .transpose()?
                .unwrap_or_default(),
            regex_pattern: pattern_of(f.regex_pattern)?,
            regex_cue: cue_of(f.regex_cue)?,
        };
        require_list_values(
            definition.attribute_display_type,
            &definition.attribute_values,
        )?;
        Ok(definition)
    }
}

/// A partial update (Chatwoot permits every field again): `None` leaves an attribute alone.
#[derive(Debug, Clone, Default)]
pub struct DefinitionChanges {
    pub attribute_model: Option<AttributeModel>,
    pub attribute_key: Option<String>,
    pub attribute_display_name: Option<String>,
    pub attribute_display_type: Option<AttributeDisplayType>,
    pub attribute_description: Option<Option<String>>,
    pub attribute_values: Option<Vec<String>>,
    pub regex_pattern: Option<Option<String>>,
    pub regex_cue: Option<Option<String>>,
}

impl DefinitionChanges {
    pub fn validate(f: DefinitionFields<'_>) -> Result<Self, DomainError> {
        Ok(Self {
            attribute_model: f.attribute_model.map(AttributeModel::parse).transpose()?,
            attribute_key: f.attribute_key.map(|k| key_of(Some(k))).transpose()?,
            attribute_display_name: f
                .attribute_display_name
                .map(|n| {
                    validate::required("attribute_display_name", Some(n), validate::MAX_SHORT_TEXT)
                })
                .transpose()?,
            attribute_display_type: f
                .attribute_display_type
                .map(AttributeDisplayType::parse)
                .transpose()?,
            attribute_description: f
                .attribute_description
                .map(|d| description_of(Some(d)))
                .transpose()?,
            attribute_values: f.attribute_values.map(values_of).transpose()?,
            regex_pattern: f.regex_pattern.map(|p| pattern_of(Some(p))).transpose()?,
            regex_cue: f.regex_cue.map(|c| cue_of(Some(c))).transpose()?,
        })
    }

    /// Applies the changes; the result must still be a valid definition (a `list` keeps
    /// values). The position is the store's to keep.
    pub fn apply(&self, d: &mut CustomAttributeDefinition) -> Result<(), DomainError> {
        if let Some(model) = self.attribute_model {
            d.attribute_model = model;
        }
        if let Some(key) = &self.attribute_key {
            d.attribute_key = key.clone();
        }
        if let Some(name) = &self.attribute_display_name {
            d.attribute_display_name = name.clone();
        }
        if let Some(kind) = self.attribute_display_type {
            d.attribute_display_type = kind;
        }
        if let Some(description) = &self.attribute_description {
            d.attribute_description = description.clone();
        }
        if let Some(values) = &self.attribute_values {
            d.attribute_values = values.clone();
        }
        if let Some(pattern) = &self.regex_pattern {
            d.regex_pattern = pattern.clone();
        }
        if let Some(cue) = &self.regex_cue {
            d.regex_cue = cue.clone();
        }
        require_list_values(d.attribute_display_type, &d.attribute_values)
    }
}

/// Chatwoot's key format: letters, digits, `_`, `.` and `-`.
fn key_of(value: Option<&str>) -> Result<String, DomainError> {
    let key = validate::required("attribute_key", value, validate::MAX_SHORT_TEXT)?;
    if !key
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '-'))
    {
        return Err(DomainError::invalid(
            "attribute_key",
            "Attribute key may only contain letters, numbers, '_', '.' and '-'",
        ));
    }
    Ok(key)
}

fn description_of(value: Option<&str>) -> Result<Option<String>, DomainError> {
    validate::optional("attribute_description", value, 1_000)
}

fn cue_of(value: Option<&str>) -> Result<Option<String>, DomainError> {
    validate::optional("regex_cue", value, validate::MAX_SHORT_TEXT)
}

/// `attribute_values`: an array of distinct, non-blank strings (a list's choices).
fn values_of(value: &Value) -> Result<Vec<String>, DomainError> {
    let invalid = || {
        DomainError::invalid(
            "attribute_values",
            "Attribute values must be a list of text values",
        )
    };
    let items = match value {
        Value::Null => return Ok(Vec::new()),
        Value::Array(items) => items,
        _ => return Err(invalid()),
    };
    if items.len() > 500 {
        return Err(DomainError::invalid(
            "attribute_values",
            "Attribute values may hold at most 500 values",
        ));
    }
    let mut values: Vec<String> = Vec::with_capacity(items.len());
    for item in items {
        let text = item.as_str().ok_or_else(invalid)?;
        let text = validate::required("attribute_values", Some(text), validate::MAX_SHORT_TEXT)?;
        if !values.contains(&text) {
            values.push(text);
        }
    }
    Ok(values)
}

fn require_list_values(kind: AttributeDisplayType, values: &[String]) -> Result<(), DomainError> {
    if kind == AttributeDisplayType::List && values.is_empty() {
        return Err(DomainError::blank("attribute_values"));
    }
    Ok(())
}

/// A pattern that compiles (Rust's `regex`, linear in time whatever the pattern), kept as given.
fn pattern_of(value: Option<&str>) -> Result<Option<String>, DomainError> {
    let Some(pattern) = validate::optional("regex_pattern", value, 1_000)? else {
        return Ok(None);
    };
    compile(&pattern).map_err(|_| {
        DomainError::invalid("regex_pattern", "Regex pattern is not a valid expression")
    })?;
    Ok(Some(pattern))
}

/// `/body/flags` (JavaScript's `RegExp#toString`, what Chatwoot's dashboard saves) or a bare
/// pattern. Of the flags only `i` changes a match of one value; the others are ignored.
fn compile(pattern: &str) -> Result<regex::Regex, regex::Error> {
    let (body, flags) = match pattern
        .strip_prefix('/')
        .and_then(|rest| rest.rsplit_once('/'))
    {
        Some((body, flags)) if flags.chars().all(|c| c.is_ascii_alphabetic()) => (body, flags),
        _ => (pattern, ""),
    };
    regex::RegexBuilder::new(body)
        .case_insensitive(flags.contains('i'))
        .size_limit(1 << 20)
        .build()
}

impl CustomAttributeDefinition {
    /// Whether `value` may be stored under this definition's key; a 422 naming the key when
    /// not. `null` is always accepted (it clears the value).
    pub fn check(&self, value: &Value) -> Result<(), DomainError> {
        if value.is_null() {
            return Ok(());
        }
        let name = &self.attribute_display_name;
        let fail = |why: String| DomainError::invalid(&self.attribute_key, why);
        use AttributeDisplayType::*;
        match self.attribute_display_type {
            Text => {
                let text = value
                    .as_str()
                    .ok_or_else(|| fail(format!("{name} must be text")))?;
                validate::limit(&self.attribute_key, text, 10_000)?;
            }
            Number | Currency | Percent => {
                if number(value).is_none() {
                    return Err(fail(format!("{name} must be a number")));
                }
            }
            Link => {
                let ok = value.as_str().is_some_and(|text| {
                    url::Url::parse(text.trim())
                        .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.has_host())
                });
                if !ok {
                    return Err(fail(format!("{name} must be an http(s) link")));
                }
            }
            Date => {
                if !value.as_str().is_some_and(is_date) {
                    return Err(fail(format!("{name} must be a date (YYYY-MM-DD)")));
                }
            }
            List => {
                let ok = value
                    .as_str()
                    .is_some_and(|v| self.attribute_values.iter().any(|a| a == v));
                if !ok {
                    return Err(fail(format!(
                        "{name} must be one of {}",
                        self.attribute_values.join(", ")
                    )));
                }
            }
            Checkbox => {
                if !value.is_boolean() {
                    return Err(fail(format!("{name} must be true or false")));
                }
            }
        }
        if let (Some(pattern), Some(text)) = (&self.regex_pattern, value.as_str()) {
            let matches = compile(pattern).is_ok_and(|re| re.is_match(text));
            if !matches {
                let cue = self
                    .regex_cue
                    .clone()
                    .unwrap_or_else(|| format!("{name} does not match the expected format"));
                return Err(fail(cue));
            }
        }
        Ok(())
    }
}

/// A value as the contact panel and the conversation sidebar show it: `text`, and `href` when
/// it is a link to follow. `custom-attributes.js` formats the same way when it re-renders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    pub text: String,
    pub href: Option<String>,
}

impl CustomAttributeDefinition {
    /// `value` formatted for its type: a date as "Jan 31, 2027", a checkbox as Yes or No, a
    /// currency with two decimals and thousands separators, a percent with `%`, an http(s) link
    /// to follow. A value that does not fit its type (stored before the definition) is shown
    /// as stored.
    pub fn show(&self, value: &Value) -> Shown {
        use AttributeDisplayType::*;
        let plain = Shown {
            text: plain_text(value),
            href: None,
        };
        if self.check(value).is_err() || value.is_null() {
            return plain;
        }
        let text = match self.attribute_display_type {
            Checkbox => if value == &Value::Bool(true) {
                "Yes"
            } else {
                "No"
            }
            .to_owned(),
            Currency => number(value).map_or(plain.text.clone(), |n| grouped(n, 2)),
            Percent => format!("{}%", plain.text.trim()),
            Date => date_label(value.as_str().unwrap_or_default()).unwrap_or(plain.text.clone()),
            Link => {
                let url = plain.text.trim().to_owned();
                return Shown {
                    text: url.clone(),
                    href: Some(url),
                };
            }
            Text | Number | List => plain.text.clone(),
        };
        Shown { text, href: None }
    }
}

/// Text as stored: a string as it is, anything else as JSON.
pub fn plain_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `1234.5` → "1,234.50" (`decimals` places, commas between thousands).
fn grouped(n: f64, decimals: usize) -> String {
    let fixed = format!("{:.*}", decimals, n.abs());
    let (whole, fraction) = fixed.split_once('.').unwrap_or((&fixed, ""));
    let mut digits = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            digits.push(',');
        }
        digits.push(c);
    }
    let sign = if n < 0.0 { "-" } else { "" };
    if fraction.is_empty() {
        format!("{sign}{digits}")
    } else {
        format!("{sign}{digits}.{fraction}")
    }
}

/// "Jan 31, 2027" for `2027-01-31` or an RFC 3339 instant (its UTC date).
fn date_label(text: &str) -> Option<String> {
    let text = text.trim();
    let format = ::time::macros::format_description!("[year]-[month]-[day]");
    let date = ::time::Date::parse(text, &format).ok().or_else(|| {
        ::time::OffsetDateTime::parse(text, &::time::format_description::well_known::Rfc3339)
            .ok()
            .map(|t| t.to_offset(::time::UtcOffset::UTC).date())
    })?;
    let label =
        ::time::macros::format_description!("[month repr:short] [day padding:none], [year]");
    date.format(&label).ok()
}

/// A number, or text that reads as one (Chatwoot's dashboard saves numbers as text).
fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok().filter(|n| n.is_finite()),
        _ => None,
    }
}

/// `2026-12-03`, or an RFC 3339 instant (what Chatwoot's date picker saves).
fn is_date(text: &str) -> bool {
    let text = text.trim();
    let format = ::time::macros::format_description!("[year]-[month]-[day]");
    ::time::Date::parse(text, &format).is_ok()
        || ::time::OffsetDateTime::parse(text, &::time::format_description::well_known::Rfc3339)
            .is_ok()
}

/// Checks every value of `attributes` that has a definition of `model` among `definitions`;
/// keys without one are free-form, as in Chatwoot.
pub fn check_values(
    definitions: &[CustomAttributeDefinition],
    model: AttributeModel,
    attributes: &Map<String, Value>,
) -> Result<(), DomainError> {
    for (key, value) in attributes {
        let definition = definitions
            .iter()
            .find(|d| d.attribute_model == model && &d.attribute_key == key);
        if let Some(definition) = definition {
            definition.check(value)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn definition(kind: AttributeDisplayType) -> CustomAttributeDefinition {
        CustomAttributeDefinition {
            id: CustomAttributeDefinitionId(1),
            account_id: AccountId(1),
            attribute_model: AttributeModel::ContactAttribute,
            attribute_key: "plan".into(),
            attribute_display_name: "Plan".into(),
            attribute_display_type: kind,
            attribute_description: None,
            attribute_values: vec!["free".into(), "pro".into()],
            regex_pattern: None,
            regex_cue: None,
            position: 10,
            created_at: 0,
            updated_at: 0,
        }
    }

    fn fields<'a>(key: &'a str, kind: &'a Value, model: &'a Value) -> DefinitionFields<'a> {
        DefinitionFields {
            attribute_display_name: Some("Plan"),
            attribute_key: Some(key),
            attribute_display_type: Some(kind),
            attribute_model: Some(model),
            ..Default::default()
        }
    }

    #[test]
    fn models_and_types_read_by_name_or_by_number() {
        assert_eq!(
            AttributeModel::parse(&json!(1)).unwrap(),
            AttributeModel::ContactAttribute
        );
        assert_eq!(
            AttributeModel::parse(&json!("0")).unwrap(),
            AttributeModel::ConversationAttribute
        );
        assert_eq!(
            AttributeModel::parse(&json!("contact_attribute")).unwrap(),
            AttributeModel::ContactAttribute
        );
        assert!(AttributeModel::parse(&json!(2)).is_err());
        assert_eq!(
            AttributeDisplayType::parse(&json!(6)).unwrap(),
            AttributeDisplayType::List
        );
        assert_eq!(AttributeDisplayType::Checkbox.code(), 7);
        let err = AttributeDisplayType::parse(&json!("colour")).unwrap_err();
        assert_eq!(err.attributes, ["attribute_display_type"]);
    }

    #[test]
    fn keys_are_slugs_and_may_not_shadow_standard_attributes() {
        let (text, contact) = (json!("text"), json!(1));
        let ok = NewCustomAttributeDefinition::validate(
            AccountId(1),
            fields("plan.tier-2", &text, &contact),
        );
        assert!(ok.is_ok());
        for bad in ["has space", "email", ""] {
            let err =
                NewCustomAttributeDefinition::validate(AccountId(1), fields(bad, &text, &contact))
                    .unwrap_err();
            assert_eq!(err.attributes, ["attribute_key"], "{bad}");
        }
    }

    #[test]
    fn a_list_needs_values_and_a_pattern_must_compile() {
        let (list, contact) = (json!("list"), json!(1));
        let err =
            NewCustomAttributeDefinition::validate(AccountId(1), fields("plan", &list, &contact))
                .unwrap_err();
        assert_eq!(err.attributes, ["attribute_values"]);
        let text = json!("text");
        let mut f = fields("code", &text, &contact);
        f.regex_pattern = Some("/([a-z/");
        let err = NewCustomAttributeDefinition::validate(AccountId(1), f).unwrap_err();
        assert_eq!(err.attributes, ["regex_pattern"]);
    }

    #[test]
    fn values_are_checked_against_their_type() {
        use AttributeDisplayType::*;
        let cases = [
            (Number, json!(3), true),
            (Number, json!("4.5"), true),
            (Number, json!("many"), false),
            (Percent, json!(true), false),
            (List, json!("pro"), true),
            (List, json!("gold"), false),
            (Checkbox, json!(false), true),
            (Checkbox, json!("yes"), false),
            (Date, json!("2026-12-03"), true),
            (Date, json!("2026-12-03T10:00:00.000Z"), true),
            (Date, json!("tomorrow"), false),
            (Link, json!("https://example.com/a"), true),
            (Link, json!("javascript:alert(1)"), false),
            (Text, json!("anything"), true),
            (Text, json!(5), false),
            (Text, Value::Null, true),
        ];
        for (kind, value, ok) in cases {
            let result = definition(kind).check(&value);
            assert_eq!(result.is_ok(), ok, "{kind:?} {value}");
            if let Err(err) = result {
                assert_eq!(err.attributes, ["plan"]);
            }
        }
    }

    #[test]
    fn a_regex_pattern_in_javascript_notation_applies_with_its_cue() {
        let mut d = definition(AttributeDisplayType::Text);
        d.regex_pattern = Some("/^[a-z]{2}-\\d+$/i".into());
        d.regex_cue = Some("Use a code like AB-12".into());
        assert!(d.check(&json!("AB-12")).is_ok());
        let err = d.check(&json!("12")).unwrap_err();
        assert_eq!(err.message, "Use a code like AB-12");
        assert_eq!(err.attributes, ["plan"]);
    }

    #[test]
    fn values_are_shown_formatted_for_their_type_and_misfits_as_stored() {
        use AttributeDisplayType::*;
        let cases = [
            (Checkbox, json!(true), "Yes"),
            (Checkbox, json!(false), "No"),
            (Currency, json!(1234.5), "1,234.50"),
            (Currency, json!("-1000000"), "-1,000,000.00"),
            (Currency, json!(12), "12.00"),
            (Percent, json!(12.5), "12.5%"),
            (Date, json!("2027-01-31"), "Jan 31, 2027"),
            (Date, json!("2026-12-03T23:30:00-02:00"), "Dec 4, 2026"),
            (Date, json!("soon"), "soon"),
            (Number, json!(3), "3"),
            (List, json!("pro"), "pro"),
            (Text, json!(5), "5"),
        ];
        for (kind, value, text) in cases {
            let shown = definition(kind).show(&value);
            assert_eq!(shown.text, text, "{kind:?} {value}");
            assert_eq!(shown.href, None);
        }
        let link = definition(Link).show(&json!("https://example.com/a"));
        assert_eq!(link.href.as_deref(), Some("https://example.com/a"));
        let not_a_link = definition(Link).show(&json!("javascript:alert(1)"));
        assert_eq!(not_a_link.href, None);
    }

    #[test]
    fn only_defined_keys_of_the_model_are_checked() {
        let defs = [definition(AttributeDisplayType::Number)];
        let attrs = json!({"plan": "x", "other": "free"});
        let attrs = attrs.as_object().unwrap();
        assert!(check_values(&defs, AttributeModel::ContactAttribute, attrs).is_err());
        assert!(check_values(&defs, AttributeModel::ConversationAttribute, attrs).is_ok());
    }
}
