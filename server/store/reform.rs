//! SQL for official codes held for a period and a reform applied as one transaction.

use sqlx::FromRow;

use super::units::{insert_event, merge_in};
use super::{AccessChange, Store, StoreError};

/// A unit holding an official code from `valid_from` to the day before `valid_to`.
#[derive(Debug, Clone, FromRow)]
pub struct CodePeriodRow {
    pub code: String,
    pub unit_code: String,
    pub valid_from: String,
    pub valid_to: Option<String>,
}

/// An applied reform.
#[derive(Debug, Clone, FromRow)]
pub struct ReformRow {
    pub id: i64,
    pub name: String,
    pub effective_date: String,
    pub applied_by: String,
    pub applied_at: i64,
    pub summary: String,
}

/// A commune a reform creates: identity, official code, name, parent identity.
#[derive(Debug, Clone)]
pub struct ReformUnit {
    pub id: String,
    pub code: String,
    pub name: String,
    pub parent: String,
}

/// Everything a reform writes, decided beforehand.
#[derive(Debug, Clone)]
pub struct ReformWrite {
    pub name: String,
    pub effective_date: String,
    pub actor: String,
    pub now: i64,
    pub summary: String,
    pub create: Vec<ReformUnit>,
    /// (former commune, new commune): the whole former commune goes in.
    pub merges: Vec<(String, String)>,
    /// (former commune, candidate new communes): its villages wait to be placed.
    pub splits: Vec<(String, Vec<String>)>,
    /// Units whose codes stop being held on the effective date (every former commune and
    /// every district the reform empties).
    pub codes_end: Vec<String>,
    /// Units retired: split communes without villages, and districts left without an active
    /// child (children first).
    pub retire: Vec<String>,
    /// (from, to): accounts scoped to a unit retired without merge move to another.
    pub rescope: Vec<(String, String)>,
}

impl Store {
    /// Every period of an official code, oldest first.
    pub async fn code_periods(&self, code: &str) -> Result<Vec<CodePeriodRow>, StoreError> {
        self.periods_where("code", code).await
    }

    /// Every code a unit held, oldest first.
    pub async fn codes_of_unit(&self, unit: &str) -> Result<Vec<CodePeriodRow>, StoreError> {
        self.periods_where("unit_code", unit).await
    }

    /// Periods whose `column` (one of the two above, never input) equals `value`.
    async fn periods_where(
        &self,
        column: &'static str,
        value: &str,
    ) -> Result<Vec<CodePeriodRow>, StoreError> {
        let rows = sqlx::query_as(&format!(
            "SELECT code, unit_code, valid_from, valid_to FROM unit_codes
             WHERE {column} = $1 ORDER BY valid_from"
        ))
        .bind(value)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }

    /// Every code held on `day`: (code, unit identity).
    pub async fn codes_held_on(&self, day: &str) -> Result<Vec<(String, String)>, StoreError> {
        let rows = sqlx::query_as(
            "SELECT code, unit_code FROM unit_codes
             WHERE valid_from <= $1 AND (valid_to IS NULL OR valid_to > $1)",
        )
        .bind(day)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }

    /// Households not deleted, per village.
    pub async fn households_per_village(&self) -> Result<Vec<(String, i64)>, StoreError> {
        let rows = sqlx::query_as(
            "SELECT village_code, COUNT(*) FROM households WHERE deleted = 0 GROUP BY village_code",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }

    pub async fn reforms(&self) -> Result<Vec<ReformRow>, StoreError> {
        let rows = sqlx::query_as(
            "SELECT id, name, effective_date, applied_by, applied_at, summary FROM reforms ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }

    /// Applies a reform in one transaction; returns its id.
    pub async fn apply_reform(&self, w: &ReformWrite) -> Result<i64, StoreError> {
        let mut tx = self.writer.begin().await?;
        // The plan was made outside the transaction: a unit changed meanwhile stops it.
        let formers = w
            .merges
            .iter()
            .map(|(f, _)| f)
            .chain(w.splits.iter().map(|(f, _)| f));
        for former in formers {
            let status: Option<String> =
                sqlx::query_scalar("SELECT status FROM units WHERE code = $1")
                    .bind(former)
                    .fetch_optional(&mut *tx)
                    .await?;
            if status.as_deref() != Some("active") {
                return Err(StoreError::Conflict(format!(
                    "unit {former} changed while the reform was being prepared: preview it again"
                )));
            }
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO reforms (name, effective_date, applied_by, applied_at, summary)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(&w.name)
        .bind(&w.effective_date)
        .bind(&w.actor)
        .bind(w.now)
        .bind(&w.summary)
        .fetch_one(&mut *tx)
        .await?;
        let detail = format!("reform {} effective {}", w.name, w.effective_date);
        for u in &w.create {
            sqlx::query(
                "INSERT INTO units (code, name, level, parent_code, path, created_at)
                 VALUES ($1, $2, 'commune', $3, (SELECT path FROM units WHERE code = $3) || $1 || '/', $4)",
            )
            .bind(&u.id)
            .bind(&u.name)
            .bind(&u.parent)
            .bind(w.now)
            .execute(&mut *tx)
            .await?;
            insert_event(
                &mut tx,
                &u.id,
                "created",
                None,
                Some(&u.parent),
                None,
                Some(&detail),
                &w.actor,
                w.now,
            )
            .await?;
        }
        for unit in &w.codes_end {
            sqlx::query(
                "UPDATE unit_codes SET valid_to = $1 WHERE unit_code = $2 AND valid_to IS NULL",
            )
            .bind(&w.effective_date)
            .bind(unit)
            .execute(&mut *tx)
            .await?;
        }
        // After the old periods end, so a reused code is free from the effective date.
        for u in &w.create {
            sqlx::query("INSERT INTO unit_codes (code, unit_code, valid_from) VALUES ($1, $2, $3)")
                .bind(&u.code)
                .bind(&u.id)
                .bind(&w.effective_date)
                .execute(&mut *tx)
                .await?;
        }
        for (former, into) in &w.merges {
            merge_in(&mut tx, former, into, &w.actor, w.now, true).await?;
        }
        for (former, candidates) in &w.splits {
            sqlx::query(
                "INSERT INTO village_placements (village_code, reform_id, former_commune, candidates)
                 SELECT code, $1, $2, $3 FROM units
                 WHERE parent_code = $2 AND level = 'village' AND status = 'active'",
            )
            .bind(id)
            .bind(former)
            .bind(candidates.join(","))
            .execute(&mut *tx)
            .await?;
            for successor in candidates {
                sqlx::query(
                    "INSERT INTO split_successors (former_commune, successor, reform_id)
                     VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                )
                .bind(former)
                .bind(successor)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            }
        }
        for unit in &w.retire {
            retire_in(&mut tx, unit, Some(&detail), &w.actor, w.now).await?;
        }
        for (from, to) in &w.rescope {
            rescope_in(&mut tx, from, to, w.now).await?;
        }
        tx.commit().await?;
        self.announce_access_change(AccessChange::Everyone).await;
        Ok(id)
    }
}

pub(super) async fn retire_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    unit: &str,
    detail: Option<&str>,
    actor: &str,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE units SET status = 'retired', retired_at = $1 WHERE code = $2")
        .bind(now)
        .bind(unit)
        .execute(&mut **tx)
        .await?;
    insert_event(tx, unit, "retired", None, None, None, detail, actor, now).await
}

pub(super) async fn rescope_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    from: &str,
    to: &str,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE users SET scope_unit = $1, updated_at = $3 WHERE scope_unit = $2")
        .bind(to)
        .bind(from)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
