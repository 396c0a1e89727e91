//! The body Chatwoot's `filter` actions share (`conversations#filter`, `contacts#filter`):
//! `{"payload": [conditions], "page": n}`, the page also read from `?page=`.

use super::query_param;
use crate::error::ApiError;
use domain::conversation::parse_page;
use domain::filter::{Filter, Subject};
use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct FilterParams {
    /// The conditions: `[{"attribute_key", "filter_operator", "values", "query_operator"}]`.
    #[schema(value_type = Vec<FilterCondition>)]
    payload: Option<Value>,
    /// 1-based (also accepted as `?page=`).
    #[schema(value_type = Option<i64>)]
    page: Option<Value>,
}

/// One condition of a filter (documentation of the payload; `domain::filter` validates it).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct FilterCondition {
    /// A key of Chatwoot's `filter_keys.yml`, e.g. `status`, `assignee_id`, `labels`.
    attribute_key: String,
    /// `equal_to`, `not_equal_to`, `contains`, `does_not_contain`, `is_present`,
    /// `is_not_present`, `is_greater_than`, `is_less_than`, `days_before` or `starts_with`.
    filter_operator: String,
    /// Values to compare with (ids, names, dates as `YYYY-MM-DD`, a number of days).
    #[schema(value_type = Vec<String>)]
    values: Option<Value>,
    /// `and` or `or`: how this condition joins the next one (unused on the last).
    query_operator: Option<String>,
}

impl FilterParams {
    /// The validated filter and the page it asks for.
    pub fn parse(&self, subject: Subject, query: Option<&str>) -> Result<(Filter, i64), ApiError> {
        let page = match &self.page {
            Some(Value::Number(n)) => parse_page(Some(&n.to_string()))?,
            Some(Value::String(s)) => parse_page(Some(s))?,
            Some(Value::Null) | None => parse_page(query_param(query, "page").as_deref())?,
            Some(_) => parse_page(Some("invalid"))?,
        };
        let payload = self.payload.as_ref().unwrap_or(&Value::Null);
        let filter = Filter::parse(subject, payload, domain::time::now())?;
        Ok((filter, page))
    }
}
