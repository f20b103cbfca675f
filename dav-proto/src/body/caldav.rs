//! RFC 4791 CalDAV REPORT bodies (`calendar-query`, `calendar-multiget`, `free-busy-query`),
//! their filters, and the `calendar-data` request selection (`comp`, `expand`,
//! `limit-recurrence-set`, `limit-freebusy-set`).

use std::borrow::Cow;

use crate::body::common::{self, Href};
use crate::body::owned::{ToStatic, owned_struct};
use crate::body::propfind::{self, Propfind};
use crate::decoded::Expected;
use crate::xml::reader::{Element, XmlReader, XmlResult, expected};
use crate::xml::writer::XmlWriter;
use crate::xml::{CalDav, Dav, Name};

/// `CALDAV:time-range`: UTC date-times in iCalendar form (`20060104T000000Z`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct TimeRange<'a> {
    /// The `start` attribute.
    pub start: Option<Cow<'a, str>>,
    /// The `end` attribute.
    pub end: Option<Cow<'a, str>>,
}

owned_struct!(TimeRange { start, end });

impl<'a> TimeRange<'a> {
    pub(crate) fn decode(r: &mut XmlReader<'a>, el: &Element<'a>) -> XmlResult<Self> {
        let range = TimeRange {
            start: r.attr(el, "start")?,
            end: r.attr(el, "end")?,
        };
        r.skip(el)?;
        Ok(range)
    }

    pub(crate) fn encode(&self, w: &mut XmlWriter, element: CalDav) {
        let mut attrs = Vec::new();
        if let Some(s) = &self.start {
            attrs.push(("start", &**s));
        }
        if let Some(e) = &self.end {
            attrs.push(("end", &**e));
        }
        w.empty(&Name::CalDav(element), &attrs);
    }
}

/// `CALDAV:text-match`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct TextMatch<'a> {
    /// The `collation` attribute (`i;ascii-casemap` when absent).
    pub collation: Option<Cow<'a, str>>,
    /// `negate-condition="yes"`.
    pub negate: bool,
    /// The text to match.
    pub text: Cow<'a, str>,
}

owned_struct!(TextMatch {
    collation,
    negate,
    text
});

/// Whether a `yes`/`no` attribute says yes.
pub(crate) fn yes<'a>(r: &XmlReader<'a>, el: &Element<'a>, key: &str) -> XmlResult<bool> {
    Ok(r.attr(el, key)?.is_some_and(|v| v.trim() == "yes"))
}

impl<'a> TextMatch<'a> {
    pub(crate) fn decode(r: &mut XmlReader<'a>, el: &Element<'a>) -> XmlResult<Self> {
        Ok(TextMatch {
            collation: r.attr(el, "collation")?,
            negate: yes(r, el, "negate-condition")?,
            text: r.text(el)?,
        })
    }

    pub(crate) fn encode(&self, w: &mut XmlWriter) {
        let mut attrs = Vec::new();
        if let Some(c) = &self.collation {
            attrs.push(("collation", &**c));
        }
        if self.negate {
            attrs.push(("negate-condition", "yes"));
        }
        let name = Name::CalDav(CalDav::TextMatch);
        if self.text.is_empty() {
            w.empty(&name, &attrs);
        } else {
            let tag = w.open(&name, &attrs);
            w.text(&self.text);
            w.close(tag);
        }
    }
}

/// `CALDAV:param-filter`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ParamFilter<'a> {
    /// The parameter name (`PARTSTAT`).
    pub name: Cow<'a, str>,
    /// `is-not-defined`.
    pub is_not_defined: bool,
    /// `text-match`.
    pub text_match: Option<TextMatch<'a>>,
}

owned_struct!(ParamFilter {
    name,
    is_not_defined,
    text_match
});

/// `CALDAV:prop-filter`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PropFilter<'a> {
    /// The property name (`ATTENDEE`).
    pub name: Cow<'a, str>,
    /// `is-not-defined`.
    pub is_not_defined: bool,
    /// `time-range`.
    pub time_range: Option<TimeRange<'a>>,
    /// `text-match`.
    pub text_match: Option<TextMatch<'a>>,
    /// `param-filter`s.
    pub param_filters: Vec<ParamFilter<'a>>,
}

owned_struct!(PropFilter {
    name,
    is_not_defined,
    time_range,
    text_match,
    param_filters
});

