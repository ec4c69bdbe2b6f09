//! Indicator benchmark: a province-sized survey population, then the indicator queries.
//!
//! ```sh
//! cargo bench --bench indicators -- [--households 1000000] [--seed 1] [--runs 20] [--naive-runs 5]
//!                                   [--history-days 90] [--only sqlite|postgres] [--timeout-secs 3600]
//! KHAOSAT_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres cargo bench --bench indicators
//! ```
//!
//! For each backend (a temporary SQLite file; and, when KHAOSAT_TEST_POSTGRES_URL is set, a fresh
//! PostgreSQL database that is dropped afterwards):
//! 1. a province of 27 districts, 500 communes and 3,300 villages is created with
//!    `Store::insert_units`;
//! 2. the households and persons the sync projection would have written (default 1,000,000
//!    households, ~3,060,000 persons, generated deterministically from `--seed`: realistic answer
//!    rates, some rows deleted or duplicates, some households not visited yet, some persons not
//!    asked, children under 15) are bulk-loaded straight into `households` and `persons`
//!    (SQLite: multi-row INSERTs in large transactions; PostgreSQL: COPY, then VACUUM ANALYZE;
//!    both: secondary indexes rebuilt after the load);
//! 3. the counters are built through the real code path, one transaction per village document:
//!    `begin_doc_write` + `refresh_village_stats` + `commit`, as the sync projection does;
//! 4. `--history-days` earlier days of `stats_snapshots` are added (copies of today's counters:
//!    only the row count matters), so the baseline ("before") columns read a realistic history;
//! 5. measured: `metrics::unit_indicators` for the province, a district and a commune (median and
//!    p95 over `--runs`), the province and the commune with a baseline (the "before" columns,
//!    read from the snapshots), the full-province XLSX export with its baseline (what the
//!    `report.xlsx` handler does), and the same numbers computed naively from the person rows
//!    (one aggregate over persons ⋈ households ⋈ units by path prefix, over `--naive-runs`);
//! 6. the naive and maintained province numbers must agree ("agree: yes"), else the exit code
//!    is non-zero.
//!
//! Everything runs on loopback, within `--timeout-secs`, and the temporary databases are removed
//! on success, failure, timeout and Ctrl-C. Measured times include the sqlx `Any` driver, as the
//! server pays it too. Progress and warnings go to stderr (filter with KHAOSAT_LOG, default
//! `warn,sqlx::query=error`), results to stdout.

use std::future::Future;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::Parser;
use khaosat::auth::{Principal, Role};
use khaosat::clock::{now, vietnam_date};
use khaosat::metrics::{report, unit_indicators, IndicatorQuery};
use khaosat::store::{counter_columns, Counters, Store};
use sqlx::any::AnyPoolOptions;
use sqlx::postgres::PgConnection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqliteSynchronous};
use sqlx::{AnyPool, Connection, QueryBuilder, Sqlite};

/// The shape of the generated province (about the size of Thanh Hóa before the 2025 merger).
const PROVINCE: &str = "38";
const DISTRICTS: usize = 27;
const COMMUNES: usize = 500;
const VILLAGES: usize = 3_300;

/// Ages are drawn relative to this year, so a seed always gives the same rows; who counts as
/// 15+ follows the clock, as in the server (`year of today - 15`).
const REFERENCE_YEAR: i64 = 2025;
/// Households were created and visited during the 60 days from 2025-03-01 (UTC).
const SURVEY_START: i64 = 1_740_787_200;

/// SQLite: rows per multi-row INSERT (×23 columns stays under SQLite's 32,766 bound variables)
/// and rows per transaction (large enough that commits cost nothing, small enough that the WAL
/// is checkpointed as the load goes).
const SQLITE_BATCH: usize = 500;
const SQLITE_TX_ROWS: usize = 100_000;
/// PostgreSQL: bytes of COPY text sent at a time.
const COPY_CHUNK: usize = 1 << 20;

#[derive(Parser, Debug, Clone)]
#[command(about = "Province-scale benchmark of the indicator queries and reports")]
struct Args {
    /// Households in the province (persons: ~3.06 per household).
    #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(1..=20_000_000))]
    households: u64,
    /// Seed of the generated population (tree sizes, ids, names, answers).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Timed runs of each maintained indicator query and of the XLSX export (after one warm-up).
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(20..=10_000))]
    runs: u32,
    /// Timed runs of each naive query over the person rows (after one warm-up).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(5..=1_000))]
    naive_runs: u32,
    /// Earlier days of daily snapshots per village (the "before" columns read them).
    #[arg(long, default_value_t = 90, value_parser = clap::value_parser!(u32).range(0..=3_650))]
    history_days: u32,
    /// Run one backend only.
    #[arg(long, value_enum)]
    only: Option<Only>,
    /// The whole run (every backend) must finish within this many seconds.
    #[arg(long, default_value_t = 3_600)]
    timeout_secs: u64,
    /// Added by `cargo bench`; ignored.
    #[arg(long, hide = true)]
    bench: bool,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Only {
    Sqlite,
    Postgres,
}

#[derive(Clone, Debug)]
enum Backend {
    Sqlite,
    /// A fresh database is created through this administrative connection URL.
    Postgres(String),
}

