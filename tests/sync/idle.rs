//! An idle reconnect costs next to nothing: a phone that comes back with its saved sync state
//! and nothing new gets no answer at all, while one with something to say, or without a saved
//! state, is answered as before. (And the writer's held time counts the writes.)

use std::time::Duration;

use automerge::sync::{self, SyncDoc};
use khaosat::sync::wire::{DocumentId, WireMessage};
use serde_json::json;

use crate::common::peer::{Outcome, RustPeer};
use crate::common::TestApp;
use crate::on_both_backends;
use crate::support::{document_of, fetch, put};

on_both_backends!(an_up_to_date_phone_is_not_answered);

/// Sends the phone's opening sync message on a new connection; returns what the server said
/// within a second (`None`: nothing).
async fn reconnect(
    app: &TestApp,
    token: &str,
    doc_id: &str,
    phone: &mut automerge::AutoCommit,
    state: &mut sync::State,
) -> (RustPeer, Option<WireMessage>) {
    let mut peer = RustPeer::connect(&app.ws_base(), token).await.unwrap();
    let id: DocumentId = doc_id.parse().unwrap();
    let opening = phone
        .sync()
        .generate_sync_message(state)
        .expect("a reconnecting phone always opens with its heads");
    peer.send(&WireMessage::sync(
        &peer.peer_id,
        &peer.server_peer_id,
        &id,
        opening.encode(),
    ))
    .await;
    let answer = peer.recv(Duration::from_secs(1)).await;
    (peer, answer)
}

async fn an_up_to_date_phone_is_not_answered(app: &TestApp) {
    let token = app.token("demo-enumerator").await;
    let doc_id = document_of(app, &token, "39301.01").await;
    let mut phone = fetch(app, &token, &doc_id).await;
    put(
        &mut phone,
        &[
            "households",
            "c0000000-0000-4000-8000-000000000001",
            "head_name",
        ],
        json!("Hộ 1"),
    );
    let mut peer = RustPeer::connect(&app.ws_base(), &token).await.unwrap();
    let mut state = sync::State::new();
    assert_eq!(
        peer.sync_with(&doc_id, &mut phone, &mut state).await,
        Outcome::Synced
    );
    drop(peer);
    let saved = state.encode();

    // Saved state, nothing new on either side: silence.
    let mut state = sync::State::decode(&saved).unwrap();
    let (_, answer) = reconnect(app, &token, &doc_id, &mut phone, &mut state).await;
    assert!(answer.is_none(), "nothing to say, yet: {answer:?}");

    // Without a saved state the server still says where it stands.
    let mut fresh = sync::State::new();
    let (_, answer) = reconnect(app, &token, &doc_id, &mut phone, &mut fresh).await;
    assert!(
        matches!(answer, Some(WireMessage::Sync { .. })),
        "{answer:?}"
    );

    // Saved state, but the server moved on since (another phone's change): answered with it.
    let mut other = fetch(app, &token, &doc_id).await;
    put(
        &mut other,
        &[
            "households",
            "c0000000-0000-4000-8000-000000000002",
            "head_name",
        ],
        json!("Hộ 2"),
    );
    let mut other_peer = RustPeer::connect(&app.ws_base(), &token).await.unwrap();
    assert_eq!(other_peer.sync(&doc_id, &mut other).await, Outcome::Synced);
    let mut state = sync::State::decode(&saved).unwrap();
    let (mut peer, answer) = reconnect(app, &token, &doc_id, &mut phone, &mut state).await;
    let Some(WireMessage::Sync { data, .. }) = answer else {
        panic!("the server has news for the phone: {answer:?}");
    };
    phone
        .sync()
        .receive_sync_message(&mut state, sync::Message::decode(&data).unwrap())
        .unwrap();
    // The phone asks for what it lacks and gets the other phone's household.
    let mut got = false;
    for _ in 0..5 {
        if let Some(m) = phone.sync().generate_sync_message(&mut state) {
            peer.send(&WireMessage::sync(
                &peer.peer_id,
                &peer.server_peer_id,
                &doc_id.parse::<DocumentId>().unwrap(),
                m.encode(),
            ))
            .await;
        }
        if let Some(WireMessage::Sync { data, .. }) = peer.recv(Duration::from_secs(5)).await {
            phone
                .sync()
                .receive_sync_message(&mut state, sync::Message::decode(&data).unwrap())
                .unwrap();
        }
        if phone.get_heads() == other.get_heads() {
            got = true;
            break;
        }
    }
    assert!(got, "the phone caught up with the other phone's change");

    // The two phones' writes are counted in the writer's held time the harness reads.
    let (status, ready) = app.get("/readyz", &token).await;
    assert_eq!(status, 200, "{ready}");
    let w = &ready["writer"];
    assert!(w["commits"].as_u64().unwrap() >= 2, "{ready}");
    let (total, max) = (
        w["held_ms_total"].as_f64().unwrap(),
        w["held_ms_max"].as_f64().unwrap(),
    );
    assert!(total > 0.0 && max > 0.0 && max <= total, "{ready}");
}
