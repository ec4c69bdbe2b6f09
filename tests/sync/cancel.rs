//! Writes dropped half-way lose nothing: a server-side edit (what a register import does) whose
//! caller gives up at a random moment, 50 rounds, with phones syncing and idle compaction in
//! between; and a database error in the middle of a stock client's sync, after which the server
//! resyncs the client itself instead of leaving it waiting.

use std::time::Duration;

use automerge::transaction::Transactable;
use automerge::{AutoCommit, AutomergeError, ChangeHash, ObjType, ReadDoc};
use khaosat::store::Store;
use khaosat::survey::read::household_ids;
use khaosat::sync::Uploader;
use rand::Rng;
use serde_json::json;

use crate::common::peer::{Outcome, RustPeer};
use crate::common::TestApp;
use crate::node::{node_ready, peer};
use crate::on_both_backends;
use crate::support::{document_of, expected_rows, fetch, heads, projected_rows, put, sync};

on_both_backends!(
    cancelled_writes_lose_nothing,
    a_database_error_mid_sync_resyncs_the_stock_client,
    a_database_error_keeps_the_other_phones_in_sync
);

/// Every change the store holds for a document, loaded as a server restart would.
async fn stored_document(store: &Store, document_id: &str) -> AutoCommit {
    let mut doc = AutoCommit::new();
    for (_, bytes) in store.doc_chunks(document_id, 0).await.unwrap() {
        doc.load_incremental(&bytes).unwrap();
    }
    doc
}

fn holds(doc: &AutoCommit, heads: &[ChangeHash]) -> bool {
    heads.iter().all(|h| doc.get_change_by_hash(h).is_some())
}

/// What a register import writes for one household.
fn add_household(doc: &mut AutoCommit, id: &str, name: &str) -> Result<bool, AutomergeError> {
    let households = match doc.get(automerge::ROOT, "households")? {
        Some((_, id)) => id,
        None => doc.put_object(automerge::ROOT, "households", ObjType::Map)?,
    };
    let h = doc.put_object(&households, id, ObjType::Map)?;
    doc.put(&h, "head_name", name)?;
    doc.put_object(&h, "persons", ObjType::Map)?;
    doc.put_object(&h, "visits", ObjType::Map)?;
    Ok(true)
}

