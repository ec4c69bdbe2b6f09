//! The current campaign: a request for indicators or a report that names no campaign uses it
//! (the latest that has started, unless the province or an admin marked another), says which it
//! used, and applies its targets and baseline; explicit parameters still win.

use khaosat::clock::{now, vietnam_date};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{message, TestApp};
use crate::on_both_backends;

on_both_backends!(
    current_campaign_applies,
    marking_is_checked,
    a_campaign_sets_its_report_deadline
);

/// The Vietnam date `days` from today.
fn day(days: i64) -> String {
    vietnam_date(now() + days * 86_400).0
}

/// Indicator `id` of the table's own unit.
fn indicator(table: &Value, id: i64) -> &Value {
    table["unit"]["indicators"]
        .as_array()
        .and_then(|a| a.iter().find(|i| i["id"] == id))
        .unwrap_or_else(|| panic!("indicator {id} in {table}"))
}

async fn ok(app: &TestApp, token: &str, path: &str) -> Value {
    let (status, body) = app.get(path, token).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    body
}

async fn mark(app: &TestApp, token: &str, body: Value) -> (StatusCode, Value) {
    app.call(
        Method::PUT,
        "/api/v1/campaigns/current",
        Some(token),
        Some(body),
    )
    .await
}

/// The ids of the campaigns flagged current.
async fn flagged(app: &TestApp, token: &str) -> Vec<i64> {
    ok(app, token, "/api/v1/campaigns")
        .await
        .as_array()
        .expect("a list")
        .iter()
        .filter(|c| c["current"] == true)
        .filter_map(|c| c["id"].as_i64())
        .collect()
}

async fn create(app: &TestApp, token: &str, body: Value) -> Value {
    let (status, created) = app.post("/api/v1/campaigns", token, body).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created
}

