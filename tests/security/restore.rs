//! `khaosat backup` while phones sync, then a restore that loads and serves: SQLite's online
//! backup file is the database; PostgreSQL's pg_dump archive goes back with pg_restore. The
//! restored server has every change acknowledged before the backup began, signs people in, and
//! its SQL rows equal its documents' projection.

use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use automerge::{AutoCommit, ReadDoc};

use crate::common::child::start_child;
use crate::common::peer::{Outcome, RustPeer};
use crate::common::TestApp;
use crate::on_both_backends;
use crate::sync_support::{document_of, expected_rows, projected_rows_at};

on_both_backends!(backup_while_serving_restores_and_serves);

fn installed(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

async fn backup_while_serving_restores_and_serves(app: &TestApp) {
    let postgres = !app.database_url.starts_with("sqlite");
    if postgres && !(installed("pg_dump") && installed("pg_restore")) {
        eprintln!("SKIPPED (restore on postgres): pg_dump/pg_restore not installed");
        return;
    }
    let lead = app.token("demo-lead").await;
    let document_id = document_of(app, &lead, "39301.01").await;
    let mut doc = AutoCommit::new();
    let mut peer = RustPeer::connect(&app.ws_base(), &lead).await.unwrap();
    assert_eq!(peer.sync(&document_id, &mut doc).await, Outcome::Synced);
    for i in 0..20 {
        crate::matrix::record_household(&mut doc, &format!("trước sao lưu {i}"));
    }
    assert_eq!(peer.sync(&document_id, &mut doc).await, Outcome::Synced);
    let before = doc.get_heads();

    // A phone keeps syncing while the backup runs.
    let busy = Arc::new(AtomicBool::new(true));
    let writer = {
        let (busy, ws, lead, id) = (
            busy.clone(),
            app.ws_base(),
            lead.clone(),
            document_id.clone(),
        );
        let mut doc = doc.fork();
        tokio::spawn(async move {
            let mut peer = RustPeer::connect(&ws, &lead).await.unwrap();
            let mut n = 0;
            while busy.load(Ordering::Relaxed) {
                crate::matrix::record_household(&mut doc, &format!("trong lúc sao lưu {n}"));
                assert_eq!(peer.sync(&id, &mut doc).await, Outcome::Synced);
                n += 1;
            }
            n
        })
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(if postgres {
        "khaosat.dump"
    } else {
        "khaosat.db"
    });
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_khaosat"))
        .args(["backup", file.to_str().unwrap()])
        .env("KHAOSAT_DATABASE_URL", &app.database_url)
        .env("KHAOSAT_LOG", "warn")
        .output()
        .await
        .unwrap();
    busy.store(false, Ordering::Relaxed);
    let during = writer.await.unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Restore into a new database and serve it.
    let restored_url = if postgres {
        let (admin, _) = app.pg_admin.clone().unwrap();
        let name = format!("khaosat_restore_{}", uuid::Uuid::new_v4().simple());
        crate::common::pg_exec(&admin, &format!("CREATE DATABASE {name}")).await;
        let url = match admin.rfind('/') {
            Some(i) if i > "postgres://".len() => format!("{}/{name}", &admin[..i]),
            _ => format!("{admin}/{name}"),
        };
        let out = Command::new("pg_restore")
            .args([
                "--no-owner",
                "--exit-on-error",
                "--dbname",
                &url,
                file.to_str().unwrap(),
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        url
    } else {
        format!("sqlite://{}", file.display())
    };
    let (mut child, ws) = start_child(&restored_url).await;
    let base = ws.replacen("ws://", "http://", 1);
    let login: serde_json::Value = app
        .client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"username": "demo-lead", "password": crate::common::PASSWORD, "device_id": "after-restore"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["access_token"]
        .as_str()
        .expect("signs in on the restored server");
    let mut restored = AutoCommit::new();
    let mut peer = RustPeer::connect(&ws, token).await.unwrap();
    assert_eq!(
        peer.sync(&document_id, &mut restored).await,
        Outcome::Synced
    );
    for hash in &before {
        assert!(
            restored.get_change_by_hash(hash).is_some(),
            "change {hash} acknowledged before the backup"
        );
    }
    // Consistent: the restored rows are the projection of the restored document.
    assert_eq!(
        projected_rows_at(&restored_url, "39301.01").await,
        expected_rows(&restored)
    );
    let households = khaosat::survey::read::household_ids(&restored).len();
    eprintln!("restore: {households} households back, {during} syncs ran during the backup");
    assert!(households >= 20);
    let (status, _) = {
        let r = app
            .client
            .get(format!("{base}/api/v1/units/39301/indicators"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        (r.status(), ())
    };
    assert_eq!(status, 200);
    child.kill().ok();
    child.wait().ok();
    if postgres {
        let (admin, _) = app.pg_admin.clone().unwrap();
        let name = restored_url.rsplit('/').next().unwrap();
        crate::common::pg_exec(
            &admin,
            &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        )
        .await;
    }
}
