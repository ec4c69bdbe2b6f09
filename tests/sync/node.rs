//! The stock `@automerge/automerge-repo` client (Node, WebSocket adapter, file storage) syncs
//! with the server: two phones edit offline and converge with the Rust peer's view and SQL.

use std::path::Path;
use std::process::Command;

use serde_json::{json, Value};

use crate::common::TestApp;
use crate::on_both_backends;
use crate::support::{document_of, expected_rows, fetch, heads, projected_rows};

on_both_backends!(stock_clients_converge_offline_edits);

fn node_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/node")
}

/// Whether the Node peer can run (npm packages installed); says so loudly when not.
pub(crate) fn node_ready() -> bool {
    let ok = node_dir()
        .join("node_modules/@automerge/automerge-repo")
        .exists()
        && Command::new("node")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("SKIPPED (stock client): run `npm ci` in tests/node (scripts/test does it)");
    }
    ok
}

/// Runs the stock client; returns its JSON answer.
pub(crate) fn peer(dir: &Path, doc: &str, url: Option<&str>, ops: Option<Value>) -> Value {
    let mut cmd = Command::new("node");
    cmd.arg(node_dir().join("peer.mjs"))
        .arg("--dir")
        .arg(dir)
        .arg("--doc")
        .arg(doc);
    if let Some(url) = url {
        cmd.arg("--url").arg(url);
    }
    if let Some(ops) = ops {
        cmd.arg("--ops").arg(ops.to_string());
    }
    let out = cmd.output().expect("run node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "node peer failed: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(stdout.lines().last().unwrap_or_default()).expect("json answer")
}

/// Two stock-client phones on Thôn 2 (39301.02): the enumerator's (`a`) and the lead's (`b`),
/// each with its storage directory and sync address.
pub(crate) struct TwoPhones {
    pub doc: String,
    pub a: std::path::PathBuf,
    pub b: std::path::PathBuf,
    pub url_a: String,
    pub url_b: String,
    /// The lead's access token (signing in again on the same device would end this session).
    pub lead: String,
    /// Holds the phones' storage until the test ends.
    pub dirs: tempfile::TempDir,
}

pub(crate) async fn two_phones(app: &TestApp) -> TwoPhones {
    let enumerator = app.token("demo-enumerator").await;
    let lead = app.token("demo-lead").await;
    let dirs = tempfile::tempdir().unwrap();
    TwoPhones {
        doc: document_of(app, &enumerator, "39301.02").await,
        a: dirs.path().join("phone-a"),
        b: dirs.path().join("phone-b"),
        url_a: format!("{}/api/v1/sync?token={enumerator}", app.ws_base()),
        url_b: format!("{}/api/v1/sync?token={lead}", app.ws_base()),
        lead,
        dirs,
    }
}

async fn stock_clients_converge_offline_edits(app: &TestApp) {
    if !node_ready() {
        return;
    }
    let TwoPhones {
        doc,
        a,
        b,
        url_a,
        url_b,
        lead,
        dirs,
    } = two_phones(app).await;
    let h = "9e8d7c6b-0000-4000-8000-0000000000a1";
    let p = "9e8d7c6b-0000-4000-8000-0000000000b1";

    // Both phones load the village while online.
    let first = peer(
        &a,
        &doc,
        Some(&url_a),
        Some(json!([
            {"path": ["households", h], "value": {"head_name": "Phạm Văn Tùng", "address": "Thôn 2", "persons": {p: {"full_name": "Phạm Văn Tùng", "birth_year": 1980}}}}
        ])),
    );
    assert_eq!(first["doc"]["households"][h]["head_name"], "Phạm Văn Tùng");
    peer(&b, &doc, Some(&url_b), None);

    // Offline, each edits different fields of the same person and household.
    peer(
        &a,
        &doc,
        None,
        Some(json!([{"path": ["households", h, "persons", p, "has_smartphone"], "value": true}])),
    );
    peer(
        &b,
        &doc,
        None,
        Some(json!([
            {"path": ["households", h, "persons", p, "vneid_level"], "value": 2},
            {"path": ["households", h, "pays_electricity_cashless"], "value": false}
        ])),
    );

    // Back online: A, then B, then A again to receive B's edit.
    peer(&a, &doc, Some(&url_a), None);
    let end_b = peer(&b, &doc, Some(&url_b), None);
    let end_a = peer(&a, &doc, Some(&url_a), None);
    assert_eq!(end_a["heads"], end_b["heads"], "the stock clients converge");
    assert_eq!(end_a["doc"], end_b["doc"]);
    let person = &end_a["doc"]["households"][h]["persons"][p];
    assert_eq!(
        (
            person["has_smartphone"].clone(),
            person["vneid_level"].clone()
        ),
        (json!(true), json!(2))
    );

    // The Rust peer sees the same document, and SQL holds its projection.
    let mut rust = fetch(app, &lead, &doc).await;
    assert_eq!(json!(heads(&mut rust)), end_a["heads"]);
    assert_eq!(projected_rows(app, "39301.02").await, expected_rows(&rust));
    let rows = app.rows(&format!("SELECT CAST(has_smartphone AS TEXT), CAST(vneid_level AS TEXT) FROM persons WHERE id = '{p}'")).await;
    assert_eq!(
        rows,
        vec![vec![Some("1".to_string()), Some("2".to_string())]]
    );

    // A village the enumerator is not assigned is unavailable to the stock client too.
    let hidden = document_of(app, &lead, "39301.03").await;
    let mut cmd = Command::new("node");
    cmd.arg(node_dir().join("peer.mjs")).args([
        "--dir",
        dirs.path().join("phone-c").to_str().unwrap(),
        "--doc",
        &hidden,
        "--url",
        &url_a,
        "--expect-unavailable",
    ]);
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
