//! Shared by several test binaries, each of which uses only part of it.
#![allow(dead_code)]

//! Test harness: the real server on a real database (a temporary SQLite file, or a fresh
//! PostgreSQL database when KHAOSAT_TEST_POSTGRES_URL is set), driven over real HTTP.

pub mod child;
pub mod peer;

use std::time::Duration;

use khaosat::store::Store;
use khaosat::{AppState, Config};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tokio::sync::oneshot;

pub const PASSWORD: &str = khaosat::demo::DEMO_PASSWORD;

/// The JWT secret of test servers (child processes get it too, so tokens work on every one).
pub const SECRET: &[u8] = b"test-secret-test-secret-test-secret!";

#[derive(Clone, Copy, Debug)]
pub enum Db {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub base: String,
    /// The in-process server's sync hub (to look at loaded documents).
    pub hub: std::sync::Arc<khaosat::sync::SyncHub>,
    pub client: reqwest::Client,
    pub database_url: String,
    pub pg_admin: Option<(String, String)>,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    _dir: tempfile::TempDir,
}

/// Runs each test body on SQLite and on PostgreSQL (the latter skipped, loudly, without
/// KHAOSAT_TEST_POSTGRES_URL). `name => |config| …` adjusts the configuration first.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident $(=> $tweak:expr)?),* $(,)?) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use khaosat::Config;
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    let app = $crate::common::TestApp::start_with($crate::common::Db::Sqlite, |_c: &mut Config| { $( ($tweak)(_c) )? })
                        .await
                        .expect("sqlite app");
                    super::$name(&app).await;
                    app.finish().await;
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    let Some(app) = $crate::common::TestApp::start_with($crate::common::Db::Postgres, |_c: &mut Config| { $( ($tweak)(_c) )? }).await else {
                        return;
                    };
                    super::$name(&app).await;
                    app.finish().await;
                }
            }
        )*
    };
}

/// Runs each test body on SQLite and on PostgreSQL started on an empty tree (`start_empty`).
#[macro_export]
macro_rules! on_empty_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    let app = $crate::common::TestApp::start_empty($crate::common::Db::Sqlite)
                        .await
                        .expect("sqlite app");
                    super::$name(&app).await;
                    app.finish().await;
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    let Some(app) = $crate::common::TestApp::start_empty($crate::common::Db::Postgres).await else {
                        return;
                    };
                    super::$name(&app).await;
                    app.finish().await;
                }
            }
        )*
    };
}

impl TestApp {
    /// Starts the server seeded with the demo data; `None` when PostgreSQL is asked for but not configured.
    pub async fn start_with(db: Db, tweak: impl FnOnce(&mut Config)) -> Option<TestApp> {
        Self::start_seeded(db, tweak, true).await
    }

    /// Starts the server on an empty tree with one account, `admin` (password `PASSWORD`).
    pub async fn start_empty(db: Db) -> Option<TestApp> {
        Self::start_seeded(db, |_| {}, false).await
    }

    async fn start_seeded(db: Db, tweak: impl FnOnce(&mut Config), demo: bool) -> Option<TestApp> {
        let dir = tempfile::tempdir().expect("tempdir");
        let (database_url, pg_admin) = match db {
            Db::Sqlite => (
                format!("sqlite://{}", dir.path().join("test.db").display()),
                None,
            ),
            Db::Postgres => {
                let Ok(admin) = std::env::var("KHAOSAT_TEST_POSTGRES_URL") else {
                    eprintln!("SKIPPED (postgres): set KHAOSAT_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres to run");
                    return None;
                };
                let name = format!("khaosat_test_{}", uuid::Uuid::new_v4().simple());
                pg_exec(&admin, &format!("CREATE DATABASE {name}")).await;
                let url = match admin.rfind('/') {
                    Some(i) if i > "postgres://".len() => format!("{}/{name}", &admin[..i]),
                    _ => format!("{admin}/{name}"),
                };
                (url, Some((admin, name)))
            }
        };
        let store = Store::connect(&database_url).await.expect("connect store");
        if demo {
            khaosat::demo::seed_pilot(&store)
                .await
                .expect("seed demo data");
        } else {
            let system = khaosat::auth::Principal {
                user_id: 0,
                username: "test".into(),
                role: khaosat::auth::Role::Admin,
                scope_unit: None,
                scope_path: "/".into(),
                session_id: String::new(),
                device_id: String::new(),
            };
            let admin = khaosat::users::NewUserRequest {
                username: Some("admin".into()),
                display_name: "Quản trị".into(),
                password: Some(PASSWORD.into()),
                role: khaosat::auth::Role::Admin,
                scope_unit: None,
                phone: None,
                service: false,
            };
            khaosat::users::create_user(&store, &system, admin)
                .await
                .expect("admin");
        }
        let mut config = Config::new(database_url.clone(), SECRET.to_vec());
        tweak(&mut config);
        let state = AppState::new(store.clone(), config)
            .await
            .expect("app state");
        let hub = state.sync.clone();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (tx, rx) = oneshot::channel::<()>();
        let server = tokio::spawn(khaosat::serve(listener, state, async {
            rx.await.ok();
        }));
        Some(TestApp {
            hub,
            base: format!("http://{addr}"),
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .expect("client"),
            database_url,
            pg_admin,
            shutdown: Some(tx),
            server: Some(server),
            _dir: dir,
        })
    }

