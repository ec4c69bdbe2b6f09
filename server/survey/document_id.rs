//! automerge-repo document ids: Base58Check (no version byte) of 16 random bytes.

/// A fresh document id, as `repo.create()` would make it.
pub fn new_document_id() -> String {
    bs58::encode(uuid::Uuid::new_v4().as_bytes())
        .with_check()
        .into_string()
}

/// Whether `id` is a well-formed document id of 16 bytes.
pub fn valid_document_id(id: &str) -> bool {
    id.len() <= 64
        && bs58::decode(id)
            .with_check(None)
            .into_vec()
            .is_ok_and(|bytes| bytes.len() == 16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_javascript_encoding() {
        // Vector made with npm bs58check for the bytes 00 01 .. 0f.
        let bytes: Vec<u8> = (0u8..16).collect();
        assert_eq!(
            bs58::encode(&bytes).with_check().into_string(),
            "1Bhh3pU9gLXZiNDL6PEa1Gs9fh"
        );
        assert!(valid_document_id("1Bhh3pU9gLXZiNDL6PEa1Gs9fh"));
        assert!(!valid_document_id("1Bhh3pU9gLXZiNDL6PEa1Gs9fi"));
        assert!(valid_document_id(&new_document_id()));
    }
}
