//! Unit rules: who may see, create, import, merge and retire which units.

use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::{Principal, Role};
use crate::clock::now;
use crate::error::{Error, Result};
use crate::fold::fold;
use crate::store::{Store, UnitFilter, UnitRow};
use crate::units::{Level, Unit, UnitDetail};

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

/// Most units a search reads (a province with every village is ~10,000).
const SEARCH_SCAN: i64 = 200_000;

pub(super) fn not_found(code: &str) -> Error {
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
        (Some(t), Some(w)) => {
            u.code.starts_with(t)
                || u.official_code.as_deref().is_some_and(|c| c.starts_with(t))
                || fold(&u.name).contains(w.as_str())
        }
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
    let codes = store
        .codes_of_unit(code)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(UnitDetail {
        unit: unit.into(),
        children,
        history,
        codes,
    })
}

/// Only admins and the province shape the tree (the province within its own subtree).
pub(super) fn require_tree_editor(who: &Principal) -> Result<()> {
    who.require_role(Role::Province, "changing administrative units")
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