impl Backend {
    fn name(&self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres(_) => "PostgreSQL",
        }
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    // sqlx's "slow statement" warnings would flood the output: slow statements are the point
    // of the naive queries.
    let filter = tracing_subscriber::EnvFilter::try_from_env("KHAOSAT_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,sqlx::query=error"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init()
        .ok();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("start the tokio runtime");
    runtime.block_on(run(args))
}

async fn run(args: Args) -> ExitCode {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(args.timeout_secs);
    let mut backends = Vec::new();
    if args.only != Some(Only::Postgres) {
        backends.push(Backend::Sqlite);
    }
    if args.only != Some(Only::Sqlite) {
        match std::env::var("KHAOSAT_TEST_POSTGRES_URL") {
            Ok(url) => backends.push(Backend::Postgres(url)),
            Err(_) => eprintln!(
                "PostgreSQL skipped: set KHAOSAT_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres to include it"
            ),
        }
    }
    // The population is generated again for each backend from the same seed (identical rows);
    // only the tree is kept in memory, rows are streamed village by village.
    let population = Population::generate(args.seed, args.households as usize);
    println!(
        "khaosat indicator benchmark: 1 province, {DISTRICTS} districts, {COMMUNES} communes, {} villages, {} households, seed {}",
        population.villages.len(),
        args.households,
        args.seed
    );
    let mut columns = Vec::new();
    let mut failed = false;
    for backend in backends {
        let db = match TempDb::create(&backend).await {
            Ok(db) => db,
            Err(e) => {
                println!("{}: FAILED: {e:#}", backend.name());
                failed = true;
                continue;
            }
        };
        // Whatever happens (error, timeout, Ctrl-C), the temporary database goes away.
        // A timeout or Ctrl-C ends the whole run, not just this backend.
        let (result, stop) = tokio::select! {
            r = run_backend(&backend, &db, &population, &args) => (r, false),
            _ = tokio::time::sleep_until(deadline) => (Err(anyhow::anyhow!(
                "stopped: the run exceeded --timeout-secs {}", args.timeout_secs
            )), true),
            _ = tokio::signal::ctrl_c() => (Err(anyhow::anyhow!("interrupted")), true),
        };
        db.remove().await;
        match &result {
            Ok(r) if !r.agree => failed = true,
            Ok(_) => {}
            Err(e) => {
                println!("{}: FAILED: {e:#}", backend.name());
                failed = true;
            }
        }
        columns.push((backend.name(), result.ok()));
        if stop {
            break;
        }
    }
    print_table(&args, &population, &columns);
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

// ---------------------------------------------------------------------------------------------
// Deterministic generation

/// SplitMix64: tiny and fully specified, so a seed gives the same population on every machine
/// and with every version of the dependencies (`rand`'s `StdRng` does not promise that).
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    fn bytes16(&mut self) -> [u8; 16] {
        let mut b = [0u8; 16];
        b[..8].copy_from_slice(&self.next().to_le_bytes());
        b[8..].copy_from_slice(&self.next().to_le_bytes());
        b
    }

    /// A version-4 UUID, as the phones create household and person ids.
    fn uuid(&mut self) -> String {
        uuid::Builder::from_random_bytes(self.bytes16())
            .into_uuid()
            .to_string()
    }

    fn digits(&mut self, prefix: &str, n: usize) -> String {
        let mut s = String::with_capacity(prefix.len() + n);
        s.push_str(prefix);
        for _ in 0..n {
            s.push(char::from(b'0' + self.below(10) as u8));
        }
        s
    }

    /// A yes/no checklist answer: yes with probability `p`; 2% of questions are skipped (NULL).
    fn answer(&mut self, p: f64) -> Option<i64> {
        if self.chance(0.02) {
            None
        } else {
            Some(i64::from(self.chance(p.min(0.99))))
        }
    }

    /// An answer that only makes sense after a "yes" to `given` (a smartphone needs a phone).
    fn answer_if(&mut self, given: Option<i64>, p: f64) -> Option<i64> {
        match given {
            Some(1) => self.answer(p),
            Some(_) => Some(0),
            None => None,
        }
    }
}

/// Splits `total` into `parts` uneven shares (weights 0.4–1.6), each at least `min`, summing
/// exactly to `total`.
fn split(rng: &mut Rng, total: usize, parts: usize, min: usize) -> Vec<usize> {
    let weights: Vec<f64> = (0..parts).map(|_| 0.4 + 1.2 * rng.unit()).collect();
    let sum: f64 = weights.iter().sum();
    let spare = total.saturating_sub(min * parts) as f64;
    let (mut acc, mut given) = (0.0, 0usize);
    weights
        .iter()
        .map(|w| {
            acc += w;
            let upto = (spare * acc / sum).round() as usize;
            let share = min + upto - given;
            given = upto;
            share
        })
        .collect()
}

const SURNAMES: [&str; 16] = [
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
    "Hồ", "Ngô", "Dương", "Lý",
];
const MIDDLE_MALE: [&str; 6] = ["Văn", "Hữu", "Đức", "Minh", "Quang", "Xuân"];
const MIDDLE_FEMALE: [&str; 5] = ["Thị", "Ngọc", "Thanh", "Thu", "Minh"];
const GIVEN: [&str; 26] = [
    "An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hùng", "Hương", "Lan", "Linh",
    "Long", "Mai", "Nam", "Nga", "Phương", "Quân", "Sơn", "Tâm", "Thảo", "Thắng", "Trang", "Tuấn",
    "Vy", "Yến",
];
/// Household sizes (members) and their shares: ~3.06 persons per household.
const MEMBERS: [(usize, f64); 6] = [
    (1, 0.12),
    (2, 0.25),
    (3, 0.28),
    (4, 0.20),
    (5, 0.10),
    (6, 0.05),
];
const NOT_SURVEYED: [&str; 3] = ["nobody_home", "refused", "come_back_later"];

fn person_name(rng: &mut Rng, surname: &str, male: bool) -> String {
    let middle = if male {
        rng.pick(&MIDDLE_MALE)
    } else {
        rng.pick(&MIDDLE_FEMALE)
    };
    format!("{surname} {middle} {}", rng.pick(&GIVEN))
}

struct UnitSpec {
    code: String,
    name: String,
    level: &'static str,
    parent: Option<String>,
}

struct Village {
    code: String,
    name: String,
    district: String,
    commune: String,
    document_id: String,
    households: usize,
}

/// The administrative tree and how many households each village has; the rows themselves are
/// generated on demand, village by village, from a seed derived from the village's index.
struct Population {
    seed: u64,
    units: Vec<UnitSpec>,
    villages: Vec<Village>,
}

fn path_of(codes: &[&str]) -> String {
    format!("/{}/", codes.join("/"))
}

impl Population {
    fn generate(seed: u64, households: usize) -> Population {
        let mut rng = Rng::new(seed);
        let communes_per_district = split(&mut rng, COMMUNES, DISTRICTS, 1);
        let villages_per_commune = split(&mut rng, VILLAGES, COMMUNES, 1);
        let households_per_village = split(&mut rng, households, VILLAGES, 0);
        let mut units = vec![UnitSpec {
            code: PROVINCE.into(),
            name: "Tỉnh Thử Nghiệm".into(),
            level: "province",
            parent: None,
        }];
        let mut villages: Vec<Village> = Vec::with_capacity(VILLAGES);
        let mut commune_index = 0;
        for (d, &communes) in communes_per_district.iter().enumerate() {
            let district = format!("{}", 380 + d);
            units.push(UnitSpec {
                code: district.clone(),
                name: format!("Huyện Thử Nghiệm {:02}", d + 1),
                level: "district",
                parent: Some(PROVINCE.into()),
            });
            for c in 0..communes {
                let commune = format!("{district}{:02}", c + 1);
                units.push(UnitSpec {
                    code: commune.clone(),
                    name: format!("Xã Thử Nghiệm {commune}"),
                    level: "commune",
                    parent: Some(district.clone()),
                });
                for k in 0..villages_per_commune[commune_index] {
                    let code = format!("{commune}.{:02}", k + 1);
                    let name = format!("Thôn {}", k + 1);
                    units.push(UnitSpec {
                        code: code.clone(),
                        name: name.clone(),
                        level: "village",
                        parent: Some(commune.clone()),
                    });
                    villages.push(Village {
                        households: households_per_village[villages.len()],
                        code,
                        name,
                        district: district.clone(),
                        commune: commune.clone(),
                        // automerge-repo ids are Base58Check of 16 bytes; only the lock uses it here.
                        document_id: bs58::encode(rng.bytes16()).into_string(),
                    });
                }
                commune_index += 1;
            }
        }
        Population {
            seed,
            units,
            villages,
        }
    }

