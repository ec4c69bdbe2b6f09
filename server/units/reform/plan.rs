//! From a checked mapping and the tree as it stands to what a reform will do: the preview a
//! person reads, and the writes the store applies in one transaction.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use utoipa::ToSchema;

use crate::clock::{vietnam_date, vietnam_day_start};
use crate::fold::fold;
use crate::store::{ReformUnit, ReformWrite, UnitRow, UserRow};
use crate::units::line_number;
use crate::units::reform::mapping::{MappingLine, Share};

/// A unit named in a preview: identity, official code and name.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnitRef {
    pub code: String,
    pub official_code: String,
    pub name: String,
}

/// A former commune going (wholly or in part) into a new one.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FormerPart {
    pub line: u64,
    #[serde(flatten)]
    pub unit: UnitRef,
    pub share: Share,
    /// Villages it brings now (0 for a split commune: its villages are placed one by one).
    pub villages: usize,
    pub households: i64,
}

/// A commune the reform creates.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NewCommune {
    #[serde(flatten)]
    pub unit: UnitRef,
    pub province: String,
    pub formers: Vec<FormerPart>,
}

/// A village of a split commune, to be placed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VillageToPlace {
    pub code: String,
    pub name: String,
    pub households: i64,
}

/// A former commune split between new ones.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Split {
    #[serde(flatten)]
    pub unit: UnitRef,
    pub candidates: Vec<UnitRef>,
    pub villages: Vec<VillageToPlace>,
}

/// What a reform will do (or did).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReformPreview {
    pub name: String,
    pub effective_date: String,
    pub new_communes: Vec<NewCommune>,
    pub splits: Vec<Split>,
    pub districts_retired: Vec<UnitRef>,
    /// Households that move with whole former communes.
    pub households_moved: i64,
    /// Accounts whose area moves to a new commune.
    pub users_moved: usize,
    /// Accounts scoped to a district the reform retires: they see nothing until given a new area.
    pub users_without_area: Vec<String>,
    /// Things worth a look that do not stop the reform (e.g. a name that differs from the tree's).
    pub warnings: Vec<String>,
}

/// The tree and accounts as they stand, read before planning.
pub struct Tree<'a> {
    pub units: &'a [UnitRow],
    /// Codes held on the day before the reform: code → identity.
    pub held_before: &'a HashMap<String, String>,
    /// Codes held on the effective date (before the reform is applied): code → identity.
    pub held_on: &'a HashMap<String, String>,
    pub households: &'a HashMap<String, i64>,
    pub users: &'a [UserRow],
}

/// The day before an ISO date.
pub fn day_before(day: &str) -> Option<String> {
    Some(vietnam_date(vietnam_day_start(day)? - 1).0)
}

