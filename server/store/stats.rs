//! SQL for the indicator counters: recomputed per village inside the projection transaction,
//! snapshotted per day, and read back summed over a subtree.

use sqlx::{FromRow, Row};

use super::documents::DocWrite;
use super::{Store, StoreError};

/// Counter columns of `village_stats` and `stats_snapshots`, in order.
pub const COUNTERS: [&str; 23] = [
    "h_known",
    "h_visited",
    "h_surveyed",
    "h_elec_cashless",
    "h_water_cashless",
    "h_business",
    "h_business_qr",
    "p_known",
    "p_surveyed",
    "p_cccd",
    "p_vneid",
    "p_phone",
    "p_smartphone",
    "p_own_sim",
    "p_public_service",
    "p_payment",
    "p_esign",
    "p_province_app",
    "p_cyber_safety",
    "p_smartphone_cyber",
    "p_trained",
    "p_platform",
    "p_online_eid",
];

/// Household counters over live households (not deleted, not a duplicate).
const HOUSEHOLD_SQL: &str = "SELECT COUNT(*),
    COALESCE(SUM(CASE WHEN visit_outcome IS NOT NULL THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN visit_outcome = 'surveyed' OR pays_electricity_cashless IS NOT NULL THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN pays_electricity_cashless = 1 THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN pays_water_cashless = 1 THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN has_business = 1 THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN has_business = 1 AND business_has_qr = 1 THEN 1 ELSE 0 END), 0)
  FROM households WHERE village_code = $1 AND deleted = 0 AND duplicate_of IS NULL";

/// Person counters over live persons aged 15+ (born in or before $2) of live households; a
/// person is surveyed once any checklist item is answered.
const PERSON_SQL: &str = "SELECT COUNT(*),
    COALESCE(SUM(CASE WHEN COALESCE(p.has_cccd, p.vneid_level, p.has_phone, p.has_smartphone, p.own_sim,
        p.has_public_service_account, p.has_payment_account, p.has_e_signature, p.has_province_app,
        p.has_cyber_safety_app, p.trained_digital_skills, p.uses_digital_platform, p.used_online_service_eid) IS NOT NULL
        THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN p.has_cccd = 1 THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN p.vneid_level >= 1 THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN p.has_phone = 1 THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN p.has_smartphone = 1 THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN p.own_sim = 1 THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN p.has_public_service_account = 1 THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN p.has_payment_account = 1 THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN p.has_e_signature = 1 THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN p.has_province_app = 1 THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN p.has_cyber_safety_app = 1 THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN p.has_smartphone = 1 AND p.has_cyber_safety_app = 1 THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN p.trained_digital_skills = 1 THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN p.uses_digital_platform = 1 THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN p.used_online_service_eid = 1 THEN 1 ELSE 0 END), 0)
  FROM persons p JOIN households h ON h.id = p.household_id
  WHERE p.village_code = $1 AND p.deleted = 0 AND h.deleted = 0 AND h.duplicate_of IS NULL
    AND (p.birth_year IS NULL OR p.birth_year <= $2)";

/// A village's (or a subtree's) counters, indexed like `COUNTERS`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters(pub [i64; 23]);

impl Counters {
    pub fn get(&self, name: &str) -> Option<i64> {
        COUNTERS.iter().position(|c| *c == name).map(|i| self.0[i])
    }

    pub fn add(&mut self, other: &Counters) {
        for (a, b) in self.0.iter_mut().zip(other.0) {
            *a += b;
        }
    }
}

/// Counters of one village with its unit path.
#[derive(Debug, Clone)]
pub struct VillageCounters {
    pub path: String,
    pub counters: Counters,
}

fn read_counters(row: &sqlx::any::AnyRow, offset: usize) -> Result<Counters, sqlx::Error> {
    let mut c = Counters::default();
    for (i, slot) in c.0.iter_mut().enumerate() {
        *slot = row.try_get::<i64, _>(offset + i)?;
    }
    Ok(c)
}

