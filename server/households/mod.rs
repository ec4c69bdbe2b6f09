//! Services over households: the commune's register imported as a background job, the audit
//! history of a household, and the records the projection could not read. (The document schema
//! and its readers and writers are `survey`'s; these sit above `sync`, which they write through.)

pub mod approval;
pub mod audit;
pub mod conflicts;
pub mod import;
pub mod jobs;
pub mod problems;
pub mod raw_data;
pub mod register;
pub mod send_back;