async fn current_campaign_applies(app: &TestApp) {
    let admin = app.token("demo-admin").await;
    let province = app.token("demo-province").await;
    let commune = app.token("demo-commune").await;

    // No campaign yet: none is current, and there is nothing "before".
    let current = ok(app, &commune, "/api/v1/campaigns/current").await;
    assert_eq!(current, json!({"campaign": null, "marked": false}));
    let t = ok(app, &commune, "/api/v1/units/39301/indicators").await;
    assert_eq!(
        (t["campaign"].clone(), t["baseline"].clone()),
        (Value::Null, Value::Null)
    );
    assert!(
        indicator(&t, 2).get("baseline").is_none(),
        "{}",
        indicator(&t, 2)
    );

    // The commune declared indicator 2 before the campaign's baseline and again since.
    for (numerator, value_date) in [(5, day(-40)), (9, day(0))] {
        let (status, body) = app
            .post(
                "/api/v1/units/39301/declared",
                &commune,
                json!({"indicator_id": 2, "numerator": numerator, "denominator": 10, "value_date": value_date}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }

    // A campaign that has started is current, named in the answer, and its baseline is "before".
    let pilot_baseline = day(-30);
    let pilot = create(
        app,
        &province,
        json!({"name": "Thí điểm mô hình \"3 KHÔNG\"", "baseline_date": pilot_baseline, "start_date": day(-30)}),
    )
    .await;
    let pilot_id = pilot["id"].as_i64().expect("id");
    assert_eq!(pilot["current"], true, "{pilot}");
    let current = ok(app, &commune, "/api/v1/campaigns/current").await;
    assert_eq!(
        (current["campaign"]["id"].clone(), current["marked"].clone()),
        (json!(pilot_id), json!(false))
    );
    assert_eq!(flagged(app, &commune).await, vec![pilot_id]);
    let t = ok(app, &commune, "/api/v1/units/39301/indicators").await;
    assert_eq!(t["campaign"]["id"], pilot_id, "{}", t["campaign"]);
    assert_eq!(t["campaign"]["name"], "Thí điểm mô hình \"3 KHÔNG\"");
    assert_eq!(t["baseline"], json!(pilot_baseline));
    let two = indicator(&t, 2);
    assert_eq!(
        (
            two["numerator"].clone(),
            two["baseline"]["numerator"].clone()
        ),
        (json!(9), json!(5)),
        "now 9/10, before 5/10: {two}"
    );

    // A campaign that started since becomes current by itself; one not started yet does not.
    let second = create(
        app,
        &province,
        json!({"name": "Đợt 2", "baseline_date": day(-1), "start_date": day(-2)}),
    )
    .await;
    let second_id = second["id"].as_i64().expect("id");
    assert_eq!(second["current"], true, "{second}");
    let later = create(
        app,
        &admin,
        json!({"name": "Đợt 3", "baseline_date": day(20), "start_date": day(30)}),
    )
    .await;
    assert_eq!(later["current"], false);
    assert_eq!(flagged(app, &commune).await, vec![second_id]);
    let t = ok(app, &commune, "/api/v1/units/39301/indicators").await;
    assert_eq!(
        (t["campaign"]["id"].clone(), t["baseline"].clone()),
        (json!(second_id), json!(day(-1)))
    );

    // Each campaign's own targets apply to the campaign used.
    for (campaign, target) in [(second_id, 0.5), (pilot_id, 0.95)] {
        let (status, body) = app
            .post(
                "/api/v1/targets",
                &province,
                json!({"indicator_id": 6, "unit_code": "39301", "campaign_id": campaign, "target": target}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let t = ok(app, &commune, "/api/v1/units/39301/indicators").await;
    assert_eq!(indicator(&t, 6)["target"], 0.5);
    let path = format!("/api/v1/units/39301/indicators?campaign={pilot_id}");
    let t = ok(app, &commune, &path).await;
    assert_eq!(
        (
            t["campaign"]["id"].clone(),
            t["campaign"]["current"].clone(),
            indicator(&t, 6)["target"].clone(),
            t["baseline"].clone()
        ),
        (
            json!(pilot_id),
            json!(false),
            json!(0.95),
            json!(pilot_baseline)
        )
    );

    // The province marks the pilot current: it is used (and named) again.
    let (status, body) = mark(app, &province, json!({"campaign": pilot_id})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (body["campaign"]["id"].clone(), body["marked"].clone()),
        (json!(pilot_id), json!(true))
    );
    assert_eq!(flagged(app, &commune).await, vec![pilot_id]);
    let t = ok(app, &commune, "/api/v1/units/39301/indicators").await;
    assert_eq!(
        (
            t["campaign"]["id"].clone(),
            indicator(&t, 6)["target"].clone(),
            t["baseline"].clone()
        ),
        (json!(pilot_id), json!(0.95), json!(pilot_baseline))
    );
    // An explicit baseline still overrides the campaign's.
    let t = ok(
        app,
        &commune,
        "/api/v1/units/39301/indicators?baseline=2000-01-01",
    )
    .await;
    assert_eq!(
        (t["campaign"]["id"].clone(), t["baseline"].clone()),
        (json!(pilot_id), json!("2000-01-01"))
    );
    assert_eq!(indicator(&t, 2)["baseline"]["denominator"], 0);

    // The reports name the campaign and its baseline and carry the same "before" figures.
    let t = ok(app, &commune, "/api/v1/units/39301/indicators").await;
    let resp = app
        .client
        .get(format!("{}/api/v1/units/39301/report.csv", app.base))
        .bearer_auth(&commune)
        .send()
        .await
        .expect("report.csv");
    assert_eq!(resp.status(), StatusCode::OK);
    let text = resp.text().await.expect("csv text");
    let rows: Vec<Vec<String>> = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes())
        .records()
        .map(|r| {
            r.expect("a CSV record")
                .iter()
                .map(str::to_string)
                .collect()
        })
        .collect();
    assert!(
        rows[1][0].contains(&format!("(mã {pilot_id})")) && rows[1][0].contains(&pilot_baseline),
        "{:?}",
        rows[1]
    );
    let before = rows[2]
        .iter()
        .position(|h| h == "Xã Nga Liên – Trước")
        .expect("the commune's before column");
    let row2 = rows.iter().find(|r| r[0] == "2").expect("row 2");
    assert_eq!(
        (row2[before].as_str(), row2[before + 1].as_str()),
        ("50%", "90%")
    );
    assert_eq!(
        (
            indicator(&t, 2)["baseline"]["rate"].clone(),
            indicator(&t, 2)["rate"].clone()
        ),
        (json!(0.5), json!(0.9))
    );

    // Back to the automatic choice: the latest campaign that has started.
    let (status, body) = mark(app, &admin, json!({"campaign": null})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (body["campaign"]["id"].clone(), body["marked"].clone()),
        (json!(second_id), json!(false))
    );
}

async fn marking_is_checked(app: &TestApp) {
    let admin = app.token("demo-admin").await;
    let (status, body) = mark(app, &admin, json!({"campaign": 999})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        message(&body).contains("campaign 999 does not exist"),
        "{body}"
    );
    let (status, body) = mark(app, &admin, json!({"campagin": 1})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    for who in ["demo-district", "demo-commune"] {
        let token = app.token(who).await;
        let (status, body) = mark(app, &token, json!({"campaign": null})).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who}: {body}");
        assert!(message(&body).contains("current campaign"), "{body}");
    }
    let commune = app.token("demo-commune").await;
    for path in [
        "/api/v1/units/39301/indicators?campaign=999",
        "/api/v1/units/39301/report.xlsx?campaign=999",
    ] {
        let (status, body) = app.get(path, &commune).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {body}");
        assert!(message(&body).contains("GET /api/v1/campaigns"), "{body}");
    }
    // Anyone signed in may ask which campaign is current.
    let enumerator = app.token("demo-enumerator").await;
    let (status, _) = app.get("/api/v1/campaigns/current", &enumerator).await;
    assert_eq!(status, StatusCode::OK);
}

async fn a_campaign_sets_its_report_deadline(app: &TestApp) {
    let province = app.token("demo-province").await;
    let plain = create(
        app,
        &province,
        json!({"name": "Theo kế hoạch", "baseline_date": "2026-10-01"}),
    )
    .await;
    assert_eq!(plain["report_weekday"], 5, "Friday by default: {plain}");
    assert_eq!(plain["report_time"], "15:00");
    let thursday = create(
        app,
        &province,
        json!({"name": "Báo cáo thứ Năm", "baseline_date": "2026-10-01",
               "report_weekday": 4, "report_time": "12:00"}),
    )
    .await;
    let id = thursday["id"].as_i64().unwrap();
    let commune = app.token("demo-commune").await;
    let report = ok(
        app,
        &commune,
        &format!("/api/v1/units/39301/weekly-reports/2026-11-04?campaign={id}"),
    )
    .await;
    assert_eq!(
        report["deadline"], "2026-11-05T05:00:00Z",
        "Thursday 12:00 in Vietnam"
    );
    assert_eq!(report["report"]["report_day"], "2026-11-05");
    // Edited later: the deadline moves, a cleared end date stays cleared, bad edits are refused.
    let (status, edited) = app
        .call(
            reqwest::Method::PATCH,
            &format!("/api/v1/campaigns/{id}"),
            Some(&province),
            Some(json!({"name": "Báo cáo thứ Sáu", "report_weekday": 5, "end_date": "2026-12-31"})),
        )
        .await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!(edited["name"], "Báo cáo thứ Sáu");
    assert_eq!(edited["report_time"], "12:00", "unchanged");
    assert_eq!(edited["end_date"], "2026-12-31");
    let report = ok(
        app,
        &commune,
        &format!("/api/v1/units/39301/weekly-reports/2026-11-04?campaign={id}"),
    )
    .await;
    assert_eq!(
        report["deadline"], "2026-11-06T05:00:00Z",
        "Friday 12:00 now"
    );
    let (_, cleared) = app
        .call(
            reqwest::Method::PATCH,
            &format!("/api/v1/campaigns/{id}"),
            Some(&province),
            Some(json!({"end_date": ""})),
        )
        .await;
    assert!(cleared["end_date"].is_null(), "{cleared}");
    for (body, status) in [
        (
            json!({"start_date": "2026-12-01", "end_date": "2026-11-01"}),
            400,
        ),
        (json!({"report_time": "noon"}), 400),
        (json!({"colour": "red"}), 422),
    ] {
        let (got, answer) = app
            .call(
                reqwest::Method::PATCH,
                &format!("/api/v1/campaigns/{id}"),
                Some(&province),
                Some(body.clone()),
            )
            .await;
        assert_eq!(got.as_u16(), status, "{body}: {answer}");
    }
    let (status, _) = app
        .call(
            reqwest::Method::PATCH,
            &format!("/api/v1/campaigns/{id}"),
            Some(&commune),
            Some(json!({"name": "x"})),
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = app
        .call(
            reqwest::Method::PATCH,
            "/api/v1/campaigns/999999",
            Some(&province),
            Some(json!({"name": "x"})),
        )
        .await;
    assert_eq!(status, 400, "unknown campaign");

    for (weekday, time) in [(0, "15:00"), (5, "15h"), (8, "15:00"), (5, "24:00")] {
        let (status, body) = app
            .post(
                "/api/v1/campaigns",
                &province,
                json!({"name": "Sai", "baseline_date": "2026-10-01",
                       "report_weekday": weekday, "report_time": time}),
            )
            .await;
        assert_eq!(status, 400, "{weekday} {time}: {body}");
        assert!(message(&body).contains("HH:MM"), "{body}");
    }
}
