//! Mixes: what simulated users do, as data (`conformance/mixes/*.toml`, like profiles).
//!
//! ```toml
//! name = "mobile"
//! description = "..."
//! [arrival]
//! model = "closed"            # or "open" with rate = 20.0 (sessions per second)
//! actions_per_session = 4     # 0: one session for the whole run
//! pause = "3s"                # between two sessions of one user (closed model)
//! sessions_per_user = 0       # closed model: 0 for as many as the duration allows
//! [[action]]
//! kind = "imap.sync"          # see ActionKind
//! weight = 10
//! think = "200ms"             # after the action (jittered ±50 %; IDLE: how long it is held)
//! size = "4KB"                # imap.append and smtp.submit: the message size
//! path = "{user}/default/"    # caldav.sync, carddav.sync: the collection under the base URL
//! ```

use std::fmt;
use std::time::Duration;

use serde::Deserialize;

/// The built-in mixes, by name.
pub const BUILT_IN: &[(&str, &str)] = &[
    ("thunderbird", include_str!("../../mixes/thunderbird.toml")),
    ("mobile", include_str!("../../mixes/mobile.toml")),
    ("webmail", include_str!("../../mixes/webmail.toml")),
    ("smtp-burst", include_str!("../../mixes/smtp-burst.toml")),
    ("idle", include_str!("../../mixes/idle.toml")),
];

/// A mix could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MixError(pub String);

impl fmt::Display for MixError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for MixError {}

/// What one action does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
pub enum ActionKind {
    /// `IDLE` on INBOX for the think time, or until an update (then `imap.sync`).
    #[serde(rename = "imap.idle")]
    ImapIdle,
    /// `NOOP`, then `UID FETCH last+1:* (UID FLAGS ENVELOPE)` on INBOX: new mail, seen by the
    /// tracker.
    #[serde(rename = "imap.sync")]
    ImapSync,
    /// Resyncs the action's `folders`, then INBOX: with QRESYNC, `SELECT folder (QRESYNC
    /// (uidvalidity modseq))`, consuming `VANISHED (EARLIER)` and the changed FETCHes; with
    /// CONDSTORE only, `UID FETCH 1:* (UID FLAGS MODSEQ) (CHANGEDSINCE m)` on INBOX; else a
    /// full `UID FETCH 1:* (UID FLAGS)`. What the session knew plus what it got must be what
    /// the folder holds, and the flags sessions set must be there.
    #[serde(rename = "imap.resync")]
    ImapResync,
    /// `UID FETCH` of the newest 20 messages' `(UID ENVELOPE RFC822.SIZE)`.
    #[serde(rename = "imap.fetch-headers")]
    ImapFetchHeaders,
    /// `UID FETCH uid BODY.PEEK[]` of one known message.
    #[serde(rename = "imap.fetch-body")]
    ImapFetchBody,
    /// `UID STORE uid +FLAGS/-FLAGS (\Flagged)`: toggles the flag of one known message.
    #[serde(rename = "imap.flag")]
    ImapFlag,
    /// `APPEND` a message of `size` to Sent.
    #[serde(rename = "imap.append")]
    ImapAppend,
    /// `UID MOVE` the oldest known INBOX message to Trash.
    #[serde(rename = "imap.move")]
    ImapMove,
    /// A submission session: one message of `size` to another user of the run.
    #[serde(rename = "smtp.submit")]
    SmtpSubmit,
    /// `REPORT sync-collection` on the user's calendar (`path` under the target's `caldav`).
    #[serde(rename = "caldav.sync")]
    CaldavSync,
    /// `REPORT sync-collection` on the user's address book (under the target's `carddav`).
    #[serde(rename = "carddav.sync")]
    CarddavSync,
}

