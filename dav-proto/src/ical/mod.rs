//! iCalendar (RFC 5545): content lines, parameters, typed values, components, and
//! recurrence expansion for CalDAV time-range queries (RFC 4791 §9.9).
//!
//! Decoding keeps every property value as the text on the wire (unfolded, still escaped),
//! borrowed from the input when the line was not folded; typed values
//! ([`value::Value`]) are parsed on demand from that text. That keeps decoding cheap and
//! makes `decode(encode(v)) == v` hold exactly.
//!
//! The content-line layer ([`contentline`], [`property`]) is shared with vCard, which uses
//! the same grammar (RFC 2425 §5.8.1, RFC 6350 §3.3).

pub mod component;
pub mod contentline;
pub mod expand;
pub mod framer;
mod param_values;
pub mod property;
pub mod recur;
pub mod time;
pub mod value;

pub use component::{Component, ComponentKind, decode_calendar, decode_component};
pub use contentline::{DecodeOptions, Defect, Parsed, Strictness, Warning};
pub use framer::ObjectFramer;
pub use param_values::ParamValues;
pub use property::{Parameter, Property};
pub use time::{Timestamp, UtcRange};
