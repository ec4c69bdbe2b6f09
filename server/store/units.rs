//! SQL for the administrative-unit tree and its history.

use sqlx::FromRow;

use super::{conflict_or, AccessChange, Store, StoreError};

#[derive(Debug, Clone, FromRow)]
pub struct UnitRow {
    pub code: String,
    pub name: String,
    pub level: String,
    pub parent_code: Option<String>,
    pub path: String,
    pub status: String,
    pub merged_into: Option<String>,
    pub created_at: i64,
    pub retired_at: Option<i64>,
    pub official_code: Option<String>,
}

#[derive(Debug, Clone, FromRow)]
pub struct UnitEventRow {
    pub id: i64,
    pub unit_code: String,
    pub kind: String,
    pub old_parent: Option<String>,
    pub new_parent: Option<String>,
    pub other_unit: Option<String>,
    pub detail: Option<String>,
    pub actor: Option<String>,
    pub at: i64,
}

/// A unit to create: (code, name, level, parent code).
pub type NewUnit<'a> = (&'a str, &'a str, &'a str, Option<&'a str>);

/// The official code is the one the unit holds now, or held last (see `unit_codes`).
const UNIT_COLUMNS: &str =
    "code, name, level, parent_code, path, status, merged_into, created_at, retired_at,
     (SELECT c.code FROM unit_codes c WHERE c.unit_code = units.code
      ORDER BY c.valid_from DESC LIMIT 1) AS official_code";

/// Filters for listing units.
#[derive(Debug, Default, Clone)]
pub struct UnitFilter<'a> {
    pub under_path: Option<&'a str>,
    pub parent: Option<&'a str>,
    pub level: Option<&'a str>,
    pub include_inactive: bool,
    pub limit: i64,
    pub offset: i64,
}

