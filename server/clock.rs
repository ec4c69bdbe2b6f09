//! Wall-clock helpers: the database keeps Unix seconds, the API speaks RFC 3339.

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// Current time in Unix seconds (UTC).
pub fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// Formats Unix seconds as RFC 3339; out-of-range values fall back to the epoch.
pub fn rfc3339(unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        .format(&Rfc3339)
        .unwrap_or_default()
}

/// Checks an ISO calendar date (`YYYY-MM-DD`).
pub fn is_iso_date(s: &str) -> bool {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s, &format).is_ok()
}

/// The calendar date in Vietnam (UTC+7, no daylight saving) at Unix seconds `unix`, as
/// `YYYY-MM-DD`, with its year: daily snapshots and ages follow the local day.
pub fn vietnam_date(unix: i64) -> (String, i32) {
    let local =
        OffsetDateTime::from_unix_timestamp(unix + 7 * 3600).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let d = local.date();
    (
        format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day()),
        d.year(),
    )
}

/// Unix seconds at the start (midnight, Vietnam time) of an ISO date, or `None` if it is not one.
pub fn vietnam_day_start(day: &str) -> Option<i64> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let date = time::Date::parse(day, &format).ok()?;
    Some(date.midnight().assume_utc().unix_timestamp() - 7 * 3600)
}

/// The Monday (Vietnam time) of the week an ISO date falls in: weeks are named by it.
pub fn week_of(day: &str) -> Option<String> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let date = time::Date::parse(day, &format).ok()?;
    let monday = date - time::Duration::days(i64::from(date.weekday().number_days_from_monday()));
    Some(format!(
        "{:04}-{:02}-{:02}",
        monday.year(),
        u8::from(monday.month()),
        monday.day()
    ))
}

#[cfg(test)]
mod tests {
    use super::week_of;

    #[test]
    fn weeks_start_on_monday() {
        assert_eq!(week_of("2026-12-03").as_deref(), Some("2026-11-30"));
        assert_eq!(week_of("2026-11-30").as_deref(), Some("2026-11-30"));
        assert_eq!(week_of("2026-12-06").as_deref(), Some("2026-11-30"));
        assert_eq!(week_of("2027-01-01").as_deref(), Some("2026-12-28"));
        assert_eq!(week_of("2026-13-01"), None);
    }
}
