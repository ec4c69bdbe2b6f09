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
