//! Constructors and builder methods for the CalDAV and CardDAV query bodies, so a client
//! writes `CompFilter::new("VCALENDAR").with_comp(CompFilter::new("VEVENT").with_time_range(…))`
//! instead of spelling out every field. Every filter type is also `Default`.

use std::borrow::Cow;

use crate::DecodeError;
use crate::body::caldav::{
    CalendarDataRequest, CalendarQuery, CompFilter, ParamFilter, PropFilter, TextMatch, TimeRange,
};
use crate::body::carddav::{
    AddressbookQuery, CardFilter, CardParamFilter, CardPropFilter, CardTextMatch, FilterTest,
};
use crate::body::propfind::{Propfind, RequestedProp};
use crate::ical::time::UtcRange;
use crate::xml::Name;

impl<'a> TimeRange<'a> {
    /// A range with both bounds, as iCalendar UTC date-times (`20260101T000000Z`).
    pub fn new(start: impl Into<Cow<'a, str>>, end: impl Into<Cow<'a, str>>) -> Self {
        TimeRange {
            start: Some(start.into()),
            end: Some(end.into()),
        }
    }

    /// The instants of the range; an absent bound is the beginning or end of time, a bound
    /// that is not a UTC date-time an error.
    pub fn to_utc_range(&self) -> Result<UtcRange, DecodeError> {
        use crate::ical::time::Timestamp;
        let bound = |text: &Option<Cow<'_, str>>, default: i64| match text {
            None => Ok(Timestamp::from_unix_seconds(default)),
            Some(t) => Timestamp::parse(t.trim()),
        };
        Ok(UtcRange::new(
            bound(&self.start, i64::MIN / 4)?,
            bound(&self.end, i64::MAX / 4)?,
        ))
    }
}

impl From<UtcRange> for TimeRange<'static> {
    fn from(range: UtcRange) -> Self {
        let text = |t: crate::ical::time::Timestamp| Some(Cow::Owned(t.to_string()));
        TimeRange {
            start: text(range.start),
            end: text(range.end),
        }
    }
}

impl<'a> TextMatch<'a> {
    /// A case-insensitive substring match for `text` (the default collation).
    pub fn new(text: impl Into<Cow<'a, str>>) -> Self {
        TextMatch {
            text: text.into(),
            ..TextMatch::default()
        }
    }

    /// With the `collation` attribute (`i;octet`).
    pub fn with_collation(mut self, collation: impl Into<Cow<'a, str>>) -> Self {
        self.collation = Some(collation.into());
        self
    }

    /// Negated (`negate-condition="yes"`).
    pub fn negated(mut self) -> Self {
        self.negate = true;
        self
    }
}

impl<'a> ParamFilter<'a> {
    /// A filter on parameter `name` that matches when it is present.
    pub fn new(name: impl Into<Cow<'a, str>>) -> Self {
        ParamFilter {
            name: name.into(),
            ..ParamFilter::default()
        }
    }

    /// Matches when the parameter is absent (`is-not-defined`).
    pub fn not_defined(mut self) -> Self {
        self.is_not_defined = true;
        self
    }

    /// With a `text-match`.
    pub fn with_text_match(mut self, text_match: TextMatch<'a>) -> Self {
        self.text_match = Some(text_match);
        self
    }
}

impl<'a> PropFilter<'a> {
    /// A filter on property `name` that matches when it is present.
    pub fn new(name: impl Into<Cow<'a, str>>) -> Self {
        PropFilter {
            name: name.into(),
            ..PropFilter::default()
        }
    }

    /// Matches when the property is absent (`is-not-defined`).
    pub fn not_defined(mut self) -> Self {
        self.is_not_defined = true;
        self
    }

    /// With a `time-range`.
    pub fn with_time_range(mut self, range: impl Into<TimeRange<'a>>) -> Self {
        self.time_range = Some(range.into());
        self
    }

    /// With a `text-match`.
    pub fn with_text_match(mut self, text_match: TextMatch<'a>) -> Self {
        self.text_match = Some(text_match);
        self
    }

    /// With one more `param-filter`.
    pub fn with_param(mut self, filter: ParamFilter<'a>) -> Self {
        self.param_filters.push(filter);
        self
    }
}

impl<'a> CompFilter<'a> {
    /// A filter on component `name` (`VCALENDAR`, `VEVENT`) that matches when it is
    /// present.
    pub fn new(name: impl Into<Cow<'a, str>>) -> Self {
        CompFilter {
            name: name.into(),
            ..CompFilter::default()
        }
    }

    /// Matches when the component is absent (`is-not-defined`).
    pub fn not_defined(mut self) -> Self {
        self.is_not_defined = true;
        self
    }

    /// With a `time-range`.
    pub fn with_time_range(mut self, range: impl Into<TimeRange<'a>>) -> Self {
        self.time_range = Some(range.into());
        self
    }

    /// With one more nested `comp-filter`.
    pub fn with_comp(mut self, filter: CompFilter<'a>) -> Self {
        self.comp_filters.push(filter);
        self
    }

