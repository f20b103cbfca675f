//! Issue 13's CalDAV yardstick: a client on `groupwire_dav`'s public API against a real
//! Radicale (started by `scripts/servers/radicale.sh`): discover the calendar home, create a
//! calendar, PUT events, ask for a week with a `calendar-query` time-range, and expand the
//! recurrences of what comes back. The client is [`week_of_events`]; HTTP is a few lines of
//! blocking I/O. Skips when Radicale is not installed, unless `CI=true`.

mod support;

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::Command;

use groupwire_dav::body::{CalendarQuery, DavRequest, DavResponse, Multistatus};
use groupwire_dav::body::{Propfind, PropfindRequest, RequestedProp};
use groupwire_dav::ical::expand::expand_calendar;
use groupwire_dav::ical::{DecodeOptions, UtcRange, decode_calendar};
use groupwire_dav::xml::{CalDav, Dav};
use groupwire_dav::{Decoded, Limits};
use support::dovecot::repo_root;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// Finds alice's calendar home, creates `work/` there, stores two events, and returns each
/// occurrence in the week of 2026-03-23 as `(UTC start, local start, summary)`.
fn week_of_events(dav: &Http) -> Result<Vec<(String, String, String)>> {
    let principal = dav.propfind("/", Dav::CurrentUserPrincipal)?;
    let principal = principal.responses[0].prop(Dav::CurrentUserPrincipal);
    let principal = principal
        .and_then(|p| p.value.as_href())
        .ok_or("no principal")?;
    let home = dav.propfind(principal, CalDav::CalendarHomeSet)?;
    let home = home.responses[0].prop(CalDav::CalendarHomeSet);
    let home = home
        .and_then(|p| p.value.as_href())
        .ok_or("no home")?
        .to_owned();
    let calendar = format!("{home}work/");
    assert_eq!(dav.send("MKCALENDAR", &calendar, None, b"")?.0, 201);
    for (name, body) in [("standup.ics", STANDUP), ("offsite.ics", OFFSITE)] {
        let path = format!("{calendar}{name}");
        assert_eq!(dav.send("PUT", &path, None, body.as_bytes())?.0, 201);
    }
    let week = UtcRange::parse("20260323T000000Z", "20260330T000000Z")?;
    let query = DavRequest::CalendarQuery(CalendarQuery::in_range("VEVENT", week)).to_vec();
    let (status, body) = dav.send("REPORT", &calendar, Some("1"), &query)?;
    assert_eq!(status, 207);
    let mut found = Vec::new();
    for response in &multistatus(&body)?.responses {
        let data = response
            .prop(CalDav::CalendarData)
            .and_then(|p| p.value.as_data());
        let data = data.ok_or("no calendar-data")?.data.as_bytes();
        let options = DecodeOptions::lenient().whole_body();
        let Decoded::Complete { value, .. } = decode_calendar(data, &options)? else {
            return Err("a whole body is never incomplete".into());
        };
        for instance in expand_calendar(&value.value, week, &Limits::default())? {
            let local = instance.local_start().ok_or("no local start")?;
            let summary = instance
                .component
                .summary()
                .unwrap_or_default()
                .into_owned();
            found.push((instance.start.to_string(), local.to_string(), summary));
        }
    }
    found.sort();
    Ok(found)
}

#[test]
fn a_caldav_client_against_radicale() {
    let Some(radicale) = Radicale::start() else {
        return;
    };
    let dav = Http {
        host_port: format!("127.0.0.1:{}", radicale.env["HTTP_PORT"]),
        user: radicale.env["USER1"].clone(),
        password: radicale.env["PASS1"].clone(),
    };
    let found = week_of_events(&dav).unwrap();
    let event = |utc: &str, local: &str| (utc.to_string(), local.to_string(), "Standup".into());
    // Daily at 09:30 Berlin, Monday to Friday: 08:30Z before the DST switch of 29 March,
    // 07:30Z after it; the offsite (in April) is outside the week.
    assert_eq!(
        found,
        [
            event("20260323T083000Z", "20260323T093000"),
            event("20260324T083000Z", "20260324T093000"),
            event("20260325T083000Z", "20260325T093000"),
            event("20260326T083000Z", "20260326T093000"),
            event("20260327T083000Z", "20260327T093000"),
        ]
    );
}

