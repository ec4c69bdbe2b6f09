//! Sync of village documents over automerge-repo's WebSocket protocol: the wire format, who may
//! sync what, loaded documents with their peers, durable storage before acknowledgement, and
//! the fan-out of changes between connections and server replicas.

pub mod access;
pub mod commit;
pub mod conflicts;
mod connection;
pub mod documents;
mod hub;
pub mod observed;
mod recovery;
pub mod replicas;
pub mod restate;
pub mod values;
pub mod village;
pub mod wire;

pub use access::Access;
pub use commit::{Attribution, Uploader};
pub use connection::serve_connection;
pub use hub::SyncHub;
pub use village::ConnRef;

use crate::error::Error;
use crate::store::StoreError;

/// Errors of the sync layer.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// A message that could not be read; nothing was changed.
    #[error("{0}")]
    BadMessage(String),
    /// Changes that were refused and not stored.
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("document error: {0}")]
    Automerge(#[from] automerge::AutomergeError),
    /// The uploader's access changed after the connection decided it; nothing was stored.
    #[error("your access changed: nothing was stored; it is being checked again")]
    AccessChanged,
    /// The task storing a write ended without an answer (it panicked); nothing was confirmed.
    #[error("{0}")]
    Interrupted(String),
    /// An id the server holds (a setting, a stored document row) that the protocol cannot carry.
    #[error("{0}")]
    Invalid(String),
}

impl From<SyncError> for Error {
    fn from(e: SyncError) -> Self {
        match e {
            SyncError::BadMessage(m) | SyncError::Refused(m) => Error::BadRequest(m),
            SyncError::AccessChanged => Error::forbidden(SyncError::AccessChanged.to_string()),
            SyncError::Store(s) => Error::Store(s),
            SyncError::Automerge(a) => Error::Internal(a.to_string()),
            SyncError::Interrupted(m) | SyncError::Invalid(m) => Error::Internal(m),
        }
    }
}
