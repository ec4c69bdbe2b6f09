//! Household register imports run as background jobs: the request stores the upload and answers
//! at once, the job validates and writes while the client polls its status.
//!
//! The registry is in memory and bounded: one active import per scope (a commune's team lead and
//! officer share one), a few at once on the server, one running at a time (the others wait as
//! `queued`), and the last finished ones kept for a day. A restart forgets the statuses; what a
//! job had written by then is durable, and importing the same file again adds nothing twice.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde::Serialize;
use tokio::sync::{Semaphore, SemaphorePermit};
use utoipa::ToSchema;

use crate::auth::{Principal, Role};
use crate::clock::{now, rfc3339};
use crate::error::{Error, Result};
use crate::households::register::RegisterReport;

/// Imports queued or running on the server at once; more are refused with 429.
const MAX_ACTIVE: usize = 4;
/// Imports parsing or writing at once: each holds a register in memory and writes documents,
/// so they take turns rather than add up.
const RUN_AT_ONCE: usize = 1;
/// Finished jobs kept for their status, and for how long.
const KEEP_FINISHED: usize = 64;
const FINISHED_TTL_SECS: i64 = 24 * 3600;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Stored, waiting for the import before it to finish.
    Queued,
    /// Reading every line and checking the villages; nothing is written yet.
    Validating,
    /// Writing village by village.
    Writing,
    Done,
    Failed,
}

impl JobState {
    fn is_active(self) -> bool {
        !matches!(self, JobState::Done | JobState::Failed)
    }
}

/// How far an import has got.
#[derive(Debug, Default, Clone, Serialize, ToSchema)]
pub struct ImportProgress {
    /// Size of the upload and how much of it has been read.
    pub bytes_total: u64,
    pub bytes_read: u64,
    pub lines_read: u64,
    pub villages_total: usize,
    pub villages_done: usize,
    pub households_created: usize,
    pub households_unchanged: usize,
    pub persons_created: usize,
}

/// Why a job failed: the message and, for a refused register, its problems (the first 100,
/// each with its line) and how many there are.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct JobFailure {
    pub message: String,
    pub problems_total: usize,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<String>,
}

/// The status of an import job, as `GET /api/v1/households/import/{job}` gives it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportJobStatus {
    pub job_id: String,
    pub state: JobState,
    pub created_at: String,
    pub finished_at: Option<String>,
    pub progress: ImportProgress,
    /// When `done`: what the import did.
    pub report: Option<RegisterReport>,
    /// When `failed`: why.
    pub error: Option<JobFailure>,
}

/// One job: who started it, over which scope, and its status.
#[derive(Debug)]
pub struct Job {
    pub id: String,
    owner: i64,
    scope_path: String,
    finished_at: Mutex<Option<i64>>,
    status: Mutex<ImportJobStatus>,
}

impl Job {
    /// Changes the status (short: the lock is shared with status reads).
    pub fn update(&self, f: impl FnOnce(&mut ImportJobStatus)) {
        f(&mut self.status.lock().unwrap_or_else(|p| p.into_inner()));
    }

