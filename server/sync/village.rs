//! One loaded village document: its Automerge state, the sync state of every connected peer,
//! and the store-then-acknowledge path for incoming changes.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Instant;

use automerge::sync::{self, SyncDoc};
use automerge::{AutoCommit, Change, ChangeHash, PatchAction, Prop};
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;

use crate::clock::{now, vietnam_date};
use crate::store::{ChangeRecord, Store, VillageDocRow};
use crate::survey::read::{check_schema, household_ids, read_household};
use crate::survey::schema;
use crate::sync::access::Access;
use crate::sync::wire::WireMessage;
use crate::sync::SyncError;

/// Chunks stored since the last snapshot before the document is compacted.
const COMPACT_AFTER_CHUNKS: usize = 64;
/// Chunks since the last snapshot that make an idle document worth compacting when it is evicted.
const COMPACT_ON_EVICTION: usize = 4;

/// A connection's side of one document.
pub struct Peer {
    pub peer_id: String,
    pub state: sync::State,
    pub out: mpsc::Sender<Vec<u8>>,
}

/// A connection as a document sees it.
pub struct ConnRef<'a> {
    pub id: u64,
    pub peer_id: &'a str,
    pub out: &'a mpsc::Sender<Vec<u8>>,
    pub uploader: Uploader<'a>,
}

/// Who sent a batch of changes (absent for server-side edits).
#[derive(Clone, Copy, Debug, Default)]
pub struct Uploader<'a> {
    pub user_id: Option<i64>,
    pub username: Option<&'a str>,
    pub device_id: Option<&'a str>,
}

pub struct LoadedDoc {
    pub document_id: String,
    pub village_code: String,
    pub doc: AutoCommit,
    /// Highest chunk sequence number merged into `doc`.
    last_seq: i64,
    chunks_since_snapshot: usize,
    /// Bytes of the stored chunks (what the size limit counts).
    stored_bytes: u64,
    pub peers: HashMap<u64, Peer>,
    pub last_used: Instant,
}

