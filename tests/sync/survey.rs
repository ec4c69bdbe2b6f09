//! The checklist as data: a second survey version published from the API, phones on version 1
//! and version 2 (the stock client) editing the same household offline, the projection and the
//! raw-data export keeping every answer; a breaking version refused with its reasons.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{message, TestApp};
use crate::node::{node_ready, peer, two_phones, TwoPhones};
use crate::on_both_backends;
use crate::support::{document_of, fetch, put, sync};

on_both_backends!(
    phones_on_two_versions_merge_and_every_answer_is_kept,
    a_breaking_version_is_refused_with_its_reasons,
    raw_data_keeps_unknown_answers_and_defuses_formulas,
);

/// Version 1 as the server serves it, with version 2's changes: a field added (the citizen app
/// of Thanh Hóa), a choice added (helped to install it), a field hidden (the old province app).
pub(crate) async fn version_2(app: &TestApp, token: &str) -> Value {
    let (status, mut def) = app.get("/api/v1/survey", token).await;
    assert_eq!(
        (status, def["version"].clone()),
        (StatusCode::OK, json!(1)),
        "{def}"
    );
    let person = def["person"].as_array_mut().unwrap();
    for f in person.iter_mut() {
        if f["key"] == "has_province_app" {
            f["hidden"] = json!(true);
        }
    }
    person.push(json!({"key": "has_citizen_app", "type": "yes_no",
        "label": {"vi": "Đã cài ứng dụng Công dân Thanh Hóa", "en": "Thanh Hóa citizen app installed"},
        "relevant": {"age_at_least": 15}}));
    for f in def["visit"].as_array_mut().unwrap() {
        if f["key"] == "helped" {
            f["choices"].as_array_mut().unwrap().push(json!({"value": "installed_citizen_app",
                "label": {"vi": "Cài ứng dụng Công dân Thanh Hóa", "en": "Installed the citizen app"}}));
        }
    }
    def
}

pub(crate) async fn publish(app: &TestApp, token: &str, def: Value) -> (StatusCode, Value) {
    let (status, draft) = app
        .call(Method::PUT, "/api/v1/survey/draft", Some(token), Some(def))
        .await;
    assert_eq!(status, StatusCode::OK, "{draft}");
    app.call(
        Method::POST,
        "/api/v1/survey/draft/publish",
        Some(token),
        None,
    )
    .await
}

async fn csv_rows(app: &TestApp, token: &str, path: &str) -> (StatusCode, Vec<Vec<String>>) {
    let resp = app
        .client
        .get(format!("{}{path}", app.base))
        .bearer_auth(token)
        .send()
        .await
        .expect("raw data");
    let status = resp.status();
    let text = resp.text().await.expect("text");
    let rows = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes())
        .records()
        .map(|r| {
            r.map(|r| r.iter().map(String::from).collect())
                .unwrap_or_default()
        })
        .collect();
    (status, rows)
}

/// The cell under `heading` in the row that holds `id` (a household's or a person's).
fn cell<'a>(rows: &'a [Vec<String>], id: &str, heading: &str) -> &'a str {
    let i = rows[0]
        .iter()
        .position(|h| h == heading)
        .unwrap_or_else(|| panic!("no column {heading} in {:?}", rows[0]));
    let row = rows
        .iter()
        .find(|r| r.iter().any(|c| c == id))
        .unwrap_or_else(|| panic!("no row holds {id}"));
    &row[i]
}

