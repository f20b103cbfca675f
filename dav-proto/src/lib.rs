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
//! ## Status
//!
//! The contract types are in place; the grammar is being filled in (see the project README).

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
