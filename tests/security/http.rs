//! The HTTP layer under abuse: a huge invalid upload gets a short answer.

use reqwest::StatusCode;

use crate::common::{message, TestApp};
use crate::on_both_backends;

on_both_backends!(a_huge_invalid_csv_gets_a_short_answer);

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