    fn first_district(&self) -> &str {
        &self.villages[0].district
    }

    fn first_commune(&self) -> &str {
        &self.villages[0].commune
    }

    /// (communes, villages, households) under a district or commune code.
    fn size_of(&self, code: &str) -> (usize, usize, usize) {
        let under = self
            .villages
            .iter()
            .filter(|v| v.district == code || v.commune == code);
        let mut communes: Vec<&str> = under.clone().map(|v| v.commune.as_str()).collect();
        communes.dedup();
        (
            communes.len(),
            under.clone().count(),
            under.map(|v| v.households).sum(),
        )
    }

    /// The projected rows of one village, as the sync projection would have written them.
    fn village_rows(&self, v: usize, updated_at: i64) -> (Vec<Household<'_>>, Vec<Person<'_>>) {
        let village = &self.villages[v];
        // Each village has its own stream, derived from the seed and its index.
        let mut rng =
            Rng::new(Rng::new(self.seed ^ (v as u64).wrapping_mul(0xD1B5_4A32_D192_ED03)).next());
        let enumerators: Vec<String> = (1..=4)
            .map(|k| format!("tv-{}-{k}", village.commune))
            .collect();
        let mut households: Vec<Household> = Vec::with_capacity(village.households);
        let mut persons = Vec::with_capacity(village.households * 4);
        for _ in 0..village.households {
            let id = rng.uuid();
            let surname = *rng.pick(&SURNAMES);
            let head_male = rng.chance(0.7);
            let head_name = person_name(&mut rng, surname, head_male);
            let created_at = SURVEY_START + rng.below(60 * 86_400) as i64;
            let by = rng.pick(&enumerators).clone();
            // 7% not visited yet; 4% visited without a survey (a quarter of those answered part
            // of it before "come back later"); the rest surveyed.
            let u = rng.unit();
            let (outcome, person_rate) = if u < 0.07 {
                (None, 0.0)
            } else if u < 0.11 {
                let outcome = *rng.pick(&NOT_SURVEYED);
                let partial = outcome == "come_back_later" && rng.chance(0.25);
                (Some(outcome), if partial { 0.5 } else { 0.0 })
            } else {
                (Some("surveyed"), 0.93)
            };
            let answered = person_rate > 0.0;
            let mut flags = [None; 4];
            if answered {
                // Electricity and water paid without cash (water is not asked where there is
                // no tap water), a household business, and whether it takes QR payments.
                let no_tap_water = rng.chance(0.1);
                flags = [
                    rng.answer(0.62),
                    if no_tap_water { None } else { rng.answer(0.38) },
                    rng.answer(0.12),
                    None,
                ];
                flags[3] = rng.answer_if(flags[2], 0.55);
            }
            let visited_at = outcome.map(|_| created_at + rng.below(3 * 86_400) as i64);
            // 1% deleted, 0.5% marked as a duplicate of the previous household of the village.
            let deleted = rng.chance(0.01);
            let duplicate_of = match households.last() {
                Some(prev) if rng.chance(0.005) => Some(prev.id.clone()),
                _ => None,
            };
            let members = {
                let mut u = rng.unit();
                MEMBERS
                    .iter()
                    .find(|(_, p)| {
                        u -= p;
                        u < 0.0
                    })
                    .map_or(6, |(n, _)| *n)
            };
            for m in 0..members {
                // Children (not asked the checklist) come after the first two members.
                let child = m >= 2 && rng.chance(0.25);
                persons.push(person(
                    &mut rng,
                    village,
                    &id,
                    surname,
                    (m == 0).then(|| (head_name.clone(), head_male)),
                    child,
                    person_rate,
                    updated_at,
                ));
            }
            households.push(Household {
                address: format!("Số {}, {}", 1 + rng.below(300), village.name),
                phone: rng.chance(0.8).then(|| rng.digits("09", 8)),
                id,
                village,
                head_name,
                flags,
                deleted,
                duplicate_of,
                created_at,
                visited_by: outcome.map(|_| by.clone()),
                created_by: by,
                visit_outcome: outcome,
                visited_at,
                visits: if outcome.is_some() {
                    1 + rng.below(2) as i64
                } else {
                    0
                },
                updated_at,
            });
        }
        (households, persons)
    }
}

/// One person of a household; `head` is the head's (name, male) for the first member.
#[allow(clippy::too_many_arguments)]
fn person<'p>(
    rng: &mut Rng,
    village: &'p Village,
    household: &str,
    surname: &str,
    head: Option<(String, bool)>,
    child: bool,
    answer_rate: f64,
    updated_at: i64,
) -> Person<'p> {
    let id = rng.uuid();
    let (full_name, male) = head.unwrap_or_else(|| {
        let male = rng.chance(0.5);
        (person_name(rng, surname, male), male)
    });
    // Adults skew young (the 15–40 band is the largest); children are 0–14.
    let age = if child {
        rng.below(15) as i64
    } else {
        15 + (75.0 * rng.unit().powf(1.4)) as i64
    };
    let birth_year = (!rng.chance(0.02)).then_some(REFERENCE_YEAR - age);
    let sex = match rng.unit() {
        u if u < 0.015 => None,
        u if u < 0.02 => Some("other"),
        _ if male => Some("male"),
        _ => Some("female"),
    };
    let cccd = (!child && rng.chance(0.92)).then(|| rng.digits("038", 9));
    // Children are not asked the checklist; adults of an answered household mostly are.
    let mut flags = [None; 12];
    let mut vneid_level = None;
    if !child && rng.chance(answer_rate) {
        // Older people have fewer digital services.
        let a = match age {
            ..=29 => 1.15,
            30..=44 => 1.05,
            45..=59 => 0.85,
            _ => 0.55,
        };
        flags[0] = rng.answer(0.96); // has_cccd
        vneid_level = if rng.chance(0.02) {
            None
        } else if rng.chance(0.82 * a) {
            Some(if rng.chance(0.7) { 2 } else { 1 })
        } else {
            Some(0)
        };
        flags[1] = rng.answer(0.80 + 0.12 * a); // has_phone
        flags[2] = rng.answer_if(flags[1], 0.82 * a); // has_smartphone
        flags[3] = rng.answer_if(flags[1], 0.9); // own_sim
        flags[4] = rng.answer(0.55 * a); // has_public_service_account
        flags[5] = rng.answer(0.72 * a); // has_payment_account
        flags[6] = rng.answer(0.18 * a); // has_e_signature
        flags[7] = rng.answer(0.4 * a); // has_province_app
        flags[8] = rng.answer_if(flags[2], 0.45 * a); // has_cyber_safety_app
        flags[9] = rng.answer(0.65); // trained_digital_skills
        flags[10] = rng.answer(0.5 * a); // uses_digital_platform

        // used_online_service_eid: needs a VNeID account.
        flags[11] = match vneid_level {
            Some(1..) => rng.answer(0.55 * a),
            Some(_) => Some(0),
            None => None,
        };
    }
    let phone = (flags[1] == Some(1) && rng.chance(0.8)).then(|| rng.digits("09", 8));
    Person {
        id,
        household_id: household.to_string(),
        village,
        full_name,
        birth_year,
        sex,
        cccd,
        phone,
        deleted: rng.chance(0.015),
        vneid_level,
        flags,
        updated_at,
    }
}

