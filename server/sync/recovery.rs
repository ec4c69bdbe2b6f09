//! Bringing a document whose in-memory copy holds changes that were never stored (a write that
//! failed or was interrupted) back to what the store holds, retrying while the database is out.

use std::time::Duration;

use tokio::sync::OwnedMutexGuard;

use crate::store::Store;
use crate::sync::village::LoadedDoc;
use crate::sync::wire::PeerId;

/// The lock on a document slot (see `hub`).
type Guard = OwnedMutexGuard<Option<LoadedDoc>>;

/// How long recovery keeps trying to reload a document the store could not give back.
const RECOVERY_DELAYS_SECS: [u64; 8] = [0, 1, 2, 4, 8, 15, 30, 60];

/// Reloads a dirty document from the store and resyncs its peers, retrying in the background
/// while the database is unreachable; gives up (dropping the copy, so the next message loads
/// it) when that does not work for a few minutes.
pub(super) async fn recover(store: Store, peer_id: PeerId, mut guard: Guard) {
    if let Some(doc) = guard.as_mut() {
        if doc.reload(&store).await.is_ok() {
            doc.fan_out(None, &peer_id, &store);
            return;
        }
    }
    // The lock is given back while waiting, so nothing else queues behind a database outage;
    // whoever takes the document meanwhile sees it dirty and reloads it first.
    let slot = OwnedMutexGuard::mutex(&guard).clone();
    drop(guard);
    tokio::spawn(async move {
        for delay in RECOVERY_DELAYS_SECS {
            tokio::time::sleep(Duration::from_secs(delay)).await;
            let mut guard = slot.lock().await;
            let Some(doc) = guard.as_mut() else { return };
            if !doc.dirty {
                return;
            }
            if doc.reload(&store).await.is_ok() {
                doc.fan_out(None, &peer_id, &store);
                return;
            }
        }
        let mut guard = slot.lock().await;
        if guard.as_ref().is_some_and(|d| d.dirty) {
            tracing::warn!("a document could not be reloaded from the store; its peers resync when they next send");
            *guard = None;
        }
    });
}
