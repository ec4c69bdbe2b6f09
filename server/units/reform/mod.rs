//! The 2025 reform as one event: a mapping of former communes to new ones is read, previewed,
//! and applied at an effective date; the villages of split communes are placed afterwards.

mod mapping;
mod place;
mod plan;

pub use mapping::{parse_mapping, Share, MAPPING_HEADER};
pub use place::{list_placements, place_villages, Placement, PlacementReport};
pub use plan::{FormerPart, NewCommune, ReformPreview, Split, UnitRef, VillageToPlace};

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::{Principal, Role};
use crate::clock::{is_iso_date, now, rfc3339};
use crate::error::{Error, Result};
use crate::store::{Store, UnitFilter};
use plan::{day_before, Tree};

/// What names a reform and when it takes effect.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ReformParams {
    /// The first day of the new tree (e.g. 2025-07-01).
    pub effective: String,
    /// The act that decided it (e.g. 1686/NQ-UBTVQH15).
    pub name: String,
}

/// A reform that was applied.
#[derive(Debug, Serialize, ToSchema)]
pub struct AppliedReform {
    pub id: i64,
    pub name: String,
    pub effective_date: String,
    pub applied_by: String,
    pub applied_at: String,
    /// What it did, as its preview said.
    #[schema(value_type = Object)]
    pub summary: serde_json::Value,
}

fn require_reformer(who: &Principal) -> Result<()> {
    who.require_role(
        Role::Province,
        "applying a reform of the administrative units",
    )
}

/// Reads the mapping and the tree and plans the reform; nothing is written.
async fn planned(
    store: &Store,
    who: &Principal,
    mapping: &[u8],
    p: &ReformParams,
) -> Result<(ReformPreview, crate::store::ReformWrite)> {
    require_reformer(who)?;
    let name = p.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(Error::bad_request(
            "name the reform (the resolution's number), in at most 200 characters",
        ));
    }
    let (Some(before), true) = (day_before(&p.effective), is_iso_date(&p.effective)) else {
        return Err(Error::bad_request(format!(
            "effective date '{}' is not a date: write YYYY-MM-DD, e.g. 2025-07-01",
            p.effective
        )));
    };
    let invalid = |details: Vec<String>| Error::Invalid {
        message: format!(
            "{} problem(s) in the mapping; nothing was changed",
            details.len()
        ),
        details,
    };
    let lines = parse_mapping(mapping).map_err(invalid)?;
    let units = store
        .units(&UnitFilter {
            include_inactive: true,
            limit: i64::MAX,
            ..Default::default()
        })
        .await?;
    let held_before: HashMap<String, String> =
        store.codes_held_on(&before).await?.into_iter().collect();
    let held_on: HashMap<String, String> = store
        .codes_held_on(&p.effective)
        .await?
        .into_iter()
        .collect();
    let households: HashMap<String, i64> =
        store.households_per_village().await?.into_iter().collect();
    let users = store.users_under("/", i64::MAX, 0).await?;
    let tree = Tree {
        units: &units,
        held_before: &held_before,
        held_on: &held_on,
        households: &households,
        users: &users,
    };
    plan::plan(
        &lines,
        name,
        &p.effective,
        &tree,
        &|path| who.covers(path),
        &who.username,
        now(),
    )
    .map_err(invalid)
}

/// What the reform would do; nothing is written.
pub async fn preview_reform(
    store: &Store,
    who: &Principal,
    mapping: &[u8],
    p: &ReformParams,
) -> Result<ReformPreview> {
    Ok(planned(store, who, mapping, p).await?.0)
}

/// Applies the reform in one transaction and answers what it did.
pub async fn apply_reform(
    store: &Store,
    who: &Principal,
    mapping: &[u8],
    p: &ReformParams,
) -> Result<ReformPreview> {
    let (preview, write) = planned(store, who, mapping, p).await?;
    store.apply_reform(&write).await?;
    tracing::info!(
        reform = %preview.name,
        effective = %preview.effective_date,
        new_communes = preview.new_communes.len(),
        splits = preview.splits.len(),
        "reform applied"
    );
    Ok(preview)
}

/// Reforms applied so far.
pub async fn list_reforms(store: &Store, who: &Principal) -> Result<Vec<AppliedReform>> {
    who.require_role(
        Role::District,
        "reading the reforms of the administrative units",
    )?;
    Ok(store
        .reforms()
        .await?
        .into_iter()
        .map(|r| AppliedReform {
            id: r.id,
            name: r.name,
            effective_date: r.effective_date,
            applied_by: r.applied_by,
            applied_at: rfc3339(r.applied_at),
            summary: serde_json::from_str(&r.summary).unwrap_or(serde_json::Value::Null),
        })
        .collect())
}
