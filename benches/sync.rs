//! Sync benchmark: many phones bring a day of offline work back at the same moment.
//!
//! ```sh
//! cargo bench --bench sync -- [--phones 50] [--households 20] [--persons 3] [--seed 1]
//!     [--commits field|form] [--existing 0] [--timeout-secs 300]
//! KHAOSAT_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres cargo bench --bench sync
//! ```
//!
//! The real server runs in this process on 127.0.0.1 over a fresh SQLite file (and, when
//! KHAOSAT_TEST_POSTGRES_URL is set, a fresh PostgreSQL database that is dropped afterwards).
//! Through the real HTTP API it gets N villages under commune 39301 and N enumerators, one
//! village each. Then N phones, each a real Automerge peer speaking automerge-repo's WebSocket
//! protocol:
//! 1. log in, list their documents, fetch their village document (with `--existing E`, record
//!    and sync E households first), and go offline;
//! 2. record H households with P persons and one visit each (docs/SCHEMA.md), committing one
//!    Automerge change per answer as the PWA does (`--commits form`: one per form);
//! 3. all reconnect at once and sync until the server has every change (its heads equal
//!    theirs; the server acknowledges only after storing and projecting) — the measured burst;
//! 4. reconnect once more with nothing new, to price an idle sync.
//!
//! Finally the `households` and `persons` rows are counted straight from the database.
//! Phones and server share the machine's cores, so the numbers are a floor for the server
//! alone. Server warnings go to stderr (filter with KHAOSAT_LOG, default `warn`).

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use automerge::sync::{self, SyncDoc};
use automerge::transaction::{CommitOptions, Transactable};
use automerge::{
    ActorId, AutoCommit, AutomergeError, ChangeHash, ObjId, ObjType, ReadDoc, ScalarValue, Value,
};
use clap::Parser;
use futures_util::{SinkExt, StreamExt};
use khaosat::store::Store;
use khaosat::survey::schema;
use khaosat::sync::wire::WireMessage;
use khaosat::{AppState, Config};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value as Json};
use tokio::sync::oneshot;
use tokio::task::JoinSet;
use tokio_tungstenite::tungstenite::Message;

/// The commune the benchmark's villages and enumerators belong to (seeded by the demo data).
const COMMUNE: &str = "39301";
const JWT_SECRET: &[u8] = b"bench-secret-bench-secret-bench-secret!";
/// Longest wait for any one answer from the server before a phone counts as failed.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(30);
/// Set-up requests in flight at once (each user creation hashes a password).
const SETUP_CONCURRENCY: usize = 4;

#[derive(Parser, Debug, Clone)]
#[command(about = "Load test of village-document sync against an in-process khaosat server")]
struct Args {
    /// Phones (= villages = enumerators) syncing at once.
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=9999))]
    phones: u32,
    /// Households each phone records offline.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    households: u32,
    /// Households already in each village document, synced earlier (a later day of the
    /// survey: the phone's new changes are then a small part of the document).
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=100_000))]
    existing: u32,
    /// Persons aged 15+ in each household.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(0..=50))]
    persons: u32,
    /// How often a phone commits an Automerge change while recording.
    #[arg(long, value_enum, default_value_t = Commits::Field)]
    commits: Commits,
    /// Seed of the generated survey data (names, answers, ids, actor ids).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The whole run (every backend) must finish within this many seconds.
    #[arg(long, default_value_t = 300)]
    timeout_secs: u64,
    /// Added by `cargo bench`; ignored.
    #[arg(long, hide = true)]
    bench: bool,
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
    // The last resort if something hangs outside the async timeouts: cleanup gets 90 s more.
    let limit = Duration::from_secs(args.timeout_secs + 90);
    std::thread::spawn(move || {
        std::thread::sleep(limit);
        eprintln!("sync benchmark: still running {limit:?} after start; exiting");
        std::process::exit(2);
    });
    let filter = tracing_subscriber::EnvFilter::try_from_env("KHAOSAT_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
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
    let mut backends = vec![Backend::Sqlite];
    match std::env::var("KHAOSAT_TEST_POSTGRES_URL") {
        Ok(url) => backends.push(Backend::Postgres(url)),
        Err(_) => eprintln!(
            "PostgreSQL skipped: set KHAOSAT_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres to include it"
        ),
    }
    println!(
        "khaosat sync benchmark: {} phones × {} households × {} persons, one change per {}, \
         {} households already synced per village, seed {}",
        args.phones,
        args.households,
        args.persons,
        args.commits.unit(),
        args.existing,
        args.seed
    );
    let mut columns = Vec::new();
    for backend in backends {
        let result = run_backend(&backend, &args, deadline).await;
        match &result {
            Ok(report) => println!(
                "{}: set-up {:.1} s, phones ready (login, fetch, offline work) {:.1} s",
                backend.name(),
                report.setup.as_secs_f64(),
                report.prepare.as_secs_f64()
            ),
            Err(e) => println!("{}: FAILED: {e}", backend.name()),
        }
        columns.push((backend.name(), result));
    }
    let errors = print_table(&args, &columns);
    println!("errors: {errors}");
    if errors == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

// ---------------------------------------------------------------------------------------------
// The server and its database

/// A throw-away database: a temporary SQLite file, or a uniquely named PostgreSQL database.
struct TempDb {
    url: String,
    /// (admin URL, database name) to drop at the end.
    postgres: Option<(String, String)>,
    _dir: tempfile::TempDir,
}

impl TempDb {
    async fn create(backend: &Backend) -> Result<TempDb, String> {
        let dir = tempfile::tempdir().map_err(|e| format!("temporary directory: {e}"))?;
        match backend {
            Backend::Sqlite => Ok(TempDb {
                url: format!("sqlite://{}", dir.path().join("bench.db").display()),
                postgres: None,
                _dir: dir,
            }),
            Backend::Postgres(admin) => {
                let name = format!("khaosat_syncbench_{}", uuid::Uuid::new_v4().simple());
                pg_exec(admin, &format!("CREATE DATABASE {name}")).await?;
                // The same server and credentials, another database.
                let url = match admin.rfind('/') {
                    Some(i) if i > "postgres://".len() => format!("{}/{name}", &admin[..i]),
                    _ => format!("{admin}/{name}"),
                };
                Ok(TempDb {
                    url,
                    postgres: Some((admin.clone(), name)),
                    _dir: dir,
                })
            }
        }
    }

    async fn remove(self) {
        if let Some((admin, name)) = &self.postgres {
            // FORCE: a pool the server left open must not keep the database alive.
            let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            match tokio::time::timeout(Duration::from_secs(30), pg_exec(admin, &sql)).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => eprintln!("could not drop benchmark database {name}: {e}"),
                Err(_) => eprintln!("dropping benchmark database {name} timed out"),
            }
        }
    }
}

