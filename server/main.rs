//! The `khaosat` command: `serve`, `user add`, `units import`, `backup`.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::{Parser, Subcommand, ValueEnum};
use khaosat::auth::{Principal, Role};
use khaosat::store::{redact, Store};
use khaosat::{demo, units, users, AppState, Config};
use rand::RngCore;

#[derive(Parser)]
#[command(
    name = "khaosat",
    version,
    about = "Offline-first field survey server for the \"3 KHÔNG\" campaign"
)]
struct Cli {
    /// Database: sqlite://PATH (default, created if missing) or postgres://USER@HOST/DB.
    #[arg(
        long,
        env = "KHAOSAT_DATABASE_URL",
        default_value = "sqlite://khaosat.db",
        global = true
    )]
    database_url: String,
    /// Log filter (tracing EnvFilter syntax).
    #[arg(
        long,
        env = "KHAOSAT_LOG",
        default_value = "info,sqlx=warn",
        global = true
    )]
    log: String,
    #[arg(long, env = "KHAOSAT_LOG_FORMAT", value_enum, default_value_t = LogFormat::Pretty, global = true)]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum LogFormat {
    Pretty,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server.
    Serve(ServeArgs),
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage administrative units.
    #[command(subcommand)]
    Units(UnitsCommand),
    /// Write a consistent copy of the database to PATH while the server may keep running.
    Backup { path: PathBuf },
}

#[derive(clap::Args)]
struct ServeArgs {
    #[arg(long, env = "KHAOSAT_ADDR", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Seed demo units and users on first start (and generate a JWT secret if none is given).
    #[arg(long, env = "KHAOSAT_DEMO")]
    demo: bool,
    /// Secret signing access tokens, at least 32 bytes; the same on every replica.
    #[arg(long, env = "KHAOSAT_JWT_SECRET", hide_env_values = true)]
    jwt_secret: Option<String>,
    /// Access-token lifetime in seconds.
    #[arg(long, env = "KHAOSAT_ACCESS_TTL_SECS", default_value_t = 900)]
    access_ttl_secs: i64,
    /// Refresh-token lifetime in days (renewed on every refresh).
    #[arg(long, env = "KHAOSAT_REFRESH_TTL_DAYS", default_value_t = 60)]
    refresh_ttl_days: i64,
    /// Consecutive wrong passwords that lock an account.
    #[arg(long, env = "KHAOSAT_LOGIN_MAX_FAILURES", default_value_t = 5)]
    login_max_failures: i64,
    /// Minutes a locked account stays locked.
    #[arg(long, env = "KHAOSAT_LOGIN_LOCK_MINUTES", default_value_t = 15)]
    login_lock_minutes: i64,
    /// Sign-in attempts per minute from one address (also the burst allowed at once).
    #[arg(long, env = "KHAOSAT_LOGIN_IP_PER_MINUTE", default_value_t = 60)]
    login_ip_per_minute: u32,
    /// Largest household register import accepted, in MiB.
    #[arg(long, env = "KHAOSAT_REGISTER_MAX_MIB", default_value_t = 64)]
    register_max_mib: u64,
    /// Behind a reverse proxy: take the client address from X-Forwarded-For's last hop.
    #[arg(long, env = "KHAOSAT_TRUST_FORWARDED_FOR")]
    trust_forwarded_for: bool,
    /// Seconds a connection may take to send a complete request head before it is closed.
    #[arg(long, env = "KHAOSAT_HEADER_READ_TIMEOUT_SECS", default_value_t = 10)]
    header_read_timeout_secs: u64,
    /// Connections served at once (more wait to be accepted); keep it under the file limit.
    #[arg(long, env = "KHAOSAT_MAX_CONNECTIONS", default_value_t = 10_000)]
    max_connections: usize,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user (e.g. the first admin).
    Add {
        #[arg(long)]
        username: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Scope unit code (required for every role but admin).
        #[arg(long)]
        scope: Option<String>,
        #[arg(long)]
        display_name: Option<String>,
        /// Password; prefer the environment variable so it stays out of shell history.
        #[arg(long, env = "KHAOSAT_USER_PASSWORD", hide_env_values = true)]
        password: String,
        #[arg(long)]
        phone: Option<String>,
        /// An account that is not a person (a seeding script): never shown as a team member.
        #[arg(long)]
        service: bool,
    },
}

