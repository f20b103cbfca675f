//! `caldav-agenda`: prints the next seven days of a CalDAV user's events, recurrences
//! expanded.
//!
//! ```sh
//! scripts/servers/radicale.sh start /tmp/radicale        # prints URL=http://127.0.0.1:PORT/
//! cargo run -p groupwire-examples --example caldav-agenda -- \
//!     http://127.0.0.1:PORT/ alice alice-password --seed
//! scripts/servers/radicale.sh stop /tmp/radicale
//! ```
//!
//! It discovers the calendar home the way clients do (RFC 4791 §6.2.1, RFC 5397): PROPFIND
//! `current-user-principal` on the server root, PROPFIND `calendar-home-set` on the
//! principal, PROPFIND Depth 1 on the home to list calendars, then a `calendar-query`
//! REPORT with a time range on each calendar. Responses are decoded with
//! `groupwire_dav::DavResponse`, calendar data with `groupwire_dav::ical`, and occurrences
//! come from `groupwire_dav::ical::expand`. `--seed` first creates a calendar with a
//! recurring event so there is something to show. Plain HTTP only (for a loopback test
//! server); times are printed in UTC.

use std::error::Error;
use std::time::{SystemTime, UNIX_EPOCH};

use groupwire_dav::body::{Multistatus, Principal, PropValue};
use groupwire_dav::ical::expand::{UtcRange, expand_calendar};
use groupwire_dav::ical::value::DateTime;
use groupwire_dav::ical::{DecodeOptions, decode_calendar};
use groupwire_dav::xml::Name;
use groupwire_dav::{DavResponse, Decoded, Limits};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

type Result<T> = std::result::Result<T, Box<dyn Error>>;

const DAV: &str = "DAV:";
const CALDAV: &str = "urn:ietf:params:xml:ns:caldav";

/// Where the server is and who we are.
struct Server {
    host_port: String,
    auth: String,
}

impl Server {
    /// Sends one request and returns (status, body).
    async fn request(
        &self,
        method: &str,
        path: &str,
        depth: Option<&str>,
        content_type: &str,
        body: &[u8],
    ) -> Result<(u16, Vec<u8>)> {
        let mut stream = TcpStream::connect(&self.host_port).await?;
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Basic {}\r\nConnection: close\r\nContent-Length: {}\r\n",
            self.host_port,
            self.auth,
            body.len()
        );
        if let Some(d) = depth {
            head.push_str(&format!("Depth: {d}\r\n"));
        }
        if !body.is_empty() {
            head.push_str(&format!("Content-Type: {content_type}\r\n"));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).await?;
        stream.write_all(body).await?;
        let mut response = Vec::new();
        stream.read_to_end(&mut response).await?;
        parse_http_response(&response)
    }

    async fn propfind(&self, path: &str, depth: &str, props: &str) -> Result<Multistatus<'static>> {
        let body = format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<D:propfind xmlns:D=\"{DAV}\" xmlns:C=\"{CALDAV}\"><D:prop>{props}</D:prop></D:propfind>"
        );
        let (status, bytes) = self
            .request(
                "PROPFIND",
                path,
                Some(depth),
                "application/xml; charset=utf-8",
                body.as_bytes(),
            )
            .await?;
        multistatus(status, &bytes)
    }
}

/// Splits an HTTP/1.1 response into status and body (Content-Length, chunked or close).
fn parse_http_response(raw: &[u8]) -> Result<(u16, Vec<u8>)> {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("no end of HTTP head")?;
    let head = std::str::from_utf8(&raw[..split])?;
    let body = &raw[split + 4..];
    let status: u16 = head.split_whitespace().nth(1).ok_or("no status")?.parse()?;
    let chunked = head.lines().any(|l| {
        l.to_ascii_lowercase().starts_with("transfer-encoding:")
            && l.to_ascii_lowercase().contains("chunked")
    });
    if !chunked {
        return Ok((status, body.to_vec()));
    }
    let mut out = Vec::new();
    let mut rest = body;
    loop {
        let line_end = rest
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or("bad chunk")?;
        let size = usize::from_str_radix(
            std::str::from_utf8(&rest[..line_end])?
                .split(';')
                .next()
                .unwrap_or("0")
                .trim(),
            16,
        )?;
        rest = &rest[line_end + 2..];
        if size == 0 {
            return Ok((status, out));
        }
        out.extend_from_slice(rest.get(..size).ok_or("short chunk")?);
        rest = rest.get(size + 2..).ok_or("short chunk")?;
    }
}