/// `CALDAV:comp-filter`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct CompFilter<'a> {
    /// The component name (`VCALENDAR`, `VEVENT`).
    pub name: Cow<'a, str>,
    /// `is-not-defined`.
    pub is_not_defined: bool,
    /// `time-range`.
    pub time_range: Option<TimeRange<'a>>,
    /// `prop-filter`s.
    pub prop_filters: Vec<PropFilter<'a>>,
    /// Nested `comp-filter`s.
    pub comp_filters: Vec<CompFilter<'a>>,
}

owned_struct!(CompFilter {
    name,
    is_not_defined,
    time_range,
    prop_filters,
    comp_filters
});

fn name_attr<'a>(r: &XmlReader<'a>, el: &Element<'a>) -> XmlResult<Cow<'a, str>> {
    r.attr(el, "name")?
        .ok_or(expected(el.offset, Expected::AttributeValue))
}

impl<'a> ParamFilter<'a> {
    fn decode(r: &mut XmlReader<'a>, el: &Element<'a>) -> XmlResult<Self> {
        let mut f = ParamFilter {
            name: name_attr(r, el)?,
            is_not_defined: false,
            text_match: None,
        };
        while let Some(child) = r.next_child(el)? {
            match child.name {
                Name::CalDav(CalDav::IsNotDefined) => {
                    f.is_not_defined = true;
                    r.skip(&child)?;
                }
                Name::CalDav(CalDav::TextMatch) => {
                    f.text_match = Some(TextMatch::decode(r, &child)?);
                }
                _ => r.skip(&child)?,
            }
        }
        Ok(f)
    }

    fn encode(&self, w: &mut XmlWriter) {
        let tag = w.open(&Name::CalDav(CalDav::ParamFilter), &[("name", &self.name)]);
        if self.is_not_defined {
            w.empty(&Name::CalDav(CalDav::IsNotDefined), &[]);
        }
        if let Some(t) = &self.text_match {
            t.encode(w);
        }
        w.close(tag);
    }
}

impl<'a> PropFilter<'a> {
    fn decode(r: &mut XmlReader<'a>, el: &Element<'a>) -> XmlResult<Self> {
        let mut f = PropFilter {
            name: name_attr(r, el)?,
            is_not_defined: false,
            time_range: None,
            text_match: None,
            param_filters: Vec::new(),
        };
        while let Some(child) = r.next_child(el)? {
            match child.name {
                Name::CalDav(CalDav::IsNotDefined) => {
                    f.is_not_defined = true;
                    r.skip(&child)?;
                }
                Name::CalDav(CalDav::TimeRange) => {
                    f.time_range = Some(TimeRange::decode(r, &child)?);
                }
                Name::CalDav(CalDav::TextMatch) => {
                    f.text_match = Some(TextMatch::decode(r, &child)?);
                }
                Name::CalDav(CalDav::ParamFilter) => {
                    r.check_list(f.param_filters.len(), child.offset)?;
                    f.param_filters.push(ParamFilter::decode(r, &child)?);
                }
                _ => r.skip(&child)?,
            }
        }
        Ok(f)
    }

    fn encode(&self, w: &mut XmlWriter) {
        let tag = w.open(&Name::CalDav(CalDav::PropFilter), &[("name", &self.name)]);
        if self.is_not_defined {
            w.empty(&Name::CalDav(CalDav::IsNotDefined), &[]);
        }
        if let Some(t) = &self.time_range {
            t.encode(w, CalDav::TimeRange);
        }
        if let Some(t) = &self.text_match {
            t.encode(w);
        }
        for p in &self.param_filters {
            p.encode(w);
        }
        w.close(tag);
    }
}

