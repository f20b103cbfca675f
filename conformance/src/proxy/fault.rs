//! The faults the proxy injects, and which checks each one must break.
//!
//! A fault is named on the command line as `NAME` or `NAME=ARGUMENT`
//! (`strip-response-code=APPENDUID`). [`KILLS`] is the data table the real-server kill test
//! reads: one row per fault, listing the check ids that must fail through a proxy with that
//! fault while they pass through the `none` proxy. Add a row (or an id to a row) when a check
//! gains a fault the proxy can inject.

use std::fmt;

/// One behaviour the proxy changes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Fault {
    /// Pure pass-through (TLS still terminated on both legs): the control run.
    None,
    /// A LOGIN / AUTHENTICATE PLAIN (IMAP) or AUTH PLAIN / AUTH LOGIN (SMTP) naming a known
    /// account with a wrong password goes upstream with the account's real password, so the
    /// client sees success.
    AcceptAnyPassword,
    /// Bytes the client pipelined in plaintext behind STARTTLS are replayed to the upstream
    /// after the TLS handshake, as commands (CVE-2011-0411 class).
    KeepPretlsBytes,
    /// STARTTLS is added to the EHLO reply and the CAPABILITY lists sent over TLS.
    ReadvertiseStarttls,
    /// The named response code (`APPENDUID`, `COPYUID`, `CAPABILITY`, ...) is dropped from
    /// tagged OK responses (IMAP).
    StripResponseCode(String),
    /// Inside SMTP DATA, a `.` line delimited by a bare LF on either side (`<LF>.<LF>`,
    /// `<LF>.<CRLF>`, `<CRLF>.<LF>`) becomes `<CRLF>.<CRLF>` towards the upstream, which then
    /// ends the message there and executes what follows (SMTP smuggling class).
    DataEndsOnBareLf,
    /// Like `data-ends-on-bare-lf`, for a bare CR (`<CR>.<CR>`, `<CRLF>.<CR>`, `<CR>.<CRLF>`).
    DataEndsOnBareCr,
    /// The CAPABILITY code in the tagged OK of LOGIN / AUTHENTICATE is replaced by the list
    /// seen before authentication (a stale code; IMAP).
    StaleCapabilityCode,
    /// A BDAT chunk holding `<CRLF>.<CRLF>` is cut there: the upstream gets a shorter
    /// `BDAT n LAST` chunk, and the octets after the dot line as commands (SMTP).
    BdatEndsAtDot,
    /// The proxy does STARTTLS towards the upstream at once and offers the client plaintext
    /// AUTH / LOGIN (advertised, LOGINDISABLED removed, forwarded over the upstream's TLS).
    AuthBeforeTls,
    /// Like `auth-before-tls`, but the plaintext advertisement says authentication is off
    /// (SMTP: no AUTH in the EHLO reply; IMAP: LOGINDISABLED, no AUTH=): only trying the
    /// command shows it is accepted.
    AuthBeforeTlsHidden,
}

impl Fault {
    /// Whether the proxy secures the upstream leg itself and relays plaintext authentication.
    pub fn is_auth_before_tls(&self) -> bool {
        matches!(self, Fault::AuthBeforeTls | Fault::AuthBeforeTlsHidden)
    }
}

