//! Starts the repository's real test servers (`scripts/servers/<name>.sh`) for integration
//! tests, std only. Include with `#[path = "support/servers.rs"] mod servers;`.
//!
//! `RealServer::start("dovecot")` runs `scripts/servers/dovecot.sh start <tempdir>`, parses
//! the `KEY=VALUE` lines it prints (ports, pid, certificate path, test users) and returns a
//! guard that runs `stop <tempdir>` when dropped. It returns `None`, after printing why, when
//! the server is not installed, so tests skip instead of failing on machines without it
//! (CI installs every server from scripts/debian-packages.txt, so CI never skips).
//!
//! Postfix has one system-wide configuration, so only one may run on a machine: starting it
//! takes an exclusive lock on [`POSTFIX_LOCK`] (waiting for any other holder, in this or
//! another test process) that the guard keeps until Postfix is stopped.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The lock file every Postfix start waits for (see the module docs).
pub const POSTFIX_LOCK: &str = "/tmp/groupwire-postfix.lock";

/// A running server started by a repository script; stopped on drop.
#[derive(Debug)]
pub struct RealServer {
    name: String,
    dir: PathBuf,
    /// Every `KEY=VALUE` line the starter printed.
    pub env: HashMap<String, String>,
    /// Held while the server runs (Postfix: [`POSTFIX_LOCK`]); released after the stop.
    _lock: Option<std::fs::File>,
}

/// Repository root (the parent of this crate's manifest directory).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}

/// Binaries whose absence means "skip": the starter cannot work without them.
fn required_binaries(name: &str) -> &'static [&'static str] {
    match name {
        "dovecot" => &["/usr/sbin/dovecot"],
        "postfix" => &["/usr/lib/postfix/sbin/master", "/usr/sbin/dovecot"],
        "apache" => &["/usr/sbin/apache2"],
        "radicale" => &[],
        _ => &[],
    }
}

impl RealServer {
    /// Starts `scripts/servers/<name>.sh` in a fresh temporary directory. `None` (with the
    /// reason printed) when the server is not installed or the starter reports `SKIP:`;
    /// panics when an installed server fails to start, because that is a real failure.
    pub fn start(name: &str) -> Option<RealServer> {
        RealServer::start_with(name, &[])
    }

    /// [`RealServer::start`] with extra environment for the starter, e.g.
    /// `[("HARDENED", "1")]`.
    pub fn start_with(name: &str, env: &[(&str, &str)]) -> Option<RealServer> {
        let script = repo_root()
            .join("scripts/servers")
            .join(format!("{name}.sh"));
        if !script.exists() {
            eprintln!("skip: {} does not exist", script.display());
            return None;
        }
        if let Some(missing) = required_binaries(name)
            .iter()
            .find(|b| !Path::new(b).exists())
        {
            eprintln!("skip: {name} is not installed ({missing} missing)");
            return None;
        }
        let lock = if name == "postfix" {
            Some(lock_exclusive(Path::new(POSTFIX_LOCK)))
        } else {
            None
        };
        let dir = unique_temp_dir(name);
        let output = Command::new("bash")
            .arg(&script)
            .arg("start")
            .arg(&dir)
            .envs(env.iter().copied())
            .output()
            .ok()?;
        let stderr = String::from_utf8_lossy(&output.stderr).to_string();
        if !output.status.success() {
            if let Some(reason) = stderr.lines().find(|l| l.starts_with("SKIP:")) {
                eprintln!("skip: {name}: {reason}");
                let _ = std::fs::remove_dir_all(&dir);
                return None;
            }
            // Leave nothing running behind a half-started server.
            let _ = Command::new("bash")
                .arg(&script)
                .arg("stop")
                .arg(&dir)
                .output();
            panic!("{name} did not start: {stderr}");
        }
        let env = parse_env(&String::from_utf8_lossy(&output.stdout));
        Some(RealServer {
            name: name.to_string(),
            dir,
            env,
            _lock: lock,
        })
    }

    /// A value the starter printed, e.g. `server.get("IMAP_PORT")`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.env.get(key).map(String::as_str)
    }

    /// A port the starter printed.
    pub fn port(&self, key: &str) -> Option<u16> {
        self.get(key)?.parse().ok()
    }

    /// The server's private directory (config, logs, data).
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl Drop for RealServer {
    fn drop(&mut self) {
        let script = repo_root()
            .join("scripts/servers")
            .join(format!("{}.sh", self.name));
        let _ = Command::new("bash")
            .arg(script)
            .arg("stop")
            .arg(&self.dir)
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Opens (creating) `path` and waits for an exclusive lock on it.
fn lock_exclusive(path: &Path) -> std::fs::File {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .unwrap_or_else(|error| panic!("cannot open {}: {error}", path.display()));
    file.lock()
        .unwrap_or_else(|error| panic!("cannot lock {}: {error}", path.display()));
    file
}

/// `KEY=VALUE` lines; other lines are ignored. Later keys win.
pub fn parse_env(text: &str) -> HashMap<String, String> {
    text.lines()
        .filter_map(|line| line.split_once('='))
        .filter(|(key, _)| {
            !key.is_empty()
                && key
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        })
        .map(|(key, value)| (key.to_string(), value.to_string()))
        .collect()
}

fn unique_temp_dir(name: &str) -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("groupwire-{name}-{}-{n}", std::process::id()))
}
