//! Chatwoot's advanced filters (`POST …/conversations/filter`, `POST …/contacts/filter`) and the
//! list's text search, validated into conditions the store maps to SQL in one place.
//!
//! The payload is Chatwoot's: `[{"attribute_key", "filter_operator", "values", "query_operator"}]`.
//! The attributes and the operators each allows are those of Chatwoot's
//! `lib/filters/filter_keys.yml`; conditions chain as Chatwoot's `FilterService` writes them,
//! `c1 AND c2 OR c3` in SQL's precedence (AND before OR), each condition's `query_operator`
//! joining it to the next. The errors are Chatwoot's four (`CustomExceptions::CustomFilter`), as
//! our 422 naming the field. Dates are compared by UTC day, as Chatwoot's `::date` casts do.

use crate::DomainError;
use serde_json::Value;
use time::{Date, Duration, OffsetDateTime, Time};

/// The most conditions one filter may hold (Chatwoot's UI builds a handful).
pub const MAX_CONDITIONS: usize = 32;
/// The most values one condition may hold.
pub const MAX_VALUES: usize = 100;
/// The longest value (or search text) accepted.
pub const MAX_VALUE_LEN: usize = 255;

/// What is being filtered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    Conversations,
    Contacts,
}

/// A filter operator of Chatwoot's `filter_keys.yml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    EqualTo,
    NotEqualTo,
    Contains,
    DoesNotContain,
    IsPresent,
    IsNotPresent,
    IsGreaterThan,
    IsLessThan,
    DaysBefore,
    StartsWith,
}

impl Operator {
    pub const ALL: [Operator; 10] = [
        Operator::EqualTo,
        Operator::NotEqualTo,
        Operator::Contains,
        Operator::DoesNotContain,
        Operator::IsPresent,
        Operator::IsNotPresent,
        Operator::IsGreaterThan,
        Operator::IsLessThan,
        Operator::DaysBefore,
        Operator::StartsWith,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Operator::EqualTo => "equal_to",
            Operator::NotEqualTo => "not_equal_to",
            Operator::Contains => "contains",
            Operator::DoesNotContain => "does_not_contain",
            Operator::IsPresent => "is_present",
            Operator::IsNotPresent => "is_not_present",
            Operator::IsGreaterThan => "is_greater_than",
            Operator::IsLessThan => "is_less_than",
            Operator::DaysBefore => "days_before",
            Operator::StartsWith => "starts_with",
        }
    }

    pub fn parse(text: &str) -> Option<Operator> {
        Operator::ALL.into_iter().find(|o| o.as_str() == text)
    }
}

use Operator::*;

const EQUALITY: &[Operator] = &[EqualTo, NotEqualTo];
const PRESENCE: &[Operator] = &[EqualTo, NotEqualTo, IsPresent, IsNotPresent];
const TEXT: &[Operator] = &[EqualTo, NotEqualTo, Contains, DoesNotContain];
const DATES: &[Operator] = &[IsGreaterThan, IsLessThan, DaysBefore];

/// A column of the conversation or contact row a condition reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Status,
    AssigneeId,
    InboxId,
    TeamId,
    Priority,
    DisplayId,
    CreatedAt,
    LastActivityAt,
    Name,
    Email,
    PhoneNumber,
    Identifier,
}

/// What a condition compares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    Column(Column),
    /// The conversation's (or contact's) labels, matched without case.
    Labels,
    /// A key of `additional_attributes`.
    Additional(&'static str),
    /// Chatwoot's contact `blocked`: Switchboard blocks no one, so it is false for every contact.
    Blocked,
}

/// How a value is read and compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Conversation status names.
    Status,
    /// Conversation priority names (`low`, `medium`, `high`, `urgent`).
    Priority,
    /// Whole numbers (ids).
    Number,
    /// Text compared as given.
    Text,
    /// Text compared without case (Chatwoot's `text_case_insensitive`).
    TextNoCase,
    /// A contact's phone number: as `TextNoCase`, but an equality value is read as Chatwoot's
    /// `Contacts::FilterService` reads it, with one leading `+` (`4930…` and `+4930…` alike).
    Phone,
    Labels,
    Date,
    Boolean,
}

