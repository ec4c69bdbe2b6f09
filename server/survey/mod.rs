//! The survey record: the village document's schema (see docs/SCHEMA.md), how a household is
//! read out of an Automerge document, and how new documents are written.

pub mod answers;
pub mod definition;
pub mod document_id;
pub mod export;
pub mod indicators;
pub mod read;
pub mod schema;
pub mod typescript;
pub mod versions;
pub mod write;

pub use document_id::{new_document_id, valid_document_id};
pub use read::read_household;
