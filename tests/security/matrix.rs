//! The full access matrix: every role × every endpoint × a target inside and outside the
//! caller's area, over HTTP, and every role × village document over the sync WebSocket.
//!
//! The expected grid is written out below, one line per endpoint; a change in policy shows up as
//! a readable diff of that grid. Outside targets live in a second province the demo users do
//! not cover (only the administrator does).

use automerge::AutoCommit;
use reqwest::Method;
use serde_json::{json, Value};

use crate::common::peer::{Outcome, RustPeer};
use crate::common::TestApp;
use crate::on_both_backends;

on_both_backends!(http_matrix, websocket_matrix, lists_leak_no_outside_ids);

/// The callers, lowest role first; all but the administrator are scoped inside province 38.
const USERS: [&str; 6] = [
    "demo-enumerator",
    "demo-lead",
    "demo-commune",
    "demo-district",
    "demo-province",
    "demo-admin",
];

/// Ids of things inside Nga Liên (39301, everyone's area) and in the other province.
struct Targets {
    household_in: String,
    household_out: String,
    user_in: i64,
    user_out: i64,
    /// A member of Nga Liên who is not a caller (their password is reset, devices revoked).
    member_in: i64,
    assignment_in: i64,
    assignment_out: i64,
    /// A campaign (campaigns have no area: inside and outside are the same).
    campaign: i64,
}

/// A second province with one commune, an enumerator there with an assignment, and one
/// household imported into a village on each side.
async fn setup(app: &TestApp) -> Targets {
    let admin = app.token("demo-admin").await;
    let units = "code,name,level,parent_code\n40,Tỉnh Nghệ An,province,\n412,Huyện Quỳnh Lưu,district,40\n41201,Xã Quỳnh Thanh,commune,412\n41201.01,Xóm 1,village,41201\n41201.02,Xóm 2,village,41201\n";
    let (status, body) = app
        .send_raw(
            Method::POST,
            "/api/v1/units/import",
            Some(&admin),
            "text/csv",
            units.into(),
        )
        .await;
    assert!(status.is_success(), "units import: {body}");
    let (status, other) = app
        .post(
            "/api/v1/users",
            &admin,
            json!({"username": "other-enumerator", "display_name": "Người khảo sát Quỳnh Thanh",
                   "password": crate::common::PASSWORD, "role": "enumerator", "scope_unit": "41201"}),
        )
        .await;
    assert!(status.is_success(), "user: {other}");
    let user_out = other["id"].as_i64().unwrap();
    let (status, assignment) = app
        .post(
            "/api/v1/assignments",
            &admin,
            json!({"assignee": "other-enumerator", "village_code": "41201.01"}),
        )
        .await;
    assert!(status.is_success(), "assignment: {assignment}");
    let assignment_out = assignment["id"].as_i64().unwrap();
    let csv = "village_code,head_name,address,member_name,birth_year\n\
               39301.01,Nguyễn Văn An,Xóm Đông,Nguyễn Văn An,1970\n\
               41201.01,Hồ Thị Bình,Xóm 1,Hồ Thị Bình,1980\n";
    // The import runs as a job: wait for it, the households are needed below.
    let (status, body) = app.import_register(&admin, csv).await;
    assert!(status.is_success(), "register import: {body}");
    let household = |village: &str| {
        let village = village.to_string();
        async move {
            app.rows(&format!(
                "SELECT id FROM households WHERE village_code = '{village}'"
            ))
            .await[0][0]
                .clone()
                .unwrap()
        }
    };
    let user_in = app
        .rows("SELECT CAST(id AS TEXT) FROM users WHERE username = 'demo-enumerator'")
        .await[0][0]
        .clone()
        .unwrap()
        .parse()
        .unwrap();
    let (status, member) = app
        .post(
            "/api/v1/users",
            &admin,
            json!({"display_name": "Thành viên thử quyền", "role": "enumerator", "scope_unit": "39301"}),
        )
        .await;
    assert!(status.is_success(), "member: {member}");
    let member_in = member["id"].as_i64().unwrap();
    let assignment_in = app
        .rows(&format!(
            "SELECT CAST(id AS TEXT) FROM assignments WHERE assignee_id = {user_in} AND village_code = '39301.01'"
        ))
        .await[0][0]
        .clone()
        .unwrap()
        .parse()
        .unwrap();
    let (status, campaign) = app
        .post(
            "/api/v1/campaigns",
            &admin,
            json!({"name": "Chiến dịch thử quyền", "baseline_date": "2026-10-01", "start_date": "2099-01-01"}),
        )
        .await;
    assert!(status.is_success(), "campaign: {campaign}");
    Targets {
        campaign: campaign["id"].as_i64().unwrap(),
        household_in: household("39301.01").await,
        household_out: household("41201.01").await,
        user_in,
        user_out,
        member_in,
        assignment_in,
        assignment_out,
    }
}