struct Attribute {
    key: &'static str,
    field: Field,
    kind: Kind,
    operators: &'static [Operator],
}

const fn column(
    key: &'static str,
    column: Column,
    kind: Kind,
    operators: &'static [Operator],
) -> Attribute {
    Attribute {
        key,
        field: Field::Column(column),
        kind,
        operators,
    }
}

const fn additional(key: &'static str, kind: Kind, operators: &'static [Operator]) -> Attribute {
    Attribute {
        key,
        field: Field::Additional(key),
        kind,
        operators,
    }
}

/// Chatwoot's conversation keys that Switchboard has the data for (`campaign_id` is refused as
/// unknown: Switchboard has no campaigns).
const CONVERSATION_ATTRIBUTES: &[Attribute] = &[
    column("status", Column::Status, Kind::Status, EQUALITY),
    column("assignee_id", Column::AssigneeId, Kind::Number, PRESENCE),
    column("inbox_id", Column::InboxId, Kind::Number, PRESENCE),
    column("team_id", Column::TeamId, Kind::Number, PRESENCE),
    column("priority", Column::Priority, Kind::Priority, EQUALITY),
    column("display_id", Column::DisplayId, Kind::Number, TEXT),
    Attribute {
        key: "labels",
        field: Field::Labels,
        kind: Kind::Labels,
        operators: PRESENCE,
    },
    additional("browser_language", Kind::Text, EQUALITY),
    additional("conversation_language", Kind::Text, EQUALITY),
    additional("country_code", Kind::Text, EQUALITY),
    additional("referer", Kind::Text, TEXT),
    additional("mail_subject", Kind::Text, TEXT),
    column("created_at", Column::CreatedAt, Kind::Date, DATES),
    column(
        "last_activity_at",
        Column::LastActivityAt,
        Kind::Date,
        DATES,
    ),
];

/// Chatwoot's contact keys.
const CONTACT_ATTRIBUTES: &[Attribute] = &[
    column("name", Column::Name, Kind::TextNoCase, TEXT),
    column(
        "phone_number",
        Column::PhoneNumber,
        Kind::Phone,
        &[EqualTo, NotEqualTo, Contains, DoesNotContain, StartsWith],
    ),
    column("email", Column::Email, Kind::TextNoCase, TEXT),
    column("identifier", Column::Identifier, Kind::TextNoCase, EQUALITY),
    additional("country_code", Kind::TextNoCase, EQUALITY),
    additional("city", Kind::TextNoCase, TEXT),
    // Chatwoot's key is `company`; the contact's company is kept as `company_name`, where
    // Chatwoot's contact form keeps it too.
    Attribute {
        key: "company",
        field: Field::Additional("company_name"),
        kind: Kind::TextNoCase,
        operators: TEXT,
    },
    column("created_at", Column::CreatedAt, Kind::Date, DATES),
    column(
        "last_activity_at",
        Column::LastActivityAt,
        Kind::Date,
        DATES,
    ),
    Attribute {
        key: "labels",
        field: Field::Labels,
        kind: Kind::Labels,
        operators: PRESENCE,
    },
    Attribute {
        key: "blocked",
        field: Field::Blocked,
        kind: Kind::Boolean,
        operators: EQUALITY,
    },
];

impl Subject {
    fn attributes(self) -> &'static [Attribute] {
        match self {
            Subject::Conversations => CONVERSATION_ATTRIBUTES,
            Subject::Contacts => CONTACT_ATTRIBUTES,
        }
    }

    /// The attribute keys a filter of this subject accepts.
    pub fn keys(self) -> Vec<&'static str> {
        self.attributes().iter().map(|a| a.key).collect()
    }

    /// The operators `key` accepts, if it is a key of this subject.
    pub fn operators_of(self, key: &str) -> Option<&'static [Operator]> {
        self.attributes()
            .iter()
            .find(|a| a.key == key)
            .map(|a| a.operators)
    }
}

/// A value a condition compares with, typed for binding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scalar {
    Int(i64),
    Text(String),
}

