//! The registry of loaded village documents: loads on demand, evicts when idle (memory does not
//! grow with the number of documents stored), routes sync messages, and tracks connections so
//! shutdown can let in-flight syncs finish.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::OwnedMutexGuard;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::clock::now;
use crate::config::DEFAULT_MAX_DOCUMENT_BYTES;
use crate::store::{Store, VillageDocRow};
use crate::survey::indicators::IndicatorRule;
use crate::sync::access::Access;
use crate::sync::commit::{Attribution, Uploader};
use crate::sync::recovery::recover;
use crate::sync::village::{ConnRef, LoadedDoc};
use crate::sync::wire::{DocumentId, PeerId, StorageId};
use crate::sync::SyncError;

/// A document slot: `None` until loaded (or after eviction).
type Slot = Arc<tokio::sync::Mutex<Option<LoadedDoc>>>;
/// The lock on a slot, owned so it can move into the task that stores a write.
type Guard = OwnedMutexGuard<Option<LoadedDoc>>;

/// How long a document with no connected peer stays in memory.
const IDLE_EVICTION: Duration = Duration::from_secs(60);

pub struct SyncHub {
    store: Store,
    /// Our automerge-repo peer id and storage id (shared by every replica on one database).
    pub peer_id: PeerId,
    pub storage_id: StorageId,
    docs: Mutex<HashMap<String, Slot>>,
    next_conn: AtomicU64,
    /// Stored size past which a village document takes no more changes.
    max_document_bytes: AtomicU64,
    pub(crate) shutdown: CancellationToken,
    pub(crate) tracker: TaskTracker,
}

impl std::fmt::Debug for SyncHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncHub")
            .field("peer_id", &self.peer_id)
            .finish_non_exhaustive()
    }
}

