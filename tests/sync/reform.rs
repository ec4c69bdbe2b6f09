//! The 2025 reform as data (issue 17): Thanh Hóa's former communes imported from the statistical
//! office's list, survey data in some of them, the published mapping applied → 166 communes,
//! every household counted once, reused codes resolved by date, a split commune's villages
//! placed, staff access following the villages; and refusals that write nothing.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::TestApp;

/// The published mapping, kept outside the project (see ../shared/data/README.md).
const MAPPING: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/data/thanh-hoa-2025-reform.csv"
);
pub(crate) const EFFECTIVE: &str = "effective=2025-07-01&name=1686/NQ-UBTVQH15";

crate::on_empty_backends!(whole_province_reform, refusals_write_nothing);

fn mapping() -> Option<String> {
    match std::fs::read_to_string(MAPPING) {
        Ok(text) => Some(text),
        Err(e) => {
            eprintln!("SKIPPED: {MAPPING} cannot be read ({e}); the reform tests need it");
            None
        }
    }
}

/// Rows of the mapping: (old code, old name, district code, district name, new code, new name, share).
fn rows(mapping: &str) -> Vec<Vec<String>> {
    csv::Reader::from_reader(mapping.as_bytes())
        .records()
        .map(|r| r.expect("mapping row").iter().map(str::to_string).collect())
        .collect()
}

/// The former province as the statistical office lists it: one row per commune, with its district.
fn official_list(mapping: &str) -> String {
    let mut out = String::from("Tỉnh / Thành Phố,Mã TP,Quận Huyện,Mã QH,Phường Xã,Mã PX,Cấp\n");
    let mut seen = std::collections::HashSet::new();
    for r in rows(mapping) {
        if !seen.insert(r[0].clone()) {
            continue;
        }
        // Folded: the file's names are not all in one Unicode normal form.
        let name = khaosat::fold::fold(&r[1]);
        let level = [("thi tran", "Thị trấn"), ("phuong", "Phường"), ("xa", "Xã")]
            .into_iter()
            .find(|(f, _)| name.starts_with(f))
            .map(|(_, l)| l)
            .unwrap_or_else(|| panic!("level in the name {}", r[1]));
        out += &format!(
            "Tỉnh Thanh Hóa,38,{},{},{},{},{level}\n",
            r[3], r[2], r[1], r[0]
        );
    }
    out
}

pub(crate) async fn upload(
    app: &TestApp,
    token: &str,
    path: &str,
    body: &str,
) -> (StatusCode, Value) {
    app.send_raw(
        Method::POST,
        path,
        Some(token),
        "text/csv",
        body.as_bytes().to_vec(),
    )
    .await
}

fn details(body: &Value) -> String {
    body["error"]["details"].to_string()
}

/// Households known in a unit, and in each of its children by official code.
async fn households_known(
    app: &TestApp,
    token: &str,
    code: &str,
    query: &str,
) -> (i64, Vec<(String, i64)>) {
    let (status, t) = app
        .get(&format!("/api/v1/units/{code}/indicators{query}"), token)
        .await;
    assert_eq!(status, 200, "{t}");
    let children = t["children"]
        .as_array()
        .expect("children")
        .iter()
        .map(|c| {
            (
                c["official_code"].as_str().unwrap_or_default().to_string(),
                c["households_known"].as_i64().unwrap_or(-1),
            )
        })
        .collect();
    (
        t["unit"]["households_known"].as_i64().unwrap_or(-1),
        children,
    )
}

async fn active(app: &TestApp, token: &str, level: &str) -> Vec<String> {
    let (status, list) = app
        .get(&format!("/api/v1/units?level={level}&limit=5000"), token)
        .await;
    assert_eq!(status, 200, "{list}");
    list.as_array()
        .expect("units")
        .iter()
        .map(|u| u["code"].as_str().unwrap_or_default().to_string())
        .collect()
}