/// A request body made for one caller (index in `USERS`) and one side (inside or not), so that
/// creations do not collide with each other.
#[derive(Clone, Copy)]
enum Body {
    Json(fn(usize, bool) -> Value),
    Csv(fn(usize, bool) -> String),
}

/// One endpoint tried inside and outside the caller's area.
struct Probe {
    name: &'static str,
    method: Method,
    inside: String,
    outside: String,
    body: Option<Body>,
}

impl Probe {
    async fn send(
        &self,
        app: &TestApp,
        path: &str,
        token: Option<&str>,
        caller: usize,
        inside: bool,
    ) -> (reqwest::StatusCode, Value) {
        match self.body {
            None => app.call(self.method.clone(), path, token, None).await,
            Some(Body::Json(make)) => {
                let body = make(caller, inside);
                app.call(self.method.clone(), path, token, Some(body)).await
            }
            Some(Body::Csv(make)) => {
                let body = make(caller, inside).into_bytes();
                let answer = app
                    .send_raw(self.method.clone(), path, token, "text/csv", body)
                    .await;
                // The register import answers 202 and runs as a job: the row shows its outcome.
                match token {
                    Some(token) => app.import_outcome(token, answer).await,
                    None => answer,
                }
            }
        }
    }
}

/// The commune on one side: Nga Liên inside everyone's area, Quỳnh Thanh outside.
fn commune(inside: bool) -> &'static str {
    if inside {
        "39301"
    } else {
        "41201"
    }
}

fn probe(name: &'static str, method: Method, inside: String, outside: String) -> Probe {
    Probe {
        name,
        method,
        inside,
        outside,
        body: None,
    }
}