    /// With one more `prop-filter`.
    pub fn with_prop(mut self, filter: PropFilter<'a>) -> Self {
        self.prop_filters.push(filter);
        self
    }
}

impl<'a> CalendarQuery<'a> {
    /// A `calendar-query` with `filter` (its top comp-filter, normally `VCALENDAR`) and no
    /// property selection.
    pub fn new(filter: CompFilter<'a>) -> Self {
        CalendarQuery {
            selection: None,
            filter,
            timezone: None,
        }
    }

    /// The common query: events (or `component`s) overlapping `range`, asking for
    /// `getetag` and the whole `calendar-data`.
    pub fn in_range(component: impl Into<Cow<'a, str>>, range: impl Into<TimeRange<'a>>) -> Self {
        Self::new(
            CompFilter::new("VCALENDAR")
                .with_comp(CompFilter::new(component).with_time_range(range)),
        )
        .with_props([
            RequestedProp::Name(Name::Dav(crate::xml::Dav::GetEtag)),
            RequestedProp::CalendarData(CalendarDataRequest::default()),
        ])
    }

    /// Asks for these properties (`DAV:prop`).
    pub fn with_props(mut self, props: impl IntoIterator<Item = RequestedProp<'a>>) -> Self {
        self.selection = Some(Propfind::Prop(props.into_iter().collect()));
        self
    }

    /// With a `CALDAV:timezone` (a VCALENDAR holding one VTIMEZONE) for floating times.
    pub fn with_timezone(mut self, timezone: impl Into<Cow<'a, str>>) -> Self {
        self.timezone = Some(timezone.into());
        self
    }
}

impl<'a> CardTextMatch<'a> {
    /// A case-insensitive substring match for `text`.
    pub fn new(text: impl Into<Cow<'a, str>>) -> Self {
        CardTextMatch {
            text: text.into(),
            ..CardTextMatch::default()
        }
    }

    /// With the `match-type` attribute (`equals`, `contains`, `starts-with`, `ends-with`).
    pub fn with_match_type(mut self, match_type: impl Into<Cow<'a, str>>) -> Self {
        self.match_type = Some(match_type.into());
        self
    }

    /// With the `collation` attribute.
    pub fn with_collation(mut self, collation: impl Into<Cow<'a, str>>) -> Self {
        self.collation = Some(collation.into());
        self
    }

    /// Negated (`negate-condition="yes"`).
    pub fn negated(mut self) -> Self {
        self.negate = true;
        self
    }
}

impl<'a> CardParamFilter<'a> {
    /// A filter on parameter `name` that matches when it is present.
    pub fn new(name: impl Into<Cow<'a, str>>) -> Self {
        CardParamFilter {
            name: name.into(),
            ..CardParamFilter::default()
        }
    }

    /// Matches when the parameter is absent.
    pub fn not_defined(mut self) -> Self {
        self.is_not_defined = true;
        self
    }

    /// With a `text-match`.
    pub fn with_text_match(mut self, text_match: CardTextMatch<'a>) -> Self {
        self.text_match = Some(text_match);
        self
    }
}

impl<'a> CardPropFilter<'a> {
    /// A filter on vCard property `name` (`FN`, `EMAIL`) that matches when it is present.
    pub fn new(name: impl Into<Cow<'a, str>>) -> Self {
        CardPropFilter {
            name: name.into(),
            ..CardPropFilter::default()
        }
    }

    /// Matches when the property is absent.
    pub fn not_defined(mut self) -> Self {
        self.is_not_defined = true;
        self
    }

    /// With the `test` attribute.
    pub fn with_test(mut self, test: FilterTest) -> Self {
        self.test = Some(test);
        self
    }

    /// With one more `text-match`.
    pub fn with_text_match(mut self, text_match: CardTextMatch<'a>) -> Self {
        self.text_matches.push(text_match);
        self
    }

    /// With one more `param-filter`.
    pub fn with_param(mut self, filter: CardParamFilter<'a>) -> Self {
        self.param_filters.push(filter);
        self
    }
}

impl<'a> CardFilter<'a> {
    /// A filter with these `prop-filter`s (`anyof`, the default test).
    pub fn new(prop_filters: impl IntoIterator<Item = CardPropFilter<'a>>) -> Self {
        CardFilter {
            test: None,
            prop_filters: prop_filters.into_iter().collect(),
        }
    }

    /// With the `test` attribute.
    pub fn with_test(mut self, test: FilterTest) -> Self {
        self.test = Some(test);
        self
    }
}

impl<'a> AddressbookQuery<'a> {
    /// An `addressbook-query` with `filter` and no property selection.
    pub fn new(filter: CardFilter<'a>) -> Self {
        AddressbookQuery {
            selection: None,
            filter,
            limit: None,
        }
    }

    /// Asks for these properties (`DAV:prop`).
    pub fn with_props(mut self, props: impl IntoIterator<Item = RequestedProp<'a>>) -> Self {
        self.selection = Some(Propfind::Prop(props.into_iter().collect()));
        self
    }

    /// At most `n` results (`limit/nresults`).
    pub fn with_limit(mut self, n: u64) -> Self {
        self.limit = Some(n);
        self
    }
}
