//! The `khaosat` binary itself: `units import`, `user add`, `backup`, and the refusal to serve
//! without a JWT secret.

use std::process::Command;

use reqwest::StatusCode;

use crate::common::TestApp;
use crate::on_both_backends;

on_both_backends!(cli_imports_adds_users_and_backs_up);

fn khaosat(app: &TestApp, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_khaosat"))
        .args(args)
        .env("KHAOSAT_DATABASE_URL", &app.database_url)
        .env("KHAOSAT_LOG", "warn")
        .env_remove("KHAOSAT_JWT_SECRET")
        .output()
        .expect("run khaosat")
}

async fn cli_imports_adds_users_and_backs_up(app: &TestApp) {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "code,name,level,parent_code\n39302,Xã Nga Thái,commune,393\n39302.01,,village,39302\n",
    )
    .unwrap();
    let out = khaosat(app, &["units", "import", bad.to_str().unwrap()]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("line 3: name is empty"), "{stderr}");

    let good = dir.path().join("good.csv");
    std::fs::write(&good, "code,name,level,parent_code\n39302,Xã Nga Thái,commune,393\n39302.01,Thôn Đông,village,39302\n").unwrap();
    let out = khaosat(app, &["units", "import", good.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("2 unit(s) created"));

    let out = Command::new(env!("CARGO_BIN_EXE_khaosat"))
        .args([
            "user",
            "add",
            "--username",
            "xa-nga-thai",
            "--role",
            "commune",
            "--scope",
            "39302",
        ])
        .env("KHAOSAT_DATABASE_URL", &app.database_url)
        .env("KHAOSAT_USER_PASSWORD", "khaosat-demo")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = app.token("xa-nga-thai").await;
    let (status, unit) = app.get("/api/v1/units/39302.01", &token).await;
    assert_eq!(status, StatusCode::OK, "{unit}");

    // Serving without a secret outside demo mode is refused with the fix in the message.
    let out = khaosat(app, &["serve", "--addr", "127.0.0.1:0"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("KHAOSAT_JWT_SECRET"));

    // A backup taken while the server runs opens and holds the same data.
    if app.database_url.starts_with("sqlite") || which_pg_dump() {
        let backup = dir.path().join("backup.db");
        let out = khaosat(app, &["backup", backup.to_str().unwrap()]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(backup.metadata().unwrap().len() > 0);
        if app.database_url.starts_with("sqlite") {
            let copy = khaosat::store::Store::connect(&format!("sqlite://{}", backup.display()))
                .await
                .unwrap();
            assert!(copy.unit("39302.01").await.unwrap().is_some());
            assert!(copy
                .user_by_username("xa-nga-thai")
                .await
                .unwrap()
                .is_some());
            copy.close().await;
        }
        let again = khaosat(app, &["backup", backup.to_str().unwrap()]);
        assert!(
            !again.status.success(),
            "never overwrite an existing backup"
        );
    } else {
        eprintln!("SKIPPED (backup on postgres): pg_dump not installed");
    }
}

fn which_pg_dump() -> bool {
    Command::new("pg_dump")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}