impl Store {
    pub async fn unit(&self, code: &str) -> Result<Option<UnitRow>, StoreError> {
        let row = sqlx::query_as(&format!("SELECT {UNIT_COLUMNS} FROM units WHERE code = $1"))
            .bind(code)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row)
    }

    /// Units in display order (by path), filtered.
    pub async fn units(&self, f: &UnitFilter<'_>) -> Result<Vec<UnitRow>, StoreError> {
        let sql = format!(
            "SELECT {UNIT_COLUMNS} FROM units
             WHERE (CAST($1 AS TEXT) IS NULL OR substr(path, 1, length($1)) = $1)
               AND (CAST($2 AS TEXT) IS NULL OR parent_code = $2)
               AND (CAST($3 AS TEXT) IS NULL OR level = $3)
               AND ($4 OR status = 'active')
             ORDER BY path LIMIT $5 OFFSET $6"
        );
        let rows = sqlx::query_as(&sql)
            .bind(f.under_path)
            .bind(f.parent)
            .bind(f.level)
            .bind(f.include_inactive)
            .bind(f.limit)
            .bind(f.offset)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows)
    }

    /// Creates all `units` in one transaction (parents before children), or none.
    pub async fn insert_units(
        &self,
        units: &[NewUnit<'_>],
        actor: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.writer.begin().await?;
        for (code, name, level, parent) in units {
            sqlx::query(
                "INSERT INTO units (code, name, level, parent_code, path, created_at)
                 VALUES ($1, $2, $3, $4,
                         COALESCE((SELECT path FROM units WHERE code = $4), '/') || $1 || '/', $5)",
            )
            .bind(*code)
            .bind(*name)
            .bind(*level)
            .bind(*parent)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(|e| conflict_or(e, || format!("unit code {code} already exists")))?;
            // A unit created outside a reform holds its code from the beginning.
            sqlx::query(
                "INSERT INTO unit_codes (code, unit_code, valid_from) VALUES ($1, $1, '0001-01-01')",
            )
            .bind(*code)
            .execute(&mut *tx)
            .await
            .map_err(|e| conflict_or(e, || format!("unit code {code} is already held")))?;
            insert_event(
                &mut tx, code, "created", None, *parent, None, None, actor, now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Merges `code` into `into`: its children (with their subtrees) move under `into`, users
    /// scoped to it move to `into`, and it stays in the tree as `merged` so history still resolves.
    pub async fn merge_unit(
        &self,
        code: &str,
        into: &str,
        actor: &str,
        now: i64,
    ) -> Result<usize, StoreError> {
        let mut tx = self.writer.begin().await?;
        let moved = merge_in(&mut tx, code, into, actor, now, false).await?;
        tx.commit().await?;
        self.announce_access_change(AccessChange::Everyone).await;
        Ok(moved)
    }

    /// Marks a unit retired (it keeps its code, history and records).
    pub async fn retire_unit(&self, code: &str, actor: &str, now: i64) -> Result<(), StoreError> {
        let mut tx = self.writer.begin().await?;
        sqlx::query("UPDATE units SET status = 'retired', retired_at = $1 WHERE code = $2")
            .bind(now)
            .bind(code)
            .execute(&mut *tx)
            .await?;
        insert_event(&mut tx, code, "retired", None, None, None, None, actor, now).await?;
        tx.commit().await?;
        self.announce_access_change(AccessChange::Everyone).await;
        Ok(())
    }

    /// Active children of a unit.
    pub async fn active_children(&self, code: &str) -> Result<i64, StoreError> {
        let n = sqlx::query_scalar(
            "SELECT COUNT(*) FROM units WHERE parent_code = $1 AND status = 'active'",
        )
        .bind(code)
        .fetch_one(&self.pool)
        .await?;
        Ok(n)
    }

    /// Every event that names the unit, as itself, as a parent or as the other side of a merge.
    pub async fn unit_events(&self, code: &str) -> Result<Vec<UnitEventRow>, StoreError> {
        let rows = sqlx::query_as(
            "SELECT id, unit_code, kind, old_parent, new_parent, other_unit, detail, actor, at
             FROM unit_events
             WHERE unit_code = $1 OR old_parent = $1 OR new_parent = $1 OR other_unit = $1
             ORDER BY id",
        )
        .bind(code)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }
}

/// The merge of `code` into `into` inside a transaction. With `nest`, the merged unit itself
/// moves under `into` too (a reform: the former commune's declarations then count for the new
/// one); returns how many children moved.
pub(super) async fn merge_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    code: &str,
    into: &str,
    actor: &str,
    now: i64,
    nest: bool,
) -> Result<usize, StoreError> {
    let (old_path,): (String,) = sqlx::query_as("SELECT path FROM units WHERE code = $1")
        .bind(code)
        .fetch_one(&mut **tx)
        .await?;
    let (new_path,): (String,) = sqlx::query_as("SELECT path FROM units WHERE code = $1")
        .bind(into)
        .fetch_one(&mut **tx)
        .await?;
    let children: Vec<(String,)> =
        sqlx::query_as("SELECT code FROM units WHERE parent_code = $1 ORDER BY code")
            .bind(code)
            .fetch_all(&mut **tx)
            .await?;
    sqlx::query(
        "UPDATE units SET path = $1 || substr(path, CAST($2 AS INTEGER))
         WHERE substr(path, 1, length($3)) = $3 AND code <> $4",
    )
    .bind(&new_path)
    .bind(old_path.len() as i64 + 1)
    .bind(&old_path)
    .bind(code)
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE units SET parent_code = $1 WHERE parent_code = $2")
        .bind(into)
        .bind(code)
        .execute(&mut **tx)
        .await?;
    for (child,) in &children {
        insert_event(
            tx,
            child,
            "moved",
            Some(code),
            Some(into),
            Some(into),
            Some("parent merged"),
            actor,
            now,
        )
        .await?;
    }
    sqlx::query("UPDATE users SET scope_unit = $1, updated_at = $3 WHERE scope_unit = $2")
        .bind(into)
        .bind(code)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "UPDATE units SET status = 'merged', merged_into = $1, retired_at = $2 WHERE code = $3",
    )
    .bind(into)
    .bind(now)
    .bind(code)
    .execute(&mut **tx)
    .await?;
    if nest {
        sqlx::query("UPDATE units SET path = $1 || code || '/' WHERE code = $2")
            .bind(&new_path)
            .bind(code)
            .execute(&mut **tx)
            .await?;
    }
    let detail = format!("{} child unit(s) moved", children.len());
    insert_event(
        tx,
        code,
        "merged",
        None,
        None,
        Some(into),
        Some(&detail),
        actor,
        now,
    )
    .await?;
    Ok(children.len())
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn insert_event(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    unit: &str,
    kind: &str,
    old_parent: Option<&str>,
    new_parent: Option<&str>,
    other: Option<&str>,
    detail: Option<&str>,
    actor: &str,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO unit_events (unit_code, kind, old_parent, new_parent, other_unit, detail, actor, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(unit)
    .bind(kind)
    .bind(old_parent)
    .bind(new_parent)
    .bind(other)
    .bind(detail)
    .bind(actor)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
