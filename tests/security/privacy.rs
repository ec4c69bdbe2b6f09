//! Personal data stays in the commune: officials' person-level reads are logged, and what
//! district and province can pull (indicators, reports, progress) carries no names or ID numbers.

use automerge::AutoCommit;

use crate::common::peer::{Outcome, RustPeer};
use crate::common::TestApp;
use crate::on_both_backends;

on_both_backends!(
    officials_reads_are_logged,
    nothing_personal_above_the_commune
);

const REGISTER: &str = "village_code,head_name,address,member_name,birth_year\n\
    39301.01,Trịnh Văn Khải,Xóm Bắc,Trịnh Văn Khải,1968\n\
    39301.01,Trịnh Văn Khải,Xóm Bắc,Mai Thị Lụa,1972\n";

async fn import(app: &TestApp) -> String {
    let admin = app.token("demo-admin").await;
    let (status, body) = app.import_register(&admin, REGISTER).await;
    assert_eq!(status, 200, "{body}");
    app.rows("SELECT id FROM households WHERE head_name = 'Trịnh Văn Khải'")
        .await[0][0]
        .clone()
        .unwrap()
}

async fn read_document(app: &TestApp, user: &str) {
    let token = app.token(user).await;
    let document_id = app
        .rows("SELECT document_id FROM village_documents WHERE unit_code = '39301.01'")
        .await[0][0]
        .clone()
        .unwrap();
    let mut peer = RustPeer::connect(&app.ws_base(), &token).await.unwrap();
    let mut doc = AutoCommit::new();
    // Twice on one connection: logged once.
    assert_eq!(peer.sync(&document_id, &mut doc).await, Outcome::Synced);
    let mut again = AutoCommit::new();
    assert_eq!(peer.sync(&document_id, &mut again).await, Outcome::Synced);
}

async fn officials_reads_are_logged(app: &TestApp) {
    let household = import(app).await;
    // Field staff reading their own work are not logged; the commune officer is.
    read_document(app, "demo-enumerator").await;
    read_document(app, "demo-lead").await;
    read_document(app, "demo-commune").await;
    let commune = app.token("demo-commune").await;
    let (status, _) = app
        .get(&format!("/api/v1/households/{household}/history"), &commune)
        .await;
    assert_eq!(status, 200);
    let admin = app.token("demo-admin").await;
    let (status, _) = app
        .get(&format!("/api/v1/households/{household}/history"), &admin)
        .await;
    assert_eq!(status, 200);

    let (status, log) = app.get("/api/v1/access-log?unit=39301", &commune).await;
    assert_eq!(status, 200, "{log}");
    let entries: Vec<(String, String, String)> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["username"].as_str().unwrap().to_string(),
                e["action"].as_str().unwrap().to_string(),
                e["unit_code"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected = [
        ("demo-admin", "household_history", "39301.01"),
        ("demo-commune", "household_history", "39301.01"),
        ("demo-commune", "village_document", "39301.01"),
    ];
    assert_eq!(
        entries,
        expected.map(|(a, b, c)| (a.into(), b.into(), c.into())),
        "{log}"
    );
    assert!(log[2]["device_id"].as_str().unwrap().starts_with("device-"));
    // The district sees who read data in its area; other areas' logs are not theirs.
    let district = app.token("demo-district").await;
    let (status, log) = app.get("/api/v1/access-log", &district).await;
    assert_eq!(status, 200);
    assert_eq!(log.as_array().unwrap().len(), 3);
    let (status, _) = app
        .get(
            "/api/v1/access-log?unit=38901",
            &app.token("demo-commune").await,
        )
        .await;
    assert_eq!(status, 404);
    let (status, body) = app
        .get("/api/v1/access-log?since=yesterday", &district)
        .await;
    assert_eq!(status, 400, "{body}");
    // Team leads and enumerators cannot read the log.
    let (status, _) = app
        .get("/api/v1/access-log", &app.token("demo-lead").await)
        .await;
    assert_eq!(status, 403);
}

async fn nothing_personal_above_the_commune(app: &TestApp) {
    let household = import(app).await;
    let personal = [
        "Trịnh Văn Khải",
        "Mai Thị Lụa",
        "Xóm Bắc",
        household.as_str(),
    ];
    for user in ["demo-district", "demo-province"] {
        let token = app.token(user).await;
        for path in [
            "/api/v1/units/39301/indicators",
            "/api/v1/units/393/indicators",
            "/api/v1/units/39301/report.csv",
            "/api/v1/units/39301/progress",
            "/api/v1/units/39301.01/progress",
            "/api/v1/me/documents",
            "/api/v1/units/39301/weekly-reports/2026-11-18",
            "/api/v1/units/393/weekly-reports",
            "/api/v1/units/39301/approvals",
        ] {
            let (status, body) = app.get(path, &token).await;
            assert_eq!(status, 200, "{user} {path}: {body}");
            let text = body.to_string();
            for p in personal {
                assert!(!text.contains(p), "{user} {path} carries {p}");
            }
        }
        for path in [
            "/api/v1/units/39301/report.xlsx",
            "/api/v1/units/39301/weekly.xlsx",
        ] {
            let bytes = app
                .client
                .get(format!("{}{path}", app.base))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap();
            let text = xlsx_text(&bytes);
            assert!(!text.is_empty(), "{path} has cells");
            for p in personal {
                assert!(!text.contains(p), "{user} {path} carries {p}");
            }
        }
        // No document, no history.
        let (_, docs) = app.get("/api/v1/me/documents", &token).await;
        assert_eq!(docs.as_array().unwrap().len(), 0, "{docs}");
        let (status, _) = app
            .get(&format!("/api/v1/households/{household}/history"), &token)
            .await;
        assert_eq!(status, 404);
    }
}

/// Every cell of every sheet, as text.
fn xlsx_text(bytes: &[u8]) -> String {
    use calamine::{Reader, Xlsx};
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec()))
        .expect("an xlsx file");
    let mut out = String::new();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).expect("sheet");
        for row in range.rows() {
            for cell in row {
                out.push_str(&cell.to_string());
                out.push('\t');
            }
        }
    }
    out
}
