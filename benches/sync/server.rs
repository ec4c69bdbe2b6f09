//! The servers under test, each a child process of the harness so that its peak memory and CPU
//! time can be read from /proc: khaosat (`khaosat serve`, the release binary) over a throw-away
//! database, and the stock `@automerge/automerge-repo-sync-server` (Node, file storage).

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::process::{Child, Command};

use crate::setup::JWT_SECRET;

/// The khaosat binary: KHAOSAT_BIN, else the one Cargo built with this benchmark (Cargo builds
/// a package's binaries for its benches, in the same profile: `cargo bench` → release).
pub fn khaosat_bin() -> Result<PathBuf, String> {
    let bin = match std::env::var("KHAOSAT_BIN") {
        Ok(bin) => PathBuf::from(bin),
        Err(_) => PathBuf::from(env!("CARGO_BIN_EXE_khaosat")),
    };
    if !bin.exists() {
        return Err(format!(
            "{} is missing: build it (`cargo bench --bench sync --no-run`) or set KHAOSAT_BIN",
            bin.display()
        ));
    }
    Ok(bin)
}

/// The stock sync server's entry point, installed by `npm ci` in tests/node (pinned there as a
/// devDependency) when it is missing.
pub fn stock_entry() -> Result<PathBuf, String> {
    let node_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/node");
    let entry = node_dir.join("node_modules/@automerge/automerge-repo-sync-server/src/index.js");
    if !entry.exists() {
        eprintln!(
            "installing the stock sync server: npm ci in {}",
            node_dir.display()
        );
        let status = std::process::Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&node_dir)
            .stdout(Stdio::null())
            .status()
            .map_err(|e| format!("running npm ci: {e}"))?;
        if !status.success() || !entry.exists() {
            return Err(format!(
                "npm ci in {} failed ({status})",
                node_dir.display()
            ));
        }
    }
    Ok(entry)
}

/// Servers started and not yet stopped, killed by `kill_all` if the harness must give up.
static RUNNING: std::sync::Mutex<Vec<u32>> = std::sync::Mutex::new(Vec::new());

fn running(pid: u32, alive: bool) {
    if let Ok(mut pids) = RUNNING.lock() {
        pids.retain(|p| *p != pid);
        if alive {
            pids.push(pid);
        }
    }
}

/// Kills every server this harness started that is still running (before a forced exit).
pub fn kill_all() {
    let pids = RUNNING.lock().map(|p| p.clone()).unwrap_or_default();
    for pid in pids {
        std::process::Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status()
            .ok();
    }
}

/// A port that was free a moment ago.
fn free_port() -> Result<u16, String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")
        .map_err(|e| format!("binding 127.0.0.1:0: {e}"))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| e.to_string())
}

/// Memory and CPU of a process, from /proc.
#[derive(Clone, Copy, Debug, Default)]
pub struct ProcStats {
    /// Resident set now, in KiB.
    pub rss_kib: u64,
    /// Peak resident set (VmHWM) since start or the last `reset_peak`, in KiB.
    pub peak_kib: u64,
    /// User + system CPU time, in seconds.
    pub cpu_secs: f64,
}

fn clock_ticks() -> f64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(100.0)
}

