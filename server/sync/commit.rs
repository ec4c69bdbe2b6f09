//! What happens when a batch of changes lands: in the caller's write transaction, the changes'
//! attribution, the chunk holding them, the projection of every household they touched with
//! the village's counters, the per-household audit, and the document's new heads.

use std::collections::{BTreeMap, BTreeSet};

use automerge::{AutoCommit, Change, ChangeHash, PatchAction, Prop};
use sha2::{Digest, Sha256};

use crate::clock::vietnam_date;
use crate::store::{BatchSender, ChangeRun, DocWrite, HouseholdRow, RuleCount};
use crate::survey::indicators::tally::{RuleTally, TallyUpdate};
use crate::survey::indicators::IndicatorRule;
use crate::survey::read::{check_schema, read_household, read_households};
use crate::survey::schema;
use crate::sync::conflicts::field_writes;
use crate::sync::restate::DayPlan;
use crate::sync::SyncError;

/// Who sent a batch of changes (absent for server-side edits): the store's own record of it.
pub use crate::store::BatchSender as Uploader;

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

/// Everything a batch writes that can be worked out from the document alone: computed before the
/// write transaction opens, so the writer (SQLite has one) is held only for the statements.
pub struct Prepared {
    /// The changes' attribution, an actor's consecutive changes in one run.
    runs: Vec<ChangeRun>,
    /// The uploader's actors, each once, in hex order.
    actors: Vec<String>,
    bytes: Vec<u8>,
    /// The document's heads before and after the batch (`heads_string`).
    heads_before: String,
    heads: String,
    touched: Touched,
    /// The households to project, or why the document cannot be projected.
    projection: Result<Vec<HouseholdRow>, String>,
    conflicts: Vec<review::PreparedWrite>,
    /// The village's counts of the indicators defined by rule, when the batch changed a household.
    rule_counts: Vec<(i64, RuleCount)>,
    /// The change to the document's kept tally of those counts (see `Tally`).
    tally: Option<(Vec<ChangeHash>, TallyUpdate)>,
}

/// A village document's counts of the indicators defined by rule, as of `heads`, with each
/// household's part: a batch whose changes start from those heads recounts only the households
/// it touched. Any other way the document moved (another replica's chunks, a failed write, a
/// reload) leaves heads that no batch starts from, so the next one counts the whole village.
#[derive(Debug, Default)]
pub struct Tally(Option<(Vec<ChangeHash>, RuleTally)>);

impl Tally {
    /// The tally, when it was made at `heads` for `rules` in `year`.
    fn at(
        &self,
        heads: &[ChangeHash],
        rules: &[(i64, IndicatorRule)],
        year: i64,
    ) -> Option<&RuleTally> {
        let (at, tally) = self.0.as_ref()?;
        (same_heads(at, heads) && tally.fits(rules, year)).then_some(tally)
    }

    /// Counts every household of `doc` (an indicator just added).
    pub fn set_whole(
        &mut self,
        doc: &mut AutoCommit,
        rules: &[(i64, IndicatorRule)],
        year: i64,
    ) -> Vec<(i64, RuleCount)> {
        let tally = RuleTally::whole(rules, &read_households(&*doc), year);
        let counts = tally.counts();
        self.0 = Some((doc.get_heads(), tally));
        counts
    }

    /// Applies what a committed batch prepared.
    pub fn committed(&mut self, prepared: &mut Prepared) {
        let Some((heads, update)) = prepared.tally.take() else {
            return;
        };
        let mut tally = self.0.take().map(|(_, t)| t);
        if matches!(update, TallyUpdate::Households { .. }) && tally.is_none() {
            return;
        }
        update.apply(&mut tally);
        self.0 = tally.map(|t| (heads, t));
    }
}

fn same_heads(a: &[ChangeHash], b: &[ChangeHash]) -> bool {
    let (mut a, mut b) = (a.to_vec(), b.to_vec());
    a.sort();
    b.sort();
    a == b
}

