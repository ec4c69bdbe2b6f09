//! Reliability and security suite: who may reach what (HTTP and WebSocket), sign-in throttling,
//! the access log of person-level reads, restore from a backup, and property tests that throw
//! random input at the decoders. Every server test runs on SQLite and on PostgreSQL.

#[path = "../common/mod.rs"]
mod common;

mod fuzz;
mod http;
mod login;
mod logs;
mod matrix;
mod privacy;
mod restore;
mod schema;
// Only part of it is used here.
#[allow(dead_code)]
#[path = "../sync/support.rs"]
mod sync_support;
