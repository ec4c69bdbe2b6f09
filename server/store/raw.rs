//! The projected households and persons of an area, whole, for the raw-data export.

use sqlx::any::AnyRow;
use sqlx::Row;

use super::rows::{HOUSEHOLD_FLAG_COLUMNS, PERSON_FLAG_COLUMNS};
use super::{HouseholdRow, PersonRow, Store, StoreError};

/// A live household with its village and live persons.
#[derive(Debug, Clone)]
pub struct RawHousehold {
    pub village_code: String,
    pub village_name: String,
    pub household: HouseholdRow,
}

/// `households.helped` (`[[at_ms, "kind"], …]`) as the projection wrote it.
fn helped(stored: Option<String>) -> Vec<(i64, String)> {
    stored
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default()
}

fn flag(row: &AnyRow, column: &str) -> Result<Option<bool>, sqlx::Error> {
    Ok(row.try_get::<Option<i64>, _>(column)?.map(|v| v != 0))
}

impl Store {
    /// Every live household of the villages under `path` with its live persons, by village and
    /// head's name.
    pub async fn raw_households(&self, path: &str) -> Result<Vec<RawHousehold>, StoreError> {
        let households = sqlx::query(&format!(
            "SELECT h.id, h.village_code, v.name AS village_name, h.head_name, h.address, h.phone, {},
                    h.duplicate_of, h.created_at, h.created_by, h.visit_outcome, h.visited_at,
                    h.visited_by, h.visits, h.helped, h.answers
             FROM households h JOIN units v ON v.code = h.village_code
             WHERE substr(v.path, 1, length($1)) = $1 AND h.deleted = 0
             ORDER BY h.village_code, h.head_name, h.id",
            HOUSEHOLD_FLAG_COLUMNS.map(|c| format!("h.{c}")).join(", ")
        ))
        .bind(path)
        .fetch_all(&self.pool)
        .await?;
        let persons = sqlx::query(&format!(
            "SELECT p.id, p.household_id, p.full_name, p.birth_year, p.sex, p.cccd, p.phone,
                    p.vneid_level, {}, p.answers
             FROM persons p JOIN units v ON v.code = p.village_code
             WHERE substr(v.path, 1, length($1)) = $1 AND p.deleted = 0
             ORDER BY p.household_id, p.full_name, p.id",
            PERSON_FLAG_COLUMNS.map(|c| format!("p.{c}")).join(", ")
        ))
        .bind(path)
        .fetch_all(&self.pool)
        .await?;
        let mut by_household: std::collections::HashMap<String, Vec<PersonRow>> =
            std::collections::HashMap::new();
        for r in &persons {
            let mut p = PersonRow {
                id: r.try_get("id")?,
                full_name: r.try_get("full_name")?,
                birth_year: r.try_get("birth_year")?,
                sex: r.try_get("sex")?,
                cccd: r.try_get("cccd")?,
                phone: r.try_get("phone")?,
                vneid_level: r.try_get("vneid_level")?,
                answers: r.try_get("answers")?,
                ..Default::default()
            };
            for (slot, c) in p.flags.iter_mut().zip(PERSON_FLAG_COLUMNS) {
                *slot = flag(r, c)?;
            }
            by_household
                .entry(r.try_get("household_id")?)
                .or_default()
                .push(p);
        }
        let mut out = Vec::with_capacity(households.len());
        for r in &households {
            let id: String = r.try_get("id")?;
            let mut h = HouseholdRow {
                persons: by_household.remove(&id).unwrap_or_default(),
                id,
                head_name: r.try_get("head_name")?,
                address: r.try_get("address")?,
                phone: r.try_get("phone")?,
                duplicate_of: r.try_get("duplicate_of")?,
                created_at: r.try_get("created_at")?,
                created_by: r.try_get("created_by")?,
                visit_outcome: r.try_get("visit_outcome")?,
                visited_at: r.try_get("visited_at")?,
                visited_by: r.try_get("visited_by")?,
                visits: r.try_get("visits")?,
                helped: helped(r.try_get("helped")?),
                answers: r.try_get("answers")?,
                ..Default::default()
            };
            for (slot, c) in h.flags.iter_mut().zip(HOUSEHOLD_FLAG_COLUMNS) {
                *slot = flag(r, c)?;
            }
            out.push(RawHousehold {
                village_code: r.try_get("village_code")?,
                village_name: r.try_get("village_name")?,
                household: h,
            });
        }
        Ok(out)
    }
}