async fn pg_exec(admin_url: &str, sql: &str) -> Result<(), String> {
    use sqlx::Connection;
    let mut conn = sqlx::postgres::PgConnection::connect(admin_url)
        .await
        .map_err(|e| format!("connecting to KHAOSAT_TEST_POSTGRES_URL: {e}"))?;
    let result = sqlx::query(sql).execute(&mut conn).await;
    conn.close().await.ok();
    result.map(|_| ()).map_err(|e| format!("{sql}: {e}"))
}

/// The real server, in this process, on a free port of 127.0.0.1.
struct Server {
    base: String,
    hub: Arc<khaosat::sync::SyncHub>,
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Server {
    async fn start(database_url: &str) -> Result<Server, String> {
        let store = Store::connect(database_url)
            .await
            .map_err(|e| format!("opening the store: {e}"))?;
        khaosat::demo::seed(&store)
            .await
            .map_err(|e| format!("seeding demo data: {e}"))?;
        let config = Config::new(database_url, JWT_SECRET.to_vec());
        let state = AppState::new(store, config)
            .await
            .map_err(|e| format!("starting the app: {e}"))?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| format!("binding 127.0.0.1:0: {e}"))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        let hub = state.sync.clone();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(khaosat::serve(listener, state, async {
            stopped.await.ok();
        }));
        Ok(Server {
            base: format!("http://{addr}"),
            hub,
            stop,
            task,
        })
    }

