//! # groupwire-smtp
//!
//! Parsing and serialisation of SMTP (RFC 5321), ESMTP extensions and LMTP (RFC 2033): commands (what a client sends), replies (what a server sends), and message data, for both
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
//! - **Message data.** DATA payloads are dot-stuffed on the wire and BDAT payloads are
//!   length-framed; both decoders hand out slices of the input rather than copies wherever the
//!   bytes need no change.
//! - **No panics; one `unsafe`.** The crate is `#![deny(unsafe_code)]` with a single
//!   exception: a command line that its line scan has seen to be all ASCII becomes text
//!   without `str::from_utf8` reading it again (`from_utf8_unchecked`, in `chars.rs`, its
//!   proof beside it). That validation was 9 % of the instructions of decoding the bench's
//!   commands. Decoding code has no
//!   `unwrap`, `expect`, `panic!` or unchecked slice indexing (enforced by clippy lints at the
//!   crate root), and every decoder is fuzzed.
//!
//! ## What is here
//!
//! | concept | module | entry points |
//! | --- | --- | --- |
//! | commands (RFC 5321, LMTP, ESMTP) | [`command`] | [`decode_command`], [`Command`] |
//! | MAIL/RCPT paths | [`address`] | [`Path`], [`Mailbox`], [`Domain`] |
//! | MAIL/RCPT parameters | [`parameters`] | [`Parameters`], [`Parameter`] |
//! | AUTH (RFC 4954) and SASL framing | [`auth`] | [`Mechanism`], [`AuthResponse`], [`decode_auth_response`] |
//! | replies, enhanced status codes | [`reply`] | [`decode_reply`], [`Reply`] |
//! | EHLO capabilities | [`capability`] | [`Capabilities`], [`Capability`], [`Extension`] |
//! | EHLO replies typed as they are decoded | [`ehlo`] | [`decode_ehlo`], [`Ehlo`] |
//! | DATA dot-stuffing | [`data`] | [`DataDecoder`], [`DotStuffer`] |
//! | server role (commands, DATA, BDAT, AUTH lines) | [`server`] | [`ServerDecoder`] |
//! | client role (pipelined replies, 334) | [`client`] | [`ReplyDecoder`] |
//! | `tokio_util` codecs | [`codec`] | [`ServerCodec`], [`ClientCodec`] |
//!
//! ```
//! use groupwire_smtp::{decode_command, Command, Decoded, Limits, Parameter};
//!
//! let Decoded::Complete { value, consumed } =
//!     decode_command(b"MAIL FROM:<a@example.org> SIZE=1024\r\n", &Limits::default())?
//! else { unreachable!() };
//! let Command::Mail { parameters, .. } = value else { unreachable!() };
//! assert_eq!(parameters.iter().next(), Some(Parameter::Size(1024)));
//! assert_eq!(consumed, 37);
//! # Ok::<(), groupwire_smtp::DecodeError>(())
//! ```
//!
//! ## Bare CR and LF
//!
//! [`Limits::line_endings`] defaults to [`LineEndings::Strict`]: a CR or LF outside a CRLF
//! pair is an error in commands, replies and message data. A receiving server needs exactly
//! this to refuse SMTP smuggling (CVE-2023-51764 and relatives), and RFC 5321 §2.3.8 never
//! allows bare line ends on the wire. [`LineEndings::Lenient`] accepts them (as line ends in
//! commands and replies, as payload bytes in DATA); in both modes only `CRLF.CRLF` ends DATA.
//!
//! ## Recovery
//!
//! [`ServerDecoder`] turns bad input it can resynchronise after into items a receiver answers
//! and carries on from: a line that does not parse ([`ClientItem::Malformed`], 500/501), a
//! line over its limit ([`ClientItem::LineTooLong`], 500; the rest of it is discarded as it
//! arrives), a DATA payload with a bare CR or LF under the strict policy or over
//! [`Limits::max_message_size`] ([`ClientItem::MessageRejected`] once its real `CRLF.CRLF`
//! has arrived, 554/552), and a BDAT chunk over the size ([`ClientItem::ChunkRejected`],
//! 552). Refused bytes are never buffered whole ([`ClientItem::Skipped`]).
//!
//! ## Zero allocations
//!
//! Decoding a command or a reply allocates nothing: parameters, reply lines and EHLO
//! capabilities are kept as validated wire text and typed on iteration. [`decode_ehlo`]
//! also types what an EHLO reply offers (extensions, SIZE, AUTH mechanisms) into fixed-size
//! sets in the pass that validates it.
//!
//! ## Features
//!
//! - `tokio` (default): the `tokio_util` codecs, [`ServerCodec`] and [`ClientCodec`].
//! - `simd` (default): strict DATA checks its line endings with the CPU's widest vectors
//!   (AVX-512 or AVX2 on x86-64), chosen once at run time by [`pulp`](https://docs.rs/pulp),
//!   which holds the `unsafe` of that dispatch. Without it the same loop runs at the compiler's baseline width
//!   (SSE2 on x86-64). Results are the same either way.
//! - `serde`: `serde::Serialize` for decoded values.
//! - `arbitrary`: `arbitrary::Arbitrary` for owned values.

#![deny(unsafe_code)]
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

pub mod address;
pub mod auth;
pub mod capability;
mod chars;
pub mod client;
#[cfg(feature = "tokio")]
pub mod codec;
pub mod command;
pub mod data;
mod decoded;
pub mod ehlo;
mod encode;
pub mod limits;
mod line;
pub mod parameters;
pub mod reply;
#[cfg(feature = "serde")]
mod serde_bytes;
pub mod server;

pub use address::{AddressLiteral, Domain, Mailbox, Path, ReversePath};
pub use auth::{AuthResponse, Mechanism, MechanismSet, SaslPayload, decode_auth_response};
pub use capability::{Capabilities, Capability, Extension, ExtensionSet, MechanismList};
pub use client::ReplyDecoder;
#[cfg(feature = "tokio")]
pub use codec::{ClientCodec, CodecError, ServerCodec, ServerEvent};
pub use command::{Command, decode_command};
pub use data::{DataDecoder, DataEvent, DotStuffer, encode_data};
pub use decoded::{DecodeError, Decoded, ErrorKind, Expected};
pub use ehlo::{Ehlo, decode_ehlo};
pub use encode::Encode;
pub use limits::{Limit, Limits, LineEndings};
pub use parameters::{Body, ByMode, Notify, Parameter, Parameters, Ret, RrvsAction, Xtext};
pub use reply::{EnhancedCode, Reply, ReplyCode, decode_reply};
pub use server::{ClientItem, ServerDecoder, ServerState};
