//! Sign-in throttling: wrong passwords lock the account (in the database, so every replica
//! sees it) with a clear message and Retry-After; one address is slowed down after a burst; a
//! new password set by a manager lifts the lock.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{TestApp, PASSWORD};
use crate::on_both_backends;

on_both_backends!(
    wrong_passwords_lock_the_account,
    one_address_is_slowed_down => |c: &mut Config| {
        c.login_ip_burst = 3;
        c.login_ip_per_minute = 1;
    },
    forwarded_address_counts_only_behind_a_proxy => |c: &mut Config| {
        c.login_ip_burst = 2;
        c.login_ip_per_minute = 1;
        c.trust_forwarded_for = true;
    },
);

async fn attempt(app: &TestApp, user: &str, password: &str) -> reqwest::Response {
    app.client
        .post(format!("{}/api/v1/auth/login", app.base))
        .json(&json!({"username": user, "password": password, "device_id": "phone-lock-test"}))
        .send()
        .await
        .unwrap()
}

async fn wrong_passwords_lock_the_account(app: &TestApp) {
    for i in 1..5 {
        let r = attempt(app, "demo-enumerator", "wrong-password").await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    // The fifth wrong password locks, and from then on even the right one is refused.
    let r = attempt(app, "demo-enumerator", "wrong-password").await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((800..=900).contains(&retry), "Retry-After {retry}");
    let body: serde_json::Value = r.json().await.unwrap();
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("locked") && message.contains("15 minutes"),
        "{message}"
    );
    let r = attempt(app, "demo-enumerator", PASSWORD).await;
    assert_eq!(
        r.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "right password while locked"
    );
    // Other accounts are not affected.
    assert_eq!(
        attempt(app, "demo-lead", PASSWORD).await.status(),
        StatusCode::OK
    );
    // The team lead sees the lock and lifts it by setting a new password.
    let lead = app.token("demo-lead").await;
    let (_, users) = app.get("/api/v1/users", &lead).await;
    let me = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "demo-enumerator")
        .unwrap_or_else(|| panic!("{users}"))
        .clone();
    assert!(me["locked_until"].is_string(), "{me}");
    let (status, body) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/users/{}", me["id"]),
            Some(&lead),
            Some(json!({"password": "mat-khau-moi-2026"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.get("locked_until").is_none(), "{body}");
    assert_eq!(
        attempt(app, "demo-enumerator", "mat-khau-moi-2026")
            .await
            .status(),
        StatusCode::OK
    );
    // A good sign-in clears the count: four wrong ones later do not lock.
    for _ in 0..4 {
        assert_eq!(
            attempt(app, "demo-enumerator", "wrong").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        attempt(app, "demo-enumerator", "mat-khau-moi-2026")
            .await
            .status(),
        StatusCode::OK
    );
}

async fn one_address_is_slowed_down(app: &TestApp) {
    // Three attempts from this address pass to the password check (whatever the username)…
    for user in ["nobody-1", "nobody-2", "demo-lead"] {
        let r = attempt(app, user, "guess").await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{user}");
    }
    // …then the address must wait, even with a right password, and is told how long.
    let r = attempt(app, "demo-commune", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "Retry-After {retry}");
    let body: serde_json::Value = r.json().await.unwrap();
    assert!(
        body["error"]["message"].as_str().unwrap().contains("wait"),
        "{body}"
    );
    // Refused by address, not by account: the accounts tried are not locked.
    let rows = app
        .rows("SELECT username FROM users WHERE locked_until IS NOT NULL")
        .await;
    assert!(rows.is_empty(), "{rows:?}");
}

async fn forwarded_address_counts_only_behind_a_proxy(app: &TestApp) {
    let from = |ip: &'static str| {
        app.client
            .post(format!("{}/api/v1/auth/login", app.base))
            .header("x-forwarded-for", format!("203.0.113.9, {ip}"))
            .json(&json!({"username": "nobody", "password": "x", "device_id": "phone-proxy"}))
    };
    for _ in 0..2 {
        let status = from("198.51.100.1").send().await.unwrap().status();
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let status = from("198.51.100.1").send().await.unwrap().status();
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    // The last hop is what the proxy saw; another client behind it has its own allowance.
    let status = from("198.51.100.2").send().await.unwrap().status();
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