    async fn stop(self) -> Result<(), String> {
        // `serve` does not stop the sync hub itself: without this its PostgreSQL listener
        // outlives the server and keeps reconnecting to the dropped database.
        self.hub.begin_shutdown();
        self.stop.send(()).ok();
        match tokio::time::timeout(Duration::from_secs(30), self.task).await {
            Ok(Ok(Ok(()))) => Ok(()),
            Ok(Ok(Err(e))) => Err(format!("server stopped with an error: {e}")),
            Ok(Err(e)) => Err(format!("server task failed: {e}")),
            Err(_) => Err("server did not stop within 30 s".into()),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// HTTP

#[derive(Clone)]
struct Api {
    client: reqwest::Client,
    base: String,
}

impl Api {
    async fn send(&self, what: &str, req: reqwest::RequestBuilder) -> Result<Json, String> {
        let resp = req.send().await.map_err(|e| format!("{what}: {e}"))?;
        let status = resp.status();
        let text = resp.text().await.map_err(|e| format!("{what}: {e}"))?;
        if !status.is_success() {
            return Err(format!("{what}: HTTP {status}: {text}"));
        }
        serde_json::from_str(&text).map_err(|e| format!("{what}: answer is not JSON ({e}): {text}"))
    }

    async fn post(&self, path: &str, token: Option<&str>, body: Json) -> Result<Json, String> {
        let mut req = self.client.post(format!("{}{path}", self.base)).json(&body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        self.send(&format!("POST {path}"), req).await
    }

    async fn get(&self, path: &str, token: &str) -> Result<Json, String> {
        let req = self
            .client
            .get(format!("{}{path}", self.base))
            .bearer_auth(token);
        self.send(&format!("GET {path}"), req).await
    }

    /// Signs in as a device and returns the access token.
    async fn login(&self, username: &str, device_id: &str) -> Result<String, String> {
        let body = json!({"username": username, "password": khaosat::demo::DEMO_PASSWORD, "device_id": device_id});
        let answer = self.post("/api/v1/auth/login", None, body).await?;
        answer["access_token"]
            .as_str()
            .map(String::from)
            .ok_or_else(|| format!("login {username}: no access_token in {answer}"))
    }
}

fn village_code(i: usize) -> String {
    format!("{COMMUNE}.bench{i:04}")
}

fn enumerator(i: usize) -> String {
    format!("bench-nv-{i:04}")
}

/// N villages (CSV import as demo-admin) and N enumerators with one village each (as demo-lead).
async fn seed_villages(api: &Api, n: usize) -> Result<(), String> {
    let admin = api.login("demo-admin", "bench-admin").await?;
    let mut csv = String::from("code,name,level,parent_code\n");
    for i in 0..n {
        csv.push_str(&format!(
            "{},Thôn thử tải {i},village,{COMMUNE}\n",
            village_code(i)
        ));
    }
    let req = api
        .client
        .post(format!("{}/api/v1/units/import", api.base))
        .bearer_auth(&admin)
        .header("content-type", "text/csv")
        .body(csv);
    api.send("POST /api/v1/units/import", req).await?;

    let lead = api.login("demo-lead", "bench-lead").await?;
    let results: Vec<Result<(), String>> = futures_util::stream::iter(0..n)
        .map(|i| {
            let (api, lead) = (api.clone(), lead.clone());
            async move {
                let username = enumerator(i);
                let user = json!({"username": username, "display_name": format!("Thành viên {i}"),
                    "password": khaosat::demo::DEMO_PASSWORD, "role": "enumerator", "scope_unit": COMMUNE});
                api.post("/api/v1/users", Some(&lead), user).await?;
                let assignment = json!({"village_code": village_code(i), "assignee": username});
                api.post("/api/v1/assignments", Some(&lead), assignment)
                    .await?;
                Ok(())
            }
        })
        .buffer_unordered(SETUP_CONCURRENCY)
        .collect()
        .await;
    results.into_iter().collect()
}

// ---------------------------------------------------------------------------------------------
// The phone's sync connection

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A phone's automerge-repo connection. It counts the payload bytes of every WebSocket frame
/// it sends and receives (frame headers and TCP/IP are not counted).
struct SyncConn {
    ws: Socket,
    peer_id: String,
    server_peer_id: String,
    sent: u64,
    received: u64,
}

impl SyncConn {
    /// Opens the socket and does the join/peer handshake.
    async fn open(ws_base: &str, token: &str, peer_id: &str) -> Result<SyncConn, String> {
        let url = format!("{ws_base}/api/v1/sync?token={token}");
        let (ws, _) = tokio::time::timeout(ANSWER_TIMEOUT, tokio_tungstenite::connect_async(url))
            .await
            .map_err(|_| "WebSocket connect timed out".to_string())?
            .map_err(|e| format!("WebSocket connect: {e}"))?;
        let mut conn = SyncConn {
            ws,
            peer_id: peer_id.to_string(),
            server_peer_id: String::new(),
            sent: 0,
            received: 0,
        };
        conn.send(&WireMessage {
            kind: "join".into(),
            sender_id: Some(peer_id.to_string()),
            supported_protocol_versions: Some(vec!["1".into()]),
            ..Default::default()
        })
        .await?;
        let reply = conn.recv().await?;
        if reply.kind != "peer" {
            return Err(format!("expected `peer` after `join`, got {reply:?}"));
        }
        conn.server_peer_id = reply.sender_id.unwrap_or_default();
        Ok(conn)
    }

    fn wire_bytes(&self) -> u64 {
        self.sent + self.received
    }

    async fn send(&mut self, message: &WireMessage) -> Result<(), String> {
        let frame = message.encode();
        self.sent += frame.len() as u64;
        self.ws
            .send(Message::Binary(frame.into()))
            .await
            .map_err(|e| format!("sending: {e}"))
    }

    /// The next protocol message (control frames are counted and skipped).
    async fn recv(&mut self) -> Result<WireMessage, String> {
        loop {
            let frame = tokio::time::timeout(ANSWER_TIMEOUT, self.ws.next())
                .await
                .map_err(|_| format!("no answer within {ANSWER_TIMEOUT:?}"))?;
            let frame = match frame {
                Some(Ok(frame)) => frame,
                Some(Err(e)) => return Err(format!("receiving: {e}")),
                None => return Err("the server closed the connection".into()),
            };
            self.received += frame.len() as u64;
            match frame {
                Message::Binary(bytes) => {
                    return WireMessage::decode(&bytes).map_err(|e| format!("server frame: {e}"))
                }
                Message::Close(_) => return Err("the server closed the connection".into()),
                _ => continue,
            }
        }
    }

    /// Syncs `doc` as an automerge-repo client does, until the server's heads (as its last
    /// message states them) equal ours: the server has stored everything we have.
    async fn sync_doc(
        &mut self,
        document_id: &str,
        doc: &mut AutoCommit,
        state: &mut sync::State,
    ) -> Result<(), String> {
        // automerge-repo asks for a document it has nothing of with `request`.
        let kind = if doc.get_heads().is_empty() {
            "request"
        } else {
            "sync"
        };
        if let Some(m) = doc.sync().generate_sync_message(state) {
            self.send(&self.message(kind, document_id, m.encode()))
                .await?;
        }
        loop {
            let reply = self.recv().await?;
            match reply.kind.as_str() {
                "doc-unavailable" => return Err(format!("document {document_id} unavailable")),
                "error" => {
                    return Err(format!(
                        "server error: {}",
                        reply.message.unwrap_or_default()
                    ))
                }
                "sync" if reply.document_id.as_deref() == Some(document_id) => {
                    let data = reply.data.unwrap_or_default();
                    let message = sync::Message::decode(&data)
                        .map_err(|e| format!("server sync message: {e}"))?;
                    doc.sync()
                        .receive_sync_message(state, message)
                        .map_err(|e| format!("applying the server's message: {e}"))?;
                    if let Some(m) = doc.sync().generate_sync_message(state) {
                        self.send(&self.message("sync", document_id, m.encode()))
                            .await?;
                    }
                    let ours = sorted(&doc.get_heads());
                    match &state.their_heads {
                        Some(theirs) if sorted(theirs) == ours => return Ok(()),
                        Some(_) if state.peer_read_only => {
                            return Err("the server syncs this document read-only".into())
                        }
                        _ => {}
                    }
                }
                _ => {}
            }
        }
    }

    /// Closes politely and reads until the server's close, so every frame the server had
    /// queued is counted. Returns the bytes of the whole connection.
    async fn close(mut self) -> u64 {
        if self.ws.close(None).await.is_ok() {
            let (ws, received) = (&mut self.ws, &mut self.received);
            let drain = async {
                while let Some(Ok(frame)) = ws.next().await {
                    *received += frame.len() as u64;
                }
            };
            tokio::time::timeout(Duration::from_secs(5), drain)
                .await
                .ok();
        }
        self.wire_bytes()
    }

    fn message(&self, kind: &str, document_id: &str, data: Vec<u8>) -> WireMessage {
        let mut m = WireMessage::sync(&self.peer_id, &self.server_peer_id, document_id, data);
        m.kind = kind.into();
        m
    }
}

fn sorted(heads: &[ChangeHash]) -> Vec<ChangeHash> {
    let mut v = heads.to_vec();
    v.sort();
    v
}

// ---------------------------------------------------------------------------------------------
// Survey data, as the PWA writes it (docs/SCHEMA.md)

const FAMILY_NAMES: [&str; 8] = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Mai", "Vũ", "Đỗ"];
const MIDDLE_NAMES: [&str; 6] = ["Văn", "Thị", "Đức", "Minh", "Ngọc", "Hữu"];
const GIVEN_NAMES: [&str; 10] = [
    "An", "Bình", "Cường", "Dung", "Hà", "Hùng", "Lan", "Nam", "Thảo", "Tuấn",
];

fn pick<'a>(rng: &mut StdRng, from: &[&'a str]) -> &'a str {
    from[rng.gen_range(0..from.len())]
}

fn full_name(rng: &mut StdRng) -> String {
    format!(
        "{} {} {}",
        pick(rng, &FAMILY_NAMES),
        pick(rng, &MIDDLE_NAMES),
        pick(rng, &GIVEN_NAMES)
    )
}

/// A lower-case hyphenated UUID, as the phone makes it (from the seeded generator).
fn new_id(rng: &mut StdRng) -> String {
    uuid::Builder::from_random_bytes(rng.gen())
        .into_uuid()
        .hyphenated()
        .to_string()
}

/// How often the phone commits an Automerge change while recording.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Commits {
    /// One change per answer, as the PWA's `survey/write.ts` does (`handle.change` per edit).
    Field,
    /// One change per household, per person and per visit (a client that saves whole forms).
    Form,
}

