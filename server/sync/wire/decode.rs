//! Reading a frame: the CBOR map is read once with each field kept as raw CBOR, then the fields
//! of the message its `type` names are checked and typed. Fields a message does not have are
//! ignored, as automerge-repo ignores them; a type the server does not know is `Unknown`.

use ciborium::Value;
use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::ids::{DocumentId, PeerId};
use super::message::{MessageType, WireMessage};

/// Why a frame could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    /// Not a CBOR map with a text `type` (or a field that is not CBOR at all).
    #[error("unreadable message: {0}")]
    Unreadable(String),
    /// A message of a known type with a field missing or not what that message carries.
    #[error("{kind} message: {field} {problem}")]
    Invalid {
        kind: MessageType,
        /// The field's name on the wire (`documentId`, `data`…).
        field: &'static str,
        problem: String,
    },
}

/// Every field any message has, as raw CBOR (`None` when absent, `null` or `undefined`).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Raw {
    #[serde(rename = "type")]
    kind: String,
    sender_id: Option<Value>,
    target_id: Option<Value>,
    document_id: Option<Value>,
    data: Option<Value>,
    supported_protocol_versions: Option<Value>,
    selected_protocol_version: Option<Value>,
    peer_metadata: Option<Value>,
    message: Option<Value>,
    count: Option<Value>,
    session_id: Option<Value>,
    add: Option<Value>,
    remove: Option<Value>,
    new_heads: Option<Value>,
}

impl WireMessage {
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let raw: Raw =
            ciborium::from_reader(bytes).map_err(|e| DecodeError::Unreadable(e.to_string()))?;
        let Some(kind) = MessageType::parse(&raw.kind) else {
            return Ok(WireMessage::Unknown { kind: raw.kind });
        };
        let f = Fields { kind };
        // Fields are checked in this order, so a message with several problems names the same
        // one every time (for `sync`, `documentId` before `data`).
        Ok(match kind {
            MessageType::Join => WireMessage::Join {
                sender_id: f.required::<PeerId>("senderId", raw.sender_id)?,
                peer_metadata: f.optional("peerMetadata", raw.peer_metadata)?,
                supported_protocol_versions: f
                    .optional("supportedProtocolVersions", raw.supported_protocol_versions)?,
            },
            MessageType::Peer => WireMessage::Peer {
                sender_id: f.required("senderId", raw.sender_id)?,
                target_id: f.required("targetId", raw.target_id)?,
                peer_metadata: f.required("peerMetadata", raw.peer_metadata)?,
                selected_protocol_version: f
                    .required("selectedProtocolVersion", raw.selected_protocol_version)?,
            },
            MessageType::Request | MessageType::Sync => {
                let sender_id = f.required("senderId", raw.sender_id)?;
                let target_id = f.required("targetId", raw.target_id)?;
                let document_id = f.required::<DocumentId>("documentId", raw.document_id)?;
                let data = f.bytes("data", raw.data)?;
                // An Automerge sync message is never empty.
                if data.is_empty() {
                    return Err(f.invalid("data", "is empty"));
                }
                if kind == MessageType::Request {
                    WireMessage::Request {
                        sender_id,
                        target_id,
                        document_id,
                        data,
                    }
                } else {
                    WireMessage::Sync {
                        sender_id,
                        target_id,
                        document_id,
                        data,
                    }
                }
            }
            MessageType::DocUnavailable => WireMessage::DocUnavailable {
                sender_id: f.required("senderId", raw.sender_id)?,
                target_id: f.required("targetId", raw.target_id)?,
                document_id: f.required("documentId", raw.document_id)?,
            },
            MessageType::Error => WireMessage::Error {
                sender_id: f.required("senderId", raw.sender_id)?,
                target_id: f.optional("targetId", raw.target_id)?,
                message: f.required("message", raw.message)?,
            },
            MessageType::Ephemeral => WireMessage::Ephemeral {
                sender_id: f.required("senderId", raw.sender_id)?,
                target_id: f.required("targetId", raw.target_id)?,
                count: f.required("count", raw.count)?,
                session_id: f.required("sessionId", raw.session_id)?,
                document_id: f.required("documentId", raw.document_id)?,
                data: f.bytes("data", raw.data)?,
            },
            MessageType::RemoteSubscriptionChange => WireMessage::RemoteSubscriptionChange {
                sender_id: f.required("senderId", raw.sender_id)?,
                target_id: f.required("targetId", raw.target_id)?,
                add: f.optional("add", raw.add)?,
                remove: f.optional("remove", raw.remove)?,
            },
            MessageType::RemoteHeadsChanged => WireMessage::RemoteHeadsChanged {
                sender_id: f.required("senderId", raw.sender_id)?,
                target_id: f.required("targetId", raw.target_id)?,
                document_id: f.required("documentId", raw.document_id)?,
                new_heads: f.required("newHeads", raw.new_heads)?,
            },
        })
    }
}

/// Types the fields of one message, naming the message and field in every error.
struct Fields {
    kind: MessageType,
}

impl Fields {
    fn invalid(&self, field: &'static str, problem: impl Into<String>) -> DecodeError {
        DecodeError::Invalid {
            kind: self.kind,
            field,
            problem: problem.into(),
        }
    }

    fn optional<T: DeserializeOwned>(
        &self,
        field: &'static str,
        value: Option<Value>,
    ) -> Result<Option<T>, DecodeError> {
        value
            .map(|v| v.deserialized().map_err(|e| self.invalid(field, reason(e))))
            .transpose()
    }

    fn required<T: DeserializeOwned>(
        &self,
        field: &'static str,
        value: Option<Value>,
    ) -> Result<T, DecodeError> {
        self.optional(field, value)?
            .ok_or_else(|| self.invalid(field, "is missing"))
    }

    /// A byte string, moved out of the CBOR value rather than copied (it can be megabytes).
    /// Whatever else the server has always read as bytes (a text, an array of small numbers)
    /// is still read as bytes.
    fn bytes(&self, field: &'static str, value: Option<Value>) -> Result<Vec<u8>, DecodeError> {
        let mut value = value.ok_or_else(|| self.invalid(field, "is missing"))?;
        while let Value::Tag(_, inner) = value {
            value = *inner;
        }
        match value {
            Value::Bytes(bytes) => Ok(bytes),
            other => other
                .deserialized::<serde_bytes::ByteBuf>()
                .map(serde_bytes::ByteBuf::into_vec)
                .map_err(|e| self.invalid(field, reason(e))),
        }
    }
}

/// serde's words for why a value did not fit (ciborium's `Display` shows its `Debug` form).
fn reason(e: ciborium::value::Error) -> String {
    match e {
        ciborium::value::Error::Custom(reason) => reason,
    }
}
