//! CSV import (all or nothing, line numbers, harmless re-import) and merges that keep history.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{codes, message, TestApp};
use crate::on_both_backends;

on_both_backends!(
    vietnamese_levels_and_a_dry_run,
    csv_import_all_or_nothing,
    import_permissions,
    merge_keeps_history,
    create_and_retire
);

async fn import(app: &TestApp, token: &str, csv: &str) -> (StatusCode, serde_json::Value) {
    app.send_raw(
        Method::POST,
        "/api/v1/units/import",
        Some(token),
        "text/csv",
        csv.as_bytes().to_vec(),
    )
    .await
}

async fn csv_import_all_or_nothing(app: &TestApp) {
    let admin = app.token("demo-admin").await;
    let bad = "code,name,level,parent_code\n\
               39302,Xã Nga Thái,commune,393\n\
               39302.01,Thôn Đông,village,39302\n\
               39302.02,,village,39302\n\
               39302.03,Thôn Tây,hamlet,39302\n\
               39302.04,Thôn Nam,village,39999\n";
    let (status, body) = import(app, &admin, bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(message(&body).contains("nothing was imported"), "{body}");
    let details: Vec<String> = body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap().to_string())
        .collect();
    assert_eq!(details.len(), 3, "{details:?}");
    assert!(
        details[0].starts_with("line 4: name is empty"),
        "{details:?}"
    );
    assert!(
        details[1].starts_with("line 5: level 'hamlet'"),
        "{details:?}"
    );
    assert!(
        details[2].starts_with("line 6: parent_code 39999"),
        "{details:?}"
    );
    assert_eq!(
        app.get("/api/v1/units/39302", &admin).await.0,
        StatusCode::NOT_FOUND,
        "nothing half-imported"
    );
    assert_eq!(
        app.get("/api/v1/units/39302.01", &admin).await.0,
        StatusCode::NOT_FOUND
    );

    let good = "code,name,level,parent_code\n39302.01,Thôn Đông,village,39302\n39302,Xã Nga Thái,commune,393\n39302.02,Thôn Bắc,village,39302\n";
    let (status, body) = import(app, &admin, good).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (&body["created"], &body["unchanged"]),
        (&json!(3), &json!(0)),
        "{body}"
    );
    assert_eq!(body["units"].as_array().unwrap().len(), 3);
    let (_, unit) = app.get("/api/v1/units/39302", &admin).await;
    assert_eq!(unit["parent_code"], "393");
    assert_eq!(codes(&unit["children"], "code"), ["39302.01", "39302.02"]);
    // The district above sees the new commune at once.
    let (_, list) = app
        .get(
            "/api/v1/units?level=commune",
            &app.token("demo-district").await,
        )
        .await;
    assert_eq!(codes(&list, "code"), ["39301", "39302"]);

    // Re-importing the same file changes nothing; a conflicting line is refused with its number.
    let (status, body) = import(app, &admin, good).await;
    assert_eq!(
        (status, body),
        (
            StatusCode::OK,
            json!({"dry_run": false, "created": 0, "unchanged": 3, "units": []})
        )
    );
    let changed = "code,name,level,parent_code\n39302.03,Thôn Mới,village,39302\n39302.02,Thôn Bắc Mới,village,39302\n";
    let (status, body) = import(app, &admin, changed).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["error"]["details"][0]
            .as_str()
            .unwrap()
            .starts_with("line 3: unit 39302.02 already exists"),
        "{body}"
    );
    assert_eq!(
        app.get("/api/v1/units/39302.03", &admin).await.0,
        StatusCode::NOT_FOUND
    );

    // Not CSV at all.
    let (status, body) = app
        .send_raw(
            Method::POST,
            "/api/v1/units/import",
            Some(&admin),
            "text/csv",
            vec![0xff, 0xfe, 0x00, 0x01],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = import(app, &admin, "").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
}

