//! One loaded village document: its Automerge state, the sync state of every connected peer,
//! and the store-then-acknowledge order (what a batch writes is `commit`'s business).

use std::collections::{BTreeSet, HashMap};
use std::time::Instant;

use automerge::sync::{self, SyncDoc};
use automerge::{AutoCommit, ChangeHash};
use tokio::sync::{mpsc, Semaphore};

use crate::clock::now;
use crate::clock::vietnam_date;
use crate::store::{Store, VillageDocRow};
use crate::survey::indicators::{self, IndicatorRule};
use crate::sync::access::Access;
use crate::sync::commit::{self, sha256_hex, Attribution, Uploader};
use crate::sync::restate;
use crate::sync::wire::{DocumentId, PeerId, WireMessage};
use crate::sync::SyncError;

/// Chunks stored since the last snapshot before the document is compacted.
const COMPACT_AFTER_CHUNKS: usize = 64;

/// Batches being read out of their documents or written, over all documents at once: enough to
/// keep the writer busy while the next ones are prepared, few enough that memory holds only these
/// (a burst of 200 phones otherwise holds 200 prepared batches while they wait for the writer).
static IN_FLIGHT: Semaphore = Semaphore::const_new(8);
/// Chunks since the last snapshot that make an idle document worth compacting when it is evicted:
/// any, so a village at rest is stored as one snapshot (a day's chunk of raw changes is many
/// times the compacted document).
const COMPACT_ON_EVICTION: usize = 1;

/// A connection's side of one document.
pub struct Peer {
    pub peer_id: PeerId,
    /// The user behind the connection (for the access epoch), absent for none.
    pub user_id: Option<i64>,
    /// The access epoch at which the connection last decided its access: while the user's
    /// epoch is newer, nothing is pushed to this peer (see `Store::access_epoch`).
    pub epoch: u64,
    /// What the connection may do with this document (decides the sync state's mode).
    pub access: Access,
    pub state: sync::State,
    pub out: mpsc::Sender<Vec<u8>>,
}

/// A connection as a document sees it.
pub struct ConnRef<'a> {
    pub id: u64,
    /// The access epoch at which the connection decided its access to this document.
    pub epoch: u64,
    /// The user's access version read when the connection decided it (see `Attribution`).
    pub access_version: i64,
    pub peer_id: &'a PeerId,
    pub out: &'a mpsc::Sender<Vec<u8>>,
    pub uploader: Uploader<'a>,
}

pub struct LoadedDoc {
    pub document_id: DocumentId,
    pub village_code: String,
    pub doc: AutoCommit,
    /// Highest chunk sequence number merged into `doc`.
    last_seq: i64,
    /// Every stored chunk merged into `doc`: the only chunks compaction may delete. A sequence
    /// number is added only once the transaction that wrote it has committed.
    merged_seqs: BTreeSet<i64>,
    /// `doc` holds changes that are not (yet) stored: set before a change is applied in memory,
    /// cleared when it is committed. Whoever finds a dirty document reloads it from the store
    /// (after a failed or interrupted write the in-memory copy must not answer a peer).
    pub dirty: bool,
    chunks_since_snapshot: usize,
    /// Bytes of the stored chunks (what the size limit counts).
    stored_bytes: u64,
    /// The counts of the indicators defined by rule, kept per household.
    tally: commit::Tally,
    pub peers: HashMap<u64, Peer>,
    pub last_used: Instant,
}

impl LoadedDoc {
    /// Loads a document from its stored chunks.
    pub async fn load(store: &Store, row: &VillageDocRow) -> Result<Self, SyncError> {
        // Rows are made with valid ids; one that is not could never be named to a client.
        let document_id = DocumentId::try_from(row.document_id.clone())
            .map_err(|e| SyncError::Invalid(format!("stored document {}: {e}", row.document_id)))?;
        Self::load_parts(store, &document_id, &row.unit_code).await
    }

