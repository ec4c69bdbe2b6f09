//! automerge-repo's WebSocket wire format (protocol "1"): one CBOR map per binary frame.

use serde::{Deserialize, Serialize};

pub const PROTOCOL_VERSION: &str = "1";

/// Every message of the protocol, as one flat map; `kind` says which fields matter.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct WireMessage {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_id: Option<String>,
    /// An Automerge sync message (a CBOR byte string on the wire).
    #[serde(default, skip_serializing_if = "Option::is_none", with = "opt_bytes")]
    pub data: Option<Vec<u8>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supported_protocol_versions: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selected_protocol_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer_metadata: Option<PeerMetadata>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PeerMetadata {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_ephemeral: Option<bool>,
}

/// Why a frame could not be read.
#[derive(Debug, thiserror::Error)]
#[error("unreadable message: {0}")]
pub struct DecodeError(String);

impl WireMessage {
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        ciborium::from_reader(bytes).map_err(|e| DecodeError(e.to_string()))
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + self.data.as_ref().map_or(0, Vec::len));
        // Writing into a Vec cannot fail, and every field serializes.
        if let Err(e) = ciborium::into_writer(self, &mut out) {
            tracing::error!(error = %e, "encoding a wire message");
        }
        out
    }

    /// The server's answer to `join`.
    pub fn peer(sender: &str, target: &str, storage_id: &str) -> Self {
        WireMessage {
            kind: "peer".into(),
            sender_id: Some(sender.into()),
            target_id: Some(target.into()),
            selected_protocol_version: Some(PROTOCOL_VERSION.into()),
            peer_metadata: Some(PeerMetadata {
                storage_id: Some(storage_id.into()),
                is_ephemeral: Some(false),
            }),
            ..Default::default()
        }
    }

    pub fn sync(sender: &str, target: &str, document_id: &str, data: Vec<u8>) -> Self {
        WireMessage {
            kind: "sync".into(),
            sender_id: Some(sender.into()),
            target_id: Some(target.into()),
            document_id: Some(document_id.into()),
            data: Some(data),
            ..Default::default()
        }
    }

    pub fn doc_unavailable(sender: &str, target: &str, document_id: &str) -> Self {
        WireMessage {
            kind: "doc-unavailable".into(),
            sender_id: Some(sender.into()),
            target_id: Some(target.into()),
            document_id: Some(document_id.into()),
            ..Default::default()
        }
    }

    pub fn error(sender: &str, target: Option<&str>, message: impl Into<String>) -> Self {
        WireMessage {
            kind: "error".into(),
            sender_id: Some(sender.into()),
            target_id: target.map(Into::into),
            message: Some(message.into()),
            ..Default::default()
        }
    }
}

/// `Option<Vec<u8>>` as an optional CBOR byte string (not an array of numbers).
mod opt_bytes {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(bytes) => serde_bytes::serialize(bytes, s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<u8>>, D::Error> {
        Ok(Option::<serde_bytes::ByteBuf>::deserialize(d)?.map(|b| b.into_vec()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn reads_a_join_as_cbor_x_writes_it() {
        // A join from the JS client, with storageId `undefined` (0xf7), as cbor-x encodes it.
        let bytes = hex("b9 0004 6474797065 646a6f696e 6873656e6465724964 68706565722d616263 6c706565724d65746164617461
            b9 0002 6973746f726167654964 f7 6b6973457068656d6572616c f5 7819737570706f7274656450726f746f636f6c56657273696f6e73 81 6131");
        let m = WireMessage::decode(&bytes).unwrap();
        assert_eq!(m.kind, "join");
        assert_eq!(m.sender_id.as_deref(), Some("peer-abc"));
        assert_eq!(m.supported_protocol_versions, Some(vec!["1".to_string()]));
        assert_eq!(m.peer_metadata.unwrap().is_ephemeral, Some(true));
    }

    #[test]
    fn sync_data_is_a_byte_string_both_ways() {
        let bytes = hex("b900056474797065647379 6e63687461726765744964637372766464617461 43 420000 6a646f63756d656e744964636162636873656e646572496468706565722d616263");
        let m = WireMessage::decode(&bytes).unwrap();
        assert_eq!(m.data.as_deref(), Some(&[0x42, 0, 0][..]));
        let out = WireMessage::sync("srv", "peer", "abc", vec![0x42, 0, 0]).encode();
        // 0x43 = byte string of length 3.
        assert!(
            out.windows(4).any(|w| w == [0x43, 0x42, 0, 0]),
            "{out:02x?}"
        );
        assert_eq!(
            WireMessage::decode(&out).unwrap().data,
            Some(vec![0x42, 0, 0])
        );
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for bytes in [
            &b""[..],
            &[0xff][..],
            &[0xb9, 0xff, 0xff][..],
            b"not cbor at all",
        ] {
            assert!(WireMessage::decode(bytes).is_err());
        }
    }
}
