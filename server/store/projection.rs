//! SQL for the projection: households and persons rows re-derived from the village document.

use std::collections::HashSet;

use super::documents::DocWrite;
use super::rows::{HouseholdRow, PersonRow};
use super::StoreError;

fn flag(v: Option<bool>) -> Option<i64> {
    v.map(i64::from)
}

/// Rows per statement: a batch of a day's work (20 households, 60 persons) is one statement
/// per table.
const ROWS_PER_STATEMENT: usize = 100;

const HOUSEHOLD_UPSERT: &str = "INSERT INTO households (id, village_code, document_id, head_name, address, phone,
         pays_electricity_cashless, pays_water_cashless, has_business, business_has_qr,
         deleted, duplicate_of, created_at, created_by, visit_outcome, visited_at, visited_by, visits, updated_at,
         helped, answers)
     VALUES {rows}
     ON CONFLICT (id) DO UPDATE SET
         village_code = excluded.village_code, document_id = excluded.document_id,
         head_name = excluded.head_name, address = excluded.address, phone = excluded.phone,
         pays_electricity_cashless = excluded.pays_electricity_cashless,
         pays_water_cashless = excluded.pays_water_cashless,
         has_business = excluded.has_business, business_has_qr = excluded.business_has_qr,
         deleted = excluded.deleted, duplicate_of = excluded.duplicate_of,
         created_at = excluded.created_at, created_by = excluded.created_by,
         visit_outcome = excluded.visit_outcome, visited_at = excluded.visited_at,
         visited_by = excluded.visited_by, visits = excluded.visits, updated_at = excluded.updated_at,
         helped = excluded.helped, answers = excluded.answers";

const PERSON_INSERT: &str = "INSERT INTO persons (id, household_id, village_code, full_name, birth_year, sex, cccd, phone, deleted,
         vneid_level, has_cccd, has_phone, has_smartphone, own_sim, has_public_service_account,
         has_payment_account, has_e_signature, has_province_app, has_cyber_safety_app,
         trained_digital_skills, uses_digital_platform, used_online_service_eid, updated_at, answers)
     VALUES {rows}
     ON CONFLICT (id) DO UPDATE SET household_id = excluded.household_id, village_code = excluded.village_code,
         full_name = excluded.full_name, birth_year = excluded.birth_year, sex = excluded.sex,
         cccd = excluded.cccd, phone = excluded.phone, deleted = excluded.deleted,
         vneid_level = excluded.vneid_level, has_cccd = excluded.has_cccd, has_phone = excluded.has_phone,
         has_smartphone = excluded.has_smartphone, own_sim = excluded.own_sim,
         has_public_service_account = excluded.has_public_service_account,
         has_payment_account = excluded.has_payment_account, has_e_signature = excluded.has_e_signature,
         has_province_app = excluded.has_province_app, has_cyber_safety_app = excluded.has_cyber_safety_app,
         trained_digital_skills = excluded.trained_digital_skills,
         uses_digital_platform = excluded.uses_digital_platform,
         used_online_service_eid = excluded.used_online_service_eid, updated_at = excluded.updated_at,
         answers = excluded.answers";

impl DocWrite {
    /// Replaces the projected rows of these households with what the records say, a few
    /// statements for the whole batch. The latest visit is attributed to the user bound to the
    /// actor that created it (the authenticated uploader); the document's own `by` counts only
    /// for actors no phone ever sent (server-side edits).
    pub async fn project_households(
        &mut self,
        village: &str,
        records: &[HouseholdRow],
        now: i64,
    ) -> Result<(), StoreError> {
        // One row per id in a statement (PostgreSQL refuses to update a row twice in one): the
        // last record of an id wins, as it would one statement after another.
        let mut households: Vec<&HouseholdRow> = Vec::with_capacity(records.len());
        let mut seen = HashSet::new();
        for rec in records.iter().rev() {
            if seen.insert(rec.id.as_str()) {
                households.push(rec);
            }
        }
        households.reverse();
        for part in households.chunks(ROWS_PER_STATEMENT) {
            self.upsert_households(village, part, now).await?;
            self.replace_persons(village, part, now).await?;
        }
        let clean: Vec<&str> = households
            .iter()
            .filter(|h| h.errors.is_empty())
            .map(|h| h.id.as_str())
            .collect();
        for part in clean.chunks(ROWS_PER_STATEMENT) {
            let list = self.params(2, part.len());
            let sql = format!(
                "DELETE FROM projection_errors WHERE document_id = {} AND household_id IN ({list})",
                self.backend.param(1)
            );
            let mut q = sqlx::query(&sql).bind(self.document_id.clone());
            for id in part {
                q = q.bind(*id);
            }
            q.execute(&mut *self.tx).await?;
        }
        for h in households.iter().filter(|h| !h.errors.is_empty()) {
            self.record_projection_error(&h.id, &h.errors.join("; "), now)
                .await?;
        }
        Ok(())
    }

