//! The HTTP layer under abuse: connections that never finish their headers are closed, API
//! answers are never cached or sniffed, and a huge invalid upload gets a short answer.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::common::{message, TestApp, PASSWORD};
use crate::on_both_backends;

on_both_backends!(
    slow_headers_are_cut_off => |c: &mut Config| c.header_read_timeout = std::time::Duration::from_secs(2),
    api_answers_are_not_cached_or_sniffed,
    a_huge_invalid_csv_gets_a_short_answer,
);

/// Connections that send half a request line and then nothing.
const SLOW_CONNECTIONS: usize = 300;

async fn slow_headers_are_cut_off(app: &TestApp) {
    let addr = app.base.trim_start_matches("http://").to_string();
    let mut slow = Vec::with_capacity(SLOW_CONNECTIONS);
    for _ in 0..SLOW_CONNECTIONS {
        let mut stream = TcpStream::connect(&addr).await.expect("connect");
        stream
            .write_all(b"GET /api/v1/me HTTP/1.1\r\nHost: kh")
            .await
            .expect("write a partial request");
        slow.push(stream);
    }
    // Everyone else is still served while they hang on.
    let (status, body) = app
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"username": "demo-lead", "password": PASSWORD, "device_id": "slow-test"})),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "login among slow connections: {body}"
    );
    // Then the server closes every one of them (the timeout is 2 s; 20 s is only a bound).
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let mut open = 0;
    for mut stream in slow {
        let mut buf = [0u8; 1024];
        let closed = tokio::time::timeout_at(deadline, async {
            loop {
                match stream.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    // hyper may answer 408 before closing; read on to the end.
                    Ok(_) => continue,
                }
            }
        })
        .await;
        if closed.is_err() {
            open += 1;
        }
    }
    assert_eq!(
        open, 0,
        "{open} of {SLOW_CONNECTIONS} connections with unfinished headers are still open"
    );
}

fn assert_private(what: &str, resp: &reqwest::Response) {
    let h = resp.headers();
    assert_eq!(
        h.get("cache-control").and_then(|v| v.to_str().ok()),
        Some("no-store"),
        "{what}: Cache-Control"
    );
    assert_eq!(
        h.get("x-content-type-options")
            .and_then(|v| v.to_str().ok()),
        Some("nosniff"),
        "{what}: X-Content-Type-Options"
    );
}

async fn api_answers_are_not_cached_or_sniffed(app: &TestApp) {
    let url = |path: &str| format!("{}{path}", app.base);
    let login = app
        .client
        .post(url("/api/v1/auth/login"))
        .json(&json!({"username": "demo-commune", "password": PASSWORD, "device_id": "cache-test"}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::OK);
    assert_private("login", &login);
    let pair: serde_json::Value = login.json().await.unwrap();
    let refresh = app
        .client
        .post(url("/api/v1/auth/refresh"))
        .json(&json!({"refresh_token": pair["refresh_token"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(refresh.status(), StatusCode::OK);
    assert_private("refresh", &refresh);
    let pair: serde_json::Value = refresh.json().await.unwrap();
    let token = pair["access_token"].as_str().unwrap();
    let user_id = pair["user"]["id"].as_i64().unwrap();
    for path in [
        "/api/v1/me".to_string(),
        "/api/v1/users".to_string(),
        format!("/api/v1/users/{user_id}"),
        "/api/v1/units/39301".to_string(),
    ] {
        let resp = app
            .client
            .get(url(&path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{path}");
        assert_private(&path, &resp);
    }
    // Errors too: a missing token, an unknown API path, a wrong password.
    let resp = app.client.get(url("/api/v1/me")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert_private("401", &resp);
    let resp = app
        .client
        .get(url("/api/v1/no-such-thing"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert_private("404", &resp);
    let resp = app
        .client
        .post(url("/api/v1/auth/login"))
        .json(&json!({"username": "demo-commune", "password": "wrong", "device_id": "cache-test"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert_private("wrong password", &resp);
    // The app's pages may only connect back to their own origin.
    for path in ["/", "/villages/39301.01"] {
        let resp = app.client.get(url(path)).send().await.unwrap();
        let csp = resp.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_string();
        let connect = csp
            .split(';')
            .map(str::trim)
            .find(|d| d.starts_with("connect-src"))
            .unwrap_or_default()
            .to_string();
        assert_eq!(connect, "connect-src 'self'", "{csp}");
        for directive in csp.split(';') {
            for source in directive.split_whitespace() {
                assert!(
                    !matches!(source, "ws:" | "wss:" | "http:" | "https:" | "*"),
                    "a source matching any host in {csp}"
                );
            }
        }
    }
}

/// Lines in the invalid upload.
const BAD_LINES: usize = 50_000;

async fn a_huge_invalid_csv_gets_a_short_answer(app: &TestApp) {
    let admin = app.token("demo-admin").await;
    let units_before = app.rows("SELECT CAST(COUNT(*) AS TEXT) FROM units").await;
    let mut csv = String::from("code,name,level,parent_code\n");
    for i in 0..BAD_LINES {
        csv.push_str(&format!("bad code {i},Thôn {i},hamlet,39301\n"));
    }
    let resp = app
        .client
        .post(format!("{}/api/v1/units/import", app.base))
        .bearer_auth(&admin)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let text = resp.text().await.unwrap();
    assert!(
        text.len() < 64 * 1024,
        "the error body is {} bytes",
        text.len()
    );
    let body: serde_json::Value = serde_json::from_str(&text).unwrap();
    let details = body["error"]["details"].as_array().unwrap();
    assert!(
        !details.is_empty() && details.len() <= 100,
        "{} details",
        details.len()
    );
    assert!(
        details[0].as_str().unwrap().starts_with("line 2:"),
        "the first problems come first: {}",
        details[0]
    );
    let msg = message(&body);
    assert!(
        msg.contains("50000") || msg.contains("50,000"),
        "the message gives the total: {msg}"
    );
    assert!(msg.contains("first 100"), "{msg}");
    assert_eq!(
        app.rows("SELECT CAST(COUNT(*) AS TEXT) FROM units").await,
        units_before,
        "nothing was written"
    );
}