/// Every fault name with its one-line description (`groupwire proxy --list-faults`).
pub const FAULTS: &[(&str, &str)] = &[
    (
        "none",
        "pure pass-through (TLS terminated on both legs); the control run",
    ),
    (
        "accept-any-password",
        "LOGIN/AUTHENTICATE PLAIN (IMAP), AUTH PLAIN/LOGIN (SMTP) with a wrong password for a known account are sent upstream with the right one",
    ),
    (
        "keep-pretls-bytes",
        "bytes pipelined in plaintext behind STARTTLS are replayed to the upstream after the handshake (CVE-2011-0411 class)",
    ),
    (
        "readvertise-starttls",
        "STARTTLS is added to the EHLO reply / CAPABILITY over TLS",
    ),
    (
        "strip-response-code=CODE",
        "the response code CODE (APPENDUID, COPYUID, CAPABILITY, ...) is dropped from tagged OKs (IMAP)",
    ),
    (
        "stale-capability-code",
        "the CAPABILITY code of the tagged OK to LOGIN/AUTHENTICATE lists the pre-authentication capabilities (IMAP)",
    ),
    (
        "data-ends-on-bare-lf",
        "in SMTP DATA, <LF>.<LF>, <LF>.<CRLF> and <CRLF>.<LF> become <CRLF>.<CRLF> upstream (smuggling)",
    ),
    (
        "data-ends-on-bare-cr",
        "in SMTP DATA, <CR>.<CR>, <CRLF>.<CR> and <CR>.<CRLF> become <CRLF>.<CRLF> upstream (smuggling)",
    ),
    (
        "bdat-ends-at-dot",
        "a BDAT chunk holding <CRLF>.<CRLF> is cut there; the octets after it go upstream as commands (smuggling)",
    ),
    (
        "auth-before-tls",
        "the proxy does STARTTLS upstream itself and offers AUTH/LOGIN to the client in plaintext",
    ),
    (
        "auth-before-tls-hidden",
        "like auth-before-tls, but the plaintext advertisement hides it (no AUTH in EHLO; LOGINDISABLED)",
    ),
];

/// A fault name the proxy does not know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownFault(pub String);

impl fmt::Display for UnknownFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown proxy fault {:?} (see `groupwire proxy --list-faults`)",
            self.0
        )
    }
}

impl std::error::Error for UnknownFault {}

impl Fault {
    /// Parses `NAME` or `NAME=ARGUMENT`.
    pub fn parse(text: &str) -> Result<Fault, UnknownFault> {
        let unknown = || UnknownFault(text.to_owned());
        let (name, argument) = match text.split_once('=') {
            Some((name, argument)) => (name, Some(argument)),
            None => (text, None),
        };
        let fault = match (name, argument) {
            ("none", None) => Fault::None,
            ("accept-any-password", None) => Fault::AcceptAnyPassword,
            ("keep-pretls-bytes", None) => Fault::KeepPretlsBytes,
            ("readvertise-starttls", None) => Fault::ReadvertiseStarttls,
            ("strip-response-code", Some(code))
                if !code.is_empty() && code.bytes().all(|b| b.is_ascii_graphic()) =>
            {
                Fault::StripResponseCode(code.to_ascii_uppercase())
            }
            ("stale-capability-code", None) => Fault::StaleCapabilityCode,
            ("data-ends-on-bare-lf", None) => Fault::DataEndsOnBareLf,
            ("data-ends-on-bare-cr", None) => Fault::DataEndsOnBareCr,
            ("bdat-ends-at-dot", None) => Fault::BdatEndsAtDot,
            ("auth-before-tls", None) => Fault::AuthBeforeTls,
            ("auth-before-tls-hidden", None) => Fault::AuthBeforeTlsHidden,
            _ => return Err(unknown()),
        };
        Ok(fault)
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fault::None => f.write_str("none"),
            Fault::AcceptAnyPassword => f.write_str("accept-any-password"),
            Fault::KeepPretlsBytes => f.write_str("keep-pretls-bytes"),
            Fault::ReadvertiseStarttls => f.write_str("readvertise-starttls"),
            Fault::StripResponseCode(code) => write!(f, "strip-response-code={code}"),
            Fault::StaleCapabilityCode => f.write_str("stale-capability-code"),
            Fault::DataEndsOnBareLf => f.write_str("data-ends-on-bare-lf"),
            Fault::DataEndsOnBareCr => f.write_str("data-ends-on-bare-cr"),
            Fault::BdatEndsAtDot => f.write_str("bdat-ends-at-dot"),
            Fault::AuthBeforeTls => f.write_str("auth-before-tls"),
            Fault::AuthBeforeTlsHidden => f.write_str("auth-before-tls-hidden"),
        }
    }
}