    async fn load_parts(
        store: &Store,
        document_id: &DocumentId,
        village_code: &str,
    ) -> Result<Self, SyncError> {
        let chunks = store.doc_chunks(document_id, 0).await?;
        let mut doc = AutoCommit::new();
        let mut last_seq = 0;
        for (seq, bytes) in &chunks {
            doc.load_incremental(bytes)?;
            last_seq = *seq;
        }
        Ok(LoadedDoc {
            document_id: document_id.clone(),
            village_code: village_code.to_string(),
            doc,
            last_seq,
            merged_seqs: chunks.iter().map(|(seq, _)| *seq).collect(),
            dirty: false,
            chunks_since_snapshot: chunks.len().saturating_sub(1),
            stored_bytes: chunks.iter().map(|(_, b)| b.len() as u64).sum(),
            tally: commit::Tally::default(),
            peers: HashMap::new(),
            last_used: Instant::now(),
        })
    }

    /// Replaces the in-memory copy by the stored one, keeping the connected peers. Each peer's
    /// sync state starts again with a reset, so a stock client resends whatever the server did
    /// not store instead of waiting for an answer that never comes.
    pub async fn reload(&mut self, store: &Store) -> Result<(), SyncError> {
        let mut fresh = Self::load_parts(store, &self.document_id, &self.village_code).await?;
        for (id, mut peer) in self.peers.drain() {
            peer.state = fresh_state(peer.access, true);
            fresh.peers.insert(id, peer);
        }
        *self = fresh;
        Ok(())
    }

    /// Bytes of the whole document (for the initial snapshot and for tests).
    pub fn save(&mut self) -> Vec<u8> {
        self.doc.save()
    }

    /// A stored chunk is now part of `doc`.
    fn note_merged(&mut self, seq: i64, len: u64) {
        if self.merged_seqs.insert(seq) {
            self.stored_bytes += len;
            self.chunks_since_snapshot += 1;
        }
        self.last_seq = self.last_seq.max(seq);
    }

