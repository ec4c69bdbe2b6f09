//! SQL for the villages of split communes: which wait, and placing them under new communes.

use sqlx::FromRow;

use super::reform::{rescope_in, retire_in};
use super::units::insert_event;
use super::{AccessChange, Store, StoreError};

/// A village of a split commune and where it went (or may go).
#[derive(Debug, Clone, FromRow)]
pub struct PlacementRow {
    pub village_code: String,
    pub village_name: String,
    pub reform_id: i64,
    pub former_commune: String,
    pub former_name: String,
    /// Identities of the new communes, separated by ','.
    pub candidates: String,
    pub placed_into: Option<String>,
    pub placed_by: Option<String>,
    pub placed_at: Option<i64>,
}

const PLACEMENT_SELECT: &str =
    "SELECT p.village_code, v.name AS village_name, p.reform_id, p.former_commune,
            f.name AS former_name, p.candidates, p.placed_into, p.placed_by, p.placed_at
     FROM village_placements p JOIN units v ON v.code = p.village_code
     JOIN units f ON f.code = p.former_commune";

impl Store {
    /// Villages of split communes under `path` (the former commune's path), placed or not.
    pub async fn placements(&self, path: &str) -> Result<Vec<PlacementRow>, StoreError> {
        let rows = sqlx::query_as(&format!(
            "{PLACEMENT_SELECT} WHERE substr(f.path, 1, length($1)) = $1
             OR substr(v.path, 1, length($1)) = $1
             ORDER BY p.placed_into IS NOT NULL, p.former_commune, p.village_code"
        ))
        .bind(path)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }

    /// Places villages of split communes, all in one transaction: each moves under its new
    /// commune. A former commune whose last village is placed is retired, its staff going to
    /// the new commune that received most of its villages; a district it leaves empty is retired.
    /// Returns the former communes closed.
    pub async fn place_villages(
        &self,
        places: &[(String, String)],
        actor: &str,
        now: i64,
    ) -> Result<Vec<String>, StoreError> {
        let mut tx = self.writer.begin().await?;
        let mut formers: Vec<String> = Vec::new();
        for (village, into) in places {
            let former: Option<String> = sqlx::query_scalar(
                "UPDATE village_placements SET placed_into = $1, placed_by = $2, placed_at = $3
                 WHERE village_code = $4 AND placed_into IS NULL RETURNING former_commune",
            )
            .bind(into)
            .bind(actor)
            .bind(now)
            .bind(village)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(former) = former else {
                return Err(StoreError::Conflict(format!(
                    "village {village} is not waiting to be placed (placed meanwhile?)"
                )));
            };
            sqlx::query(
                "UPDATE units SET parent_code = $1, path = (SELECT path FROM units WHERE code = $1) || code || '/'
                 WHERE code = $2",
            )
            .bind(into)
            .bind(village)
            .execute(&mut *tx)
            .await?;
            let detail = format!("placed after {former} was split");
            insert_event(
                &mut tx,
                village,
                "moved",
                Some(&former),
                Some(into),
                Some(into),
                Some(&detail),
                actor,
                now,
            )
            .await?;
            if !formers.contains(&former) {
                formers.push(former);
            }
        }
        let mut closed = Vec::new();
        for former in formers {
            let waiting: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM units WHERE parent_code = $1 AND status = 'active'",
            )
            .bind(&former)
            .fetch_one(&mut *tx)
            .await?;
            if waiting > 0 {
                continue;
            }
            let shares: Vec<(String, i64)> = sqlx::query_as(
                "SELECT placed_into, COUNT(*) FROM village_placements
                 WHERE former_commune = $1 AND placed_into IS NOT NULL
                 GROUP BY placed_into ORDER BY COUNT(*) DESC, placed_into",
            )
            .bind(&former)
            .fetch_all(&mut *tx)
            .await?;
            let to: Vec<&str> = shares.iter().map(|(c, _)| c.as_str()).collect();
            if let Some(most) = to.first() {
                rescope_in(&mut tx, &former, most, now).await?;
            }
            let detail = format!("split between {}", to.join(", "));
            retire_in(&mut tx, &former, Some(&detail), actor, now).await?;
            let district: Option<String> =
                sqlx::query_scalar("SELECT parent_code FROM units WHERE code = $1")
                    .bind(&former)
                    .fetch_one(&mut *tx)
                    .await?;
            if let Some(district) = district {
                let (level, active): (String, i64) = sqlx::query_as(
                    "SELECT level, (SELECT COUNT(*) FROM units c WHERE c.parent_code = $1 AND c.status = 'active')
                     FROM units WHERE code = $1 AND status = 'active'",
                )
                .bind(&district)
                .fetch_optional(&mut *tx)
                .await?
                .unwrap_or(("".into(), 1));
                if level == "district" && active == 0 {
                    sqlx::query(
                        "UPDATE unit_codes SET valid_to = (SELECT r.effective_date FROM reforms r
                           JOIN village_placements p ON p.reform_id = r.id
                           WHERE p.former_commune = $1 LIMIT 1)
                         WHERE unit_code = $2 AND valid_to IS NULL",
                    )
                    .bind(&former)
                    .bind(&district)
                    .execute(&mut *tx)
                    .await?;
                    retire_in(
                        &mut tx,
                        &district,
                        Some("emptied by the reform"),
                        actor,
                        now,
                    )
                    .await?;
                }
            }
            closed.push(former);
        }
        tx.commit().await?;
        self.announce_access_change(AccessChange::Everyone).await;
        Ok(closed)
    }
}
