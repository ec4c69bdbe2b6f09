//! The register import as a job: the request stores the upload in a temporary file and answers
//! at once; the job then parses it (on the blocking pool), checks the villages, and writes
//! village by village in batches, while the client polls its status.
//!
//! Why: a 29 MiB register parsed and written inside the request held the whole file several
//! times over in memory (4.7 GB RSS) and kept the request workers busy long enough for sign-ins
//! to time out.

use std::future::Future;
use std::io::{Seek, SeekFrom};
use std::sync::Arc;

use futures_util::{Stream, StreamExt};
use tokio::io::AsyncWriteExt;
use tokio::runtime::{Handle, RuntimeFlavor};

use crate::auth::{Principal, Role};
use crate::error::{Error, Result};
use crate::households::jobs::{Job, JobFailure, JobState, Jobs};
use crate::households::register::{
    check_header, parse_register, write_households, Problems, RegisterReport,
};
use crate::store::Store;
use crate::sync::documents::ensure_village_document;
use crate::sync::SyncHub;
use crate::sync::Uploader;

/// Households written per document change: each batch is one store transaction, so the
/// database's writer (SQLite has one) is never held for a whole village.
const BATCH: usize = 1000;

/// What the import needs from the server.
#[derive(Clone)]
pub struct ImportContext {
    pub store: Store,
    pub hub: Arc<SyncHub>,
    pub jobs: Arc<Jobs>,
}

/// Checks the caller, stores the upload (at most `limit` bytes) and starts the job. Returns
/// once the upload is stored; if the request is dropped before, the temporary file and the
/// job's place go with it and nothing is written.
pub async fn start_import<S, B, E>(
    cx: &ImportContext,
    who: &Principal,
    declared_len: Option<u64>,
    mut upload: S,
    limit: u64,
) -> Result<Arc<Job>>
where
    S: Stream<Item = std::result::Result<B, E>> + Unpin,
    B: AsRef<[u8]>,
    E: std::fmt::Display,
{
    if !matches!(who.role, Role::TeamLead | Role::Commune | Role::Admin) {
        return Err(Error::forbidden(
            "importing a household register needs a team lead, commune officer or admin",
        ));
    }
    let too_large = || {
        Error::PayloadTooLarge(format!(
            "the register is larger than {} MiB: split it into several files (by village) and import each",
            limit / (1024 * 1024)
        ))
    };
    if declared_len.is_some_and(|n| n > limit) {
        return Err(too_large());
    }
    let reservation = cx.jobs.reserve(who)?;
    let spool = tokio::task::spawn_blocking(tempfile::tempfile)
        .await
        .map_err(|e| Error::Internal(e.to_string()))?
        .map_err(|e| Error::Internal(format!("temporary file for the upload: {e}")))?;
    let mut spool = tokio::fs::File::from_std(spool);
    let mut size: u64 = 0;
    while let Some(chunk) = upload.next().await {
        let chunk =
            chunk.map_err(|e| Error::bad_request(format!("could not read the upload: {e}")))?;
        let chunk = chunk.as_ref();
        size += chunk.len() as u64;
        if size > limit {
            return Err(too_large());
        }
        spool
            .write_all(chunk)
            .await
            .map_err(|e| Error::Internal(format!("storing the upload: {e}")))?;
    }
    spool
        .flush()
        .await
        .map_err(|e| Error::Internal(format!("storing the upload: {e}")))?;
    let file = spool.into_std().await;
    // A wrong file (another CSV, a spreadsheet) is refused now rather than by a failed job.
    let file = tokio::task::spawn_blocking(move || {
        let mut file = file;
        file.seek(SeekFrom::Start(0))?;
        let header = check_header(std::io::BufReader::new(&file));
        file.seek(SeekFrom::Start(0))?;
        Ok::<_, std::io::Error>((file, header))
    })
    .await
    .map_err(|e| Error::Internal(e.to_string()))?
    .map_err(|e| Error::Internal(format!("reading the upload back: {e}")))?;
    let (file, header) = file;
    header.map_err(|p| Error::Invalid {
        message: "the file is not a household register; nothing was imported".into(),
        details: p.details,
    })?;
    reservation.job().update(|s| s.progress.bytes_total = size);
    let job = reservation.accept();
    let (jobs, watched) = (cx.jobs.clone(), job.clone());
    let (cx, who, running) = (cx.clone(), who.clone(), job.clone());
    // Detached from the request: a client that goes away after the answer changes nothing.
    let task = tokio::spawn(async move { run(&cx, &who, &running, file).await });
    tokio::spawn(async move {
        // A panic in the job must not leave it "running" for ever, holding its area's place.
        if task.await.is_err() {
            jobs.finish(
                &watched,
                Err(failure(
                    "the import stopped on an internal error; villages written before stay, and importing the file again adds nothing twice",
                )),
            );
        }
    });
    Ok(job)
}

fn failure(message: &str) -> JobFailure {
    JobFailure {
        message: message.to_string(),
        problems_total: 0,
        details: Vec::new(),
    }
}

