//! Indicators of the "3 KHÔNG" model: the catalogue (data in the database), targets per unit
//! and campaign, values communes declare, rates rolled up the unit tree from maintained
//! counters, and the reports the district and province pull.

pub mod campaigns;
pub mod deadline;
pub mod declared;
pub mod friday;
pub mod friday_xlsx;
pub mod percent;
pub mod progress;
pub mod report;
pub mod reporting;
pub mod restatements;
pub mod rules;
pub mod table;
pub mod targets;
pub mod weekly_xlsx;

pub use table::{unit_indicators, IndicatorQuery, IndicatorTable, IndicatorValue, UnitIndicators};

use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::{Principal, Role};
use crate::error::{Error, Result};
use crate::store::{IndicatorRow, RuleRow, Store, UnitRow};
use crate::survey::indicators::IndicatorRule;

/// An indicator of the catalogue.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Indicator {
    /// 1–16, as in the province's table.
    pub id: i64,
    pub name_vi: String,
    pub name_en: String,
    /// `survey` (computed from the household survey) or `declared` (entered by the commune).
    pub source: String,
    /// One of the model's 16 (never removed), not one a province added.
    pub built_in: bool,
    pub default_target: f64,
    /// `government` ("ĐỐI VỚI CHÍNH QUYỀN SỐ") or `people` ("ĐỐI VỚI NGƯỜI DÂN, DOANH NGHIỆP").
    pub section: String,
    /// The default target as the plans write it: "80% trở lên".
    pub default_target_text: String,
    /// A survey indicator's rule over the survey's fields (docs/SCHEMA.md "Indicators as
    /// data"): the model's own are rules too, with the pilot table's definitions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<IndicatorRule>,
    /// For an indicator added as data whose villages are still being counted for the first
    /// time: how far that has gone (its figures until then cover the villages counted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counting: Option<Counting>,
}

/// The first count of an indicator added as data, under way.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Counting {
    /// Villages counted so far.
    pub villages_counted: i64,
    /// Villages with a survey document.
    pub villages: i64,
}

impl From<IndicatorRow> for Indicator {
    fn from(r: IndicatorRow) -> Self {
        let rule = match (&r.counts, &r.numerator_when) {
            (Some(counts), Some(numerator)) => IndicatorRule::from_row(&RuleRow {
                id: r.id,
                counts: counts.clone(),
                numerator_when: numerator.clone(),
                denominator_when: r.denominator_when.clone(),
                rate_among: r.rate_among.clone(),
            }),
            _ => None,
        };
        Indicator {
            rule,
            id: r.id,
            name_vi: r.name_vi,
            name_en: r.name_en,
            source: r.source,
            built_in: r.created_by.is_none(),
            default_target_text: targets::target_text(r.default_target),
            default_target: r.default_target,
            section: r.section,
            counting: None,
        }
    }
}

pub async fn catalogue(store: &Store) -> Result<Vec<Indicator>> {
    let rows = store.indicators().await?;
    let uncounted: Vec<i64> = rows
        .iter()
        .filter(|r| r.first_count_running())
        .map(|r| r.id)
        .collect();
    let (counted, villages) = store.rule_count_progress(&uncounted).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let counting = uncounted.contains(&r.id).then(|| Counting {
                villages_counted: counted
                    .iter()
                    .find(|(id, _)| *id == r.id)
                    .map_or(0, |(_, n)| *n),
                villages,
            });
            Indicator {
                counting,
                ..Indicator::from(r)
            }
        })
        .collect())
}

/// A unit whose aggregates the caller may read: team leads and above, inside their area.
pub(crate) async fn readable_unit(store: &Store, who: &Principal, code: &str) -> Result<UnitRow> {
    who.require_role(Role::TeamLead, "reading indicators")?;
    store
        .unit(code)
        .await?
        .filter(|u| who.covers(&u.path))
        .ok_or_else(|| Error::not_found(format!("unit {code} not found (or not in your area)")))
}