impl SyncHub {
    pub async fn new(store: Store) -> Result<Arc<Self>, SyncError> {
        let storage_id = store
            .setting_or_insert("sync_storage_id", &uuid::Uuid::new_v4().to_string())
            .await?;
        // Every sync message carries the server's peer id (and the phone's names it back), so it
        // is short: the storage id's first eight characters say which server this is.
        let short: String = storage_id.chars().take(8).collect();
        let peer_id = PeerId::try_from(format!("khaosat-{short}")).map_err(|e| {
            SyncError::Invalid(format!("the stored sync_storage_id makes no peer id: {e}"))
        })?;
        let hub = Arc::new(SyncHub {
            peer_id,
            storage_id: StorageId::from(storage_id),
            store,
            docs: Mutex::new(HashMap::new()),
            next_conn: AtomicU64::new(1),
            max_document_bytes: AtomicU64::new(DEFAULT_MAX_DOCUMENT_BYTES),
            shutdown: CancellationToken::new(),
            tracker: TaskTracker::new(),
        });
        let weak = Arc::downgrade(&hub);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(15));
            loop {
                tick.tick().await;
                let Some(hub) = weak.upgrade() else { break };
                hub.evict_idle(IDLE_EVICTION).await;
            }
        });
        Ok(hub)
    }

    /// The store the hub writes to.
    pub(crate) fn store(&self) -> &Store {
        &self.store
    }

    pub fn next_conn_id(&self) -> u64 {
        self.next_conn.fetch_add(1, Ordering::Relaxed)
    }

    fn slot(&self, document_id: &str) -> Slot {
        let mut docs = self.docs.lock().unwrap_or_else(|p| p.into_inner());
        docs.entry(document_id.to_string()).or_default().clone()
    }

    /// Number of documents held in memory.
    pub fn loaded_documents(&self) -> usize {
        let docs = self.docs.lock().unwrap_or_else(|p| p.into_inner());
        docs.values()
            .filter(|s| s.try_lock().map(|d| d.is_some()).unwrap_or(true))
            .count()
    }

    /// Sets the size limit of one village document (stored bytes).
    pub fn set_max_document_bytes(&self, bytes: u64) {
        self.max_document_bytes.store(bytes, Ordering::Relaxed);
    }

    /// Handles a `request`/`sync` for a document the connection may access.
    pub async fn receive(
        &self,
        conn: ConnRef<'_>,
        row: &VillageDocRow,
        access: Access,
        data: &[u8],
    ) -> Result<(), SyncError> {
        let slot = self.slot(&row.document_id);
        let mut guard = slot.lock_owned().await;
        self.ensure_loaded(&mut guard, row).await?;
        let Some(doc) = guard.as_mut() else {
            return Ok(());
        };
        let max = self.max_document_bytes.load(Ordering::Relaxed);
        let before = match doc.apply(&conn, access, data, &self.peer_id, max, &self.store) {
            Ok(Some(before)) => before,
            Ok(None) => return Ok(()),
            Err(e) => {
                if doc.dirty {
                    // The message was applied in part: the store is the truth.
                    self.recover(guard).await;
                }
                return Err(e);
            }
        };
        let by = Attribution {
            access_version: Some(conn.access_version),
            ..conn.uploader.into()
        };
        self.store_detached(guard, before, by, Some(conn.id)).await
    }

    /// Loads the document into its slot, or reloads it when it holds changes that were never
    /// stored (a write that failed or was interrupted); peers kept across a reload resync.
    async fn ensure_loaded(&self, guard: &mut Guard, row: &VillageDocRow) -> Result<(), SyncError> {
        match guard.as_mut() {
            None => **guard = Some(LoadedDoc::load(&self.store, row).await?),
            Some(doc) if doc.dirty => {
                doc.reload(&self.store).await?;
                doc.fan_out(None, &self.peer_id, &self.store);
            }
            Some(_) => {}
        }
        Ok(())
    }

    /// Stores and projects the changes made since `before`, then answers `answer` and tells the
    /// other peers. The work runs as its own task holding the document: the request or
    /// connection that started it may be dropped at any point without stopping a write half-way,
    /// and shutdown waits for it.
    async fn store_detached(
        &self,
        mut guard: Guard,
        before: Vec<automerge::ChangeHash>,
        by: Attribution,
        answer: Option<u64>,
    ) -> Result<(), SyncError> {
        let store = self.store.clone();
        let peer_id = self.peer_id.clone();
        let task = self.tracker.spawn(async move {
            let Some(doc) = guard.as_mut() else {
                return Ok(());
            };
            match doc.persist(&store, &before, &by).await {
                Ok(()) => {
                    if let Some(conn) = answer {
                        doc.send_to(conn, &peer_id, &store);
                    }
                    doc.fan_out(answer, &peer_id, &store);
                    Ok(())
                }
                Err(e) => {
                    tracing::warn!(document = %doc.document_id, error = %e, "storing changes failed; reloading the document from the store");
                    recover(store, peer_id, guard).await;
                    Err(e)
                }
            }
        });
        match task.await {
            Ok(result) => result,
            Err(e) => Err(SyncError::Interrupted(format!(
                "storing the changes stopped unexpectedly ({e}); nothing unconfirmed was kept: send them again"
            ))),
        }
    }

    /// Brings a dirty document back to what the store holds, now or in the background.
    async fn recover(&self, guard: Guard) {
        recover(self.store.clone(), self.peer_id.clone(), guard).await;
    }

    /// Stops syncing one document with a connection (its access was taken away).
    pub async fn leave(&self, conn: u64, document_id: &DocumentId) {
        self.disconnect(conn, [document_id.clone()]).await;
    }

    /// Applies a connection's re-decided access (at `epoch`) to a document it syncs, and sends
    /// what was held back while the decision was pending.
    pub async fn set_access(
        &self,
        conn: u64,
        document_id: &DocumentId,
        access: Access,
        epoch: u64,
    ) {
        let slot = self.slot(document_id);
        let mut guard = slot.lock().await;
        let Some(doc) = guard.as_mut() else { return };
        if let Some(peer) = doc.peers.get_mut(&conn) {
            peer.epoch = epoch;
            if peer.access != access {
                peer.access = access;
                peer.state.set_read_only(access == Access::ReadOnly);
            }
            doc.send_to(conn, &self.peer_id, &self.store);
        }
    }

    /// Forgets a closed connection in every document it synced.
    pub async fn disconnect(&self, conn: u64, documents: impl IntoIterator<Item = DocumentId>) {
        for id in documents {
            let slot = self.slot(&id);
            let mut guard = slot.lock().await;
            if let Some(doc) = guard.as_mut() {
                doc.peers.remove(&conn);
            }
        }
    }

    /// Another replica stored changes to `document_id`: merge them and tell our peers.
    pub async fn on_remote_change(&self, document_id: &str) {
        let slot = {
            let docs = self.docs.lock().unwrap_or_else(|p| p.into_inner());
            docs.get(document_id).cloned()
        };
        let Some(slot) = slot else { return };
        let mut guard = slot.lock().await;
        let Some(doc) = guard.as_mut() else { return };
        if doc.dirty {
            // Reloaded (with every stored chunk) by whoever uses it next.
            return;
        }
        match doc.catch_up(&self.store).await {
            Ok(true) => doc.fan_out(None, &self.peer_id, &self.store),
            Ok(false) => {}
            Err(e) => {
                tracing::warn!(document = document_id, error = %e, "catching up failed; reloading later");
                *guard = None;
            }
        }
    }

    /// Catches up every loaded document (after a lost notification connection).
    pub async fn catch_up_all(&self) {
        let ids: Vec<String> = {
            let docs = self.docs.lock().unwrap_or_else(|p| p.into_inner());
            docs.keys().cloned().collect()
        };
        for id in ids {
            self.on_remote_change(&id).await;
        }
    }

    /// Drops documents nobody is syncing that have been idle for `idle`, compacting each first
    /// when it has chunks since its last snapshot: a village synced only a few times would
    /// otherwise keep its raw chunks (and their overhead) for ever.
    pub async fn evict_idle(&self, idle: Duration) {
        let slots: Vec<Slot> = {
            let docs = self.docs.lock().unwrap_or_else(|p| p.into_inner());
            docs.values().cloned().collect()
        };
        for slot in slots {
            // A slot in use is not idle; it is looked at again on the next round.
            let Ok(mut guard) = slot.try_lock() else {
                continue;
            };
            let Some(doc) = guard.as_mut() else {
                continue;
            };
            if !doc.peers.is_empty() || doc.last_used.elapsed() < idle {
                continue;
            }
            // A dirty copy holds changes the store never confirmed: dropped, never compacted.
            if doc.worth_compacting() {
                if let Err(e) = doc.compact(&self.store).await {
                    tracing::warn!(document = %doc.document_id, error = %e, "compaction before eviction failed; the chunks stay as they are");
                }
            }
            *guard = None;
        }
        let mut docs = self.docs.lock().unwrap_or_else(|p| p.into_inner());
        docs.retain(|_, slot| slot.try_lock().map_or(true, |g| g.is_some()));
    }

    /// Counts an indicator just defined (`rules`) in one village document. A document loaded
    /// only for this leaves memory again, so counting every village of a province holds one at
    /// a time; the slot stays locked meanwhile, so no batch of this replica writes in between.
    pub async fn recount_rules(
        &self,
        row: &VillageDocRow,
        rules: &[(i64, IndicatorRule)],
    ) -> Result<(), SyncError> {
        let slot = self.slot(&row.document_id);
        let mut guard = slot.lock_owned().await;
        let was_loaded = guard.is_some();
        self.ensure_loaded(&mut guard, row).await?;
        let Some(doc) = guard.as_mut() else {
            return Ok(());
        };
        let counted = doc.recount_rules(&self.store, rules).await;
        if !was_loaded && doc.peers.is_empty() {
            *guard = None;
        }
        counted
    }

    /// A copy of a village document as it stands, to read its history without holding it (a
    /// document loaded only for this leaves memory again).
    pub async fn copy_of(&self, row: &VillageDocRow) -> Result<automerge::AutoCommit, SyncError> {
        let slot = self.slot(&row.document_id);
        let mut guard = slot.lock_owned().await;
        let was_loaded = guard.is_some();
        self.ensure_loaded(&mut guard, row).await?;
        let Some(doc) = guard.as_mut() else {
            return Err(SyncError::Interrupted(format!(
                "document {} could not be loaded; try again",
                row.document_id
            )));
        };
        let copy = doc.doc.clone();
        if !was_loaded && doc.peers.is_empty() {
            *guard = None;
        }
        Ok(copy)
    }

    /// Stops accepting sync traffic: connections finish the message in hand and close.
    pub fn begin_shutdown(&self) {
        self.shutdown.cancel();
        self.tracker.close();
    }

    /// Waits (up to `limit`) for every connection to finish.
    pub async fn finish(&self, limit: Duration) {
        let started = Instant::now();
        if tokio::time::timeout(limit, self.tracker.wait())
            .await
            .is_err()
        {
            tracing::warn!(waited = ?started.elapsed(), "sync connections still open at shutdown");
        }
    }
}

