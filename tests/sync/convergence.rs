//! Phones edit the same village while disconnected, reconnect, and converge, with identical
//! SQL projections, and nothing acknowledged is missing.

use automerge::ReadDoc;
use serde_json::json;

use crate::common::peer::Outcome;
use crate::common::TestApp;
use crate::on_both_backends;
use crate::support::{document_of, expected_rows, fetch, heads, projected_rows, put, sync};

on_both_backends!(
    offline_edits_merge_without_asking,
    read_only_changes_are_refused
);

const H1: &str = "5f0c8e0a-1c2b-4d3e-8f40-000000000001";
const H2: &str = "5f0c8e0a-1c2b-4d3e-8f40-000000000002";
const P1: &str = "7a1d2e3f-0000-4000-8000-000000000001";

async fn offline_edits_merge_without_asking(app: &TestApp) {
    let enumerator = app.token("demo-enumerator").await;
    let lead = app.token("demo-lead").await;
    let doc_id = document_of(app, &enumerator, "39301.01").await;
    assert_eq!(
        document_of(app, &lead, "39301.01").await,
        doc_id,
        "one document per village"
    );

    // The enumerator records a household online.
    let mut phone_a = fetch(app, &enumerator, &doc_id).await;
    put(
        &mut phone_a,
        &["households", H1, "head_name"],
        json!("Nguyễn Văn Đức"),
    );
    put(&mut phone_a, &["households", H1, "address"], json!("Xóm 3"));
    put(
        &mut phone_a,
        &["households", H1, "persons", P1, "full_name"],
        json!("Nguyễn Văn Đức"),
    );
    put(
        &mut phone_a,
        &["households", H1, "persons", P1, "birth_year"],
        json!(1972),
    );
    assert_eq!(
        sync(app, &enumerator, &doc_id, &mut phone_a).await,
        Outcome::Synced
    );

    // The team lead takes a copy; both go offline and edit the same household, different fields,
    // and each adds something of their own.
    let mut phone_b = fetch(app, &lead, &doc_id).await;
    put(
        &mut phone_a,
        &["households", H1, "persons", P1, "has_smartphone"],
        json!(true),
    );
    put(
        &mut phone_a,
        &["households", H1, "visits", "v-1", "outcome"],
        json!("surveyed"),
    );
    put(
        &mut phone_a,
        &["households", H1, "visits", "v-1", "at"],
        json!(1_795_000_000_000_i64),
    );
    put(
        &mut phone_b,
        &["households", H1, "persons", P1, "has_payment_account"],
        json!(false),
    );
    put(
        &mut phone_b,
        &["households", H1, "pays_electricity_cashless"],
        json!(true),
    );
    put(
        &mut phone_b,
        &["households", H2, "head_name"],
        json!("Lê Thị Hoa"),
    );

    assert_eq!(
        sync(app, &lead, &doc_id, &mut phone_b).await,
        Outcome::Synced
    );
    assert_eq!(
        sync(app, &enumerator, &doc_id, &mut phone_a).await,
        Outcome::Synced
    );
    assert_eq!(
        sync(app, &lead, &doc_id, &mut phone_b).await,
        Outcome::Synced
    );
    assert_eq!(
        heads(&mut phone_a),
        heads(&mut phone_b),
        "both phones converge"
    );
    let server = fetch(app, &enumerator, &doc_id).await;
    let mut server = server;
    assert_eq!(heads(&mut server), heads(&mut phone_a));

    // Both edits of the shared household survived.
    let h = khaosat::survey::read_household(&phone_b, H1).unwrap();
    assert_eq!(h.flags[0], Some(true));
    assert_eq!(h.visit_outcome.as_deref(), Some("surveyed"));
    assert_eq!(h.persons[0].flags[2], Some(true), "smartphone from phone A");
    assert_eq!(
        h.persons[0].flags[5],
        Some(false),
        "payment account from phone B"
    );

    // The SQL projection equals the projection of the merged document from scratch.
    let (expected_h, expected_p) = expected_rows(&phone_a);
    assert_eq!(expected_h.len(), 2);
    assert_eq!(
        projected_rows(app, "39301.01").await,
        (expected_h, expected_p)
    );

    // The audit trail says who changed what.
    let (status, history) = app
        .get(&format!("/api/v1/households/{H1}/history"), &lead)
        .await;
    assert_eq!(status, 200, "{history}");
    let changes = history["changes"].as_array().unwrap();
    let by = |user: &str| changes.iter().filter(|c| c["username"] == user).count();
    assert!(
        by("demo-enumerator") >= 2 && by("demo-lead") >= 1,
        "{history}"
    );
    assert!(
        history
            .to_string()
            .contains(&format!("persons/{P1}/has_payment_account")),
        "{history}"
    );
    // Kept as batches between heads, the values read back from the document: none copied.
    let copied = app.rows("SELECT id FROM household_audit").await;
    assert!(copied.is_empty(), "{copied:?}");
    // Assignment progress now counts the projected households.
    let (_, list) = app.get("/api/v1/assignments?unit=39301.01", &lead).await;
    assert_eq!(
        list[0]["progress"],
        json!({"households_total": 2, "households_visited": 1})
    );
}

async fn read_only_changes_are_refused(app: &TestApp) {
    let commune = app.token("demo-commune").await;
    let (_, docs) = app.get("/api/v1/me/documents", &commune).await;
    assert!(
        docs.as_array()
            .unwrap()
            .iter()
            .all(|d| d["access"] == "read_only"),
        "{docs}"
    );
    let doc_id = document_of(app, &commune, "39301.02").await;
    let mut copy = fetch(app, &commune, &doc_id).await;
    let before = heads(&mut copy);
    put(
        &mut copy,
        &["households", H1, "head_name"],
        json!("Ghi trộm"),
    );
    // The server does not take the change; the sync settles with the server still at its heads.
    let outcome = sync(app, &commune, &doc_id, &mut copy).await;
    assert_eq!(outcome, Outcome::ReadOnly);
    let enumerator = app.token("demo-enumerator").await;
    let mut server = fetch(app, &enumerator, &doc_id).await;
    assert_eq!(
        heads(&mut server),
        before,
        "nothing from a read-only peer is stored"
    );
    assert!(server.get(automerge::ROOT, "households").unwrap().is_some());
    assert!(app
        .rows("SELECT id FROM households WHERE village_code = '39301.02'")
        .await
        .is_empty());
    let stored = app
        .rows(&format!(
            "SELECT actor FROM doc_change_runs WHERE document_id = '{doc_id}'"
        ))
        .await;
    assert!(stored.is_empty(), "{stored:?}");
}