fn multistatus(status: u16, bytes: &[u8]) -> Result<Multistatus<'static>> {
    if status != 207 {
        return Err(format!(
            "expected 207 Multi-Status, got {status}: {}",
            String::from_utf8_lossy(bytes)
        )
        .into());
    }
    match DavResponse::decode(bytes, &Limits::default())? {
        Decoded::Complete {
            value: DavResponse::Multistatus(m),
            ..
        } => Ok(m.into_owned()),
        _ => Err("not a multistatus body".into()),
    }
}

/// Every (href, property value) pair with a 2xx status for property `name`.
fn found<'m>(
    ms: &'m Multistatus<'static>,
    name: &Name<'_>,
) -> Vec<(&'m str, &'m PropValue<'static>)> {
    let mut out = Vec::new();
    for response in &ms.responses {
        let href = response.hrefs.first().map_or("", |h| h.0.as_ref());
        for ps in response
            .propstats
            .iter()
            .filter(|ps| ps.status.line.contains(" 2"))
        {
            for p in ps.props.iter().filter(|p| &p.name == name) {
                out.push((href, &p.value));
            }
        }
    }
    out
}

fn href_of(value: &PropValue<'_>) -> Option<String> {
    match value {
        PropValue::Href(h) => Some(h.0.to_string()),
        PropValue::Hrefs(hs) => hs.first().map(|h| h.0.to_string()),
        PropValue::Principal(Principal::Href(h)) => Some(h.0.to_string()),
        _ => None,
    }
}

