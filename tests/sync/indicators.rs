//! Indicators from a known population built through the real sync path, at village, commune,
//! district and province level, including edits that move people between answers, deleted and
//! duplicate households, declared values, targets, history and the XLSX/CSV reports.

use automerge::AutoCommit;
use reqwest::Method;
use serde_json::{json, Value};

use crate::common::peer::Outcome;
use crate::common::TestApp;
use crate::on_both_backends;
use crate::support::{document_of, fetch, put, sync};

on_both_backends!(indicators_roll_up_the_tree);

fn hh(n: u32) -> String {
    format!("aa000000-0000-4000-8000-{n:012}")
}

fn person(doc: &mut AutoCommit, h: &str, p: u32, year: i64, answers: &[(&str, Value)]) {
    let p = format!("bb000000-0000-4000-8000-{p:012}");
    put(
        doc,
        &["households", h, "persons", &p, "birth_year"],
        json!(year),
    );
    for (field, value) in answers {
        put(doc, &["households", h, "persons", &p, field], value.clone());
    }
}

/// (numerator, denominator) of indicator `id` for `code` in a table answer.
fn nd(table: &Value, code: &str, id: i64) -> (i64, i64) {
    let unit = if table["unit"]["code"] == code {
        &table["unit"]
    } else {
        table["children"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["code"] == code)
            .unwrap_or_else(|| panic!("{code} in {table}"))
    };
    let v = unit["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .unwrap();
    (
        v["numerator"].as_i64().unwrap(),
        v["denominator"].as_i64().unwrap(),
    )
}

async fn table(app: &TestApp, token: &str, code: &str, query: &str) -> Value {
    let (status, body) = app
        .get(&format!("/api/v1/units/{code}/indicators{query}"), token)
        .await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn indicators_roll_up_the_tree(app: &TestApp) {
    let admin = app.token("demo-admin").await;
    let (status, _) = app
        .post("/api/v1/users", &admin, json!({"username": "lead-quangluu", "display_name": "Tổ trưởng Quảng Lưu", "password": "khaosat-demo", "role": "team_lead", "scope_unit": "40001"}))
        .await;
    assert_eq!(status, 201);
    let enumerator = app.token("demo-enumerator").await;
    let other_lead = app.token("lead-quangluu").await;

    // Thôn 1, Nga Liên: two surveyed households, a child, a person not yet asked, a deleted household.
    let nga_lien = document_of(app, &enumerator, "39301.01").await;
    let mut a = fetch(app, &enumerator, &nga_lien).await;
    let (h1, h2, h3) = (hh(1), hh(2), hh(3));
    put(
        &mut a,
        &["households", &h1, "head_name"],
        json!("Nguyễn Văn Đức"),
    );
    put(
        &mut a,
        &["households", &h1, "pays_electricity_cashless"],
        json!(true),
    );
    person(
        &mut a,
        &h1,
        1,
        1970,
        &[
            ("has_smartphone", json!(true)),
            ("has_payment_account", json!(true)),
            ("vneid_level", json!(2)),
            ("has_cyber_safety_app", json!(true)),
        ],
    );
    person(
        &mut a,
        &h1,
        2,
        1975,
        &[
            ("has_smartphone", json!(true)),
            ("has_payment_account", json!(false)),
            ("vneid_level", json!(0)),
            ("has_cyber_safety_app", json!(false)),
        ],
    );
    person(&mut a, &h1, 3, 2015, &[("has_smartphone", json!(true))]);
    person(&mut a, &h1, 4, 1990, &[]);
    put(
        &mut a,
        &["households", &h1, "visits", "v-1", "outcome"],
        json!("surveyed"),
    );
    put(
        &mut a,
        &["households", &h1, "visits", "v-1", "by"],
        json!("demo-enumerator"),
    );
    put(
        &mut a,
        &["households", &h1, "visits", "v-1", "at"],
        json!(1_795_000_000_000_i64),
    );
    put(
        &mut a,
        &["households", &h2, "head_name"],
        json!("Lê Thị Hoa"),
    );
    put(
        &mut a,
        &["households", &h2, "pays_electricity_cashless"],
        json!(false),
    );
    person(
        &mut a,
        &h2,
        5,
        1980,
        &[
            ("has_smartphone", json!(false)),
            ("has_payment_account", json!(true)),
            ("vneid_level", json!(1)),
            ("has_e_signature", json!(true)),
        ],
    );
    put(
        &mut a,
        &["households", &h3, "head_name"],
        json!("Hộ đã chuyển đi"),
    );
    person(&mut a, &h3, 6, 1985, &[("has_smartphone", json!(true))]);
    put(&mut a, &["households", &h3, "deleted"], json!(true));
    assert_eq!(
        sync(app, &enumerator, &nga_lien, &mut a).await,
        Outcome::Synced
    );

    // Quảng Lưu (another district): one household.
    let quang_luu = document_of(app, &other_lead, "40001.01").await;
    let mut b = fetch(app, &other_lead, &quang_luu).await;
    put(
        &mut b,
        &["households", &hh(4), "pays_electricity_cashless"],
        json!(true),
    );
    person(
        &mut b,
        &hh(4),
        7,
        1960,
        &[
            ("has_smartphone", json!(true)),
            ("has_payment_account", json!(true)),
            ("vneid_level", json!(2)),
        ],
    );
    assert_eq!(
        sync(app, &other_lead, &quang_luu, &mut b).await,
        Outcome::Synced
    );

    let province = app.token("demo-province").await;
    let district = app.token("demo-district").await;
    let commune = app.token("demo-commune").await;
    let t = table(app, &commune, "39301.01", "").await;
    assert_eq!(
        [
            nd(&t, "39301.01", 6),
            nd(&t, "39301.01", 7),
            nd(&t, "39301.01", 8),
            nd(&t, "39301.01", 9)
        ],
        [(2, 3), (2, 3), (2, 3), (1, 3)]
    );
    assert_eq!(
        [nd(&t, "39301.01", 13), nd(&t, "39301.01", 15)],
        [(1, 2), (1, 2)]
    );
    assert_eq!(t["unit"]["persons_surveyed"], 3);
    let t = table(app, &commune, "39301", "").await;
    assert_eq!(nd(&t, "39301", 6), (2, 3));
    assert_eq!(nd(&t, "39301.01", 6), (2, 3));
    assert_eq!(nd(&t, "39301.02", 6), (0, 0));
    let t = table(app, &district, "393", "").await;
    assert_eq!(nd(&t, "393", 7), (2, 3));
    let t = table(app, &province, "38", "").await;
    assert_eq!(
        [
            nd(&t, "38", 6),
            nd(&t, "38", 7),
            nd(&t, "38", 8),
            nd(&t, "38", 9),
            nd(&t, "38", 13),
            nd(&t, "38", 15)
        ],
        [(3, 4), (3, 4), (3, 4), (1, 4), (1, 3), (2, 3)]
    );
    assert_eq!(nd(&t, "393", 6), (2, 3));
    assert_eq!(nd(&t, "400", 6), (1, 1));
    assert_eq!(nd(&t, "389", 6), (0, 0));
    // The province compares its communes across districts, each labelled with its district.
    let t = table(app, &province, "38", "?level=commune").await;
    let communes = t["children"].as_array().unwrap();
    assert!(communes.iter().all(|c| c["level"] == "commune"), "{t}");
    assert_eq!(communes.len(), 5, "the five pilot communes");
    assert_eq!(nd(&t, "39301", 6), (2, 3));
    assert_eq!(
        nd(&t, "38", 6),
        (3, 4),
        "the province's own figures do not change"
    );
    let nga_lien_row = communes.iter().find(|c| c["code"] == "39301").unwrap();
    assert_eq!(
        (
            nga_lien_row["parent_code"].clone(),
            nga_lien_row["parent_name"].clone()
        ),
        (json!("393"), json!("Huyện Nga Sơn"))
    );
    let (status, body) = app
        .get("/api/v1/units/393/indicators?level=district", &province)
        .await;
    assert_eq!(status, 400, "a level that is not below the unit: {body}");
    let ind6 = &t["unit"]["indicators"][5];
    assert_eq!(
        (
            ind6["id"].clone(),
            ind6["rate"].clone(),
            ind6["target"].clone(),
            ind6["met"].clone()
        ),
        (json!(6), json!(0.75), json!(0.8), json!(false))
    );

    // Keep today's numbers as a past day, then edits move people between answers.
    for table in ["stats_snapshots", "indicator_counts"] {
        app.sql(&format!("UPDATE {table} SET day = '2026-01-01'"))
            .await;
    }
    person(&mut a, &h1, 2, 1975, &[("has_smartphone", json!(false))]);
    put(&mut a, &["households", &h2, "deleted"], json!(true));
    put(
        &mut a,
        &["households", &hh(5), "duplicate_of"],
        json!(h1.clone()),
    );
    person(&mut a, &hh(5), 8, 1970, &[("has_smartphone", json!(true))]);
    assert_eq!(
        sync(app, &enumerator, &nga_lien, &mut a).await,
        Outcome::Synced
    );
    let t = table(app, &province, "38", "").await;
    assert_eq!(
        [nd(&t, "393", 6), nd(&t, "393", 7), nd(&t, "38", 6)],
        [(1, 2), (1, 2), (2, 3)]
    );
    // As of a past day and before/after come from the stored snapshots.
    let t = table(
        app,
        &province,
        "38",
        "?as_of=2026-01-02&baseline=2025-12-31",
    )
    .await;
    assert_eq!(nd(&t, "38", 6), (3, 4));
    assert_eq!(t["unit"]["indicators"][5]["baseline"]["denominator"], 0);
    let t = table(app, &province, "38", "?baseline=2026-01-01").await;
    assert_eq!(nd(&t, "38", 6), (2, 3));
    assert_eq!(
        (
            t["unit"]["indicators"][5]["baseline"]["numerator"].clone(),
            t["unit"]["indicators"][5]["baseline"]["denominator"].clone()
        ),
        (json!(3), json!(4))
    );

    // Declared values roll up; targets override per unit.
    let (status, body) = app.post("/api/v1/units/39301/declared", &commune, json!({"indicator_id": 2, "numerator": 10, "denominator": 12, "note": "2 công chức chưa có chứng thư số"})).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        app.post(
            "/api/v1/units/39301/declared",
            &commune,
            json!({"indicator_id": 6, "numerator": 1, "denominator": 2})
        )
        .await
        .0,
        400
    );
    assert_eq!(
        app.post(
            "/api/v1/units/39301/declared",
            &commune,
            json!({"indicator_id": 2, "numerator": 13, "denominator": 12})
        )
        .await
        .0,
        400
    );
    assert_eq!(
        app.post(
            "/api/v1/units/39301/declared",
            &district,
            json!({"indicator_id": 2, "numerator": 1, "denominator": 2})
        )
        .await
        .0,
        403
    );
    let (status, _) = app
        .post(
            "/api/v1/targets",
            &province,
            json!({"indicator_id": 9, "unit_code": "38", "target": 0.3}),
        )
        .await;
    assert_eq!(status, 201);
    // The district sets targets inside its own subtree only (issue 14).
    assert_eq!(
        app.post(
            "/api/v1/targets",
            &district,
            json!({"indicator_id": 9, "unit_code": "389", "target": 0.3})
        )
        .await
        .0,
        404
    );
    let t = table(app, &district, "393", "").await;
    assert_eq!(nd(&t, "393", 2), (10, 12));
    let ind9 = t["unit"]["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == 9)
        .unwrap()
        .clone();
    assert_eq!(
        (ind9["target"].clone(), ind9["met"].clone()),
        (json!(0.3), json!(false))
    );
    let (_, history) = app.get("/api/v1/units/39301/declared", &commune).await;
    assert_eq!(history.as_array().unwrap().len(), 1);

    // Scope: nothing outside the caller's area, nothing for enumerators.
    assert_eq!(
        app.get("/api/v1/units/38/indicators", &commune).await.0,
        404
    );
    assert_eq!(
        app.get("/api/v1/units/389/indicators", &district).await.0,
        404
    );
    assert_eq!(
        app.get("/api/v1/units/39301/indicators", &enumerator)
            .await
            .0,
        403
    );
    assert_eq!(
        app.get("/api/v1/units/38/report.xlsx", &district).await.0,
        404
    );
    assert_eq!(
        app.get("/api/v1/units/38/indicators?as_of=yesterday", &province)
            .await
            .0,
        400
    );

    // The reports.
    let resp = app
        .client
        .get(format!(
            "{}/api/v1/units/38/report.csv?baseline=2026-01-01",
            app.base
        ))
        .bearer_auth(&province)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let csv = resp.text().await.unwrap();
    assert!(
        csv.contains("Tỷ lệ người dân có điện thoại thông minh"),
        "{csv}"
    );
    // Rates as the province writes them: up to two decimals, no trailing zeros.
    assert!(csv.contains("75%") && csv.contains("66,67%"), "{csv}");
    let six = csv
        .lines()
        .find(|l| l.starts_with("6,"))
        .unwrap_or_else(|| panic!("{csv}"));
    assert!(
        six.contains("80% trở lên") && six.contains("Chưa đạt"),
        "the target as written and met/not met: {six}"
    );
    assert!(
        csv.lines()
            .any(|l| l.starts_with(",\"ĐỐI VỚI NGƯỜI DÂN, DOANH NGHIỆP\"")),
        "the section row: {csv}"
    );
    let resp = app
        .client
        .request(
            Method::GET,
            format!(
                "{}/api/v1/units/38/report.xlsx?baseline=2026-01-01",
                app.base
            ),
        )
        .bearer_auth(&province)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let bytes = resp.bytes().await.unwrap().to_vec();
    check_xlsx(bytes);

    // The commune's progress and weekly report.
    let (status, progress) = app.get("/api/v1/units/39301/progress", &commune).await;
    assert_eq!(status, 200, "{progress}");
    assert_eq!(
        progress["by_enumerator"],
        json!([{"username": "demo-enumerator", "display_name": "Thành viên Tổ CNS Nga Liên",
                "households_visited": 1, "last_visit": "2026-11-18T11:06:40Z"}])
    );
    assert_eq!(
        progress["by_day"],
        json!([{"day": "2026-11-18", "households_visited": 1}])
    );
    assert_eq!(app.get("/api/v1/units/38/progress", &province).await.0, 400);
    let resp = app
        .client
        .get(format!("{}/api/v1/units/39301/weekly.xlsx", app.base))
        .bearer_auth(&commune)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> =
        calamine::Xlsx::new(std::io::Cursor::new(resp.bytes().await.unwrap().to_vec())).unwrap();
    let sheet = book.worksheet_range("Tiến độ").unwrap();
    assert_eq!(
        sheet.get_value((3, 0)),
        Some(&calamine::Data::String("Thôn 1".into()))
    );
    assert_eq!(
        sheet.get_value((3, 2)),
        Some(&calamine::Data::Float(1.0)),
        "one household visited in Thôn 1"
    );
    let members = book.worksheet_range("Thành viên").unwrap();
    assert_eq!(
        members.get_value((1, 0)),
        Some(&calamine::Data::String("Thành viên Tổ CNS Nga Liên".into())),
        "the weekly report names people, not usernames"
    );
}

fn check_xlsx(bytes: Vec<u8>) {
    use calamine::{Data, Reader, Xlsx};
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).expect("an XLSX file");
    let sheet = book.worksheet_range("3 KHÔNG").expect("the sheet");
    let at = |r: u32, c: u32| sheet.get_value((r, c)).cloned().unwrap_or(Data::Empty);
    assert!(matches!(at(0, 0), Data::String(s) if s.contains("Tỉnh Thanh Hóa")));
    // Columns: the five districts × before/after, then the province. Rows from 5: the slide's
    // section row, indicators 1–5, the second section row, indicators 6–16.
    let headers: Vec<String> = (3..15).step_by(2).map(|c| at(3, c).to_string()).collect();
    assert_eq!(headers.last().map(String::as_str), Some("Tỉnh Thanh Hóa"));
    assert!(headers.contains(&"Huyện Nga Sơn".to_string()));
    let province = 3 + 2 * 5;
    assert_eq!(at(5, 0).to_string(), "ĐỐI VỚI CHÍNH QUYỀN SỐ");
    assert_eq!(at(6, 0), Data::Float(1.0));
    assert_eq!(at(11, 0).to_string(), "ĐỐI VỚI NGƯỜI DÂN, DOANH NGHIỆP");
    assert_eq!(at(12, 0), Data::Float(6.0));
    assert_eq!(at(12, province), Data::Float(0.75), "indicator 6 before");
    match at(12, province + 1) {
        Data::Float(f) => assert!((f - 2.0 / 3.0).abs() < 1e-9),
        other => panic!("indicator 6 after: {other:?}"),
    }
    assert_eq!(
        at(12, 2).to_string(),
        "80% trở lên",
        "target as the plans write it"
    );
    assert_eq!(at(22, 0), Data::Float(16.0));
}