impl DocWrite {
    /// Recomputes a village's counters from its projected rows and records them for `day`.
    pub async fn refresh_village_stats(
        &mut self,
        village: &str,
        day: &str,
        born_by: i64,
        now: i64,
    ) -> Result<(), StoreError> {
        let h = sqlx::query(HOUSEHOLD_SQL)
            .bind(village)
            .fetch_one(&mut *self.tx)
            .await?;
        let p = sqlx::query(PERSON_SQL)
            .bind(village)
            .bind(born_by)
            .fetch_one(&mut *self.tx)
            .await?;
        let mut values = Vec::with_capacity(COUNTERS.len());
        for i in 0..7 {
            values.push(h.try_get::<i64, _>(i)?);
        }
        for i in 0..16 {
            values.push(p.try_get::<i64, _>(i)?);
        }
        let columns = COUNTERS.join(", ");
        let params: Vec<String> = (0..COUNTERS.len()).map(|i| format!("${}", i + 3)).collect();
        let updates: Vec<String> = COUNTERS
            .iter()
            .map(|c| format!("{c} = excluded.{c}"))
            .collect();
        let stats = format!(
            "INSERT INTO village_stats (village_code, updated_at, {columns}) VALUES ($1, $2, {})
             ON CONFLICT (village_code) DO UPDATE SET updated_at = excluded.updated_at, {}",
            params.join(", "),
            updates.join(", ")
        );
        let mut q = sqlx::query(&stats).bind(village).bind(now);
        for v in &values {
            q = q.bind(*v);
        }
        q.execute(&mut *self.tx).await?;
        let snapshot = format!(
            "INSERT INTO stats_snapshots (village_code, day, {columns}) VALUES ($1, $2, {})
             ON CONFLICT (village_code, day) DO UPDATE SET {}",
            params.join(", "),
            updates.join(", ")
        );
        let mut q = sqlx::query(&snapshot).bind(village).bind(day);
        for v in &values {
            q = q.bind(*v);
        }
        q.execute(&mut *self.tx).await?;
        Ok(())
    }
}

impl Store {
    /// Counters of every village under `path`: current ones, or as they stood at the end of
    /// `as_of` (each village's latest snapshot on or before that day, found through the
    /// (village, day) key so the cost follows the subtree, not the length of the history).
    pub async fn village_counters(
        &self,
        path: &str,
        as_of: Option<&str>,
    ) -> Result<Vec<VillageCounters>, StoreError> {
        let columns: Vec<String> = COUNTERS.iter().map(|c| format!("s.{c}")).collect();
        let columns = columns.join(", ");
        let rows = match as_of {
            None => {
                sqlx::query(&format!(
                    "SELECT v.path, {columns} FROM village_stats s JOIN units v ON v.code = s.village_code
                     WHERE substr(v.path, 1, length($1)) = $1"
                ))
                .bind(path)
                .fetch_all(&self.pool)
                .await?
            }
            Some(day) => {
                sqlx::query(&format!(
                    "SELECT v.path, {columns} FROM units v
                     JOIN stats_snapshots s ON s.village_code = v.code
                      AND s.day = (SELECT MAX(x.day) FROM stats_snapshots x WHERE x.village_code = v.code AND x.day <= $2)
                     WHERE v.level = 'village' AND substr(v.path, 1, length($1)) = $1"
                ))
                .bind(path)
                .bind(day)
                .fetch_all(&self.pool)
                .await?
            }
        };
        rows.iter()
            .map(|r| {
                Ok(VillageCounters {
                    path: r.try_get(0)?,
                    counters: read_counters(r, 1)?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }
}

/// An indicator of the catalogue.
#[derive(Debug, Clone, FromRow)]
pub struct IndicatorRow {
    pub id: i64,
    pub name_vi: String,
    pub name_en: String,
    pub source: String,
    pub numerator: Option<String>,
    pub denominator: Option<String>,
    pub default_target: f64,
}

impl Store {
    pub async fn indicators(&self) -> Result<Vec<IndicatorRow>, StoreError> {
        let rows = sqlx::query_as(
            "SELECT id, name_vi, name_en, source, numerator, denominator, default_target FROM indicators ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }
}

impl Store {
    /// Moves every snapshot taken today to `day` (demo data: what was recorded first stands as
    /// the baseline).
    pub async fn backdate_snapshots(&self, day: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE stats_snapshots SET day = $1")
            .bind(day)
            .execute(&self.writer)
            .await?;
        Ok(())
    }
}