// ---------------------------------------------------------------------------------------------
// Rows and their columns (as in migrations/*/0002_sync.sql)

/// A column value, written by both loaders.
#[derive(Clone, Copy)]
enum Cell<'a> {
    Text(&'a str),
    Int(i64),
    Null,
}

fn text(s: Option<&str>) -> Cell<'_> {
    s.map_or(Cell::Null, Cell::Text)
}

fn int(i: Option<i64>) -> Cell<'static> {
    i.map_or(Cell::Null, Cell::Int)
}

trait Row {
    const TABLE: &'static str;
    const COLUMNS: &'static [&'static str];
    fn cells(&self) -> Vec<Cell<'_>>;
}

struct Household<'p> {
    id: String,
    village: &'p Village,
    head_name: String,
    address: String,
    phone: Option<String>,
    /// `survey::schema::HOUSEHOLD_FLAGS`, in order.
    flags: [Option<i64>; 4],
    deleted: bool,
    duplicate_of: Option<String>,
    created_at: i64,
    created_by: String,
    visit_outcome: Option<&'static str>,
    visited_at: Option<i64>,
    visited_by: Option<String>,
    visits: i64,
    updated_at: i64,
}

impl Row for Household<'_> {
    const TABLE: &'static str = "households";
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "village_code",
        "document_id",
        "head_name",
        "address",
        "phone",
        "pays_electricity_cashless",
        "pays_water_cashless",
        "has_business",
        "business_has_qr",
        "deleted",
        "duplicate_of",
        "created_at",
        "created_by",
        "visit_outcome",
        "visited_at",
        "visited_by",
        "visits",
        "updated_at",
    ];

    fn cells(&self) -> Vec<Cell<'_>> {
        let mut c = vec![
            Cell::Text(&self.id),
            Cell::Text(&self.village.code),
            Cell::Text(&self.village.document_id),
            Cell::Text(&self.head_name),
            Cell::Text(&self.address),
            text(self.phone.as_deref()),
        ];
        c.extend(self.flags.map(int));
        c.extend([
            Cell::Int(i64::from(self.deleted)),
            text(self.duplicate_of.as_deref()),
            Cell::Int(self.created_at),
            Cell::Text(&self.created_by),
            text(self.visit_outcome),
            int(self.visited_at),
            text(self.visited_by.as_deref()),
            Cell::Int(self.visits),
            Cell::Int(self.updated_at),
        ]);
        c
    }
}

struct Person<'p> {
    id: String,
    household_id: String,
    village: &'p Village,
    full_name: String,
    birth_year: Option<i64>,
    sex: Option<&'static str>,
    cccd: Option<String>,
    phone: Option<String>,
    deleted: bool,
    vneid_level: Option<i64>,
    /// `survey::schema::PERSON_FLAGS`, in order.
    flags: [Option<i64>; 12],
    updated_at: i64,
}

impl Row for Person<'_> {
    const TABLE: &'static str = "persons";
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "household_id",
        "village_code",
        "full_name",
        "birth_year",
        "sex",
        "cccd",
        "phone",
        "deleted",
        "vneid_level",
        "has_cccd",
        "has_phone",
        "has_smartphone",
        "own_sim",
        "has_public_service_account",
        "has_payment_account",
        "has_e_signature",
        "has_province_app",
        "has_cyber_safety_app",
        "trained_digital_skills",
        "uses_digital_platform",
        "used_online_service_eid",
        "updated_at",
    ];

    fn cells(&self) -> Vec<Cell<'_>> {
        let mut c = vec![
            Cell::Text(&self.id),
            Cell::Text(&self.household_id),
            Cell::Text(&self.village.code),
            Cell::Text(&self.full_name),
            int(self.birth_year),
            text(self.sex),
            text(self.cccd.as_deref()),
            text(self.phone.as_deref()),
            Cell::Int(i64::from(self.deleted)),
            int(self.vneid_level),
        ];
        c.extend(self.flags.map(int));
        c.push(Cell::Int(self.updated_at));
        c
    }
}

// ---------------------------------------------------------------------------------------------
// Bulk loading

struct Loaded {
    households: u64,
    persons: u64,
    /// Wall time of generating and writing the rows.
    load: Duration,
    /// Part of `load` spent generating rows (on PostgreSQL it overlaps with the server's work).
    generate: Duration,
    /// PostgreSQL: VACUUM ANALYZE after the load (what autovacuum would soon do anyway).
    vacuum: Option<Duration>,
}

