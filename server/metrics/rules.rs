//! Indicators a province adds as data: a name, a default target and a rule over the survey's
//! fields (`survey::indicators`). Once added, every village is counted in the background, and
//! every later batch keeps its counts up to date; removing one drops its targets and counts,
//! never an answer.

use std::sync::Arc;

use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::{Principal, Role};
use crate::clock::now;
use crate::error::{Error, Result};
use crate::metrics::{catalogue, Indicator};
use crate::store::{NewRuleIndicator, Store};
use crate::survey::indicators::{self, IndicatorRule};
use crate::survey::versions;
use crate::sync::SyncHub;

/// An indicator to add to the catalogue.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewIndicator {
    pub name_vi: String,
    #[serde(default)]
    pub name_en: String,
    /// The target every unit gets unless one is set for it: a fraction, 0.8 for 80 %.
    pub default_target: f64,
    pub rule: IndicatorRule,
}

/// Longest name accepted (the plans' longest is about 160 characters).
const MAX_NAME: usize = 300;

/// Adds an indicator defined by rule (admin, province), checked against the current survey
/// version, and starts counting every village.
pub async fn add(
    store: &Store,
    hub: &Arc<SyncHub>,
    who: &Principal,
    new: NewIndicator,
) -> Result<Indicator> {
    who.require_role(Role::Province, "adding an indicator")?;
    let name_vi = new.name_vi.trim();
    if name_vi.is_empty() || name_vi.chars().count() > MAX_NAME {
        return Err(Error::bad_request(format!(
            "name_vi: write the indicator's Vietnamese name (1 to {MAX_NAME} characters)"
        )));
    }
    if !(new.default_target > 0.0 && new.default_target <= 1.0) {
        return Err(Error::bad_request(
            "default_target: write the target as a fraction above 0 and at most 1 (0.8 for 80 %)",
        ));
    }
    let survey = versions::current(store).await?;
    let problems = new.rule.problems(&survey);
    if !problems.is_empty() {
        return Err(Error::Invalid {
            message: format!(
                "the rule cannot be counted with survey version {}: {} problem(s)",
                survey.version,
                problems.len()
            ),
            details: problems,
        });
    }
    let text = |c: &crate::survey::definition::Condition| {
        serde_json::to_string(c).map_err(|e| Error::Internal(e.to_string()))
    };
    let numerator = text(&new.rule.numerator)?;
    let denominator = new.rule.denominator.as_ref().map(text).transpose()?;
    let id = store
        .insert_rule_indicator(
            &NewRuleIndicator {
                name_vi,
                name_en: new.name_en.trim(),
                default_target: new.default_target,
                counts: new.rule.counts.name(),
                numerator_when: &numerator,
                denominator_when: denominator.as_deref(),
                rate_among: match new.rule.rate_among {
                    indicators::RateAmong::Asked => None,
                    among => Some(among.name()),
                },
                created_by: &who.username,
            },
            now(),
        )
        .await?;
    tracing::info!(indicator = id, by = %who.username, "indicator added");
    count_every_village(store.clone(), hub.clone(), id);
    catalogue(store)
        .await?
        .into_iter()
        .find(|i| i.id == id)
        .ok_or_else(|| Error::Internal(format!("indicator {id} was stored but cannot be read")))
}

/// Removes an indicator added by rule (the built-in ones stay), with its targets and counts.
pub async fn remove(store: &Store, who: &Principal, id: i64) -> Result<()> {
    who.require_role(Role::Province, "removing an indicator")?;
    if !store.remove_rule_indicator(id, now()).await? {
        return Err(Error::not_found(format!(
            "indicator {id} is not one added by rule (the built-in indicators cannot be removed)"
        )));
    }
    tracing::info!(indicator = id, by = %who.username, "indicator removed");
    Ok(())
}

/// Counts, in the background, the indicators added by rule whose first count of every village
/// did not finish (the server stopped meanwhile). Each replica that starts does it; counting a
/// village twice only writes the same counts again.
pub async fn resume_counting(store: &Store, hub: &Arc<SyncHub>) -> Result<()> {
    let uncounted = store
        .indicators()
        .await?
        .into_iter()
        .filter(|i| i.first_count_running());
    for id in uncounted.map(|i| i.id) {
        tracing::info!(
            indicator = id,
            "counting the villages of an indicator not yet counted"
        );
        count_every_village(store.clone(), hub.clone(), id);
    }
    Ok(())
}

/// Counts a new indicator in every village, one document at a time, in the background, with
/// every other rule (a village's day holds the counts of all of them), then marks it counted.
/// A village whose count fails here is counted by its next batch.
fn count_every_village(store: Store, hub: Arc<SyncHub>, id: i64) {
    let tracker = hub.tracker.clone();
    let shutdown = hub.shutdown.clone();
    tracker.spawn(async move {
        let villages = match store.village_documents().await {
            Ok(v) => v,
            Err(e) => {
                tracing::warn!(indicator = id, error = %e, "listing the villages to count failed; counted at the next start");
                return;
            }
        };
        let started = std::time::Instant::now();
        for row in &villages {
            if shutdown.is_cancelled() {
                tracing::warn!(indicator = id, "counting stopped by shutdown; the rest are counted at the next start");
                return;
            }
            // Read for each village: one removed meanwhile is not written again, one added
            // meanwhile is counted too.
            let rules = match indicators::rules(&store).await {
                Ok(rules) if rules.iter().any(|(r, _)| *r == id) => rules,
                Ok(_) => return,
                Err(e) => {
                    tracing::warn!(indicator = id, error = %e, "reading the rules failed; the rest are counted at the next start");
                    return;
                }
            };
            if let Err(e) = hub.recount_rules(row, &rules).await {
                tracing::warn!(indicator = id, village = %row.unit_code, error = %e, "counting a village failed; its next batch counts it");
            }
        }
        if let Err(e) = store.mark_rule_indicator_counted(id, now()).await {
            tracing::warn!(indicator = id, error = %e, "marking the indicator counted failed; counted again at the next start");
            return;
        }
        tracing::info!(indicator = id, villages = villages.len(), took = ?started.elapsed(), "indicator counted in every village");
    });
}
