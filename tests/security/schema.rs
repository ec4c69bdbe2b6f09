//! Documents that do not follow the schema (a string where a yes/no belongs, a household that
//! is not a map, missing fields, a schema version from a newer app) are stored as sent, the
//! readable part is projected, and each unreadable record is listed with a clear message.

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjType, ReadDoc, ROOT};

use crate::common::peer::{Outcome, RustPeer};
use crate::common::TestApp;
use crate::on_both_backends;
use crate::sync_support::{document_of, projected_rows};

on_both_backends!(
    wrong_records_are_stored_and_reported,
    newer_schema_is_stored_not_projected
);

const WRONG_TYPE: &str = "0a000000-0000-4000-8000-000000000001";
const NOT_A_MAP: &str = "0a000000-0000-4000-8000-000000000002";
const MISSING: &str = "0a000000-0000-4000-8000-000000000003";
const PERSON: &str = "0b000000-0000-4000-8000-000000000001";

async fn fetched(app: &TestApp, token: &str, village: &str) -> (String, AutoCommit) {
    let document_id = document_of(app, token, village).await;
    let mut doc = AutoCommit::new();
    let mut peer = RustPeer::connect(&app.ws_base(), token).await.unwrap();
    assert_eq!(peer.sync(&document_id, &mut doc).await, Outcome::Synced);
    (document_id, doc)
}

async fn synced(app: &TestApp, token: &str, document_id: &str, doc: &mut AutoCommit) {
    let mut peer = RustPeer::connect(&app.ws_base(), token).await.unwrap();
    assert_eq!(
        peer.sync(document_id, doc).await,
        Outcome::Synced,
        "stored as sent"
    );
}

async fn wrong_records_are_stored_and_reported(app: &TestApp) {
    let lead = app.token("demo-lead").await;
    let (document_id, mut doc) = fetched(app, &lead, "39301.03").await;
    let households = match doc.get(ROOT, "households").unwrap() {
        Some((automerge::Value::Object(ObjType::Map), id)) => id,
        other => panic!("server document without households: {other:?}"),
    };
    let h = doc
        .put_object(&households, WRONG_TYPE, ObjType::Map)
        .unwrap();
    doc.put(&h, "head_name", "Lê Văn Cường").unwrap();
    doc.put(&h, "pays_electricity_cashless", "có").unwrap();
    let persons = doc.put_object(&h, "persons", ObjType::Map).unwrap();
    let p = doc.put_object(&persons, PERSON, ObjType::Map).unwrap();
    doc.put(&p, "full_name", "Lê Thị Hoa").unwrap();
    doc.put(&p, "has_smartphone", "yes").unwrap();
    doc.put(&p, "birth_year", "nineteen ninety").unwrap();
    doc.put(&p, "has_payment_account", true).unwrap();
    doc.put(&households, NOT_A_MAP, "một hộ").unwrap();
    doc.put_object(&households, MISSING, ObjType::Map).unwrap();
    doc.commit();
    synced(app, &lead, &document_id, &mut doc).await;

    // Stored: a new phone gets the same document back.
    let (_, mut copy) = fetched(app, &lead, "39301.03").await;
    assert_eq!(copy.get_heads(), doc.get_heads());
    // The readable part is projected; what is wrong is NULL (unknown), never a guess.
    let (households, persons) = projected_rows(app, "39301.03").await;
    let row = |id: &str| {
        households
            .iter()
            .find(|r| r[0].as_deref() == Some(id))
            .cloned()
    };
    let wrong = row(WRONG_TYPE).expect("household with a wrong type projected");
    assert_eq!(wrong[1].as_deref(), Some("Lê Văn Cường"));
    assert_eq!(wrong[3], None, "a string is not a yes/no");
    assert!(row(MISSING).is_some(), "missing fields are just unanswered");
    let person = persons
        .iter()
        .find(|r| r[0].as_deref() == Some(PERSON))
        .expect("person");
    assert_eq!(
        (person[3].clone(), person[4].clone(), person[5].as_deref()),
        (None, None, Some("1"))
    );

    // Each unreadable record is listed for the team lead, with the field and what was found.
    let (status, problems) = app.get("/api/v1/units/39301/record-problems", &lead).await;
    assert_eq!(status, 200, "{problems}");
    let message = |id: &str| {
        problems
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["household_id"] == id)
            .map(|p| p["message"].as_str().unwrap().to_string())
    };
    let wrong = message(WRONG_TYPE).unwrap_or_else(|| panic!("{problems}"));
    for field in ["pays_electricity_cashless", "has_smartphone", "birth_year"] {
        assert!(wrong.contains(field), "'{wrong}' names {field}");
    }
    assert!(message(NOT_A_MAP).unwrap().contains("not a map"));
    assert_eq!(
        message(MISSING),
        None,
        "nothing wrong with unanswered fields"
    );
    // Fixing the record on a phone clears its problem.
    let h = doc.get(households_of(&doc), WRONG_TYPE).unwrap().unwrap().1;
    doc.put(&h, "pays_electricity_cashless", true).unwrap();
    let persons = doc.get(&h, "persons").unwrap().unwrap().1;
    let p = doc.get(&persons, PERSON).unwrap().unwrap().1;
    doc.put(&p, "has_smartphone", true).unwrap();
    doc.put(&p, "birth_year", 1990).unwrap();
    doc.commit();
    synced(app, &lead, &document_id, &mut doc).await;
    let (_, problems) = app
        .get("/api/v1/units/39301.03/record-problems", &lead)
        .await;
    assert!(!problems.to_string().contains(WRONG_TYPE), "{problems}");
    // Outside the area, or for an enumerator: refused.
    let (status, _) = app.get("/api/v1/units/38901/record-problems", &lead).await;
    assert_eq!(status, 404);
    let enumerator = app.token("demo-enumerator").await;
    let (status, _) = app
        .get("/api/v1/units/39301/record-problems", &enumerator)
        .await;
    assert_eq!(status, 403);
}

fn households_of(doc: &AutoCommit) -> automerge::ObjId {
    doc.get(ROOT, "households").unwrap().unwrap().1
}

async fn newer_schema_is_stored_not_projected(app: &TestApp) {
    let lead = app.token("demo-lead").await;
    let (document_id, mut doc) = fetched(app, &lead, "39301.04").await;
    let households = households_of(&doc);
    let h = doc
        .put_object(&households, WRONG_TYPE, ObjType::Map)
        .unwrap();
    doc.put(&h, "head_name", "Hộ của phiên bản mới").unwrap();
    doc.put(ROOT, "schema_version", 99_i64).unwrap();
    doc.commit();
    synced(app, &lead, &document_id, &mut doc).await;
    let (_, mut copy) = fetched(app, &lead, "39301.04").await;
    assert_eq!(copy.get_heads(), doc.get_heads(), "stored as sent");
    let (households, _) = projected_rows(app, "39301.04").await;
    assert!(households.is_empty(), "not guessed at: {households:?}");
    let (_, problems) = app
        .get("/api/v1/units/39301.04/record-problems", &lead)
        .await;
    let all = problems.to_string();
    assert!(
        all.contains("\"*\"") && all.contains("newer than this server"),
        "{all}"
    );
    // The server goes on serving other villages.
    let (_, mut other) = fetched(app, &lead, "39301.01").await;
    crate::matrix::record_household(&mut other, "vẫn chạy");
    let id = document_of(app, &lead, "39301.01").await;
    synced(app, &lead, &id, &mut other).await;
}
