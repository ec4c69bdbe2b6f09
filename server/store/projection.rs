//! SQL for the projection: households and persons rows re-derived from the village document.

use super::documents::DocWrite;
use super::rows::{HouseholdRow, PersonRow};
use super::StoreError;

fn flag(v: Option<bool>) -> Option<i64> {
    v.map(i64::from)
}

impl DocWrite {
    /// Replaces the projected rows of one household with what `rec` says. The latest visit is
    /// attributed to the user bound to the actor that created it (the authenticated uploader);
    /// the document's own `by` counts only for actors no phone ever sent (server-side edits).
    pub async fn project_household(
        &mut self,
        village: &str,
        rec: &HouseholdRow,
        now: i64,
    ) -> Result<(), StoreError> {
        let doc = self.document_id.clone();
        sqlx::query(
            "INSERT INTO households (id, village_code, document_id, head_name, address, phone,
                 pays_electricity_cashless, pays_water_cashless, has_business, business_has_qr,
                 deleted, duplicate_of, created_at, created_by, visit_outcome, visited_at, visited_by, visits, updated_at,
                 helped, answers)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                 CASE WHEN EXISTS (SELECT 1 FROM actor_bindings WHERE actor = $20)
                      THEN (SELECT u.username FROM actor_bindings b JOIN users u ON u.id = b.user_id WHERE b.actor = $20)
                      ELSE $17 END,
                 $18, $19, $21, $22)
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
                 helped = excluded.helped, answers = excluded.answers",
        )
        .bind(&rec.id)
        .bind(village)
        .bind(&doc)
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
        .bind(rec.visited_by.as_deref())
        .bind(rec.visits)
        .bind(now)
        .bind(rec.visited_actor.as_deref())
        .bind(helped_json(&rec.helped))
        .bind(rec.answers.as_deref())
        .execute(&mut *self.tx)
        .await?;
        sqlx::query("DELETE FROM persons WHERE household_id = $1")
            .bind(&rec.id)
            .execute(&mut *self.tx)
            .await?;
        for p in &rec.persons {
            self.insert_person(&rec.id, village, p, now).await?;
        }
        if rec.errors.is_empty() {
            sqlx::query(
                "DELETE FROM projection_errors WHERE document_id = $1 AND household_id = $2",
            )
            .bind(&doc)
            .bind(&rec.id)
            .execute(&mut *self.tx)
            .await?;
        } else {
            self.record_projection_error(&rec.id, &rec.errors.join("; "), now)
                .await?;
        }
        Ok(())
    }

    async fn insert_person(
        &mut self,
        household: &str,
        village: &str,
        p: &PersonRow,
        now: i64,
    ) -> Result<(), StoreError> {
        let mut q = sqlx::query(
            "INSERT INTO persons (id, household_id, village_code, full_name, birth_year, sex, cccd, phone, deleted,
                 vneid_level, has_cccd, has_phone, has_smartphone, own_sim, has_public_service_account,
                 has_payment_account, has_e_signature, has_province_app, has_cyber_safety_app,
                 trained_digital_skills, uses_digital_platform, used_online_service_eid, updated_at, answers)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)
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
                 answers = excluded.answers",
        )
        .bind(&p.id)
        .bind(household)
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
        q.bind(now)
            .bind(p.answers.as_deref())
            .execute(&mut *self.tx)
            .await?;
        Ok(())
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
