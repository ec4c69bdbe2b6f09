//! The HTTP side of sync: "which of these documents changed since these heads".

use serde_json::json;

use crate::common::peer::Outcome;
use crate::common::TestApp;
use crate::on_both_backends;
use crate::support::{document_of, fetch, heads, put, sync};

on_both_backends!(changed_since_heads);

async fn changed_since_heads(app: &TestApp) {
    let token = app.token("demo-enumerator").await;
    let one = document_of(app, &token, "39301.01").await;
    let two = document_of(app, &token, "39301.02").await;
    let mut a = fetch(app, &token, &one).await;
    let mut b = fetch(app, &token, &two).await;
    let hidden = document_of(app, &app.token("demo-lead").await, "39301.03").await;
    let ask = |a: Vec<String>, b: Vec<String>| json!({"documents": {&one: a, &two: b, &hidden: [], "not-an-id": []}});

    let (status, report) = app
        .post(
            "/api/v1/documents/changed",
            &token,
            ask(heads(&mut a), heads(&mut b)),
        )
        .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["changed"], json!([]));
    let mut unavailable: Vec<String> =
        serde_json::from_value(report["unavailable"].clone()).unwrap();
    unavailable.sort();
    let mut expected = vec![hidden.clone(), "not-an-id".to_string()];
    expected.sort();
    assert_eq!(unavailable, expected);

    // Another phone changes village two: only that one is reported.
    let mut other = fetch(app, &token, &two).await;
    put(
        &mut other,
        &[
            "households",
            "3c2b1a00-0000-4000-8000-000000000009",
            "head_name",
        ],
        json!("Hộ mới"),
    );
    assert_eq!(sync(app, &token, &two, &mut other).await, Outcome::Synced);
    let (_, report) = app
        .post(
            "/api/v1/documents/changed",
            &token,
            ask(heads(&mut a), heads(&mut b)),
        )
        .await;
    assert_eq!(report["changed"], json!([two]));
    // The document list carries the server's heads too.
    let (_, docs) = app.get("/api/v1/me/documents", &token).await;
    let listed = docs
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["document_id"] == two)
        .unwrap()["heads"]
        .clone();
    assert_eq!(listed, json!(heads(&mut other)));
}
