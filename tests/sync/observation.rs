//! Observation time through the real sync path: a change counts on the day the phone recorded
//! it (within the window the server believes a phone's clock), late syncs restate the past days
//! they touch and say who restated them, and a clock that lies cannot move figures.

use automerge::AutoCommit;
use khaosat::clock::{now, vietnam_date};
use serde_json::{json, Value};

use crate::common::peer::Outcome;
use crate::common::TestApp;
use crate::on_both_backends;
use crate::support::{document_of, fetch, put_at, sync};

on_both_backends!(
    a_late_sync_restates_the_day_it_was_observed,
    a_baseline_recorded_before_the_campaign_is_before,
    a_wrong_clock_cannot_move_figures,
);

const DAY: i64 = 24 * 3600;
const VILLAGE: &str = "39301.01";

fn day(ago: i64) -> String {
    vietnam_date(now() - ago * DAY).0
}

/// One household with one adult, recorded at `time` (every change stamped with it).
fn household(doc: &mut AutoCommit, n: u32, smartphone: bool, time: i64) {
    let h = format!("cc000000-0000-4000-8000-{n:012}");
    let p = format!("dd000000-0000-4000-8000-{n:012}");
    put_at(
        doc,
        &["households", &h, "head_name"],
        json!(format!("Hộ {n}")),
        time,
    );
    let person = |k: &'static str| ["households", &h, "persons", &p, k];
    put_at(doc, &person("birth_year"), json!(1980), time);
    put_at(doc, &person("has_smartphone"), json!(smartphone), time);
}

/// Indicator 6 (people with a smartphone) of the village: (numerator, denominator), as of a day
/// when one is given.
async fn smartphones(app: &TestApp, token: &str, query: &str) -> (i64, i64) {
    let (status, t) = app
        .get(&format!("/api/v1/units/{VILLAGE}/indicators{query}"), token)
        .await;
    assert_eq!(status, 200, "{t}");
    let six = indicator(&t, 6);
    (
        six["numerator"].as_i64().unwrap(),
        six["denominator"].as_i64().unwrap(),
    )
}

fn indicator(table: &Value, id: i64) -> Value {
    table["unit"]["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .cloned()
        .unwrap_or_else(|| panic!("indicator {id} in {table}"))
}

async fn as_of(app: &TestApp, token: &str, ago: i64) -> (i64, i64) {
    smartphones(app, token, &format!("?as_of={}", day(ago))).await
}

async fn a_late_sync_restates_the_day_it_was_observed(app: &TestApp) {
    let enumerator = app.token("demo-enumerator").await;
    let commune = app.token("demo-commune").await;
    let document = document_of(app, &enumerator, VILLAGE).await;
    let mut phone = fetch(app, &enumerator, &document).await;
    // The second phone goes out with the same document (it stays offline for three days).
    let mut late = fetch(app, &enumerator, &document).await;
    // Yesterday, offline: one adult with a smartphone. Synced today.
    household(&mut phone, 1, true, now() - DAY);
    assert_eq!(
        sync(app, &enumerator, &document, &mut phone).await,
        Outcome::Synced
    );
    assert_eq!(smartphones(app, &commune, "").await, (1, 1));
    assert_eq!(
        as_of(app, &commune, 1).await,
        (1, 1),
        "counted on the day it was recorded"
    );
    assert_eq!(as_of(app, &commune, 2).await, (0, 0), "not before");

    // A second phone was offline for three days: its household lands three days back, and the
    // day that already had figures (yesterday) is restated to include it.
    household(&mut late, 2, false, now() - 3 * DAY);
    assert_eq!(
        sync(app, &enumerator, &document, &mut late).await,
        Outcome::Synced
    );
    assert_eq!(as_of(app, &commune, 3).await, (0, 1));
    assert_eq!(as_of(app, &commune, 2).await, (0, 1));
    assert_eq!(as_of(app, &commune, 1).await, (1, 2), "yesterday restated");
    assert_eq!(smartphones(app, &commune, "").await, (1, 2));

    // Who restated which day, and when.
    let (status, list) = app.get("/api/v1/units/39301/restatements", &commune).await;
    assert_eq!(status, 200, "{list}");
    let days: Vec<(String, String, i64)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            assert_eq!(r["village_code"], VILLAGE);
            (
                r["day"].as_str().unwrap().to_string(),
                r["username"].as_str().unwrap().to_string(),
                r["changes"].as_i64().unwrap(),
            )
        })
        .collect();
    let by = "demo-enumerator".to_string();
    // Newest first: the second sync restated yesterday and three days ago; the first, yesterday.
    assert_eq!(
        days,
        vec![
            (day(1), by.clone(), 3),
            (day(3), by.clone(), 3),
            (day(1), by, 3)
        ]
    );
    let (status, _) = app
        .get("/api/v1/units/39301/restatements?from=yesterday", &commune)
        .await;
    assert_eq!(status, 400);
    // Outside the commune's area: not found.
    let (status, _) = app.get("/api/v1/units/39302/restatements", &commune).await;
    assert_eq!(status, 404);
}

