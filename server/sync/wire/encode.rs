//! Writing a frame: one definite-length CBOR map holding the message's fields, in the order the
//! server has always written them (`type`, `senderId`, `targetId`, `documentId`, `data`, …), so
//! stock clients read exactly the bytes they did before the messages were typed.

use std::collections::BTreeMap;

use serde::Serialize;

use super::ids::{DocumentId, PeerId, StorageId};
use super::message::{HeadsInfo, PeerMetadata, WireMessage};

/// One frame's map, borrowing from the message: absent fields are left out.
#[derive(Serialize, Default)]
#[serde(rename_all = "camelCase")]
struct Frame<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    sender_id: Option<&'a PeerId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    target_id: Option<&'a PeerId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    document_id: Option<&'a DocumentId>,
    /// A CBOR byte string, not an array of numbers.
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<&'a serde_bytes::Bytes>,
    #[serde(skip_serializing_if = "Option::is_none")]
    supported_protocol_versions: Option<&'a [String]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    selected_protocol_version: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    peer_metadata: Option<&'a PeerMetadata>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    count: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    session_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    add: Option<&'a [StorageId]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    remove: Option<&'a [StorageId]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    new_heads: Option<&'a BTreeMap<StorageId, HeadsInfo>>,
}

impl WireMessage {
    pub fn encode(&self) -> Vec<u8> {
        let frame = self.frame();
        let mut out = Vec::with_capacity(64 + frame.data.map_or(0, |d| d.len()));
        // Writing into a Vec cannot fail, and every field serializes.
        if let Err(e) = ciborium::into_writer(&frame, &mut out) {
            tracing::error!(error = %e, "encoding a wire message");
        }
        out
    }

    fn frame(&self) -> Frame<'_> {
        let kind = self.kind();
        match self {
            WireMessage::Join {
                sender_id,
                peer_metadata,
                supported_protocol_versions,
            } => Frame {
                kind,
                sender_id: Some(sender_id),
                peer_metadata: peer_metadata.as_ref(),
                supported_protocol_versions: supported_protocol_versions.as_deref(),
                ..Frame::default()
            },
            WireMessage::Peer {
                sender_id,
                target_id,
                peer_metadata,
                selected_protocol_version,
            } => Frame {
                kind,
                sender_id: Some(sender_id),
                target_id: Some(target_id),
                selected_protocol_version: Some(selected_protocol_version),
                peer_metadata: Some(peer_metadata),
                ..Frame::default()
            },
            WireMessage::Request {
                sender_id,
                target_id,
                document_id,
                data,
            }
            | WireMessage::Sync {
                sender_id,
                target_id,
                document_id,
                data,
            } => Frame {
                kind,
                sender_id: Some(sender_id),
                target_id: Some(target_id),
                document_id: Some(document_id),
                data: Some(serde_bytes::Bytes::new(data)),
                ..Frame::default()
            },
            WireMessage::DocUnavailable {
                sender_id,
                target_id,
                document_id,
            } => Frame {
                kind,
                sender_id: Some(sender_id),
                target_id: Some(target_id),
                document_id: Some(document_id),
                ..Frame::default()
            },
            WireMessage::Error {
                sender_id,
                target_id,
                message,
            } => Frame {
                kind,
                sender_id: Some(sender_id),
                target_id: target_id.as_ref(),
                message: Some(message),
                ..Frame::default()
            },
            WireMessage::Ephemeral {
                sender_id,
                target_id,
                count,
                session_id,
                document_id,
                data,
            } => Frame {
                kind,
                sender_id: Some(sender_id),
                target_id: Some(target_id),
                document_id: Some(document_id),
                data: Some(serde_bytes::Bytes::new(data)),
                count: Some(*count),
                session_id: Some(session_id),
                ..Frame::default()
            },
            WireMessage::RemoteSubscriptionChange {
                sender_id,
                target_id,
                add,
                remove,
            } => Frame {
                kind,
                sender_id: Some(sender_id),
                target_id: Some(target_id),
                add: add.as_deref(),
                remove: remove.as_deref(),
                ..Frame::default()
            },
            WireMessage::RemoteHeadsChanged {
                sender_id,
                target_id,
                document_id,
                new_heads,
            } => Frame {
                kind,
                sender_id: Some(sender_id),
                target_id: Some(target_id),
                document_id: Some(document_id),
                new_heads: Some(new_heads),
                ..Frame::default()
            },
            WireMessage::Unknown { .. } => Frame {
                kind,
                ..Frame::default()
            },
        }
    }
}
