//! Access changes reach open sockets at once: a lead moved to another commune, an enumerator
//! whose assignment was deleted, a revoked session or a disabled account stop writing and
//! receiving on the connection they already have, on this replica and on another one.

use std::time::Duration;

use automerge::sync::State;
use automerge::AutoCommit;
use reqwest::Method;
use serde_json::json;

use crate::common::peer::{Outcome, RustPeer};
use crate::common::TestApp;
use crate::on_both_backends;
use crate::support::{document_of, fetch, put, sync};

on_both_backends!(
    a_moved_lead_stops_writing_on_the_open_socket,
    an_unassigned_enumerator_stops_receiving_households,
    revoked_and_disabled_sockets_close_at_once,
    visits_count_for_the_uploader_not_the_by_field
);

/// The id of a user, as the admin sees it.
async fn user_id(app: &TestApp, admin: &str, username: &str) -> i64 {
    let (status, users) = app.get("/api/v1/users?limit=500", admin).await;
    assert_eq!(status, 200, "{users}");
    users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == username)
        .unwrap_or_else(|| panic!("{username} not in {users}"))["id"]
        .as_i64()
        .unwrap()
}

/// Households of a village as the database holds them.
async fn stored_households(app: &TestApp, village: &str) -> Vec<String> {
    app.rows(&format!(
        "SELECT id FROM households WHERE village_code = '{village}' ORDER BY id"
    ))
    .await
    .into_iter()
    .filter_map(|r| r[0].clone())
    .collect()
}

/// A phone that stays connected to one document, keeping its sync state.
struct OpenPhone {
    peer: RustPeer,
    doc: AutoCommit,
    state: State,
    document_id: String,
}

impl OpenPhone {
    async fn open(ws_base: &str, token: &str, document_id: &str) -> OpenPhone {
        let mut peer = RustPeer::connect(ws_base, token).await.expect("connect");
        let mut doc = AutoCommit::new();
        let mut state = State::new();
        assert_eq!(
            peer.sync_with(document_id, &mut doc, &mut state).await,
            Outcome::Synced
        );
        OpenPhone {
            peer,
            doc,
            state,
            document_id: document_id.to_string(),
        }
    }

    async fn write(&mut self, household: &str, name: &str) -> Outcome {
        put(
            &mut self.doc,
            &["households", household, "head_name"],
            json!(name),
        );
        self.peer
            .sync_with(&self.document_id, &mut self.doc, &mut self.state)
            .await
    }

    /// Sync messages pushed for the document during `wait`.
    async fn pushed(&mut self, wait: Duration) -> usize {
        self.peer
            .receive_updates(&self.document_id, &mut self.doc, &mut self.state, wait)
            .await
    }
}

async fn a_moved_lead_stops_writing_on_the_open_socket(app: &TestApp) {
    let lead = app.token("demo-lead").await;
    let admin = app.token("demo-admin").await;
    let village = "39301.03";
    let document_id = document_of(app, &lead, village).await;
    let mut phone = OpenPhone::open(&app.ws_base(), &lead, &document_id).await;
    // On PostgreSQL, a phone on a second replica too: the change is announced across replicas.
    // (SQLite is one server: there is no second replica to tell.)
    let second = match app.pg_admin {
        Some(_) => {
            let (replica, stop, server) = app.replica().await;
            let far = OpenPhone::open(&replica, &lead, &document_id).await;
            Some((far, stop, server))
        }
        None => None,
    };
    assert_eq!(
        phone
            .write("d1000000-0000-4000-8000-000000000001", "Trước khi chuyển")
            .await,
        Outcome::Synced
    );

    let id = user_id(app, &admin, "demo-lead").await;
    let (status, body) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/users/{id}"),
            Some(&admin),
            Some(json!({"scope_unit": "38901"})),
        )
        .await;
    assert_eq!(status, 200, "{body}");

    // The same sockets: writing is refused, nothing is stored.
    let moved = "d1000000-0000-4000-8000-000000000002";
    let outcome = phone.write(moved, "Sau khi chuyển").await;
    assert_ne!(outcome, Outcome::Synced, "the old commune took a write");
    let mut second = second;
    if let Some((far, _, _)) = second.as_mut() {
        let outcome = far.write(moved, "Sau khi chuyển (replica)").await;
        assert_ne!(outcome, Outcome::Synced, "the other replica took a write");
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!stored_households(app, village)
        .await
        .contains(&moved.to_string()));

    // And new households of the old commune no longer reach it.
    let commune_lead = {
        let (status, body) = app
            .post("/api/v1/users", &admin, json!({"username": "lead-2", "display_name": "Tổ trưởng 2", "password": "khaosat-demo", "role": "team_lead", "scope_unit": "39301"}))
            .await;
        assert_eq!(status, 201, "{body}");
        app.token("lead-2").await
    };
    let mut other = fetch(app, &commune_lead, &document_id).await;
    put(
        &mut other,
        &[
            "households",
            "d1000000-0000-4000-8000-000000000003",
            "phone",
        ],
        json!("0912345678"),
    );
    assert_eq!(
        sync(app, &commune_lead, &document_id, &mut other).await,
        Outcome::Synced
    );
    assert_eq!(phone.pushed(Duration::from_secs(1)).await, 0);
    if let Some((mut far, stop, server)) = second {
        assert_eq!(far.pushed(Duration::from_millis(500)).await, 0);
        stop.send(()).ok();
        server.await.unwrap().unwrap();
    }
}

