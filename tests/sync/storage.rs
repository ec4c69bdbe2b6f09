//! Storage: compaction keeps every change, retried uploads store nothing twice, and idle
//! documents leave memory (compacted first when they have any chunk since their snapshot).

use std::time::Duration;

use automerge::sync::State;
use automerge::ReadDoc;
use serde_json::json;

use crate::common::peer::{Outcome, RustPeer};
use crate::common::TestApp;
use crate::on_both_backends;
use crate::support::{document_of, fetch, heads, put, sync};

on_both_backends!(
    compaction_keeps_every_change,
    idle_documents_leave_memory,
    idle_documents_are_compacted_on_eviction
);

async fn compaction_keeps_every_change(app: &TestApp) {
    let token = app.token("demo-enumerator").await;
    let doc_id = document_of(app, &token, "39301.01").await;
    let mut phone = fetch(app, &token, &doc_id).await;
    let mut peer = RustPeer::connect(&app.ws_base(), &token).await.unwrap();
    let mut state = State::new();
    for i in 0..80 {
        put(
            &mut phone,
            &[
                "households",
                &format!("c0000000-0000-4000-8000-{i:012}"),
                "head_name",
            ],
            json!(format!("Hộ {i}")),
        );
        assert_eq!(
            peer.sync_with(&doc_id, &mut phone, &mut state).await,
            Outcome::Synced
        );
    }
    let chunks = app
        .rows(&format!(
            "SELECT CAST(COUNT(*) AS TEXT) FROM doc_chunks WHERE document_id = '{doc_id}'"
        ))
        .await;
    let chunks: usize = chunks[0][0].as_deref().unwrap().parse().unwrap();
    assert!(
        chunks < 40,
        "80 uploads were compacted into a snapshot ({chunks} chunks left)"
    );
    let changes = app
        .rows(&format!(
            "SELECT CAST(seq_first AS TEXT), CAST(seq_last AS TEXT) FROM doc_change_runs WHERE document_id = '{doc_id}'"
        ))
        .await;
    let mut seqs: Vec<i64> = changes
        .iter()
        .flat_map(|r| {
            let [first, last] = [0, 1].map(|i| r[i].as_deref().unwrap().parse::<i64>().unwrap());
            first..=last
        })
        .collect();
    seqs.sort_unstable();
    assert_eq!(
        seqs,
        (1..=80).collect::<Vec<i64>>(),
        "every change is attributed once"
    );

    // A server that loads the document from the store alone has every change.
    let (replica, stop, server) = app.replica().await;
    let mut fresh = automerge::AutoCommit::new();
    let mut peer = RustPeer::connect(&replica, &token).await.unwrap();
    assert_eq!(peer.sync(&doc_id, &mut fresh).await, Outcome::Synced);
    assert_eq!(heads(&mut fresh), heads(&mut phone));
    assert_eq!(khaosat::survey::read::household_ids(&fresh).len(), 80);
    stop.send(()).ok();
    server.await.unwrap().unwrap();

    // Re-sending changes the server already has stores nothing twice.
    let before = app
        .rows(&format!(
            "SELECT CAST(seq AS TEXT) FROM doc_chunks WHERE document_id = '{doc_id}'"
        ))
        .await;
    let mut copy = phone.fork();
    assert_eq!(sync(app, &token, &doc_id, &mut copy).await, Outcome::Synced);
    assert_eq!(
        app.rows(&format!(
            "SELECT CAST(seq AS TEXT) FROM doc_chunks WHERE document_id = '{doc_id}'"
        ))
        .await,
        before
    );
    assert!(fresh
        .get(automerge::ROOT, "village_code")
        .unwrap()
        .is_some());
}

async fn idle_documents_leave_memory(app: &TestApp) {
    let token = app.token("demo-enumerator").await;
    let one = document_of(app, &token, "39301.01").await;
    let two = document_of(app, &token, "39301.02").await;
    fetch(app, &token, &one).await;
    let mut kept = automerge::AutoCommit::new();
    let mut peer = RustPeer::connect(&app.ws_base(), &token).await.unwrap();
    assert_eq!(peer.sync(&two, &mut kept).await, Outcome::Synced);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(app.hub.loaded_documents(), 2);
    // Evicting everything idle drops the document nobody syncs, keeps the connected one.
    app.hub.evict_idle(Duration::ZERO).await;
    assert_eq!(app.hub.loaded_documents(), 1);
    drop(peer);
    tokio::time::sleep(Duration::from_millis(300)).await;
    app.hub.evict_idle(Duration::ZERO).await;
    assert_eq!(app.hub.loaded_documents(), 0);
    // And it loads again on demand.
    let mut again = fetch(app, &token, &two).await;
    assert_eq!(heads(&mut again), heads(&mut kept));
}

async fn idle_documents_are_compacted_on_eviction(app: &TestApp) {
    let token = app.token("demo-enumerator").await;
    let doc_id = document_of(app, &token, "39301.02").await;
    let mut doc = fetch(app, &token, &doc_id).await;
    // One sync, one chunk of raw changes (a document in use waits for 64): at rest the
    // village is one snapshot all the same.
    put(
        &mut doc,
        &[
            "households",
            "0c000000-0000-4000-8000-000000000000",
            "head_name",
        ],
        json!("Hộ 0"),
    );
    assert_eq!(sync(app, &token, &doc_id, &mut doc).await, Outcome::Synced);
    let chunks = |kind: &'static str| {
        let doc_id = doc_id.clone();
        async move {
            app.rows(&format!(
                "SELECT CAST(COUNT(*) AS TEXT) FROM doc_chunks WHERE document_id = '{doc_id}' AND kind = '{kind}'"
            ))
            .await[0][0]
                .clone()
                .unwrap()
        }
    };
    assert_eq!(chunks("changes").await, "1");
    // Evicted once the server has seen the last phone's socket close.
    for _ in 0..100 {
        app.hub.evict_idle(Duration::ZERO).await;
        if app.hub.loaded_documents() == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(app.hub.loaded_documents(), 0);
    assert_eq!(
        (chunks("changes").await, chunks("snapshot").await),
        ("0".into(), "1".into())
    );
    // Loaded again from the snapshot: every change is there.
    let mut again = fetch(app, &token, &doc_id).await;
    assert_eq!(heads(&mut again), heads(&mut doc));
}