const STANDUP: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//groupwire//caldav test//EN\r\n\
BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n\
BEGIN:DAYLIGHT\r\nDTSTART:19810329T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n\
BEGIN:STANDARD\r\nDTSTART:19961027T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\n\
END:VTIMEZONE\r\n\
BEGIN:VEVENT\r\nUID:standup@groupwire.test\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;TZID=Europe/Berlin:20260302T093000\r\nDURATION:PT15M\r\nRRULE:FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR\r\nSUMMARY:Standup\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";

const OFFSITE: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//groupwire//caldav test//EN\r\n\
BEGIN:VEVENT\r\nUID:offsite@groupwire.test\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260415T080000Z\r\nDTEND:20260415T160000Z\r\nSUMMARY:Offsite\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";

fn multistatus(body: &[u8]) -> Result<Multistatus<'_>> {
    match DavResponse::decode(body, &Limits::default())? {
        Decoded::Complete {
            value: DavResponse::Multistatus(ms),
            ..
        } => Ok(ms),
        _ => Err("not a complete multistatus".into()),
    }
}

/// Blocking HTTP/1.1 with Basic authentication, one connection per request.
struct Http {
    host_port: String,
    user: String,
    password: String,
}

impl Http {
    fn propfind(
        &self,
        path: &str,
        name: impl Into<groupwire_dav::Name<'static>>,
    ) -> Result<Multistatus<'static>> {
        let selection = Propfind::Prop(vec![RequestedProp::Name(name.into())]);
        let body = DavRequest::Propfind(PropfindRequest { selection }).to_vec();
        let (status, bytes) = self.send("PROPFIND", path, Some("0"), &body)?;
        assert_eq!(status, 207, "{}", String::from_utf8_lossy(&bytes));
        Ok(multistatus(&bytes)?.into_owned())
    }

    fn send(
        &self,
        method: &str,
        path: &str,
        depth: Option<&str>,
        body: &[u8],
    ) -> Result<(u16, Vec<u8>)> {
        let credentials = format!("{}:{}", self.user, self.password);
        let mut request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Basic {}\r\n\
             Connection: close\r\nContent-Length: {}\r\nContent-Type: {}\r\n",
            self.host_port,
            base64(credentials.as_bytes()),
            body.len(),
            if method == "PUT" {
                "text/calendar"
            } else {
                "application/xml; charset=utf-8"
            },
        );
        if let Some(depth) = depth {
            request.push_str(&format!("Depth: {depth}\r\n"));
        }
        request.push_str("\r\n");
        let mut stream = TcpStream::connect(&self.host_port)?;
        stream.write_all(request.as_bytes())?;
        stream.write_all(body)?;
        let mut response = Vec::new();
        stream.read_to_end(&mut response)?;
        let split = response
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .ok_or("no header end")?;
        let head = String::from_utf8_lossy(&response[..split]).into_owned();
        let status = head.split(' ').nth(1).ok_or("no status")?.parse()?;
        if head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked")
        {
            return Err("chunked responses are not expected from Radicale".into());
        }
        Ok((status, response[split + 4..].to_vec()))
    }
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            let sextet = (n >> (18 - 6 * i)) & 63;
            out.push(if i <= chunk.len() {
                ALPHABET[sextet as usize] as char
            } else {
                '='
            });
        }
    }
    out
}

/// A Radicale started by the repo script, stopped (by the PID the script recorded) on drop.
struct Radicale {
    dir: PathBuf,
    env: HashMap<String, String>,
}

impl Radicale {
    /// `None` (the test skips) when Radicale is not installed, unless `CI=true`.
    fn start() -> Option<Radicale> {
        let dir = std::env::temp_dir().join(format!(
            "groupwire-examples-radicale-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        let out = Command::new(repo_root().join("scripts/servers/radicale.sh"))
            .arg("start")
            .arg(&dir)
            .output()
            .expect("run radicale.sh");
        let stderr = String::from_utf8_lossy(&out.stderr);
        if !out.status.success() {
            let skip = stderr.lines().find(|l| l.contains("SKIP:"));
            if let Some(reason) = skip.filter(|_| std::env::var("CI").as_deref() != Ok("true")) {
                eprintln!("{reason}");
                return None;
            }
            panic!("radicale.sh start failed: {stderr}");
        }
        let env = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|line| line.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Some(Radicale { dir, env })
    }
}

impl Drop for Radicale {
    fn drop(&mut self) {
        let _ = Command::new(repo_root().join("scripts/servers/radicale.sh"))
            .arg("stop")
            .arg(&self.dir)
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
