//! Campaigns (plans): a name and the baseline date that "before" refers to.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{Principal, Role};
use crate::clock::{is_iso_date, now};
use crate::error::{Error, Result};
use crate::store::{CampaignRow, Store};

#[derive(Debug, Serialize, ToSchema)]
pub struct Campaign {
    pub id: i64,
    pub name: String,
    /// "Before" numbers are those stored at the end of this day.
    pub baseline_date: String,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
}

impl From<CampaignRow> for Campaign {
    fn from(c: CampaignRow) -> Self {
        Campaign {
            id: c.id,
            name: c.name,
            baseline_date: c.baseline_date,
            start_date: c.start_date,
            end_date: c.end_date,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCampaign {
    pub name: String,
    pub baseline_date: String,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
}

pub async fn list(store: &Store) -> Result<Vec<Campaign>> {
    Ok(store
        .campaigns()
        .await?
        .into_iter()
        .map(Campaign::from)
        .collect())
}

pub async fn create(store: &Store, who: &Principal, req: &NewCampaign) -> Result<Campaign> {
    who.require_role(Role::Province, "creating campaigns")?;
    if req.name.trim().is_empty() {
        return Err(Error::bad_request("a campaign needs a name"));
    }
    for d in [
        Some(&req.baseline_date),
        req.start_date.as_ref(),
        req.end_date.as_ref(),
    ]
    .into_iter()
    .flatten()
    {
        if !is_iso_date(d) {
            return Err(Error::bad_request(format!(
                "'{d}' is not a date: write it as YYYY-MM-DD"
            )));
        }
    }
    let id = store
        .insert_campaign(
            req.name.trim(),
            &req.baseline_date,
            req.start_date.as_deref(),
            req.end_date.as_deref(),
            now(),
        )
        .await?;
    store
        .campaigns()
        .await?
        .into_iter()
        .find(|c| c.id == id)
        .map(Campaign::from)
        .ok_or_else(|| Error::Internal("campaign vanished after insert".into()))
}