/// What a condition asks of its field, with values already normalized: lowercased where the
/// comparison ignores case, LIKE patterns escaped (`\` is the escape character), dates turned
/// into epoch-second bounds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Test {
    /// `field IN (…)`.
    In(Vec<Scalar>),
    /// `field NOT IN (…)`.
    NotIn(Vec<Scalar>),
    /// `LOWER(field) LIKE` any of the patterns.
    Like(Vec<String>),
    /// `LOWER(field) LIKE` none of the patterns.
    NotLike(Vec<String>),
    /// `field IS NOT NULL` (labels: has any).
    Present,
    /// `field IS NULL` (labels: has none).
    Absent,
    /// `field >= bound` (epoch seconds).
    AtLeast(i64),
    /// `field < bound` (epoch seconds).
    Below(i64),
}

/// How a condition joins the next one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Join {
    And,
    Or,
}

impl Join {
    pub fn as_sql(self) -> &'static str {
        match self {
            Join::And => " AND ",
            Join::Or => " OR ",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    pub field: Field,
    /// Whether the field is compared without case (`LOWER(field)`).
    pub ignore_case: bool,
    pub test: Test,
    /// Joins this condition to the next; the last condition's is unused.
    pub join: Join,
}

/// A validated filter: conditions in order, or none (everything matches).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Filter {
    pub conditions: Vec<Condition>,
}

impl Filter {
    /// Validates Chatwoot's `payload` array for `subject`; `today` is the current UTC day's
    /// start in epoch seconds (for `days_before`).
    pub fn parse(subject: Subject, payload: &Value, now: i64) -> Result<Filter, DomainError> {
        let items = match payload {
            Value::Array(items) => items,
            Value::Null => return Ok(Filter::default()),
            _ => {
                return Err(DomainError::invalid(
                    "payload",
                    "Payload must be an array of conditions",
                ))
            }
        };
        if items.len() > MAX_CONDITIONS {
            return Err(DomainError::invalid(
                "payload",
                format!("A filter may hold at most {MAX_CONDITIONS} conditions"),
            ));
        }
        // Chatwoot checks every query operator before anything else.
        let mut joins = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            let last = index + 1 == items.len();
            joins.push(query_operator(item.get("query_operator"), last)?);
        }
        let conditions = items
            .iter()
            .zip(joins)
            .map(|(item, join)| condition(subject, item, join, now))
            .collect::<Result<_, _>>()?;
        Ok(Filter { conditions })
    }
}

fn query_operator(value: Option<&Value>, last: bool) -> Result<Join, DomainError> {
    let invalid = || {
        DomainError::invalid(
            "query_operator",
            "Query operator must be either \"AND\" or \"OR\"",
        )
    };
    match value {
        // The last condition joins nothing: whatever it says is unused, as long as it is text.
        None | Some(Value::Null) if last => Ok(Join::And),
        Some(Value::String(text)) if last && text.is_empty() => Ok(Join::And),
        Some(Value::String(text)) => match text.to_ascii_uppercase().as_str() {
            "AND" => Ok(Join::And),
            "OR" => Ok(Join::Or),
            _ => Err(invalid()),
        },
        _ => Err(invalid()),
    }
}