async fn cancelled_writes_lose_nothing(app: &TestApp) {
    let store = Store::connect(&app.database_url).await.unwrap();
    let token = app.token("demo-lead").await;
    let village = "39301.04";
    let document_id = document_of(app, &token, village).await;
    let row = store
        .village_document_of_unit(village)
        .await
        .unwrap()
        .unwrap();
    let mut phone = fetch(app, &token, &document_id).await;
    // Several small syncs first, so the document has chunks since its snapshot (what made
    // compaction on eviction delete the snapshot it had just written).
    for i in 0..5 {
        put(
            &mut phone,
            &[
                "households",
                &format!("e0000000-0000-4000-8000-{i:012}"),
                "head_name",
            ],
            json!(format!("Hộ điện thoại {i}")),
        );
        assert_eq!(
            sync(app, &token, &document_id, &mut phone).await,
            Outcome::Synced
        );
    }
    let mut acknowledged: Vec<String> = household_ids(&phone);
    let mut rng = rand::thread_rng();
    // How long one edit takes here, so the random give-up points fall all along it.
    let started = std::time::Instant::now();
    assert!(app
        .hub
        .edit(&row, Uploader::default(), |doc| {
            add_household(
                doc,
                "e1000000-0000-4000-8000-ffffffffffff",
                "Hộ đo thời gian",
            )
        })
        .await
        .unwrap());
    let one_edit = started.elapsed().as_micros().max(1_000) as u64;
    let (mut cancelled, mut completed) = (0, 0);
    for round in 0..50 {
        let household = format!("e1000000-0000-4000-8000-{round:012}");
        let name = format!("Hộ nhập {round}");
        let edit = app.hub.edit(&row, Uploader::default(), |doc| {
            add_household(doc, &household, &name)
        });
        // The caller gives up somewhere between "not started" and "long done".
        let wait = Duration::from_micros(rng.gen_range(0..one_edit * 2));
        match tokio::time::timeout(wait, edit).await {
            Ok(result) => {
                assert!(result.unwrap(), "round {round}: the edit changed nothing");
                acknowledged.push(household.clone());
                completed += 1;
            }
            Err(_) => cancelled += 1,
        }
        // A phone syncing right after: whatever heads the server answers are stored.
        let mut copy = phone.fork();
        assert_eq!(
            sync(app, &token, &document_id, &mut copy).await,
            Outcome::Synced,
            "round {round}"
        );
        let stored = stored_document(&store, &document_id).await;
        assert!(
            holds(&stored, &copy.get_heads()),
            "round {round}: the server answered heads the database does not hold"
        );
        if round % 7 == 6 {
            // The document leaves memory (compacted first) as it does when idle.
            for _ in 0..50 {
                app.hub.evict_idle(Duration::ZERO).await;
                if app.hub.loaded_documents() == 0 {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            let chunks = store.doc_chunks(&document_id, 0).await.unwrap();
            assert!(
                !chunks.is_empty(),
                "round {round}: compaction left no chunk"
            );
        }
    }
    eprintln!("{completed} edits completed, {cancelled} dropped mid-way");
    tokio::time::sleep(Duration::from_millis(300)).await;

    // A restart: a fresh server loads the document from the store alone.
    let (replica, stop, server) = app.replica().await;
    let mut restarted = AutoCommit::new();
    let mut peer = RustPeer::connect(&replica, &token).await.unwrap();
    assert_eq!(
        peer.sync(&document_id, &mut restarted).await,
        Outcome::Synced
    );
    let ids = household_ids(&restarted);
    for h in &acknowledged {
        assert!(ids.contains(h), "acknowledged household {h} lost");
    }
    assert_eq!(
        projected_rows(app, village).await,
        expected_rows(&restarted)
    );
    let households: usize = app
        .rows(&format!(
            "SELECT CAST(COUNT(*) AS TEXT) FROM households WHERE village_code = '{village}'"
        ))
        .await[0][0]
        .as_deref()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        households,
        ids.len(),
        "SQL rows and the document agree after restart"
    );
    stop.send(()).ok();
    server.await.unwrap().unwrap();
}

/// Makes every insert into `doc_chunks` fail (a real database error), until `clear_fault`.
async fn inject_fault(app: &TestApp) {
    if app.pg_admin.is_some() {
        app.sql("CREATE FUNCTION khaosat_fault() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'injected fault'; END $$ LANGUAGE plpgsql").await;
        app.sql("CREATE TRIGGER khaosat_fault BEFORE INSERT ON doc_chunks FOR EACH ROW EXECUTE FUNCTION khaosat_fault()").await;
    } else {
        app.sql("CREATE TRIGGER khaosat_fault BEFORE INSERT ON doc_chunks BEGIN SELECT RAISE(ABORT, 'injected fault'); END").await;
    }
}

async fn clear_fault(app: &TestApp) {
    if app.pg_admin.is_some() {
        app.sql("DROP TRIGGER khaosat_fault ON doc_chunks").await;
    } else {
        app.sql("DROP TRIGGER khaosat_fault").await;
    }
}

async fn a_database_error_mid_sync_resyncs_the_stock_client(app: &TestApp) {
    if !node_ready() {
        return;
    }
    let token = app.token("demo-enumerator").await;
    let village = "39301.02";
    let document_id = document_of(app, &token, village).await;
    let url = format!("{}/api/v1/sync?token={token}", app.ws_base());
    let dir = tempfile::tempdir().unwrap();
    let phone = dir.path().join("phone");
    peer(&phone, &document_id, Some(&url), None);
    // Online, while the database refuses writes (it recovers a moment later), the phone records
    // 40 households: its changes reach a server that cannot store them.
    inject_fault(app).await;
    let ops: Vec<serde_json::Value> = (0..40)
        .map(|i| json!({"path": ["households", format!("e2000000-0000-4000-8000-{i:012}")], "value": {"head_name": format!("Hộ {i}"), "persons": {}, "visits": {}}}))
        .collect();
    let online = {
        let (phone, document_id, url) = (phone.clone(), document_id.clone(), url.clone());
        tokio::task::spawn_blocking(move || {
            peer(&phone, &document_id, Some(&url), Some(json!(ops)))
        })
    };
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let stored = app
        .rows("SELECT id FROM households WHERE id LIKE 'e2000000-%'")
        .await;
    assert!(stored.is_empty(), "the fault did not stop the writes");
    clear_fault(app).await;
    let answer = online.await.unwrap();
    // The client returns once the server holds its heads: nothing was left unsent.
    let mut server = fetch(app, &token, &document_id).await;
    assert_eq!(json!(heads(&mut server)), answer["heads"]);
    let ids = household_ids(&server);
    assert!((0..40).all(|i| ids.contains(&format!("e2000000-0000-4000-8000-{i:012}"))));
    assert_eq!(projected_rows(app, village).await, expected_rows(&server));
}

async fn a_database_error_keeps_the_other_phones_in_sync(app: &TestApp) {
    let token = app.token("demo-lead").await;
    let document_id = document_of(app, &token, "39301.03").await;
    // A phone that stays connected, showing the village.
    let mut watcher = RustPeer::connect(&app.ws_base(), &token).await.unwrap();
    let mut watched = AutoCommit::new();
    let mut state = automerge::sync::State::new();
    assert_eq!(
        watcher
            .sync_with(&document_id, &mut watched, &mut state)
            .await,
        Outcome::Synced
    );
    // Another phone's upload fails on a database error.
    let mut writer = fetch(app, &token, &document_id).await;
    let household = "e3000000-0000-4000-8000-000000000001";
    put(
        &mut writer,
        &["households", household, "head_name"],
        json!("Hộ sau sự cố"),
    );
    inject_fault(app).await;
    let failed = sync(app, &token, &document_id, &mut writer).await;
    assert_ne!(failed, Outcome::Synced);
    clear_fault(app).await;
    // It sends again once the database is back: the connected phone receives it.
    assert_eq!(
        sync(app, &token, &document_id, &mut writer).await,
        Outcome::Synced
    );
    watcher
        .receive_updates(
            &document_id,
            &mut watched,
            &mut state,
            Duration::from_secs(3),
        )
        .await;
    assert!(
        household_ids(&watched).contains(&household.to_string()),
        "a phone connected during the database error stopped receiving changes"
    );
}
