//! `groupwire load reference --workers 2`: two processes serve the same IMAPS port through
//! `SO_REUSEPORT`; connections to it land on both (counted from /proc: each worker owns
//! established sockets on the port), a load run of 16 users through the shared ports passes
//! (both workers present the one certificate of the target file), and
//! stopping the first worker stops the second. Linux only (/proc).
#![cfg(target_os = "linux")]

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const PASSWORD: &str = "workers-secret-1";

/// The inodes of established TCP sockets whose local port is `port`.
fn established_inodes(port: u16) -> HashSet<u64> {
    let mut inodes = HashSet::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let Ok(text) = std::fs::read_to_string(table) else {
            continue;
        };
        for line in text.lines().skip(1) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let (Some(local), Some(state), Some(inode)) =
                (fields.get(1), fields.get(3), fields.get(9))
            else {
                continue;
            };
            let local_port = local
                .rsplit(':')
                .next()
                .and_then(|hex| u16::from_str_radix(hex, 16).ok());
            if local_port == Some(port)
                && *state == "01"
                && let Ok(inode) = inode.parse()
            {
                inodes.insert(inode);
            }
        }
    }
    inodes
}

/// How many of `inodes` process `pid` holds open.
fn sockets_of(pid: u32, inodes: &HashSet<u64>) -> usize {
    let Ok(entries) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|entry| std::fs::read_link(entry.path()).ok())
        .filter_map(|target| {
            let text = target.to_string_lossy().to_string();
            text.strip_prefix("socket:[")?
                .strip_suffix(']')?
                .parse::<u64>()
                .ok()
        })
        .filter(|inode| inodes.contains(inode))
        .count()
}

fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        !stat
            .rsplit(')')
            .next()
            .unwrap_or("")
            .trim_start()
            .starts_with('Z')
    })
}

fn port_of(target: &str, key: &str) -> u16 {
    let line = target
        .lines()
        .find(|line| line.starts_with(key))
        .unwrap_or_else(|| panic!("{key} in {target}"));
    line.trim_end_matches('"')
        .rsplit(':')
        .next()
        .and_then(|p| p.split('/').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("a port in {line}"))
}

#[test]
fn two_workers_share_one_port_and_both_get_connections() {
    let dir = std::env::temp_dir().join(format!("groupwire-load-workers-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let target = dir.join("target.toml");
    let mut reference = Command::new(env!("CARGO_BIN_EXE_groupwire"))
        .args([
            "load",
            "reference",
            "--accounts",
            "user{01..16}@example.test",
        ])
        .args(["--password-env", "WORKERS_PASSWORD", "--workers", "2"])
        .arg("--write-target")
        .arg(&target)
        .env("WORKERS_PASSWORD", PASSWORD)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("groupwire load reference starts");
    let mut lines = BufReader::new(reference.stdout.take().unwrap()).lines();
    let mut pids = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(list) = line.split("pids ").nth(1) {
            pids = list.split(' ').map(|p| p.parse::<u32>().unwrap()).collect();
            break;
        }
    }
    assert_eq!(pids.len(), 2, "two worker pids");
    assert_eq!(pids[0], reference.id());
    let text = std::fs::read_to_string(&target).unwrap();
    let imaps = port_of(&text, "imap =");
    let caldav = port_of(&text, "caldav =");
    assert!(caldav > 0 && caldav != imaps, "{text}");

    // 48 connections to the one port: the kernel spreads them over both workers.
    let connections: Vec<std::net::TcpStream> = (0..48)
        .map(|_| std::net::TcpStream::connect(("127.0.0.1", imaps)).unwrap())
        .collect();
    let deadline = Instant::now() + Duration::from_secs(10);
    let counts = loop {
        let inodes = established_inodes(imaps);
        let counts: Vec<usize> = pids.iter().map(|pid| sockets_of(*pid, &inodes)).collect();
        if counts.iter().sum::<usize>() == connections.len() || Instant::now() > deadline {
            break counts;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(
        counts.iter().sum::<usize>(),
        48,
        "every connection accepted: {counts:?}"
    );
    assert!(
        counts.iter().all(|n| *n > 0),
        "both workers got connections: {counts:?}"
    );
    drop(connections);

    // A load run through the shared ports: every user logs in and holds IDLE, wherever the
    // kernel sends it.
    let status = Command::new(env!("CARGO_BIN_EXE_groupwire"))
        .arg("load")
        .arg(&target)
        .args([
            "--accounts",
            "user{01..16}@example.test",
            "--password-env",
            "WORKERS_PASSWORD",
        ])
        .args(["--mix", "idle", "--duration", "2s", "--ramp", "0s"])
        .arg("--output")
        .arg(dir.join("idle.json"))
        .env("WORKERS_PASSWORD", PASSWORD)
        .current_dir(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "the idle run through the workers passes");
    // 16 sessions spread over both workers (all on one: 2 in 65,536), every TLS handshake
    // trusting the one certificate in the target file.
    let result: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("idle.json")).unwrap()).unwrap();
    assert_eq!(result["sessions_peak"], 16, "{result}");
    assert_eq!(result["actions"]["imap.login"]["failed"], 0, "{result}");

    // Stopping the first worker stops the other.
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(reference.id().to_string())
        .status();
    let deadline = Instant::now() + Duration::from_secs(20);
    while reference.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "the first worker stops");
        std::thread::sleep(Duration::from_millis(100));
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while alive(pids[1]) {
        assert!(Instant::now() < deadline, "the second worker stops");
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = std::fs::remove_dir_all(Path::new(&dir));
}
