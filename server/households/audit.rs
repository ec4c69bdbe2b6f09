//! "Who changed this household, when": the audit trail kept as changes are stored.

use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::{Principal, Role};
use crate::clock::rfc3339;
use crate::error::{Error, Result};
use crate::privacy::{self, Read};
use automerge::{AutoCommit, ChangeHash};

use crate::store::{BatchRow, Store};
use crate::sync::values::batch_changes;
use crate::sync::SyncHub;

/// One stored batch of changes to a household.
#[derive(Debug, Serialize, ToSchema)]
pub struct HouseholdChange {
    pub at: String,
    pub user_id: Option<i64>,
    pub username: Option<String>,
    /// The person's name as shown to people (absent for server-side edits).
    pub display_name: Option<String>,
    pub device_id: Option<String>,
    /// Automerge actors whose changes were in the batch.
    pub actors: Vec<String>,
    /// Fields changed, as paths inside the household (e.g. `persons/<id>/has_smartphone`).
    pub fields: Vec<String>,
    /// For each scalar field whose value changed: the value before and after this batch.
    pub values: Vec<FieldValue>,
}

/// A field's value before and after a stored batch (null: absent).
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldValue {
    pub field: String,
    pub old: serde_json::Value,
    pub new: serde_json::Value,
}

/// The `changes` JSON of an audit row as a list, in field order.
fn values(changes: Option<&str>) -> Vec<FieldValue> {
    let map: serde_json::Map<String, serde_json::Value> = changes
        .and_then(|c| serde_json::from_str(c).ok())
        .unwrap_or_default();
    map.into_iter()
        .map(|(field, pair)| FieldValue {
            field,
            old: pair[0].clone(),
            new: pair[1].clone(),
        })
        .collect()
}

/// Every stored batch that changed a household, oldest first: entries kept whole before the
/// audit was made compact (`household_audit`), then batches read back from the document.
pub async fn household_history(
    store: &Store,
    hub: &SyncHub,
    who: &Principal,
    id: &str,
) -> Result<Vec<HouseholdChange>> {
    let hidden = || Error::not_found(format!("household {id} not found (or not in your area)"));
    let (village, path) = store.household_village(id).await?.ok_or_else(hidden)?;
    let allowed = match who.role {
        Role::Enumerator => store
            .assignments("/", Some(who.user_id))
            .await?
            .iter()
            .any(|a| a.village_code == village),
        Role::TeamLead | Role::Commune | Role::Admin => who.covers(&path),
        // District and province see aggregates only, never person-level records.
        _ => false,
    };
    if !allowed {
        return Err(hidden());
    }
    privacy::record_read(store, who, Read::HouseholdHistory, &village, &path, id).await?;
    let mut out: Vec<HouseholdChange> = store
        .household_audit(id)
        .await?
        .into_iter()
        .map(|r| HouseholdChange {
            at: rfc3339(r.at),
            user_id: r.user_id,
            username: r.username,
            display_name: r.display_name,
            device_id: r.device_id,
            actors: split(&r.actors),
            fields: split(&r.fields),
            values: values(r.changes.as_deref()),
        })
        .collect();
    let batches = store.household_batches(id).await?;
    let mut documents: Vec<&str> = batches.iter().map(|b| b.document_id.as_str()).collect();
    documents.sort_unstable();
    documents.dedup();
    for document_id in documents {
        let Some(row) = store.village_document(document_id).await? else {
            continue;
        };
        let mut doc = hub.copy_of(&row).await?;
        let mine: Vec<BatchRow> = batches
            .iter()
            .filter(|b| b.document_id == document_id)
            .cloned()
            .collect();
        let household = id.to_string();
        // Diffing a village's history is CPU work: off the async workers.
        let read = tokio::task::spawn_blocking(move || {
            mine.into_iter()
                .map(|b| read_back(&mut doc, &household, b))
                .collect::<Vec<_>>()
        })
        .await
        .map_err(|e| Error::Internal(format!("reading a household's history stopped: {e}")))?;
        out.extend(read);
    }
    // Oldest first across documents (a household moved by a reform has batches in two).
    out.sort_by(|a, b| a.at.cmp(&b.at));
    Ok(out)
}

fn split(s: &str) -> Vec<String> {
    s.split(',')
        .filter(|x| !x.is_empty())
        .map(String::from)
        .collect()
}

/// One batch's entry, its fields and values read from the document between its heads (none
/// when the document does not hold them, which a stored batch always does).
fn read_back(doc: &mut AutoCommit, household: &str, b: BatchRow) -> HouseholdChange {
    let heads =
        |s: &str| -> Vec<ChangeHash> { s.split(',').filter_map(|h| h.parse().ok()).collect() };
    let (fields, changes) = batch_changes(
        doc,
        household,
        &heads(&b.heads_before),
        &heads(&b.heads_after),
    )
    .unwrap_or_default();
    HouseholdChange {
        at: rfc3339(b.at),
        user_id: b.user_id,
        username: b.username,
        display_name: b.display_name,
        device_id: b.device_id,
        actors: split(&b.actors),
        fields,
        values: values(changes.as_deref()),
    }
}
