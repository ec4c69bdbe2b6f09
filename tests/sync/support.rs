//! Helpers for building survey edits and checking the projection.

use std::collections::HashMap;

use automerge::transaction::{CommitOptions, Transactable};
use automerge::{AutoCommit, ObjId, ObjType, ReadDoc, ScalarValue, Value};
use khaosat::survey::read::{household_ids, read_household};
use serde_json::{json, Value as Json};

use crate::common::peer::{Outcome, RustPeer};
use crate::common::{rows_at, TestApp};

/// The document id of a village, as `/api/v1/me/documents` lists it for `token`.
pub async fn document_of(app: &TestApp, token: &str, village: &str) -> String {
    let (status, docs) = app.get("/api/v1/me/documents", token).await;
    assert_eq!(status, 200, "{docs}");
    docs.as_array()
        .unwrap()
        .iter()
        .find(|d| d["unit_code"] == village)
        .unwrap_or_else(|| panic!("{village} not in {docs}"))["document_id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A phone: signs in, fetches the village document, and keeps a local copy.
pub async fn fetch(app: &TestApp, token: &str, document_id: &str) -> AutoCommit {
    let mut peer = RustPeer::connect(&app.ws_base(), token)
        .await
        .expect("connect");
    let mut doc = AutoCommit::new();
    assert_eq!(peer.sync(document_id, &mut doc).await, Outcome::Synced);
    doc
}

/// Syncs a local copy with the server over a fresh connection.
pub async fn sync(app: &TestApp, token: &str, document_id: &str, doc: &mut AutoCommit) -> Outcome {
    let mut peer = RustPeer::connect(&app.ws_base(), token)
        .await
        .expect("connect");
    peer.sync(document_id, doc).await
}

fn map_in(doc: &mut AutoCommit, parent: &ObjId, key: &str) -> ObjId {
    match doc.get(parent, key).unwrap() {
        Some((Value::Object(ObjType::Map), id)) => id,
        _ => doc.put_object(parent, key, ObjType::Map).unwrap(),
    }
}

/// Sets fields along a path (creating maps on the way), as the PWA would: strings are
/// immutable strings, JSON numbers ints, booleans booleans. The change has no time stamp (the
/// server dates it when it arrives).
pub fn put(doc: &mut AutoCommit, path: &[&str], value: Json) {
    put_at(doc, path, value, 0);
}

/// `put`, committed with the phone's clock at `time` (Unix seconds; 0: no stamp).
pub fn put_at(doc: &mut AutoCommit, path: &[&str], value: Json, time: i64) {
    let mut obj = automerge::ROOT;
    for key in &path[..path.len() - 1] {
        obj = map_in(doc, &obj, key);
    }
    let key = path[path.len() - 1];
    let scalar = match value {
        Json::String(s) => ScalarValue::Str(s.into()),
        Json::Bool(b) => ScalarValue::Boolean(b),
        Json::Number(n) => ScalarValue::Int(n.as_i64().unwrap()),
        Json::Null => ScalarValue::Null,
        other => panic!("unsupported {other}"),
    };
    doc.put(&obj, key, scalar).unwrap();
    doc.commit_with(CommitOptions::default().with_time(time));
}

/// Rows of a query, all columns as text.
pub type Rows = Vec<Vec<Option<String>>>;

/// The projection rows the document implies, computed from scratch, in the shape
/// `projected_rows` reads them from SQL.
pub fn expected_rows(doc: &AutoCommit) -> (Rows, Rows) {
    let flag = |b: Option<bool>| b.map(|b| if b { "1".to_string() } else { "0".to_string() });
    let mut households = Vec::new();
    let mut persons = Vec::new();
    for id in household_ids(doc) {
        let h = read_household(doc, &id).unwrap();
        households.push(vec![
            Some(h.id.clone()),
            h.head_name.clone(),
            h.address.clone(),
            flag(h.flags[0]),
            Some(if h.deleted { "1" } else { "0" }.to_string()),
            h.visit_outcome.clone(),
            h.answers.clone(),
        ]);
        for p in &h.persons {
            persons.push(vec![
                Some(p.id.clone()),
                Some(h.id.clone()),
                p.full_name.clone(),
                p.birth_year.map(|y| y.to_string()),
                flag(p.flags[2]),
                flag(p.flags[5]),
                p.vneid_level.map(|l| l.to_string()),
                p.answers.clone(),
            ]);
        }
    }
    households.sort();
    persons.sort();
    (households, persons)
}

/// The projection rows stored in SQL for a village (with the answers of fields without a column).
pub async fn projected_rows(app: &TestApp, village: &str) -> (Rows, Rows) {
    projected_rows_at(&app.database_url, village).await
}

/// The projection rows stored for a village in the database at `database_url`.
pub async fn projected_rows_at(database_url: &str, village: &str) -> (Rows, Rows) {
    let households = rows_at(
        database_url,
        &format!(
            "SELECT id, head_name, address, CAST(pays_electricity_cashless AS TEXT), CAST(deleted AS TEXT), visit_outcome, answers
             FROM households WHERE village_code = '{village}' ORDER BY id"
        ),
    )
    .await;
    let persons = rows_at(
        database_url,
        &format!(
            "SELECT id, household_id, full_name, CAST(birth_year AS TEXT), CAST(has_smartphone AS TEXT),
                    CAST(has_payment_account AS TEXT), CAST(vneid_level AS TEXT), answers
             FROM persons WHERE village_code = '{village}' ORDER BY id"
        ),
    )
    .await;
    let mut persons = persons;
    persons.sort();
    let mut households = households;
    households.sort();
    (households, persons)
}

/// Sorted heads as hex.
pub fn heads(doc: &mut AutoCommit) -> Vec<String> {
    let mut h: Vec<String> = doc.get_heads().iter().map(|h| h.to_string()).collect();
    h.sort();
    h
}

/// What the convergence property counts, as the server stored it now (`day`: `None`) or as of a day: the
/// progress counters and the numerators of indicators 15, 6 and 8 (rules counted per village).
pub async fn stored_figures(app: &TestApp, village: &str, day: Option<&str>) -> Vec<String> {
    let (counters, rules) = match day {
        None => (
            format!(
                "SELECT CAST(h_known AS TEXT), CAST(p_known AS TEXT), CAST(p_surveyed AS TEXT)
                 FROM village_stats WHERE village_code = '{village}'"
            ),
            format!("SELECT counts FROM indicator_current WHERE village_code = '{village}'"),
        ),
        Some(day) => (
            format!(
                "SELECT CAST(h_known AS TEXT), CAST(p_known AS TEXT), CAST(p_surveyed AS TEXT)
                 FROM stats_snapshots WHERE village_code = '{village}' AND day <= '{day}'
                 ORDER BY day DESC LIMIT 1"
            ),
            format!(
                "SELECT counts FROM indicator_counts WHERE village_code = '{village}' AND day <= '{day}'
                 ORDER BY day DESC LIMIT 1"
            ),
        ),
    };
    let progress: Vec<String> = app
        .rows(&counters)
        .await
        .into_iter()
        .next()
        .map(|r| r.into_iter().map(Option::unwrap_or_default).collect())
        .unwrap_or_else(|| vec!["0".into(); 3]);
    let counts = app.rows(&rules).await.into_iter().next();
    let json: Json = counts.and_then(|r| r[0].clone()).map_or(json!({}), |t| {
        serde_json::from_str(&t).expect("stored counts")
    });
    let numerators: HashMap<String, String> = json
        .as_object()
        .into_iter()
        .flatten()
        .map(|(id, c)| (id.clone(), c[0].to_string()))
        .collect();
    let numerator = |id: &str| numerators.get(id).cloned().unwrap_or_else(|| "0".into());
    vec![
        progress[0].clone(),
        numerator("15"),
        progress[1].clone(),
        progress[2].clone(),
        numerator("6"),
        numerator("8"),
    ]
}
