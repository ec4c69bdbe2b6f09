//! Importing the commune's household register into the village documents.

use automerge::ReadDoc;
use serde_json::json;

use crate::common::peer::Outcome;
use crate::common::TestApp;
use crate::on_both_backends;
use crate::support::{document_of, expected_rows, fetch, projected_rows, put, sync};

on_both_backends!(register_import_is_checked_and_idempotent);

const REGISTER: &str = "village_code,head_name,address,member_name,birth_year
39301.01,Nguyễn Văn Đức,Xóm 1,Nguyễn Văn Đức,1970
39301.01,Nguyễn Văn Đức,Xóm 1,Trần Thị Mai,1974
39301.01,Nguyễn Văn Đức,Xóm 1,Nguyễn Văn An,2016
39301.01,Lê Thị Hoa,Xóm 2,Lê Thị Hoa,1958
39301.02,Phạm Văn Tùng,Xóm 5,,
";

/// Posts a register and waits for its job (200 with the report, or 422 with the problems).
async fn import(app: &TestApp, token: &str, csv: &str) -> (reqwest::StatusCode, serde_json::Value) {
    app.import_register(token, csv.as_bytes()).await
}

async fn register_import_is_checked_and_idempotent(app: &TestApp) {
    let lead = app.token("demo-lead").await;
    let bad = "village_code,head_name,address,member_name,birth_year\n39301.01,,Xóm 1,A,1970\n39301.01,B,Xóm 1,B,19x0\n39301.01,C,Xóm 1,C,\n";
    let (status, body) = import(app, &lead, bad).await;
    assert_eq!(status, 422, "{body}");
    let details = body["error"]["details"].to_string();
    for line in [
        "line 2: head_name is empty",
        "line 3: birth_year '19x0'",
        "line 4: member C needs a birth_year",
    ] {
        assert!(details.contains(line), "{line} in {details}");
    }
    let (status, body) = import(app, &lead, "village_code,head_name,address\n38901.01,X,Y\n").await;
    assert_eq!(status, 422, "{body}");
    assert!(body
        .to_string()
        .contains("not an active village in your area"));
    assert_eq!(
        import(app, &app.token("demo-district").await, REGISTER)
            .await
            .0,
        403
    );
    assert!(
        app.rows("SELECT id FROM households").await.is_empty(),
        "nothing half-imported"
    );

    let (status, report) = import(app, &lead, REGISTER).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(
        report,
        json!({"households_created": 3, "persons_created": 3, "households_unchanged": 0, "persons_under_15": 1})
    );

    // The enumerator's phone gets the households, edits one, and a re-import changes nothing.
    let enumerator = app.token("demo-enumerator").await;
    let doc_id = document_of(app, &enumerator, "39301.01").await;
    let mut phone = fetch(app, &enumerator, &doc_id).await;
    let households = khaosat::survey::read::household_ids(&phone);
    assert_eq!(households.len(), 2);
    let duc = households
        .iter()
        .find(|h| {
            khaosat::survey::read_household(&phone, h)
                .unwrap()
                .head_name
                .as_deref()
                == Some("Nguyễn Văn Đức")
        })
        .unwrap()
        .clone();
    assert_eq!(
        khaosat::survey::read_household(&phone, &duc)
            .unwrap()
            .persons
            .len(),
        2,
        "the child is not surveyed"
    );
    put(
        &mut phone,
        &["households", &duc, "address"],
        json!("Xóm 1, ngõ 4"),
    );
    assert_eq!(
        sync(app, &enumerator, &doc_id, &mut phone).await,
        Outcome::Synced
    );

    let (status, again) = import(app, &lead, REGISTER).await;
    assert_eq!(status, 200);
    assert_eq!(again["households_created"], 0);
    assert_eq!(again["households_unchanged"], 3);
    let server = fetch(app, &enumerator, &doc_id).await;
    assert_eq!(
        khaosat::survey::read_household(&server, &duc)
            .unwrap()
            .address
            .as_deref(),
        Some("Xóm 1, ngõ 4")
    );
    assert!(server.get(automerge::ROOT, "households").unwrap().is_some());
    assert_eq!(
        projected_rows(app, "39301.01").await,
        expected_rows(&server)
    );
    assert_eq!(
        app.rows("SELECT id FROM households WHERE village_code = '39301.02'")
            .await
            .len(),
        1
    );
}
