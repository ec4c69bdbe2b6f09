//! The commune's Friday report to the district: the indicators now, last week and at the
//! baseline; what the week added (households visited, persons surveyed) by village and by
//! member; what is still open (conflicts, send-backs). The commune officer submits it once;
//! it is then frozen as sent, and read back with today's figures for the same days beside it
//! when they were restated since (`reporting` says which communes sent theirs, and when).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::{Principal, Role};
use crate::clock::{now, rfc3339};
use crate::error::{Error, Result};
use crate::metrics::campaigns;
use crate::metrics::deadline::{DeadlineRule, ReportWeek, Timeliness};
use crate::metrics::{readable_unit, unit_indicators, IndicatorQuery, IndicatorTable};
use crate::store::{NewWeeklyReport, Store, UnitRow};

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    /// Campaign whose targets and baseline apply; default: the current campaign.
    pub campaign: Option<i64>,
}

/// One indicator in the report: now, a week earlier, at the baseline.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WeekIndicator {
    pub id: i64,
    pub numerator: i64,
    pub denominator: i64,
    pub rate: Option<f64>,
    pub target: f64,
    pub met: Option<bool>,
    pub last_week_rate: Option<f64>,
    pub baseline_rate: Option<f64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WeekVillage {
    pub code: String,
    pub name: String,
    pub households_known: i64,
    pub households_visited: i64,
    pub visited_this_week: i64,
    pub persons_surveyed: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WeekMember {
    /// The member's name as shown to people.
    pub display_name: String,
    pub households_visited: i64,
    pub visited_this_week: i64,
}

/// The report's content: what the commune officer sees and submits.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FridayReport {
    pub commune_code: String,
    pub commune_name: String,
    pub week: String,
    /// The Friday the figures stand at (the end of that day).
    pub report_day: String,
    pub previous_report_day: String,
    pub baseline_day: Option<String>,
    pub campaign_id: Option<i64>,
    pub campaign_name: Option<String>,
    pub households_known: i64,
    pub households_visited: i64,
    pub persons_surveyed: i64,
    pub households_visited_this_week: i64,
    pub persons_surveyed_this_week: i64,
    /// People helped this week, by kind (`installed_vneid`, `opened_payment_account`…), from
    /// the visits' `helped` answers; kinds nobody was helped with are absent.
    pub helped_this_week: BTreeMap<String, i64>,
    pub indicators: Vec<WeekIndicator>,
    pub villages: Vec<WeekVillage>,
    pub members: Vec<WeekMember>,
    pub open_conflicts: i64,
    pub open_send_backs: i64,
}

/// A week's report: the draft (live), or the one submitted with today's figures beside it.
#[derive(Debug, Serialize, ToSchema)]
pub struct WeeklyReport {
    pub week: String,
    /// Friday 15:00, Vietnam time.
    pub deadline: String,
    /// `draft` or `submitted`.
    pub status: String,
    pub timeliness: Option<Timeliness>,
    pub submitted_at: Option<String>,
    pub submitted_by_name: Option<String>,
    /// As submitted (frozen), or the live draft.
    #[schema(value_type = FridayReport)]
    pub report: serde_json::Value,
    /// Today's figures for the same days, when they differ from what was submitted (late
    /// changes restated those days).
    #[schema(value_type = Option<FridayReport>)]
    pub revision: Option<serde_json::Value>,
}

pub(super) fn week_of(week: &str, rule: DeadlineRule) -> Result<ReportWeek> {
    ReportWeek::of(week, rule)
        .ok_or_else(|| Error::bad_request(format!("week '{week}' is not a date (YYYY-MM-DD)")))
}

/// The campaign a report is filed under (its id, 0 for none) and when its reports are due.
async fn campaign_rule(store: &Store, requested: Option<i64>) -> Result<(i64, DeadlineRule)> {
    Ok(campaigns::for_request(store, requested)
        .await?
        .map_or((0, DeadlineRule::default()), |c| (c.id, c.deadline_rule())))
}