impl ActionKind {
    /// The name used in reports and SLOs (`imap.fetch-body`).
    pub fn name(self) -> &'static str {
        match self {
            ActionKind::ImapIdle => "imap.idle",
            ActionKind::ImapSync => "imap.sync",
            ActionKind::ImapResync => "imap.resync",
            ActionKind::ImapFetchHeaders => "imap.fetch-headers",
            ActionKind::ImapFetchBody => "imap.fetch-body",
            ActionKind::ImapFlag => "imap.flag",
            ActionKind::ImapAppend => "imap.append",
            ActionKind::ImapMove => "imap.move",
            ActionKind::SmtpSubmit => "smtp.submit",
            ActionKind::CaldavSync => "caldav.sync",
            ActionKind::CarddavSync => "carddav.sync",
        }
    }

    /// Whether the action needs the user's IMAP session.
    pub fn is_imap(self) -> bool {
        !matches!(
            self,
            ActionKind::SmtpSubmit | ActionKind::CaldavSync | ActionKind::CarddavSync
        )
    }
}

/// How sessions arrive.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Arrival {
    /// Each user runs one session after another, `pause` apart.
    Closed {
        /// The pause between two sessions of one user.
        pause: Duration,
        /// Sessions per user (0: until the run ends). With a fixed `actions_per_session`
        /// every user does a fixed amount of work, the same whatever the sharding.
        sessions_per_user: u32,
    },
    /// Sessions arrive at `rate` per second, each with a user that is not busy.
    Open {
        /// Sessions per second at full rate.
        rate: f64,
    },
}

/// One weighted action of a mix.
#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    /// What it does.
    pub kind: ActionKind,
    /// Its relative weight.
    pub weight: u32,
    /// Think time after it (for IDLE: how long it is held at most).
    pub think: Duration,
    /// Message size for APPEND and submission.
    pub size: usize,
    /// DAV actions: the collection path under the target's base URL (`{user}`, `{address}`).
    pub path: String,
    /// `imap.resync`: the folders resynced besides INBOX, in order (INBOX comes last, so it
    /// is selected again afterwards); a folder missing on the server is created.
    pub folders: Vec<String>,
    /// `imap.resync`: whether QRESYNC (RFC 7162 §3.2.5) is used when the server offers it;
    /// `false` keeps to CONDSTORE's `CHANGEDSINCE` (true unless the mix says otherwise).
    pub qresync: bool,
}