async fn phones_on_two_versions_merge_and_every_answer_is_kept(app: &TestApp) {
    let province = app.token("demo-province").await;
    let def = version_2(app, &province).await;
    let (status, published) = publish(app, &province, def).await;
    assert_eq!(status, StatusCode::OK, "{published}");
    assert_eq!(published["definition"]["version"], 2);
    let (_, current) = app
        .get("/api/v1/survey", &app.token("demo-enumerator").await)
        .await;
    assert_eq!(current["version"], 2, "phones are served the new version");
    if !node_ready() {
        return;
    }

    // Phone a stays on version 1; phone b has version 2.
    let TwoPhones {
        doc,
        a,
        b,
        url_a,
        url_b,
        dirs: _dirs,
        ..
    } = two_phones(app).await;
    let (h, p) = (
        "5a1d0000-0000-4000-8000-0000000000a1",
        "5a1d0000-0000-4000-8000-0000000000b1",
    );
    let v = "5a1d0000-0000-4000-8000-0000000000c1";
    peer(
        &a,
        &doc,
        Some(&url_a),
        Some(json!([
            {"path": ["households", h], "value": {"head_name": "Lê Văn Hòa", "address": "Xóm Đông",
                "persons": {p: {"full_name": "Lê Văn Hòa", "birth_year": 1972}}}}
        ])),
    );
    peer(&b, &doc, Some(&url_b), None);

    // Offline: the phone on version 1 answers the old question, the one on version 2 the new
    // field and the new choice, on the same person and household.
    peer(
        &a,
        &doc,
        None,
        Some(json!([
            {"path": ["households", h, "persons", p, "has_province_app"], "value": true},
            {"path": ["households", h, "persons", p, "has_smartphone"], "value": true}
        ])),
    );
    peer(
        &b,
        &doc,
        None,
        Some(json!([
            {"path": ["households", h, "persons", p, "has_citizen_app"], "value": true},
            {"path": ["households", h, "visits", v], "value": {"at": 1_764_000_000_000_i64, "by": "demo-lead",
                "outcome": "surveyed", "helped": {"installed_citizen_app": true}}}
        ])),
    );
    peer(&a, &doc, Some(&url_a), None);
    let end_b = peer(&b, &doc, Some(&url_b), None);
    let end_a = peer(&a, &doc, Some(&url_a), None);
    assert_eq!(
        end_a["heads"], end_b["heads"],
        "the two versions' phones converge"
    );
    assert_eq!(end_a["doc"], end_b["doc"]);

    let rows = app.rows(&format!(
        "SELECT CAST(has_province_app AS TEXT), CAST(has_smartphone AS TEXT), answers FROM persons WHERE id = '{p}'"
    )).await;
    assert_eq!(
        rows[0][..2],
        [Some("1".into()), Some("1".into())],
        "version 1's answers in their columns"
    );
    let answers: Value = serde_json::from_str(rows[0][2].as_deref().expect("answers")).unwrap();
    assert_eq!(
        answers,
        json!({"has_citizen_app": true}),
        "version 2's answer projected"
    );
    let helped = app
        .rows(&format!("SELECT helped FROM households WHERE id = '{h}'"))
        .await;
    assert!(
        helped[0][0]
            .as_deref()
            .unwrap_or("")
            .contains("installed_citizen_app"),
        "{helped:?}"
    );

    // The version 1 phone keeps working: its later edit projects.
    peer(
        &a,
        &doc,
        Some(&url_a),
        Some(json!([
            {"path": ["households", h, "persons", p, "has_e_signature"], "value": true}
        ])),
    );
    let rows = app
        .rows(&format!(
            "SELECT CAST(has_e_signature AS TEXT), answers FROM persons WHERE id = '{p}'"
        ))
        .await;
    assert_eq!(rows[0][0].as_deref(), Some("1"));
    assert!(
        rows[0][1]
            .as_deref()
            .unwrap_or("")
            .contains("has_citizen_app"),
        "kept: {rows:?}"
    );

    // The commune's raw data carries both versions' fields, the hidden one marked.
    let commune = app.token("demo-commune").await;
    let (status, persons) = csv_rows(app, &commune, "/api/v1/units/39301/raw-data.csv").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        cell(&persons, p, "Đã cài ứng dụng Công dân Thanh Hóa"),
        "Có"
    );
    assert_eq!(
        cell(&persons, p, "Đã cài ứng dụng của tỉnh (không còn hỏi)"),
        "Có"
    );
    assert_eq!(
        cell(&persons, p, "Có chữ ký số / chữ ký điện tử cá nhân"),
        "Có"
    );
    assert_eq!(cell(&persons, p, "Năm sinh"), "1972");
    // The latest visit's answers: the new choice ticked, under its label.
    let (_, households) = csv_rows(
        app,
        &commune,
        "/api/v1/units/39301/raw-data.csv?sheet=households",
    )
    .await;
    assert_eq!(
        cell(&households, h, "Lần thăm gần nhất: Đã hỗ trợ"),
        "Cài ứng dụng Công dân Thanh Hóa"
    );
    assert_eq!(
        cell(&households, h, "Kết quả lần thăm gần nhất"),
        "Đã khảo sát"
    );
}

