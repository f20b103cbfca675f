//! The process's limits as a load generator sees them: the file-descriptor limit (raised to
//! the hard limit at start) and resident memory (from `/proc`, Linux).

/// The descriptor limit after [`raise_nofile`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Descriptors {
    /// The soft limit now in force.
    pub soft: u64,
    /// The hard limit.
    pub hard: u64,
    /// The soft limit before raising it.
    pub before: u64,
}

/// Descriptors kept aside for the runtime, files and listeners.
const RESERVED: u64 = 64;

impl Descriptors {
    /// About how many IMAP sessions fit (one descriptor each, a few kept aside for
    /// submissions in flight and the runtime).
    pub fn sessions(&self) -> u64 {
        self.soft.saturating_sub(RESERVED)
    }

    /// One line for the operator.
    pub fn describe(&self) -> String {
        let raised = if self.soft > self.before {
            format!("raised from {} to {}", self.before, self.soft)
        } else {
            format!("{}", self.soft)
        };
        format!(
            "open-file limit {raised} (hard {}): about {} concurrent sessions (one descriptor each; \
             a server in the same process needs as many again)",
            self.hard,
            self.sessions()
        )
    }
}

/// Raises the soft `RLIMIT_NOFILE` to the hard limit (where the platform has one).
pub fn raise_nofile() -> Descriptors {
    let (before, hard) = rlimit::getrlimit(rlimit::Resource::NOFILE).unwrap_or((1024, 1024));
    let soft = rlimit::increase_nofile_limit(hard).unwrap_or(before);
    Descriptors { soft, hard, before }
}

/// The resident set size of this process in bytes (`VmRSS` of `/proc/self/status`).
pub fn rss_bytes() -> Option<u64> {
    rss_of("self")
}

/// The resident set size of process `pid` (`self` for this one) in bytes.
pub fn rss_of(pid: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// CPU time (user and system) this process used so far, in seconds (`/proc/self/stat`,
/// counted in the kernel's fixed 100 Hz user ticks).
pub fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name may hold spaces: the fields that follow start after its `)`.
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of stat(5); `rest` starts at field 3.
    let user: f64 = fields.get(11)?.parse().ok()?;
    let system: f64 = fields.get(12)?.parse().ok()?;
    Some((user + system) / 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_soft_limit_reaches_the_hard_one() {
        let fds = raise_nofile();
        assert!(fds.soft >= fds.before);
        assert!(fds.soft <= fds.hard || fds.hard == u64::MAX);
        assert!(fds.describe().contains("concurrent sessions"));
        if cfg!(target_os = "linux") {
            assert!(rss_bytes().unwrap() > 0);
            let mut x = 0u64;
            for i in 0..20_000_000u64 {
                x = x.wrapping_mul(31).wrapping_add(i);
            }
            assert!(x != 1);
            assert!(cpu_seconds().unwrap() > 0.0);
        }
    }
}
