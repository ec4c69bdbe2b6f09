//! The commune's Friday report through the real sync path: the week's work counted by village
//! and member, submitted once and frozen, shown with today's figures beside it after later
//! changes, on time or late against Friday 15:00 Vietnam time, and seen by the district.

use serde_json::{json, Value};

use crate::common::peer::Outcome;
use crate::common::TestApp;
use crate::on_both_backends;
use crate::support::{document_of, fetch, put_at, sync};

on_both_backends!(a_friday_report_is_frozen_as_submitted_and_seen_by_the_district);

/// When the test's work is done, as the phone stamps it: now, or on a Saturday or Sunday (Vietnam
/// time) the week's Friday at noon, as a phone that worked on Friday and synced later stamps it. A
/// week's report counts what was observed up to its Friday; work done now on a weekend belongs to
/// next week's, which cannot be submitted before its Monday.
fn work_time() -> i64 {
    let now = khaosat::clock::now();
    let local = now + 7 * 3600;
    let days_past_friday = match time::OffsetDateTime::from_unix_timestamp(local)
        .expect("a time")
        .weekday()
    {
        time::Weekday::Saturday => 1,
        time::Weekday::Sunday => 2,
        _ => return now,
    };
    let midnight = now - local.rem_euclid(86_400);
    midnight - days_past_friday * 86_400 + 12 * 3600
}

fn visit(doc: &mut automerge::AutoCommit, household: &str, person: &str) {
    let at = work_time();
    let now_ms = at * 1000;
    let put =
        |doc: &mut automerge::AutoCommit, path: &[&str], value: Value| put_at(doc, path, value, at);
    put(
        doc,
        &["households", household, "head_name"],
        json!("Trần Thị Lan"),
    );
    put(
        doc,
        &["households", household, "persons", person, "full_name"],
        json!("Trần Thị Lan"),
    );
    put(
        doc,
        &["households", household, "persons", person, "birth_year"],
        json!(1980),
    );
    put(
        doc,
        &["households", household, "persons", person, "has_smartphone"],
        json!(true),
    );
    for (key, value) in [
        ("outcome", json!("surveyed")),
        ("at", json!(now_ms)),
        ("by", json!("demo-enumerator")),
    ] {
        put(doc, &["households", household, "visits", "v-1", key], value);
    }
    for kind in ["installed_vneid", "opened_payment_account"] {
        put(
            doc,
            &["households", household, "visits", "v-1", "helped", kind],
            json!(true),
        );
    }
    // Helped with long ago (last year's visit): not this week.
    for (key, value) in [
        ("outcome", json!("surveyed")),
        ("at", json!(now_ms - 365 * 86_400_000)),
    ] {
        put(doc, &["households", household, "visits", "v-0", key], value);
    }
    put(
        doc,
        &[
            "households",
            household,
            "visits",
            "v-0",
            "helped",
            "issued_e_signature",
        ],
        json!(true),
    );
}

fn member<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["display_name"] == name)
        .unwrap_or_else(|| panic!("{name} not in {report}"))
}