async fn an_unassigned_enumerator_stops_receiving_households(app: &TestApp) {
    let enumerator = app.token("demo-enumerator").await;
    let lead = app.token("demo-lead").await;
    let village = "39301.01";
    let document_id = document_of(app, &enumerator, village).await;
    let mut phone = OpenPhone::open(&app.ws_base(), &enumerator, &document_id).await;

    let mut lead_copy = fetch(app, &lead, &document_id).await;
    put(
        &mut lead_copy,
        &[
            "households",
            "d2000000-0000-4000-8000-000000000001",
            "head_name",
        ],
        json!("Hộ mới trước"),
    );
    assert_eq!(
        sync(app, &lead, &document_id, &mut lead_copy).await,
        Outcome::Synced
    );
    assert!(
        phone.pushed(Duration::from_secs(1)).await > 0,
        "while assigned, new households are pushed"
    );

    let (status, list) = app.get("/api/v1/assignments", &lead).await;
    assert_eq!(status, 200, "{list}");
    let assignment = list
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["village_code"] == village && a["assignee_username"] == "demo-enumerator")
        .unwrap_or_else(|| panic!("no assignment of {village} in {list}"))["id"]
        .as_i64()
        .unwrap();
    let (status, body) = app
        .call(
            Method::DELETE,
            &format!("/api/v1/assignments/{assignment}"),
            Some(&lead),
            None,
        )
        .await;
    assert!(status.is_success(), "{status} {body}");

    put(
        &mut lead_copy,
        &[
            "households",
            "d2000000-0000-4000-8000-000000000002",
            "phone",
        ],
        json!("0987654321"),
    );
    assert_eq!(
        sync(app, &lead, &document_id, &mut lead_copy).await,
        Outcome::Synced
    );
    assert_eq!(
        phone.pushed(Duration::from_secs(1)).await,
        0,
        "a removed assignment still receives households"
    );
    let outcome = phone
        .write("d2000000-0000-4000-8000-000000000003", "Sau khi bỏ giao")
        .await;
    assert_ne!(outcome, Outcome::Synced);
}

async fn revoked_and_disabled_sockets_close_at_once(app: &TestApp) {
    let admin = app.token("demo-admin").await;
    let enumerator = app.token("demo-enumerator").await;
    let document_id = document_of(app, &enumerator, "39301.01").await;
    let id = user_id(app, &admin, "demo-enumerator").await;

    let mut phone = OpenPhone::open(&app.ws_base(), &enumerator, &document_id).await;
    // Work the phone syncs is stored, and the team screen says when this phone last synced.
    let household = uuid::Uuid::new_v4().to_string();
    assert_eq!(
        phone.write(&household, "Trước khi mất máy").await,
        Outcome::Synced
    );
    let (_, team) = app.get("/api/v1/team?unit=39301", &admin).await;
    let member = team["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == id)
        .unwrap_or_else(|| panic!("{team}"));
    let synced = member["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["device_id"] == "device-demo-enumerator")
        .unwrap_or_else(|| panic!("{member}"));
    assert!(synced["last_sync_at"].is_string(), "{synced}");
    assert_eq!(member["last_sync_at"], synced["last_sync_at"]);

    let (status, body) = app
        .call(
            Method::DELETE,
            &format!("/api/v1/users/{id}/sessions"),
            Some(&admin),
            None,
        )
        .await;
    assert!(status.is_success(), "{status} {body}");
    // Well before the 60 s periodic re-check.
    assert!(phone.peer.closed_within(Duration::from_secs(3)).await);
    // Its next contact is refused, and tells it to delete its data.
    let refused = RustPeer::connect(&app.ws_base(), &enumerator).await;
    assert!(
        refused.as_ref().is_err_and(|e| e.contains("401")),
        "reconnecting with a revoked token: {:?}",
        refused.err()
    );
    let (status, body) = app.get("/api/v1/me", &enumerator).await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], "device_revoked", "{body}");
    assert!(stored_households(app, "39301.01")
        .await
        .contains(&household));

    let enumerator = app.token("demo-enumerator").await;
    let mut phone = OpenPhone::open(&app.ws_base(), &enumerator, &document_id).await;
    let (status, body) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/users/{id}"),
            Some(&admin),
            Some(json!({"disabled": true})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(phone.peer.closed_within(Duration::from_secs(3)).await);
}

async fn visits_count_for_the_uploader_not_the_by_field(app: &TestApp) {
    let lead = app.token("demo-lead").await;
    let village = "39301.01";
    let document_id = document_of(app, &lead, village).await;
    let household = "d3000000-0000-4000-8000-000000000001";
    let mut doc = fetch(app, &lead, &document_id).await;
    put(
        &mut doc,
        &["households", household, "head_name"],
        json!("Hộ thăm"),
    );
    for (key, value) in [
        ("outcome", json!("surveyed")),
        ("by", json!("demo-enumerator")),
        ("at", json!(1_795_000_000_000_i64)),
    ] {
        put(
            &mut doc,
            &["households", household, "visits", "v-lead", key],
            value,
        );
    }
    assert_eq!(
        sync(app, &lead, &document_id, &mut doc).await,
        Outcome::Synced
    );
    let rows = app
        .rows(&format!(
            "SELECT visited_by FROM households WHERE id = '{household}'"
        ))
        .await;
    assert_eq!(
        rows,
        vec![vec![Some("demo-lead".to_string())]],
        "the visit is the uploader's, whatever its `by` says"
    );
}
