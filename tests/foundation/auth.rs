//! Login, silent refresh with rotation, logout, revocation of a lost phone, bad tokens.

use khaosat::auth::TokenKeys;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{message, TestApp};
use crate::on_both_backends;

on_both_backends!(
    login_refresh_logout,
    wrong_credentials_and_disabled_accounts,
    refresh_retry_within_grace_is_not_theft,
    refresh_replay_within_grace_leaves_one_chain,
    refresh_token_reuse_revokes_the_session => |c: &mut khaosat::Config| c.refresh_reuse_grace_secs = 0,
    expired_forged_and_missing_tokens_are_refused,
    lost_phone_is_revoked_alone,
);

async fn refresh(app: &TestApp, token: &str) -> (StatusCode, serde_json::Value) {
    app.call(
        Method::POST,
        "/api/v1/auth/refresh",
        None,
        Some(json!({"refresh_token": token})),
    )
    .await
}

async fn login_refresh_logout(app: &TestApp) {
    let pair = app.login_as("demo-enumerator", "phone-1").await;
    assert_eq!(pair["expires_in"], 900);
    assert_eq!(pair["token_type"], "Bearer");
    assert_eq!(pair["user"]["role"], "enumerator");
    let access = pair["access_token"].as_str().unwrap();
    let (status, me) = app.get("/api/v1/me", access).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["username"], "demo-enumerator");
    assert_eq!(me["scope_unit"], "39301");

    let (status, next) = refresh(app, pair["refresh_token"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{next}");
    assert_ne!(
        next["refresh_token"], pair["refresh_token"],
        "refresh must rotate the token"
    );
    let access2 = next["access_token"].as_str().unwrap();
    assert_eq!(app.get("/api/v1/me", access2).await.0, StatusCode::OK);

    let (status, _) = app
        .call(Method::POST, "/api/v1/auth/logout", Some(access2), None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = app.get("/api/v1/me", access2).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(message(&body).contains("signed out"), "{body}");
    let (status, _) = refresh(app, next["refresh_token"].as_str().unwrap()).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "refresh after logout must fail"
    );
}

async fn wrong_credentials_and_disabled_accounts(app: &TestApp) {
    let login = |u: &str, p: &str| json!({"username": u, "password": p, "device_id": "d"});
    let (s1, b1) = app
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(login("demo-lead", "wrong-password")),
        )
        .await;
    let (s2, b2) = app
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(login("nobody-here", "khaosat-demo")),
        )
        .await;
    assert_eq!(s1, StatusCode::UNAUTHORIZED);
    assert_eq!(s2, StatusCode::UNAUTHORIZED);
    assert_eq!(
        message(&b1),
        message(&b2),
        "an unknown user must look like a wrong password"
    );

    // The commune officer disables the enumerator: the live token and new logins stop working.
    let enumerator = app.token("demo-enumerator").await;
    let commune = app.token("demo-commune").await;
    let (_, me) = app.get("/api/v1/me", &enumerator).await;
    let id = me["id"].as_i64().unwrap();
    let (status, body) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/users/{id}"),
            Some(&commune),
            Some(json!({"disabled": true})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["disabled"], true);
    let (status, body) = app.get("/api/v1/me", &enumerator).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        body["error"]["code"], "device_revoked",
        "a disabled member's phones delete their data: {body}"
    );
    let (status, body) = app
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(login("demo-enumerator", "khaosat-demo")),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(message(&body).contains("disabled"), "{body}");
}

async fn refresh_retry_within_grace_is_not_theft(app: &TestApp) {
    // A phone whose first refresh answer was lost on a bad network retries with the same token.
    let pair = app.login_as("demo-lead", "phone-grace").await;
    let old = pair["refresh_token"].as_str().unwrap();
    assert_eq!(refresh(app, old).await.0, StatusCode::OK);
    let (status, retry) = refresh(app, old).await;
    assert_eq!(status, StatusCode::OK, "{retry}");
    assert_eq!(
        app.get("/api/v1/me", retry["access_token"].as_str().unwrap())
            .await
            .0,
        StatusCode::OK
    );
}

async fn refresh_replay_within_grace_leaves_one_chain(app: &TestApp) {
    // The token is used once, then replayed within the grace (a lost answer, or a copy).
    let pair = app.login_as("demo-lead", "phone-replay").await;
    let old = pair["refresh_token"].as_str().unwrap();
    let (status, first) = refresh(app, old).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let (status, replay) = refresh(app, old).await;
    assert_eq!(status, StatusCode::OK, "{replay}");
    // Each holder goes on refreshing with what it got: they must not both keep going on
    // different tokens (two live chains on one device session).
    let mut a = first["refresh_token"].as_str().unwrap().to_string();
    let mut b = replay["refresh_token"].as_str().unwrap().to_string();
    for round in 0..3 {
        let (status_a, next_a) = refresh(app, &a).await;
        let (status_b, next_b) = refresh(app, &b).await;
        if status_a != StatusCode::OK || status_b != StatusCode::OK {
            // One holder was cut off; the other, if any, is the only chain left.
            return;
        }
        a = next_a["refresh_token"].as_str().unwrap().to_string();
        b = next_b["refresh_token"].as_str().unwrap().to_string();
        assert_eq!(
            a, b,
            "round {round}: the first answer and the replay are two chains that both refresh"
        );
    }
}

