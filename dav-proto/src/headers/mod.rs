//! Typed DAV headers, parsed from and formatted to `http::HeaderValue`s: `Depth`,
//! `Destination`, `Overwrite`, `If`, `Lock-Token`, `Timeout`, `DAV`, `Prefer` /
//! `Preference-Applied`, `Schedule-Tag`, `If-Schedule-Tag-Match` and entity tag lists.
//!
//! Every header implements [`TypedHeader`]: `parse` a value (borrowing from it), `write` it
//! back, and convert to and from [`http::HeaderValue`].

mod dav;
mod depth;
mod etag;
mod if_header;
pub(crate) mod lexer;
mod prefer;
mod simple;
mod timeout;

pub use dav::DavCompliance;
pub use depth::Depth;
pub use etag::{EntityTag, EntityTagList, IfScheduleTagMatch, ScheduleTag};
pub use if_header::{IfCondition, IfHeader, IfList, IfState, TaggedList};
pub use prefer::{Preference, Preferences};
pub use simple::{Destination, LockToken, Overwrite};
pub use timeout::{Timeout, TimeoutValue};

use http::header::{HeaderName, HeaderValue, InvalidHeaderValue};

use crate::decoded::DecodeError;

/// The `Depth` header name.
pub const DEPTH: HeaderName = HeaderName::from_static("depth");
/// The `Destination` header name.
pub const DESTINATION: HeaderName = HeaderName::from_static("destination");
/// The `Overwrite` header name.
pub const OVERWRITE: HeaderName = HeaderName::from_static("overwrite");
/// The `If` header name.
pub const IF: HeaderName = HeaderName::from_static("if");
/// The `Lock-Token` header name.
pub const LOCK_TOKEN: HeaderName = HeaderName::from_static("lock-token");
/// The `Timeout` header name.
pub const TIMEOUT: HeaderName = HeaderName::from_static("timeout");
/// The `DAV` header name.
pub const DAV: HeaderName = HeaderName::from_static("dav");
/// The `Prefer` header name (RFC 7240).
pub const PREFER: HeaderName = HeaderName::from_static("prefer");
/// The `Preference-Applied` header name (RFC 7240).
pub const PREFERENCE_APPLIED: HeaderName = HeaderName::from_static("preference-applied");
/// The `Schedule-Tag` header name (RFC 6638).
pub const SCHEDULE_TAG: HeaderName = HeaderName::from_static("schedule-tag");
/// The `If-Schedule-Tag-Match` header name (RFC 6638).
pub const IF_SCHEDULE_TAG_MATCH: HeaderName = HeaderName::from_static("if-schedule-tag-match");

/// A header value with a grammar: parse it (borrowing), write it, convert to and from
/// [`HeaderValue`].
pub trait TypedHeader<'a>: Sized {
    /// The header's name.
    fn name() -> HeaderName;

    /// Parses a whole header value.
    fn parse(value: &'a [u8]) -> Result<Self, DecodeError>;

    /// Appends the value's canonical text to `out`.
    fn write(&self, out: &mut String);

    /// The value as text.
    fn to_value_string(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    /// The value as an `http::HeaderValue` (fails only on values holding control
    /// characters).
    fn to_header_value(&self) -> Result<HeaderValue, InvalidHeaderValue> {
        HeaderValue::from_str(&self.to_value_string())
    }

    /// Parses an `http::HeaderValue`.
    fn from_header_value(value: &'a HeaderValue) -> Result<Self, DecodeError> {
        Self::parse(value.as_bytes())
    }
}
