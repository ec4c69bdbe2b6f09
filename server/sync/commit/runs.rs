//! A batch's attribution as runs: each actor's consecutive changes in one row (`ChangeRun`),
//! rather than a row per change (a day of answers is a thousand changes by one actor).

use std::collections::BTreeMap;

use automerge::Change;

use crate::store::ChangeRun;

/// How stored attribution names a change: its actor in hex and its sequence number.
pub fn change_key(c: &Change) -> (String, i64) {
    (
        c.actor_id().to_hex_string(),
        i64::try_from(c.seq()).unwrap_or(i64::MAX),
    )
}

/// The runs of `changes`, whose observation times are `observed` (same order): per actor, in
/// sequence order, a new run wherever a sequence number is skipped.
pub fn change_runs(changes: &[Change], observed: &[i64], at: i64) -> Vec<ChangeRun> {
    let mut by_actor: BTreeMap<String, Vec<(i64, i64, i64)>> = BTreeMap::new();
    for (i, c) in changes.iter().enumerate() {
        let (actor, seq) = change_key(c);
        let time = observed.get(i).copied().unwrap_or(at);
        by_actor
            .entry(actor)
            .or_default()
            .push((seq, time, c.timestamp()));
    }
    let mut runs: Vec<ChangeRun> = Vec::new();
    for (actor, mut seqs) in by_actor {
        seqs.sort_unstable();
        seqs.dedup_by_key(|s| s.0);
        let mut current: Option<ChangeRun> = None;
        for (seq, time, stamp) in seqs {
            match current.as_mut() {
                Some(run) if run.seq_first + run.observed.len() as i64 == seq => {
                    run.observed.push(time);
                    run.last_change_time = run.last_change_time.max(stamp);
                }
                _ => {
                    runs.extend(current.take());
                    current = Some(ChangeRun {
                        actor: actor.clone(),
                        seq_first: seq,
                        observed: vec![time],
                        last_change_time: stamp,
                    });
                }
            }
        }
        runs.extend(current);
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::transaction::{CommitOptions, Transactable};
    use automerge::{ActorId, AutoCommit};

    fn edit(doc: &mut AutoCommit, key: &str, time: i64) {
        doc.put(automerge::ROOT, key, 1).expect("put");
        doc.commit_with(CommitOptions::default().with_time(time));
    }

    #[test]
    fn consecutive_changes_of_an_actor_make_one_run() {
        let mut a = AutoCommit::new().with_actor(ActorId::from([1u8; 16]));
        let mut b = AutoCommit::new().with_actor(ActorId::from([2u8; 16]));
        for (i, t) in [100, 160, 130].into_iter().enumerate() {
            edit(&mut a, &format!("a{i}"), t);
        }
        edit(&mut b, "b", 500);
        let mut changes = a.get_changes(&[]);
        changes.extend(b.get_changes(&[]));
        // Out of order, and the second of a's changes missing: two runs for a.
        let picked = vec![changes[3].clone(), changes[2].clone(), changes[0].clone()];
        let runs = change_runs(&picked, &[501, 131, 101], 900);
        let a_hex = ActorId::from([1u8; 16]).to_hex_string();
        let b_hex = ActorId::from([2u8; 16]).to_hex_string();
        assert_eq!(
            runs,
            vec![
                ChangeRun {
                    actor: a_hex.clone(),
                    seq_first: 1,
                    observed: vec![101],
                    last_change_time: 100
                },
                ChangeRun {
                    actor: a_hex.clone(),
                    seq_first: 3,
                    observed: vec![131],
                    last_change_time: 130
                },
                ChangeRun {
                    actor: b_hex,
                    seq_first: 1,
                    observed: vec![501],
                    last_change_time: 500
                },
            ]
        );
        let whole = change_runs(&changes[..3], &[100, 160, 160], 900);
        assert_eq!(whole.len(), 1);
        assert_eq!(
            (
                whole[0].seq_first,
                &whole[0].observed,
                whole[0].last_change_time
            ),
            (1, &vec![100, 160, 160], 160)
        );
        assert_eq!(change_key(&changes[1]), (a_hex, 2));
    }
}