    /// Starts another server replica on the same database (the caller stops it with the sender).
    pub async fn replica(
        &self,
    ) -> (
        String,
        oneshot::Sender<()>,
        tokio::task::JoinHandle<std::io::Result<()>>,
    ) {
        let store = Store::connect(&self.database_url)
            .await
            .expect("replica store");
        let config = Config::new(self.database_url.clone(), SECRET.to_vec());
        let state = AppState::new(store, config).await.expect("replica state");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (tx, rx) = oneshot::channel::<()>();
        let server = tokio::spawn(khaosat::serve(listener, state, async {
            rx.await.ok();
        }));
        (format!("ws://{addr}"), tx, server)
    }

    /// Stops the server and drops the PostgreSQL test database.
    pub async fn finish(mut self) {
        if let Some(tx) = self.shutdown.take() {
            tx.send(()).ok();
        }
        if let Some(server) = self.server.take() {
            server.await.expect("server task").expect("server result");
        }
        if let Some((admin, name)) = self.pg_admin.take() {
            pg_exec(
                &admin,
                &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            )
            .await;
        }
    }

    /// Signs in and returns the token response.
    pub async fn login_as(&self, username: &str, device: &str) -> Value {
        let (status, body) = self
            .call(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(json!({"username": username, "password": PASSWORD, "device_id": device})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "login {username}: {body}");
        body
    }

    /// Signs in and returns just the access token.
    pub async fn token(&self, username: &str) -> String {
        self.login_as(username, &format!("device-{username}")).await["access_token"]
            .as_str()
            .expect("access_token")
            .to_string()
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self.client.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("request");
        read(resp).await
    }

    pub async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    /// Sends a raw body with a content type.
    pub async fn send_raw(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        content_type: &str,
        body: Vec<u8>,
    ) -> (StatusCode, Value) {
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.base))
            .header("content-type", content_type)
            .body(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        read(req.send().await.expect("request")).await
    }

    /// Imports a household register and waits for its job. A refusal of the upload comes back as
    /// it is (403, 413, 422 for a wrong header…); otherwise 200 with the report when the job is
    /// done, or 422 with the job's status (its `error` has `message`, `details`) when it failed.
    pub async fn import_register(
        &self,
        token: &str,
        csv: impl Into<Vec<u8>>,
    ) -> (StatusCode, Value) {
        let answer = self
            .send_raw(
                Method::POST,
                "/api/v1/households/import",
                Some(token),
                "text/csv",
                csv.into(),
            )
            .await;
        self.import_outcome(token, answer).await
    }

    /// The outcome of a `POST /api/v1/households/import` answer, as `import_register` gives it.
    pub async fn import_outcome(
        &self,
        token: &str,
        (status, body): (StatusCode, Value),
    ) -> (StatusCode, Value) {
        if status != StatusCode::ACCEPTED {
            return (status, body);
        }
        let url = body["status_url"].as_str().expect("status_url").to_string();
        let job = self.wait_job(token, &url).await;
        if job["state"] == "done" {
            (StatusCode::OK, job["report"].clone())
        } else {
            (StatusCode::UNPROCESSABLE_ENTITY, job)
        }
    }

    /// Polls an import job until it is done or failed (at most ten minutes: a large register in a
    /// debug build takes a few).
    pub async fn wait_job(&self, token: &str, status_url: &str) -> Value {
        let deadline = std::time::Instant::now() + Duration::from_secs(600);
        loop {
            let (status, job) = self.get(status_url, token).await;
            assert_eq!(status, StatusCode::OK, "{status_url}: {job}");
            if job["state"] == "done" || job["state"] == "failed" {
                return job;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "import still running: {job}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The WebSocket base URL of the server.
    pub fn ws_base(&self) -> String {
        self.base.replacen("http://", "ws://", 1)
    }

    /// Rows of a query whose columns are all cast to text (NULL stays `None`).
    pub async fn rows(&self, sql: &str) -> Vec<Vec<Option<String>>> {
        rows_at(&self.database_url, sql).await
    }

    /// Runs SQL straight on the database (to stand in for the sync projection in progress tests).
    pub async fn sql(&self, sql: &str) {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&self.database_url)
            .await
            .expect("raw pool");
        sqlx::query(sql).execute(&pool).await.expect("raw sql");
        pool.close().await;
    }
}

async fn read(resp: reqwest::Response) -> (StatusCode, Value) {
    let status = resp.status();
    let text = resp.text().await.expect("body");
    let value = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    (status, value)
}

/// Rows of a query on any database (columns cast to text; NULL stays `None`).
pub async fn rows_at(database_url: &str, sql: &str) -> Vec<Vec<Option<String>>> {
    use sqlx::Row;
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(database_url)
        .await
        .expect("raw pool");
    let rows = sqlx::query(sql).fetch_all(&pool).await.expect("raw query");
    let out = rows
        .iter()
        .map(|r| {
            (0..r.len())
                .map(|i| r.try_get::<Option<String>, _>(i).expect("text column"))
                .collect()
        })
        .collect();
    pool.close().await;
    out
}

/// Runs SQL on the administrative PostgreSQL connection.
pub async fn pg_exec(admin_url: &str, sql: &str) {
    use sqlx::Connection;
    let mut conn = sqlx::postgres::PgConnection::connect(admin_url)
        .await
        .expect("connect to KHAOSAT_TEST_POSTGRES_URL");
    sqlx::query(sql)
        .execute(&mut conn)
        .await
        .expect("admin sql");
    conn.close().await.ok();
}

/// The error message of an error body.
pub fn message(body: &Value) -> String {
    body["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// The `code` fields of a JSON array.
pub fn codes(body: &Value, field: &str) -> Vec<String> {
    body.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v[field].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}