impl Commits {
    fn unit(self) -> &'static str {
        match self {
            Commits::Field => "answer",
            Commits::Form => "form",
        }
    }
}

/// Writes survey records into a village document (strings as immutable strings, times in ms),
/// committing as `commits` says.
struct Recorder<'a> {
    doc: &'a mut AutoCommit,
    commits: Commits,
    now_ms: i64,
}

impl Recorder<'_> {
    fn str(&mut self, obj: &ObjId, key: &str, value: &str) -> Result<(), AutomergeError> {
        self.doc.put(obj, key, ScalarValue::Str(value.into()))
    }

    fn commit(&mut self) {
        // Change times are in seconds, like the JS client's.
        let options = CommitOptions::default().with_time(self.now_ms / 1000);
        self.doc.commit_with(options);
    }

    /// The enumerator answered one question.
    fn answered(&mut self) {
        if self.commits == Commits::Field {
            self.commit();
        }
    }

    /// The enumerator finished a form (nothing to commit if every answer already was).
    fn saved(&mut self) {
        self.commit();
    }

    /// Records one household with `persons` members and one visit, in the order the PWA asks:
    /// the new-household form, its checklist, each person, then the visit.
    fn household(
        &mut self,
        households: &ObjId,
        rng: &mut StdRng,
        username: &str,
        persons: u32,
    ) -> Result<(), AutomergeError> {
        let now_ms = self.now_ms;
        let h = self.doc.put_object(households, new_id(rng), ObjType::Map)?;
        self.str(&h, "head_name", &full_name(rng))?;
        let address = format!("Số {}, xóm {}", rng.gen_range(1..300), rng.gen_range(1..12));
        self.str(&h, "address", &address)?;
        self.str(&h, "phone", &phone_number(rng))?;
        self.doc.put(&h, "created_at", ScalarValue::Int(now_ms))?;
        self.str(&h, "created_by", username)?;
        let members = self.doc.put_object(&h, schema::PERSONS, ObjType::Map)?;
        let visits = self.doc.put_object(&h, schema::VISITS, ObjType::Map)?;
        self.answered();
        for flag in schema::HOUSEHOLD_FLAGS {
            self.doc.put(&h, flag, rng.gen_bool(0.5))?;
            self.answered();
        }
        self.saved();

        for _ in 0..persons {
            let p = self.doc.put_object(&members, new_id(rng), ObjType::Map)?;
            self.str(&p, "full_name", &full_name(rng))?;
            let birth_year = ScalarValue::Int(rng.gen_range(1940..2011));
            self.doc.put(&p, "birth_year", birth_year)?;
            self.answered();
            self.str(&p, "sex", pick(rng, &schema::SEXES))?;
            self.answered();
            let cccd = format!("038{:09}", rng.gen_range(0..1_000_000_000u64));
            self.str(&p, "cccd", &cccd)?;
            self.answered();
            self.str(&p, "phone", &phone_number(rng))?;
            self.answered();
            let vneid = ScalarValue::Int(rng.gen_range(0..3));
            self.doc.put(&p, "vneid_level", vneid)?;
            self.answered();
            for flag in schema::PERSON_FLAGS {
                self.doc.put(&p, flag, rng.gen_bool(0.6))?;
                self.answered();
            }
            self.saved();
        }

        let v = self.doc.put_object(&visits, new_id(rng), ObjType::Map)?;
        self.doc.put(&v, "at", ScalarValue::Int(now_ms))?;
        self.str(&v, "by", username)?;
        // Most visits find someone home.
        let outcome = if rng.gen_bool(0.8) {
            "surveyed"
        } else {
            pick(rng, &schema::VISIT_OUTCOMES)
        };
        self.str(&v, "outcome", outcome)?;
        let helped = self.doc.put_object(&v, "helped", ObjType::Map)?;
        self.answered();
        for item in schema::HELPED_WITH {
            if rng.gen_bool(0.3) {
                self.doc.put(&helped, item, true)?;
                self.answered();
            }
        }
        self.str(
            &v,
            "note",
            "Đã hướng dẫn cài đặt VNeID và ứng dụng của tỉnh",
        )?;
        self.saved();
        Ok(())
    }
}

