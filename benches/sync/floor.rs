//! The machine's limit for a burst: every phone's offline changes applied to a copy of its
//! village document in this process, on all cores, with no network, storage, projection or
//! acknowledgement. A server can only approach it; each run prints how far it is.

use std::time::{Duration, Instant};

use automerge::{AutoCommit, Change};

use crate::phone::Phone;

/// Wall time to apply every phone's changes (documents loaded and changes decoded beforehand,
/// so only the applying is timed), spread over the machine's cores.
pub fn apply_floor(phones: &[Phone]) -> Result<Duration, String> {
    let mut work = Vec::with_capacity(phones.len());
    for p in phones {
        let doc = AutoCommit::load(&p.base).map_err(|e| format!("floor: loading a base: {e}"))?;
        let changes = p
            .offline
            .iter()
            .map(|bytes| Change::from_bytes(bytes.clone()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("floor: decoding a change: {e}"))?;
        work.push((doc, changes));
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let per_core = work.len().div_ceil(cores).max(1);
    let started = Instant::now();
    let applied: Result<(), String> = std::thread::scope(|scope| {
        let handles: Vec<_> = work
            .chunks_mut(per_core)
            .map(|chunk| {
                scope.spawn(move || {
                    for (doc, changes) in chunk {
                        doc.apply_changes(std::mem::take(changes))
                            .map_err(|e| format!("floor: applying: {e}"))?;
                    }
                    Ok::<_, String>(())
                })
            })
            .collect();
        for h in handles {
            h.join()
                .map_err(|_| "floor: a worker panicked".to_string())??;
        }
        Ok(())
    });
    let took = started.elapsed();
    applied?;
    Ok(took)
}
