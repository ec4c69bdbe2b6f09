//! The weekly rhythm of the plans: the commune sends its report to the district before 15:00
//! every Friday, Vietnam time (a campaign may set another weekday and time). A week is named by
//! its Monday; its report shows the figures at the end of its report day.

use serde::Serialize;
use utoipa::ToSchema;

use crate::clock::{vietnam_date, vietnam_day_start, week_of};

/// When a week's report is due: a weekday and a time of day, Vietnam time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeadlineRule {
    /// Days from Monday (0) to the report day.
    days_from_monday: i64,
    /// Seconds into the report day.
    secs_into_day: i64,
}

impl Default for DeadlineRule {
    /// The plans' rule: Friday 15:00.
    fn default() -> Self {
        DeadlineRule {
            days_from_monday: 4,
            secs_into_day: 15 * 3600,
        }
    }
}

impl DeadlineRule {
    /// A weekday (1 Monday … 7 Sunday) and `HH:MM`; `None` when either is not one.
    pub fn new(weekday: i64, time: &str) -> Option<DeadlineRule> {
        let (h, m) = time.split_once(':')?;
        let (h, m): (i64, i64) = (h.parse().ok()?, m.parse().ok()?);
        let valid = (1..=7).contains(&weekday) && (0..24).contains(&h) && (0..60).contains(&m);
        valid.then_some(DeadlineRule {
            days_from_monday: weekday - 1,
            secs_into_day: h * 3600 + m * 60,
        })
    }
}
const DAY: i64 = 86_400;
/// Vietnam is UTC+7, without daylight saving.
const VIETNAM_OFFSET: i64 = 7 * 3600;

/// Whether a report came in by its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Timeliness {
    OnTime,
    Late,
}

/// A reporting week: its Monday, its report day and its deadline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportWeek {
    /// `YYYY-MM-DD`, the Monday.
    pub week: String,
    /// The Friday whose end the figures stand at.
    pub report_day: String,
    /// The Friday a week earlier ("last week" in the report).
    pub previous_report_day: String,
    /// Unix seconds: Friday 15:00 Vietnam time.
    pub deadline: i64,
}

impl ReportWeek {
    /// The week `day` (any day of it, `YYYY-MM-DD`) falls in.
    pub fn of(day: &str, rule: DeadlineRule) -> Option<ReportWeek> {
        Some(ReportWeek::from_monday(
            vietnam_day_start(&week_of(day)?)?,
            rule,
        ))
    }

    /// The week the instant `unix` falls in (Vietnam time).
    pub fn at(unix: i64, rule: DeadlineRule) -> ReportWeek {
        // Days since 1970-01-01 (a Thursday: 3 days after a Monday) on Vietnam's calendar.
        let day = (unix + VIETNAM_OFFSET).div_euclid(DAY);
        let monday = day - (day + 3).rem_euclid(7);
        ReportWeek::from_monday(monday * DAY - VIETNAM_OFFSET, rule)
    }

    /// The week starting at `monday` (Unix seconds of its midnight, Vietnam time).
    fn from_monday(monday: i64, rule: DeadlineRule) -> ReportWeek {
        let report_day = monday + rule.days_from_monday * DAY;
        ReportWeek {
            week: vietnam_date(monday).0,
            report_day: vietnam_date(report_day).0,
            previous_report_day: vietnam_date(report_day - 7 * DAY).0,
            deadline: report_day + rule.secs_into_day,
        }
    }

    /// On time when submitted at or before the deadline.
    pub fn timeliness(&self, submitted_at: i64) -> Timeliness {
        if submitted_at <= self.deadline {
            Timeliness::OnTime
        } else {
            Timeliness::Late
        }
    }

    /// Unix seconds of the start (Saturday 00:00) and end (Friday 24:00) of the seven days the
    /// report's "this week" covers.
    pub fn window(&self) -> (i64, i64) {
        let end = vietnam_day_start(&self.report_day).unwrap_or(self.deadline) + DAY;
        (end - 7 * DAY, end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-12-04 15:00 in Vietnam is 08:00 UTC.
    const FRIDAY_1500: i64 = 1_796_371_200;

    #[test]
    fn the_deadline_is_friday_1500_vietnam_time() {
        let rule = DeadlineRule::default();
        assert_eq!(DeadlineRule::new(5, "15:00"), Some(rule));
        let w = ReportWeek::of("2026-12-02", rule).expect("week");
        assert_eq!(w.week, "2026-11-30");
        assert_eq!(w.report_day, "2026-12-04");
        assert_eq!(w.previous_report_day, "2026-11-27");
        assert_eq!(crate::clock::rfc3339(w.deadline), "2026-12-04T08:00:00Z");
        assert_eq!(w.deadline, FRIDAY_1500);
        assert_eq!(w.timeliness(FRIDAY_1500 - 1), Timeliness::OnTime);
        assert_eq!(w.timeliness(FRIDAY_1500), Timeliness::OnTime);
        assert_eq!(w.timeliness(FRIDAY_1500 + 1), Timeliness::Late);
        // Friday 23:30 in Vietnam is still Friday there but Friday 16:30 UTC: late.
        assert_eq!(
            w.timeliness(FRIDAY_1500 + 8 * 3600 + 1800),
            Timeliness::Late
        );
        // The week of a Sunday evening in Vietnam (Sunday 12:00 UTC) is the same week.
        assert_eq!(
            ReportWeek::at(FRIDAY_1500 + 2 * DAY + 4 * 3600, rule).week,
            "2026-11-30"
        );
        // Monday 06:00 in Vietnam is still Sunday 23:00 UTC: the next week already.
        assert_eq!(
            ReportWeek::at(FRIDAY_1500 + 2 * DAY + 15 * 3600, rule).week,
            "2026-12-07"
        );
        // Both ways of naming a week agree, at every hour of a month.
        for t in (FRIDAY_1500 - 30 * DAY..FRIDAY_1500 + 30 * DAY).step_by(3600) {
            let by_day = ReportWeek::of(&vietnam_date(t).0, rule).expect("week");
            assert_eq!(
                ReportWeek::at(t, rule),
                by_day,
                "at {}",
                crate::clock::rfc3339(t)
            );
        }
        let (from, to) = w.window();
        assert_eq!(crate::clock::rfc3339(from), "2026-11-27T17:00:00Z");
        assert_eq!(to - from, 7 * DAY);
    }

    #[test]
    fn a_campaign_may_set_another_deadline() {
        let thursday_noon = DeadlineRule::new(4, "12:00").expect("rule");
        let w = ReportWeek::of("2026-12-02", thursday_noon).expect("week");
        assert_eq!(w.report_day, "2026-12-03");
        assert_eq!(crate::clock::rfc3339(w.deadline), "2026-12-03T05:00:00Z");
        for (day, time) in [
            (0, "15:00"),
            (8, "15:00"),
            (5, "25:00"),
            (5, "15"),
            (5, "3pm"),
        ] {
            assert_eq!(DeadlineRule::new(day, time), None, "{day} {time}");
        }
    }
}
