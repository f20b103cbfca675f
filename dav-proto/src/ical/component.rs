//! Components (`BEGIN:X` … `END:X`, RFC 5545 §3.4–3.6) as a tree, and the decoder that
//! builds one top-level object from a byte stream.

use std::borrow::Cow;

use crate::ical::contentline::{DecodeOptions, Defect, Parsed, Report, Utf8Window, next_line};
use crate::ical::property::Property;
use crate::ical::value::{DateOrDateTime, Duration};
use crate::{DecodeError, Decoded, ErrorKind, Expected, Limit};

/// The component kinds RFC 5545 defines; anything else (X- and IANA components) is
/// [`ComponentKind::Other`] and kept as is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum ComponentKind {
    /// VCALENDAR.
    Calendar,
    /// VEVENT.
    Event,
    /// VTODO.
    Todo,
    /// VJOURNAL.
    Journal,
    /// VFREEBUSY.
    FreeBusy,
    /// VTIMEZONE.
    Timezone,
    /// STANDARD (inside VTIMEZONE).
    Standard,
    /// DAYLIGHT (inside VTIMEZONE).
    Daylight,
    /// VALARM.
    Alarm,
    /// VCARD (the vCard decoder shares this tree).
    Card,
    /// Any other name.
    Other,
}

impl ComponentKind {
    /// The kind named `name` (case-insensitive).
    pub fn from_name(name: &str) -> Self {
        const KINDS: [(&str, ComponentKind); 10] = [
            ("VCALENDAR", ComponentKind::Calendar),
            ("VEVENT", ComponentKind::Event),
            ("VTODO", ComponentKind::Todo),
            ("VJOURNAL", ComponentKind::Journal),
            ("VFREEBUSY", ComponentKind::FreeBusy),
            ("VTIMEZONE", ComponentKind::Timezone),
            ("STANDARD", ComponentKind::Standard),
            ("DAYLIGHT", ComponentKind::Daylight),
            ("VALARM", ComponentKind::Alarm),
            ("VCARD", ComponentKind::Card),
        ];
        KINDS
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map_or(ComponentKind::Other, |(_, k)| *k)
    }
}

/// A component: its name, properties in order, and sub-components in order.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Component<'a> {
    /// The name after `BEGIN:` as written.
    pub name: Cow<'a, str>,
    /// Properties in input order.
    pub properties: Vec<Property<'a>>,
    /// Nested components in input order.
    pub components: Vec<Component<'a>>,
}

impl<'a> Component<'a> {
    /// An empty component called `name`.
    pub fn new(name: impl Into<Cow<'a, str>>) -> Self {
        Self {
            name: name.into(),
            properties: Vec::new(),
            components: Vec::new(),
        }
    }

    /// The kind of component.
    pub fn kind(&self) -> ComponentKind {
        ComponentKind::from_name(&self.name)
    }

    /// A `'static` copy.
    pub fn into_owned(self) -> Component<'static> {
        Component {
            name: Cow::Owned(self.name.into_owned()),
            properties: self
                .properties
                .into_iter()
                .map(Property::into_owned)
                .collect(),
            components: self
                .components
                .into_iter()
                .map(Component::into_owned)
                .collect(),
        }
    }

    /// The first property called `name` (case-insensitive).
    pub fn property(&self, name: &str) -> Option<&Property<'a>> {
        self.properties.iter().find(|p| p.is(name))
    }

    /// Every property called `name`.
    pub fn properties_named<'s>(
        &'s self,
        name: &'s str,
    ) -> impl Iterator<Item = &'s Property<'a>> + 's {
        self.properties.iter().filter(move |p| p.is(name))
    }

    /// Sub-components of `kind`.
    pub fn components_of(&self, kind: ComponentKind) -> impl Iterator<Item = &Component<'a>> + '_ {
        self.components.iter().filter(move |c| c.kind() == kind)
    }

    /// The DATE or DATE-TIME value of property `name` (DTSTART, DTEND, DUE,
    /// RECURRENCE-ID…), with its TZID parameter.
    pub fn date_property(
        &self,
        name: &str,
    ) -> Option<Result<(DateOrDateTime, Option<&str>), DecodeError>> {
        let p = self.property(name)?;
        Some(DateOrDateTime::parse(&p.value).map(|v| (v, p.param_value("TZID"))))
    }

    /// The DURATION property's value.
    pub fn duration(&self) -> Option<Result<Duration, DecodeError>> {
        self.property("DURATION").map(|p| Duration::parse(&p.value))
    }

    /// The UID property's text.
    pub fn uid(&self) -> Option<Cow<'_, str>> {
        self.property("UID").map(Property::text)
    }

    /// The SUMMARY property's text.
    pub fn summary(&self) -> Option<Cow<'_, str>> {
        self.property("SUMMARY").map(Property::text)
    }

    /// Appends the component and its children as folded content lines.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        Property::new("BEGIN", self.name.as_ref()).encode_into(out);
        for p in &self.properties {
            p.encode_into(out);
        }
        for c in &self.components {
            c.encode_into(out);
        }
        Property::new("END", self.name.as_ref()).encode_into(out);
    }

    /// The encoded bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode_into(&mut out);
        out
    }

    /// Encodes into a `BytesMut`.
    pub fn encode(&self, out: &mut bytes::BytesMut) {
        out.extend_from_slice(&self.to_bytes());
    }

    /// Encodes into any writer.
    pub fn write_to(&self, w: &mut impl std::io::Write) -> std::io::Result<()> {
        w.write_all(&self.to_bytes())
    }
}

