//! The `khaosat` binary as a child process (to kill it, or to serve a restored database).

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::SECRET;

/// A port nobody listens on right now.
pub fn free_addr() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("free port");
    l.local_addr().expect("addr").to_string()
}

/// Starts `khaosat serve` on `database_url` and waits until it is ready; returns its WebSocket base.
pub async fn start_child(database_url: &str) -> (Child, String) {
    start_child_logging(database_url, "error", None).await
}

/// Like `start_child`, logging at `level` into `log` (stdout and stderr both) when given.
pub async fn start_child_logging(
    database_url: &str,
    level: &str,
    log: Option<&std::path::Path>,
) -> (Child, String) {
    let addr = free_addr();
    let (out, err) = match log {
        Some(path) => {
            let file = std::fs::File::create(path).expect("log file");
            let copy = file.try_clone().expect("log file");
            (Stdio::from(file), Stdio::from(copy))
        }
        None => (Stdio::null(), Stdio::null()),
    };
    let mut child = Command::new(env!("CARGO_BIN_EXE_khaosat"))
        .args(["serve", "--addr", &addr])
        .env("KHAOSAT_DATABASE_URL", database_url)
        .env("KHAOSAT_JWT_SECRET", std::str::from_utf8(SECRET).unwrap())
        .env("KHAOSAT_LOG", level)
        .stdout(out)
        .stderr(err)
        .spawn()
        .expect("start khaosat");
    let client = reqwest::Client::new();
    for _ in 0..200 {
        if client
            .get(format!("http://{addr}/readyz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return (child, format!("ws://{addr}"));
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    child.kill().ok();
    child.wait().ok();
    panic!("khaosat did not become ready on {addr}");
}