/// SQLite: one plain connection of our own (the store's writer is idle meanwhile), a large page
/// cache because the random UUID primary keys make every insert touch a random page.
async fn load_sqlite(file: &Path, pop: &Population, updated_at: i64) -> Result<Loaded> {
    let options = SqliteConnectOptions::new()
        .filename(file)
        .synchronous(SqliteSynchronous::Normal)
        .pragma("cache_size", "-524288")
        .busy_timeout(Duration::from_secs(30));
    let mut conn = SqliteConnection::connect_with(&options).await?;
    let started = Instant::now();
    // Secondary indexes are dropped and rebuilt after the load (sorting once beats millions of
    // random B-tree inserts); their DDL is read back from the schema, so they come back exactly
    // as the migrations made them. The primary keys stay (SQLite cannot drop them).
    let indexes: Vec<(String, String)> = sqlx::query_as(
        "SELECT name, sql FROM sqlite_master
         WHERE type = 'index' AND tbl_name IN ('households', 'persons') AND sql IS NOT NULL",
    )
    .fetch_all(&mut conn)
    .await?;
    for (name, _) in &indexes {
        sqlx::query(&format!("DROP INDEX {name}"))
            .execute(&mut conn)
            .await?;
    }
    let mut generate = Duration::ZERO;
    let (mut households, mut persons) = (Vec::new(), Vec::new());
    let (mut nh, mut np) = (0u64, 0u64);
    let mut tx = conn.begin().await?;
    let mut rows_in_tx = 0;
    for v in 0..pop.villages.len() {
        let t = Instant::now();
        let (h, p) = pop.village_rows(v, updated_at);
        generate += t.elapsed();
        households.extend(h);
        persons.extend(p);
        let last = v + 1 == pop.villages.len();
        rows_in_tx += sqlite_flush(&mut tx, &mut households, last).await?;
        rows_in_tx += sqlite_flush(&mut tx, &mut persons, last).await?;
        if rows_in_tx >= SQLITE_TX_ROWS && !last {
            tx.commit().await?;
            tx = conn.begin().await?;
            rows_in_tx = 0;
        }
    }
    tx.commit().await?;
    for (_, sql) in &indexes {
        sqlx::query(sql).execute(&mut conn).await?;
    }
    for (table, n) in [("households", &mut nh), ("persons", &mut np)] {
        *n = sqlx::query_scalar::<_, i64>(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&mut conn)
            .await? as u64;
    }
    let load = started.elapsed();
    conn.close().await?;
    Ok(Loaded {
        households: nh,
        persons: np,
        load,
        generate,
        vacuum: None,
    })
}

/// Inserts the full batches of `rows` (all of them when `all`) and keeps the rest; returns the
/// number written. Equal batch sizes mean one prepared statement, reused.
async fn sqlite_flush<R: Row>(
    conn: &mut SqliteConnection,
    rows: &mut Vec<R>,
    all: bool,
) -> Result<usize> {
    let n = if all {
        rows.len()
    } else {
        rows.len() / SQLITE_BATCH * SQLITE_BATCH
    };
    for chunk in rows[..n].chunks(SQLITE_BATCH) {
        let mut q = QueryBuilder::<Sqlite>::new(format!(
            "INSERT INTO {} ({}) ",
            R::TABLE,
            R::COLUMNS.join(", ")
        ));
        q.push_values(chunk, |mut b, row| {
            for cell in row.cells() {
                match cell {
                    Cell::Text(s) => b.push_bind(s),
                    Cell::Int(i) => b.push_bind(i),
                    Cell::Null => b.push_bind(None::<i64>),
                };
            }
        });
        q.build().execute(&mut *conn).await?;
    }
    rows.drain(..n);
    Ok(n)
}

/// PostgreSQL: two COPY streams on two connections (households, persons) fed as the rows are
/// generated, so the server parses and indexes while the next village is generated.
async fn load_postgres(url: &str, pop: &Population, updated_at: i64) -> Result<Loaded> {
    let mut hconn = PgConnection::connect(url).await?;
    let mut pconn = PgConnection::connect(url).await?;
    let started = Instant::now();
    // As on SQLite: secondary indexes (not the primary keys) are rebuilt after the load, from
    // their definitions as the migrations created them.
    let indexes: Vec<(String, String)> = sqlx::query_as(
        "SELECT indexname, indexdef FROM pg_indexes
         WHERE schemaname = current_schema() AND tablename IN ('households', 'persons')
           AND indexname NOT IN (SELECT conname FROM pg_constraint)",
    )
    .fetch_all(&mut hconn)
    .await?;
    for (name, _) in &indexes {
        sqlx::query(&format!("DROP INDEX {name}"))
            .execute(&mut hconn)
            .await?;
    }
    let copy =
        |cols: &[&str], table: &str| format!("COPY {table} ({}) FROM STDIN", cols.join(", "));
    let mut hcopy = hconn
        .copy_in_raw(&copy(Household::COLUMNS, Household::TABLE))
        .await?;
    let mut pcopy = pconn
        .copy_in_raw(&copy(Person::COLUMNS, Person::TABLE))
        .await?;
    let mut generate = Duration::ZERO;
    let (mut hbuf, mut pbuf) = (
        Vec::with_capacity(2 * COPY_CHUNK),
        Vec::with_capacity(2 * COPY_CHUNK),
    );
    for v in 0..pop.villages.len() {
        let t = Instant::now();
        let (households, persons) = pop.village_rows(v, updated_at);
        for h in &households {
            copy_row(&mut hbuf, &h.cells());
        }
        for p in &persons {
            copy_row(&mut pbuf, &p.cells());
        }
        generate += t.elapsed();
        let last = v + 1 == pop.villages.len();
        if hbuf.len() >= COPY_CHUNK || (last && !hbuf.is_empty()) {
            hcopy.send(hbuf.as_slice()).await?;
            hbuf.clear();
        }
        if pbuf.len() >= COPY_CHUNK || (last && !pbuf.is_empty()) {
            pcopy.send(pbuf.as_slice()).await?;
            pbuf.clear();
        }
    }
    let households = hcopy.finish().await?;
    let persons = pcopy.finish().await?;
    for (_, sql) in &indexes {
        sqlx::query(sql).execute(&mut hconn).await?;
    }
    let load = started.elapsed();
    let t = Instant::now();
    sqlx::query("VACUUM ANALYZE households, persons")
        .execute(&mut hconn)
        .await?;
    let vacuum = t.elapsed();
    hconn.close().await?;
    pconn.close().await?;
    Ok(Loaded {
        households,
        persons,
        load,
        generate,
        vacuum: Some(vacuum),
    })
}

