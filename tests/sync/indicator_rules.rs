//! An indicator added as data (issue 16): the province adds one over a field of survey version
//! 2; villages already synced are counted at once, later batches keep it up to date, the rate's
//! denominator counts those asked (a person surveyed before the field existed is not), and the
//! indicator appears in the province's table, CSV and XLSX. A rule the survey cannot count is
//! refused with its reasons; removing the indicator drops it from the table.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::peer::Outcome;
use crate::common::TestApp;
use crate::node::{node_ready, peer, two_phones, TwoPhones};
use crate::on_both_backends;
use crate::support::{document_of, fetch, put_at, sync};
use crate::survey::{publish, version_2};

on_both_backends!(
    an_indicator_added_as_data_counts_those_asked,
    a_late_answer_restates_a_remembered_past_day,
);

const NAME: &str = "Tỷ lệ người dân cài ứng dụng Công dân Thanh Hóa";

/// Adds an indicator named `NAME` with `rule` as the holder of `token`.
async fn add_indicator(app: &TestApp, token: &str, rule: Value) -> (StatusCode, Value) {
    let body = json!({"name_vi": NAME, "name_en": "Citizen app installed", "default_target": 0.5, "rule": rule});
    app.post("/api/v1/indicators", token, body).await
}

/// The added indicator's value for the province, once `ready` says it is counted.
async fn province_value(
    app: &TestApp,
    token: &str,
    id: i64,
    ready: impl Fn(&Value) -> bool,
) -> Value {
    for _ in 0..100 {
        let (status, table) = app.get("/api/v1/units/38/indicators", token).await;
        assert_eq!(status, StatusCode::OK, "{table}");
        let v = table["unit"]["indicators"]
            .as_array()
            .and_then(|all| all.iter().find(|v| v["id"] == id))
            .cloned()
            .unwrap_or(Value::Null);
        if ready(&v) {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("indicator {id} was never counted as expected");
}

/// The indicator's entry in the catalogue.
async fn catalogue_entry(app: &TestApp, token: &str, id: i64) -> Value {
    let (status, catalogue) = app.get("/api/v1/indicators", token).await;
    assert_eq!(status, StatusCode::OK, "{catalogue}");
    catalogue
        .as_array()
        .and_then(|all| all.iter().find(|i| i["id"] == id))
        .cloned()
        .unwrap_or(Value::Null)
}

/// Waits until the catalogue no longer says the indicator's villages are being counted.
async fn counted(app: &TestApp, token: &str, id: i64) {
    for _ in 0..100 {
        let entry = catalogue_entry(app, token, id).await;
        assert_ne!(entry, Value::Null, "indicator {id} is in the catalogue");
        if entry.get("counting").is_none() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("indicator {id} is still being counted");
}

async fn an_indicator_added_as_data_counts_those_asked(app: &TestApp) {
    let province = app.token("demo-province").await;
    let (status, published) = publish(app, &province, version_2(app, &province).await).await;
    assert_eq!(status, StatusCode::OK, "{published}");

    // Refused: a field no version has, a test that does not fit the field's type, a person
    // field counted over households; and by anyone below the province.
    let unknown_and_mistyped = json!({"counts": "persons", "numerator": {"all": [
        {"yes": "has_zalo"}, {"at_least": {"field": "has_citizen_app", "value": 1}}]}});
    let (status, refused) = add_indicator(app, &province, unknown_and_mistyped).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    let details = refused["error"]["details"].to_string();
    assert!(
        details.contains("has_zalo") && details.contains("has_citizen_app"),
        "{refused}"
    );
    let (status, refused) = add_indicator(
        app,
        &province,
        json!({"counts": "households", "numerator": {"yes": "has_citizen_app"}}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    let commune = app.token("demo-commune").await;
    let rule = json!({"counts": "persons", "numerator": {"yes": "has_citizen_app"}});
    let (status, _) = add_indicator(app, &commune, rule.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    if !node_ready() {
        return;
    }

    // Before the indicator exists: a phone on version 1 records two persons (one answers only
    // the old checklist), a phone on version 2 answers the new question for one of them.
    let TwoPhones {
        doc,
        a,
        b,
        url_a,
        url_b,
        dirs: _dirs,
        ..
    } = two_phones(app).await;
    let h = "1d1c0000-0000-4000-8000-0000000000a1";
    let (p1, p2, child, p4) = (
        "1d1c0000-0000-4000-8000-0000000000b1",
        "1d1c0000-0000-4000-8000-0000000000b2",
        "1d1c0000-0000-4000-8000-0000000000b3",
        "1d1c0000-0000-4000-8000-0000000000b4",
    );
    peer(
        &a,
        &doc,
        Some(&url_a),
        Some(json!([
            {"path": ["households", h], "value": {"head_name": "Mai Văn Tùng", "address": "Xóm Bắc",
                "persons": {
                    p1: {"full_name": "Mai Văn Tùng", "birth_year": 1972},
                    p2: {"full_name": "Mai Thị Lan", "birth_year": 1990, "has_smartphone": true},
                    child: {"full_name": "Mai Văn An", "birth_year": 2016}
                }}}
        ])),
    );
    peer(
        &b,
        &doc,
        Some(&url_b),
        Some(json!([{"path": ["households", h, "persons", p1, "has_citizen_app"], "value": true}])),
    );

    let (status, added) = add_indicator(app, &province, rule).await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    let id = added["id"].as_i64().expect("an id");
    assert!(id > 16, "after the 16 of the model: {added}");
    assert_eq!(
        added["rule"]["numerator"],
        json!({"yes": "has_citizen_app"})
    );
    let (_, catalogue) = app.get("/api/v1/indicators", &commune).await;
    assert!(catalogue
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["id"] == id && i["name_vi"] == NAME));

    // The villages already synced are counted at once: asked 1 (p1) of 2 aged 15+.
    let v = province_value(app, &province, id, |v| v["eligible"] == 2).await;
    assert_eq!(
        (v["numerator"].clone(), v["denominator"].clone()),
        (json!(1), json!(1)),
        "{v}"
    );
    assert_eq!(v["rate"], json!(1.0));

    // The first count ends, and the catalogue stops saying it is under way. A server that
    // stopped before the end (its mark cleared, its counts gone) shows how far it got, and the
    // next one to start, here a second server on the same database, counts the rest.
    counted(app, &province, id).await;
    app.sql(&format!(
        "UPDATE indicators SET counted_at = NULL WHERE id = {id}"
    ))
    .await;
    app.sql("DELETE FROM indicator_current").await;
    let villages = app
        .rows("SELECT CAST(COUNT(*) AS TEXT) FROM village_documents")
        .await[0][0]
        .clone()
        .and_then(|n| n.parse::<i64>().ok())
        .expect("a count");
    assert!(villages >= 1, "{villages}");
    assert_eq!(
        catalogue_entry(app, &commune, id).await["counting"],
        json!({"villages_counted": 0, "villages": villages})
    );
    let (_, stop, server) = app.replica().await;
    counted(app, &province, id).await;
    let v = province_value(app, &province, id, |v| v["eligible"] == 2).await;
    assert_eq!(v["denominator"], json!(1), "{v}");
    stop.send(()).ok();
    server.await.expect("replica task").expect("replica");

    // A later batch keeps it up to date: a fourth person answers no.
    peer(
        &b,
        &doc,
        Some(&url_b),
        Some(json!([{"path": ["households", h, "persons", p4],
            "value": {"full_name": "Mai Thị Hoa", "birth_year": 1985, "has_citizen_app": false}}])),
    );
    let v = province_value(app, &province, id, |v| v["eligible"] == 3).await;
    assert_eq!(
        (
            v["numerator"].clone(),
            v["denominator"].clone(),
            v["rate"].clone(),
            v["target"].clone()
        ),
        (json!(1), json!(2), json!(0.5), json!(0.5)),
        "p2 was not asked the new question: not in the denominator; {v}"
    );
    assert_eq!(v["met"], json!(true));
    // The same read as of a day (the "before" columns): today's counts are the latest.
    let today = khaosat::clock::vietnam_date(khaosat::clock::now()).0;
    let (_, table) = app
        .get(
            &format!("/api/v1/units/38/indicators?baseline={today}"),
            &province,
        )
        .await;
    let before = table["unit"]["indicators"]
        .as_array()
        .and_then(|all| all.iter().find(|v| v["id"] == id))
        .map(|v| v["baseline"].clone());
    assert_eq!(
        before.map(|b| (b["numerator"].clone(), b["denominator"].clone())),
        Some((json!(1), json!(2))),
        "{table}"
    );
    // Summed per child unit by the database: the one holding Thôn 2 has them all.
    let (_, table) = app.get("/api/v1/units/38/indicators", &province).await;
    let children: Vec<(Value, Value)> = table["children"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| {
            c["indicators"]
                .as_array()?
                .iter()
                .find(|v| v["id"] == id)
                .cloned()
        })
        .map(|v| (v["denominator"].clone(), v["eligible"].clone()))
        .filter(|(_, eligible)| eligible != &json!(0))
        .collect();
    assert_eq!(children, vec![(json!(2), json!(3))], "{table}");

    // The reports: a row of its own, the rate with how many were asked.
    let csv = app
        .client
        .get(format!("{}/api/v1/units/38/report.csv", app.base))
        .bearer_auth(&province)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let line = csv
        .lines()
        .find(|l| l.contains(NAME))
        .unwrap_or_else(|| panic!("no row for the new indicator: {csv}"));
    assert!(
        line.starts_with(&format!("{id},")) && line.contains("50% (đã hỏi 2/3)"),
        "{line}"
    );
    let bytes = app
        .client
        .get(format!("{}/api/v1/units/38/report.xlsx", app.base))
        .bearer_auth(&province)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .to_vec();
    {
        use calamine::{Data, Reader, Xlsx};
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).expect("an XLSX file");
        let sheet = book.worksheet_range("3 KHÔNG").expect("the sheet");
        let row = sheet
            .rows()
            .find(|r| matches!(r.get(1), Some(Data::String(s)) if s == NAME))
            .expect("a row for the new indicator");
        assert_eq!(row[0], Data::Float(id as f64));
        assert_eq!(row[2].to_string(), "50% trở lên");
        assert_eq!(
            row.last(),
            Some(&Data::Float(0.5)),
            "the province's rate: {row:?}"
        );
    }

    // Removed: gone from the catalogue and the table; the built-in ones cannot be removed.
    let path = format!("/api/v1/indicators/{id}");
    assert_eq!(
        app.call(Method::DELETE, &path, Some(&commune), None)
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.call(Method::DELETE, &path, Some(&province), None)
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.call(Method::DELETE, &path, Some(&province), None)
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.call(
            Method::DELETE,
            "/api/v1/indicators/7",
            Some(&province),
            None
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    let (_, table) = app.get("/api/v1/units/38/indicators", &province).await;
    assert_eq!(
        table["unit"]["indicators"].as_array().map(Vec::len),
        Some(16)
    );
    // Its id is never given again (a submitted weekly report names indicators by id).
    let rule = json!({"counts": "persons", "numerator": {"yes": "has_citizen_app"}});
    let (status, next) = add_indicator(app, &province, rule).await;
    assert_eq!(status, StatusCode::CREATED, "{next}");
    assert_eq!(next["id"], json!(id + 1));

    // A rate among every eligible person, as the model's indicators take theirs: those not
    // asked count as no (p2, p4's no, p1's yes: 1 of 3), and no "asked" figure is given.
    let rule = json!({"counts": "persons", "numerator": {"yes": "has_citizen_app"},
                      "rate_among": "eligible"});
    let (status, all) = add_indicator(app, &province, rule).await;
    assert_eq!(status, StatusCode::CREATED, "{all}");
    assert_eq!(
        (all["rule"]["rate_among"].clone(), all["built_in"].clone()),
        (json!("eligible"), json!(false))
    );
    let all_id = all["id"].as_i64().expect("an id");
    let v = province_value(app, &province, all_id, |v| v["denominator"] == 3).await;
    assert_eq!(
        (v["numerator"].clone(), v.get("eligible").cloned()),
        (json!(1), None),
        "{v}"
    );
    // The model's own: rules with the pilot table's rate, built in.
    let six = catalogue_entry(app, &commune, 6).await;
    assert_eq!(
        (
            six["built_in"].clone(),
            six["rule"]["numerator"].clone(),
            six["rule"]["rate_among"].clone()
        ),
        (
            json!(true),
            json!({"yes": "has_smartphone"}),
            json!("eligible")
        ),
        "{six}"
    );
}

/// A past day's figures are remembered once read (`Store::settled_day`); a late answer that
/// moves only an indicator by rule (no counter of the model's 16) must still restate that day
/// and be read again.
async fn a_late_answer_restates_a_remembered_past_day(app: &TestApp) {
    const DAY: i64 = 24 * 3600;
    const VILLAGE: &str = "39301.01";
    let day = |ago: i64| khaosat::clock::vietnam_date(khaosat::clock::now() - ago * DAY).0;
    let province = app.token("demo-province").await;
    let (status, published) = publish(app, &province, version_2(app, &province).await).await;
    assert_eq!(status, StatusCode::OK, "{published}");
    let rule = json!({"counts": "persons", "numerator": {"yes": "has_citizen_app"}});
    let (status, added) = add_indicator(app, &province, rule).await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    let id = added["id"].as_i64().expect("an id");
    counted(app, &province, id).await;
    let as_of = |ago: i64| {
        let path = format!("/api/v1/units/{VILLAGE}/indicators?as_of={}", day(ago));
        let province = province.clone();
        async move {
            let (status, table) = app.get(&path, &province).await;
            assert_eq!(status, StatusCode::OK, "{table}");
            let v = table["unit"]["indicators"]
                .as_array()
                .and_then(|all| all.iter().find(|v| v["id"] == id))
                .cloned()
                .unwrap_or_else(|| panic!("indicator {id} in {table}"));
            (v["numerator"].as_i64(), v["denominator"].as_i64())
        }
    };

    // Five days ago, synced at once: an adult who has not installed the app.
    let enumerator = app.token("demo-enumerator").await;
    let document = document_of(app, &enumerator, VILLAGE).await;
    let mut phone = fetch(app, &enumerator, &document).await;
    let (h, p) = (
        "1d1c0000-0000-4000-8000-0000000000c1",
        "1d1c0000-0000-4000-8000-0000000000c2",
    );
    let five = khaosat::clock::now() - 5 * DAY;
    put_at(
        &mut phone,
        &["households", h, "head_name"],
        json!("Lê Văn Hải"),
        five,
    );
    let person = |k: &'static str| ["households", h, "persons", p, k];
    put_at(&mut phone, &person("birth_year"), json!(1979), five);
    put_at(&mut phone, &person("has_citizen_app"), json!(false), five);
    assert_eq!(
        sync(app, &enumerator, &document, &mut phone).await,
        Outcome::Synced
    );
    // That sync's own restatements age past the margin a remembered day looks back over, as
    // an hour passing would: the read below is then remembered.
    app.sql("UPDATE stats_restatements SET restated_at = restated_at - 3600")
        .await;
    let before = as_of(3).await;
    assert_eq!(as_of(3).await, before, "read again from memory");
    let (Some(n), Some(d)) = before else {
        panic!("counted three days ago: {before:?}");
    };

    // Another phone, offline since, recorded four days ago that he installed it: only the
    // indicator by rule moves, and the remembered day three days ago is read again.
    let mut late = fetch(app, &enumerator, &document).await;
    put_at(
        &mut late,
        &person("has_citizen_app"),
        json!(true),
        khaosat::clock::now() - 4 * DAY,
    );
    assert_eq!(
        sync(app, &enumerator, &document, &mut late).await,
        Outcome::Synced
    );
    assert_eq!(
        as_of(3).await,
        (Some(n + 1), Some(d)),
        "the late answer counts four days back"
    );
    let (_, list) = app.get("/api/v1/units/39301/restatements", &province).await;
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .any(|r| r["day"] == day(4) && r["village_code"] == VILLAGE),
        "the day logged as restated: {list}"
    );
}