    /// Applies a sync message from a peer in memory only (no I/O, so nothing can interrupt it
    /// half-way). Returns the heads before it when it brought changes: those must be stored with
    /// `persist` before anything is sent to anyone. Without changes the answer is queued here.
    pub fn apply(
        &mut self,
        conn: &ConnRef<'_>,
        access: Access,
        data: &[u8],
        server_peer_id: &PeerId,
        max_bytes: u64,
        store: &Store,
    ) -> Result<Option<Vec<ChangeHash>>, SyncError> {
        self.last_used = Instant::now();
        if let Some(user) = conn.uploader.user_id {
            if store.access_epoch(user) > conn.epoch {
                // The connection re-checks at once and asks for the changes again if allowed.
                return Err(SyncError::Refused(
                    "your access is being checked again: nothing was stored this time".into(),
                ));
            }
        }
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
            peer_id: conn.peer_id.clone(),
            user_id: conn.uploader.user_id,
            epoch: conn.epoch,
            access,
            state: fresh_state(access, false),
            out: conn.out.clone(),
        });
        entry.epoch = entry.epoch.max(conn.epoch);
        let before = self.doc.get_heads();
        self.dirty = true;
        let applied = self
            .doc
            .sync()
            .receive_sync_message(&mut entry.state, message);
        let changed = self.doc.get_heads() != before;
        self.dirty = changed;
        applied?;
        if changed {
            return Ok(Some(before));
        }
        if !brings_changes && already_in_step(&entry.state, &before) {
            // The peer's saved state says it synced at our heads, and those are still its
            // heads: an answer would tell it nothing (the protocol lets a peer stay silent), so
            // none is sent. Marked as answered so later changes still reach it.
            entry.state.have_responded = true;
            entry.state.last_sent_heads = before;
        }
        self.send_to(conn.id, server_peer_id, store);
        Ok(None)
    }

    /// Generates and queues the next sync message for one peer, if there is one. A peer whose
    /// user's access changed since the connection last decided gets nothing until it decides
    /// again (its sync state does not move, so nothing is skipped for good).
    pub fn send_to(&mut self, conn: u64, server_peer_id: &PeerId, store: &Store) {
        let Some(peer) = self.peers.get_mut(&conn) else {
            return;
        };
        if peer
            .user_id
            .is_some_and(|user| store.access_epoch(user) > peer.epoch)
        {
            return;
        }
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
    pub fn fan_out(&mut self, except: Option<u64>, server_peer_id: &PeerId, store: &Store) {
        let conns: Vec<u64> = self
            .peers
            .keys()
            .copied()
            .filter(|c| Some(*c) != except)
            .collect();
        for conn in conns {
            self.send_to(conn, server_peer_id, store);
        }
    }

    /// Merges chunks other replicas stored; returns whether the heads moved.
    pub async fn catch_up(&mut self, store: &Store) -> Result<bool, SyncError> {
        let before = self.doc.get_heads();
        for (seq, bytes) in store.doc_chunks(&self.document_id, self.last_seq).await? {
            self.doc.load_incremental(&bytes)?;
            self.note_merged(seq, bytes.len() as u64);
        }
        Ok(self.doc.get_heads() != before)
    }

    /// Stores the changes made since `before` with their attribution, and re-projects every
    /// household they touched, in one transaction. The in-memory bookkeeping moves only once
    /// that transaction has committed: an interrupted or failed write leaves it as it was
    /// (and the document `dirty`, so it is reloaded before anyone reads it again).
    pub async fn persist(
        &mut self,
        store: &Store,
        before: &[ChangeHash],
        by: &Attribution,
    ) -> Result<(), SyncError> {
        // Never closed, so a permit always comes; without one the batch would still be correct.
        let permit = IN_FLIGHT.acquire().await.ok();
        let at = now();
        // Taken before other replicas' chunks are merged below: only these are the uploader's.
        let changes = self.doc.get_changes(before);
        let village = self.village_code.clone();
        let id = self.document_id.to_string();
        // Read for each batch: an indicator a province adds is counted from the next one on.
        let rules = indicators::rules(store).await?;
        let mut days =
            restate::plan(store, &id, &village, &mut self.doc, &changes, &rules, at).await?;
        // What the batch writes is read from the document before the write transaction opens:
        // the writer is held for the statements only.
        let prepare = |doc: &mut LoadedDoc, days: &restate::DayPlan| {
            commit::prepare(&mut doc.doc, &changes, before, days, &rules, &doc.tally, at)
        };
        let mut prepared = prepare(self, &days);
        let mut w = store.begin_doc_write(&self.document_id).await?;
        // Chunks other replicas committed are durable whatever happens to this transaction.
        let mut merged = false;
        for (seq, bytes) in w.chunks_after(self.last_seq).await? {
            self.doc.load_incremental(&bytes)?;
            self.note_merged(seq, bytes.len() as u64);
            merged = true;
        }
        if merged {
            // Another replica wrote meanwhile (PostgreSQL only): its changes are projected with
            // ours and the past days recounted with them, so this batch is read again.
            if !days.restated.is_empty() {
                days = restate::plan(store, &id, &village, &mut self.doc, &changes, &rules, at)
                    .await?;
            }
            prepared = prepare(self, &days);
        }
        let appended =
            commit::write_prepared(&mut w, &prepared, &self.village_code, by, &days, at).await?;
        w.commit().await?;
        drop(permit);
        self.tally.committed(&mut prepared);
        if let Some(chunk) = appended {
            self.note_merged(chunk.seq, chunk.bytes);
        }
        self.dirty = false;
        if self.chunks_since_snapshot >= COMPACT_AFTER_CHUNKS {
            if let Err(e) = self.compact(store).await {
                tracing::warn!(document = %self.document_id, error = %e, "compaction failed; will retry later");
            }
        }
        Ok(())
    }

    /// Counts the indicators defined by `rules` over the whole document and records them for
    /// today (an indicator just added; later batches keep it up to date). Counted before the
    /// write transaction opens, and again only if another replica stored chunks meanwhile.
    pub async fn recount_rules(
        &mut self,
        store: &Store,
        rules: &[(i64, IndicatorRule)],
    ) -> Result<(), SyncError> {
        if self.dirty || rules.is_empty() {
            // A dirty copy is reloaded (and so counted) by its next batch.
            return Ok(());
        }
        let (day, year) = vietnam_date(now());
        let year = i64::from(year);
        // Kept only once committed: until then the next batch counts the whole village.
        let mut tally = commit::Tally::default();
        let mut counts = tally.set_whole(&mut self.doc, rules, year);
        let mut w = store.begin_doc_write(&self.document_id).await?;
        let newer = w.chunks_after(self.last_seq).await?;
        if !newer.is_empty() {
            for (seq, bytes) in newer {
                self.doc.load_incremental(&bytes)?;
                self.note_merged(seq, bytes.len() as u64);
            }
            counts = tally.set_whole(&mut self.doc, rules, year);
        }
        w.record_rule_counts(&self.village_code, &day, &counts)
            .await?;
        w.commit().await?;
        self.tally = tally;
        Ok(())
    }

    /// Whether a snapshot would replace several stored chunks (checked when the document leaves
    /// memory; while it is in use, compaction waits for COMPACT_AFTER_CHUNKS).
    pub fn worth_compacting(&self) -> bool {
        !self.dirty && self.chunks_since_snapshot >= COMPACT_ON_EVICTION
    }

    /// Replaces the stored chunks by one snapshot holding every change. It deletes only chunks
    /// it merged itself, and only after checking that the snapshot holds the heads the store
    /// recorded at its last commit: a chunk it has not seen, or a snapshot missing something
    /// stored, leaves every chunk in place.
    pub async fn compact(&mut self, store: &Store) -> Result<(), SyncError> {
        if self.dirty {
            // Never snapshot changes that were not stored and projected the normal way.
            return Ok(());
        }
        let mut w = store.begin_doc_write(&self.document_id).await?;
        for (seq, bytes) in w.chunks_after(self.last_seq).await? {
            self.doc.load_incremental(&bytes)?;
            self.note_merged(seq, bytes.len() as u64);
        }
        for head in w.stored_heads().await?.split(',').filter(|h| !h.is_empty()) {
            let known = head
                .parse::<ChangeHash>()
                .ok()
                .and_then(|h| self.doc.get_change_by_hash(&h));
            if known.is_none() {
                return Err(SyncError::Refused(format!(
                    "compaction of {} stopped: the stored head {head} is not in the loaded \
                     document; every chunk was kept",
                    self.document_id
                )));
            }
        }
        let snapshot = self.doc.save();
        let covered: Vec<i64> = self.merged_seqs.iter().copied().collect();
        let seq = w
            .compact(&snapshot, &sha256_hex(&snapshot), &covered, now())
            .await?;
        w.commit().await?;
        if let Some(seq) = seq {
            self.merged_seqs = BTreeSet::from([seq]);
            self.last_seq = self.last_seq.max(seq);
            self.chunks_since_snapshot = 0;
            self.stored_bytes = snapshot.len() as u64;
        }
        Ok(())
    }
}