/// One line of COPY text format: tab-separated, `\N` for NULL, backslash escapes.
fn copy_row(buf: &mut Vec<u8>, cells: &[Cell]) {
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            buf.push(b'\t');
        }
        match cell {
            Cell::Null => buf.extend_from_slice(b"\\N"),
            Cell::Int(v) => {
                write!(buf, "{v}").expect("writing to a Vec");
            }
            Cell::Text(s) => {
                for b in s.bytes() {
                    match b {
                        b'\\' => buf.extend_from_slice(b"\\\\"),
                        b'\t' => buf.extend_from_slice(b"\\t"),
                        b'\n' => buf.extend_from_slice(b"\\n"),
                        b'\r' => buf.extend_from_slice(b"\\r"),
                        _ => buf.push(b),
                    }
                }
            }
        }
    }
    buf.push(b'\n');
}

// ---------------------------------------------------------------------------------------------
// Naive numbers: straight from the person rows at request time

/// The counter definitions of `store/stats.rs` (HOUSEHOLD_SQL, PERSON_SQL), but over a whole
/// subtree joined through `units` instead of one village: what an implementation without
/// maintained counters would run on each request.
const NAIVE_HOUSEHOLDS: &str = "SELECT COUNT(*),
    COALESCE(SUM(CASE WHEN h.visit_outcome IS NOT NULL THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN h.visit_outcome = 'surveyed' OR h.pays_electricity_cashless IS NOT NULL THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN h.pays_electricity_cashless = 1 THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN h.pays_water_cashless = 1 THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN h.has_business = 1 THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN h.has_business = 1 AND h.business_has_qr = 1 THEN 1 ELSE 0 END), 0)
  FROM households h JOIN units u ON u.code = h.village_code
  WHERE substr(u.path, 1, length($1)) = $1 AND h.deleted = 0 AND h.duplicate_of IS NULL";

const NAIVE_PERSONS: &str = "SELECT COUNT(*),
    COALESCE(SUM(CASE WHEN COALESCE(p.has_cccd, p.vneid_level, p.has_phone, p.has_smartphone, p.own_sim,
        p.has_public_service_account, p.has_payment_account, p.has_e_signature, p.has_province_app,
        p.has_cyber_safety_app, p.trained_digital_skills, p.uses_digital_platform, p.used_online_service_eid) IS NOT NULL
        THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN p.has_cccd = 1 THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN p.vneid_level >= 1 THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN p.has_phone = 1 THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN p.has_smartphone = 1 THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN p.own_sim = 1 THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN p.has_public_service_account = 1 THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN p.has_payment_account = 1 THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN p.has_e_signature = 1 THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN p.has_province_app = 1 THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN p.has_cyber_safety_app = 1 THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN p.has_smartphone = 1 AND p.has_cyber_safety_app = 1 THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN p.trained_digital_skills = 1 THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN p.uses_digital_platform = 1 THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN p.used_online_service_eid = 1 THEN 1 ELSE 0 END), 0)
  FROM persons p JOIN households h ON h.id = p.household_id JOIN units u ON u.code = h.village_code
  WHERE substr(u.path, 1, length($1)) = $1 AND p.deleted = 0 AND h.deleted = 0 AND h.duplicate_of IS NULL
    AND (p.birth_year IS NULL OR p.birth_year <= $2)";

/// All 23 counters of the subtree at `path`, computed from the rows.
async fn naive_counters(pool: &AnyPool, path: &str, born_by: i64) -> Result<Counters> {
    let h = sqlx::query(NAIVE_HOUSEHOLDS)
        .bind(path)
        .fetch_one(pool)
        .await?;
    let p = sqlx::query(NAIVE_PERSONS)
        .bind(path)
        .bind(born_by)
        .fetch_one(pool)
        .await?;
    Ok(Counters::from_selects(&h, &p)?)
}

/// Compares the naive province counters with the maintained ones (summed by the store, and as
/// `unit_indicators` reports them); returns the differences.
async fn compare(
    store: &Store,
    admin: &Principal,
    naive: &Counters,
    province_path: &str,
) -> Result<Vec<String>> {
    let mut maintained = Counters::default();
    for v in store.village_counters(province_path, None).await? {
        maintained.add(&v.counters);
    }
    let mut diffs: Vec<String> = naive
        .iter()
        .filter(|(d, n)| *n != maintained[d.counter])
        .map(|(d, n)| format!("{}: naive {n}, maintained {}", d.name, maintained[d.counter]))
        .collect();
    let table = unit_indicators(store, admin, PROVINCE, &IndicatorQuery::default()).await?;
    for (ind, value) in store.indicators().await?.iter().zip(&table.unit.indicators) {
        if ind.source != "survey" {
            continue;
        }
        let get = |n: &Option<String>| n.as_deref().and_then(|n| naive.get(n)).unwrap_or(-1);
        let expected = (get(&ind.numerator), get(&ind.denominator));
        if (value.numerator, value.denominator) != expected {
            diffs.push(format!(
                "indicator {}: naive {}/{}, unit_indicators {}/{}",
                ind.id, expected.0, expected.1, value.numerator, value.denominator
            ));
        }
    }
    Ok(diffs)
}

// ---------------------------------------------------------------------------------------------
// Timing

#[derive(Clone, Copy)]
struct Stats {
    median: Duration,
    p95: Duration,
}

impl Stats {
    fn ms(&self) -> String {
        format!("{} / {} ms", fmt_ms(self.median), fmt_ms(self.p95))
    }
}

fn fmt_ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1e3;
    if ms < 10.0 {
        format!("{ms:.2}")
    } else if ms < 1000.0 {
        format!("{ms:.1}")
    } else {
        format!("{ms:.0}")
    }
}

/// Runs `f` once to warm caches and prepare statements, then `runs` timed times.
async fn sample<F, Fut>(runs: u32, warm_up: bool, mut f: F) -> Result<Stats>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<()>>,
{
    if warm_up {
        f().await?;
    }
    let mut times = Vec::with_capacity(runs as usize);
    for _ in 0..runs {
        let t = Instant::now();
        f().await?;
        times.push(t.elapsed());
    }
    times.sort();
    // Nearest rank: the smallest time at or above 95% of the runs.
    let rank = ((times.len() as f64) * 0.95).ceil() as usize;
    Ok(Stats {
        median: times[times.len() / 2],
        p95: times[rank.max(1) - 1],
    })
}

// ---------------------------------------------------------------------------------------------
// One backend

struct Report {
    households: u64,
    persons: u64,
    units: Duration,
    loaded: Loaded,
    counters: Duration,
    history: Duration,
    history_rows: i64,
    /// Province, district, commune.
    maintained: [Stats; 3],
    /// Province and commune with a baseline 60 days back.
    baseline: [Stats; 2],
    xlsx: Stats,
    xlsx_bytes: usize,
    naive: [Stats; 3],
    size: u64,
    agree: bool,
}