fn probes(t: &Targets) -> Vec<Probe> {
    let unit = |suffix: &str| {
        (
            format!("/api/v1/units/39301{suffix}"),
            format!("/api/v1/units/41201{suffix}"),
        )
    };
    let mut list = vec![
        probe(
            "GET me",
            Method::GET,
            "/api/v1/me".into(),
            "/api/v1/me".into(),
        ),
        probe(
            "GET me/documents",
            Method::GET,
            "/api/v1/me/documents".into(),
            "/api/v1/me/documents".into(),
        ),
        probe(
            "GET me/send-backs",
            Method::GET,
            "/api/v1/me/send-backs".into(),
            "/api/v1/me/send-backs".into(),
        ),
        probe(
            "GET units/{village}",
            Method::GET,
            "/api/v1/units/39301.01".into(),
            "/api/v1/units/41201.01".into(),
        ),
    ];
    for (name, suffix) in [
        ("GET units/{c}/indicators", "/indicators"),
        ("GET units/{c}/report.xlsx", "/report.xlsx"),
        ("GET units/{c}/report.csv", "/report.csv"),
        ("GET units/{c}/progress", "/progress"),
        ("GET units/{c}/weekly.xlsx", "/weekly.xlsx"),
        ("GET units/{c}/declared", "/declared"),
        ("GET units/{c}/conflicts", "/conflicts"),
        ("GET units/{c}/raw-data.xlsx", "/raw-data.xlsx"),
        (
            "GET units/{c}/raw-data.csv",
            "/raw-data.csv?sheet=households",
        ),
        ("GET units/{c}/send-backs", "/send-backs"),
        ("GET units/{c}/approvals", "/approvals"),
        ("GET units/{c}/targets", "/targets"),
        ("GET units/{c}/weekly-reports", "/weekly-reports"),
        ("GET units/{c}/weekly-r./{w}", "/weekly-reports/2026-11-18"),
        (
            "GET units/{c}/weekly-r./x.xlsx",
            "/weekly-reports/2026-11-18/report.xlsx",
        ),
    ] {
        let (inside, outside) = unit(suffix);
        list.push(probe(name, Method::GET, inside, outside));
    }
    list.extend([
        probe(
            "GET households/{id}/history",
            Method::GET,
            format!("/api/v1/households/{}/history", t.household_in),
            format!("/api/v1/households/{}/history", t.household_out),
        ),
        probe(
            "GET users/{id}",
            Method::GET,
            format!("/api/v1/users/{}", t.user_in),
            format!("/api/v1/users/{}", t.user_out),
        ),
        probe(
            "GET users/{id}/sessions",
            Method::GET,
            format!("/api/v1/users/{}/sessions", t.user_in),
            format!("/api/v1/users/{}/sessions", t.user_out),
        ),
        probe(
            "GET team?unit",
            Method::GET,
            "/api/v1/team?unit=39301".into(),
            "/api/v1/team?unit=41201".into(),
        ),
        probe(
            "GET users/username-sugg.",
            Method::GET,
            "/api/v1/users/username-suggestion?name=Nguyễn%20Văn%20An".into(),
            "/api/v1/users/username-suggestion?name=Hồ%20Thị%20Bình".into(),
        ),
        probe(
            "GET assignments/{id}",
            Method::GET,
            format!("/api/v1/assignments/{}", t.assignment_in),
            format!("/api/v1/assignments/{}", t.assignment_out),
        ),
        probe(
            "GET access-log?unit",
            Method::GET,
            "/api/v1/access-log?unit=39301".into(),
            "/api/v1/access-log?unit=41201".into(),
        ),
        probe(
            "GET unit-codes/{code}",
            Method::GET,
            "/api/v1/unit-codes/39301".into(),
            "/api/v1/unit-codes/41201".into(),
        ),
        probe(
            "GET survey",
            Method::GET,
            "/api/v1/survey".into(),
            "/api/v1/survey/versions/1".into(),
        ),
        probe(
            "GET survey/versions",
            Method::GET,
            "/api/v1/survey/versions".into(),
            "/api/v1/survey/versions".into(),
        ),
        probe(
            "GET reforms",
            Method::GET,
            "/api/v1/reforms".into(),
            "/api/v1/reforms".into(),
        ),
        probe(
            "GET reforms/placements",
            Method::GET,
            "/api/v1/reforms/placements".into(),
            "/api/v1/reforms/placements".into(),
        ),
    ]);
    // A reform's preview writes nothing; a placement sheet naming a village that waits for
    // nothing is refused whole. Both show who may reach them, inside and outside the area.
    list.push(Probe {
        body: Some(Body::Csv(|_, inside| {
            format!(
                "old_commune_code,new_commune_code,new_commune_name,share\n{},99999,Xã Mới,full\n",
                commune(inside)
            )
        })),
        ..probe(
            "POST reforms/preview",
            Method::POST,
            "/api/v1/reforms/preview?effective=2026-07-01&name=NQ".into(),
            "/api/v1/reforms/preview?effective=2026-07-01&name=NQ".into(),
        )
    });
    list.push(Probe {
        body: Some(Body::Csv(|_, inside| {
            format!(
                "village_code,new_commune_code\n{}.01,99999\n",
                commune(inside)
            )
        })),
        ..probe(
            "POST reforms/placements",
            Method::POST,
            "/api/v1/reforms/placements".into(),
            "/api/v1/reforms/placements".into(),
        )
    });
    // A survey draft (version 1 as it is) saved and dropped: the survey has no area.
    list.push(Probe {
        body: Some(Body::Json(|_, _| {
            serde_json::from_str(include_str!("../../server/survey/definition/v1.json"))
                .expect("v1.json")
        })),
        ..probe(
            "PUT survey/draft",
            Method::PUT,
            "/api/v1/survey/draft".into(),
            "/api/v1/survey/draft".into(),
        )
    });
    list.push(probe(
        "DELETE survey/draft",
        Method::DELETE,
        "/api/v1/survey/draft".into(),
        "/api/v1/survey/draft".into(),
    ));
    // An indicator by rule: the role is checked before the rule (which names no field, so
    // nothing is added), and removing one that does not exist.
    list.push(Probe {
        body: Some(Body::Json(|_, _| {
            json!({"name_vi": "Thử", "default_target": 0.5,
                "rule": {"counts": "persons", "numerator": {"yes": "no_such_field"}}})
        })),
        ..probe(
            "POST indicators",
            Method::POST,
            "/api/v1/indicators".into(),
            "/api/v1/indicators".into(),
        )
    });
    list.push(probe(
        "DELETE indicators/{id}",
        Method::DELETE,
        "/api/v1/indicators/999".into(),
        "/api/v1/indicators/999".into(),
    ));
    // Writes whose effect is harmless to repeat: a declaration, a target, an assignment note.
    list.push(Probe {
        body: Some(Body::Json(|_, _| {
            json!({"indicator_id": 1, "numerator": 3, "denominator": 4, "value_date": "2026-11-01"})
        })),
        ..probe(
            "POST units/{c}/declared",
            Method::POST,
            "/api/v1/units/39301/declared".into(),
            "/api/v1/units/41201/declared".into(),
        )
    });
    list.push(Probe {
        body: Some(Body::Json(
            |_, _| json!({"comment": "Thiếu số CCCD của chủ hộ"}),
        )),
        ..probe(
            "POST households/{id}/send-back",
            Method::POST,
            format!("/api/v1/households/{}/send-back", t.household_in),
            format!("/api/v1/households/{}/send-back", t.household_out),
        )
    });
    list.push(Probe {
        body: Some(Body::Json(|_, _| json!({"week": "2026-12-03"}))),
        ..probe(
            "POST units/{v}/approval",
            Method::POST,
            "/api/v1/units/39301.01/approval".into(),
            "/api/v1/units/41201.01/approval".into(),
        )
    });
    // One report per commune and week: the administrator, after the commune officer, is told
    // it was already submitted.
    list.push(probe(
        "POST units/{c}/weekly-r./submit",
        Method::POST,
        "/api/v1/units/39301/weekly-reports/2026-11-18/submit".into(),
        "/api/v1/units/41201/weekly-reports/2026-11-18/submit".into(),
    ));
    list.push(Probe {
        body: Some(Body::Json(
            |caller, _| json!({"name": format!("Chiến dịch {caller}")}),
        )),
        ..probe(
            "PATCH campaigns/{id}",
            Method::PATCH,
            format!("/api/v1/campaigns/{}", t.campaign),
            format!("/api/v1/campaigns/{}", t.campaign),
        )
    });
    list.push(Probe {
        body: Some(Body::Json(|_, _| json!({"note": "đi cùng trưởng thôn"}))),
        ..probe(
            "PATCH assignments/{id}",
            Method::PATCH,
            format!("/api/v1/assignments/{}", t.assignment_in),
            format!("/api/v1/assignments/{}", t.assignment_out),
        )
    });
    // Creations, each caller making its own (unique codes and names).
    list.push(Probe {
        body: Some(Body::Json(|caller, inside| {
            let parent = commune(inside);
            json!({"code": format!("{parent}.r{caller}"), "name": "Thôn mới", "level": "village", "parent_code": parent})
        })),
        ..probe("POST units", Method::POST, "/api/v1/units".into(), "/api/v1/units".into())
    });
    list.push(Probe {
        body: Some(Body::Json(|caller, inside| {
            json!({"username": format!("new-{caller}-{inside}"), "display_name": "Thành viên mới",
                   "password": crate::common::PASSWORD, "role": "enumerator", "scope_unit": commune(inside)})
        })),
        ..probe("POST users", Method::POST, "/api/v1/users".into(), "/api/v1/users".into())
    });
    list.push(Probe {
        body: Some(Body::Json(
            |caller, _| json!({"display_name": format!("Đổi tên {caller}")}),
        )),
        ..probe(
            "PATCH users/{id}",
            Method::PATCH,
            format!("/api/v1/users/{}", t.user_in),
            format!("/api/v1/users/{}", t.user_out),
        )
    });
    // What a lead does for a member; outside is the other province's enumerator.
    for (name, method, suffix) in [
        (
            "POST users/{id}/sign-in-code",
            Method::POST,
            "/sign-in-code",
        ),
        (
            "POST users/{id}/reset-pass.",
            Method::POST,
            "/reset-password",
        ),
        ("POST users/{id}/unlock", Method::POST, "/unlock"),
        ("DELETE users/{id}/sessions", Method::DELETE, "/sessions"),
    ] {
        list.push(probe(
            name,
            method,
            format!("/api/v1/users/{}{suffix}", t.member_in),
            format!("/api/v1/users/{}{suffix}", t.user_out),
        ));
    }
    list.push(Probe {
        body: Some(Body::Csv(|caller, _| {
            format!("Họ và tên,Số điện thoại\nNgười nhập {caller},0912345678\n")
        })),
        ..probe(
            "POST users/import?unit",
            Method::POST,
            "/api/v1/users/import?unit=39301".into(),
            "/api/v1/users/import?unit=41201".into(),
        )
    });
    list.push(Probe {
        body: Some(Body::Json(
            |_, inside| json!({"indicator_id": 6, "unit_code": commune(inside), "target": 0.85}),
        )),
        ..probe(
            "POST targets",
            Method::POST,
            "/api/v1/targets".into(),
            "/api/v1/targets".into(),
        )
    });
    list.push(Probe {
        body: Some(Body::Csv(|_, inside| {
            format!(
                "village_code,head_name,address,member_name,birth_year\n{}.01,Đặng Văn Tâm,Xóm Giữa,Đặng Văn Tâm,1975\n",
                commune(inside)
            )
        })),
        ..probe(
            "POST households/import",
            Method::POST,
            "/api/v1/households/import".into(),
            "/api/v1/households/import".into(),
        )
    });
    list
}

