//! Writing village documents on the server: the initial document of a village.

use automerge::transaction::{CommitOptions, Transactable};
use automerge::{AutoCommit, ChangeHash, ObjType, ScalarValue};

use crate::survey::schema;

/// Bytes and heads of a new village document: schema version, village code and an empty households map,
/// in one change (a document with no change would never load on a phone).
pub fn new_village_document(
    village_code: &str,
    now_secs: i64,
) -> Result<(Vec<u8>, Vec<ChangeHash>), automerge::AutomergeError> {
    let mut doc = AutoCommit::new();
    doc.put(
        automerge::ROOT,
        schema::SCHEMA_VERSION_KEY,
        schema::SCHEMA_VERSION,
    )?;
    doc.put(
        automerge::ROOT,
        schema::VILLAGE_CODE,
        ScalarValue::Str(village_code.into()),
    )?;
    doc.put_object(automerge::ROOT, schema::HOUSEHOLDS, ObjType::Map)?;
    doc.commit_with(
        CommitOptions::default()
            .with_message("create village document")
            .with_time(now_secs),
    );
    let heads = doc.get_heads();
    Ok((doc.save(), heads))
}
