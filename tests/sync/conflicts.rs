//! Two phones set the same field while offline: both values are kept by the document, and the
//! server records one conflict with both values and their authors for the team lead; the lead
//! writing the field again settles it, and both phones converge on that value.

use automerge::{AutoCommit, ReadDoc};
use serde_json::{json, Value};

use crate::common::peer::Outcome;
use crate::common::TestApp;
use crate::on_both_backends;
use crate::support::{document_of, fetch, put, put_at, sync};

on_both_backends!(a_concurrent_edit_is_one_conflict_until_the_lead_settles_it);

const H: &str = "6f1d7c52-3a1e-4d0b-9c41-0a5e2b7d9e11";

fn head_name(doc: &AutoCommit) -> String {
    let households = doc.get(automerge::ROOT, "households").unwrap().unwrap().1;
    let household = doc.get(&households, H).unwrap().unwrap().1;
    doc.get(&household, "head_name")
        .unwrap()
        .unwrap()
        .0
        .as_str()
        .unwrap()
        .to_string()
}

async fn open_conflicts(app: &TestApp, token: &str) -> Vec<Value> {
    let (status, body) = app.get("/api/v1/units/39301/conflicts", token).await;
    assert_eq!(status, 200, "{body}");
    body.as_array().unwrap().clone()
}

async fn a_concurrent_edit_is_one_conflict_until_the_lead_settles_it(app: &TestApp) {
    let enumerator = app.token("demo-enumerator").await;
    let lead = app.token("demo-lead").await;
    let doc_id = document_of(app, &enumerator, "39301.01").await;

    let mut member = fetch(app, &enumerator, &doc_id).await;
    // As the register had it, without diacritics; each phone corrects it its own way.
    put(
        &mut member,
        &["households", H, "head_name"],
        json!("Le Van Hung"),
    );
    put(
        &mut member,
        &["households", H, "address"],
        json!("Xóm Đông"),
    );
    assert_eq!(
        sync(app, &enumerator, &doc_id, &mut member).await,
        Outcome::Synced
    );
    let mut lead_phone = fetch(app, &lead, &doc_id).await;
    assert!(open_conflicts(app, &lead).await.is_empty());

    // Both offline: the same field set differently, another field by one of them only.
    let now = khaosat::clock::now();
    put_at(
        &mut member,
        &["households", H, "head_name"],
        json!("Lê Văn Hưng"),
        now - 60,
    );
    put_at(
        &mut lead_phone,
        &["households", H, "head_name"],
        json!("Lê Văn Hùng Anh"),
        now - 30,
    );
    put(
        &mut lead_phone,
        &["households", H, "address"],
        json!("Xóm Tây"),
    );
    assert_eq!(
        sync(app, &enumerator, &doc_id, &mut member).await,
        Outcome::Synced
    );
    assert_eq!(
        sync(app, &lead, &doc_id, &mut lead_phone).await,
        Outcome::Synced
    );
    assert_eq!(
        sync(app, &enumerator, &doc_id, &mut member).await,
        Outcome::Synced
    );

    let open = open_conflicts(app, &lead).await;
    assert_eq!(open.len(), 1, "exactly one conflict: {open:?}");
    let conflict = &open[0];
    assert_eq!(conflict["household_id"], H);
    assert_eq!(conflict["field"], "head_name");
    assert_eq!(conflict["village_code"], "39301.01");
    let candidates = conflict["candidates"].as_array().unwrap();
    assert_eq!(candidates.len(), 2, "{conflict}");
    let by = |name: &str| {
        candidates
            .iter()
            .find(|c| c["value"] == name)
            .unwrap_or_else(|| panic!("{name} missing: {conflict}"))
    };
    assert_eq!(
        by("Lê Văn Hưng")["display_name"],
        "Thành viên Tổ CNS Nga Liên"
    );
    assert_eq!(by("Lê Văn Hưng")["device_id"], "device-demo-enumerator");
    assert_eq!(
        by("Lê Văn Hùng Anh")["display_name"],
        "Tổ trưởng Tổ CNS xã Nga Liên"
    );
    assert!(by("Lê Văn Hùng Anh")["at"].is_string(), "{conflict}");
    assert!(by("Lê Văn Hưng")["at"].is_string(), "{conflict}");
    // "current" is what both phones show.
    let shown = head_name(&member);
    assert_eq!(shown, head_name(&lead_phone));
    let current: Vec<&Value> = candidates.iter().filter(|c| c["current"] == true).collect();
    assert_eq!(current.len(), 1);
    assert_eq!(current[0]["value"], shown.as_str());

    // Person-level values: the district sees none of it, the enumerator is not the one to settle.
    let (status, _) = app
        .get(
            "/api/v1/units/39301/conflicts",
            &app.token("demo-district").await,
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = app.get("/api/v1/units/39301/conflicts", &enumerator).await;
    assert_eq!(status, 403);

    // The lead picks the value that lost, from their phone: settled, and both phones show it.
    let picked = if shown == "Lê Văn Hưng" {
        "Lê Văn Hùng Anh"
    } else {
        "Lê Văn Hưng"
    };
    put(
        &mut lead_phone,
        &["households", H, "head_name"],
        json!(picked),
    );
    assert_eq!(
        sync(app, &lead, &doc_id, &mut lead_phone).await,
        Outcome::Synced
    );
    assert!(open_conflicts(app, &lead).await.is_empty(), "settled");
    assert_eq!(
        sync(app, &enumerator, &doc_id, &mut member).await,
        Outcome::Synced
    );
    assert_eq!(head_name(&member), picked);
    assert_eq!(head_name(&lead_phone), picked);

    // Nothing is dropped: the settled conflict keeps both values and what settled it.
    let (_, all) = app
        .get("/api/v1/units/39301/conflicts?state=all", &lead)
        .await;
    let settled = &all.as_array().unwrap()[0];
    assert_eq!(settled["candidates"].as_array().unwrap().len(), 2);
    assert_eq!(settled["settled_value"], picked);
    assert!(settled["settled_at"].is_string());
    let (status, _) = app
        .get("/api/v1/units/39301/conflicts?state=later", &lead)
        .await;
    assert_eq!(status, 400);
}