async fn refresh_token_reuse_revokes_the_session(app: &TestApp) {
    let pair = app.login_as("demo-lead", "phone-stolen").await;
    let old = pair["refresh_token"].as_str().unwrap();
    let (status, next) = refresh(app, old).await;
    assert_eq!(status, StatusCode::OK);
    // Someone replays the old token: the whole device session dies, including the new tokens.
    let (status, body) = refresh(app, old).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(message(&body).contains("already used"), "{body}");
    assert_eq!(
        refresh(app, next["refresh_token"].as_str().unwrap())
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get("/api/v1/me", next["access_token"].as_str().unwrap())
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
}

async fn expired_forged_and_missing_tokens_are_refused(app: &TestApp) {
    let token = app.token("demo-commune").await;
    let (_, me) = app.get("/api/v1/me", &token).await;
    let (id, sid) = (
        me["id"].as_i64().unwrap(),
        me["session_id"].as_str().unwrap().to_string(),
    );
    let now = khaosat::clock::now();

    let expired = TokenKeys::new(b"test-secret-test-secret-test-secret!")
        .issue(id, &sid, now - 3600, 60)
        .unwrap();
    let (status, body) = app.get("/api/v1/me", &expired).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(message(&body).contains("expired"), "{body}");

    let forged = TokenKeys::new(b"someone-elses-secret-0123456789abcdef")
        .issue(id, &sid, now, 600)
        .unwrap();
    let (status, body) = app.get("/api/v1/me", &forged).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(message(&body).contains("invalid"), "{body}");

    for bad in ["garbage", "a.b.c", ""] {
        assert_eq!(
            app.get("/api/v1/me", bad).await.0,
            StatusCode::UNAUTHORIZED,
            "token {bad:?}"
        );
    }
    let (status, body) = app.call(Method::GET, "/api/v1/units", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(message(&body).contains("Authorization"), "{body}");
    let resp = app
        .client
        .get(format!("{}/api/v1/me", app.base))
        .header("authorization", "Basic Zm9vOmJhcg==")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
}

async fn lost_phone_is_revoked_alone(app: &TestApp) {
    let a = app.login_as("demo-enumerator", "phone-A").await;
    let b = app.login_as("demo-enumerator", "phone-B").await;
    let (a_access, b_access) = (
        a["access_token"].as_str().unwrap(),
        b["access_token"].as_str().unwrap(),
    );
    let (_, me) = app.get("/api/v1/me", a_access).await;
    let (id, sid_a) = (
        me["id"].as_i64().unwrap(),
        me["session_id"].as_str().unwrap().to_string(),
    );

    let admin = app.token("demo-admin").await;
    let (status, sessions) = app
        .get(&format!("/api/v1/users/{id}/sessions"), &admin)
        .await;
    assert_eq!(status, StatusCode::OK);
    let live: Vec<_> = sessions
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["revoked_at"].is_null())
        .collect();
    assert_eq!(live.len(), 2, "{sessions}");

    let (status, body) = app
        .call(
            Method::DELETE,
            &format!("/api/v1/users/{id}/sessions/{sid_a}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["revoked"], 1);
    // The phone is told it was revoked as lost (so it deletes its data), on every door.
    let (status, body) = app.get("/api/v1/me", a_access).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "device_revoked", "{body}");
    let (status, body) = refresh(app, a["refresh_token"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "device_revoked", "{body}");
    assert_eq!(
        app.get("/api/v1/me", b_access).await.0,
        StatusCode::OK,
        "the other phone keeps working"
    );

    // A team lead of another commune may not revoke this enumerator's phones.
    let (status, _) = app
        .post("/api/v1/users", &admin, json!({"username": "lead-tayho", "display_name": "Tổ trưởng Tây Hồ", "password": "khaosat-demo", "role": "team_lead", "scope_unit": "38901"}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let other_lead = app.token("lead-tayho").await;
    let (status, _) = app
        .call(
            Method::DELETE,
            &format!("/api/v1/users/{id}/sessions"),
            Some(&other_lead),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/api/v1/me", b_access).await.0, StatusCode::OK);
    // Their own team lead may.
    let lead = app.token("demo-lead").await;
    let (status, body) = app
        .call(
            Method::DELETE,
            &format!("/api/v1/users/{id}/sessions"),
            Some(&lead),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        app.get("/api/v1/me", b_access).await.0,
        StatusCode::UNAUTHORIZED
    );
}