/// Reads from the document everything the batch will write: the changes' attribution rows and
/// bytes, the households to project, their audit, the fields written with their values, and the
/// village's counts of the indicators defined by `rules`.
pub fn prepare(
    doc: &mut AutoCommit,
    changes: &[Change],
    before: &[ChangeHash],
    days: &DayPlan,
    rules: &[(i64, IndicatorRule)],
    tally: &Tally,
    at: i64,
) -> Prepared {
    let runs = runs::change_runs(changes, &days.observed, at);
    let mut actors: Vec<String> = runs.iter().map(|r| r.actor.clone()).collect();
    actors.dedup();
    let mut bytes = Vec::new();
    for c in changes {
        bytes.extend_from_slice(c.raw_bytes());
    }
    let heads = doc.get_heads();
    let patches = doc.diff(before, &heads);
    let touched = touched_households(&patches);
    let counting = !rules.is_empty() && !matches!(&touched, Touched::Some(map) if map.is_empty());
    let year = i64::from(vietnam_date(at).1);
    let read_touched = |map: &BTreeMap<String, BTreeSet<String>>| {
        let (mut read, mut gone) = (Vec::new(), Vec::new());
        for id in map.keys() {
            match read_household(&*doc, id) {
                Some(h) => read.push(h),
                None => gone.push(id.clone()),
            }
        }
        (read, gone)
    };
    let (projection, rule_counts, tally_update) = match check_schema(&*doc) {
        Err(reason) => (Err(reason), Vec::new(), None),
        Ok(()) if counting => match (&touched, tally.at(before, rules, year)) {
            // The tally stands at the heads this batch starts from: only what it touched is
            // counted again.
            (Touched::Some(map), Some(base)) => {
                let (read, gone) = read_touched(map);
                let update = base.update(&read, &gone);
                let counts = update.counts(Some(base));
                (Ok(read), counts, Some((heads.clone(), update)))
            }
            // Otherwise the whole village is read: the households to project come from it.
            _ => {
                let all = read_households(&*doc);
                let whole = RuleTally::whole(rules, &all, year);
                let counts = whole.counts();
                let projected = match &touched {
                    Touched::All => all,
                    Touched::Some(map) => all
                        .into_iter()
                        .filter(|h| map.contains_key(&h.id))
                        .collect(),
                };
                (
                    Ok(projected),
                    counts,
                    Some((heads.clone(), TallyUpdate::Whole(whole))),
                )
            }
        },
        Ok(()) => {
            let projected = match &touched {
                Touched::All => read_households(&*doc),
                Touched::Some(map) => read_touched(map).0,
            };
            (Ok(projected), Vec::new(), None)
        }
    };
    let conflicts = review::prepare_writes(doc, &field_writes(&patches), changes);
    Prepared {
        runs,
        actors,
        bytes,
        heads_before: heads_string(before),
        heads: heads_string(&heads),
        touched,
        projection,
        conflicts,
        rule_counts,
        tally: tally_update,
    }
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
    let prepared = prepare(doc, changes, before, days, &[], &Tally::default(), at);
    write_prepared(w, &prepared, village_code, by, days, at).await
}

/// The statements of a prepared batch, in the caller's write transaction.
pub async fn write_prepared(
    w: &mut DocWrite,
    p: &Prepared,
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
        (by.user_id, by.device_id.as_deref(), p.runs.is_empty())
    {
        // "Last sync" on the team screen: when this phone's work was last stored.
        w.record_device_sync(user, device, at).await?;
        // Each actor is bound (and checked) once per batch, not once per change.
        for actor in &p.actors {
            let owner = w.bind_actor(actor, user, device, at).await?;
            if owner != user {
                return Err(SyncError::Refused(format!(
                    "changes by actor {actor} belong to another user; nothing was stored"
                )));
            }
        }
    }
    w.record_change_runs(&p.runs, by.user_id, by.device_id.as_deref(), at)
        .await?;
    let mut appended = None;
    if !p.bytes.is_empty() {
        appended = w
            .append_changes(&p.bytes, &sha256_hex(&p.bytes), at)
            .await?
            .map(|seq| Appended {
                seq,
                bytes: p.bytes.len() as u64,
            });
    }
    match &p.projection {
        Err(reason) => w.record_projection_error("*", reason, at).await?,
        Ok(households) => {
            w.project_households(village_code, households, at).await?;
            let none_touched = match &p.touched {
                Touched::All => false,
                Touched::Some(map) => map.is_empty(),
            };
            if !none_touched {
                // The indicator counters move with the projection, in the same transaction.
                let (day, year) = vietnam_date(at);
                w.refresh_village_stats(village_code, &day, i64::from(year) - 15, at)
                    .await?;
                w.record_rule_counts(village_code, &day, &p.rule_counts)
                    .await?;
            }
            let who = (by.user_id, by.username.as_deref(), by.device_id.as_deref());
            w.restate_days(village_code, &days.restated, who, at)
                .await?;
        }
    }
    if let Touched::Some(map) = &p.touched {
        // The audit: what changed is read back from the document between these heads.
        let households: Vec<&str> = map.keys().map(String::as_str).collect();
        if !households.is_empty() {
            let sender = BatchSender {
                user_id: by.user_id,
                username: by.username.as_deref(),
                device_id: by.device_id.as_deref(),
            };
            w.record_batch(
                (&p.heads_before, &p.heads),
                &p.actors.join(","),
                sender,
                &households,
                at,
            )
            .await?;
        }
    }
    if !p.conflicts.is_empty() {
        review::record_conflicts(w, &p.conflicts, village_code, by.user_id, at).await?;
    }
    if let (Touched::Some(map), Some(user)) = (&p.touched, by.user_id) {
        review::clear_fixed_send_backs(w, map, user, at).await?;
    }
    w.set_heads(&p.heads, at).await?;
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
pub mod runs;
#[cfg(test)]
mod tests;
