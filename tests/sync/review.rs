//! The team lead's review through the real sync path. Two phones set the same field while
//! offline: both values are kept by the document, and the server records one conflict with both
//! values and their authors; the lead writing the field again settles it, and both phones
//! converge on that value. A record sent back ("cần sửa") reaches the member and clears when the
//! member changes it.

use automerge::{AutoCommit, ReadDoc};
use serde_json::{json, Value};

use crate::common::peer::Outcome;
use crate::common::TestApp;
use crate::on_both_backends;
use crate::support::{document_of, fetch, put, put_at, sync};

on_both_backends!(
    a_concurrent_edit_is_one_conflict_until_the_lead_settles_it,
    a_record_sent_back_reaches_the_member_and_clears_when_fixed,
    a_week_approval_shows_changes_made_after_it,
);

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

    // The household's history says what each batch changed, old → new, and who did it.
    let (status, history) = app
        .get(&format!("/api/v1/households/{H}/history"), &lead)
        .await;
    assert_eq!(status, 200, "{history}");
    let changes = history["changes"].as_array().unwrap();
    let last = changes.last().unwrap();
    assert_eq!(last["display_name"], "Tổ trưởng Tổ CNS xã Nga Liên");
    assert_eq!(
        last["values"],
        json!([{"field": "head_name", "old": shown, "new": picked}]),
        "{last}"
    );
    let first = &changes[0];
    assert!(
        first["values"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["field"] == "head_name" && v["old"].is_null() && v["new"] == "Le Van Hung"),
        "{first}"
    );

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

const P: &str = "0c2b9d41-7e55-4a3f-8b6e-2f4d1a9c7e30";

async fn a_record_sent_back_reaches_the_member_and_clears_when_fixed(app: &TestApp) {
    let enumerator = app.token("demo-enumerator").await;
    let lead = app.token("demo-lead").await;
    let doc_id = document_of(app, &enumerator, "39301.01").await;
    let mut member = fetch(app, &enumerator, &doc_id).await;
    put(
        &mut member,
        &["households", H, "head_name"],
        json!("Đặng Văn Tâm"),
    );
    put(
        &mut member,
        &["households", H, "persons", P, "full_name"],
        json!("Đặng Văn Tâm"),
    );
    assert_eq!(
        sync(app, &enumerator, &doc_id, &mut member).await,
        Outcome::Synced
    );

    // The lead sends the person back, then the household.
    let (status, person) = app
        .post(
            &format!("/api/v1/households/{H}/send-back"),
            &lead,
            json!({"person_id": P, "comment": "Thiếu số CCCD"}),
        )
        .await;
    assert_eq!(status, 201, "{person}");
    assert_eq!(person["created_by_name"], "Tổ trưởng Tổ CNS xã Nga Liên");
    let (status, household) = app
        .post(
            &format!("/api/v1/households/{H}/send-back"),
            &lead,
            json!({"comment": "Địa chỉ chưa đúng"}),
        )
        .await;
    assert_eq!(status, 201, "{household}");
    let (status, body) = app
        .post(
            &format!("/api/v1/households/{H}/send-back"),
            &lead,
            json!({"person_id": "no-such-person", "comment": "?"}),
        )
        .await;
    assert_eq!(status, 404, "{body}");

    let (_, mine) = app.get("/api/v1/me/send-backs", &enumerator).await;
    assert_eq!(mine.as_array().unwrap().len(), 2, "{mine}");
    assert_eq!(mine[0]["head_name"], "Đặng Văn Tâm");

    // The lead's own edit does not count as the fix.
    let mut lead_phone = fetch(app, &lead, &doc_id).await;
    put(
        &mut lead_phone,
        &["households", H, "note"],
        json!("đã nhắc"),
    );
    assert_eq!(
        sync(app, &lead, &doc_id, &mut lead_phone).await,
        Outcome::Synced
    );
    let (_, open) = app.get("/api/v1/units/39301/send-backs", &lead).await;
    assert_eq!(open.as_array().unwrap().len(), 2, "{open}");

    // The member fixes the household's address: that one clears, the person's stays.
    assert_eq!(
        sync(app, &enumerator, &doc_id, &mut member).await,
        Outcome::Synced
    );
    put(
        &mut member,
        &["households", H, "address"],
        json!("Xóm Đông, thôn 1"),
    );
    assert_eq!(
        sync(app, &enumerator, &doc_id, &mut member).await,
        Outcome::Synced
    );
    let (_, open) = app.get("/api/v1/units/39301/send-backs", &lead).await;
    let open = open.as_array().unwrap();
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(open[0]["person_id"], P);

    // The lead withdraws the other; nothing is left for the member; history keeps both.
    let id = open[0]["id"].as_i64().unwrap();
    let (status, withdrawn) = app
        .call(
            reqwest::Method::DELETE,
            &format!("/api/v1/send-backs/{id}"),
            Some(&lead),
            None,
        )
        .await;
    assert_eq!(status, 200, "{withdrawn}");
    assert_eq!(withdrawn["cleared_reason"], "withdrawn");
    let (status, _) = app
        .call(
            reqwest::Method::DELETE,
            &format!("/api/v1/send-backs/{id}"),
            Some(&lead),
            None,
        )
        .await;
    assert_eq!(status, 409);
    let (_, mine) = app.get("/api/v1/me/send-backs", &enumerator).await;
    assert!(mine.as_array().unwrap().is_empty(), "{mine}");
    let (_, all) = app
        .get("/api/v1/units/39301/send-backs?state=all", &lead)
        .await;
    let reasons: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["cleared_reason"].as_str().unwrap())
        .collect();
    // Newest first: the household (fixed), then the person (withdrawn).
    assert_eq!(reasons, ["fixed", "withdrawn"]);
}