fn phone_number(rng: &mut StdRng) -> String {
    format!("09{:08}", rng.gen_range(0..100_000_000))
}

fn now_ms() -> i64 {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(since_epoch.as_millis()).unwrap_or(i64::MAX)
}

// ---------------------------------------------------------------------------------------------
// Phones

struct Ctx {
    api: Api,
    ws_base: String,
    existing: u32,
    households: u32,
    persons: u32,
    commits: Commits,
}

/// A phone that has fetched its village document and done its offline work.
struct Phone {
    index: usize,
    peer_id: String,
    token: String,
    document_id: String,
    doc: AutoCommit,
    /// The changes made offline: what the server must receive.
    changes: usize,
    change_bytes: u64,
}

struct BurstResult {
    latency: Duration,
    synced_at: Instant,
    wire_bytes: u64,
    /// The sync state as automerge-repo persists it for a non-ephemeral server peer.
    saved_state: Vec<u8>,
}

struct IdleResult {
    handshake_bytes: u64,
    fresh_state_bytes: u64,
    saved_state_bytes: u64,
}

/// Logs in, finds its village document, fetches it, disconnects, and records households.
async fn prepare(ctx: Arc<Ctx>, index: usize, seed: u64) -> Result<Phone, String> {
    let mut rng = StdRng::seed_from_u64(seed);
    let username = enumerator(index);
    let token = ctx
        .api
        .login(&username, &format!("bench-phone-{index}"))
        .await?;
    let docs = ctx.api.get("/api/v1/me/documents", &token).await?;
    let village = village_code(index);
    let entry = docs
        .as_array()
        .and_then(|a| a.iter().find(|d| d["unit_code"] == village.as_str()))
        .ok_or_else(|| format!("{village} missing from /api/v1/me/documents: {docs}"))?;
    if entry["access"] != "read_write" {
        return Err(format!("{username} cannot write {village}: {entry}"));
    }
    let document_id = entry["document_id"]
        .as_str()
        .ok_or_else(|| format!("no document_id in {entry}"))?
        .to_string();

    let peer_id = format!("bench-peer-{}", new_id(&mut rng));
    let actor: [u8; 16] = rng.gen();
    let mut doc = AutoCommit::new().with_actor(ActorId::from(&actor[..]));
    let mut conn = SyncConn::open(&ctx.ws_base, &token, &peer_id).await?;
    let mut state = sync::State::new();
    conn.sync_doc(&document_id, &mut doc, &mut state)
        .await
        .map_err(|e| format!("fetching {village}: {e}"))?;
    let households = match doc.get(automerge::ROOT, schema::HOUSEHOLDS) {
        Ok(Some((Value::Object(ObjType::Map), id))) => id,
        other => {
            return Err(format!(
                "fetched {village} has no households map: {other:?}"
            ))
        }
    };
    if ctx.existing > 0 {
        record(
            &ctx,
            &mut doc,
            &households,
            &mut rng,
            &username,
            ctx.existing,
        )?;
        conn.sync_doc(&document_id, &mut doc, &mut state)
            .await
            .map_err(|e| format!("syncing earlier households of {village}: {e}"))?;
    }
    conn.close().await;

    // Offline from here.
    let before = doc.get_heads();
    record(
        &ctx,
        &mut doc,
        &households,
        &mut rng,
        &username,
        ctx.households,
    )?;
    let new_changes = doc.get_changes(&before);
    Ok(Phone {
        index,
        peer_id,
        token,
        document_id,
        doc,
        changes: new_changes.len(),
        change_bytes: new_changes.iter().map(|c| c.raw_bytes().len() as u64).sum(),
    })
}