    pub fn status(&self) -> ImportJobStatus {
        self.status
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn state(&self) -> JobState {
        self.status.lock().unwrap_or_else(|p| p.into_inner()).state
    }
}

#[derive(Debug)]
pub struct Jobs {
    jobs: Mutex<HashMap<String, Arc<Job>>>,
    running: Semaphore,
}

impl Default for Jobs {
    fn default() -> Self {
        Jobs {
            jobs: Mutex::new(HashMap::new()),
            running: Semaphore::new(RUN_AT_ONCE),
        }
    }
}

impl Jobs {
    /// Takes a place for a new import by `who` before its upload is read, so a busy server
    /// refuses at once rather than after receiving tens of MiB.
    pub fn reserve(self: &Arc<Self>, who: &Principal) -> Result<Reservation> {
        let scope_path = if who.role == Role::Admin {
            "/".to_string()
        } else {
            who.scope_path.clone()
        };
        let mut jobs = self.jobs.lock().unwrap_or_else(|p| p.into_inner());
        let at = now();
        jobs.retain(|_, j| {
            let finished = *j.finished_at.lock().unwrap_or_else(|p| p.into_inner());
            finished.is_none_or(|f| at - f < FINISHED_TTL_SECS)
        });
        let mut finished: Vec<(i64, String)> = jobs
            .values()
            .filter_map(|j| {
                let f = *j.finished_at.lock().unwrap_or_else(|p| p.into_inner());
                f.map(|f| (f, j.id.clone()))
            })
            .collect();
        if finished.len() > KEEP_FINISHED {
            finished.sort();
            for (_, id) in &finished[..finished.len() - KEEP_FINISHED] {
                jobs.remove(id);
            }
        }
        let active: Vec<&Arc<Job>> = jobs.values().filter(|j| j.state().is_active()).collect();
        if let Some(same) = active.iter().find(|j| j.scope_path == scope_path) {
            return Err(Error::Conflict(format!(
                "an import for this area is already running (job {}): wait for it to finish, see /api/v1/households/import/{}",
                same.id, same.id
            )));
        }
        if active.len() >= MAX_ACTIVE {
            return Err(Error::TooManyRequests {
                message: format!(
                    "the server is running {} imports already: try again in a minute",
                    active.len()
                ),
                retry_after_secs: 60,
            });
        }
        let id = uuid::Uuid::new_v4().to_string();
        let job = Arc::new(Job {
            id: id.clone(),
            owner: who.user_id,
            scope_path,
            finished_at: Mutex::new(None),
            status: Mutex::new(ImportJobStatus {
                job_id: id.clone(),
                state: JobState::Queued,
                created_at: rfc3339(at),
                finished_at: None,
                progress: ImportProgress::default(),
                report: None,
                error: None,
            }),
        });
        jobs.insert(id, job.clone());
        Ok(Reservation {
            jobs: self.clone(),
            job,
            accepted: false,
        })
    }

    /// The status of a job, for its owner or anyone who could have started it over the same
    /// area; anyone else is told it does not exist.
    pub fn status(&self, id: &str, who: &Principal) -> Result<ImportJobStatus> {
        let jobs = self.jobs.lock().unwrap_or_else(|p| p.into_inner());
        let not_found = || {
            Error::not_found(format!("no import job {id} (finished jobs are kept for a day, and not across a server restart)"))
        };
        let job = jobs.get(id).ok_or_else(not_found)?;
        let same_rights = matches!(who.role, Role::TeamLead | Role::Commune | Role::Admin)
            && who.covers(&job.scope_path);
        if job.owner != who.user_id && !same_rights {
            return Err(not_found());
        }
        Ok(job.status())
    }

    /// Waits for a turn to run (the job stays `queued` meanwhile).
    pub async fn turn(&self) -> Option<SemaphorePermit<'_>> {
        self.running.acquire().await.ok()
    }

    /// Records how a job ended.
    pub fn finish(&self, job: &Job, outcome: std::result::Result<RegisterReport, JobFailure>) {
        let at = now();
        *job.finished_at.lock().unwrap_or_else(|p| p.into_inner()) = Some(at);
        job.update(|s| {
            s.finished_at = Some(rfc3339(at));
            match outcome {
                Ok(report) => {
                    s.state = JobState::Done;
                    s.report = Some(report);
                }
                Err(failure) => {
                    s.state = JobState::Failed;
                    s.error = Some(failure);
                }
            }
        });
    }
}

/// A place taken for a job whose upload is being received. Dropped before `accept` (the
/// client went away, the upload was refused) it frees the place and leaves no trace.
pub struct Reservation {
    jobs: Arc<Jobs>,
    job: Arc<Job>,
    accepted: bool,
}

impl Reservation {
    pub fn job(&self) -> &Arc<Job> {
        &self.job
    }

    /// The upload is stored: the job exists from now on.
    pub fn accept(mut self) -> Arc<Job> {
        self.accepted = true;
        self.job.clone()
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        if !self.accepted {
            let mut jobs = self.jobs.jobs.lock().unwrap_or_else(|p| p.into_inner());
            jobs.remove(&self.job.id);
        }
    }
}