impl<'a> CompFilter<'a> {
    fn decode(r: &mut XmlReader<'a>, el: &Element<'a>) -> XmlResult<Self> {
        let mut f = CompFilter {
            name: name_attr(r, el)?,
            is_not_defined: false,
            time_range: None,
            prop_filters: Vec::new(),
            comp_filters: Vec::new(),
        };
        while let Some(child) = r.next_child(el)? {
            match child.name {
                Name::CalDav(CalDav::IsNotDefined) => {
                    f.is_not_defined = true;
                    r.skip(&child)?;
                }
                Name::CalDav(CalDav::TimeRange) => {
                    f.time_range = Some(TimeRange::decode(r, &child)?);
                }
                Name::CalDav(CalDav::PropFilter) => {
                    r.check_list(f.prop_filters.len(), child.offset)?;
                    f.prop_filters.push(PropFilter::decode(r, &child)?);
                }
                Name::CalDav(CalDav::CompFilter) => {
                    r.check_list(f.comp_filters.len(), child.offset)?;
                    f.comp_filters.push(CompFilter::decode(r, &child)?);
                }
                _ => r.skip(&child)?,
            }
        }
        Ok(f)
    }

    fn encode(&self, w: &mut XmlWriter) {
        let name = Name::CalDav(CalDav::CompFilter);
        let attrs = [("name", &*self.name)];
        if !self.is_not_defined
            && self.time_range.is_none()
            && self.prop_filters.is_empty()
            && self.comp_filters.is_empty()
        {
            w.empty(&name, &attrs);
            return;
        }
        let tag = w.open(&name, &attrs);
        if self.is_not_defined {
            w.empty(&Name::CalDav(CalDav::IsNotDefined), &[]);
        }
        if let Some(t) = &self.time_range {
            t.encode(w, CalDav::TimeRange);
        }
        for p in &self.prop_filters {
            p.encode(w);
        }
        for c in &self.comp_filters {
            c.encode(w);
        }
        w.close(tag);
    }
}

/// All of something, or the listed ones (`allprop` / `prop*`, `allcomp` / `comp*`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Selection<T> {
    /// `allprop` / `allcomp`.
    All,
    /// The listed ones (possibly none).
    Listed(Vec<T>),
}

impl<T: ToStatic> ToStatic for Selection<T> {
    type Static = Selection<T::Static>;
    fn to_static(self) -> Self::Static {
        match self {
            Selection::All => Selection::All,
            Selection::Listed(v) => Selection::Listed(v.to_static()),
        }
    }
}

impl<T> Selection<T> {
    fn push(&mut self, item: T) {
        match self {
            Selection::All => {}
            Selection::Listed(v) => v.push(item),
        }
    }

    fn len(&self) -> usize {
        match self {
            Selection::All => 0,
            Selection::Listed(v) => v.len(),
        }
    }
}

/// A property selected in `comp` or `address-data` (`<C:prop name="SUMMARY"/>`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PropSelect<'a> {
    /// The property name.
    pub name: Cow<'a, str>,
    /// `novalue="yes"`: the property without its value.
    pub novalue: bool,
}

owned_struct!(PropSelect { name, novalue });

/// `CALDAV:comp` inside `calendar-data`: which components and properties to return.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct CompSelect<'a> {
    /// The component name.
    pub name: Cow<'a, str>,
    /// `allprop` or the listed `prop`s.
    pub props: Selection<PropSelect<'a>>,
    /// `allcomp` or the listed `comp`s.
    pub comps: Selection<CompSelect<'a>>,
}

owned_struct!(CompSelect { name, props, comps });

impl<'a> CompSelect<'a> {
    fn decode(r: &mut XmlReader<'a>, el: &Element<'a>) -> XmlResult<Self> {
        let mut c = CompSelect {
            name: name_attr(r, el)?,
            props: Selection::Listed(Vec::new()),
            comps: Selection::Listed(Vec::new()),
        };
        while let Some(child) = r.next_child(el)? {
            match child.name {
                Name::CalDav(CalDav::AllProp) => {
                    c.props = Selection::All;
                    r.skip(&child)?;
                }
                Name::CalDav(CalDav::AllComp) => {
                    c.comps = Selection::All;
                    r.skip(&child)?;
                }
                Name::CalDav(CalDav::Prop) => {
                    r.check_list(c.props.len(), child.offset)?;
                    c.props.push(PropSelect {
                        name: name_attr(r, &child)?,
                        novalue: yes(r, &child, "novalue")?,
                    });
                    r.skip(&child)?;
                }
                Name::CalDav(CalDav::Comp) => {
                    r.check_list(c.comps.len(), child.offset)?;
                    let sub = CompSelect::decode(r, &child)?;
                    c.comps.push(sub);
                }
                _ => r.skip(&child)?,
            }
        }
        Ok(c)
    }

