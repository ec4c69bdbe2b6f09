//! Secrets never reach the logs: with every log level on, a session's passwords, access tokens
//! (also in the sync WebSocket's query string) and refresh tokens are not in the server's output,
//! and neither is the personal data a phone syncs (names, phone numbers, citizen ID numbers), in
//! plain text or as a hex dump of a frame.

use automerge::AutoCommit;
use serde_json::{json, Value};

use crate::common::child::start_child_logging;
use crate::common::peer::{Outcome, RustPeer};
use crate::common::{TestApp, PASSWORD};
use crate::on_both_backends;
use crate::sync_support::put;

/// Personal data a phone records: a head of household, their phone number and a member's CCCD.
const HEAD_NAME: &str = "Lò Văn Khảo Bímật";
const MEMBER_NAME: &str = "Hà Thị Riêngtư";
const PHONE: &str = "0968112233";
const MEMBER_PHONE: &str = "0977445566";
const CCCD: &str = "038199012345";

fn hex(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02x}")).collect()
}

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
    // The phone records a household with personal data and syncs it.
    let household = "5b0c8a4e-1f0d-4c1e-9a51-2d7c1c0b9e11";
    let person = "7d3f2a10-6b4e-4f8a-8c2d-9e1b0a5c3f22";
    let h = |field: &'static str| vec!["households", household, field];
    put(&mut doc, &h("head_name"), json!(HEAD_NAME));
    put(&mut doc, &h("phone"), json!(PHONE));
    let p = |field: &'static str| vec!["households", household, "persons", person, field];
    put(&mut doc, &p("full_name"), json!(MEMBER_NAME));
    put(&mut doc, &p("phone"), json!(MEMBER_PHONE));
    put(&mut doc, &p("cccd"), json!(CCCD));
    put(&mut doc, &p("birth_year"), json!(1990));
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
    for personal in [HEAD_NAME, MEMBER_NAME, PHONE, MEMBER_PHONE, CCCD] {
        assert!(!text.contains(personal), "{personal} in the log");
        assert!(
            !text.contains(&hex(personal)),
            "{personal} in the log as hex"
        );
    }
}