fn basic_auth(user: &str, password: &str) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let input = format!("{user}:{password}");
    let mut out = String::new();
    for chunk in input.as_bytes().chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(TABLE[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn utc_text(seconds: i64) -> String {
    DateTime::from_wall_seconds(seconds, true)
        .map_or_else(|| seconds.to_string(), |d| d.to_string())
}

fn pretty(seconds: i64) -> String {
    match DateTime::from_wall_seconds(seconds, true) {
        Some(d) => format!(
            "{:04}-{:02}-{:02} {:02}:{:02}",
            d.date.year, d.date.month, d.date.day, d.time.hour, d.time.minute
        ),
        None => seconds.to_string(),
    }
}

/// Creates `<home>groupwire-demo/` with a daily stand-up and a weekly review.
async fn seed(server: &Server, home: &str, now: i64) -> Result<()> {
    let collection = format!(
        "{}groupwire-demo/",
        if home.ends_with('/') {
            home.to_owned()
        } else {
            format!("{home}/")
        }
    );
    let mkcalendar = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<C:mkcalendar xmlns:D=\"{DAV}\" xmlns:C=\"{CALDAV}\"><D:set><D:prop><D:displayname>groupwire demo</D:displayname></D:prop></D:set></C:mkcalendar>"
    );
    let (status, _) = server
        .request(
            "MKCALENDAR",
            &collection,
            None,
            "application/xml",
            mkcalendar.as_bytes(),
        )
        .await?;
    if status != 201 && status != 405 && status != 409 {
        return Err(format!("MKCALENDAR failed: {status}").into());
    }
    let today = now - now.rem_euclid(86_400);
    let events = [
        (
            "standup",
            "Team stand-up",
            today + 9 * 3600,
            "RRULE:FREQ=DAILY;COUNT=20\r\n",
        ),
        (
            "review",
            "Weekly review",
            today + 86_400 + 14 * 3600,
            "RRULE:FREQ=WEEKLY\r\n",
        ),
    ];
    for (name, summary, start, rule) in events {
        let ics = format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//groupwire//caldav-agenda//EN\r\nBEGIN:VEVENT\r\nUID:{name}@groupwire.example\r\n\
             DTSTAMP:{}\r\nDTSTART:{}\r\nDURATION:PT30M\r\n{rule}SUMMARY:{summary}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
            utc_text(now),
            utc_text(start)
        );
        let (status, _) = server
            .request(
                "PUT",
                &format!("{collection}{name}.ics"),
                None,
                "text/calendar; charset=utf-8",
                ics.as_bytes(),
            )
            .await?;
        if !(200..300).contains(&status) {
            return Err(format!("PUT {name}.ics failed: {status}").into());
        }
    }
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [url, user, password, rest @ ..] = args.as_slice() else {
        return Err("usage: caldav-agenda URL USER PASSWORD [--seed]".into());
    };
    let without_scheme = url
        .strip_prefix("http://")
        .ok_or("only http:// URLs (loopback test servers)")?;
    let (host_port, root) = match without_scheme.split_once('/') {
        Some((h, p)) => (h.to_owned(), format!("/{p}")),
        None => (without_scheme.to_owned(), "/".to_owned()),
    };
    let server = Server {
        host_port,
        auth: basic_auth(user, password),
    };

    let ms = server
        .propfind(&root, "0", "<D:current-user-principal/>")
        .await?;
    let principal = found(&ms, &Name::new(DAV, "current-user-principal"))
        .into_iter()
        .find_map(|(_, v)| href_of(v))
        .ok_or("no current-user-principal")?;
    let ms = server
        .propfind(&principal, "0", "<C:calendar-home-set/>")
        .await?;
    let home = found(&ms, &Name::new(CALDAV, "calendar-home-set"))
        .into_iter()
        .find_map(|(_, v)| href_of(v))
        .ok_or("no calendar-home-set")?;
    println!("principal {principal}, calendar home {home}");

    let now = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs() as i64;
    if rest.iter().any(|a| a == "--seed") {
        seed(&server, &home, now).await?;
    }

    let ms = server
        .propfind(&home, "1", "<D:resourcetype/><D:displayname/>")
        .await?;
    let calendar_marker = Name::new(CALDAV, "calendar");
    let calendars: Vec<(String, String)> = found(&ms, &Name::new(DAV, "resourcetype"))
        .into_iter()
        .filter(|(_, v)| matches!(v, PropValue::Markers(m) if m.contains(&calendar_marker)))
        .map(|(href, _)| {
            let name = found(&ms, &Name::new(DAV, "displayname"))
                .into_iter()
                .find(|(h, _)| *h == href)
                .and_then(|(_, v)| match v {
                    PropValue::Text(t) => Some(t.to_string()),
                    _ => None,
                })
                .unwrap_or_else(|| href.to_owned());
            (href.to_owned(), name)
        })
        .collect();
    println!("{} calendar(s)", calendars.len());

    let range = UtcRange::from_unix_seconds(now, now + 7 * 86_400);
    let mut agenda = Vec::new();
    for (href, name) in &calendars {
        let query = format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<C:calendar-query xmlns:D=\"{DAV}\" xmlns:C=\"{CALDAV}\">\
             <D:prop><D:getetag/><C:calendar-data/></D:prop><C:filter><C:comp-filter name=\"VCALENDAR\">\
             <C:comp-filter name=\"VEVENT\"><C:time-range start=\"{}\" end=\"{}\"/></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>",
            range.start, range.end
        );
        let (status, bytes) = server
            .request(
                "REPORT",
                href,
                Some("1"),
                "application/xml; charset=utf-8",
                query.as_bytes(),
            )
            .await?;
        let ms = multistatus(status, &bytes)?;
        for (_, value) in found(&ms, &Name::new(CALDAV, "calendar-data")) {
            let PropValue::Data(data) = value else {
                continue;
            };
            let Decoded::Complete { value: parsed, .. } =
                decode_calendar(data.data.as_bytes(), &DecodeOptions::lenient().whole_body())?
            else {
                continue;
            };
            for instance in expand_calendar(&parsed.value, range, &Limits::default())? {
                let summary = instance
                    .component
                    .summary()
                    .map(|s| s.into_owned())
                    .unwrap_or_default();
                agenda.push((
                    instance.start.unix_seconds(),
                    instance.end.unix_seconds(),
                    summary,
                    name.clone(),
                ));
            }
        }
    }
    agenda.sort();
    println!(
        "next 7 days ({} .. {} UTC):",
        pretty(range.start.unix_seconds()),
        pretty(range.end.unix_seconds())
    );
    for (start, end, summary, calendar) in &agenda {
        println!(
            "  {} - {}  {summary}  [{calendar}]",
            pretty(*start),
            &pretty(*end)[11..]
        );
    }
    if agenda.is_empty() {
        println!("  (nothing)");
    }
    Ok(())
}
