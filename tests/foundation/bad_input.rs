//! Bad input gets a 4xx with a message a person can act on, never a 500.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{message, TestApp};
use crate::on_both_backends;

on_both_backends!(
    malformed_requests_get_clear_errors,
    oversized_bodies_are_refused => |c: &mut khaosat::Config| { c.json_body_limit = 4096; c.upload_body_limit = 8192; },
    probes_and_openapi,
);

async fn malformed_requests_get_clear_errors(app: &TestApp) {
    let admin = app.token("demo-admin").await;
    // (method, path, content type, body, expected status, words the message must contain)
    type Case<'a> = (Method, &'a str, &'a str, Vec<u8>, StatusCode, &'a str);
    let cases: Vec<Case> = vec![
        (
            Method::POST,
            "/api/v1/auth/login",
            "application/json",
            b"{\"username\": \"x\",".to_vec(),
            StatusCode::BAD_REQUEST,
            "not valid JSON",
        ),
        (
            Method::POST,
            "/api/v1/auth/login",
            "application/json",
            b"{\"username\":\"a\",\"password\":\"b\",\"device_id\":\"c\",\"admin\":true}".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown field `admin`",
        ),
        (
            Method::POST,
            "/api/v1/auth/login",
            "application/json",
            b"{\"username\":1,\"password\":\"b\",\"device_id\":\"c\"}".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid type",
        ),
        (
            Method::POST,
            "/api/v1/auth/login",
            "application/json",
            b"{\"username\":\"a\"}".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "missing field `password`",
        ),
        (
            Method::POST,
            "/api/v1/auth/login",
            "text/plain",
            b"{}".to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "application/json",
        ),
        (
            Method::POST,
            "/api/v1/auth/login",
            "application/json",
            vec![0xff, 0x00, 0xfe],
            StatusCode::BAD_REQUEST,
            "not valid JSON",
        ),
        (
            Method::POST,
            "/api/v1/auth/login",
            "application/json",
            b"{\"username\":\"a\",\"password\":\"b\",\"device_id\":\"bad device id!\"}".to_vec(),
            StatusCode::BAD_REQUEST,
            "device_id",
        ),
    ];
    for (method, path, content_type, body, expected, hint) in cases {
        let (status, reply) = app
            .send_raw(method, path, Some(&admin), content_type, body)
            .await;
        assert_eq!(status, expected, "{path}: {reply}");
        assert!(
            message(&reply).contains(hint),
            "expected '{hint}' in {reply}"
        );
    }
    let (status, body) = app.get("/api/v1/users/not-a-number", &admin).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) = app.get("/api/v1/units?level=hamlet", &admin).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(message(&body).contains("bad query string"));
    let (status, body) = app.get("/api/v1/units?colour=red", &admin).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "unknown query parameters are named: {body}"
    );
    let (status, body) = app.get("/api/v1/no-such-thing", &admin).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(message(&body).contains("openapi.json"));
    let (status, body) = app
        .call(Method::DELETE, "/api/v1/units", Some(&admin), None)
        .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(body["error"]["code"], "method_not_allowed");
    let (status, body) = app.post("/api/v1/users", &admin, json!({"username": "Bad Name", "display_name": "x", "password": "longenough", "role": "enumerator", "scope_unit": "39301"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(message(&body).contains("lower-case"), "{body}");
    let (status, body) = app.post("/api/v1/users", &admin, json!({"username": "short-pw", "display_name": "x", "password": "123", "role": "enumerator", "scope_unit": "39301"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(message(&body).contains("at least 8"), "{body}");
    let (status, _) = app.post("/api/v1/users", &admin, json!({"username": "role-x", "display_name": "x", "password": "longenough", "role": "king", "scope_unit": "39301"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn oversized_bodies_are_refused(app: &TestApp) {
    let admin = app.token("demo-admin").await;
    let huge = json!({"username": "x".repeat(10_000), "password": "p", "device_id": "d"});
    let (status, body) = app
        .call(Method::POST, "/api/v1/auth/login", None, Some(huge))
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert!(message(&body).contains("too large"));
    let mut csv = String::from("code,name,level,parent_code\n");
    for i in 0..500 {
        csv.push_str(&format!("39301.{i:03},Thôn {i},village,39301\n"));
    }
    let (status, body) = app
        .send_raw(
            Method::POST,
            "/api/v1/units/import",
            Some(&admin),
            "text/csv",
            csv.into_bytes(),
        )
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    // The server is still fine afterwards.
    assert_eq!(app.get("/api/v1/me", &admin).await.0, StatusCode::OK);
}

async fn probes_and_openapi(app: &TestApp) {
    let (status, body) = app.call(Method::GET, "/healthz", None, None).await;
    assert_eq!(
        (status, body["status"].clone()),
        (StatusCode::OK, json!("ok"))
    );
    let (status, body) = app.call(Method::GET, "/readyz", None, None).await;
    assert_eq!(
        (status, body["status"].clone()),
        (StatusCode::OK, json!("ready"))
    );
    let (status, spec) = app
        .call(Method::GET, "/api/v1/openapi.json", None, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    for path in [
        "/api/v1/auth/login",
        "/api/v1/auth/refresh",
        "/api/v1/units/{code}/merge",
        "/api/v1/assignments",
        "/api/v1/households/import",
        "/api/v1/households/import/{job}",
        "/api/v1/campaigns/current",
        "/api/v1/survey/draft/publish",
        "/api/v1/indicators/{id}",
        "/api/v1/units/{code}/raw-data.xlsx",
        "/readyz",
    ] {
        assert!(spec["paths"][path].is_object(), "openapi lacks {path}");
    }
    assert!(spec["components"]["schemas"]["TokenPair"].is_object());
    assert!(spec["components"]["schemas"]["ImportJobStatus"].is_object());
    assert!(spec["paths"]["/api/v1/households/import"]["post"]["responses"]["202"].is_object());
    assert!(spec["components"]["securitySchemes"]["bearer"].is_object());

    // The PWA (or, in a binary built without it, a page saying so) with strict headers; app
    // routes fall back to it, missing files and API paths do not.
    for path in ["/", "/villages/39301.01"] {
        let resp = app
            .client
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{path}");
        let csp = resp.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_string();
        let script_src = csp
            .split(';')
            .find(|d| d.trim().starts_with("script-src"))
            .unwrap_or_default();
        assert!(
            script_src.contains("'self'") && !script_src.contains("unsafe-inline"),
            "no inline script: {csp}"
        );
        assert_eq!(resp.headers()["x-content-type-options"], "nosniff");
        assert!(resp
            .text()
            .await
            .unwrap()
            .to_lowercase()
            .starts_with("<!doctype html"));
    }
    let resp = app
        .client
        .get(format!("{}/assets/no-such-file.js", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
}
