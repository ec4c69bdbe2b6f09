//! The survey's progress counters (households known and visited, persons known and surveyed),
//! each declared once: its column in `village_stats` and `stats_snapshots`, whether it counts
//! households or persons, and the condition a row meets to be counted. The selects that compute
//! them, the column lists, the binds and the count over rows held in memory (`tally.rs`, for past
//! days) are all built from `COUNTERS`, so adding a counter is one line here plus a migration
//! adding its column (tests/foundation/counters.rs checks that the two agree). The indicators
//! are not counters: each is a rule over the survey's fields (`survey::indicators`).

use std::ops::{Index, IndexMut};

use sqlx::Row;

use super::rows::PERSON_FLAG_COLUMNS;

/// What a counter counts. The two kinds are computed by two selects over different tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Counts {
    /// Live households (not deleted, not marked a duplicate); alias `h`.
    Households,
    /// Live persons aged 15+ (born in or before `$2`, or of unknown age) of live households;
    /// aliases `p` and `h` (the person's household).
    Persons,
}

/// One counter of the list.
#[derive(Debug)]
pub struct CounterDef {
    pub counter: Counter,
    /// Its column in `village_stats` and `stats_snapshots`.
    pub name: &'static str,
    pub counts: Counts,
    /// The condition a live row meets to be counted.
    pub when: When,
}

/// A condition on one projected row, written once and read two ways: as SQL for the selects
/// (`sql`) and against rows in memory (`tally.rs`). Columns are those of `households` (alias
/// `h`) or `persons` (alias `p`), as the counter's `Counts` says.
#[derive(Debug)]
pub enum When {
    /// Every live row.
    Always,
    /// Some answer recorded (`column IS NOT NULL`).
    Answered(&'static str),
    /// Any of these answered (`COALESCE(...) IS NOT NULL`).
    AnyAnswered(&'static [&'static str]),
}

impl When {
    /// The condition as SQL over the alias `alias` (`h` or `p`); `None` for `Always`.
    pub fn sql(&self, alias: &str) -> Option<String> {
        Some(match self {
            When::Always => return None,
            When::Answered(c) => format!("{alias}.{c} IS NOT NULL"),
            When::AnyAnswered(cs) => {
                let cs: Vec<String> = cs.iter().map(|c| format!("{alias}.{c}")).collect();
                format!("COALESCE({}) IS NOT NULL", cs.join(", "))
            }
        })
    }
}

/// The person checklist answers plus the VNeID level: a person with any of them answered was
/// surveyed.
const PERSON_ANSWERS: [&str; PERSON_FLAG_COLUMNS.len() + 1] = {
    let mut all = [""; PERSON_FLAG_COLUMNS.len() + 1];
    all[0] = "vneid_level";
    let mut i = 0;
    while i < PERSON_FLAG_COLUMNS.len() {
        all[i + 1] = PERSON_FLAG_COLUMNS[i];
        i += 1;
    }
    all
};

/// Declares `Counter` and `COUNTERS` together, so a counter's position in the list and its
/// enum value cannot drift apart.
macro_rules! counters {
    ($($variant:ident = $name:literal, $counts:ident, $when:expr;)*) => {
        /// A counter, indexing `Counters`; `COUNTERS[c as usize]` declares it.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Counter { $($variant),* }

        /// Every counter, in the order of the migrations' columns.
        pub const COUNTERS: &[CounterDef] = &[
            $(CounterDef { counter: Counter::$variant, name: $name, counts: Counts::$counts, when: $when }),*
        ];
    };
}

counters! {
    HKnown = "h_known", Households, When::Always;
    HVisited = "h_visited", Households, When::Answered("visit_outcome");
    PKnown = "p_known", Persons, When::Always;
    // Surveyed: any checklist item answered.
    PSurveyed = "p_surveyed", Persons, When::AnyAnswered(&PERSON_ANSWERS);
}

const N: usize = COUNTERS.len();