impl SyncHub {
    /// Applies a server-side edit to a village document (e.g. an imported register): stored and
    /// projected like a phone's change, then pushed to connected phones. `edit` returns whether
    /// it changed anything. Dropping the returned future never leaves half a write: once the
    /// edit is applied, storing it runs to the end on its own.
    pub async fn edit<F>(
        &self,
        row: &VillageDocRow,
        uploader: Uploader<'_>,
        edit: F,
    ) -> Result<bool, SyncError>
    where
        F: FnOnce(&mut automerge::AutoCommit) -> Result<bool, automerge::AutomergeError>,
    {
        let slot = self.slot(&row.document_id);
        let mut guard = slot.lock_owned().await;
        self.ensure_loaded(&mut guard, row).await?;
        let Some(doc) = guard.as_mut() else {
            return Ok(false);
        };
        let before = doc.doc.get_heads();
        doc.dirty = true;
        let edited = edit(&mut doc.doc);
        // An edit that did not commit its own changes is observed now (see `observed`).
        doc.doc
            .commit_with(automerge::transaction::CommitOptions::default().with_time(now()));
        doc.dirty = doc.doc.get_heads() != before;
        match edited {
            Ok(true) if doc.dirty => {}
            Ok(_) => return Ok(false),
            Err(e) => {
                if doc.dirty {
                    self.recover(guard).await;
                }
                return Err(SyncError::from(e));
            }
        }
        self.store_detached(guard, before, uploader.into(), None)
            .await
            .map(|()| true)
    }
}