async fn run_backend(
    backend: &Backend,
    db: &TempDb,
    pop: &Population,
    args: &Args,
) -> Result<Report> {
    let name = backend.name();
    let store = Store::connect(&db.url).await.context("opening the store")?;
    let at = now();

    eprintln!("{name}: creating {} units", pop.units.len());
    let t = Instant::now();
    let units: Vec<_> = pop
        .units
        .iter()
        .map(|u| {
            (
                u.code.as_str(),
                u.name.as_str(),
                u.level,
                u.parent.as_deref(),
            )
        })
        .collect();
    store.insert_units(&units, "bench", at).await?;
    let units_time = t.elapsed();

    eprintln!("{name}: loading households and persons");
    let loaded = match backend {
        Backend::Sqlite => load_sqlite(&db.sqlite_file(), pop, at).await,
        Backend::Postgres(_) => load_postgres(&db.url, pop, at).await,
    }
    .context("loading households and persons")?;
    let expected: usize = pop.villages.iter().map(|v| v.households).sum();
    if loaded.households != expected as u64 {
        bail!(
            "{} households loaded, {expected} generated",
            loaded.households
        );
    }

    // The counters, through the path the sync projection takes: one document transaction per
    // village (on PostgreSQL under the document's advisory lock).
    eprintln!(
        "{name}: building the counters of {} villages",
        pop.villages.len()
    );
    let (day, year) = vietnam_date(at);
    let born_by = i64::from(year) - 15;
    let t = Instant::now();
    for v in &pop.villages {
        let mut w = store.begin_doc_write(&v.document_id).await?;
        w.refresh_village_stats(&v.code, &day, born_by, at).await?;
        w.commit().await?;
    }
    let counters_time = t.elapsed();

    // A plain pool of our own, on the same driver as the store, for what the store has no
    // method for: snapshot history, the naive queries, the database size.
    let side = AnyPoolOptions::new()
        .max_connections(1)
        .connect(&db.url)
        .await
        .context("opening a side connection")?;

    eprintln!(
        "{name}: adding {} days of snapshot history",
        args.history_days
    );
    let t = Instant::now();
    let columns = counter_columns("");
    for k in 1..=i64::from(args.history_days) {
        let earlier = vietnam_date(at - k * 86_400).0;
        sqlx::query(&format!(
            "INSERT INTO stats_snapshots (day, village_code, {columns})
             SELECT $1, village_code, {columns} FROM village_stats"
        ))
        .bind(&earlier)
        .execute(&side)
        .await?;
    }
    let history = t.elapsed();
    let history_rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM stats_snapshots")
        .fetch_one(&side)
        .await?;

    let admin = Principal {
        user_id: 0,
        username: "bench-admin".into(),
        role: Role::Admin,
        scope_unit: None,
        scope_path: "/".into(),
        session_id: String::new(),
        device_id: String::new(),
    };
    let province_path = path_of(&[PROVINCE]);
    let district = pop.first_district();
    let commune = pop.first_commune();
    let targets = [
        (PROVINCE, province_path.clone()),
        (district, path_of(&[PROVINCE, district])),
        (commune, path_of(&[PROVINCE, district, commune])),
    ];

    // Correctness first: the naive province numbers (this run also warms the caches for the
    // naive province timing) against the maintained ones.
    eprintln!("{name}: naive province numbers vs maintained counters");
    let naive_province = naive_counters(&side, &province_path, born_by).await?;
    let diffs = compare(&store, &admin, &naive_province, &province_path).await?;
    let agree = diffs.is_empty();
    for d in &diffs {
        println!("{name}: DISAGREE {d}");
    }
    println!("{name}: agree: {}", if agree { "yes" } else { "NO" });

    eprintln!("{name}: timing the maintained indicator queries");
    let (store, admin) = (&store, &admin);
    let plain = IndicatorQuery::default();
    let mut maintained = Vec::new();
    for (code, _) in &targets {
        let q = &plain;
        maintained.push(
            sample(args.runs, true, || async move {
                unit_indicators(store, admin, code, q).await?;
                Ok(())
            })
            .await?,
        );
    }
    // "Before" columns read the latest snapshot on or before the baseline day.
    let with_baseline = IndicatorQuery {
        baseline: Some(vietnam_date(at - 60 * 86_400).0),
        ..Default::default()
    };
    let q = &with_baseline;
    let mut baseline = Vec::new();
    for code in [PROVINCE, commune] {
        baseline.push(
            sample(args.runs, true, || async move {
                unit_indicators(store, admin, code, q).await?;
                Ok(())
            })
            .await?,
        );
    }

    // The whole `report.xlsx` handler: the table, the catalogue, the workbook.
    eprintln!("{name}: timing the province XLSX export");
    let xlsx_bytes = std::cell::Cell::new(0);
    let size = &xlsx_bytes;
    let xlsx = sample(args.runs, true, || async move {
        let table = unit_indicators(store, admin, PROVINCE, q).await?;
        let catalogue = store.indicators().await?;
        size.set(report::xlsx(&table, &catalogue)?.len());
        Ok(())
    })
    .await?;

    eprintln!("{name}: timing the naive queries");
    let mut naive = Vec::new();
    for (i, (_, path)) in targets.iter().enumerate() {
        let side = &side;
        naive.push(
            // The province was just warmed by the agreement check.
            sample(args.naive_runs, i > 0, || async move {
                naive_counters(side, path, born_by).await?;
                Ok(())
            })
            .await?,
        );
    }

    let size = match backend {
        Backend::Sqlite => {
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .fetch_all(&side)
                .await?;
            let file = db.sqlite_file();
            let wal = PathBuf::from(format!("{}-wal", file.display()));
            std::fs::metadata(&file)?.len() + std::fs::metadata(&wal).map_or(0, |m| m.len())
        }
        Backend::Postgres(_) => {
            let bytes: i64 = sqlx::query_scalar("SELECT pg_database_size(current_database())")
                .fetch_one(&side)
                .await?;
            bytes as u64
        }
    };
    side.close().await;
    store.close().await;

    Ok(Report {
        households: loaded.households,
        persons: loaded.persons,
        units: units_time,
        loaded,
        counters: counters_time,
        history,
        history_rows,
        maintained: [maintained[0], maintained[1], maintained[2]],
        baseline: [baseline[0], baseline[1]],
        xlsx,
        xlsx_bytes: xlsx_bytes.get(),
        naive: [naive[0], naive[1], naive[2]],
        size,
        agree,
    })
}

