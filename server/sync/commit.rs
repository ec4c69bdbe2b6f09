//! What happens when a batch of changes lands: in the caller's write transaction, the changes'
//! attribution, the chunk holding them, the projection of every household they touched with
//! the village's counters, the per-household audit, and the document's new heads.

use std::collections::{BTreeMap, BTreeSet};

use automerge::{AutoCommit, Change, ChangeHash, PatchAction, Prop};
use sha2::{Digest, Sha256};

use crate::clock::vietnam_date;
use crate::store::{ChangeRecord, DocWrite};
use crate::survey::read::{check_schema, household_ids, read_household};
use crate::survey::schema;
use crate::sync::conflicts::field_writes;
use crate::sync::restate::DayPlan;
use crate::sync::values::changed_values;
use crate::sync::SyncError;

/// Who sent a batch of changes (absent for server-side edits).
#[derive(Clone, Copy, Debug, Default)]
pub struct Uploader<'a> {
    pub user_id: Option<i64>,
    pub username: Option<&'a str>,
    pub device_id: Option<&'a str>,
}

/// An `Uploader` the store-and-acknowledge task owns: that task runs detached from the request
/// or connection that started it, so a dropped request cannot stop a write half-way.
#[derive(Clone, Debug, Default)]
pub struct Attribution {
    pub user_id: Option<i64>,
    /// The user's access version when the connection decided it may write (phones only): a
    /// different one in the write transaction means access changed since, and nothing is stored.
    pub access_version: Option<i64>,
    pub username: Option<String>,
    pub device_id: Option<String>,
}

impl From<Uploader<'_>> for Attribution {
    fn from(u: Uploader<'_>) -> Self {
        Attribution {
            user_id: u.user_id,
            access_version: None,
            username: u.username.map(str::to_string),
            device_id: u.device_id.map(str::to_string),
        }
    }
}

/// The chunk a batch appended (none when exactly these bytes were stored before).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Appended {
    pub seq: i64,
    pub bytes: u64,
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Heads as stored in `village_documents.heads`: sorted hex, comma-separated.
pub fn heads_string(heads: &[ChangeHash]) -> String {
    let mut hex: Vec<String> = heads.iter().map(|h| h.to_string()).collect();
    hex.sort();
    hex.join(",")
}

