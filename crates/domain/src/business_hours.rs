//! Business hours of an inbox (Chatwoot's `WorkingHour` model and `OutOfOfficeable` concern):
//! seven days, each closed, open all day or open between two times of day, in the inbox's IANA
//! time zone. While the hours are on and the inbox is closed, the widget shows the away state
//! and the out-of-office message.

use crate::DomainError;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Chatwoot's `Inbox#timezone` default.
pub const DEFAULT_TIMEZONE: &str = "UTC";

/// One day of the week, as Chatwoot's `working_hours` entries read (`day_of_week` 0 is Sunday).
/// The times are null on a day closed all day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct WorkingHour {
    pub day_of_week: u8,
    pub closed_all_day: bool,
    pub open_hour: Option<u8>,
    pub open_minutes: Option<u8>,
    pub close_hour: Option<u8>,
    pub close_minutes: Option<u8>,
    pub open_all_day: bool,
}

impl WorkingHour {
    fn closed(day_of_week: u8) -> Self {
        Self {
            day_of_week,
            closed_all_day: true,
            open_hour: None,
            open_minutes: None,
            close_hour: None,
            close_minutes: None,
            open_all_day: false,
        }
    }

    fn nine_to_five(day_of_week: u8) -> Self {
        Self {
            day_of_week,
            closed_all_day: false,
            open_hour: Some(9),
            open_minutes: Some(0),
            close_hour: Some(17),
            close_minutes: Some(0),
            open_all_day: false,
        }
    }

    /// Whether the inbox is open at `second_of_day` (0..86400) of this day. As in Chatwoot's
    /// `open_at?`, the closing minute is inclusive (so 00:00 to 23:59 is the whole day).
    fn open_at(&self, second_of_day: u32) -> bool {
        if self.open_all_day {
            return true;
        }
        if self.closed_all_day {
            return false;
        }
        let at = |hour: Option<u8>, minutes: Option<u8>| {
            u32::from(hour.unwrap_or(0)) * 3600 + u32::from(minutes.unwrap_or(0)) * 60
        };
        let open = at(self.open_hour, self.open_minutes);
        let close = at(self.close_hour, self.close_minutes);
        (open..close + 60).contains(&second_of_day)
    }
}

/// An inbox's business hours: off by default, Chatwoot's default week (Monday to Friday 9:00
/// to 17:00) in UTC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusinessHours {
    pub enabled: bool,
    pub out_of_office_message: Option<String>,
    /// A known IANA zone name (checked by [`timezone`]).
    pub timezone: String,
    /// Indexed by `day_of_week`.
    pub week: [WorkingHour; 7],
}

impl Default for BusinessHours {
    fn default() -> Self {
        Self {
            enabled: false,
            out_of_office_message: None,
            timezone: DEFAULT_TIMEZONE.to_owned(),
            week: std::array::from_fn(|day| {
                let day = day as u8;
                if day == 0 || day == 6 {
                    WorkingHour::closed(day)
                } else {
                    WorkingHour::nine_to_five(day)
                }
            }),
        }
    }
}

impl BusinessHours {
    /// Whether the inbox takes chats at `epoch_seconds`: always when business hours are off.
    /// A zone name that no longer resolves reads as UTC rather than closing the inbox.
    pub fn is_open_at(&self, epoch_seconds: i64) -> bool {
        if !self.enabled {
            return true;
        }
        let zone = jiff::tz::TimeZone::get(&self.timezone).unwrap_or(jiff::tz::TimeZone::UTC);
        let Ok(instant) = jiff::Timestamp::from_second(epoch_seconds) else {
            return true;
        };
        let local = instant.to_zoned(zone);
        let day = local.weekday().to_sunday_zero_offset() as usize;
        let second = u32::from(local.hour() as u8) * 3600
            + u32::from(local.minute() as u8) * 60
            + u32::from(local.second() as u8);
        self.week[day].open_at(second)
    }

    /// Whether the away message is due at `epoch_seconds` (Chatwoot's `out_of_office?`).
    pub fn is_away_at(&self, epoch_seconds: i64) -> bool {
        !self.is_open_at(epoch_seconds)
    }

    /// The week in Chatwoot's `working_hours` order (Sunday first).
    pub fn working_hours(&self) -> Vec<WorkingHour> {
        self.week.to_vec()
    }

    /// These hours with `changes` applied.
    pub fn apply(&mut self, changes: &BusinessHoursChanges) {
        if let Some(on) = changes.enabled {
            self.enabled = on;
        }
        if let Some(message) = &changes.out_of_office_message {
            self.out_of_office_message = message.clone();
        }
        if let Some(zone) = &changes.timezone {
            self.timezone = zone.clone();
        }
        for day in &changes.days {
            self.week[usize::from(day.day_of_week)] = *day;
        }
    }
}

/// A partial update of business hours; `days` replaces only the days it names (Chatwoot's
/// `update_working_hours` finds each entry by `day_of_week`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BusinessHoursChanges {
    pub enabled: Option<bool>,
    /// `Some(None)` clears the message.
    pub out_of_office_message: Option<Option<String>>,
    pub timezone: Option<String>,
    pub days: Vec<WorkingHour>,
}

