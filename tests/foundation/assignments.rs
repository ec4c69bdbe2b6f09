//! Team leads assign villages or households; members see theirs; leads and officials see progress.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{codes, message, TestApp};
use crate::on_both_backends;

on_both_backends!(
    lead_assigns_member_sees_it,
    assignment_scope_matrix,
    progress_counts_visited_households
);

async fn new_enumerator(app: &TestApp, lead: &str, username: &str) {
    let (status, body) = app
        .post("/api/v1/users", lead, json!({"username": username, "display_name": "Thành viên mới", "password": "khaosat-demo", "role": "enumerator", "scope_unit": "39301"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

async fn lead_assigns_member_sees_it(app: &TestApp) {
    let lead = app.token("demo-lead").await;
    new_enumerator(app, &lead, "nv-thon3").await;
    let (status, a) = app
        .post("/api/v1/assignments", &lead, json!({"village_code": "39301.03", "assignee": "nv-thon3", "due_date": "2026-12-05", "note": "Đi từ đầu thôn"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{a}");
    assert_eq!(a["village_name"], "Thôn 3");
    assert_eq!(a["due_date"], "2026-12-05");
    assert!(a["household_ids"].is_null());

    let member = app.token("nv-thon3").await;
    let (status, mine) = app.get("/api/v1/me/assignments", &member).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(codes(&mine, "village_code"), ["39301.03"]);
    let (_, units) = app.get("/api/v1/units", &member).await;
    assert_eq!(
        codes(&units, "code"),
        ["39301.03"],
        "the member now sees the village"
    );
    let (_, others) = app
        .get(
            "/api/v1/me/assignments",
            &app.token("demo-enumerator").await,
        )
        .await;
    assert_eq!(codes(&others, "village_code"), ["39301.01", "39301.02"]);

    // Same whole village twice is a conflict; changing the due date works; deleting removes it.
    let (status, _) = app
        .post(
            "/api/v1/assignments",
            &lead,
            json!({"village_code": "39301.03", "assignee": "nv-thon3"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let path = format!("/api/v1/assignments/{}", a["id"]);
    let (status, body) = app
        .call(
            Method::PATCH,
            &path,
            Some(&lead),
            Some(json!({"due_date": "5/12/2026"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(message(&body).contains("YYYY-MM-DD"), "{body}");
    let (status, body) = app
        .call(
            Method::PATCH,
            &path,
            Some(&lead),
            Some(json!({"due_date": "2026-12-12"})),
        )
        .await;
    assert_eq!(
        (status, body["due_date"].clone()),
        (StatusCode::OK, json!("2026-12-12"))
    );
    assert_eq!(
        app.call(
            Method::PATCH,
            &path,
            Some(&member),
            Some(json!({"note": "x"}))
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.call(Method::DELETE, &path, Some(&lead), None).await.0,
        StatusCode::NO_CONTENT
    );
    let (_, mine) = app.get("/api/v1/me/assignments", &member).await;
    assert_eq!(mine, json!([]));
}

async fn assignment_scope_matrix(app: &TestApp) {
    let admin = app.token("demo-admin").await;
    let (status, _) = app
        .post("/api/v1/users", &admin, json!({"username": "lead-tayho", "display_name": "Tổ trưởng Tây Hồ", "password": "khaosat-demo", "role": "team_lead", "scope_unit": "38901"}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let lead = app.token("demo-lead").await;
    let other_lead = app.token("lead-tayho").await;
    let enumerator = app.token("demo-enumerator").await;

    // Out-of-scope villages and people are invisible; wrong kinds of unit or member are refused.
    let assign = |village: &str, who: &str| json!({"village_code": village, "assignee": who});
    assert_eq!(
        app.post(
            "/api/v1/assignments",
            &lead,
            assign("38901.01", "demo-enumerator")
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.post(
            "/api/v1/assignments",
            &lead,
            assign("39301", "demo-enumerator")
        )
        .await
        .0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        app.post(
            "/api/v1/assignments",
            &lead,
            assign("39301.03", "demo-district")
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.post(
            "/api/v1/assignments",
            &lead,
            assign("39301.03", "demo-commune")
        )
        .await
        .0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        app.post(
            "/api/v1/assignments",
            &other_lead,
            assign("39301.03", "demo-enumerator")
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.post(
            "/api/v1/assignments",
            &enumerator,
            assign("39301.03", "demo-enumerator")
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    let (status, body) = app
        .post("/api/v1/assignments", &lead, json!({"village_code": "39301.03", "assignee": "demo-enumerator", "household_ids": ["not-a-uuid"]}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

    // Reading: own lead, commune, district, province see Nga Liên's assignments; the other lead does not.
    let (_, mine) = app.get("/api/v1/me/assignments", &enumerator).await;
    let first = mine[0]["id"].as_i64().unwrap();
    for user in [
        "demo-lead",
        "demo-commune",
        "demo-district",
        "demo-province",
        "demo-admin",
    ] {
        let token = app.token(user).await;
        let (status, list) = app.get("/api/v1/assignments", &token).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            codes(&list, "village_code"),
            ["39301.01", "39301.02"],
            "{user}"
        );
        assert_eq!(
            app.get(&format!("/api/v1/assignments/{first}"), &token)
                .await
                .0,
            StatusCode::OK,
            "{user}"
        );
    }
    let (_, list) = app.get("/api/v1/assignments", &other_lead).await;
    assert_eq!(list, json!([]));
    assert_eq!(
        app.get(&format!("/api/v1/assignments/{first}"), &other_lead)
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.call(
            Method::DELETE,
            &format!("/api/v1/assignments/{first}"),
            Some(&other_lead),
            None
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/api/v1/assignments?unit=39301", &other_lead)
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let district = app.token("demo-district").await;
    let (_, filtered) = app
        .get("/api/v1/assignments?assignee=demo-enumerator", &district)
        .await;
    assert_eq!(filtered.as_array().unwrap().len(), 2);
    // The enumerator sees only their own, whatever they ask for.
    let (_, list) = app
        .get("/api/v1/assignments?assignee=demo-lead", &enumerator)
        .await;
    assert_eq!(
        codes(&list, "assignee_username"),
        ["demo-enumerator", "demo-enumerator"]
    );
}

async fn progress_counts_visited_households(app: &TestApp) {
    // Stand-in for the sync projection: three households in Thôn 1, two visited, one deleted.
    let now = khaosat::clock::now();
    let ids = [
        "0b6f4c6e-0000-4000-8000-000000000001",
        "0b6f4c6e-0000-4000-8000-000000000002",
        "0b6f4c6e-0000-4000-8000-000000000003",
        "0b6f4c6e-0000-4000-8000-000000000004",
    ];
    app.sql(&format!(
        "INSERT INTO households (id, village_code, document_id, head_name, visit_outcome, deleted, updated_at) VALUES
         ('{}', '39301.01', 'doc', 'Nguyễn Văn Đức', 'surveyed', 0, {now}),
         ('{}', '39301.01', 'doc', 'Lê Thị Hoa', 'nobody_home', 0, {now}),
         ('{}', '39301.01', 'doc', 'Trần Văn Nam', NULL, 0, {now}),
         ('{}', '39301.01', 'doc', 'Hộ đã xóa', 'surveyed', 1, {now})",
        ids[0], ids[1], ids[2], ids[3]
    ))
    .await;
    let lead = app.token("demo-lead").await;
    let (_, list) = app.get("/api/v1/assignments?unit=39301.01", &lead).await;
    assert_eq!(
        list[0]["progress"],
        json!({"households_total": 3, "households_visited": 2})
    );

    new_enumerator(app, &lead, "nv-mot-phan").await;
    let (status, part) = app
        .post("/api/v1/assignments", &lead, json!({"village_code": "39301.01", "assignee": "nv-mot-phan", "household_ids": [ids[2], ids[1]]}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{part}");
    assert_eq!(part["household_ids"], json!([ids[2], ids[1]]));
    assert_eq!(
        part["progress"],
        json!({"households_total": 2, "households_visited": 1})
    );
}
