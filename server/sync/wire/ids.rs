//! The ids automerge-repo's protocol carries, each checked once where it enters the server (a
//! frame, a stored row, a setting): past that point a `DocumentId` is known to be a real
//! document id and a `PeerId` a bounded name, so nothing downstream checks them again.
//! On the wire and in serde they are plain strings.

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::survey::{new_document_id, valid_document_id};

/// Longest peer id taken from a client: automerge-repo's are a few dozen bytes, and the bound
/// keeps a hostile one out of maps and logs.
pub const MAX_PEER_ID_BYTES: usize = 256;

/// Why a string is not an id of the kind asked for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("not an automerge-repo document id (Base58Check of 16 bytes)")]
    Document,
    #[error("not a peer id (1 to {MAX_PEER_ID_BYTES} bytes)")]
    Peer,
}

/// What the three ids share: a string inside, read as `&str`, written as a plain string.
macro_rules! string_id {
    ($name:ident) => {
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        // Read-only access to the string: the store and logs take ids as `&str`, and an id
        // cannot be changed through it, so what was checked stays checked.
        impl Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        // Maps keyed by an id can be looked up with a `&str`.
        impl Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl FromStr for $name {
            type Err = <$name as TryFrom<String>>::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $name::try_from(s.to_string())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        // Deserializing checks like parsing does: a malformed id never gets in through serde.
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                $name::try_from(String::deserialize(d)?).map_err(serde::de::Error::custom)
            }
        }
    };
}

/// An automerge-repo document id: Base58Check (no version byte) of a 16-byte UUID.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocumentId(String);
string_id!(DocumentId);

impl DocumentId {
    /// A fresh document id, as `repo.create()` would make it.
    pub fn generate() -> Self {
        DocumentId(new_document_id())
    }
}

impl TryFrom<String> for DocumentId {
    type Error = IdError;
    fn try_from(id: String) -> Result<Self, IdError> {
        if valid_document_id(&id) {
            Ok(DocumentId(id))
        } else {
            Err(IdError::Document)
        }
    }
}

/// A peer's id in the protocol: any non-empty string of at most `MAX_PEER_ID_BYTES` bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PeerId(String);
string_id!(PeerId);

impl TryFrom<String> for PeerId {
    type Error = IdError;
    fn try_from(id: String) -> Result<Self, IdError> {
        if id.is_empty() || id.len() > MAX_PEER_ID_BYTES {
            Err(IdError::Peer)
        } else {
            Ok(PeerId(id))
        }
    }
}

/// A peer's storage id (automerge-repo makes it a UUID). Opaque: the server only names its
/// own with it and never relies on the form of a client's, so any string is one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StorageId(String);
string_id!(StorageId);

impl From<String> for StorageId {
    fn from(id: String) -> Self {
        StorageId(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_ids_are_checked() {
        // Vector made with npm bs58check for the bytes 00 01 .. 0f.
        let id: DocumentId = "1Bhh3pU9gLXZiNDL6PEa1Gs9fh".parse().unwrap();
        assert_eq!(id.to_string(), "1Bhh3pU9gLXZiNDL6PEa1Gs9fh");
        assert_eq!(
            "1Bhh3pU9gLXZiNDL6PEa1Gs9fi".parse::<DocumentId>(),
            Err(IdError::Document)
        );
        assert_eq!("".parse::<DocumentId>(), Err(IdError::Document));
        let fresh = DocumentId::generate();
        assert_eq!(fresh.as_str().parse::<DocumentId>(), Ok(fresh));
    }

    #[test]
    fn peer_ids_are_bounded() {
        assert!("peer-abc".parse::<PeerId>().is_ok());
        assert_eq!("".parse::<PeerId>(), Err(IdError::Peer));
        assert!("x".repeat(MAX_PEER_ID_BYTES).parse::<PeerId>().is_ok());
        assert_eq!(
            "x".repeat(MAX_PEER_ID_BYTES + 1).parse::<PeerId>(),
            Err(IdError::Peer)
        );
    }

    #[test]
    fn serde_is_a_plain_string_and_checks() {
        let id: PeerId = "peer-abc".parse().unwrap();
        let mut cbor = Vec::new();
        ciborium::into_writer(&id, &mut cbor).unwrap();
        assert_eq!(cbor, b"\x68peer-abc");
        assert_eq!(ciborium::from_reader::<PeerId, _>(&cbor[..]).unwrap(), id);
        let mut empty = Vec::new();
        ciborium::into_writer("", &mut empty).unwrap();
        assert!(ciborium::from_reader::<PeerId, _>(&empty[..]).is_err());
    }
}
