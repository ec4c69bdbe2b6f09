//! Who has sent the weekly report: every commune under a district (or province) for a week,
//! on time, late or not yet, and how many of the campaign's weeks came on time.

use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Principal;
use crate::clock::{now, rfc3339, vietnam_date};
use crate::error::Result;
use crate::metrics::campaigns;
use crate::metrics::deadline::{DeadlineRule, ReportWeek, Timeliness};
use crate::metrics::friday::{week_of, ReportQuery};
use crate::metrics::readable_unit;
use crate::store::Store;

/// One commune's standing for a week and over the campaign.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommuneStanding {
    pub code: String,
    pub name: String,
    /// `on_time`, `late` or `not_yet`.
    pub status: String,
    pub submitted_at: Option<String>,
    pub submitted_by_name: Option<String>,
    /// Weeks of the campaign whose deadline has passed, and how many of them came on time.
    pub due_weeks: i64,
    pub on_time_weeks: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportsOverview {
    pub week: String,
    pub deadline: String,
    pub communes: Vec<CommuneStanding>,
}

/// Who has reported: every commune under a unit (district, province), for a week.
pub async fn overview(
    store: &Store,
    who: &Principal,
    code: &str,
    week: Option<&str>,
    q: &ReportQuery,
) -> Result<ReportsOverview> {
    let unit = readable_unit(store, who, code).await?;
    let at = now();
    let campaign = campaigns::for_request(store, q.campaign).await?;
    let rule = campaign
        .as_ref()
        .map_or_else(DeadlineRule::default, |c| c.deadline_rule());
    let w = match week {
        Some(day) => week_of(day, rule)?,
        None => ReportWeek::at(at, rule),
    };
    let first = campaign
        .as_ref()
        .map(|c| {
            c.start_date
                .clone()
                .unwrap_or_else(|| c.baseline_date.clone())
        })
        .and_then(|d| ReportWeek::of(&d, rule))
        .map_or_else(|| w.week.clone(), |f| f.week);
    let key = campaign.as_ref().map_or(0, |c| c.id);
    let reports = store
        .weekly_reports_under(&unit.path, key, &first, &w.week)
        .await?;
    let communes = store
        .units(&crate::store::UnitFilter {
            under_path: Some(&unit.path),
            level: Some("commune"),
            limit: 100_000,
            ..Default::default()
        })
        .await?;
    // Weeks from the campaign's first up to this one whose deadline has passed.
    let mut due: Vec<ReportWeek> = Vec::new();
    let mut cursor = ReportWeek::of(&first, rule);
    while let Some(cw) = cursor.filter(|cw| cw.week <= w.week) {
        if cw.deadline < at {
            due.push(cw.clone());
        }
        let next_day = vietnam_date(cw.deadline + 3 * 86_400).0;
        cursor = ReportWeek::of(&next_day, rule);
    }
    let standings = communes
        .into_iter()
        .map(|c| {
            let mine: Vec<_> = reports
                .iter()
                .filter(|r| r.commune_code == c.code)
                .collect();
            let this = mine.iter().find(|r| r.week == w.week);
            let on_time_weeks = due
                .iter()
                .filter(|d| {
                    mine.iter().any(|r| {
                        r.week == d.week && d.timeliness(r.submitted_at) == Timeliness::OnTime
                    })
                })
                .count() as i64;
            CommuneStanding {
                status: match this {
                    None => "not_yet".into(),
                    Some(r) if w.timeliness(r.submitted_at) == Timeliness::OnTime => {
                        "on_time".into()
                    }
                    Some(_) => "late".into(),
                },
                submitted_at: this.map(|r| rfc3339(r.submitted_at)),
                submitted_by_name: this.map(|r| r.submitted_by_name.clone()),
                due_weeks: due.len() as i64,
                on_time_weeks,
                code: c.code,
                name: c.name,
            }
        })
        .collect();
    Ok(ReportsOverview {
        week: w.week.clone(),
        deadline: rfc3339(w.deadline),
        communes: standings,
    })
}