/// One row of the kill table: a fault (as written on the command line) and the checks it
/// must break on a real server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kill {
    /// `NAME` or `NAME=ARGUMENT`.
    pub fault: &'static str,
    /// Check ids that pass through the `none` proxy and must fail through this one.
    pub checks: &'static [&'static str],
}

/// The fault → check table, measured against Dovecot and Postfix by
/// `tests/proxy_real_servers.rs`. Extend it when a check gains a proxy-injectable fault.
pub const KILLS: &[Kill] = &[
    Kill {
        fault: "accept-any-password",
        checks: &[
            // smtp.auth.plain-failure (535 rather than another refusal) is blocked by
            // smtp.auth.plain-wrong-password, which owns the bypass: not listed.
            "smtp.auth.plain-wrong-password",
            "smtp.auth.login-wrong-password",
            "imap.login.bad-password",
            "imap.authenticate.bad-password",
        ],
    },
    Kill {
        fault: "keep-pretls-bytes",
        checks: &[
            "smtp.starttls.discards-plaintext",
            "imap.starttls.discards-plaintext",
        ],
    },
    Kill {
        fault: "readvertise-starttls",
        checks: &[
            "smtp.starttls.not-readvertised",
            "imap.starttls.capability-refreshed",
            "imap.implicit-tls.starttls-not-advertised",
            "smtp.implicit-tls.no-starttls",
        ],
    },
    Kill {
        fault: "strip-response-code=APPENDUID",
        checks: &["imap.uidplus.appenduid", "imap.append.appenduid"],
    },
    Kill {
        fault: "strip-response-code=COPYUID",
        checks: &["imap.uidplus.copyuid", "imap.copy.copyuid"],
    },
    Kill {
        fault: "stale-capability-code",
        checks: &["imap.login.capability-code"],
    },
    Kill {
        fault: "strip-response-code=READ-WRITE",
        checks: &["imap.select.read-write"],
    },
    Kill {
        fault: "strip-response-code=READ-ONLY",
        checks: &["imap.examine.read-only"],
    },
    Kill {
        fault: "data-ends-on-bare-lf",
        checks: &[
            "smtp.data.smuggling-lf-dot-lf",
            "smtp.data.smuggling-crlf-dot-lf",
            "smtp.data.smuggling-lf-dot-crlf",
        ],
    },
    Kill {
        fault: "data-ends-on-bare-cr",
        checks: &[
            "smtp.data.smuggling-cr-dot-cr",
            "smtp.data.smuggling-cr-dot-crlf",
            "smtp.data.smuggling-crlf-dot-cr",
        ],
    },
    Kill {
        fault: "bdat-ends-at-dot",
        checks: &["smtp.chunking.smuggling-dot-in-chunk"],
    },
    Kill {
        fault: "auth-before-tls",
        checks: &[
            "smtp.auth.not-before-tls",
            "imap.login.refused-before-tls",
            "imap.capability.logindisabled",
            "imap.authenticate.refused-before-tls",
        ],
    },
    Kill {
        fault: "auth-before-tls-hidden",
        checks: &[
            "smtp.auth.not-before-tls",
            "imap.login.refused-before-tls",
            "imap.login.logindisabled-honoured",
            "imap.authenticate.refused-before-tls",
        ],
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_fault_and_every_table_row_parses_and_prints_back() {
        for (name, _) in FAULTS {
            let text = name.replace("CODE", "APPENDUID");
            let fault = Fault::parse(&text).unwrap();
            assert_eq!(fault.to_string(), text);
        }
        for row in KILLS {
            assert_eq!(Fault::parse(row.fault).unwrap().to_string(), row.fault);
        }
    }

    #[test]
    fn unknown_names_and_missing_arguments_are_refused() {
        assert!(Fault::parse("accept-everything").is_err());
        assert!(Fault::parse("strip-response-code").is_err());
        assert!(Fault::parse("strip-response-code=").is_err());
        assert!(Fault::parse("none=1").is_err());
    }
}
