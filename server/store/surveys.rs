//! SQL for survey versions: the published ones (never changed) and the one draft. Definitions
//! are stored as the JSON text the survey layer writes; this layer does not read them.

use sqlx::FromRow;

use super::{Store, StoreError};

/// A published version or the draft, as stored.
#[derive(Debug, Clone, FromRow)]
pub struct SurveyVersionRow {
    pub version: i64,
    pub definition: String,
    pub published_by: String,
    pub published_at: i64,
}

#[derive(Debug, Clone, FromRow)]
pub struct SurveyDraftRow {
    pub definition: String,
    pub saved_by: String,
    pub saved_at: i64,
}

impl Store {
    /// Every published version, oldest first.
    pub async fn survey_versions(&self) -> Result<Vec<SurveyVersionRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT version, definition, published_by, published_at FROM survey_versions ORDER BY version",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// The version published last, if any was published after the built-in one.
    pub async fn latest_survey_version(&self) -> Result<Option<SurveyVersionRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT version, definition, published_by, published_at FROM survey_versions
             ORDER BY version DESC LIMIT 1",
        )
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn survey_draft(&self) -> Result<Option<SurveyDraftRow>, StoreError> {
        Ok(
            sqlx::query_as("SELECT definition, saved_by, saved_at FROM survey_draft WHERE id = 1")
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// Saves the draft, replacing the one there.
    pub async fn save_survey_draft(
        &self,
        definition: &str,
        by: &str,
        at: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO survey_draft (id, definition, saved_by, saved_at) VALUES (1, $1, $2, $3)
             ON CONFLICT (id) DO UPDATE SET definition = excluded.definition,
                 saved_by = excluded.saved_by, saved_at = excluded.saved_at",
        )
        .bind(definition)
        .bind(by)
        .bind(at)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    pub async fn delete_survey_draft(&self) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM survey_draft WHERE id = 1")
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// Publishes `definition` as `version` and drops the draft, in one transaction. Fails with
    /// `Conflict` when `version` exists (another admin published first): the caller re-checks
    /// the draft against that version.
    pub async fn publish_survey_version(
        &self,
        version: i64,
        definition: &str,
        by: &str,
        at: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.writer.begin().await?;
        let done = sqlx::query(
            "INSERT INTO survey_versions (version, definition, published_by, published_at)
             VALUES ($1, $2, $3, $4) ON CONFLICT (version) DO NOTHING",
        )
        .bind(version)
        .bind(definition)
        .bind(by)
        .bind(at)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict(format!(
                "version {version} was published meanwhile: check the draft against it and publish again"
            )));
        }
        sqlx::query("DELETE FROM survey_draft WHERE id = 1")
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