/// A mix.
#[derive(Debug, Clone, PartialEq)]
pub struct Mix {
    /// Its name.
    pub name: String,
    /// One sentence.
    pub description: String,
    /// The arrival model.
    pub arrival: Arrival,
    /// Actions per session (0: the session lasts the whole run).
    pub actions_per_session: u32,
    /// The actions.
    pub actions: Vec<Action>,
    total_weight: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MixFile {
    name: String,
    #[serde(default)]
    description: String,
    arrival: ArrivalFile,
    #[serde(rename = "action")]
    actions: Vec<ActionFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ArrivalFile {
    model: String,
    #[serde(default)]
    rate: Option<f64>,
    #[serde(default)]
    actions_per_session: u32,
    #[serde(default)]
    pause: Option<String>,
    #[serde(default)]
    sessions_per_user: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ActionFile {
    kind: ActionKind,
    weight: u32,
    #[serde(default)]
    think: Option<String>,
    #[serde(default)]
    size: Option<String>,
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    folders: Vec<String>,
    #[serde(default)]
    qresync: Option<bool>,
}

impl Mix {
    /// A built-in mix by name, or a mix TOML file.
    pub fn load(name_or_path: &str) -> Result<Mix, MixError> {
        if let Some((_, text)) = BUILT_IN.iter().find(|(name, _)| *name == name_or_path) {
            return Mix::parse(text);
        }
        let text = std::fs::read_to_string(name_or_path).map_err(|error| {
            let names: Vec<&str> = BUILT_IN.iter().map(|(name, _)| *name).collect();
            MixError(format!(
                "no built-in mix {name_or_path:?} ({}) and cannot read it as a file: {error}",
                names.join(", ")
            ))
        })?;
        Mix::parse(&text)
    }

    /// Parses a mix TOML document.
    pub fn parse(text: &str) -> Result<Mix, MixError> {
        let file: MixFile =
            toml::from_str(text).map_err(|error| MixError(format!("invalid mix: {error}")))?;
        let arrival = match file.arrival.model.as_str() {
            "closed" => Arrival::Closed {
                pause: parse_duration(file.arrival.pause.as_deref().unwrap_or("1s"))?,
                sessions_per_user: file.arrival.sessions_per_user,
            },
            "open" => {
                let rate = file.arrival.rate.unwrap_or(0.0);
                if !(rate > 0.0 && rate.is_finite()) {
                    return Err(MixError("an open model needs rate > 0".into()));
                }
                Arrival::Open { rate }
            }
            other => {
                return Err(MixError(format!(
                    "arrival model {other:?}: expected closed or open"
                )));
            }
        };
        if matches!(arrival, Arrival::Open { .. }) && file.arrival.actions_per_session == 0 {
            return Err(MixError(
                "an open model needs actions_per_session > 0 (sessions must end)".into(),
            ));
        }
        let mut actions = Vec::new();
        for action in file.actions {
            actions.push(Action {
                kind: action.kind,
                weight: action.weight,
                think: parse_duration(action.think.as_deref().unwrap_or("0s"))?,
                size: parse_size(action.size.as_deref().unwrap_or("2KB"))?,
                path: action.path.unwrap_or_else(|| "{user}/default/".to_string()),
                folders: action
                    .folders
                    .into_iter()
                    .filter(|f| !f.eq_ignore_ascii_case("INBOX"))
                    .collect(),
                qresync: action.qresync.unwrap_or(true),
            });
        }
        let total_weight: u64 = actions.iter().map(|a| u64::from(a.weight)).sum();
        if total_weight == 0 {
            return Err(MixError(
                "a mix needs at least one action of weight > 0".into(),
            ));
        }
        Ok(Mix {
            name: file.name,
            description: file.description,
            arrival,
            actions_per_session: file.arrival.actions_per_session,
            actions,
            total_weight,
        })
    }

    /// The action a uniform random number in `0..u64::MAX` picks by weight.
    pub fn pick(&self, random: u64) -> Option<&Action> {
        let mut at = random % self.total_weight.max(1);
        for action in &self.actions {
            let weight = u64::from(action.weight);
            if at < weight {
                return Some(action);
            }
            at -= weight;
        }
        None
    }

    /// The mix without actions of `kind` (a target without that service); `None` when
    /// nothing would be left.
    pub fn without(&self, kind: ActionKind) -> Option<Mix> {
        let actions: Vec<Action> = self
            .actions
            .iter()
            .filter(|a| a.kind != kind)
            .cloned()
            .collect();
        let total_weight: u64 = actions.iter().map(|a| u64::from(a.weight)).sum();
        (total_weight > 0).then(|| Mix {
            actions,
            total_weight,
            ..self.clone()
        })
    }

    /// Whether sessions should `ENABLE QRESYNC` (when offered): some resync of the mix uses it.
    pub fn uses_qresync(&self) -> bool {
        self.actions
            .iter()
            .any(|a| a.kind == ActionKind::ImapResync && a.weight > 0 && a.qresync)
    }

    /// Whether any action needs IMAP.
    pub fn uses_imap(&self) -> bool {
        self.actions
            .iter()
            .any(|a| a.kind.is_imap() && a.weight > 0)
    }
}

/// Parses `500ms`, `5s`, `10m`, `1h` (a bare number is seconds).
pub fn parse_duration(text: &str) -> Result<Duration, MixError> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| MixError(format!("invalid duration {text:?}")))?;
    let seconds = match unit.trim() {
        "ms" => value / 1000.0,
        "" | "s" => value,
        "m" | "min" => value * 60.0,
        "h" => value * 3600.0,
        _ => return Err(MixError(format!("invalid duration unit in {text:?}"))),
    };
    Duration::try_from_secs_f64(seconds).map_err(|_| MixError(format!("invalid duration {text:?}")))
}

/// Parses `50KB`, `2MB`, `512` (bytes; KB and MB are 1,000 and 1,000,000).
pub fn parse_size(text: &str) -> Result<usize, MixError> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: usize = number
        .parse()
        .map_err(|_| MixError(format!("invalid size {text:?}")))?;
    let factor = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 1,
        "KB" | "K" => 1000,
        "MB" | "M" => 1_000_000,
        _ => return Err(MixError(format!("invalid size unit in {text:?}"))),
    };
    Ok(value.saturating_mul(factor))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_mix_parses() {
        for (name, _) in BUILT_IN {
            let mix = Mix::load(name).unwrap();
            assert_eq!(&mix.name, name);
        }
        let webmail = Mix::load("webmail").unwrap();
        assert!(matches!(webmail.arrival, Arrival::Open { rate } if rate > 0.0));
        let burst = Mix::load("smtp-burst").unwrap();
        assert!(!burst.uses_imap());
        let thunderbird = Mix::load("thunderbird").unwrap();
        let resync = thunderbird
            .actions
            .iter()
            .find(|a| a.kind == ActionKind::ImapResync)
            .unwrap();
        assert_eq!(resync.folders, ["Sent", "Trash", "Projects"]);
        assert!(resync.qresync && thunderbird.uses_qresync());
    }

    #[test]
    fn resync_folders_leave_inbox_last_and_qresync_can_be_turned_off() {
        let mix = Mix::parse(
            "name='x'\n[arrival]\nmodel='closed'\n[[action]]\nkind='imap.resync'\nweight=1\n\
             folders=['inbox', 'Sent']\nqresync=false\n",
        )
        .unwrap();
        assert_eq!(mix.actions[0].folders, ["Sent"]);
        assert!(!mix.uses_qresync());
    }

    #[test]
    fn weights_pick_in_proportion() {
        let mix = Mix::parse(
            "name='x'\n[arrival]\nmodel='closed'\n[[action]]\nkind='imap.sync'\nweight=1\n\
             [[action]]\nkind='smtp.submit'\nweight=3\n",
        )
        .unwrap();
        let submits = (0..400u64)
            .filter(|r| mix.pick(*r).unwrap().kind == ActionKind::SmtpSubmit)
            .count();
        assert_eq!(submits, 300);
    }

    #[test]
    fn actions_can_be_left_out() {
        let mix = Mix::load("thunderbird").unwrap();
        let mail = mix.without(ActionKind::CaldavSync).unwrap();
        assert!(
            mail.actions
                .iter()
                .all(|a| a.kind != ActionKind::CaldavSync)
        );
        assert_eq!(mail.actions.len() + 1, mix.actions.len());
        let burst = Mix::load("smtp-burst").unwrap();
        assert!(burst.without(ActionKind::SmtpSubmit).is_none());
    }

    #[test]
    fn durations_and_sizes() {
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_duration("10m").unwrap(), Duration::from_secs(600));
        assert_eq!(parse_duration("2").unwrap(), Duration::from_secs(2));
        assert!(parse_duration("5 parsecs").is_err());
        assert_eq!(parse_size("50KB").unwrap(), 50_000);
        assert!(parse_size("1XB").is_err());
    }

    #[test]
    fn open_model_sessions_must_end() {
        let error = Mix::parse(
            "name='x'\n[arrival]\nmodel='open'\nrate=1.0\n[[action]]\nkind='imap.sync'\nweight=1\n",
        )
        .unwrap_err();
        assert!(error.0.contains("actions_per_session"), "{error}");
    }
}