fn village<'a>(approvals: &'a Value, code: &str) -> &'a Value {
    approvals["villages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["village_code"] == code)
        .unwrap_or_else(|| panic!("{code} missing: {approvals}"))
}

async fn a_week_approval_shows_changes_made_after_it(app: &TestApp) {
    let enumerator = app.token("demo-enumerator").await;
    let lead = app.token("demo-lead").await;
    let doc_id = document_of(app, &enumerator, "39301.01").await;
    let mut member = fetch(app, &enumerator, &doc_id).await;
    put(
        &mut member,
        &["households", H, "head_name"],
        json!("Phạm Văn Long"),
    );
    assert_eq!(
        sync(app, &enumerator, &doc_id, &mut member).await,
        Outcome::Synced
    );

    // A Thursday names the week of its Monday.
    let (status, approved) = app
        .post(
            "/api/v1/units/39301.01/approval",
            &lead,
            json!({"week": "2026-12-03"}),
        )
        .await;
    assert_eq!(status, 201, "{approved}");
    assert_eq!(approved["week"], "2026-11-30");
    let week = "/api/v1/units/39301/approvals?week=2026-11-30";
    let district = app.token("demo-district").await;
    let (status, seen) = app.get(week, &district).await;
    assert_eq!(status, 200, "{seen}");
    let v1 = village(&seen, "39301.01");
    assert_eq!(v1["approved"], true);
    assert_eq!(v1["approved_by_name"], "Tổ trưởng Tổ CNS xã Nga Liên");
    assert_eq!(v1["changed_since_approval"], false);
    assert_eq!(village(&seen, "39301.02")["approved"], false);
    let (_, other_week) = app
        .get("/api/v1/units/39301/approvals?week=2026-12-07", &lead)
        .await;
    assert_eq!(village(&other_week, "39301.01")["approved"], false);

    // Work goes on after approval: never blocked, shown as changed.
    put(&mut member, &["households", H, "address"], json!("Xóm Bắc"));
    assert_eq!(
        sync(app, &enumerator, &doc_id, &mut member).await,
        Outcome::Synced
    );
    let (_, seen) = app.get(week, &lead).await;
    assert_eq!(village(&seen, "39301.01")["changed_since_approval"], true);
    let (status, _) = app
        .post(
            "/api/v1/units/39301.01/approval",
            &lead,
            json!({"week": "2026-11-30"}),
        )
        .await;
    assert_eq!(status, 201);
    let (_, seen) = app.get(week, &lead).await;
    assert_eq!(village(&seen, "39301.01")["changed_since_approval"], false);

    let (status, _) = app
        .post("/api/v1/units/39301/approval", &lead, json!({}))
        .await;
    assert_eq!(status, 400, "a commune is not approved as a whole");
    let (status, _) = app
        .post("/api/v1/units/39301.01/approval", &district, json!({}))
        .await;
    assert_eq!(status, 403);
    let (status, _) = app
        .post(
            "/api/v1/units/39301.01/approval",
            &lead,
            json!({"week": "tuần này"}),
        )
        .await;
    assert_eq!(status, 400);
}