/// Plans the reform, or lists every line that stops it. `may_change` says whether the caller
/// may change a unit at that path.
pub fn plan(
    lines: &[MappingLine],
    name: &str,
    effective: &str,
    tree: &Tree<'_>,
    may_change: &dyn Fn(&str) -> bool,
    actor: &str,
    now: i64,
) -> Result<(ReformPreview, ReformWrite), Vec<String>> {
    let by_id: HashMap<&str, &UnitRow> = tree.units.iter().map(|u| (u.code.as_str(), u)).collect();
    let before = day_before(effective).unwrap_or_default();
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    // Each line's former commune, checked.
    let mut formers: Vec<(&MappingLine, &UnitRow)> = Vec::new();
    for l in lines {
        let found = tree
            .held_before
            .get(&l.old_code)
            .and_then(|id| by_id.get(id.as_str()));
        match found {
            None => errors.push(format!(
                "line {}: former commune {} ({}) is not in the tree on {before}: import the former communes first, or remove the row",
                l.line, l.old_code, l.old_name
            )),
            Some(u) if u.level != "commune" => errors.push(format!(
                "line {}: {} is '{}', a {}, not a commune",
                l.line, l.old_code, u.name, u.level
            )),
            Some(u) if u.status != "active" => errors.push(format!(
                "line {}: former commune {} ('{}') is already {} (was this reform applied before?)",
                l.line, l.old_code, u.name, u.status
            )),
            Some(u) if !may_change(&u.path) => errors.push(format!(
                "line {}: former commune {} ('{}') is outside your area",
                l.line, l.old_code, u.name
            )),
            Some(u) => {
                if !l.old_name.is_empty() && !same_name(&l.old_name, &u.name) {
                    warnings.push(format!(
                        "line {}: {} is '{}' in the tree and '{}' in the mapping",
                        l.line, l.old_code, u.name, l.old_name
                    ));
                }
                formers.push((l, u));
            }
        }
    }
    // The new communes, in the order of their first row, each under its former communes' province.
    let mut order: Vec<&str> = Vec::new();
    let mut rows_of: HashMap<&str, Vec<(&MappingLine, &UnitRow)>> = HashMap::new();
    for (l, u) in &formers {
        if !rows_of.contains_key(l.new_code.as_str()) {
            order.push(&l.new_code);
        }
        rows_of.entry(&l.new_code).or_default().push((l, u));
    }
    let ending: HashSet<&str> = formers.iter().map(|(_, u)| u.code.as_str()).collect();
    let mut taken: HashSet<String> = by_id.keys().map(|k| k.to_string()).collect();
    let year = effective.get(..4).unwrap_or("new");
    let mut create = Vec::new();
    let mut new_communes = Vec::new();
    let mut id_of: HashMap<&str, String> = HashMap::new();
    for code in &order {
        let rows = &rows_of[code];
        let (first, _) = rows[0];
        let provinces: HashSet<&str> = rows
            .iter()
            .filter_map(|(_, u)| province_of(&u.path))
            .collect();
        if provinces.len() != 1 {
            errors.push(format!(
                "line {}: new commune {code} takes former communes of several provinces",
                first.line
            ));
            continue;
        }
        let province = provinces.into_iter().next().unwrap_or_default().to_string();
        if let Some(holder) = tree
            .held_on
            .get(*code)
            .filter(|h| !ending.contains(h.as_str()))
        {
            let name = by_id.get(holder.as_str()).map_or("", |u| u.name.as_str());
            errors.push(format!(
                "line {}: code {code} is held on {effective} by '{name}' ({holder}), which this reform does not retire",
                first.line
            ));
            continue;
        }
        let id = fresh_id(code, year, &taken);
        taken.insert(id.clone());
        id_of.insert(code, id.clone());
        create.push(ReformUnit {
            id: id.clone(),
            code: code.to_string(),
            name: first.new_name.clone(),
            parent: province.clone(),
        });
        new_communes.push(NewCommune {
            unit: UnitRef {
                code: id,
                official_code: code.to_string(),
                name: first.new_name.clone(),
            },
            province,
            formers: Vec::new(),
        });
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| line_number(e));
        return Err(errors);
    }
    let villages_of = |commune: &str| -> Vec<&UnitRow> {
        tree.units
            .iter()
            .filter(|v| v.parent_code.as_deref() == Some(commune) && v.status == "active")
            .collect()
    };
    let households = |v: &str| tree.households.get(v).copied().unwrap_or(0);
    let mut merges = Vec::new();
    let mut splits: Vec<Split> = Vec::new();
    let mut split_writes: Vec<(String, Vec<String>)> = Vec::new();
    let mut households_moved = 0;
    let unit_ref = |u: &UnitRow| UnitRef {
        code: u.code.clone(),
        official_code: u.official_code.clone().unwrap_or_else(|| u.code.clone()),
        name: u.name.clone(),
    };
    for (l, u) in &formers {
        let into = &id_of[l.new_code.as_str()];
        let villages = villages_of(&u.code);
        let whole = l.share == Share::Full;
        let brought: i64 = villages.iter().map(|v| households(&v.code)).sum();
        if whole {
            merges.push((u.code.clone(), into.clone()));
            households_moved += brought;
        } else if let Some((_, candidates)) = split_writes.iter_mut().find(|(f, _)| *f == u.code) {
            candidates.push(into.clone());
        } else {
            split_writes.push((u.code.clone(), vec![into.clone()]));
            splits.push(Split {
                unit: unit_ref(u),
                candidates: Vec::new(),
                villages: villages
                    .iter()
                    .map(|v| VillageToPlace {
                        code: v.code.clone(),
                        name: v.name.clone(),
                        households: households(&v.code),
                    })
                    .collect(),
            });
        }
        if let Some(n) = new_communes.iter_mut().find(|n| &n.unit.code == into) {
            n.formers.push(FormerPart {
                line: l.line,
                unit: unit_ref(u),
                share: l.share,
                villages: if whole { villages.len() } else { 0 },
                households: if whole { brought } else { 0 },
            });
        }
    }
    for s in &mut splits {
        if let Some((_, ids)) = split_writes.iter().find(|(f, _)| *f == s.unit.code) {
            s.candidates = new_communes
                .iter()
                .filter(|n| ids.contains(&n.unit.code))
                .map(|n| n.unit.clone())
                .collect();
        }
    }
    // A split commune without villages has nothing to place: it closes at once, its staff
    // going to the first new commune the mapping names for it.
    let closing: Vec<(String, String)> = splits
        .iter()
        .filter(|s| s.villages.is_empty())
        .filter_map(|s| Some((s.unit.code.clone(), s.candidates.first()?.code.clone())))
        .collect();
    // Districts whose every active child goes whole into a new commune (or closes) are retired.
    let merged: HashSet<&str> = merges
        .iter()
        .chain(closing.iter())
        .map(|(f, _)| f.as_str())
        .collect();
    let mut districts_retired = Vec::new();
    for d in tree
        .units
        .iter()
        .filter(|u| u.level == "district" && u.status == "active")
    {
        let children: Vec<&UnitRow> = tree
            .units
            .iter()
            .filter(|c| c.parent_code.as_deref() == Some(d.code.as_str()) && c.status == "active")
            .collect();
        if !children.is_empty() && children.iter().all(|c| merged.contains(c.code.as_str())) {
            districts_retired.push(unit_ref(d));
        }
    }
    let retired: HashSet<&str> = districts_retired.iter().map(|d| d.code.as_str()).collect();
    let users_moved = tree
        .users
        .iter()
        .filter(|u| u.scope_unit.as_deref().is_some_and(|s| merged.contains(s)))
        .count();
    let users_without_area = tree
        .users
        .iter()
        .filter(|u| u.scope_unit.as_deref().is_some_and(|s| retired.contains(s)))
        .map(|u| format!("{} ({})", u.display_name, u.username))
        .collect();
    let mut codes_end: Vec<String> = formers.iter().map(|(_, u)| u.code.clone()).collect();
    codes_end.dedup();
    codes_end.extend(districts_retired.iter().map(|d| d.code.clone()));
    let preview = ReformPreview {
        name: name.to_string(),
        effective_date: effective.to_string(),
        new_communes,
        splits,
        districts_retired,
        households_moved,
        users_moved,
        users_without_area,
        warnings,
    };
    let write = ReformWrite {
        name: name.to_string(),
        effective_date: effective.to_string(),
        actor: actor.to_string(),
        now,
        summary: serde_json::to_string(&preview).unwrap_or_default(),
        create,
        merges,
        splits: split_writes,
        codes_end,
        retire: closing
            .iter()
            .map(|(f, _)| f.clone())
            .chain(preview.districts_retired.iter().map(|d| d.code.clone()))
            .collect(),
        rescope: closing,
    };
    Ok((preview, write))
}

/// The identity of a new unit: its code when no unit ever had that identity, else the code
/// with the year it takes effect ("14758-2025"), numbered if even that is taken.
fn fresh_id(code: &str, year: &str, taken: &HashSet<String>) -> String {
    if !taken.contains(code) {
        return code.to_string();
    }
    let base = format!("{code}-{year}");
    if !taken.contains(&base) {
        return base;
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|id| !taken.contains(id))
        .unwrap_or(base)
}

/// The first code of a path: its province.
fn province_of(path: &str) -> Option<&str> {
    path.split('/').find(|s| !s.is_empty())
}

/// Names as people write them: "Xã Nga Liên", "xã Nga Liên", "Nga Liên" are one name.
fn same_name(a: &str, b: &str) -> bool {
    let strip = |s: &str| {
        let f = fold(s);
        ["xa ", "phuong ", "thi tran ", "dac khu "]
            .iter()
            .find_map(|p| f.strip_prefix(p).map(str::to_string))
            .unwrap_or(f)
    };
    strip(a) == strip(b)
}