async fn a_friday_report_is_frozen_as_submitted_and_seen_by_the_district(app: &TestApp) {
    let enumerator = app.token("demo-enumerator").await;
    let commune = app.token("demo-commune").await;
    let district = app.token("demo-district").await;
    let doc_id = document_of(app, &enumerator, "39301.01").await;
    let mut phone = fetch(app, &enumerator, &doc_id).await;
    visit(&mut phone, "8a0f6e2c-1b3d-4c5e-9f70-112233445566", "p-1");
    assert_eq!(
        sync(app, &enumerator, &doc_id, &mut phone).await,
        Outcome::Synced
    );

    let today = khaosat::clock::vietnam_date(khaosat::clock::now()).0;
    let path = format!("/api/v1/units/39301/weekly-reports/{today}");
    let (status, draft) = app.get(&path, &commune).await;
    assert_eq!(status, 200, "{draft}");
    assert_eq!(draft["status"], "draft");
    let report = &draft["report"];
    assert_eq!(report["households_visited_this_week"], 1, "{report}");
    assert_eq!(report["persons_surveyed_this_week"], 1);
    assert_eq!(
        member(report, "Thành viên Tổ CNS Nga Liên")["visited_this_week"],
        1
    );
    let village = report["villages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["code"] == "39301.01")
        .unwrap();
    assert_eq!(village["visited_this_week"], 1);
    assert_eq!(report["indicators"].as_array().unwrap().len(), 16);
    assert_eq!(
        report["helped_this_week"],
        json!({"installed_vneid": 1, "opened_payment_account": 1}),
        "people helped this week, by kind"
    );

    // The lead reads it but the commune officer sends it; the district never submits.
    let lead = app.token("demo-lead").await;
    assert_eq!(app.get(&path, &lead).await.0, 200);
    let submit = format!("{path}/submit");
    assert_eq!(app.post(&submit, &lead, json!(null)).await.0, 403);
    assert_eq!(app.post(&submit, &district, json!(null)).await.0, 403);
    let (status, sent) = app.post(&submit, &commune, json!(null)).await;
    assert_eq!(status, 201, "{sent}");
    assert_eq!(sent["status"], "submitted");
    assert_eq!(sent["submitted_by_name"], "Công chức VH-XH xã Nga Liên");
    let deadline = time::OffsetDateTime::parse(
        sent["deadline"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap()
    .unix_timestamp();
    let expected = if khaosat::clock::now() <= deadline {
        "on_time"
    } else {
        "late"
    };
    assert_eq!(sent["timeliness"], expected);
    assert!(sent["revision"].is_null(), "nothing changed yet: {sent}");
    let (status, again) = app.post(&submit, &commune, json!(null)).await;
    assert_eq!(status, 409, "submitted once: {again}");

    // More work after submitting: the report stays as sent, today's figures show beside it.
    visit(&mut phone, "9b1f7e3d-2c4e-4d6f-8a81-223344556677", "p-2");
    assert_eq!(
        sync(app, &enumerator, &doc_id, &mut phone).await,
        Outcome::Synced
    );
    let (_, later) = app.get(&path, &commune).await;
    assert_eq!(later["report"]["households_visited_this_week"], 1, "frozen");
    assert_eq!(
        later["revision"]["households_visited_this_week"], 2,
        "{later}"
    );

    // The district downloads it as submitted.
    let bytes = app
        .client
        .get(format!("{}{path}/report.xlsx", app.base))
        .bearer_auth(&district)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .to_vec();
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let text = |range: calamine::Range<calamine::Data>| {
        range
            .rows()
            .flat_map(|r| r.iter().map(|c| c.to_string()))
            .collect::<Vec<_>>()
            .join("|")
    };
    let first = text(book.worksheet_range("Báo cáo tuần").unwrap());
    assert!(first.contains("Xã Nga Liên"), "{first}");
    assert!(first.contains("Đã gửi lúc"), "{first}");
    assert!(first.contains("Cài đặt, kích hoạt VNeID"), "{first}");
    assert!(first.contains("NGƯỜI LẬP BIỂU"), "signature lines: {first}");
    let members = text(book.worksheet_range("Theo thành viên").unwrap());
    assert!(members.contains("Thành viên Tổ CNS Nga Liên"), "{members}");
    let villages = text(book.worksheet_range("Theo thôn").unwrap());
    assert!(villages.contains("Thôn 1"), "{villages}");

    // A week long past, submitted now: late.
    let (status, old) = app
        .post(
            "/api/v1/units/39301/weekly-reports/2026-11-04/submit",
            &commune,
            json!(null),
        )
        .await;
    assert_eq!(status, 201, "{old}");
    assert_eq!(old["week"], "2026-11-02");
    assert_eq!(old["timeliness"], "late");
    assert_eq!(old["deadline"], "2026-11-06T08:00:00Z");
    let (status, _) = app
        .post(
            "/api/v1/units/39301/weekly-reports/2099-01-05/submit",
            &commune,
            json!(null),
        )
        .await;
    assert_eq!(status, 400, "a week that has not started");

    // The district: who has reported this week.
    let (status, overview) = app.get("/api/v1/units/393/weekly-reports", &district).await;
    assert_eq!(status, 200, "{overview}");
    let standing = |code: &str| {
        overview["communes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["code"] == code)
            .unwrap_or_else(|| panic!("{code} not in {overview}"))
            .clone()
    };
    assert_eq!(standing("39301")["status"], expected);
    assert_eq!(
        standing("39301")["submitted_by_name"],
        "Công chức VH-XH xã Nga Liên"
    );
    let (_, past) = app
        .get(
            "/api/v1/units/393/weekly-reports?week=2026-11-05",
            &district,
        )
        .await;
    let nga_lien = past["communes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "39301")
        .unwrap();
    assert_eq!(nga_lien["status"], "late");
}