/// Decodes one iCalendar object (`BEGIN:VCALENDAR` … `END:VCALENDAR`) from the start of
/// `input`. Input that ends before `END:VCALENDAR` (and its line break) is
/// [`Decoded::Incomplete`], unless the options say the input is the
/// [whole body](DecodeOptions::whole_body): then the last line needs no line break, an
/// unfinished object is an error (closed with a warning in lenient mode), and in lenient
/// mode stray lines after the END line are skipped with a warning.
///
/// A missing VERSION or PRODID is a defect (RFC 5545 §3.6: both MUST appear).
pub fn decode_calendar<'a>(
    input: &'a [u8],
    options: &DecodeOptions,
) -> Result<Decoded<Parsed<Component<'a>>>, DecodeError> {
    let decoded = decode_object(input, Some("VCALENDAR"), options)?;
    let Decoded::Complete { value, consumed } = decoded else {
        return Ok(decoded);
    };
    let mut report = Report::new(options.strictness);
    report.warnings = value.warnings;
    if value.value.property("VERSION").is_none() {
        report.defect(0, Defect::MissingVersion)?;
    }
    if value.value.property("PRODID").is_none() {
        report.defect(0, Defect::MissingProdId)?;
    }
    Ok(Decoded::Complete {
        value: Parsed {
            value: value.value,
            warnings: report.warnings,
        },
        consumed,
    })
}

/// Decodes one component of any kind (a VEVENT on its own, say) from the start of `input`,
/// without the VCALENDAR checks.
pub fn decode_component<'a>(
    input: &'a [u8],
    options: &DecodeOptions,
) -> Result<Decoded<Parsed<Component<'a>>>, DecodeError> {
    decode_object(input, None, options)
}