async fn import_permissions(app: &TestApp) {
    let province = app.token("demo-province").await;
    let (status, body) = import(app, &province, "code,name,level,parent_code\n38902,Xã Xuân Lập,commune,389\n38902.01,Thôn 1,village,38902\n").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = import(
        app,
        &province,
        "code,name,level,parent_code\n37,Tỉnh Ninh Bình,province,\n",
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["error"]["details"][0]
            .as_str()
            .unwrap()
            .contains("inside your own area"),
        "{body}"
    );
    for user in [
        "demo-district",
        "demo-commune",
        "demo-lead",
        "demo-enumerator",
    ] {
        let (status, _) = import(
            app,
            &app.token(user).await,
            "code,name,level,parent_code\n39303,Xã X,commune,393\n",
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{user}");
    }
}

async fn merge_keeps_history(app: &TestApp) {
    let admin = app.token("demo-admin").await;
    let (status, _) = import(app, &admin, "code,name,level,parent_code\n39302,Xã Nga Thái,commune,393\n39302.01,Thôn Đông,village,39302\n39302.02,Thôn Bắc,village,39302\n").await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app
        .post("/api/v1/users", &admin, json!({"username": "xa-nga-thai", "display_name": "Công chức xã Nga Thái", "password": "khaosat-demo", "role": "commune", "scope_unit": "39302"}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let commune = app.token("demo-commune").await;
    assert_eq!(
        app.get("/api/v1/units/39302.01", &commune).await.0,
        StatusCode::NOT_FOUND
    );

    // Only the tree's editors merge, and only like with like.
    assert_eq!(
        app.post(
            "/api/v1/units/39302/merge",
            &commune,
            json!({"into": "39301"})
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post("/api/v1/units/39302/merge", &admin, json!({"into": "393"}))
            .await
            .0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        app.post(
            "/api/v1/units/39302/merge",
            &admin,
            json!({"into": "39302"})
        )
        .await
        .0,
        StatusCode::BAD_REQUEST
    );

    let (status, merged) = app
        .post(
            "/api/v1/units/39302/merge",
            &admin,
            json!({"into": "39301"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{merged}");
    assert_eq!(
        codes(&merged["children"], "code"),
        ["39301.01", "39301.02", "39301.03", "39301.04", "39302.01", "39302.02"]
    );

    let (_, old) = app.get("/api/v1/units/39302", &admin).await;
    assert_eq!(old["status"], "merged");
    assert_eq!(old["merged_into"], "39301");
    let kinds: Vec<_> = old["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["unit_code"].as_str().unwrap().to_string(),
                e["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        kinds.contains(&("39302".into(), "created".into())),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&("39302.01".into(), "moved".into())),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&("39302".into(), "merged".into())),
        "{kinds:?}"
    );

    let (_, village) = app.get("/api/v1/units/39302.01", &commune).await;
    assert_eq!(
        village["parent_code"], "39301",
        "the commune now sees the merged villages: {village}"
    );
    let moved = village["history"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "moved")
        .expect("move recorded");
    assert_eq!(
        (moved["old_parent"].clone(), moved["new_parent"].clone()),
        (json!("39302"), json!("39301"))
    );

    // The merged commune's officer now works in the surviving commune.
    let (_, users) = app.get("/api/v1/users", &commune).await;
    assert!(codes(&users, "username").contains(&"xa-nga-thai".to_string()));
    // Merged units drop out of default lists but stay readable.
    let district = app.token("demo-district").await;
    let (_, list) = app.get("/api/v1/units?level=commune", &district).await;
    assert_eq!(codes(&list, "code"), ["39301"]);
    let (_, list) = app
        .get(
            "/api/v1/units?level=commune&include_inactive=true",
            &district,
        )
        .await;
    assert_eq!(codes(&list, "code"), ["39301", "39302"]);
    assert_eq!(
        app.post("/api/v1/units/39302/retire", &admin, json!({}))
            .await
            .0,
        StatusCode::CONFLICT
    );
}

async fn create_and_retire(app: &TestApp) {
    let province = app.token("demo-province").await;
    let (status, unit) = app.post("/api/v1/units", &province, json!({"code": "39301.05", "name": "Thôn 5", "level": "village", "parent_code": "39301"})).await;
    assert_eq!(status, StatusCode::OK, "{unit}");
    assert_eq!(unit["name"], "Thôn 5");
    let (status, body) = app
        .post(
            "/api/v1/units",
            &province,
            json!({"code": "39301.06", "name": "Thôn 6", "level": "village", "parent_code": "393"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(message(&body).contains("cannot sit under 393"), "{body}");
    let (status, body) = app
        .post("/api/v1/units/39301/retire", &province, json!({}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(message(&body).contains("active child"), "{body}");
    let (status, body) = app
        .post("/api/v1/units/39301.05/retire", &province, json!({}))
        .await;
    assert_eq!(
        (status, body["status"].clone()),
        (StatusCode::OK, json!("retired"))
    );
    let (_, list) = app.get("/api/v1/units?parent=39301", &province).await;
    assert!(!codes(&list, "code").contains(&"39301.05".to_string()));
}

async fn vietnamese_levels_and_a_dry_run(app: &TestApp) {
    let admin = app.token("demo-admin").await;
    // As the official lists write them: a centrally run city, a provincial city, a town, a
    // district of a city, a special zone, wards and villages of every kind.
    let csv = "Mã,Tên,Cấp,Mã cha\n\
               79,Thành phố Hồ Chí Minh,Thành phố,\n\
               760,Quận 1,Quận,79\n\
               76001,Phường Bến Nghé,Phường,760\n\
               76001.01,Khu phố 1,Khu phố,76001\n\
               26,Tỉnh Vĩnh Phúc,Tỉnh,\n\
               243,Thành phố Vĩnh Yên,Thành phố,26\n\
               246,Thị xã Phúc Yên,Thị xã,26\n\
               24301,Đặc khu Thử,Đặc khu,243\n\
               24301.01,Ấp Bắc,Ấp,24301\n\
               24301.02,Tổ dân phố 2,TO DAN PHO,24301\n";
    let (status, preview) = app
        .send_raw(
            Method::POST,
            "/api/v1/units/import?dry_run=true",
            Some(&admin),
            "text/csv",
            csv.as_bytes().to_vec(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(preview["dry_run"], true);
    assert_eq!(preview["created"], 0);
    let levels: Vec<(String, String)> = preview["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["code"].as_str().unwrap().to_string(),
                u["level"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for (code, level) in [
        ("79", "province"),
        ("760", "district"),
        ("76001", "commune"),
        ("76001.01", "village"),
        ("243", "district"),
        ("246", "district"),
        ("24301", "commune"),
        ("24301.01", "village"),
        ("24301.02", "village"),
    ] {
        assert!(
            levels.contains(&(code.to_string(), level.to_string())),
            "{code} as {level}: {levels:?}"
        );
    }
    let (status, _) = app.get("/api/v1/units/79", &admin).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a dry run writes nothing");

    let (status, done) = import(app, &admin, csv).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["created"], 10);
    let (_, ward) = app.get("/api/v1/units/76001", &admin).await;
    assert_eq!(ward["level"], "commune");

    // Search as people type on a phone: without diacritics, any case; or a code's beginning.
    let found = |body: serde_json::Value| -> Vec<String> {
        body.as_array()
            .unwrap_or_else(|| panic!("{body}"))
            .iter()
            .map(|u| u["code"].as_str().unwrap().to_string())
            .collect()
    };
    let (status, body) = app.get("/api/v1/units?q=ben%20nghe", &admin).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(found(body), ["76001"]);
    let (_, body) = app.get("/api/v1/units?q=TO%20DAN%20PHO", &admin).await;
    assert_eq!(found(body), ["24301.02"]);
    let (_, body) = app.get("/api/v1/units?q=7600&level=village", &admin).await;
    assert_eq!(found(body), ["76001.01"]);
    // Within the caller's area only: the demo district official finds none of these.
    let district = app.token("demo-district").await;
    let (_, body) = app.get("/api/v1/units?q=ben%20nghe", &district).await;
    assert_eq!(found(body), Vec::<String>::new());
    let (_, body) = app.get("/api/v1/units?q=nga%20lien", &district).await;
    assert_eq!(found(body), ["39301"]);

    let (status, body) = import(
        app,
        &admin,
        "code,name,level,parent_code\n99,Vùng lạ,Miền,\n",
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.to_string().contains("thị xã"),
        "the words it takes: {body}"
    );
}
