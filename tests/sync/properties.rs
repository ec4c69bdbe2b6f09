//! Property: phones editing one village offline, syncing in any order under random partitions
//! (a phone only exchanges changes when it reconnects), all converge to the server's document;
//! the SQL projection and the indicator counters then equal what the merged document implies,
//! computed from scratch.
//!
//! Cases per backend: KHAOSAT_PROPTEST_CASES (default 32). Each case is a fresh village.

use std::sync::atomic::{AtomicUsize, Ordering};

use automerge::AutoCommit;
use khaosat::survey::read::{household_ids, read_household};
use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, TestRunner};
use reqwest::Method;
use serde_json::json;

use crate::common::peer::{Outcome, RustPeer};
use crate::common::{Db, TestApp};
use crate::support::{document_of, expected_rows, heads, projected_rows, put};

const PEERS: usize = 3;
const HOUSEHOLDS: usize = 3;
const PERSONS: usize = 2;

#[derive(Debug, Clone)]
enum Edit {
    HeadName(u8),
    HouseholdDeleted(bool),
    ElectricityCashless(Option<bool>),
    BirthYear {
        person: usize,
        year: i64,
    },
    Smartphone {
        person: usize,
        answer: Option<bool>,
    },
    VneidLevel {
        person: usize,
        level: i64,
    },
    PersonDeleted {
        person: usize,
        deleted: bool,
    },
    /// A new household made on this phone (its own id, as the PWA makes one).
    NewHousehold,
}

#[derive(Debug, Clone)]
enum Op {
    Edit {
        peer: usize,
        household: usize,
        edit: Edit,
    },
    /// The phone reconnects and syncs; phones that do not are cut off from the others.
    Sync { peer: usize },
}

fn edit() -> impl Strategy<Value = Edit> {
    let person = 0..PERSONS;
    prop_oneof![
        (0u8..3).prop_map(Edit::HeadName),
        any::<bool>().prop_map(Edit::HouseholdDeleted),
        proptest::option::of(any::<bool>()).prop_map(Edit::ElectricityCashless),
        (
            person.clone(),
            prop_oneof![Just(1960i64), Just(2000), Just(2018)]
        )
            .prop_map(|(person, year)| Edit::BirthYear { person, year }),
        (person.clone(), proptest::option::of(any::<bool>()))
            .prop_map(|(person, answer)| Edit::Smartphone { person, answer }),
        (person.clone(), 0i64..3).prop_map(|(person, level)| Edit::VneidLevel { person, level }),
        (person, any::<bool>())
            .prop_map(|(person, deleted)| Edit::PersonDeleted { person, deleted }),
        Just(Edit::NewHousehold),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..PEERS, 0..HOUSEHOLDS, edit())
            .prop_map(|(peer, household, edit)| Op::Edit { peer, household, edit }),
        1 => (0..PEERS).prop_map(|peer| Op::Sync { peer }),
    ]
}

fn household_id(h: usize) -> String {
    format!("00000000-0000-4000-8000-00000000000{h}")
}

/// Person ids are UUIDs, unique across households (as the PWA makes them).
fn person_id(h: &str, p: usize) -> String {
    uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, format!("{h}/{p}").as_bytes()).to_string()
}

fn apply(doc: &mut AutoCommit, peer: usize, household: usize, edit: &Edit, fresh: &mut usize) {
    let h = household_id(household);
    let at = |p: usize, key: &'static str| (h.clone(), person_id(&h, p), key);
    match edit {
        Edit::HeadName(n) => put(
            doc,
            &["households", &h, "head_name"],
            json!(format!("Hộ {n}")),
        ),
        Edit::HouseholdDeleted(d) => put(doc, &["households", &h, "deleted"], json!(d)),
        Edit::ElectricityCashless(a) => put(
            doc,
            &["households", &h, "pays_electricity_cashless"],
            json!(a),
        ),
        Edit::BirthYear { person, year } => {
            let (h, p, k) = at(*person, "birth_year");
            put(doc, &["households", &h, "persons", &p, k], json!(year))
        }
        Edit::Smartphone { person, answer } => {
            let (h, p, k) = at(*person, "has_smartphone");
            put(doc, &["households", &h, "persons", &p, k], json!(answer))
        }
        Edit::VneidLevel { person, level } => {
            let (h, p, k) = at(*person, "vneid_level");
            put(doc, &["households", &h, "persons", &p, k], json!(level))
        }
        Edit::PersonDeleted { person, deleted } => {
            let (h, p, k) = at(*person, "deleted");
            put(doc, &["households", &h, "persons", &p, k], json!(deleted))
        }
        Edit::NewHousehold => {
            *fresh += 1;
            let id = format!("00000000-0000-4000-a00{peer}-{:012}", *fresh);
            put(doc, &["households", &id, "head_name"], json!("Hộ mới"));
            let p = person_id(&id, 0);
            put(
                doc,
                &["households", &id, "persons", &p, "has_smartphone"],
                json!(true),
            );
        }
    }
}

async fn sync_peer(app: &TestApp, token: &str, document_id: &str, doc: &mut AutoCommit) {
    let mut peer = RustPeer::connect(&app.ws_base(), token)
        .await
        .expect("connect");
    assert_eq!(peer.sync(document_id, doc).await, Outcome::Synced);
}

