//! Watches an IMAP mailbox with IDLE (RFC 2177) and prints new-message events (EXISTS,
//! EXPUNGE, FETCH FLAGS) as the server pushes them. IDLE is re-issued every 29 minutes;
//! Ctrl-C ends it cleanly with DONE and LOGOUT.
//!
//! ```sh
//! IMAP_PASSWORD=secret cargo run -p groupwire-examples --example imap-idle -- \
//!     imaps://127.0.0.1:993 --user alice [--ca cert.pem] [--mailbox INBOX]
//! ```
//!
//! `imaps://` is implicit TLS (RFC 8314), `imap://` requires STARTTLS before LOGIN. Trust comes
//! from `--ca PEM`, or the Mozilla roots. The password comes from `$IMAP_PASSWORD`, never from
//! the command line.
//!
//! Against the test Dovecot (`scripts/servers/dovecot.sh start DIR`, scripts/servers/README.md)
//! note that rustls refuses a self-signed certificate marked CA:TRUE as the server's own
//! (`CaUsedAsEndEntity`): the server certificate must be a leaf (CA:FALSE) or be issued by the
//! CA in `--ca`; examples/tests/imap_idle.rs shows how it prepares one.

use std::io::{self, Write};
use std::process::ExitCode;

use groupwire_examples::imap_idle::{DEFAULT_REIDLE_AFTER, IdleOptions, ServerUrl, watch_mailbox};
use groupwire_examples::secret_from_env;

const USAGE: &str = "\
usage: imap-idle URL --user USER [--ca PEM] [--mailbox NAME]

Watches a mailbox with IMAP IDLE and prints each change the server reports.

  URL             imaps://host[:993] (implicit TLS) or imap://host[:143] (STARTTLS)
  --user USER     LOGIN user name; the password is read from $IMAP_PASSWORD
  --ca PEM        trust the certificates in this PEM file instead of the Mozilla roots
  --mailbox NAME  mailbox to watch (default INBOX)
  -h, --help      show this help

Ctrl-C ends the session with DONE and LOGOUT.";

fn usage_error(why: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, format!("{why}\n\n{USAGE}"))
}

/// `Ok(None)` when help was asked for.
fn parse_options() -> io::Result<Option<IdleOptions>> {
    let mut url = None;
    let mut user = None;
    let mut ca_file = None;
    let mut mailbox = "INBOX".to_string();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .ok_or_else(|| usage_error(&format!("{name} needs a value")))
        };
        match arg.as_str() {
            "-h" | "--help" => return Ok(None),
            "--user" => user = Some(value("--user")?),
            "--ca" => ca_file = Some(value("--ca")?.into()),
            "--mailbox" => mailbox = value("--mailbox")?,
            other if other.starts_with('-') => {
                return Err(usage_error(&format!("unknown option {other}")));
            }
            other if url.is_none() => url = Some(ServerUrl::parse(other)?),
            other => return Err(usage_error(&format!("unexpected argument {other}"))),
        }
    }
    let url = url.ok_or_else(|| usage_error("missing URL"))?;
    let user = user.ok_or_else(|| usage_error("missing --user"))?;
    let password = secret_from_env("IMAP_PASSWORD")?;
    Ok(Some(IdleOptions {
        url,
        ca_file,
        user,
        password,
        mailbox,
        reidle_after: DEFAULT_REIDLE_AFTER,
    }))
}

#[tokio::main]
async fn main() -> ExitCode {
    let options = match parse_options() {
        Ok(Some(options)) => options,
        Ok(None) => {
            // Ignore a closed stdout (`imap-idle --help | head`).
            let _ = writeln!(io::stdout(), "{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(error) => {
            eprintln!("imap-idle: {error}");
            return ExitCode::from(2);
        }
    };
    let shutdown = async {
        // If the handler cannot be installed, wait forever rather than stop at once.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
        eprintln!("imap-idle: interrupted, sending DONE and LOGOUT");
    };
    let result = watch_mailbox(
        &options,
        |event| {
            let _ = writeln!(io::stdout(), "{event}");
        },
        shutdown,
    )
    .await;
    match result {
        Ok(()) => {
            let _ = writeln!(io::stdout(), "logged out");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("imap-idle: {error}");
            ExitCode::FAILURE
        }
    }
}
