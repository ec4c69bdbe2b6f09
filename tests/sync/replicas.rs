//! Two server replicas on one PostgreSQL: phones connected to different replicas converge, and
//! simultaneous writes to one document through both replicas lose nothing.

use std::time::Duration;

use automerge::sync::State;
use serde_json::json;

use crate::common::peer::{Outcome, RustPeer};
use crate::common::TestApp;
use crate::support::{document_of, expected_rows, fetch, heads, projected_rows, put};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phones_on_two_replicas_converge() {
    let Some(app) = TestApp::start_with(crate::common::Db::Postgres, |_| {}).await else {
        return;
    };
    let (replica_ws, stop, server) = app.replica().await;
    let enumerator = app.token("demo-enumerator").await;
    let lead = app.token("demo-lead").await;
    let doc_id = document_of(&app, &enumerator, "39301.01").await;

    // Phone A on replica 1, phone B on replica 2, both connected and in sync.
    let mut a_doc = fetch(&app, &enumerator, &doc_id).await;
    let mut a = RustPeer::connect(&app.ws_base(), &enumerator)
        .await
        .unwrap();
    let mut a_state = State::new();
    assert_eq!(
        a.sync_with(&doc_id, &mut a_doc, &mut a_state).await,
        Outcome::Synced
    );
    let mut b = RustPeer::connect(&replica_ws, &lead).await.unwrap();
    let mut b_doc = automerge::AutoCommit::new();
    let mut b_state = State::new();
    assert_eq!(
        b.sync_with(&doc_id, &mut b_doc, &mut b_state).await,
        Outcome::Synced
    );

    // A writes through replica 1; B, connected to replica 2, receives it without asking.
    put(
        &mut a_doc,
        &[
            "households",
            "6a000000-0000-4000-8000-000000000001",
            "head_name",
        ],
        json!("Hộ qua bản sao 1"),
    );
    assert_eq!(
        a.sync_with(&doc_id, &mut a_doc, &mut a_state).await,
        Outcome::Synced
    );
    b.receive_updates(&doc_id, &mut b_doc, &mut b_state, Duration::from_secs(3))
        .await;
    assert_eq!(
        heads(&mut b_doc),
        heads(&mut a_doc),
        "the change reached the other replica's phone"
    );

    // Both write at the same moment through different replicas.
    for i in 0..5 {
        put(
            &mut a_doc,
            &[
                "households",
                &format!("6a000000-0000-4000-8000-0000000001{i:02}"),
                "head_name",
            ],
            json!(format!("A{i}")),
        );
        put(
            &mut b_doc,
            &[
                "households",
                &format!("6a000000-0000-4000-8000-0000000002{i:02}"),
                "head_name",
            ],
            json!(format!("B{i}")),
        );
    }
    let (ra, rb) = tokio::join!(
        a.sync_with(&doc_id, &mut a_doc, &mut a_state),
        b.sync_with(&doc_id, &mut b_doc, &mut b_state)
    );
    assert_eq!((ra, rb), (Outcome::Synced, Outcome::Synced));
    a.receive_updates(&doc_id, &mut a_doc, &mut a_state, Duration::from_secs(2))
        .await;
    b.receive_updates(&doc_id, &mut b_doc, &mut b_state, Duration::from_secs(2))
        .await;
    assert_eq!(heads(&mut a_doc), heads(&mut b_doc));
    let mut fresh = fetch(&app, &lead, &doc_id).await;
    assert_eq!(
        heads(&mut fresh),
        heads(&mut a_doc),
        "the store holds both replicas' writes"
    );
    assert_eq!(
        projected_rows(&app, "39301.01").await,
        expected_rows(&fresh)
    );
    assert_eq!(expected_rows(&fresh).0.len(), 11);

    stop.send(()).ok();
    server.await.unwrap().unwrap();
    app.finish().await;
}
