//! khaosat: offline-first field survey server for the "3 KHÔNG" campaign.
//!
//! The tree mirrors the architecture: `store/` owns SQL, the domain folders (`units/`, `auth/`,
//! `users/`, `assignments/`, `survey/`) own the rules, `sync/` speaks automerge-repo to the
//! phones, and `api/` maps HTTP onto them.

pub mod api;
pub mod app;
pub mod assignments;
pub mod auth;
pub mod clock;
pub mod config;
pub mod demo;
pub mod error;
pub mod fold;
pub mod households;
pub mod metrics;
pub mod privacy;
pub mod sheet;
pub mod store;
pub mod survey;
pub mod sync;
pub mod units;
pub mod users;
pub mod web;

pub use api::AppState;
pub use app::{router, serve};
pub use config::Config;
pub use error::{Error, Result};