// ---------------------------------------------------------------------------------------------
// Throw-away databases

/// A temporary SQLite file, or a uniquely named PostgreSQL database.
struct TempDb {
    url: String,
    /// (admin URL, database name) to drop at the end.
    postgres: Option<(String, String)>,
    dir: tempfile::TempDir,
}

impl TempDb {
    async fn create(backend: &Backend) -> Result<TempDb> {
        let dir = tempfile::tempdir().context("temporary directory")?;
        match backend {
            Backend::Sqlite => Ok(TempDb {
                url: format!("sqlite://{}", dir.path().join("bench.db").display()),
                postgres: None,
                dir,
            }),
            Backend::Postgres(admin) => {
                let name = format!("khaosat_bench_{}", uuid::Uuid::new_v4().simple());
                pg_exec(admin, &format!("CREATE DATABASE {name}")).await?;
                // The same server and credentials, another database.
                let url = match admin.rfind('/') {
                    Some(i) if i > "postgres://".len() => format!("{}/{name}", &admin[..i]),
                    _ => format!("{admin}/{name}"),
                };
                Ok(TempDb {
                    url,
                    postgres: Some((admin.clone(), name)),
                    dir,
                })
            }
        }
    }

    fn sqlite_file(&self) -> PathBuf {
        self.dir.path().join("bench.db")
    }

    /// Drops the PostgreSQL database; the SQLite directory goes when `self` is dropped.
    async fn remove(self) {
        if let Some((admin, name)) = &self.postgres {
            // FORCE: a pool left open by an interrupted run must not keep the database alive.
            let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            match tokio::time::timeout(Duration::from_secs(60), pg_exec(admin, &sql)).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => eprintln!("could not drop benchmark database {name}: {e:#}"),
                Err(_) => eprintln!("dropping benchmark database {name} timed out"),
            }
        }
    }
}

async fn pg_exec(admin_url: &str, sql: &str) -> Result<()> {
    let mut conn = PgConnection::connect(admin_url)
        .await
        .context("connecting to KHAOSAT_TEST_POSTGRES_URL")?;
    let result = sqlx::query(sql).execute(&mut conn).await;
    conn.close().await.ok();
    result.with_context(|| sql.to_string())?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Output

fn secs(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

fn per_sec(n: u64, d: Duration) -> String {
    format!("{:.0}", n as f64 / d.as_secs_f64().max(1e-9))
}

fn print_table(args: &Args, pop: &Population, columns: &[(&str, Option<Report>)]) {
    let (dc, dv, dh) = pop.size_of(pop.first_district());
    let (_, cv, ch) = pop.size_of(pop.first_commune());
    let labels = [
        format!("province {PROVINCE}"),
        format!(
            "district {} ({dc} communes, {dv} villages, {dh} households)",
            pop.first_district()
        ),
        format!(
            "commune {} ({cv} villages, {ch} households)",
            pop.first_commune()
        ),
    ];
    let mut rows: Vec<(String, Vec<String>)> = Vec::new();
    let mut row = |label: String, f: &dyn Fn(&Report) -> String| {
        let cells = columns
            .iter()
            .map(|(_, r)| r.as_ref().map_or_else(|| "failed".to_string(), f))
            .collect();
        rows.push((label, cells));
    };
    row("households / persons loaded".into(), &|r| {
        format!("{} / {}", r.households, r.persons)
    });
    row("create units (insert_units)".into(), &|r| secs(r.units));
    row("load rows (generate + write)".into(), &|r| {
        format!(
            "{} ({} rows/s; generating {})",
            secs(r.loaded.load),
            per_sec(r.households + r.persons, r.loaded.load),
            secs(r.loaded.generate)
        )
    });
    row("  then VACUUM ANALYZE".into(), &|r| {
        r.loaded.vacuum.map_or_else(|| "–".into(), secs)
    });
    row("build counters (refresh_village_stats)".into(), &|r| {
        format!(
            "{} ({} ms/village)",
            secs(r.counters),
            fmt_ms(r.counters / pop.villages.len() as u32)
        )
    });
    row(
        format!("snapshot history ({} days)", args.history_days),
        &|r| format!("{} ({} rows)", secs(r.history), r.history_rows),
    );
    row(
        format!("unit_indicators, median / p95 of {}", args.runs),
        &|_| String::new(),
    );
    for (i, label) in labels.iter().enumerate() {
        row(format!("  {label}"), &|r| r.maintained[i].ms());
    }
    row(
        format!("  province {PROVINCE} with baseline (snapshots)"),
        &|r| r.baseline[0].ms(),
    );
    row(
        format!(
            "  commune {} with baseline (snapshots)",
            pop.first_commune()
        ),
        &|r| r.baseline[1].ms(),
    );
    row("XLSX export, province with baseline".into(), &|r| {
        format!("{} ({} bytes)", r.xlsx.ms(), r.xlsx_bytes)
    });
    row(
        format!(
            "naive from person rows, median / p95 of {}",
            args.naive_runs
        ),
        &|_| String::new(),
    );
    for (i, label) in labels.iter().enumerate() {
        row(format!("  {label}"), &|r| r.naive[i].ms());
    }
    row("naive / maintained (province median)".into(), &|r| {
        format!(
            "{:.0}×",
            r.naive[0].median.as_secs_f64() / r.maintained[0].median.as_secs_f64().max(1e-9)
        )
    });
    row("database size".into(), &|r| {
        format!("{:.0} MB", r.size as f64 / 1e6)
    });
    row("agree (naive = maintained, province)".into(), &|r| {
        if r.agree { "yes" } else { "NO" }.to_string()
    });

    let label_width = rows
        .iter()
        .map(|(l, _)| l.chars().count())
        .max()
        .unwrap_or(0);
    let widths: Vec<usize> = (0..columns.len())
        .map(|i| {
            rows.iter()
                .map(|(_, c)| c[i].chars().count())
                .chain(std::iter::once(columns[i].0.len()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let pad = |s: &str, w: usize| format!("{s}{}", " ".repeat(w.saturating_sub(s.chars().count())));
    let mut header = pad("", label_width);
    for (i, (name, _)) in columns.iter().enumerate() {
        header.push_str("  ");
        header.push_str(&pad(name, widths[i]));
    }
    println!("\n{}", header.trim_end());
    for (label, cells) in &rows {
        let mut line = pad(label, label_width);
        for (i, c) in cells.iter().enumerate() {
            line.push_str("  ");
            line.push_str(&pad(c, widths[i]));
        }
        println!("{}", line.trim_end());
    }
}
