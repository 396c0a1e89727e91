//! Time as the wire wants it: epoch seconds in the store, ISO-8601 where Chatwoot prints a date.

use ::time::{format_description::well_known::Rfc3339, OffsetDateTime};

/// Seconds since the Unix epoch, now.
pub fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// `2025-11-25T06:05:00Z` for an epoch-seconds value (Chatwoot's `created_at` on dashboard apps).
pub fn iso8601(epoch_seconds: i64) -> String {
    OffsetDateTime::from_unix_timestamp(epoch_seconds)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

/// Parses an ISO-8601 / RFC 3339 instant or a number of epoch seconds.
pub fn parse_instant(text: &str) -> Option<i64> {
    if let Ok(seconds) = text.trim().parse::<i64>() {
        return Some(seconds);
    }
    OffsetDateTime::parse(text.trim(), &Rfc3339)
        .ok()
        .map(|t| t.unix_timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso8601_round_trips_through_parse_instant() {
        let text = iso8601(1_764_050_000);
        assert_eq!(text, "2025-11-25T05:53:20Z");
        assert_eq!(parse_instant(&text), Some(1_764_050_000));
        assert_eq!(parse_instant("1764050000"), Some(1_764_050_000));
        assert_eq!(parse_instant("next tuesday"), None);
    }
}
