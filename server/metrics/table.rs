//! The indicator table of a unit and its children: numerator, denominator, rate, target, met,
//! now or as of a day, with the baseline ("before") beside it. Everything is summed from the
//! per-village counts (of each indicator's rule, and the survey's progress counters) maintained
//! with the projection, never from person rows.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Principal;
use crate::clock::{is_iso_date, now, vietnam_date};
use crate::error::{Error, Result};
use crate::metrics::campaigns::{self, Campaign};
use crate::metrics::declared::DeclaredStatus;
use crate::metrics::readable_unit;
use crate::metrics::targets::Targets;
use crate::store::{
    Counter, Counters, DeclaredRow, IndicatorRow, RuleCount, SettledDay, Store, UnitFilter, UnitRow,
};
use crate::survey::indicators::RateAmong;
use crate::units::Level;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct IndicatorQuery {
    /// Numbers as they stood at the end of this day (`YYYY-MM-DD`); default: now.
    pub as_of: Option<String>,
    /// "Before" numbers from the end of this day; default: the campaign's baseline date.
    pub baseline: Option<String>,
    /// Campaign whose targets and baseline apply; default: the current campaign.
    pub campaign: Option<i64>,
    /// Compare every unit of this level under the unit (a province's communes across its
    /// districts) instead of its children.
    pub level: Option<Level>,
}

/// One indicator of one unit.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IndicatorValue {
    pub id: i64,
    pub numerator: i64,
    pub denominator: i64,
    /// numerator / denominator; null when nothing was counted.
    pub rate: Option<f64>,
    pub target: f64,
    /// Whether the rate reaches the target; null without data.
    pub met: Option<bool>,
    /// The same at the baseline date, when one applies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineValue>,
    /// A commune's declared status instead of numbers (shown as its text; not met).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<DeclaredStatus>,
    /// For a declared indicator: how many of the communes summed here declared it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reported: Option<Reported>,
    /// For an indicator whose rate is among those asked: the records it is about, of whom
    /// `denominator` were asked its question ("đã hỏi 120/150").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eligible: Option<i64>,
}

/// "3/5 xã đã báo cáo": communes that declared an indicator, of those under the unit.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct Reported {
    pub communes_reported: i64,
    pub communes: i64,
}