/// Records `count` households, one after another.
fn record(
    ctx: &Ctx,
    doc: &mut AutoCommit,
    households: &ObjId,
    rng: &mut StdRng,
    username: &str,
    count: u32,
) -> Result<(), String> {
    let mut recorder = Recorder {
        doc,
        commits: ctx.commits,
        now_ms: now_ms(),
    };
    for _ in 0..count {
        recorder
            .household(households, rng, username, ctx.persons)
            .map_err(|e| format!("recording a household: {e}"))?;
    }
    Ok(())
}

/// Reconnects and syncs until the server has every change the phone made.
async fn burst(ctx: Arc<Ctx>, mut phone: Phone) -> Result<(Phone, BurstResult), String> {
    let started = Instant::now();
    let mut conn = SyncConn::open(&ctx.ws_base, &phone.token, &phone.peer_id).await?;
    let mut state = sync::State::new();
    conn.sync_doc(&phone.document_id, &mut phone.doc, &mut state)
        .await?;
    let synced_at = Instant::now();
    let wire_bytes = conn.close().await;
    Ok((
        phone,
        BurstResult {
            latency: synced_at - started,
            synced_at,
            wire_bytes,
            saved_state: state.encode(),
        },
    ))
}

/// Reconnects twice with nothing new: with a fresh sync state, and with the saved one.
async fn idle_reconnects(
    ctx: Arc<Ctx>,
    mut phone: Phone,
    saved_state: Vec<u8>,
) -> Result<IdleResult, String> {
    let heads = phone.doc.get_heads();
    let (handshake_bytes, fresh_state_bytes) =
        idle_sync(&ctx, &mut phone, sync::State::new()).await?;
    let saved = sync::State::decode(&saved_state).map_err(|e| format!("saved sync state: {e}"))?;
    let (_, saved_state_bytes) = idle_sync(&ctx, &mut phone, saved).await?;
    if phone.doc.get_heads() != heads {
        return Err("an idle reconnect brought changes nobody made".into());
    }
    Ok(IdleResult {
        handshake_bytes,
        fresh_state_bytes,
        saved_state_bytes,
    })
}

/// One connection that syncs an up-to-date document: (handshake bytes, sync bytes).
async fn idle_sync(
    ctx: &Ctx,
    phone: &mut Phone,
    mut state: sync::State,
) -> Result<(u64, u64), String> {
    let mut conn = SyncConn::open(&ctx.ws_base, &phone.token, &phone.peer_id).await?;
    let handshake = conn.wire_bytes();
    conn.sync_doc(&phone.document_id, &mut phone.doc, &mut state)
        .await?;
    Ok((handshake, conn.close().await - handshake))
}

