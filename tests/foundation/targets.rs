//! Targets read back: for a unit and a campaign, each indicator's target as the plans write it,
//! where it comes from (the default, a unit's override, a campaign's) and its history.

use serde_json::{json, Value};

use crate::common::TestApp;
use crate::on_both_backends;

on_both_backends!(
    effective_targets_say_where_they_come_from,
    the_catalogue_names_indicators_as_the_plan_does
);

fn of(targets: &Value, indicator: i64) -> Value {
    targets
        .as_array()
        .unwrap_or_else(|| panic!("{targets}"))
        .iter()
        .find(|t| t["indicator_id"] == indicator)
        .unwrap()
        .clone()
}

async fn effective_targets_say_where_they_come_from(app: &TestApp) {
    let province = app.token("demo-province").await;
    let district = app.token("demo-district").await;
    let set =
        |token: String, body: Value| async move { app.post("/api/v1/targets", &token, body).await };
    let (status, body) = set(
        province.clone(),
        json!({"indicator_id": 9, "unit_code": "38", "target": 0.3}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    // The district sets targets for its own subtree, not another district's.
    let (status, body) = set(
        district.clone(),
        json!({"indicator_id": 9, "unit_code": "393", "target": 0.5}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let (status, _) = set(
        district.clone(),
        json!({"indicator_id": 9, "unit_code": "389", "target": 0.9}),
    )
    .await;
    assert_eq!(status, 404);

    let commune = app.token("demo-commune").await;
    let (status, mine) = app.get("/api/v1/units/39301/targets", &commune).await;
    assert_eq!(status, 200, "{mine}");
    let t9 = of(&mine, 9);
    assert_eq!(t9["target"], 0.5);
    assert_eq!(t9["text"], "50% trở lên");
    assert_eq!(t9["source"]["kind"], "unit");
    assert_eq!(t9["source"]["unit_code"], "393");
    assert_eq!(t9["source"]["set_by"], "demo-district");
    let history: Vec<f64> = t9["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["target"].as_f64().unwrap())
        .collect();
    assert_eq!(
        history,
        [0.5, 0.3],
        "newest first, only overrides that reach this unit"
    );
    let t1 = of(&mine, 1);
    assert_eq!(t1["source"]["kind"], "default");
    assert!(t1["history"].as_array().unwrap().is_empty());

    let (_, other) = app.get("/api/v1/units/38901/targets", &province).await;
    assert_eq!(of(&other, 9)["source"]["unit_code"], "38");

    // A campaign's own target for the province wins inside that campaign only.
    let (_, campaign) = app
        .post(
            "/api/v1/campaigns",
            &province,
            json!({"name": "Đợt 2", "baseline_date": "2026-10-01", "start_date": "2099-01-01"}),
        )
        .await;
    let id = campaign["id"].as_i64().unwrap();
    let (status, _) = set(
        province.clone(),
        json!({"indicator_id": 9, "unit_code": "38", "campaign_id": id, "target": 0.8}),
    )
    .await;
    assert_eq!(status, 201);
    let (_, in_campaign) = app
        .get(
            &format!("/api/v1/units/38901/targets?campaign={id}"),
            &province,
        )
        .await;
    let t9 = of(&in_campaign, 9);
    assert_eq!(t9["text"], "80% trở lên");
    assert_eq!(t9["source"]["kind"], "unit_campaign");
    assert_eq!(t9["source"]["campaign_id"], id);
    let (_, outside_campaign) = app.get("/api/v1/units/38901/targets", &province).await;
    assert_eq!(of(&outside_campaign, 9)["target"], 0.3);
}

async fn the_catalogue_names_indicators_as_the_plan_does(app: &TestApp) {
    let token = app.token("demo-enumerator").await;
    let (status, catalogue) = app.get("/api/v1/indicators", &token).await;
    assert_eq!(status, 200, "{catalogue}");
    let sections: Vec<&str> = catalogue
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["section"].as_str().unwrap())
        .collect();
    assert_eq!(sections[..5], ["government"; 5]);
    assert_eq!(sections[5..], ["people"; 11]);
    assert_eq!(
        catalogue[12]["name_vi"],
        "Tỷ lệ thuê bao điện thoại thông minh có sử dụng phần mềm an toàn thông tin mạng cơ bản"
    );
    assert_eq!(catalogue[6]["default_target_text"], "75% trở lên");
    assert_eq!(catalogue[0]["default_target_text"], "100%");

    // One name per indicator: the PWA's Vietnamese names (shown offline, so kept in its
    // strings) are the catalogue's, word for word.
    let vi = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/pwa/src/i18n/vi.ts"))
        .expect("pwa/src/i18n/vi.ts");
    for ind in catalogue.as_array().unwrap() {
        let key = format!("\"ind.{}\": ", ind["id"]);
        let line = vi
            .lines()
            .find(|l| l.trim_start().starts_with(&key))
            .unwrap_or_else(|| panic!("{key} in vi.ts"));
        let shown = line.trim().trim_start_matches(&key).trim_end_matches(',');
        assert_eq!(
            shown,
            format!("\"{}\"", ind["name_vi"].as_str().unwrap()),
            "indicator {} in pwa/src/i18n/vi.ts",
            ind["id"]
        );
    }
}