async fn a_breaking_version_is_refused_with_its_reasons(app: &TestApp) {
    let province = app.token("demo-province").await;
    let (_, mut def) = app.get("/api/v1/survey", &province).await;
    let person = def["person"].as_array_mut().unwrap();
    person.retain(|f| f["key"] != "has_cccd");
    for f in person.iter_mut() {
        if f["key"] == "vneid_level" {
            f["type"] = json!("number");
            f.as_object_mut().unwrap().remove("choices");
        }
        if f["key"] == "sex" {
            f["choices"]
                .as_array_mut()
                .unwrap()
                .retain(|c| c["value"] != "other");
        }
    }
    person.push(json!({"key": "Has App", "type": "yes_no", "label": {"vi": "Có app"}}));
    person.push(json!({"key": "deleted", "type": "yes_no", "label": {"vi": "Đã xóa"}}));
    person.push(
        json!({"key": "uses_zalo", "type": "yes_no", "label": {"vi": "Dùng Zalo"},
        "relevant": {"yes": "has_zalo_phone"}}),
    );

    let enumerator = app.token("demo-enumerator").await;
    let (status, _) = app
        .call(
            Method::PUT,
            "/api/v1/survey/draft",
            Some(&enumerator),
            Some(def.clone()),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "only the province prepares the survey"
    );

    let (status, draft) = app
        .call(
            Method::PUT,
            "/api/v1/survey/draft",
            Some(&province),
            Some(def),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "an incomplete draft is saved: {draft}"
    );
    let mut rules: Vec<(String, String)> = draft["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["field"].as_str().unwrap().to_string(),
                p["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    rules.sort();
    assert_eq!(
        rules,
        [
            ("person.Has App", "bad_key"),
            ("person.deleted", "reserved_key"),
            ("person.has_cccd", "removed_field"),
            ("person.sex", "removed_choice"),
            ("person.uses_zalo", "bad_condition"),
            ("person.vneid_level", "type_changed"),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );

    let (status, refused) = app
        .call(
            Method::POST,
            "/api/v1/survey/draft/publish",
            Some(&province),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(
        message(&refused).contains("version 2 cannot be published"),
        "{refused}"
    );
    let details = refused["error"]["details"].to_string();
    for needed in [
        "hidden instead",
        "cannot become a number",
        "'other'",
        "has_zalo_phone",
    ] {
        assert!(details.contains(needed), "{needed} in {details}");
    }
    let (_, current) = app.get("/api/v1/survey", &province).await;
    assert_eq!(current["version"], 1, "nothing published");
    let (_, overview) = app.get("/api/v1/survey/versions", &province).await;
    assert_eq!(overview["versions"].as_array().unwrap().len(), 1);
    assert_eq!(
        overview["draft"]["problems"].as_array().unwrap().len(),
        6,
        "the draft kept"
    );

    let (status, _) = app
        .call(
            Method::DELETE,
            "/api/v1/survey/draft",
            Some(&province),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, none) = app
        .call(
            Method::POST,
            "/api/v1/survey/draft/publish",
            Some(&province),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{none}");
    let (status, _) = app.get("/api/v1/survey/versions/2", &province).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn raw_data_keeps_unknown_answers_and_defuses_formulas(app: &TestApp) {
    let enumerator = app.token("demo-enumerator").await;
    let doc = document_of(app, &enumerator, "39301.02").await;
    let mut phone = fetch(app, &enumerator, &doc).await;
    let (h, p) = (
        "7b2e0000-0000-4000-8000-0000000000a1",
        "7b2e0000-0000-4000-8000-0000000000b1",
    );
    put(
        &mut phone,
        &["households", h, "head_name"],
        json!("=HYPERLINK(\"http://x\",\"bấm\")"),
    );
    put(
        &mut phone,
        &["households", h, "water_source"],
        json!("giếng khoan"),
    );
    put(
        &mut phone,
        &["households", h, "persons", p, "full_name"],
        json!("+84 Nguyễn Thị Lan"),
    );
    put(
        &mut phone,
        &["households", h, "persons", p, "uses_zalo"],
        json!(true),
    );
    sync(app, &enumerator, &doc, &mut phone).await;

    let commune = app.token("demo-commune").await;
    let (status, households) = csv_rows(
        app,
        &commune,
        "/api/v1/units/39301/raw-data.csv?sheet=households",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        cell(&households, h, "Họ tên chủ hộ"),
        "'=HYPERLINK(\"http://x\",\"bấm\")"
    );
    assert_eq!(
        cell(&households, h, "water_source"),
        "giếng khoan",
        "an answer no version declares"
    );

    // The workbook: two sheets, the same neutralised text, the unknown person answer kept.
    let resp = app
        .client
        .get(format!("{}/api/v1/units/39301.02/raw-data.xlsx", app.base))
        .bearer_auth(&commune)
        .send()
        .await
        .expect("xlsx");
    assert_eq!(resp.status(), StatusCode::OK);
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> =
        calamine::Xlsx::new(std::io::Cursor::new(resp.bytes().await.unwrap().to_vec())).unwrap();
    assert_eq!(book.sheet_names(), ["Hộ gia đình", "Người từ 15 tuổi"]);
    let persons = book.worksheet_range("Người từ 15 tuổi").unwrap();
    let rows: Vec<Vec<String>> = persons
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(cell(&rows, p, "Họ và tên"), "'+84 Nguyễn Thị Lan");
    assert_eq!(cell(&rows, p, "uses_zalo"), "Có");

    // Officials above the commune get figures, not names; the download is logged.
    let (status, refused) = app
        .get(
            "/api/v1/units/39301/raw-data.xlsx",
            &app.token("demo-district").await,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
    let (status, refused) = app
        .get(
            "/api/v1/units/393/raw-data.csv",
            &app.token("demo-admin").await,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a district is not downloaded whole: {refused}"
    );
    let (status, bad) = app
        .get("/api/v1/units/39301/raw-data.csv?sheet=visits", &commune)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    let (_, log) = app.get("/api/v1/access-log?unit=39301", &commune).await;
    let raw = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "raw_data")
        .count();
    assert_eq!(raw, 2, "{log}");
}