/// Waits for every task of a phase; failures are collected as messages.
async fn join_all<T: 'static>(
    mut set: JoinSet<Result<T, String>>,
    errors: &mut Vec<String>,
) -> Vec<T> {
    let mut done = Vec::new();
    while let Some(joined) = set.join_next().await {
        match joined {
            Ok(Ok(value)) => done.push(value),
            Ok(Err(e)) => errors.push(e),
            Err(e) => errors.push(format!("phone task failed: {e}")),
        }
    }
    done
}

// ---------------------------------------------------------------------------------------------
// One backend

#[derive(Default)]
struct Report {
    setup: Duration,
    prepare: Duration,
    synced: usize,
    burst_wall: Duration,
    latencies: Vec<Duration>,
    changes_per_phone: f64,
    wire_bytes_per_phone: f64,
    change_bytes_per_phone: f64,
    handshake_bytes: f64,
    idle_fresh_bytes: f64,
    idle_saved_bytes: f64,
    household_rows: i64,
    person_rows: i64,
    /// Failed phones and failed checks.
    errors: Vec<String>,
}

async fn run_backend(
    backend: &Backend,
    args: &Args,
    deadline: tokio::time::Instant,
) -> Result<Report, String> {
    let late = || format!("did not finish within --timeout-secs {}", args.timeout_secs);
    let db = tokio::time::timeout_at(deadline, TempDb::create(backend))
        .await
        .map_err(|_| late())??;
    // Whatever happens from here, the database is removed (each step is bounded).
    let result = async {
        let server = tokio::time::timeout_at(deadline, Server::start(&db.url))
            .await
            .map_err(|_| late())??;
        let outcome = tokio::time::timeout_at(deadline, workload(&server, &db.url, args)).await;
        let stopped = server.stop().await;
        let mut report = outcome.map_err(|_| late())??;
        if let Err(e) = stopped {
            report.errors.push(e);
        }
        Ok(report)
    }
    .await;
    db.remove().await;
    result
}

async fn workload(server: &Server, database_url: &str, args: &Args) -> Result<Report, String> {
    let n = args.phones as usize;
    let client = reqwest::Client::builder()
        .timeout(ANSWER_TIMEOUT)
        // Stay on 127.0.0.1 whatever HTTP_PROXY says.
        .no_proxy()
        .build()
        .map_err(|e| format!("HTTP client: {e}"))?;
    let api = Api {
        client,
        base: server.base.clone(),
    };
    let mut report = Report::default();

    let started = Instant::now();
    seed_villages(&api, n).await?;
    report.setup = started.elapsed();

    let ctx = Arc::new(Ctx {
        api,
        ws_base: server.base.replacen("http://", "ws://", 1),
        existing: args.existing,
        households: args.households,
        persons: args.persons,
        commits: args.commits,
    });
    let mut seeds = StdRng::seed_from_u64(args.seed);
    let started = Instant::now();
    let mut set = JoinSet::new();
    for i in 0..n {
        let (ctx, seed) = (ctx.clone(), seeds.gen());
        set.spawn(async move {
            let phone = prepare(ctx, i, seed).await;
            phone.map_err(|e| format!("phone {i}, getting ready: {e}"))
        });
    }
    let phones = join_all(set, &mut report.errors).await;
    report.prepare = started.elapsed();
    if phones.is_empty() {
        return Err(format!(
            "no phone got ready; first error: {}",
            report.errors.first().map_or("none", String::as_str)
        ));
    }
    report.changes_per_phone = mean(phones.iter().map(|p| p.changes as f64));
    report.change_bytes_per_phone = mean(phones.iter().map(|p| p.change_bytes as f64));

    // The burst: every phone that got ready reconnects at the same moment.
    let started = Instant::now();
    let mut set = JoinSet::new();
    for phone in phones {
        let i = phone.index;
        let ctx = ctx.clone();
        set.spawn(async move {
            let synced = burst(ctx, phone).await;
            synced.map_err(|e| format!("phone {i}, reconnect burst: {e}"))
        });
    }
    let synced = join_all(set, &mut report.errors).await;
    report.synced = synced.len();
    report.burst_wall = synced
        .iter()
        .map(|(_, r)| r.synced_at - started)
        .max()
        .unwrap_or_default();
    report.latencies = synced.iter().map(|(_, r)| r.latency).collect();
    report.latencies.sort();
    report.wire_bytes_per_phone = mean(synced.iter().map(|(_, r)| r.wire_bytes as f64));

    let mut set = JoinSet::new();
    for (phone, result) in synced {
        let i = phone.index;
        let ctx = ctx.clone();
        set.spawn(async move {
            let idle = idle_reconnects(ctx, phone, result.saved_state).await;
            idle.map_err(|e| format!("phone {i}, idle reconnect: {e}"))
        });
    }
    let idle = join_all(set, &mut report.errors).await;
    report.handshake_bytes = mean(idle.iter().map(|r| r.handshake_bytes as f64));
    report.idle_fresh_bytes = mean(idle.iter().map(|r| r.fresh_state_bytes as f64));
    report.idle_saved_bytes = mean(idle.iter().map(|r| r.saved_state_bytes as f64));

    // Every acknowledged household must be in SQL, projected into its village.
    report.household_rows = count_rows(database_url, "households").await?;
    report.person_rows = count_rows(database_url, "persons").await?;
    let households =
        i64::from(args.phones) * (i64::from(args.existing) + i64::from(args.households));
    if report.household_rows != households {
        report.errors.push(format!(
            "households table has {} rows, expected {households}",
            report.household_rows
        ));
    }
    let persons = households * i64::from(args.persons);
    if report.person_rows != persons {
        report.errors.push(format!(
            "persons table has {} rows, expected {persons}",
            report.person_rows
        ));
    }
    Ok(report)
}