fn condition(
    subject: Subject,
    item: &Value,
    join: Join,
    now: i64,
) -> Result<Condition, DomainError> {
    if !item.is_object() {
        return Err(DomainError::invalid(
            "payload",
            "Each condition must be an object",
        ));
    }
    let key = item
        .get("attribute_key")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let Some(attribute) = subject.attributes().iter().find(|a| a.key == key) else {
        return Err(DomainError::invalid(
            "attribute_key",
            format!(
                "Invalid attribute key - [{}]. The allowed keys are [{}].",
                shorten(key),
                subject.keys().join(",")
            ),
        ));
    };
    let operator = item
        .get("filter_operator")
        .and_then(Value::as_str)
        .and_then(Operator::parse)
        .filter(|o| attribute.operators.contains(o))
        .ok_or_else(|| {
            let allowed: Vec<&str> = attribute.operators.iter().map(|o| o.as_str()).collect();
            DomainError::invalid(
                "filter_operator",
                format!(
                    "Invalid operator. The allowed operators for {key} are [{}].",
                    allowed.join(",")
                ),
            )
        })?;
    let bad_value = || {
        DomainError::invalid(
            "values",
            format!("Invalid value. The values provided for {key} are invalid"),
        )
    };
    let values = values(item.get("values")).ok_or_else(bad_value)?;
    if !matches!(operator, IsPresent | IsNotPresent) && values.is_empty() {
        return Err(bad_value());
    }
    let ignore_case = matches!(attribute.kind, Kind::TextNoCase | Kind::Phone);
    let test = test(attribute.kind, operator, &values, now).ok_or_else(bad_value)?;
    let ignore_case = ignore_case || matches!(test, Test::Like(_) | Test::NotLike(_));
    Ok(Condition {
        field: attribute.field.clone(),
        ignore_case,
        test,
        join,
    })
}

/// The values as text: an array of strings, numbers or booleans, or one of those alone.
fn values(value: Option<&Value>) -> Option<Vec<String>> {
    let one = |v: &Value| match v {
        Value::String(s) => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    };
    let list: Vec<String> = match value {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items.iter().map(one).collect::<Option<_>>()?,
        Some(other) => vec![one(other)?],
    };
    let fits = list.len() <= MAX_VALUES
        && list
            .iter()
            .all(|v| v.chars().count() <= MAX_VALUE_LEN && !v.contains('\0'));
    fits.then_some(list)
}

fn test(kind: Kind, operator: Operator, values: &[String], now: i64) -> Option<Test> {
    Some(match operator {
        IsPresent => Test::Present,
        IsNotPresent => Test::Absent,
        EqualTo | NotEqualTo => {
            let scalars = scalars(kind, values)?;
            if operator == EqualTo {
                Test::In(scalars)
            } else {
                Test::NotIn(scalars)
            }
        }
        Contains | DoesNotContain => {
            let patterns = values
                .iter()
                .map(|v| format!("%{}%", like_escape(&v.to_lowercase())))
                .collect();
            if operator == Contains {
                Test::Like(patterns)
            } else {
                Test::NotLike(patterns)
            }
        }
        StartsWith => Test::Like(vec![format!(
            "{}%",
            like_escape(&values.first()?.to_lowercase())
        )]),
        // Chatwoot compares `field::date` with the value's date.
        IsGreaterThan => Test::AtLeast(day_start(date(values.first()?)?.next_day()?)),
        IsLessThan => Test::Below(day_start(date(values.first()?)?)),
        DaysBefore => {
            let days: i64 = values.first()?.parse().ok()?;
            if !(0..=100_000).contains(&days) {
                return None;
            }
            let today = OffsetDateTime::from_unix_timestamp(now).ok()?.date();
            Test::Below(day_start(today.checked_sub(Duration::days(days))?))
        }
    })
}

/// Typed values for `IN`: status names checked (`all` is every status), ids as numbers, text
/// lowercased where compared without case, booleans as 0/1.
fn scalars(kind: Kind, values: &[String]) -> Option<Vec<Scalar>> {
    let mut out = Vec::with_capacity(values.len());
    for value in values {
        match kind {
            Kind::Status if value == "all" => {
                out.extend(
                    crate::Status::ALL
                        .iter()
                        .map(|s| Scalar::Text(s.as_str().to_owned())),
                );
            }
            Kind::Status => {
                let status = crate::Status::parse(value).ok()?;
                out.push(Scalar::Text(status.as_str().to_owned()));
            }
            Kind::Priority => {
                let priority = crate::Priority::parse(&Value::String(value.clone())).ok()??;
                out.push(Scalar::Text(priority.as_str().to_owned()));
            }
            Kind::Number => out.push(Scalar::Int(value.parse().ok()?)),
            Kind::Text | Kind::Date => out.push(Scalar::Text(value.clone())),
            // Label titles are kept lowercased (`conversation::label_set`).
            Kind::Labels => out.push(Scalar::Text(value.to_lowercase())),
            Kind::TextNoCase => out.push(Scalar::Text(value.to_lowercase())),
            Kind::Phone => out.push(Scalar::Text(format!(
                "+{}",
                value.trim_start_matches('+').to_lowercase()
            ))),
            Kind::Boolean => out.push(Scalar::Int(match value.as_str() {
                "true" | "1" => 1,
                "false" | "0" => 0,
                _ => return None,
            })),
        }
    }
    Some(out)
}

