//! Several replicas on one PostgreSQL: a change stored by one is announced with NOTIFY, and
//! every other replica merges it into its loaded copy and forwards it to its phones.

use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::PgListener;

use crate::sync::SyncHub;

pub const CHANNEL: &str = "khaosat_documents";

/// Listens for other replicas' changes until the hub shuts down.
pub fn spawn_listener(hub: Arc<SyncHub>, database_url: String) {
    tokio::spawn(async move {
        loop {
            if hub.shutdown.is_cancelled() {
                break;
            }
            match listen(&hub, &database_url).await {
                Ok(()) => break,
                Err(e) => {
                    tracing::warn!(error = %e, "replica notifications lost; reconnecting");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    // Anything announced while we were away is merged now.
                    hub.catch_up_all().await;
                }
            }
        }
    });
}

async fn listen(hub: &SyncHub, url: &str) -> Result<(), sqlx::Error> {
    let mut listener = PgListener::connect(url).await?;
    listener.listen(CHANNEL).await?;
    hub.catch_up_all().await;
    loop {
        tokio::select! {
            _ = hub.shutdown.cancelled() => return Ok(()),
            n = listener.recv() => {
                let n = n?;
                hub.on_remote_change(n.payload()).await;
            }
        }
    }
}