async fn holder(app: &TestApp, token: &str, code: &str, on: &str) -> (String, String) {
    let (status, body) = app
        .get(&format!("/api/v1/unit-codes/{code}?on={on}"), token)
        .await;
    assert_eq!(status, 200, "{body}");
    (
        body["unit"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        body["unit"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    )
}

/// Villages with households: (village code, village name, former commune, households).
const VILLAGES: [(&str, &str, &str, usize); 7] = [
    ("16159.01", "Thôn 1", "16159", 2), // Nga Liên → Hồ Vương
    ("16159.02", "Thôn 2", "16159", 1),
    ("14758.01", "Tổ dân phố 1", "14758", 2), // Đông Thọ, split → Hạc Thành / Hàm Rồng
    ("14758.02", "Tổ dân phố 2", "14758", 3),
    ("14755.01", "Tổ dân phố 1", "14755", 1), // former Hàm Rồng → new Hàm Rồng (code 14758)
    ("15835.01", "Thôn Lý Nhân", "15835", 1), // Thiệu Lý → new Thiệu Trung (code 15835)
    ("15841.01", "Thôn Chí Cường", "15841", 1), // former Thiệu Trung → new Thiệu Trung
];

async fn whole_province_reform(app: &TestApp) {
    let Some(mapping) = mapping() else { return };
    let admin = app.token("admin").await;

    // The former tree, from the official list (Vietnamese levels), then the communes' villages
    // (levels read from the names).
    let (status, report) = upload(
        app,
        &admin,
        "/api/v1/units/import",
        &official_list(&mapping),
    )
    .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(
        report["created"],
        1 + 26 + 549,
        "province, districts, communes"
    );
    assert_eq!(active(app, &admin, "district").await.len(), 26);
    let mut villages = String::from("mã,tên,mã cha\n");
    for (code, name, commune, _) in VILLAGES {
        villages += &format!("{code},{name},{commune}\n");
    }
    let (status, report) = upload(app, &admin, "/api/v1/units/import", &villages).await;
    assert_eq!(status, 200, "{report}");

    // Households in them, and staff of two former communes.
    let mut register = String::from("village_code,head_name,address,member_name,birth_year\n");
    for (code, _, _, n) in VILLAGES {
        for i in 0..n {
            register += &format!("{code},Hộ {code} số {i},Xóm {i},Người {code} {i},1980\n");
        }
    }
    let (status, report) = app.import_register(&admin, register.as_bytes()).await;
    assert_eq!(status, 200, "{report}");
    for (username, scope) in [("cb-nga-lien", "16159"), ("cb-dong-tho", "14758")] {
        let (status, body) = app
            .post(
                "/api/v1/users",
                &admin,
                json!({"username": username, "display_name": username, "role": "commune", "scope_unit": scope, "password": crate::common::PASSWORD}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
    }
    let (status, body) = app
        .post(
            "/api/v1/users",
            &admin,
            json!({"username": "dtv-nga-lien", "display_name": "Điều tra viên", "role": "enumerator", "scope_unit": "16159", "password": crate::common::PASSWORD}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let officer = app.token("cb-nga-lien").await;
    let (status, body) = app
        .post(
            "/api/v1/assignments",
            &admin,
            json!({"village_code": "16159.01", "assignee": "dtv-nga-lien"}),
        )
        .await;
    assert!(status.is_success(), "{body}");
    let _ = officer;
    let total: usize = VILLAGES.iter().map(|v| v.3).sum();
    let (before, _) = households_known(app, &admin, "38", "").await;
    assert_eq!(before, total as i64);
    // Today's figures become a day before the reform: the baseline of a campaign planned then.
    for table in ["stats_snapshots", "indicator_counts"] {
        app.sql(&format!("UPDATE {table} SET day = '2025-06-01'"))
            .await;
    }

    // The preview says what will happen and writes nothing.
    let path = format!("/api/v1/reforms/preview?{EFFECTIVE}");
    let (status, preview) = upload(app, &admin, &path, &mapping).await;
    assert_eq!(status, 200, "{preview}");
    let new = preview["new_communes"].as_array().expect("new communes");
    assert_eq!(new.len(), 166);
    let ham_rong = new
        .iter()
        .find(|n| n["official_code"] == "14758")
        .expect("Hàm Rồng");
    assert_eq!(
        ham_rong["code"], "14758-2025",
        "a reused code gets an identity of its own"
    );
    assert_eq!(ham_rong["name"], "Phường Hàm Rồng");
    let split_formers: std::collections::HashSet<String> = rows(&mapping)
        .into_iter()
        .filter(|r| r[6] == "partial")
        .map(|r| r[0].clone())
        .collect();
    assert_eq!(
        preview["splits"].as_array().map(Vec::len),
        Some(split_formers.len())
    );
    let dong_tho = preview["splits"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["code"] == "14758"))
        .expect("Đông Thọ is split");
    assert_eq!(dong_tho["villages"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        preview["users_moved"], 2,
        "Nga Liên's officer and enumerator"
    );
    assert_eq!(
        active(app, &admin, "commune").await.len(),
        549,
        "a preview writes nothing"
    );

    // Applied.
    let (status, applied) = upload(
        app,
        &admin,
        &format!("/api/v1/reforms?{EFFECTIVE}"),
        &mapping,
    )
    .await;
    assert_eq!(status, 200, "{applied}");
    let communes = active(app, &admin, "commune").await;
    assert_eq!(
        communes.len(),
        167,
        "166 new communes and Đông Thọ with villages to place"
    );
    assert!(communes.contains(&"14758".to_string()));
    assert_eq!(
        active(app, &admin, "district").await,
        ["380"],
        "only Đông Thọ's district waits"
    );
    let (status, again) = upload(
        app,
        &admin,
        &format!("/api/v1/reforms?{EFFECTIVE}"),
        &mapping,
    )
    .await;
    assert_eq!(status, 422, "{again}");
    assert!(details(&again).contains("is already merged"), "{again}");

    // The split commune's villages: listed to place, a wrong commune refused, then placed.
    let (status, waiting) = app.get("/api/v1/reforms/placements", &admin).await;
    assert_eq!(status, 200, "{waiting}");
    let waiting: Vec<&Value> = waiting
        .as_array()
        .expect("list")
        .iter()
        .filter(|p| p["placed_into"].is_null())
        .collect();
    assert_eq!(waiting.len(), 2, "{waiting:?}");
    let candidates: Vec<&str> = waiting[0]["candidates"]
        .as_array()
        .expect("candidates")
        .iter()
        .filter_map(|c| c["official_code"].as_str())
        .collect();
    assert_eq!(candidates.len(), 2);
    assert!(
        candidates.contains(&"14797") && candidates.contains(&"14758"),
        "{candidates:?}"
    );
    let (status, refused) = upload(
        app,
        &admin,
        "/api/v1/reforms/placements",
        "village_code,new_commune_code\n14758.01,14797\n14758.02,16138\n",
    )
    .await;
    assert_eq!(status, 422, "{refused}");
    assert!(
        details(&refused).contains("line 3: 16138 is not one of the new communes"),
        "{refused}"
    );
    assert_eq!(
        active(app, &admin, "commune").await.len(),
        167,
        "nothing placed"
    );
    // The new Hàm Rồng is named by the official code it holds today.
    let (status, placed) = upload(
        app,
        &admin,
        "/api/v1/reforms/placements",
        "village_code,new_commune_code\n14758.01,14797\n14758.02,14758\n",
    )
    .await;
    assert_eq!(status, 200, "{placed}");
    assert_eq!(placed["communes_closed"], json!(["14758"]));
    assert_eq!(active(app, &admin, "commune").await.len(), 166);
    assert!(active(app, &admin, "district").await.is_empty());

    // Every household counted once, each in the new commune its village went to.
    let (after, children) = households_known(app, &admin, "38", "").await;
    assert_eq!(after, total as i64);
    assert_eq!(children.iter().map(|c| c.1).sum::<i64>(), total as i64);
    let of = |code: &str| children.iter().find(|c| c.0 == code).map_or(-1, |c| c.1);
    assert_eq!(of("16138"), 3, "Hồ Vương: Nga Liên's villages");
    assert_eq!(of("14797"), 2, "Hạc Thành: one village of Đông Thọ");
    assert_eq!(
        of("14758"),
        3 + 1,
        "Hàm Rồng: the other, and the former Hàm Rồng"
    );
    assert_eq!(
        of("15835"),
        2,
        "Thiệu Trung: Thiệu Lý and the former Thiệu Trung"
    );

    // As of a day before the reform, the new communes hold their villages' figures of that day.
    let (past, children) = households_known(app, &admin, "38", "?as_of=2025-06-15").await;
    assert_eq!(past, total as i64);
    let of = |code: &str| children.iter().find(|c| c.0 == code).map_or(-1, |c| c.1);
    assert_eq!(
        [of("16138"), of("14797"), of("14758"), of("15835")],
        [3, 2, 4, 2]
    );

    // Reused codes resolve to the unit that held them on the day asked.
    assert_eq!(
        holder(app, &admin, "14758", "2025-06-30").await,
        ("14758".into(), "Phường Đông Thọ".into())
    );
    assert_eq!(
        holder(app, &admin, "14758", "2025-07-01").await,
        ("14758-2025".into(), "Phường Hàm Rồng".into())
    );
    assert_eq!(
        holder(app, &admin, "15835", "2024-01-01").await.1,
        "Xã Thiệu Lý"
    );
    assert_eq!(
        holder(app, &admin, "15835", "2026-01-01").await.1,
        "Xã Thiệu Trung"
    );
    // A search by the code people use finds the unit that holds it now.
    let (_, found) = app.get("/api/v1/units?q=14758&level=commune", &admin).await;
    assert_eq!(found[0]["code"], "14758-2025", "{found}");
    assert_eq!(found[0]["official_code"], "14758", "{found}");
    let (status, body) = app
        .get("/api/v1/unit-codes/16159?on=2025-07-01", &admin)
        .await;
    assert_eq!(
        status, 404,
        "Nga Liên's code is held by nobody after the reform: {body}"
    );

    // Staff follow their villages: Nga Liên's officer now works for Hồ Vương, its enumerator
    // keeps the assigned village; Đông Thọ's officer goes with most of its villages (a tie: the
    // first new commune by identity, Hàm Rồng's 14758-2025 before Hạc Thành's 14797-2025).
    let officer = app.token("cb-nga-lien").await;
    let (status, me) = app.get("/api/v1/me", &officer).await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["scope_unit"], "16138-2025", "{me}");
    assert_eq!(app.get("/api/v1/units/16159.02", &officer).await.0, 200);
    let enumerator = app.token("dtv-nga-lien").await;
    let (_, mine) = app.get("/api/v1/me/assignments", &enumerator).await;
    assert!(mine.to_string().contains("16159.01"), "{mine}");
    let dong_tho = app.token("cb-dong-tho").await;
    assert_eq!(app.get("/api/v1/units/14758.02", &dong_tho).await.0, 200);
    assert_eq!(app.get("/api/v1/units/14758.01", &dong_tho).await.0, 404);
}

async fn refusals_write_nothing(app: &TestApp) {
    let admin = app.token("admin").await;
    let empty = all_units(app, &admin).await;

    let unknown_level =
        "mã,tên,cấp,mã cha\n38,Tỉnh Thanh Hóa,Tỉnh,\n16159,Xã Nga Liên,Khu tự trị,38\n";
    let (status, body) = upload(app, &admin, "/api/v1/units/import", unknown_level).await;
    assert_eq!(status, 422, "{body}");
    assert!(
        details(&body).contains("line 3: level 'Khu tự trị' is not a level"),
        "{body}"
    );
    let twice = "Tỉnh / Thành Phố,Mã TP,Quận Huyện,Mã QH,Phường Xã,Mã PX,Cấp\n\
                 Tỉnh Thanh Hóa,38,Huyện Nga Sơn,401,Xã Nga Liên,16159,Xã\n\
                 Tỉnh Thanh Hóa,38,Huyện Nga Sơn,401,Xã Nga Giáp,16159,Xã\n";
    let (status, body) = upload(app, &admin, "/api/v1/units/import", twice).await;
    assert_eq!(status, 422, "{body}");
    assert!(
        details(&body).contains("line 3: code 16159 appears again (first on line 2)"),
        "{body}"
    );
    assert_eq!(all_units(app, &admin).await, empty, "nothing imported");

    let list = "Tỉnh / Thành Phố,Mã TP,Quận Huyện,Mã QH,Phường Xã,Mã PX,Cấp\n\
                Tỉnh Thanh Hóa,38,Huyện Nga Sơn,401,Xã Nga Liên,16159,Xã\n\
                Tỉnh Thanh Hóa,38,Huyện Nga Sơn,401,Xã Nga Giáp,16135,Xã\n";
    let (status, body) = upload(app, &admin, "/api/v1/units/import", list).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["created"], 4);
    let before = all_units(app, &admin).await;

    let mapping = "old_commune_code,old_commune_name,new_commune_code,new_commune_name,share\n\
                   16159,Xã Nga Liên,16138,Xã Hồ Vương,full\n\
                   16138,Xã Nga Hải,16138,Xã Hồ Vương,full\n\
                   16135,Xã Nga Giáp,16138,Xã Hồ Vương,full\n";
    for path in ["/api/v1/reforms/preview", "/api/v1/reforms"] {
        let (status, body) = upload(app, &admin, &format!("{path}?{EFFECTIVE}"), mapping).await;
        assert_eq!(status, 422, "{body}");
        assert!(
            details(&body).contains(
                "line 3: former commune 16138 (Xã Nga Hải) is not in the tree on 2025-06-30"
            ),
            "{body}"
        );
    }
    let (status, bad_date) = upload(
        app,
        &admin,
        "/api/v1/reforms?effective=1/7/2025&name=x",
        mapping,
    )
    .await;
    assert_eq!(status, 400, "{bad_date}");
    assert_eq!(all_units(app, &admin).await, before, "nothing written");
    assert_eq!(app.get("/api/v1/reforms", &admin).await.1, json!([]));

    let fixed: String = mapping
        .lines()
        .filter(|l| !l.starts_with("16138,"))
        .map(|l| format!("{l}\n"))
        .collect();
    let (status, body) = upload(app, &admin, &format!("/api/v1/reforms?{EFFECTIVE}"), &fixed).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(active(app, &admin, "commune").await, ["16138"]);
    assert!(
        active(app, &admin, "district").await.is_empty(),
        "Nga Sơn retired"
    );
    // A former commune's code is not free for a plain import: only a reform hands codes on.
    let (status, body) = upload(
        app,
        &admin,
        "/api/v1/units/import",
        "code,name,level,parent_code\n16159,Xã Nga Liên,Xã,38\n",
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        details(&body).contains("code 16159 was held by 'Xã Nga Liên', which is merged now"),
        "{body}"
    );
    let (status, reforms) = app.get("/api/v1/reforms", &admin).await;
    assert_eq!(status, 200);
    assert_eq!(reforms[0]["name"], "1686/NQ-UBTVQH15");
    assert_eq!(reforms[0]["effective_date"], "2025-07-01");
}

async fn all_units(app: &TestApp, token: &str) -> Value {
    app.get("/api/v1/units?include_inactive=true", token)
        .await
        .1
}