impl Counts {
    /// The counters of this kind, in list order (the order of the select's columns).
    pub fn counters(self) -> impl Iterator<Item = &'static CounterDef> {
        COUNTERS.iter().filter(move |d| d.counts == self)
    }

    /// The alias of the counted table in `from()`.
    pub fn alias(self) -> &'static str {
        match self {
            Counts::Households => "h",
            Counts::Persons => "p",
        }
    }

    /// The rows counted, under the aliases the conditions use.
    pub fn from(self) -> &'static str {
        match self {
            Counts::Households => "households h",
            Counts::Persons => "persons p JOIN households h ON h.id = p.household_id",
        }
    }

    /// Which rows count at all; for persons `$2` is the latest birth year of a person aged 15+.
    pub fn live(self) -> &'static str {
        match self {
            Counts::Households => "h.deleted = 0 AND h.duplicate_of IS NULL",
            Counts::Persons => {
                "p.deleted = 0 AND h.deleted = 0 AND h.duplicate_of IS NULL
                 AND (p.birth_year IS NULL OR p.birth_year <= $2)"
            }
        }
    }

    /// The select computing this kind's counters over the live rows of `from()` plus `join`
    /// that meet `scope` (which binds `$1`).
    pub fn select(self, join: &str, scope: &str) -> String {
        let aggregates: Vec<String> = self
            .counters()
            .map(|d| match d.when.sql(self.alias()) {
                None => "COUNT(*)".to_string(),
                Some(when) => format!("COALESCE(SUM(CASE WHEN {when} THEN 1 ELSE 0 END), 0)"),
            })
            .collect();
        format!(
            "SELECT {} FROM {} {join} WHERE {scope} AND {}",
            aggregates.join(",\n    "),
            self.from(),
            self.live()
        )
    }
}

/// The counter columns, comma-separated, each preceded by `prefix` (a table alias and dot, or
/// nothing), in list order.
pub fn counter_columns(prefix: &str) -> String {
    let columns: Vec<String> = COUNTERS
        .iter()
        .map(|d| format!("{prefix}{}", d.name))
        .collect();
    columns.join(", ")
}

/// A village's (or a subtree's) counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counters([i64; N]);

impl Default for Counters {
    fn default() -> Self {
        Counters([0; N])
    }
}

impl Index<Counter> for Counters {
    type Output = i64;
    fn index(&self, c: Counter) -> &i64 {
        &self.0[c as usize]
    }
}

impl IndexMut<Counter> for Counters {
    fn index_mut(&mut self, c: Counter) -> &mut i64 {
        &mut self.0[c as usize]
    }
}

impl Counters {
    pub fn add(&mut self, other: &Counters) {
        for (a, b) in self.0.iter_mut().zip(other.0) {
            *a += b;
        }
    }

    /// Each counter with its value, in list order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static CounterDef, i64)> + '_ {
        COUNTERS.iter().zip(self.0.iter().copied())
    }

    /// Reads the results of `Counts::Households.select` and `Counts::Persons.select`.
    pub fn from_selects(
        households: &sqlx::any::AnyRow,
        persons: &sqlx::any::AnyRow,
    ) -> Result<Counters, sqlx::Error> {
        let mut c = Counters::default();
        let (mut h, mut p) = (0, 0);
        for d in COUNTERS {
            let (row, column) = match d.counts {
                Counts::Households => (households, &mut h),
                Counts::Persons => (persons, &mut p),
            };
            c[d.counter] = row.try_get::<i64, _>(*column)?;
            *column += 1;
        }
        Ok(c)
    }

    /// Reads a row holding `counter_columns` from column `offset` on.
    pub fn from_columns(row: &sqlx::any::AnyRow, offset: usize) -> Result<Counters, sqlx::Error> {
        let mut c = Counters::default();
        for (i, d) in COUNTERS.iter().enumerate() {
            c[d.counter] = row.try_get::<i64, _>(offset + i)?;
        }
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_counter_is_declared_once_at_its_own_position() {
        for (i, d) in COUNTERS.iter().enumerate() {
            assert_eq!(d.counter as usize, i, "{}", d.name);
            let prefix = match d.counts {
                Counts::Households => "h_",
                Counts::Persons => "p_",
            };
            assert!(
                d.name.starts_with(prefix),
                "{} counts {:?}",
                d.name,
                d.counts
            );
        }
        assert_eq!(COUNTERS.len(), 4);
        assert_eq!(Counts::Households.counters().count(), 2);
        assert_eq!(Counts::Persons.counters().count(), 2);
    }

    #[test]
    fn counters_are_indexed_by_counter() {
        let mut c = Counters::default();
        c[Counter::PSurveyed] = 7;
        assert_eq!(c[Counter::PSurveyed], 7);
        let mut sum = c;
        sum.add(&c);
        assert_eq!(sum[Counter::PSurveyed], 14);
        assert_eq!(sum.iter().map(|(_, v)| v).sum::<i64>(), 14);
    }
}
