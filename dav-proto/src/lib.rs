//! # groupwire-dav
//!
//! Parsing and serialisation of WebDAV (RFC 4918), CalDAV (RFC 4791), CardDAV (RFC 6352), iCalendar (RFC 5545) and vCard (RFC 6350, RFC 2426): XML request and response bodies, DAV headers, and the calendar and contact data inside them, for both
//! the client and the server role. Part of the [groupwire](https://github.com/groupwire/groupwire)
//! family, whose conformance harness uses this crate to judge real servers.
//!
//! ## The codec contract
//!
//! Every groupwire protocol crate follows the same rules, so code written against one reads
//! the same against the others:
//!
//! - **Borrowed values.** Decoding borrows from the input: a decoded value has a lifetime tied
//!   to the buffer it came from and copies nothing it does not have to. Each value has
//!   `into_owned()` for a `'static` copy when it must outlive the buffer.
//! - **Need more bytes is not an error.** Every decoder accepts partial input. When the input
//!   ends before a message does it returns [`Decoded::Incomplete`] (with a hint of how many
//!   more bytes are needed, when known) and consumes nothing; the caller appends what arrives
//!   next and calls again. A complete message comes back as [`Decoded::Complete`] with the
//!   number of bytes it used.
//! - **Typed errors with offsets.** A decoding failure is a [`DecodeError`]: the byte offset
//!   where it happened and an [`ErrorKind`] saying what the grammar [`Expected`] there, or
//!   which limit was hit. There are no `String` errors.
//! - **Explicit limits.** One [`Limits`] value bounds line length, literal or body size,
//!   nesting depth and list length, with safe defaults. Exceeding one is its own error,
//!   [`ErrorKind::LimitExceeded`], naming the [`Limit`].
//! - **Encoding into any sink.** Every value encodes into a `bytes::BytesMut` or any
//!   `std::io::Write`.
//! - **Whole bodies.** An XML body or a calendar object is decoded once it is complete; a
//!   decoder handed a prefix of one returns [`Decoded::Incomplete`] (HTTP framing, not this crate,
//!   says where a body ends).
//! - **No panics, no `unsafe`.** The crate is `#![forbid(unsafe_code)]`; decoding code has no
//!   `unwrap`, `expect`, `panic!` or unchecked slice indexing (enforced by clippy lints at the
//!   crate root), and every decoder is fuzzed.
//!
//! ## Example: a calendar-query, its multistatus, the calendar data, the occurrences
//!
//! A client asks for the events of a week (a REPORT body built with the filter builders),
//! reads the server's multistatus, decodes each `calendar-data` as a whole body, and expands
//! recurrences in the calendar's own VTIMEZONE. HTTP is the caller's: the crate encodes and
//! decodes bodies.
//!
//! ```
//! use groupwire_dav::body::{CalendarQuery, DavRequest, DavResponse};
//! use groupwire_dav::ical::expand::expand_calendar;
//! use groupwire_dav::ical::{DecodeOptions, UtcRange, decode_calendar};
//! use groupwire_dav::xml::{CalDav, Dav};
//! use groupwire_dav::{Decoded, Limits};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let week = UtcRange::parse("20260105T000000Z", "20260112T000000Z")?;
//! // REPORT /calendars/ada/work/ with Depth: 1 and this body.
//! let report = DavRequest::CalendarQuery(CalendarQuery::in_range("VEVENT", week)).to_vec();
//! assert!(report.starts_with(b"<?xml"));
//!
//! // What the server answered (207 Multi-Status).
//! let body = br#"<?xml version="1.0" encoding="utf-8"?>
//! <d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">
//!  <d:response><d:href>/calendars/ada/work/standup.ics</d:href>
//!   <d:propstat><d:prop><d:getetag>"7"</d:getetag><c:calendar-data>BEGIN:VCALENDAR
//! VERSION:2.0
//! PRODID:-//example//EN
//! BEGIN:VEVENT
//! UID:standup@example.com
//! DTSTAMP:20260101T000000Z
//! DTSTART:20260105T090000Z
//! DURATION:PT15M
//! RRULE:FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR
//! SUMMARY:Standup
//! END:VEVENT
//! END:VCALENDAR</c:calendar-data></d:prop>
//!   <d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>
//! </d:multistatus>"#;
//! let Decoded::Complete { value: DavResponse::Multistatus(ms), .. } =
//!     DavResponse::decode(body, &Limits::default())?
//! else {
//!     return Err("not a complete multistatus".into());
//! };
//! let mut standups = 0;
//! for response in &ms.responses {
//!     let etag = response.prop(Dav::GetEtag).and_then(|p| p.value.as_text());
//!     assert_eq!(etag, Some("\"7\""));
//!     let Some(data) = response.prop(CalDav::CalendarData).and_then(|p| p.value.as_data())
//!     else {
//!         continue;
//!     };
//!     // A whole body: the last line needs no line break, and lenient mode reports
//!     // (rather than refuses) what real servers get wrong.
//!     let options = DecodeOptions::lenient().whole_body();
//!     let Decoded::Complete { value: calendar, .. } =
//!         decode_calendar(data.data.as_bytes(), &options)?
//!     else {
//!         unreachable!("a whole body is never incomplete");
//!     };
//!     for instance in expand_calendar(&calendar.value, week, &Limits::default())? {
//!         println!("{} {:?}", instance.start, instance.component.summary());
//!         standups += 1;
//!     }
//! }
//! assert_eq!(standups, 5);
//! # Ok(())
//! # }
//! ```
//!
//! ## Features
//!
//! - `json` (default): jCal (RFC 7265) and jCard (RFC 7095) on `serde_json`.
//! - `serde`: `serde::Serialize` for decoded values.
//! - `chrono`, `jiff`: conversions between [`ical::Timestamp`] and `chrono::DateTime<Utc>` /
//!   `jiff::Timestamp`.
//! - `arbitrary`: `arbitrary::Arbitrary` for owned values (fuzzing).
//!
//! ## Real-world input
//!
//! The iCalendar and vCard decoders take [`ical::DecodeOptions`]: strict (every defect an
//! error, for judging a server) or lenient (the default: defects real producers make are
//! accepted and listed as [`ical::Warning`]s: a byte order mark, bare LF, `\;` in a
//! parameter value, a blank line inside a fold, a malformed content line skipped, trailing
//! text after END, vCard 2.1 quoted-printable soft line breaks and empty parameters). With
//! [`ical::DecodeOptions::whole_body`] the input is the whole object, so a missing final
//! line break is accepted and a truncated object is an error instead of
//! [`Decoded::Incomplete`]. A multistatus property whose content does not have its known
//! shape (a negative quota, a bad number) is kept as text or raw XML instead of failing
//! the body.

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod body;
mod decoded;
pub mod headers;
pub mod ical;
#[cfg(feature = "json")]
pub mod jcal;
#[cfg(feature = "json")]
pub mod jcard;
pub mod limits;
pub mod method;
pub mod vcard;
pub mod xml;

pub use body::{DavRequest, DavResponse};
pub use decoded::{DecodeError, Decoded, ErrorKind, Expected};
pub use limits::{Limit, Limits};
pub use method::DavMethod;
pub use xml::Name;
