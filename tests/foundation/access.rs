//! The role × scope matrix for units and users: in scope allowed, out of scope 404 (or 403 for a
//! role that may never do it), and lists that leak nothing.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{codes, TestApp};
use crate::on_both_backends;

on_both_backends!(
    unit_reads_follow_scope,
    unit_lists_leak_nothing,
    user_reads_and_lists,
    user_management_rules
);

const ALL_NGA_LIEN: [&str; 5] = ["39301", "39301.01", "39301.02", "39301.03", "39301.04"];

async fn unit_reads_follow_scope(app: &TestApp) {
    // (user, units they may read, units they may not)
    let matrix: [(&str, &[&str], &[&str]); 6] = [
        ("demo-admin", &["38", "393", "39301", "40001.01"], &[]),
        ("demo-province", &["38", "380", "39301", "40001.01"], &[]),
        (
            "demo-district",
            &["393", "39301", "39301.03"],
            &["38", "389", "38901", "40001.01"],
        ),
        (
            "demo-commune",
            &["39301", "39301.04"],
            &["393", "38", "38901", "38901.01"],
        ),
        ("demo-lead", &["39301", "39301.01"], &["393", "38901.01"]),
        (
            "demo-enumerator",
            &["39301.01", "39301.02"],
            &["39301.03", "38901.01", "393", "38"],
        ),
    ];
    for (user, allowed, denied) in matrix {
        let token = app.token(user).await;
        for code in allowed {
            let (status, body) = app.get(&format!("/api/v1/units/{code}"), &token).await;
            assert_eq!(status, StatusCode::OK, "{user} reads {code}: {body}");
            assert_eq!(body["code"], *code);
        }
        for code in denied {
            let (status, body) = app.get(&format!("/api/v1/units/{code}"), &token).await;
            assert_eq!(
                status,
                StatusCode::NOT_FOUND,
                "{user} must not read {code}: {body}"
            );
            assert!(
                !body.to_string().contains("Thanh Hóa"),
                "no unit data in the refusal: {body}"
            );
        }
    }
    // A unit that does not exist and one out of scope answer alike.
    let token = app.token("demo-commune").await;
    let (_, missing) = app.get("/api/v1/units/99999", &token).await;
    let (_, hidden) = app.get("/api/v1/units/38901", &token).await;
    assert_eq!(
        missing["error"]["message"]
            .as_str()
            .unwrap()
            .replace("99999", "X"),
        hidden["error"]["message"]
            .as_str()
            .unwrap()
            .replace("38901", "X")
    );
}

async fn unit_lists_leak_nothing(app: &TestApp) {
    let district = app.token("demo-district").await;
    let (status, body) = app.get("/api/v1/units", &district).await;
    assert_eq!(status, StatusCode::OK);
    let mut expected = vec!["393".to_string()];
    expected.extend(ALL_NGA_LIEN.iter().map(|c| c.to_string()));
    assert_eq!(codes(&body, "code"), expected);

    let commune = app.token("demo-commune").await;
    let (_, body) = app.get("/api/v1/units?level=village", &commune).await;
    assert_eq!(codes(&body, "code"), &ALL_NGA_LIEN[1..]);
    let (status, _) = app.get("/api/v1/units?parent=38", &commune).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "children of a unit above the scope"
    );

    let enumerator = app.token("demo-enumerator").await;
    let (_, body) = app.get("/api/v1/units", &enumerator).await;
    assert_eq!(codes(&body, "code"), ["39301.01", "39301.02"]);

    let province = app.token("demo-province").await;
    let (_, body) = app.get("/api/v1/units?level=commune", &province).await;
    assert_eq!(
        codes(&body, "code"),
        ["38001", "38901", "39301", "39401", "40001"]
    );
    let (_, body) = app.get("/api/v1/units?parent=393", &province).await;
    assert_eq!(codes(&body, "code"), ["39301"]);
    let (status, _) = app.get("/api/v1/units?limit=0", &province).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

