//! Counting rows held in memory (a past day's households, read out of the village document) with
//! the conditions the SQL selects use, so a restated day and today's figures count alike.

use super::counters::{Counters, Counts, When, COUNTERS};
use super::rows::{Cell, HouseholdRow, PersonRow};

impl When {
    /// Whether a row whose columns `cell` gives meets the condition, with SQL's reading of NULL
    /// (a comparison with NULL is not true). A column the row does not have never matches.
    fn holds<'a>(&self, cell: &dyn Fn(&str) -> Option<Cell<'a>>) -> bool {
        match self {
            When::Always => true,
            When::Answered(c) => matches!(cell(c), Some(Cell::Int(_) | Cell::Text(_))),
            When::AnyAnswered(cs) => cs
                .iter()
                .any(|c| matches!(cell(c), Some(Cell::Int(_) | Cell::Text(_)))),
        }
    }
}

impl Counts {
    /// `live()` for a household in memory.
    fn live_household(h: &HouseholdRow) -> bool {
        !h.deleted && h.duplicate_of.is_none()
    }

    /// `live()` for a person of a live household; `born_by` is `$2`.
    fn live_person(p: &PersonRow, born_by: i64) -> bool {
        !p.deleted && p.birth_year.is_none_or(|y| y <= born_by)
    }
}

impl Counters {
    /// A village's counters from its households, persons aged 15+ being those born in or
    /// before `born_by` (or of unknown age): what the SQL selects give over the same rows.
    pub fn tally<'a>(households: impl IntoIterator<Item = &'a HouseholdRow>, born_by: i64) -> Self {
        let mut c = Counters::default();
        for h in households {
            if !Counts::live_household(h) {
                continue;
            }
            for d in COUNTERS.iter().filter(|d| d.counts == Counts::Households) {
                if d.when.holds(&|col| h.cell(col)) {
                    c[d.counter] += 1;
                }
            }
            for p in h.persons.iter().filter(|p| Counts::live_person(p, born_by)) {
                for d in COUNTERS.iter().filter(|d| d.counts == Counts::Persons) {
                    if d.when.holds(&|col| p.cell(col)) {
                        c[d.counter] += 1;
                    }
                }
            }
        }
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Counter;

    /// Every column a condition names exists on the rows it is evaluated against: a typo would
    /// otherwise count nothing, silently.
    #[test]
    fn every_condition_names_a_known_column() {
        fn columns(w: &When, out: &mut Vec<&'static str>) {
            match w {
                When::Always => {}
                When::Answered(c) => out.push(c),
                When::AnyAnswered(cs) => out.extend(cs.iter().copied()),
            }
        }
        let (h, p) = (HouseholdRow::default(), PersonRow::default());
        for d in COUNTERS {
            let mut cs = Vec::new();
            columns(&d.when, &mut cs);
            for c in cs {
                let known = match d.counts {
                    Counts::Households => h.cell(c).is_some(),
                    Counts::Persons => p.cell(c).is_some(),
                };
                assert!(known, "{}: column {c}", d.name);
            }
        }
    }

    #[test]
    fn tally_reads_null_as_sql_does() {
        let mut h = HouseholdRow {
            visit_outcome: Some("surveyed".into()),
            flags: [Some(true), Some(false), Some(true), None],
            ..Default::default()
        };
        h.persons = vec![
            PersonRow {
                vneid_level: Some(2),
                birth_year: Some(1990),
                ..Default::default()
            },
            PersonRow {
                birth_year: Some(2015),
                flags: [Some(true); 12],
                ..Default::default()
            },
            PersonRow::default(),
        ];
        let c = Counters::tally([&h], 2011);
        assert_eq!(c[Counter::HKnown], 1);
        assert_eq!(c[Counter::HVisited], 1);
        // The child born in 2015 is not counted; the person with nothing answered is known only
        // (a VNeID level answered makes one surveyed).
        assert_eq!(c[Counter::PKnown], 2);
        assert_eq!(c[Counter::PSurveyed], 1);
        h.duplicate_of = Some("x".into());
        assert_eq!(Counters::tally([&h], 2011), Counters::default());
    }
}
