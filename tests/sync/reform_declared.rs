//! Declared values across a reform (issue 17): a merged commune's last declarations stand for
//! the commune it went into until that commune declares; a split commune's stand until every
//! commune it was split into has declared (before that the two overlap in the totals above).

use serde_json::json;

use crate::common::TestApp;
use crate::reform::{upload, EFFECTIVE};

crate::on_empty_backends!(
    declarations_follow_the_merge,
    a_split_communes_declarations_give_way
);

/// The two former communes of the scenarios, imported as the statistical office lists them,
/// each with its declaration of indicator 1 in June: Nga Liên 3/4, Nga Giáp 1/2.
async fn two_communes(app: &TestApp, admin: &str) {
    let list = "Tỉnh / Thành Phố,Mã TP,Quận Huyện,Mã QH,Phường Xã,Mã PX,Cấp\n\
                Tỉnh Thanh Hóa,38,Huyện Nga Sơn,401,Xã Nga Liên,16159,Xã\n\
                Tỉnh Thanh Hóa,38,Huyện Nga Sơn,401,Xã Nga Giáp,16135,Xã\n";
    assert_eq!(
        upload(app, admin, "/api/v1/units/import", list).await.0,
        200
    );
    declare(app, admin, "16159", 3, 4, "2025-06-01").await;
    declare(app, admin, "16135", 1, 2, "2025-06-01").await;
}

/// Declares indicator 1 for a commune.
async fn declare(app: &TestApp, admin: &str, commune: &str, n: i64, d: i64, on: &str) {
    let (status, body) = app
        .post(
            &format!("/api/v1/units/{commune}/declared"),
            admin,
            json!({"indicator_id": 1, "numerator": n, "denominator": d, "value_date": on}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
}

/// (numerator, denominator) of indicator `id` for the unit of a table.
async fn declared(app: &TestApp, token: &str, code: &str, query: &str, id: i64) -> (i64, i64) {
    let (status, t) = app
        .get(&format!("/api/v1/units/{code}/indicators{query}"), token)
        .await;
    assert_eq!(status, 200, "{t}");
    let v = t["unit"]["indicators"]
        .as_array()
        .and_then(|list| list.iter().find(|i| i["id"] == id))
        .unwrap_or_else(|| panic!("indicator {id} in {t}"));
    (
        v["numerator"].as_i64().unwrap_or(-1),
        v["denominator"].as_i64().unwrap_or(-1),
    )
}

/// Applies a reform mapping (the header added).
async fn apply(app: &TestApp, admin: &str, rows: &str) {
    let mapping = format!(
        "old_commune_code,old_commune_name,new_commune_code,new_commune_name,share\n{rows}"
    );
    let (status, body) = upload(
        app,
        admin,
        &format!("/api/v1/reforms?{EFFECTIVE}"),
        &mapping,
    )
    .await;
    assert_eq!(status, 200, "{body}");
}

async fn declarations_follow_the_merge(app: &TestApp) {
    let admin = app.token("admin").await;
    two_communes(app, &admin).await;
    apply(
        app,
        &admin,
        "16159,Xã Nga Liên,16138,Xã Hồ Vương,full\n16135,Xã Nga Giáp,16138,Xã Hồ Vương,full\n",
    )
    .await;
    // The new commune's history lists them, each with the commune that declared it.
    let (status, history) = app.get("/api/v1/units/16138/declared", &admin).await;
    assert_eq!(status, 200, "{history}");
    let mut names: Vec<&str> = history
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|d| d["unit_name"].as_str())
        .collect();
    names.sort();
    assert_eq!(names, ["Xã Nga Giáp", "Xã Nga Liên"]);
    // The former communes' last declarations count for the new commune, and once in the province.
    assert_eq!(declared(app, &admin, "16138", "", 1).await, (4, 6));
    assert_eq!(declared(app, &admin, "38", "", 1).await, (4, 6));
    declare(app, &admin, "16138", 10, 12, "2025-08-01").await;
    // Its own declaration replaces theirs; a day before it, theirs still stand.
    assert_eq!(declared(app, &admin, "16138", "", 1).await, (10, 12));
    assert_eq!(declared(app, &admin, "38", "", 1).await, (10, 12));
    assert_eq!(
        declared(app, &admin, "38", "?as_of=2025-07-15", 1).await,
        (4, 6)
    );
}

async fn a_split_communes_declarations_give_way(app: &TestApp) {
    let admin = app.token("admin").await;
    two_communes(app, &admin).await;
    // Nga Liên is split between Hồ Vương and Nga Sơn; Nga Giáp goes whole into Hồ Vương.
    apply(
        app,
        &admin,
        "16159,Xã Nga Liên,16138,Xã Hồ Vương,partial\n\
         16159,Xã Nga Liên,16141,Xã Nga Sơn,partial\n\
         16135,Xã Nga Giáp,16138,Xã Hồ Vương,full\n",
    )
    .await;
    assert_eq!(declared(app, &admin, "38", "", 1).await, (4, 6));
    // One of the two declares: Nga Liên's figure still stands for the part of its people in the
    // other (the two overlap until then).
    declare(app, &admin, "16138", 10, 12, "2025-08-01").await;
    assert_eq!(declared(app, &admin, "38", "", 1).await, (13, 16));
    // Both have declared: theirs cover Nga Liên's people, its own figure no longer counts.
    declare(app, &admin, "16141", 5, 6, "2025-08-02").await;
    assert_eq!(declared(app, &admin, "38", "", 1).await, (15, 18));
    assert_eq!(
        declared(app, &admin, "38", "?as_of=2025-08-01", 1).await,
        (13, 16),
        "before the second declaration it still counted"
    );
}
