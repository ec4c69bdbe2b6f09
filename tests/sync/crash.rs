//! The server process is SIGKILLed in the middle of bursts of syncs; after each restart every
//! change whose heads it had sent back is present, and the projection matches the documents.
//! Every restart is checked before the next burst. Rounds: KHAOSAT_CRASH_ROUNDS (default 50).

use std::time::Duration;

use automerge::{AutoCommit, ChangeHash, ReadDoc};
use serde_json::json;

use crate::common::child::start_child;
use crate::common::peer::{Outcome, RustPeer};
use crate::common::TestApp;
use crate::on_both_backends;
use crate::support::{document_of, expected_rows, fetch, projected_rows, put};

on_both_backends!(acknowledged_changes_survive_sigkill);

/// One phone writing households and syncing until the server dies; returns the hashes the
/// server acknowledged (it sent back heads equal to the phone's).
async fn writer(
    ws: String,
    token: String,
    doc_id: String,
    mut doc: AutoCommit,
    tag: String,
) -> (AutoCommit, Vec<ChangeHash>) {
    let mut acked = Vec::new();
    let Ok(mut peer) = RustPeer::connect(&ws, &token).await else {
        return (doc, acked);
    };
    for i in 0.. {
        let id = format!("{:08x}-0000-4000-8000-{:012x}", crc(&tag), i);
        put(
            &mut doc,
            &["households", &id, "head_name"],
            json!(format!("{tag} {i}")),
        );
        put(
            &mut doc,
            &["households", &id, "pays_electricity_cashless"],
            json!(i % 2 == 0),
        );
        match tokio::time::timeout(Duration::from_secs(5), peer.sync(&doc_id, &mut doc)).await {
            Ok(Outcome::Synced) => acked.extend(doc.get_heads()),
            _ => break,
        }
    }
    (doc, acked)
}

fn crc(s: &str) -> u32 {
    s.bytes()
        .fold(17u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)))
}

async fn acknowledged_changes_survive_sigkill(app: &TestApp) {
    let rounds: usize = std::env::var("KHAOSAT_CRASH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(50);
    let enumerator = app.token("demo-enumerator").await;
    let lead = app.token("demo-lead").await;
    let villages = [
        ("39301.01", enumerator.clone()),
        ("39301.02", enumerator.clone()),
        ("39301.01", lead.clone()),
    ];
    let mut phones = Vec::new();
    for (i, (village, token)) in villages.iter().enumerate() {
        let doc_id = document_of(app, token, village).await;
        let doc = fetch(app, token, &doc_id).await;
        phones.push((doc_id, token.clone(), doc, format!("phone{i}")));
    }
    let mut all_acked: Vec<(String, ChangeHash)> = Vec::new();
    for round in 0..rounds {
        let (mut child, ws) = start_child(&app.database_url).await;
        // What the killed process acknowledged is all there after the restart.
        verify(app, &ws, &lead, &all_acked).await;
        let mut tasks = Vec::new();
        for (doc_id, token, doc, tag) in phones.drain(..) {
            let (ws, id, tag2) = (ws.clone(), doc_id.clone(), format!("{tag}-r{round}"));
            tasks.push((
                doc_id,
                token.clone(),
                tag,
                tokio::spawn(writer(ws, token, id, doc, tag2)),
            ));
        }
        // Kill at a moment that varies from round to round, mid-burst.
        tokio::time::sleep(Duration::from_millis(150 + 97 * (round as u64 % 7))).await;
        child.kill().expect("SIGKILL");
        child.wait().ok();
        for (doc_id, token, tag, task) in tasks {
            let (doc, acked) = task.await.expect("writer");
            all_acked.extend(acked.into_iter().map(|h| (doc_id.clone(), h)));
            phones.push((doc_id, token, doc, tag));
        }
    }
    // Restarted: every acknowledged change is there, and SQL equals the documents' projection.
    // (Read through the restarted process: on SQLite the test's own in-process server is not a
    // replica that hears about other processes' writes.)
    let (mut child, ws) = start_child(&app.database_url).await;
    assert!(
        all_acked.len() >= rounds,
        "the bursts got changes through ({} acknowledged)",
        all_acked.len()
    );
    verify(app, &ws, &lead, &all_acked).await;
    eprintln!(
        "crash test: {rounds} SIGKILLs survived, {} acknowledged heads checked",
        all_acked.len()
    );
    child.kill().ok();
    child.wait().ok();
}

/// Through the server at `ws`: every acknowledged change is present, and SQL equals the
/// documents' projection.
async fn verify(app: &TestApp, ws: &str, lead: &str, all_acked: &[(String, ChangeHash)]) {
    for village in ["39301.01", "39301.02"] {
        let doc_id = document_of(app, lead, village).await;
        let mut server = AutoCommit::new();
        let mut peer = RustPeer::connect(ws, lead)
            .await
            .expect("connect to the restarted server");
        assert_eq!(peer.sync(&doc_id, &mut server).await, Outcome::Synced);
        for (d, hash) in all_acked.iter().filter(|(d, _)| *d == doc_id) {
            assert!(
                server.get_change_by_hash(hash).is_some(),
                "acknowledged change {hash} of {d} lost"
            );
        }
        assert_eq!(
            projected_rows(app, village).await,
            expected_rows(&server),
            "projection of {village}"
        );
    }
}
