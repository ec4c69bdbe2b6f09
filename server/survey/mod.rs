//! The survey record: the village document's schema (see docs/SCHEMA.md), how a household is
//! read out of an Automerge document, and how new documents and registers are written.

pub mod audit;
pub mod document_id;
pub mod import;
pub mod problems;
pub mod read;
pub mod register;
pub mod schema;
pub mod typescript;
pub mod write;

pub use document_id::{new_document_id, valid_document_id};
pub use read::{read_household, HouseholdRecord, PersonRecord};