async fn commune(store: &Store, who: &Principal, code: &str) -> Result<UnitRow> {
    let unit = readable_unit(store, who, code).await?;
    if unit.level != "commune" {
        return Err(Error::bad_request(format!(
            "{} is a {}: the weekly report is the commune's",
            unit.name, unit.level
        )));
    }
    Ok(unit)
}

/// Computes the report of a week from today's data.
async fn compute(
    store: &Store,
    who: &Principal,
    unit: &UnitRow,
    w: &ReportWeek,
    campaign: Option<i64>,
) -> Result<FridayReport> {
    let query = |day: &str| IndicatorQuery {
        as_of: Some(day.to_string()),
        baseline: None,
        campaign,
        level: None,
    };
    let now_table = unit_indicators(store, who, &unit.code, &query(&w.report_day)).await?;
    let last = unit_indicators(store, who, &unit.code, &query(&w.previous_report_day)).await?;
    let (from, to) = w.window();
    let mut members: BTreeMap<String, (String, i64, i64)> = BTreeMap::new();
    for (by, name, at) in store.visits_under(&unit.path).await? {
        let by = by.unwrap_or_default();
        let seconds = at.map(|ms| ms.div_euclid(1000));
        if seconds.is_some_and(|s| s >= to) {
            continue;
        }
        let e = members
            .entry(by.clone())
            .or_insert_with(|| (name.unwrap_or(by), 0, 0));
        e.1 += 1;
        if seconds.is_some_and(|s| s >= from) {
            e.2 += 1;
        }
    }
    let mut helped: BTreeMap<String, i64> = BTreeMap::new();
    for json in store.helped_under(&unit.path).await? {
        let entries: Vec<(i64, String)> = serde_json::from_str(&json).unwrap_or_default();
        for (ms, kind) in entries {
            if (from..to).contains(&ms.div_euclid(1000)) {
                *helped.entry(kind).or_default() += 1;
            }
        }
    }
    let (open_conflicts, open_send_backs) = store.open_review_counts(&unit.path).await?;
    let mut report = assemble(
        unit,
        w,
        &now_table,
        &last,
        members.into_values().collect(),
        (open_conflicts, open_send_backs),
    );
    report.helped_this_week = helped;
    Ok(report)
}

fn assemble(
    unit: &UnitRow,
    w: &ReportWeek,
    now_table: &IndicatorTable,
    last: &IndicatorTable,
    members: Vec<(String, i64, i64)>,
    (open_conflicts, open_send_backs): (i64, i64),
) -> FridayReport {
    let this = &now_table.unit;
    let before = &last.unit;
    let indicators = this
        .indicators
        .iter()
        .map(|i| WeekIndicator {
            id: i.id,
            numerator: i.numerator,
            denominator: i.denominator,
            rate: i.rate,
            target: i.target,
            met: i.met,
            last_week_rate: before
                .indicators
                .iter()
                .find(|l| l.id == i.id)
                .and_then(|l| l.rate),
            baseline_rate: i.baseline.as_ref().and_then(|b| b.rate),
        })
        .collect();
    let villages = now_table
        .children
        .iter()
        .map(|v| {
            let earlier = last.children.iter().find(|l| l.code == v.code);
            WeekVillage {
                code: v.code.clone(),
                name: v.name.clone(),
                households_known: v.households_known,
                households_visited: v.households_visited,
                visited_this_week: v.households_visited
                    - earlier.map_or(0, |l| l.households_visited),
                persons_surveyed: v.persons_surveyed,
            }
        })
        .collect();
    FridayReport {
        commune_code: unit.code.clone(),
        commune_name: unit.name.clone(),
        week: w.week.clone(),
        report_day: w.report_day.clone(),
        previous_report_day: w.previous_report_day.clone(),
        baseline_day: now_table.baseline.clone(),
        campaign_id: now_table.campaign.as_ref().map(|c| c.id),
        campaign_name: now_table.campaign.as_ref().map(|c| c.name.clone()),
        households_known: this.households_known,
        households_visited: this.households_visited,
        persons_surveyed: this.persons_surveyed,
        households_visited_this_week: this.households_visited - before.households_visited,
        persons_surveyed_this_week: this.persons_surveyed - before.persons_surveyed,
        helped_this_week: BTreeMap::new(),
        indicators,
        villages,
        members: members
            .into_iter()
            .map(|(display_name, total, week)| WeekMember {
                display_name,
                households_visited: total,
                visited_this_week: week,
            })
            .collect(),
        open_conflicts,
        open_send_backs,
    }
}

