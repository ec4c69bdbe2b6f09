//! Targets: a default per indicator, overridden for a unit's subtree and/or a campaign (plans
//! differ: e-signature is 80% in one plan, 50% in another). The most specific override wins:
//! the nearest unit up the tree, campaign-specific before campaign-wide.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::{Principal, Role};
use crate::clock::{now, rfc3339};
use crate::error::{Error, Result};
use crate::metrics::percent::percent_number;
use crate::metrics::{campaigns, readable_unit};
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
        self.explain(indicator, path, campaign).0
    }

    /// The target and the override it comes from (`None`: the indicator's default).
    fn explain(
        &self,
        indicator: i64,
        path: &str,
        campaign: Option<i64>,
    ) -> (f64, Option<&TargetRow>) {
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
                    return (t.target, Some(t));
                }
            }
        }
        let default = self
            .defaults
            .iter()
            .find(|(id, _)| *id == indicator)
            .map_or(1.0, |(_, t)| *t);
        (default, None)
    }

    /// Every override that may apply at `path` (on the unit, one above it, or everywhere) for an
    /// indicator, newest first: the target's history as this unit sees it.
    fn history(&self, indicator: i64, path: &str) -> Vec<&TargetRow> {
        let codes: Vec<&str> = path.split('/').filter(|c| !c.is_empty()).collect();
        self.rows
            .iter()
            .rev()
            .filter(|t| {
                t.indicator_id == indicator
                    && t.unit_code.as_deref().is_none_or(|u| codes.contains(&u))
            })
            .collect()
    }
}

/// A rate as the plans write a target: 0.8 → "80% trở lên", 0.845 → "84,5% trở lên", 1 → "100%".
pub fn target_text(target: f64) -> String {
    let number = percent_number(target);
    if target >= 1.0 - 1e-9 {
        format!("{number}%")
    } else {
        format!("{number}% trở lên")
    }
}

/// Where a target comes from.
#[derive(Debug, Serialize, ToSchema)]
pub struct TargetSource {
    /// `default` (the indicator's), `unit` (an override for a unit's subtree), `campaign` (an
    /// override for a campaign everywhere), `unit_campaign` (both) or `everywhere` (an admin's
    /// override for every unit and campaign).
    pub kind: String,
    pub unit_code: Option<String>,
    pub unit_name: Option<String>,
    pub campaign_id: Option<i64>,
    pub set_by: Option<String>,
    pub set_by_name: Option<String>,
    pub set_at: Option<String>,
}

impl TargetSource {
    fn of(row: Option<&TargetRow>) -> Self {
        let Some(t) = row else {
            return TargetSource {
                kind: "default".into(),
                unit_code: None,
                unit_name: None,
                campaign_id: None,
                set_by: None,
                set_by_name: None,
                set_at: None,
            };
        };
        let kind = match (&t.unit_code, t.campaign_id) {
            (Some(_), Some(_)) => "unit_campaign",
            (Some(_), None) => "unit",
            (None, Some(_)) => "campaign",
            (None, None) => "everywhere",
        };
        TargetSource {
            kind: kind.into(),
            unit_code: t.unit_code.clone(),
            unit_name: t.unit_name.clone(),
            campaign_id: t.campaign_id,
            set_by: Some(t.set_by.clone()),
            set_by_name: t.set_by_name.clone(),
            set_at: Some(rfc3339(t.set_at)),
        }
    }
}

/// The effective target of one indicator for a unit, where it comes from, and its history.
#[derive(Debug, Serialize, ToSchema)]
pub struct EffectiveTarget {
    pub indicator_id: i64,
    pub target: f64,
    /// As the plans write it: "80% trở lên".
    pub text: String,
    pub source: TargetSource,
    /// Overrides that may apply here, newest first (with the one in force among them).
    pub history: Vec<TargetChange>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TargetChange {
    pub target: f64,
    pub text: String,
    pub source: TargetSource,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TargetQuery {
    /// Campaign whose overrides apply; default: the current campaign.
    pub campaign: Option<i64>,
}

/// The effective targets of a unit (team lead and above, in scope).
pub async fn unit_targets(
    store: &Store,
    who: &Principal,
    code: &str,
    q: &TargetQuery,
) -> Result<Vec<EffectiveTarget>> {
    let unit = readable_unit(store, who, code).await?;
    let campaign = campaigns::for_request(store, q.campaign)
        .await?
        .map(|c| c.id);
    let targets = Targets::load(store).await?;
    Ok(store
        .indicators()
        .await?
        .iter()
        .map(|ind| {
            let (target, row) = targets.explain(ind.id, &unit.path, campaign);
            EffectiveTarget {
                indicator_id: ind.id,
                target,
                text: target_text(target),
                source: TargetSource::of(row),
                history: targets
                    .history(ind.id, &unit.path)
                    .into_iter()
                    .map(|t| TargetChange {
                        target: t.target,
                        text: target_text(t.target),
                        source: TargetSource::of(Some(t)),
                    })
                    .collect(),
            }
        })
        .collect())
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

/// Sets a target override: the district, the province (and admin) set targets inside their
/// area.
pub async fn set_target(store: &Store, who: &Principal, req: &SetTarget) -> Result<i64> {
    who.require_role(Role::District, "setting targets")?;
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
            "indicator {} does not exist (the catalogue: GET /api/v1/indicators)",
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

#[cfg(test)]
mod tests {
    use super::target_text;

    #[test]
    fn targets_read_as_the_plans_write_them() {
        assert_eq!(target_text(0.8), "80% trở lên");
        assert_eq!(target_text(0.845), "84,5% trở lên");
        assert_eq!(target_text(0.8476), "84,76% trở lên");
        assert_eq!(target_text(1.0), "100%");
        assert_eq!(target_text(0.5), "50% trở lên");
    }
}
