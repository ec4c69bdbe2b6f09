//! Unit rules: who may see, create, import, merge and retire which units.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::{Principal, Role};
use crate::clock::now;
use crate::error::{Error, Result};
use crate::fold::fold;
use crate::store::{NewUnit, Store, UnitFilter, UnitRow};
use crate::units::{parse_units_csv, Level, Unit, UnitDetail};

/// Filters for `GET /api/v1/units`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct UnitQuery {
    /// Only the children of this unit.
    pub parent: Option<String>,
    /// Only units of this level.
    pub level: Option<Level>,
    /// Search: a code starting with it, or a name containing it, ignoring diacritics and case
    /// ("nga lien" finds "Xã Nga Liên").
    pub q: Option<String>,
    /// Include retired and merged units (default: false).
    #[serde(default)]
    pub include_inactive: bool,
    /// Page size, 1–5000 (default 1000).
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

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

/// Most units a search reads (a province with every village is ~10,000).
const SEARCH_SCAN: i64 = 200_000;

fn not_found(code: &str) -> Error {
    Error::not_found(format!("unit {code} not found (or not in your area)"))
}

/// Loads a unit the caller may see, or answers 404 without telling whether it exists.
async fn visible_unit(store: &Store, who: &Principal, code: &str) -> Result<UnitRow> {
    let unit = store.unit(code).await?.ok_or_else(|| not_found(code))?;
    let visible = match who.role {
        Role::Enumerator => {
            who.scope_unit.as_deref() == Some(code)
                || store
                    .assignments("/", Some(who.user_id))
                    .await?
                    .iter()
                    .any(|a| a.village_code == code)
        }
        _ => who.covers(&unit.path),
    };
    if visible {
        Ok(unit)
    } else {
        Err(not_found(code))
    }
}

pub async fn list_units(store: &Store, who: &Principal, q: &UnitQuery) -> Result<Vec<Unit>> {
    let limit = q.limit.unwrap_or(1000);
    if !(1..=5000).contains(&limit) {
        return Err(Error::bad_request("limit must be between 1 and 5000"));
    }
    let offset = q.offset.unwrap_or(0).max(0);
    if let Some(parent) = &q.parent {
        visible_unit(store, who, parent).await?;
    }
    let search = q.q.as_deref().map(str::trim).filter(|t| !t.is_empty());
    let wanted = search.map(fold);
    let matches = |u: &UnitRow| match (search, &wanted) {
        (Some(t), Some(w)) => u.code.starts_with(t) || fold(&u.name).contains(w.as_str()),
        _ => true,
    };
    if who.role == Role::Enumerator {
        // An enumerator sees the villages assigned to them, nothing more.
        let mut out = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for a in store.assignments("/", Some(who.user_id)).await? {
            if !seen.insert(a.village_code.clone()) {
                continue;
            }
            if let Some(u) = store.unit(&a.village_code).await? {
                let parent_ok = q
                    .parent
                    .as_deref()
                    .is_none_or(|p| u.parent_code.as_deref() == Some(p));
                let level_ok = q.level.is_none_or(|l| l == Level::Village);
                if parent_ok
                    && level_ok
                    && matches(&u)
                    && (q.include_inactive || u.status == "active")
                {
                    out.push(Unit::from(u));
                }
            }
        }
        return Ok(out
            .into_iter()
            .skip(offset as usize)
            .take(limit as usize)
            .collect());
    }
    let filter = UnitFilter {
        under_path: Some(who.visible_path()),
        parent: q.parent.as_deref(),
        level: q.level.map(Level::as_str),
        include_inactive: q.include_inactive,
        limit,
        offset,
    };
    if search.is_none() {
        let rows = store.units(&filter).await?;
        return Ok(rows.into_iter().map(Unit::from).collect());
    }
    // Names are matched without diacritics, which SQL cannot do portably: the area's units are
    // read once (a province holds ~10,000) and matched here.
    let rows = store
        .units(&UnitFilter {
            limit: SEARCH_SCAN,
            offset: 0,
            ..filter
        })
        .await?;
    Ok(rows
        .into_iter()
        .filter(|u| matches(u))
        .skip(offset as usize)
        .take(limit as usize)
        .map(Unit::from)
        .collect())
}

pub async fn get_unit(store: &Store, who: &Principal, code: &str) -> Result<UnitDetail> {
    let unit = visible_unit(store, who, code).await?;
    let children = if who.role == Role::Enumerator {
        Vec::new()
    } else {
        store
            .units(&UnitFilter {
                parent: Some(code),
                include_inactive: true,
                limit: 10_000,
                ..Default::default()
            })
            .await?
            .into_iter()
            .map(Unit::from)
            .collect()
    };
    let history = store
        .unit_events(code)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(UnitDetail {
        unit: unit.into(),
        children,
        history,
    })
}

/// Only admins and the province shape the tree (the province within its own subtree).
fn require_tree_editor(who: &Principal) -> Result<()> {
    who.require_role(Role::Province, "changing administrative units")
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
    let existing: HashMap<String, UnitRow> = store
        .units(&UnitFilter {
            include_inactive: true,
            limit: i64::MAX,
            ..Default::default()
        })
        .await?
        .into_iter()
        .map(|u| (u.code.clone(), u))
        .collect();
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
        if let Some(u) = existing.get(&l.code) {
            if u.name == l.name && u.level == l.level.as_str() && u.parent_code == l.parent_code {
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
                l.parent_code.as_deref(),
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

/// Merges `code` into `into` (the 2025 reform): both of one level, both active.
pub async fn merge_unit(
    store: &Store,
    who: &Principal,
    code: &str,
    into: &str,
) -> Result<UnitDetail> {
    require_tree_editor(who)?;
    let from = visible_unit(store, who, code).await?;
    let to = visible_unit(store, who, into).await?;
    if code == into {
        return Err(Error::bad_request("a unit cannot be merged into itself"));
    }
    if from.level != to.level {
        return Err(Error::bad_request(format!(
            "{code} is a {} and {into} a {}: only units of the same level merge",
            from.level, to.level
        )));
    }
    if from.status != "active" || to.status != "active" {
        return Err(Error::Conflict(format!(
            "both units must be active ({code} is {}, {into} is {})",
            from.status, to.status
        )));
    }
    if to.path.starts_with(&from.path) {
        return Err(Error::bad_request(format!("{into} lies inside {code}")));
    }
    store.merge_unit(code, into, &who.username, now()).await?;
    get_unit(store, who, into).await
}

/// Retires a unit that no longer has active children.
pub async fn retire_unit(store: &Store, who: &Principal, code: &str) -> Result<Unit> {
    require_tree_editor(who)?;
    let unit = visible_unit(store, who, code).await?;
    if unit.status != "active" {
        return Err(Error::Conflict(format!(
            "unit {code} is already {}",
            unit.status
        )));
    }
    let children = store.active_children(code).await?;
    if children > 0 {
        return Err(Error::Conflict(format!(
            "unit {code} still has {children} active child unit(s): merge or retire them first"
        )));
    }
    store.retire_unit(code, &who.username, now()).await?;
    let unit = store.unit(code).await?.ok_or_else(|| not_found(code))?;
    Ok(unit.into())
}
