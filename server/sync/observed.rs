//! When a change was observed: the day its figures count on. A phone stamps each change with
//! its own clock (Automerge change time, Unix seconds); the server believes that stamp only
//! inside a window before it received the change, and never dates a change before a change it
//! depends on. The rule, in docs/API.md ("Observation time"):
//!
//! - stamp within `[received − OBSERVATION_WINDOW_SECS, received]` → the stamp;
//! - otherwise (no stamp, a clock in 1970 or in 2099, a stamp in milliseconds) → `received`;
//! - then raised to the latest observation time of the change's dependencies, so that "every
//!   change observed up to a moment" is always a state some phone really had.
//!
//! A change that was never recorded (the document's creation) counts from the beginning.

use std::collections::HashMap;

use automerge::{Change, ChangeHash};

/// How far back a phone's clock is believed: longer than a team stays offline in the field.
pub const OBSERVATION_WINDOW_SECS: i64 = 60 * 24 * 3600;

/// The time a change stamped `stamp` and received at `received` counts from, by itself.
pub fn own_time(stamp: i64, received: i64) -> i64 {
    if (received - OBSERVATION_WINDOW_SECS..=received).contains(&stamp) {
        stamp
    } else {
        received
    }
}

/// Observation times of a batch of changes received at `received`, in the order given.
/// `stored` holds the times of changes stored before (a dependency found in neither counts
/// from the beginning). Dependencies inside the batch are dated first whatever the order.
pub fn observe(changes: &[Change], stored: &HashMap<ChangeHash, i64>, received: i64) -> Vec<i64> {
    let index: HashMap<ChangeHash, usize> = changes
        .iter()
        .enumerate()
        .map(|(i, c)| (c.hash(), i))
        .collect();
    let mut times: Vec<Option<i64>> = vec![None; changes.len()];
    for start in 0..changes.len() {
        // Depth-first over dependencies inside the batch, without recursion (a day of answers
        // is a chain of a thousand changes).
        let mut stack = vec![start];
        while let Some(&i) = stack.last() {
            if times[i].is_some() {
                stack.pop();
                continue;
            }
            let mut latest = own_time(changes[i].timestamp(), received);
            let mut waiting = false;
            for dep in changes[i].deps() {
                match index.get(dep) {
                    Some(&j) => match times[j] {
                        Some(t) => latest = latest.max(t),
                        None => {
                            stack.push(j);
                            waiting = true;
                        }
                    },
                    None => latest = latest.max(stored.get(dep).copied().unwrap_or(0)),
                }
            }
            if !waiting {
                times[i] = Some(latest);
                stack.pop();
            }
        }
    }
    times.into_iter().map(|t| t.unwrap_or(received)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::transaction::{CommitOptions, Transactable};
    use automerge::AutoCommit;

    const NOW: i64 = 1_796_000_000;
    const DAY: i64 = 24 * 3600;

    fn stamped(doc: &mut AutoCommit, key: &str, time: i64) {
        doc.put(automerge::ROOT, key, 1).expect("put");
        doc.commit_with(CommitOptions::default().with_time(time));
    }

    #[test]
    fn a_stamp_is_believed_only_inside_the_window() {
        assert_eq!(own_time(NOW - DAY, NOW), NOW - DAY);
        assert_eq!(
            own_time(NOW - OBSERVATION_WINDOW_SECS, NOW),
            NOW - OBSERVATION_WINDOW_SECS
        );
        // 1970, 2099, milliseconds, a minute ahead: the time it arrived.
        assert_eq!(own_time(0, NOW), NOW);
        assert_eq!(own_time(4_070_908_800, NOW), NOW);
        assert_eq!(own_time(NOW * 1000, NOW), NOW);
        assert_eq!(own_time(NOW + 60, NOW), NOW);
        assert_eq!(own_time(NOW - OBSERVATION_WINDOW_SECS - 1, NOW), NOW);
    }

    #[test]
    fn a_change_is_never_dated_before_what_it_depends_on() {
        let mut doc = AutoCommit::new();
        stamped(&mut doc, "a", NOW - 3 * DAY);
        let first = doc.get_heads();
        stamped(&mut doc, "b", NOW - 2 * DAY);
        // A clock that jumped back to before the first change.
        stamped(&mut doc, "c", NOW - 5 * DAY);
        let mut changes = doc.get_changes(&[]);
        assert_eq!(
            observe(&changes, &HashMap::new(), NOW),
            vec![NOW - 3 * DAY, NOW - 2 * DAY, NOW - 2 * DAY]
        );
        // Any order: dependencies are dated first.
        changes.reverse();
        assert_eq!(
            observe(&changes, &HashMap::new(), NOW),
            vec![NOW - 2 * DAY, NOW - 2 * DAY, NOW - 3 * DAY]
        );
        // A dependency stored before counts with its stored time.
        let later = doc.get_changes(&first);
        let stored = HashMap::from([(first[0], NOW - DAY)]);
        assert_eq!(observe(&later, &stored, NOW), vec![NOW - DAY, NOW - DAY]);
    }
}