    async fn upsert_households(
        &mut self,
        village: &str,
        part: &[&HouseholdRow],
        now: i64,
    ) -> Result<(), StoreError> {
        let mut next = 0;
        let mut p = || {
            next += 1;
            self.backend.param(next)
        };
        let rows: Vec<String> = part
            .iter()
            .map(|_| {
                let head: Vec<String> = (0..16).map(|_| p()).collect();
                let (a1, a2, by) = (p(), p(), p());
                let tail: Vec<String> = (0..4).map(|_| p()).collect();
                format!(
                    "({}, CASE WHEN EXISTS (SELECT 1 FROM actor_bindings WHERE actor = {a1})
                        THEN (SELECT u.username FROM actor_bindings b JOIN users u ON u.id = b.user_id WHERE b.actor = {a2})
                        ELSE {by} END, {})",
                    head.join(", "),
                    tail.join(", ")
                )
            })
            .collect();
        let sql = HOUSEHOLD_UPSERT.replace("{rows}", &rows.join(", "));
        let mut q = sqlx::query(&sql);
        for rec in part {
            q = q
                .bind(&rec.id)
                .bind(village)
                .bind(&self.document_id)
                .bind(rec.head_name.as_deref())
                .bind(rec.address.as_deref())
                .bind(rec.phone.as_deref())
                .bind(flag(rec.flags[0]))
                .bind(flag(rec.flags[1]))
                .bind(flag(rec.flags[2]))
                .bind(flag(rec.flags[3]))
                .bind(i64::from(rec.deleted))
                .bind(rec.duplicate_of.as_deref())
                .bind(rec.created_at)
                .bind(rec.created_by.as_deref())
                .bind(rec.visit_outcome.as_deref())
                .bind(rec.visited_at)
                .bind(rec.visited_actor.as_deref())
                .bind(rec.visited_actor.as_deref())
                .bind(rec.visited_by.as_deref())
                .bind(rec.visits)
                .bind(now)
                .bind(helped_json(&rec.helped))
                .bind(rec.answers.as_deref());
        }
        q.execute(&mut *self.tx).await?;
        Ok(())
    }

    /// The persons of these households: the old rows out, the document's in.
    async fn replace_persons(
        &mut self,
        village: &str,
        part: &[&HouseholdRow],
        now: i64,
    ) -> Result<(), StoreError> {
        let list = self.params(1, part.len());
        let sql = format!("DELETE FROM persons WHERE household_id IN ({list})");
        let mut q = sqlx::query(&sql);
        for h in part {
            q = q.bind(&h.id);
        }
        q.execute(&mut *self.tx).await?;
        // A person id twice (under two households of a malformed document): the later one.
        let mut persons: Vec<(&str, &PersonRow)> = Vec::new();
        let mut seen = HashSet::new();
        for h in part.iter().rev() {
            for p in h.persons.iter().rev() {
                if seen.insert(p.id.as_str()) {
                    persons.push((h.id.as_str(), p));
                }
            }
        }
        persons.reverse();
        for chunk in persons.chunks(ROWS_PER_STATEMENT) {
            let rows: Vec<String> = (0..chunk.len())
                .map(|i| format!("({})", self.params(i * 24 + 1, 24)))
                .collect();
            let sql = PERSON_INSERT.replace("{rows}", &rows.join(", "));
            let mut q = sqlx::query(&sql);
            for (household, p) in chunk {
                q = q
                    .bind(&p.id)
                    .bind(*household)
                    .bind(village)
                    .bind(p.full_name.as_deref())
                    .bind(p.birth_year)
                    .bind(p.sex.as_deref())
                    .bind(p.cccd.as_deref())
                    .bind(p.phone.as_deref())
                    .bind(i64::from(p.deleted))
                    .bind(p.vneid_level);
                for f in p.flags {
                    q = q.bind(flag(f));
                }
                q = q.bind(now).bind(p.answers.as_deref());
            }
            q.execute(&mut *self.tx).await?;
        }
        Ok(())
    }

    /// `count` bind parameters from the `first`th, comma-separated.
    fn params(&self, first: usize, count: usize) -> String {
        (first..first + count)
            .map(|n| self.backend.param(n))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Notes a record (or, with household `*`, a whole document) that could not be projected.
    pub async fn record_projection_error(
        &mut self,
        household: &str,
        message: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO projection_errors (document_id, household_id, message, at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (document_id, household_id) DO UPDATE SET message = excluded.message, at = excluded.at",
        )
        .bind(&self.document_id)
        .bind(household)
        .bind(message)
        .bind(now)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }
}

/// What the visits helped with, as stored in `households.helped`: `[[at_ms, "kind"], …]`, or
/// NULL when nothing.
fn helped_json(helped: &[(i64, String)]) -> Option<String> {
    (!helped.is_empty()).then(|| serde_json::json!(helped).to_string())
}