pub fn proc_stats(pid: u32) -> Result<ProcStats, String> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .map_err(|e| format!("reading /proc/{pid}/status: {e}"))?;
    let kib = |key: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map_err(|e| format!("reading /proc/{pid}/stat: {e}"))?;
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| {
        fields
            .get(i - 3)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    Ok(ProcStats {
        rss_kib: kib("VmRSS:"),
        peak_kib: kib("VmHWM:"),
        cpu_secs: (ticks(14) + ticks(15)) / clock_ticks(),
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavour {
    Ours,
    Stock,
}

/// A running server.
pub struct ServerProcess {
    pub flavour: Flavour,
    child: Child,
    pub pid: u32,
    pub port: u16,
    /// From spawn to the first healthy HTTP answer.
    pub startup: Duration,
}

impl ServerProcess {
    /// `khaosat serve` over `database_url` (already migrated and seeded).
    pub async fn start_ours(database_url: &str) -> Result<ServerProcess, String> {
        let bin = khaosat_bin()?;
        let port = free_port()?;
        let mut cmd = Command::new(&bin);
        cmd.args(["serve", "--addr", &format!("127.0.0.1:{port}")])
            .env("KHAOSAT_DATABASE_URL", database_url)
            .env("KHAOSAT_JWT_SECRET", JWT_SECRET)
            .env(
                "KHAOSAT_LOG",
                std::env::var("KHAOSAT_LOG").unwrap_or_else(|_| "warn".into()),
            )
            // Every phone signs in from 127.0.0.1: lift the per-address sign-in limit.
            .env("KHAOSAT_LOGIN_IP_PER_MINUTE", "1000000");
        Self::spawn(Flavour::Ours, cmd, port, "/healthz").await
    }

    /// The stock sync server storing into `data_dir`.
    pub async fn start_stock(data_dir: &Path) -> Result<ServerProcess, String> {
        let entry = stock_entry()?;
        let port = free_port()?;
        let mut cmd = Command::new("node");
        cmd.arg(&entry)
            .env("PORT", port.to_string())
            .env("DATA_DIR", data_dir)
            .current_dir(data_dir.parent().unwrap_or(data_dir));
        Self::spawn(Flavour::Stock, cmd, port, "/").await
    }

    async fn spawn(
        flavour: Flavour,
        mut cmd: Command,
        port: u16,
        health: &str,
    ) -> Result<ServerProcess, String> {
        let started = Instant::now();
        let child = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("starting {flavour:?} server: {e}"))?;
        let pid = child.id().ok_or("the server exited at once")?;
        running(pid, true);
        let mut server = ServerProcess {
            flavour,
            child,
            pid,
            port,
            startup: Duration::ZERO,
        };
        let client = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(5))
            .build()
            .map_err(|e| format!("HTTP client: {e}"))?;
        let url = format!("http://127.0.0.1:{port}{health}");
        loop {
            if let Ok(resp) = client.get(&url).send().await {
                if resp.status().is_success() {
                    break;
                }
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                return Err(format!(
                    "{flavour:?} server exited during start-up: {status}"
                ));
            }
            if started.elapsed() > Duration::from_secs(120) {
                return Err(format!("{flavour:?} server not healthy after 120 s"));
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        server.startup = started.elapsed();
        Ok(server)
    }

    pub fn http_base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn addr(&self) -> std::net::SocketAddr {
        std::net::SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    pub fn stats(&self) -> Result<ProcStats, String> {
        proc_stats(self.pid)
    }

    /// Resets the peak resident set (VmHWM) to the current one (Linux ≥ 4.0, clear_refs 5).
    pub fn reset_peak(&self) -> Result<(), String> {
        std::fs::write(format!("/proc/{}/clear_refs", self.pid), "5")
            .map_err(|e| format!("resetting the peak RSS of {}: {e}", self.pid))
    }

    /// SIGTERM (khaosat finishes in-flight work and stops), then SIGKILL after 30 s.
    pub async fn stop(mut self) -> Result<(), String> {
        let result = self.terminate().await;
        running(self.pid, false);
        result
    }

    async fn terminate(&mut self) -> Result<(), String> {
        let term = std::process::Command::new("kill")
            .args(["-TERM", &self.pid.to_string()])
            .status();
        if term.is_ok() {
            if let Ok(status) =
                tokio::time::timeout(Duration::from_secs(30), self.child.wait()).await
            {
                return match status {
                    Ok(s) if s.success() || self.flavour == Flavour::Stock => Ok(()),
                    Ok(s) => Err(format!("khaosat stopped with {s}")),
                    Err(e) => Err(format!("waiting for the server: {e}")),
                };
            }
        }
        self.child.kill().await.ok();
        Err(format!(
            "{:?} server did not stop on SIGTERM within 30 s",
            self.flavour
        ))
    }
}

/// Bytes of the files under `path` (a database file and its -wal/-shm, or a directory).
pub fn disk_bytes(path: &Path) -> u64 {
    let Ok(meta) = std::fs::metadata(path) else {
        return 0;
    };
    if meta.is_file() {
        return meta.len();
    }
    std::fs::read_dir(path)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| disk_bytes(&e.path()))
                .sum()
        })
        .unwrap_or(0)
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        // The child itself is killed on drop (kill_on_drop) if it still runs.
        running(self.pid, false);
    }
}
