//! The foundation's integration suite: the real router, served over HTTP, on SQLite and on
//! PostgreSQL. Every test body runs on both backends (see `on_both_backends!`).

#[path = "../common/mod.rs"]
mod common;

mod access;
mod assignments;
mod auth;
mod bad_input;
mod campaigns;
mod cli;
mod counters;
mod declared;
mod team;
mod units;
