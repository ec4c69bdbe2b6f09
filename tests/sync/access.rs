//! Which documents a user may sync: no leaks of ids, doc-unavailable for the rest.

use automerge::AutoCommit;
use serde_json::json;

use crate::common::peer::{Outcome, RustPeer};
use crate::common::TestApp;
use crate::on_both_backends;
use crate::support::document_of;

on_both_backends!(
    document_lists_follow_assignments_and_scope,
    out_of_scope_documents_are_unavailable
);

async fn document_lists_follow_assignments_and_scope(app: &TestApp) {
    let villages = |docs: &serde_json::Value| -> Vec<(String, String)> {
        docs.as_array()
            .unwrap()
            .iter()
            .map(|d| {
                (
                    d["unit_code"].as_str().unwrap().to_string(),
                    d["access"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let (_, docs) = app
        .get("/api/v1/me/documents", &app.token("demo-enumerator").await)
        .await;
    assert_eq!(
        villages(&docs),
        [
            ("39301.01".into(), "read_write".into()),
            ("39301.02".into(), "read_write".into())
        ]
    );
    let (_, docs) = app
        .get("/api/v1/me/documents", &app.token("demo-lead").await)
        .await;
    assert_eq!(villages(&docs).len(), 4);
    assert!(villages(&docs)
        .iter()
        .all(|(v, a)| v.starts_with("39301.") && a == "read_write"));
    for user in ["demo-district", "demo-province", "demo-admin"] {
        let (status, docs) = app
            .get("/api/v1/me/documents", &app.token(user).await)
            .await;
        assert_eq!(
            (status.as_u16(), docs),
            (200, json!([])),
            "{user} reads aggregates, not documents"
        );
    }
}

async fn out_of_scope_documents_are_unavailable(app: &TestApp) {
    let lead = app.token("demo-lead").await;
    let enumerator = app.token("demo-enumerator").await;
    let not_assigned = document_of(app, &lead, "39301.03").await;
    let mut peer = RustPeer::connect(&app.ws_base(), &enumerator)
        .await
        .unwrap();
    let mut empty = AutoCommit::new();
    assert_eq!(
        peer.sync(&not_assigned, &mut empty).await,
        Outcome::Unavailable
    );
    // A well-formed id that no village has answers exactly the same.
    let unknown = khaosat::survey::new_document_id();
    assert_eq!(
        peer.sync(&unknown, &mut AutoCommit::new()).await,
        Outcome::Unavailable
    );
    // The same connection still syncs what the enumerator may.
    let mine = document_of(app, &enumerator, "39301.01").await;
    assert_eq!(
        peer.sync(&mine, &mut AutoCommit::new()).await,
        Outcome::Synced
    );
    // Another commune's lead cannot reach Nga Liên's documents.
    let admin = app.token("demo-admin").await;
    let (status, _) = app
        .post("/api/v1/users", &admin, json!({"username": "lead-tayho", "display_name": "Tổ trưởng", "password": "khaosat-demo", "role": "team_lead", "scope_unit": "38901"}))
        .await;
    assert_eq!(status, 201);
    let other = app.token("lead-tayho").await;
    let mut peer = RustPeer::connect(&app.ws_base(), &other).await.unwrap();
    assert_eq!(
        peer.sync(&mine, &mut AutoCommit::new()).await,
        Outcome::Unavailable
    );
    // The WebSocket itself needs a valid token.
    assert!(RustPeer::connect(&app.ws_base(), "forged.token.here")
        .await
        .is_err());
}