impl BusinessHoursChanges {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// A known IANA time zone name, as given (Chatwoot validates against `TZInfo`'s identifiers).
pub fn timezone(name: &str) -> Result<String, DomainError> {
    let name = name.trim();
    match jiff::tz::TimeZone::get(name) {
        Ok(_) if !name.is_empty() => Ok(name.to_owned()),
        _ => Err(DomainError::invalid(
            "timezone",
            format!("{name:?} is not a known IANA time zone"),
        )),
    }
}

/// The out-of-office message as an administrator typed it: trimmed, blank clears it.
pub fn out_of_office_message(message: Option<&str>) -> Result<Option<String>, DomainError> {
    crate::validate::optional(
        "out_of_office_message",
        message,
        crate::validate::MAX_MESSAGE,
    )
}

/// Chatwoot's `working_hours` list, each entry validated as `WorkingHour` validates it: a known
/// `day_of_week` (0..6, each at most once), hours 0..23 and minutes 0..59 unless closed all day,
/// closing after opening, not both closed and open all day. An open-all-day entry reads as
/// 00:00 to 23:59 (Chatwoot's `ensure_open_all_day_hours`).
pub fn working_hours(list: &Value) -> Result<Vec<WorkingHour>, DomainError> {
    let invalid = |message: &str| DomainError::invalid("working_hours", message);
    let entries = list
        .as_array()
        .ok_or_else(|| invalid("working_hours must be a list of days"))?;
    let mut days: Vec<WorkingHour> = Vec::with_capacity(entries.len());
    for entry in entries {
        let day = working_hour(entry)?;
        if days.iter().any(|d| d.day_of_week == day.day_of_week) {
            return Err(DomainError::invalid(
                "day_of_week",
                format!("day_of_week {} is given twice", day.day_of_week),
            ));
        }
        days.push(day);
    }
    Ok(days)
}

fn working_hour(entry: &Value) -> Result<WorkingHour, DomainError> {
    let object = entry.as_object().ok_or_else(|| {
        DomainError::invalid(
            "working_hours",
            "Each working_hours entry must be an object",
        )
    })?;
    let number = |field: &'static str, max: u64| -> Result<Option<u8>, DomainError> {
        match object.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => value
                .as_u64()
                .filter(|n| *n <= max)
                .map(|n| Some(n as u8))
                .ok_or_else(|| {
                    DomainError::invalid(field, format!("{field} must be a number from 0 to {max}"))
                }),
        }
    };
    let flag = |field: &'static str| -> Result<bool, DomainError> {
        match object.get(field) {
            None | Some(Value::Null) => Ok(false),
            Some(Value::Bool(on)) => Ok(*on),
            Some(_) => Err(DomainError::invalid(
                field,
                format!("{field} must be true or false"),
            )),
        }
    };
    let day_of_week = number("day_of_week", 6)?
        .ok_or_else(|| DomainError::invalid("day_of_week", "day_of_week is required (0 to 6)"))?;
    let closed_all_day = flag("closed_all_day")?;
    let open_all_day = flag("open_all_day")?;
    if closed_all_day && open_all_day {
        return Err(DomainError::invalid(
            "open_all_day",
            "A day cannot be both open all day and closed all day",
        ));
    }
    if closed_all_day {
        return Ok(WorkingHour::closed(day_of_week));
    }
    if open_all_day {
        return Ok(WorkingHour {
            day_of_week,
            closed_all_day: false,
            open_hour: Some(0),
            open_minutes: Some(0),
            close_hour: Some(23),
            close_minutes: Some(59),
            open_all_day: true,
        });
    }
    let required = |field: &'static str, max: u64| {
        number(field, max)?.ok_or_else(|| {
            DomainError::invalid(
                field,
                format!("{field} is required unless the day is closed all day"),
            )
        })
    };
    let day = WorkingHour {
        day_of_week,
        closed_all_day: false,
        open_hour: Some(required("open_hour", 23)?),
        open_minutes: Some(required("open_minutes", 59)?),
        close_hour: Some(required("close_hour", 23)?),
        close_minutes: Some(required("close_minutes", 59)?),
        open_all_day: false,
    };
    let minutes =
        |h: Option<u8>, m: Option<u8>| u32::from(h.unwrap_or(0)) * 60 + u32::from(m.unwrap_or(0));
    if minutes(day.close_hour, day.close_minutes) <= minutes(day.open_hour, day.open_minutes) {
        return Err(DomainError::invalid(
            "close_hour",
            "Closing time cannot be before opening time",
        ));
    }
    Ok(day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// 2025-12-01 was a Monday; 00:00:00 UTC that day.
    const MONDAY_UTC_MIDNIGHT: i64 = 1_764_547_200;
    const HOUR: i64 = 3600;

    fn enabled(zone: &str) -> BusinessHours {
        BusinessHours {
            enabled: true,
            timezone: zone.to_owned(),
            ..BusinessHours::default()
        }
    }

    #[test]
    fn off_means_always_open() {
        let hours = BusinessHours::default();
        assert!(hours.is_open_at(MONDAY_UTC_MIDNIGHT));
        assert!(hours.is_open_at(MONDAY_UTC_MIDNIGHT - 12 * HOUR));
    }

    #[test]
    fn default_week_is_weekdays_nine_to_five() {
        let hours = enabled("UTC");
        assert!(!hours.is_open_at(MONDAY_UTC_MIDNIGHT + 8 * HOUR + 59 * 60));
        assert!(hours.is_open_at(MONDAY_UTC_MIDNIGHT + 9 * HOUR));
        assert!(hours.is_open_at(MONDAY_UTC_MIDNIGHT + 17 * HOUR + 59));
        assert!(!hours.is_open_at(MONDAY_UTC_MIDNIGHT + 17 * HOUR + 60));
        // Sunday noon and Saturday noon are closed all day.
        assert!(!hours.is_open_at(MONDAY_UTC_MIDNIGHT - 12 * HOUR));
        assert!(!hours.is_open_at(MONDAY_UTC_MIDNIGHT + 5 * 24 * HOUR + 12 * HOUR));
        // Friday noon open.
        assert!(hours.is_open_at(MONDAY_UTC_MIDNIGHT + 4 * 24 * HOUR + 12 * HOUR));
    }

    #[test]
    fn the_day_and_hour_are_the_inbox_zones() {
        // Monday 06:00 UTC is Monday 15:00 in Tokyo (open) and Monday 01:00 in New York (closed).
        let at = MONDAY_UTC_MIDNIGHT + 6 * HOUR;
        assert!(enabled("Asia/Tokyo").is_open_at(at));
        assert!(!enabled("America/New_York").is_open_at(at));
        assert!(!enabled("UTC").is_open_at(at));
        // Monday 02:00 UTC is still Sunday 21:00 in New York: closed all day there.
        let sunday_evening_new_york = MONDAY_UTC_MIDNIGHT + 2 * HOUR;
        assert!(!enabled("America/New_York").is_open_at(sunday_evening_new_york));
        // Friday 20:00 UTC is Friday 15:00 in New York (open) but Saturday 05:00 in Tokyo.
        let friday_evening = MONDAY_UTC_MIDNIGHT + 4 * 24 * HOUR + 20 * HOUR;
        assert!(enabled("America/New_York").is_open_at(friday_evening));
        assert!(!enabled("Asia/Tokyo").is_open_at(friday_evening));
    }

    #[test]
    fn open_all_day_and_closed_all_day() {
        let mut hours = enabled("UTC");
        let days = working_hours(&json!([
            {"day_of_week": 0, "open_all_day": true},
            {"day_of_week": 1, "closed_all_day": true}
        ]))
        .unwrap();
        hours.apply(&BusinessHoursChanges {
            days,
            ..Default::default()
        });
        assert!(hours.is_open_at(MONDAY_UTC_MIDNIGHT - 2));
        assert!(!hours.is_open_at(MONDAY_UTC_MIDNIGHT + 12 * HOUR));
        assert_eq!(hours.week[0].close_hour, Some(23));
        assert_eq!(hours.week[1].open_hour, None);
        // The other days are unchanged.
        assert_eq!(hours.week[2], BusinessHours::default().week[2]);
    }

    #[test]
    fn validation_names_the_field() {
        let field = |value: Value| working_hours(&value).unwrap_err().attributes[0].clone();
        assert_eq!(field(json!({})), "working_hours");
        assert_eq!(field(json!([{"day_of_week": 7}])), "day_of_week");
        assert_eq!(field(json!([{"closed_all_day": true}])), "day_of_week");
        let day = |extra: Value| {
            let mut entry = json!({"day_of_week": 1, "open_hour": 9, "open_minutes": 0,
                "close_hour": 17, "close_minutes": 30});
            entry
                .as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            json!([entry])
        };
        assert!(working_hours(&day(json!({}))).is_ok());
        assert_eq!(field(day(json!({"open_hour": 24}))), "open_hour");
        assert_eq!(field(day(json!({"close_minutes": 60}))), "close_minutes");
        assert_eq!(field(day(json!({"open_minutes": -1}))), "open_minutes");
        assert_eq!(field(day(json!({"close_hour": null}))), "close_hour");
        assert_eq!(field(day(json!({"close_hour": 8}))), "close_hour");
        assert_eq!(
            field(day(json!({"close_hour": 9, "close_minutes": 0}))),
            "close_hour"
        );
        assert_eq!(
            field(day(json!({"closed_all_day": true, "open_all_day": true}))),
            "open_all_day"
        );
        assert_eq!(
            field(json!([{"day_of_week": 2, "closed_all_day": true},
                         {"day_of_week": 2, "closed_all_day": true}])),
            "day_of_week"
        );
    }

    #[test]
    fn timezones_must_be_known() {
        assert_eq!(timezone("Europe/Berlin").unwrap(), "Europe/Berlin");
        assert_eq!(timezone("UTC").unwrap(), "UTC");
        assert_eq!(
            timezone("Mars/Olympus").unwrap_err().attributes,
            ["timezone"]
        );
        assert_eq!(timezone("").unwrap_err().attributes, ["timezone"]);
    }
}