/// Rows of `table` in the benchmark's villages, read straight from the database.
async fn count_rows(database_url: &str, table: &str) -> Result<i64, String> {
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

// ---------------------------------------------------------------------------------------------
// Output

fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    if n == 0 {
        0.0
    } else {
        sum / n as f64
    }
}

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[Duration], p: f64) -> Option<Duration> {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.max(1) - 1).copied()
}

fn ms(d: Option<Duration>) -> String {
    d.map_or("-".into(), |d| format!("{:.1}", d.as_secs_f64() * 1000.0))
}

/// The rows of one backend's column: (label, value).
fn column(args: &Args, r: &Report) -> Vec<(&'static str, String)> {
    let households = r.synced as f64 * f64::from(args.households);
    let ratio = if r.change_bytes_per_phone > 0.0 {
        format!("{:.2}", r.wire_bytes_per_phone / r.change_bytes_per_phone)
    } else {
        "-".into()
    };
    vec![
        ("phones synced", format!("{}/{}", r.synced, args.phones)),
        ("households total", format!("{households:.0}")),
        ("changes per phone", format!("{:.0}", r.changes_per_phone)),
        (
            "burst wall time (s)",
            format!("{:.3}", r.burst_wall.as_secs_f64()),
        ),
        (
            "completed syncs/s",
            format!("{:.1}", per_sec(r.synced as f64, r.burst_wall)),
        ),
        (
            "households stored/s",
            format!("{:.0}", per_sec(households, r.burst_wall)),
        ),
        (
            "reconnect→stored p50 (ms)",
            ms(percentile(&r.latencies, 50.0)),
        ),
        (
            "reconnect→stored p95 (ms)",
            ms(percentile(&r.latencies, 95.0)),
        ),
        (
            "reconnect→stored p99 (ms)",
            ms(percentile(&r.latencies, 99.0)),
        ),
        (
            "wire bytes per phone",
            format!("{:.0}", r.wire_bytes_per_phone),
        ),
        (
            "change bytes per phone",
            format!("{:.0}", r.change_bytes_per_phone),
        ),
        ("wire / change bytes", ratio),
        (
            "idle resync B/doc, fresh state",
            format!("{:.0}", r.idle_fresh_bytes),
        ),
        (
            "idle resync B/doc, saved state",
            format!("{:.0}", r.idle_saved_bytes),
        ),
        (
            "join/peer B per connection",
            format!("{:.0}", r.handshake_bytes),
        ),
        ("households rows", r.household_rows.to_string()),
        ("persons rows", r.person_rows.to_string()),
        ("errors", r.errors.len().to_string()),
    ]
}

/// Prints one column per backend and the errors; returns how many errors there were.
fn print_table(args: &Args, columns: &[(&str, Result<Report, String>)]) -> usize {
    let cells: Vec<Option<Vec<(&str, String)>>> = columns
        .iter()
        .map(|(_, result)| result.as_ref().ok().map(|r| column(args, r)))
        .collect();
    println!();
    print!("{:<32}", "");
    for (name, _) in columns {
        print!("{name:>14}");
    }
    println!();
    for (row, (label, _)) in column(args, &Report::default()).iter().enumerate() {
        print!("{label:<32}");
        for cell in &cells {
            let text = cell.as_ref().map_or("failed", |c| c[row].1.as_str());
            print!("{text:>14}");
        }
        println!();
    }
    println!(
        "(wire bytes: WebSocket frame payloads both ways, counted at the phone from connect to close;\n \
         idle resync: the sync exchange alone, after the join/peer handshake)"
    );

    let mut errors = 0;
    for (name, result) in columns {
        match result {
            Ok(report) => {
                errors += report.errors.len();
                for e in report.errors.iter().take(10) {
                    println!("{name} error: {e}");
                }
                if report.errors.len() > 10 {
                    println!("{name}: {} more errors", report.errors.len() - 10);
                }
            }
            Err(_) => errors += 1,
        }
    }
    errors
}

fn per_sec(count: f64, wall: Duration) -> f64 {
    if wall.is_zero() {
        0.0
    } else {
        count / wall.as_secs_f64()
    }
}