async fn user_reads_and_lists(app: &TestApp) {
    let expected: [(&str, &[&str]); 6] = [
        (
            "demo-admin",
            &[
                "demo-admin",
                "demo-commune",
                "demo-district",
                "demo-enumerator",
                "demo-lead",
                "demo-province",
                // The demo survey's service account: listed for the administrator, never in a team.
                "demo-seed",
            ],
        ),
        (
            "demo-province",
            &[
                "demo-commune",
                "demo-district",
                "demo-enumerator",
                "demo-lead",
                "demo-province",
            ],
        ),
        (
            "demo-district",
            &[
                "demo-commune",
                "demo-district",
                "demo-enumerator",
                "demo-lead",
            ],
        ),
        (
            "demo-commune",
            &["demo-commune", "demo-enumerator", "demo-lead"],
        ),
        (
            "demo-lead",
            &["demo-commune", "demo-enumerator", "demo-lead"],
        ),
        ("demo-enumerator", &["demo-enumerator"]),
    ];
    for (user, visible) in expected {
        let token = app.token(user).await;
        let (status, body) = app.get("/api/v1/users", &token).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(codes(&body, "username"), visible, "users listed for {user}");
        assert!(
            !body.to_string().contains("argon2"),
            "password hashes never leave the server"
        );
    }
    let admin = app.token("demo-admin").await;
    let (_, all) = app.get("/api/v1/users", &admin).await;
    let id_of = |name: &str| {
        all.as_array()
            .unwrap()
            .iter()
            .find(|u| u["username"] == name)
            .unwrap()["id"]
            .as_i64()
            .unwrap()
    };

    let enumerator = app.token("demo-enumerator").await;
    assert_eq!(
        app.get(
            &format!("/api/v1/users/{}", id_of("demo-enumerator")),
            &enumerator
        )
        .await
        .0,
        StatusCode::OK
    );
    assert_eq!(
        app.get(
            &format!("/api/v1/users/{}", id_of("demo-lead")),
            &enumerator
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    let commune = app.token("demo-commune").await;
    assert_eq!(
        app.get(
            &format!("/api/v1/users/{}", id_of("demo-district")),
            &commune
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(
            &format!("/api/v1/users/{}", id_of("demo-enumerator")),
            &commune
        )
        .await
        .0,
        StatusCode::OK
    );
    assert_eq!(
        app.get("/api/v1/users/999999", &commune).await.0,
        StatusCode::NOT_FOUND
    );
}

async fn user_management_rules(app: &TestApp) {
    let new_user = |username: &str, role: &str, scope: &str| json!({"username": username, "display_name": "Người dùng thử", "password": "mat-khau-dai", "role": role, "scope_unit": scope});
    let lead = app.token("demo-lead").await;
    let (status, body) = app
        .post(
            "/api/v1/users",
            &lead,
            new_user("nv-moi", "enumerator", "39301"),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["role"], "enumerator");
    assert_eq!(
        app.post(
            "/api/v1/users",
            &lead,
            new_user("tt-moi", "team_lead", "39301")
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(
            "/api/v1/users",
            &lead,
            new_user("nv-tayho", "enumerator", "38901")
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    let (status, body) = app
        .post(
            "/api/v1/users",
            &lead,
            new_user("nv-moi", "enumerator", "39301"),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("already taken"));

    let commune = app.token("demo-commune").await;
    assert_eq!(
        app.post(
            "/api/v1/users",
            &commune,
            new_user("tt-nga-lien-2", "team_lead", "39301")
        )
        .await
        .0,
        StatusCode::CREATED
    );
    assert_eq!(
        app.post(
            "/api/v1/users",
            &commune,
            new_user("xa-khac", "commune", "39301")
        )
        .await
        .0,
        StatusCode::FORBIDDEN,
        "same role is not lower"
    );

    let district = app.token("demo-district").await;
    assert_eq!(
        app.post(
            "/api/v1/users",
            &district,
            new_user("xa-tayho", "commune", "38901")
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    let (status, body) = app
        .post(
            "/api/v1/users",
            &district,
            new_user("xa-nga-lien", "commune", "393"),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a commune officer works in a commune: {body}"
    );

    let province = app.token("demo-province").await;
    assert_eq!(
        app.post(
            "/api/v1/users",
            &province,
            new_user("huyen-tho-xuan", "district", "389")
        )
        .await
        .0,
        StatusCode::CREATED
    );
    assert_eq!(
        app.post(
            "/api/v1/users",
            &province,
            new_user("admin-2", "admin", "38")
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );

    let enumerator = app.token("demo-enumerator").await;
    assert_eq!(
        app.post(
            "/api/v1/users",
            &enumerator,
            new_user("nv-2", "enumerator", "39301")
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    let (_, me) = app.get("/api/v1/me", &enumerator).await;
    let me_path = format!("/api/v1/users/{}", me["id"]);
    let (status, body) = app
        .call(
            Method::PATCH,
            &me_path,
            Some(&enumerator),
            Some(json!({"display_name": "Nguyễn Văn Đức"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["display_name"], "Nguyễn Văn Đức");
    assert_eq!(
        app.call(
            Method::PATCH,
            &me_path,
            Some(&enumerator),
            Some(json!({"role": "admin"}))
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    let (status, body) = app
        .call(
            Method::PATCH,
            &me_path,
            Some(&enumerator),
            Some(json!({"phone": "12345"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}
