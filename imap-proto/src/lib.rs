//! # groupwire-imap
//!
//! Parsing and serialisation of IMAP4rev1 (RFC 3501) and IMAP4rev2 (RFC 9051) with their extensions: commands (what a client sends) and responses (what a server sends), for both
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
//!   `into_owned()` for a `'static` copy when it must outlive the buffer. Every list in a
//!   response (a FETCH response's attributes and the lists inside them, capabilities, FLAGS,
//!   LIST attributes, STATUS items, ESEARCH data, THREAD, NAMESPACE, ...) is a
//!   [`LazyList`](core::LazyList): validated when decoded, kept as its wire bytes, parsed
//!   item by item when iterated, so decoding a response allocates nothing.
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
//! - **Continuation.** A command holding a synchronising literal `{n}` cannot be sent in one
//!   piece: the client must wait for the server's `+` before the literal's bytes. Encoding a
//!   command therefore yields *fragments* (a line, then a literal, ...), so a client writes one,
//!   waits for the go-ahead, then writes the next; a server-side decoder reports a synchronising
//!   literal as its own outcome so the server can answer `+ ...` or reject it. LITERAL+ (`{n+}`)
//!   literals need no go-ahead.
//! - **Recovery.** The server role answers bad input and carries on: a message that does not
//!   parse, a line over the length limit (the rest of it is discarded as it arrives) and a
//!   literal over the size limit (refusable with `NO [TOOBIG]` before its data arrives) are
//!   outcomes of [`CommandDecoder`](stream::server::CommandDecoder), not stream errors.
//! - **No panics, no `unsafe`.** The crate is `#![forbid(unsafe_code)]`; decoding code has no
//!   `unwrap`, `expect`, `panic!` or unchecked slice indexing (enforced by clippy lints at the
//!   crate root), and every decoder is fuzzed.
//!
//! ## Layout
//!
//! - [`core`]: the grammar primitives both directions share (cursor, atoms, strings,
//!   sequence sets, flags, mailbox names, dates, modified UTF-7) and the [`Encode`] trait.
//! - [`frame`]: the incremental [`Framer`](frame::Framer) that finds where a message (line plus
//!   literals) ends, used by both roles.
//! - `response`: what a server sends; `command`: what a client sends.
//! - `stream`: the client role (decode responses) and the server role (decode commands), with
//!   `tokio_util::codec` adapters.

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

pub mod command;
pub mod core;
mod decoded;
pub mod frame;
pub mod limits;
pub mod response;
pub mod stream;

pub use crate::core::{Encode, IntoOwned, Sink};
pub use decoded::{DecodeError, Decoded, ErrorKind, Expected};
pub use limits::{Limit, Limits};