/// Expected status inside/outside, per role in the order of `USERS`. Outside the area answers
/// as if the target did not exist: 404, or for a whole-file import 422 with the line refused (the
/// register import: its job done → 200, failed → 422), or
/// 400 for a unit whose parent "does not exist"; a role that may never do it gets 403.
const EXPECTED: &str = "\
GET me                       | 200/200 200/200 200/200 200/200 200/200 200/200
GET me/documents             | 200/200 200/200 200/200 200/200 200/200 200/200
GET me/send-backs            | 200/200 200/200 200/200 200/200 200/200 200/200
GET units/{village}          | 200/404 200/404 200/404 200/404 200/404 200/200
GET units/{c}/indicators     | 403/403 200/404 200/404 200/404 200/404 200/200
GET units/{c}/report.xlsx    | 403/403 200/404 200/404 200/404 200/404 200/200
GET units/{c}/report.csv     | 403/403 200/404 200/404 200/404 200/404 200/200
GET units/{c}/progress       | 403/403 200/404 200/404 200/404 200/404 200/200
GET units/{c}/weekly.xlsx    | 403/403 200/404 200/404 200/404 200/404 200/200
GET units/{c}/declared       | 403/403 200/404 200/404 200/404 200/404 200/200
GET units/{c}/conflicts      | 403/403 200/404 200/404 403/403 403/403 200/200
GET units/{c}/raw-data.xlsx  | 403/403 200/404 200/404 403/403 403/403 200/200
GET units/{c}/raw-data.csv   | 403/403 200/404 200/404 403/403 403/403 200/200
GET units/{c}/send-backs     | 403/403 200/404 200/404 403/403 403/403 200/200
GET units/{c}/approvals      | 403/403 200/404 200/404 200/404 200/404 200/200
GET units/{c}/targets        | 403/403 200/404 200/404 200/404 200/404 200/200
GET units/{c}/weekly-reports | 403/403 200/404 200/404 200/404 200/404 200/200
GET units/{c}/weekly-r./{w}  | 403/403 200/404 200/404 200/404 200/404 200/200
GET units/{c}/weekly-r./x.xlsx | 403/403 200/404 200/404 200/404 200/404 200/200
GET households/{id}/history  | 200/404 200/404 200/404 404/404 404/404 200/200
GET users/{id}               | 200/404 200/404 200/404 200/404 200/404 200/200
GET users/{id}/sessions      | 200/404 200/404 200/404 200/404 200/404 200/200
GET team?unit                | 403/403 200/404 200/404 200/404 200/404 200/200
GET users/username-sugg.     | 403/403 200/200 200/200 200/200 200/200 200/200
GET assignments/{id}         | 200/404 200/404 200/404 200/404 200/404 200/200
GET access-log?unit          | 403/403 403/403 200/404 200/404 200/404 200/200
GET unit-codes/{code}        | 200/404 200/404 200/404 200/404 200/404 200/200
GET survey                   | 200/200 200/200 200/200 200/200 200/200 200/200
GET survey/versions          | 403/403 403/403 403/403 403/403 200/200 200/200
GET reforms                  | 403/403 403/403 403/403 200/200 200/200 200/200
GET reforms/placements       | 403/403 403/403 200/200 200/200 200/200 200/200
POST reforms/preview         | 403/403 403/403 403/403 403/403 200/422 200/200
POST reforms/placements      | 403/403 403/403 403/403 403/403 422/422 422/422
PUT survey/draft             | 403/403 403/403 403/403 403/403 200/200 200/200
DELETE survey/draft          | 403/403 403/403 403/403 403/403 204/204 204/204
POST indicators              | 403/403 403/403 403/403 403/403 422/422 422/422
DELETE indicators/{id}       | 403/403 403/403 403/403 403/403 404/404 404/404
POST units/{c}/declared      | 403/403 403/403 201/404 403/403 403/403 201/201
POST households/{id}/send-back | 403/403 201/404 201/404 403/403 403/403 201/201
POST units/{v}/approval      | 403/403 201/404 201/404 403/403 403/403 201/201
POST units/{c}/weekly-r./submit | 403/403 403/403 201/404 403/403 403/403 409/201
PATCH campaigns/{id}         | 403/403 403/403 403/403 403/403 200/200 200/200
PATCH assignments/{id}       | 403/403 200/404 200/404 200/404 200/404 200/200
POST units                   | 403/403 403/403 403/403 403/403 200/400 200/200
POST users                   | 403/404 201/404 201/404 201/404 201/404 201/201
PATCH users/{id}             | 200/404 200/404 200/404 200/404 200/404 200/200
POST users/{id}/sign-in-code | 404/404 201/404 201/404 201/404 201/404 201/201
POST users/{id}/reset-pass.  | 404/404 200/404 200/404 200/404 200/404 200/200
POST users/{id}/unlock       | 404/404 200/404 200/404 200/404 200/404 200/200
DELETE users/{id}/sessions   | 404/404 200/404 200/404 200/404 200/404 200/200
POST users/import?unit       | 403/404 200/404 200/404 200/404 200/404 200/200
POST targets                 | 403/403 403/403 403/403 201/404 201/404 201/201
POST households/import       | 403/403 200/422 200/422 403/403 403/403 200/200
";

