//! Malformed frames, invalid Automerge bytes and oversized messages answer that exchange with
//! an error (or close the socket) and never crash the server or corrupt a document.

use automerge::sync::SyncDoc;
use automerge::AutoCommit;
use ciborium::Value;
use khaosat::sync::wire::{DocumentId, WireMessage};
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

use crate::common::peer::{Outcome, RustPeer};
use crate::common::TestApp;
use crate::on_both_backends;
use crate::support::{document_of, fetch, heads, put, sync};

on_both_backends!(
    bad_frames_get_errors_and_nothing_breaks,
    oversized_messages_close_the_socket
);

async fn expect_error(peer: &mut RustPeer, hint: &str) {
    let reply = peer
        .recv(std::time::Duration::from_secs(5))
        .await
        .expect("an answer");
    let WireMessage::Error { message, .. } = reply else {
        panic!("expected an error, got {reply:?}");
    };
    assert!(message.contains(hint), "expected '{hint}' in '{message}'");
}

async fn bad_frames_get_errors_and_nothing_breaks(app: &TestApp) {
    let token = app.token("demo-enumerator").await;
    let doc_id = document_of(app, &token, "39301.01").await;
    let mut good = fetch(app, &token, &doc_id).await;
    put(
        &mut good,
        &[
            "households",
            "0d7e7f1a-0000-4000-8000-000000000001",
            "head_name",
        ],
        json!("Hộ thử"),
    );
    assert_eq!(sync(app, &token, &doc_id, &mut good).await, Outcome::Synced);
    let before = heads(&mut good);

    let mut peer = RustPeer::connect(&app.ws_base(), &token).await.unwrap();
    assert!(
        peer.send_raw(Message::Text("{\"type\":\"sync\"}".into()))
            .await
    );
    expect_error(&mut peer, "binary").await;
    assert!(
        peer.send_raw(Message::Binary(vec![0xff, 0x00, 0x13].into()))
            .await
    );
    expect_error(&mut peer, "unreadable").await;
    let document_id: DocumentId = doc_id.parse().unwrap();
    let base = WireMessage::sync(
        &peer.peer_id,
        &peer.server_peer_id,
        &document_id,
        vec![0x42, 0x13, 0x37, 0x00],
    );
    peer.send(&base).await;
    expect_error(&mut peer, "invalid Automerge sync message").await;
    // The typed messages cannot be malformed: these two are written by hand.
    let (sender, target) = (peer.peer_id.to_string(), peer.server_peer_id.to_string());
    let sync_fields = |document_id: Option<&str>, data: Option<Vec<u8>>| {
        let mut fields = vec![
            ("type", Value::Text("sync".into())),
            ("senderId", Value::Text(sender.clone())),
            ("targetId", Value::Text(target.clone())),
        ];
        fields.extend(document_id.map(|d| ("documentId", Value::Text(d.into()))));
        fields.extend(data.map(|d| ("data", Value::Bytes(d))));
        let map = fields
            .into_iter()
            .map(|(k, v)| (Value::Text(k.into()), v))
            .collect();
        let mut frame = Vec::new();
        ciborium::into_writer(&Value::Map(map), &mut frame).unwrap();
        Message::Binary(frame.into())
    };
    let no_doc = sync_fields(Some("not-a-document"), Some(vec![0x42, 0x13, 0x37, 0x00]));
    assert!(peer.send_raw(no_doc).await);
    expect_error(&mut peer, "documentId").await;
    let no_data = sync_fields(Some(&doc_id), None);
    assert!(peer.send_raw(no_data).await);
    expect_error(&mut peer, "data").await;
    // A well-formed sync message claiming heads nobody has.
    let mut empty = AutoCommit::new();
    let mut state = automerge::sync::State::new();
    let mut bogus = empty.sync().generate_sync_message(&mut state).unwrap();
    bogus.heads = vec![automerge::ChangeHash([7; 32])];
    let with_garbage = WireMessage::sync(
        &peer.peer_id,
        &peer.server_peer_id,
        &document_id,
        bogus.encode(),
    );
    peer.send(&with_garbage).await;
    // Either answered or ignored; what matters is what follows.
    let _ = peer.recv(std::time::Duration::from_millis(500)).await;

    // The same connection still syncs, and the document is intact.
    let mut copy = AutoCommit::new();
    assert_eq!(peer.sync(&doc_id, &mut copy).await, Outcome::Synced);
    assert_eq!(heads(&mut copy), before);
    assert_eq!(app.get("/api/v1/me", &token).await.0, 200);
}

async fn oversized_messages_close_the_socket(app: &TestApp) {
    let token = app.token("demo-enumerator").await;
    let doc_id = document_of(app, &token, "39301.01").await;
    let mut peer = RustPeer::connect(&app.ws_base(), &token).await.unwrap();
    let huge = WireMessage::sync(
        &peer.peer_id,
        &peer.server_peer_id,
        &doc_id.parse().unwrap(),
        vec![0x42; 17 * 1024 * 1024],
    );
    // Refused while sending or right after: either way the connection ends.
    let _ = peer.send_raw(Message::Binary(huge.encode().into())).await;
    assert!(
        peer.closed_within(std::time::Duration::from_secs(10)).await,
        "an oversized frame ends the connection"
    );
    // The server is fine and the document still syncs.
    let mut copy = AutoCommit::new();
    let mut again = RustPeer::connect(&app.ws_base(), &token).await.unwrap();
    assert_eq!(again.sync(&doc_id, &mut copy).await, Outcome::Synced);
}
