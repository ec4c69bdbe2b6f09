//! The villages of split communes: which are waiting, and a village-to-new-commune sheet that
//! places them (one row from the console, or the whole list from a spreadsheet).

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::{Principal, Role};
use crate::clock::{now, rfc3339, vietnam_date};
use crate::error::{Error, Result};
use crate::fold::fold;
use crate::sheet::read_table;
use crate::store::{PlacementRow, Store};
use crate::units::reform::UnitRef;

/// A village of a split commune, and where it may go or went.
#[derive(Debug, Serialize, ToSchema)]
pub struct Placement {
    pub village_code: String,
    pub village_name: String,
    pub former_commune: String,
    pub former_name: String,
    /// The new communes the mapping names for its former commune.
    pub candidates: Vec<UnitRef>,
    /// Where it went; none while it waits ("to place").
    pub placed_into: Option<String>,
    pub placed_by: Option<String>,
    pub placed_at: Option<String>,
}

/// What a placement sheet did (or would do).
#[derive(Debug, Serialize, ToSchema)]
pub struct PlacementReport {
    pub dry_run: bool,
    pub placed: usize,
    /// Former communes retired because their last village was placed.
    pub communes_closed: Vec<String>,
}

/// Placements in the caller's area, those waiting first.
pub async fn list_placements(store: &Store, who: &Principal) -> Result<Vec<Placement>> {
    who.require_role(Role::Commune, "reading the villages to place")?;
    let rows = store.placements(who.visible_path()).await?;
    let names = candidate_names(store, &rows).await?;
    Ok(rows
        .into_iter()
        .map(|r| Placement {
            candidates: r
                .candidates
                .split(',')
                .filter_map(|c| names.get(c).cloned())
                .collect(),
            village_code: r.village_code,
            village_name: r.village_name,
            former_commune: r.former_commune,
            former_name: r.former_name,
            placed_into: r.placed_into,
            placed_by: r.placed_by,
            placed_at: r.placed_at.map(rfc3339),
        })
        .collect())
}

async fn candidate_names(store: &Store, rows: &[PlacementRow]) -> Result<HashMap<String, UnitRef>> {
    let mut out = HashMap::new();
    let wanted: HashSet<&str> = rows.iter().flat_map(|r| r.candidates.split(',')).collect();
    for id in wanted {
        if let Some(u) = store.unit(id).await? {
            out.insert(
                id.to_string(),
                UnitRef {
                    official_code: u.official_code.unwrap_or_else(|| u.code.clone()),
                    code: u.code,
                    name: u.name,
                },
            );
        }
    }
    Ok(out)
}

const VILLAGE: &[&str] = &[
    "village code",
    "village",
    "ma thon",
    "thon",
    "ma thon to dan pho",
];
const INTO: &[&str] = &[
    "new commune code",
    "new commune",
    "into",
    "ma xa moi",
    "xa moi",
];

/// Places villages from a sheet (`village_code,new_commune_code`): every row is checked first,
/// and all are placed in one transaction, or none.
pub async fn place_villages(
    store: &Store,
    who: &Principal,
    data: &[u8],
    dry_run: bool,
) -> Result<PlacementReport> {
    who.require_role(Role::Province, "placing the villages of a split commune")?;
    let invalid = |details: Vec<String>| Error::Invalid {
        message: format!(
            "{} problem(s) in the sheet; nothing was placed",
            details.len()
        ),
        details,
    };
    let rows = read_table(data).map_err(|e| invalid(vec![e.to_string()]))?;
    let Some((header, body)) = rows.split_first() else {
        return Err(invalid(vec!["the sheet is empty".into()]));
    };
    let names: Vec<String> = header.cells.iter().map(|h| fold(h)).collect();
    let col = |wanted: &[&str]| names.iter().position(|h| wanted.contains(&h.as_str()));
    let (Some(c_village), Some(c_into)) = (col(VILLAGE), col(INTO)) else {
        return Err(invalid(vec![format!(
            "line {}: the header must name the columns village_code,new_commune_code (found: {})",
            header.line,
            header.cells.join(",")
        )]));
    };
    let waiting: HashMap<String, PlacementRow> = store
        .placements(who.visible_path())
        .await?
        .into_iter()
        .filter(|p| p.placed_into.is_none())
        .map(|p| (p.village_code.clone(), p))
        .collect();
    // A new commune may be named by its identity or by the official code it holds today.
    let today = vietnam_date(now()).0;
    let held: HashMap<String, String> = store.codes_held_on(&today).await?.into_iter().collect();
    let mut errors = Vec::new();
    let mut places: Vec<(String, String)> = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    for row in body {
        let cell = |i: usize| row.cells.get(i).cloned().unwrap_or_default();
        let (village, into) = (cell(c_village), cell(c_into));
        let Some(p) = waiting.get(&village) else {
            errors.push(format!(
                "line {}: village {village} is not waiting to be placed (not of a split commune in your area, or placed already)",
                row.line
            ));
            continue;
        };
        let candidates: Vec<&str> = p.candidates.split(',').collect();
        let target = if candidates.contains(&into.as_str()) {
            Some(into.clone())
        } else {
            held.get(&into)
                .filter(|id| candidates.contains(&id.as_str()))
                .cloned()
        };
        let Some(target) = target else {
            errors.push(format!(
                "line {}: {into} is not one of the new communes {} ('{}') went into: {}",
                row.line,
                p.former_commune,
                p.former_name,
                candidates.join(", ")
            ));
            continue;
        };
        if let Some(first) = seen.insert(village.clone(), row.line) {
            errors.push(format!(
                "line {}: village {village} is already on line {first}",
                row.line
            ));
            continue;
        }
        places.push((village, target));
    }
    if body.is_empty() {
        errors.push("the sheet has no rows: one row per village".into());
    }
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    if dry_run {
        return Ok(PlacementReport {
            dry_run,
            placed: 0,
            communes_closed: Vec::new(),
        });
    }
    let communes_closed = store.place_villages(&places, &who.username, now()).await?;
    Ok(PlacementReport {
        dry_run,
        placed: places.len(),
        communes_closed,
    })
}
