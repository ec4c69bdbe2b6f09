//! Units created from a CSV or one at a time: every line checked first, all created or none.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{Principal, Role};
use crate::clock::{now, vietnam_date};
use crate::error::{Error, Result};
use crate::store::{NewUnit, Store, UnitFilter, UnitRow};
use crate::units::service::{not_found, require_tree_editor};
use crate::units::{parse_units_csv, Level, Unit};

/// What an import did, or would do in a dry run.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportReport {
    /// Nothing was written: `units` is what the import would create.
    pub dry_run: bool,
    /// Units created (0 in a dry run).
    pub created: usize,
    /// Lines identical to a unit that already exists (a re-import changes nothing).
    pub unchanged: usize,
    /// The units the file adds, parents first, with their level as stored.
    pub units: Vec<ImportedUnit>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportedUnit {
    pub line: u64,
    pub code: String,
    pub name: String,
    pub level: Level,
    pub parent_code: Option<String>,
}

/// A unit to create through the API.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUnitRequest {
    pub code: String,
    pub name: String,
    pub level: Level,
    pub parent_code: Option<String>,
}

pub async fn create_unit(store: &Store, who: &Principal, req: &NewUnitRequest) -> Result<Unit> {
    let csv = format!(
        "code,name,level,parent_code\n{},{},{},{}\n",
        csv_field(&req.code),
        csv_field(&req.name),
        req.level.as_str(),
        csv_field(req.parent_code.as_deref().unwrap_or(""))
    );
    import_units(store, who, csv.as_bytes(), false)
        .await
        .map_err(|e| match e {
            // A single unit: drop the line number that only makes sense for a file.
            Error::Invalid { details, .. } => Error::bad_request(
                details
                    .iter()
                    .map(|d| d.split_once(": ").map_or(d.as_str(), |(_, m)| m))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            other => other,
        })?;
    let unit = store
        .unit(&req.code)
        .await?
        .ok_or_else(|| not_found(&req.code))?;
    Ok(unit.into())
}

fn csv_field(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// Imports a units CSV: every line is checked first, and either all new units are created
/// or none. Lines identical to existing units are skipped, so a re-import is harmless.
pub async fn import_units(
    store: &Store,
    who: &Principal,
    csv: &[u8],
    dry_run: bool,
) -> Result<ImportReport> {
    require_tree_editor(who)?;
    let mut units: HashMap<String, UnitRow> = store
        .units(&UnitFilter {
            include_inactive: true,
            limit: i64::MAX,
            ..Default::default()
        })
        .await?
        .into_iter()
        .map(|u| (u.code.clone(), u))
        .collect();
    // A file names units by the official codes they hold today, which after a reform may differ
    // from their identities (`existing` is keyed by code; `NewUnit` takes identities).
    let today = vietnam_date(now()).0;
    let held: HashMap<String, String> = store.codes_held_on(&today).await?.into_iter().collect();
    let mut existing: HashMap<String, UnitRow> = HashMap::new();
    for (code, id) in &held {
        if let Some(u) = units.remove(id) {
            existing.insert(code.clone(), u);
        }
    }
    // What is left held no code today: a code handed on by a reform is not free for an import.
    let former: HashMap<String, UnitRow> = units;
    let level_of = |code: &str| existing.get(code).and_then(|u| Level::parse(&u.level));
    let lines = parse_units_csv(csv, &level_of).map_err(|details| Error::Invalid {
        message: format!(
            "{} problem(s) in the CSV; nothing was imported",
            details.len()
        ),
        details,
    })?;
    let mut errors = Vec::new();
    let mut fresh = Vec::new();
    let mut unchanged = 0;
    let file: HashMap<&str, Option<&str>> = lines
        .iter()
        .map(|l| (l.code.as_str(), l.parent_code.as_deref()))
        .collect();
    for l in &lines {
        if let Some(u) = former.get(&l.code) {
            errors.push(format!(
                "line {}: code {} was held by '{}', which is {} now; a code passes to a new unit only through a reform",
                l.line, l.code, u.name, u.status
            ));
            continue;
        }
        if let Some(u) = existing.get(&l.code) {
            let parent = l
                .parent_code
                .as_deref()
                .map(|p| existing.get(p).map_or(p, |u| u.code.as_str()));
            if u.name == l.name && u.level == l.level.as_str() && u.parent_code.as_deref() == parent
            {
                unchanged += 1;
            } else {
                errors.push(format!(
                    "line {}: unit {} already exists as '{}' ({}, under {}); units are changed by merge or retire, not by re-import",
                    l.line,
                    l.code,
                    u.name,
                    u.level,
                    u.parent_code.as_deref().unwrap_or("nothing")
                ));
            }
            continue;
        }
        // Walk up through the file to the first existing ancestor: it must be in the caller's area.
        let mut parent = l.parent_code.as_deref();
        let mut hops = 0;
        while let Some(p) = parent.filter(|p| !existing.contains_key(*p)) {
            parent = file.get(p).copied().flatten();
            hops += 1;
            if hops > 16 {
                break;
            }
        }
        let allowed = match parent.and_then(|p| existing.get(p)) {
            Some(anchor) => who.covers(&anchor.path) && anchor.status == "active",
            None => who.role == Role::Admin,
        };
        if !allowed {
            errors.push(format!(
                "line {}: you may only add units inside your own area ({}), under an active unit",
                l.line,
                who.scope_unit.as_deref().unwrap_or("none")
            ));
            continue;
        }
        fresh.push(l);
    }
    if !errors.is_empty() {
        return Err(Error::Invalid {
            message: format!(
                "{} problem(s) in the CSV; nothing was imported",
                errors.len()
            ),
            details: errors,
        });
    }
    let rows: Vec<NewUnit<'_>> = fresh
        .iter()
        .map(|l| {
            (
                l.code.as_str(),
                l.name.as_str(),
                l.level.as_str(),
                l.parent_code
                    .as_deref()
                    .map(|p| existing.get(p).map_or(p, |u| u.code.as_str())),
            )
        })
        .collect();
    if !rows.is_empty() && !dry_run {
        store.insert_units(&rows, &who.username, now()).await?;
    }
    Ok(ImportReport {
        dry_run,
        created: if dry_run { 0 } else { rows.len() },
        unchanged,
        units: fresh
            .iter()
            .map(|l| ImportedUnit {
                line: l.line,
                code: l.code.clone(),
                name: l.name.clone(),
                level: l.level,
                parent_code: l.parent_code.clone(),
            })
            .collect(),
    })
}