async fn a_baseline_recorded_before_the_campaign_is_before(app: &TestApp) {
    let enumerator = app.token("demo-enumerator").await;
    let province = app.token("demo-province").await;
    let document = document_of(app, &enumerator, VILLAGE).await;
    let mut phone = fetch(app, &enumerator, &document).await;
    // The baseline survey, five days ago: two adults, one with a smartphone.
    household(&mut phone, 1, true, now() - 5 * DAY);
    household(&mut phone, 2, false, now() - 5 * DAY);
    // The campaign's baseline is three days ago; the survey reaches the server only today.
    let (status, campaign) = app
        .post(
            "/api/v1/campaigns",
            &province,
            json!({"name": "Thí điểm", "baseline_date": day(3)}),
        )
        .await;
    assert_eq!(status, 201, "{campaign}");
    assert_eq!(
        sync(app, &enumerator, &document, &mut phone).await,
        Outcome::Synced
    );
    // Today the team helps the second person: now 2 of 2.
    household(&mut phone, 2, true, now());
    assert_eq!(
        sync(app, &enumerator, &document, &mut phone).await,
        Outcome::Synced
    );
    let (status, t) = app
        .get(
            &format!(
                "/api/v1/units/{VILLAGE}/indicators?campaign={}",
                campaign["id"]
            ),
            &province,
        )
        .await;
    assert_eq!(status, 200, "{t}");
    assert_eq!(t["baseline"], day(3));
    let six = indicator(&t, 6);
    assert_eq!(
        (six["numerator"].clone(), six["denominator"].clone()),
        (json!(2), json!(2))
    );
    assert_eq!(
        (
            six["baseline"]["numerator"].clone(),
            six["baseline"]["denominator"].clone()
        ),
        (json!(1), json!(2)),
        "before = the survey recorded before the baseline date: {six}"
    );
}

async fn a_wrong_clock_cannot_move_figures(app: &TestApp) {
    let enumerator = app.token("demo-enumerator").await;
    let commune = app.token("demo-commune").await;
    let document = document_of(app, &enumerator, VILLAGE).await;
    let mut phone = fetch(app, &enumerator, &document).await;
    household(&mut phone, 1, true, now() - 30 * DAY);
    assert_eq!(
        sync(app, &enumerator, &document, &mut phone).await,
        Outcome::Synced
    );
    assert_eq!(as_of(app, &commune, 30).await, (1, 1));
    // Clocks in 1970, in 2099 and 61 days back: counted on the day they arrived, so the past
    // (and the window's edge) keeps its figures.
    household(&mut phone, 2, true, 1);
    household(&mut phone, 3, true, 4_070_908_800);
    household(&mut phone, 4, true, now() - 61 * DAY);
    assert_eq!(
        sync(app, &enumerator, &document, &mut phone).await,
        Outcome::Synced
    );
    assert_eq!(as_of(app, &commune, 30).await, (1, 1));
    assert_eq!(as_of(app, &commune, 1).await, (1, 1));
    assert_eq!(smartphones(app, &commune, "").await, (4, 4));
    // Every stored change's observation time: each run's first, then its steps.
    let runs = app
        .rows(
            "SELECT CAST(observed_first AS TEXT), observed_steps, CAST(received_at AS TEXT)
             FROM doc_change_runs",
        )
        .await;
    let int = |v: &Option<String>| v.as_deref().unwrap().parse::<i64>().unwrap();
    let mut changes = 0;
    for run in &runs {
        let (mut t, received) = (int(&run[0]), int(&run[2]));
        let steps = run[1].as_deref().unwrap();
        // "step" or "step*n" (repeated n times).
        let repeated = |s: &str| {
            let (step, n) = s.split_once('*').unwrap_or((s, "1"));
            vec![step.parse::<i64>().unwrap(); n.parse().unwrap()]
        };
        for step in std::iter::once(0).chain(
            steps
                .split(',')
                .filter(|s| !s.is_empty())
                .flat_map(repeated),
        ) {
            t += step;
            changes += 1;
            assert!(t >= now() - 31 * DAY, "nothing before the window: {t}");
            assert!(t <= received, "nothing after it arrived: {t} > {received}");
        }
    }
    assert!(changes > 10, "every change is dated: {changes} in {runs:?}");
}
