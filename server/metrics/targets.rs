//! Targets: a default per indicator, overridden for a unit's subtree and/or a campaign (plans
//! differ: e-signature is 80% in one plan, 50% in another). The most specific override wins:
//! the nearest unit up the tree, campaign-specific before campaign-wide.

use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::{Principal, Role};
use crate::clock::now;
use crate::error::{Error, Result};
use crate::store::{Store, TargetRow};

/// Resolves targets for many units at once from the (small) table of overrides.
pub struct Targets {
    rows: Vec<TargetRow>,
    defaults: Vec<(i64, f64)>,
}

impl Targets {
    pub async fn load(store: &Store) -> Result<Self> {
        let defaults = store
            .indicators()
            .await?
            .into_iter()
            .map(|i| (i.id, i.default_target))
            .collect();
        Ok(Targets {
            rows: store.targets().await?,
            defaults,
        })
    }

    /// Target of `indicator` for the unit at `path` ('/38/393/39301/') in `campaign`.
    pub fn resolve(&self, indicator: i64, path: &str, campaign: Option<i64>) -> f64 {
        let codes: Vec<&str> = path.split('/').filter(|c| !c.is_empty()).collect();
        let scopes = codes
            .iter()
            .rev()
            .map(|c| Some(*c))
            .chain(std::iter::once(None));
        let campaigns = match campaign {
            Some(c) => vec![Some(c), None],
            None => vec![None],
        };
        for unit in scopes {
            for camp in &campaigns {
                // The latest override of a kind wins.
                let found = self.rows.iter().rev().find(|t| {
                    t.indicator_id == indicator
                        && t.unit_code.as_deref() == unit
                        && t.campaign_id == *camp
                });
                if let Some(t) = found {
                    return t.target;
                }
            }
        }
        self.defaults
            .iter()
            .find(|(id, _)| *id == indicator)
            .map_or(1.0, |(_, t)| *t)
    }
}

/// A target override to set.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetTarget {
    pub indicator_id: i64,
    /// Applies to this unit's subtree; omit for everywhere (admin only).
    pub unit_code: Option<String>,
    /// Applies within this campaign only; omit for every campaign.
    pub campaign_id: Option<i64>,
    /// A rate between 0 and 1 (0.8 = 80%).
    pub target: f64,
}

/// Sets a target override: the province (and admin) set targets inside their area.
pub async fn set_target(store: &Store, who: &Principal, req: &SetTarget) -> Result<i64> {
    who.require_role(Role::Province, "setting targets")?;
    if !(0.0..=1.0).contains(&req.target) {
        return Err(Error::bad_request(
            "target must be a rate between 0 and 1 (0.8 means 80%)",
        ));
    }
    if !store
        .indicators()
        .await?
        .iter()
        .any(|i| i.id == req.indicator_id)
    {
        return Err(Error::bad_request(format!(
            "indicator {} does not exist (1–16)",
            req.indicator_id
        )));
    }
    match req.unit_code.as_deref() {
        Some(code) => {
            store
                .unit(code)
                .await?
                .filter(|u| who.covers(&u.path))
                .ok_or_else(|| {
                    Error::not_found(format!("unit {code} not found (or not in your area)"))
                })?;
        }
        None if who.role != Role::Admin => {
            return Err(Error::forbidden(
                "only an admin sets targets for everywhere; give a unit_code",
            ));
        }
        None => {}
    }
    if let Some(c) = req.campaign_id {
        if !store.campaigns().await?.iter().any(|x| x.id == c) {
            return Err(Error::bad_request(format!("campaign {c} does not exist")));
        }
    }
    Ok(store
        .insert_target(
            req.indicator_id,
            req.unit_code.as_deref(),
            req.campaign_id,
            req.target,
            &who.username,
            now(),
        )
        .await?)
}
