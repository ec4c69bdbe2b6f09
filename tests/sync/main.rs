//! The sync suite: real Automerge peers (Rust, and the stock Node automerge-repo client) against
//! the real server, on SQLite and PostgreSQL.

#[path = "../common/mod.rs"]
mod common;

mod access;
mod cancel;
mod convergence;
mod crash;
mod frames;
mod http;
mod idle;
mod indicator_rules;
mod indicators;
mod live_access;
mod node;
mod observation;
mod properties;
mod reform;
mod reform_declared;
mod register;
mod register_job;
mod replicas;
mod review;
mod storage;
mod support;
mod survey;
mod upgrade;
mod weekly;
