//! Explicit bounds on what a decoder accepts, so hostile input costs bounded memory and time.

/// Bounds a decoder enforces. Exceeding one yields [`ErrorKind::LimitExceeded`](crate::ErrorKind::LimitExceeded).
///
/// The defaults are safe for a server facing the open Internet; raise them per connection for
/// trusted peers.
///
/// Bodies are parsed whole: a larger one is refused, so a caller needs to buffer at most
/// `max_body_size` octets of one body (it should refuse a larger `Content-Length` before
/// reading the body), and parsing one costs time and
/// memory linear in its size, nesting and list lengths bounded as below; recurrence
/// expansion is bounded per call in instances and in work, not per event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Largest XML body, iCalendar or vCard object accepted, in octets.
    pub max_body_size: usize,
    /// Deepest element nesting in XML bodies (and component nesting in iCalendar) accepted.
    pub max_nesting_depth: usize,
    /// Most elements accepted in one list (responses in a multistatus, properties, components).
    pub max_list_length: usize,
    /// Longest unfolded iCalendar/vCard content line accepted, in octets.
    ///
    /// The default is the default [`Limits::max_body_size`] (16 MiB): a correctly folded
    /// content line can be as long as the object that holds it (a 446 KB DESCRIPTION, a
    /// 274 KB base64 PHOTO of an ordinary contact), so the body bound is what keeps memory
    /// bounded. Lower it to refuse long values early.
    pub max_line_length: usize,
    /// Most recurrence instances one expansion produces (RRULE/RDATE, RFC 5545 §3.8.5).
    ///
    /// Counted over the whole call, not per component: an
    /// [`Expansion`](crate::ical::expand::Expansion) (or
    /// [`expand_calendar`](crate::ical::expand::expand_calendar)) yields at most this many
    /// instances of all its events together, then fails with [`Limit::Instances`]. It also
    /// bounds what one rule generates when expanded alone
    /// ([`occurrences`](crate::ical::expand::occurrences), VTIMEZONE observances) and the
    /// candidates one recurrence period may hold (BYHOUR x BYMINUTE x BYSECOND).
    pub max_instances: usize,
    /// Most steps of work one expansion call may do, whatever it produces.
    ///
    /// A step is a recurrence period visited, a day or time examined, a candidate kept, an
    /// occurrence generated (inside the range or not, excluded or not), or a component,
    /// RDATE, EXDATE or override indexed. This bounds the time of rules that generate little
    /// but search long (`FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30`) and of calendars with very
    /// many components; past it the call fails with [`Limit::ExpansionWork`]. The default
    /// (10 million) takes well under a second, and is about a hundred times what expanding
    /// a 90,000-event calendar over a year needs.
    pub max_expansion_work: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_body_size: 16 * 1024 * 1024,
            max_nesting_depth: 64,
            max_list_length: 100_000,
            max_line_length: 16 * 1024 * 1024,
            max_instances: 100_000,
            max_expansion_work: 10_000_000,
        }
    }
}

/// Which of the [`Limits`] was exceeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Limit {
    /// [`Limits::max_body_size`] was exceeded.
    BodySize,
    /// [`Limits::max_nesting_depth`] was exceeded.
    NestingDepth,
    /// [`Limits::max_list_length`] was exceeded.
    ListLength,
    /// [`Limits::max_line_length`] was exceeded.
    LineLength,
    /// [`Limits::max_instances`] was exceeded.
    Instances,
    /// [`Limits::max_expansion_work`] was exceeded.
    ExpansionWork,
}

impl Limit {
    /// The name of the [`Limits`] field, for messages.
    pub const fn field_name(self) -> &'static str {
        match self {
            Limit::BodySize => "max_body_size",
            Limit::NestingDepth => "max_nesting_depth",
            Limit::ListLength => "max_list_length",
            Limit::LineLength => "max_line_length",
            Limit::Instances => "max_instances",
            Limit::ExpansionWork => "max_expansion_work",
        }
    }
}