fn sha256_hex(bytes: &[u8]) -> String {
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

impl LoadedDoc {
    /// Loads a document from its stored chunks.
    pub async fn load(store: &Store, row: &VillageDocRow) -> Result<Self, SyncError> {
        let chunks = store.doc_chunks(&row.document_id, 0).await?;
        let mut doc = AutoCommit::new();
        let mut last_seq = 0;
        for (seq, bytes) in &chunks {
            doc.load_incremental(bytes)?;
            last_seq = *seq;
        }
        Ok(LoadedDoc {
            document_id: row.document_id.clone(),
            village_code: row.unit_code.clone(),
            doc,
            last_seq,
            chunks_since_snapshot: chunks.len().saturating_sub(1),
            stored_bytes: chunks.iter().map(|(_, b)| b.len() as u64).sum(),
            peers: HashMap::new(),
            last_used: Instant::now(),
        })
    }

    /// Bytes of the whole document (for the initial snapshot and for tests).
    pub fn save(&mut self) -> Vec<u8> {
        self.doc.save()
    }

    /// Applies a sync message from a peer; when it brought changes, stores and projects them
    /// before anything is sent back. Then answers the sender and tells the other peers.
    pub async fn receive(
        &mut self,
        store: &Store,
        conn: &ConnRef<'_>,
        access: Access,
        data: &[u8],
        server_peer_id: &str,
        max_bytes: u64,
    ) -> Result<(), SyncError> {
        self.last_used = Instant::now();
        let message = sync::Message::decode(data)
            .map_err(|e| SyncError::BadMessage(format!("invalid Automerge sync message: {e}")))?;
        // Checked before applying a message that brings changes (one that only asks for updates
        // still gets them): a document passes the limit by at most one message's worth.
        let brings_changes = !message.changes.is_empty();
        if access == Access::ReadWrite
            && brings_changes
            && self.stored_bytes + data.len() as u64 > max_bytes
        {
            return Err(SyncError::Refused(format!(
                "village document {} has reached its size limit ({} KiB): nothing was stored; \
                 the changes stay on the phone; tell the administrator",
                self.document_id,
                max_bytes / 1024
            )));
        }
        let entry = self.peers.entry(conn.id).or_insert_with(|| Peer {
            peer_id: conn.peer_id.to_string(),
            // A read-only state never applies the peer's changes: they are refused, never stored.
            state: if access == Access::ReadOnly {
                sync::State::new_read_only()
            } else {
                sync::State::new()
            },
            out: conn.out.clone(),
        });
        let before = self.doc.get_heads();
        self.doc
            .sync()
            .receive_sync_message(&mut entry.state, message)?;
        let changed = self.doc.get_heads() != before;
        if changed {
            self.persist(store, &before, conn.uploader).await?;
        }
        self.send_to(conn.id, server_peer_id);
        if changed {
            self.fan_out(Some(conn.id), server_peer_id);
        }
        Ok(())
    }

    /// Generates and queues the next sync message for one peer, if there is one.
    pub fn send_to(&mut self, conn: u64, server_peer_id: &str) {
        let Some(peer) = self.peers.get_mut(&conn) else {
            return;
        };
        let Some(message) = self.doc.sync().generate_sync_message(&mut peer.state) else {
            return;
        };
        let frame = WireMessage::sync(
            server_peer_id,
            &peer.peer_id,
            &self.document_id,
            message.encode(),
        )
        .encode();
        if peer.out.try_send(frame).is_err() {
            // A closed or hopelessly slow connection: forget it; it resyncs when it comes back.
            tracing::warn!(document = %self.document_id, conn, "dropping a peer that does not keep up");
            self.peers.remove(&conn);
        }
    }

    /// Tells every peer (but `except`) about new heads.
    pub fn fan_out(&mut self, except: Option<u64>, server_peer_id: &str) {
        let conns: Vec<u64> = self
            .peers
            .keys()
            .copied()
            .filter(|c| Some(*c) != except)
            .collect();
        for conn in conns {
            self.send_to(conn, server_peer_id);
        }
    }

    /// Merges chunks other replicas stored; returns whether the heads moved.
    pub async fn catch_up(&mut self, store: &Store) -> Result<bool, SyncError> {
        let before = self.doc.get_heads();
        for (seq, bytes) in store.doc_chunks(&self.document_id, self.last_seq).await? {
            self.doc.load_incremental(&bytes)?;
            self.last_seq = self.last_seq.max(seq);
        }
        Ok(self.doc.get_heads() != before)
    }

    /// Stores the changes made since `before` with their attribution, and re-projects every
    /// household they touched, in one transaction.
    pub async fn persist(
        &mut self,
        store: &Store,
        before: &[ChangeHash],
        uploader: Uploader<'_>,
    ) -> Result<(), SyncError> {
        let at = now();
        let changes: Vec<Change> = self.doc.get_changes(before);
        let mut w = store.begin_doc_write(&self.document_id).await?;
        for (seq, bytes) in w.chunks_after(self.last_seq).await? {
            self.doc.load_incremental(&bytes)?;
            self.last_seq = self.last_seq.max(seq);
        }
        let mut actors = BTreeSet::new();
        let mut records = Vec::with_capacity(changes.len());
        let mut bytes = Vec::new();
        for c in &changes {
            let actor = c.actor_id().to_hex_string();
            // Each actor is bound (and checked) once per batch, not once per change.
            if let (Some(user), Some(device), false) = (
                uploader.user_id,
                uploader.device_id,
                actors.contains(&actor),
            ) {
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
                user_id: uploader.user_id,
                device_id: uploader.device_id,
            });
            actors.insert(actor);
            bytes.extend_from_slice(c.raw_bytes());
        }
        w.record_changes(&records, at).await?;
        if !bytes.is_empty() {
            if let Some(seq) = w.append_changes(&bytes, &sha256_hex(&bytes), at).await? {
                self.stored_bytes += bytes.len() as u64;
                self.last_seq = self.last_seq.max(seq);
                self.chunks_since_snapshot += 1;
            }
        }
        let heads = self.doc.get_heads();
        let touched = touched_households(&self.doc.diff(before, &heads));
        match check_schema(&self.doc) {
            Err(reason) => w.record_projection_error("*", &reason, at).await?,
            Ok(()) => {
                let ids: Vec<String> = match &touched {
                    Touched::All => household_ids(&self.doc),
                    Touched::Some(map) => map.keys().cloned().collect(),
                };
                for id in &ids {
                    if let Some(rec) = read_household(&self.doc, id) {
                        w.project_household(&self.village_code, &rec, at).await?;
                    }
                }
                if !ids.is_empty() {
                    // The indicator counters move with the projection, in the same transaction.
                    let (day, year) = vietnam_date(at);
                    w.refresh_village_stats(&self.village_code, &day, i64::from(year) - 15, at)
                        .await?;
                }
            }
        }
        if let Touched::Some(map) = &touched {
            let actors = actors.into_iter().collect::<Vec<_>>().join(",");
            for (household, fields) in map {
                let fields = fields.iter().cloned().collect::<Vec<_>>().join(",");
                w.record_audit(
                    household,
                    uploader.user_id,
                    uploader.username,
                    uploader.device_id,
                    &actors,
                    &fields,
                    at,
                )
                .await?;
            }
        }
        w.set_heads(&heads_string(&heads), at).await?;
        w.commit().await?;
        if self.chunks_since_snapshot >= COMPACT_AFTER_CHUNKS {
            if let Err(e) = self.compact(store).await {
                tracing::warn!(document = %self.document_id, error = %e, "compaction failed; will retry later");
            }
        }
        Ok(())
    }

    /// Whether a snapshot would replace several stored chunks (checked when the document leaves
    /// memory; while it is in use, compaction waits for COMPACT_AFTER_CHUNKS).
    pub fn worth_compacting(&self) -> bool {
        self.chunks_since_snapshot >= COMPACT_ON_EVICTION
    }

    /// Replaces the stored chunks by one snapshot holding every change (none is lost: the
    /// snapshot is taken under the document lock after merging every stored chunk).
    pub async fn compact(&mut self, store: &Store) -> Result<(), SyncError> {
        let mut w = store.begin_doc_write(&self.document_id).await?;
        for (seq, bytes) in w.chunks_after(self.last_seq).await? {
            self.doc.load_incremental(&bytes)?;
            self.last_seq = self.last_seq.max(seq);
        }
        let snapshot = self.doc.save();
        if let Some(seq) = w
            .compact(&snapshot, &sha256_hex(&snapshot), self.last_seq, now())
            .await?
        {
            self.last_seq = seq;
        }
        w.commit().await?;
        self.chunks_since_snapshot = 0;
        self.stored_bytes = snapshot.len() as u64;
        Ok(())
    }
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