/// A peer's sync state for the access it has; `reset` asks the peer to forget what it believes
/// it already sent (automerge's sync reset), so it sends it again.
fn fresh_state(access: Access, reset: bool) -> sync::State {
    let mut state = match access {
        // A read-only state never applies the peer's changes: they are refused, never stored.
        Access::ReadOnly => sync::State::new_read_only(),
        Access::ReadWrite => sync::State::new(),
    };
    state.needs_reset = reset;
    state
}

/// Whether a peer's last message showed it holds exactly `heads`, needs nothing, and last
/// synced at those very heads (a saved sync state): then it and the server are in step.
fn already_in_step(state: &sync::State, heads: &[ChangeHash]) -> bool {
    let sorted = |h: &[ChangeHash]| {
        let mut h = h.to_vec();
        h.sort();
        h
    };
    let ours = sorted(heads);
    let theirs_match = state
        .their_heads
        .as_deref()
        .is_some_and(|h| sorted(h) == ours);
    let needs_nothing = state.their_need.as_ref().is_none_or(Vec::is_empty);
    let synced_here = state
        .their_have
        .as_ref()
        .and_then(|h| h.first())
        .is_some_and(|h| sorted(&h.last_sync) == ours);
    theirs_match && needs_nothing && synced_here && !ours.is_empty()
}
