//! Grammar primitives shared by commands and responses: the byte [`Cursor`] every parser
//! reads with, and the small productions of RFC 9051 §9 (tags, atoms, numbers, strings,
//! sequence sets, flags, mailbox names, dates, charsets), each with its encoder.
//!
//! Parsers here work on a *complete* message, as found by the [`Framer`](crate::frame::Framer):
//! running out of input inside a message is therefore a grammar error, never "incomplete".

pub mod atom;
pub mod bytes;
pub mod charset;
pub mod cursor;
pub mod datetime;
pub mod encode;
pub mod flag;
pub mod lazy;
pub mod mailbox;
pub mod number;
pub mod owned;
pub mod raw;
pub mod sequence;
pub mod string;
pub mod utf7;

pub use atom::{Atom, Tag};
pub use bytes::ByteStr;
pub use charset::Charset;
pub use cursor::Cursor;
pub use datetime::{Date, DateTime};
pub use encode::{Encode, Sink};
pub use flag::Flag;
pub use lazy::{LazyList, ListItem};
pub use mailbox::Mailbox;
pub use owned::IntoOwned;
pub use raw::RawValue;
pub use sequence::{SeqNumber, SeqRange, SequenceSet};
pub use string::{IString, Literal, LiteralMode, Quoted};