async fn run(cx: &ImportContext, who: &Principal, job: &Arc<Job>, file: std::fs::File) {
    let Some(_turn) = cx.jobs.turn().await else {
        cx.jobs
            .finish(job, Err(failure("the server is shutting down")));
        return;
    };
    let outcome = match import(cx, who, job, file).await {
        Ok(report) => Ok(report),
        Err(ImportFailure::Invalid(p)) => Err(JobFailure {
            message: format!(
                "{} problem(s) in the register; nothing was imported",
                p.total
            ),
            problems_total: p.total,
            details: p.details,
        }),
        Err(ImportFailure::Error(e)) => {
            tracing::error!(job = %job.id, error = %e, "register import failed");
            Err(failure(&format!(
                "the import stopped: {}; villages written before stay, and importing the file again adds nothing twice",
                match e {
                    Error::Store(_) | Error::Internal(_) => "internal error".to_string(),
                    other => other.to_string(),
                }
            )))
        }
    };
    cx.jobs.finish(job, outcome);
}

enum ImportFailure {
    Invalid(Problems),
    Error(Error),
}

impl From<Error> for ImportFailure {
    fn from(e: Error) -> Self {
        ImportFailure::Error(e)
    }
}

impl From<crate::store::StoreError> for ImportFailure {
    fn from(e: crate::store::StoreError) -> Self {
        ImportFailure::Error(e.into())
    }
}

impl From<crate::sync::SyncError> for ImportFailure {
    fn from(e: crate::sync::SyncError) -> Self {
        ImportFailure::Error(e.into())
    }
}

async fn import(
    cx: &ImportContext,
    who: &Principal,
    job: &Arc<Job>,
    file: std::fs::File,
) -> std::result::Result<RegisterReport, ImportFailure> {
    job.update(|s| s.state = JobState::Validating);
    let now = time::OffsetDateTime::now_utc();
    let this_year = i64::from(now.year());
    let parsing = job.clone();
    let parsed = tokio::task::spawn_blocking(move || {
        let input = std::io::BufReader::with_capacity(256 * 1024, file);
        parse_register(input, this_year, &mut |p| {
            parsing.update(|s| {
                s.progress.lines_read = p.lines;
                s.progress.bytes_read = p.bytes;
            })
        })
    })
    .await
    .map_err(|e| Error::Internal(e.to_string()))?;
    let mut parsed = parsed.map_err(ImportFailure::Invalid)?;
    job.update(|s| {
        s.progress.lines_read = parsed.lines;
        s.progress.bytes_read = s.progress.bytes_total;
    });
    let mut problems = Problems::default();
    let mut rows = Vec::new();
    for village in parsed.villages.keys() {
        match cx.store.unit(village).await? {
            Some(u) if u.level == "village" && u.status == "active" && who.covers(&u.path) => {}
            _ => problems.push(format!(
                "village {village} is not an active village in your area"
            )),
        }
    }
    if !problems.is_empty() {
        return Err(ImportFailure::Invalid(problems));
    }
    for village in parsed.villages.keys() {
        rows.push(ensure_village_document(&cx.store, village).await?);
    }
    let mut report = RegisterReport {
        persons_under_15: parsed.under_15,
        ..Default::default()
    };
    job.update(|s| {
        s.state = JobState::Writing;
        s.progress.villages_total = rows.len();
    });
    let uploader = Uploader {
        user_id: Some(who.user_id),
        username: Some(&who.username),
        device_id: None,
    };
    let now_ms = now.unix_timestamp() * 1000;
    for row in &rows {
        // Each village's households are dropped once written.
        let Some(households) = parsed.villages.remove(&row.unit_code) else {
            continue;
        };
        let mut start = 0;
        while start < households.len() {
            let range = start..(start + BATCH).min(households.len());
            start = range.end;
            let mut counts = (0, 0);
            off_workers(cx.hub.edit(row, uploader, |doc| {
                counts = write_households(doc, &households, range.clone(), &who.username, now_ms)?;
                Ok(counts.0 > 0)
            }))
            .await?;
            report.households_created += counts.0;
            report.persons_created += counts.1;
            report.households_unchanged += range.len() - counts.0;
            job.update(|s| {
                s.progress.households_created = report.households_created;
                s.progress.households_unchanged = report.households_unchanged;
                s.progress.persons_created = report.persons_created;
            });
            // Let sign-ins and syncs waiting on the workers or the database go first.
            tokio::task::yield_now().await;
        }
        // The village's document need not stay in memory: nobody synced it during the import
        // unless a phone is connected (those documents stay). Without this, every village of a
        // large register stayed loaded until the idle eviction, a minute later.
        off_workers(cx.hub.evict_idle(std::time::Duration::ZERO)).await;
        job.update(|s| s.progress.villages_done += 1);
    }
    Ok(report)
}

/// Runs a future whose polls do heavy CPU work (Automerge edits, loading and saving documents)
/// on a thread of its own, so the runtime's workers stay free for requests and syncs.
async fn off_workers<F: Future>(f: F) -> F::Output {
    match Handle::current().runtime_flavor() {
        RuntimeFlavor::MultiThread => tokio::task::block_in_place(|| Handle::current().block_on(f)),
        _ => f.await,
    }
}