/// A `YYYY-MM-DD` date, or the date of an RFC 3339 instant.
fn date(text: &str) -> Option<Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(text.get(..10)?, &format).ok()
}

fn day_start(date: Date) -> i64 {
    date.with_time(Time::MIDNIGHT).assume_utc().unix_timestamp()
}

/// Escapes `\`, `%` and `_` so a LIKE pattern matches them literally (`ESCAPE '\'`).
pub fn like_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// An attribute key as quoted back in a message: at most 64 characters.
fn shorten(key: &str) -> String {
    key.chars().take(64).collect()
}

/// The list's text search (`q`): what an agent typed, trimmed, as a LIKE pattern for
/// case-insensitive matching, and the display id it names when it is a number (`12` or `#12`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Search {
    pub pattern: String,
    pub display_id: Option<i64>,
}

impl Search {
    /// `None` for a blank search (the list is not searched).
    pub fn parse(q: &str) -> Result<Option<Search>, DomainError> {
        let text = q.trim();
        crate::validate::limit("q", text, MAX_VALUE_LEN)?;
        if text.is_empty() {
            return Ok(None);
        }
        let display_id = text.strip_prefix('#').unwrap_or(text).parse::<i64>().ok();
        Ok(Some(Search {
            pattern: format!("%{}%", like_escape(&text.to_lowercase())),
            display_id,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const NOW: i64 = 1_764_050_000; // 2025-11-25T05:53:20Z

    fn parse(subject: Subject, payload: Value) -> Result<Filter, DomainError> {
        Filter::parse(subject, &payload, NOW)
    }

    fn one(attribute: &str, operator: &str, values: Value) -> Value {
        json!([{"attribute_key": attribute, "filter_operator": operator, "values": values, "query_operator": null}])
    }

    #[test]
    fn conditions_chain_with_their_query_operators() {
        let filter = parse(
            Subject::Conversations,
            json!([
                {"attribute_key": "status", "filter_operator": "equal_to", "values": ["open"], "query_operator": "and"},
                {"attribute_key": "inbox_id", "filter_operator": "equal_to", "values": [1, "2"], "query_operator": "OR"},
                {"attribute_key": "labels", "filter_operator": "is_present", "values": []}
            ]),
        )
        .unwrap();
        let joins: Vec<Join> = filter.conditions.iter().map(|c| c.join).collect();
        assert_eq!(joins, [Join::And, Join::Or, Join::And]);
        assert_eq!(
            filter.conditions[1].test,
            Test::In(vec![Scalar::Int(1), Scalar::Int(2)])
        );
    }

    #[test]
    fn each_error_names_its_field() {
        let field = |payload| {
            parse(Subject::Conversations, payload)
                .unwrap_err()
                .attributes
        };
        assert_eq!(
            field(one("nope", "equal_to", json!([1]))),
            ["attribute_key"]
        );
        assert_eq!(
            field(one("status", "contains", json!(["open"]))),
            ["filter_operator"]
        );
        assert_eq!(
            field(one("status", "equal_to", json!(["closed"]))),
            ["values"]
        );
        assert_eq!(field(one("inbox_id", "equal_to", json!([]))), ["values"]);
        assert_eq!(
            field(one("inbox_id", "equal_to", json!([{"id": 1}]))),
            ["values"]
        );
        assert_eq!(
            field(json!([
                {"attribute_key": "status", "filter_operator": "equal_to", "values": ["open"], "query_operator": "xor"},
                {"attribute_key": "status", "filter_operator": "equal_to", "values": ["open"]}
            ])),
            ["query_operator"]
        );
        assert_eq!(field(json!({"status": "open"})), ["payload"]);
    }

    #[test]
    fn unknown_keys_are_quoted_with_the_allowed_ones() {
        let error = parse(Subject::Contacts, one("plan", "equal_to", json!(["pro"]))).unwrap_err();
        assert!(error.message.contains("[plan]"), "{}", error.message);
        assert!(error.message.contains("phone_number"), "{}", error.message);
    }

    #[test]
    fn dates_compare_by_utc_day() {
        let gt = parse(
            Subject::Conversations,
            one("created_at", "is_greater_than", json!(["2025-11-24"])),
        )
        .unwrap();
        assert_eq!(gt.conditions[0].test, Test::AtLeast(1_764_028_800)); // 2025-11-25T00:00Z
        let lt = parse(
            Subject::Conversations,
            one(
                "created_at",
                "is_less_than",
                json!(["2025-11-25T10:00:00Z"]),
            ),
        )
        .unwrap();
        assert_eq!(lt.conditions[0].test, Test::Below(1_764_028_800));
        let before = parse(
            Subject::Conversations,
            one("last_activity_at", "days_before", json!([1])),
        )
        .unwrap();
        assert_eq!(before.conditions[0].test, Test::Below(1_763_942_400)); // 2025-11-24
        assert!(parse(
            Subject::Conversations,
            one("created_at", "is_less_than", json!(["soon"]))
        )
        .is_err());
    }

    #[test]
    fn text_without_case_and_like_patterns_are_normalized() {
        let filter = parse(
            Subject::Contacts,
            one("email", "contains", json!(["50%_OFF\\"])),
        )
        .unwrap();
        let c = &filter.conditions[0];
        assert!(c.ignore_case);
        assert_eq!(c.test, Test::Like(vec!["%50\\%\\_off\\\\%".into()]));
        let status = parse(
            Subject::Conversations,
            one("status", "not_equal_to", json!(["all"])),
        )
        .unwrap();
        assert!(matches!(&status.conditions[0].test, Test::NotIn(v) if v.len() == 4));
    }

    #[test]
    fn priorities_are_chatwoots_four_names() {
        let filter = parse(
            Subject::Conversations,
            one("priority", "equal_to", json!(["urgent", "low"])),
        )
        .unwrap();
        assert_eq!(
            filter.conditions[0].test,
            Test::In(vec![
                Scalar::Text("urgent".into()),
                Scalar::Text("low".into())
            ])
        );
        for bad in [json!(["critical"]), json!([""]), json!([3])] {
            let error =
                parse(Subject::Conversations, one("priority", "equal_to", bad)).unwrap_err();
            assert_eq!(error.attributes, ["values"]);
        }
        let error = parse(
            Subject::Conversations,
            one("priority", "is_present", json!([])),
        )
        .unwrap_err();
        assert_eq!(error.attributes, ["filter_operator"]);
    }

    #[test]
    fn a_phone_number_to_equal_has_one_leading_plus() {
        for value in ["4930123", "+4930123", "++4930123"] {
            let filter = parse(
                Subject::Contacts,
                one("phone_number", "equal_to", json!([value])),
            )
            .unwrap();
            assert_eq!(
                filter.conditions[0].test,
                Test::In(vec![Scalar::Text("+4930123".into())]),
                "{value}"
            );
        }
        let starts = parse(
            Subject::Contacts,
            one("phone_number", "starts_with", json!(["4930"])),
        )
        .unwrap();
        assert_eq!(starts.conditions[0].test, Test::Like(vec!["4930%".into()]));
    }

    #[test]
    fn an_empty_payload_filters_nothing() {
        assert!(parse(Subject::Conversations, json!([]))
            .unwrap()
            .conditions
            .is_empty());
    }

    #[test]
    fn a_search_names_a_display_id_when_it_is_a_number() {
        let search = Search::parse(" #12 ").unwrap().unwrap();
        assert_eq!(search.display_id, Some(12));
        assert_eq!(search.pattern, "%#12%");
        assert_eq!(Search::parse("  ").unwrap(), None);
    }
}