/// One case: a new village, phones that start from the same document and then edit and sync
/// as `ops` says, then everyone syncs twice.
async fn case(app: &TestApp, admin: &str, lead: &str, n: usize, ops: Vec<Op>) {
    let village = format!("39301.p{n}");
    let csv = format!("code,name,level,parent_code\n{village},Thôn thử {n},village,39301\n");
    let (status, body) = app
        .send_raw(
            Method::POST,
            "/api/v1/units/import",
            Some(admin),
            "text/csv",
            csv.into(),
        )
        .await;
    assert!(status.is_success(), "{body}");
    let document_id = document_of(app, lead, &village).await;
    // The households and persons exist before the phones go out (as after a register import).
    let mut first = AutoCommit::new();
    sync_peer(app, lead, &document_id, &mut first).await;
    for h in 0..HOUSEHOLDS {
        put(
            &mut first,
            &["households", &household_id(h), "head_name"],
            json!("Hộ gốc"),
        );
        for p in 0..PERSONS {
            let path = [
                "households",
                &household_id(h),
                "persons",
                &person_id(&household_id(h), p),
                "full_name",
            ];
            put(&mut first, &path, json!(format!("Người {p}")));
        }
    }
    sync_peer(app, lead, &document_id, &mut first).await;
    let mut phones: Vec<AutoCommit> = (0..PEERS)
        .map(|_| {
            let mut d = AutoCommit::new();
            d.set_actor(automerge::ActorId::random());
            d
        })
        .collect();
    for phone in &mut phones {
        sync_peer(app, lead, &document_id, phone).await;
    }
    let mut fresh = 0;
    for op in &ops {
        match op {
            Op::Edit {
                peer,
                household,
                edit,
            } => apply(&mut phones[*peer], *peer, *household, edit, &mut fresh),
            Op::Sync { peer } => sync_peer(app, lead, &document_id, &mut phones[*peer]).await,
        }
    }
    for _ in 0..2 {
        for phone in &mut phones {
            sync_peer(app, lead, &document_id, phone).await;
        }
    }
    let mut server = AutoCommit::new();
    sync_peer(app, lead, &document_id, &mut server).await;
    let server_heads = heads(&mut server);
    for (i, phone) in phones.iter_mut().enumerate() {
        assert_eq!(heads(phone), server_heads, "phone {i} converged");
    }
    assert_eq!(
        projected_rows(app, &village).await,
        expected_rows(&server),
        "projection equals the merged document"
    );
    // The indicator counters, from scratch over the merged document.
    let cutoff = i64::from(khaosat::clock::vietnam_date(khaosat::clock::now()).1) - 15;
    let (mut h_known, mut h_elec, mut p_known, mut p_surveyed, mut p_smart, mut p_vneid) =
        (0, 0, 0, 0, 0, 0);
    for id in household_ids(&server) {
        let h = read_household(&server, &id).expect("household");
        if h.deleted || h.duplicate_of.is_some() {
            continue;
        }
        h_known += 1;
        h_elec += i64::from(h.flags[0] == Some(true));
        for p in h.persons.iter().filter(|p| !p.deleted) {
            if p.birth_year.is_some_and(|y| y > cutoff) {
                continue;
            }
            p_known += 1;
            p_surveyed += i64::from(p.flags.iter().any(Option::is_some) || p.vneid_level.is_some());
            p_smart += i64::from(p.flags[2] == Some(true));
            p_vneid += i64::from(p.vneid_level.is_some_and(|l| l >= 1));
        }
    }
    let stats = app
        .rows(&format!(
            "SELECT CAST(h_known AS TEXT), CAST(h_elec_cashless AS TEXT), CAST(p_known AS TEXT),
                    CAST(p_surveyed AS TEXT), CAST(p_smartphone AS TEXT), CAST(p_vneid AS TEXT)
             FROM village_stats WHERE village_code = '{village}'"
        ))
        .await;
    let expected: Vec<Option<String>> = [h_known, h_elec, p_known, p_surveyed, p_smart, p_vneid]
        .iter()
        .map(|v| Some(v.to_string()))
        .collect();
    assert_eq!(stats, vec![expected], "counters for {ops:?}");
    // And the indicator the dashboard shows (6: people with a smartphone).
    let (status, table) = app
        .get(&format!("/api/v1/units/{village}/indicators"), lead)
        .await;
    assert_eq!(status, 200, "{table}");
    let six = table["unit"]["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == 6)
        .unwrap()
        .clone();
    assert_eq!(
        (six["numerator"].as_i64(), six["denominator"].as_i64()),
        (Some(p_smart), Some(p_surveyed))
    );
}

fn run(db: Db) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let Some(app) = rt.block_on(TestApp::start_with(db, |_| {})) else {
        return;
    };
    let (admin, lead) =
        rt.block_on(async { (app.token("demo-admin").await, app.token("demo-lead").await) });
    let cases = std::env::var("KHAOSAT_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(32);
    let mut runner = TestRunner::new(ProptestConfig {
        cases,
        failure_persistence: None,
        max_shrink_iters: 64,
        ..ProptestConfig::default()
    });
    let counter = AtomicUsize::new(0);
    let result = runner.run(&proptest::collection::vec(op(), 1..40), |ops| {
        let n = counter.fetch_add(1, Ordering::SeqCst);
        rt.block_on(case(&app, &admin, &lead, n, ops));
        Ok(())
    });
    eprintln!(
        "convergence property: {} villages checked on {db:?}",
        counter.load(Ordering::SeqCst)
    );
    rt.block_on(app.finish());
    if let Err(e) = result {
        panic!("{e}");
    }
}

#[test]
fn offline_phones_converge_sqlite() {
    run(Db::Sqlite);
}

#[test]
fn offline_phones_converge_postgres() {
    run(Db::Postgres);
}
