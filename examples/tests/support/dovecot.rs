//! A real Dovecot for the example tests, started by `scripts/servers/dovecot.sh` and stopped
//! by the PID the script recorded. Skips (returns `None`) when a tool is missing.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

pub fn repo_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

pub fn installed(program: &str) -> bool {
    Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {program}"))
        .output()
        .is_ok_and(|out| out.status.success())
}

/// A Dovecot started by the repo script, stopped (by the PID the script recorded) on drop.
pub struct Dovecot {
    dir: PathBuf,
    env: HashMap<String, String>,
}

impl Dovecot {
    pub fn start() -> Option<Dovecot> {
        for program in ["dovecot", "openssl", "python3"] {
            if !installed(program) {
                eprintln!("SKIP: {program} not installed");
                return None;
            }
        }
        // World-traversable parent (/tmp) as the script's README asks.
        let dir = std::env::temp_dir().join(format!(
            "groupwire-examples-dovecot-{}-{}",
            std::process::id(),
            next_id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("tls")).expect("create test dir");
        // The script's own certificate is a CA certificate (openssl req -x509 default), which
        // rustls refuses as a server certificate (CaUsedAsEndEntity); the script keeps an
        // existing DIR/tls/cert.pem, so give it a leaf (CA:FALSE) certificate.
        let made = Command::new("openssl")
            .args([
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            ])
            .args(["-subj", "/CN=localhost"])
            .args(["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
            .args(["-addext", "basicConstraints=critical,CA:FALSE"])
            .arg("-keyout")
            .arg(dir.join("tls/key.pem"))
            .arg("-out")
            .arg(dir.join("tls/cert.pem"))
            .output()
            .expect("run openssl");
        assert!(
            made.status.success(),
            "openssl: {}",
            String::from_utf8_lossy(&made.stderr)
        );
        let out = Command::new(repo_root().join("scripts/servers/dovecot.sh"))
            .arg("start")
            .arg(&dir)
            .output()
            .expect("run dovecot.sh");
        let stderr = String::from_utf8_lossy(&out.stderr);
        if !out.status.success() {
            if let Some(reason) = stderr.lines().find(|l| l.starts_with("SKIP:")) {
                eprintln!("SKIP: {reason}");
                return None;
            }
            panic!("dovecot.sh start failed: {stderr}");
        }
        let env = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|line| line.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Some(Dovecot { dir, env })
    }

    pub fn get(&self, key: &str) -> &str {
        self.env
            .get(key)
            .unwrap_or_else(|| panic!("dovecot.sh printed no {key}"))
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        let _ = Command::new(repo_root().join("scripts/servers/dovecot.sh"))
            .arg("stop")
            .arg(&self.dir)
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Distinguishes several Dovecots started by one test process.
fn next_id() -> usize {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}
