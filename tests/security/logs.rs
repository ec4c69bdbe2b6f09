//! Secrets never reach the logs: with every log level on, a session's passwords, access tokens
//! (also in the sync WebSocket's query string) and refresh tokens are not in the server's output.

use automerge::AutoCommit;
use serde_json::{json, Value};

use crate::common::child::start_child_logging;
use crate::common::peer::{Outcome, RustPeer};
use crate::common::{TestApp, PASSWORD};
use crate::on_both_backends;

on_both_backends!(no_secret_is_logged);

async fn no_secret_is_logged(app: &TestApp) {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("server.log");
    let (mut child, ws) = start_child_logging(&app.database_url, "trace", Some(&log)).await;
    let base = ws.replacen("ws://", "http://", 1);
    let client = reqwest::Client::new();
    let post = |path: &str, body: Value| client.post(format!("{base}{path}")).json(&body).send();
    // A wrong password, a right one, a refresh, API calls, a sync, a logout.
    post(
        "/api/v1/auth/login",
        json!({"username": "demo-lead", "password": "sai-mat-khau-bi-mat", "device_id": "log-test"}),
    )
    .await
    .unwrap();
    let pair: Value = post(
        "/api/v1/auth/login",
        json!({"username": "demo-lead", "password": PASSWORD, "device_id": "log-test"}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let first_refresh = pair["refresh_token"].as_str().unwrap().to_string();
    let pair: Value = post(
        "/api/v1/auth/refresh",
        json!({"refresh_token": first_refresh}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let access = pair["access_token"].as_str().unwrap().to_string();
    let refresh = pair["refresh_token"].as_str().unwrap().to_string();
    let documents: Value = client
        .get(format!("{base}/api/v1/me/documents"))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let document_id = documents[0]["document_id"].as_str().unwrap();
    let mut peer = RustPeer::connect(&ws, &access).await.unwrap();
    let mut doc = AutoCommit::new();
    assert_eq!(peer.sync(document_id, &mut doc).await, Outcome::Synced);
    // A refused socket with a forged token in the query string.
    assert!(RustPeer::connect(&ws, "forged.token.value-bi-mat")
        .await
        .is_err());
    client
        .post(format!("{base}/api/v1/auth/logout"))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    child.kill().ok();
    child.wait().ok();
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        text.contains("/api/v1/sync"),
        "the log has the requests: {text}"
    );
    for secret in [
        "sai-mat-khau-bi-mat",
        PASSWORD,
        &access,
        &access[access.len() - 20..],
        &refresh,
        &first_refresh,
        "forged.token.value-bi-mat",
    ] {
        assert!(!text.contains(secret), "secret {secret} in the log");
    }
}
