//! Announcements that someone's access changed (role, scope, assignment, disabled account,
//! revoked session, a unit moved in the tree), so open sync connections re-check at once instead
//! of keeping what they were allowed when they opened. In-process by a broadcast channel; across
//! replicas on PostgreSQL by NOTIFY on `ACCESS_CHANNEL`, relayed into the same channel.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::broadcast;

use super::{Backend, DocWrite, Store, StoreError};

/// PostgreSQL channel on which replicas announce access changes to each other.
pub const ACCESS_CHANNEL: &str = "khaosat_access";

/// Whose access changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccessChange {
    User(i64),
    /// The unit tree changed: anyone's area may have moved.
    Everyone,
}

impl AccessChange {
    /// The NOTIFY payload: a user id, or `*`.
    pub fn encode(self) -> String {
        match self {
            AccessChange::User(id) => id.to_string(),
            AccessChange::Everyone => "*".to_string(),
        }
    }

    /// Reads a NOTIFY payload; anything unreadable is taken as a change for everyone (a
    /// needless re-check costs little, a missed one keeps access that was taken away).
    pub fn decode(payload: &str) -> Self {
        payload
            .parse()
            .map(AccessChange::User)
            .unwrap_or(AccessChange::Everyone)
    }

    /// Whether a connection of `user_id` must re-check.
    pub fn concerns(self, user_id: i64) -> bool {
        match self {
            AccessChange::User(id) => id == user_id,
            AccessChange::Everyone => true,
        }
    }
}

/// Capacity of the in-process channel; a receiver that falls behind re-checks everything.
const CHANNEL_CAPACITY: usize = 1024;

/// The announcements, and an epoch per user that moves synchronously with each one: anything
/// decided at an older epoch is stale from the moment the change is announced, before any
/// connection has had time to re-check (so no push or write slips through in between).
#[derive(Debug)]
pub(super) struct AccessBus {
    sender: broadcast::Sender<AccessChange>,
    epochs: Mutex<Epochs>,
}

#[derive(Debug, Default)]
struct Epochs {
    counter: u64,
    everyone: u64,
    users: HashMap<i64, u64>,
}

impl AccessBus {
    pub(super) fn new() -> Arc<Self> {
        Arc::new(AccessBus {
            sender: broadcast::channel(CHANNEL_CAPACITY).0,
            epochs: Mutex::new(Epochs::default()),
        })
    }
}

impl Store {
    /// Subscribes to access changes (each open sync connection holds one).
    pub fn access_changes(&self) -> broadcast::Receiver<AccessChange> {
        self.access.sender.subscribe()
    }

    /// The epoch of a user's access: it moves whenever their access (or everyone's) changes.
    /// Access decided at an older epoch must be decided again before it is used.
    pub fn access_epoch(&self, user_id: i64) -> u64 {
        let epochs = self.access.epochs.lock().unwrap_or_else(|p| p.into_inner());
        epochs
            .users
            .get(&user_id)
            .copied()
            .unwrap_or(0)
            .max(epochs.everyone)
    }

    /// Tells this process's connections, then the other replicas, that access changed. Called
    /// after the change has committed.
    pub async fn announce_access_change(&self, change: AccessChange) {
        let bumped = match change {
            AccessChange::User(id) => {
                sqlx::query("UPDATE users SET access_version = access_version + 1 WHERE id = $1")
                    .bind(id)
                    .execute(&self.writer)
                    .await
            }
            AccessChange::Everyone => {
                sqlx::query("UPDATE users SET access_version = access_version + 1")
                    .execute(&self.writer)
                    .await
            }
        };
        if let Err(e) = bumped {
            // Connections here still re-check (below); other replicas when the notice arrives.
            tracing::warn!(error = %e, "could not record an access change");
        }
        self.relay_access_change(change);
        if self.backend == Backend::Postgres {
            let sent = sqlx::query("SELECT pg_notify($1, $2)")
                .bind(ACCESS_CHANNEL)
                .bind(change.encode())
                .execute(&self.pool)
                .await;
            if let Err(e) = sent {
                // Other replicas still re-check within their periodic interval.
                tracing::warn!(error = %e, "could not announce an access change to other replicas");
            }
        }
    }

    /// Passes a change (from this process or announced by another replica) to this process's
    /// connections.
    pub fn relay_access_change(&self, change: AccessChange) {
        {
            let mut epochs = self.access.epochs.lock().unwrap_or_else(|p| p.into_inner());
            epochs.counter += 1;
            let now = epochs.counter;
            match change {
                AccessChange::User(id) => {
                    epochs.users.insert(id, now);
                }
                AccessChange::Everyone => epochs.everyone = now,
            }
        }
        // No receiver (no open connection) is not an error.
        let _ = self.access.sender.send(change);
    }
}

impl Store {
    /// The user's access version (see the `access_version` column): read when a connection
    /// decides its access, compared again inside the transaction that stores its changes.
    pub async fn access_version(&self, user_id: i64) -> Result<i64, StoreError> {
        let v: Option<i64> = sqlx::query_scalar("SELECT access_version FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(v.unwrap_or(-1))
    }
}

impl DocWrite {
    /// The user's access version as this write transaction sees it.
    pub async fn access_version(&mut self, user_id: i64) -> Result<i64, StoreError> {
        let v: Option<i64> = sqlx::query_scalar("SELECT access_version FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&mut *self.tx)
            .await?;
        Ok(v.unwrap_or(-1))
    }
}