    fn encode(&self, w: &mut XmlWriter) {
        let tag = w.open(&Name::CalDav(CalDav::Comp), &[("name", &self.name)]);
        write_prop_selection(
            w,
            &self.props,
            Name::CalDav(CalDav::AllProp),
            Name::CalDav(CalDav::Prop),
        );
        match &self.comps {
            Selection::All => w.empty(&Name::CalDav(CalDav::AllComp), &[]),
            Selection::Listed(comps) => {
                for c in comps {
                    c.encode(w);
                }
            }
        }
        w.close(tag);
    }
}

/// Writes `allprop` or `prop name=... novalue=...` elements.
pub(crate) fn write_prop_selection(
    w: &mut XmlWriter,
    props: &Selection<PropSelect<'_>>,
    all: Name<'_>,
    prop: Name<'_>,
) {
    match props {
        Selection::All => w.empty(&all, &[]),
        Selection::Listed(props) => {
            for p in props {
                if p.novalue {
                    w.empty(&prop, &[("name", &p.name), ("novalue", "yes")]);
                } else {
                    w.empty(&prop, &[("name", &p.name)]);
                }
            }
        }
    }
}

/// `CALDAV:calendar-data` in a request: which parts of the calendar data to return.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct CalendarDataRequest<'a> {
    /// The `content-type` attribute.
    pub content_type: Option<Cow<'a, str>>,
    /// The `version` attribute.
    pub version: Option<Cow<'a, str>>,
    /// `comp`: the components and properties to return.
    pub comp: Option<CompSelect<'a>>,
    /// `expand`: expand recurrences in this range.
    pub expand: Option<TimeRange<'a>>,
    /// `limit-recurrence-set`.
    pub limit_recurrence_set: Option<TimeRange<'a>>,
    /// `limit-freebusy-set`.
    pub limit_freebusy_set: Option<TimeRange<'a>>,
}

owned_struct!(CalendarDataRequest {
    content_type,
    version,
    comp,
    expand,
    limit_recurrence_set,
    limit_freebusy_set
});

impl<'a> CalendarDataRequest<'a> {
    pub(crate) fn decode(r: &mut XmlReader<'a>, el: &Element<'a>) -> XmlResult<Self> {
        let mut c = CalendarDataRequest {
            content_type: r.attr(el, "content-type")?,
            version: r.attr(el, "version")?,
            ..Default::default()
        };
        while let Some(child) = r.next_child(el)? {
            match child.name {
                Name::CalDav(CalDav::Comp) => c.comp = Some(CompSelect::decode(r, &child)?),
                Name::CalDav(CalDav::Expand) => c.expand = Some(TimeRange::decode(r, &child)?),
                Name::CalDav(CalDav::LimitRecurrenceSet) => {
                    c.limit_recurrence_set = Some(TimeRange::decode(r, &child)?);
                }
                Name::CalDav(CalDav::LimitFreebusySet) => {
                    c.limit_freebusy_set = Some(TimeRange::decode(r, &child)?);
                }
                _ => r.skip(&child)?,
            }
        }
        Ok(c)
    }

    pub(crate) fn encode(&self, w: &mut XmlWriter) {
        let mut attrs = Vec::new();
        if let Some(ct) = &self.content_type {
            attrs.push(("content-type", &**ct));
        }
        if let Some(v) = &self.version {
            attrs.push(("version", &**v));
        }
        let name = Name::CalDav(CalDav::CalendarData);
        if self.comp.is_none()
            && self.expand.is_none()
            && self.limit_recurrence_set.is_none()
            && self.limit_freebusy_set.is_none()
        {
            w.empty(&name, &attrs);
            return;
        }
        let tag = w.open(&name, &attrs);
        if let Some(c) = &self.comp {
            c.encode(w);
        }
        if let Some(t) = &self.expand {
            t.encode(w, CalDav::Expand);
        }
        if let Some(t) = &self.limit_recurrence_set {
            t.encode(w, CalDav::LimitRecurrenceSet);
        }
        if let Some(t) = &self.limit_freebusy_set {
            t.encode(w, CalDav::LimitFreebusySet);
        }
        w.close(tag);
    }
}

