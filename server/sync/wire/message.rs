//! The messages of automerge-repo's WebSocket protocol the server reads or writes, one variant
//! each with exactly that message's fields (automerge-repo's `network/messages.ts` and the
//! WebSocket adapter's `messages.ts`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::ids::{DocumentId, PeerId, StorageId};
use super::PROTOCOL_VERSION;

/// The `type` of each message the server knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageType {
    Join,
    Peer,
    Request,
    Sync,
    DocUnavailable,
    Error,
    Ephemeral,
    RemoteSubscriptionChange,
    RemoteHeadsChanged,
}

impl MessageType {
    pub const ALL: [MessageType; 9] = [
        MessageType::Join,
        MessageType::Peer,
        MessageType::Request,
        MessageType::Sync,
        MessageType::DocUnavailable,
        MessageType::Error,
        MessageType::Ephemeral,
        MessageType::RemoteSubscriptionChange,
        MessageType::RemoteHeadsChanged,
    ];

    /// The `type` field on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageType::Join => "join",
            MessageType::Peer => "peer",
            MessageType::Request => "request",
            MessageType::Sync => "sync",
            MessageType::DocUnavailable => "doc-unavailable",
            MessageType::Error => "error",
            MessageType::Ephemeral => "ephemeral",
            MessageType::RemoteSubscriptionChange => "remote-subscription-change",
            MessageType::RemoteHeadsChanged => "remote-heads-changed",
        }
    }

    /// The known type named `kind`, if it is one.
    pub fn parse(kind: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == kind)
    }
}

impl std::fmt::Display for MessageType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a peer says about itself in `join` and `peer` (both fields are optional in
/// automerge-repo; a stock client sends `storageId` as `undefined` when it has no storage).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PeerMetadata {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_id: Option<StorageId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_ephemeral: Option<bool>,
}

/// A document's heads as one storage holds them (`remote-heads-changed`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct HeadsInfo {
    pub heads: Vec<String>,
    /// Milliseconds since the epoch on the sender's clock (a JavaScript number).
    pub timestamp: f64,
}

/// One protocol message. Ids are checked while decoding; `data` is an Automerge sync message
/// (a CBOR byte string on the wire).
#[derive(Debug, Clone, PartialEq)]
pub enum WireMessage {
    /// A client introduces itself; the first message on a connection.
    Join {
        sender_id: PeerId,
        /// Absent from some clients (the server's own test peers send none).
        peer_metadata: Option<PeerMetadata>,
        /// Absent from clients older than protocol versioning, which speak "1".
        supported_protocol_versions: Option<Vec<String>>,
    },
    /// The server's answer to `join`.
    Peer {
        sender_id: PeerId,
        target_id: PeerId,
        peer_metadata: PeerMetadata,
        selected_protocol_version: String,
    },
    /// Asks for a document the sender has nothing of; otherwise exactly a `sync`.
    Request {
        sender_id: PeerId,
        target_id: PeerId,
        document_id: DocumentId,
        data: Vec<u8>,
    },
    Sync {
        sender_id: PeerId,
        target_id: PeerId,
        document_id: DocumentId,
        data: Vec<u8>,
    },
    /// The sender does not have the document (or may not give it).
    DocUnavailable {
        sender_id: PeerId,
        target_id: PeerId,
        document_id: DocumentId,
    },
    /// The server could not do what a message asked. Sent without `targetId` to a client that
    /// has not joined yet.
    Error {
        sender_id: PeerId,
        target_id: Option<PeerId>,
        message: String,
    },
    /// Application presence data, relayed between peers; the server does not relay.
    Ephemeral {
        sender_id: PeerId,
        target_id: PeerId,
        count: u64,
        session_id: String,
        document_id: DocumentId,
        data: Vec<u8>,
    },
    RemoteSubscriptionChange {
        sender_id: PeerId,
        target_id: PeerId,
        add: Option<Vec<StorageId>>,
        remove: Option<Vec<StorageId>>,
    },
    RemoteHeadsChanged {
        sender_id: PeerId,
        target_id: PeerId,
        document_id: DocumentId,
        new_heads: BTreeMap<StorageId, HeadsInfo>,
    },
    /// A message of a type the server does not know (a newer protocol's, `leave`): ignored.
    Unknown { kind: String },
}

impl WireMessage {
    /// The `type` field on the wire.
    pub fn kind(&self) -> &str {
        match self.message_type() {
            Some(t) => t.as_str(),
            None => match self {
                WireMessage::Unknown { kind } => kind,
                // Every other variant has a message type.
                _ => "",
            },
        }
    }

    /// The known type of this message (`None` for `Unknown`).
    pub fn message_type(&self) -> Option<MessageType> {
        Some(match self {
            WireMessage::Join { .. } => MessageType::Join,
            WireMessage::Peer { .. } => MessageType::Peer,
            WireMessage::Request { .. } => MessageType::Request,
            WireMessage::Sync { .. } => MessageType::Sync,
            WireMessage::DocUnavailable { .. } => MessageType::DocUnavailable,
            WireMessage::Error { .. } => MessageType::Error,
            WireMessage::Ephemeral { .. } => MessageType::Ephemeral,
            WireMessage::RemoteSubscriptionChange { .. } => MessageType::RemoteSubscriptionChange,
            WireMessage::RemoteHeadsChanged { .. } => MessageType::RemoteHeadsChanged,
            WireMessage::Unknown { .. } => return None,
        })
    }

    /// A client's `join` speaking protocol "1", without metadata.
    pub fn join(sender: &PeerId) -> Self {
        WireMessage::Join {
            sender_id: sender.clone(),
            peer_metadata: None,
            supported_protocol_versions: Some(vec![PROTOCOL_VERSION.into()]),
        }
    }

    /// The server's answer to `join`: protocol "1", and a storage that outlives the connection.
    pub fn peer(sender: &PeerId, target: &PeerId, storage_id: &StorageId) -> Self {
        WireMessage::Peer {
            sender_id: sender.clone(),
            target_id: target.clone(),
            peer_metadata: PeerMetadata {
                storage_id: Some(storage_id.clone()),
                is_ephemeral: Some(false),
            },
            selected_protocol_version: PROTOCOL_VERSION.into(),
        }
    }

    pub fn sync(sender: &PeerId, target: &PeerId, document_id: &DocumentId, data: Vec<u8>) -> Self {
        WireMessage::Sync {
            sender_id: sender.clone(),
            target_id: target.clone(),
            document_id: document_id.clone(),
            data,
        }
    }

    pub fn request(
        sender: &PeerId,
        target: &PeerId,
        document_id: &DocumentId,
        data: Vec<u8>,
    ) -> Self {
        WireMessage::Request {
            sender_id: sender.clone(),
            target_id: target.clone(),
            document_id: document_id.clone(),
            data,
        }
    }

    pub fn doc_unavailable(sender: &PeerId, target: &PeerId, document_id: &DocumentId) -> Self {
        WireMessage::DocUnavailable {
            sender_id: sender.clone(),
            target_id: target.clone(),
            document_id: document_id.clone(),
        }
    }

    pub fn error(sender: &PeerId, target: Option<&PeerId>, message: impl Into<String>) -> Self {
        WireMessage::Error {
            sender_id: sender.clone(),
            target_id: target.cloned(),
            message: message.into(),
        }
    }
}
