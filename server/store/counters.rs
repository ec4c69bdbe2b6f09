//! The indicator counters, each declared once: its column in `village_stats` and
//! `stats_snapshots`, whether it counts households or persons, and the SQL condition a row meets
//! to be counted. The selects that compute them, the column lists and the binds are all built
//! from `COUNTERS`, so adding a counter is one line here plus a migration adding its column
//! (tests/foundation/counters.rs checks that the two agree).

use std::ops::{Index, IndexMut};

use sqlx::Row;

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
    /// Its column in `village_stats` and `stats_snapshots` (and the name indicators refer to).
    pub name: &'static str,
    pub counts: Counts,
    /// The condition a live row meets to be counted; `None`: every live row.
    pub when: Option<&'static str>,
}

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
    HKnown = "h_known", Households, None;
    HVisited = "h_visited", Households, Some("h.visit_outcome IS NOT NULL");
    // Indicator 15's denominator: a survey was recorded, or its electricity question answered.
    HSurveyed = "h_surveyed", Households,
        Some("h.visit_outcome = 'surveyed' OR h.pays_electricity_cashless IS NOT NULL");
    HElecCashless = "h_elec_cashless", Households, Some("h.pays_electricity_cashless = 1");
    HWaterCashless = "h_water_cashless", Households, Some("h.pays_water_cashless = 1");
    HBusiness = "h_business", Households, Some("h.has_business = 1");
    HBusinessQr = "h_business_qr", Households, Some("h.has_business = 1 AND h.business_has_qr = 1");
    PKnown = "p_known", Persons, None;
    // Surveyed: any checklist item answered (the denominators of the person indicators).
    PSurveyed = "p_surveyed", Persons, Some(
        "COALESCE(p.has_cccd, p.vneid_level, p.has_phone, p.has_smartphone, p.own_sim,
        p.has_public_service_account, p.has_payment_account, p.has_e_signature, p.has_province_app,
        p.has_cyber_safety_app, p.trained_digital_skills, p.uses_digital_platform, p.used_online_service_eid) IS NOT NULL");
    PCccd = "p_cccd", Persons, Some("p.has_cccd = 1");
    PVneid = "p_vneid", Persons, Some("p.vneid_level >= 1");
    PPhone = "p_phone", Persons, Some("p.has_phone = 1");
    PSmartphone = "p_smartphone", Persons, Some("p.has_smartphone = 1");
    POwnSim = "p_own_sim", Persons, Some("p.own_sim = 1");
    PPublicService = "p_public_service", Persons, Some("p.has_public_service_account = 1");
    PPayment = "p_payment", Persons, Some("p.has_payment_account = 1");
    PEsign = "p_esign", Persons, Some("p.has_e_signature = 1");
    PProvinceApp = "p_province_app", Persons, Some("p.has_province_app = 1");
    PCyberSafety = "p_cyber_safety", Persons, Some("p.has_cyber_safety_app = 1");
    PSmartphoneCyber = "p_smartphone_cyber", Persons,
        Some("p.has_smartphone = 1 AND p.has_cyber_safety_app = 1");
    PTrained = "p_trained", Persons, Some("p.trained_digital_skills = 1");
    PPlatform = "p_platform", Persons, Some("p.uses_digital_platform = 1");
    POnlineEid = "p_online_eid", Persons, Some("p.used_online_service_eid = 1");
}

const N: usize = COUNTERS.len();

impl Counter {
    pub fn def(self) -> &'static CounterDef {
        &COUNTERS[self as usize]
    }

    pub fn name(self) -> &'static str {
        self.def().name
    }

    /// The counter whose column is `name` (indicators name their counters in the catalogue).
    pub fn from_name(name: &str) -> Option<Counter> {
        COUNTERS.iter().find(|d| d.name == name).map(|d| d.counter)
    }
}

impl Counts {
    /// The counters of this kind, in list order (the order of the select's columns).
    pub fn counters(self) -> impl Iterator<Item = &'static CounterDef> {
        COUNTERS.iter().filter(move |d| d.counts == self)
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
            .map(|d| match d.when {
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
    /// The value of the counter whose column is `name`.
    pub fn get(&self, name: &str) -> Option<i64> {
        Counter::from_name(name).map(|c| self[c])
    }

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
            assert_eq!(Counter::from_name(d.name), Some(d.counter));
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
        assert_eq!(COUNTERS.len(), 23);
        assert_eq!(Counts::Households.counters().count(), 7);
        assert_eq!(Counts::Persons.counters().count(), 16);
    }

    #[test]
    fn counters_are_indexed_by_counter() {
        let mut c = Counters::default();
        c[Counter::PSmartphone] = 7;
        assert_eq!(c.get("p_smartphone"), Some(7));
        assert_eq!(c.get("nothing"), None);
        let mut sum = c;
        sum.add(&c);
        assert_eq!(sum[Counter::PSmartphone], 14);
        assert_eq!(sum.iter().map(|(_, v)| v).sum::<i64>(), 14);
    }
}
