//! The team lead's review, kept current by the commit step: fields that now hold several values
//! are recorded as conflicts (and settled when written again), and records sent back are marked
//! fixed when someone else changes them.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use automerge::{AutoCommit, Change, ReadDoc};

use crate::store::DocWrite;
use crate::sync::conflicts::{candidates, scalar_json, FieldWrite};
use crate::sync::SyncError;

/// A field the batch wrote, with what the document says of it now (read before the write
/// transaction): its competing values when it holds several, else the one it holds.
pub(crate) struct PreparedWrite {
    household: String,
    field: String,
    /// The values (JSON array, `at` null for values of earlier batches) when there are several.
    competing: Option<serde_json::Value>,
    /// The value it holds, to settle an open conflict on it.
    value: serde_json::Value,
}

/// Reads the written fields' values out of the document.
pub(crate) fn prepare_writes(
    doc: &AutoCommit,
    writes: &[FieldWrite],
    batch: &[Change],
) -> Vec<PreparedWrite> {
    writes
        .iter()
        .map(|fw| {
            let competing = fw
                .conflicted
                .then(|| candidates(doc, fw, batch))
                .filter(|v| v.as_array().is_some_and(|list| list.len() > 1));
            let value = doc
                .get(&fw.obj, fw.key.as_str())
                .ok()
                .flatten()
                .and_then(|(v, _)| scalar_json(&v))
                .unwrap_or_default();
            PreparedWrite {
                household: fw.household.clone(),
                field: fw.field.clone(),
                competing,
                value,
            }
        })
        .collect()
}

/// Records the fields that now hold several values, and settles open conflicts on fields that
/// were written again with one.
pub(super) async fn record_conflicts(
    w: &mut DocWrite,
    writes: &[PreparedWrite],
    village_code: &str,
    by: Option<i64>,
    at: i64,
) -> Result<(), SyncError> {
    let open: HashSet<(String, String)> = w.open_conflicts().await?.into_iter().collect();
    for fw in writes {
        if let Some(mut values) = fw.competing.clone() {
            if let Some(list) = values.as_array_mut() {
                // A value from an earlier batch: the time of its phone's latest stored change.
                for c in list.iter_mut().filter(|c| c["at"].is_null()) {
                    let actor = c["actor"].as_str().unwrap_or_default().to_string();
                    c["at"] = w.latest_change_time(&actor).await?.into();
                }
            }
            w.record_conflict(
                village_code,
                &fw.household,
                &fw.field,
                &values.to_string(),
                at,
            )
            .await?;
            continue;
        }
        if open.contains(&(fw.household.clone(), fw.field.clone())) {
            w.settle_conflict(&fw.household, &fw.field, by, &fw.value.to_string(), at)
                .await?;
        }
    }
    Ok(())
}

/// Marks fixed the open send-backs whose record `user` (not the lead who sent it) changed in this
/// batch: the household, or for a person, a field of that person.
pub(super) async fn clear_fixed_send_backs(
    w: &mut DocWrite,
    touched: &BTreeMap<String, BTreeSet<String>>,
    user: i64,
    at: i64,
) -> Result<(), SyncError> {
    if touched.is_empty() {
        return Ok(());
    }
    let fixed: Vec<i64> = w
        .open_send_backs()
        .await?
        .into_iter()
        .filter(|s| s.created_by != user)
        .filter(|s| {
            let Some(fields) = touched.get(&s.household_id) else {
                return false;
            };
            match &s.person_id {
                None => !fields.is_empty(),
                Some(person) => {
                    let prefix = format!("persons/{person}");
                    fields.iter().any(|f| {
                        f == &prefix || f.strip_prefix(&prefix).is_some_and(|r| r.starts_with('/'))
                    })
                }
            }
        })
        .map(|s| s.id)
        .collect();
    Ok(w.clear_send_backs(&fixed, Some(user), at).await?)
}
