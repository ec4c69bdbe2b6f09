//! Survey versions: the current one (what phones render and the projection reads), the list,
//! and the draft → publish cycle. Only an admin or a province officer changes the survey; every
//! signed-in user reads it (phones need it offline).

use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::{Principal, Role};
use crate::clock::now;
use crate::error::{Error, Result};
use crate::store::Store;
use crate::survey::definition::{check_definition, version_1, Problem, SurveyDefinition};

/// A published version with who published it (nobody for the built-in version 1).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SurveyVersion {
    pub definition: SurveyDefinition,
    pub published_by: Option<String>,
    /// Unix milliseconds.
    pub published_at: Option<i64>,
}

/// The versions published so far and the draft, for the console.
#[derive(Debug, Serialize, ToSchema)]
pub struct SurveyOverview {
    /// Oldest first; the last is current.
    pub versions: Vec<SurveyVersion>,
    pub draft: Option<SurveyDraft>,
}

/// The draft of the next version and what stops it from being published.
#[derive(Debug, Serialize, ToSchema)]
pub struct SurveyDraft {
    pub definition: SurveyDefinition,
    pub saved_by: String,
    pub saved_at: i64,
    /// Empty when it can be published.
    pub problems: Vec<Problem>,
}

fn parse(text: &str, what: &str) -> Result<SurveyDefinition> {
    serde_json::from_str(text)
        .map_err(|e| Error::Internal(format!("{what} is not a definition: {e}")))
}

/// Every published version, oldest first (the built-in version 1 first).
pub async fn published(store: &Store) -> Result<Vec<SurveyVersion>> {
    let mut out = vec![SurveyVersion {
        definition: version_1().clone(),
        published_by: None,
        published_at: None,
    }];
    for row in store.survey_versions().await? {
        out.push(SurveyVersion {
            definition: parse(&row.definition, &format!("survey version {}", row.version))?,
            published_by: Some(row.published_by),
            published_at: Some(row.published_at),
        });
    }
    Ok(out)
}

/// The version phones use now: the one published last.
pub async fn current(store: &Store) -> Result<SurveyDefinition> {
    match store.latest_survey_version().await? {
        Some(row) => parse(&row.definition, &format!("survey version {}", row.version)),
        None => Ok(version_1().clone()),
    }
}

/// One published version by number.
pub async fn version(store: &Store, number: i64) -> Result<SurveyVersion> {
    published(store)
        .await?
        .into_iter()
        .find(|v| v.definition.version == number)
        .ok_or_else(|| Error::not_found(format!("survey version {number} has not been published")))
}

/// The published versions and the draft with its problems.
pub async fn overview(store: &Store, who: &Principal) -> Result<SurveyOverview> {
    who.require_role(Role::Province, "preparing a survey version")?;
    let versions = published(store).await?;
    let latest = versions
        .last()
        .map_or_else(|| version_1().clone(), |v| v.definition.clone());
    let draft = match store.survey_draft().await? {
        Some(row) => {
            let definition = parse(&row.definition, "the survey draft")?;
            Some(SurveyDraft {
                problems: check_definition(&definition, &latest),
                definition,
                saved_by: row.saved_by,
                saved_at: row.saved_at,
            })
        }
        None => None,
    };
    Ok(SurveyOverview { versions, draft })
}

/// Saves the draft of the next version (its number is set here) and answers what would stop
/// it from being published; an incomplete draft is saved all the same.
pub async fn save_draft(
    store: &Store,
    who: &Principal,
    mut definition: SurveyDefinition,
) -> Result<SurveyDraft> {
    who.require_role(Role::Province, "preparing a survey version")?;
    let latest = current(store).await?;
    definition.version = latest.version + 1;
    let text = serde_json::to_string(&definition).map_err(|e| Error::Internal(e.to_string()))?;
    let at = now();
    store.save_survey_draft(&text, &who.username, at).await?;
    Ok(SurveyDraft {
        problems: check_definition(&definition, &latest),
        definition,
        saved_by: who.username.clone(),
        saved_at: at,
    })
}

/// Drops the draft.
pub async fn discard_draft(store: &Store, who: &Principal) -> Result<()> {
    who.require_role(Role::Province, "preparing a survey version")?;
    store.delete_survey_draft().await?;
    Ok(())
}

/// Publishes the draft as the next version: refused with every problem when it would break a
/// document or a phone on an earlier version.
pub async fn publish(store: &Store, who: &Principal) -> Result<SurveyVersion> {
    who.require_role(Role::Province, "publishing a survey version")?;
    let Some(row) = store.survey_draft().await? else {
        return Err(Error::not_found(
            "there is no draft to publish: save one first",
        ));
    };
    let mut definition = parse(&row.definition, "the survey draft")?;
    let latest = current(store).await?;
    definition.version = latest.version + 1;
    let problems = check_definition(&definition, &latest);
    if !problems.is_empty() {
        return Err(Error::Invalid {
            message: format!(
                "version {} cannot be published: {} problem(s); the earlier versions' documents and phones must stay valid",
                definition.version,
                problems.len()
            ),
            details: problems.iter().map(|p| format!("{} ({}): {}", p.field, p.rule, p.message)).collect(),
        });
    }
    let text = serde_json::to_string(&definition).map_err(|e| Error::Internal(e.to_string()))?;
    let at = now();
    store
        .publish_survey_version(definition.version, &text, &who.username, at)
        .await?;
    tracing::info!(version = definition.version, by = %who.username, "survey version published");
    Ok(SurveyVersion {
        definition,
        published_by: Some(who.username.clone()),
        published_at: Some(at),
    })
}