/// An indicator at the baseline ("before").
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BaselineValue {
    pub numerator: i64,
    pub denominator: i64,
    pub rate: Option<f64>,
    pub met: Option<bool>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnitIndicators {
    pub code: String,
    /// The official code it holds now (differs from `code`, its identity, after a reform reused
    /// a former unit's code).
    pub official_code: String,
    pub name: String,
    pub level: String,
    /// The unit above it (a commune's district: the label when communes are compared across
    /// districts); null for a unit at the top.
    pub parent_code: Option<String>,
    pub parent_name: Option<String>,
    /// Households known and visited, persons surveyed (progress of the survey).
    pub households_known: i64,
    pub households_visited: i64,
    pub persons_surveyed: i64,
    pub indicators: Vec<IndicatorValue>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IndicatorTable {
    /// The day asked for with `as_of`; null: now.
    pub as_of: Option<String>,
    /// The day the "before" numbers are from: `baseline` if given, else the campaign's
    /// baseline date; null when there is neither.
    pub baseline: Option<String>,
    /// The campaign whose targets and baseline were applied: the one asked for with
    /// `campaign`, else the current one; null when there is none.
    pub campaign: Option<Campaign>,
    pub unit: UnitIndicators,
    pub children: Vec<UnitIndicators>,
}

/// Sums per unit: survey counters and declared (numerator, denominator) per indicator, with
/// the communes that declared each, the communes summed, and a lone commune's status.
#[derive(Default, Clone)]
struct Sums {
    counters: Counters,
    declared: HashMap<i64, (i64, i64)>,
    reported: HashMap<i64, i64>,
    statuses: HashMap<i64, DeclaredStatus>,
    communes: i64,
    /// The counts of each survey indicator (a rule).
    rules: RuleSums,
}

/// Counts summed per indicator id: a dozen or so, searched in order (a province's table adds
/// one village's counts of every indicator to two sums, a few thousand times).
#[derive(Default, Clone)]
struct RuleSums(Vec<(i64, RuleCount)>);

impl RuleSums {
    fn add(&mut self, id: i64, count: &RuleCount) {
        match self.0.iter_mut().find(|(i, _)| *i == id) {
            Some((_, sum)) => sum.add(count),
            None => self.0.push((id, *count)),
        }
    }

    fn get(&self, id: i64) -> RuleCount {
        self.0
            .iter()
            .find(|(i, _)| *i == id)
            .map_or_else(RuleCount::default, |(_, c)| *c)
    }
}

/// Sums the counters and declarations under `unit` for the unit itself and each child.
async fn sums(
    store: &Store,
    unit: &UnitRow,
    children: &[UnitRow],
    as_of: Option<&str>,
    direct_children: bool,
    with_rules: bool,
) -> Result<Vec<Sums>> {
    let mut out = vec![Sums::default(); children.len() + 1];
    // A unit's column: the nearest of its ancestors (or itself) that is a child. Paths are
    // "/a/b/c/", so the ancestors are the prefixes ending in '/'.
    let columns: HashMap<&str, usize> = children
        .iter()
        .enumerate()
        .map(|(i, c)| (c.path.as_str(), i + 1))
        .collect();
    let slot = |path: &str| {
        path.char_indices()
            .filter(|&(_, c)| c == '/')
            .find_map(|(i, _)| columns.get(&path[..=i]).copied())
    };
    // Today's progress counters of direct children are summed by the database, the indicators'
    // counts read per village (one row each, every indicator in it); a past day's are read per
    // village, once (then remembered until a restatement), except yesterday's and today's,
    // which phones still write.
    let yesterday = vietnam_date(now() - 86_400).0;
    // A settled day is shared with the memory it comes from (a province's is ~600 KB).
    let (settled, fresh) = match as_of {
        Some(day) if day < yesterday.as_str() => {
            let day = store
                .settled_day(&unit.path, day, with_rules, now())
                .await?;
            (Some(day), SettledDay::default())
        }
        _ => {
            // The two reads go to the database side by side (PostgreSQL answers each on its
            // own connection; the province's table waits for the slower, not the sum).
            let counters = async {
                match as_of {
                    None if direct_children => store.child_counters(&unit.path).await,
                    _ => store.village_counters(&unit.path, as_of).await,
                }
            };
            let rules = async {
                match with_rules {
                    true => store.rule_counts_under(&unit.path, as_of).await.map(Some),
                    false => Ok(None),
                }
            };
            let (counters, rules) = tokio::try_join!(counters, rules)?;
            (None, SettledDay { counters, rules })
        }
    };
    let figures = settled.as_deref().unwrap_or(&fresh);
    let rows = &figures.counters;
    let rules = figures.rules.as_deref().unwrap_or_default();
    for v in rows.iter() {
        out[0].counters.add(&v.counters);
        if let Some(i) = slot(&v.path) {
            out[i].counters.add(&v.counters);
        }
    }
    for v in rules {
        for i in std::iter::once(0).chain(slot(&v.path)) {
            for (id, count) in &v.counts {
                out[i].rules.add(*id, count);
            }
        }
    }
    let day = as_of.map_or_else(|| "9999-12-31".to_string(), str::to_string);
    // Latest declaration per (unit, indicator): rows come oldest first.
    let mut latest: HashMap<(String, i64), DeclaredRow> = HashMap::new();
    for d in store.declared_under(&unit.path, &day).await? {
        latest.insert((d.unit_code.clone(), d.indicator_id), d);
    }
    // A merged unit's declarations stand for the unit it went into until that unit declares
    // the indicator itself (a former commune's last figure counts for the new commune, once).
    let own: HashSet<(String, i64)> = latest.keys().cloned().collect();
    latest.retain(|(_, indicator), d| {
        d.merged_into
            .as_ref()
            .is_none_or(|into| !own.contains(&(into.clone(), *indicator)))
    });
    // A split commune's declaration stands until every commune it was split into declares the
    // indicator itself (theirs then cover its people; until then the two overlap).
    let successors = store.split_successors().await?;
    latest.retain(|(unit, indicator), _| {
        let mut next = successors
            .iter()
            .filter(|(former, _)| former == unit)
            .peekable();
        next.peek().is_none()
            || !next.all(|(_, successor)| own.contains(&(successor.clone(), *indicator)))
    });
    let slots = |path: &str| {
        std::iter::once(Some(0))
            .chain(std::iter::once(slot(path)))
            .flatten()
    };
    for ((_, indicator), d) in latest {
        for i in slots(&d.unit_path) {
            let e = out[i].declared.entry(indicator).or_default();
            e.0 += d.numerator;
            e.1 += d.denominator;
            *out[i].reported.entry(indicator).or_default() += 1;
            if let Some(status) = d.status.as_deref().and_then(DeclaredStatus::parse) {
                out[i].statuses.insert(indicator, status);
            }
        }
    }
    let communes = if unit.level == "commune" {
        vec![unit.path.clone()]
    } else {
        store
            .units(&UnitFilter {
                under_path: Some(&unit.path),
                level: Some("commune"),
                limit: 100_000,
                ..Default::default()
            })
            .await?
            .into_iter()
            .map(|c| c.path)
            .collect()
    };
    for path in communes {
        for i in slots(&path) {
            out[i].communes += 1;
        }
    }
    Ok(out)
}

fn value(ind: &IndicatorRow, s: &Sums, target: f64) -> IndicatorValue {
    // A survey indicator's counts, and the records its rate is among (every one of the model's
    // indicators, and one a province added, is a rule over the survey's fields).
    let counted = ind.numerator_when.is_some().then(|| {
        let among = RateAmong::parse(ind.rate_among.as_deref()).unwrap_or_default();
        (s.rules.get(ind.id), among)
    });
    let (numerator, denominator) = match (ind.source.as_str(), counted) {
        ("declared", _) => s.declared.get(&ind.id).copied().unwrap_or_default(),
        (_, Some((c, among))) => (c.numerator, among.denominator(&c)),
        (_, None) => (0, 0),
    };
    let rate = (denominator > 0).then(|| numerator as f64 / denominator as f64);
    let declared = ind.source == "declared";
    // A lone commune's status stands for its value: shown as text, not met.
    let status = (declared && s.communes == 1)
        .then(|| s.statuses.get(&ind.id).copied())
        .flatten();
    IndicatorValue {
        id: ind.id,
        numerator,
        denominator,
        rate,
        target,
        met: if status.is_some() {
            Some(false)
        } else {
            rate.map(|r| r + 1e-9 >= target)
        },
        baseline: None,
        status,
        reported: declared.then(|| Reported {
            communes_reported: s.reported.get(&ind.id).copied().unwrap_or(0),
            communes: s.communes,
        }),
        // "Asked n of m" only where the rate is among those asked.
        eligible: counted
            .filter(|(_, among)| *among == RateAmong::Asked)
            .map(|(c, _)| c.eligible),
    }
}

fn unit_row(
    unit: &UnitRow,
    parent_name: Option<&String>,
    s: &Sums,
    base: Option<&Sums>,
    catalogue: &[IndicatorRow],
    targets: &Targets,
    campaign: Option<i64>,
) -> UnitIndicators {
    let c = &s.counters;
    UnitIndicators {
        code: unit.code.clone(),
        official_code: unit
            .official_code
            .clone()
            .unwrap_or_else(|| unit.code.clone()),
        name: unit.name.clone(),
        level: unit.level.clone(),
        parent_code: unit.parent_code.clone(),
        parent_name: parent_name.cloned(),
        households_known: c[Counter::HKnown],
        households_visited: c[Counter::HVisited],
        persons_surveyed: c[Counter::PSurveyed],
        indicators: catalogue
            .iter()
            .map(|ind| {
                let target = targets.resolve(ind.id, &unit.path, campaign);
                let mut v = value(ind, s, target);
                v.baseline = base.map(|b| {
                    let before = value(ind, b, target);
                    BaselineValue {
                        numerator: before.numerator,
                        denominator: before.denominator,
                        rate: before.rate,
                        met: before.met,
                    }
                });
                v
            })
            .collect(),
    }
}

fn check_date(name: &str, d: Option<&str>) -> Result<()> {
    match d {
        Some(d) if !is_iso_date(d) => Err(Error::bad_request(format!(
            "{name} '{d}' is not a date: write it as YYYY-MM-DD"
        ))),
        _ => Ok(()),
    }
}

/// The units compared: the children, or every active unit of `level` under the unit.
async fn compared_units(
    store: &Store,
    unit: &UnitRow,
    level: Option<Level>,
) -> Result<Vec<UnitRow>> {
    let own = Level::parse(&unit.level);
    let filter = match level {
        None => UnitFilter {
            parent: Some(&unit.code),
            ..Default::default()
        },
        Some(l) if own.is_some_and(|own| l > own) => UnitFilter {
            under_path: Some(&unit.path),
            level: Some(l.as_str()),
            ..Default::default()
        },
        Some(l) => {
            return Err(Error::bad_request(format!(
                "level '{}' is not below {} ({}): compare a level under the unit",
                l.as_str(),
                unit.name,
                unit.level
            )))
        }
    };
    Ok(store
        .units(&UnitFilter {
            limit: 100_000,
            ..filter
        })
        .await?)
}

/// Names of the units' parents (the unit's own, and its children's: one lookup per distinct
/// parent, a province's districts at most).
async fn parent_names(
    store: &Store,
    unit: &UnitRow,
    children: &[UnitRow],
) -> Result<HashMap<String, String>> {
    let mut names = HashMap::from([(unit.code.clone(), unit.name.clone())]);
    let wanted: std::collections::BTreeSet<&String> = children
        .iter()
        .chain(std::iter::once(unit))
        .filter_map(|u| u.parent_code.as_ref())
        .collect();
    for code in wanted {
        if !names.contains_key(code) {
            if let Some(p) = store.unit(code).await? {
                names.insert(p.code, p.name);
            }
        }
    }
    Ok(names)
}

pub async fn unit_indicators(
    store: &Store,
    who: &Principal,
    code: &str,
    q: &IndicatorQuery,
) -> Result<IndicatorTable> {
    let unit = readable_unit(store, who, code).await?;
    check_date("as_of", q.as_of.as_deref())?;
    check_date("baseline", q.baseline.as_deref())?;
    let campaign = campaigns::for_request(store, q.campaign).await?;
    let baseline = q
        .baseline
        .clone()
        .or_else(|| campaign.as_ref().map(|c| c.baseline_date.clone()));
    // "As of today" reads live counters; a past day reads the snapshots.
    let today = vietnam_date(now()).0;
    let as_of = q.as_of.clone().filter(|d| *d < today);
    let children = compared_units(store, &unit, q.level).await?;
    let parents = parent_names(store, &unit, &children).await?;
    let direct = q.level.is_none();
    let catalogue = store.indicators().await?;
    let rules = catalogue.iter().any(|i| i.numerator_when.is_some());
    let now_sums = sums(store, &unit, &children, as_of.as_deref(), direct, rules).await?;
    let base_sums = match &baseline {
        Some(day) => Some(sums(store, &unit, &children, Some(day), direct, rules).await?),
        None => None,
    };
    let targets = Targets::load(store).await?;
    let camp = campaign.as_ref().map(|c| c.id);
    let row = |i: usize, u: &UnitRow| {
        unit_row(
            u,
            u.parent_code.as_ref().and_then(|p| parents.get(p)),
            &now_sums[i],
            base_sums.as_ref().map(|b| &b[i]),
            &catalogue,
            &targets,
            camp,
        )
    };
    Ok(IndicatorTable {
        as_of: q.as_of.clone(),
        baseline,
        campaign,
        unit: row(0, &unit),
        children: children
            .iter()
            .enumerate()
            .map(|(i, c)| row(i + 1, c))
            .collect(),
    })
}