async fn http_matrix(app: &TestApp) {
    let targets = setup(app).await;
    let mut tokens = Vec::new();
    for user in USERS {
        tokens.push(app.token(user).await);
    }
    let mut grid = String::new();
    for p in probes(&targets) {
        let mut cells = Vec::new();
        for (caller, token) in tokens.iter().enumerate() {
            let mut pair = Vec::new();
            for (path, inside) in [(&p.inside, true), (&p.outside, false)] {
                let (status, body) = p.send(app, path, Some(token), caller, inside).await;
                if !status.is_success() {
                    // Refusals carry a message a person can act on, and nothing from the target.
                    let message = body["error"]["message"].as_str().unwrap_or_default();
                    assert!(!message.is_empty(), "{} {path}: {body}", p.name);
                    assert!(
                        !body.to_string().contains("Hồ Thị Bình"),
                        "{path} leaks a name: {body}"
                    );
                }
                pair.push(status.as_u16().to_string());
            }
            cells.push(pair.join("/"));
        }
        grid.push_str(&format!("{:<28} | {}\n", p.name, cells.join(" ")));
    }
    assert_eq!(grid, EXPECTED, "\nactual grid:\n{grid}");
    // Without a token every one of them is 401.
    for p in probes(&targets) {
        let (status, _) = p.send(app, &p.inside, None, 9, true).await;
        assert_eq!(status, 401, "{} without a token", p.name);
    }
}

