//! khaosat's database before the server starts: demo units and users, the benchmark's villages,
//! enumerators and assignments, and every village document (with `--existing` households),
//! written in this process through the library (the same code paths the HTTP API and the sync
//! hub use), so that the measured server starts on a database that already holds them.

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use khaosat::assignments::{create_assignment, NewAssignmentRequest};
use khaosat::auth::{Principal, Role};
use khaosat::store::Store;
use khaosat::sync::documents::ensure_village_document;
use khaosat::sync::Uploader;
use khaosat::users::{create_user, NewUserRequest};
use khaosat::{AppState, Config};
use rand::rngs::StdRng;
use rand::SeedableRng;

use crate::args::Args;
use crate::survey;

/// The commune the benchmark's villages and enumerators belong to (seeded by the demo data).
pub const COMMUNE: &str = "39301";
pub const JWT_SECRET: &str = "bench-secret-bench-secret-bench-secret!";
/// User creations in flight at once (each hashes a password).
const SETUP_CONCURRENCY: usize = 4;
/// Village documents written at once.
const DOC_CONCURRENCY: usize = 4;

pub fn village_code(i: usize) -> String {
    format!("{COMMUNE}.bench{i:05}")
}

pub fn enumerator(i: usize) -> String {
    format!("bench-nv-{i:05}")
}

/// What the set-up took.
pub struct Setup {
    pub users: Duration,
    pub documents: Duration,
}

/// The demo administrator, acting without a session (as the `khaosat` command line does).
async fn operator(store: &Store) -> Result<Principal, String> {
    let admin = store
        .user_by_username("demo-admin")
        .await
        .map_err(|e| format!("reading demo-admin: {e}"))?
        .ok_or("the demo data has no demo-admin")?;
    Ok(Principal {
        user_id: admin.id,
        username: admin.username,
        role: Role::Admin,
        scope_unit: None,
        scope_path: "/".into(),
        session_id: String::new(),
        device_id: String::new(),
    })
}

pub async fn prepare_database(database_url: &str, args: &Args) -> Result<Setup, String> {
    let store = Store::connect(database_url)
        .await
        .map_err(|e| format!("opening the store: {e}"))?;
    let result = fill(&store, database_url, args).await;
    store.close().await;
    result
}

async fn fill(store: &Store, database_url: &str, args: &Args) -> Result<Setup, String> {
    khaosat::demo::seed_pilot(store)
        .await
        .map_err(|e| format!("seeding demo data: {e}"))?;
    let admin = operator(store).await?;
    for n in 0..args.rule_indicators {
        crate::rules::add_rule_indicator(store, n, khaosat::clock::now())
            .await
            .map_err(|e| format!("adding an indicator by rule: {e}"))?;
    }
    let started = Instant::now();
    let villages = args.villages() as usize;
    let mut csv = String::from("code,name,level,parent_code\n");
    for i in 0..villages {
        csv.push_str(&format!(
            "{},Thôn thử tải {i},village,{COMMUNE}\n",
            village_code(i)
        ));
    }
    khaosat::units::import_units(store, &admin, csv.as_bytes(), false)
        .await
        .map_err(|e| format!("importing {villages} villages: {e}"))?;

    let results: Vec<Result<(), String>> = futures_util::stream::iter(0..args.phones as usize)
        .map(|i| {
            let admin = admin.clone();
            async move {
                let username = enumerator(i);
                let user = NewUserRequest {
                    username: Some(username.clone()),
                    display_name: format!("Thành viên {i}"),
                    password: Some(khaosat::demo::DEMO_PASSWORD.into()),
                    role: Role::Enumerator,
                    scope_unit: Some(COMMUNE.into()),
                    phone: None,
                    service: false,
                };
                create_user(store, &admin, user)
                    .await
                    .map_err(|e| format!("creating {username}: {e}"))?;
                let assignment = NewAssignmentRequest {
                    village_code: village_code(i),
                    assignee: username.clone(),
                    household_ids: None,
                    due_date: None,
                    note: None,
                };
                create_assignment(store, &admin, assignment)
                    .await
                    .map_err(|e| format!("assigning {username}: {e}"))?;
                Ok(())
            }
        })
        .buffer_unordered(SETUP_CONCURRENCY)
        .collect()
        .await;
    results.into_iter().collect::<Result<(), String>>()?;
    let users = started.elapsed();

    // Every village document, written as a server-side edit (stored, projected, attributed to
    // nobody) by the sync hub of an in-process app state that never listens.
    let started = Instant::now();
    let config = Config::new(database_url, JWT_SECRET.as_bytes().to_vec());
    let state = AppState::new(store.clone(), config)
        .await
        .map_err(|e| format!("starting the sync hub: {e}"))?;
    let hub = state.sync.clone();
    let results: Vec<Result<(), String>> = futures_util::stream::iter(0..villages)
        .map(|i| {
            let hub = hub.clone();
            let seed = args.seed.wrapping_mul(1_000_003).wrapping_add(i as u64);
            let (existing, persons, commits) = (args.existing, args.persons, args.commits);
            async move {
                let code = village_code(i);
                let row = ensure_village_document(store, &code)
                    .await
                    .map_err(|e| format!("creating the document of {code}: {e}"))?;
                if existing == 0 {
                    return Ok(());
                }
                let mut rng = StdRng::seed_from_u64(seed);
                let mut failure = None;
                let uploader = Uploader {
                    user_id: None,
                    username: None,
                    device_id: None,
                };
                hub.edit(&row, uploader, |doc| {
                    let recorded =
                        survey::record(doc, commits, &mut rng, "bench", existing, persons);
                    match recorded {
                        Ok(()) => Ok(true),
                        Err(e) => {
                            failure = Some(e);
                            Ok(false)
                        }
                    }
                })
                .await
                .map_err(|e| format!("writing households into {code}: {e}"))?;
                failure.map_or(Ok(()), Err)
            }
        })
        .buffer_unordered(DOC_CONCURRENCY)
        .collect()
        .await;
    hub.begin_shutdown();
    hub.finish(Duration::from_secs(30)).await;
    results.into_iter().collect::<Result<(), String>>()?;
    Ok(Setup {
        users,
        documents: started.elapsed(),
    })
}

/// Rows of `table` in the benchmark's villages, read straight from the database.
pub async fn count_rows(database_url: &str, table: &str) -> Result<i64, String> {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(database_url)
        .await
        .map_err(|e| format!("connecting to {database_url}: {e}"))?;
    let sql = format!("SELECT COUNT(*) FROM {table} WHERE village_code LIKE $1");
    let count = sqlx::query_scalar::<_, i64>(&sql)
        .bind(format!("{COMMUNE}.bench%"))
        .fetch_one(&pool)
        .await
        .map_err(|e| format!("counting {table}: {e}"));
    pool.close().await;
    count
}
