//! Declared indicators as the province's table has them: numbers, or a status written as text
//! ("Chưa có") that counts as not met; roll-ups say how many communes declared.

use serde_json::{json, Value};

use crate::common::{message, TestApp};
use crate::on_both_backends;

on_both_backends!(a_declared_status_shows_as_text_and_rolls_up_as_reported);

fn indicator(table: &Value, row: Option<&str>, id: i64) -> Value {
    let unit = match row {
        None => &table["unit"],
        Some(code) => table["children"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["code"] == code)
            .unwrap_or_else(|| panic!("{code} not in {table}")),
    };
    unit["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .unwrap()
        .clone()
}

async fn a_declared_status_shows_as_text_and_rolls_up_as_reported(app: &TestApp) {
    let commune = app.token("demo-commune").await;
    let (status, body) = app
        .post(
            "/api/v1/units/39301/declared",
            &commune,
            json!({"indicator_id": 16, "status": "not_yet", "note": "Chưa lắp điểm Wi-Fi"}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["status"], "not_yet");
    for bad in [
        json!({"indicator_id": 16, "status": "not_yet", "numerator": 1, "denominator": 2}),
        json!({"indicator_id": 16}),
        json!({"indicator_id": 16, "status": "maybe"}),
    ] {
        let (status, body) = app
            .post("/api/v1/units/39301/declared", &commune, bad.clone())
            .await;
        assert!(status == 400 || status == 422, "{bad}: {status} {body}");
        assert!(!message(&body).is_empty());
    }
    let (status, _) = app
        .post(
            "/api/v1/units/39301/declared",
            &commune,
            json!({"indicator_id": 2, "numerator": 10, "denominator": 12}),
        )
        .await;
    assert_eq!(status, 201);

    let (_, own) = app.get("/api/v1/units/39301/indicators", &commune).await;
    let wifi = indicator(&own, None, 16);
    assert_eq!(wifi["status"], "not_yet", "{wifi}");
    assert_eq!(wifi["met"], false, "a status counts as not met");
    assert!(wifi["rate"].is_null());
    assert_eq!(
        wifi["reported"],
        json!({"communes_reported": 1, "communes": 1})
    );
    assert!(
        indicator(&own, None, 6)["reported"].is_null(),
        "survey indicators are not declared"
    );

    // The province: 1 of its 5 communes declared; the districts below say the same per district.
    let province = app.token("demo-province").await;
    let (_, table) = app.get("/api/v1/units/38/indicators", &province).await;
    assert_eq!(
        indicator(&table, None, 2)["reported"],
        json!({"communes_reported": 1, "communes": 5})
    );
    assert!(
        indicator(&table, None, 16)["status"].is_null(),
        "a sum has no status"
    );
    assert_eq!(
        indicator(&table, Some("389"), 2)["reported"],
        json!({"communes_reported": 0, "communes": 1})
    );

    // The district's CSV writes the status as the province's table does.
    let district = app.token("demo-district").await;
    let resp = app
        .client
        .get(format!("{}/api/v1/units/393/report.csv", app.base))
        .bearer_auth(&district)
        .send()
        .await
        .unwrap();
    let csv = resp.text().await.unwrap();
    let line = csv
        .lines()
        .find(|l| l.starts_with("16,"))
        .unwrap_or_else(|| panic!("{csv}"));
    assert!(line.contains("Chưa có"), "{line}");
}