/// Sync access per role: (assigned village 39301.01, unassigned 39301.03, other province 41201.01).
const EXPECTED_WS: &str = "\
demo-enumerator   | synced unavailable unavailable
demo-lead         | synced synced unavailable
demo-commune      | read-only read-only unavailable
demo-district     | unavailable unavailable unavailable
demo-province     | unavailable unavailable unavailable
demo-admin        | unavailable unavailable unavailable
";

async fn websocket_matrix(app: &TestApp) {
    setup(app).await;
    // The team lead's list makes the documents of every village in Nga Liên.
    let (status, _) = app
        .get("/api/v1/me/documents", &app.token("demo-lead").await)
        .await;
    assert_eq!(status, 200);
    let mut grid = String::new();
    for user in USERS {
        let token = app.token(user).await;
        let mut cells = Vec::new();
        for village in ["39301.01", "39301.03", "41201.01"] {
            let document_id = app
                .rows(&format!(
                    "SELECT document_id FROM village_documents WHERE unit_code = '{village}'"
                ))
                .await[0][0]
                .clone()
                .unwrap();
            // An edit, so a read-only peer is told it cannot write.
            let mut doc = AutoCommit::new();
            let mut peer = RustPeer::connect(&app.ws_base(), &token).await.unwrap();
            let first = peer.sync(&document_id, &mut doc).await;
            let outcome = match first {
                Outcome::Synced => {
                    record_household(&mut doc, user);
                    // A new connection, as a phone that edited offline.
                    let mut again = RustPeer::connect(&app.ws_base(), &token).await.unwrap();
                    match again.sync(&document_id, &mut doc).await {
                        Outcome::Synced => "synced",
                        Outcome::ReadOnly => "read-only",
                        other => panic!("{user} {village}: {other:?}"),
                    }
                }
                Outcome::Unavailable => {
                    // Nothing of the document came through before the refusal.
                    assert!(doc.get_heads().is_empty(), "{user} got data of {village}");
                    "unavailable"
                }
                Outcome::ReadOnly => "read-only",
                Outcome::Error(e) => panic!("{user} {village}: {e}"),
            };
            cells.push(outcome);
        }
        grid.push_str(&format!("{user:<17} | {}\n", cells.join(" ")));
    }
    assert_eq!(grid, EXPECTED_WS, "\nactual grid:\n{grid}");
    // Without a valid token the socket is refused before any frame.
    assert!(RustPeer::connect(&app.ws_base(), "not-a-token")
        .await
        .is_err());
}

