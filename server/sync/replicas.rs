//! Several replicas on one PostgreSQL: a change stored by one is announced with NOTIFY, and
//! every other replica merges it into its loaded copy and forwards it to its phones. Access
//! changes travel the same way, so a phone connected to another replica loses access at once.

use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::PgListener;

use crate::store::{AccessChange, ACCESS_CHANNEL};
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
                    // Anything announced while we were away is merged (and re-checked) now.
                    hub.catch_up_all().await;
                    hub.store().relay_access_change(AccessChange::Everyone);
                }
            }
        }
    });
}

async fn listen(hub: &SyncHub, url: &str) -> Result<(), sqlx::Error> {
    let mut listener = PgListener::connect(url).await?;
    listener.listen_all([CHANNEL, ACCESS_CHANNEL]).await?;
    hub.catch_up_all().await;
    loop {
        tokio::select! {
            _ = hub.shutdown.cancelled() => return Ok(()),
            n = listener.recv() => {
                let n = n?;
                if n.channel() == ACCESS_CHANNEL {
                    hub.store().relay_access_change(AccessChange::decode(n.payload()));
                } else {
                    hub.on_remote_change(n.payload()).await;
                }
            }
        }
    }
}