/// The `CALDAV:calendar-query` REPORT body.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct CalendarQuery<'a> {
    /// The properties to return (`prop`, `allprop`, `propname`), if any.
    pub selection: Option<Propfind<'a>>,
    /// The filter's top `comp-filter` (normally `VCALENDAR`).
    pub filter: CompFilter<'a>,
    /// `CALDAV:timezone`: a VTIMEZONE for floating times.
    pub timezone: Option<Cow<'a, str>>,
}

owned_struct!(CalendarQuery {
    selection,
    filter,
    timezone
});

impl<'a> CalendarQuery<'a> {
    pub(crate) fn decode(r: &mut XmlReader<'a>, el: &Element<'a>) -> XmlResult<Self> {
        let mut selection = None;
        let mut filter = None;
        let mut timezone = None;
        while let Some(child) = r.next_child(el)? {
            match child.name {
                Name::CalDav(CalDav::Filter) => {
                    while let Some(inner) = r.next_child(&child)? {
                        if inner.name == Name::CalDav(CalDav::CompFilter) && filter.is_none() {
                            filter = Some(CompFilter::decode(r, &inner)?);
                        } else {
                            r.skip(&inner)?;
                        }
                    }
                }
                Name::CalDav(CalDav::Timezone) => timezone = Some(r.text(&child)?),
                _ => {
                    propfind::selection_part(r, child, &mut selection)?;
                }
            }
        }
        Ok(CalendarQuery {
            selection,
            filter: filter.ok_or(expected(el.offset, Expected::RequiredElement))?,
            timezone,
        })
    }

    pub(crate) fn encode(&self, w: &mut XmlWriter) {
        let tag = w.open(&Name::CalDav(CalDav::CalendarQuery), &[]);
        if let Some(s) = &self.selection {
            propfind::encode_selection(w, s);
        }
        let filter = w.open(&Name::CalDav(CalDav::Filter), &[]);
        self.filter.encode(w);
        w.close(filter);
        if let Some(tz) = &self.timezone {
            w.text_element(&Name::CalDav(CalDav::Timezone), tz);
        }
        w.close(tag);
    }
}

/// The `CALDAV:calendar-multiget` REPORT body, also the `CARDDAV:addressbook-multiget` one.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Multiget<'a> {
    /// The properties to return.
    pub selection: Option<Propfind<'a>>,
    /// The resources.
    pub hrefs: Vec<Href<'a>>,
}

owned_struct!(Multiget { selection, hrefs });

impl<'a> Multiget<'a> {
    pub(crate) fn decode(r: &mut XmlReader<'a>, el: &Element<'a>) -> XmlResult<Self> {
        let mut selection = None;
        let mut hrefs = Vec::new();
        while let Some(child) = r.next_child(el)? {
            if child.name == Name::Dav(Dav::Href) {
                r.check_list(hrefs.len(), child.offset)?;
                hrefs.push(common::href(r, &child)?);
            } else {
                propfind::selection_part(r, child, &mut selection)?;
            }
        }
        Ok(Multiget { selection, hrefs })
    }

    pub(crate) fn encode(&self, w: &mut XmlWriter, root: Name<'_>) {
        let tag = w.open(&root, &[]);
        if let Some(s) = &self.selection {
            propfind::encode_selection(w, s);
        }
        common::write_hrefs(w, &self.hrefs);
        w.close(tag);
    }
}

/// The `CALDAV:free-busy-query` REPORT body.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct FreeBusyQuery<'a> {
    /// The time range.
    pub time_range: TimeRange<'a>,
}

owned_struct!(FreeBusyQuery { time_range });

impl<'a> FreeBusyQuery<'a> {
    pub(crate) fn decode(r: &mut XmlReader<'a>, el: &Element<'a>) -> XmlResult<Self> {
        let mut time_range = None;
        while let Some(child) = r.next_child(el)? {
            if child.name == Name::CalDav(CalDav::TimeRange) {
                time_range = Some(TimeRange::decode(r, &child)?);
            } else {
                r.skip(&child)?;
            }
        }
        Ok(FreeBusyQuery {
            time_range: time_range.ok_or(expected(el.offset, Expected::RequiredElement))?,
        })
    }

    pub(crate) fn encode(&self, w: &mut XmlWriter) {
        let tag = w.open(&Name::CalDav(CalDav::FreeBusyQuery), &[]);
        self.time_range.encode(w, CalDav::TimeRange);
        w.close(tag);
    }
}