/// Adds a household as a phone would (so a read-only peer has something refused).
pub fn record_household(doc: &mut AutoCommit, by: &str) {
    use automerge::transaction::Transactable;
    use automerge::{ObjType, ReadDoc, ROOT};
    let households = match doc.get(&ROOT, "households").unwrap() {
        Some((automerge::Value::Object(ObjType::Map), id)) => id,
        _ => doc.put_object(&ROOT, "households", ObjType::Map).unwrap(),
    };
    let id = uuid::Uuid::new_v4().to_string();
    let household = doc.put_object(&households, &id, ObjType::Map).unwrap();
    doc.put(&household, "head_name", format!("Hộ thử của {by}"))
        .unwrap();
    doc.commit();
}

/// List endpoints return nothing from outside the caller's area: no ids, no names.
async fn lists_leak_no_outside_ids(app: &TestApp) {
    let t = setup(app).await;
    let lists = [
        "/api/v1/units",
        "/api/v1/units?level=village",
        "/api/v1/users",
        "/api/v1/assignments",
        "/api/v1/me/documents",
        "/api/v1/me/assignments",
        "/api/v1/access-log",
    ];
    let outside_doc = app
        .rows("SELECT document_id FROM village_documents WHERE unit_code = '41201.01'")
        .await[0][0]
        .clone()
        .unwrap();
    for user in &USERS[..5] {
        let token = app.token(user).await;
        for list in lists {
            let (status, body) = app.get(list, &token).await;
            if !status.is_success() {
                assert!(status == 403, "{user} {list}: {status} {body}");
                continue;
            }
            let text = body.to_string();
            for secret in [
                "41201",
                "Quỳnh",
                "other-enumerator",
                outside_doc.as_str(),
                t.household_out.as_str(),
            ] {
                assert!(
                    !text.contains(secret),
                    "{user} {list} leaks {secret}: {text}"
                );
            }
            for id in [t.user_out, t.assignment_out] {
                let needle = format!("\"id\":{id},");
                // Ids are numbers shared across tables; look only where they would be this record.
                if list.contains("users") && id == t.user_out
                    || list.contains("assignments") && id == t.assignment_out
                {
                    assert!(!text.contains(&needle), "{user} {list} leaks id {id}");
                }
            }
        }
    }
}
