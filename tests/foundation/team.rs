//! Running a team from the browser: members added one by one and from a sheet, phones signed
//! in with one-time codes, forgotten passwords and locks, service accounts kept out of teams.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{message, TestApp};
use crate::on_both_backends;

on_both_backends!(
    a_member_added_without_a_password_signs_in_with_a_code,
    a_lead_resets_a_password_and_unlocks => |c: &mut khaosat::Config| c.login_max_failures = 3,
    the_team_lists_people_with_their_work_and_phones,
    members_from_a_sheet_all_or_nothing,
    members_from_an_xlsx_sheet,
);

async fn code_login(app: &TestApp, code: &str, device: &str) -> (StatusCode, Value) {
    app.call(
        Method::POST,
        "/api/v1/auth/code",
        None,
        Some(json!({"code": code, "device_id": device})),
    )
    .await
}

async fn a_member_added_without_a_password_signs_in_with_a_code(app: &TestApp) {
    let lead = app.token("demo-lead").await;
    let (status, suggestion) = app
        .get(
            "/api/v1/users/username-suggestion?name=Nguy%E1%BB%85n%20V%C4%83n%20An",
            &lead,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{suggestion}");
    assert_eq!(suggestion["username"], "nguyenvanan");

    let (status, member) = app
        .post(
            "/api/v1/users",
            &lead,
            json!({"display_name": "Nguyễn Văn An", "phone": "0912345678", "role": "enumerator", "scope_unit": "39301"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{member}");
    assert_eq!(member["username"], "nguyenvanan");
    assert_eq!(member["has_password"], false);
    let id = member["id"].as_i64().unwrap();
    // The next one with the same name gets a number.
    let (_, again) = app
        .get(
            "/api/v1/users/username-suggestion?name=Nguy%E1%BB%85n%20V%C4%83n%20An",
            &lead,
        )
        .await;
    assert_eq!(again["username"], "nguyenvanan2");

    let (status, code) = app
        .post(
            &format!("/api/v1/users/{id}/sign-in-code"),
            &lead,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{code}");
    let shown = code["code"].as_str().unwrap().to_string();
    assert_eq!(shown.len(), 9, "shown as XXXX-XXXX: {code}");
    assert_eq!(code["expires_in"], 600);
    assert!(code["url"]
        .as_str()
        .unwrap()
        .ends_with(&shown.replace('-', "")));

    // Typed in lower case without the dash, it still works, once.
    let typed = shown.replace('-', "").to_lowercase();
    let (status, pair) = code_login(app, &typed, "member-phone").await;
    assert_eq!(status, StatusCode::OK, "{pair}");
    assert_eq!(pair["user"]["username"], "nguyenvanan");
    let (status, me) = app
        .get("/api/v1/me", pair["access_token"].as_str().unwrap())
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["id"], id);
    let (status, body) = code_login(app, &shown, "another-phone").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "single use: {body}");
    assert!(message(&body).contains("ask your team lead"), "{body}");

    // A new code replaces the unused earlier one.
    let (_, first) = app
        .post(
            &format!("/api/v1/users/{id}/sign-in-code"),
            &lead,
            json!({}),
        )
        .await;
    let (_, second) = app
        .post(
            &format!("/api/v1/users/{id}/sign-in-code"),
            &lead,
            json!({}),
        )
        .await;
    let first = first["code"].as_str().unwrap();
    assert_eq!(
        code_login(app, first, "p2").await.0,
        StatusCode::UNAUTHORIZED
    );
    let (status, _) = code_login(app, second["code"].as_str().unwrap(), "p2").await;
    assert_eq!(status, StatusCode::OK);

    // An expired code does not work.
    let (_, third) = app
        .post(
            &format!("/api/v1/users/{id}/sign-in-code"),
            &lead,
            json!({}),
        )
        .await;
    app.sql("UPDATE sign_in_codes SET expires_at = 0 WHERE used_at IS NULL")
        .await;
    let (status, _) = code_login(app, third["code"].as_str().unwrap(), "p3").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Garbage is refused with the same message, a bad device id before the code is spent.
    let (status, body) = code_login(app, "not a code", "p4").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let (_, fourth) = app
        .post(
            &format!("/api/v1/users/{id}/sign-in-code"),
            &lead,
            json!({}),
        )
        .await;
    let fourth = fourth["code"].as_str().unwrap();
    assert_eq!(code_login(app, fourth, "").await.0, StatusCode::BAD_REQUEST);
    assert_eq!(code_login(app, fourth, "p4").await.0, StatusCode::OK);

    // The enumerator cannot make codes for anyone (not even to see them).
    let enumerator = app.token("demo-enumerator").await;
    let (status, _) = app
        .post(
            &format!("/api/v1/users/{id}/sign-in-code"),
            &enumerator,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn a_lead_resets_a_password_and_unlocks(app: &TestApp) {
    let lead = app.token("demo-lead").await;
    let phone = app.login_as("demo-enumerator", "enumerator-phone").await;
    let (_, me) = app
        .get("/api/v1/me", phone["access_token"].as_str().unwrap())
        .await;
    let id = me["id"].as_i64().unwrap();
    let login = |password: &str| json!({"username": "demo-enumerator", "password": password, "device_id": "d"});

    // Three wrong passwords lock the account.
    for _ in 0..3 {
        app.call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(login("wrong-password")),
        )
        .await;
    }
    let (status, _) = app
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(login(crate::common::PASSWORD)),
        )
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let (_, team) = app.get("/api/v1/team", &lead).await;
    let member = find(&team, "demo-enumerator");
    assert!(member["locked_until"].is_string(), "{member}");

    let (status, user) = app
        .post(&format!("/api/v1/users/{id}/unlock"), &lead, json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{user}");
    assert!(user["locked_until"].is_null(), "{user}");
    let (status, body) = app
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(login(crate::common::PASSWORD)),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "unlocked: {body}");

    // A reset password is shown once, works, and signs the phones out without wiping them.
    let (status, reset) = app
        .post(
            &format!("/api/v1/users/{id}/reset-password"),
            &lead,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{reset}");
    let password = reset["password"].as_str().unwrap();
    assert!(password.len() >= 8);
    let (status, body) = app
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(login(password)),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app
        .get("/api/v1/me", phone["access_token"].as_str().unwrap())
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "unauthorized", "data kept: {body}");
    let (status, _) = app
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(login(crate::common::PASSWORD)),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the old password is gone");
}

fn find<'a>(team: &'a Value, username: &str) -> &'a Value {
    team["members"]
        .as_array()
        .unwrap_or_else(|| panic!("members: {team}"))
        .iter()
        .find(|m| m["username"] == username)
        .unwrap_or_else(|| panic!("{username} not in the team: {team}"))
}

async fn the_team_lists_people_with_their_work_and_phones(app: &TestApp) {
    let admin = app.token("demo-admin").await;
    let lead = app.token("demo-lead").await;
    // A service account (a seeding script) in the commune is not a team member.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_khaosat"))
        .args([
            "user",
            "add",
            "--username",
            "seed-bot",
            "--role",
            "enumerator",
            "--scope",
            "39301",
            "--service",
        ])
        .env("KHAOSAT_DATABASE_URL", &app.database_url)
        .env("KHAOSAT_USER_PASSWORD", "seed-bot-password")
        .output()
        .expect("run khaosat user add");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Some households of Thôn 3 for the enumerator.
    let (status, body) = app
        .post(
            "/api/v1/assignments",
            &lead,
            json!({"assignee": "demo-enumerator", "village_code": "39301.03",
                   "household_ids": [
                       "0b6c1a3e-0000-4000-8000-000000000001",
                       "0b6c1a3e-0000-4000-8000-000000000002",
                       "0b6c1a3e-0000-4000-8000-000000000003"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    app.login_as("demo-enumerator", "phone-of-enumerator").await;

    let (status, team) = app.get("/api/v1/team", &lead).await;
    assert_eq!(status, StatusCode::OK, "{team}");
    assert_eq!(team["unit"]["code"], "39301");
    let names: Vec<&str> = team["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["username"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"demo-lead"), "{names:?}");
    assert!(
        !names.contains(&"seed-bot"),
        "service account listed: {names:?}"
    );
    assert!(!names.contains(&"demo-commune"), "officers are not members");
    let member = find(&team, "demo-enumerator");
    assert_eq!(member["display_name"], "Thành viên Tổ CNS Nga Liên");
    let counts: Vec<(String, Value)> = member["assignments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["village_code"].as_str().unwrap().to_string(),
                a["household_count"].clone(),
            )
        })
        .collect();
    assert!(
        counts.contains(&("39301.01".into(), Value::Null)),
        "{counts:?}"
    );
    assert!(
        counts.contains(&("39301.03".into(), json!(3))),
        "{counts:?}"
    );
    let devices = member["devices"].as_array().unwrap();
    let phone = devices
        .iter()
        .find(|d| d["device_id"] == "phone-of-enumerator")
        .unwrap_or_else(|| panic!("{devices:?}"));
    assert!(phone["revoked_at"].is_null());
    assert!(phone["last_sync_at"].is_null(), "never synced: {phone}");
    assert!(member["last_sync_at"].is_null());

    // Officers above see the same team when they name the commune; enumerators never.
    let (status, district_view) = app
        .get("/api/v1/team?unit=39301", &app.token("demo-district").await)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(district_view["members"], team["members"]);
    let (status, _) = app.get("/api/v1/team?unit=39301", &admin).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = app.get("/api/v1/team?unit=39301.01", &admin).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a village has no team: {body}"
    );
    let (status, _) = app
        .get("/api/v1/team", &app.token("demo-enumerator").await)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

/// 30 members, Vietnamese headers, the village by name.
fn sheet(bad_lines: &[usize]) -> String {
    let mut csv = String::from("Họ và tên,Số điện thoại,Thôn\n");
    for i in 1..=30 {
        let line = i + 1;
        if bad_lines.contains(&line) {
            csv.push_str(&format!("Người {i},12345,Thôn 9\n"));
        } else {
            csv.push_str(&format!(
                "Lê Thị Thu {i},09{:08},Thôn {}\n",
                10_000_000 + i,
                1 + i % 4
            ));
        }
    }
    csv
}

async fn import(app: &TestApp, token: &str, query: &str, body: Vec<u8>) -> (StatusCode, Value) {
    app.send_raw(
        Method::POST,
        &format!("/api/v1/users/import?{query}"),
        Some(token),
        "text/csv",
        body,
    )
    .await
}

async fn members_from_a_sheet_all_or_nothing(app: &TestApp) {
    let lead = app.token("demo-lead").await;
    let before = app.rows("SELECT CAST(COUNT(*) AS TEXT) FROM users").await;

    let (status, body) = import(app, &lead, "unit=39301", sheet(&[5, 17]).into_bytes()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(message(&body).contains("nothing was imported"), "{body}");
    let details: Vec<&str> = body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    assert_eq!(details.len(), 2, "{details:?}");
    assert!(
        details[0].starts_with("line 5: phone '12345'"),
        "{details:?}"
    );
    assert!(details[1].starts_with("line 17: "), "{details:?}");
    assert_eq!(
        app.rows("SELECT CAST(COUNT(*) AS TEXT) FROM users").await,
        before
    );

    let (status, preview) = import(
        app,
        &lead,
        "unit=39301&dry_run=true",
        sheet(&[]).into_bytes(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(preview["created"], 0);
    let rows = preview["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 30);
    assert_eq!(rows[0]["line"], 2);
    assert_eq!(rows[0]["username"], "lethithu1");
    assert_eq!(rows[0]["village_code"], "39301.02");
    assert_eq!(rows[0]["phone"], "0910000001");
    assert_eq!(
        app.rows("SELECT CAST(COUNT(*) AS TEXT) FROM users").await,
        before
    );

    let (status, done) = import(app, &lead, "unit=39301", sheet(&[]).into_bytes()).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["created"], 30);
    let (_, team) = app.get("/api/v1/team", &lead).await;
    let member = find(&team, "lethithu7");
    assert_eq!(member["display_name"], "Lê Thị Thu 7");
    assert_eq!(member["has_password"], false);
    assert_eq!(member["assignments"][0]["village_code"], "39301.04");

    // The same sheet again proposes new usernames rather than failing on taken ones.
    let (status, again) = import(
        app,
        &lead,
        "unit=39301&dry_run=true",
        sheet(&[]).into_bytes(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["rows"][0]["username"], "lethithu1_2");

    // A sheet without a name column says which columns it needs.
    let (status, body) = import(app, &lead, "unit=39301", b"a,b\n1,2\n".to_vec()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(message(&body).contains("Họ và tên"), "{body}");
}

async fn members_from_an_xlsx_sheet(app: &TestApp) {
    let lead = app.token("demo-lead").await;
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["Họ và tên", "Số điện thoại", "Thôn"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    sheet.write_string(1, 0, "Đỗ Thị Hằng").unwrap();
    // Typed as a number, so Excel dropped the leading 0.
    sheet.write_number(1, 1, 987_654_321.0).unwrap();
    sheet.write_string(1, 2, "39301.01").unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let (status, done) = app
        .send_raw(
            Method::POST,
            "/api/v1/users/import?unit=39301",
            Some(&lead),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            bytes,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["rows"][0]["username"], "dothihang");
    assert_eq!(done["rows"][0]["phone"], "0987654321");
    assert_eq!(done["rows"][0]["village_name"], "Thôn 1");
}
