//! Campaigns (plans): a name and the baseline date that "before" refers to, and which one is
//! current — the campaign indicators and reports use when a request names none.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{Principal, Role};
use crate::clock::{is_iso_date, now, vietnam_date};
use crate::error::{Error, Result};
use crate::metrics::deadline::DeadlineRule;
use crate::store::{CampaignRow, NewCampaignRow, Store};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Campaign {
    pub id: i64,
    pub name: String,
    /// "Before" numbers are those stored at the end of this day.
    pub baseline_date: String,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    /// The campaign indicators and reports use when a request names none.
    pub current: bool,
    /// The weekly report is due on this weekday (1 Monday … 7 Sunday)…
    pub report_weekday: i64,
    /// …at this time (`HH:MM`, Vietnam time).
    pub report_time: String,
}

impl Campaign {
    fn new(c: &CampaignRow, current: bool) -> Self {
        Campaign {
            id: c.id,
            name: c.name.clone(),
            baseline_date: c.baseline_date.clone(),
            start_date: c.start_date.clone(),
            end_date: c.end_date.clone(),
            current,
            report_weekday: c.report_weekday,
            report_time: c.report_time.clone(),
        }
    }

    /// When this campaign's weekly report is due (the plans' Friday 15:00 if the stored
    /// setting were ever unreadable).
    pub fn deadline_rule(&self) -> DeadlineRule {
        DeadlineRule::new(self.report_weekday, &self.report_time).unwrap_or_default()
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCampaign {
    pub name: String,
    pub baseline_date: String,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    /// The weekday the weekly report is due: 1 Monday … 7 Sunday; default 5 (Friday).
    pub report_weekday: Option<i64>,
    /// The time it is due, `HH:MM` Vietnam time; default `15:00`.
    pub report_time: Option<String>,
}

/// The current campaign and how it was chosen.
#[derive(Debug, Serialize, ToSchema)]
pub struct CurrentCampaign {
    /// Null when no campaign has started and none is marked.
    pub campaign: Option<Campaign>,
    /// True when an admin or the province marked it; false when it is the latest campaign
    /// that has started (start date, else baseline date, on or before today in Vietnam).
    pub marked: bool,
}

/// Which campaign to mark current.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkCurrent {
    /// A campaign id; null returns to the automatic choice (the latest that has started).
    pub campaign: Option<i64>,
}

/// The day a campaign starts: its start date, else its baseline date.
fn starts(c: &CampaignRow) -> &str {
    c.start_date.as_deref().unwrap_or(&c.baseline_date)
}

/// The current campaign among `rows` (its index) and whether it was marked: the marked one if
/// it exists, else the latest that has started by `today` (the later id on the same day, so a
/// campaign created to replace another wins).
fn choose(rows: &[CampaignRow], marked: Option<i64>, today: &str) -> Option<(usize, bool)> {
    if let Some(i) = marked.and_then(|id| rows.iter().position(|c| c.id == id)) {
        return Some((i, true));
    }
    rows.iter()
        .enumerate()
        .filter(|(_, c)| starts(c) <= today)
        .max_by(|(_, a), (_, b)| starts(a).cmp(starts(b)).then(a.id.cmp(&b.id)))
        .map(|(i, _)| (i, false))
}

/// Every campaign with the current one flagged, and which that is.
async fn load(store: &Store) -> Result<(Vec<CampaignRow>, Option<(usize, bool)>)> {
    let rows = store.campaigns().await?;
    let marked = store.marked_current_campaign().await?;
    let chosen = choose(&rows, marked, &vietnam_date(now()).0);
    Ok((rows, chosen))
}

pub async fn list(store: &Store) -> Result<Vec<Campaign>> {
    let (rows, chosen) = load(store).await?;
    let current = chosen.map(|(i, _)| i);
    Ok(rows
        .iter()
        .enumerate()
        .map(|(i, c)| Campaign::new(c, Some(i) == current))
        .collect())
}

pub async fn current(store: &Store) -> Result<CurrentCampaign> {
    let (rows, chosen) = load(store).await?;
    Ok(CurrentCampaign {
        campaign: chosen.map(|(i, _)| Campaign::new(&rows[i], true)),
        marked: chosen.is_some_and(|(_, marked)| marked),
    })
}

/// The campaign a request for indicators or a report uses: the one it names (which must exist),
/// else the current one, else none.
pub async fn for_request(store: &Store, requested: Option<i64>) -> Result<Option<Campaign>> {
    let (rows, chosen) = load(store).await?;
    let current = chosen.map(|(i, _)| i);
    match requested {
        Some(id) => rows
            .iter()
            .position(|c| c.id == id)
            .map(|i| Some(Campaign::new(&rows[i], Some(i) == current)))
            .ok_or_else(|| unknown(id)),
        None => Ok(current.map(|i| Campaign::new(&rows[i], true))),
    }
}

fn unknown(id: i64) -> Error {
    Error::bad_request(format!(
        "campaign {id} does not exist: GET /api/v1/campaigns lists the campaigns"
    ))
}

/// Marks a campaign current for everyone (admin and province), or returns to the automatic
/// choice with `null`.
pub async fn mark_current(
    store: &Store,
    who: &Principal,
    req: &MarkCurrent,
) -> Result<CurrentCampaign> {
    who.require_role(Role::Province, "marking the current campaign")?;
    if let Some(id) = req.campaign {
        if !store.campaigns().await?.iter().any(|c| c.id == id) {
            return Err(unknown(id));
        }
    }
    store.mark_current_campaign(req.campaign).await?;
    tracing::info!(campaign = ?req.campaign, by = %who.username, "current campaign marked");
    current(store).await
}

/// Checks a campaign as it would be stored.
fn validate(c: &NewCampaignRow<'_>) -> Result<()> {
    if c.name.trim().is_empty() {
        return Err(Error::bad_request("a campaign needs a name"));
    }
    for d in [Some(c.baseline_date), c.start_date, c.end_date]
        .into_iter()
        .flatten()
    {
        if !is_iso_date(d) {
            return Err(Error::bad_request(format!(
                "'{d}' is not a date: write it as YYYY-MM-DD"
            )));
        }
    }
    if let (Some(start), Some(end)) = (c.start_date, c.end_date) {
        if end < start {
            return Err(Error::bad_request(format!(
                "the campaign ends ({end}) before it starts ({start})"
            )));
        }
    }
    if DeadlineRule::new(c.report_weekday, c.report_time).is_none() {
        return Err(Error::bad_request(format!(
            "the weekly report's deadline must be a weekday 1–7 (1 Monday, 5 Friday) and a time \
             HH:MM; got {} and '{}'",
            c.report_weekday, c.report_time
        )));
    }
    Ok(())
}

async fn find(store: &Store, id: i64) -> Result<Campaign> {
    list(store)
        .await?
        .into_iter()
        .find(|c| c.id == id)
        .ok_or_else(|| unknown(id))
}

pub async fn create(store: &Store, who: &Principal, req: &NewCampaign) -> Result<Campaign> {
    who.require_role(Role::Province, "creating campaigns")?;
    let row = NewCampaignRow {
        name: req.name.trim(),
        baseline_date: &req.baseline_date,
        start_date: req.start_date.as_deref(),
        end_date: req.end_date.as_deref(),
        report_weekday: req.report_weekday.unwrap_or(5),
        report_time: req.report_time.as_deref().unwrap_or("15:00"),
    };
    validate(&row)?;
    let id = store.insert_campaign(&row, now()).await?;
    find(store, id).await
}

/// Changes to a campaign; absent fields stay, `""` clears a start or end date.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CampaignUpdate {
    pub name: Option<String>,
    pub baseline_date: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub report_weekday: Option<i64>,
    pub report_time: Option<String>,
}

