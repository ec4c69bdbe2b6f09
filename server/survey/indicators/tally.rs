//! The counts of the indicators defined by rule kept per household, so that a batch recounts
//! only the households it touched instead of reading its whole village again (a count is a sum
//! over households: each household's part can be taken out and put back).

use std::collections::HashMap;

use crate::store::{HouseholdRow, RuleCount};
use crate::survey::indicators::IndicatorRule;

/// A village's counts of some rules, with each household's part.
#[derive(Debug, Clone)]
pub struct RuleTally {
    rules: Vec<(i64, IndicatorRule)>,
    year: i64,
    /// Each counted household's part, one count per rule in the order of `rules`.
    parts: HashMap<String, Vec<RuleCount>>,
    totals: Vec<RuleCount>,
}

/// What a batch changes in a tally; applied once the batch's transaction has committed.
#[derive(Debug, Clone)]
pub enum TallyUpdate {
    /// Counted over the whole village (no tally yet, or other rules, or a new year).
    Whole(RuleTally),
    /// The touched households' new parts (`None`: no longer in the document) and the totals.
    Households {
        parts: Vec<(String, Option<Vec<RuleCount>>)>,
        totals: Vec<RuleCount>,
    },
}

/// One household's part of each rule.
fn part(rules: &[(i64, IndicatorRule)], household: &HouseholdRow, year: i64) -> Vec<RuleCount> {
    let one = std::slice::from_ref(household);
    rules.iter().map(|(_, r)| r.count(one, year)).collect()
}

fn add(totals: &mut [RuleCount], part: &[RuleCount]) {
    for (t, p) in totals.iter_mut().zip(part) {
        t.add(p);
    }
}

fn subtract(totals: &mut [RuleCount], part: &[RuleCount]) {
    for (t, p) in totals.iter_mut().zip(part) {
        t.numerator -= p.numerator;
        t.asked -= p.asked;
        t.eligible -= p.eligible;
    }
}

impl RuleTally {
    /// Counts every household of a village.
    pub fn whole(rules: &[(i64, IndicatorRule)], households: &[HouseholdRow], year: i64) -> Self {
        let mut totals = vec![RuleCount::default(); rules.len()];
        let mut parts = HashMap::with_capacity(households.len());
        for h in households {
            let p = part(rules, h, year);
            add(&mut totals, &p);
            parts.insert(h.id.clone(), p);
        }
        RuleTally {
            rules: rules.to_vec(),
            year,
            parts,
            totals,
        }
    }

    /// Whether this tally counts exactly `rules` in `year` (ages change with the year).
    pub fn fits(&self, rules: &[(i64, IndicatorRule)], year: i64) -> bool {
        self.year == year && self.rules == rules
    }

    /// The update that recounts `read` (the touched households still in the document) and
    /// drops `gone` (touched, no longer there). A household named twice counts once, as read
    /// last.
    pub fn update(&self, read: &[HouseholdRow], gone: &[String]) -> TallyUpdate {
        let mut latest: HashMap<&str, Option<&HouseholdRow>> = HashMap::new();
        for id in gone {
            latest.insert(id, None);
        }
        for h in read {
            latest.insert(&h.id, Some(h));
        }
        let mut totals = self.totals.clone();
        let mut parts = Vec::with_capacity(latest.len());
        for (id, household) in latest {
            if let Some(old) = self.parts.get(id) {
                subtract(&mut totals, old);
            }
            let new = household.map(|h| part(&self.rules, h, self.year));
            if let Some(new) = &new {
                add(&mut totals, new);
            }
            parts.push((id.to_string(), new));
        }
        TallyUpdate::Households { parts, totals }
    }

    /// The counts per indicator id.
    pub fn counts(&self) -> Vec<(i64, RuleCount)> {
        with_ids(&self.rules, &self.totals)
    }
}

fn with_ids(rules: &[(i64, IndicatorRule)], totals: &[RuleCount]) -> Vec<(i64, RuleCount)> {
    rules
        .iter()
        .map(|(id, _)| *id)
        .zip(totals.iter().copied())
        .collect()
}

impl TallyUpdate {
    /// The village's counts once the update is applied to `base` (the tally it was made from).
    pub fn counts(&self, base: Option<&RuleTally>) -> Vec<(i64, RuleCount)> {
        match (self, base) {
            (TallyUpdate::Whole(t), _) => t.counts(),
            (TallyUpdate::Households { totals, .. }, Some(base)) => with_ids(&base.rules, totals),
            (TallyUpdate::Households { .. }, None) => Vec::new(),
        }
    }

