//! automerge-repo's WebSocket wire format (protocol "1"), one CBOR map per binary frame: the
//! checked ids, the typed messages, and reading and writing them.

mod decode;
mod encode;
pub mod ids;
pub mod message;

pub use decode::DecodeError;
pub use ids::{DocumentId, IdError, PeerId, StorageId, MAX_PEER_ID_BYTES};
pub use message::{HeadsInfo, MessageType, PeerMetadata, WireMessage};

/// The only protocol version the server speaks.
pub const PROTOCOL_VERSION: &str = "1";

#[cfg(test)]
mod tests;