/// Decodes one `BEGIN:<root>` … `END:<root>` object (any root when `None`). Blank lines
/// before it are a defect.
pub(crate) fn decode_object<'a>(
    input: &'a [u8],
    root: Option<&str>,
    options: &DecodeOptions,
) -> Result<Decoded<Parsed<Component<'a>>>, DecodeError> {
    let limits = &options.limits;
    let eof = options.whole_body;
    let mut report = Report::new(options.strictness);
    let mut stack: Vec<Component<'a>> = Vec::new();
    // Checked as UTF-8 a stretch at a time, with SIMD where the CPU has it, so lines need no
    // check of their own; where that fails, the line is checked alone, which says where.
    let mut whole = Utf8Window::new(input);
    let mut pos = 0usize;
    if input.starts_with(b"\xEF\xBB\xBF") {
        report.defect(0, Defect::ByteOrderMark)?;
        pos = 3;
    }
    loop {
        if pos > limits.max_body_size {
            return Err(DecodeError::new(
                pos,
                ErrorKind::LimitExceeded(Limit::BodySize),
            ));
        }
        let Some(line) = next_line(input, &mut whole, pos, limits, eof, &mut report)? else {
            if input.len() > limits.max_body_size {
                return Err(DecodeError::new(
                    limits.max_body_size,
                    ErrorKind::LimitExceeded(Limit::BodySize),
                ));
            }
            if !eof {
                return Ok(Decoded::Incomplete { needed: None });
            }
            // The whole body ended inside the object (or before it began).
            let Some(mut done) = stack.pop() else {
                return Err(DecodeError::new(
                    input.len(),
                    ErrorKind::Expected(Expected::Begin),
                ));
            };
            report.defect(input.len(), Defect::MissingEnd)?;
            while let Some(mut parent) = stack.pop() {
                parent.components.push(done);
                done = parent;
            }
            return Ok(Decoded::Complete {
                value: Parsed {
                    value: done,
                    warnings: report.warnings,
                },
                consumed: input.len(),
            });
        };
        pos = line.end;
        let mut text = line.text;
        let mut start = line.start;
        if text.as_str().starts_with([' ', '\t']) {
            report.defect(start, Defect::LeadingWhitespace)?;
            let trimmed = text.as_str().len() - text.as_str().trim_start().len();
            text.skip(trimmed);
            start += trimmed;
        }
        if text.as_str().is_empty() {
            report.defect(line.start, Defect::BlankLine)?;
            continue;
        }
        let prop = match Property::parse(&text, start, &mut report) {
            Ok(prop) => prop,
            Err(e) if report.lenient() && matches!(e.kind(), ErrorKind::Expected(_)) => {
                report.defect(start, Defect::MalformedLine)?;
                continue;
            }
            Err(e) => return Err(e),
        };
        if prop.is("BEGIN") {
            if stack.is_empty() && root.is_some_and(|r| !prop.value.eq_ignore_ascii_case(r)) {
                return Err(DecodeError::new(
                    start,
                    ErrorKind::Expected(Expected::Begin),
                ));
            }
            if stack.len() >= limits.max_nesting_depth {
                return Err(DecodeError::new(
                    start,
                    ErrorKind::LimitExceeded(Limit::NestingDepth),
                ));
            }
            if prop.value.bytes().any(|b| b.is_ascii_lowercase()) {
                report.defect(start + 6, Defect::LowercaseName)?;
            }
            // Most components have a handful of properties: skip the first regrowths. A vCard
            // has more (Radicale's recorded cards 9-10, RFC 6350 §8's example 17), so it starts
            // at 16, which saves a regrowth and its copy per card.
            let capacity = if prop.value.eq_ignore_ascii_case("VCARD") {
                16
            } else {
                8
            };
            stack.push(Component {
                name: prop.value,
                properties: Vec::with_capacity(capacity),
                components: Vec::new(),
            });
        } else if prop.is("END") {
            let mut mismatched = false;
            if report.lenient()
                && stack
                    .last()
                    .is_some_and(|open| !open.name.eq_ignore_ascii_case(&prop.value))
            {
                // `END:X` for another component than the open one: close the open ones up
                // to the innermost X (or just the open one when none is called X).
                report.defect(start, Defect::MismatchedEnd)?;
                let depth = stack
                    .iter()
                    .rposition(|c| c.name.eq_ignore_ascii_case(&prop.value))
                    .unwrap_or(stack.len() - 1);
                while stack.len() > depth + 1 {
                    if let Some(inner) = stack.pop()
                        && let Some(parent) = stack.last_mut()
                    {
                        parent.components.push(inner);
                    }
                }
                mismatched = true;
            }
            let Some(done) = stack.pop() else {
                if report.lenient() && eof {
                    // A stray END before any BEGIN, in a whole body: skip it.
                    report.defect(start, Defect::MalformedLine)?;
                    continue;
                }
                return Err(DecodeError::new(
                    start,
                    ErrorKind::Expected(Expected::Begin),
                ));
            };
            if !mismatched && !done.name.eq_ignore_ascii_case(&prop.value) {
                return Err(DecodeError::new(
                    start,
                    ErrorKind::Expected(Expected::MatchingEnd),
                ));
            }
            match stack.last_mut() {
                Some(parent) => {
                    if parent.components.len() >= limits.max_list_length {
                        return Err(DecodeError::new(
                            start,
                            ErrorKind::LimitExceeded(Limit::ListLength),
                        ));
                    }
                    parent.components.push(done);
                }
                None => {
                    if eof && report.lenient() {
                        pos = skip_trailing(input, pos, &mut report)?;
                    }
                    return Ok(Decoded::Complete {
                        value: Parsed {
                            value: done,
                            warnings: report.warnings,
                        },
                        consumed: pos,
                    });
                }
            }
        } else {
            let Some(current) = stack.last_mut() else {
                if report.lenient() && eof {
                    // A stray line before the first BEGIN, in a whole body: skip it.
                    report.defect(start, Defect::MalformedLine)?;
                    continue;
                }
                return Err(DecodeError::new(
                    start,
                    ErrorKind::Expected(Expected::Begin),
                ));
            };
            if current.properties.len() >= limits.max_list_length {
                return Err(DecodeError::new(
                    start,
                    ErrorKind::LimitExceeded(Limit::ListLength),
                ));
            }
            current.properties.push(prop);
        }
    }
}

/// In a whole body, after the object's END line: white space is consumed, another
/// `BEGIN:` line (a second object) is left for the caller, and anything else up to that
/// point or the end is skipped with a [`Defect::TrailingData`] warning.
fn skip_trailing(input: &[u8], pos: usize, report: &mut Report) -> Result<usize, DecodeError> {
    let rest = input.get(pos..).unwrap_or_default();
    let mut at = 0usize;
    let mut reported = false;
    while at < rest.len() {
        let line_end = memchr::memchr(b'\n', rest.get(at..).unwrap_or_default())
            .map_or(rest.len(), |lf| at + lf + 1);
        let line = rest.get(at..line_end).unwrap_or_default();
        let trimmed = line.trim_ascii();
        if trimmed
            .get(..6)
            .is_some_and(|h| h.eq_ignore_ascii_case(b"BEGIN:"))
        {
            break;
        }
        if !trimmed.is_empty() && !reported {
            report.defect(pos + at, Defect::TrailingData)?;
            reported = true;
        }
        at = line_end;
    }
    Ok(pos + at)
}