/// A week's report of a commune: frozen if submitted (with a revision beside it when today's
/// figures for those days differ), else the live draft.
pub async fn weekly_report(
    store: &Store,
    who: &Principal,
    code: &str,
    week: &str,
    q: &ReportQuery,
) -> Result<WeeklyReport> {
    let unit = commune(store, who, code).await?;
    let (campaign, rule) = campaign_rule(store, q.campaign).await?;
    let w = week_of(week, rule)?;
    let live = compute(store, who, &unit, &w, q.campaign).await?;
    let live = serde_json::to_value(&live).map_err(|e| Error::Internal(e.to_string()))?;
    Ok(
        match store.weekly_report(&unit.code, campaign, &w.week).await? {
            None => WeeklyReport {
                week: w.week.clone(),
                deadline: rfc3339(w.deadline),
                status: "draft".into(),
                timeliness: None,
                submitted_at: None,
                submitted_by_name: None,
                report: live,
                revision: None,
            },
            Some(row) => {
                let frozen: serde_json::Value =
                    serde_json::from_str(&row.content).map_err(|e| {
                        Error::Internal(format!("stored weekly report unreadable: {e}"))
                    })?;
                let revised = figures(&frozen) != figures(&live);
                WeeklyReport {
                    week: w.week.clone(),
                    deadline: rfc3339(row.deadline),
                    status: "submitted".into(),
                    timeliness: Some(w.timeliness(row.submitted_at)),
                    submitted_at: Some(rfc3339(row.submitted_at)),
                    submitted_by_name: Some(row.submitted_by_name),
                    report: frozen,
                    revision: revised.then_some(live),
                }
            }
        },
    )
}

/// The parts of a report that restatements can change (not the open counts, which move daily).
fn figures(report: &serde_json::Value) -> [serde_json::Value; 5] {
    [
        report["indicators"].clone(),
        report["villages"].clone(),
        report["members"].clone(),
        report["households_visited"].clone(),
        report["persons_surveyed"].clone(),
    ]
}

/// The commune officer submits the week's report: frozen as it is now.
pub async fn submit(
    store: &Store,
    who: &Principal,
    code: &str,
    week: &str,
    q: &ReportQuery,
) -> Result<WeeklyReport> {
    if !matches!(who.role, Role::Commune | Role::Admin) {
        return Err(Error::forbidden(
            "the commune officer submits the weekly report to the district",
        ));
    }
    let unit = commune(store, who, code).await?;
    let (campaign, rule) = campaign_rule(store, q.campaign).await?;
    let w = week_of(week, rule)?;
    let at = now();
    if w.week > ReportWeek::at(at, rule).week {
        return Err(Error::bad_request(format!(
            "the week of {} has not started: submit it from its Monday on",
            w.week
        )));
    }
    let content = compute(store, who, &unit, &w, q.campaign).await?;
    let content = serde_json::to_string(&content).map_err(|e| Error::Internal(e.to_string()))?;
    store
        .insert_weekly_report(
            &NewWeeklyReport {
                commune_code: &unit.code,
                campaign_id: campaign,
                week: &w.week,
                deadline: w.deadline,
                content: &content,
                submitted_by: who.user_id,
            },
            at,
        )
        .await?;
    tracing::info!(by = %who.username, commune = %unit.code, week = %w.week, "weekly report submitted");
    weekly_report(store, who, code, week, q).await
}