/// Edits a campaign (province, admin). Reports already submitted keep their deadline.
pub async fn update(
    store: &Store,
    who: &Principal,
    id: i64,
    req: &CampaignUpdate,
) -> Result<Campaign> {
    who.require_role(Role::Province, "editing campaigns")?;
    let old = find(store, id).await?;
    let date = |new: &Option<String>, old: &Option<String>| match new.as_deref() {
        Some("") => None,
        Some(d) => Some(d.to_string()),
        None => old.clone(),
    };
    let (start, end) = (
        date(&req.start_date, &old.start_date),
        date(&req.end_date, &old.end_date),
    );
    let row = NewCampaignRow {
        name: req.name.as_deref().unwrap_or(&old.name).trim(),
        baseline_date: req.baseline_date.as_deref().unwrap_or(&old.baseline_date),
        start_date: start.as_deref(),
        end_date: end.as_deref(),
        report_weekday: req.report_weekday.unwrap_or(old.report_weekday),
        report_time: req.report_time.as_deref().unwrap_or(&old.report_time),
    };
    validate(&row)?;
    store.update_campaign(id, &row).await?;
    tracing::info!(campaign = id, by = %who.username, "campaign edited");
    find(store, id).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: i64, baseline: &str, start: Option<&str>) -> CampaignRow {
        CampaignRow {
            id,
            name: format!("c{id}"),
            baseline_date: baseline.into(),
            start_date: start.map(str::to_string),
            end_date: None,
            report_weekday: 5,
            report_time: "15:00".into(),
            created_at: 0,
        }
    }

    #[test]
    fn the_latest_started_campaign_is_current_unless_one_is_marked() {
        let rows = [
            row(1, "2026-01-01", None),
            row(2, "2026-03-01", Some("2026-02-01")),
            row(3, "2026-05-01", Some("2026-06-01")),
            row(4, "2026-02-01", None),
        ];
        let id = |c: Option<(usize, bool)>| c.map(|(i, m)| (rows[i].id, m));
        // 2 and 4 start on 2026-02-01: the later id wins; 3 has not started.
        assert_eq!(id(choose(&rows, None, "2026-05-15")), Some((4, false)));
        assert_eq!(id(choose(&rows, None, "2026-06-01")), Some((3, false)));
        assert_eq!(id(choose(&rows, None, "2025-12-31")), None);
        assert_eq!(id(choose(&rows, Some(1), "2026-05-15")), Some((1, true)));
        // A marked campaign may not have started yet; a marked id that is gone is ignored.
        assert_eq!(id(choose(&rows, Some(3), "2026-01-15")), Some((3, true)));
        assert_eq!(id(choose(&rows, Some(9), "2026-01-15")), Some((1, false)));
    }
}
