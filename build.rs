//! Builds the PWA (`npm ci && npm run build` in pwa/) so that `cargo run` serves a working app
//! on a fresh machine. Skipped when pwa/dist is newer than every source file, or when
//! KHAOSAT_SKIP_PWA_BUILD is set; a failed build leaves a warning and the server serves a page
//! saying the app is missing (the API and sync work regardless).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

fn newest(path: &Path) -> Option<SystemTime> {
    let meta = std::fs::metadata(path).ok()?;
    if meta.is_file() {
        return meta.modified().ok();
    }
    let mut best = None;
    for entry in std::fs::read_dir(path).ok()?.flatten() {
        let name = entry.file_name();
        if name == "node_modules" || name == "dist" {
            continue;
        }
        best = best.max(newest(&entry.path()));
    }
    best
}

fn main() {
    let pwa = PathBuf::from("pwa");
    for watched in [
        "pwa/src",
        "pwa/public",
        "pwa/index.html",
        "pwa/package.json",
        "pwa/package-lock.json",
        "pwa/vite.config.ts",
        "pwa/tsconfig.json",
    ] {
        println!("cargo:rerun-if-changed={watched}");
    }
    // A missing build output also makes this script run again (a fresh clone, a deleted dist).
    println!("cargo:rerun-if-changed=pwa/dist/index.html");
    println!("cargo:rerun-if-env-changed=KHAOSAT_SKIP_PWA_BUILD");
    if std::env::var_os("KHAOSAT_SKIP_PWA_BUILD").is_some() || !pwa.join("package.json").exists() {
        return;
    }
    let built = std::fs::metadata(pwa.join("dist/index.html"))
        .and_then(|m| m.modified())
        .ok();
    if built.is_some() && built >= newest(&pwa) {
        return;
    }
    let npm = |args: &[&str]| Command::new("npm").args(args).current_dir(&pwa).status();
    let install = if pwa.join("node_modules").exists() {
        Ok(())
    } else {
        run(npm(&["ci", "--no-audit", "--no-fund"]))
    };
    if let Err(e) = install.and_then(|()| run(npm(&["run", "build"]))) {
        println!("cargo:warning=the PWA was not built ({e}); the server will say so at /. Build it with `npm ci && npm run build` in pwa/.");
    }
}

fn run(status: std::io::Result<std::process::ExitStatus>) -> Result<(), String> {
    match status {
        Ok(s) if s.success() => Ok(()),
        Ok(s) => Err(format!("npm exited with {s}")),
        Err(e) => Err(format!("npm not found: {e}")),
    }
}
