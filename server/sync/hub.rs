//! The registry of loaded village documents: loads on demand, evicts when idle (memory does not
//! grow with the number of documents stored), routes sync messages, and tracks connections so
//! shutdown can let in-flight syncs finish.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::store::{Store, VillageDocRow};
use crate::sync::access::Access;
use crate::sync::village::{ConnRef, LoadedDoc, Uploader};
use crate::sync::SyncError;

/// A document slot: `None` until loaded (or after eviction).
type Slot = Arc<tokio::sync::Mutex<Option<LoadedDoc>>>;

/// How long a document with no connected peer stays in memory.
const IDLE_EVICTION: Duration = Duration::from_secs(60);

/// A village of a thousand households with a year of edits stays far below this.
pub const DEFAULT_MAX_DOCUMENT_BYTES: u64 = 64 * 1024 * 1024;

pub struct SyncHub {
    store: Store,
    /// Our automerge-repo peer id and storage id (shared by every replica on one database).
    pub peer_id: String,
    pub storage_id: String,
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
        let hub = Arc::new(SyncHub {
            peer_id: format!("khaosat-{storage_id}"),
            storage_id,
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
        let mut guard = slot.lock().await;
        if guard.is_none() {
            *guard = Some(LoadedDoc::load(&self.store, row).await?);
        }
        let Some(doc) = guard.as_mut() else {
            return Ok(());
        };
        let result = doc
            .receive(
                &self.store,
                &conn,
                access,
                data,
                &self.peer_id,
                self.max_document_bytes.load(Ordering::Relaxed),
            )
            .await;
        if let Err(e) = &result {
            if !matches!(e, SyncError::BadMessage(_)) {
                // The in-memory copy may now hold changes that were not stored: drop it, the
                // store is the truth, and peers resync from it on their next message.
                tracing::warn!(document = %row.document_id, error = %e, "sync failed; reloading the document from the store");
                *guard = None;
            }
        }
        result
    }

    /// Forgets a closed connection in every document it synced.
    pub async fn disconnect(&self, conn: u64, documents: impl IntoIterator<Item = String>) {
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
        match doc.catch_up(&self.store).await {
            Ok(true) => doc.fan_out(None, &self.peer_id),
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
    /// when it has several chunks since its last snapshot: a village synced only a few times would
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
    /// it changed anything.
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
        let mut guard = slot.lock().await;
        if guard.is_none() {
            *guard = Some(LoadedDoc::load(&self.store, row).await?);
        }
        let Some(doc) = guard.as_mut() else {
            return Ok(false);
        };
        let before = doc.doc.get_heads();
        let result = match edit(&mut doc.doc) {
            Ok(false) => return Ok(false),
            Ok(true) => {
                doc.doc.commit();
                doc.persist(&self.store, &before, uploader).await
            }
            Err(e) => Err(SyncError::from(e)),
        };
        match result {
            Ok(()) => {
                doc.fan_out(None, &self.peer_id);
                Ok(true)
            }
            Err(e) => {
                *guard = None;
                Err(e)
            }
        }
    }
}