#[derive(Subcommand)]
enum UnitsCommand {
    /// Import units from a CSV file with columns code,name,level,parent_code.
    Import { file: PathBuf },
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).ok_or_else(|| {
        "one of enumerator, team_lead, commune, district, province, admin".to_string()
    })
}

/// The identity the command line acts with: the operator of the machine is trusted as admin.
fn operator() -> Principal {
    Principal {
        user_id: 0,
        username: "cli".into(),
        role: Role::Admin,
        scope_unit: None,
        scope_path: "/".into(),
        session_id: String::new(),
        device_id: String::new(),
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    return_freed_memory();
    let cli = Cli::parse();
    init_logging(&cli.log, cli.log_format)?;
    match cli.command {
        Command::Serve(args) => serve(&cli.database_url, args).await,
        Command::User(UserCommand::Add {
            username,
            role,
            scope,
            display_name,
            password,
            phone,
            service,
        }) => {
            let store = open(&cli.database_url).await?;
            let user = users::create_user(
                &store,
                &operator(),
                users::NewUserRequest {
                    display_name: display_name.unwrap_or_else(|| username.clone()),
                    username: Some(username),
                    password: Some(password),
                    role,
                    scope_unit: scope,
                    phone,
                    service,
                },
            )
            .await?;
            println!(
                "created user {} (id {}, role {})",
                user.username, user.id, user.role
            );
            store.close().await;
            Ok(())
        }
        Command::Units(UnitsCommand::Import { file }) => {
            let store = open(&cli.database_url).await?;
            let data =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            match units::import_units(&store, &operator(), &data, false).await {
                Ok(report) => println!(
                    "{} unit(s) created, {} unchanged",
                    report.created, report.unchanged
                ),
                Err(khaosat::Error::Invalid { message, details }) => {
                    eprintln!("{message}");
                    for d in details {
                        eprintln!("  {d}");
                    }
                    store.close().await;
                    std::process::exit(1);
                }
                Err(e) => return Err(e.into()),
            }
            store.close().await;
            Ok(())
        }
        Command::Backup { path } => {
            let store = open(&cli.database_url).await?;
            store.backup(&path, &cli.database_url).await?;
            println!("backup written to {}", path.display());
            store.close().await;
            Ok(())
        }
    }
}

async fn open(url: &str) -> anyhow::Result<Store> {
    Store::connect(url)
        .await
        .with_context(|| format!("opening database {}", redact(url)))
}

async fn serve(database_url: &str, args: ServeArgs) -> anyhow::Result<()> {
    let store = open(database_url).await?;
    let secret = match (args.jwt_secret, args.demo) {
        (Some(s), _) if s.len() >= 32 => s,
        (Some(_), _) => {
            bail!("KHAOSAT_JWT_SECRET must be at least 32 bytes (e.g. `openssl rand -hex 32`)")
        }
        (None, true) => {
            let mut bytes = [0u8; 32];
            rand::thread_rng().fill_bytes(&mut bytes);
            let fresh: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            store.setting_or_insert("demo_jwt_secret", &fresh).await?
        }
        (None, false) => bail!(
            "no JWT secret: set KHAOSAT_JWT_SECRET (at least 32 bytes, the same on every replica), \
             or run with --demo to try the server with a generated one"
        ),
    };
    let seeded = args.demo && demo::seed_pilot(&store).await?;
    let mut config = Config::new(database_url, secret.into_bytes());
    config.access_ttl_secs = args.access_ttl_secs;
    config.refresh_ttl_secs = args.refresh_ttl_days * 24 * 3600;
    config.login_max_failures = args.login_max_failures.max(1);
    config.login_lock_secs = args.login_lock_minutes.max(0) * 60;
    config.login_ip_per_minute = args.login_ip_per_minute.max(1);
    config.login_ip_burst = args.login_ip_per_minute.max(1);
    config.trust_forwarded_for = args.trust_forwarded_for;
    config.header_read_timeout =
        std::time::Duration::from_secs(args.header_read_timeout_secs.max(1));
    config.max_connections = args.max_connections.max(1);
    config.register_upload_limit = args.register_max_mib.max(1) * 1024 * 1024;
    let state = AppState::new(store, config).await?;
    if seeded {
        demo::seed_survey(&state.store, &state.sync).await?;
        // The pilot was collected on the former tree; the demo serves it as it stands since
        // the 2025 reform.
        demo::seed_reform(&state.store).await?;
        tracing::info!("demo data seeded");
    }
    if args.demo {
        print_demo_accounts(&state.store).await?;
    }
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("binding {}", args.addr))?;
    tracing::info!(addr = %args.addr, backend = state.store.backend().name(), "khaosat listening");
    println!("khaosat listening on http://{}", args.addr);
    khaosat::serve(listener, state, shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

/// The demo accounts as the database has them now (after the reform their areas are not the
/// pilot's), without those disabled.
async fn print_demo_accounts(store: &Store) -> anyhow::Result<()> {
    println!("Demo users (password '{}'):", demo::DEMO_PASSWORD);
    for (username, ..) in demo::DEMO_USERS {
        let Some(user) = store.user_by_username(username).await? else {
            continue;
        };
        if user.disabled == 0 {
            println!(
                "  {username:<16} {:<11} scope {}",
                user.role,
                user.scope_unit.as_deref().unwrap_or("(all)")
            );
        }
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        tokio::signal::ctrl_c().await.ok();
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}

fn init_logging(filter: &str, format: LogFormat) -> anyhow::Result<()> {
    use tracing_subscriber::filter::FilterExt;
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    use tracing_subscriber::Layer;
    let filter =
        tracing_subscriber::EnvFilter::try_new(filter).context("invalid KHAOSAT_LOG filter")?;
    let filter = filter.and(personal_data_guard());
    let layer = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    let layer = match format {
        LogFormat::Pretty => layer.with_filter(filter).boxed(),
        LogFormat::Json => layer.json().with_filter(filter).boxed(),
    };
    tracing_subscriber::registry()
        .with(layer)
        .try_init()
        .context("starting the logger")?;
    Ok(())
}

/// A ceiling no `KHAOSAT_LOG` can lift: at `trace`, some dependencies dump what passes through
/// them (tungstenite every WebSocket frame in hex, automerge the operations of each change, axum
/// the text of rejected request bodies), and sync frames carry names, phone and citizen ID
/// numbers. Only khaosat's own events, which never carry such data, go below `debug`; the crates
/// that dump at `debug` or finer stay at `info`.
fn personal_data_guard() -> tracing_subscriber::filter::Targets {
    use tracing_subscriber::filter::{LevelFilter, Targets};
    Targets::new()
        .with_default(LevelFilter::DEBUG)
        .with_target("khaosat", LevelFilter::TRACE)
        .with_target("tungstenite", LevelFilter::INFO)
        .with_target("tokio_tungstenite", LevelFilter::INFO)
        .with_target("automerge", LevelFilter::INFO)
        .with_target("axum::rejection", LevelFilter::INFO)
}

/// glibc raises its mmap threshold after large blocks are freed, and then keeps them in its heap
/// for ever: a crowd of sign-ins (19 MiB of Argon2 memory each) left the server at 1.5 GiB of
/// RSS. A fixed threshold hands such blocks back to the system when they are freed.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn return_freed_memory() {
    // SAFETY: mallopt only tunes the allocator and takes its own locks; no memory is touched.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn return_freed_memory() {}