    /// Applies the update; a households' update needs the tally it was made from.
    pub fn apply(self, tally: &mut Option<RuleTally>) {
        match self {
            TallyUpdate::Whole(t) => *tally = Some(t),
            TallyUpdate::Households { parts, totals } => {
                let Some(t) = tally.as_mut() else {
                    return;
                };
                for (id, part) in parts {
                    match part {
                        Some(p) => t.parts.insert(id, p),
                        None => t.parts.remove(&id),
                    };
                }
                t.totals = totals;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::store::{PersonRow, PERSON_FLAG_COLUMNS};

    /// A person: birth year, has a smartphone, answer to the app question.
    type Person = (i64, Option<bool>, Option<bool>);

    /// A household `h{n}` with persons.
    fn household(n: u8, persons: &[Person], deleted: bool) -> HouseholdRow {
        let phone = PERSON_FLAG_COLUMNS
            .iter()
            .position(|c| *c == "has_smartphone")
            .expect("a person column");
        HouseholdRow {
            id: format!("h{n}"),
            deleted,
            persons: persons
                .iter()
                .enumerate()
                .map(|(i, (year, smartphone, app))| {
                    let mut flags = [None; 12];
                    flags[phone] = *smartphone;
                    PersonRow {
                        id: format!("h{n}p{i}"),
                        birth_year: Some(*year),
                        answers: app.map(|a| format!(r#"{{"has_city_app": {a}}}"#)),
                        flags,
                        ..Default::default()
                    }
                })
                .collect(),
            ..Default::default()
        }
    }

    fn rules() -> Vec<(i64, IndicatorRule)> {
        [
            r#"{"counts": "persons", "numerator": {"yes": "has_city_app"}}"#,
            r#"{"counts": "persons", "numerator": {"yes": "has_city_app"}, "denominator": {"yes": "has_smartphone"}}"#,
            r#"{"counts": "households", "numerator": {"answered": "head_name"}}"#,
        ]
        .iter()
        .zip(17..)
        .map(|(json, id)| (id, serde_json::from_str(json).expect("a rule")))
        .collect()
    }

    fn a_household() -> impl Strategy<Value = (u8, Vec<Person>, bool)> {
        (
            0u8..12,
            prop::collection::vec(
                (
                    1940i64..2020,
                    prop::option::of(any::<bool>()),
                    prop::option::of(any::<bool>()),
                ),
                0..4,
            ),
            any::<bool>(),
        )
    }

    proptest! {
        // A failure is turned into a test of its own below, not kept in a file.
        #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

        /// Batches that rewrite or remove some households, counted by touched households only,
        /// always give the counts of the whole village read again.
        #[test]
        fn touched_households_only_count_as_the_whole(
            start in prop::collection::vec(a_household(), 0..12),
            batches in prop::collection::vec(
                prop::collection::vec((a_household(), any::<bool>()), 1..4), 1..6),
        ) {
            let rules = rules();
            let mut village: std::collections::BTreeMap<String, HouseholdRow> = start
                .iter()
                .map(|(n, p, d)| household(*n, p, *d))
                .map(|h| (h.id.clone(), h))
                .collect();
            let all = |v: &std::collections::BTreeMap<String, HouseholdRow>| v.values().cloned().collect::<Vec<_>>();
            let mut tally = Some(RuleTally::whole(&rules, &all(&village), 2026));
            for batch in batches {
                let (mut read, mut gone) = (Vec::new(), Vec::new());
                for ((n, p, d), removed) in batch {
                    let h = household(n, &p, d);
                    if removed {
                        village.remove(&h.id);
                        gone.push(h.id);
                    } else {
                        village.insert(h.id.clone(), h.clone());
                        read.retain(|r: &HouseholdRow| r.id != h.id);
                        read.push(h);
                    }
                }
                // A household both rewritten and removed in one batch is gone.
                read.retain(|r| village.contains_key(&r.id));
                gone.retain(|g| !village.contains_key(g));
                let base = tally.as_ref().expect("a tally");
                let update = base.update(&read, &gone);
                let counts = update.counts(Some(base));
                update.apply(&mut tally);
                let whole = RuleTally::whole(&rules, &all(&village), 2026).counts();
                prop_assert_eq!(&counts, &whole);
                prop_assert_eq!(tally.as_ref().expect("a tally").counts(), whole);
            }
        }
    }

    /// Found by the property above: a household removed twice in one batch was taken out twice.
    #[test]
    fn a_household_named_twice_in_a_batch_counts_once() {
        let rules = rules();
        let h = household(2, &[(1980, Some(true), Some(true))], false);
        let tally = RuleTally::whole(&rules, std::slice::from_ref(&h), 2026);
        let removed = tally.update(&[], &[h.id.clone(), h.id.clone()]);
        assert_eq!(
            removed.counts(Some(&tally)),
            RuleTally::whole(&rules, &[], 2026).counts()
        );
        let rewritten = tally.update(std::slice::from_ref(&h), std::slice::from_ref(&h.id));
        assert_eq!(rewritten.counts(Some(&tally)), tally.counts());
    }

    #[test]
    fn a_tally_fits_only_its_rules_and_year() {
        let rules = rules();
        let tally = RuleTally::whole(
            &rules,
            &[household(1, &[(1980, Some(true), Some(true))], false)],
            2026,
        );
        assert!(tally.fits(&rules, 2026));
        assert!(!tally.fits(&rules, 2027), "ages move with the year");
        assert!(!tally.fits(&rules[..2], 2026), "a rule removed");
        assert_eq!(tally.counts()[0].1.numerator, 1);
    }
}
