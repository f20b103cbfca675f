//! The run's users: the target's accounts, or many from a pattern such as
//! `user{0001..5000}@example.org` sharing one password source; and the slice a shard runs.

use std::fmt;

use crate::target::{Account, Secret};

/// Users could not be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountError(pub String);

impl fmt::Display for AccountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for AccountError {}

/// One simulated user: login, mail address, password.
#[derive(Debug, Clone)]
pub struct User {
    /// Index in the whole run (across shards).
    pub index: usize,
    /// The login name.
    pub login: String,
    /// The mail address (RCPT TO, the tracker's key).
    pub address: String,
    /// The password.
    pub password: Secret,
}

/// Expands `prefix{FROM..TO}suffix`; the width of `FROM` as written is kept (`{0001..0003}`
/// gives `0001`, `0002`, `0003`). A pattern without braces is one login.
pub fn expand_pattern(pattern: &str) -> Result<Vec<String>, AccountError> {
    let Some(open) = pattern.find('{') else {
        return Ok(vec![pattern.to_string()]);
    };
    let bad = |why: &str| AccountError(format!("account pattern {pattern:?}: {why}"));
    let close = pattern[open..]
        .find('}')
        .map(|at| open + at)
        .ok_or_else(|| bad("no closing brace"))?;
    let (prefix, rest) = pattern.split_at(open);
    let range = &rest[1..close - open];
    let suffix = &pattern[close + 1..];
    if suffix.contains('{') {
        return Err(bad("only one {FROM..TO} range is supported"));
    }
    let (from, to) = range
        .split_once("..")
        .ok_or_else(|| bad("expected {FROM..TO}"))?;
    let width = from.len();
    let from: u64 = from.parse().map_err(|_| bad("FROM is not a number"))?;
    let to: u64 = to.parse().map_err(|_| bad("TO is not a number"))?;
    if to < from {
        return Err(bad("TO is below FROM"));
    }
    if to - from >= 10_000_000 {
        return Err(bad("more than 10,000,000 accounts"));
    }
    Ok((from..=to)
        .map(|n| format!("{prefix}{n:0width$}{suffix}"))
        .collect())
}

/// The users of a run: from `pattern` with `password` when given, else the target's accounts;
/// at most `count` of them when `count` is not 0 (then the pattern must yield enough).
pub fn users(
    pattern: Option<&str>,
    password: Option<Secret>,
    target_accounts: &[Account],
    count: usize,
) -> Result<Vec<User>, AccountError> {
    let mut users: Vec<User> = match pattern {
        Some(pattern) => {
            let password = password.ok_or_else(|| {
                AccountError(
                    "--accounts needs a password source: --password-env VAR or --password-file FILE"
                        .into(),
                )
            })?;
            expand_pattern(pattern)?
                .into_iter()
                .enumerate()
                .map(|(index, login)| User {
                    index,
                    address: login.clone(),
                    login,
                    password: password.clone(),
                })
                .collect()
        }
        None => target_accounts
            .iter()
            .enumerate()
            .map(|(index, account)| User {
                index,
                login: account.user.clone(),
                address: account.address.clone(),
                password: account.password.clone(),
            })
            .collect(),
    };
    if users.is_empty() {
        return Err(AccountError(
            "no accounts: give --accounts PATTERN or [[account]] entries in the target".into(),
        ));
    }
    if count > 0 {
        if users.len() < count {
            return Err(AccountError(format!(
                "--users {count} but only {} accounts",
                users.len()
            )));
        }
        users.truncate(count);
    }
    Ok(users)
}

/// `--shard K/N`: the K-th (0-based) of N contiguous slices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Shard {
    /// This shard, `0..count`.
    pub index: usize,
    /// How many shards.
    pub count: usize,
}

impl Shard {
    /// The whole run.
    pub const WHOLE: Shard = Shard { index: 0, count: 1 };

    /// Parses `K/N` (0-based K).
    pub fn parse(text: &str) -> Result<Shard, AccountError> {
        let bad = || AccountError(format!("--shard {text:?}: expected K/N with 0 <= K < N"));
        let (k, n) = text.split_once('/').ok_or_else(bad)?;
        let index: usize = k.trim().parse().map_err(|_| bad())?;
        let count: usize = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// The index range of this shard's slice of `total` users.
    pub fn range(&self, total: usize) -> std::ops::Range<usize> {
        let start = total * self.index / self.count;
        let end = total * (self.index + 1) / self.count;
        start..end
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_keep_their_width() {
        let logins = expand_pattern("user{0001..0003}@example.org").unwrap();
        assert_eq!(
            logins,
            vec![
                "user0001@example.org",
                "user0002@example.org",
                "user0003@example.org"
            ]
        );
        assert_eq!(expand_pattern("u{8..10}").unwrap(), vec!["u8", "u9", "u10"]);
        assert!(expand_pattern("u{3..1}").is_err());
        assert!(expand_pattern("u{1..2").is_err());
        assert!(expand_pattern("u{a..b}").is_err());
    }

    #[test]
    fn shards_cover_every_user_once() {
        for total in [0usize, 1, 7, 50, 5000] {
            let mut covered = Vec::new();
            for index in 0..4 {
                covered.extend(Shard { index, count: 4 }.range(total));
            }
            assert_eq!(covered, (0..total).collect::<Vec<_>>());
        }
        assert_eq!(Shard::parse("2/4").unwrap(), Shard { index: 2, count: 4 });
        assert!(Shard::parse("4/4").is_err());
        assert!(Shard::parse("1/0").is_err());
    }

    #[test]
    fn a_pattern_needs_a_password() {
        assert!(users(Some("u{1..2}"), None, &[], 0).is_err());
        let users = users(Some("u{1..5}"), Some(Secret::new("pw")), &[], 3).unwrap();
        assert_eq!(users.len(), 3);
        assert_eq!(users[2].address, "u3");
    }
}