/// Writes `changes` (what this uploader brought, taken before other replicas' chunks were merged,
/// so theirs are never attributed to it) into `w`, and re-projects every household `doc` changed
/// since `before` (theirs included). Nothing is durable until the caller commits `w`, and nothing
/// in memory moves here (the caller does its bookkeeping after commit).
#[allow(clippy::too_many_arguments)]
pub async fn write_batch(
    w: &mut DocWrite,
    doc: &mut AutoCommit,
    changes: &[Change],
    before: &[ChangeHash],
    village_code: &str,
    by: &Attribution,
    days: &DayPlan,
    at: i64,
) -> Result<Option<Appended>, SyncError> {
    if let (Some(user), Some(decided)) = (by.user_id, by.access_version) {
        if w.access_version(user).await? != decided {
            return Err(SyncError::AccessChanged);
        }
    }
    if let (Some(user), Some(device), false) =
        (by.user_id, by.device_id.as_deref(), changes.is_empty())
    {
        // "Last sync" on the team screen: when this phone's work was last stored.
        w.record_device_sync(user, device, at).await?;
    }
    let mut actors = BTreeSet::new();
    let mut records = Vec::with_capacity(changes.len());
    let mut bytes = Vec::new();
    for (i, c) in changes.iter().enumerate() {
        let actor = c.actor_id().to_hex_string();
        // Each actor is bound (and checked) once per batch, not once per change.
        if let (Some(user), Some(device), false) =
            (by.user_id, by.device_id.as_deref(), actors.contains(&actor))
        {
            let owner = w.bind_actor(&actor, user, device, at).await?;
            if owner != user {
                return Err(SyncError::Refused(format!(
                    "changes by actor {actor} belong to another user; nothing was stored"
                )));
            }
        }
        records.push(ChangeRecord {
            change_hash: c.hash().to_string(),
            actor: actor.clone(),
            seq: i64::try_from(c.seq()).unwrap_or(i64::MAX),
            change_time: c.timestamp(),
            observed_at: days.observed.get(i).copied().unwrap_or(at),
            user_id: by.user_id,
            device_id: by.device_id.as_deref(),
        });
        actors.insert(actor);
        bytes.extend_from_slice(c.raw_bytes());
    }
    w.record_changes(&records, at).await?;
    let mut appended = None;
    if !bytes.is_empty() {
        appended = w
            .append_changes(&bytes, &sha256_hex(&bytes), at)
            .await?
            .map(|seq| Appended {
                seq,
                bytes: bytes.len() as u64,
            });
    }
    let heads = doc.get_heads();
    let patches = doc.diff(before, &heads);
    let touched = touched_households(&patches);
    match check_schema(&*doc) {
        Err(reason) => w.record_projection_error("*", &reason, at).await?,
        Ok(()) => {
            let ids: Vec<String> = match &touched {
                Touched::All => household_ids(&*doc),
                Touched::Some(map) => map.keys().cloned().collect(),
            };
            for id in &ids {
                if let Some(rec) = read_household(&*doc, id) {
                    w.project_household(village_code, &rec, at).await?;
                }
            }
            if !ids.is_empty() {
                // The indicator counters move with the projection, in the same transaction.
                let (day, year) = vietnam_date(at);
                w.refresh_village_stats(village_code, &day, i64::from(year) - 15, at)
                    .await?;
            }
            let who = (by.user_id, by.username.as_deref(), by.device_id.as_deref());
            w.restate_days(village_code, &days.restated, who, at)
                .await?;
        }
    }
    if let Touched::Some(map) = &touched {
        let actors = actors.into_iter().collect::<Vec<_>>().join(",");
        for (household, fields) in map {
            let changes = changed_values(&*doc, household, fields, before);
            let fields = fields.iter().cloned().collect::<Vec<_>>().join(",");
            w.record_audit(
                household,
                by.user_id,
                by.username.as_deref(),
                by.device_id.as_deref(),
                &actors,
                &fields,
                changes.as_deref(),
                at,
            )
            .await?;
        }
    }
    let writes = field_writes(&patches);
    if !writes.is_empty() {
        review::record_conflicts(w, doc, &writes, changes, village_code, by.user_id, at).await?;
    }
    if let (Touched::Some(map), Some(user)) = (&touched, by.user_id) {
        review::clear_fixed_send_backs(w, map, user, at).await?;
    }
    w.set_heads(&heads_string(&heads), at).await?;
    Ok(appended)
}

/// Households a diff touched, with the fields changed in each.
#[derive(Debug, PartialEq)]
pub enum Touched {
    /// The households map itself or the schema changed: re-project everything.
    All,
    Some(BTreeMap<String, BTreeSet<String>>),
}

pub fn touched_households(patches: &[automerge::Patch]) -> Touched {
    let mut map: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for patch in patches {
        let key_of = |action: &PatchAction| match action {
            PatchAction::PutMap { key, .. } | PatchAction::DeleteMap { key } => Some(key.clone()),
            PatchAction::Conflict { prop: Prop::Map(k) }
            | PatchAction::Increment {
                prop: Prop::Map(k), ..
            } => Some(k.clone()),
            _ => None,
        };
        let path: Vec<String> = patch
            .path
            .iter()
            .map(|(_, prop)| match prop {
                Prop::Map(k) => k.clone(),
                Prop::Seq(i) => i.to_string(),
            })
            .collect();
        match path.first().map(String::as_str) {
            None => match key_of(&patch.action).as_deref() {
                Some(schema::HOUSEHOLDS) | Some(schema::SCHEMA_VERSION_KEY) => return Touched::All,
                _ => {}
            },
            Some(schema::HOUSEHOLDS) => {
                let (household, field) = match path.get(1) {
                    Some(h) => {
                        let mut field: Vec<String> = path[2..].to_vec();
                        if let Some(k) = key_of(&patch.action) {
                            field.push(k);
                        }
                        (h.clone(), field.join("/"))
                    }
                    None => match key_of(&patch.action) {
                        Some(h) => (h, "*".to_string()),
                        None => continue,
                    },
                };
                let fields = map.entry(household).or_default();
                if !field.is_empty() {
                    fields.insert(field);
                }
            }
            Some(_) => {}
        }
    }
    Touched::Some(map)
}

mod review;
#[cfg(test)]
mod tests;
